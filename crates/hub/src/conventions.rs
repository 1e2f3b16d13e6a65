//! The URML's "conventions utilisateurs" on the hub: the versions each MMG accepted, as its PCs
//! report them at each sync (`POST /api/v1/conventions`: version numbers and dates, never
//! names), and the fleet view (`GET /api/v1/parc`): which version of the MMG's convention of use
//! and of the users' charter each MMG accepted, against the latest published, for the MMGs the
//! user may read (every MMG for the URML, a coordinator's départements' otherwise).
//!
//! The texts themselves are reference publications of kind `convention` (`reference.rs`).

use appligarde_protocol::{ConventionAcceptances, ConventionType};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{Device, Role, User};

/// Most acceptances in one report (a desktop has a few: two texts, a version per year).
pub const MAX_ACCEPTANCES: usize = 200;

/// Records what a PC of `device`'s MMG reports: each (text, version) once per MMG, with the
/// earliest date any of its PCs reported.
pub async fn upload(
    client: &mut Client,
    device: &Device,
    report: &ConventionAcceptances,
) -> Result<(), Error> {
    if report.accepted.len() > MAX_ACCEPTANCES {
        return Err(Error::BadRequest(format!(
            "au plus {MAX_ACCEPTANCES} acceptations par envoi"
        )));
    }
    let mut rows = Vec::with_capacity(report.accepted.len());
    for acceptance in &report.accepted {
        let version = i32::try_from(acceptance.version)
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| {
                Error::BadRequest("une version acceptée est un entier à partir de 1".to_owned())
            })?;
        let at = DateTime::parse_from_rfc3339(&acceptance.accepted_at)
            .map(|at| at.with_timezone(&Utc))
            .ok()
            .filter(|at| appligarde_protocol::is_plausible_date(at.date_naive()))
            .ok_or_else(|| {
                Error::BadRequest(format!(
                    "« accepted_at » doit être une date RFC 3339 entre {} et {} \
                     (2026-11-23T08:40:00Z)",
                    appligarde_protocol::MIN_DATE_YEAR,
                    appligarde_protocol::MAX_DATE_YEAR
                ))
            })?;
        rows.push((acceptance.convention.code(), version, at));
    }
    let tx = client.transaction().await?;
    for (convention, version, at) in rows {
        tx.execute(
            "INSERT INTO convention_acceptance (mmg_id, convention, version, accepted_at) \
             VALUES ($1::text::uuid, $2, $3, $4) \
             ON CONFLICT (mmg_id, convention, version) DO UPDATE \
             SET accepted_at = least(convention_acceptance.accepted_at, excluded.accepted_at)",
            &[&device.mmg_id, &convention, &version, &at],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The latest version of a text an MMG accepted, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accepted {
    pub version: u32,
    /// RFC 3339, UTC.
    pub accepted_at: String,
}

/// The latest version of each text published on this hub (`None`: none yet; the desktops then
/// ask for the version shipped with the package).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedVersions {
    pub mmg: Option<u32>,
    pub charte: Option<u32>,
}

/// One MMG of the fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParcMmg {
    pub id: String,
    pub name: String,
    pub departement: String,
    /// Enrolled PCs still in service.
    pub devices: u32,
    /// The last contact of any of its PCs (RFC 3339, UTC), if any.
    pub last_seen_at: Option<String>,
    /// The highest version of the MMG's convention of use its admin accepted.
    pub mmg: Option<Accepted>,
    /// The highest version of the users' charter accepted in the MMG.
    pub charte: Option<Accepted>,
    /// Both texts accepted in their latest published version (or in some version when none
    /// is published).
    pub up_to_date: bool,
}

/// Answer of `GET /api/v1/parc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parc {
    pub published: PublishedVersions,
    /// The MMGs the user may read, by département then name.
    pub mmgs: Vec<ParcMmg>,
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The fleet view for `user`.
pub async fn parc(client: &Client, user: &User) -> Result<Parc, Error> {
    let published = PublishedVersions {
        mmg: Some(crate::reference::latest_convention_version(client, ConventionType::Mmg).await?)
            .filter(|v| *v > 0),
        charte: Some(
            crate::reference::latest_convention_version(client, ConventionType::Charte).await?,
        )
        .filter(|v| *v > 0),
    };
    let all = user.role == Role::UrmlAdmin;
    let mine: Vec<String> = user.departements.iter().cloned().collect();
    let rows = client
        .query(
            "SELECT o.id::text, o.name, o.departement, \
                    (SELECT count(*) FROM device d WHERE d.mmg_id = o.id AND d.revoked_at IS NULL), \
                    (SELECT max(d.last_seen_at) FROM device d WHERE d.mmg_id = o.id), \
                    m.version, m.accepted_at, c.version, c.accepted_at \
             FROM organisation o \
             LEFT JOIN LATERAL (SELECT version, accepted_at FROM convention_acceptance a \
                                WHERE a.mmg_id = o.id AND a.convention = 'mmg' \
                                ORDER BY version DESC LIMIT 1) m ON true \
             LEFT JOIN LATERAL (SELECT version, accepted_at FROM convention_acceptance a \
                                WHERE a.mmg_id = o.id AND a.convention = 'charte' \
                                ORDER BY version DESC LIMIT 1) c ON true \
             WHERE o.kind = 'mmg' AND ($1 OR o.departement = ANY($2)) \
             ORDER BY o.departement, o.name, o.id",
            &[&all, &mine],
        )
        .await?;
    let accepted = |version: Option<i32>, at: Option<DateTime<Utc>>| {
        version.zip(at).map(|(version, at)| Accepted {
            version: u32::try_from(version).unwrap_or(0),
            accepted_at: rfc3339(at),
        })
    };
    let current = |accepted: &Option<Accepted>, latest: Option<u32>| {
        accepted
            .as_ref()
            .is_some_and(|a| a.version >= latest.unwrap_or(0))
    };
    let mmgs = rows
        .iter()
        .map(|row| {
            let mmg = accepted(row.get(5), row.get(6));
            let charte = accepted(row.get(7), row.get(8));
            ParcMmg {
                id: row.get(0),
                name: row.get(1),
                departement: row.get(2),
                devices: u32::try_from(row.get::<_, i64>(3)).unwrap_or(0),
                last_seen_at: row.get::<_, Option<DateTime<Utc>>>(4).map(rfc3339),
                up_to_date: current(&mmg, published.mmg) && current(&charte, published.charte),
                mmg,
                charte,
            }
        })
        .collect();
    Ok(Parc { published, mmgs })
}
