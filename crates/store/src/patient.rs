//! Queries of the `patient` table: identity, search of a returning patient, duplicates.

use crate::{Store, StoreError, audit};
use appligarde_domain::{
    audit::Action,
    garde::Sexe,
    patient::{Identite, cle_recherche, doublon_probable},
};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction};

/// A stored patient. Its `Debug` never shows the identity.
#[derive(Clone, PartialEq)]
pub struct Patient {
    pub id: i64,
    pub identite: Identite,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
}

impl std::fmt::Debug for Patient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Patient")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

const COLONNES: &str =
    "id, nom, nom_naissance, prenom, sexe, date_naissance, code_postal, commune, code_insee,
    telephone, medecin_traitant, medecin_traitant_rpps, poids_kg, taille_cm, allergies, antecedents,
    created_at, coalesce(updated_at, created_at), created_by, updated_by";

fn lire(r: &rusqlite::Row<'_>) -> rusqlite::Result<Patient> {
    let sexe: String = r.get(4)?;
    let naissance: String = r.get(5)?;
    Ok(Patient {
        id: r.get(0)?,
        identite: Identite {
            nom: r.get(1)?,
            nom_naissance: r.get(2)?,
            prenom: r.get(3)?,
            // The CHECK constraint of the table only admits known codes.
            sexe: Sexe::from_code(&sexe).unwrap_or(Sexe::I),
            date_naissance: NaiveDate::parse_from_str(&naissance, "%Y-%m-%d").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    5,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            code_postal: r.get(6)?,
            commune: r.get(7)?,
            code_insee: r.get(8)?,
            telephone: r.get(9)?,
            medecin_traitant: r.get(10)?,
            medecin_traitant_rpps: r.get(11)?,
            poids_kg: r.get(12)?,
            taille_cm: r.get(13)?,
            allergies: r.get(14)?,
            antecedents: r.get(15)?,
        },
        created_at: r.get(16)?,
        updated_at: r.get(17)?,
        created_by: r.get(18)?,
        updated_by: r.get(19)?,
    })
}

fn valider(identite: &Identite, aujourdhui: NaiveDate) -> Result<Identite, StoreError> {
    let i = identite.normalisee();
    if let Err(mut errors) = i.valider(aujourdhui) {
        return Err(errors.remove(0).into());
    }
    Ok(i)
}

/// Adds a patient after validating the identity. `aujourdhui` is the local date (a birth date in the
/// future is refused).
pub fn creer(
    tx: &Transaction<'_>,
    identite: &Identite,
    aujourdhui: NaiveDate,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let i = valider(identite, aujourdhui)?;
    tx.prepare_cached(
        "INSERT INTO patient (nom, nom_naissance, prenom, sexe, date_naissance, code_postal, commune, code_insee,
             telephone, medecin_traitant, medecin_traitant_rpps, poids_kg, taille_cm, allergies, antecedents,
             nom_recherche, nom_naissance_recherche, created_at, updated_at, created_by, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?19)",
    )?
    .execute(rusqlite::params![
        i.nom,
        i.nom_naissance,
        i.prenom,
        i.sexe.code(),
        i.date_naissance.format("%Y-%m-%d").to_string(),
        i.code_postal,
        i.commune,
        i.code_insee,
        i.telephone,
        i.medecin_traitant,
        i.medecin_traitant_rpps,
        i.poids_kg,
        i.taille_cm,
        i.allergies,
        i.antecedents,
        cle_recherche(&i.nom),
        cle_recherche(&i.nom_naissance),
        now,
        acteur,
    ])?;
    let id = tx.last_insert_rowid();
    audit::append(tx, acteur, Action::Creation, "patient", Some(id), "", now)?;
    Ok(id)
}

/// Changes a patient's identity; the audit entry names the changed fields (not their values).
pub fn modifier(
    tx: &Transaction<'_>,
    id: i64,
    identite: &Identite,
    aujourdhui: NaiveDate,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let i = valider(identite, aujourdhui)?;
    let avant = tx
        .query_row(
            &format!("SELECT {COLONNES} FROM patient WHERE id = ?1"),
            [id],
            lire,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("patient {id}")))?;
    let champs = champs_modifies(&avant.identite, &i);
    if champs.is_empty() {
        return Ok(());
    }
    tx.execute(
        "UPDATE patient SET nom = ?1, nom_naissance = ?2, prenom = ?3, sexe = ?4, date_naissance = ?5,
             code_postal = ?6, commune = ?7, code_insee = ?8, telephone = ?9, medecin_traitant = ?10,
             medecin_traitant_rpps = ?11, poids_kg = ?12, taille_cm = ?13, allergies = ?14, antecedents = ?15,
             nom_recherche = ?16, nom_naissance_recherche = ?17, updated_at = ?18, updated_by = ?19
         WHERE id = ?20",
        rusqlite::params![
            i.nom,
            i.nom_naissance,
            i.prenom,
            i.sexe.code(),
            i.date_naissance.format("%Y-%m-%d").to_string(),
            i.code_postal,
            i.commune,
            i.code_insee,
            i.telephone,
            i.medecin_traitant,
            i.medecin_traitant_rpps,
            i.poids_kg,
            i.taille_cm,
            i.allergies,
            i.antecedents,
            cle_recherche(&i.nom),
            cle_recherche(&i.nom_naissance),
            now,
            acteur,
            id,
        ],
    )?;
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "patient",
        Some(id),
        &champs.join(", "),
        now,
    )?;
    Ok(())
}

