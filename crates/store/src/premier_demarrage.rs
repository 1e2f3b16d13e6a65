//! The `premier_demarrage` row: the markers of the first-start assistant that no other table
//! records (recovery code confirmed, enrollment put off, assistant finished).

use crate::{Store, StoreError};
use rusqlite::Transaction;

/// What the `premier_demarrage` row holds (UTC times).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marqueurs {
    pub code_confirme_le: Option<String>,
    pub inscription_reportee_le: Option<String>,
    pub termine_le: Option<String>,
}

impl Store {
    /// The markers of the first-start assistant.
    pub fn premier_demarrage(&self) -> Result<Marqueurs, StoreError> {
        Ok(self.conn().query_row(
            "SELECT code_confirme_le, inscription_reportee_le, termine_le
             FROM premier_demarrage WHERE id = 1",
            [],
            |r| {
                Ok(Marqueurs {
                    code_confirme_le: r.get(0)?,
                    inscription_reportee_le: r.get(1)?,
                    termine_le: r.get(2)?,
                })
            },
        )?)
    }
}

/// The admin confirmed having the recovery code (kept once: the first confirmation stays).
pub fn confirmer_code(tx: &Transaction<'_>, par: i64, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE premier_demarrage SET code_confirme_le = coalesce(code_confirme_le, ?1),
             code_confirme_par = coalesce(code_confirme_par, ?2) WHERE id = 1",
        (now, par),
    )?;
    Ok(())
}

/// The admin put the hub enrollment off ("Plus tard").
pub fn reporter_inscription(tx: &Transaction<'_>, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE premier_demarrage SET inscription_reportee_le = coalesce(inscription_reportee_le, ?1)
         WHERE id = 1",
        [now],
    )?;
    Ok(())
}

/// The assistant is finished: it is never shown again on this database.
pub fn terminer(tx: &Transaction<'_>, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE premier_demarrage SET termine_le = coalesce(termine_le, ?1) WHERE id = 1",
        [now],
    )?;
    Ok(())
}
