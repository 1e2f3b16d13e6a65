//! Sync bookkeeping (migration 0008): the hub this PC is enrolled with, the highest revision of
//! each day and slot the hub acknowledged, the outcome of the attempts and the reference
//! publications applied. The device token is not here (OS keyring or a 0600 file).
//!
//! Days and slots are plain text here (`2026-01-31`, `nuit`): the store does not know the wire
//! protocol; the API converts.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Store, StoreError};

/// The hub this PC is enrolled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inscription {
    pub hub_url: String,
    pub mmg_id: String,
    pub mmg_nom: String,
    pub departement: String,
    pub device_id: String,
    pub inscrit_le: String,
}

/// The outcome of the attempts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EtatSynchro {
    pub derniere_tentative: Option<String>,
    pub dernier_succes: Option<String>,
    pub derniere_erreur: Option<String>,
    pub echecs_consecutifs: u32,
    pub reference_version: u64,
}

/// One reference publication applied here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceAppliquee {
    pub version: u64,
    pub nature: String,
    pub publiee_le: String,
    pub appliquee_le: String,
    pub resume: String,
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

impl Store {
    /// The enrollment of this PC, if any.
    pub fn hub_inscription(&self) -> Result<Option<Inscription>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT hub_url, mmg_id, mmg_nom, departement, device_id, inscrit_le
                 FROM hub_inscription WHERE id = 1",
                [],
                |r| {
                    Ok(Inscription {
                        hub_url: r.get(0)?,
                        mmg_id: r.get(1)?,
                        mmg_nom: r.get(2)?,
                        departement: r.get(3)?,
                        device_id: r.get(4)?,
                        inscrit_le: r.get(5)?,
                    })
                },
            )
            .optional()?)
    }

    /// The acknowledged revision of every (day, slot) sent so far.
    pub fn sync_envois(&self) -> Result<HashMap<(String, String), u64>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare("SELECT jour, creneau, revision FROM sync_envoi")?;
        let rows = stmt.query_map([], |r| {
            Ok(((r.get(0)?, r.get(1)?), to_u64(r.get::<_, i64>(2)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The outcome of the attempts.
    pub fn sync_etat(&self) -> Result<EtatSynchro, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT derniere_tentative, dernier_succes, derniere_erreur, echecs_consecutifs,
                        reference_version
                 FROM sync_etat WHERE id = 1",
                [],
                |r| {
                    Ok(EtatSynchro {
                        derniere_tentative: r.get(0)?,
                        dernier_succes: r.get(1)?,
                        derniere_erreur: r.get(2)?,
                        echecs_consecutifs: u32::try_from(r.get::<_, i64>(3)?).unwrap_or(u32::MAX),
                        reference_version: to_u64(r.get(4)?),
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The publications applied, most recent first.
    pub fn references_appliquees(
        &self,
        limit: usize,
    ) -> Result<Vec<ReferenceAppliquee>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT version, nature, publiee_le, appliquee_le, resume FROM reference_appliquee
             ORDER BY version DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([to_i64(limit as u64)], |r| {
            Ok(ReferenceAppliquee {
                version: to_u64(r.get(0)?),
                nature: r.get(1)?,
                publiee_le: r.get(2)?,
                appliquee_le: r.get(3)?,
                resume: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Records the enrollment of this PC, replacing any previous one. A new enrollment is a new PC
/// for the hub (a new device id): everything is sent again under it, so the acknowledged
/// revisions are forgotten.
pub fn enregistrer_inscription(
    tx: &Transaction<'_>,
    inscription: &Inscription,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO hub_inscription (id, hub_url, mmg_id, mmg_nom, departement, device_id,
                                      inscrit_le)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET hub_url = excluded.hub_url, mmg_id = excluded.mmg_id,
             mmg_nom = excluded.mmg_nom, departement = excluded.departement,
             device_id = excluded.device_id, inscrit_le = excluded.inscrit_le",
        params![
            inscription.hub_url,
            inscription.mmg_id,
            inscription.mmg_nom,
            inscription.departement,
            inscription.device_id,
            inscription.inscrit_le
        ],
    )?;
    tx.execute("DELETE FROM sync_envoi", [])?;
    tx.execute(
        "UPDATE sync_etat SET derniere_erreur = NULL, echecs_consecutifs = 0 WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Records that the hub acknowledged these (day, slot, revision): a revision never goes down.
pub fn marquer_envoyes(
    tx: &Transaction<'_>,
    envois: &[(String, String, u64)],
    now: &str,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare(
        "INSERT INTO sync_envoi (jour, creneau, revision, envoye_le) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (jour, creneau) DO UPDATE SET revision = excluded.revision,
             envoye_le = excluded.envoye_le
         WHERE excluded.revision > sync_envoi.revision",
    )?;
    for (jour, creneau, revision) in envois {
        stmt.execute(params![jour, creneau, to_i64(*revision), now])?;
    }
    Ok(())
}

/// Records the start of an attempt.
pub fn noter_tentative(tx: &Transaction<'_>, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sync_etat SET derniere_tentative = ?1 WHERE id = 1",
        [now],
    )?;
    Ok(())
}

/// Records a complete success: the error is cleared.
pub fn noter_succes(tx: &Transaction<'_>, now: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sync_etat SET dernier_succes = ?1, derniere_erreur = NULL,
             echecs_consecutifs = 0 WHERE id = 1",
        [now],
    )?;
    Ok(())
}

/// Records a failure with its French message.
pub fn noter_erreur(tx: &Transaction<'_>, message: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sync_etat SET derniere_erreur = ?1, echecs_consecutifs = echecs_consecutifs + 1
         WHERE id = 1",
        [message],
    )?;
    Ok(())
}

/// Records that a publication was applied (in the transaction that applied it).
pub fn noter_reference(
    tx: &Transaction<'_>,
    reference: &ReferenceAppliquee,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO reference_appliquee (version, nature, publiee_le, appliquee_le,
                                                     resume)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            to_i64(reference.version),
            reference.nature,
            reference.publiee_le,
            reference.appliquee_le,
            reference.resume
        ],
    )?;
    tx.execute(
        "UPDATE sync_etat SET reference_version = max(reference_version, ?1) WHERE id = 1",
        [to_i64(reference.version)],
    )?;
    Ok(())
}

/// The local annuaire entry published under `cle`, if any.
pub fn entree_publiee(tx: &Transaction<'_>, cle: &str) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .query_row(
            "SELECT entree_id FROM reference_annuaire WHERE cle = ?1",
            [cle],
            |r| r.get(0),
        )
        .optional()?)
}

/// Remembers that the local entry `entree_id` is the one published under `cle`.
pub fn lier_entree_publiee(
    tx: &Transaction<'_>,
    cle: &str,
    entree_id: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR REPLACE INTO reference_annuaire (cle, entree_id) VALUES (?1, ?2)",
        params![cle, entree_id],
    )?;
    Ok(())
}

/// Every (key, local entry id) published so far.
pub fn entrees_publiees(tx: &Transaction<'_>) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = tx.prepare("SELECT cle, entree_id FROM reference_annuaire")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
