//! Shifts (gardes): opening and closing one, and where now stands on the garde clock.

use crate::commun::heure_texte;
use crate::consultation::ConsultationRow;
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::calendrier::{date_de_garde, situer};
use appligarde_store::garde as store_garde;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeDto {
    pub id: i64,
    pub date_garde: String,
    pub ouverte_le: String,
    pub ouverte_par: String,
    pub fermee_le: Option<String>,
    pub medecins: Vec<crate::session::CompteDto>,
}

/// Where now stands on the garde clock.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SituationDto {
    pub date_garde: String,
    pub periode: String,
    pub periode_libelle: String,
    /// The MMG's opening slots include now.
    pub ouverte: bool,
    pub jour_ferie: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeOuverture {
    /// The doctors on duty; empty means the logged-in doctor.
    #[serde(default)]
    pub medecins: Vec<i64>,
}

impl Api {
    /// The current garde, for Garde du jour: the open shift, where now stands on the garde clock, and
    /// the consultations of the garde day (8:00 to 8:00 the next morning: a garde night spans
    /// midnight), with the unfinished ones of the open shift. Waiting, in consultation and done are
    /// told apart by each row's `etat`.
    pub fn garde_du_jour(&self) -> Result<GardeDuJour, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let now = self.clock.now_local();
        let day = appligarde_domain::calendrier::date_de_garde(now);
        let from = day.and_hms_opt(8, 0, 0).unwrap_or_default();
        let to = from + chrono::Duration::days(1);
        let garde = self.store().garde_ouverte()?;
        let rows = self
            .store()
            .consultations_de_garde(from, to, garde.as_ref().map(|g| g.id))?;
        let garde = garde.map(|g| self.garde_dto(g)).transpose()?;
        Ok(GardeDuJour {
            debut: from.format("%Y-%m-%dT%H:%M").to_string(),
            consultations: rows.into_iter().map(|r| self.row(r, &acteur)).collect(),
            garde,
            situation: self.situation(now)?,
        })
    }

    pub(crate) fn garde_dto(&self, g: store_garde::Garde) -> Result<GardeDto, ApiError> {
        let store = self.store();
        let medecins = g
            .medecins
            .iter()
            .filter_map(|id| store.utilisateur(*id).transpose())
            .map(|u| u.map(crate::session::CompteDto::from))
            .collect::<Result<_, _>>()?;
        drop(store);
        Ok(GardeDto {
            id: g.id,
            date_garde: g.date_garde.format("%Y-%m-%d").to_string(),
            ouverte_le: heure_texte(g.ouverte_le),
            ouverte_par: self
                .nom_utilisateur(Some(g.ouverte_par))?
                .unwrap_or_default(),
            fermee_le: g.fermee_le.map(heure_texte),
            medecins,
        })
    }

    /// Opens the shift of the current garde day with the doctors on duty.
    pub fn garde_ouvrir(&self, o: GardeOuverture) -> Result<GardeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let now = self.clock.now_local();
        let stamp = self.clock.now_utc_text();
        let medecins = if o.medecins.is_empty() {
            vec![acteur.id]
        } else {
            o.medecins
        };
        let mut store = self.store();
        let id = store.write(|tx| {
            store_garde::ouvrir(tx, date_de_garde(now), &medecins, now, acteur.id, &stamp)
        })?;
        let garde = store
            .garde(id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Garde introuvable."))?;
        drop(store);
        self.garde_dto(garde)
    }

    /// Closes the open shift (refused while one of its consultations is unfinished).
    pub fn garde_fermer(&self) -> Result<GardeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let now = self.clock.now_local();
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let garde = store
            .garde_ouverte()?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Aucune garde n'est ouverte."))?;
        store.write(|tx| store_garde::fermer(tx, garde.id, now, acteur.id, &stamp))?;
        let garde = store
            .garde(garde.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Garde introuvable."))?;
        drop(store);
        self.sauvegarde_fin_de_garde(Some(acteur.id));
        self.garde_dto(garde)
    }

    /// Where now stands on the garde clock of the MMG.
    pub(crate) fn situation(&self, now: NaiveDateTime) -> Result<SituationDto, ApiError> {
        let store = self.store();
        let reglages = store.reglages()?;
        let departement = store
            .mmg_identity()?
            .map(|m| m.departement)
            .unwrap_or_default();
        drop(store);
        let s = situer(now, &departement, &reglages.calendrier, &reglages.creneaux);
        Ok(SituationDto {
            date_garde: date_de_garde(now).format("%Y-%m-%d").to_string(),
            periode: format!("{:?}", s.periode),
            periode_libelle: s.periode.libelle().to_owned(),
            ouverte: s.ouverte,
            jour_ferie: s.jour_ferie.map(str::to_owned),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeDuJour {
    /// Start of the garde day shown (local time, `YYYY-MM-DDTHH:MM`).
    pub debut: String,
    pub consultations: Vec<ConsultationRow>,
    /// The open shift, if any.
    pub garde: Option<GardeDto>,
    pub situation: SituationDto,
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        GardeDto::decl(cfg),
        SituationDto::decl(cfg),
        GardeOuverture::decl(cfg),
        GardeDuJour::decl(cfg),
    ]
}
