//! Printing: the ordonnance and the letters (médecin traitant, urgences, certificat) built from the
//! store, rendered by `appligarde_documents`, recorded with their exact input so that a reprint gives
//! the same bytes.

use appligarde_documents::{
    self as docs, CertificatContenu, Constantes, Courrier, CourrierKind, Etablissement,
    MedecinTraitantContenu, Ordonnance, PatientDoc, Prescripteur, Section, UrgencesContenu,
};
use appligarde_domain::garde::Sexe as SexeDomaine;
use appligarde_store::documents::{self as store_docs, NouveauDocument};
use appligarde_store::messagerie as store_mss;
use appligarde_store::{consultation::Fiche, patient::Patient};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::ordonnances::LigneDto;
use crate::commun::{Id, base64, erreur_document};
use crate::session::{Acteur, Besoin};
use crate::{Api, ApiError, ErrorCode};

/// The kinds of letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NatureCourrier {
    MedecinTraitant,
    Urgences,
    Certificat,
}

impl NatureCourrier {
    fn kind(self) -> CourrierKind {
        match self {
            Self::MedecinTraitant => CourrierKind::MedecinTraitant,
            Self::Urgences => CourrierKind::Urgences,
            Self::Certificat => CourrierKind::Certificat,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::MedecinTraitant => "medecin_traitant",
            Self::Urgences => "urgences",
            Self::Certificat => "certificat",
        }
    }
}

/// Which letter to prepare, and the recipient chosen in the annuaire (its `cle`, `rpps:…` or
/// `local:…`, from `annuaire_search`); without one, the patient's médecin traitant is used.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourrierDemande {
    pub consultation_id: i64,
    pub nature: NatureCourrier,
    #[serde(default)]
    #[ts(optional)]
    pub destinataire_cle: Option<String>,
}

/// A titled section of a letter (empty title = plain paragraph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SectionDto {
    pub titre: String,
    pub texte: String,
}

/// The editable text of a letter: pre-filled by `courrier_preparer`, edited by the doctor, then
/// given back to `courrier_imprimer`. The header, the patient and the signature come from the
/// store when printing.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourrierTexte {
    pub consultation_id: i64,
    pub nature: NatureCourrier,
    /// Title printed at the top (read-only for information).
    #[serde(default)]
    pub titre: String,
    #[serde(default)]
    #[ts(optional)]
    pub destinataire_cle: Option<String>,
    /// Address block, one line per line.
    #[serde(default)]
    pub destinataire: String,
    #[serde(default)]
    pub salutation: String,
    pub sections: Vec<SectionDto>,
    #[serde(default)]
    pub formule_finale: String,
}

/// A printed document as listed with the consultation.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentDto {
    pub id: i64,
    pub consultation_id: i64,
    /// `ordonnance`, `medecin_traitant`, `urgences`, `certificat`.
    pub nature: String,
    pub nature_libelle: String,
    pub imprime_le: String,
    pub auteur: Option<String>,
    /// SHA-256 of the PDF.
    pub empreinte: String,
    pub destinataire_cle: Option<String>,
    pub destinataire: String,
    pub reimpression_de: Option<i64>,
}

/// A print: the recorded document, where its PDF was written, and the PDF itself (base64) for a
/// browser that cannot read the file.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DocumentImprimeDto {
    pub document: DocumentDto,
    pub chemin: String,
    pub pdf_base64: String,
    /// For a reprint: the bytes equal the recorded hash.
    pub identique: bool,
}

/// The ordonnance as it will print: the checks' verdict before printing.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct OrdonnanceApercu {
    pub consultation_id: i64,
    /// "4 ans", "18 mois"...
    pub age: String,
    pub enfant: bool,
    pub poids_kg: Option<f64>,
    pub taille_cm: Option<f64>,
    pub lignes: usize,
    /// The French reason it cannot print yet (a child without weight...), None when ready.
    pub erreur: Option<String>,
    pub erreur_champ: Option<String>,
    /// The safety nets' warnings (form for the age, a DCI twice, a dose above the maximum, an
    /// allergy): shown before printing, the doctor may print anyway.
    pub alertes: Vec<AlerteDto>,
}

