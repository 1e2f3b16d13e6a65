//! Tables `cim10_version`, `cim10_usage` and `cim10_favori` (migration 0006): the versions of the
//! CIM-10 code set (the built-in one and the imported ATIH files), which one is active, how often
//! the MMG used each code, the favourite codes of each doctor and of the MMG, and the recent codes
//! (read from the consultations' diagnoses).
//!
//! Codes are kept in raw form (`J069`); the caller normalises them (the code set crate does).
//! The diagnoses get the active version's name stamped by a trigger when they are written.

use crate::StoreError;
use appligarde_domain::DomainError;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

/// Where a version of the code set comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCim10 {
    /// Built into the program (no data in the store).
    Integree,
    /// The ATIH file `LIBCIM10MULTI.TXT`.
    Atih,
    /// The CSV form of the ATIH file.
    Csv,
}

impl SourceCim10 {
    pub fn code(self) -> &'static str {
        match self {
            SourceCim10::Integree => "integree",
            SourceCim10::Atih => "atih",
            SourceCim10::Csv => "csv",
        }
    }

    fn parse(code: &str) -> SourceCim10 {
        match code {
            "atih" => SourceCim10::Atih,
            "csv" => SourceCim10::Csv,
            _ => SourceCim10::Integree,
        }
    }
}

/// A version of the code set as the store knows it (without its data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCim10 {
    pub id: i64,
    pub version: String,
    pub source: SourceCim10,
    pub fichier: String,
    pub empreinte: String,
    pub nb_codes: i64,
    pub nb_supprimes: i64,
    pub importe_le: String,
    pub active: bool,
}

/// An imported version to record: its parsed codes in the compact form of `appligarde-cim10`.
#[derive(Debug, Clone)]
pub struct NouvelleVersion<'a> {
    pub version: &'a str,
    pub source: SourceCim10,
    pub fichier: &'a str,
    pub empreinte: &'a str,
    pub nb_codes: i64,
    pub nb_supprimes: i64,
    pub donnees: &'a [u8],
    pub importe_le: &'a str,
}

/// What recording a version did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enregistrement {
    /// A new version, now active.
    Nouvelle,
    /// The same file was imported before under this name: it is active again, nothing added.
    DejaConnue,
}

const COLONNES: &str =
    "id, version, source, fichier, empreinte, nb_codes, nb_supprimes, importe_le, active";

fn lire_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionCim10> {
    let source: String = r.get(2)?;
    Ok(VersionCim10 {
        id: r.get(0)?,
        version: r.get(1)?,
        source: SourceCim10::parse(&source),
        fichier: r.get(3)?,
        empreinte: r.get(4)?,
        nb_codes: r.get(5)?,
        nb_supprimes: r.get(6)?,
        importe_le: r.get(7)?,
        active: r.get(8)?,
    })
}

/// Every version, oldest first.
pub fn versions(conn: &Connection) -> Result<Vec<VersionCim10>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLONNES} FROM cim10_version ORDER BY id"))?;
    let rows = stmt.query_map([], lire_version)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A version with its compact data (`None` for the built-in set).
pub type VersionEtDonnees = (VersionCim10, Option<Vec<u8>>);

/// The active version and, when it was imported, its compact data (`None` for the built-in set).
pub fn version_active(conn: &Connection) -> Result<Option<VersionEtDonnees>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLONNES}, donnees FROM cim10_version WHERE active = 1"
    ))?;
    Ok(stmt
        .query_row([], |r| {
            Ok((lire_version(r)?, r.get::<_, Option<Vec<u8>>>(9)?))
        })
        .optional()?)
}

/// Records an imported version and makes it the active one, in the caller's transaction. The same
/// file (same fingerprint) imported again under the same name only becomes active again; another
/// file under a name already used is refused.
pub fn enregistrer_version(
    tx: &Transaction<'_>,
    v: &NouvelleVersion<'_>,
) -> Result<Enregistrement, StoreError> {
    let existante: Option<(i64, String)> = tx
        .query_row(
            "SELECT id, empreinte FROM cim10_version WHERE version = ?1",
            [v.version],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, empreinte)) = existante {
        if empreinte != v.empreinte || v.source == SourceCim10::Integree {
            return Err(StoreError::Invalid(DomainError::field(
                "version",
                format!(
                    "Une version « {} » de la CIM-10 existe déjà avec un autre contenu : \
                     donnez un autre nom à celle-ci (option --version).",
                    v.version
                ),
            )));
        }
        activer(tx, id)?;
        return Ok(Enregistrement::DejaConnue);
    }
    tx.execute("UPDATE cim10_version SET active = 0 WHERE active = 1", [])?;
    tx.execute(
        "INSERT INTO cim10_version (version, source, fichier, empreinte, nb_codes, nb_supprimes,
                                    donnees, importe_le, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
        params![
            v.version,
            v.source.code(),
            v.fichier,
            v.empreinte,
            v.nb_codes,
            v.nb_supprimes,
            v.donnees,
            v.importe_le
        ],
    )?;
    Ok(Enregistrement::Nouvelle)
}

