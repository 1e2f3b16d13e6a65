//! The MMG's exports to the observatoire régional des urgences (RPU, OSCOUR XML) and to research
//! (pseudonymised, k-anonymous extract), over `appligarde-oru` (issue 24).
//!
//! Both are an explicit act of the MMG's data controller under a convention with the ORU or the
//! research team: MMG admin only, each recorded in the audit journal (action `export`, object `rpu`
//! or `recherche`, the period and the number of rows; never a patient). The period is of garde
//! dates, as in Statistiques (8 h on the first day to 8 h the day after the last), so that the
//! counts are the screen's. The file is built whole in memory, then handed over (window) or written
//! through the store's one atomic file write (CLI): never a half-written record, no partial file.

use crate::commun::Fichier;
use crate::session::{Acteur, Besoin};
use crate::statistiques::{Cellule, TableExport, csv, xlsx};
use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::audit::Action;
use appligarde_domain::garde::StatutConsultation;
use appligarde_domain::mmg::verifier_finess;
use appligarde_oru::{
    OruError,
    recherche::{self, Valeur},
    rpu::{self, Etablissement},
};
use appligarde_store::extraction::{Passage, cle_recherche};
use chrono::{Duration, NaiveDate, NaiveTime};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

/// The longest period of one export, in days (a year, leap day included).
pub const JOURS_MAX: i64 = 366;

/// What to export: garde dates `du..=au` (`AAAA-MM-JJ`); for the research extract, the format
/// (`csv` or `xlsx`) and k (5 by default).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ExportOruDemande {
    pub du: String,
    pub au: String,
    #[ts(optional)]
    pub format: Option<String>,
    #[ts(optional)]
    pub k: Option<u32>,
}

/// A field of the RPU left empty in some passages.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChampManquantDto {
    pub element: String,
    pub libelle: String,
    pub nombre: u32,
}

/// What the research extract generalised to reach k-anonymity.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RapportRechercheDto {
    pub k: u32,
    pub consultations: u32,
    pub lignes: u32,
    pub lignes_supprimees: u32,
    pub tranche_age_ans: u32,
    pub communes_remplacees: u32,
    /// `semaine` or `mois`.
    pub periode: String,
    pub etapes: Vec<String>,
}

/// The result of an export: the file (for the window; `None` when the CLI wrote it), its name,
/// its rows and what the user should know, in French.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportOru {
    #[ts(optional)]
    pub fichier: Option<Fichier>,
    pub nom_fichier: String,
    /// `PATIENT` elements (RPU) or rows (research).
    pub lignes: u32,
    /// Consultations of the period not closed yet (exported as they stand).
    pub non_cloturees: u32,
    pub manquants: Vec<ChampManquantDto>,
    #[ts(optional)]
    pub rapport: Option<RapportRechercheDto>,
    pub message: String,
}

fn invalide(champ: &str, message: impl Into<String>) -> ApiError {
    ApiError {
        field: Some(champ.to_owned()),
        ..ApiError::new(ErrorCode::Validation, message)
    }
}

impl From<OruError> for ApiError {
    fn from(e: OruError) -> Self {
        match e {
            OruError::Invalide(m) => invalide("k", m),
            OruError::Ecriture(_) => ApiError::internal(e.to_string()),
        }
    }
}

/// The garde dates of a request: readable, in order, at most [`JOURS_MAX`] days.
pub fn periode(d: &ExportOruDemande) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let lire = |champ: &str, texte: &str| {
        NaiveDate::parse_from_str(texte.trim(), "%Y-%m-%d").map_err(|_| {
            invalide(
                champ,
                format!("Date illisible « {texte} » : écrivez-la AAAA-MM-JJ."),
            )
        })
    };
    let du = lire("du", &d.du)?;
    let au = lire("au", &d.au)?;
    if au < du {
        return Err(invalide(
            "au",
            "La fin de la période est avant son début : choisissez une date de fin postérieure.",
        ));
    }
    if (au - du).num_days() + 1 > JOURS_MAX {
        return Err(invalide(
            "au",
            format!(
                "La période est trop longue ({} jours) : un export couvre au plus {JOURS_MAX} jours. Faites-en plusieurs.",
                (au - du).num_days() + 1
            ),
        ));
    }
    Ok((du, au))
}

fn cellule(v: Valeur) -> Cellule {
    match v {
        Valeur::Texte(s) => Cellule::Texte(s),
        Valeur::Nombre(x) => Cellule::Nombre(x),
    }
}

/// A file ready to hand over or write, and its audit entry.
struct Produit {
    nom: String,
    type_mime: &'static str,
    octets: Vec<u8>,
    objet: &'static str,
    details: String,
    resultat: ExportOru,
}

impl Api {
    /// The consultations of the garde dates `du..=au`, for an MMG admin.
    fn passages_de(&self, du: NaiveDate, au: NaiveDate) -> Result<Vec<Passage>, ApiError> {
        let huit = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
        let debut = du.and_time(huit);
        let fin = au.and_time(huit) + Duration::days(1);
        Ok(self.store().passages(debut, fin)?)
    }

