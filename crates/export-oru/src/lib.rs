//! `appligarde-oru`: what the MMG may give, by an explicit act of its data controller, to the
//! observatoire régional des urgences (ORU) and to researchers (issue 24).
//!
//! - [`rpu`]: one résumé de passage aux urgences (RPU, national format of June 2006) per
//!   consultation, in the OSCOUR XML shape the ORUs receive from emergency departments; the
//!   schema written from the field list is `data/oscour.xsd`, each field's source in
//!   `data/rpu_mapping.tsv`.
//! - [`recherche`]: the pseudonymised research extract: one row per consultation without direct
//!   identifiers, a stable HMAC-SHA256 pseudonym per patient, k-anonymity on the quasi-identifiers
//!   checked and reached by generalisation before anything is written.
//!
//! It reads plain rows of the store (`appligarde_store::extraction::Passage`) and returns bytes or
//! tables; the API checks the role, writes the file and the audit entry. No IO, no clock here.

pub mod recherche;
pub mod rpu;

/// Why an export could not be made (French, for the user).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OruError {
    #[error("{0}")]
    Invalide(String),
    #[error("Le fichier n'a pas pu être produit : {0}")]
    Ecriture(String),
}
