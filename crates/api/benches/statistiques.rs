//! A year's dashboard (Statistiques screen) on a database of 200,000 consultations: ten years of a
//! busy MMG (about 55 consultations a garde day), in a real encrypted store.
//!
//! Measured: `Api::tableau` for one civil year (every indicator of the issue: per day, slot, hour,
//! weekday, month, heat-map, arrival modes, ages, sex, orientation, CIM-10 chapters and
//! categories, exact medians and 90th percentiles, returns within 72 h, communes, doctors), and
//! `Api::agregats_quotidiens` for the same year. Target: under 100 ms for the year.
//! The dashboard reads the statistics cache (migration 0011); it is measured warm (every day
//! cached), warm with one late-edited day to recompute, and cold (cache emptied before each run:
//! every day computed from the consultations and written back), plus the direct computation
//! without the cache (`Api::tableau_direct`).
//! Baseline in the same run: plain SQL `GROUP BY`s of the same counts over the same year (one per
//! indicator family), straight on the tables, without medians nor returns.
//!
//! The database is filled with plain INSERTs in large transactions (the statistics triggers of
//! migration 0007 fire; the audit log is left out: it is not read by the statistics).
//!
//! Run: `cargo bench -p appligarde-api --bench statistiques`. `STATISTIQUES_BENCH_ROWS` overrides
//! the number of consultations; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown section.
#![allow(clippy::unwrap_used)]

use appligarde_api::{Api, ApiConfig, FixedClock};
use appligarde_store::{KeySource, Store};
use chrono::{Duration as Days, NaiveDate, TimeZone, Timelike, Utc};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;
use support::{Xs, ms, percentile};

const DEFAULT_ROWS: usize = 200_000;
const NOW: &str = "2026-11-20T22:00:00Z";

const MODES: [&str; 7] = [
    "regule_centre15",
    "regule_116117",
    "regule_sas",
    "spontane",
    "spontane",
    "adresse_medecin",
    "autre",
];
const ORIENTATIONS: [&str; 5] = [
    "retour_domicile",
    "retour_domicile",
    "medecin_traitant",
    "urgences",
    "hospitalisation",
];
const CODES: [&str; 12] = [
    "J06.9", "J20.9", "H66.9", "A09", "R50.9", "J02.9", "N39.0", "S93.4", "L03.1", "R10.4",
    "J45.9", "B34.9",
];
const COMMUNES: [(&str, &str); 8] = [
    ("44003", "Ancenis-Saint-Géréon"),
    ("44109", "Nantes"),
    ("44162", "Saint-Herblain"),
    ("49007", "Angers"),
    ("44026", "Carquefou"),
    ("44184", "Saint-Sébastien-sur-Loire"),
    ("49244", "Mauges-sur-Loire"),
    ("44220", "Vertou"),
];

