//! The garde consultation record, as use cases: settings of the garde, shifts, patients (with the
//! search of a returning patient), consultations (arrival, draft autosave, close, amend as a new
//! version), the audit log and the integrity check.
//!
//! Every use case asks the session for its actor first ([`Api::acteur`]); reception sees arrivals and
//! the day list but no clinical notes. Validation happens before the single transaction of each
//! change, with every broken rule reported at once; the store checks again inside the transaction.

use crate::commun::{Id, heure_texte, parse_heure, validation};
use crate::patient::{PatientDto, PatientSaisie};
use crate::session::{Acteur, Besoin};
use crate::{Api, ApiError, ErrorCode, FieldError};
use appligarde_domain::{
    DomainError,
    audit::Action,
    consultation::{Contenu, Diagnostic, Orientation, SignesVitaux},
    garde::{Gravite, Lieu, ModeArrivee, StatutConsultation, Transport},
};
use appligarde_store::consultation::ConsultationLigne;
use appligarde_store::{
    audit, consultation as store_consultation, garde as store_garde, patient as store_patient,
};
use chrono::{NaiveDate, NaiveDateTime};
use rand::Rng;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// The reason for recourse as a CIM-10 code (optional; the RPU's `MOTIF`).
    #[ts(optional)]
    pub motif_code: Option<String>,
    /// The modified CCMU: `ccmu1`, `ccmu_p`, `ccmu2`, `ccmu3`, `ccmu4`, `ccmu5`, `ccmu_d` (optional).
    #[ts(optional)]
    pub gravite: Option<String>,
    /// How the patient came: `perso`, `ambu`, `vsab`, `smur`, `heli`, `fo` (optional).
    #[ts(optional)]
    pub transport: Option<String>,
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
        let gravite = match self.gravite.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => {
                let g = Gravite::from_code(code);
                if g.is_none() {
                    errors.push(DomainError::field(
                        "gravite",
                        "Gravité inconnue : choisissez une classe CCMU (1, P, 2, 3, 4, 5 ou D).",
                    ));
                }
                g
            }
        };
        let transport = match self.transport.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => {
                let t = Transport::from_code(code);
                if t.is_none() {
                    errors.push(DomainError::field(
                        "transport",
                        "Mode de transport inconnu.",
                    ));
                }
                t
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
            motif_code: self.motif_code.clone(),
            gravite,
            transport,
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
            motif_code: c.motif_code.clone(),
            gravite: c.gravite.map(|g| g.code().to_owned()),
            transport: c.transport.map(|t| t.code().to_owned()),
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
            transport: self.transport,
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

/// What an autosave returns: what the form shows after a save, nothing it already has.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BrouillonEnregistre {
    pub id: i64,
    pub version: i64,
    pub updated_at: String,
    /// The diagnoses as saved, with their CIM-10 labels (the code as typed is normalised).
    pub diagnostics: Vec<DiagnosticDto>,
    pub cree_par: Option<String>,
    pub modifie_par: Option<String>,
}

/// The main diagnosis then the associated ones, with their labels.
fn diagnostics_dto(c: &Contenu) -> Vec<DiagnosticDto> {
    c.diagnostic_principal
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
        .collect()
}

/// The state of a consultation in the day list.
pub fn etat(statut: StatutConsultation, debut: bool) -> (&'static str, &'static str) {
    match (statut, debut) {
        (StatutConsultation::Cloturee, _) => ("terminee", "Terminée"),
        (StatutConsultation::Brouillon, true) => ("en_cours", "En consultation"),
        (StatutConsultation::Brouillon, false) => ("attente", "En salle d'attente"),
    }
}

fn random_uid() -> String {
    hex::encode(rand::rng().random::<[u8; 16]>())
}

impl Api {
    /// Consultations whose arrival falls between two local dates (both included).
    pub fn consultations_list(
        &self,
        query: ConsultationsQuery,
    ) -> Result<Vec<ConsultationRow>, ApiError> {
        let (from, to) = query.bounds()?;
        let acteur = self.acteur(Besoin::Connecte)?;
        let rows = self.store().consultations_between(from, to)?;
        Ok(rows.into_iter().map(|r| self.row(r, &acteur)).collect())
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
        let mut diagnostics = diagnostics_dto(c);
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
        })?;
        // A doctor who joins the open shift and takes a patient is one of its doctors on duty.
        self.store()
            .write(|tx| match store_garde::garde_ouverte(tx)? {
                Some(g) => store_garde::ajouter_medecin(tx, g.id, acteur.id),
                None => Ok(()),
            })?;
        self.detail(id.id, &acteur)
    }

    /// Autosave of a draft: validated, then written in place (nothing is saved half-way: a refused
    /// value leaves the last saved draft as it was).
    ///
    /// It returns only what the form shows after a save (the diagnoses with their CIM-10 labels, the
    /// version, who and when), read in the same transaction as the write: no second read of the
    /// consultation, its patient and its versions on every keystroke pause.
    pub fn consultation_enregistrer(
        &self,
        m: ConsultationMaj,
    ) -> Result<BrouillonEnregistre, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let valide = self.contenu_valide(&m.consultation)?;
        let stamp = self.clock.now_utc_text();
        let en_tete = self.store().write(|tx| {
            store_consultation::enregistrer_brouillon(tx, m.id, &valide, Some(acteur.id), &stamp)?;
            store_consultation::en_tete(tx, m.id)
        })?;
        Ok(BrouillonEnregistre {
            id: m.id,
            version: en_tete.version,
            updated_at: en_tete.updated_at,
            diagnostics: diagnostics_dto(&valide),
            cree_par: en_tete.cree_par,
            modifie_par: en_tete.modifie_par,
        })
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
        query: ConsultationsQuery,
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
}

