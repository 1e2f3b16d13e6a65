//! Queries of the `utilisateur` table: the people who use the program at the MMG.
//!
//! Passwords are stored as argon2 PHC strings made by the API; this module never sees a password.

use crate::{Store, StoreError, audit};
use appligarde_domain::{DomainError, audit::Action, garde::Role, luhn};
use rusqlite::{OptionalExtension, Transaction};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utilisateur {
    pub id: i64,
    pub nom: String,
    pub prenom: String,
    pub role: Role,
    pub rpps: Option<String>,
    pub specialite: Option<String>,
    /// May manage users, settings and read the audit log (role `admin`, or a doctor given the right).
    pub est_admin: bool,
    pub actif: bool,
    /// The user has a password and so can log in.
    pub peut_se_connecter: bool,
    /// When the row was created and last changed (UTC text), and by which users (`None`: the first
    /// admin of a new installation, or the program itself).
    pub created_at: String,
    pub updated_at: Option<String>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUtilisateur<'a> {
    pub nom: &'a str,
    pub prenom: &'a str,
    pub role: Role,
    pub rpps: Option<&'a str>,
    pub specialite: Option<&'a str>,
}

/// The rules of a user's identity: names, and a valid RPPS number for a doctor.
pub fn valider(user: &NewUtilisateur<'_>) -> Result<(), StoreError> {
    if user.nom.trim().is_empty() || user.prenom.trim().is_empty() {
        return Err(DomainError::field("nom", "Le nom et le prénom sont obligatoires.").into());
    }
    if let Some(rpps) = user.rpps {
        if !luhn::is_valid_rpps(rpps.trim()) {
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
    Ok(())
}

fn unique_rpps(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("rpps") =>
        {
            DomainError::field("rpps", "Un utilisateur de la MMG a déjà ce numéro RPPS.").into()
        }
        other => other.into(),
    }
}

/// Adds a user without a password (it cannot log in until one is set).
pub fn insert(
    tx: &Transaction<'_>,
    user: &NewUtilisateur<'_>,
    now: &str,
) -> Result<i64, StoreError> {
    creer(tx, user, false, None, None, now)
}

/// Adds a user, with its admin right, the hash of its password, and who created it.
pub fn creer(
    tx: &Transaction<'_>,
    user: &NewUtilisateur<'_>,
    est_admin: bool,
    mot_de_passe: Option<&str>,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    valider(user)?;
    tx.execute(
        "INSERT INTO utilisateur (nom, prenom, role, rpps, specialite, created_at, updated_at, est_admin,
                                  mot_de_passe, created_by, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?9)",
        (
            user.nom.trim(),
            user.prenom.trim(),
            user.role.code(),
            user.rpps.map(str::trim),
            user.specialite.map(str::trim).filter(|s| !s.is_empty()),
            now,
            est_admin || user.role == Role::Admin,
            mot_de_passe,
            acteur,
        ),
    )
    .map_err(unique_rpps)?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        acteur,
        Action::Creation,
        "utilisateur",
        Some(id),
        "",
        now,
    )?;
    Ok(id)
}

/// Changes a user's identity, role, admin right and active flag.
pub fn modifier(
    tx: &Transaction<'_>,
    id: i64,
    user: &NewUtilisateur<'_>,
    est_admin: bool,
    actif: bool,
    acteur: i64,
    now: &str,
) -> Result<(), StoreError> {
    valider(user)?;
    let n = tx
        .execute(
            "UPDATE utilisateur SET nom = ?1, prenom = ?2, role = ?3, rpps = ?4, specialite = ?5,
                 est_admin = ?6, actif = ?7, updated_at = ?8, updated_by = ?9
             WHERE id = ?10",
            (
                user.nom.trim(),
                user.prenom.trim(),
                user.role.code(),
                user.rpps.map(str::trim),
                user.specialite.map(str::trim).filter(|s| !s.is_empty()),
                est_admin || user.role == Role::Admin,
                actif,
                now,
                acteur,
                id,
            ),
        )
        .map_err(unique_rpps)?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("utilisateur {id}")));
    }
    let admins: i64 = tx.query_row(
        "SELECT count(*) FROM utilisateur WHERE est_admin = 1 AND actif = 1 AND mot_de_passe IS NOT NULL",
        [],
        |r| r.get(0),
    )?;
    if admins == 0 {
        return Err(DomainError::field(
            "est_admin",
            "La MMG doit garder au moins un administrateur actif.",
        )
        .into());
    }
    audit::append(
        tx,
        Some(acteur),
        Action::Modification,
        "utilisateur",
        Some(id),
        "",
        now,
    )?;
    Ok(())
}

/// Sets the password hash of a user.
pub fn definir_mot_de_passe(
    tx: &Transaction<'_>,
    id: i64,
    hash: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE utilisateur SET mot_de_passe = ?1, updated_at = ?2, updated_by = ?3 WHERE id = ?4",
        (hash, now, acteur, id),
    )?;
    if n == 0 {
        return Err(StoreError::NotFound(format!("utilisateur {id}")));
    }
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "utilisateur",
        Some(id),
        "mot de passe",
        now,
    )?;
    Ok(())
}

const COLONNES: &str =
    "id, nom, prenom, role, rpps, specialite, est_admin, actif, mot_de_passe IS NOT NULL,
     created_at, updated_at, created_by, updated_by";

fn lire(r: &rusqlite::Row<'_>) -> rusqlite::Result<Utilisateur> {
    let role: String = r.get(3)?;
    Ok(Utilisateur {
        id: r.get(0)?,
        nom: r.get(1)?,
        prenom: r.get(2)?,
        // The CHECK constraint of the table only admits known codes.
        role: Role::from_code(&role).unwrap_or(Role::Accueil),
        rpps: r.get(4)?,
        specialite: r.get(5)?,
        est_admin: r.get(6)?,
        actif: r.get(7)?,
        peut_se_connecter: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        created_by: r.get(11)?,
        updated_by: r.get(12)?,
    })
}

impl Store {
    /// Active users, doctors first, by name.
    pub fn utilisateurs(&self) -> Result<Vec<Utilisateur>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLONNES} FROM utilisateur WHERE actif = 1 ORDER BY role <> 'medecin', nom, prenom"
        ))?;
        let rows = stmt.query_map([], lire)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every user, the inactive ones included (the admin's list).
    pub fn tous_les_utilisateurs(&self) -> Result<Vec<Utilisateur>, StoreError> {
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {COLONNES} FROM utilisateur ORDER BY actif DESC, role <> 'medecin', nom, prenom"
        ))?;
        let rows = stmt.query_map([], lire)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn utilisateur(&self, id: i64) -> Result<Option<Utilisateur>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {COLONNES} FROM utilisateur WHERE id = ?1"),
                [id],
                lire,
            )
            .optional()?)
    }

    /// The password hash of an active user, for the login check.
    pub fn mot_de_passe(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT mot_de_passe FROM utilisateur WHERE id = ?1 AND actif = 1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// True once some active user can log in; before that the program offers to create the first admin.
    pub fn a_des_comptes(&self) -> Result<bool, StoreError> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM utilisateur WHERE actif = 1 AND mot_de_passe IS NOT NULL)",
            [],
            |r| r.get(0),
        )?)
    }
}
