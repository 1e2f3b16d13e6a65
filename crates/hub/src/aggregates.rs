//! Daily aggregates: the idempotent upload by an enrolled PC and the statistics read by users.
//!
//! The table keeps, for each (MMG, PC, date, slot), the highest revision that PC sent. The
//! statistics sum the rows of all the PCs of an MMG for one date and slot: an MMG with two PCs
//! counts the consultations of both.

use std::collections::{BTreeMap, BTreeSet};

use appligarde_protocol::{
    AggregateBatch, AggregateOutcome, AggregateReceipt, AggregateStatus, DailyAggregate,
    DailyCounts, DailyStats, MinuteHistogram, MmgDay, PdsaSlot,
};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use tokio_postgres::{Client, GenericClient};

use crate::Error;
use crate::auth::{Device, User};

/// Most aggregates in one batch: a year of every slot of one PC fits in two batches.
pub const MAX_BATCH: usize = 1000;
/// Longest date range one statistics request may cover, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Longest range of `GET /api/v1/stats/monthly`, in days (ten years).
pub const MAX_MONTHLY_RANGE_DAYS: i64 = 3660;
/// Longest range of `GET /api/v1/stats/days` (the dashboard's day view), in days: a quarter.
pub const MAX_DAYS_RANGE_DAYS: i64 = 93;

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

/// The daily activity of the MMGs of `departement` from `from` to `to` (inclusive), summed
/// over each MMG's PCs. Refused unless `user` may read that département.
pub async fn daily_stats(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DailyStats, Error> {
    if !user.may_read(departement) {
        return Err(Error::Forbidden(
            "vous n'avez accès qu'aux MMG des départements de votre ADOPS",
        ));
    }
    let rows = client
        .query(
            "SELECT o.id::text, o.name, a.day, a.slot, a.counts::text \
             FROM daily_aggregate a JOIN organisation o ON o.id = a.mmg_id \
             WHERE o.kind = 'mmg' AND o.departement = $1 AND a.day BETWEEN $2 AND $3 \
             ORDER BY a.day, a.slot, o.name, o.id",
            &[&departement, &from, &to],
        )
        .await?;
    let mut days: Vec<MmgDay> = Vec::new();
    for row in rows {
        let mmg_id: String = row.get(0);
        let date: NaiveDate = row.get(2);
        let slot_code: String = row.get(3);
        let slot = PdsaSlot::from_code(&slot_code).ok_or_else(|| {
            Error::Internal(format!("unknown slot {slot_code} in daily_aggregate").into())
        })?;
        let text: String = row.get(4);
        let counts: DailyCounts =
            serde_json::from_str(&text).map_err(|error| Error::Internal(Box::new(error)))?;
        match days.last_mut() {
            Some(day) if day.mmg_id == mmg_id && day.date == date && day.slot == slot => {
                add_counts(&mut day.counts, &counts);
                day.devices += 1;
            }
            _ => days.push(MmgDay {
                mmg_id,
                mmg_name: row.get(1),
                date,
                slot,
                devices: 1,
                counts,
            }),
        }
    }
    Ok(DailyStats {
        departement: departement.to_owned(),
        from,
        to,
        days,
    })
}

/// The first day of the month of `date`.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The monthly row of one MMG: its daily rows of that month, summed. Also the period total of
/// one MMG in [`days_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthTotal {
    /// Dates that have at least one aggregate.
    pub days: u32,
    /// Consultations per slot code.
    pub by_slot: BTreeMap<String, u32>,
    /// Consultations per weekday, Monday first.
    pub by_weekday: [u32; 7],
    /// Consultations per weekday (Monday first) and hour of arrival (0h to 23h): the heat map.
    pub by_weekday_hour: [[u32; 24]; 7],
    /// Shifts held per slot code: the (date, slot) pairs with at least one aggregate.
    pub shifts_by_slot: BTreeMap<String, u32>,
    pub counts: DailyCounts,
    /// The (date, slot) pairs already counted in `shifts_by_slot` (the PCs of one MMG send one
    /// row each for the same shift).
    #[serde(skip)]
    shifts: BTreeSet<(NaiveDate, PdsaSlot)>,
}

