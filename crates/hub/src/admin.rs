//! What operators do with `appligarde-hub admin ...`: create MMGs (and their ADOPS and the URML
//! when missing), list them with their PCs and last contact, one-time enrollment codes, retiring
//! a PC, and users. The CLI prints these results; tests
//! call the same functions.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio_postgres::Client;
use tokio_postgres::error::SqlState;

use crate::Error;
use crate::auth::{self, Role};
pub use crate::ids::{is_departement, is_uuid, normalize_code};

/// Days an enrollment code stays valid unless the operator says otherwise.
pub const ENROLLMENT_CODE_DAYS: i64 = 7;
/// Shortest password `create-user` accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Letters of enrollment codes: no 0/O, 1/I, to be read over the phone.
const CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedMmg {
    pub id: String,
    pub name: String,
    pub departement: String,
    pub adops_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnrollmentCode {
    /// Shown once; the hub keeps its hash.
    pub code: String,
    pub mmg_id: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedUser {
    pub id: String,
    pub login: String,
    pub role: String,
    pub departements: Vec<String>,
}

/// One ADOPS (the département's organisation) and its MMGs, for `admin list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdopsListing {
    pub id: String,
    pub name: String,
    pub departement: String,
    pub mmgs: Vec<MmgListing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmgListing {
    pub id: String,
    pub name: String,
    /// PCs enrolled and not revoked.
    pub devices: i64,
    /// Every PC ever enrolled, the active ones first, then by enrollment.
    pub device_list: Vec<DeviceListing>,
}

/// One enrolled PC, for `admin list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceListing {
    pub id: String,
    pub enrolled_at: DateTime<Utc>,
    /// Last authenticated request (to the minute); `None` if it never called after enrolling.
    pub last_seen_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `reenrolled` (replaced by a new enrollment of the same store) or `retired` (by an
    /// operator); `None` while active.
    pub revoked_reason: Option<String>,
}

/// What `admin retire-device` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetiredDevice {
    pub id: String,
    pub mmg_id: String,
    pub revoked_at: DateTime<Utc>,
    /// False when the device was already revoked (nothing changed).
    pub changed: bool,
}

/// Retires the device `device_id`: its token stops working at once (401). What it sent stays
/// counted (those consultations happened); a new enrollment of the same store replaces it and
/// what it sent (see [`crate::enrollment::enroll`]). Retiring a revoked device changes nothing.
pub async fn retire_device(client: &Client, device_id: &str) -> Result<RetiredDevice, Error> {
    let unknown = || Error::InvalidInput(format!("aucun poste n'a l'identifiant « {device_id} »"));
    if !is_uuid(device_id) {
        return Err(unknown());
    }
    let updated = client
        .query_opt(
            "UPDATE device SET revoked_at = now(), revoked_reason = 'retired' \
             WHERE id = $1::text::uuid AND revoked_at IS NULL \
             RETURNING mmg_id::text, revoked_at",
            &[&device_id],
        )
        .await?;
    if let Some(row) = updated {
        return Ok(RetiredDevice {
            id: device_id.to_owned(),
            mmg_id: row.get(0),
            revoked_at: row.get(1),
            changed: true,
        });
    }
    let row = client
        .query_opt(
            "SELECT mmg_id::text, revoked_at FROM device WHERE id = $1::text::uuid",
            &[&device_id],
        )
        .await?
        .ok_or_else(unknown)?;
    Ok(RetiredDevice {
        id: device_id.to_owned(),
        mmg_id: row.get(0),
        revoked_at: row.get(1),
        changed: false,
    })
}

/// The URML's ADOPS by département, each with its MMGs by name and their PCs.
pub async fn list_organisations(client: &Client) -> Result<Vec<AdopsListing>, Error> {
    let rows = client
        .query(
            "SELECT a.id::text, a.name, a.departement, m.id::text, m.name, \
                    (SELECT count(*) FROM device d \
                     WHERE d.mmg_id = m.id AND d.revoked_at IS NULL) \
             FROM organisation a \
             LEFT JOIN organisation m ON m.parent_id = a.id AND m.kind = 'mmg' \
             WHERE a.kind = 'adops' \
             ORDER BY a.departement, m.name, m.id",
            &[],
        )
        .await?;
    let mut listing: Vec<AdopsListing> = Vec::new();
    for row in rows {
        let id: String = row.get(0);
        if listing.last().is_none_or(|a| a.id != id) {
            listing.push(AdopsListing {
                id,
                name: row.get(1),
                departement: row.get(2),
                mmgs: Vec::new(),
            });
        }
        if let (Some(adops), Some(mmg_id)) = (listing.last_mut(), row.get::<_, Option<String>>(3)) {
            adops.mmgs.push(MmgListing {
                id: mmg_id,
                name: row.get(4),
                devices: row.get(5),
                device_list: Vec::new(),
            });
        }
    }
    let devices = client
        .query(
            "SELECT mmg_id::text, id::text, enrolled_at, last_seen_at, revoked_at, revoked_reason \
             FROM device ORDER BY mmg_id, revoked_at IS NOT NULL, enrolled_at, id",
            &[],
        )
        .await?;
    let mut by_mmg: std::collections::HashMap<String, Vec<DeviceListing>> =
        std::collections::HashMap::new();
    for row in devices {
        by_mmg.entry(row.get(0)).or_default().push(DeviceListing {
            id: row.get(1),
            enrolled_at: row.get(2),
            last_seen_at: row.get(3),
            revoked_at: row.get(4),
            revoked_reason: row.get(5),
        });
    }
    for mmg in listing.iter_mut().flat_map(|a| a.mmgs.iter_mut()) {
        mmg.device_list = by_mmg.remove(&mmg.id).unwrap_or_default();
    }
    Ok(listing)
}

/// Creates an MMG in `departement`, with the département's ADOPS and the URML if missing.
pub async fn create_mmg(
    client: &mut Client,
    departement: &str,
    name: &str,
) -> Result<CreatedMmg, Error> {
    let name = name.trim();
    if !is_departement(departement) {
        return Err(Error::InvalidInput(format!(
            "« {departement} » n'est pas un code de département (exemples : 44, 2A, 974)"
        )));
    }
    if name.is_empty() {
        return Err(Error::InvalidInput("le nom de la MMG est vide".to_owned()));
    }
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO organisation (kind, name) VALUES ('urml', 'URML') \
         ON CONFLICT (kind) WHERE kind = 'urml' DO NOTHING",
        &[],
    )
    .await?;
    let urml: String = tx
        .query_one("SELECT id::text FROM organisation WHERE kind = 'urml'", &[])
        .await?
        .get(0);
    tx.execute(
        "INSERT INTO organisation (kind, name, departement, parent_id) \
         VALUES ('adops', 'ADOPS ' || $1, $1, $2::text::uuid) \
         ON CONFLICT (departement) WHERE kind = 'adops' DO NOTHING",
        &[&departement, &urml],
    )
    .await?;
    let adops_id: String = tx
        .query_one(
            "SELECT id::text FROM organisation WHERE kind = 'adops' AND departement = $1",
            &[&departement],
        )
        .await?
        .get(0);
    let id: String = tx
        .query_one(
            "INSERT INTO organisation (kind, name, departement, parent_id) \
             VALUES ('mmg', $1, $2, $3::text::uuid) RETURNING id::text",
            &[&name, &departement, &adops_id],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(CreatedMmg {
        id,
        name: name.to_owned(),
        departement: departement.to_owned(),
        adops_id,
    })
}

/// A new one-time code to enroll a PC of the MMG `mmg_id`, valid `valid_days` days.
pub async fn create_enrollment_code(
    client: &Client,
    mmg_id: &str,
    valid_days: i64,
) -> Result<EnrollmentCode, Error> {
    let unknown = || Error::InvalidInput(format!("aucune MMG n'a l'identifiant « {mmg_id} »"));
    if !is_uuid(mmg_id) {
        return Err(unknown());
    }
    if !(1..=90).contains(&valid_days) {
        return Err(Error::InvalidInput(
            "un code d'enrôlement vaut de 1 à 90 jours".to_owned(),
        ));
    }
    let exists = client
        .query_opt(
            "SELECT 1 FROM organisation WHERE id = $1::text::uuid AND kind = 'mmg'",
            &[&mmg_id],
        )
        .await?
        .is_some();
    if !exists {
        return Err(unknown());
    }
    let raw: [u8; 16] = rand::random();
    let letters: String = raw
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)]))
        .collect();
    // XXXX-XXXX-XXXX-XXXX: 80 random bits, easy to read out.
    let code = letters
        .as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-");
    let expires_at: DateTime<Utc> = client
        .query_one(
            "INSERT INTO enrollment_code (code_hash, mmg_id, expires_at) \
             VALUES ($1, $2::text::uuid, now() + make_interval(days => $3::int)) \
             RETURNING expires_at",
            &[
                &auth::secret_hash(&normalize_code(&code)),
                &mmg_id,
                &(valid_days as i32),
            ],
        )
        .await?
        .get(0);
    Ok(EnrollmentCode {
        code,
        mmg_id: mmg_id.to_owned(),
        expires_at,
    })
}