/// Makes version `id` the active one.
pub fn activer(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE cim10_version SET active = 0 WHERE active = 1", [])?;
    let n = tx.execute("UPDATE cim10_version SET active = 1 WHERE id = ?1", [id])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!(
            "version de la CIM-10 n° {id}"
        )));
    }
    Ok(())
}

/// How many diagnoses of the MMG carry each code (raw form), codes never used left out.
pub fn usage(conn: &Connection) -> Result<Vec<(String, u32)>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT code, nb FROM cim10_usage WHERE nb > 0")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (code, nb) = row?;
        out.push((code, u32::try_from(nb).unwrap_or(u32::MAX)));
    }
    Ok(out)
}

/// The favourite codes of a doctor (`Some(id)`) or of the MMG (`None`), latest added first.
pub fn favoris(conn: &Connection, utilisateur_id: Option<i64>) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code FROM cim10_favori WHERE ifnull(utilisateur_id, 0) = ifnull(?1, 0)
         ORDER BY id DESC",
    )?;
    let rows = stmt.query_map([utilisateur_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Adds `code` to the favourites of a doctor (`Some(id)`) or of the MMG (`None`), or removes it
/// when it is there already. Returns whether it is a favourite now.
pub fn basculer_favori(
    tx: &Transaction<'_>,
    utilisateur_id: Option<i64>,
    code: &str,
    maintenant: &str,
) -> Result<bool, StoreError> {
    let retire = tx.execute(
        "DELETE FROM cim10_favori WHERE ifnull(utilisateur_id, 0) = ifnull(?1, 0) AND code = ?2",
        params![utilisateur_id, code],
    )?;
    if retire > 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO cim10_favori (utilisateur_id, code, cree_le) VALUES (?1, ?2, ?3)",
        params![utilisateur_id, code, maintenant],
    )?;
    Ok(true)
}

/// How many of the latest consultations are read for the recent codes.
const CONSULTATIONS_RECENTES: i64 = 300;

/// The codes of the latest consultations of a doctor (`Some(id)`) or of the MMG (`None`), most
/// recent first, each once, at most `limite` (raw form).
pub fn recents(
    conn: &Connection,
    medecin_id: Option<i64>,
    limite: usize,
) -> Result<Vec<String>, StoreError> {
    // The latest consultations through the (medecin_id, arrivee) or (arrivee) index, then their
    // diagnoses: never a scan of the whole history.
    let sql = match medecin_id {
        Some(_) => {
            "SELECT d.code FROM (SELECT id, arrivee FROM consultation WHERE medecin_id = ?1
                                 ORDER BY arrivee DESC LIMIT ?2) c
             JOIN consultation_diagnostic d ON d.consultation_id = c.id
             ORDER BY c.arrivee DESC, c.id DESC, d.rang"
        }
        None => {
            "SELECT d.code FROM (SELECT id, arrivee FROM consultation WHERE ?1 IS NULL
                                 ORDER BY arrivee DESC LIMIT ?2) c
             JOIN consultation_diagnostic d ON d.consultation_id = c.id
             ORDER BY c.arrivee DESC, c.id DESC, d.rang"
        }
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![medecin_id, CONSULTATIONS_RECENTES], |r| {
        r.get::<_, String>(0)
    })?;
    let mut out: Vec<String> = Vec::new();
    for row in rows {
        let code = row?.replace('.', "").to_uppercase();
        if !out.contains(&code) {
            out.push(code);
            if out.len() >= limite {
                break;
            }
        }
    }
    Ok(out)
}

/// The version each diagnosis of a consultation was coded with, by rank.
pub fn versions_des_diagnostics(
    conn: &Connection,
    consultation_id: i64,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT code, cim10_version FROM consultation_diagnostic WHERE consultation_id = ?1
         ORDER BY rang",
    )?;
    let rows = stmt.query_map([consultation_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
