//! The idempotent upload by an enrolled PC (highest revision wins, one transaction per batch,
//! one `unnest` statement) and the monthly pre-aggregates and the ORU's syndromic days
//! (`crate::oru`) rebuilt in the upload's transaction.

use std::collections::BTreeSet;

use appligarde_protocol::{
    AggregateBatch, AggregateOutcome, AggregateReceipt, AggregateStatus, DailyAggregate,
    DailyCounts, PdsaSlot,
};
use chrono::{Months, NaiveDate};
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};

use super::totals::{MonthTotal, month_of};
use crate::Error;
use crate::auth::Device;

/// Most aggregates in one batch: a year of every slot of one PC fits in two batches.
pub const MAX_BATCH: usize = 1000;

/// How [`upload_with`] writes the daily rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStrategy {
    /// One `INSERT ... SELECT FROM unnest(...)` for the whole batch: one round trip.
    Batched,
    /// One upsert per aggregate (what a batch repeating a date and slot needs; the benchmark's
    /// baseline).
    RowByRow,
}

/// One validated aggregate: itself, its revision, schema and counts as the database takes them.
type Row<'a> = (&'a DailyAggregate, i64, i32, String);

/// Stores `batch` from `device` in one transaction: each aggregate is accepted when new or of a
/// higher revision than the stored one, ignored otherwise. Nothing is stored when any aggregate
/// is refused (malformed, or for another MMG or PC). The monthly rows of the months touched are
/// rebuilt in the same transaction.
pub async fn upload(
    client: &mut Client,
    device: &Device,
    batch: &AggregateBatch,
) -> Result<AggregateReceipt, Error> {
    upload_with(client, device, batch, WriteStrategy::Batched).await
}

/// [`upload`], writing the daily rows the way `strategy` says.
pub async fn upload_with(
    client: &mut Client,
    device: &Device,
    batch: &AggregateBatch,
    strategy: WriteStrategy,
) -> Result<AggregateReceipt, Error> {
    if batch.aggregates.len() > MAX_BATCH {
        return Err(Error::BadRequest(format!(
            "un lot contient au plus {MAX_BATCH} agrégats (reçu : {}) ; découpez l'envoi",
            batch.aggregates.len()
        )));
    }
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(batch.aggregates.len());
    for (index, aggregate) in batch.aggregates.iter().enumerate() {
        let number = index + 1;
        if let Some(defect) = aggregate.defect() {
            return Err(Error::BadRequest(format!(
                "l'agrégat n° {number} a un champ « {} » invalide",
                defect.field()
            )));
        }
        if aggregate.mmg_id != device.mmg_id || aggregate.device_id != device.id {
            return Err(Error::Forbidden(
                "un poste n'envoie que les agrégats de sa propre MMG, sous son propre \
                 identifiant de poste (voir la réponse de l'enrôlement)",
            ));
        }
        let revision = i64::try_from(aggregate.revision).map_err(|_| {
            Error::BadRequest(format!("l'agrégat n° {number} a une révision trop grande"))
        })?;
        let schema = i32::try_from(aggregate.schema).map_err(|_| {
            Error::BadRequest(format!("l'agrégat n° {number} a un schéma trop grand"))
        })?;
        let counts = serde_json::to_string(&aggregate.counts)
            .map_err(|error| Error::Internal(Box::new(error)))?;
        rows.push((aggregate, revision, schema, counts));
    }
    let tx = client.transaction().await?;
    // One upload per MMG at a time: two PCs of one MMG rebuilding the same month concurrently
    // would each miss the other's rows. Different MMGs do not wait for each other.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext($1))",
        &[&device.mmg_id],
    )
    .await?;
    let keys: BTreeSet<(NaiveDate, PdsaSlot)> =
        rows.iter().map(|(a, ..)| (a.date, a.slot)).collect();
    // One statement cannot update a row twice: a batch that repeats a date and slot (a client
    // bug, but harmless) is written one aggregate after the other, in the order sent.
    let changed = if strategy == WriteStrategy::Batched && keys.len() == rows.len() {
        upsert_batched(&tx, device, &rows).await?
    } else {
        upsert_row_by_row(&tx, device, &rows).await?
    };
    let mut outcomes = Vec::with_capacity(rows.len());
    for ((aggregate, ..), changed) in rows.iter().zip(changed) {
        outcomes.push(AggregateOutcome {
            date: aggregate.date,
            slot: aggregate.slot,
            revision: aggregate.revision,
            status: if changed {
                AggregateStatus::Accepted
            } else {
                AggregateStatus::Ignored
            },
        });
    }
    let months: BTreeSet<NaiveDate> = outcomes
        .iter()
        .filter(|o| o.status == AggregateStatus::Accepted)
        .map(|o| month_of(o.date))
        .collect();
    for month in months {
        rebuild_month(&tx, &device.mmg_id, month).await?;
    }
    let days: BTreeSet<NaiveDate> = outcomes
        .iter()
        .filter(|o| o.status == AggregateStatus::Accepted)
        .map(|o| o.date)
        .collect();
    crate::oru::rebuild_days(&tx, &device.mmg_id, &days).await?;
    tx.commit().await?;
    Ok(AggregateReceipt { outcomes })
}

