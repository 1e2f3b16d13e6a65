//! The MMG admin's use cases beyond the accounts (which live in [`crate::session`]): the garde
//! settings together with the MMG's département (it decides the Alsace-Moselle holidays), and the
//! filters of the audit log screen. Every use case here asks for [`Besoin::Admin`].

use crate::journal::JournalQuery;
use crate::reglages::{CreneauxDto, ReglagesDto};
use crate::session::{Besoin, CompteDto};
use crate::{Api, ApiError};
use appligarde_domain::{
    DomainError,
    audit::Action,
    calendrier::{CreneauxOuverture, est_alsace_moselle, jours_feries},
};
use appligarde_store::{audit::FiltreJournal, garde as store_garde, mmg as store_mmg};
use chrono::{Datelike, NaiveDate, TimeZone};
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

/// An action of the audit log, for the filter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ActionDto {
    pub code: String,
    pub libelle: String,
}

/// The choices of the audit log screen's filters.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JournalFiltres {
    pub actions: Vec<ActionDto>,
    /// The kinds of record the log mentions (`consultation`, `patient`, `utilisateur`...).
    pub objets: Vec<String>,
    pub utilisateurs: Vec<CompteDto>,
}

/// The UTC text (as stored in the audit log) of local midnight at the start of `date` in Paris.
fn minuit_utc(date: NaiveDate) -> String {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| local.and_utc())
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn date_filtre(field: &str, texte: Option<&str>) -> Result<Option<NaiveDate>, DomainError> {
    match texte.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                DomainError::field(
                    field,
                    format!("Date invalide : « {t} » (format AAAA-MM-JJ)."),
                )
            }),
    }
}

/// The store's criteria from the screen's query: local dates become UTC bounds, empty texts mean
/// any, an unknown action is refused.
pub(crate) fn filtre_journal(q: &JournalQuery) -> Result<FiltreJournal, ApiError> {
    let mut errors = Vec::new();
    let du = date_filtre("du", q.du.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let au = date_filtre("au", q.au.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if let (Some(du), Some(au)) = (du, au)
        && au < du
    {
        errors.push(DomainError::field(
            "au",
            "La date de fin est avant la date de début.",
        ));
    }
    let action = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = action
        && Action::from_code(a).is_none()
    {
        errors.push(DomainError::field(
            "action",
            format!("Action inconnue dans le journal : « {a} »."),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let objet = q
        .objet
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned);
    Ok(FiltreJournal {
        utilisateur_id: q.utilisateur_id,
        action: action.map(str::to_owned),
        objet_id: objet.as_ref().and(q.objet_id),
        objet,
        depuis: du.map(minuit_utc),
        avant: au.and_then(|d| d.succ_opt()).map(minuit_utc),
    })
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

    /// The choices of the audit log's filters (admin).
    pub fn journal_filtres(&self) -> Result<JournalFiltres, ApiError> {
        self.acteur(Besoin::Admin)?;
        let store = self.store();
        Ok(JournalFiltres {
            actions: Action::ALL
                .iter()
                .map(|a| ActionDto {
                    code: a.code().to_owned(),
                    libelle: a.libelle().to_owned(),
                })
                .collect(),
            objets: store.journal_objets()?,
            utilisateurs: store
                .tous_les_utilisateurs()?
                .into_iter()
                .map(CompteDto::from)
                .collect(),
        })
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        JourFerieDto::decl(cfg),
        ReglagesGarde::decl(cfg),
        ReglagesGardeSaisie::decl(cfg),
        ActionDto::decl(cfg),
        JournalFiltres::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_dates_become_utc_bounds_of_the_paris_day() {
        // Winter (UTC+1) and summer (UTC+2): the log stores UTC, the admin thinks in Paris days.
        for (jour, attendu) in [
            ("2026-11-20", "2026-11-19T23:00:00Z"),
            ("2026-07-14", "2026-07-13T22:00:00Z"),
        ] {
            let d = NaiveDate::parse_from_str(jour, "%Y-%m-%d").unwrap();
            assert_eq!(minuit_utc(d), attendu, "{jour}");
        }
    }

    #[test]
    fn the_journal_query_is_checked_before_reaching_the_store() {
        let q = JournalQuery {
            du: Some("2026-11-20".into()),
            au: Some("2026-11-20".into()),
            action: Some(" connexion ".into()),
            objet: Some("".into()),
            objet_id: Some(4),
            ..JournalQuery::default()
        };
        let f = filtre_journal(&q).unwrap();
        assert_eq!(f.depuis.as_deref(), Some("2026-11-19T23:00:00Z"));
        assert_eq!(
            f.avant.as_deref(),
            Some("2026-11-20T23:00:00Z"),
            "the end day is included"
        );
        assert_eq!(f.action.as_deref(), Some("connexion"));
        assert_eq!(
            (f.objet, f.objet_id),
            (None, None),
            "an id without a kind of record means nothing"
        );

        let bad = JournalQuery {
            du: Some("2026-02-30".into()),
            action: Some("effacement".into()),
            ..JournalQuery::default()
        };
        let e = filtre_journal(&bad).unwrap_err();
        let fields: Vec<_> = e.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["du", "action"], "every wrong criterion is named");

        let reversed = JournalQuery {
            du: Some("2026-11-21".into()),
            au: Some("2026-11-20".into()),
            ..JournalQuery::default()
        };
        assert_eq!(
            filtre_journal(&reversed).unwrap_err().details[0].field,
            "au"
        );
    }
}
