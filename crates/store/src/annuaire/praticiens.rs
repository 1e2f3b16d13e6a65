//! Practitioners of the RPPS as stored (with all their sites, active or not), and a doctor of the
//! annuaire made a user of the MMG.

use appligarde_domain::{DomainError, garde::Role, luhn};
use rusqlite::{OptionalExtension, Transaction};

use super::sql::{get_u64, label_sql};
use crate::{Store, StoreError, utilisateur};

/// A site of a practitioner, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePraticien {
    pub site_key: i64,
    pub savoir_faire: String,
    pub mode_exercice: String,
    pub raison_sociale: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    pub departement: String,
    pub telephone: String,
    pub telephone2: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    pub actif: bool,
}

/// A practitioner of the RPPS with all their sites, active or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Praticien {
    pub rpps: String,
    pub nom: String,
    pub prenom: String,
    pub civilite: String,
    pub profession_code: String,
    pub profession: String,
    pub specialite_code: String,
    pub specialite: String,
    pub actif: bool,
    /// Active sites first, then by commune.
    pub sites: Vec<SitePraticien>,
}

/// Columns read by [`site_from_row`], labels looked up in the vocabulary.
pub(super) fn site_columns() -> String {
    format!(
        "site_key, {}, {}, raison_sociale, adresse, code_postal, commune, code_insee, departement,
         telephone, telephone2, fax, email, mssante, actif",
        label_sql("s", "savoir_faire_code"),
        label_sql("m", "mode_exercice_code")
    )
}

pub(super) fn site_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SitePraticien> {
    Ok(SitePraticien {
        site_key: r.get(0)?,
        savoir_faire: r.get(1)?,
        mode_exercice: r.get(2)?,
        raison_sociale: r.get(3)?,
        adresse: r.get(4)?,
        code_postal: r.get(5)?,
        commune: r.get(6)?,
        code_insee: r.get(7)?,
        departement: r.get(8)?,
        telephone: r.get(9)?,
        telephone2: r.get(10)?,
        fax: r.get(11)?,
        email: r.get(12)?,
        mssante: r.get(13)?,
        actif: r.get(14)?,
    })
}

fn praticien_in(conn: &rusqlite::Connection, rpps: &str) -> Result<Option<Praticien>, StoreError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT rpps, nom, prenom, civilite, profession_code, {}, specialite_code, {},
                        actif
                 FROM praticien WHERE rpps = ?1",
                label_sql("p", "profession_code"),
                label_sql("s", "specialite_code")
            ),
            [rpps],
            |r| {
                Ok(Praticien {
                    rpps: r.get(0)?,
                    nom: r.get(1)?,
                    prenom: r.get(2)?,
                    civilite: r.get(3)?,
                    profession_code: r.get(4)?,
                    profession: r.get(5)?,
                    specialite_code: r.get(6)?,
                    specialite: r.get(7)?,
                    actif: r.get(8)?,
                    sites: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut p) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM praticien_site WHERE rpps = ?1 ORDER BY actif DESC, commune, site_key",
        site_columns()
    ))?;
    p.sites = stmt
        .query_map([rpps], site_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Some(p))
}

impl Store {
    /// A practitioner by RPPS number, active or not (inactive ones stay: letters refer to them).
    pub fn praticien(&self, rpps: &str) -> Result<Option<Praticien>, StoreError> {
        praticien_in(self.conn(), rpps.trim())
    }

    /// Number of practitioners, active and all.
    pub fn praticiens_count(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(actif), 0), count(*) FROM praticien",
            [],
            |r| Ok((get_u64(r, 0)?, get_u64(r, 1)?)),
        )?)
    }
}

/// Adds a doctor of the annuaire as a user of the MMG (role `medecin`, no password: the
/// password is set by the user-management screens), created by `acteur` (for the audit log).
/// Returns the new user's id.
pub fn utilisateur_depuis_rpps(
    tx: &Transaction<'_>,
    rpps: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let rpps = rpps.trim();
    if !luhn::is_valid_rpps(rpps) {
        return Err(DomainError::field(
            "rpps",
            "Le numéro RPPS doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
        )
        .into());
    }
    let Some(p) = praticien_in(tx, rpps)? else {
        return Err(DomainError::field(
            "rpps",
            format!(
                "Le numéro RPPS {rpps} n'est pas dans l'annuaire ; importez d'abord le fichier RPPS de votre département."
            ),
        )
        .into());
    };
    if !p.actif {
        return Err(DomainError::field(
            "rpps",
            format!(
                "{} {} n'est plus dans le dernier fichier RPPS importé (praticien inactif).",
                p.prenom, p.nom
            ),
        )
        .into());
    }
    if p.profession_code != "10" {
        return Err(DomainError::field(
            "rpps",
            format!(
                "{} {} n'est pas médecin ({}) : seul un médecin peut être ajouté comme médecin de garde.",
                p.prenom, p.nom, p.profession
            ),
        )
        .into());
    }
    let deja: Option<i64> = tx
        .query_row("SELECT id FROM utilisateur WHERE rpps = ?1", [rpps], |r| {
            r.get(0)
        })
        .optional()?;
    if deja.is_some() {
        return Err(DomainError::field(
            "rpps",
            format!("{} {} est déjà un utilisateur de la MMG.", p.prenom, p.nom),
        )
        .into());
    }
    let specialite = (!p.specialite.is_empty()).then_some(p.specialite.as_str());
    utilisateur::creer(
        tx,
        &utilisateur::NewUtilisateur {
            nom: &p.nom,
            prenom: &p.prenom,
            role: Role::Medecin,
            rpps: Some(rpps),
            specialite,
        },
        false,
        None,
        acteur,
        now,
    )
}
