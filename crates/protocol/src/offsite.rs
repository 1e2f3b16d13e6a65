//! Off-site copies of the MMG's backups (issue 27): an encrypted `.agbak` sent by a device to the
//! hub with the core of the tus 1.0 resumable-upload protocol, listed and downloaded by the
//! MMG's own devices, and summarised for the URML and the coordinators (dates and sizes only).
//!
//! The hub never sees what is inside a copy: these types carry sizes, hashes and dates.

use serde::{Deserialize, Serialize};

/// The base path of the devices' off-site copy endpoints.
pub const BACKUPS_PATH: &str = "/api/v1/backups";
/// The tus protocol version the hub speaks (header `Tus-Resumable`).
pub const TUS_VERSION: &str = "1.0.0";
/// The media type of a tus `PATCH` body.
pub const TUS_CONTENT_TYPE: &str = "application/offset+octet-stream";

/// `POST /api/v1/backups`: a new upload of one backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupCreate {
    /// Size of the file in bytes (at least 1).
    pub size: u64,
    /// SHA-256 of the whole file, 64 lowercase hexadecimal characters: checked by the hub when
    /// the last byte arrives, and by the desktop that downloads it.
    pub sha256: String,
    /// When the backup was made (RFC 3339, UTC), the time the retention rule reads.
    pub taken_at: String,
}

/// An upload, as created or found again: where to resume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupUpload {
    pub id: String,
    pub size: u64,
    /// Bytes the hub holds: the next `PATCH` starts there.
    pub offset: u64,
    /// True once every byte arrived and the hash matched.
    pub complete: bool,
}

/// One complete off-site copy of the MMG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCopy {
    pub id: String,
    /// When the backup was made (RFC 3339, UTC).
    pub taken_at: String,
    /// When its last byte reached the hub (RFC 3339, UTC).
    pub completed_at: String,
    pub size: u64,
    pub sha256: String,
    /// The device that sent it.
    pub device_id: String,
}

/// `GET /api/v1/backups`: the MMG's complete copies, newest first, and its room on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupList {
    pub copies: Vec<BackupCopy>,
    /// Bytes counted against the quota (complete copies and uploads in progress).
    pub used_bytes: u64,
    pub quota_bytes: u64,
}

/// `POST /api/v1/backups/{id}/restored`: what the restore changed on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRestored {
    /// Devices retired (the PC the copy came from, and any earlier device of its installation).
    pub devices_retired: u64,
}

/// `GET /api/v1/stats/backups`: per MMG the user may read, its last off-site copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupStatus {
    pub mmgs: Vec<MmgBackupStatus>,
}

/// The off-site copies of one MMG, as the URML and its coordinators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmgBackupStatus {
    pub mmg_id: String,
    pub name: String,
    pub departement: String,
    /// When the last complete copy reached the hub (RFC 3339, UTC); `None`: never.
    pub last_copy_at: Option<String>,
    /// When that copy was made on the PC (RFC 3339, UTC).
    pub last_copy_taken_at: Option<String>,
    pub last_copy_bytes: Option<u64>,
    /// Complete copies kept.
    pub copies: u64,
    pub used_bytes: u64,
    /// "Aucune copie hors site depuis 48 h": no complete copy reached the hub in the last 48 hours.
    pub no_copy_48h: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_json_shapes_are_pinned() {
        // Desktops and hubs of other versions read these: the names are the contract.
        let create: BackupCreate = serde_json::from_value(json!({
            "size": 3, "sha256": "ab", "taken_at": "2026-12-07T19:00:00Z"
        }))
        .unwrap();
        assert_eq!(create.size, 3);
        let unknown = serde_json::from_value::<BackupCreate>(json!({
            "size": 3, "sha256": "ab", "taken_at": "x", "key": "secret"
        }));
        assert!(unknown.is_err(), "nothing but size, hash and time is taken");
        let status = MmgBackupStatus {
            mmg_id: "m".into(),
            name: "n".into(),
            departement: "44".into(),
            last_copy_at: None,
            last_copy_taken_at: None,
            last_copy_bytes: None,
            copies: 0,
            used_bytes: 0,
            no_copy_48h: true,
        };
        assert_eq!(
            serde_json::to_value(&status).unwrap()["no_copy_48h"],
            json!(true)
        );
    }
}
