//! Opening encrypted stores at once never fails (issue 28, item 9): SQLCipher's set-up raced the
//! keying of a first connection opened by another thread, about once in a hundred processes that
//! opened stores concurrently from their start. The race is at a process's first connection, so
//! every round is a new process: this test runs itself again as a child, 50 times, and each child
//! opens 8 new stores in 8 threads released together.
#![allow(clippy::unwrap_used)]

use appligarde_store::{KeySource, Store};
use std::process::Command;
use std::sync::{Arc, Barrier};

const ROUNDS: usize = 50;
const STORES: usize = 8;
/// Set in a child: open the stores instead of spawning children.
const CHILD: &str = "APPLIGARDE_TEST_OPEN_CHILD";
const TEST_NAME: &str = "eight_new_stores_open_at_once_in_fifty_new_processes";

#[test]
fn eight_new_stores_open_at_once_in_fifty_new_processes() {
    if std::env::var_os(CHILD).is_some() {
        open_at_once();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut failures = Vec::new();
    for round in 0..ROUNDS {
        let out = Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The child ran this very test, and it passed (not "0 tests" from a wrong filter).
        let ran = stdout.contains("1 passed");
        if !out.status.success() || !ran {
            failures.push(format!(
                "round {round}: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ROUNDS} rounds failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One round: 8 threads, each with its own fresh data directory and key file, open at once.
fn open_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let barrier = Arc::new(Barrier::new(STORES));
    let threads: Vec<_> = (0..STORES)
        .map(|i| {
            let barrier = barrier.clone();
            let data = dir.path().join(format!("data{i}"));
            let key = dir.path().join(format!("key{i}"));
            std::thread::spawn(move || {
                barrier.wait();
                let store = Store::open(&data, &KeySource::File(key))
                    .map_err(|e| format!("store {i}: {e}"))?;
                store
                    .integrity_check()
                    .map_err(|e| format!("store {i}: {e}"))
            })
        })
        .collect();
    let errors: Vec<String> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap().err())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
