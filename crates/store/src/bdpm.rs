//! Table `bdpm_version` (migration 0018): the releases of the public drug database imported on
//! this PC or received from the hub, and which one is active (none: the program's own extract).
//! The data is the compact form of `appligarde-bdpm`, stored as given.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// A release as the store knows it (without its data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionBdpm {
    pub id: i64,
    /// `import` or `hub`.
    pub source: String,
    pub origine: String,
    pub empreinte: String,
    pub nb_medicaments: i64,
    pub nb_commercialises: i64,
    pub nb_presentations: i64,
    pub nb_substances: i64,
    pub nb_groupes: i64,
    pub avec_presentations: bool,
    pub importe_le: String,
    pub active: bool,
}

/// A release to record.
#[derive(Debug, Clone)]
pub struct NouvelleVersionBdpm<'a> {
    pub source: &'a str,
    pub origine: &'a str,
    pub empreinte: &'a str,
    pub nb_medicaments: i64,
    pub nb_commercialises: i64,
    pub nb_presentations: i64,
    pub nb_substances: i64,
    pub nb_groupes: i64,
    pub avec_presentations: bool,
    pub donnees: &'a [u8],
    pub importe_le: &'a str,
}

/// What recording a release did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnregistrementBdpm {
    /// A new release, now active.
    Nouvelle(i64),
    /// The same files were imported before and were not active: that version is active again.
    Reactivee(i64),
    /// The same files are the active version already: nothing changed.
    Inchangee(i64),
}

const COLONNES: &str = "id, source, origine, empreinte, nb_medicaments, nb_commercialises, \
     nb_presentations, nb_substances, nb_groupes, avec_presentations, importe_le, active";

fn lire_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionBdpm> {
    Ok(VersionBdpm {
        id: r.get(0)?,
        source: r.get(1)?,
        origine: r.get(2)?,
        empreinte: r.get(3)?,
        nb_medicaments: r.get(4)?,
        nb_commercialises: r.get(5)?,
        nb_presentations: r.get(6)?,
        nb_substances: r.get(7)?,
        nb_groupes: r.get(8)?,
        avec_presentations: r.get(9)?,
        importe_le: r.get(10)?,
        active: r.get(11)?,
    })
}

/// Every release, oldest first.
pub fn versions(conn: &Connection) -> Result<Vec<VersionBdpm>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLONNES} FROM bdpm_version ORDER BY id"))?;
    let rows = stmt.query_map([], lire_version)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The id of the active release (`None`: the program's own extract is used).
pub fn id_actif(conn: &Connection) -> Result<Option<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM bdpm_version WHERE active = 1")?;
    Ok(stmt.query_row([], |r| r.get(0)).optional()?)
}

/// The active release and its compact data.
pub fn version_active(conn: &Connection) -> Result<Option<(VersionBdpm, Vec<u8>)>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLONNES}, donnees FROM bdpm_version WHERE active = 1"
    ))?;
    Ok(stmt
        .query_row([], |r| Ok((lire_version(r)?, r.get::<_, Vec<u8>>(12)?)))
        .optional()?)
}

/// The release `id`.
pub fn version(conn: &Connection, id: i64) -> Result<Option<VersionBdpm>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLONNES} FROM bdpm_version WHERE id = ?1"
    ))?;
    Ok(stmt.query_row([id], lire_version).optional()?)
}

/// Records a release and makes it the active one, in the caller's transaction. The same files
/// (same fingerprint) change nothing when they are the active version, and only become active
/// again when they are an older one.
pub fn enregistrer_version(
    tx: &Transaction<'_>,
    v: &NouvelleVersionBdpm<'_>,
) -> Result<EnregistrementBdpm, StoreError> {
    let existante: Option<(i64, bool)> = tx
        .query_row(
            "SELECT id, active FROM bdpm_version WHERE empreinte = ?1",
            [v.empreinte],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, active)) = existante {
        if active {
            return Ok(EnregistrementBdpm::Inchangee(id));
        }
        tx.execute("UPDATE bdpm_version SET active = 0 WHERE active = 1", [])?;
        tx.execute("UPDATE bdpm_version SET active = 1 WHERE id = ?1", [id])?;
        return Ok(EnregistrementBdpm::Reactivee(id));
    }
    tx.execute("UPDATE bdpm_version SET active = 0 WHERE active = 1", [])?;
    tx.execute(
        "INSERT INTO bdpm_version (source, origine, empreinte, nb_medicaments, nb_commercialises,
                                   nb_presentations, nb_substances, nb_groupes,
                                   avec_presentations, donnees, importe_le, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1)",
        params![
            v.source,
            v.origine,
            v.empreinte,
            v.nb_medicaments,
            v.nb_commercialises,
            v.nb_presentations,
            v.nb_substances,
            v.nb_groupes,
            v.avec_presentations,
            v.donnees,
            v.importe_le
        ],
    )?;
    Ok(EnregistrementBdpm::Nouvelle(tx.last_insert_rowid()))
}
