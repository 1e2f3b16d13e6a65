//! Where the device token lives: beside the database key. When the store takes its key from the
//! OS keyring, the token goes to the keyring too (one entry per data directory); when the store
//! uses a key file (headless PCs, tests), the token is a file beside it, created with mode 0600
//! and refused when others can read it. The database only knows the hub's address and ids.

use std::path::{Path, PathBuf};

use appligarde_api::ApiConfig;
use appligarde_store::{KeySource, fichier};

use crate::SyncError;

const KEYRING_SERVICE: &str = "appligarde";
/// Appended to the key file's name to make the token file's.
const SUFFIXE_FICHIER: &str = ".jeton-hub";

/// The place of the device token of one data directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoffreJeton {
    /// An entry of the OS keyring.
    Trousseau { compte: String },
    /// A private file.
    Fichier(PathBuf),
}

impl CoffreJeton {
    /// The place that goes with `config`'s key.
    pub fn pour(config: &ApiConfig) -> Self {
        match &config.key {
            KeySource::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(SUFFIXE_FICHIER);
                CoffreJeton::Fichier(PathBuf::from(name))
            }
            KeySource::Keyring => {
                let dir = config
                    .data_dir
                    .canonicalize()
                    .unwrap_or_else(|_| config.data_dir.clone());
                CoffreJeton::Trousseau {
                    compte: format!("hub-token:{}", dir.display()),
                }
            }
        }
    }

    /// For the status: where the token is kept (never the token).
    pub fn decrire(&self) -> String {
        match self {
            CoffreJeton::Trousseau { .. } => "trousseau du système".to_owned(),
            CoffreJeton::Fichier(p) => format!("fichier {}", p.display()),
        }
    }

    /// The token, or `None` when none was ever stored.
    pub fn lire(&self) -> Result<Option<String>, SyncError> {
        match self {
            CoffreJeton::Trousseau { compte } => match entry(compte)?.get_password() {
                Ok(token) => Ok(Some(token)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keyring_error(&e)),
            },
            CoffreJeton::Fichier(path) => lire_fichier(path),
        }
    }

    /// Stores `token`, replacing the previous one.
    pub fn ecrire(&self, token: &str) -> Result<(), SyncError> {
        match self {
            CoffreJeton::Trousseau { compte } => entry(compte)?
                .set_password(token)
                .map_err(|e| keyring_error(&e)),
            CoffreJeton::Fichier(path) => ecrire_fichier(path, token).map_err(|e| {
                SyncError::Jeton(format!(
                    "Le jeton du poste n'a pas pu être enregistré dans {} : {e}. Vérifiez les droits \
                     du dossier puis recommencez l'inscription.",
                    path.display()
                ))
            }),
        }
    }
}

fn entry(compte: &str) -> Result<keyring::Entry, SyncError> {
    keyring::Entry::new(KEYRING_SERVICE, compte).map_err(|e| keyring_error(&e))
}

fn keyring_error(e: &keyring::Error) -> SyncError {
    SyncError::Jeton(format!(
        "Le trousseau du système est inaccessible ({e}) : ouvrez la session de l'utilisateur puis \
         réessayez."
    ))
}

fn lire_fichier(path: &Path) -> Result<Option<String>, SyncError> {
    let illisible = |e: std::io::Error| {
        SyncError::Jeton(format!(
            "Le fichier du jeton du poste {} est illisible : {e}.",
            path.display()
        ))
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(illisible(e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(SyncError::Jeton(format!(
                "Le fichier du jeton du poste {} est lisible par d'autres utilisateurs : \
                 corrigez ses droits (chmod 600) avant de synchroniser.",
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(illisible)?;
    let token = text.trim();
    Ok((!token.is_empty()).then(|| token.to_owned()))
}

/// Writes the token to a private file atomically (the store's one atomic write): a crash never
/// leaves half a token.
fn ecrire_fichier(path: &Path, token: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let content = format!("{token}\n");
    fichier::write_atomically(path, content.as_bytes(), Some(fichier::PRIVATE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_store_keeps_the_token_in_a_private_file_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let config = ApiConfig {
            data_dir: dir.path().join("data"),
            key: KeySource::File(dir.path().join("cle.hex")),
        };
        let coffre = CoffreJeton::pour(&config);
        assert_eq!(
            coffre,
            CoffreJeton::Fichier(dir.path().join("cle.hex.jeton-hub")),
            "the token file sits beside the key file"
        );
        assert_eq!(coffre.lire().unwrap(), None, "no token before enrollment");
        coffre.ecrire("premier").unwrap();
        coffre.ecrire("second").unwrap();
        assert_eq!(
            coffre.lire().unwrap().as_deref(),
            Some("second"),
            "a new enrollment replaces the token"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("cle.hex.jeton-hub"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "only the owner may read the token");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.jeton-hub");
        std::fs::write(&path, "secret\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = CoffreJeton::Fichier(path).lire().unwrap_err();
        assert!(
            error.to_string().contains("chmod 600"),
            "the message says how to fix it: {error}"
        );
    }

    #[test]
    fn the_keyring_entry_is_per_data_directory() {
        let a = CoffreJeton::pour(&ApiConfig {
            data_dir: PathBuf::from("/nonexistent/a"),
            key: KeySource::Keyring,
        });
        let b = CoffreJeton::pour(&ApiConfig {
            data_dir: PathBuf::from("/nonexistent/b"),
            key: KeySource::Keyring,
        });
        assert_ne!(a, b, "a demo store and a real one never share a token");
        assert!(matches!(a, CoffreJeton::Trousseau { .. }));
    }
}
