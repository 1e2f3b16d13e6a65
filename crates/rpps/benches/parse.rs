//! Parses a synthetic 2.2-million-line national RPPS file (the size of the real one) and compares
//! with the `sqlite3` shell's `.import` of the same file into a bare table, in the same run.
//! Also reports the parser's peak memory (VmHWM, reset before parsing through
//! /proc/self/clear_refs) and the time and memory of building the fingerprint map a re-import
//! diff needs.
//!
//! Run: `cargo bench -p appligarde-rpps --bench parse`. `RPPS_BENCH_LINES` overrides the number of
//! lines; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown section to that file.
#![allow(clippy::unwrap_used)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use appligarde_rpps::bench_support::generate_national_file;
use appligarde_rpps::{Filtre, PractitionerFingerprints, RppsReader};

const DEFAULT_LINES: usize = 2_200_000;

/// Reads a `Vm*` line of /proc/self/status, in KiB.
fn vm_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Resets VmHWM to the current RSS (Linux ≥ 4.0); false when not possible.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

struct Peak {
    before_kib: u64,
    after_kib: u64,
    reset: bool,
}

impl Peak {
    fn start() -> (bool, u64) {
        let reset = reset_peak();
        (reset, vm_kib("VmHWM:").unwrap_or(0))
    }
    fn finish((reset, before_kib): (bool, u64)) -> Self {
        Self {
            before_kib,
            after_kib: vm_kib("VmHWM:").unwrap_or(0),
            reset,
        }
    }
    fn growth_mib(&self) -> f64 {
        self.after_kib.saturating_sub(self.before_kib) as f64 / 1024.0
    }
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn main() {
    let lines: usize = std::env::var("RPPS_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_LINES);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("PS_LibreAcces_Personne_activite.txt");

    // 1. Generate (streaming).
    let t = Instant::now();
    let generated =
        generate_national_file(BufWriter::new(File::create(&path).unwrap()), lines, 2026).unwrap();
    let generate_time = t.elapsed();
    let size_mib = generated.bytes as f64 / (1024.0 * 1024.0);
    eprintln!(
        "generated {} lines ({size_mib:.0} MiB, {} practitioners, {} with 2+ activities) in {:.1} s",
        generated.lines,
        generated.practitioners,
        generated.multi_activity,
        secs(generate_time)
    );

    // 2. Parse every record, counting; twice, the best time kept.
    let mut parse_times = Vec::new();
    let mut parse_peak = None;
    let mut records = 0u64;
    let mut doctors = 0u64;
    for _ in 0..2 {
        let mark = Peak::start();
        let t = Instant::now();
        let mut reader = RppsReader::open(&path, Filtre::default()).unwrap();
        let (mut n, mut d) = (0u64, 0u64);
        for activity in reader.by_ref() {
            let activity = activity.unwrap();
            n += 1;
            d += u64::from(activity.profession.code == "10");
        }
        parse_times.push(t.elapsed());
        assert_eq!(reader.bytes_read(), generated.bytes, "whole file consumed");
        assert_eq!(
            reader.report().malformed_total,
            0,
            "generated lines are valid"
        );
        parse_peak.get_or_insert(Peak::finish(mark));
        records = n;
        doctors = d;
    }
    assert_eq!(records, generated.lines, "every generated line is a record");
    let parse_time = parse_times.iter().min().copied().unwrap();
    let parse_peak = parse_peak.unwrap();

    // 2b. The same through the borrowing reader (what the store's import uses): no string
    // allocated per field.
    let mut borrowed_times = Vec::new();
    for _ in 0..2 {
        let t = Instant::now();
        let mut reader = RppsReader::open(&path, Filtre::default()).unwrap();
        let (mut n, mut d) = (0u64, 0u64);
        while let Some(activity) = reader.next_borrowed() {
            let activity = activity.unwrap();
            n += 1;
            d += u64::from(activity.profession.code == "10");
        }
        borrowed_times.push(t.elapsed());
        assert_eq!(
            (n, d),
            (records, doctors),
            "both readers yield the same records"
        );
    }
    let borrowed_time = borrowed_times.iter().min().copied().unwrap();

    // 3. Parse and build the rpps -> fingerprint map a re-import diff needs.
    let mark = Peak::start();
    let t = Instant::now();
    let mut fingerprints = PractitionerFingerprints::new();
    for activity in RppsReader::open(&path, Filtre::default()).unwrap() {
        fingerprints.add(&activity.unwrap());
    }
    let fingerprint_time = t.elapsed();
    let fingerprint_peak = Peak::finish(mark);
    assert_eq!(fingerprints.len() as u64, generated.practitioners);
    drop(fingerprints);

    // 4. Baseline: sqlite3 shell .import of the same file into a bare table.
    let db = dir.path().join("import.db");
    let script = format!(".mode list\n.separator |\n.import '{}' t\n", path.display());
    let t = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the sqlite3 shell (Debian package sqlite3) is needed for the baseline");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    let sqlite_time = t.elapsed();
    assert!(status.success(), "sqlite3 .import failed: {status}");
    let count = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM t;")
        .output()
        .unwrap();
    let imported: u64 = String::from_utf8_lossy(&count.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(imported, generated.lines, "sqlite3 imported every line");

    let ratio = secs(sqlite_time) / secs(parse_time);
    let per_sec = records as f64 / secs(parse_time);
    let note = if parse_peak.reset {
        "VmHWM reset through /proc/self/clear_refs before each measure"
    } else {
        "VmHWM could not be reset: growth over the previous peak"
    };
    let report = format!(
        "## appligarde-rpps: parse of a national RPPS file\n\n\
         File: {lines} lines, {size_mib:.0} MiB, 56 columns, {practitioners} practitioners \
         ({multi} with 2+ activities), generated in {gen:.1} s.\n\n\
         | what | time | vs sqlite3 .import | peak memory (VmHWM growth) |\n\
         |---|---|---|---|\n\
         | RppsReader, all records counted ({records} records, {doctors} doctors; best of {runs}: {runs_list}) | {parse:.2} s ({per_sec:.0} lines/s) | {ratio:.1}× faster | {parse_mem:.1} MiB (VmHWM {pb} → {pa} KiB) |\n\
         | RppsReader::next_borrowed, the same count (fields borrowed from the line, not copied; best of {runs}: {borrowed_list}) | {borrowed:.2} s | {borrowed_ratio:.1}× faster | — |\n\
         | RppsReader + PractitionerFingerprints (rpps → u64 map) | {fp:.2} s | {fp_ratio:.1}× faster | {fp_mem:.1} MiB |\n\
         | baseline: `sqlite3` shell `.import` into a bare table | {sq:.2} s | 1.0× | (other process) |\n\n\
         Parse time vs `.import`: {parse:.2} s vs {sq:.2} s (ratio {ratio:.1}). {note}.\n",
        practitioners = generated.practitioners,
        multi = generated.multi_activity,
        gen = secs(generate_time),
        runs = parse_times.len(),
        runs_list = parse_times
            .iter()
            .map(|d| format!("{:.2} s", secs(*d)))
            .collect::<Vec<_>>()
            .join(", "),
        parse = secs(parse_time),
        borrowed = secs(borrowed_time),
        borrowed_ratio = secs(sqlite_time) / secs(borrowed_time),
        borrowed_list = borrowed_times
            .iter()
            .map(|d| format!("{:.2} s", secs(*d)))
            .collect::<Vec<_>>()
            .join(", "),
        parse_mem = parse_peak.growth_mib(),
        pb = parse_peak.before_kib,
        pa = parse_peak.after_kib,
        fp = secs(fingerprint_time),
        fp_ratio = secs(sqlite_time) / secs(fingerprint_time),
        fp_mem = fingerprint_peak.growth_mib(),
        sq = secs(sqlite_time),
    );
    print!("{report}");
    if let Ok(file) = std::env::var("APPLIGARDE_BENCH_REPORT") {
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .unwrap();
        writeln!(out, "{report}").unwrap();
    }
}
