//! The pure domain of Appligarde.
//!
//! What it is for: the vocabulary of the garde (the MMG, its doctors, patients, consultations, the
//! PDSA calendar, the cotation rules) and the validation of every value a user can type.
//!
//! What it must not depend on: no other Appligarde crate, no IO (no files, no clock, no network, no
//! database). Time always comes in as a parameter, so every rule is testable with fixed dates.
//!
//! How to add a thing: a new module per domain noun, with its validation returning
//! [`DomainError`] whose message is French text a doctor or a receptionist can act on.

pub mod audit;
pub mod calendrier;
pub mod compta;
pub mod consultation;
pub mod cotation;
pub mod error;
pub mod garde;
pub mod indicateurs;
pub mod luhn;
pub mod mmg;
pub mod patient;
pub mod retention;
pub mod syndromes;
pub mod tarifs;
pub mod texte;

pub use error::DomainError;
