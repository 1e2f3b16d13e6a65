//! The texts of the URML's "conventions utilisateurs" known here (`convention_texte`) and each
//! acceptance or refusal (`convention_decision`). `type` is `mmg` (the MMG's convention of use)
//! or `charte` (the users' charter); the rules (who accepts what, which version is current) are
//! the API's.

use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction};

/// Where a stored text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origine {
    /// The package's files (kept when a user decides on it).
    Paquet,
    /// A publication of the URML received at sync.
    Hub,
}

impl Origine {
    fn code(self) -> &'static str {
        match self {
            Origine::Paquet => "paquet",
            Origine::Hub => "hub",
        }
    }
}

/// One version accepted here, with the first acceptance (UTC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptee {
    pub type_: String,
    pub version: u32,
    pub le: String,
}

impl Store {
    /// The highest version of `type_` stored (0: none).
    pub fn convention_version_max(&self, type_: &str) -> Result<u32, StoreError> {
        Ok(self.conn().query_row(
            "SELECT coalesce(max(version), 0) FROM convention_texte WHERE type = ?1",
            [type_],
            |r| r.get(0),
        )?)
    }

    /// The stored text of one version.
    pub fn convention_texte(
        &self,
        type_: &str,
        version: u32,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT texte FROM convention_texte WHERE type = ?1 AND version = ?2",
                (type_, version),
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The last decision on one version: by `utilisateur`, or by anyone when `None`;
    /// `Some(true)` accepted, `Some(false)` refused.
    pub fn convention_decision(
        &self,
        type_: &str,
        version: u32,
        utilisateur: Option<i64>,
    ) -> Result<Option<bool>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT decision = 'acceptee' FROM convention_decision
                 WHERE type = ?1 AND version = ?2 AND (?3 IS NULL OR utilisateur_id = ?3)
                 ORDER BY id DESC LIMIT 1",
                (type_, version, utilisateur),
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Whether anyone accepted this version (an acceptance stands once given).
    pub fn convention_acceptee_par_quiconque(
        &self,
        type_: &str,
        version: u32,
    ) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM convention_decision
             WHERE type = ?1 AND version = ?2 AND decision = 'acceptee')",
            (type_, version),
            |r| r.get(0),
        )?)
    }

    /// Every version accepted here, with its first acceptance, for the hub (no user).
    pub fn conventions_acceptees(&self) -> Result<Vec<Acceptee>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT type, version, min(le) FROM convention_decision WHERE decision = 'acceptee'
             GROUP BY type, version ORDER BY type, version",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Acceptee {
                type_: r.get(0)?,
                version: r.get(1)?,
                le: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Keeps a text (the first one stored for a version stays: a version never changes).
pub fn enregistrer_texte(
    tx: &Transaction<'_>,
    type_: &str,
    version: u32,
    texte: &str,
    origine: Origine,
    publiee_le: Option<&str>,
    now: &str,
) -> Result<bool, StoreError> {
    let n = tx.execute(
        "INSERT INTO convention_texte (type, version, texte, origine, publiee_le, recue_le)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (type, version) DO NOTHING",
        (type_, version, texte, origine.code(), publiee_le, now),
    )?;
    Ok(n == 1)
}

/// Records an acceptance (`acceptee`) or a refusal of a stored version.
pub fn noter_decision(
    tx: &Transaction<'_>,
    type_: &str,
    version: u32,
    utilisateur: i64,
    acceptee: bool,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO convention_decision (type, version, utilisateur_id, decision, le)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        (
            type_,
            version,
            utilisateur,
            if acceptee { "acceptee" } else { "refusee" },
            now,
        ),
    )?;
    Ok(())
}
