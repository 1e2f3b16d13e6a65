//! What the API's benches share: a reproducible generator, percentiles, and the report file.
//! Each bench uses part of it.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::time::Duration;

/// A xorshift generator: reproducible, no dependency.
pub struct Xs(pub u64);

impl Xs {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The `p` quantile (0..=1) of sorted times.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints the bench's markdown section and appends it to `APPLIGARDE_BENCH_REPORT` when set.
pub fn report(markdown: &str) {
    print!("{markdown}");
    if let Some(path) = std::env::var_os("APPLIGARDE_BENCH_REPORT") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(markdown.as_bytes()).unwrap();
    }
}
