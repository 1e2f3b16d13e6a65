//! Queries of the `utilisateur` table: the people who use the program at the MMG.

use crate::{Store, StoreError};
use appligarde_domain::{DomainError, garde::Role, luhn};
use rusqlite::Transaction;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utilisateur {
    pub id: i64,
    pub nom: String,
    pub prenom: String,
    pub role: Role,
    pub rpps: Option<String>,
    pub specialite: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewUtilisateur<'a> {
    pub nom: &'a str,
    pub prenom: &'a str,
    pub role: Role,
    pub rpps: Option<&'a str>,
    pub specialite: Option<&'a str>,
}

/// Adds a user; a doctor needs a valid RPPS number (11 digits with its Luhn key).
pub fn insert(
    tx: &Transaction<'_>,
    user: &NewUtilisateur<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    if user.nom.trim().is_empty() || user.prenom.trim().is_empty() {
        return Err(DomainError::field("nom", "Le nom et le prénom sont obligatoires.").into());
    }
    if let Some(rpps) = user.rpps {
        if !luhn::is_valid_rpps(rpps) {
            return Err(DomainError::field(
                "rpps",
                "Le numéro RPPS doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
            )
            .into());
        }
    } else if user.role == Role::Medecin {
        return Err(
            DomainError::field("rpps", "Le numéro RPPS d'un médecin est obligatoire.").into(),
        );
    }
    tx.execute(
        "INSERT INTO utilisateur (nom, prenom, role, rpps, specialite, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (user.nom.trim(), user.prenom.trim(), user.role.code(), user.rpps, user.specialite, now),
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Active users, doctors first, by name.
    pub fn utilisateurs(&self) -> Result<Vec<Utilisateur>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, nom, prenom, role, rpps, specialite FROM utilisateur WHERE actif = 1
             ORDER BY role <> 'medecin', nom, prenom",
        )?;
        let rows = stmt.query_map([], |r| {
            let role: String = r.get(3)?;
            Ok(Utilisateur {
                id: r.get(0)?,
                nom: r.get(1)?,
                prenom: r.get(2)?,
                role: Role::from_code(&role).unwrap_or(Role::Accueil),
                rpps: r.get(4)?,
                specialite: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
