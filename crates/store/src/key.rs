//! The database key: 32 random bytes, kept in the OS keyring, or in an explicit key file for
//! headless servers and tests. There is never a fallback to a plaintext database: without a key
//! the store does not open.

use crate::{StoreError, fichier};
use rand::RngCore;
use std::path::{Path, PathBuf};

const KEYRING_SERVICE: &str = "appligarde";

/// Where the database key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// The OS keyring (Secret Service on Linux), one entry per data directory.
    Keyring,
    /// A file holding the key as 64 hexadecimal characters; created with mode 0600 when absent
    /// and refused when others can read it.
    File(PathBuf),
}

impl KeySource {
    pub fn describe(&self) -> String {
        match self {
            KeySource::Keyring => "trousseau du système".to_owned(),
            KeySource::File(p) => format!("fichier {}", p.display()),
        }
    }
}

/// A database key. Its `Debug` never shows the bytes.
pub struct DbKey([u8; 32]);

impl Clone for DbKey {
    fn clone(&self) -> Self {
        Self(self.0)
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(<redacted>)")
    }
}

impl DbKey {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Option<Self> {
        Some(Self(bytes.try_into().ok()?))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub(crate) fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Loads the key of the database in `data_dir`, creating a new one only when the database does not
/// exist yet (`db_exists == false`). A missing key for an existing database is an error, never a
/// reason to start a new empty database.
pub(crate) fn load_or_create(
    source: &KeySource,
    data_dir: &Path,
    db_exists: bool,
) -> Result<DbKey, StoreError> {
    match source {
        KeySource::File(path) => from_file(path, db_exists),
        KeySource::Keyring => from_keyring(data_dir, db_exists),
    }
}

fn from_file(path: &Path, db_exists: bool) -> Result<DbKey, StoreError> {
    let key_err = |reason: String| StoreError::KeyFile {
        path: path.to_owned(),
        reason,
    };
    match std::fs::metadata(path) {
        Ok(meta) => {
            check_private(path, &meta)?;
            let text = std::fs::read_to_string(path).map_err(|e| key_err(e.to_string()))?;
            DbKey::from_hex(&text).ok_or_else(|| {
                key_err("il doit contenir la clé en 64 caractères hexadécimaux".to_owned())
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if db_exists {
                return Err(StoreError::KeyMissing {
                    where_: format!("fichier {} absent", path.display()),
                });
            }
            let key = DbKey::generate();
            write_private(path, &key.to_hex()).map_err(|e| key_err(e.to_string()))?;
            tracing::info!(path = %path.display(), "new database key file created");
            Ok(key)
        }
        Err(e) => Err(key_err(e.to_string())),
    }
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &std::fs::Metadata) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(StoreError::KeyFilePermissions {
            path: path.to_owned(),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &std::fs::Metadata) -> Result<(), StoreError> {
    Ok(())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

fn keyring_entry(data_dir: &Path) -> Result<keyring::Entry, StoreError> {
    // One entry per data directory, so that a demo and a real store never share a key.
    let dir = data_dir
        .canonicalize()
        .unwrap_or_else(|_| data_dir.to_owned());
    let account = format!("db-key:{}", dir.display());
    keyring::Entry::new(KEYRING_SERVICE, &account).map_err(|e| StoreError::Keyring(e.to_string()))
}

fn from_keyring(data_dir: &Path, db_exists: bool) -> Result<DbKey, StoreError> {
    let entry = keyring_entry(data_dir)?;
    match entry.get_password() {
        Ok(text) => DbKey::from_hex(&text).ok_or_else(|| {
            StoreError::Keyring("l'entrée du trousseau ne contient pas une clé valide".to_owned())
        }),
        Err(keyring::Error::NoEntry) if !db_exists => {
            let key = DbKey::generate();
            entry
                .set_password(&key.to_hex())
                .map_err(|e| StoreError::Keyring(e.to_string()))?;
            tracing::info!("new database key stored in the OS keyring");
            Ok(key)
        }
        Err(keyring::Error::NoEntry) => Err(StoreError::KeyMissing {
            where_: "aucune entrée dans le trousseau du système".to_owned(),
        }),
        Err(e) => Err(StoreError::Keyring(e.to_string())),
    }
}

/// Unlocks `conn` with `key` and proves the key is right by reading the schema.
/// Opens the database file `path` and keys it with `key` (see [`apply`]).
///
/// SQLite runs SQLCipher's own initialisation (`SQLITE_EXTRA_INIT`) after it has marked itself
/// initialised, outside its lock: a second thread opening its first connection meanwhile keyed it
/// before SQLCipher was ready (its log: "sqlcipherCodecAttach: sqlcipher not initialized"), and
/// `PRAGMA key` failed with "An error occurred with PRAGMA key or rekey" — about one process in a
/// hundred that opened stores concurrently from the start (issue 28, item 9). So the first
/// connection of the process is opened here, alone: `sqlite3_initialize` has run SQLCipher's
/// initialisation to its end before any store is keyed.
pub(crate) fn open(
    path: &std::path::Path,
    key: &DbKey,
) -> Result<rusqlite::Connection, StoreError> {
    static SQLITE_READY: std::sync::Once = std::sync::Once::new();
    SQLITE_READY.call_once(|| {
        // An error here would come again, and be reported, from the real open below.
        let _ = rusqlite::Connection::open_in_memory();
    });
    let conn = rusqlite::Connection::open(path)?;
    apply(&conn, key)?;
    Ok(conn)
}

pub(crate) fn apply(conn: &rusqlite::Connection, key: &DbKey) -> Result<(), StoreError> {
    // SQLCipher's own log would print raw decryption failures on stderr; ours is the French error.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex()))?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(StoreError::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}

/// Installs `key` as the key of the database in `data_dir` (after a restore). A key file that is
/// already there is kept aside as `<file>.avant-restauration-<stamp>`, never overwritten.
pub(crate) fn install(
    dest: &KeySource,
    data_dir: &Path,
    key: &DbKey,
    stamp: &str,
) -> Result<(), StoreError> {
    match dest {
        KeySource::File(path) => {
            let key_err = |e: std::io::Error| StoreError::KeyFile {
                path: path.to_owned(),
                reason: e.to_string(),
            };
            if path.exists() {
                let aside = PathBuf::from(format!("{}.avant-restauration-{stamp}", path.display()));
                std::fs::rename(path, aside).map_err(key_err)?;
            }
            write_private(path, &key.to_hex()).map_err(key_err)
        }
        KeySource::Keyring => keyring_entry(data_dir)?
            .set_password(&key.to_hex())
            .map_err(|e| StoreError::Keyring(e.to_string())),
    }
}

/// Replaces the key of the database in `data_dir` by `key` (after a rekey): a key file is rewritten
/// atomically (temporary file with mode 0600, fsync, rename), a keyring entry overwritten.
pub(crate) fn replace(dest: &KeySource, data_dir: &Path, key: &DbKey) -> Result<(), StoreError> {
    match dest {
        KeySource::File(path) => {
            let key_err = |e: std::io::Error| StoreError::KeyFile {
                path: path.to_owned(),
                reason: e.to_string(),
            };
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(key_err)?;
            }
            let content = format!("{}\n", key.to_hex());
            fichier::write_atomically(path, content.as_bytes(), Some(fichier::PRIVATE))
                .map_err(key_err)
        }
        KeySource::Keyring => keyring_entry(data_dir)?
            .set_password(&key.to_hex())
            .map_err(|e| StoreError::Keyring(e.to_string())),
    }
}

impl DbKey {
    /// A new random key (rekey).
    pub(crate) fn nouvelle() -> Self {
        Self::generate()
    }
}