/// One warning of the prescription's safety nets.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AlerteDto {
    /// `forme_age`, `dci_en_double`, `dose_maximale` or `allergie`.
    pub code: String,
    /// The prescription lines concerned, from 0.
    pub lignes: Vec<u32>,
    /// The French sentence shown to the doctor.
    pub message: String,
}

fn nature_libelle(code: &str) -> &'static str {
    match code {
        "ordonnance" => "Ordonnance",
        "medecin_traitant" => "Courrier au médecin traitant",
        "urgences" => "Adressage aux urgences",
        "certificat" => "Certificat médical",
        _ => "Document",
    }
}

impl From<store_docs::DocumentImprime> for DocumentDto {
    fn from(d: store_docs::DocumentImprime) -> Self {
        Self {
            id: d.id,
            consultation_id: d.consultation_id,
            nature_libelle: nature_libelle(&d.nature).to_owned(),
            nature: d.nature,
            imprime_le: d.imprime_le,
            auteur: d.auteur,
            empreinte: d.empreinte,
            destinataire_cle: d.destinataire_cle,
            destinataire: d.destinataire,
            reimpression_de: d.reimpression_de,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The recorded input: every value the renderer used, so that a reprint renders the same bytes.

#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrescripteurEntree {
    nom: String,
    prenom: String,
    titre: String,
    rpps: String,
    telephone: String,
    email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct EtablissementEntree {
    nom: String,
    adresse: String,
    code_postal: String,
    commune: String,
    telephone: String,
    email: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PatientEntree {
    nom: String,
    prenom: String,
    /// `F`, `M` or `I`.
    sexe: String,
    date_naissance: NaiveDate,
    pub(crate) poids_kg: Option<f64>,
    taille_cm: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OrdonnanceEntree {
    date: NaiveDate,
    prescripteur: PrescripteurEntree,
    etablissement: EtablissementEntree,
    patient: PatientEntree,
    lignes: Vec<LigneDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CourrierEntree {
    nature: NatureCourrier,
    date: NaiveDate,
    prescripteur: PrescripteurEntree,
    etablissement: EtablissementEntree,
    patient: PatientEntree,
    destinataire: String,
    salutation: String,
    sections: Vec<SectionDto>,
    formule_finale: String,
}

/// What `document_imprime.entree` holds (tagged, versioned by its shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "document", rename_all = "snake_case")]
enum Entree {
    Ordonnance(OrdonnanceEntree),
    Courrier(CourrierEntree),
}

impl PrescripteurEntree {
    fn doc(&self) -> Prescripteur {
        Prescripteur {
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            titre: self.titre.clone(),
            rpps: self.rpps.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
        }
    }
}

impl EtablissementEntree {
    fn doc(&self) -> Etablissement {
        Etablissement {
            nom: self.nom.clone(),
            adresse: self.adresse.clone(),
            code_postal: self.code_postal.clone(),
            commune: self.commune.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
        }
    }
}

impl PatientEntree {
    fn doc(&self) -> PatientDoc {
        PatientDoc {
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            sexe: match self.sexe.as_str() {
                "F" => docs::Sexe::Feminin,
                "M" => docs::Sexe::Masculin,
                _ => docs::Sexe::Indetermine,
            },
            date_naissance: self.date_naissance,
            poids_kg: self.poids_kg,
            taille_cm: self.taille_cm,
        }
    }
}

impl OrdonnanceEntree {
    fn doc(&self) -> Ordonnance {
        Ordonnance {
            date: self.date,
            prescripteur: self.prescripteur.doc(),
            etablissement: self.etablissement.doc(),
            patient: self.patient.doc(),
            lignes: self.lignes.iter().map(LigneDto::vers_document).collect(),
        }
    }
}

impl CourrierEntree {
    fn doc(&self) -> Courrier {
        Courrier {
            kind: self.nature.kind(),
            date: self.date,
            prescripteur: self.prescripteur.doc(),
            etablissement: self.etablissement.doc(),
            patient: self.patient.doc(),
            destinataire: self.destinataire.clone(),
            salutation: self.salutation.clone(),
            sections: self
                .sections
                .iter()
                .map(|s| Section::new(s.titre.clone(), s.texte.clone()))
                .collect(),
            formule_finale: self.formule_finale.clone(),
        }
    }
}

impl Entree {
    fn nature(&self) -> &'static str {
        match self {
            Entree::Ordonnance(_) => "ordonnance",
            Entree::Courrier(c) => c.nature.code(),
        }
    }

    fn rendre(&self) -> Result<Vec<u8>, ApiError> {
        match self {
            Entree::Ordonnance(o) => docs::ordonnance_pdf(&o.doc()),
            Entree::Courrier(c) => docs::courrier_pdf(&c.doc()),
        }
        .map_err(erreur_document)
    }
}

fn sexe_code(s: SexeDomaine) -> String {
    match s {
        SexeDomaine::F => "F",
        SexeDomaine::M => "M",
        SexeDomaine::I => "I",
    }
    .to_owned()
}

fn joindre(parties: &[&str], sep: &str) -> String {
    parties
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn decimal(v: f64) -> String {
    let s = format!("{v:.1}");
    s.trim_end_matches(".0").replace('.', ",")
}

/// What a document is made from, read once from the store.
pub(crate) struct Contexte {
    fiche: Fiche,
    patient: Patient,
    prescripteur: PrescripteurEntree,
    etablissement: EtablissementEntree,
    date: NaiveDate,
}

impl Contexte {
    pub(crate) fn patient_entree(&self) -> PatientEntree {
        let i = &self.patient.identite;
        PatientEntree {
            nom: i.nom.trim().to_owned(),
            prenom: i.prenom.trim().to_owned(),
            sexe: sexe_code(i.sexe),
            date_naissance: i.date_naissance,
            // The weight measured at this consultation, else the one of the record.
            poids_kg: self.fiche.contenu.vitaux.poids_kg.or(i.poids_kg),
            taille_cm: i.taille_cm,
        }
    }
}

impl Api {
    /// Whether the ordonnance can print now, and the age/weight it will show.
    pub fn ordonnance_apercu(&self, id: Id) -> Result<OrdonnanceApercu, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let (entree, allergies) = self.documents_ordonnance_entree_et_allergies(id.id, &acteur)?;
        let o = entree.doc();
        let age = docs::Age::au(o.patient.date_naissance, o.date).map_err(erreur_document)?;
        let verdict = docs::valider_ordonnance(&o).map_err(erreur_document).err();
        let alertes = docs::vigilance::alertes(&o, &allergies)
            .into_iter()
            .map(|a| AlerteDto {
                code: a.code.code().to_owned(),
                lignes: a
                    .lignes
                    .iter()
                    .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
                    .collect(),
                message: a.message,
            })
            .collect();
        Ok(OrdonnanceApercu {
            consultation_id: id.id,
            age: age.libelle(),
            enfant: age.est_enfant(),
            poids_kg: o.patient.poids_kg,
            taille_cm: o.patient.taille_cm,
            lignes: o.lignes.len(),
            erreur_champ: verdict.as_ref().and_then(|e| e.field.clone()),
            erreur: verdict.map(|e| e.message),
            alertes,
        })
    }

    /// Prints the ordonnance of a consultation from its saved prescription lines (doctors).
    pub fn ordonnance_imprimer(&self, id: Id) -> Result<DocumentImprimeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let entree = Entree::Ordonnance(self.documents_ordonnance_entree(id.id, &acteur)?);
        self.documents_imprimer(id.id, &entree, None, "", None, &acteur)
    }

    /// The letter pre-filled from the consultation, to edit before printing (doctors).
    pub fn courrier_preparer(&self, d: CourrierDemande) -> Result<CourrierTexte, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let ctx = self.documents_contexte(d.consultation_id, &acteur)?;
        let (cle, destinataire) = self.documents_destinataire(&d, &ctx)?;
        let courrier = self.documents_courrier_prerempli(d.nature, &ctx, destinataire)?;
        Ok(CourrierTexte {
            consultation_id: d.consultation_id,
            nature: d.nature,
            titre: courrier.kind.titre().to_owned(),
            destinataire_cle: cle,
            destinataire: courrier.destinataire,
            salutation: courrier.salutation,
            sections: courrier
                .sections
                .into_iter()
                .map(|s| SectionDto {
                    titre: s.titre,
                    texte: s.texte,
                })
                .collect(),
            formule_finale: courrier.formule_finale,
        })
    }

    /// Prints a letter with the text the doctor left (doctors). Header, patient and signature come
    /// from the store, never from the caller.
    pub fn courrier_imprimer(&self, t: CourrierTexte) -> Result<DocumentImprimeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let prepare = self.courrier_prepare(t, &acteur)?;
        self.courrier_imprimer_prepare(&prepare, None, &acteur)
    }

    /// The letter as it will be recorded, made from the store and the doctor's text.
    pub(crate) fn courrier_prepare(
        &self,
        t: CourrierTexte,
        acteur: &Acteur,
    ) -> Result<CourrierPrepare, ApiError> {
        let ctx = self.documents_contexte(t.consultation_id, acteur)?;
        let patient_id = ctx.fiche.patient_id;
        let entree = Entree::Courrier(CourrierEntree {
            nature: t.nature,
            date: ctx.date,
            patient: ctx.patient_entree(),
            prescripteur: ctx.prescripteur,
            etablissement: ctx.etablissement,
            destinataire: t.destinataire.trim().to_owned(),
            salutation: t.salutation.trim().to_owned(),
            sections: t
                .sections
                .into_iter()
                .filter(|s| !s.texte.trim().is_empty())
                .map(|s| SectionDto {
                    titre: s.titre.trim().to_owned(),
                    texte: s.texte.trim().to_owned(),
                })
                .collect(),
            formule_finale: t.formule_finale.trim().to_owned(),
        });
        Ok(CourrierPrepare {
            entree_json: serde_json::to_string(&entree).map_err(ApiError::internal)?,
            entree,
            consultation_id: t.consultation_id,
            patient_id,
            destinataire_cle: t
                .destinataire_cle
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        })
    }

    /// Prints a prepared letter; with `message`, the message is queued in the same transaction
    /// as the print's record.
    pub(crate) fn courrier_imprimer_prepare(
        &self,
        p: &CourrierPrepare,
        message: Option<&MessagePret>,
        acteur: &Acteur,
    ) -> Result<DocumentImprimeDto, ApiError> {
        let destinataire = match &p.entree {
            Entree::Courrier(c) => c.destinataire.clone(),
            Entree::Ordonnance(_) => String::new(),
        };
        self.documents_imprimer_avec(
            p.consultation_id,
            &p.entree,
            p.destinataire_cle.as_deref(),
            &destinataire,
            None,
            message,
            acteur,
        )
    }

    /// The documents printed for a consultation, oldest first (doctors).
    pub fn documents_list(&self, id: Id) -> Result<Vec<DocumentDto>, ApiError> {
        self.acteur(Besoin::Medecin)?;
        Ok(self
            .store()
            .documents_de_consultation(id.id)?
            .into_iter()
            .map(DocumentDto::from)
            .collect())
    }

    /// Prints a recorded document again from its recorded input: the same bytes, recorded as a
    /// reprint (doctors).
    pub fn document_reimprimer(&self, id: Id) -> Result<DocumentImprimeDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let doc = self
            .store()
            .document_imprime(id.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Document introuvable."))?;
        let entree: Entree = serde_json::from_str(&doc.entree_json).map_err(ApiError::internal)?;
        let mut out = self.documents_imprimer(
            doc.consultation_id,
            &entree,
            doc.destinataire_cle.as_deref(),
            &doc.destinataire,
            Some(doc.id),
            &acteur,
        )?;
        out.identique = out.document.empreinte == doc.empreinte;
        if !out.identique {
            tracing::warn!(
                document = doc.id,
                "a reprint differs from the recorded document"
            );
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------------------------

    pub(crate) fn documents_contexte(
        &self,
        consultation_id: i64,
        acteur: &Acteur,
    ) -> Result<Contexte, ApiError> {
        let store = self.store();
        let fiche = store
            .consultation(consultation_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Consultation introuvable."))?;
        let patient = store
            .patient(fiche.patient_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Patient introuvable."))?;
        let medecin = store
            .utilisateur(acteur.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Utilisateur introuvable."))?;
        let mmg = store.mmg_identity()?.unwrap_or_default();
        drop(store);
        let manque = |champ: &str, msg: &str| {
            let mut e = ApiError::new(ErrorCode::Validation, msg);
            e.field = Some(champ.to_owned());
            e
        };
        let rpps = medecin.rpps.clone().unwrap_or_default();
        if rpps.trim().is_empty() {
            return Err(manque(
                "rpps",
                "Votre numéro RPPS n'est pas renseigné : demandez à l'administrateur de la MMG de le saisir avant d'imprimer.",
            ));
        }
        for (champ, valeur, libelle) in [
            ("nom", &mmg.nom, "le nom"),
            ("adresse", &mmg.adresse, "l'adresse"),
            ("telephone", &mmg.telephone, "le téléphone"),
        ] {
            if valeur.trim().is_empty() {
                return Err(manque(
                    champ,
                    &format!(
                        "Renseignez {libelle} de la maison médicale de garde dans Paramètres : il est obligatoire sur les documents."
                    ),
                ));
            }
        }
        Ok(Contexte {
            prescripteur: PrescripteurEntree {
                nom: medecin.nom.trim().to_owned(),
                prenom: medecin.prenom.trim().to_owned(),
                titre: medecin
                    .specialite
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .unwrap_or("Médecin généraliste")
                    .to_owned(),
                rpps: rpps.trim().to_owned(),
                // The doctor on duty is reached through the MMG.
                telephone: mmg.telephone.trim().to_owned(),
                email: mmg.email.trim().to_owned(),
            },
            etablissement: EtablissementEntree {
                nom: mmg.nom.trim().to_owned(),
                adresse: mmg.adresse.trim().to_owned(),
                code_postal: mmg.code_postal.trim().to_owned(),
                // The header prints the country after it (CSP R.5132-3: "France").
                commune: mmg.commune.trim().to_owned(),
                telephone: mmg.telephone.trim().to_owned(),
                email: mmg.email.trim().to_owned(),
            },
            date: self.clock.now_local().date(),
            fiche,
            patient,
        })
    }

    fn documents_ordonnance_entree(
        &self,
        consultation_id: i64,
        acteur: &Acteur,
    ) -> Result<OrdonnanceEntree, ApiError> {
        Ok(self
            .documents_ordonnance_entree_et_allergies(consultation_id, acteur)?
            .0)
    }

    /// The ordonnance's input and the patient's allergies field (for the safety nets).
    fn documents_ordonnance_entree_et_allergies(
        &self,
        consultation_id: i64,
        acteur: &Acteur,
    ) -> Result<(OrdonnanceEntree, String), ApiError> {
        let ctx = self.documents_contexte(consultation_id, acteur)?;
        let lignes = self
            .store()
            .prescription(consultation_id)?
            .into_iter()
            .map(LigneDto::depuis_store)
            .collect();
        let allergies = ctx.patient.identite.allergies.clone();
        Ok((
            OrdonnanceEntree {
                date: ctx.date,
                patient: ctx.patient_entree(),
                prescripteur: ctx.prescripteur,
                etablissement: ctx.etablissement,
                lignes,
            },
            allergies,
        ))
    }

    /// Renders, records (with its audit entry), writes the PDF file; one transaction for the record.
    fn documents_imprimer(
        &self,
        consultation_id: i64,
        entree: &Entree,
        destinataire_cle: Option<&str>,
        destinataire: &str,
        reimpression_de: Option<i64>,
        acteur: &Acteur,
    ) -> Result<DocumentImprimeDto, ApiError> {
        self.documents_imprimer_avec(
            consultation_id,
            entree,
            destinataire_cle,
            destinataire,
            reimpression_de,
            None,
            acteur,
        )
    }

    /// [`Api::documents_imprimer`], queuing `message` (for this document) in the same transaction.
    #[allow(clippy::too_many_arguments)]
    fn documents_imprimer_avec(
        &self,
        consultation_id: i64,
        entree: &Entree,
        destinataire_cle: Option<&str>,
        destinataire: &str,
        reimpression_de: Option<i64>,
        message: Option<&MessagePret>,
        acteur: &Acteur,
    ) -> Result<DocumentImprimeDto, ApiError> {
        let pdf = entree.rendre()?;
        let empreinte = docs::empreinte(&pdf);
        let json = serde_json::to_string(entree).map_err(ApiError::internal)?;
        let now = self.clock.now_utc_text();
        let nature = entree.nature();
        let mut store = self.store();
        let dossier = store.data_dir().join("documents");
        let doc_id = store.write(|tx| {
            let id = store_docs::enregistrer_impression(
                tx,
                &NouveauDocument {
                    consultation_id,
                    nature,
                    entree_json: &json,
                    empreinte: &empreinte,
                    destinataire_cle,
                    destinataire,
                    reimpression_de,
                },
                Some(acteur.id),
                &now,
            )?;
            if let Some(m) = message {
                store_mss::mettre_en_file(
                    tx,
                    &store_mss::NouvelEnvoi {
                        document_id: id,
                        destinataire: &m.destinataire,
                        message_id: &m.message_id,
                        message: &m.octets,
                    },
                    Some(acteur.id),
                    &now,
                )?;
            }
            Ok(id)
        })?;
        let doc = store
            .document_imprime(doc_id)?
            .ok_or_else(|| ApiError::internal("printed document not found after insert"))?;
        drop(store);
        let chemin = dossier.join(format!(
            "consultation-{consultation_id}-{}-{doc_id}.pdf",
            nature.replace('_', "-")
        ));
        std::fs::create_dir_all(&dossier)
            .and_then(|()| std::fs::write(&chemin, &pdf))
            .map_err(|e| {
                tracing::error!(error = %e, "the PDF file could not be written");
                ApiError::new(
                    ErrorCode::Storage,
                    format!(
                        "Le document est enregistré mais le fichier PDF n'a pas pu être écrit dans {} : {e}. Vérifiez l'espace disque puis réimprimez-le.",
                        dossier.display()
                    ),
                )
            })?;
        tracing::info!(document = doc_id, nature, "document printed");
        Ok(DocumentImprimeDto {
            document: doc.into(),
            chemin: chemin.display().to_string(),
            pdf_base64: base64(&pdf),
            identique: true,
        })
    }

    /// The recipient's key and address block: the one chosen in the annuaire, else the patient's
    /// médecin traitant (from the annuaire when the record has an RPPS number, else as typed).
    fn documents_destinataire(
        &self,
        d: &CourrierDemande,
        ctx: &Contexte,
    ) -> Result<(Option<String>, String), ApiError> {
        if d.nature == NatureCourrier::Certificat {
            return Ok((None, String::new()));
        }
        let i = &ctx.patient.identite;
        let cle = d
            .destinataire_cle
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .or_else(|| {
                (d.nature == NatureCourrier::MedecinTraitant)
                    .then(|| {
                        i.medecin_traitant_rpps
                            .as_deref()
                            .map(str::trim)
                            .filter(|r| !r.is_empty())
                            .map(|r| format!("rpps:{r}"))
                    })
                    .flatten()
            });
        let Some(cle) = cle else {
            let texte = if d.nature == NatureCourrier::MedecinTraitant {
                i.medecin_traitant.trim().to_owned()
            } else {
                String::new()
            };
            return Ok((None, texte));
        };
        let store = self.store();
        let bloc = if let Some(rpps) = cle.strip_prefix("rpps:") {
            let p = store.praticien(rpps)?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("Aucun praticien de numéro RPPS {rpps} dans l'annuaire."),
                )
            })?;
            let site = p.sites.iter().find(|s| s.actif).or(p.sites.first());
            let mut lignes = vec![
                joindre(&[&p.civilite, &p.prenom, &p.nom], " "),
                p.specialite.clone(),
            ];
            if let Some(s) = site {
                lignes.push(s.raison_sociale.clone());
                lignes.push(s.adresse.clone());
                lignes.push(joindre(&[&s.code_postal, &s.commune], " "));
            }
            joindre(&lignes.iter().map(String::as_str).collect::<Vec<_>>(), "\n")
        } else if let Some(id) = cle
            .strip_prefix("local:")
            .and_then(|n| n.parse::<i64>().ok())
        {
            let e = store.entree_locale(id)?.ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "Correspondant introuvable dans l'annuaire.",
                )
            })?;
            joindre(
                &[
                    &joindre(&[&e.prenom, &e.nom], " "),
                    &e.specialite,
                    &e.adresse,
                    &joindre(&[&e.code_postal, &e.commune], " "),
                ],
                "\n",
            )
        } else {
            let mut err = ApiError::new(
                ErrorCode::Validation,
                "Destinataire inconnu : choisissez-le dans l'annuaire.",
            );
            err.field = Some("destinataire".into());
            return Err(err);
        };
        Ok((Some(cle), bloc))
    }

    fn documents_courrier_prerempli(
        &self,
        nature: NatureCourrier,
        ctx: &Contexte,
        destinataire: String,
    ) -> Result<Courrier, ApiError> {
        let c = &ctx.fiche.contenu;
        let pr = ctx.prescripteur.doc();
        let et = ctx.etablissement.doc();
        let pa = ctx.patient_entree().doc();
        let examen = joindre(&[&c.anamnese, &c.examen], "\n");
        let courrier = match nature {
            NatureCourrier::MedecinTraitant => {
                let diagnostics = c
                    .diagnostic_principal
                    .iter()
                    .chain(c.diagnostics_associes.iter())
                    .map(|d| docs::Diagnostic {
                        code: d.code.clone(),
                        libelle: if d.libelle.trim().is_empty() {
                            self.nomenclature
                                .consulter(&d.code)
                                .map(|k| k.libelle)
                                .unwrap_or_default()
                        } else {
                            d.libelle.clone()
                        },
                    })
                    .collect();
                let prescrit: Vec<String> = self
                    .store()
                    .prescription(ctx.fiche.id)?
                    .into_iter()
                    .map(|l| {
                        format!(
                            "• {} — {}{}",
                            joindre(&[&l.medicament, &l.dosage], " "),
                            l.posologie.trim(),
                            if l.duree_ou_quantite.trim().is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", l.duree_ou_quantite.trim())
                            }
                        )
                    })
                    .collect();
                let orientation = joindre(
                    &[
                        c.orientation.map(|o| o.libelle()).unwrap_or(""),
                        &c.orientation_precision,
                    ],
                    " : ",
                );
                MedecinTraitantContenu {
                    destinataire,
                    motif: c.motif.clone(),
                    examen,
                    diagnostics,
                    traitement_administre: String::new(),
                    traitement_prescrit: prescrit.join("\n"),
                    orientation,
                    conseils: c.conclusion.clone(),
                }
                .courrier(ctx.date, &pr, &et, &pa)
            }
            NatureCourrier::Urgences => {
                let v = &c.vitaux;
                let tension = match (v.ta_systolique, v.ta_diastolique) {
                    (Some(s), Some(d)) => Some(format!("{s}/{d}")),
                    (Some(s), None) => Some(s.to_string()),
                    _ => None,
                };
                UrgencesContenu {
                    destinataire,
                    motif: c.motif.clone(),
                    constantes: Constantes {
                        tension,
                        frequence_cardiaque: v.frequence_cardiaque.and_then(|x| x.try_into().ok()),
                        temperature: v.temperature,
                        saturation: v.spo2.and_then(|x| x.try_into().ok()),
                        frequence_respiratoire: v
                            .frequence_respiratoire
                            .and_then(|x| x.try_into().ok()),
                        glycemie: v.glycemie.map(|g| format!("{} g/L", decimal(g))),
                        eva_douleur: None,
                    },
                    examen: joindre(&[&examen, &c.conclusion], "\n"),
                    traitements_donnes: String::new(),
                    allergies: ctx.patient.identite.allergies.trim().to_owned(),
                }
                .courrier(ctx.date, &pr, &et, &pa)
            }
            NatureCourrier::Certificat => {
                CertificatContenu::default().courrier(ctx.date, &pr, &et, &pa)
            }
        };
        Ok(courrier)
    }
}

