//! Fleet health: the latest [`HealthReport`] of each PC (`POST /api/v1/sante`, device token) and
//! the fleet page's list of PCs (`GET /api/v1/parc/postes`, user session) with the flags the hub
//! computes itself from the report and the PC's last contact: no backup for 48 h, not seen for 7
//! days, integrity problem. Scoped like the statistics: the URML sees every MMG, a coordinator
//! their départements'. Versions, dates and a count only: never patient data.

use appligarde_protocol::{HealthReport, MAX_DATE_YEAR, MIN_DATE_YEAR};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{Device, Role, User};

/// Longest accepted app version text.
pub const MAX_APP_VERSION_CHARS: usize = 40;
/// Highest plausible schema version (the desktop is in the tens).
pub const MAX_SCHEMA_VERSION: u32 = 10_000;
/// Highest plausible count of days waiting (more than 30 years of days).
pub const MAX_PENDING_DAYS: u32 = 11_000;
/// A PC whose last successful backup is older than this is flagged.
pub const BACKUP_MAX_AGE_HOURS: i64 = 48;
/// A PC not seen for this long is flagged.
pub const UNSEEN_MAX_DAYS: i64 = 7;

/// The update channels (the signed updates follow the PC's).
pub const CHANNELS: [&str; 2] = ["stable", "pilote"];

fn date(field: &str, text: &str) -> Result<DateTime<Utc>, Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .filter(|at| appligarde_protocol::is_plausible_date(at.date_naive()))
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "« {field} » doit être une date RFC 3339 entre {MIN_DATE_YEAR} et \
                 {MAX_DATE_YEAR} (2026-11-23T08:40:00Z)"
            ))
        })
}

/// Records `report` as the latest of `device`, or a French 400 for an absurd value.
pub async fn upload(client: &Client, device: &Device, report: &HealthReport) -> Result<(), Error> {
    let version = report.app_version.as_str();
    if version.is_empty()
        || version.chars().count() > MAX_APP_VERSION_CHARS
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'))
    {
        return Err(Error::BadRequest(format!(
            "« app_version » est une version de 1 à {MAX_APP_VERSION_CHARS} caractères \
             (chiffres, lettres, « . », « - », « + » : 0.4.1)"
        )));
    }
    if report.schema_version > MAX_SCHEMA_VERSION {
        return Err(Error::BadRequest(format!(
            "« schema_version » est un entier de 0 à {MAX_SCHEMA_VERSION}"
        )));
    }
    if report.pending_days > MAX_PENDING_DAYS {
        return Err(Error::BadRequest(format!(
            "« pending_days » est un nombre de jours de 0 à {MAX_PENDING_DAYS}"
        )));
    }
    let backup = report
        .last_backup_at
        .as_deref()
        .map(|t| date("last_backup_at", t))
        .transpose()?;
    let (integrity_at, integrity_ok) = match &report.last_integrity_check {
        Some(check) => (
            Some(date("last_integrity_check.at", &check.at)?),
            Some(check.ok),
        ),
        None => (None, None),
    };
    let schema = i32::try_from(report.schema_version).unwrap_or(i32::MAX);
    let pending = i32::try_from(report.pending_days).unwrap_or(i32::MAX);
    client
        .execute(
            "INSERT INTO device_health (device_id, reported_at, app_version, schema_version, \
                 last_backup_at, last_integrity_at, integrity_ok, pending_days) \
             VALUES ($1::text::uuid, now(), $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (device_id) DO UPDATE SET reported_at = now(), \
                 app_version = excluded.app_version, schema_version = excluded.schema_version, \
                 last_backup_at = excluded.last_backup_at, \
                 last_integrity_at = excluded.last_integrity_at, \
                 integrity_ok = excluded.integrity_ok, pending_days = excluded.pending_days",
            &[
                &device.id,
                &version,
                &schema,
                &backup,
                &integrity_at,
                &integrity_ok,
                &pending,
            ],
        )
        .await?;
    Ok(())
}

/// One flag on a PC: a stable code and the French sentence the page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alerte {
    /// `sauvegarde`, `contact` or `integrite`.
    pub code: &'static str,
    pub message: String,
}

/// One PC of the fleet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Poste {
    pub device_id: String,
    pub mmg_id: String,
    pub mmg_name: String,
    pub departement: String,
    /// `stable` or `pilote`.
    pub canal: String,
    pub enrolled_at: String,
    /// The PC's last contact with the hub (RFC 3339, UTC), if any.
    pub last_seen_at: Option<String>,
    /// When its latest health report came; `None` when it never sent one (older desktop).
    pub reported_at: Option<String>,
    pub app_version: Option<String>,
    pub schema_version: Option<u32>,
    pub last_backup_at: Option<String>,
    /// Hours since the last successful backup, rounded down.
    pub backup_age_hours: Option<i64>,
    pub last_integrity_check_at: Option<String>,
    pub integrity_ok: Option<bool>,
    /// Days waiting on the PC to be sent, as of its last report.
    pub pending_days: Option<u32>,
    /// Empty for a healthy PC.
    pub alertes: Vec<Alerte>,
}

