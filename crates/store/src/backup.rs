//! Backups that restore: one self-contained, encrypted file per backup, verified after writing.
//!
//! A backup file (`appligarde-AAAAMMJJ-HHMMSS.agbak`, mode 0600) is a short text header followed by the bytes
//! of a SQLCipher database encrypted with the same key as the store:
//!
//! ```text
//! APPLIGARDE-BACKUP 1
//! schema 3
//! created 2026-11-23T07:00:00Z
//! appligarde-recovery 1          <- the recovery sidecar: the key wrapped by the recovery code
//! ...
//! <empty line>
//! <encrypted database bytes>
//! ```
//!
//! The copy is taken with `sqlcipher_export` inside one read transaction of a separate connection,
//! so it is a consistent snapshot while the application keeps writing (WAL).

use crate::{
    DB_FILE, LATEST_VERSION, Store, StoreError,
    fichier::{PRIVATE, write_atomically},
    key::{self, DbKey, KeySource},
    recovery::{RECOVERY_FILE, RecoveryCode, RecoveryFile},
};
use std::path::{Path, PathBuf};

const MAGIC: &str = "APPLIGARDE-BACKUP 1";
pub const BACKUP_EXTENSION: &str = "agbak";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: u32,
}

/// How a restore unlocks the backup.
pub enum Unlock<'a> {
    /// The key of the store the backup was made from (same PC).
    Key(&'a DbKey),
    /// The recovery code (new PC, keyring lost).
    Code(&'a RecoveryCode),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub schema_version: u32,
    /// Where the data that was there before went (none for an empty data directory).
    pub safety_copy: Option<PathBuf>,
}

fn sql_quote(path: &Path) -> String {
    path.display().to_string().replace('\'', "''")
}

/// Copies the database at `db_path` into a new encrypted file `dest` (same key), as one snapshot.
fn export(db_path: &Path, key: &DbKey, dest: &Path) -> Result<u32, StoreError> {
    let conn = key::open(db_path, key)?;
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS copie KEY \"x'{}'\";",
        sql_quote(dest),
        key.to_hex()
    ))?;
    // One transaction: every table is copied from the same snapshot while the app keeps writing.
    conn.execute_batch("BEGIN")?;
    let version: u32 = conn.query_row("PRAGMA main.user_version", [], |r| r.get(0))?;
    conn.execute_batch(&format!(
        "SELECT sqlcipher_export('copie');
         PRAGMA copie.user_version = {version};
         COMMIT;
         DETACH DATABASE copie;"
    ))?;
    Ok(version)
}

/// Opens the database file `path` with `key` and runs the integrity check; returns its schema version.
fn verify(path: &Path, key: &DbKey) -> Result<u32, StoreError> {
    let conn = key::open(path, key)?;
    let lines: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if lines != ["ok"] {
        return Err(StoreError::Corrupt(lines.join("; ")));
    }
    let has_journal: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'journal'",
        [],
        |r| r.get(0),
    )?;
    if has_journal {
        // The audit chain must be whole too: a copy with a broken chain is not a good backup.
        crate::audit::verifier_journal_conn(&conn)?;
    }
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Creates `path` empty, readable by its owner only (Unix; the default mode elsewhere).
fn private_empty_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(PRIVATE);
    }
    options.open(path).map(drop)
}

fn backup_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backup(format!("{} : {e}", path.display()))
}

/// Everything a backup needs, taken from the store once: the backup itself then runs on its own
/// connection without holding the store (the application keeps writing meanwhile).
#[derive(Clone)]
pub struct BackupSource {
    db_path: PathBuf,
    key: DbKey,
    recovery: RecoveryFile,
}

impl std::fmt::Debug for BackupSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupSource")
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

impl BackupSource {
    /// Makes a verified backup into `dir`. `stamp` (e.g. `20261123-070000`, the caller's clock)
    /// names the file `appligarde-<stamp>.agbak`.
    pub fn backup_to(&self, dir: &Path, stamp: &str) -> Result<BackupInfo, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| backup_error(dir, e))?;
        let name: String = stamp
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let path = dir.join(format!("appligarde-{name}.{BACKUP_EXTENSION}"));
        let tmp_db = dir.join(format!(".appligarde-{name}.export.db"));
        let _ = std::fs::remove_file(&tmp_db);
        let result = (|| {
            // The export is made into an empty file created private: SQLite keeps its mode.
            private_empty_file(&tmp_db).map_err(|e| backup_error(&tmp_db, e))?;
            let version = export(&self.db_path, &self.key, &tmp_db)?;
            verify(&tmp_db, &self.key)?;
            let db_bytes = std::fs::read(&tmp_db).map_err(|e| backup_error(&tmp_db, e))?;
            let mut out = format!(
                "{MAGIC}\nschema {version}\ncreated {stamp}\n{}\n",
                self.recovery.to_text()
            )
            .into_bytes();
            out.extend_from_slice(&db_bytes);
            write_atomically(&path, &out, Some(PRIVATE)).map_err(|e| backup_error(&path, e))?;
            // Verified again from the file as written, as a restore would read it.
            let written = read_backup(&path)?;
            if written.db_bytes != db_bytes {
                return Err(StoreError::Backup(format!(
                    "{} : relecture différente de l'écriture",
                    path.display()
                )));
            }
            Ok(BackupInfo {
                path: path.clone(),
                bytes: out.len() as u64,
                schema_version: version,
            })
        })();
        let _ = std::fs::remove_file(&tmp_db);
        let info = result?;
        tracing::info!(path = %info.path.display(), bytes = info.bytes, "backup written and verified");
        Ok(info)
    }
}