/// Recorded input of a document, re-rendered: for the CLI's and the tests' checks.
pub fn rendre_entree(entree_json: &str) -> Result<Vec<u8>, ApiError> {
    let entree: Entree = serde_json::from_str(entree_json).map_err(ApiError::internal)?;
    entree.rendre()
}

/// A letter made from the store and the doctor's text, not recorded yet.
pub(crate) struct CourrierPrepare {
    entree: Entree,
    /// The input as it will be recorded (what [`document_pour_envoi`] reads).
    pub entree_json: String,
    pub consultation_id: i64,
    pub patient_id: i64,
    destinataire_cle: Option<String>,
}

/// A message ready to queue in the same transaction as the print it carries.
pub(crate) struct MessagePret {
    pub destinataire: String,
    pub message_id: String,
    pub octets: Vec<u8>,
}

/// What the secure messaging needs of a recorded document: its PDF rendered again from the
/// recorded input (the same bytes as printed) and the identity traits, signer and MMG it was
/// printed with.
pub(crate) struct DocumentPourEnvoi {
    pub pdf: Vec<u8>,
    pub nature: &'static str,
    pub date: NaiveDate,
    pub patient_nom: String,
    pub patient_prenom: String,
    /// `F`, `M` or `I`.
    pub patient_sexe: String,
    pub patient_naissance: NaiveDate,
    pub medecin_nom: String,
    pub medecin_prenom: String,
    pub medecin_rpps: String,
    pub medecin_titre: String,
    pub mmg_nom: String,
}

