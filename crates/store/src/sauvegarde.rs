//! Automatic backups: their settings (`sauvegarde_reglages`), the folders they go to
//! (`sauvegarde_destination`), the log of every attempt (`sauvegarde_tentative`), and the retention
//! rule that decides which old backup files of a folder are deleted ([`a_supprimer`], pure, from
//! `appligarde_domain::retention`).

use crate::backup::BACKUP_EXTENSION;
use crate::{Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension, Transaction};
use std::collections::BTreeSet;
use std::path::Path;

/// The backup and retention settings; [`Default`] is what a store without a settings row uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reglages {
    /// A backup when a shift is closed.
    pub fin_de_garde: bool,
    /// A backup once a day.
    pub quotidienne: bool,
    /// Retention in each folder: the last backup of each of the last N days that have one…
    pub garder_quotidiennes: u32,
    /// …and the last backup of each of the last N months that have one.
    pub garder_mensuelles: u32,
    /// Records whose patient has not come for this many years are listed for purge.
    pub conservation_annees: u32,
}

impl Default for Reglages {
    fn default() -> Self {
        Self {
            fin_de_garde: true,
            quotidienne: true,
            garder_quotidiennes: 14,
            garder_mensuelles: 12,
            conservation_annees: 20,
        }
    }
}

impl Reglages {
    /// French errors, per field, for values the database would refuse.
    pub fn valider(&self) -> Result<(), appligarde_domain::DomainError> {
        use appligarde_domain::DomainError;
        if !(1..=365).contains(&self.garder_quotidiennes) {
            return Err(DomainError::field(
                "garder_quotidiennes",
                "Gardez entre 1 et 365 sauvegardes quotidiennes.",
            ));
        }
        if self.garder_mensuelles > 240 {
            return Err(DomainError::field(
                "garder_mensuelles",
                "Gardez au plus 240 sauvegardes mensuelles (20 ans).",
            ));
        }
        if !(1..=100).contains(&self.conservation_annees) {
            return Err(DomainError::field(
                "conservation_annees",
                "La durée de conservation des dossiers est comprise entre 1 et 100 ans.",
            ));
        }
        Ok(())
    }
}

/// What started a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declencheur {
    FinDeGarde,
    Quotidienne,
    Manuelle,
}

impl Declencheur {
    pub fn code(self) -> &'static str {
        match self {
            Declencheur::FinDeGarde => "fin_de_garde",
            Declencheur::Quotidienne => "quotidienne",
            Declencheur::Manuelle => "manuelle",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Declencheur::FinDeGarde => "Fin de garde",
            Declencheur::Quotidienne => "Quotidienne",
            Declencheur::Manuelle => "Manuelle",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::FinDeGarde, Self::Quotidienne, Self::Manuelle]
            .into_iter()
            .find(|d| d.code() == code)
    }
}

/// The outcome of one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resultat {
    Ok,
    Echec,
    Ignoree,
}

impl Resultat {
    pub fn code(self) -> &'static str {
        match self {
            Resultat::Ok => "ok",
            Resultat::Echec => "echec",
            Resultat::Ignoree => "ignoree",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Ok, Self::Echec, Self::Ignoree]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// One logged attempt (one folder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tentative {
    pub id: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub horodatage: String,
    pub declencheur: Declencheur,
    pub destination: String,
    pub resultat: Resultat,
    pub fichier: String,
    pub octets: u64,
    /// Old backups deleted by the retention rule after this one.
    pub supprimees: u32,
    /// French reason of a failure or a skip.
    pub message: String,
}

/// A chosen backup folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub id: i64,
    pub dossier: String,
}

pub fn enregistrer_reglages(
    tx: &Transaction<'_>,
    r: &Reglages,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    r.valider()?;
    tx.execute(
        "INSERT INTO sauvegarde_reglages
             (id, fin_de_garde, quotidienne, garder_quotidiennes, garder_mensuelles, conservation_annees,
              updated_at, updated_by)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (id) DO UPDATE SET fin_de_garde = excluded.fin_de_garde,
             quotidienne = excluded.quotidienne, garder_quotidiennes = excluded.garder_quotidiennes,
             garder_mensuelles = excluded.garder_mensuelles,
             conservation_annees = excluded.conservation_annees,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (
            r.fin_de_garde,
            r.quotidienne,
            r.garder_quotidiennes,
            r.garder_mensuelles,
            r.conservation_annees,
            now,
            acteur,
        ),
    )?;
    Ok(())
}

/// Replaces the list of folders (empty entries are dropped, duplicates kept once).
pub fn enregistrer_destinations(
    tx: &Transaction<'_>,
    dossiers: &[String],
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sauvegarde_destination", [])?;
    let mut seen = BTreeSet::new();
    for d in dossiers.iter().map(|d| d.trim()).filter(|d| !d.is_empty()) {
        if !Path::new(d).is_absolute() {
            return Err(appligarde_domain::DomainError::field(
                "destinations",
                format!(
                    "« {d} » n'est pas un chemin complet : choisissez le dossier (par exemple /media/cle-usb/sauvegardes)."
                ),
            )
            .into());
        }
        if seen.insert(d.to_owned()) {
            tx.execute(
                "INSERT INTO sauvegarde_destination (dossier, created_at, created_by) VALUES (?1, ?2, ?3)",
                (d, now, acteur),
            )?;
        }
    }
    Ok(())
}

