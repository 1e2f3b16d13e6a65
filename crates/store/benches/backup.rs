//! Backup of a real encrypted store of 200,000 consultations.
//!
//! Measured: `Store::backup_to` — the online snapshot (`sqlcipher_export` in one read transaction),
//! the integrity check and the audit-chain check of the copy, the single `.agbak` file written with
//! fsync, then read back and compared. Baseline in the same run: copying the database file with
//! `cp` (no consistency, no verification, the app stopped), after a checkpoint so that the file
//! holds everything. Both are timed 3 times; the median is reported with the ratio.
//!
//! Run: `cargo bench -p appligarde-store --bench backup`. `BACKUP_BENCH_ROWS` overrides the number
//! of consultations; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown section to it.
#![allow(clippy::unwrap_used)]

use appligarde_store::{KeySource, Store};
use std::time::{Duration, Instant};

mod support;

const DEFAULT_ROWS: usize = 200_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rows: usize = std::env::var("BACKUP_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut store = Store::open(&data, &KeySource::File(dir.path().join("key"))).unwrap();
    let fill_start = Instant::now();
    support::remplir(&mut store, rows);
    let fill = fill_start.elapsed();
    // The file alone must hold everything for `cp` to be a fair (if unsafe) copy.
    store
        .conn()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let db_bytes = std::fs::metadata(store.db_path()).unwrap().len();

    let mut backups = Vec::new();
    let mut copies = Vec::new();
    let mut backup_bytes = 0;
    for run in 0..3 {
        let out = dir.path().join(format!("sauvegardes-{run}"));
        let t = Instant::now();
        let info = store.backup_to(&out, &format!("bench-{run}")).unwrap();
        backups.push(t.elapsed());
        backup_bytes = info.bytes;
        std::fs::remove_dir_all(&out).unwrap();

        let copy = dir.path().join(format!("copie-{run}.db"));
        let t = Instant::now();
        let status = std::process::Command::new("cp")
            .arg(store.db_path())
            .arg(&copy)
            .status()
            .unwrap();
        copies.push(t.elapsed());
        assert!(status.success(), "cp copies the database file");
        std::fs::remove_file(&copy).unwrap();
    }
    let (b, c) = (median(backups), median(copies));
    let ratio = b.as_secs_f64() / c.as_secs_f64().max(1e-9);
    let report = format!(
        "\n## Store: backup of a {rows}-consultation database\n\n\
         Database file {:.1} MB (filled in {:.0} s); backup file {:.1} MB. Median of 3 runs.\n\n\
         | measured | time | baseline (same run) | time | ratio |\n\
         |---|---|---|---|---|\n\
         | `backup_to`: online snapshot (`sqlcipher_export`), integrity check + audit chain check of the copy, one `.agbak` written with fsync, read back and compared | {:.2} s | `cp` of the database file (app stopped, no check) | {:.3} s | {:.1}× |\n",
        db_bytes as f64 / 1e6,
        fill.as_secs_f64(),
        backup_bytes as f64 / 1e6,
        b.as_secs_f64(),
        c.as_secs_f64(),
        ratio,
    );
    support::report(&report);
}
