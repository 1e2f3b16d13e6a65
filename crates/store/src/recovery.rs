//! The recovery code: the second way to unlock the database when the OS keyring is gone (stolen or
//! replaced PC, reinstalled system).
//!
//! At creation, a random code of 160 bits is shown once to the MMG, printed and kept apart. The
//! database key is stored *wrapped* by that code (Argon2id, then XChaCha20-Poly1305) in a small
//! sidecar file, `appligarde.recovery`, which every backup carries too. The code itself is kept in
//! that file encrypted with the database key, so that someone who can open the database can show it
//! again, and nobody else can.

use crate::{StoreError, key::DbKey};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{
    XChaCha20Poly1305, XNonce,
    aead::{Aead, KeyInit},
};
use rand::RngCore;
use std::path::Path;

/// Name of the sidecar file in the data directory.
pub const RECOVERY_FILE: &str = "appligarde.recovery";

/// Unambiguous alphabet (Crockford base 32: no I, L, O, U).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_CHARS: usize = 32;

// Argon2id settings of the wrapping key: costly enough to slow down guessing a code that already
// has 160 bits, cheap enough to unlock in well under a second on an old PC.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

/// A recovery code, e.g. `K7QH-3M9X-...`. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(<redacted>)")
    }
}

impl RecoveryCode {
    pub fn generate() -> Self {
        let mut bytes = [0u8; CODE_CHARS];
        rand::rng().fill_bytes(&mut bytes);
        Self(
            bytes
                .iter()
                .map(|b| ALPHABET[usize::from(b % 32)] as char)
                .collect(),
        )
    }

    /// Reads a code as typed: case, spaces and dashes do not matter; O/I/L are read as 0/1/1.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let normalized: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect();
        if normalized.len() != CODE_CHARS || !normalized.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(StoreError::RecoveryCode(
                "le code de récupération comporte 32 caractères (chiffres et lettres), par groupes de 4".into(),
            ));
        }
        Ok(Self(normalized))
    }

    /// The code as shown and printed: groups of 4 separated by dashes.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// The sidecar file: the database key wrapped by the recovery code, and the code wrapped by the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryFile {
    salt: [u8; 16],
    key_nonce: [u8; 24],
    wrapped_key: Vec<u8>,
    code_nonce: [u8; 24],
    wrapped_code: Vec<u8>,
}

fn wrapping_key(code: &RecoveryCode, salt: &[u8; 16]) -> Result<[u8; 32], StoreError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(32)).map_err(|e| {
        StoreError::RecoveryCode(format!("paramètres de dérivation invalides : {e}"))
    })?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(code.0.as_bytes(), salt, &mut out)
        .map_err(|e| StoreError::RecoveryCode(format!("dérivation impossible : {e}")))?;
    Ok(out)
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    bytes
}

fn seal(key: &[u8; 32], nonce: &[u8; 24], plain: &[u8]) -> Result<Vec<u8>, StoreError> {
    XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(nonce), plain)
        .map_err(|_| StoreError::RecoveryCode("chiffrement impossible".into()))
}

fn open(key: &[u8; 32], nonce: &[u8; 24], sealed: &[u8]) -> Option<Vec<u8>> {
    XChaCha20Poly1305::new(key.into())
        .decrypt(XNonce::from_slice(nonce), sealed)
        .ok()
}

impl RecoveryFile {
    pub fn new(key: &DbKey, code: &RecoveryCode) -> Result<Self, StoreError> {
        let salt = random::<16>();
        let key_nonce = random::<24>();
        let code_nonce = random::<24>();
        let wrapped_key = seal(&wrapping_key(code, &salt)?, &key_nonce, key.bytes())?;
        let wrapped_code = seal(key.bytes(), &code_nonce, code.0.as_bytes())?;
        Ok(Self {
            salt,
            key_nonce,
            wrapped_key,
            code_nonce,
            wrapped_code,
        })
    }

    /// The database key, given the recovery code.
    pub fn unlock(&self, code: &RecoveryCode) -> Result<DbKey, StoreError> {
        let plain = open(
            &wrapping_key(code, &self.salt)?,
            &self.key_nonce,
            &self.wrapped_key,
        )
        .ok_or_else(|| {
            StoreError::RecoveryCode(
                "ce code de récupération ne correspond pas à cette base".into(),
            )
        })?;
        DbKey::from_slice(&plain)
            .ok_or_else(|| StoreError::RecoveryCode("fichier de récupération abîmé".into()))
    }