/// A period of local dates, both included, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationsQuery {
    pub du: String,
    pub au: String,
}

impl ConsultationsQuery {
    /// The half-open range of local date-times `[du 00:00, au+1 00:00)`.
    pub fn bounds(&self) -> Result<(chrono::NaiveDateTime, chrono::NaiveDateTime), ApiError> {
        let parse = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ApiError {
                code: ErrorCode::Validation,
                message: format!("Date invalide : « {text} » (format attendu AAAA-MM-JJ)."),
                field: Some(field.to_owned()),
                details: vec![FieldError {
                    field: field.to_owned(),
                    message: "Date invalide.".to_owned(),
                }],
            })
        };
        let du = parse("du", &self.du)?;
        let au = parse("au", &self.au)?;
        if au < du {
            return Err(ApiError {
                code: ErrorCode::Validation,
                message: "La date de fin précède la date de début.".to_owned(),
                field: Some("au".to_owned()),
                details: Vec::new(),
            });
        }
        let start = du.and_hms_opt(0, 0, 0).unwrap_or_default();
        let end = au
            .succ_opt()
            .unwrap_or(au)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        Ok((start, end))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationRow {
    pub id: i64,
    /// Local arrival time, `YYYY-MM-DDTHH:MM:SS`.
    pub arrivee: String,
    pub patient_nom: String,
    pub patient_prenom: String,
    pub patient_naissance: String,
    pub medecin: Option<String>,
    pub mode_arrivee: String,
    pub mode_arrivee_libelle: String,
    pub regule: bool,
    pub lieu_libelle: String,
    pub motif: String,
    pub statut: String,
    pub statut_libelle: String,
    pub patient_id: i64,
    pub debut: Option<String>,
    pub fin: Option<String>,
    /// `attente` (waiting room), `en_cours` (in consultation) or `terminee` (closed).
    pub etat: String,
    pub etat_libelle: String,
    /// Code of the main diagnosis (doctors only).
    pub diagnostic: Option<String>,
    pub orientation_libelle: Option<String>,
    pub version: i64,
}

impl From<ConsultationLigne> for ConsultationRow {
    fn from(c: ConsultationLigne) -> Self {
        Self {
            id: c.id,
            arrivee: c.arrivee,
            patient_nom: c.patient_nom,
            patient_prenom: c.patient_prenom,
            patient_naissance: c.patient_naissance,
            medecin: c.medecin,
            mode_arrivee: c.mode_arrivee.code().to_owned(),
            mode_arrivee_libelle: c.mode_arrivee.libelle().to_owned(),
            regule: c.mode_arrivee.est_regule(),
            lieu_libelle: c.lieu.libelle().to_owned(),
            motif: c.motif,
            statut: c.statut.code().to_owned(),
            statut_libelle: c.statut.libelle().to_owned(),
            etat: etat(c.statut, c.debut.is_some()).0.to_owned(),
            etat_libelle: etat(c.statut, c.debut.is_some()).1.to_owned(),
            patient_id: c.patient_id,
            debut: c.debut,
            fin: c.fin,
            diagnostic: c.diagnostic,
            orientation_libelle: c.orientation.map(|o| o.libelle().to_owned()),
            version: c.version,
        }
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        ConsultationSaisie::decl(cfg),
        DiagnosticDto::decl(cfg),
        ChangementDto::decl(cfg),
        VersionDto::decl(cfg),
        ArriveeSaisie::decl(cfg),
        ConsultationCreation::decl(cfg),
        ConsultationMaj::decl(cfg),
        Rectification::decl(cfg),
        ConsultationDetail::decl(cfg),
        BrouillonEnregistre::decl(cfg),
        ConsultationsQuery::decl(cfg),
        ConsultationRow::decl(cfg),
    ]
}
