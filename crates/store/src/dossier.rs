//! Patient rights: everything recorded about one patient (right of access), and the retention of
//! records (the patients whose last visit is older than the configured period, and their purge).
//!
//! "Everything" is found by walking the foreign keys of the schema from the `patient` row: the
//! consultations, their diagnoses, acts and versions, and any table a later migration adds that
//! references them (documents, invoices…), without this module having to know it. The audit journal
//! is never purged: its entries name records, not their content, and the chain must stay whole.

use crate::{Store, StoreError, audit};
use appligarde_domain::audit::Action;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Transaction};
use std::collections::BTreeMap;

/// One row, column name -> value.
pub type Ligne = serde_json::Map<String, serde_json::Value>;

/// Tables that are never part of a patient's record: the audit journal (kept whole) and bookkeeping.
const HORS_DOSSIER: &[&str] = &["journal", "journal_tete", "schema_migrations"];

/// Everything recorded about one patient, table by table (`patient` holds one row), and the audit
/// entries about any of these rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DossierPatient {
    pub tables: BTreeMap<String, Vec<Ligne>>,
    pub journal: Vec<Ligne>,
}

impl DossierPatient {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "tables": self.tables,
            "journal": self.journal,
        })
    }
}

/// (child table, child column, parent column) for every foreign key that references `parent`.
fn enfants(conn: &Connection, parent: &str) -> Result<Vec<(String, String, String)>, StoreError> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for t in tables
        .iter()
        .filter(|t| !HORS_DOSSIER.contains(&t.as_str()))
    {
        let mut stmt =
            conn.prepare("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1)")?;
        let fks = stmt.query_map([t], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        for fk in fks {
            let (to_table, from, to) = fk?;
            if to_table.eq_ignore_ascii_case(parent) {
                out.push((t.clone(), from, to.unwrap_or_else(|| "rowid".to_owned())));
            }
        }
    }
    Ok(out)
}

fn q(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Every (table, condition) of the record of the rows of `table` matching `cond`, parents first.
fn arbre(
    conn: &Connection,
    table: &str,
    cond: String,
    profondeur: u32,
    out: &mut Vec<(String, String)>,
) -> Result<(), StoreError> {
    out.push((table.to_owned(), cond.clone()));
    if profondeur >= 6 {
        return Ok(());
    }
    for (enfant, colonne, parente) in enfants(conn, table)? {
        if enfant == table {
            continue;
        }
        let sous = format!(
            "{} IN (SELECT {} FROM {} WHERE {cond})",
            q(&colonne),
            q(&parente),
            q(table)
        );
        arbre(conn, &enfant, sous, profondeur + 1, out)?;
    }
    Ok(())
}

fn valeur(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => hex::encode(b).into(),
    }
}

fn lignes(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Ligne>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let noms: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query(params)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut ligne = Ligne::new();
        for (i, nom) in noms.iter().enumerate() {
            ligne.insert(nom.clone(), valeur(r.get_ref(i)?));
        }
        out.push(ligne);
    }
    Ok(out)
}

fn dossier_conn(conn: &Connection, patient_id: i64) -> Result<DossierPatient, StoreError> {
    let mut parties = Vec::new();
    arbre(
        conn,
        "patient",
        format!("id = {patient_id}"),
        0,
        &mut parties,
    )?;
    let mut dossier = DossierPatient::default();
    let mut objets: Vec<(String, i64)> = Vec::new();
    for (table, cond) in parties {
        let rows = lignes(
            conn,
            &format!("SELECT * FROM {} WHERE {cond} ORDER BY 1", q(&table)),
            [],
        )?;
        for r in &rows {
            if let Some(id) = r.get("id").and_then(serde_json::Value::as_i64)
                && !objets.contains(&(table.clone(), id))
            {
                objets.push((table.clone(), id));
            }
        }
        let deja = dossier.tables.entry(table).or_default();
        for r in rows {
            // A table reached by two paths (e.g. a document of the patient and of a consultation).
            if !deja.contains(&r) {
                deja.push(r);
            }
        }
    }
    if dossier.tables.get("patient").is_none_or(Vec::is_empty) {
        return Err(StoreError::NotFound("patient".into()));
    }
    let mut stmt = conn.prepare(
        "SELECT id, horodatage, utilisateur_id, action, objet, objet_id, details FROM journal
         WHERE objet = ?1 AND objet_id = ?2 ORDER BY id",
    )?;
    let mut journal = Vec::new();
    for (objet, id) in &objets {
        let noms: Vec<String> = stmt.column_names().map(str::to_owned).collect();
        let mut rows = stmt.query((objet, id))?;
        while let Some(r) = rows.next()? {
            let mut ligne = Ligne::new();
            for (i, nom) in noms.iter().enumerate() {
                ligne.insert(nom.clone(), valeur(r.get_ref(i)?));
            }
            journal.push(ligne);
        }
    }
    journal.sort_by_key(|l| l.get("id").and_then(serde_json::Value::as_i64));
    dossier.journal = journal;
    Ok(dossier)
}

