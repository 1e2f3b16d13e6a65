//! The audit log (`journal`): one entry per creation, change, print or export of a record, chained by
//! SHA-256 (see `appligarde_domain::audit`). Entries are appended in the same transaction as the change
//! they record, so a change never exists without its entry. SQL triggers refuse UPDATE and DELETE.

use crate::{Store, StoreError};
use appligarde_domain::audit::{Action, Entree, GENESE, Verification, empreinte};
use rusqlite::{OptionalExtension, Transaction};

/// Appends an entry and moves the head. `details` names what changed, never clinical values.
pub fn append(
    tx: &Transaction<'_>,
    acteur: Option<i64>,
    action: Action,
    objet: &str,
    objet_id: Option<i64>,
    details: &str,
    now: &str,
) -> Result<i64, StoreError> {
    let tete: Option<(i64, String)> = tx
        .query_row(
            "SELECT dernier, hash FROM journal_tete WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (precedent_id, precedent) = tete.unwrap_or((0, GENESE.to_owned()));
    let entree = Entree {
        id: precedent_id + 1,
        horodatage: now.to_owned(),
        utilisateur_id: acteur,
        action: action.code().to_owned(),
        objet: objet.to_owned(),
        objet_id,
        details: details.to_owned(),
    };
    let hash = empreinte(&precedent, &entree);
    tx.prepare_cached(
        "INSERT INTO journal (id, horodatage, utilisateur_id, action, objet, objet_id, details, hash_precedent, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute((
        entree.id,
        &entree.horodatage,
        entree.utilisateur_id,
        &entree.action,
        &entree.objet,
        entree.objet_id,
        &entree.details,
        &precedent,
        &hash,
    ))?;
    tx.prepare_cached(
        "INSERT INTO journal_tete (id, dernier, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET dernier = excluded.dernier, hash = excluded.hash",
    )?
    .execute((entree.id, &hash))?;
    Ok(entree.id)
}