    /// The recovery code, given the database key.
    pub fn code(&self, key: &DbKey) -> Result<RecoveryCode, StoreError> {
        let plain = open(key.bytes(), &self.code_nonce, &self.wrapped_code).ok_or_else(|| {
            StoreError::RecoveryCode(
                "le fichier de récupération ne correspond pas à cette base".into(),
            )
        })?;
        RecoveryCode::parse(&String::from_utf8_lossy(&plain))
    }

    /// A short, line-based text form (kept simple so that a person can see what it holds).
    pub fn to_text(&self) -> String {
        format!(
            "appligarde-recovery 1\nkdf argon2id {M_COST_KIB} {T_COST} {P_COST}\nsalt {}\nkey {} {}\ncode {} {}\n",
            hex::encode(self.salt),
            hex::encode(self.key_nonce),
            hex::encode(&self.wrapped_key),
            hex::encode(self.code_nonce),
            hex::encode(&self.wrapped_code),
        )
    }

    pub fn from_text(text: &str) -> Result<Self, StoreError> {
        fn array<const N: usize>(v: &[u8]) -> Result<[u8; N], StoreError> {
            v.try_into()
                .map_err(|_| StoreError::RecoveryCode("fichier de récupération illisible".into()))
        }
        let bad = || StoreError::RecoveryCode("fichier de récupération illisible".into());
        let mut lines = text.lines();
        if lines.next() != Some("appligarde-recovery 1") {
            return Err(bad());
        }
        if lines.next() != Some(&*format!("kdf argon2id {M_COST_KIB} {T_COST} {P_COST}")) {
            return Err(bad());
        }
        let field = |line: Option<&str>, name: &str| -> Result<Vec<Vec<u8>>, StoreError> {
            let rest = line
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' '))
                .ok_or_else(bad)?;
            rest.split(' ')
                .map(|h| hex::decode(h).map_err(|_| bad()))
                .collect()
        };
        let salt = field(lines.next(), "salt")?;
        let key = field(lines.next(), "key")?;
        let code = field(lines.next(), "code")?;
        match (salt.as_slice(), key.as_slice(), code.as_slice()) {
            ([salt], [key_nonce, wrapped_key], [code_nonce, wrapped_code]) => Ok(Self {
                salt: array(salt)?,
                key_nonce: array(key_nonce)?,
                wrapped_key: wrapped_key.clone(),
                code_nonce: array(code_nonce)?,
                wrapped_code: wrapped_code.clone(),
            }),
            _ => Err(bad()),
        }
    }

    pub fn read(path: &Path) -> Result<Self, StoreError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| StoreError::RecoveryCode(format!("{} illisible : {e}", path.display())))?;
        Self::from_text(&text)
    }

    /// Writes the file durably (temporary file, fsync, rename).
    pub fn write(&self, path: &Path) -> Result<(), StoreError> {
        crate::fichier::write_atomically(path, self.to_text().as_bytes(), None).map_err(|e| {
            StoreError::RecoveryCode(format!("écriture de {} impossible : {e}", path.display()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        let code = RecoveryCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 32 + 7, "8 groups of 4 with 7 dashes");
        assert_eq!(
            RecoveryCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap(),
            code
        );
        assert!(RecoveryCode::parse("ABCD").is_err(), "too short");
        assert!(
            RecoveryCode::parse(&"U".repeat(32)).is_err(),
            "U is not in the alphabet"
        );
    }

    #[test]
    fn the_key_comes_back_with_the_code_and_only_with_it() {
        let key = DbKey::from_slice(&[7u8; 32]).unwrap();
        let code = RecoveryCode::generate();
        let file = RecoveryFile::new(&key, &code).unwrap();
        let again = RecoveryFile::from_text(&file.to_text()).unwrap();
        assert_eq!(again, file, "the text form round-trips");
        assert_eq!(again.unlock(&code).unwrap().bytes(), key.bytes());
        assert!(
            again.unlock(&RecoveryCode::generate()).is_err(),
            "another code unlocks nothing"
        );
        assert_eq!(
            again.code(&key).unwrap(),
            code,
            "the key shows the code again"
        );
        let other_key = DbKey::from_slice(&[8u8; 32]).unwrap();
        assert!(again.code(&other_key).is_err());
    }
}