/// Logs one attempt.
pub fn journaliser(tx: &Transaction<'_>, t: &Tentative) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO sauvegarde_tentative
             (horodatage, declencheur, destination, resultat, fichier, octets, supprimees, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        (
            &t.horodatage,
            t.declencheur.code(),
            &t.destination,
            t.resultat.code(),
            &t.fichier,
            i64::try_from(t.octets).unwrap_or(i64::MAX),
            t.supprimees,
            &t.message,
        ),
    )?;
    Ok(tx.last_insert_rowid())
}

fn tentative(r: &rusqlite::Row<'_>) -> rusqlite::Result<Tentative> {
    let declencheur: String = r.get(2)?;
    let resultat: String = r.get(4)?;
    Ok(Tentative {
        id: r.get(0)?,
        horodatage: r.get(1)?,
        declencheur: Declencheur::from_code(&declencheur).unwrap_or(Declencheur::Manuelle),
        destination: r.get(3)?,
        resultat: Resultat::from_code(&resultat).unwrap_or(Resultat::Echec),
        fichier: r.get(5)?,
        octets: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
        supprimees: r.get(7)?,
        message: r.get(8)?,
    })
}

impl Store {
    pub fn sauvegarde_reglages(&self) -> Result<Reglages, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT fin_de_garde, quotidienne, garder_quotidiennes, garder_mensuelles, conservation_annees
                 FROM sauvegarde_reglages WHERE id = 1",
                [],
                |r| {
                    Ok(Reglages {
                        fin_de_garde: r.get(0)?,
                        quotidienne: r.get(1)?,
                        garder_quotidiennes: r.get(2)?,
                        garder_mensuelles: r.get(3)?,
                        conservation_annees: r.get(4)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn sauvegarde_destinations(&self) -> Result<Vec<Destination>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, dossier FROM sauvegarde_destination ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(Destination {
                id: r.get(0)?,
                dossier: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The most recent attempts first.
    pub fn sauvegarde_tentatives(&self, limite: u32) -> Result<Vec<Tentative>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, horodatage, declencheur, destination, resultat, fichier, octets, supprimees, message
             FROM sauvegarde_tentative ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limite], tentative)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The time (UTC text) of the last successful backup, whatever started it.
    pub fn derniere_sauvegarde_reussie(&self) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT max(horodatage) FROM sauvegarde_tentative WHERE resultat = 'ok'",
            [],
            |r| r.get(0),
        )?)
    }

    /// The time (UTC text) of the last backup written and verified, automatic (the attempts'
    /// log) or asked for (`appligarde-cli backup`, the audit log's export of a backup).
    pub fn derniere_sauvegarde_ecrite(&self) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT max(h) FROM ( \
                 SELECT max(horodatage) AS h FROM sauvegarde_tentative WHERE resultat = 'ok' \
                 UNION ALL \
                 SELECT max(horodatage) FROM journal \
                 WHERE action = 'export' AND objet = 'sauvegarde')",
            [],
            |r| r.get(0),
        )?)
    }

    /// The time (UTC text) of the last attempt started by `declencheur`, whatever its outcome.
    pub fn derniere_tentative(
        &self,
        declencheur: Declencheur,
    ) -> Result<Option<String>, StoreError> {
        Ok(self.conn().query_row(
            "SELECT max(horodatage) FROM sauvegarde_tentative WHERE declencheur = ?1",
            [declencheur.code()],
            |r| r.get(0),
        )?)
    }
}

pub use appligarde_domain::retention::{Retention, a_supprimer};

/// The time in the name of a backup file made by the program (`appligarde-AAAAMMJJ-HHMMSS.agbak`);
/// `None` for any other file, which the retention rule never touches.
pub fn horodatage_du_nom(nom: &str) -> Option<NaiveDateTime> {
    let stamp = nom
        .strip_prefix("appligarde-")?
        .strip_suffix(&format!(".{BACKUP_EXTENSION}"))?;
    NaiveDateTime::parse_from_str(stamp, "%Y%m%d-%H%M%S").ok()
}

/// Applies the retention rule to the backup files of `dossier`; returns how many were deleted.
pub fn appliquer_retention(dossier: &Path, regle: Retention) -> Result<u32, StoreError> {
    let err = |e: std::io::Error| StoreError::Backup(format!("{} : {e}", dossier.display()));
    let mut fichiers = Vec::new();
    for entry in std::fs::read_dir(dossier).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name();
        if let Some(t) = name.to_str().and_then(horodatage_du_nom) {
            fichiers.push((entry.path(), t));
        }
    }
    let temps: Vec<NaiveDateTime> = fichiers.iter().map(|(_, t)| *t).collect();
    let mut n = 0;
    for i in a_supprimer(&temps, regle) {
        std::fs::remove_file(&fichiers[i].0).map_err(err)?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn only_program_named_files_are_considered() {
        assert_eq!(
            horodatage_du_nom("appligarde-20261123-070000.agbak"),
            Some(t("2026-11-23 07:00"))
        );
        for other in [
            "appligarde-20261123-070000.agbak.tmp",
            "notes.txt",
            "appligarde-manuelle.agbak",
            ".appligarde-20261123-070000.export.db",
        ] {
            assert_eq!(horodatage_du_nom(other), None, "{other} is never deleted");
        }
    }
}
