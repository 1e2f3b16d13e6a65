//! The coordinator's year view and the upload throughput, each against a named baseline in the
//! same run, on a real PostgreSQL.
//!
//! Data: one département of 400 MMGs with one PC each and ten years (2016-2025) of daily
//! aggregates (one row per MMG and day, ~1.46 million rows), written with COPY into the tables
//! made UNLOGGED for the load (the bench database is thrown away), and their monthly rows
//! computed with the hub's own [`MonthTotal`].
//! - Year view: `aggregates::monthly_stats` for 2025 (the JSON of the 400 MMGs x 12 months the
//!   dashboard reads, as the endpoint sends it before compression) against the baseline "no pre-aggregation": the
//!   2025 daily rows of the département read (through the day index) and summed per MMG and month.
//! - Day view: `aggregates::days_stats` for December 2025 (31 days of the 400 MMGs: each date
//!   and slot, the period's indicators, heat map and shifts per MMG, as JSON) against the
//!   baseline "the protocol's daily rows": `aggregates::daily_stats` (what
//!   `GET /api/v1/stats/daily` sends) for the same days, serialised.
//! - Upload: `aggregates::upload` (one `unnest` statement per batch of 1000) against the baseline
//!   "one upsert per aggregate" in the same transaction, both including the monthly rebuild.
//!
//! PostgreSQL: the server of `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask bench`), or a
//! throw-away one started here with Debian's binaries (as the `postgres` user when root).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use appligarde_hub::aggregates::{self, MonthTotal, WriteStrategy, month_of};
use appligarde_hub::auth::{Device, Role, User};
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, DailyAggregate, DailyCounts, PdsaSlot,
};
use chrono::{Datelike, NaiveDate};
use futures_util::SinkExt;
use tokio_postgres::{Client, NoTls};

const MMGS: usize = 400;
const FIRST_YEAR: i32 = 2016;
const YEARS: i32 = 10;
const YEAR_VIEW: i32 = 2025;
const VIEW_RUNS: usize = 40;
const BASELINE_RUNS: usize = 5;
/// The day view: December of `YEAR_VIEW`.
const DAY_VIEW_DAYS: u32 = 31;
const DAY_VIEW_RUNS: usize = 15;
const UPLOAD_BATCHES: usize = 6;
const BATCH: usize = 1000;
/// Concurrent COPY streams while loading.
const LOADERS: usize = 4;

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut own_server = None;
    let server = match std::env::var("APPLIGARDE_TEST_DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let pg = ThrowAwayPostgres::start()?;
            let url = pg.url.clone();
            own_server = Some(pg);
            url
        }
    };
    let report = runtime.block_on(run(&server));
    drop(own_server);
    let mut report = report?;
    writeln!(
        report,
        "\nWhole benchmark (data generation included): {:.0} s.",
        started.elapsed().as_secs_f64()
    )?;
    print!("{report}");
    if let Ok(path) = std::env::var("APPLIGARDE_BENCH_REPORT") {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(report.as_bytes())?;
    }
    Ok(())
}

async fn connect(url: &str) -> anyhow::Result<Client> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("bench connection closed: {error}");
        }
    });
    Ok(client)
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[start..].find('/') {
        Some(slash) => &base[..start + slash],
        None => base,
    };
    format!("{server}/{name}")
}