/// Upserts `rows` in one statement; returns, in order, whether each was inserted or replaced.
async fn upsert_batched(
    tx: &impl GenericClient,
    device: &Device,
    rows: &[Row<'_>],
) -> Result<Vec<bool>, Error> {
    let days: Vec<NaiveDate> = rows.iter().map(|(a, ..)| a.date).collect();
    let slots: Vec<&str> = rows.iter().map(|(a, ..)| a.slot.code()).collect();
    let revisions: Vec<i64> = rows.iter().map(|(_, r, ..)| *r).collect();
    let schemas: Vec<i32> = rows.iter().map(|(_, _, s, _)| *s).collect();
    let counts: Vec<&str> = rows.iter().map(|(.., c)| c.as_str()).collect();
    let changed = tx
        .query(
            "INSERT INTO daily_aggregate (mmg_id, device_id, day, slot, revision, schema, counts) \
             SELECT $1::text::uuid, $2::text::uuid, t.day, t.slot, t.revision, t.schema, \
                    t.counts::jsonb \
             FROM unnest($3::date[], $4::text[], $5::int8[], $6::int4[], $7::text[]) \
                  AS t(day, slot, revision, schema, counts) \
             ON CONFLICT (mmg_id, device_id, day, slot) DO UPDATE \
             SET revision = EXCLUDED.revision, schema = EXCLUDED.schema, \
                 counts = EXCLUDED.counts, received_at = now() \
             WHERE daily_aggregate.revision < EXCLUDED.revision \
             RETURNING day, slot",
            &[
                &device.mmg_id,
                &device.id,
                &days,
                &slots,
                &revisions,
                &schemas,
                &counts,
            ],
        )
        .await?;
    let changed: BTreeSet<(NaiveDate, String)> =
        changed.iter().map(|row| (row.get(0), row.get(1))).collect();
    Ok(rows
        .iter()
        .map(|(a, ..)| changed.contains(&(a.date, a.slot.code().to_owned())))
        .collect())
}

/// Upserts `rows` one statement each, in order; returns whether each was inserted or replaced.
async fn upsert_row_by_row(
    tx: &impl GenericClient,
    device: &Device,
    rows: &[Row<'_>],
) -> Result<Vec<bool>, Error> {
    let statement = tx
        .prepare(
            "INSERT INTO daily_aggregate (mmg_id, device_id, day, slot, revision, schema, counts) \
             VALUES ($1::text::uuid, $2::text::uuid, $3, $4, $5, $6, $7::text::jsonb) \
             ON CONFLICT (mmg_id, device_id, day, slot) DO UPDATE \
             SET revision = EXCLUDED.revision, schema = EXCLUDED.schema, \
                 counts = EXCLUDED.counts, received_at = now() \
             WHERE daily_aggregate.revision < EXCLUDED.revision \
             RETURNING 1",
        )
        .await?;
    let mut changed = Vec::with_capacity(rows.len());
    for (aggregate, revision, schema, counts) in rows {
        // A row comes back when inserted or replaced; none when the stored revision is >=.
        let row = tx
            .query_opt(
                &statement,
                &[
                    &device.mmg_id,
                    &device.id,
                    &aggregate.date,
                    &aggregate.slot.code(),
                    revision,
                    schema,
                    counts,
                ],
            )
            .await?;
        changed.push(row.is_some());
    }
    Ok(changed)
}

/// Recomputes the monthly row of `mmg_id` for `month` from its daily rows (deletes it when
/// none is left). Runs inside the upload's transaction.
pub async fn rebuild_month(
    client: &impl GenericClient,
    mmg_id: &str,
    month: NaiveDate,
) -> Result<(), Error> {
    let end = month
        .checked_add_months(Months::new(1))
        .ok_or_else(|| Error::BadRequest("date hors limites".to_owned()))?;
    let rows = client
        .query(
            "SELECT day, slot, counts::text FROM daily_aggregate \
             WHERE mmg_id = $1::text::uuid AND day >= $2 AND day < $3 ORDER BY day",
            &[&mmg_id, &month, &end],
        )
        .await?;
    if rows.is_empty() {
        client
            .execute(
                "DELETE FROM monthly_aggregate WHERE mmg_id = $1::text::uuid AND month = $2",
                &[&mmg_id, &month],
            )
            .await?;
        return Ok(());
    }
    let mut total = MonthTotal::default();
    let mut days = BTreeSet::new();
    for row in rows {
        let day: NaiveDate = row.get(0);
        let slot_code: String = row.get(1);
        let slot = PdsaSlot::from_code(&slot_code).ok_or_else(|| {
            Error::Internal(format!("unknown slot {slot_code} in daily_aggregate").into())
        })?;
        let text: String = row.get(2);
        let counts: DailyCounts =
            serde_json::from_str(&text).map_err(|error| Error::Internal(Box::new(error)))?;
        days.insert(day);
        total.add(day, slot, &counts);
    }
    total.days = days.len() as u32;
    write_month(client, mmg_id, month, &total).await
}

/// Stores `total` as the monthly row of `mmg_id` for `month`.
pub async fn write_month(
    client: &impl GenericClient,
    mmg_id: &str,
    month: NaiveDate,
    total: &MonthTotal,
) -> Result<(), Error> {
    client
        .execute(
            "INSERT INTO monthly_aggregate (mmg_id, month, days, by_slot, by_weekday, counts, \
                 by_weekday_hour, shifts_by_slot) \
             VALUES ($1::text::uuid, $2, $3, $4::text::json, $5::text::json, $6::text::json, \
                 $7::text::json, $8::text::json) \
             ON CONFLICT (mmg_id, month) DO UPDATE SET days = EXCLUDED.days, \
                 by_slot = EXCLUDED.by_slot, by_weekday = EXCLUDED.by_weekday, \
                 counts = EXCLUDED.counts, by_weekday_hour = EXCLUDED.by_weekday_hour, \
                 shifts_by_slot = EXCLUDED.shifts_by_slot, updated_at = now()",
            &[
                &mmg_id,
                &month,
                &(total.days as i32),
                &to_json(&total.by_slot)?,
                &to_json(&total.by_weekday)?,
                &to_json(&total.counts)?,
                &to_json(&total.by_weekday_hour)?,
                &to_json(&total.shifts_by_slot)?,
            ],
        )
        .await?;
    Ok(())
}

fn to_json(value: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|error| Error::Internal(Box::new(error)))
}

/// Builds the monthly rows of the months that have daily rows but no monthly row (daily rows
/// stored before migration 0003), or a row without the columns of migration 0005. Returns how
/// many months were built; a no-op afterwards.
pub async fn rebuild_missing_months(client: &Client) -> Result<usize, Error> {
    let rows = client
        .query(
            "SELECT DISTINCT d.mmg_id::text, date_trunc('month', d.day)::date \
             FROM daily_aggregate d \
             WHERE NOT EXISTS (SELECT 1 FROM monthly_aggregate m \
                               WHERE m.mmg_id = d.mmg_id \
                                 AND m.month = date_trunc('month', d.day)::date \
                                 AND m.by_weekday_hour IS NOT NULL \
                                 AND m.shifts_by_slot IS NOT NULL)",
            &[],
        )
        .await?;
    for row in &rows {
        let mmg_id: String = row.get(0);
        rebuild_month(client, &mmg_id, row.get(1)).await?;
    }
    Ok(rows.len())
}