pub(crate) fn document_pour_envoi(entree_json: &str) -> Result<DocumentPourEnvoi, ApiError> {
    let entree: Entree = serde_json::from_str(entree_json).map_err(ApiError::internal)?;
    let pdf = entree.rendre()?;
    let (date, patient, prescripteur, etablissement) = match &entree {
        Entree::Ordonnance(o) => (o.date, &o.patient, &o.prescripteur, &o.etablissement),
        Entree::Courrier(c) => (c.date, &c.patient, &c.prescripteur, &c.etablissement),
    };
    Ok(DocumentPourEnvoi {
        nature: entree.nature(),
        date,
        patient_nom: patient.nom.clone(),
        patient_prenom: patient.prenom.clone(),
        patient_sexe: patient.sexe.clone(),
        patient_naissance: patient.date_naissance,
        medecin_nom: prescripteur.nom.clone(),
        medecin_prenom: prescripteur.prenom.clone(),
        medecin_rpps: prescripteur.rpps.clone(),
        medecin_titre: prescripteur.titre.clone(),
        mmg_nom: etablissement.nom.clone(),
        pdf,
    })
}

/// The French name of a document kind (`medecin_traitant` → "Courrier au médecin traitant").
pub(crate) fn libelle_nature(code: &str) -> &'static str {
    nature_libelle(code)
}

/// The code of a letter kind as the CLI spells it (`medecin-traitant`, `urgences`, `certificat`).
pub fn nature_depuis_cli(texte: &str) -> Option<NatureCourrier> {
    match texte.trim() {
        "medecin-traitant" | "medecin_traitant" => Some(NatureCourrier::MedecinTraitant),
        "urgences" => Some(NatureCourrier::Urgences),
        "certificat" => Some(NatureCourrier::Certificat),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_letter_kinds_are_understood() {
        assert_eq!(
            nature_depuis_cli("medecin-traitant"),
            Some(NatureCourrier::MedecinTraitant)
        );
        assert_eq!(
            nature_depuis_cli("urgences"),
            Some(NatureCourrier::Urgences)
        );
        assert_eq!(nature_depuis_cli("pharmacie"), None, "unknown kind refused");
    }
}