/// Deterministic counts for MMG `m` on `date` (xorshift on the pair), shaped like a real night:
/// ~2-20 consultations, a few communes and CIM-10 chapters.
fn counts_for(m: usize, date: NaiveDate) -> (PdsaSlot, DailyCounts) {
    let mut x =
        (m as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (date.num_days_from_ce() as u64);
    let mut next = move |n: u32| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % u64::from(n)) as u32
    };
    let slot = match date.weekday().num_days_from_monday() {
        5 => PdsaSlot::SamediApresMidi,
        6 => PdsaSlot::DimancheFerie,
        _ => PdsaSlot::Nuit,
    };
    let n = 2 + next(18);
    let mut c = DailyCounts {
        consultations: n,
        home_visits: next(2),
        returns_within_72h: next(2),
        ..DailyCounts::default()
    };
    for _ in 0..n {
        c.by_arrival_hour[[20, 21, 22, 23, 0, 1, 10, 15][next(8) as usize]] += 1;
        match next(4) {
            0 => c.by_arrival_mode.spontane += 1,
            1 => c.by_arrival_mode.regule_116117 += 1,
            _ => c.by_arrival_mode.regule_centre15 += 1,
        }
        match next(3) {
            0 => c.by_age_band.from_0_to_2 += 1,
            1 => c.by_age_band.from_16_to_44 += 1,
            _ => c.by_age_band.from_45_to_64 += 1,
        }
        if next(2) == 0 {
            c.by_sex.female += 1;
        } else {
            c.by_sex.male += 1;
        }
        if next(6) == 0 {
            c.by_orientation.urgences += 1;
        } else {
            c.by_orientation.retour_domicile += 1;
        }
        let chapter = ["J00-J99", "R00-R99", "A00-B99", "S00-T98"][next(4) as usize];
        *c.by_cim10_chapter.entry(chapter.to_owned()).or_default() += 1;
        *c.by_commune
            .entry(format!("44{:03}", 100 + next(6)))
            .or_default() += 1;
        c.waiting_minutes.0[next(8) as usize] += 1;
        c.consultation_minutes.0[1 + next(3) as usize] += 1;
        c.amounts_cents.carte += 3000;
    }
    (slot, c)
}

struct World {
    name: String,
    url: String,
    mmgs: Vec<String>,
    devices: Vec<String>,
    rows: u64,
    generation: Duration,
}

async fn build_world(server: &str) -> anyhow::Result<World> {
    let started = Instant::now();
    let name = format!("hub_bench_{:016x}", rand::random::<u64>());
    connect(server)
        .await?
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let url = with_database(server, &name);
    let mut client = connect(&url).await?;
    appligarde_hub::migrate(&mut client).await?;
    // The URML and the ADOPS of 44 as the CLI makes them; the MMG it needs for that goes away.
    let seed = appligarde_hub::admin::create_mmg(&mut client, "44", "graine").await?;
    client
        .execute(
            "DELETE FROM organisation WHERE id = $1::text::uuid",
            &[&seed.id],
        )
        .await?;
    let adops = seed.adops_id;
    let mut mmgs = Vec::with_capacity(MMGS);
    let mut devices = Vec::with_capacity(MMGS);
    for m in 0..MMGS {
        let row = client
            .query_one(
                "WITH o AS (INSERT INTO organisation (kind, name, departement, parent_id) \
                 VALUES ('mmg', $1, '44', $2::text::uuid) RETURNING id) \
                 INSERT INTO device (mmg_id, token_hash) SELECT id, $3 FROM o \
                 RETURNING mmg_id::text, id::text",
                &[
                    &format!("MMG {m:03}"),
                    &adops,
                    &rand::random::<[u8; 32]>().to_vec(),
                ],
            )
            .await?;
        mmgs.push(row.get::<_, String>(0));
        devices.push(row.get::<_, String>(1));
    }
    // A bulk load: no WAL (the bench database is thrown away; reads are the same), and the
    // indexes built once at the end rather than maintained row by row.
    client
        .batch_execute(
            "ALTER TABLE daily_aggregate SET UNLOGGED; \
             ALTER TABLE monthly_aggregate SET UNLOGGED; \
             ALTER TABLE daily_aggregate DROP CONSTRAINT daily_aggregate_pkey; \
             DROP INDEX daily_aggregate_day_idx; \
             SET maintenance_work_mem = '256MB'",
        )
        .await?;
    // Several COPY streams at once, each on its own connection, a share of the MMGs each.
    let mut tasks = Vec::new();
    for part in 0..LOADERS {
        let chunk: Vec<(usize, String, String)> = (part..MMGS)
            .step_by(LOADERS)
            .map(|m| (m, mmgs[m].clone(), devices[m].clone()))
            .collect();
        let url = url.clone();
        tasks.push(tokio::spawn(async move { load_daily(&url, chunk).await }));
    }
    let mut rows = 0u64;
    let mut monthly: Vec<(usize, NaiveDate, MonthTotal)> = Vec::new();
    for task in tasks {
        let (loaded, months) = task.await??;
        rows += loaded;
        monthly.extend(months);
    }
    client
        .batch_execute(
            "ALTER TABLE daily_aggregate ADD PRIMARY KEY (mmg_id, device_id, day, slot); \
             CREATE INDEX daily_aggregate_day_idx ON daily_aggregate (day, mmg_id)",
        )
        .await?;
    let sink = client
        .copy_in(
            "COPY monthly_aggregate (mmg_id, month, days, by_slot, by_weekday, counts, \
             by_weekday_hour, shifts_by_slot) FROM STDIN",
        )
        .await?;
    let mut sink = std::pin::pin!(sink);
    let mut buffer = String::new();
    for (m, month, total) in &monthly {
        writeln!(
            buffer,
            "{}\t{month}\t{}\t{}\t{}\t{}\t{}\t{}",
            mmgs[*m],
            total.days,
            serde_json::to_string(&total.by_slot)?,
            serde_json::to_string(&total.by_weekday)?,
            serde_json::to_string(&total.counts)?,
            serde_json::to_string(&total.by_weekday_hour)?,
            serde_json::to_string(&total.shifts_by_slot)?
        )?;
    }
    sink.send(bytes::Bytes::from(buffer)).await?;
    sink.as_mut().finish().await?;
    client
        .batch_execute("ANALYZE daily_aggregate; ANALYZE monthly_aggregate; ANALYZE organisation")
        .await?;
    Ok(World {
        name,
        url,
        mmgs,
        devices,
        rows,
        generation: started.elapsed(),
    })
}

