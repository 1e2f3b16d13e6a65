//! `appligarde-cli check` never cries wolf: run 100 times while another process keeps committing
//! journaled consultations into the same database (WAL, two connections), it finds the audit chain
//! intact every time; and an entry edited by someone holding the key is still reported (issue 28,
//! item 1).
#![allow(clippy::unwrap_used)]

use appligarde_store::{KeySource, Store};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const CHECKS: usize = 100;

#[test]
fn check_while_a_writer_saves_never_reports_a_broken_chain_and_a_tamper_is_still_caught() {
    let cli = env!("CARGO_BIN_EXE_appligarde-cli");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key = dir.path().join("key");
    let store_args = [
        "--data-dir".to_owned(),
        data.display().to_string(),
        "--key-file".to_owned(),
        key.display().to_string(),
    ];
    // The writer: a real process committing one consultation (and its audit entries) per
    // transaction, far more than it can finish while the checks run.
    let mut writer = Command::new(cli)
        .args(&store_args)
        .args(["demo", "seed", "--consultations", "1000000", "--verbose"])
        .env("APPLIGARDE_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(writer.stdout.take().unwrap()).lines();
    // Its first commit: the database exists and the writer is in its stream of transactions.
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("consultation "), "{first}");
    // Drain its output at a garde's pace rather than a bulk load's: once the pipe is full, the
    // writer commits as fast as this thread reads, about a hundred consultations a second. The
    // checks still race real commits (asserted below), but each reads a journal of thousands of
    // entries rather than tens of thousands.
    let drain = std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .inspect(|_| std::thread::sleep(std::time::Duration::from_millis(10)))
            .count()
    });

    let mut false_alarms = Vec::new();
    let mut counts = Vec::with_capacity(CHECKS);
    for i in 0..CHECKS {
        let out = Command::new(cli)
            .args(&store_args)
            .args(["check", "--json"])
            .env("APPLIGARDE_LOG", "off")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            false_alarms.push(format!(
                "run {i}: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v["ok"], true, "run {i}: {stdout}");
        counts.push(v["entrees_journal"].as_u64().unwrap());
    }
    // The writer was still writing when the last check ran: every check raced real commits.
    assert!(
        writer.try_wait().unwrap().is_none(),
        "the writer stopped before the checks ended"
    );
    writer.kill().unwrap();
    writer.wait().unwrap();
    drain.join().unwrap();

    assert!(
        false_alarms.is_empty(),
        "{} false alarm(s) in {CHECKS} checks:\n{}",
        false_alarms.len(),
        false_alarms.join("\n")
    );
    let moved = counts.windows(2).filter(|w| w[1] > w[0]).count();
    eprintln!(
        "{CHECKS} checks, 0 false alarms; the journal grew between {moved} pairs of consecutive checks \
         ({} to {} entries)",
        counts[0],
        counts[CHECKS - 1]
    );
    assert!(
        counts[CHECKS - 1] > counts[0],
        "the journal grew while the checks ran ({counts:?})"
    );

    // A real tamper, by someone holding the key: the triggers dropped, one entry's details edited.
    let store = Store::open(&data, &KeySource::File(key.clone())).unwrap();
    store
        .conn()
        .execute_batch(
            "DROP TRIGGER journal_sans_modification; DROP TRIGGER journal_sans_suppression;
             UPDATE journal SET details = 'rien' WHERE id = 3;",
        )
        .unwrap();
    drop(store);
    let out = Command::new(cli)
        .args(&store_args)
        .args(["check", "--json"])
        .env("APPLIGARDE_LOG", "off")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the edited entry must be reported");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let journal = v["journal"].as_str().unwrap();
    assert!(
        journal.contains("l'entrée n° 3 a été modifiée"),
        "the report names the entry: {journal}"
    );
}
