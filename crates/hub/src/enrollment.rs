//! Enrollment of a PC: a one-time code (made by `admin enroll-code`) exchanged for a device
//! token of the code's MMG, and the re-enrollment of a store, which retires the devices of its
//! installation and what they sent.
//!
//! Sits above `auth` (tokens), `ids` (code and UUID checks) and `aggregates` (the monthly rows
//! rebuilt when a re-enrollment deletes daily rows); none of them calls back here.

use appligarde_protocol::EnrollAnswer;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::{new_token, secret_hash};
use crate::ids::{is_uuid, normalize_code};

/// Exchanges a one-time enrollment `code` for a new device of the code's MMG. The code is
/// spent in the same transaction: of two PCs racing with one code, one gets a device.
///
/// `replaces` is the device the enrolling store was before (see migration 0004): when it is a
/// device of the same MMG, the new device continues its installation, and every device of that
/// installation is revoked and its daily aggregates deleted (with the monthly rows rebuilt), in
/// the same transaction. The desktop then sends every day again, so the MMG's totals are the
/// store's exactly, whatever revisions the hub had. An unknown device, or one of another MMG,
/// is not an error: the PC is enrolled as a new installation.
pub async fn enroll(
    client: &mut Client,
    code: &str,
    replaces: Option<&str>,
) -> Result<EnrollAnswer, Error> {
    let code = normalize_code(code);
    if code.is_empty() || code.len() > 64 {
        return Err(Error::InvalidEnrollmentCode);
    }
    let tx = client.transaction().await?;
    let code_hash = secret_hash(&code);
    let row = tx
        .query_opt(
            "UPDATE enrollment_code SET used_at = now() \
             WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() \
             RETURNING mmg_id::text",
            &[&code_hash],
        )
        .await?
        .ok_or(Error::InvalidEnrollmentCode)?;
    let mmg_id: String = row.get(0);
    let installation: Option<String> = match replaces.filter(|id| is_uuid(id)) {
        None => None,
        Some(previous) => tx
            .query_opt(
                "SELECT installation_id::text FROM device \
                 WHERE id = $1::text::uuid AND mmg_id = $2::text::uuid",
                &[&previous, &mmg_id],
            )
            .await?
            .map(|row| row.get(0)),
    };
    if let Some(installation) = &installation {
        retire_installation(&tx, &mmg_id, installation).await?;
    }
    let device_token = new_token();
    let device_id: String = tx
        .query_one(
            "INSERT INTO device (mmg_id, token_hash, installation_id) \
             VALUES ($1::text::uuid, $2, $3::text::uuid) RETURNING id::text",
            &[&mmg_id, &secret_hash(&device_token), &installation],
        )
        .await?
        .get(0);
    tx.execute(
        "UPDATE enrollment_code SET device_id = $2::text::uuid WHERE code_hash = $1",
        &[&code_hash, &device_id],
    )
    .await?;
    let mmg = tx
        .query_one(
            "SELECT name, departement FROM organisation WHERE id = $1::text::uuid",
            &[&mmg_id],
        )
        .await?;
    tx.commit().await?;
    Ok(EnrollAnswer {
        device_id,
        device_token,
        mmg_id,
        mmg_name: mmg.get(0),
        departement: mmg.get(1),
    })
}

/// Revokes every device of `installation` in `mmg_id` (reason `reenrolled`) and deletes
/// their daily aggregates, rebuilding the monthly rows of the months and the ORU's rows of the
/// days they touched; returns how
/// many devices were retired. Runs in the enrollment's (or a copy's restore, `offsite`) transaction, after the MMG's upload lock, so no upload of theirs interleaves.
pub(crate) async fn retire_installation(
    tx: &tokio_postgres::Transaction<'_>,
    mmg_id: &str,
    installation: &str,
) -> Result<u64, Error> {
    tx.execute("SELECT pg_advisory_xact_lock(hashtext($1))", &[&mmg_id])
        .await?;
    let retired = tx
        .execute(
            "UPDATE device SET revoked_at = now(), revoked_reason = 'reenrolled' \
             WHERE mmg_id = $1::text::uuid AND installation_id = $2::text::uuid \
               AND revoked_at IS NULL",
            &[&mmg_id, &installation],
        )
        .await?;
    let gone = tx
        .query(
            "DELETE FROM daily_aggregate a USING device d \
             WHERE a.device_id = d.id AND d.mmg_id = $1::text::uuid \
               AND d.installation_id = $2::text::uuid \
             RETURNING a.day",
            &[&mmg_id, &installation],
        )
        .await?;
    let days: std::collections::BTreeSet<chrono::NaiveDate> =
        gone.iter().map(|row| row.get(0)).collect();
    let months: std::collections::BTreeSet<chrono::NaiveDate> = days
        .iter()
        .map(|day| crate::aggregates::month_of(*day))
        .collect();
    for month in &months {
        crate::aggregates::rebuild_month(tx, mmg_id, *month).await?;
    }
    crate::oru::rebuild_days(tx, mmg_id, &days).await?;
    tracing::info!(
        mmg_id,
        installation,
        devices_retired = retired,
        months_rebuilt = months.len(),
        "re-enrollment: previous devices of the installation retired"
    );
    Ok(retired)
}