    fn rpu_produire(&self, d: &ExportOruDemande) -> Result<Produit, ApiError> {
        let (du, au) = periode(d)?;
        let identite = self.store().mmg_identity()?;
        let finess = identite
            .and_then(|m| m.finess)
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                invalide(
                    "finess",
                    "Le numéro FINESS de la MMG n'est pas renseigné : l'ORU identifie chaque structure par ce numéro. Saisissez-le dans Paramètres (identité de la MMG), puis recommencez l'export.",
                )
            })?;
        verifier_finess(&finess).map_err(|m| {
            invalide(
                "finess",
                format!("{m} Corrigez-le dans Paramètres (identité de la MMG)."),
            )
        })?;
        let passages = self.passages_de(du, au)?;
        let rpus: Vec<rpu::Rpu> = passages.iter().map(rpu::rpu).collect();
        let octets = rpu::oscour_xml(
            &Etablissement {
                finess: finess.clone(),
                extraction: self.clock.now_local(),
                du,
                au,
            },
            &rpus,
        )?;
        let manquants: Vec<ChampManquantDto> = rpu::champs_manquants(&rpus)
            .into_iter()
            .map(|m| ChampManquantDto {
                element: m.element.to_owned(),
                libelle: m.libelle.to_owned(),
                nombre: m.nombre,
            })
            .collect();
        let n = u32::try_from(rpus.len()).unwrap_or(u32::MAX);
        let non_cloturees = non_cloturees(&passages);
        let mut message = format!(
            "{n} résumé(s) de passage (RPU) pour les gardes du {} au {}, FINESS {finess}.",
            du.format("%d/%m/%Y"),
            au.format("%d/%m/%Y")
        );
        if non_cloturees > 0 {
            message.push_str(&format!(
                " Dont {non_cloturees} consultation(s) non clôturée(s), exportée(s) en l'état."
            ));
        }
        if !manquants.is_empty() {
            let liste: Vec<String> = manquants
                .iter()
                .map(|m| format!("{} ({})", m.libelle, m.nombre))
                .collect();
            message.push_str(&format!(
                " Champs non renseignés, écrits vides comme le format le prévoit (code postal : 99999) : {}.",
                liste.join(", ")
            ));
        }
        let nom = format!("rpu-{finess}-{du}-{au}.xml");
        Ok(Produit {
            nom: nom.clone(),
            type_mime: "application/xml",
            octets,
            objet: "rpu",
            details: format!("{n} passage(s), gardes du {du} au {au}"),
            resultat: ExportOru {
                fichier: None,
                nom_fichier: nom,
                lignes: n,
                non_cloturees,
                manquants,
                rapport: None,
                message,
            },
        })
    }

    fn recherche_produire(&self, d: &ExportOruDemande) -> Result<Produit, ApiError> {
        let (du, au) = periode(d)?;
        let k = d.k.unwrap_or(recherche::K_DEFAUT);
        recherche::verifier_k(k)?;
        let format = d.format.as_deref().unwrap_or("csv").trim().to_lowercase();
        if format != "csv" && format != "xlsx" {
            return Err(invalide(
                "format",
                format!("Format d'export inconnu « {format} » : choisissez csv ou xlsx."),
            ));
        }
        let passages = self.passages_de(du, au)?;
        let nouvelle: [u8; 32] = rand::rng().random();
        let stamp = self.clock.now_utc_text();
        let cle = self
            .store()
            .write(|tx| cle_recherche(tx, &nouvelle, &stamp))?;
        let e = recherche::extrait(&passages, &cle, k)?;
        if e.rapport.lignes == 0 {
            return Err(invalide(
                "k",
                if passages.is_empty() {
                    "Aucune consultation sur ces dates de garde : rien à extraire.".to_owned()
                } else {
                    format!(
                        "Aucune des {} consultation(s) ne peut être extraite : même généralisée (âges par tranches de 20 ans, département, mois), chaque combinaison d'âge, de sexe, de lieu et de période concerne moins de {k} patients. Choisissez une période plus longue ou un k plus petit.",
                        passages.len()
                    )
                },
            ));
        }
        let table = TableExport {
            cle: "recherche",
            nom: "Extrait de recherche".to_owned(),
            colonnes: e.colonnes.iter().map(|c| (*c).to_owned()).collect(),
            lignes: e
                .lignes
                .into_iter()
                .map(|l| l.into_iter().map(cellule).collect())
                .collect(),
        };
        let base = format!("recherche-{du}-{au}");
        let (octets, nom, type_mime) = if format == "csv" {
            (
                csv(std::slice::from_ref(&table)).into_bytes(),
                format!("{base}.csv"),
                "text/csv;charset=utf-8",
            )
        } else {
            (
                xlsx(std::slice::from_ref(&table))?,
                format!("{base}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        };
        let r = e.rapport;
        Ok(Produit {
            nom: nom.clone(),
            type_mime,
            octets,
            objet: "recherche",
            details: format!(
                "{} ligne(s) sur {} consultation(s), gardes du {du} au {au}, k = {k}",
                r.lignes, r.consultations
            ),
            resultat: ExportOru {
                fichier: None,
                nom_fichier: nom,
                lignes: r.lignes,
                non_cloturees: non_cloturees(&passages),
                manquants: Vec::new(),
                message: r.texte.clone(),
                rapport: Some(RapportRechercheDto {
                    k: r.k,
                    consultations: r.consultations,
                    lignes: r.lignes,
                    lignes_supprimees: r.lignes_supprimees,
                    tranche_age_ans: r.tranche_age_ans,
                    communes_remplacees: r.communes_remplacees,
                    periode: r.periode.to_owned(),
                    etapes: r.etapes,
                }),
            },
        })
    }

    fn journaliser_export(&self, acteur: &Acteur, p: &Produit) -> Result<(), ApiError> {
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            appligarde_store::audit::append(
                tx,
                Some(acteur.id),
                Action::Export,
                p.objet,
                None,
                &p.details,
                &stamp,
            )
        })?;
        tracing::info!(objet = p.objet, lignes = p.resultat.lignes, "export made");
        Ok(())
    }

    /// Hands the file over (window), after its audit entry.
    fn remettre(&self, acteur: &Acteur, p: Produit) -> Result<ExportOru, ApiError> {
        self.journaliser_export(acteur, &p)?;
        Ok(ExportOru {
            fichier: Some(Fichier::new(p.nom, p.type_mime, &p.octets)),
            ..p.resultat
        })
    }

    /// Writes the file at `chemin` in one atomic step, then its audit entry; if the entry cannot be
    /// written, the file is removed (no export without its trace).
    fn ecrire(&self, acteur: &Acteur, p: Produit, chemin: &Path) -> Result<ExportOru, ApiError> {
        appligarde_store::fichier::write_atomically(chemin, &p.octets, None).map_err(|e| {
            ApiError::new(
                ErrorCode::Storage,
                format!(
                    "Le fichier {} n'a pas pu être écrit ({e}) : rien n'a été exporté. Vérifiez que le dossier existe et qu'il est accessible en écriture.",
                    chemin.display()
                ),
            )
        })?;
        if let Err(e) = self.journaliser_export(acteur, &p) {
            let _ = std::fs::remove_file(chemin);
            return Err(e);
        }
        Ok(ExportOru {
            nom_fichier: chemin.display().to_string(),
            ..p.resultat
        })
    }

    /// The RPU of every consultation of the garde dates asked, as an OSCOUR XML file (MMG admin,
    /// audited). Refused without a valid FINESS number.
    pub fn rpu_exporter(&self, d: ExportOruDemande) -> Result<ExportOru, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let p = self.rpu_produire(&d)?;
        self.remettre(&acteur, p)
    }

    /// The same, written to `chemin` (CLI).
    pub fn rpu_exporter_vers(
        &self,
        d: &ExportOruDemande,
        chemin: &Path,
    ) -> Result<ExportOru, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let p = self.rpu_produire(d)?;
        self.ecrire(&acteur, p, chemin)
    }

    /// The pseudonymised, k-anonymous research extract of the garde dates asked, as CSV or XLSX
    /// (MMG admin, audited).
    pub fn recherche_exporter(&self, d: ExportOruDemande) -> Result<ExportOru, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let p = self.recherche_produire(&d)?;
        self.remettre(&acteur, p)
    }

    /// The same, written to `chemin` (CLI).
    pub fn recherche_exporter_vers(
        &self,
        d: &ExportOruDemande,
        chemin: &Path,
    ) -> Result<ExportOru, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let p = self.recherche_produire(d)?;
        self.ecrire(&acteur, p, chemin)
    }
}

fn non_cloturees(passages: &[Passage]) -> u32 {
    let n = passages
        .iter()
        .filter(|p| p.statut != StatutConsultation::Cloturee)
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The wire types of this module, for the generated TypeScript file.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        ExportOruDemande::decl(cfg),
        ChampManquantDto::decl(cfg),
        RapportRechercheDto::decl(cfg),
        ExportOru::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demande(du: &str, au: &str) -> ExportOruDemande {
        ExportOruDemande {
            du: du.into(),
            au: au.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_period_is_read_in_order_and_at_most_366_days() {
        let leap_year = periode(&demande("2024-01-01", "2024-12-31")).unwrap();
        assert_eq!((leap_year.1 - leap_year.0).num_days() + 1, 366);
        for (du, au, champ, texte) in [
            ("2024-01-01", "2025-01-01", "au", "trop longue (367 jours)"),
            ("2025-03-02", "2025-03-01", "au", "avant son début"),
            ("01/03/2025", "2025-03-01", "du", "AAAA-MM-JJ"),
        ] {
            let e = periode(&demande(du, au)).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(champ), "{du}..{au}");
            assert!(e.message.contains(texte), "{}", e.message);
        }
    }
}