impl MonthTotal {
    /// Adds one daily row (of any PC and slot) of `date`.
    pub fn add(&mut self, date: NaiveDate, slot: PdsaSlot, counts: &DailyCounts) {
        let n = counts.consultations;
        let slot_total = self.by_slot.entry(slot.code().to_owned()).or_default();
        *slot_total = slot_total.saturating_add(n);
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.by_weekday[weekday] = self.by_weekday[weekday].saturating_add(n);
        for (cell, more) in self.by_weekday_hour[weekday]
            .iter_mut()
            .zip(counts.by_arrival_hour)
        {
            *cell = cell.saturating_add(more);
        }
        if self.shifts.insert((date, slot)) {
            *self
                .shifts_by_slot
                .entry(slot.code().to_owned())
                .or_default() += 1;
        }
        add_counts(&mut self.counts, counts);
    }
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

/// The JSON answer of `GET /api/v1/stats/monthly` (shape in `openapi.yaml`, `MonthlyStats`):
/// the monthly rows of the MMGs of `departement` from the month of `from` to the month of `to`,
/// every MMG of the département listed by name, with or without data. Refused unless `user` may
/// read that département.
///
/// The text is written directly from the stored JSON columns (checked by PostgreSQL when they
/// were written from a typed [`MonthTotal`]): a year of 400 MMGs is 4,800 rows of about a
/// kilobyte, and parsing them only to serialise them again would take most of the time.
pub async fn monthly_stats(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<String, Error> {
    use std::fmt::Write as _;
    if !user.may_read(departement) {
        return Err(Error::Forbidden(
            "vous n'avez accès qu'aux MMG des départements de votre ADOPS",
        ));
    }
    let (from, to) = (month_of(from), month_of(to));
    let mmgs = client
        .query(
            "SELECT id::text, name FROM organisation \
             WHERE kind = 'mmg' AND departement = $1 ORDER BY name, id",
            &[&departement],
        )
        .await?;
    // No ORDER BY: sorting wide rows would spill to disk; Rust orders them below.
    let rows = client
        .query(
            "SELECT m.mmg_id::text, m.month, m.days, m.by_slot::text, m.by_weekday::text, \
                    m.counts::text, m.by_weekday_hour::text, m.shifts_by_slot::text \
             FROM monthly_aggregate m JOIN organisation o ON o.id = m.mmg_id \
             WHERE o.kind = 'mmg' AND o.departement = $1 AND m.month BETWEEN $2 AND $3",
            &[&departement, &from, &to],
        )
        .await?;
    let mut by_mmg: BTreeMap<&str, Vec<(NaiveDate, usize)>> = BTreeMap::new();
    let mut size = 256 + mmgs.len() * 128;
    for (index, row) in rows.iter().enumerate() {
        let month: NaiveDate = row.get(1);
        size +=
            row.get::<_, &str>(5).len() + row.get::<_, Option<&str>>(6).map_or(0, str::len) + 320;
        by_mmg.entry(row.get(0)).or_default().push((month, index));
    }
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned());
    let mut out = String::with_capacity(size);
    let _ = write!(
        out,
        "{{\"departement\":{},\"from\":\"{}\",\"to\":\"{}\",\"mmgs\":[",
        quote(departement),
        from.format("%Y-%m"),
        to.format("%Y-%m")
    );
    for (n, mmg) in mmgs.iter().enumerate() {
        let mmg_id: &str = mmg.get(0);
        let name: &str = mmg.get(1);
        if n > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"mmg_id\":{},\"mmg_name\":{},\"months\":[",
            quote(mmg_id),
            quote(name)
        );
        let mut months = by_mmg.remove(mmg_id).unwrap_or_default();
        months.sort_unstable();
        for (k, (month, index)) in months.iter().enumerate() {
            let row = &rows[*index];
            if k > 0 {
                out.push(',');
            }
            // NULL until the hub has rebuilt a month stored before migration 0005.
            let _ = write!(
                out,
                "{{\"month\":\"{}\",\"days\":{},\"by_slot\":{},\"by_weekday\":{},\
                 \"by_weekday_hour\":{},\"shifts_by_slot\":{},\"counts\":{}}}",
                month.format("%Y-%m"),
                row.get::<_, i32>(2),
                row.get::<_, &str>(3),
                row.get::<_, &str>(4),
                row.get::<_, Option<&str>>(6).unwrap_or("null"),
                row.get::<_, Option<&str>>(7).unwrap_or("null"),
                row.get::<_, &str>(5)
            );
        }
        out.push_str("]}");
    }
    out.push_str("]}");
    Ok(out)
}

