//! The ordonnance and the letters of a consultation, as the UI and the CLI see them: drug search
//! (BDPM), the MMG's ordonnances types with the pediatric doses computed from the weight, the
//! prescription lines, and printing (ordonnance, letter to the médecin traitant, adressage aux
//! urgences, certificat médical).
//!
//! Printing builds the document from the store (the consultation, the patient, the signing doctor
//! — the logged-in doctor, with RPPS and specialty — and the MMG), renders it with
//! `appligarde_documents`, records it (exact input as JSON + SHA-256 of the PDF, recipient) with an
//! audit entry in one transaction, writes the PDF to `<data dir>/documents/` and returns its path
//! and bytes (base64, for the browser UI). A reprint renders the recorded input again: same bytes.
//!
//! Rights: the drug database is public reference data (no session needed); templates and the
//! prescription need a logged-in user to read and a doctor to change; printing needs a doctor.

mod impression;
mod ordonnances;

pub use impression::*;
pub use ordonnances::*;

use ts_rs::TS;

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        MedicamentQuery::decl(cfg),
        MedicamentDto::decl(cfg),
        PresentationDto::decl(cfg),
        LigneARevoirDto::decl(cfg),
        TypeARevoirDto::decl(cfg),
        LigneDto::decl(cfg),
        PrescriptionDto::decl(cfg),
        RegleDoseDto::decl(cfg),
        LigneTypeDto::decl(cfg),
        OrdonnanceTypeDto::decl(cfg),
        ApplicationType::decl(cfg),
        DoseDto::decl(cfg),
        TypeApplique::decl(cfg),
        NatureCourrier::decl(cfg),
        CourrierDemande::decl(cfg),
        SectionDto::decl(cfg),
        CourrierTexte::decl(cfg),
        DocumentDto::decl(cfg),
        DocumentImprimeDto::decl(cfg),
        OrdonnanceApercu::decl(cfg),
        AlerteDto::decl(cfg),
    ]
}
