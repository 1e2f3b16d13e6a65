//! Patient rights: the right of access (everything recorded about one patient, as JSON and PDF) and
//! the retention of records (patients not seen for the configured period, listed for the admin, who
//! can purge them). Exports and purges are logged in the audit journal; a purge removes the content,
//! never the journal entries.

use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};
use appligarde_documents::dossier::{DossierPatientDoc, SectionDossier, dossier_patient_pdf};
use appligarde_domain::audit::Action;
use appligarde_store::audit;
use appligarde_store::dossier::{self, DossierPatient, Ligne};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PatientExportRequest {
    pub patient_id: i64,
}

/// The record of one patient: the JSON text and the PDF (base64), with the file names to use.
#[derive(Clone, Serialize, Deserialize, TS)]
pub struct PatientExportDto {
    pub nom_json: String,
    pub json: String,
    pub nom_pdf: String,
    pub pdf_base64: String,
}

impl std::fmt::Debug for PatientExportDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatientExportDto")
            .field("nom_json", &self.nom_json)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DossierExpireDto {
    pub patient_id: i64,
    pub nom: String,
    pub prenom: String,
    pub date_naissance: String,
    pub dernier_passage: String,
    pub consultations: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RetentionListe {
    pub conservation_annees: u32,
    /// Records whose last visit is before this date (`YYYY-MM-DD`) are listed.
    pub avant: String,
    pub dossiers: Vec<DossierExpireDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PurgeRequest {
    pub patient_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PurgeRapport {
    pub patients: u32,
    /// Rows deleted in all tables.
    pub lignes: u64,
}

/// French labels of the columns people read; other columns show their own name.
fn libelle(colonne: &str) -> String {
    let known = [
        ("id", "N°"),
        ("nom", "Nom"),
        ("prenom", "Prénom"),
        ("nom_naissance", "Nom de naissance"),
        ("sexe", "Sexe"),
        ("date_naissance", "Date de naissance"),
        ("code_postal", "Code postal"),
        ("commune", "Commune"),
        ("telephone", "Téléphone"),
        ("medecin_traitant", "Médecin traitant"),
        ("poids_kg", "Poids (kg)"),
        ("taille_cm", "Taille (cm)"),
        ("allergies", "Allergies"),
        ("antecedents", "Antécédents"),
        ("arrivee", "Arrivée"),
        ("debut", "Début"),
        ("fin", "Fin"),
        ("motif", "Motif"),
        ("anamnese", "Anamnèse"),
        ("examen", "Examen"),
        ("conclusion", "Conclusion"),
        ("orientation", "Orientation"),
        ("statut", "Statut"),
        ("version", "Version"),
        ("created_at", "Créé le"),
        ("updated_at", "Modifié le"),
    ];
    known
        .iter()
        .find(|(c, _)| *c == colonne)
        .map(|(_, l)| (*l).to_owned())
        .unwrap_or_else(|| colonne.replace('_', " "))
}

fn texte(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Label/value lines of a row, without empty values, search keys and links already shown.
fn lignes(row: &Ligne, sauf: &[&str]) -> Vec<(String, String)> {
    row.iter()
        .filter(|(k, _)| !sauf.contains(&k.as_str()) && !k.ends_with("_recherche"))
        .map(|(k, v)| (libelle(k), texte(v)))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

fn sections(d: &DossierPatient) -> Vec<SectionDossier> {
    let vide = Vec::new();
    let mut out = Vec::new();
    for p in d.tables.get("patient").unwrap_or(&vide) {
        out.push(SectionDossier {
            titre: "Identité".to_owned(),
            lignes: lignes(p, &[]),
        });
    }
    for c in d.tables.get("consultation").unwrap_or(&vide) {
        let id = c.get("id").cloned().unwrap_or_default();
        let mut l = lignes(c, &["patient_id"]);
        // Everything attached to this consultation (diagnoses, acts, versions, documents…).
        for (table, rows) in &d.tables {
            for r in rows
                .iter()
                .filter(|r| r.get("consultation_id") == Some(&id))
            {
                let resume: Vec<String> = lignes(r, &["consultation_id"])
                    .into_iter()
                    .map(|(k, v)| format!("{k} : {v}"))
                    .collect();
                l.push((table.replace('_', " "), resume.join(" ; ")));
            }
        }
        out.push(SectionDossier {
            titre: format!(
                "Consultation du {}",
                texte(c.get("arrivee").unwrap_or(&serde_json::Value::Null)).replace('T', " à ")
            ),
            lignes: l,
        });
    }
    for (table, rows) in &d.tables {
        if ["patient", "consultation"].contains(&table.as_str()) {
            continue;
        }
        let autres: Vec<&Ligne> = rows
            .iter()
            .filter(|r| !r.contains_key("consultation_id"))
            .collect();
        if !autres.is_empty() {
            out.push(SectionDossier {
                titre: table.replace('_', " "),
                lignes: autres
                    .iter()
                    .flat_map(|r| lignes(r, &["patient_id"]))
                    .collect(),
            });
        }
    }
    out.push(SectionDossier {
        titre: "Journal d'audit (qui a fait quoi, quand)".to_owned(),
        lignes: d
            .journal
            .iter()
            .map(|j| {
                let g = |k: &str| texte(j.get(k).unwrap_or(&serde_json::Value::Null));
                (
                    g("horodatage"),
                    format!(
                        "{} — {} n° {} — utilisateur {} {}",
                        g("action"),
                        g("objet"),
                        g("objet_id"),
                        g("utilisateur_id"),
                        g("details")
                    ),
                )
            })
            .collect(),
    });
    out
}

impl Api {
    /// Right of access: everything recorded about one patient (MMG admin). Logged as an export.
    pub fn patient_export(
        &self,
        request: PatientExportRequest,
    ) -> Result<PatientExportDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        self.patient_export_pour(Some(acteur.id), request.patient_id)
    }

    /// The same for whoever holds the database key (the CLI).
    pub fn patient_export_key_holder(&self, patient_id: i64) -> Result<PatientExportDto, ApiError> {
        self.patient_export_pour(None, patient_id)
    }

    fn patient_export_pour(
        &self,
        acteur: Option<i64>,
        patient_id: i64,
    ) -> Result<PatientExportDto, ApiError> {
        let now = self.clock.now_utc_text();
        let date = self.clock.now_local().date();
        let mut store = self.store();
        let d = store.dossier_patient(patient_id).map_err(|e| match e {
            appligarde_store::StoreError::NotFound(_) => {
                ApiError::new(ErrorCode::NotFound, "Patient introuvable.")
            }
            other => other.into(),
        })?;
        let mmg = store
            .mmg_identity()?
            .map(|m| m.nom)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "Maison médicale de garde".to_owned());
        let patient = d
            .tables
            .get("patient")
            .and_then(|p| p.first())
            .map(|p| {
                let g = |k: &str| texte(p.get(k).unwrap_or(&serde_json::Value::Null));
                format!(
                    "{} {}, né(e) le {}",
                    g("nom").to_uppercase(),
                    g("prenom"),
                    g("date_naissance")
                )
            })
            .unwrap_or_default();
        let json = serde_json::to_string_pretty(&serde_json::json!({
            "format": "appligarde-dossier-patient 1",
            "exporte_le": now,
            "mmg": mmg,
            "patient_id": patient_id,
            "tables": d.tables,
            "journal": d.journal,
        }))
        .map_err(ApiError::internal)?;
        let pdf = dossier_patient_pdf(&DossierPatientDoc {
            mmg,
            patient,
            date,
            sections: sections(&d),
        })
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        store.write(|tx| {
            audit::append(
                tx,
                acteur,
                Action::Export,
                "patient",
                Some(patient_id),
                "dossier exporté (droit d'accès, JSON et PDF)",
                &now,
            )
        })?;
        let base = format!("dossier-patient-{patient_id}-{}", date.format("%Y%m%d"));
        Ok(PatientExportDto {
            nom_json: format!("{base}.json"),
            json,
            nom_pdf: format!("{base}.pdf"),
            pdf_base64: crate::commun::base64(&pdf),
        })
    }

    fn retention_avant(&self) -> Result<(u32, String), ApiError> {
        let annees = self.store().sauvegarde_reglages()?.conservation_annees;
        let today = self.clock.now_local().date();
        let avant = today
            .checked_sub_months(chrono::Months::new(annees * 12))
            .unwrap_or(today);
        Ok((annees, avant.format("%Y-%m-%d").to_string()))
    }

    /// Records past the retention period (MMG admin).
    pub fn retention_list(&self) -> Result<RetentionListe, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.retention_list_key_holder()
    }

    pub fn retention_list_key_holder(&self) -> Result<RetentionListe, ApiError> {
        let (conservation_annees, avant) = self.retention_avant()?;
        let dossiers = self
            .store()
            .dossiers_expires(&avant)?
            .into_iter()
            .map(|d| DossierExpireDto {
                patient_id: d.patient_id,
                nom: d.nom,
                prenom: d.prenom,
                date_naissance: d.date_naissance,
                dernier_passage: d.dernier_passage,
                consultations: d.consultations,
            })
            .collect();
        Ok(RetentionListe {
            conservation_annees,
            avant,
            dossiers,
        })
    }

    /// Deletes the listed records (MMG admin); each must still be past the retention period.
    pub fn retention_purge(&self, request: PurgeRequest) -> Result<PurgeRapport, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        self.retention_purge_pour(Some(acteur.id), request)
    }

    pub fn retention_purge_key_holder(
        &self,
        request: PurgeRequest,
    ) -> Result<PurgeRapport, ApiError> {
        self.retention_purge_pour(None, request)
    }

    fn retention_purge_pour(
        &self,
        acteur: Option<i64>,
        request: PurgeRequest,
    ) -> Result<PurgeRapport, ApiError> {
        if request.patient_ids.is_empty() {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "patients",
                "Choisissez au moins un dossier à supprimer.",
            )));
        }
        let (_, avant) = self.retention_avant()?;
        let now = self.clock.now_utc_text();
        let lignes = self
            .store()
            .write(|tx| dossier::purger(tx, &request.patient_ids, &avant, acteur, &now))?;
        tracing::info!(
            patients = request.patient_ids.len(),
            rows = lignes,
            "records purged"
        );
        Ok(PurgeRapport {
            patients: u32::try_from(request.patient_ids.len()).unwrap_or(u32::MAX),
            lignes,
        })
    }
}

/// The TypeScript declarations of this module's wire types.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        PatientExportRequest::decl(cfg),
        PatientExportDto::decl(cfg),
        DossierExpireDto::decl(cfg),
        RetentionListe::decl(cfg),
        PurgeRequest::decl(cfg),
        PurgeRapport::decl(cfg),
    ]
}
