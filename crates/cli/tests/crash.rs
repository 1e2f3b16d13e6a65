//! Crash safety: the real `appligarde-cli` writing consultations is killed with SIGKILL at random
//! moments, over and over, on the same database. Afterwards every consultation whose id was printed
//! as committed is in the database with its uid, and the integrity and audit chain checks pass.
#![allow(clippy::unwrap_used)]

use appligarde_store::{KeySource, Store};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const KILLS: usize = 110;

#[test]
fn consultations_printed_as_committed_survive_sigkill() {
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
    // Fixed seed: the same schedule of kills at every run (the moments still vary with the machine).
    let mut rng = StdRng::seed_from_u64(0xC0FF_EE15);
    let mut committed: Vec<(i64, String)> = Vec::new();
    let mut killed = 0;
    for i in 0..KILLS {
        // Its error output, kept to say why a run printed nothing.
        let stderr_path = dir.path().join("stderr.txt");
        let mut child = Command::new(cli)
            .args(&store_args)
            .args(["demo", "seed", "--consultations", "100000", "--verbose"])
            .args(["--seed", &i.to_string()])
            .env("APPLIGARDE_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&stderr_path).unwrap()))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        if rng.random_bool(0.15) {
            // Sometimes while it opens the store, migrates or writes its first transaction.
            std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
        } else {
            // Usually in the middle of the stream of commits.
            let first = rx.recv_timeout(Duration::from_secs(30));
            assert!(
                first.is_ok(),
                "run {i}: the seed printed nothing; its error output: {}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
            if let Ok(line) = first {
                committed.push(parse(&line));
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(0..60)));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        if status.signal() == Some(9) {
            killed += 1;
        }
        reader.join().unwrap();
        // Every line the process wrote before dying is in the pipe: those ids were committed.
        committed.extend(rx.try_iter().map(|l| parse(&l)));
    }
    assert!(
        killed >= 100,
        "the writer was killed by SIGKILL {killed} times (at least 100 required)"
    );
    assert!(
        committed.len() > KILLS,
        "the runs committed consultations between the kills ({} in all)",
        committed.len()
    );

    let store = Store::open(&data, &KeySource::File(key.clone())).unwrap();
    for (id, uid) in &committed {
        assert_eq!(
            store.consultation_par_uid(uid).unwrap(),
            Some(*id),
            "consultation {id} ({uid}) was printed as committed and must be in the database"
        );
        let fiche = store.consultation(*id).unwrap().unwrap();
        assert_eq!(&fiche.uid, uid);
    }
    store.integrity_check().unwrap();
    let entries = store.verifier_journal().unwrap();
    assert!(
        entries as usize >= committed.len(),
        "each committed consultation has its audit entry"
    );
    drop(store);

    let check = Command::new(cli)
        .args(&store_args)
        .arg("check")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "`check` passes after the kills: {out}"
    );
    assert!(out.contains("Journal d'audit intact"), "{out}");
}

fn parse(line: &str) -> (i64, String) {
    let mut parts = line.split_whitespace();
    assert_eq!(
        parts.next(),
        Some("consultation"),
        "unexpected line: {line}"
    );
    let id = parts.next().unwrap().parse().unwrap();
    let uid = parts.next().unwrap().to_owned();
    (id, uid)
}
