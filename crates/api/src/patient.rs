//! Patients: their identity as typed and as shown (reception sees no clinical field), the search of
//! a returning patient and the duplicate check on creation.

use crate::commun::{Id, parse_date, validation};
use crate::session::{Acteur, Besoin};
use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::{DomainError, garde::Sexe, patient::Identite};
use appligarde_store::{patient as store_patient, patient::Patient};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The patient's identity as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PatientSaisie {
    pub nom: String,
    pub nom_naissance: String,
    pub prenom: String,
    /// `F`, `M` or `I`.
    pub sexe: String,
    /// `YYYY-MM-DD`.
    pub date_naissance: String,
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    pub telephone: String,
    pub medecin_traitant: String,
    pub medecin_traitant_rpps: Option<String>,
    pub poids_kg: Option<f64>,
    pub taille_cm: Option<f64>,
    pub allergies: String,
    pub antecedents: String,
}

impl PatientSaisie {
    pub fn vers_identite(&self) -> Result<Identite, Vec<DomainError>> {
        let mut errors = Vec::new();
        let sexe = Sexe::from_code(self.sexe.trim().to_uppercase().as_str());
        if sexe.is_none() {
            errors.push(DomainError::field(
                "sexe",
                "Le sexe doit être F (féminin), M (masculin) ou I (indéterminé).",
            ));
        }
        let date_naissance = parse_date("date_naissance", &self.date_naissance)
            .map_err(|e| errors.push(e))
            .ok();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Identite {
            nom: self.nom.clone(),
            nom_naissance: self.nom_naissance.clone(),
            prenom: self.prenom.clone(),
            sexe: sexe.unwrap_or(Sexe::I),
            date_naissance: date_naissance.unwrap_or_default(),
            code_postal: self.code_postal.clone(),
            commune: self.commune.clone(),
            code_insee: self.code_insee.clone(),
            telephone: self.telephone.clone(),
            medecin_traitant: self.medecin_traitant.clone(),
            medecin_traitant_rpps: self.medecin_traitant_rpps.clone(),
            poids_kg: self.poids_kg,
            taille_cm: self.taille_cm,
            allergies: self.allergies.clone(),
            antecedents: self.antecedents.clone(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PatientDto {
    pub id: i64,
    pub nom: String,
    pub nom_naissance: String,
    pub prenom: String,
    pub sexe: String,
    pub date_naissance: String,
    /// Age in years (months for a baby), as shown: « 36 ans », « 8 mois ».
    pub age: String,
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    pub telephone: String,
    pub medecin_traitant: String,
    pub medecin_traitant_rpps: Option<String>,
    /// Weight, height, allergies and history are clinical: empty for reception.
    pub poids_kg: Option<f64>,
    pub taille_cm: Option<f64>,
    pub allergies: String,
    pub antecedents: String,
    pub created_at: String,
    pub updated_at: String,
    pub cree_par: Option<String>,
    pub modifie_par: Option<String>,
}

/// Age as doctors say it.
pub fn age_texte(naissance: NaiveDate, jour: NaiveDate) -> String {
    let mois = jour
        .years_since(naissance)
        .map(|y| i64::from(y) * 12)
        .unwrap_or(0);
    let mut total = mois;
    // Months beyond whole years.
    let mut d = naissance
        .checked_add_months(chrono::Months::new(u32::try_from(total).unwrap_or(0)))
        .unwrap_or(naissance);
    while let Some(next) = d.checked_add_months(chrono::Months::new(1)) {
        if next > jour {
            break;
        }
        d = next;
        total += 1;
    }
    if total < 24 {
        format!("{total} mois")
    } else {
        format!("{} ans", total / 12)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PatientCreation {
    pub patient: PatientSaisie,
    /// Create even though a patient born the same day has a similar name (checked by the user).
    #[serde(default)]
    pub confirmer_doublon: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PatientModification {
    pub id: i64,
    pub patient: PatientSaisie,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct PatientRecherche {
    pub nom: String,
    pub prenom: String,
    /// `YYYY-MM-DD`, optional.
    pub date_naissance: Option<String>,
}

impl Api {
    pub(crate) fn patient_dto(&self, p: Patient, acteur: &Acteur) -> Result<PatientDto, ApiError> {
        let aujourdhui = self.clock.now_local().date();
        let i = p.identite;
        let clinique = acteur.voit_la_clinique();
        Ok(PatientDto {
            id: p.id,
            age: age_texte(i.date_naissance, aujourdhui),
            nom: i.nom,
            nom_naissance: i.nom_naissance,
            prenom: i.prenom,
            sexe: i.sexe.code().to_owned(),
            date_naissance: i.date_naissance.format("%Y-%m-%d").to_string(),
            code_postal: i.code_postal,
            commune: i.commune,
            code_insee: i.code_insee,
            telephone: i.telephone,
            medecin_traitant: i.medecin_traitant,
            medecin_traitant_rpps: i.medecin_traitant_rpps,
            poids_kg: i.poids_kg.filter(|_| clinique),
            taille_cm: i.taille_cm.filter(|_| clinique),
            allergies: if clinique { i.allergies } else { String::new() },
            antecedents: if clinique {
                i.antecedents
            } else {
                String::new()
            },
            created_at: p.created_at,
            updated_at: p.updated_at,
            cree_par: self.nom_utilisateur(p.created_by)?,
            modifie_par: self.nom_utilisateur(p.updated_by)?,
        })
    }

    pub fn patient_get(&self, id: Id) -> Result<PatientDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let p = self
            .store()
            .patient(id.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        self.patient_dto(p, &acteur)
    }

    /// Finds a returning patient by name (usual or birth name), first name and birth date.
    pub fn patients_rechercher(&self, q: PatientRecherche) -> Result<Vec<PatientDto>, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let naissance = q
            .date_naissance
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| parse_date("date_naissance", d))
            .transpose()?;
        let found = self
            .store()
            .rechercher_patients(&q.nom, &q.prenom, naissance, 30)?;
        found
            .into_iter()
            .map(|p| self.patient_dto(p, &acteur))
            .collect()
    }

    /// The patients who are probably the same person as `saisie` (same birth date, similar name).
    pub fn patients_doublons(&self, saisie: PatientSaisie) -> Result<Vec<PatientDto>, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let identite = saisie.vers_identite().map_err(validation)?;
        let found = self.store().doublons_patient(&identite)?;
        found
            .into_iter()
            .map(|p| self.patient_dto(p, &acteur))
            .collect()
    }

    fn identite_valide(&self, saisie: &PatientSaisie) -> Result<Identite, ApiError> {
        let identite = saisie.vers_identite().map_err(validation)?.normalisee();
        identite
            .valider(self.clock.now_local().date())
            .map_err(validation)?;
        Ok(identite)
    }

    pub(crate) fn refuser_doublon(&self, identite: &Identite) -> Result<(), ApiError> {
        let doublons = self.store().doublons_patient(identite)?;
        if let Some(p) = doublons.first() {
            return Err(ApiError {
                code: ErrorCode::Validation,
                message: format!(
                    "Un patient né le même jour a un nom proche : {} {} ({} dossier(s)). Reprenez son dossier, \
                     ou confirmez qu'il s'agit d'une autre personne.",
                    p.identite.nom,
                    p.identite.prenom,
                    doublons.len()
                ),
                field: Some("doublon".to_owned()),
                details: Vec::new(),
            });
        }
        Ok(())
    }

    pub fn patient_creer(&self, c: PatientCreation) -> Result<PatientDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let identite = self.identite_valide(&c.patient)?;
        if !c.confirmer_doublon {
            self.refuser_doublon(&identite)?;
        }
        let aujourdhui = self.clock.now_local().date();
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let id = store
            .write(|tx| store_patient::creer(tx, &identite, aujourdhui, Some(acteur.id), &stamp))?;
        let p = store
            .patient(id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        drop(store);
        self.patient_dto(p, &acteur)
    }

    /// Changes a patient. Reception may change the identity, but the clinical notes it cannot see are
    /// kept as they are.
    pub fn patient_modifier(&self, m: PatientModification) -> Result<PatientDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let mut identite = self.identite_valide(&m.patient)?;
        let aujourdhui = self.clock.now_local().date();
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let avant = store
            .patient(m.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        if !acteur.voit_la_clinique() {
            identite.poids_kg = avant.identite.poids_kg;
            identite.taille_cm = avant.identite.taille_cm;
            identite.allergies = avant.identite.allergies.clone();
            identite.antecedents = avant.identite.antecedents.clone();
        }
        store.write(|tx| {
            store_patient::modifier(tx, m.id, &identite, aujourdhui, Some(acteur.id), &stamp)
        })?;
        let p = store
            .patient(m.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        drop(store);
        self.patient_dto(p, &acteur)
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        PatientSaisie::decl(cfg),
        PatientDto::decl(cfg),
        PatientCreation::decl(cfg),
        PatientModification::decl(cfg),
        PatientRecherche::decl(cfg),
    ]
}