/// Creates a user. A coordinator needs at least one département; an URML administrator sees
/// them all and takes none.
pub async fn create_user(
    client: &mut Client,
    login: &str,
    role: Role,
    departements: &[String],
    password: &str,
) -> Result<CreatedUser, Error> {
    let login = login.trim().to_lowercase();
    let login_ok = (3..=64).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
    if !login_ok {
        return Err(Error::InvalidInput(
            "l'identifiant doit faire 3 à 64 caractères parmi a-z, 0-9, « . _ @ - »".to_owned(),
        ));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::InvalidInput(format!(
            "le mot de passe doit faire au moins {MIN_PASSWORD_CHARS} caractères"
        )));
    }
    let mut departements: Vec<String> = departements
        .iter()
        .map(|d| d.trim().to_uppercase())
        .collect();
    departements.sort_unstable();
    departements.dedup();
    if let Some(bad) = departements.iter().find(|d| !is_departement(d)) {
        return Err(Error::InvalidInput(format!(
            "« {bad} » n'est pas un code de département (exemples : 44, 2A, 974)"
        )));
    }
    match role {
        Role::Coordinator if departements.is_empty() => {
            return Err(Error::InvalidInput(
                "un coordinateur doit avoir au moins un département (--departements 44,49)"
                    .to_owned(),
            ));
        }
        Role::UrmlAdmin if !departements.is_empty() => {
            return Err(Error::InvalidInput(
                "un administrateur URML voit tous les départements : n'indiquez pas --departements"
                    .to_owned(),
            ));
        }
        _ => {}
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await??;
    let tx = client.transaction().await?;
    let inserted = tx
        .query_one(
            "INSERT INTO hub_user (login, password_hash, role) VALUES ($1, $2, $3) \
             RETURNING id::text",
            &[&login, &hash, &role.code()],
        )
        .await;
    let id: String = match inserted {
        Ok(row) => row.get(0),
        Err(error) if error.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(Error::InvalidInput(format!(
                "l'identifiant « {login} » existe déjà"
            )));
        }
        Err(error) => return Err(error.into()),
    };
    for departement in &departements {
        tx.execute(
            "INSERT INTO user_departement (user_id, departement) VALUES ($1::text::uuid, $2)",
            &[&id, departement],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(CreatedUser {
        id,
        login,
        role: role.code().to_owned(),
        departements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departement_codes_follow_insee() {
        let cases = [
            ("44", true),
            ("01", true),
            ("2A", true),
            ("2B", true),
            ("95", true),
            ("971", true),
            ("976", true),
            ("20", false),
            ("00", false),
            ("1", false),
            ("96", false),
            ("977", false),
            ("2C", false),
            ("", false),
        ];
        for (code, expected) in cases {
            assert_eq!(is_departement(code), expected, "{code}");
        }
    }

    #[test]
    fn codes_are_normalized_as_typed() {
        assert_eq!(normalize_code(" abcd-efgh ijkl-mnpq "), "ABCDEFGHIJKLMNPQ");
    }

    #[test]
    fn uuids_are_recognized_by_shape() {
        assert!(is_uuid("0e3f6a52-9c1d-4b8e-a0f3-1234567890ab"));
        assert!(!is_uuid("0e3f6a52-9c1d-4b8e-a0f3-1234567890a"));
        assert!(!is_uuid("0e3f6a52x9c1d-4b8e-a0f3-1234567890ab"));
        assert!(!is_uuid("'; DROP TABLE device; --"));
    }
}

/// What an account command (`disable-user`, `enable-user`, `reset-password`, `revoke-sessions`,
/// `clear-throttle`) did; each is written to `admin_journal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountChange {
    pub login: String,
    /// `disable-user`, `enable-user`, `reset-password`, `revoke-sessions` or `clear-throttle`.
    pub action: String,
    /// Sessions ended by the command (all of the user's for all but `clear-throttle`, `enable-user`).
    pub sessions_revoked: u64,
    /// Throttling keys removed (the user's, from every address).
    pub throttle_cleared: u64,
}

/// One line of `admin_journal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// The id of the user `login`, or a French error naming it.
async fn user_id(client: &Client, login: &str) -> Result<(String, String), Error> {
    let login = login.trim().to_lowercase();
    if auth::has_control(&login) {
        return Err(Error::InvalidInput(
            "l'identifiant ne peut pas contenir de caractère de contrôle".to_owned(),
        ));
    }
    let row = client
        .query_opt("SELECT id::text FROM hub_user WHERE login = $1", &[&login])
        .await?
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "aucun utilisateur « {login} » (voir les identifiants créés par create-user)"
            ))
        })?;
    Ok((row.get(0), login))
}