/// Answer of `GET /api/v1/parc/postes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParcPostes {
    /// The hub's time the flags were computed at (RFC 3339, UTC).
    pub now: String,
    /// The PCs in service of the MMGs the user may read, by département, MMG name, enrollment.
    pub postes: Vec<Poste>,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The flags of a PC at `now`.
pub fn alertes(
    now: DateTime<Utc>,
    last_seen: Option<DateTime<Utc>>,
    last_backup: Option<DateTime<Utc>>,
    integrity_ok: Option<bool>,
) -> Vec<Alerte> {
    let mut out = Vec::new();
    if last_backup.is_none_or(|at| now - at > Duration::hours(BACKUP_MAX_AGE_HOURS)) {
        out.push(Alerte {
            code: "sauvegarde",
            message: format!("aucune sauvegarde depuis {BACKUP_MAX_AGE_HOURS} h"),
        });
    }
    if last_seen.is_none_or(|at| now - at > Duration::days(UNSEEN_MAX_DAYS)) {
        out.push(Alerte {
            code: "contact",
            message: format!("non vu depuis {UNSEEN_MAX_DAYS} jours"),
        });
    }
    if integrity_ok == Some(false) {
        out.push(Alerte {
            code: "integrite",
            message: "problème d'intégrité".to_owned(),
        });
    }
    out
}

/// The fleet's PCs for `user`.
pub async fn postes(client: &Client, user: &User) -> Result<ParcPostes, Error> {
    let all = user.role == Role::UrmlAdmin;
    let mine: Vec<String> = user.departements.iter().cloned().collect();
    let now: DateTime<Utc> = client.query_one("SELECT now()", &[]).await?.get(0);
    let rows = client
        .query(
            "SELECT d.id::text, o.id::text, o.name, o.departement, d.canal, d.enrolled_at, \
                    d.last_seen_at, h.reported_at, h.app_version, h.schema_version, \
                    h.last_backup_at, h.last_integrity_at, h.integrity_ok, h.pending_days \
             FROM device d \
             JOIN organisation o ON o.id = d.mmg_id \
             LEFT JOIN device_health h ON h.device_id = d.id \
             WHERE d.revoked_at IS NULL AND o.kind = 'mmg' \
               AND ($1 OR o.departement = ANY($2)) \
             ORDER BY o.departement, o.name, d.enrolled_at, d.id",
            &[&all, &mine],
        )
        .await?;
    let postes = rows
        .iter()
        .map(|row| {
            let last_seen: Option<DateTime<Utc>> = row.get(6);
            let backup: Option<DateTime<Utc>> = row.get(10);
            let integrity_ok: Option<bool> = row.get(12);
            Poste {
                device_id: row.get(0),
                mmg_id: row.get(1),
                mmg_name: row.get(2),
                departement: row.get(3),
                canal: row.get(4),
                enrolled_at: rfc3339(row.get(5)),
                last_seen_at: last_seen.map(rfc3339),
                reported_at: row.get::<_, Option<DateTime<Utc>>>(7).map(rfc3339),
                app_version: row.get(8),
                schema_version: row
                    .get::<_, Option<i32>>(9)
                    .and_then(|v| u32::try_from(v).ok()),
                last_backup_at: backup.map(rfc3339),
                backup_age_hours: backup.map(|at| (now - at).num_hours()),
                last_integrity_check_at: row.get::<_, Option<DateTime<Utc>>>(11).map(rfc3339),
                integrity_ok,
                pending_days: row
                    .get::<_, Option<i32>>(13)
                    .and_then(|v| u32::try_from(v).ok()),
                alertes: alertes(now, last_seen, backup, integrity_ok),
            }
        })
        .collect();
    Ok(ParcPostes {
        now: rfc3339(now),
        postes,
    })
}

/// What `admin set-channel` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelChange {
    pub device_id: String,
    pub canal: String,
    /// The channel before.
    pub previous: String,
}

/// Puts the PC `device_id` on `canal` (`stable` or `pilote`).
pub async fn set_channel(
    client: &Client,
    device_id: &str,
    canal: &str,
) -> Result<ChannelChange, Error> {
    if !CHANNELS.contains(&canal) {
        return Err(Error::InvalidInput(format!(
            "canal inconnu « {canal} » : stable ou pilote"
        )));
    }
    let unknown = || Error::InvalidInput(format!("aucun poste n'a l'identifiant « {device_id} »"));
    if !crate::ids::is_uuid(device_id) {
        return Err(unknown());
    }
    let row = client
        .query_opt(
            "UPDATE device n SET canal = $2 FROM device o \
             WHERE n.id = o.id AND n.id = $1::text::uuid RETURNING o.canal",
            &[&device_id, &canal],
        )
        .await?
        .ok_or_else(unknown)?;
    Ok(ChannelChange {
        device_id: device_id.to_owned(),
        canal: canal.to_owned(),
        previous: row.get(0),
    })
}
