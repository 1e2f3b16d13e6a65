//! Requests and answers of the hub's `/api/v1` endpoints (described in `crates/hub/openapi.yaml`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::aggregate::{DailyAggregate, DailyCounts, PdsaSlot};

/// `POST /api/v1/login`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest")
            .field("login", &self.login)
            .field("password", &"***")
            .finish()
    }
}

/// Answer of `POST /api/v1/login`: a bearer token for the statistics endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginAnswer {
    pub token: String,
}

/// `POST /api/v1/enroll`: the one-time code an administrator made for an MMG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// The device this store was enrolled as before (kept in the store, so a restored backup
    /// names it too). The hub retires that device's installation in the same MMG and deletes
    /// what it sent; the desktop sends every day again under the new device. Absent for a
    /// first enrollment (and from older desktops).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces_device_id: Option<String>,
}

/// `POST` an [`IdentityRequest`] here (no token: the one-time code is the credential): the
/// identity the URML recorded for the code's MMG, read without spending the code, so that a new
/// installation's first-start assistant fills the MMG's identity before enrolling with the same
/// code. Throttled per address like the enrollment.
pub const ENROLL_IDENTITY_PATH: &str = "/api/v1/enroll/identity";

/// Body of `POST /api/v1/enroll/identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityRequest {
    pub code: String,
}

/// The MMG's identity as the URML recorded it on the hub. Fields the URML left out are empty
/// strings: the MMG's admin completes them in the assistant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmgIdentityAnswer {
    pub mmg_name: String,
    pub departement: String,
    #[serde(default)]
    pub adresse: String,
    #[serde(default)]
    pub code_postal: String,
    #[serde(default)]
    pub commune: String,
    #[serde(default)]
    pub telephone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub finess: String,
}

/// Answer of `POST /api/v1/enroll`. The `device_token` is shown once: the desktop keeps it in
/// the OS keyring, the hub only keeps its hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollAnswer {
    pub device_id: String,
    pub device_token: String,
    pub mmg_id: String,
    pub mmg_name: String,
    pub departement: String,
}

impl std::fmt::Debug for EnrollAnswer {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollAnswer")
            .field("device_id", &self.device_id)
            .field("device_token", &"***")
            .field("mmg_id", &self.mmg_id)
            .field("mmg_name", &self.mmg_name)
            .field("departement", &self.departement)
            .finish()
    }
}

/// `POST /api/v1/aggregates`: a batch of daily aggregates of the calling PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateBatch {
    pub aggregates: Vec<DailyAggregate>,
}

/// Answer of `POST /api/v1/aggregates`: one outcome per aggregate, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateReceipt {
    pub outcomes: Vec<AggregateOutcome>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregateOutcome {
    pub date: NaiveDate,
    pub slot: PdsaSlot,
    pub revision: u64,
    pub status: AggregateStatus,
}

/// What the hub did with one aggregate. Both mean "received": the desktop may forget it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateStatus {
    /// New, or a higher revision that replaced the one the hub had.
    Accepted,
    /// The hub already had this revision or a higher one: nothing changed.
    Ignored,
}

/// Answer of `GET /api/v1/stats/daily`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyStats {
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// One row per MMG, date and slot that has data, ordered by date, slot, MMG name.
    pub days: Vec<MmgDay>,
}

/// The activity of one MMG on one date and slot: the sum over all its PCs of the latest
/// revision each PC sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmgDay {
    pub mmg_id: String,
    pub mmg_name: String,
    pub date: NaiveDate,
    pub slot: PdsaSlot,
    /// How many PCs sent an aggregate for this date and slot.
    pub devices: u32,
    pub counts: DailyCounts,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_not_printed_by_debug() {
        // Requests end up in logs through `?request`: a password or a token must not.
        let login = LoginRequest {
            login: "alice".into(),
            password: "s3cret-password".into(),
        };
        assert!(!format!("{login:?}").contains("s3cret"));
        let enroll = EnrollAnswer {
            device_id: "d".into(),
            device_token: "abcdef0123".into(),
            mmg_id: "m".into(),
            mmg_name: "MMG".into(),
            departement: "44".into(),
        };
        assert!(!format!("{enroll:?}").contains("abcdef0123"));
    }

    #[test]
    fn outcomes_have_the_documented_shape() {
        let outcome = AggregateOutcome {
            date: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            slot: PdsaSlot::Nuit,
            revision: 4,
            status: AggregateStatus::Ignored,
        };
        assert_eq!(
            serde_json::to_value(outcome).unwrap(),
            json!({"date": "2026-02-01", "slot": "nuit", "revision": 4, "status": "ignored"})
        );
    }
}
