//! The fleet health report: at each sync a desktop `POST`s a [`HealthReport`] to
//! [`HEALTH_PATH`] with its device token (`204 No Content`). Versions, dates and one count:
//! never a name, never patient data. A hub that answers 404 does not know the route yet (older
//! hub): the desktop skips the report and the sync goes on.

use serde::{Deserialize, Serialize};

/// `POST` a [`HealthReport`] here with the device token; answered `204 No Content`.
pub const HEALTH_PATH: &str = "/api/v1/sante";

/// The last integrity check of the desktop's database (`appligarde-cli check`, or the
/// verification that follows each backup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityCheck {
    /// RFC 3339 in UTC (`2026-11-23T08:40:00Z`).
    pub at: String,
    /// The database and the audit chain were whole.
    pub ok: bool,
}

/// Body of `POST` [`HEALTH_PATH`]: the state of one PC, sent whole at each sync (the hub keeps
/// the latest per device).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    /// The desktop's version (`0.4.1`).
    pub app_version: String,
    /// The schema version of its local database.
    pub schema_version: u32,
    /// RFC 3339 UTC time of the last successful local backup, if any.
    #[serde(default)]
    pub last_backup_at: Option<String>,
    /// The last integrity check, if any was recorded.
    #[serde(default)]
    pub last_integrity_check: Option<IntegrityCheck>,
    /// Days whose aggregate waits to be sent to the hub (after this sync's push).
    pub pending_days: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn health_report_has_the_documented_shape() {
        let report = HealthReport {
            app_version: "0.4.1".into(),
            schema_version: 16,
            last_backup_at: Some("2026-11-23T07:00:00Z".into()),
            last_integrity_check: Some(IntegrityCheck {
                at: "2026-11-23T07:00:01Z".into(),
                ok: true,
            }),
            pending_days: 2,
        };
        let value = serde_json::to_value(&report).unwrap();
        assert_eq!(
            value,
            json!({
                "app_version": "0.4.1",
                "schema_version": 16,
                "last_backup_at": "2026-11-23T07:00:00Z",
                "last_integrity_check": {"at": "2026-11-23T07:00:01Z", "ok": true},
                "pending_days": 2
            })
        );
        assert_eq!(
            serde_json::from_value::<HealthReport>(value).unwrap(),
            report
        );
        // The optional parts may be left out.
        let bare: HealthReport = serde_json::from_value(
            json!({"app_version": "0.4.1", "schema_version": 16, "pending_days": 0}),
        )
        .unwrap();
        assert_eq!(bare.last_backup_at, None);
        assert_eq!(bare.last_integrity_check, None);
        // A negative count is not a report.
        assert!(
            serde_json::from_value::<HealthReport>(
                json!({"app_version": "0.4.1", "schema_version": 16, "pending_days": -1})
            )
            .is_err()
        );
    }
}