impl Store {
    /// What a backup needs, to run it without holding the store (see [`BackupSource`]).
    pub fn backup_source(&self) -> Result<BackupSource, StoreError> {
        Ok(BackupSource {
            db_path: self.db_path(),
            key: self.key().clone(),
            recovery: self.recovery_file()?,
        })
    }

    /// Makes a verified backup of the store into `dir`. `stamp` (UTC, `YYYYMMDDTHHMMSSZ`-like text)
    /// names the file; the caller passes its clock's time.
    pub fn backup_to(&self, dir: &Path, stamp: &str) -> Result<BackupInfo, StoreError> {
        self.backup_source()?.backup_to(dir, stamp)
    }

    /// The recovery sidecar of this store.
    pub fn recovery_file(&self) -> Result<RecoveryFile, StoreError> {
        RecoveryFile::read(&self.data_dir().join(RECOVERY_FILE))
    }

    /// The recovery code, shown again to someone who can open the database.
    pub fn recovery_code(&self) -> Result<RecoveryCode, StoreError> {
        self.recovery_file()?.code(self.key())
    }
}

struct BackupFile {
    schema_version: u32,
    recovery: RecoveryFile,
    db_bytes: Vec<u8>,
}

fn read_backup(path: &Path) -> Result<BackupFile, StoreError> {
    let bytes = std::fs::read(path).map_err(|e| backup_error(path, e))?;
    let bad = || {
        StoreError::Backup(format!(
            "{} n'est pas une sauvegarde Appligarde lisible",
            path.display()
        ))
    };
    let end = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or_else(bad)?;
    let header = std::str::from_utf8(&bytes[..end]).map_err(|_| bad())?;
    let mut lines = header.lines();
    if lines.next() != Some(MAGIC) {
        return Err(bad());
    }
    let schema_version: u32 = lines
        .next()
        .and_then(|l| l.strip_prefix("schema "))
        .and_then(|v| v.parse().ok())
        .ok_or_else(bad)?;
    lines
        .next()
        .filter(|l| l.starts_with("created "))
        .ok_or_else(bad)?;
    let recovery = RecoveryFile::from_text(&lines.collect::<Vec<_>>().join("\n"))?;
    Ok(BackupFile {
        schema_version,
        recovery,
        db_bytes: bytes[end + 2..].to_vec(),
    })
}

/// Restores `backup` into `data_dir` (new or current), installing its key at `key_dest`.
///
/// What was in `data_dir` is first moved aside into a safety folder (database, WAL, recovery file).
/// A backup from a newer version, a wrong code, or a copy that fails its integrity check is refused
/// before anything in `data_dir` is touched.
pub fn restore(
    backup: &Path,
    data_dir: &Path,
    unlock: Unlock<'_>,
    key_dest: &KeySource,
    stamp: &str,
) -> Result<RestoreReport, StoreError> {
    let file = read_backup(backup)?;
    if file.schema_version > LATEST_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: file.schema_version,
            supported: LATEST_VERSION,
        });
    }
    let recovered;
    let key = match unlock {
        Unlock::Key(k) => k,
        Unlock::Code(code) => {
            recovered = file.recovery.unlock(code)?;
            &recovered
        }
    };
    std::fs::create_dir_all(data_dir).map_err(|e| backup_error(data_dir, e))?;
    let staged = data_dir.join(".restauration.db");
    let _ = std::fs::remove_file(&staged);
    // The restored database is as private as the one it replaces.
    private_empty_file(&staged)
        .and_then(|()| std::fs::write(&staged, &file.db_bytes))
        .map_err(|e| backup_error(&staged, e))?;
    let checked = verify(&staged, key).and_then(|v| {
        if v > LATEST_VERSION {
            Err(StoreError::SchemaTooNew {
                found: v,
                supported: LATEST_VERSION,
            })
        } else {
            Ok(v)
        }
    });
    let schema_version = match checked {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e);
        }
    };

    let name: String = stamp
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let existing: Vec<PathBuf> = [
        DB_FILE.to_owned(),
        format!("{DB_FILE}-wal"),
        format!("{DB_FILE}-shm"),
        RECOVERY_FILE.to_owned(),
    ]
    .iter()
    .map(|f| data_dir.join(f))
    .filter(|p| p.exists())
    .collect();
    let safety_copy = if existing.is_empty() {
        None
    } else {
        let folder = data_dir.join(format!("avant-restauration-{name}"));
        std::fs::create_dir_all(&folder).map_err(|e| backup_error(&folder, e))?;
        for path in &existing {
            if let Some(file_name) = path.file_name() {
                std::fs::rename(path, folder.join(file_name)).map_err(|e| backup_error(path, e))?;
            }
        }
        Some(folder)
    };
    std::fs::rename(&staged, data_dir.join(DB_FILE)).map_err(|e| backup_error(&staged, e))?;
    file.recovery.write(&data_dir.join(RECOVERY_FILE))?;
    key::install(key_dest, data_dir, key, &name)?;
    tracing::info!(schema_version, "backup restored");
    Ok(RestoreReport {
        schema_version,
        safety_copy,
    })
}
