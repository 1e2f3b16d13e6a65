//! The queue of backup files to copy to the hub (`sauvegarde_hors_site`, migration 0016): one
//! row per backup written while the PC is enrolled, the hub's upload id once created, and when
//! the hub confirmed it. Kept in the store, so that it survives restarts.

use crate::{Store, StoreError};
use rusqlite::{Transaction, params};

/// A backup file waiting to be copied to the hub (or copied already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopieHorsSite {
    pub id: i64,
    pub chemin: String,
    pub octets: u64,
    /// SHA-256 of the file, lowercase hexadecimal.
    pub sha256: String,
    /// UTC, RFC 3339.
    pub prise_le: String,
    /// The hub's upload, once created.
    pub envoi_id: Option<String>,
}

/// Queues a backup file just written.
pub fn mettre_en_file(
    tx: &Transaction<'_>,
    chemin: &str,
    octets: u64,
    sha256: &str,
    prise_le: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sauvegarde_hors_site (chemin, octets, sha256, prise_le) VALUES (?1, ?2, ?3, ?4)",
        params![chemin, octets as i64, sha256, prise_le],
    )?;
    Ok(())
}

/// Records the hub's upload id of a queued file.
pub fn noter_envoi(tx: &Transaction<'_>, id: i64, envoi_id: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sauvegarde_hors_site SET envoi_id = ?2 WHERE id = ?1",
        params![id, envoi_id],
    )?;
    Ok(())
}

/// Marks a queued file as copied (the hub confirmed it whole and verified).
pub fn marquer_envoyee(tx: &Transaction<'_>, id: i64, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sauvegarde_hors_site SET envoyee_le = ?2, erreur = NULL WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// Takes a file out of the queue (gone from its folder: a later backup replaces it).
pub fn retirer(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sauvegarde_hors_site WHERE id = ?1", [id])?;
    Ok(())
}

impl Store {
    /// The files not copied yet, oldest first.
    pub fn hors_site_en_attente(&self) -> Result<Vec<CopieHorsSite>, StoreError> {
        let mut statement = self.conn().prepare(
            "SELECT id, chemin, octets, sha256, prise_le, envoi_id FROM sauvegarde_hors_site
             WHERE envoyee_le IS NULL ORDER BY id",
        )?;
        let rows = statement.query_map([], |r| {
            Ok(CopieHorsSite {
                id: r.get(0)?,
                chemin: r.get(1)?,
                octets: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                sha256: r.get(3)?,
                prise_le: r.get(4)?,
                envoi_id: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When the last copy reached the hub (UTC), if any.
    pub fn hors_site_derniere(&self) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT max(envoyee_le) FROM sauvegarde_hors_site",
            [],
            |r| r.get(0),
        )?)
    }
}