/// COPYs ten years of daily rows of the MMGs of `chunk` (index, MMG id, device id); returns the
/// rows written and the monthly totals.
async fn load_daily(
    url: &str,
    chunk: Vec<(usize, String, String)>,
) -> anyhow::Result<(u64, Vec<(usize, NaiveDate, MonthTotal)>)> {
    let client = connect(url).await?;
    let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(FIRST_YEAR + YEARS, 1, 1).unwrap();
    let mut rows = 0u64;
    let mut monthly = Vec::new();
    let sink = client
        .copy_in(
            "COPY daily_aggregate (mmg_id, device_id, day, slot, revision, schema, counts) \
             FROM STDIN",
        )
        .await?;
    let mut sink = std::pin::pin!(sink);
    let mut buffer = String::with_capacity(1 << 20);
    for (m, mmg, device) in chunk {
        let mut month = first;
        let mut total = MonthTotal::default();
        let mut date = first;
        while date < end {
            if month_of(date) != month {
                monthly.push((m, month, std::mem::take(&mut total)));
                month = month_of(date);
            }
            let (slot, counts) = counts_for(m, date);
            total.add(date, slot, &counts);
            total.days += 1;
            // The JSON has no tab, newline nor backslash: COPY's text format takes it as is.
            writeln!(
                buffer,
                "{mmg}\t{device}\t{date}\t{}\t1\t{AGGREGATE_SCHEMA}\t{}",
                slot.code(),
                serde_json::to_string(&counts)?
            )?;
            rows += 1;
            if buffer.len() > (1 << 20) - 4096 {
                sink.send(bytes::Bytes::from(std::mem::take(&mut buffer)))
                    .await?;
            }
            date = date.succ_opt().unwrap();
        }
        monthly.push((m, month, total));
    }
    sink.send(bytes::Bytes::from(buffer)).await?;
    sink.as_mut().finish().await?;
    Ok((rows, monthly))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The baseline: the year's daily rows of the département summed per MMG and month in Rust
/// (every indicator, the heat map and the shifts).
async fn year_by_daily_rows(
    client: &Client,
    from: NaiveDate,
    to: NaiveDate,
) -> anyhow::Result<BTreeMap<(String, String), MonthTotal>> {
    let rows = client
        .query(
            "SELECT a.mmg_id::text, a.day, a.slot, a.counts::text \
             FROM daily_aggregate a JOIN organisation o ON o.id = a.mmg_id \
             WHERE o.kind = 'mmg' AND o.departement = '44' AND a.day BETWEEN $1 AND $2",
            &[&from, &to],
        )
        .await?;
    let mut sums: BTreeMap<(String, String), MonthTotal> = BTreeMap::new();
    for row in rows {
        let day: NaiveDate = row.get(1);
        let slot = PdsaSlot::from_code(row.get(2)).unwrap();
        let counts: DailyCounts = serde_json::from_str(row.get(3))?;
        let total = sums
            .entry((row.get(0), day.format("%Y-%m").to_string()))
            .or_default();
        total.add(day, slot, &counts);
    }
    Ok(sums)
}

async fn run(server: &str) -> anyhow::Result<String> {
    let world = build_world(server).await?;
    let mut client = connect(&world.url).await?;
    let user = User {
        id: String::new(),
        role: Role::Coordinator,
        departements: ["44".to_owned()].into(),
    };
    let from = NaiveDate::from_ymd_opt(YEAR_VIEW, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(YEAR_VIEW, 12, 31).unwrap();

    // Same figures both ways, checked once.
    let view: serde_json::Value =
        serde_json::from_str(&aggregates::monthly_stats(&client, &user, "44", from, to).await?)?;
    let baseline = year_by_daily_rows(&client, from, to).await?;
    let mut compared = 0usize;
    for mmg in view["mmgs"].as_array().into_iter().flatten() {
        for month in mmg["months"].as_array().into_iter().flatten() {
            let counts: DailyCounts = serde_json::from_value(month["counts"].clone())?;
            let heat: [[u32; 24]; 7] = serde_json::from_value(month["by_weekday_hour"].clone())?;
            let shifts: BTreeMap<String, u32> =
                serde_json::from_value(month["shifts_by_slot"].clone())?;
            let key = (
                mmg["mmg_id"].as_str().unwrap_or_default().to_owned(),
                month["month"].as_str().unwrap_or_default().to_owned(),
            );
            let expected = baseline.get(&key);
            anyhow::ensure!(
                expected.map(|t| (&t.counts, &t.by_weekday_hour, &t.shifts_by_slot))
                    == Some((&counts, &heat, &shifts)),
                "different figures for {key:?}"
            );
            compared += 1;
        }
    }
    anyhow::ensure!(compared == MMGS * 12 && baseline.len() == compared);

    let mut view_times = Vec::with_capacity(VIEW_RUNS);
    let mut bytes = 0;
    for _ in 0..VIEW_RUNS {
        let start = Instant::now();
        bytes = aggregates::monthly_stats(&client, &user, "44", from, to)
            .await?
            .len();
        view_times.push(start.elapsed());
    }
    let mut baseline_times = Vec::with_capacity(BASELINE_RUNS);
    for _ in 0..BASELINE_RUNS {
        let start = Instant::now();
        let sums = year_by_daily_rows(&client, from, to).await?;
        serde_json::to_vec(&sums.values().collect::<Vec<_>>())?;
        baseline_times.push(start.elapsed());
    }
    view_times.sort_unstable();
    baseline_times.sort_unstable();

    // The day view: December, both ways, same consultations per MMG checked once.
    let day_from = NaiveDate::from_ymd_opt(YEAR_VIEW, 12, 1).unwrap();
    let day_to = NaiveDate::from_ymd_opt(YEAR_VIEW, 12, DAY_VIEW_DAYS).unwrap();
    let days = aggregates::days_stats(&client, &user, "44", day_from, day_to).await?;
    let daily = aggregates::daily_stats(&client, &user, "44", day_from, day_to).await?;
    let mut per_mmg: BTreeMap<&str, u32> = BTreeMap::new();
    for row in &daily.days {
        *per_mmg.entry(row.mmg_id.as_str()).or_default() += row.counts.consultations;
    }
    anyhow::ensure!(days.mmgs.len() == MMGS && daily.days.len() == MMGS * DAY_VIEW_DAYS as usize);
    for mmg in &days.mmgs {
        anyhow::ensure!(
            per_mmg.get(mmg.mmg_id.as_str()) == Some(&mmg.total.counts.consultations),
            "different day-view figures for {}",
            mmg.mmg_name
        );
    }
    let mut day_times = Vec::with_capacity(DAY_VIEW_RUNS);
    let mut day_bytes = 0;
    for _ in 0..DAY_VIEW_RUNS {
        let start = Instant::now();
        let view = aggregates::days_stats(&client, &user, "44", day_from, day_to).await?;
        day_bytes = serde_json::to_vec(&view)?.len();
        day_times.push(start.elapsed());
    }
    let mut day_baseline_times = Vec::with_capacity(DAY_VIEW_RUNS);
    let mut day_baseline_bytes = 0;
    for _ in 0..DAY_VIEW_RUNS {
        let start = Instant::now();
        let rows = aggregates::daily_stats(&client, &user, "44", day_from, day_to).await?;
        day_baseline_bytes = serde_json::to_vec(&rows)?.len();
        day_baseline_times.push(start.elapsed());
    }
    day_times.sort_unstable();
    day_baseline_times.sort_unstable();

    // Uploads: the next year of two MMGs' PCs, new rows, batches of 1000.
    let upload = |m: usize, strategy: WriteStrategy| {
        let device = Device {
            id: world.devices[m].clone(),
            mmg_id: world.mmgs[m].clone(),
        };
        let start = NaiveDate::from_ymd_opt(FIRST_YEAR + YEARS, 1, 1).unwrap();
        let batches: Vec<AggregateBatch> = (0..UPLOAD_BATCHES)
            .map(|b| AggregateBatch {
                aggregates: (0..BATCH)
                    .map(|i| {
                        let date = start + chrono::Days::new((b * BATCH + i) as u64);
                        let (slot, counts) = counts_for(m, date);
                        DailyAggregate {
                            mmg_id: device.mmg_id.clone(),
                            device_id: device.id.clone(),
                            date,
                            slot,
                            revision: 1,
                            schema: AGGREGATE_SCHEMA,
                            counts,
                        }
                    })
                    .collect(),
            })
            .collect();
        (device, batches, strategy)
    };
    let mut upload_rates = Vec::new();
    for (device, batches, strategy) in [
        upload(1, WriteStrategy::Batched),
        upload(2, WriteStrategy::RowByRow),
    ] {
        let start = Instant::now();
        for batch in &batches {
            aggregates::upload_with(&mut client, &device, batch, strategy).await?;
        }
        let elapsed = start.elapsed();
        upload_rates.push((
            (UPLOAD_BATCHES * BATCH) as f64 / elapsed.as_secs_f64(),
            elapsed,
        ));
    }

    // The data weighs gigabytes: do not leave it on a server that outlives the bench.
    drop(client);
    connect(server)
        .await?
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            world.name
        ))
        .await?;

    let mut out = String::new();
    writeln!(
        out,
        "## Hub: coordinator's year view, day view and upload throughput\n"
    )?;
    writeln!(
        out,
        "Data: {MMGS} MMGs of one département x {YEARS} years = {} daily aggregates in \
         PostgreSQL, plus {} monthly rows (generated and loaded in {:.0} s).\n",
        world.rows,
        MMGS * 12 * YEARS as usize,
        world.generation.as_secs_f64()
    )?;
    writeln!(out, "| measure | p50 | p95 | p99 | runs |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    writeln!(
        out,
        "| year view {YEAR_VIEW} from monthly pre-aggregates ({} kB of JSON) | {:.1} ms | {:.1} ms | {:.1} ms | {VIEW_RUNS} |",
        bytes / 1024,
        ms(percentile(&view_times, 0.5)),
        ms(percentile(&view_times, 0.95)),
        ms(percentile(&view_times, 0.99)),
    )?;
    writeln!(
        out,
        "| baseline: same figures summed from the {} daily rows | {:.1} ms | {:.1} ms | {:.1} ms | {BASELINE_RUNS} |",
        MMGS * 365,
        ms(percentile(&baseline_times, 0.5)),
        ms(percentile(&baseline_times, 0.95)),
        ms(percentile(&baseline_times, 0.99)),
    )?;
    let p95 = ms(percentile(&view_times, 0.95));
    writeln!(
        out,
        "\nYear view p95 {:.1} ms (target < 100 ms: {}); {:.0}x faster than the baseline at p50.\n",
        p95,
        if p95 < 100.0 { "met" } else { "NOT met" },
        ms(percentile(&baseline_times, 0.5)) / ms(percentile(&view_times, 0.5))
    )?;
    writeln!(
        out,
        "| day view, {DAY_VIEW_DAYS} days of {MMGS} MMGs | p50 | p95 | p99 | runs |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    writeln!(
        out,
        "| `days_stats`: dates x slots, period indicators, heat map ({} kB of JSON) | {:.1} ms | {:.1} ms | {:.1} ms | {DAY_VIEW_RUNS} |",
        day_bytes / 1024,
        ms(percentile(&day_times, 0.5)),
        ms(percentile(&day_times, 0.95)),
        ms(percentile(&day_times, 0.99)),
    )?;
    writeln!(
        out,
        "| baseline: `daily_stats`, the protocol's daily rows ({} kB of JSON) | {:.1} ms | {:.1} ms | {:.1} ms | {DAY_VIEW_RUNS} |",
        day_baseline_bytes / 1024,
        ms(percentile(&day_baseline_times, 0.5)),
        ms(percentile(&day_baseline_times, 0.95)),
        ms(percentile(&day_baseline_times, 0.99)),
    )?;
    writeln!(
        out,
        "\nDay view p95 {:.1} ms; {:.2}x the baseline's time at p50, {:.0}x less JSON.\n",
        ms(percentile(&day_times, 0.95)),
        ms(percentile(&day_times, 0.5)) / ms(percentile(&day_baseline_times, 0.5)),
        day_baseline_bytes as f64 / day_bytes.max(1) as f64
    )?;
    writeln!(
        out,
        "| upload ({} batches of {BATCH}, new days, monthly rebuild included) | aggregates/s | total |",
        UPLOAD_BATCHES
    )?;
    writeln!(out, "|---|---|---|")?;
    writeln!(
        out,
        "| one `unnest` upsert per batch | {:.0} | {:.2} s |",
        upload_rates[0].0,
        upload_rates[0].1.as_secs_f64()
    )?;
    writeln!(
        out,
        "| baseline: one upsert per aggregate | {:.0} | {:.2} s |",
        upload_rates[1].0,
        upload_rates[1].1.as_secs_f64()
    )?;
    writeln!(
        out,
        "\nUpload: {:.1}x the baseline's throughput.",
        upload_rates[0].0 / upload_rates[1].0
    )?;
    Ok(out)
}

