//! Who is calling: users (login, password, session token) and enrolled PCs (device token).
//!
//! Tokens are 32 random bytes written in hex; the hub stores only their SHA-256, so a copy of the
//! database opens no session. Passwords are argon2id PHC strings, checked a few at a time
//! (`AppState`'s hashers) under the throttling of `throttle`. Session tokens and device
//! tokens live in different tables: one kind never opens the other's endpoints. Exchanging an
//! enrollment code for a device token is `enrollment`'s.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock, PoisonError};

use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use deadpool_postgres::Pool;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio_postgres::Client;

use crate::{Error, throttle};
/// Longest login or password looked at; longer ones cannot exist and are refused at once.
const MAX_CREDENTIAL_LEN: usize = 1024;

/// Role of a hub user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The URML's administrators: every département.
    UrmlAdmin,
    /// An ADOPS coordinator: the MMGs of their départements only.
    Coordinator,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::UrmlAdmin => "urml-admin",
            Role::Coordinator => "coordinator",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "urml-admin" => Some(Role::UrmlAdmin),
            "coordinator" => Some(Role::Coordinator),
            _ => None,
        }
    }
}

/// A user authenticated by a live session token.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub role: Role,
    pub departements: BTreeSet<String>,
}

impl User {
    /// Whether this user may read the statistics of the MMGs of `departement`.
    pub fn may_read(&self, departement: &str) -> bool {
        self.role == Role::UrmlAdmin || self.departements.contains(departement)
    }
}

/// An enrolled, not revoked PC authenticated by its device token.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub mmg_id: String,
}

/// A fresh random token: 32 bytes in hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// What the hub stores of a token or a code: its SHA-256.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// The token of an `Authorization: Bearer <64 hex>` header.
pub fn bearer(headers: &HeaderMap) -> Result<&str, Error> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or(Error::Unauthenticated)?;
    let token = value
        .strip_prefix("Bearer ")
        .ok_or(Error::Unauthenticated)?
        .trim();
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token)
    } else {
        Err(Error::Unauthenticated)
    }
}

/// The user whose live session `token` opens.
pub async fn user_from_token(client: &Client, token: &str) -> Result<User, Error> {
    let row = client
        .query_opt(
            "SELECT u.id::text, u.role, \
                    coalesce(array_agg(d.departement) FILTER (WHERE d.departement IS NOT NULL), \
                             '{}') \
             FROM user_session s \
             JOIN hub_user u ON u.id = s.user_id \
             LEFT JOIN user_departement d ON d.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL \
             GROUP BY u.id, u.role",
            &[&secret_hash(token)],
        )
        .await?
        .ok_or(Error::Unauthenticated)?;
    let role: String = row.get(1);
    let departements: Vec<String> = row.get(2);
    Ok(User {
        id: row.get(0),
        // The table's CHECK admits only the two codes.
        role: Role::from_code(&role).ok_or(Error::Unauthenticated)?,
        departements: departements.into_iter().collect(),
    })
}

/// The enrolled PC whose device token is `token`.
pub async fn device_from_token(client: &Client, token: &str) -> Result<Device, Error> {
    let row = client
        .query_opt(
            "SELECT id::text, mmg_id::text, \
                    coalesce(last_seen_at < now() - interval '1 minute', true) \
             FROM device WHERE token_hash = $1 AND revoked_at IS NULL",
            &[&secret_hash(token)],
        )
        .await?
        .ok_or(Error::Unauthenticated)?;
    let device = Device {
        id: row.get(0),
        mmg_id: row.get(1),
    };
    // The last contact operators see in `admin list`, written at most once a minute so that a
    // sync of many batches does not rewrite the row for each.
    if row.get::<_, bool>(2) {
        client
            .execute(
                "UPDATE device SET last_seen_at = now() WHERE id = $1::text::uuid",
                &[&device.id],
            )
            .await?;
    }
    Ok(device)
}

/// The argon2id PHC string of `password`. Slow on purpose: call it off the async threads.
pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(Error::PasswordHash)?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(Error::PasswordHash)?;
    Ok(hash.to_string())
}

/// Argon2's working memory (~19 MiB per check with the default parameters), kept from one
/// check to the next: at most `CONCURRENT_PASSWORD_CHECKS` buffers exist. Allocating it for each
/// check on whichever blocking thread ran it left every thread's malloc arena holding its own
/// copy (a login flood grew the hub by hundreds of MiB that never came back).
static WORKING_MEMORY: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Whether `password` matches the PHC string `hash` (argon2 of any variant, version and
/// parameters); a malformed hash matches nothing. The comparison is constant-time.
fn verify_password(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version {
        Some(number) => match Version::try_from(number) {
            Ok(version) => version,
            Err(_) => return false,
        },
        None => Version::default(),
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut computed = vec![0u8; expected.len()];
    let mut memory = WORKING_MEMORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop()
        .unwrap_or_default();
    memory.resize(params.block_count(), Block::default());
    let hashed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password.as_bytes(),
        salt,
        &mut computed,
        &mut memory[..],
    );
    WORKING_MEMORY
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(memory);
    hashed.is_ok() && Output::new(&computed).is_ok_and(|computed| computed == expected)
}

/// A hash no password matches, checked against when the login is unknown so that an unknown
/// login takes as long as a wrong password and does not reveal which logins exist.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()).unwrap_or_default())
}