/// The JSON answer of `GET /api/v1/stats/days` (`DaysStats` in `openapi.yaml`): the day view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaysStats {
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every MMG of the département, by name, with or without data.
    pub mmgs: Vec<MmgDays>,
}

/// One MMG over the period of a [`DaysStats`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MmgDays {
    pub mmg_id: String,
    pub mmg_name: String,
    /// The dates that have at least one aggregate, in order.
    pub days: Vec<DayRow>,
    /// The whole period summed over dates, slots and PCs (`days` is the number of dates).
    pub total: MonthTotal,
}

/// Consultations of one MMG on one date, per slot code (a slot held with no consultation is
/// listed with 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub date: NaiveDate,
    pub by_slot: BTreeMap<String, u32>,
}

fn may_read_or_forbidden(user: &User, departement: &str) -> Result<(), Error> {
    if user.may_read(departement) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "vous n'avez accès qu'aux MMG des départements de votre ADOPS",
        ))
    }
}

fn parse_row(slot_code: &str, text: &str) -> Result<(PdsaSlot, DailyCounts), Error> {
    let slot = PdsaSlot::from_code(slot_code).ok_or_else(|| {
        Error::Internal(format!("unknown slot {slot_code} in daily_aggregate").into())
    })?;
    let counts: DailyCounts =
        serde_json::from_str(text).map_err(|error| Error::Internal(Box::new(error)))?;
    Ok((slot, counts))
}

