//! Queries of the documents tables: the prescription lines of a consultation (`prescription_ligne`),
//! the MMG's ordonnances types (`ordonnance_type`) and every printed document (`document_imprime`).
//!
//! A print is recorded with the exact input rendered (JSON made by the API) and the SHA-256 of the
//! PDF, and appends an `impression` entry to the audit log in the same transaction: a document is
//! never printed without a trace, and a trace never exists without its document. The store does not
//! render PDFs: it keeps what the API gives it.

use crate::{Store, StoreError, audit};
use appligarde_domain::{DomainError, audit::Action};
use rusqlite::{OptionalExtension, Transaction};

/// One drug line of a prescription, as typed or chosen from the BDPM.
#[derive(Clone, PartialEq, Default)]
pub struct LignePrescription {
    pub medicament: String,
    pub dci: String,
    pub dosage: String,
    pub forme: String,
    pub posologie: String,
    pub duree_ou_quantite: String,
    pub renouvellements: u8,
    pub non_substituable: bool,
    /// MTE, EFG or CIF: the reason printed with "non substituable".
    pub mention_non_substituable: String,
    /// BDPM code when chosen from the database.
    pub cis: Option<String>,
}

// Drug names are clinical data: never in logs.
impl std::fmt::Debug for LignePrescription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LignePrescription(<redacted>)")
    }
}

/// Most renewals a line may carry (a year of monthly renewals).
pub const RENOUVELLEMENTS_MAX: u8 = 12;

fn consultation_existe(tx: &Transaction<'_>, id: i64) -> Result<(), StoreError> {
    let n: i64 = tx
        .prepare_cached("SELECT count(*) FROM consultation WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("consultation {id}")));
    }
    Ok(())
}

/// Replaces the prescription of a consultation with `lignes` (in print order) and records the change
/// in the audit log. Blank lines are the caller's to drop; a line without any drug is refused.
pub fn enregistrer_prescription(
    tx: &Transaction<'_>,
    consultation_id: i64,
    lignes: &[LignePrescription],
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    consultation_existe(tx, consultation_id)?;
    for (i, l) in lignes.iter().enumerate() {
        if l.medicament.trim().is_empty() && l.dci.trim().is_empty() {
            return Err(DomainError::field(
                "prescription",
                format!("Ligne {} : indiquez le médicament ou sa DCI.", i + 1),
            )
            .into());
        }
        if l.renouvellements > RENOUVELLEMENTS_MAX {
            return Err(DomainError::field(
                "prescription",
                format!(
                    "Ligne {} : au plus {RENOUVELLEMENTS_MAX} renouvellements.",
                    i + 1
                ),
            )
            .into());
        }
    }
    tx.prepare_cached("DELETE FROM prescription_ligne WHERE consultation_id = ?1")?
        .execute([consultation_id])?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO prescription_ligne (consultation_id, rang, medicament, dci, dosage, forme, posologie,
             duree_ou_quantite, renouvellements, non_substituable, mention_non_substituable, cis)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for (rang, l) in lignes.iter().enumerate() {
        insert.execute(rusqlite::params![
            consultation_id,
            rang as i64,
            l.medicament.trim(),
            l.dci.trim(),
            l.dosage.trim(),
            l.forme.trim(),
            l.posologie.trim(),
            l.duree_ou_quantite.trim(),
            l.renouvellements,
            l.non_substituable,
            if l.non_substituable {
                l.mention_non_substituable.trim()
            } else {
                ""
            },
            l.cis.as_deref().map(str::trim).filter(|c| !c.is_empty()),
        ])?;
    }
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "consultation",
        Some(consultation_id),
        &format!("prescription : {} ligne(s)", lignes.len()),
        now,
    )?;
    Ok(())
}

/// A template as stored: its lines are JSON in the API's wire shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdonnanceTypeStockee {
    pub id: i64,
    pub nom: String,
    pub lignes_json: String,
    pub updated_at: String,
}

fn nom_unique(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            DomainError::field("nom", "Une ordonnance type porte déjà ce nom.").into()
        }
        other => other.into(),
    }
}

