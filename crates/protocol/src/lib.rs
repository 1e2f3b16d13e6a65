//! appligarde-protocol: the wire types exchanged between the desktop app and the hub.
//!
//! Everything here is plain data with `serde` derives; the JSON they produce is the contract
//! between a desktop of one version and a hub of another, so it evolves by addition:
//! - this crate depends on `serde` and `chrono` (for dates) only: no HTTP, no database, no
//!   domain rules, no IO;
//! - a field is never renamed nor its meaning changed; a new optional field gets
//!   `#[serde(default)]` so older peers' messages still parse;
//! - enums that a newer peer may extend (such as [`ErrorCode`]) keep a catch-all variant;
//! - a breaking change bumps [`PROTOCOL_VERSION`] and lives beside the old types until no
//!   supported desktop uses them.
//!
//! Modules: [`aggregate`] (the daily aggregate a desktop uploads: counts only, never patient
//! data), [`offsite`] (the off-site copies of the backups), [`api`] (requests and answers of the
//! hub's `/api/v1` endpoints), [`reference`] (the numbered reference-data publications a desktop
//! pulls, and the device endpoints' paths) and [`convention`] (the URML's convention of use and
//! users' charter, down as publications, their acceptances up) and [`health`] (the fleet health
//! report a PC sends at each sync).
//!
//! To add a message: define its type here (one module per exchange once they grow), add a
//! round-trip test that pins its JSON shape, then use it in the hub and the desktop sync client.

pub mod aggregate;
pub mod api;
pub mod convention;
pub mod health;
pub mod offsite;
pub mod reference;

pub use aggregate::{
    AGGREGATE_SCHEMA, AgeBandCounts, AggregateDefect, ArrivalModeCounts, DailyAggregate,
    DailyCounts, MAX_DATE_YEAR, MIN_DATE_YEAR, MINUTE_BUCKET_BOUNDS, MINUTE_BUCKETS,
    MinuteHistogram, OrientationCounts, PaymentAmounts, PdsaSlot, SexCounts, SyndromicAgeCounts,
    is_plausible_date,
};
pub use api::{
    AggregateBatch, AggregateOutcome, AggregateReceipt, AggregateStatus, DailyStats,
    ENROLL_IDENTITY_PATH, EnrollAnswer, EnrollRequest, IdentityRequest, LoginAnswer, LoginRequest,
    MmgDay, MmgIdentityAnswer,
};
pub use convention::{
    CONVENTIONS_PATH, ConventionAcceptance, ConventionAcceptances, ConventionText, ConventionType,
    REFERENCE_CONVENTIONS_PARAM,
};
pub use health::{HEALTH_PATH, HealthReport, IntegrityCheck};
pub use offsite::{
    BACKUPS_PATH, BackupCopy, BackupCreate, BackupList, BackupRestored, BackupStatus, BackupUpload,
    MmgBackupStatus, TUS_CONTENT_TYPE, TUS_VERSION,
};
pub use reference::{
    AGGREGATES_PATH, ENROLL_PATH, Publication, REFERENCE_BDPM_PARAM, REFERENCE_PATH,
    ReferenceChanges, ReferenceKind,
};

use serde::{Deserialize, Serialize};

/// Version of the wire protocol described by this crate.
pub const PROTOCOL_VERSION: u32 = 1;

/// Answer of the hub's `GET /healthz`: the hub is up and its database answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: HealthStatus,
    /// Highest migration applied to the hub's database.
    pub schema_version: i64,
    /// Version of the hub binary (its crate version).
    pub version: String,
}

/// Overall state reported by [`Health`]. A hub that cannot answer `Ok` answers with an
/// [`ErrorBody`] and an HTTP error status instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// Body of every error answer of the hub: a stable code the client can branch on and a French
/// message a person can act on. It never carries internal details (SQL, stack, paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// What went wrong, as far as the client needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The hub's database cannot be reached right now: retry later.
    DatabaseUnavailable,
    /// The path or resource does not exist on this hub.
    NotFound,
    /// A fault inside the hub; details are in the hub's log only.
    Internal,
    /// The request is malformed (JSON, date, parameter): fix it before retrying.
    BadRequest,
    /// No credentials, or credentials that are unknown, expired or of the wrong kind.
    Unauthenticated,
    /// Valid credentials that do not give access to this resource.
    Forbidden,
    /// Too many failed logins for this login: wait before trying again.
    TooManyAttempts,
    /// The enrollment code is unknown, already used or expired: ask for a new one.
    InvalidEnrollmentCode,
    /// The request body is larger than the hub accepts.
    PayloadTooLarge,
    /// The body's `Content-Type` or `Content-Encoding` is not one the endpoint accepts.
    UnsupportedMediaType,
    /// The MMG's room for off-site copies on the hub is full.
    QuotaExceeded,
    /// A resumable upload was continued at another offset than the hub's (ask `HEAD` again).
    OffsetMismatch,
    /// An off-site copy's bytes do not match the SHA-256 announced when it was created.
    ChecksumMismatch,
    /// A code added by a newer hub that this client does not know yet.
    #[serde(other)]
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn health_has_the_documented_json_shape() {
        // Monitoring and the desktop parse exactly these three fields.
        let health = Health {
            status: HealthStatus::Ok,
            schema_version: 3,
            version: "0.1.0".to_owned(),
        };
        let value = serde_json::to_value(&health).unwrap();
        assert_eq!(
            value,
            json!({"status": "ok", "schema_version": 3, "version": "0.1.0"})
        );
        let back: Health = serde_json::from_value(value).unwrap();
        assert_eq!(back, health, "a Health must survive a round trip");
    }

    #[test]
    fn error_codes_are_snake_case_strings() {
        // Clients branch on these strings: they must not change.
        let cases = [
            (ErrorCode::DatabaseUnavailable, "database_unavailable"),
            (ErrorCode::NotFound, "not_found"),
            (ErrorCode::Internal, "internal"),
            (ErrorCode::BadRequest, "bad_request"),
            (ErrorCode::Unauthenticated, "unauthenticated"),
            (ErrorCode::Forbidden, "forbidden"),
            (ErrorCode::TooManyAttempts, "too_many_attempts"),
            (ErrorCode::InvalidEnrollmentCode, "invalid_enrollment_code"),
            (ErrorCode::PayloadTooLarge, "payload_too_large"),
            (ErrorCode::UnsupportedMediaType, "unsupported_media_type"),
            (ErrorCode::QuotaExceeded, "quota_exceeded"),
            (ErrorCode::OffsetMismatch, "offset_mismatch"),
            (ErrorCode::ChecksumMismatch, "checksum_mismatch"),
        ];
        for (code, text) in cases {
            assert_eq!(serde_json::to_value(code).unwrap(), json!(text));
            let parsed: ErrorCode = serde_json::from_value(json!(text)).unwrap();
            assert_eq!(parsed, code, "{text} must parse back");
        }
    }

    #[test]
    fn an_error_code_from_a_newer_hub_parses_as_unknown() {
        // An older desktop must still read the French message of an error it does not know.
        let body: ErrorBody = serde_json::from_value(json!({
            "code": "maintenance_planned",
            "message": "Maintenance prévue."
        }))
        .unwrap();
        assert_eq!(body.code, ErrorCode::Unknown);
        assert_eq!(body.message, "Maintenance prévue.");
    }
}