/// The day view of the MMGs of `departement` from `from` to `to` (inclusive): for each MMG the
/// consultations of each date and slot, and the period's total (every indicator, the heat map
/// of arrivals by weekday and hour, shifts per slot), summed over its PCs. Refused unless
/// `user` may read that département.
pub async fn days_stats(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DaysStats, Error> {
    may_read_or_forbidden(user, departement)?;
    let mmgs = client
        .query(
            "SELECT id::text, name FROM organisation \
             WHERE kind = 'mmg' AND departement = $1 ORDER BY name, id",
            &[&departement],
        )
        .await?;
    let rows = client
        .query(
            "SELECT a.mmg_id::text, a.day, a.slot, a.counts::text \
             FROM daily_aggregate a JOIN organisation o ON o.id = a.mmg_id \
             WHERE o.kind = 'mmg' AND o.departement = $1 AND a.day BETWEEN $2 AND $3",
            &[&departement, &from, &to],
        )
        .await?;
    type PerMmg = (BTreeMap<NaiveDate, BTreeMap<String, u32>>, MonthTotal);
    let mut by_mmg: std::collections::HashMap<String, PerMmg> = std::collections::HashMap::new();
    for row in &rows {
        let date: NaiveDate = row.get(1);
        let (slot, counts) = parse_row(row.get(2), row.get(3))?;
        let (days, total) = by_mmg.entry(row.get(0)).or_default();
        let cell = days
            .entry(date)
            .or_default()
            .entry(slot.code().to_owned())
            .or_default();
        *cell = cell.saturating_add(counts.consultations);
        total.add(date, slot, &counts);
    }
    let mmgs = mmgs
        .iter()
        .map(|mmg| {
            let mmg_id: String = mmg.get(0);
            let (days, mut total) = by_mmg.remove(&mmg_id).unwrap_or_default();
            total.days = days.len() as u32;
            MmgDays {
                mmg_id,
                mmg_name: mmg.get(1),
                days: days
                    .into_iter()
                    .map(|(date, by_slot)| DayRow { date, by_slot })
                    .collect(),
                total,
            }
        })
        .collect();
    Ok(DaysStats {
        departement: departement.to_owned(),
        from,
        to,
        mmgs,
    })
}

/// The JSON answer of `GET /api/v1/stats/doctors` (`DoctorStats` in `openapi.yaml`): the
/// activity of each doctor of one MMG, under the opaque keys its desktop gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorStats {
    pub mmg_id: String,
    pub mmg_name: String,
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// All the MMG's consultations of the period, with or without a doctor.
    pub consultations: u32,
    /// By label order (« Médecin 1 », « Médecin 2 »...).
    pub doctors: Vec<DoctorRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorRow {
    /// The desktop's opaque key (`medecin-3`): the MMG's local user number, never a name.
    pub key: String,
    /// « Médecin 3 ».
    pub label: String,
    pub consultations: u32,
    /// Shifts (date and slot) in which this doctor saw at least one patient.
    pub shifts: u32,
    /// Consultations per slot code.
    pub by_slot: BTreeMap<String, u32>,
    /// Consultations per month (`AAAA-MM`).
    pub by_month: BTreeMap<String, u32>,
}

/// The French label of a doctor key: « Médecin 3 » for `medecin-3`, « Médecin d1 » otherwise.
pub fn doctor_label(key: &str) -> String {
    match key.strip_prefix("medecin-") {
        Some(number) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            format!("Médecin {}", number.trim_start_matches('0').max("0"))
        }
        _ => format!("Médecin {key}"),
    }
}

/// Sort key of a doctor: by number when the key has one, then by key.
fn doctor_order(key: &str) -> (u64, String) {
    let number = key
        .strip_prefix("medecin-")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    (number, key.to_owned())
}

