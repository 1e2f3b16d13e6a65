//! Appligarde documents: turns domain data into PDF bytes — the ordonnance
//! (CSP R.5132-3 mandatory mentions) and the letters (médecin traitant,
//! adressage aux urgences, certificat médical).
//!
//! - Rendering is **deterministic**: the same input gives byte-identical PDF
//!   bytes (no clock, no random ids; the PDF dates come from the document
//!   date), so a reprint recorded by its hash is the same document.
//! - Fonts (DejaVu Sans, regular and bold; licence in `fonts/`) are embedded
//!   in the program with `include_bytes!` and subset into each PDF.
//! - Layout: A4, a header (MMG + prescriber + RPPS) and, on an ordonnance, the
//!   patient band repeated on every page; a drug block is never split; footer
//!   "Page n/N" (two passes: paginate, then render with N known); signature
//!   area on the last page.
//!
//! Also here until they find a home: [`bdpm`] (drug search over the embedded
//! public drug database, to pre-fill a line), [`modeles`] (ordonnances types
//! per situation) and [`posologie`] (pediatric dose from the weight).
//!
//! Must not depend on: the store, the API, any IO or the clock. Inputs are the
//! plain structs of [`model`], filled by the caller.
//!
//! To add a document: build its body as `layout::Block`s in a new module
//! (see `courrier.rs`), reuse `frame::compose` for header/footer and
//! pagination, expose one `pub fn xxx_pdf(&Input) -> Result<Vec<u8>, DocumentError>`,
//! and add a pdftotext test plus a reference picture in `tests/`.

mod age;
pub mod bdpm;
pub mod cloture;
mod courrier;
pub mod dossier;
pub mod exemple;
mod frame;
mod layout;
pub mod model;
pub mod modeles;
mod ordonnance;
pub mod posologie;
pub mod rapport;
pub mod recuperation;
pub mod vigilance;

pub use age::{AGE_ENFANT_ANS, Age};
pub use courrier::courrier_pdf;
pub use model::*;
pub use ordonnance::{ordonnance_pdf, valider_ordonnance};

/// SHA-256 of a rendered document, lowercase hex: the content hash recorded
/// with the consultation (a reprint of the same input gives the same hash).
pub fn empreinte(pdf: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(pdf))
}

/// Everything that can go wrong while making a document; messages are French
/// and tell the doctor what to fix.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DocumentError {
    #[error(
        "Le poids est obligatoire sur l'ordonnance d'un enfant (moins de {AGE_ENFANT_ANS} ans ; patient de {age}) : saisissez le poids en kg avant d'imprimer."
    )]
    PoidsEnfantManquant { age: String },
    #[error("Le poids saisi ({valeur} kg) n'est pas plausible : vérifiez-le (en kilogrammes).")]
    PoidsInvalide { valeur: String },
    #[error("La taille saisie ({valeur} cm) n'est pas plausible : vérifiez-la (en centimètres).")]
    TailleInvalide { valeur: String },
    #[error("Information obligatoire manquante : {champ}.")]
    ChampManquant { champ: &'static str },
    #[error("Le numéro RPPS du prescripteur doit comporter 11 chiffres.")]
    RppsInvalide,
    #[error("L'ordonnance ne contient aucun médicament : ajoutez au moins une ligne.")]
    OrdonnanceVide,
    #[error("Ligne {numero} de l'ordonnance incomplète : {champ}.")]
    LigneIncomplete { numero: usize, champ: &'static str },
    #[error("La date de naissance du patient est postérieure à la date du document : corrigez-la.")]
    DateNaissanceFuture,
    #[error("Le bloc « {bloc} » est trop long pour tenir sur une page : raccourcissez le texte.")]
    BlocTropLong { bloc: String },
    #[error("Le document est vide : ajoutez du texte avant d'imprimer.")]
    CourrierVide,
    #[error(
        "Poids invalide ou absent pour le calcul de dose : saisissez un poids en kg supérieur à 0."
    )]
    PoidsPourDose,
    #[error(
        "Règle de dose invalide : le nombre de prises par jour et la dose en mg/kg/jour doivent être positifs."
    )]
    RegleDose,
    #[error("La génération du PDF a échoué ({0}).")]
    Pdf(String),
}
