//! The garde settings of the MMG: the PDSA calendar options, the opening slots and the lock delay.

use crate::session::Besoin;
use crate::{Api, ApiError};
use appligarde_domain::{
    DomainError,
    calendrier::{CalendrierPdsa, CreneauxOuverture, DebutSamedi, Plage},
};
use appligarde_store::{garde as store_garde, garde::Reglages};
use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PlageDto {
    /// `HH:MM`
    pub debut: String,
    /// `HH:MM`; not after `debut` means past midnight.
    pub fin: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CreneauxDto {
    pub lundi: Vec<PlageDto>,
    pub mardi: Vec<PlageDto>,
    pub mercredi: Vec<PlageDto>,
    pub jeudi: Vec<PlageDto>,
    pub vendredi: Vec<PlageDto>,
    pub samedi: Vec<PlageDto>,
    pub dimanche: Vec<PlageDto>,
    pub ferie: Vec<PlageDto>,
    pub pont: Vec<PlageDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReglagesDto {
    pub samedi_apres_midi: bool,
    /// 12 or 14.
    pub debut_samedi: u32,
    pub lundi_veille_ferie: bool,
    pub vendredi_lendemain_ferie: bool,
    pub samedi_lendemain_ferie: bool,
    /// False: the slots follow the legal PDSA periods of the calendar.
    pub creneaux_personnalises: bool,
    pub creneaux: CreneauxDto,
    pub verrouillage_minutes: u32,
}

fn plages_dto(p: &[Plage]) -> Vec<PlageDto> {
    p.iter()
        .map(|p| PlageDto {
            debut: p.debut.format("%H:%M").to_string(),
            fin: p.fin.format("%H:%M").to_string(),
        })
        .collect()
}

fn plages(field: &str, p: &[PlageDto]) -> Result<Vec<Plage>, DomainError> {
    let t = |s: &str| {
        let s = s.trim();
        if s == "24:00" {
            return Some(NaiveTime::MIN);
        }
        NaiveTime::parse_from_str(s, "%H:%M").ok()
    };
    p.iter()
        .map(|p| match (t(&p.debut), t(&p.fin)) {
            (Some(debut), Some(fin)) => Ok(Plage { debut, fin }),
            _ => Err(DomainError::field(
                field,
                format!(
                    "Créneau invalide : « {} – {} » (heures au format HH:MM).",
                    p.debut, p.fin
                ),
            )),
        })
        .collect()
}

impl From<&Reglages> for ReglagesDto {
    fn from(r: &Reglages) -> Self {
        let c = &r.creneaux;
        Self {
            samedi_apres_midi: r.calendrier.samedi_apres_midi,
            debut_samedi: r.calendrier.debut_samedi.heure(),
            lundi_veille_ferie: r.calendrier.lundi_veille_ferie,
            vendredi_lendemain_ferie: r.calendrier.vendredi_lendemain_ferie,
            samedi_lendemain_ferie: r.calendrier.samedi_lendemain_ferie,
            creneaux_personnalises: r.creneaux_personnalises,
            creneaux: CreneauxDto {
                lundi: plages_dto(&c.lundi),
                mardi: plages_dto(&c.mardi),
                mercredi: plages_dto(&c.mercredi),
                jeudi: plages_dto(&c.jeudi),
                vendredi: plages_dto(&c.vendredi),
                samedi: plages_dto(&c.samedi),
                dimanche: plages_dto(&c.dimanche),
                ferie: plages_dto(&c.ferie),
                pont: plages_dto(&c.pont),
            },
            verrouillage_minutes: r.verrouillage_minutes,
        }
    }
}

impl ReglagesDto {
    pub(crate) fn vers_reglages(&self) -> Result<Reglages, ApiError> {
        let calendrier = CalendrierPdsa {
            samedi_apres_midi: self.samedi_apres_midi,
            debut_samedi: if self.debut_samedi == 14 {
                DebutSamedi::QuatorzeHeures
            } else {
                DebutSamedi::Midi
            },
            lundi_veille_ferie: self.lundi_veille_ferie,
            vendredi_lendemain_ferie: self.vendredi_lendemain_ferie,
            samedi_lendemain_ferie: self.samedi_lendemain_ferie,
        };
        let c = &self.creneaux;
        let creneaux = if self.creneaux_personnalises {
            let all = [
                ("lundi", &c.lundi),
                ("mardi", &c.mardi),
                ("mercredi", &c.mercredi),
                ("jeudi", &c.jeudi),
                ("vendredi", &c.vendredi),
                ("samedi", &c.samedi),
                ("dimanche", &c.dimanche),
                ("ferie", &c.ferie),
                ("pont", &c.pont),
            ];
            let mut out = Vec::new();
            let mut errors = Vec::new();
            for (jour, p) in all {
                match plages(&format!("creneaux.{jour}"), p) {
                    Ok(p) => out.push(p),
                    Err(e) => {
                        errors.push(e);
                        out.push(Vec::new());
                    }
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            let mut it = out.into_iter();
            let mut next = || it.next().unwrap_or_default();
            CreneauxOuverture {
                lundi: next(),
                mardi: next(),
                mercredi: next(),
                jeudi: next(),
                vendredi: next(),
                samedi: next(),
                dimanche: next(),
                ferie: next(),
                pont: next(),
            }
        } else {
            CreneauxOuverture::periodes_legales(&calendrier)
        };
        Ok(Reglages {
            calendrier,
            creneaux,
            creneaux_personnalises: self.creneaux_personnalises,
            verrouillage_minutes: self.verrouillage_minutes,
        })
    }
}

impl Api {
    pub fn reglages_get(&self) -> Result<ReglagesDto, ApiError> {
        self.acteur(Besoin::Connecte)?;
        Ok(ReglagesDto::from(&self.store().reglages()?))
    }

    pub fn reglages_save(&self, dto: ReglagesDto) -> Result<ReglagesDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let reglages = dto.vers_reglages()?;
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        store.write(|tx| {
            store_garde::enregistrer_reglages(tx, &reglages, Some(acteur.id), &stamp)
        })?;
        Ok(ReglagesDto::from(&store.reglages()?))
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        PlageDto::decl(cfg),
        CreneauxDto::decl(cfg),
        ReglagesDto::decl(cfg),
    ]
}
