//! The one error type of the crate. Messages are French, for the person running the import.
//!
//! Only problems that stop the import are errors. A malformed line is not: it is counted in the
//! [`ImportReport`](crate::ImportReport) and the import goes on.

use std::io;
use std::path::PathBuf;

/// Why an RPPS import could not start or had to stop.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RppsError {
    /// The file could not be opened.
    #[error(
        "Impossible d'ouvrir le fichier RPPS « {} » ({source}). Vérifiez le chemin du fichier et les droits d'accès.",
        .path.display()
    )]
    Open {
        /// The path given.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },

    /// Reading failed in the middle of the file (disk, network share, removed USB key...).
    #[error(
        "La lecture du fichier RPPS s'est interrompue ({0}). Relancez l'import ; si l'erreur persiste, copiez d'abord le fichier sur le disque de l'ordinateur."
    )]
    Read(#[source] io::Error),

    /// The file holds no header line.
    #[error(
        "Le fichier RPPS est vide : la ligne d'en-tête est absente. Vérifiez qu'il s'agit bien du fichier « PS_LibreAcces_Personne_activite » transmis par l'URML."
    )]
    EmptyFile,

    /// The first line is far too long to be the header: not an RPPS extract.
    #[error(
        "La première ligne du fichier dépasse {0} octets : ce n'est pas l'en-tête d'un extrait RPPS « PS_LibreAcces_Personne_activite ». Vérifiez le fichier choisi."
    )]
    HeaderTooLong(usize),

    /// The header starts with a UTF-8 byte-order mark but is not valid UTF-8.
    #[error(
        "L'en-tête du fichier RPPS est illisible (caractères invalides). Le fichier est peut-être endommagé : demandez-en une nouvelle copie à l'URML."
    )]
    HeaderEncoding,

    /// Required columns are missing from the header.
    #[error(
        "L'en-tête du fichier RPPS ne contient pas la ou les colonnes suivantes : {}. Vérifiez qu'il s'agit bien du fichier « PS_LibreAcces_Personne_activite », avec des colonnes séparées par « | ».",
        .columns.join(", ")
    )]
    MissingColumns {
        /// The missing column names, as the national file spells them.
        columns: Vec<&'static str>,
    },
}
