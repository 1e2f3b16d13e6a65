use std::path::PathBuf;

/// Everything that can go wrong in the store. The `Display` text of the variants a user can meet is
/// French and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Le dossier de données {path} est inutilisable : {reason}")]
    DataDir { path: PathBuf, reason: String },

    #[error("Le fichier de clé {path} est inutilisable : {reason}")]
    KeyFile { path: PathBuf, reason: String },

    #[error(
        "Le fichier de clé {path} est lisible par d'autres utilisateurs ; \
         restreignez ses droits (chmod 600 {path}) puis relancez."
    )]
    KeyFilePermissions { path: PathBuf },

    #[error(
        "La base de données existe mais sa clé est introuvable ({where_}). \
         Sans sa clé, elle ne peut pas être ouverte : utilisez la clé d'origine ou le code de récupération."
    )]
    KeyMissing { where_: String },

    #[error("Le trousseau du système est inaccessible : {0}")]
    Keyring(String),

    #[error(
        "La clé ne permet pas d'ouvrir cette base de données (mauvaise clé, ou fichier qui n'est pas une base Appligarde)."
    )]
    WrongKey,

    #[error(
        "Cette base de données a été écrite par une version plus récente d'Appligarde \
         (schéma {found}, cette version connaît le schéma {supported}). \
         Installez la dernière version ; la base n'a pas été modifiée."
    )]
    SchemaTooNew { found: u32, supported: u32 },

    #[error(
        "La migration {version} déjà appliquée à cette base ne correspond plus à celle du programme \
         (somme de contrôle différente). La base n'a pas été modifiée ; contactez le support."
    )]
    MigrationChanged { version: u32 },

    #[error(
        "La mise à jour de la base (migration {version}) a échoué ; la base est restée dans son état précédent : {source}"
    )]
    MigrationFailed {
        version: u32,
        source: rusqlite::Error,
    },

    #[error("Code de récupération : {0}")]
    RecoveryCode(String),

    #[error("Sauvegarde impossible : {0}")]
    Backup(String),

    #[error("La vérification d'intégrité de la base a échoué : {0}")]
    Corrupt(String),

    #[error("{0}")]
    Invalid(#[from] appligarde_domain::DomainError),

    #[error("Enregistrement introuvable : {0}")]
    NotFound(String),

    #[error("Erreur de la base de données : {0}")]
    Sqlite(#[from] rusqlite::Error),
}
