//! MSSanté secure messaging: what leaves the MMG and how.
//!
//! What it is for: [`construire`] turns printed documents (PDF) into one MIME message as the
//! MSSanté integration profile asks of software — a plain-text French body, the documents in an
//! IHE XDM package (`IHE_XDM.ZIP`: `INDEX.HTM`, `README.TXT`, `IHE_XDM/SUBSET01/METADATA.XML`, one
//! CDA R2 level-1 document wrapping each PDF, [`xdm`], [`cda`]) and the ANS headers
//! `X-MSS-CODECDA` and `X-MSS-INS`. [`Boite::envoyer`] submits such a message over SMTP with
//! STARTTLS required, the server's certificate verified (system roots plus the optional
//! [`Boite::ca_pem`]) and the mailbox's client certificate ([`IdentiteClient`], read from PKCS#12);
//! never in clear, never to a certificate that does not verify. Errors are French and say whether
//! a later try may succeed ([`EchecEnvoi::temporaire`]).
//!
//! What it must not depend on: no crate of ours. The outbox, the settings and the send state
//! machine live in the store and the API; this crate builds bytes and moves them.
//!
//! How to add a thing: a new kind of document is a [`NatureDocument`] variant with its LOINC
//! code; a new authentication (SASL XOAUTH2) is a variant of how [`Boite`] authenticates.

pub mod cda;
mod message;
mod pkcs12;
mod smtp;
pub mod xdm;
mod xml;

pub use message::{construire, nouveau_message_id};
pub use pkcs12::IdentiteClient;
pub use smtp::{Boite, EchecEnvoi};

use chrono::{DateTime, FixedOffset, NaiveDate};

/// The errors of building a message or reading a certificate (sending has [`EchecEnvoi`]).
#[derive(Debug, thiserror::Error)]
pub enum Erreur {
    #[error("Le certificat de la boîte aux lettres ne peut pas être lu : {0}")]
    Certificat(String),
    #[error("Le message ne peut pas être construit : {0}")]
    Construction(String),
}

/// The patient's sex as the metadata code it (`F`, `M`, `U` unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sexe {
    Feminin,
    Masculin,
    Inconnu,
}

impl Sexe {
    pub fn code(self) -> &'static str {
        match self {
            Sexe::Feminin => "F",
            Sexe::Masculin => "M",
            Sexe::Inconnu => "U",
        }
    }
}

/// A qualified INS: the matricule and the OID of its kind (INS-NIR `1.2.250.1.213.1.4.8`...).
#[derive(Clone, PartialEq, Eq)]
pub struct Ins {
    pub matricule: String,
    pub oid: String,
}

/// The patient's identity traits carried in the metadata and the CDA header.
#[derive(Clone, PartialEq, Eq)]
pub struct Patient {
    /// The MMG's own identifier of the patient, under [`Envoi::oid_racine`].
    pub id_local: String,
    pub nom: String,
    /// The first names, the first one first.
    pub prenoms: String,
    pub sexe: Sexe,
    pub date_naissance: NaiveDate,
    /// Only a qualified INS is sent as such (DOMAIN.md); without it `X-MSS-INS` is `N`.
    pub ins: Option<Ins>,
}

// Identity never reaches logs.
impl std::fmt::Debug for Patient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Patient(<redacted>)")
    }
}

impl std::fmt::Debug for Ins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Ins(<redacted>)")
    }
}

/// The signing doctor and the MMG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auteur {
    pub rpps: String,
    pub nom: String,
    pub prenom: String,
    pub specialite: String,
    /// The MMG's name.
    pub structure: String,
}

/// The kinds of documents the MMG prints, each with its LOINC type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatureDocument {
    CourrierMedecinTraitant,
    AdressageUrgences,
    Certificat,
    Ordonnance,
}

impl NatureDocument {
    /// (LOINC code, French display name): the CDA `code`, the XDS `typeCode` and `X-MSS-CODECDA`.
    pub fn loinc(self) -> (&'static str, &'static str) {
        match self {
            NatureDocument::CourrierMedecinTraitant => ("11488-4", "Compte rendu de consultation"),
            NatureDocument::AdressageUrgences => ("57133-1", "Courrier d'adressage"),
            NatureDocument::Certificat => ("11488-4", "Certificat médical"),
            NatureDocument::Ordonnance => ("57833-6", "Prescription de médicaments"),
        }
    }
}

/// One printed document to send.
#[derive(Clone)]
pub struct DocumentPdf {
    /// The document's unique id (an OID), also the CDA `id` and the XDS `uniqueId`.
    pub id_unique: String,
    pub titre: String,
    pub nature: NatureDocument,
    /// When it was printed.
    pub cree_le: DateTime<FixedOffset>,
    pub pdf: Vec<u8>,
}

impl std::fmt::Debug for DocumentPdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentPdf")
            .field("nature", &self.nature)
            .field("octets", &self.pdf.len())
            .finish()
    }
}

/// Everything one message is made of.
#[derive(Debug, Clone)]
pub struct Envoi {
    /// Without angle brackets (`hex@domain`); stable across retries, see [`nouveau_message_id`].
    pub message_id: String,
    pub de: String,
    pub a: String,
    pub sujet: String,
    /// The plain-text body (French), without patient identity: the identity travels in the XDM.
    pub corps: String,
    pub date: DateTime<FixedOffset>,
    /// The MMG's OID root: the assigning authority of [`Patient::id_local`] and the source id.
    pub oid_racine: String,
    /// The XDM submission set's unique id (an OID).
    pub lot_id: String,
    pub patient: Patient,
    pub auteur: Auteur,
    pub documents: Vec<DocumentPdf>,
}

/// A fresh OID under the UUID arc `2.25` (ITU-T X.667): unique without a registration.
pub fn nouvel_oid() -> String {
    format!("2.25.{}", rand::random::<u128>())
}