/// A patient whose record is past the retention period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierExpire {
    pub patient_id: i64,
    pub nom: String,
    pub prenom: String,
    pub date_naissance: String,
    /// Date (`YYYY-MM-DD`) of the last visit, or of the record's creation without any visit.
    pub dernier_passage: String,
    pub consultations: u32,
}

const EXPIRES_SQL: &str = "SELECT p.id, p.nom, p.prenom, p.date_naissance,
        coalesce(max(substr(c.arrivee, 1, 10)), substr(p.created_at, 1, 10)) AS dernier,
        count(c.id)
     FROM patient p LEFT JOIN consultation c ON c.patient_id = p.id
     GROUP BY p.id HAVING dernier < ?1 ORDER BY dernier, p.id";

fn expires_conn(conn: &Connection, avant: &str) -> Result<Vec<DossierExpire>, StoreError> {
    let mut stmt = conn.prepare(EXPIRES_SQL)?;
    let rows = stmt.query_map([avant], |r| {
        Ok(DossierExpire {
            patient_id: r.get(0)?,
            nom: r.get(1)?,
            prenom: r.get(2)?,
            date_naissance: r.get(3)?,
            dernier_passage: r.get(4)?,
            consultations: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

impl Store {
    /// Everything recorded about patient `patient_id` ([`StoreError::NotFound`] when there is none).
    pub fn dossier_patient(&self, patient_id: i64) -> Result<DossierPatient, StoreError> {
        dossier_conn(self.conn(), patient_id)
    }

    /// The patients whose last visit is before `avant` (`YYYY-MM-DD`), oldest first.
    pub fn dossiers_expires(&self, avant: &str) -> Result<Vec<DossierExpire>, StoreError> {
        expires_conn(self.conn(), avant)
    }
}

/// Deletes the records of `patient_ids` (each must still be past the retention date `avant`), with
/// everything that references them, and records one journal entry per patient. Returns the number of
/// rows deleted. Append-only guards of the deleted tables are lifted for the purge only, inside the
/// same transaction; the journal itself is never touched.
pub fn purger(
    tx: &Transaction<'_>,
    patient_ids: &[i64],
    avant: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<u64, StoreError> {
    let expires: BTreeMap<i64, DossierExpire> = expires_conn(tx, avant)?
        .into_iter()
        .map(|d| (d.patient_id, d))
        .collect();
    let mut total = 0u64;
    for &id in patient_ids {
        let Some(d) = expires.get(&id) else {
            return Err(appligarde_domain::DomainError::field(
                "patients",
                format!(
                    "Le dossier n° {id} n'a pas dépassé la durée de conservation (ou n'existe plus) : il n'est pas supprimé."
                ),
            )
            .into());
        };
        let mut parties = Vec::new();
        arbre(tx, "patient", format!("id = {id}"), 0, &mut parties)?;
        // Children first, so that no foreign key is left dangling.
        for (table, cond) in parties.iter().rev() {
            let gardes: Vec<(String, String)> = tx
                .prepare(
                    "SELECT name, sql FROM sqlite_master
                     WHERE type = 'trigger' AND tbl_name = ?1 AND sql LIKE '%DELETE%'",
                )?
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (nom, _) in &gardes {
                tx.execute_batch(&format!("DROP TRIGGER {}", q(nom)))?;
            }
            let n = tx.execute(&format!("DELETE FROM {} WHERE {cond}", q(table)), [])?;
            total += n as u64;
            for (_, sql) in &gardes {
                tx.execute_batch(sql)?;
            }
        }
        audit::append(
            tx,
            acteur,
            Action::Modification,
            "patient",
            Some(id),
            &format!(
                "dossier supprimé : durée de conservation dépassée ({} consultation(s))",
                d.consultations
            ),
            now,
        )?;
    }
    Ok(total)
}