impl AccountChange {
    fn new(login: String, action: &str, sessions_revoked: u64, throttle_cleared: u64) -> Self {
        AccountChange {
            login,
            action: action.to_owned(),
            sessions_revoked,
            throttle_cleared,
        }
    }

    /// The journal's detail: what the command ended or removed.
    fn detail(&self) -> String {
        if self.action == "clear-throttle" {
            format!("{} clé(s) de limitation retirée(s)", self.throttle_cleared)
        } else {
            format!("{} session(s) terminée(s)", self.sessions_revoked)
        }
    }
}

/// Writes `change` to the operators' journal in `tx`, then commits: the change and its journal
/// line land together or not at all.
async fn record(
    tx: tokio_postgres::Transaction<'_>,
    change: AccountChange,
) -> Result<AccountChange, Error> {
    tx.execute(
        "INSERT INTO admin_journal (action, subject, detail) VALUES ($1, $2, $3)",
        &[&change.action, &change.login, &change.detail()],
    )
    .await?;
    tx.commit().await?;
    Ok(change)
}

/// Ends every session of the user `user_id`; returns how many.
async fn end_sessions(
    client: &impl tokio_postgres::GenericClient,
    user_id: &str,
) -> Result<u64, Error> {
    Ok(client
        .execute(
            "DELETE FROM user_session WHERE user_id = $1::text::uuid",
            &[&user_id],
        )
        .await?)
}

