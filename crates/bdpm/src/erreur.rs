//! The one error type of the crate. Messages are French, for the person running the import.
//!
//! Every problem is fatal: a BDPM release is read whole or not at all, so that a broken or
//! truncated file never becomes a version in which the missing medicines look withdrawn.

use std::io;
use std::path::PathBuf;

/// Why a BDPM release could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BdpmError {
    /// The directory could not be listed.
    #[error(
        "Impossible de lire le dossier « {} » ({source}). Vérifiez le chemin et les droits d'accès.",
        .dossier.display()
    )]
    Dossier { dossier: PathBuf, source: io::Error },

    /// A required file is not in the directory.
    #[error(
        "Le fichier {fichier} est absent du dossier « {} » : une version de la BDPM comprend au moins CIS_bdpm.txt, CIS_COMPO_bdpm.txt et CIS_GENER_bdpm.txt, téléchargés sur le site de l'ANSM.",
        .dossier.display()
    )]
    FichierAbsent {
        dossier: PathBuf,
        fichier: &'static str,
    },

    /// A file could not be opened or read.
    #[error(
        "Lecture impossible du fichier {fichier} ({source}). Relancez l'import ; si l'erreur persiste, copiez d'abord les fichiers sur le disque de l'ordinateur."
    )]
    Lecture {
        fichier: &'static str,
        source: io::Error,
    },

    /// A line does not have the file's layout.
    #[error("Fichier {fichier}, ligne {ligne} : {message}. Aucune donnée n'a été remplacée.")]
    Ligne {
        fichier: &'static str,
        ligne: u64,
        message: String,
    },

    /// The last line has no end: the file was cut (download interrupted).
    #[error(
        "Le fichier {fichier} est tronqué : sa dernière ligne (n° {ligne}) n'est pas terminée. Téléchargez-le à nouveau ; aucune donnée n'a été remplacée."
    )]
    Tronque { fichier: &'static str, ligne: u64 },

    /// A file holds no line.
    #[error(
        "Le fichier {fichier} est vide. Téléchargez-le à nouveau ; aucune donnée n'a été remplacée."
    )]
    Vide { fichier: &'static str },

    /// The compact form (stored or published) is unreadable.
    #[error("La base des médicaments enregistrée est illisible ({0}).")]
    Compacte(String),
}

/// The file names as the ANSM publishes them.
pub(crate) fn erreur_ligne(
    fichier: &'static str,
    ligne: u64,
    message: impl Into<String>,
) -> BdpmError {
    BdpmError::Ligne {
        fichier,
        ligne,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_and_the_line() {
        let e = erreur_ligne("CIS_bdpm.txt", 12, "7 colonnes trouvées, 12 attendues");
        let text = e.to_string();
        assert!(text.contains("CIS_bdpm.txt"), "{text}");
        assert!(text.contains("ligne 12"), "{text}");
        assert!(text.contains("Aucune donnée n'a été remplacée"), "{text}");
    }
}
