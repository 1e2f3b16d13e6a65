//! Changing the database key (rekey): the database is re-encrypted with a new random key, the new key
//! replaces the old one in the keyring or key file, and the recovery sidecar is rewritten so that the
//! same recovery code unlocks the new key. The change is recorded in the audit journal.

use crate::key::{self, DbKey, KeySource};
use crate::recovery::{RECOVERY_FILE, RecoveryFile};
use crate::{Store, StoreError, audit};
use appligarde_domain::audit::Action;

fn pragma_rekey(conn: &rusqlite::Connection, key: &DbKey) -> Result<(), StoreError> {
    // SQLCipher re-encrypts every page in place; a checkpoint first leaves no page in the WAL.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    conn.execute_batch(&format!("PRAGMA rekey = \"x'{}'\";", key.to_hex()))?;
    Ok(())
}

impl Store {
    /// Re-encrypts the database with a new random key and stores that key where the store found its
    /// key (keyring or key file). The recovery code stays the same. `acteur` and `now` go to the
    /// audit journal.
    ///
    /// Order, so that a failure never leaves the database without a usable key: the new recovery
    /// wrapping is prepared first, then the rekey; if storing the new key fails the database is
    /// re-encrypted back with the old key.
    pub fn rekey(&mut self, acteur: Option<i64>, now: &str) -> Result<(), StoreError> {
        let dest: KeySource = self.key_source.clone();
        let code = self.recovery_code()?;
        let old = self.key().clone();
        let new = DbKey::nouvelle();
        let recovery = RecoveryFile::new(&new, &code)?;
        pragma_rekey(self.conn(), &new)?;
        if let Err(e) = key::replace(&dest, self.data_dir(), &new) {
            // Back to the old key, which is still where the program will look for it.
            pragma_rekey(self.conn(), &old)?;
            return Err(e);
        }
        recovery.write(&self.data_dir().join(RECOVERY_FILE))?;
        self.set_key(new);
        self.write(|tx| {
            audit::append(
                tx,
                acteur,
                Action::Modification,
                "cle_base",
                None,
                "clé de chiffrement de la base changée",
                now,
            )
        })?;
        tracing::info!("database key changed");
        Ok(())
    }
}
