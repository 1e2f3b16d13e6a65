//! Reference data the URML publishes through the hub and every enrolled desktop pulls: the
//! RPPS extract of the region, the annuaire of correspondents, the tariff tables, the
//! CIM-10 code set and the public drug database (BDPM). Each publication has a version number, shared by all kinds and growing by
//! one per publication; a desktop remembers the highest version it applied and asks
//! [`REFERENCE_PATH`]`?since=N` for what came after, one publication per answer, until its
//! version reaches [`ReferenceChanges::latest`].

use serde::{Deserialize, Serialize};

/// `GET` this path with `?since=N` and `Authorization: Bearer DEVICE_TOKEN` (the same token as
/// for [`AGGREGATES_PATH`]): answers a [`ReferenceChanges`], gzip-compressed when the request
/// says `Accept-Encoding: gzip`.
pub const REFERENCE_PATH: &str = "/api/v1/reference";

/// `POST` a [`crate::AggregateBatch`] here with the device token.
pub const AGGREGATES_PATH: &str = "/api/v1/aggregates";

/// `POST` an [`crate::EnrollRequest`] here (no token: the one-time code is the credential).
pub const ENROLL_PATH: &str = "/api/v1/enroll";

/// The query parameter with which a desktop says it reads [`ReferenceKind::Bdpm`]
/// publications (`bdpm=1`). Without it the hub leaves them out, versions included, as for
/// [`crate::REFERENCE_CONVENTIONS_PARAM`]: an older desktop, which would fail on an unknown kind,
/// never sees one.
pub const REFERENCE_BDPM_PARAM: &str = "bdpm";

/// What a publication replaces on the desktop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReferenceKind {
    /// The RPPS extract, kept to the region's départements: the lines of the national file in
    /// its pipe-separated layout (header line included), as UTF-8 text.
    Rpps,
    /// The annuaire of correspondents: a JSON array of its entries.
    Annuaire,
    /// The tariff table, as the CSV of `tarifs_garde.csv` (same header, `;`-separated).
    Tarifs,
    /// A CIM-10 version, as CSV.
    Cim10,
    /// A version of the MMG's convention of use or of the users' charter: a
    /// [`crate::ConventionText`] as JSON. Sent only to desktops that ask for it (see
    /// [`crate::convention`]).
    Convention,
    /// A release of the public drug database (ANSM BDPM): the compact form of
    /// `appligarde-bdpm` (the four files' layouts in UTF-8, gzip-compressed), in standard
    /// base64. Sent only to desktops that ask for it ([`REFERENCE_BDPM_PARAM`]).
    Bdpm,
}

impl ReferenceKind {
    pub const ALL: [ReferenceKind; 6] = [
        ReferenceKind::Rpps,
        ReferenceKind::Annuaire,
        ReferenceKind::Tarifs,
        ReferenceKind::Cim10,
        ReferenceKind::Convention,
        ReferenceKind::Bdpm,
    ];

    /// The JSON (and database) spelling.
    pub fn code(self) -> &'static str {
        match self {
            ReferenceKind::Rpps => "rpps",
            ReferenceKind::Annuaire => "annuaire",
            ReferenceKind::Tarifs => "tarifs",
            ReferenceKind::Cim10 => "cim10",
            ReferenceKind::Convention => "convention",
            ReferenceKind::Bdpm => "bdpm",
        }
    }

    /// The kind spelled `code`, if any.
    pub fn from_code(code: &str) -> Option<ReferenceKind> {
        ReferenceKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
    }
}

/// One numbered publication: the whole file of its kind (not a diff), which replaces what the
/// desktop had for that kind.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// Grows by one with each publication, whatever its kind.
    pub version: u64,
    pub kind: ReferenceKind,
    /// When the URML published it, RFC 3339 in UTC (`2026-11-23T08:40:00Z`).
    pub published_at: String,
    /// The file's text (see [`ReferenceKind`] for each kind's format).
    pub content: String,
}

impl std::fmt::Debug for Publication {
    /// Prints the size of the content, not the content (an RPPS extract is megabytes).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publication")
            .field("version", &self.version)
            .field("kind", &self.kind)
            .field("published_at", &self.published_at)
            .field("content_bytes", &self.content.len())
            .finish()
    }
}

/// Answer of `GET` [`REFERENCE_PATH`]`?since=N`: the publications with a version above `N`, in
/// increasing version order, at most one per answer. The client applies them and asks again
/// with `since` = the last version it applied while that is below `latest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceChanges {
    /// The highest version published on the hub (0 when nothing was ever published).
    pub latest: u64,
    pub publications: Vec<Publication>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds_are_lowercase_strings() {
        // The desktop branches on these strings and the hub stores them: they must not change.
        let cases = [
            (ReferenceKind::Rpps, "rpps"),
            (ReferenceKind::Annuaire, "annuaire"),
            (ReferenceKind::Tarifs, "tarifs"),
            (ReferenceKind::Cim10, "cim10"),
            (ReferenceKind::Convention, "convention"),
            (ReferenceKind::Bdpm, "bdpm"),
        ];
        for (kind, text) in cases {
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(text));
            assert_eq!(kind.code(), text);
            assert_eq!(ReferenceKind::from_code(text), Some(kind));
        }
        assert_eq!(ReferenceKind::from_code("RPPS"), None);
    }

    #[test]
    fn changes_have_the_documented_shape() {
        let changes = ReferenceChanges {
            latest: 3,
            publications: vec![Publication {
                version: 2,
                kind: ReferenceKind::Tarifs,
                published_at: "2026-11-23T08:40:00Z".into(),
                content: "code;libelle\n".into(),
            }],
        };
        let value = serde_json::to_value(&changes).unwrap();
        assert_eq!(
            value,
            json!({"latest": 3, "publications": [{
                "version": 2, "kind": "tarifs", "published_at": "2026-11-23T08:40:00Z",
                "content": "code;libelle\n"
            }]})
        );
        let back: ReferenceChanges = serde_json::from_value(value).unwrap();
        assert_eq!(
            back, changes,
            "a ReferenceChanges must survive a round trip"
        );
        assert!(
            !format!("{:?}", changes.publications[0]).contains("libelle"),
            "Debug prints the size, not the content"
        );
    }
}
