//! Search latency and quality against the baseline: SQLite FTS5 over the same labels.
//!
//! Query mix: every query of `tests/queries.tsv`, and every prefix of it as typed key by key
//! (`o`, `ot`, `oti`, ... `otite m`, `otite mo`...), which is what a search-as-you-type field sends.
//! Both engines answer the same mix in the same process; each query is timed alone.
//!
//! Baseline: an in-memory FTS5 table (`tokenize='unicode61 remove_diacritics 2'`) holding every
//! live code with its label, queried with each word as a prefix, AND-ed, ranked by bm25.
//!
//! Run: `cargo bench -p appligarde-cim10 --bench search`. With `APPLIGARDE_BENCH_REPORT=<file>`,
//! the markdown section is also appended to that file.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::time::{Duration, Instant};

use appligarde_cim10::{CodeSet, SearchContext};
use rusqlite::Connection;

struct Case {
    query: String,
    expected: Vec<String>,
}

fn cases() -> Vec<Case> {
    include_str!("../tests/queries.tsv")
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Case {
                query: cols[0].to_string(),
                expected: cols[1]
                    .split_whitespace()
                    .map(|c| c.to_uppercase().replace('.', ""))
                    .collect(),
            }
        })
        .collect()
}

/// Every prefix of every query, as typed key by key (whole queries included), without repeats.
fn typed_mix(cases: &[Case]) -> Vec<String> {
    let mut mix = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for case in cases {
        let q = &case.query;
        for (i, c) in q.char_indices() {
            let prefix = &q[..i + c.len_utf8()];
            if !prefix.trim().is_empty() && seen.insert(prefix.to_string()) {
                mix.push(prefix.to_string());
            }
        }
    }
    mix
}

/// The FTS5 query for what was typed: each word a prefix, all AND-ed.
fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.to_lowercase()))
        .collect();
    (!words.is_empty()).then(|| words.join(" AND "))
}

fn fts_build(set: &CodeSet) -> Connection {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE cim USING fts5(raw UNINDEXED, code, label, \
         tokenize='unicode61 remove_diacritics 2');",
    )
    .unwrap();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO cim(raw, code, label) VALUES (?1, ?2, ?3)")
            .unwrap();
        for c in set.codes().filter(|c| !c.supprime()) {
            let codes = format!("{} {}", c.raw_code(), c.display_code());
            ins.execute((c.raw_code(), codes, c.label())).unwrap();
        }
    }
    tx.commit().unwrap();
    db
}