/// Whether `text` holds a control character (NUL, line breaks, escapes...): no login,
/// password, code or identifier has one, and PostgreSQL refuses NUL in text.
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// Checks `login`/`password` from `client_address` and opens a session of
/// `session_ttl_seconds`; returns its token. Throttled per client address and per (login,
/// client address) by `throttle` (429 with the wait). The password is checked under one of
/// `hashers`' permits (each check takes ~19 MiB) and without holding a database connection.
pub async fn login(
    pool: &Pool,
    hashers: &Semaphore,
    client_address: IpAddr,
    login: &str,
    password: &str,
    session_ttl_seconds: i64,
) -> Result<String, Error> {
    if has_control(login) || has_control(password) {
        return Err(Error::BadRequest(
            "l'identifiant et le mot de passe ne peuvent pas contenir de caractère de contrôle"
                .to_owned(),
        ));
    }
    if login.len() > MAX_CREDENTIAL_LEN || password.len() > MAX_CREDENTIAL_LEN {
        return Err(Error::LoginFailed);
    }
    let login = login.trim().to_lowercase();
    let keys = throttle::keys(&login, client_address);
    let user = {
        let mut client = pool.get().await?;
        throttle::claim(&mut client, &keys).await?;
        client
            .query_opt(
                "SELECT id::text, password_hash, disabled_at IS NULL FROM hub_user \
                 WHERE login = $1",
                &[&login],
            )
            .await?
    };
    let (user_id, hash) = match user {
        Some(row) => (
            Some(row.get::<_, String>(0)).filter(|_| row.get::<_, bool>(2)),
            row.get::<_, String>(1),
        ),
        None => (None, decoy_hash().to_owned()),
    };
    let matches = {
        let _permit = hashers
            .acquire()
            .await
            .map_err(|error| Error::Internal(Box::new(error)))?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await?
    };
    // An unknown login, a disabled user or a wrong password: the claimed failure stays.
    let Some(user_id) = user_id.filter(|_| matches) else {
        return Err(Error::LoginFailed);
    };
    let client = pool.get().await?;
    throttle::release(&client, &keys).await?;
    let token = new_token();
    client
        .execute(
            "INSERT INTO user_session (token_hash, user_id, expires_at) \
             VALUES ($1, $2::text::uuid, now() + make_interval(secs => $3::float8))",
            &[
                &secret_hash(&token),
                &user_id,
                &(session_ttl_seconds as f64),
            ],
        )
        .await?;
    Ok(token)
}

/// Ends the session of `token` (`POST /api/v1/logout`): the token is refused from now on.
/// Returns whether a live session was ended.
pub async fn logout(client: &Client, token: &str) -> Result<bool, Error> {
    let ended = client
        .execute(
            "DELETE FROM user_session WHERE token_hash = $1 AND expires_at > now()",
            &[&secret_hash(token)],
        )
        .await?;
    Ok(ended > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterie", &hash));
        assert!(!verify_password("anything", "not a phc string"));
        let again = hash_password("correct horse battery").unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
    }

    #[test]
    fn hashes_of_other_parameters_and_variants_verify_with_the_reused_memory() {
        let salt = SaltString::encode_b64(b"sel de seize oct").unwrap();
        for (algorithm, memory_kib) in [
            (Algorithm::Argon2id, 8 * 1024),
            (Algorithm::Argon2id, 32 * 1024),
            (Algorithm::Argon2i, 4096),
            (Algorithm::Argon2d, 4096),
        ] {
            let params = Params::new(memory_kib, 2, 1, None).unwrap();
            let hash = Argon2::new(algorithm, Version::V0x13, params)
                .hash_password(b"phrase de passe", &salt)
                .unwrap()
                .to_string();
            assert!(verify_password("phrase de passe", &hash), "{hash}");
            assert!(!verify_password("phrase de passe!", &hash), "{hash}");
        }
        // The default parameters after larger ones: the kept memory is cut to size.
        let hash = hash_password("encore").unwrap();
        assert!(verify_password("encore", &hash));
    }

    #[test]
    fn only_a_well_formed_bearer_header_yields_a_token() {
        let token = new_token();
        let cases = [
            (format!("Bearer {token}"), true),
            (format!("bearer {token}"), false),
            (format!("Basic {token}"), false),
            ("Bearer abc".to_owned(), false),
            (format!("Bearer {}", "z".repeat(64)), false),
        ];
        for (value, accepted) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, HeaderValue::from_str(&value).unwrap());
            assert_eq!(bearer(&headers).is_ok(), accepted, "{value}");
        }
        assert!(bearer(&HeaderMap::new()).is_err(), "no header at all");
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(secret_hash(&a).len(), 32);
        assert_ne!(secret_hash(&a), secret_hash(&b));
    }
}
