//! The MMG admin's use cases beyond the accounts (which live in [`crate::session`]): the garde
//! settings together with the MMG's département (it decides the Alsace-Moselle holidays), and the
//! filters of the audit log screen. Every use case here asks for [`Besoin::Admin`].

use crate::reglages::{CreneauxDto, ReglagesDto};
use crate::session::Besoin;
use crate::{Api, ApiError};
use appligarde_domain::{
    DomainError,
    calendrier::{CreneauxOuverture, est_alsace_moselle, jours_feries},
};
use appligarde_store::{garde as store_garde, mmg as store_mmg};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A public holiday of the year, as the settings screen lists them.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JourFerieDto {
    /// `YYYY-MM-DD`
    pub date: String,
    pub nom: String,
}

/// The garde settings screen: the settings, the département they apply to, and what follows from
/// them (the legal PDSA slots to restore, this year's public holidays).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReglagesGarde {
    pub reglages: ReglagesDto,
    /// The MMG's département (empty before Paramètres was saved).
    pub departement: String,
    /// 57, 67 or 68: Good Friday and 26 December are public holidays too.
    pub alsace_moselle: bool,
    /// The opening slots of the legal PDSA periods of `reglages`' calendar (the defaults).
    pub creneaux_legaux: CreneauxDto,
    pub annee: i32,
    pub jours_feries: Vec<JourFerieDto>,
}

/// The garde settings and the département, saved together.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReglagesGardeSaisie {
    pub reglages: ReglagesDto,
    pub departement: String,
}

impl Api {
    fn reglages_garde(&self) -> Result<ReglagesGarde, ApiError> {
        let store = self.store();
        let reglages = store.reglages()?;
        let departement = store
            .mmg_identity()?
            .map(|m| m.departement)
            .unwrap_or_default();
        drop(store);
        let legaux = store_garde::Reglages {
            creneaux: CreneauxOuverture::periodes_legales(&reglages.calendrier),
            ..reglages.clone()
        };
        let annee = self.clock.now_local().year();
        Ok(ReglagesGarde {
            reglages: ReglagesDto::from(&reglages),
            alsace_moselle: est_alsace_moselle(&departement),
            creneaux_legaux: ReglagesDto::from(&legaux).creneaux,
            annee,
            jours_feries: jours_feries(annee, &departement)
                .into_iter()
                .map(|(d, nom)| JourFerieDto {
                    date: d.format("%Y-%m-%d").to_string(),
                    nom: nom.to_owned(),
                })
                .collect(),
            departement,
        })
    }

    /// The garde settings screen (admin).
    pub fn reglages_garde_get(&self) -> Result<ReglagesGarde, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.reglages_garde()
    }

    /// Saves the garde settings and the MMG's département in one transaction (admin): a refused
    /// value leaves both as they were.
    pub fn reglages_garde_save(&self, s: ReglagesGardeSaisie) -> Result<ReglagesGarde, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let reglages = s.reglages.vers_reglages()?;
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let Some(mut identite) = store.mmg_identity()? else {
            return Err(ApiError::validation(vec![DomainError::field(
                "departement",
                "Renseignez d'abord l'identité de la MMG dans Paramètres (nom, département).",
            )]));
        };
        let departement = s.departement.trim().to_owned();
        let change = identite.departement != departement;
        identite.departement = departement;
        if let Err(errors) = identite.validate() {
            return Err(ApiError::validation(errors));
        }
        store.write(|tx| {
            if change {
                store_mmg::save_identity(tx, &identite, &stamp)?;
                store_mmg::noter_modification(tx, Some(acteur.id), &stamp)?;
            }
            store_garde::enregistrer_reglages(tx, &reglages, Some(acteur.id), &stamp)
        })?;
        drop(store);
        tracing::info!("garde settings saved");
        self.reglages_garde()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        JourFerieDto::decl(cfg),
        ReglagesGarde::decl(cfg),
        ReglagesGardeSaisie::decl(cfg),
    ]
}
