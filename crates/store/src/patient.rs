//! Queries of the `patient` table.

use crate::StoreError;
use appligarde_domain::{DomainError, garde::Sexe};
use chrono::NaiveDate;
use rusqlite::Transaction;

#[derive(Clone)]
pub struct NewPatient<'a> {
    pub nom: &'a str,
    pub prenom: &'a str,
    pub sexe: Sexe,
    pub date_naissance: NaiveDate,
    pub code_postal: &'a str,
    pub commune: &'a str,
}

// Patient identity never goes to logs, not even through `{:?}`.
impl std::fmt::Debug for NewPatient<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPatient(<redacted>)")
    }
}

/// Adds a patient. `today` is the local date, to refuse a birth date in the future.
pub fn insert(
    tx: &Transaction<'_>,
    p: &NewPatient<'_>,
    today: NaiveDate,
    now: &str,
) -> Result<i64, StoreError> {
    if p.nom.trim().is_empty() || p.prenom.trim().is_empty() {
        return Err(
            DomainError::field("nom", "Le nom et le prénom du patient sont obligatoires.").into(),
        );
    }
    if p.date_naissance > today {
        return Err(DomainError::field(
            "date_naissance",
            "La date de naissance ne peut pas être dans le futur.",
        )
        .into());
    }
    tx.execute(
        "INSERT INTO patient (nom, prenom, sexe, date_naissance, code_postal, commune, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            p.nom.trim(),
            p.prenom.trim(),
            p.sexe.code(),
            p.date_naissance.format("%Y-%m-%d").to_string(),
            p.code_postal,
            p.commune,
            now,
        ),
    )?;
    Ok(tx.last_insert_rowid())
}