/// Whether `text` is a UUID in its usual hyphenated form (what the hub gives MMGs).
pub fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.bytes().enumerate().all(|(i, b)| {
            if [8, 13, 18, 23].contains(&i) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// The activity per doctor of the MMG `mmg_id` from `from` to `to` (inclusive), summed over its
/// PCs. Refused unless `user` may read the MMG's département; an unknown MMG is refused the
/// same way (a coordinator cannot tell it from another département's), except for an URML
/// administrator, who is told it does not exist.
pub async fn doctor_stats(
    client: &Client,
    user: &User,
    mmg_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DoctorStats, Error> {
    let mmg = client
        .query_opt(
            "SELECT name, departement FROM organisation \
             WHERE kind = 'mmg' AND id = $1::text::uuid",
            &[&mmg_id],
        )
        .await?;
    let Some(mmg) = mmg else {
        return Err(if user.role == crate::auth::Role::UrmlAdmin {
            Error::BadRequest("aucune MMG n'a cet identifiant (paramètre « mmg »)".to_owned())
        } else {
            Error::Forbidden("vous n'avez accès qu'aux MMG des départements de votre ADOPS")
        });
    };
    let departement: String = mmg.get(1);
    may_read_or_forbidden(user, &departement)?;
    let rows = client
        .query(
            "SELECT day, slot, counts::text FROM daily_aggregate \
             WHERE mmg_id = $1::text::uuid AND day BETWEEN $2 AND $3",
            &[&mmg_id, &from, &to],
        )
        .await?;
    let mut consultations = 0u32;
    let mut doctors: BTreeMap<String, (DoctorRow, BTreeSet<(NaiveDate, PdsaSlot)>)> =
        BTreeMap::new();
    for row in &rows {
        let date: NaiveDate = row.get(0);
        let (slot, counts) = parse_row(row.get(1), row.get(2))?;
        consultations = consultations.saturating_add(counts.consultations);
        let month = date.format("%Y-%m").to_string();
        for (key, n) in &counts.by_doctor {
            let (doctor, shifts) = doctors.entry(key.clone()).or_insert_with(|| {
                (
                    DoctorRow {
                        key: key.clone(),
                        label: doctor_label(key),
                        consultations: 0,
                        shifts: 0,
                        by_slot: BTreeMap::new(),
                        by_month: BTreeMap::new(),
                    },
                    BTreeSet::new(),
                )
            });
            doctor.consultations = doctor.consultations.saturating_add(*n);
            let cell = doctor.by_slot.entry(slot.code().to_owned()).or_default();
            *cell = cell.saturating_add(*n);
            let cell = doctor.by_month.entry(month.clone()).or_default();
            *cell = cell.saturating_add(*n);
            if *n > 0 {
                shifts.insert((date, slot));
            }
        }
    }
    let mut doctors: Vec<DoctorRow> = doctors
        .into_values()
        .map(|(mut doctor, shifts)| {
            doctor.shifts = shifts.len() as u32;
            doctor
        })
        .collect();
    doctors.sort_by_key(|d| doctor_order(&d.key));
    Ok(DoctorStats {
        mmg_id: mmg_id.to_owned(),
        mmg_name: mmg.get(0),
        departement,
        from,
        to,
        consultations,
        doctors,
    })
}

/// Adds `more` into `total`, indicator by indicator (saturating: a sum never wraps around).
pub fn add_counts(total: &mut DailyCounts, more: &DailyCounts) {
    fn add(a: &mut u32, b: u32) {
        *a = a.saturating_add(b);
    }
    fn add_all<const N: usize>(a: &mut [u32; N], b: &[u32; N]) {
        for (x, y) in a.iter_mut().zip(b) {
            add(x, *y);
        }
    }
    fn add_map(
        a: &mut std::collections::BTreeMap<String, u32>,
        b: &std::collections::BTreeMap<String, u32>,
    ) {
        for (key, value) in b {
            add(a.entry(key.clone()).or_default(), *value);
        }
    }
    fn add_histogram(a: &mut MinuteHistogram, b: &MinuteHistogram) {
        add_all(&mut a.0, &b.0);
    }
    add(&mut total.consultations, more.consultations);
    add_all(&mut total.by_arrival_hour, &more.by_arrival_hour);
    let (t, m) = (&mut total.by_arrival_mode, &more.by_arrival_mode);
    for (a, b) in [
        (&mut t.regule_centre15, m.regule_centre15),
        (&mut t.regule_116117, m.regule_116117),
        (&mut t.regule_sas, m.regule_sas),
        (&mut t.spontane, m.spontane),
        (&mut t.adresse_medecin, m.adresse_medecin),
        (&mut t.adresse_pharmacien, m.adresse_pharmacien),
        (&mut t.autre, m.autre),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_age_band, &more.by_age_band);
    for (a, b) in [
        (&mut t.from_0_to_2, m.from_0_to_2),
        (&mut t.from_3_to_5, m.from_3_to_5),
        (&mut t.from_6_to_15, m.from_6_to_15),
        (&mut t.from_16_to_44, m.from_16_to_44),
        (&mut t.from_45_to_64, m.from_45_to_64),
        (&mut t.from_65_to_74, m.from_65_to_74),
        (&mut t.from_75, m.from_75),
        (&mut t.inconnu, m.inconnu),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_sex, &more.by_sex);
    for (a, b) in [
        (&mut t.female, m.female),
        (&mut t.male, m.male),
        (&mut t.undetermined, m.undetermined),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_orientation, &more.by_orientation);
    for (a, b) in [
        (&mut t.retour_domicile, m.retour_domicile),
        (&mut t.medecin_traitant, m.medecin_traitant),
        (&mut t.urgences, m.urgences),
        (&mut t.hospitalisation, m.hospitalisation),
        (&mut t.samu_smur, m.samu_smur),
        (&mut t.deces, m.deces),
        (&mut t.autre, m.autre),
    ] {
        add(a, b);
    }
    add(&mut total.home_visits, more.home_visits);
    add_map(&mut total.by_cim10_chapter, &more.by_cim10_chapter);
    add_map(&mut total.by_cim10_category, &more.by_cim10_category);
    add_histogram(&mut total.waiting_minutes, &more.waiting_minutes);
    add_histogram(&mut total.consultation_minutes, &more.consultation_minutes);
    add(&mut total.returns_within_72h, more.returns_within_72h);
    add_map(&mut total.by_commune, &more.by_commune);
    add_map(&mut total.by_doctor, &more.by_doctor);
    let (t, m) = (&mut total.amounts_cents, &more.amounts_cents);
    for (a, b) in [
        (&mut t.especes, m.especes),
        (&mut t.cheque, m.cheque),
        (&mut t.carte, m.carte),
        (&mut t.tiers_payant, m.tiers_payant),
        (&mut t.autre, m.autre),
    ] {
        *a = a.saturating_add(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every indicator set to `n` (maps with one key), so a forgotten field in [`add_counts`]
    /// shows up as a value that did not double.
    fn all(n: u32) -> DailyCounts {
        let mut c = DailyCounts {
            consultations: n,
            by_arrival_hour: [n; 24],
            home_visits: n,
            returns_within_72h: n,
            waiting_minutes: MinuteHistogram([n; appligarde_protocol::MINUTE_BUCKETS]),
            consultation_minutes: MinuteHistogram([n; appligarde_protocol::MINUTE_BUCKETS]),
            ..DailyCounts::default()
        };
        c.by_arrival_mode = serde_json::from_value(serde_json::json!({
            "regule_centre15": n, "regule_116117": n, "regule_sas": n, "spontane": n,
            "adresse_medecin": n, "adresse_pharmacien": n, "autre": n
        }))
        .unwrap();
        c.by_age_band = serde_json::from_value(serde_json::json!({
            "0-2": n, "3-5": n, "6-15": n, "16-44": n, "45-64": n, "65-74": n, "75+": n,
            "inconnu": n
        }))
        .unwrap();
        c.by_sex = serde_json::from_value(serde_json::json!({"F": n, "M": n, "I": n})).unwrap();
        c.by_orientation = serde_json::from_value(serde_json::json!({
            "retour_domicile": n, "medecin_traitant": n, "urgences": n, "hospitalisation": n,
            "samu_smur": n, "deces": n, "autre": n
        }))
        .unwrap();
        c.amounts_cents = serde_json::from_value(serde_json::json!({
            "especes": n, "cheque": n, "carte": n, "tiers_payant": n, "autre": n
        }))
        .unwrap();
        for map in [
            &mut c.by_cim10_chapter,
            &mut c.by_cim10_category,
            &mut c.by_commune,
            &mut c.by_doctor,
        ] {
            map.insert("k".into(), n);
        }
        c
    }

    #[test]
    fn adding_counts_adds_every_indicator() {
        let mut total = all(1);
        add_counts(&mut total, &all(2));
        assert_eq!(total, all(3), "each indicator of 1 + 2 must be 3");
    }

    #[test]
    fn maps_are_merged_key_by_key_and_sums_saturate() {
        let mut total = DailyCounts::default();
        total.by_commune.insert("44109".into(), 2);
        total.consultations = u32::MAX;
        let mut more = DailyCounts::default();
        more.by_commune.insert("44109".into(), 1);
        more.by_commune.insert("49007".into(), 5);
        more.consultations = 1;
        add_counts(&mut total, &more);
        assert_eq!(total.by_commune["44109"], 3);
        assert_eq!(total.by_commune["49007"], 5, "a key of one PC only is kept");
        assert_eq!(
            total.consultations,
            u32::MAX,
            "saturates instead of wrapping"
        );
    }
}
