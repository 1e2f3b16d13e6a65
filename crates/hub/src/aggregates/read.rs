//! The statistics read by users, summed over the PCs of each MMG: the daily rows as sent, the
//! monthly rows (the dashboard's year views) and the day view of a period.

use std::collections::{BTreeMap, BTreeSet};

use appligarde_protocol::{DailyCounts, DailyStats, MmgDay, PdsaSlot};
use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::Client;

use super::indicators::{IndicatorCounts, Indicators};
use super::totals::{MonthTotal, add_counts, month_of, parse_row};
use crate::Error;
use crate::auth::User;

/// Longest date range one statistics request may cover, in days.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Longest range of `GET /api/v1/stats/monthly`, in days (ten years).
pub const MAX_MONTHLY_RANGE_DAYS: i64 = 3660;
/// Longest range of `GET /api/v1/stats/days` (the dashboard's day view), in days: a quarter.
pub const MAX_DAYS_RANGE_DAYS: i64 = 93;

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

/// The JSON answer of `GET /api/v1/stats/monthly` (shape in `openapi.yaml`, `MonthlyStats`):
/// the monthly rows of the MMGs of `departement` from the month of `from` to the month of `to`,
/// every MMG of the département listed by name, with or without data. Refused unless `user` may
/// read that département.
///
/// The text is written directly from the stored JSON columns (checked by PostgreSQL when they
/// were written from a typed [`MonthTotal`]): a year of 400 MMGs is 4,800 rows of about a
/// kilobyte, and parsing them only to serialise them again would take most of the time. Only
/// the few counts the [`Indicators`] need (consultations, arrival modes, minute histograms) are
/// parsed, to give each MMG's indicators over the period and those of all the MMGs listed.
pub async fn monthly_stats(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<String, Error> {
    monthly_stats_selected(client, user, departement, from, to, None).await
}

/// [`monthly_stats`] listing only the MMGs of `selected` (all when `None`): the top-level
/// `indicators` are those of the MMGs listed (`GET /api/v1/stats/monthly?mmgs=...`).
pub async fn monthly_stats_selected(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
    selected: Option<&BTreeSet<String>>,
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
    let mut size = 512 + mmgs.len() * 320;
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
    let mut all = DailyCounts::default();
    let listed = mmgs
        .iter()
        .filter(|mmg| selected.is_none_or(|only| only.contains(mmg.get::<_, &str>(0))));
    for (n, mmg) in listed.enumerate() {
        let mmg_id: &str = mmg.get(0);
        let name: &str = mmg.get(1);
        let mut period = DailyCounts::default();
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
            // The indicators' few counts, read from the month's text without building the rest
            // (`monthly_aggregate.counts` is JSON text: extracting them in SQL parsed it 5 times).
            let needed: IndicatorCounts = serde_json::from_str(row.get(5))
                .map_err(|error| Error::Internal(Box::new(error)))?;
            add_counts(&mut period, &needed.into_counts());
        }
        add_counts(&mut all, &period);
        let _ = write!(
            out,
            "],\"indicators\":{}}}",
            to_json(&Indicators::of(&period))?
        );
    }
    let _ = write!(
        out,
        "],\"indicators\":{}}}",
        to_json(&Indicators::of(&all))?
    );
    Ok(out)
}

fn to_json(value: &impl Serialize) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|error| Error::Internal(Box::new(error)))
}

/// The JSON answer of `GET /api/v1/stats/days` (`DaysStats` in `openapi.yaml`): the day view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaysStats {
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every MMG of the département (or of the selection), by name, with or without data.
    pub mmgs: Vec<MmgDays>,
    /// The derived indicators of all the MMGs of `mmgs` together.
    pub indicators: Indicators,
}

/// One MMG over the period of a [`DaysStats`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MmgDays {
    pub mmg_id: String,
    pub mmg_name: String,
    /// The dates that have at least one aggregate, in order.
    pub days: Vec<DayRow>,
    /// The whole period summed over dates, slots and PCs (`days` is the number of dates).
    pub total: MonthTotal,
    /// The derived indicators of `total`.
    pub indicators: Indicators,
}

/// Consultations of one MMG on one date, per slot code (a slot held with no consultation is
/// listed with 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayRow {
    pub date: NaiveDate,
    pub by_slot: BTreeMap<String, u32>,
}

pub(super) fn may_read_or_forbidden(user: &User, departement: &str) -> Result<(), Error> {
    if user.may_read(departement) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "vous n'avez accès qu'aux MMG des départements de votre ADOPS",
        ))
    }
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
    days_stats_selected(client, user, departement, from, to, None).await
}

/// [`days_stats`] listing only the MMGs of `selected` (all when `None`): the top-level
/// `indicators` are those of the MMGs listed (`GET /api/v1/stats/days?mmgs=...`).
pub async fn days_stats_selected(
    client: &Client,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
    selected: Option<&BTreeSet<String>>,
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
    let mmgs: Vec<MmgDays> = mmgs
        .iter()
        .filter(|mmg| selected.is_none_or(|only| only.contains(mmg.get::<_, &str>(0))))
        .map(|mmg| {
            let mmg_id: String = mmg.get(0);
            let (days, mut total) = by_mmg.remove(&mmg_id).unwrap_or_default();
            total.days = days.len() as u32;
            let indicators = Indicators::of(&total.counts);
            MmgDays {
                mmg_id,
                mmg_name: mmg.get(1),
                days: days
                    .into_iter()
                    .map(|(date, by_slot)| DayRow { date, by_slot })
                    .collect(),
                total,
                indicators,
            }
        })
        .collect();
    let mut all = DailyCounts::default();
    for mmg in &mmgs {
        add_counts(&mut all, &mmg.total.counts);
    }
    Ok(DaysStats {
        departement: departement.to_owned(),
        from,
        to,
        mmgs,
        indicators: Indicators::of(&all),
    })
}