fn fts_search(db: &Connection, typed: &str, limit: usize) -> Vec<String> {
    let Some(q) = fts_query(typed) else {
        return Vec::new();
    };
    let mut stmt = db
        .prepare_cached("SELECT raw FROM cim WHERE cim MATCH ?1 ORDER BY rank LIMIT ?2")
        .unwrap();
    let rows = stmt
        .query_map((q, limit as i64), |r| r.get::<_, String>(0))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn time_all(mix: &[String], rounds: usize, mut f: impl FnMut(&str) -> usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(mix.len() * rounds);
    let mut sink = 0usize;
    for _ in 0..rounds {
        for q in mix {
            let t = Instant::now();
            sink = sink.wrapping_add(f(q));
            out.push(t.elapsed());
        }
    }
    std::hint::black_box(sink);
    out.sort_unstable();
    out
}

fn recall(cases: &[Case], mut search: impl FnMut(&str) -> Vec<String>) -> (f64, f64) {
    let (mut at1, mut at5) = (0, 0);
    for case in cases {
        let got = search(&case.query);
        let rank = got.iter().position(|c| case.expected.contains(c));
        if rank == Some(0) {
            at1 += 1;
        }
        if rank.is_some_and(|r| r < 5) {
            at5 += 1;
        }
    }
    let n = cases.len() as f64;
    (at1 as f64 / n, at5 as f64 / n)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    // Load: embedded bytes → decompressed → parsed → indexed, ready to search.
    let mut loads = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let set = CodeSet::load_embedded().unwrap();
        loads.push(t.elapsed());
        std::hint::black_box(set.len());
    }
    loads.sort_unstable();
    let load_median = loads[loads.len() / 2];

    let set = CodeSet::load_embedded().unwrap();
    let ctx = SearchContext::new();
    let t = Instant::now();
    let db = fts_build(&set);
    let fts_build_time = t.elapsed();

    let cases = cases();
    let mix = typed_mix(&cases);

    // Warm both (scratch pools, statement cache, page cache), then measure.
    for q in &mix {
        std::hint::black_box(set.search(q, &ctx, 5));
        std::hint::black_box(fts_search(&db, q, 5));
    }
    let ours = time_all(&mix, 5, |q| set.search(q, &ctx, 5).len());
    // The slowest queries of the mix (best of 3 runs each), to know where the tail comes from.
    let mut slowest: Vec<(Duration, &str)> = mix
        .iter()
        .map(|q| {
            let best = (0..3)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(set.search(q, &ctx, 5));
                    t.elapsed()
                })
                .min()
                .unwrap_or_default();
            (best, q.as_str())
        })
        .collect();
    slowest.sort_by_key(|b| std::cmp::Reverse(b.0));
    let fts = time_all(&mix, 2, |q| fts_search(&db, q, 5).len());

    let (our1, our5) = recall(&cases, |q| {
        set.search(q, &ctx, 5)
            .into_iter()
            .map(|h| h.raw_code)
            .collect()
    });
    let (fts1, fts5) = recall(&cases, |q| fts_search(&db, q, 5));

    let (o50, o99) = (percentile(&ours, 0.50), percentile(&ours, 0.99));
    let (f50, f99) = (percentile(&fts, 0.50), percentile(&fts, 0.99));
    let omax = ours.last().copied().unwrap_or_default();
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-12);

    let mut md = String::new();
    md.push_str("## appligarde-cim10: diagnosis search\n\n");
    md.push_str(&format!(
        "{} codes ({}); query mix: {} queries of `tests/queries.tsv` and their prefixes typed key by key = {} distinct queries; top 5.\n\n",
        set.len(),
        set.version(),
        cases.len(),
        mix.len()
    ));
    md.push_str("| engine | p50 | p99 | max | recall@1 | recall@5 |\n|---|---|---|---|---|---|\n");
    md.push_str(&format!(
        "| appligarde-cim10 (in-memory index) | {} | {} | {} | {:.3} | {:.3} |\n",
        us(o50),
        us(o99),
        us(omax),
        our1,
        our5
    ));
    md.push_str(&format!(
        "| SQLite FTS5 (unicode61 remove_diacritics 2, `word*` AND) | {} | {} | {} | {:.3} | {:.3} |\n\n",
        us(f50),
        us(f99),
        us(fts.last().copied().unwrap_or_default()),
        fts1,
        fts5
    ));
    md.push_str(&format!(
        "Speed-up over FTS5: **{:.1}x at p50, {:.1}x at p99**. Load of the embedded set (decompress + parse + index), median of {}: **{:.1} ms** (FTS5 table build from the loaded set: {:.1} ms).\n",
        ratio(o50, f50),
        ratio(o99, f99),
        loads.len(),
        load_median.as_secs_f64() * 1e3,
        fts_build_time.as_secs_f64() * 1e3
    ));
    md.push_str(&format!(
        "Targets: p99 < 1 ms: {}; >= 5x faster than FTS5 at p99: {}; better recall@5: {}; load < 50 ms: {}.\n\n",
        if o99 < Duration::from_millis(1) { "met" } else { "NOT met" },
        if ratio(o99, f99) >= 5.0 { "met" } else { "NOT met" },
        if our5 > fts5 { "met" } else { "NOT met" },
        if load_median < Duration::from_millis(50) { "met" } else { "NOT met" },
    ));
    md.push_str("Slowest queries (best of 3): ");
    let slow: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(d, q)| format!("`{q}` {}", us(*d)))
        .collect();
    md.push_str(&slow.join(", "));
    md.push_str(".\n\n");
    print!("{md}");
    if let Ok(path) = std::env::var("APPLIGARDE_BENCH_REPORT") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(md.as_bytes()).unwrap();
    }
}