fn main() {
    let rows: usize = std::env::var("STATISTIQUES_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };

    // Ten years up to 2026-11-20, about 55 consultations a garde day.
    let fill_start = Instant::now();
    let mut store = Store::open(&config.data_dir, &config.key).unwrap();
    let last_day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let days = 3652u64;
    let first_day = last_day - Days::days(days as i64);
    let mut rng = Xs(0x9E37_79B9_7F4A_7C15);
    store
        .write(|tx| {
            tx.execute_batch(&format!(
                "INSERT INTO mmg (id, nom, departement, updated_at) VALUES (1, 'MMG du banc', '44', '{NOW}');
                 INSERT INTO utilisateur (id, nom, prenom, role, created_at) VALUES
                   (1, 'DESCHAMPS', 'Léa', 'medecin', '{NOW}'), (2, 'MOREAU', 'Paul', 'medecin', '{NOW}'),
                   (3, 'NGUYEN', 'Anh', 'medecin', '{NOW}');"
            ))?;
            Ok(())
        })
        .unwrap();
    let patients = (rows * 3 / 5).max(1) as u64;
    let per_tx = 20_000;
    let mut done = 0;
    let mut next_patient = 1u64;
    while done < rows {
        let n = per_tx.min(rows - done);
        store
            .write(|tx| {
                let mut patient = tx.prepare_cached(
                    "INSERT INTO patient (id, nom, prenom, sexe, date_naissance, code_insee, commune, created_at)
                     VALUES (?1, ?2, 'Camille', ?3, ?4, ?5, ?6, ?7)",
                )?;
                let mut consultation = tx.prepare_cached(
                    "INSERT INTO consultation (uid, patient_id, medecin_id, arrivee, debut, fin, mode_arrivee,
                         lieu, statut, orientation, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'cloturee', ?9, ?10, ?10)",
                )?;
                let mut diagnostic = tx.prepare_cached(
                    "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal)
                     VALUES (?1, 0, ?2, 1)",
                )?;
                for k in 0..n {
                    let pid = if next_patient <= patients && (rng.below(5) != 0 || next_patient < 10) {
                        let id = next_patient as i64;
                        let naissance = NaiveDate::from_ymd_opt(1925, 1, 1).unwrap()
                            + Days::days(rng.below(100 * 365) as i64);
                        let (code, commune) = *rng.pick(&COMMUNES);
                        patient.execute(rusqlite::params![
                            id,
                            format!("PATIENT{id}"),
                            if rng.below(2) == 0 { "F" } else { "M" },
                            naissance.format("%Y-%m-%d").to_string(),
                            code,
                            commune,
                            NOW,
                        ])?;
                        next_patient += 1;
                        id
                    } else {
                        1 + rng.below(next_patient - 1) as i64
                    };
                    let day = first_day + Days::days(rng.below(days) as i64);
                    // Mostly evenings, nights and weekends, as at a garde.
                    let minute = match rng.below(10) {
                        0..=5 => 20 * 60 + rng.below(4 * 60),
                        6..=7 => rng.below(8 * 60),
                        _ => 8 * 60 + rng.below(12 * 60),
                    };
                    let mut arrivee =
                        day.and_hms_opt(0, 0, 0).unwrap() + Days::minutes(minute as i64);
                    // Keep arrival, start and end out of 2:00-2:59, the hour that does not exist
                    // (spring) or exists twice (autumn) on the daylight-saving nights: validation
                    // refuses such local times (see crates/store/benches/backup.rs).
                    if matches!(arrivee.hour(), 0..=2) {
                        arrivee += Days::hours(4);
                    }
                    let mut debut = arrivee + Days::minutes(rng.below(90) as i64);
                    if debut.hour() == 2 {
                        debut += Days::hours(1);
                    }
                    let mut fin = debut + Days::minutes(5 + rng.below(40) as i64);
                    if fin.hour() == 2 {
                        fin += Days::hours(1);
                    }
                    let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
                    consultation.execute(rusqlite::params![
                        format!("bench-{done}-{k}"),
                        pid,
                        1 + rng.below(3) as i64,
                        fmt(arrivee),
                        fmt(debut),
                        (arrivee.hour() != 3).then(|| fmt(fin)),
                        rng.pick(&MODES),
                        if rng.below(20) == 0 { "domicile" } else { "mmg" },
                        rng.pick(&ORIENTATIONS),
                        NOW,
                    ])?;
                    diagnostic.execute(rusqlite::params![tx.last_insert_rowid(), rng.pick(&CODES)])?;
                }
                Ok(())
            })
            .unwrap();
        done += n;
    }
    store.conn().execute_batch("ANALYZE").unwrap();
    let total: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM consultation", [], |r| r.get(0))
        .unwrap();
    let fill = fill_start.elapsed();

    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 0, 0).unwrap());
    let api = Api::open_with_clock(&config, Arc::new(clock)).unwrap();
    let du = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let au = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();

    let runs = 20;
    let timed = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    // Cold: the cache emptied before each run, so every day of the year is computed and written.
    let cold_runs = 5;
    let mut cold_times = Vec::with_capacity(cold_runs);
    for _ in 0..cold_runs {
        store
            .conn()
            .execute_batch("DELETE FROM statistique_cache")
            .unwrap();
        cold_times.push(timed(&mut || {
            api.tableau(du, au).unwrap();
        }));
    }
    cold_times.sort();
    // Warm: every day cached at its revision.
    let mut dashboard_times = Vec::with_capacity(runs);
    let mut year_count = 0;
    for _ in 0..runs {
        dashboard_times.push(timed(&mut || {
            year_count = api.tableau(du, au).unwrap().consultations;
        }));
    }
    dashboard_times.sort();
    // Warm with a late edit: before each run one consultation of a past day changes orientation,
    // so that day (only) is recomputed.
    let mut edited_times = Vec::with_capacity(runs);
    for k in 0..runs {
        store
            .conn()
            .execute(
                "UPDATE consultation SET orientation = CASE orientation WHEN 'urgences' THEN 'retour_domicile' ELSE 'urgences' END
                 WHERE id = (SELECT id FROM consultation WHERE arrivee >= ?1 ORDER BY arrivee LIMIT 1)",
                [format!("2025-{:02}-10T12:00:00", 1 + k % 12)],
            )
            .unwrap();
        edited_times.push(timed(&mut || {
            api.tableau(du, au).unwrap();
        }));
    }
    edited_times.sort();
    let direct_runs = 3;
    let mut direct_times = Vec::with_capacity(direct_runs);
    let mut direct = None;
    for _ in 0..direct_runs {
        direct_times.push(timed(&mut || {
            direct = Some(api.tableau_direct(du, au, None).unwrap());
        }));
    }
    direct_times.sort();
    assert_eq!(
        Some(api.tableau(du, au).unwrap()),
        direct,
        "the cached dashboard is exactly the direct one"
    );
    assert!(
        direct
            .iter()
            .flat_map(|t| &t.par_commune)
            .all(|l| l.libelle.ends_with(&format!("({})", l.cle))),
        "communes are named with their code"
    );
    let mut aggregate_times = Vec::with_capacity(runs);
    let mut aggregates = 0;
    for _ in 0..runs {
        aggregate_times.push(timed(&mut || {
            aggregates = api.agregats_quotidiens(du, au).unwrap().len();
        }));
    }
    aggregate_times.sort();

    // Baseline: the same counts with plain GROUP BYs on the same year of garde dates.
    let garde = "CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day') \
                 ELSE substr(c.arrivee, 1, 10) END";
    let year = "c.arrivee >= '2025-01-01T08:00:00' AND c.arrivee < '2026-01-01T08:00:00'";
    // (query, index of its count column)
    let queries = [
        (
            format!("SELECT {garde}, count(*) FROM consultation c WHERE {year} GROUP BY 1"),
            1,
        ),
        (
            format!(
                "SELECT substr(c.arrivee, 12, 2), count(*) FROM consultation c WHERE {year} GROUP BY 1"
            ),
            1,
        ),
        (
            format!(
                "SELECT strftime('%w', c.arrivee), substr(c.arrivee, 12, 2), count(*) FROM consultation c WHERE {year} GROUP BY 1, 2"
            ),
            2,
        ),
        (
            format!("SELECT c.mode_arrivee, count(*) FROM consultation c WHERE {year} GROUP BY 1"),
            1,
        ),
        (
            format!(
                "SELECT c.lieu, c.orientation, count(*) FROM consultation c WHERE {year} GROUP BY 1, 2"
            ),
            2,
        ),
        (
            format!("SELECT c.medecin_id, count(*) FROM consultation c WHERE {year} GROUP BY 1"),
            1,
        ),
        (
            format!(
                "SELECT p.sexe, p.code_insee, count(*) FROM consultation c JOIN patient p ON p.id = c.patient_id WHERE {year} GROUP BY 1, 2"
            ),
            2,
        ),
        (
            format!(
                "SELECT substr(d.code, 1, 3), count(*) FROM consultation c JOIN consultation_diagnostic d ON d.consultation_id = c.id AND d.principal = 1 WHERE {year} GROUP BY 1"
            ),
            1,
        ),
    ];
    let mut sql_times = Vec::with_capacity(runs);
    let mut sql_total = 0i64;
    for _ in 0..runs {
        let start = Instant::now();
        for (i, (q, col)) in queries.iter().enumerate() {
            let mut stmt = store.conn().prepare_cached(q).unwrap();
            let n = stmt
                .query_map([], |r| r.get::<_, i64>(*col))
                .unwrap()
                .map(Result::unwrap)
                .sum::<i64>();
            if i == 0 {
                sql_total = n;
            }
        }
        sql_times.push(start.elapsed());
    }
    sql_times.sort();
    assert_eq!(
        i64::from(year_count),
        sql_total,
        "the dashboard and the GROUP BY count the same consultations"
    );

    let p = |v: &[Duration]| (ms(percentile(v, 0.5)), ms(percentile(v, 0.99)));
    let (d50, d99) = p(&dashboard_times);
    let (e50, e99) = p(&edited_times);
    let (c50, c99) = p(&cold_times);
    let (x50, x99) = p(&direct_times);
    let (a50, a99) = p(&aggregate_times);
    let (s50, s99) = p(&sql_times);
    let verdict = if d50 < 100.0 && d99 < 100.0 {
        "met"
    } else {
        "NOT met"
    };
    let ratio = |x: f64| x / s50.max(1e-9);
    let report = format!(
        "## Statistics: a year's dashboard (api)\n\n\
         Real encrypted store (SQLCipher) with {total} consultations over ten years; the year 2025 holds \
         {year_count} of them. Baseline: {n} plain SQL GROUP BYs of the same counts on the same year (no \
         medians, no returns), {runs} runs, p50 {s50:.1} ms, p99 {s99:.1} ms. Ratio = p50 / baseline p50.\n\n\
         | measure | runs | p50 | p99 | ratio (p50) |\n\
         |---|---|---|---|---|\n\
         | dashboard of a year, warm cache (`Api::tableau`: every indicator, exact medians and P90, returns within 72 h; target < 100 ms: {verdict}) | {runs} | {d50:.1} ms | {d99:.1} ms | {:.3}× |\n\
         | same, one late-edited day recomputed before each run | {runs} | {e50:.1} ms | {e99:.1} ms | {:.3}× |\n\
         | same, cold cache (every day of the year computed from the consultations and written to the cache) | {cold_runs} | {c50:.1} ms | {c99:.1} ms | {:.2}× |\n\
         | same, direct computation without the cache (`Api::tableau_direct`) | {direct_runs} | {x50:.1} ms | {x99:.1} ms | {:.2}× |\n\
         | daily aggregates of a year, warm cache (`Api::agregats_quotidiens`, {aggregates} aggregates) | {runs} | {a50:.1} ms | {a99:.1} ms | {:.3}× |\n\
         | baseline: plain SQL GROUP BYs | {runs} | {s50:.1} ms | {s99:.1} ms | 1× |\n\n\
         Filling the database: {total} consultations and their patients in {:.1} s.\n\n",
        ratio(d50),
        ratio(e50),
        ratio(c50),
        ratio(x50),
        ratio(a50),
        fill.as_secs_f64(),
        n = queries.len(),
    );
    support::report(&report);
}