/// A PostgreSQL cluster in a temporary directory, on a free port of 127.0.0.1; stopped and
/// removed on drop. The same approach as `xtask/src/postgres.rs`, reduced to what a bench needs.
struct ThrowAwayPostgres {
    url: String,
    bin: PathBuf,
    root: PathBuf,
    as_postgres: bool,
}

impl ThrowAwayPostgres {
    fn start() -> anyhow::Result<Self> {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse().ok()?;
                Some((v, e.path().join("bin")))
            })
            .filter(|(_, bin)| bin.join("initdb").is_file())
            .collect();
        versions.sort();
        let bin = versions
            .pop()
            .ok_or_else(|| anyhow::anyhow!("PostgreSQL is not installed"))?
            .1;
        let as_postgres = Command::new("id")
            .arg("-u")
            .output()?
            .stdout
            .starts_with(b"0\n");
        let root = std::env::temp_dir().join(format!("appligarde-bench-pg-{}", std::process::id()));
        std::fs::create_dir_all(&root)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let pg = ThrowAwayPostgres {
            url: format!("postgres://appligarde@127.0.0.1:{port}/postgres"),
            bin,
            root,
            as_postgres,
        };
        if as_postgres {
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&pg.root)
                .status()?;
        }
        let data = pg.root.join("data");
        pg.run(
            "initdb",
            &[
                "--pgdata",
                data.to_str().unwrap(),
                "--username",
                "appligarde",
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
        )?;
        let options = format!(
            "-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}' \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            pg.root.display()
        );
        let log = pg.root.join("pg.log");
        pg.run(
            "pg_ctl",
            &[
                "--pgdata",
                data.to_str().unwrap(),
                "--log",
                log.to_str().unwrap(),
                "--wait",
                "--options",
                &options,
                "start",
            ],
        )?;
        Ok(pg)
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let binary = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(binary);
            c
        } else {
            Command::new(binary)
        };
        let output = command.args(args).current_dir(&self.root).output()?;
        anyhow::ensure!(
            output.status.success(),
            "{program} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(())
    }
}

impl Drop for ThrowAwayPostgres {
    fn drop(&mut self) {
        let data = self.root.join("data");
        let _ = self.run(
            "pg_ctl",
            &[
                "--pgdata",
                data.to_str().unwrap_or_default(),
                "--mode",
                "fast",
                "--wait",
                "stop",
            ],
        );
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
