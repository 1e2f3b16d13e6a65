//! Queries of the `mmg` table: the MMG's identity (a single row).

use crate::{Store, StoreError};
use appligarde_domain::mmg::MmgIdentity;
use rusqlite::{OptionalExtension, Transaction};

impl Store {
    /// The MMG's identity, or `None` before Paramètres was ever saved.
    pub fn mmg_identity(&self) -> Result<Option<MmgIdentity>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT nom, adresse, code_postal, commune, telephone, email, departement, finess
                 FROM mmg WHERE id = 1",
                [],
                |r| {
                    Ok(MmgIdentity {
                        nom: r.get(0)?,
                        adresse: r.get(1)?,
                        code_postal: r.get(2)?,
                        commune: r.get(3)?,
                        telephone: r.get(4)?,
                        email: r.get(5)?,
                        departement: r.get(6)?,
                        finess: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }
}

/// Saves the MMG's identity after validating it. `now` is the UTC time of the change.
pub fn save_identity(
    tx: &Transaction<'_>,
    identity: &MmgIdentity,
    now: &str,
) -> Result<MmgIdentity, StoreError> {
    let identity = identity.normalized();
    if let Err(mut errors) = identity.validate() {
        return Err(errors.remove(0).into());
    }
    tx.execute(
        "INSERT INTO mmg (id, nom, adresse, code_postal, commune, telephone, email, departement, finess, updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET nom = excluded.nom, adresse = excluded.adresse,
             code_postal = excluded.code_postal, commune = excluded.commune, telephone = excluded.telephone,
             email = excluded.email, departement = excluded.departement, finess = excluded.finess,
             updated_at = excluded.updated_at",
        (
            &identity.nom,
            &identity.adresse,
            &identity.code_postal,
            &identity.commune,
            &identity.telephone,
            &identity.email,
            &identity.departement,
            &identity.finess,
            now,
        ),
    )?;
    Ok(identity)
}

/// Records who changed the MMG's identity (after [`save_identity`], in the same transaction): the
/// row keeps its last author and the audit log an entry.
pub fn noter_modification(
    tx: &Transaction<'_>,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    tx.execute("UPDATE mmg SET updated_by = ?1 WHERE id = 1", [acteur])?;
    crate::audit::append(
        tx,
        acteur,
        appligarde_domain::audit::Action::Modification,
        "mmg",
        Some(1),
        "identité de la MMG",
        now,
    )?;
    Ok(())
}

impl Store {
    /// Who changed the MMG's identity last, and when (UTC text); `None` before it was ever saved.
    pub fn mmg_modification(&self) -> Result<Option<(String, Option<i64>)>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT updated_at, updated_by FROM mmg WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