fn champs_modifies(a: &Identite, b: &Identite) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut cmp = |champ: &'static str, same: bool| {
        if !same {
            out.push(champ);
        }
    };
    cmp("nom", a.nom == b.nom);
    cmp("nom_naissance", a.nom_naissance == b.nom_naissance);
    cmp("prenom", a.prenom == b.prenom);
    cmp("sexe", a.sexe == b.sexe);
    cmp("date_naissance", a.date_naissance == b.date_naissance);
    cmp("code_postal", a.code_postal == b.code_postal);
    cmp("commune", a.commune == b.commune);
    cmp("code_insee", a.code_insee == b.code_insee);
    cmp("telephone", a.telephone == b.telephone);
    cmp(
        "medecin_traitant",
        a.medecin_traitant == b.medecin_traitant
            && a.medecin_traitant_rpps == b.medecin_traitant_rpps,
    );
    cmp("poids_kg", a.poids_kg == b.poids_kg);
    cmp("taille_cm", a.taille_cm == b.taille_cm);
    cmp("allergies", a.allergies == b.allergies);
    cmp("antecedents", a.antecedents == b.antecedents);
    out
}

/// Fills the search keys of rows written before they existed (schema 2 and older), or emptied by
/// migration 0012 (keys made before the program's one folding table, `appligarde_domain::texte`).
/// Rows written since always have them, so the index on `nom_recherche` finds the empty ones at once.
pub(crate) fn remplir_cles_recherche(conn: &Connection) -> Result<(), StoreError> {
    let manquants: Vec<(i64, String, String)> = conn
        .prepare(
            "SELECT id, nom, nom_naissance FROM patient WHERE nom_recherche = '' AND nom <> ''",
        )?
        .query_map([], |r| {
            let (nom, nom_naissance): (String, String) = (r.get(1)?, r.get(2)?);
            Ok((
                r.get(0)?,
                cle_recherche(&nom),
                cle_recherche(&nom_naissance),
            ))
        })?
        .collect::<Result<_, _>>()?;
    if manquants.is_empty() {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| {
        let mut stmt = conn.prepare(
            "UPDATE patient SET nom_recherche = ?1, nom_naissance_recherche = ?2 WHERE id = ?3",
        )?;
        for (id, cle, cle_naissance) in &manquants {
            stmt.execute((cle, cle_naissance, id))?;
        }
        Ok::<_, rusqlite::Error>(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e.into());
        }
    }
    Ok(())
}

/// The patients born on `date_naissance` who are probably the same person as `identite`.
pub fn doublons(conn: &Connection, identite: &Identite) -> Result<Vec<Patient>, StoreError> {
    let i = identite.normalisee();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLONNES} FROM patient WHERE date_naissance = ?1 ORDER BY id"
    ))?;
    let candidats: Vec<Patient> = stmt
        .query_map([i.date_naissance.format("%Y-%m-%d").to_string()], lire)?
        .collect::<Result<_, _>>()?;
    Ok(candidats
        .into_iter()
        .filter(|p| doublon_probable(&p.identite, &i))
        .collect())
}

impl Store {
    pub fn patient(&self, id: i64) -> Result<Option<Patient>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLONNES} FROM patient WHERE id = ?1"),
                [id],
                lire,
            )
            .optional()?)
    }

    /// Finds patients by the start of their name (usual or birth name, accents and case ignored),
    /// optionally their first name's start and their birth date; at most `limite`, by name. With an
    /// empty name, the birth date alone is searched; with neither, nothing is returned.
    pub fn rechercher_patients(
        &self,
        nom: &str,
        prenom: &str,
        date_naissance: Option<NaiveDate>,
        limite: u32,
    ) -> Result<Vec<Patient>, StoreError> {
        let cle = cle_recherche(nom);
        let prenom = cle_recherche(prenom);
        let naissance = date_naissance.map(|d| d.format("%Y-%m-%d").to_string());
        let garde_prenom = |p: &Patient| {
            prenom.is_empty() || cle_recherche(&p.identite.prenom).starts_with(&prenom)
        };
        let mut out: Vec<Patient> = Vec::new();
        let mut collect = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<(), StoreError> {
            let mut stmt = self.conn().prepare_cached(sql)?;
            let mut rows = stmt.query(params)?;
            while let Some(r) = rows.next()? {
                if out.len() >= limite as usize {
                    break;
                }
                let p = lire(r)?;
                if garde_prenom(&p) && !out.iter().any(|o| o.id == p.id) {
                    out.push(p);
                }
            }
            Ok(())
        };
        if cle.is_empty() {
            let Some(naissance) = naissance else {
                return Ok(Vec::new());
            };
            collect(
                &format!(
                    "SELECT {COLONNES} FROM patient WHERE date_naissance = ?1 ORDER BY nom_recherche, prenom"
                ),
                &[&naissance],
            )?;
            return Ok(out);
        }
        // Prefix ranges on the name keys use their indexes.
        let fin = format!("{cle}\u{10FFFF}");
        for colonne in ["nom_recherche", "nom_naissance_recherche"] {
            collect(
                &format!(
                    "SELECT {COLONNES} FROM patient
                     WHERE {colonne} >= ?1 AND {colonne} < ?2 AND (?3 IS NULL OR date_naissance = ?3)
                     ORDER BY {colonne}, prenom, date_naissance"
                ),
                &[&cle, &fin, &naissance],
            )?;
        }
        Ok(out)
    }

    /// See [`doublons`].
    pub fn doublons_patient(&self, identite: &Identite) -> Result<Vec<Patient>, StoreError> {
        doublons(self.conn(), identite)
    }
}