/// Inserts the built-in templates when the MMG has none yet (active or removed): the first list
/// shows them, and a template the MMG removed never comes back.
pub fn initialiser_ordonnances_types(
    tx: &Transaction<'_>,
    modeles: &[(String, String)],
    now: &str,
) -> Result<bool, StoreError> {
    let n: i64 = tx.query_row("SELECT count(*) FROM ordonnance_type", [], |r| r.get(0))?;
    if n > 0 {
        return Ok(false);
    }
    let mut insert = tx.prepare_cached(
        "INSERT INTO ordonnance_type (nom, lignes, actif, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?3)",
    )?;
    for (nom, lignes) in modeles {
        insert.execute((nom, lignes, now)).map_err(nom_unique)?;
    }
    Ok(true)
}

/// Creates (`id` = None) or replaces a template; audited.
pub fn enregistrer_ordonnance_type(
    tx: &Transaction<'_>,
    id: Option<i64>,
    nom: &str,
    lignes_json: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let nom = nom.trim();
    if nom.is_empty() {
        return Err(DomainError::field("nom", "Donnez un nom à l'ordonnance type.").into());
    }
    let (id, action) = match id {
        Some(id) => {
            let n = tx
                .prepare_cached(
                    "UPDATE ordonnance_type SET nom = ?2, lignes = ?3, updated_at = ?4, updated_by = ?5
                     WHERE id = ?1 AND actif = 1",
                )?
                .execute(rusqlite::params![id, nom, lignes_json, now, acteur])
                .map_err(nom_unique)?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("ordonnance type {id}")));
            }
            (id, Action::Modification)
        }
        None => {
            tx.prepare_cached(
                "INSERT INTO ordonnance_type (nom, lignes, actif, created_at, updated_at, updated_by)
                 VALUES (?1, ?2, 1, ?3, ?3, ?4)",
            )?
            .execute(rusqlite::params![nom, lignes_json, now, acteur])
            .map_err(nom_unique)?;
            (tx.last_insert_rowid(), Action::Creation)
        }
    };
    audit::append(tx, acteur, action, "ordonnance_type", Some(id), "", now)?;
    Ok(id)
}

/// Removes a template from the list (kept inactive); audited.
pub fn retirer_ordonnance_type(
    tx: &Transaction<'_>,
    id: i64,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let n = tx
        .prepare_cached(
            "UPDATE ordonnance_type SET actif = 0, updated_at = ?2, updated_by = ?3 WHERE id = ?1 AND actif = 1",
        )?
        .execute(rusqlite::params![id, now, acteur])?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("ordonnance type {id}")));
    }
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "ordonnance_type",
        Some(id),
        "retirée",
        now,
    )?;
    Ok(())
}

/// The kinds of printed documents (codes of `document_imprime.nature`).
pub const NATURES: &[&str] = &["ordonnance", "medecin_traitant", "urgences", "certificat"];

/// A document about to be recorded.
#[derive(Clone)]
pub struct NouveauDocument<'a> {
    pub consultation_id: i64,
    /// One of [`NATURES`].
    pub nature: &'a str,
    /// The exact input rendered, as JSON.
    pub entree_json: &'a str,
    /// SHA-256 of the PDF, lowercase hex.
    pub empreinte: &'a str,
    pub destinataire_cle: Option<&'a str>,
    pub destinataire: &'a str,
    pub reimpression_de: Option<i64>,
}

/// Records a printed document and its audit entry (one transaction); returns its id.
pub fn enregistrer_impression(
    tx: &Transaction<'_>,
    doc: &NouveauDocument<'_>,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    consultation_existe(tx, doc.consultation_id)?;
    if !NATURES.contains(&doc.nature) {
        return Err(DomainError::field("nature", "Type de document inconnu.").into());
    }
    tx.prepare_cached(
        "INSERT INTO document_imprime (consultation_id, nature, imprime_le, auteur_id, entree, empreinte,
             destinataire_cle, destinataire, reimpression_de)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(rusqlite::params![
        doc.consultation_id,
        doc.nature,
        now,
        acteur,
        doc.entree_json,
        doc.empreinte,
        doc.destinataire_cle,
        doc.destinataire,
        doc.reimpression_de,
    ])?;
    let id = tx.last_insert_rowid();
    let details = match doc.reimpression_de {
        Some(de) => format!(
            "{} (document {id}, réimpression du document {de})",
            doc.nature
        ),
        None => format!("{} (document {id})", doc.nature),
    };
    audit::append(
        tx,
        acteur,
        Action::Impression,
        "consultation",
        Some(doc.consultation_id),
        &details,
        now,
    )?;
    Ok(id)
}

