//! The garde consultation record, as use cases: settings of the garde, shifts, patients (with the
//! search of a returning patient), consultations (arrival, draft autosave, close, amend as a new
//! version), the audit log and the integrity check.
//!
//! Every use case asks the session for its actor first ([`Api::acteur`]); reception sees arrivals and
//! the day list but no clinical notes. Validation happens before the single transaction of each
//! change, with every broken rule reported at once; the store checks again inside the transaction.

use crate::session::{Acteur, Besoin};
use crate::{Api, ApiError, ErrorCode, dto::ConsultationRow};
use appligarde_domain::{
    DomainError,
    audit::Action,
    calendrier::{CalendrierPdsa, CreneauxOuverture, DebutSamedi, Plage, date_de_garde, situer},
    consultation::{CodeConnu, Contenu, Diagnostic, Nomenclature, Orientation, SignesVitaux},
    garde::{Lieu, ModeArrivee, Sexe, StatutConsultation},
    patient::Identite,
};
use appligarde_store::{
    audit, consultation as store_consultation, garde as store_garde, garde::Reglages,
    patient as store_patient, patient::Patient,
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rand::Rng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

// ---------------------------------------------------------------------------------------------
// The CIM-10 nomenclature
// ---------------------------------------------------------------------------------------------

/// The CIM-10 FR code set embedded in `appligarde-cim10`, as the domain's [`Nomenclature`]. It is
/// loaded on first use (once per process).
pub struct Cim10Embarquee;

impl Nomenclature for Cim10Embarquee {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        let set = match appligarde_cim10::CodeSet::embedded() {
            Ok(set) => set,
            Err(e) => {
                tracing::error!(error = %e, "the embedded CIM-10 cannot be read");
                return None;
            }
        };
        let c = set.get(code)?;
        Some(CodeConnu {
            code: c.display_code(),
            libelle: c.label().to_owned(),
            supprime: c.supprime(),
            // Type 3 of the ATIH file: a category to be made precise (J06 → J06.9). Some precise codes
            // have French extensions below them (M54.5 → M54.50) and stay valid.
            a_des_sous_codes: c.mco_type() == 3,
            principal_autorise: c.is_valid_for_main_diagnosis(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/// A local date-time as typed (`YYYY-MM-DDTHH:MM`, seconds optional, a space instead of `T` too).
pub fn parse_heure(field: &str, text: &str) -> Result<NaiveDateTime, DomainError> {
    let t = text.trim().replace(' ', "T");
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&t, f).ok())
        .ok_or_else(|| {
            DomainError::field(
                field,
                format!("Date et heure invalides : « {text} » (format attendu JJ/MM/AAAA HH:MM)."),
            )
        })
}

fn parse_date(field: &str, text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        DomainError::field(
            field,
            format!("Date invalide : « {text} » (une date qui existe, au format AAAA-MM-JJ)."),
        )
    })
}

fn heure_texte(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// The content of a consultation as the form sends it. Missing fields take their empty value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ConsultationSaisie {
    pub medecin_id: Option<i64>,
    /// Local time `YYYY-MM-DDTHH:MM`; empty means now.
    pub arrivee: String,
    pub debut: Option<String>,
    pub fin: Option<String>,
    /// `regule_centre15`, `regule_116117`, `regule_sas`, `spontane`, `adresse_medecin`,
    /// `adresse_pharmacien`, `autre`.
    pub mode_arrivee: String,
    pub mode_arrivee_precision: String,
    /// `mmg` or `domicile`.
    pub lieu: String,
    pub motif: String,
    pub anamnese: String,
    pub examen: String,
    pub conclusion: String,
    /// °C
    pub temperature: Option<f64>,
    /// mmHg
    pub ta_systolique: Option<i64>,
    pub ta_diastolique: Option<i64>,
    /// /min
    pub frequence_cardiaque: Option<i64>,
    /// %
    pub spo2: Option<i64>,
    /// /min
    pub frequence_respiratoire: Option<i64>,
    pub poids_kg: Option<f64>,
    /// g/L
    pub glycemie: Option<f64>,
    /// CIM-10 code, any form (`j069`, `J06.9`).
    pub diagnostic_principal: Option<String>,
    pub diagnostics_associes: Vec<String>,
    /// NGAP or CCAM codes.
    pub actes: Vec<String>,
    /// `retour_domicile`, `medecin_traitant`, `urgences`, `hospitalisation`, `samu_smur`, `deces`, `autre`.
    pub orientation: Option<String>,
    pub orientation_precision: String,
}

impl ConsultationSaisie {
    /// The domain content, or every unreadable field.
    pub fn vers_contenu(&self, maintenant: NaiveDateTime) -> Result<Contenu, Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut heure = |field: &str, text: Option<&str>| -> Option<NaiveDateTime> {
            let text = text.map(str::trim).filter(|t| !t.is_empty())?;
            parse_heure(field, text).map_err(|e| errors.push(e)).ok()
        };
        let arrivee = heure("arrivee", Some(&self.arrivee)).unwrap_or(maintenant);
        let debut = heure("debut", self.debut.as_deref());
        let fin = heure("fin", self.fin.as_deref());
        let mode_arrivee = if self.mode_arrivee.trim().is_empty() {
            Some(ModeArrivee::Spontane)
        } else {
            ModeArrivee::from_code(self.mode_arrivee.trim())
        };
        if mode_arrivee.is_none() {
            errors.push(DomainError::field(
                "mode_arrivee",
                "Mode d'arrivée inconnu.",
            ));
        }
        let lieu = if self.lieu.trim().is_empty() {
            Some(Lieu::Mmg)
        } else {
            Lieu::from_code(self.lieu.trim())
        };
        if lieu.is_none() {
            errors.push(DomainError::field(
                "lieu",
                "Le lieu doit être la MMG ou une visite à domicile.",
            ));
        }
        let orientation = match self.orientation.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => {
                let o = Orientation::from_code(code);
                if o.is_none() {
                    errors.push(DomainError::field("orientation", "Orientation inconnue."));
                }
                o
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let diag = |code: &str| Diagnostic {
            code: code.to_owned(),
            libelle: String::new(),
        };
        Ok(Contenu {
            medecin_id: self.medecin_id,
            arrivee,
            debut,
            fin,
            mode_arrivee: mode_arrivee.unwrap_or(ModeArrivee::Autre),
            mode_arrivee_precision: self.mode_arrivee_precision.clone(),
            lieu: lieu.unwrap_or(Lieu::Mmg),
            motif: self.motif.clone(),
            anamnese: self.anamnese.clone(),
            examen: self.examen.clone(),
            conclusion: self.conclusion.clone(),
            vitaux: SignesVitaux {
                temperature: self.temperature,
                ta_systolique: self.ta_systolique,
                ta_diastolique: self.ta_diastolique,
                frequence_cardiaque: self.frequence_cardiaque,
                spo2: self.spo2,
                frequence_respiratoire: self.frequence_respiratoire,
                poids_kg: self.poids_kg,
                glycemie: self.glycemie,
            },
            diagnostic_principal: self
                .diagnostic_principal
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .map(diag),
            diagnostics_associes: self.diagnostics_associes.iter().map(|c| diag(c)).collect(),
            actes: self.actes.clone(),
            orientation,
            orientation_precision: self.orientation_precision.clone(),
        })
    }

    fn depuis_contenu(c: &Contenu) -> Self {
        let v = &c.vitaux;
        Self {
            medecin_id: c.medecin_id,
            arrivee: heure_texte(c.arrivee),
            debut: c.debut.map(heure_texte),
            fin: c.fin.map(heure_texte),
            mode_arrivee: c.mode_arrivee.code().to_owned(),
            mode_arrivee_precision: c.mode_arrivee_precision.clone(),
            lieu: c.lieu.code().to_owned(),
            motif: c.motif.clone(),
            anamnese: c.anamnese.clone(),
            examen: c.examen.clone(),
            conclusion: c.conclusion.clone(),
            temperature: v.temperature,
            ta_systolique: v.ta_systolique,
            ta_diastolique: v.ta_diastolique,
            frequence_cardiaque: v.frequence_cardiaque,
            spo2: v.spo2,
            frequence_respiratoire: v.frequence_respiratoire,
            poids_kg: v.poids_kg,
            glycemie: v.glycemie,
            diagnostic_principal: c.diagnostic_principal.as_ref().map(|d| d.code.clone()),
            diagnostics_associes: c
                .diagnostics_associes
                .iter()
                .map(|d| d.code.clone())
                .collect(),
            actes: c.actes.clone(),
            orientation: c.orientation.map(|o| o.code().to_owned()),
            orientation_precision: c.orientation_precision.clone(),
        }
    }

    /// The same form without clinical notes (what reception may see).
    fn sans_clinique(self) -> Self {
        Self {
            medecin_id: self.medecin_id,
            arrivee: self.arrivee,
            debut: self.debut,
            fin: self.fin,
            mode_arrivee: self.mode_arrivee,
            mode_arrivee_precision: self.mode_arrivee_precision,
            lieu: self.lieu,
            motif: self.motif,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DiagnosticDto {
    pub code: String,
    pub libelle: String,
    pub principal: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChangementDto {
    pub champ: String,
    pub libelle: String,
    pub avant: String,
    pub apres: String,
}

/// A recorded amendment: the version it replaced, who, when, why, what changed.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct VersionDto {
    pub version: i64,
    pub modifiee_le: String,
    pub modifiee_par: String,
    pub motif: String,
    pub changements: Vec<ChangementDto>,
}

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

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
pub struct Id {
    pub id: i64,
}

/// A new arrival: an existing patient (`patient_id`) or a new one (`patient`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ArriveeSaisie {
    pub patient_id: Option<i64>,
    pub patient: Option<PatientSaisie>,
    pub confirmer_doublon: bool,
    /// Local time; empty means now.
    pub arrivee: String,
    pub mode_arrivee: String,
    pub mode_arrivee_precision: String,
    pub lieu: String,
    pub motif: String,
}

/// A whole consultation at once (CLI `consultation add`, imports): the patient, by id or identity,
/// and the content, closed when `cloturer`. `uid` makes a retry idempotent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ConsultationCreation {
    pub uid: Option<String>,
    pub patient_id: Option<i64>,
    pub patient: Option<PatientSaisie>,
    pub confirmer_doublon: bool,
    pub consultation: ConsultationSaisie,
    pub cloturer: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationMaj {
    pub id: i64,
    pub consultation: ConsultationSaisie,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Rectification {
    pub id: i64,
    /// The version the user amended (as read).
    pub version: i64,
    pub consultation: ConsultationSaisie,
    pub motif: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationDetail {
    pub id: i64,
    pub uid: String,
    pub version: i64,
    pub statut: String,
    pub statut_libelle: String,
    /// `attente`, `en_cours` or `terminee`.
    pub etat: String,
    pub patient: PatientDto,
    pub garde_id: Option<i64>,
    pub consultation: ConsultationSaisie,
    pub diagnostics: Vec<DiagnosticDto>,
    /// True for reception: the clinical fields are left empty.
    pub clinique_masquee: bool,
    pub medecin: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub cloturee_le: Option<String>,
    pub cree_par: Option<String>,
    pub modifie_par: Option<String>,
    pub versions: Vec<VersionDto>,
}

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

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct JournalQuery {
    pub objet: Option<String>,
    pub objet_id: Option<i64>,
    pub limite: Option<u32>,
    /// Only the entries of this user.
    #[serde(default)]
    #[ts(optional)]
    pub utilisateur_id: Option<i64>,
    /// Only this action (its code, e.g. `modification`).
    #[serde(default)]
    #[ts(optional)]
    pub action: Option<String>,
    /// From this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub du: Option<String>,
    /// To this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub au: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JournalLigne {
    pub id: i64,
    pub horodatage: String,
    pub utilisateur: Option<String>,
    pub action: String,
    pub action_libelle: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    pub details: String,
}

/// A print or an export of clinical data, to record in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Diffusion {
    /// `impression` or `export`.
    pub action: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    /// What was printed or exported (e.g. « ordonnance », « lettre », « RPU »): no clinical value.
    pub details: String,
}

/// The result of the integrity check of the database and of the audit chain.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Verification {
    pub ok: bool,
    pub base: String,
    pub journal: String,
    pub entrees_journal: u64,
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

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

/// The state of a consultation in the day list.
pub fn etat(statut: StatutConsultation, debut: bool) -> (&'static str, &'static str) {
    match (statut, debut) {
        (StatutConsultation::Cloturee, _) => ("terminee", "Terminée"),
        (StatutConsultation::Brouillon, true) => ("en_cours", "En consultation"),
        (StatutConsultation::Brouillon, false) => ("attente", "En salle d'attente"),
    }
}

fn validation(errors: Vec<DomainError>) -> ApiError {
    ApiError::validation(errors)
}

fn random_uid() -> String {
    hex::encode(rand::rng().random::<[u8; 16]>())
}

// ---------------------------------------------------------------------------------------------
// Use cases
// ---------------------------------------------------------------------------------------------

impl Api {
    fn nom_utilisateur(&self, id: Option<i64>) -> Result<Option<String>, ApiError> {
        let Some(id) = id else { return Ok(None) };
        Ok(self
            .store()
            .utilisateur(id)?
            .map(|u| format!("{} {}", u.prenom, u.nom)))
    }

    fn patient_dto(&self, p: Patient, acteur: &Acteur) -> Result<PatientDto, ApiError> {
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

    pub(crate) fn row(
        &self,
        r: store_consultation::ConsultationLigne,
        acteur: &Acteur,
    ) -> ConsultationRow {
        let mut row = ConsultationRow::from(r);
        if !acteur.voit_la_clinique() {
            row.diagnostic = None;
        }
        row
    }

    // --- settings -------------------------------------------------------------------------------

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

    // --- shifts ---------------------------------------------------------------------------------

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

    // --- patients -------------------------------------------------------------------------------

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

    fn refuser_doublon(&self, identite: &Identite) -> Result<(), ApiError> {
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

    pub fn consultations_du_patient(&self, id: Id) -> Result<Vec<ConsultationRow>, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let rows = self.store().consultations_du_patient(id.id)?;
        Ok(rows.into_iter().map(|r| self.row(r, &acteur)).collect())
    }

    // --- consultations --------------------------------------------------------------------------

    fn contenu_valide(
        &self,
        saisie: &ConsultationSaisie,
    ) -> Result<appligarde_domain::consultation::ContenuValide, ApiError> {
        let now = self.clock.now_local();
        let contenu = saisie.vers_contenu(now).map_err(validation)?;
        contenu
            .valider(now, self.nomenclature.as_ref())
            .map_err(validation)
    }

    fn detail(&self, id: i64, acteur: &Acteur) -> Result<ConsultationDetail, ApiError> {
        let store = self.store();
        let fiche = store
            .consultation(id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Consultation introuvable."))?;
        let patient = store
            .patient(fiche.patient_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        let versions = store.versions(id)?;
        drop(store);
        let clinique = acteur.voit_la_clinique();
        let (etat, _) = etat(fiche.statut, fiche.contenu.debut.is_some());
        let c = &fiche.contenu;
        let mut diagnostics: Vec<DiagnosticDto> = c
            .diagnostic_principal
            .iter()
            .map(|d| DiagnosticDto {
                code: d.code.clone(),
                libelle: d.libelle.clone(),
                principal: true,
            })
            .chain(c.diagnostics_associes.iter().map(|d| DiagnosticDto {
                code: d.code.clone(),
                libelle: d.libelle.clone(),
                principal: false,
            }))
            .collect();
        let mut saisie = ConsultationSaisie::depuis_contenu(c);
        let mut versions_dto = Vec::new();
        if clinique {
            for v in versions {
                versions_dto.push(VersionDto {
                    version: v.version,
                    modifiee_le: v.modifiee_le,
                    modifiee_par: self
                        .nom_utilisateur(Some(v.modifiee_par))?
                        .unwrap_or_default(),
                    motif: v.motif,
                    changements: v
                        .changements
                        .into_iter()
                        .map(|c| ChangementDto {
                            champ: c.champ,
                            libelle: c.libelle,
                            avant: c.avant,
                            apres: c.apres,
                        })
                        .collect(),
                });
            }
        } else {
            saisie = saisie.sans_clinique();
            diagnostics.clear();
        }
        Ok(ConsultationDetail {
            id: fiche.id,
            uid: fiche.uid,
            version: fiche.version,
            statut: fiche.statut.code().to_owned(),
            statut_libelle: fiche.statut.libelle().to_owned(),
            etat: etat.to_owned(),
            patient: self.patient_dto(patient, acteur)?,
            garde_id: fiche.garde_id,
            medecin: self.nom_utilisateur(c.medecin_id)?,
            consultation: saisie,
            diagnostics,
            clinique_masquee: !clinique,
            created_at: fiche.created_at,
            updated_at: fiche.updated_at,
            cloturee_le: fiche.cloturee_le,
            cree_par: self.nom_utilisateur(fiche.created_by)?,
            modifie_par: self.nom_utilisateur(fiche.updated_by)?,
            versions: versions_dto,
        })
    }

    pub fn consultation_get(&self, id: Id) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        self.detail(id.id, &acteur)
    }

    /// Registers an arrival (reception or doctor): the patient (found or new) and a draft with the
    /// arrival data, attached to the open shift. One transaction: a refused patient leaves nothing.
    pub fn arrivee_enregistrer(&self, a: ArriveeSaisie) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let saisie = ConsultationSaisie {
            arrivee: a.arrivee,
            mode_arrivee: a.mode_arrivee,
            mode_arrivee_precision: a.mode_arrivee_precision,
            lieu: a.lieu,
            motif: a.motif,
            ..ConsultationSaisie::default()
        };
        let id = self.creer(
            &acteur,
            ConsultationCreation {
                uid: None,
                patient_id: a.patient_id,
                patient: a.patient,
                confirmer_doublon: a.confirmer_doublon,
                consultation: saisie,
                cloturer: false,
            },
        )?;
        self.detail(id, &acteur)
    }

    /// Records a whole consultation at once (doctor): the CLI's `consultation add`.
    pub fn consultation_creer(
        &self,
        c: ConsultationCreation,
    ) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let id = self.creer(&acteur, c)?;
        self.detail(id, &acteur)
    }

    fn creer(&self, acteur: &Acteur, c: ConsultationCreation) -> Result<i64, ApiError> {
        if let Some(uid) = c.uid.as_deref()
            && let Some(id) = self.store().consultation_par_uid(uid)?
        {
            // A retry of a consultation already committed: the same record, never a second one.
            return Ok(id);
        }
        let mut contenu = c.consultation.clone();
        if !acteur.voit_la_clinique() {
            contenu = contenu.sans_clinique();
        }
        if acteur.role == appligarde_domain::garde::Role::Medecin
            && contenu.medecin_id.is_none()
            && c.cloturer
        {
            contenu.medecin_id = Some(acteur.id);
        }
        // Validate the patient and the consultation together, so that every error shows at once.
        let mut errors = Vec::new();
        let identite = match (&c.patient_id, &c.patient) {
            (Some(_), _) => None,
            (None, Some(p)) => match p.vers_identite() {
                Ok(i) => {
                    let i = i.normalisee();
                    if let Err(e) = i.valider(self.clock.now_local().date()) {
                        errors.extend(e);
                    }
                    Some(i)
                }
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
            (None, None) => {
                errors.push(DomainError::field(
                    "patient",
                    "Choisissez le patient, ou saisissez son identité.",
                ));
                None
            }
        };
        let valide = match self.contenu_valide(&contenu) {
            Ok(v) => Some(v),
            Err(e) => {
                if e.details.is_empty() {
                    return Err(e);
                }
                errors.extend(
                    e.details
                        .into_iter()
                        .map(|d| DomainError::field(&d.field, d.message)),
                );
                None
            }
        };
        if !errors.is_empty() {
            return Err(validation(errors));
        }
        let Some(valide) = valide else {
            return Err(ApiError::internal("validated content missing"));
        };
        if c.cloturer {
            let e = valide.valider_cloture();
            if !e.is_empty() {
                return Err(validation(e));
            }
        }
        if let Some(i) = &identite
            && !c.confirmer_doublon
        {
            self.refuser_doublon(i)?;
        }
        let aujourdhui = self.clock.now_local().date();
        let stamp = self.clock.now_utc_text();
        let uid = c.uid.clone().unwrap_or_else(random_uid);
        let id = self.store().write(|tx| {
            let patient_id = match (c.patient_id, &identite) {
                (Some(id), _) => id,
                (None, Some(i)) => {
                    store_patient::creer(tx, i, aujourdhui, Some(acteur.id), &stamp)?
                }
                (None, None) => {
                    return Err(appligarde_store::StoreError::NotFound("patient".into()));
                }
            };
            let garde = store_garde::garde_ouverte(tx)?.map(|g| g.id);
            store_consultation::creer(
                tx,
                &uid,
                patient_id,
                garde,
                &valide,
                c.cloturer,
                Some(acteur.id),
                &stamp,
            )
        })?;
        tracing::info!(id, "consultation created");
        Ok(id)
    }

    /// Takes a waiting patient in: the start time is now and the doctor is the logged-in one.
    pub fn consultation_commencer(&self, id: Id) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let fiche = self
            .store()
            .consultation(id.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Consultation introuvable."))?;
        let mut saisie = ConsultationSaisie::depuis_contenu(&fiche.contenu);
        if saisie.debut.is_none() {
            saisie.debut = Some(heure_texte(self.clock.now_local()));
        }
        saisie.medecin_id = saisie.medecin_id.or(Some(acteur.id));
        self.consultation_enregistrer(ConsultationMaj {
            id: id.id,
            consultation: saisie,
        })
    }

    /// Autosave of a draft: validated, then written in place (nothing is saved half-way: a refused
    /// value leaves the last saved draft as it was).
    pub fn consultation_enregistrer(
        &self,
        m: ConsultationMaj,
    ) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let valide = self.contenu_valide(&m.consultation)?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_consultation::enregistrer_brouillon(tx, m.id, &valide, Some(acteur.id), &stamp)
        })?;
        self.detail(m.id, &acteur)
    }

    /// Saves and closes a draft; the end time defaults to now and the doctor to the logged-in one.
    pub fn consultation_cloturer(
        &self,
        m: ConsultationMaj,
    ) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let mut saisie = m.consultation;
        let now = heure_texte(self.clock.now_local());
        if saisie.fin.as_deref().is_none_or(|f| f.trim().is_empty()) {
            saisie.fin = Some(now.clone());
        }
        if saisie.debut.as_deref().is_none_or(|f| f.trim().is_empty()) {
            saisie.debut = Some(now);
        }
        saisie.medecin_id = saisie.medecin_id.or(Some(acteur.id));
        let valide = self.contenu_valide(&saisie)?;
        let e = valide.valider_cloture();
        if !e.is_empty() {
            return Err(validation(e));
        }
        let stamp = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_consultation::cloturer(tx, m.id, &valide, Some(acteur.id), &stamp))?;
        tracing::info!(id = m.id, "consultation closed");
        self.detail(m.id, &acteur)
    }

    /// Amends a closed consultation as a recorded new version.
    pub fn consultation_rectifier(&self, r: Rectification) -> Result<ConsultationDetail, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let valide = self.contenu_valide(&r.consultation)?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            store_consultation::rectifier(tx, r.id, r.version, &valide, &r.motif, acteur.id, &stamp)
        })?;
        tracing::info!(id = r.id, "consultation amended");
        self.detail(r.id, &acteur)
    }

    /// Every consultation of a period with its full content, for an export (recorded in the audit
    /// log). Doctors only.
    pub fn consultations_exporter(
        &self,
        query: crate::dto::ConsultationsQuery,
    ) -> Result<Vec<ConsultationDetail>, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let (from, to) = query.bounds()?;
        let ids: Vec<i64> = self
            .store()
            .consultations_between(from, to)?
            .into_iter()
            .map(|r| r.id)
            .rev()
            .collect();
        let stamp = self.clock.now_utc_text();
        let details = format!(
            "{} consultation(s) du {} au {}",
            ids.len(),
            query.du,
            query.au
        );
        self.store().write(|tx| {
            audit::append(
                tx,
                Some(acteur.id),
                Action::Export,
                "consultation",
                None,
                &details,
                &stamp,
            )
        })?;
        ids.into_iter().map(|id| self.detail(id, &acteur)).collect()
    }

    // --- audit log ------------------------------------------------------------------------------

    pub fn journal_list(&self, q: JournalQuery) -> Result<Vec<JournalLigne>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let filtre = crate::administration::filtre_journal(&q)?;
        let lignes = self
            .store()
            .journal_filtre(&filtre, q.limite.unwrap_or(200).min(5000))?;
        Ok(lignes
            .into_iter()
            .map(|l| JournalLigne {
                id: l.id,
                horodatage: l.horodatage,
                utilisateur: l.utilisateur,
                action_libelle: Action::from_code(&l.action)
                    .map(|a| a.libelle().to_owned())
                    .unwrap_or_else(|| l.action.clone()),
                action: l.action,
                objet: l.objet,
                objet_id: l.objet_id,
                details: l.details,
            })
            .collect())
    }

    /// Records a print or an export of clinical data (the documents call it when they print).
    pub fn journal_diffusion(&self, d: Diffusion) -> Result<(), ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let action = match d.action.as_str() {
            "impression" => Action::Impression,
            "export" => Action::Export,
            _ => {
                return Err(ApiError::validation(vec![DomainError::field(
                    "action",
                    "L'action doit être « impression » ou « export ».",
                )]));
            }
        };
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            audit::append(
                tx,
                Some(acteur.id),
                action,
                &d.objet,
                d.objet_id,
                &d.details,
                &stamp,
            )
        })?;
        Ok(())
    }

    /// The integrity check of the database (SQLite) and of the audit chain. Needs no login: it shows
    /// no patient data.
    pub fn verifier(&self) -> Result<Verification, ApiError> {
        let store = self.store();
        let base = store.integrity_check();
        let fk: Vec<String> = store
            .conn()
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| ApiError::from(appligarde_store::StoreError::from(e)))?;
        let journal = store.verifier_journal();
        let base_text = match (&base, fk.is_empty()) {
            (Ok(()), true) => "Base de données intègre.".to_owned(),
            (Ok(()), false) => format!(
                "Références cassées dans la base (tables : {}).",
                fk.join(", ")
            ),
            (Err(e), _) => e.to_string(),
        };
        let (journal_text, n) = match &journal {
            Ok(n) => (format!("Journal d'audit intact ({n} entrées)."), *n),
            Err(e) => (e.to_string(), 0),
        };
        Ok(Verification {
            ok: base.is_ok() && fk.is_empty() && journal.is_ok(),
            base: base_text,
            journal: journal_text,
            entrees_journal: n,
        })
    }

    /// Same as [`Api::verifier`], for the admin screen (logged-in admin only).
    pub fn journal_verifier(&self) -> Result<Verification, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.verifier()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        ConsultationSaisie::decl(cfg),
        DiagnosticDto::decl(cfg),
        ChangementDto::decl(cfg),
        VersionDto::decl(cfg),
        PatientSaisie::decl(cfg),
        PatientDto::decl(cfg),
        PatientCreation::decl(cfg),
        PatientModification::decl(cfg),
        PatientRecherche::decl(cfg),
        Id::decl(cfg),
        ArriveeSaisie::decl(cfg),
        ConsultationCreation::decl(cfg),
        ConsultationMaj::decl(cfg),
        Rectification::decl(cfg),
        ConsultationDetail::decl(cfg),
        PlageDto::decl(cfg),
        CreneauxDto::decl(cfg),
        ReglagesDto::decl(cfg),
        GardeDto::decl(cfg),
        SituationDto::decl(cfg),
        GardeOuverture::decl(cfg),
        JournalQuery::decl(cfg),
        JournalLigne::decl(cfg),
        Diffusion::decl(cfg),
        Verification::decl(cfg),
    ]
}