/// Disables (or, with `disabled` false, enables again) the user `login`: a disabled user's
/// password opens nothing and their sessions end at once.
pub async fn set_user_disabled(
    client: &mut Client,
    login: &str,
    disabled: bool,
) -> Result<AccountChange, Error> {
    let (id, login) = user_id(client, login).await?;
    let tx = client.transaction().await?;
    tx.execute(
        "UPDATE hub_user SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END \
         WHERE id = $1::text::uuid",
        &[&id, &disabled],
    )
    .await?;
    let sessions_revoked = if disabled {
        end_sessions(&tx, &id).await?
    } else {
        0
    };
    let action = if disabled {
        "disable-user"
    } else {
        "enable-user"
    };
    record(tx, AccountChange::new(login, action, sessions_revoked, 0)).await
}

/// Sets a new password for `login`, ends their sessions and clears their throttling.
pub async fn reset_password(
    client: &mut Client,
    login: &str,
    password: &str,
) -> Result<AccountChange, Error> {
    let (id, login) = user_id(client, login).await?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::InvalidInput(format!(
            "le mot de passe doit faire au moins {MIN_PASSWORD_CHARS} caractères"
        )));
    }
    if auth::has_control(password) {
        return Err(Error::InvalidInput(
            "le mot de passe ne peut pas contenir de caractère de contrôle".to_owned(),
        ));
    }
    let password = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password)).await??;
    let tx = client.transaction().await?;
    tx.execute(
        "UPDATE hub_user SET password_hash = $2 WHERE id = $1::text::uuid",
        &[&id, &hash],
    )
    .await?;
    let sessions_revoked = end_sessions(&tx, &id).await?;
    let throttle_cleared = crate::throttle::clear(&tx, Some(&login)).await?;
    record(
        tx,
        AccountChange::new(login, "reset-password", sessions_revoked, throttle_cleared),
    )
    .await
}

/// Ends every session of `login` (a lost or stolen computer).
pub async fn revoke_sessions(client: &mut Client, login: &str) -> Result<AccountChange, Error> {
    let (id, login) = user_id(client, login).await?;
    let tx = client.transaction().await?;
    let sessions_revoked = end_sessions(&tx, &id).await?;
    record(
        tx,
        AccountChange::new(login, "revoke-sessions", sessions_revoked, 0),
    )
    .await
}

/// Removes the login throttling of `login`, from every client address.
pub async fn clear_throttle(client: &mut Client, login: &str) -> Result<AccountChange, Error> {
    let login = login.trim().to_lowercase();
    if auth::has_control(&login) || login.is_empty() {
        return Err(Error::InvalidInput(
            "indiquez un identifiant sans caractère de contrôle".to_owned(),
        ));
    }
    let tx = client.transaction().await?;
    let throttle_cleared = crate::throttle::clear(&tx, Some(&login)).await?;
    record(
        tx,
        AccountChange::new(login, "clear-throttle", 0, throttle_cleared),
    )
    .await
}

/// The operators' journal, most recent first, at most `limit` lines.
pub async fn journal_entries(client: &Client, limit: i64) -> Result<Vec<JournalEntry>, Error> {
    let rows = client
        .query(
            "SELECT at, action, subject, detail FROM admin_journal ORDER BY id DESC LIMIT $1",
            &[&limit],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| JournalEntry {
            at: row.get(0),
            action: row.get(1),
            subject: row.get(2),
            detail: row.get(3),
        })
        .collect())
}
