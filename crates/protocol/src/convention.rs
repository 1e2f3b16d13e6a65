//! The "conventions utilisateurs" of the URML: the MMG's convention of use (accepted by the
//! MMG's admin) and the users' charter (accepted by each user), versioned texts published by the
//! URML through the hub.
//!
//! - Down: a text travels as a reference publication of kind
//!   [`crate::ReferenceKind::Convention`], whose `content` is a [`ConventionText`] in JSON. A
//!   hub sends these publications only to desktops that ask `GET /api/v1/reference?since=N&
//!   conventions=1` ([`REFERENCE_CONVENTIONS_PARAM`]): an older desktop, which would not know
//!   the kind, never sees them (and its `latest` leaves them out).
//! - Up: a desktop `POST`s its [`ConventionAcceptances`] to [`CONVENTIONS_PATH`] at each sync:
//!   which versions the MMG accepted and when, never who.

use serde::{Deserialize, Serialize};

/// `POST` a [`ConventionAcceptances`] here with the device token; answered `204 No Content`.
pub const CONVENTIONS_PATH: &str = "/api/v1/conventions";

/// The query parameter (`conventions=1`) by which a desktop says it reads convention
/// publications.
pub const REFERENCE_CONVENTIONS_PARAM: &str = "conventions";

/// Which text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConventionType {
    /// The convention of use between the URML and the MMG, accepted by the MMG's admin.
    Mmg,
    /// The users' charter, accepted by each user.
    Charte,
}

impl ConventionType {
    pub const ALL: [ConventionType; 2] = [ConventionType::Mmg, ConventionType::Charte];

    /// The JSON (and database, and file name) spelling.
    pub fn code(self) -> &'static str {
        match self {
            ConventionType::Mmg => "mmg",
            ConventionType::Charte => "charte",
        }
    }

    pub fn from_code(code: &str) -> Option<ConventionType> {
        ConventionType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// Its French name, as a sentence says it (« la charte des utilisateurs »).
    pub fn libelle(self) -> &'static str {
        match self {
            ConventionType::Mmg => "la convention d'utilisation de la MMG",
            ConventionType::Charte => "la charte des utilisateurs",
        }
    }
}

/// The `content` of a convention publication: one version of one text, plain French text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionText {
    #[serde(rename = "type")]
    pub convention: ConventionType,
    /// The text's own version (1, 2, ...), chosen by the URML; not the publication's number.
    pub version: u32,
    pub text: String,
}

impl std::fmt::Debug for ConventionText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConventionText")
            .field("convention", &self.convention)
            .field("version", &self.version)
            .field("text_bytes", &self.text.len())
            .finish()
    }
}

/// One version of a text accepted in the MMG: by its admin (`mmg`) or by at least one user
/// (`charte`), first on `accepted_at`. No name, no user id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionAcceptance {
    #[serde(rename = "type")]
    pub convention: ConventionType,
    pub version: u32,
    /// RFC 3339 in UTC (`2026-11-23T08:40:00Z`).
    pub accepted_at: String,
}

/// Body of `POST` [`CONVENTIONS_PATH`]: every version accepted on this desktop (a few rows; sent
/// whole at each sync, the hub keeps the earliest date of each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConventionAcceptances {
    pub accepted: Vec<ConventionAcceptance>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn convention_messages_have_the_documented_shape() {
        let text = ConventionText {
            convention: ConventionType::Charte,
            version: 2,
            text: "CHARTE".into(),
        };
        let value = serde_json::to_value(&text).unwrap();
        assert_eq!(
            value,
            json!({"type": "charte", "version": 2, "text": "CHARTE"})
        );
        assert_eq!(
            serde_json::from_value::<ConventionText>(value).unwrap(),
            text
        );
        assert!(!format!("{text:?}").contains("CHARTE"));

        let up = ConventionAcceptances {
            accepted: vec![ConventionAcceptance {
                convention: ConventionType::Mmg,
                version: 1,
                accepted_at: "2026-11-23T08:40:00Z".into(),
            }],
        };
        let value = serde_json::to_value(&up).unwrap();
        assert_eq!(
            value,
            json!({"accepted": [{"type": "mmg", "version": 1, "accepted_at": "2026-11-23T08:40:00Z"}]})
        );
        assert_eq!(
            serde_json::from_value::<ConventionAcceptances>(value).unwrap(),
            up
        );
        for t in ConventionType::ALL {
            assert_eq!(ConventionType::from_code(t.code()), Some(t));
        }
    }
}
