//! The encrypted local store of the Appligarde desktop.
//!
//! What it is for: every byte the MMG records lives here, in one SQLite database encrypted with
//! SQLCipher. This crate opens it with its key (OS keyring or an explicit key file, see [`key`]),
//! applies the embedded migrations (`migrations/desktop/`), and offers one module of queries per
//! table.
//!
//! What it must not depend on: no HTTP, no UI, no Tauri. It knows the domain crate's types and
//! nothing above it. It never logs patient data.
//!
//! How to add a table: write a new migration file `migrations/desktop/NNNN_what.sql` (never edit a
//! released one), then a module here named after the table with its queries, and a store test.

pub mod backup;
pub mod dossier;
mod error;
pub mod fichier;
pub mod key;
mod migrate;
pub mod recovery;
mod rekey;
pub mod sauvegarde;

pub mod annuaire;
pub mod audit;
pub mod bdpm;
pub mod cim10;
pub mod compta;
pub mod consultation;
pub mod convention;
pub mod documents;
pub mod extraction;
pub mod garde;
pub mod hors_site;
pub mod messagerie;
pub mod mmg;
pub mod patient;
pub mod premier_demarrage;
pub mod statistiques;
pub mod synchro;
pub mod utilisateur;

pub use error::StoreError;
pub use key::KeySource;
pub use migrate::{LATEST_VERSION, schema_version};

use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// Name of the database file inside the data directory.
pub const DB_FILE: &str = "appligarde.db";

/// An open, unlocked, migrated store. It holds the single writer connection of the process.
pub struct Store {
    conn: Connection,
    key: key::DbKey,
    data_dir: PathBuf,
    key_description: String,
    key_source: KeySource,
    /// A recovery code made by this opening (new database, or one from before recovery codes);
    /// the UI must show it once.
    new_recovery_code: Option<recovery::RecoveryCode>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store of `data_dir` with the key from `key_source`.
    ///
    /// A new database gets a new random key; an existing one needs the key it was created with.
    /// A database written by a newer version of the program is refused and left untouched.
    pub fn open(data_dir: &Path, key_source: &KeySource) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::DataDir {
            path: data_dir.to_owned(),
            reason: e.to_string(),
        })?;
        let db_path = data_dir.join(DB_FILE);
        let exists = db_path.exists();
        let key = key::load_or_create(key_source, data_dir, exists)?;
        let conn = key::open(&db_path, &key)?;
        migrate::refuse_newer(&conn)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;
             PRAGMA cache_size = -65536;",
        )?;
        let mut store = Self {
            conn,
            key,
            data_dir: data_dir.to_owned(),
            key_description: key_source.describe(),
            key_source: key_source.clone(),
            new_recovery_code: None,
        };
        store.ensure_recovery_file()?;
        let version = store.schema_version()?;
        if exists && version > 0 && version < LATEST_VERSION {
            // An upgrade: keep the database as it was before touching its schema.
            let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
            let dir = data_dir.join("avant-mise-a-jour");
            let info = store.backup_to(&dir, &format!("schema{version}-{stamp}"))?;
            tracing::info!(from = version, to = LATEST_VERSION, backup = %info.path.display(), "upgrading the store");
        }
        migrate::run(&store.conn)?;
        patient::remplir_cles_recherche(&store.conn)?;
        tracing::info!(data_dir = %data_dir.display(), new = !exists, "store opened");
        Ok(store)
    }

    /// Writes the recovery sidecar when it is missing (new database, or one made before recovery
    /// codes existed) and remembers the new code so that the UI shows it once.
    fn ensure_recovery_file(&mut self) -> Result<(), StoreError> {
        let path = self.data_dir.join(recovery::RECOVERY_FILE);
        if path.exists() {
            return Ok(());
        }
        let code = recovery::RecoveryCode::generate();
        recovery::RecoveryFile::new(&self.key, &code)?.write(&path)?;
        self.new_recovery_code = Some(code);
        Ok(())
    }

    /// The recovery code made when this store was opened, if any: to show once, then forget.
    pub fn take_new_recovery_code(&mut self) -> Option<recovery::RecoveryCode> {
        self.new_recovery_code.take()
    }

    pub(crate) fn key(&self) -> &key::DbKey {
        &self.key
    }

    pub(crate) fn set_key(&mut self, key: key::DbKey) {
        self.key = key;
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join(DB_FILE)
    }

    /// The key source this store was opened with.
    pub fn key_source(&self) -> &KeySource {
        &self.key_source
    }

    /// Runs `f` with the database closed (the file and its WAL released), then opens it again
    /// from the same data directory and key source, whatever `f` returned: what a restore into
    /// the data directory of an open store needs (the first-start assistant restoring the MMG
    /// from the hub). The caller holds the store exclusively meanwhile (`&mut self`), so nothing
    /// reads the closed connection. If the reopening fails, the store stays on an empty
    /// in-memory connection whose every query fails, and the error is returned.
    pub fn fermee_pendant<T, E>(
        &mut self,
        f: impl FnOnce(&Path, &KeySource) -> Result<T, E>,
    ) -> Result<Result<T, E>, StoreError> {
        let ferme = Connection::open_in_memory()?;
        // Dropping the real connection closes it: SQLite checkpoints the WAL and removes it.
        drop(std::mem::replace(&mut self.conn, ferme));
        let resultat = f(&self.data_dir, &self.key_source);
        *self = Store::open(&self.data_dir.clone(), &self.key_source.clone())?;
        Ok(resultat)
    }

    /// Where the key comes from, for `info` (never the key itself).
    pub fn key_description(&self) -> &str {
        &self.key_description
    }

    pub fn schema_version(&self) -> Result<u32, StoreError> {
        schema_version(&self.conn)
    }

    /// Row counts of the main tables, for `appligarde-cli info`.
    pub fn row_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        ["mmg", "utilisateur", "patient", "consultation"]
            .into_iter()
            .map(|table| {
                let n = self
                    .conn
                    .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
                Ok((table, n))
            })
            .collect()
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite answers `ok`, else the problems it lists.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(lines.join("; ")))
        }
    }

    /// Runs `f` in one transaction: everything it writes is committed together or not at all.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        // IMMEDIATE takes the write lock at once: two processes (desktop and CLI) never both read the
        // audit chain's head and then collide when writing.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read-only access for the query modules.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}