/// A recorded print.
#[derive(Clone, PartialEq, Eq)]
pub struct DocumentImprime {
    pub id: i64,
    pub consultation_id: i64,
    pub nature: String,
    pub imprime_le: String,
    pub auteur_id: Option<i64>,
    /// "Prénom Nom" of the author.
    pub auteur: Option<String>,
    pub entree_json: String,
    pub empreinte: String,
    pub destinataire_cle: Option<String>,
    pub destinataire: String,
    pub reimpression_de: Option<i64>,
}

impl std::fmt::Debug for DocumentImprime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentImprime")
            .field("id", &self.id)
            .field("nature", &self.nature)
            .finish_non_exhaustive()
    }
}

const COLONNES_DOC: &str = "d.id, d.consultation_id, d.nature, d.imprime_le, d.auteur_id,
    u.prenom || ' ' || u.nom, d.entree, d.empreinte, d.destinataire_cle, d.destinataire, d.reimpression_de";

fn lire_doc(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocumentImprime> {
    Ok(DocumentImprime {
        id: r.get(0)?,
        consultation_id: r.get(1)?,
        nature: r.get(2)?,
        imprime_le: r.get(3)?,
        auteur_id: r.get(4)?,
        auteur: r.get(5)?,
        entree_json: r.get(6)?,
        empreinte: r.get(7)?,
        destinataire_cle: r.get(8)?,
        destinataire: r.get(9)?,
        reimpression_de: r.get(10)?,
    })
}

impl Store {
    /// The prescription lines of a consultation, in print order.
    pub fn prescription(&self, consultation_id: i64) -> Result<Vec<LignePrescription>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT medicament, dci, dosage, forme, posologie, duree_ou_quantite, renouvellements,
                    non_substituable, mention_non_substituable, cis
             FROM prescription_ligne WHERE consultation_id = ?1 ORDER BY rang",
        )?;
        let rows = stmt.query_map([consultation_id], |r| {
            Ok(LignePrescription {
                medicament: r.get(0)?,
                dci: r.get(1)?,
                dosage: r.get(2)?,
                forme: r.get(3)?,
                posologie: r.get(4)?,
                duree_ou_quantite: r.get(5)?,
                renouvellements: r.get(6)?,
                non_substituable: r.get(7)?,
                mention_non_substituable: r.get(8)?,
                cis: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The active templates, by name.
    pub fn ordonnances_types(&self) -> Result<Vec<OrdonnanceTypeStockee>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, nom, lignes, updated_at FROM ordonnance_type WHERE actif = 1 ORDER BY nom",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OrdonnanceTypeStockee {
                id: r.get(0)?,
                nom: r.get(1)?,
                lignes_json: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The documents printed for a consultation, oldest first.
    pub fn documents_de_consultation(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<DocumentImprime>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLONNES_DOC} FROM document_imprime d LEFT JOIN utilisateur u ON u.id = d.auteur_id
             WHERE d.consultation_id = ?1 ORDER BY d.id"
        ))?;
        let rows = stmt.query_map([consultation_id], lire_doc)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One printed document.
    pub fn document_imprime(&self, id: i64) -> Result<Option<DocumentImprime>, StoreError> {
        Ok(self
            .conn()
            .prepare_cached(&format!(
                "SELECT {COLONNES_DOC} FROM document_imprime d LEFT JOIN utilisateur u ON u.id = d.auteur_id
                 WHERE d.id = ?1"
            ))?
            .query_row([id], lire_doc)
            .optional()?)
    }
}
