//! The real `appligarde-cli` binary: output shapes other tools rely on, and French errors.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
}

#[test]
fn cotation_suggest_prints_codes_and_total_as_json() {
    let out = cli()
        .args([
            "cotation",
            "suggest",
            "--at",
            "2025-12-25T21:30",
            "--regule",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Christmas evening, regulated: the night majoration CRN applies (20h-0h) with G = 30 €.
    assert_eq!(json["codes"], serde_json::json!(["G", "CRN"]));
    assert_eq!(json["total_eur"], 72.5);
}

#[test]
fn cotation_suggest_refuses_a_time_that_does_not_exist() {
    let out = cli()
        .args(["cotation", "suggest", "--at", "2025-03-30T02:30", "--json"])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "02:30 does not exist on the spring DST night"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Erreur : "),
        "French error on stderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a refused request"
    );
}

#[test]
fn info_reports_schema_paths_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let store = |c: &mut Command| {
        c.arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--key-file")
            .arg(dir.path().join("key"));
    };
    let mut seed = cli();
    store(&mut seed);
    assert!(
        seed.args(["demo", "seed", "--consultations", "12"])
            .status()
            .unwrap()
            .success()
    );
    let mut info = cli();
    store(&mut info);
    let out = info.args(["info", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["schema_version"].as_u64().unwrap() >= 1);
    assert!(
        json["database"]
            .as_str()
            .unwrap()
            .ends_with("appligarde.db")
    );
    let consultations = json["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == "consultation")
        .unwrap();
    assert_eq!(consultations["rows"], 12);
}

#[test]
fn a_wrong_key_is_a_french_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ok = cli()
        .arg("--data-dir")
        .arg(&data)
        .arg("--key-file")
        .arg(dir.path().join("key"))
        .arg("info")
        .status();
    assert!(ok.unwrap().success());
    let other = dir.path().join("other");
    std::fs::write(&other, "00".repeat(32)).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = cli()
        .arg("--data-dir")
        .arg(&data)
        .arg("--key-file")
        .arg(&other)
        .arg("info")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("La clé ne permet pas d'ouvrir cette base"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn cim10_search_prints_code_and_label_best_first() {
    let out = cli()
        .args(["cim10", "search", "OMA", "--limit", "5", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !hits.is_empty() && hits.len() <= 5,
        "limit respected: {}",
        hits.len()
    );
    assert!(
        hits.iter()
            .all(|h| h["code"].is_string() && h["label"].is_string())
    );
    let codes: Vec<&str> = hits.iter().filter_map(|h| h["code"].as_str()).collect();
    assert!(
        codes.iter().any(|c| c.starts_with("H66")),
        "OMA is an otite moyenne aiguë (H66): {codes:?}"
    );
}

#[test]
fn backup_then_restore_on_a_new_pc_with_the_recovery_code() {
    let dir = tempfile::tempdir().unwrap();
    let old = |c: &mut Command| {
        c.arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--key-file")
            .arg(dir.path().join("key"));
    };
    let mut seed = cli();
    old(&mut seed);
    let out = seed
        .args(["demo", "seed", "--consultations", "25"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Code de récupération"),
        "a new base shows its code once: {stderr}"
    );

    let mut show = cli();
    old(&mut show);
    let out = show.args(["recovery-code", "--json"]).output().unwrap();
    let code = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        stderr.contains(&code),
        "the code shown again is the one shown at creation"
    );

    let mut backup = cli();
    old(&mut backup);
    let out = backup
        .args(["backup", "--out"])
        .arg(dir.path().join("usb"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["fichier"]
        .as_str()
        .unwrap()
        .to_owned();

    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    std::fs::remove_file(dir.path().join("key")).unwrap();
    let new = |c: &mut Command| {
        c.arg("--data-dir")
            .arg(dir.path().join("neuf"))
            .arg("--key-file")
            .arg(dir.path().join("neuf.key"));
    };
    let mut restore = cli();
    new(&mut restore);
    let out = restore
        .args(["restore", &file, "--recovery-code", &code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut info = cli();
    new(&mut info);
    let out = info.args(["info", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let n = json["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["table"] == "consultation")
        .unwrap()["rows"]
        .clone();
    assert_eq!(n, 25, "every consultation is back on the new PC");
}

#[test]
fn recovery_code_pdf_writes_the_sheet_as_pdf_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let base = |c: &mut Command| {
        c.arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--key-file")
            .arg(dir.path().join("key"));
    };
    let mut seed = cli();
    base(&mut seed);
    let out = seed
        .args(["demo", "seed", "--consultations", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let pdf = dir.path().join("fiche.pdf");
    let mut sheet = cli();
    base(&mut sheet);
    let out = sheet
        .args(["recovery-code", "--pdf"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(
        bytes.starts_with(b"%PDF-"),
        "the base64 of the answer is decoded"
    );
    assert!(
        bytes.trim_ascii_end().ends_with(b"%%EOF"),
        "the whole PDF is written"
    );
}