/// The last entry about one record, to coalesce the autosaves of a draft: (action, user, time).
pub fn derniere_sur(
    tx: &Transaction<'_>,
    objet: &str,
    objet_id: i64,
) -> Result<Option<(String, Option<i64>, String)>, StoreError> {
    Ok(tx
        .prepare_cached(
            "SELECT action, utilisateur_id, horodatage FROM journal
             WHERE objet = ?1 AND objet_id = ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row((objet, objet_id), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// One entry as the admin screen shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneJournal {
    pub id: i64,
    pub horodatage: String,
    pub utilisateur_id: Option<i64>,
    pub utilisateur: Option<String>,
    pub action: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    pub details: String,
}

/// The criteria of [`Store::journal_filtre`]; `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FiltreJournal {
    pub utilisateur_id: Option<i64>,
    /// An action code (`appligarde_domain::audit::Action::code`).
    pub action: Option<String>,
    /// The kind of record (`consultation`, `patient`, `utilisateur`...).
    pub objet: Option<String>,
    pub objet_id: Option<i64>,
    /// Entries at or after this UTC time (`YYYY-MM-DDTHH:MM:SSZ`, as stored).
    pub depuis: Option<String>,
    /// Entries strictly before this UTC time.
    pub avant: Option<String>,
}

/// `details` of a [`Action::Verification`] entry whose check passed (anything else is a problem).
pub const VERIFICATION_OK: &str = "ok";
/// `details` of a [`Action::Verification`] entry whose check found a problem.
pub const VERIFICATION_PROBLEME: &str = "probleme";

impl Store {
    /// The last integrity check recorded in the log (`appligarde-cli check`, or the verification
    /// of a backup copy): its time (UTC text) and whether it passed.
    pub fn derniere_verification(&self) -> Result<Option<(String, bool)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT horodatage, details FROM journal WHERE action = ?1 \
                 ORDER BY id DESC LIMIT 1",
                [Action::Verification.code()],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )
            .optional()?
            .map(|(at, details)| (at, details == VERIFICATION_OK)))
    }

    /// The kinds of record the audit log mentions, sorted (for the admin screen's filter).
    pub fn journal_objets(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT DISTINCT objet FROM journal ORDER BY objet")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Walks the whole chain in id order and compares its end with the head. `Ok(n)` is the number
    /// of entries checked; a broken chain is [`StoreError::Corrupt`] with a French explanation.
    pub fn verifier_journal(&self) -> Result<u64, StoreError> {
        verifier_journal_conn(self.conn())
    }

    /// The most recent entries first, optionally about one record; at most `limite`.
    pub fn journal(
        &self,
        objet: Option<(&str, i64)>,
        limite: u32,
    ) -> Result<Vec<LigneJournal>, StoreError> {
        self.journal_filtre(
            &FiltreJournal {
                objet: objet.map(|(o, _)| o.to_owned()),
                objet_id: objet.map(|(_, id)| id),
                ..FiltreJournal::default()
            },
            limite,
        )
    }

    /// The most recent entries first that pass every criterion of `filtre`; at most `limite`.
    pub fn journal_filtre(
        &self,
        filtre: &FiltreJournal,
        limite: u32,
    ) -> Result<Vec<LigneJournal>, StoreError> {
        // Each criterion is a fixed SQL clause that a NULL parameter switches off, so the statement
        // text never depends on the user's input.
        let mut stmt = self.conn().prepare_cached(
            "SELECT j.id, j.horodatage, j.utilisateur_id, u.prenom || ' ' || u.nom, j.action, j.objet,
                    j.objet_id, j.details
             FROM journal j LEFT JOIN utilisateur u ON u.id = j.utilisateur_id
             WHERE (?1 IS NULL OR j.utilisateur_id = ?1)
               AND (?2 IS NULL OR j.action = ?2)
               AND (?3 IS NULL OR j.objet = ?3)
               AND (?4 IS NULL OR j.objet_id = ?4)
               AND (?5 IS NULL OR j.horodatage >= ?5)
               AND (?6 IS NULL OR j.horodatage < ?6)
             ORDER BY j.id DESC LIMIT ?7",
        )?;
        let params = (
            filtre.utilisateur_id,
            filtre.action.as_deref(),
            filtre.objet.as_deref(),
            filtre.objet_id,
            filtre.depuis.as_deref(),
            filtre.avant.as_deref(),
            limite,
        );
        let rows = stmt.query_map(params, |r| {
            Ok(LigneJournal {
                id: r.get(0)?,
                horodatage: r.get(1)?,
                utilisateur_id: r.get(2)?,
                utilisateur: r.get(3)?,
                action: r.get(4)?,
                objet: r.get(5)?,
                objet_id: r.get(6)?,
                details: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// [`Store::verifier_journal`] on any connection (a backup being verified, too).
///
/// The entries and the head are read in one read transaction, i.e. from one snapshot: read in two
/// statements, a writer committing between them (another process, WAL) made a whole chain look
/// broken (issue 28, item 1). Inside a transaction already open on `conn`, that one is the snapshot.
pub(crate) fn verifier_journal_conn(conn: &rusqlite::Connection) -> Result<u64, StoreError> {
    if !conn.is_autocommit() {
        return verifier_journal_instantane(conn);
    }
    // DEFERRED: a read transaction, no lock taken from the writers; dropped (rolled back) at the end.
    let tx = conn.unchecked_transaction()?;
    verifier_journal_instantane(&tx)
}

/// The walk of [`verifier_journal_conn`], on a connection whose reads share one snapshot.
fn verifier_journal_instantane(conn: &rusqlite::Connection) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, horodatage, utilisateur_id, action, objet, objet_id, details, hash_precedent, hash
         FROM journal ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut verification = Verification::new();
    while let Some(r) = rows.next()? {
        let entree = Entree {
            id: r.get(0)?,
            horodatage: r.get(1)?,
            utilisateur_id: r.get(2)?,
            action: r.get(3)?,
            objet: r.get(4)?,
            objet_id: r.get(5)?,
            details: r.get(6)?,
        };
        let precedent: String = r.get(7)?;
        let hash: String = r.get(8)?;
        verification
            .suivante(&entree, &precedent, &hash)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    let tete: Option<(i64, String)> = conn
        .query_row(
            "SELECT dernier, hash FROM journal_tete WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    verification
        .terminer(tete.as_ref().map(|(id, h)| (*id, h.as_str())))
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}
