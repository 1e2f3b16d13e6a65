//! The off-site copy of a backup of a 200,000-consultation MMG, sent to the real hub over the
//! loopback (issue 27).
//!
//! Measured: one sync pass of the desktop (`Api::sync_maintenant_key_holder`) whose only work is
//! one queued backup file: the tus upload by the sync client (create, 4 MiB `PATCH` chunks, each
//! answered with the hub's offset), the hub's SHA-256 check on the last byte. Baseline in the same
//! run: `curl` sending a backup file of the same MMG and size to the same hub in one `POST` and one
//! `PATCH` of the whole file (no chunks, no resume). Each side sends a different backup file (the
//! hub finds an upload of the same content again), 3 times, interleaved; medians and ratio.
//!
//! The hub is the release binary (built by this bench when needed) on a fresh database of the
//! PostgreSQL of `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask bench`). `HORS_SITE_BENCH_ROWS`
//! overrides the number of consultations; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown
//! section to it.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use appligarde_api::synchro::HubInscription;
use appligarde_api::{Api, ApiConfig};
use appligarde_store::{KeySource, Store};
use appligarde_sync::{CoffreJeton, Options, Synchroniseur};

#[path = "../../store/benches/support/mod.rs"]
mod support;

const DEFAULT_ROWS: usize = 200_000;
const RUNS: usize = 3;

/// The release hub binary beside this bench's profile directory, built when missing or stale.
fn hub_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_owned();
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "build",
            "--release",
            "-p",
            "appligarde-hub",
            "--bin",
            "appligarde-hub",
        ])
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap())
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .status()
        .unwrap();
    assert!(status.success(), "the hub binary must build");
    profile_dir.join("appligarde-hub")
}

/// A fresh database on the server of `APPLIGARDE_TEST_DATABASE_URL`.
fn fresh_database() -> String {
    let server = std::env::var("APPLIGARDE_TEST_DATABASE_URL")
        .expect("APPLIGARDE_TEST_DATABASE_URL (cargo xtask bench starts a PostgreSQL)");
    let name = format!("bench_hors_site_{}", std::process::id());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
    });
    let (base, _) = server.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

struct Hub {
    child: Child,
    url: String,
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin(binary: &Path, database: &str, args: &[&str]) -> serde_json::Value {
    let out = Command::new(binary)
        .arg("admin")
        .args(args)
        .args(["--database-url", database, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rows: usize = std::env::var("HORS_SITE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let dir = tempfile::tempdir().unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("cle.hex")),
    };
    let fill_start = Instant::now();
    let mut store = Store::open(&config.data_dir, &config.key).unwrap();
    support::remplir(&mut store, rows);
    let fill = fill_start.elapsed();

    // Backups of the MMG, each a different file of (nearly) the same size: half for the desktop,
    // half for curl.
    let mut fichiers = Vec::new();
    for i in 0..2 * RUNS {
        let info = store
            .backup_to(&dir.path().join(format!("usb-{i}")), &format!("bench-{i}"))
            .unwrap();
        let sha = appligarde_api::sauvegarde::empreinte_fichier(&info.path).unwrap();
        fichiers.push((info.path, info.bytes, sha));
    }

    let binary = hub_binary();
    let database = fresh_database();
    let sauvegardes = dir.path().join("hub-sauvegardes");
    let migrate = Command::new(&binary)
        .args(["migrate", "--database-url", &database])
        .status()
        .unwrap();
    assert!(migrate.success());
    let mut child = Command::new(&binary)
        .args([
            "serve",
            "--database-url",
            &database,
            "--listen",
            "127.0.0.1:0",
        ])
        .arg("--sauvegardes")
        .arg(&sauvegardes)
        .args(["--quota-mo", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let hub = Hub {
        child,
        url: format!("http://{}", line.trim().trim_start_matches("listening on ")),
    };
    let mmg = admin(
        &binary,
        &database,
        &["create-mmg", "--departement", "44", "--name", "MMG du banc"],
    );
    let mmg_id = mmg["id"].as_str().unwrap();
    let code = admin(&binary, &database, &["enroll-code", "--mmg", mmg_id]);

    let api = Arc::new(Api::open(&config).unwrap());
    api.brancher_hub(Arc::new(Synchroniseur::new(
        &config,
        Options::depuis_environnement().unwrap(),
    )));
    api.hub_inscrire_key_holder(HubInscription {
        url: hub.url.clone(),
        code: code["code"].as_str().unwrap().to_owned(),
    })
    .unwrap();
    // The first pass sends three years of daily aggregates; the timed ones send only the file.
    assert!(api.sync_maintenant_key_holder().unwrap().reussi);
    let token = CoffreJeton::pour(&config).lire().unwrap().unwrap();

    let mut desktop = Vec::new();
    let mut curl = Vec::new();
    let mut octets = 0;
    for run in 0..RUNS {
        let (chemin, taille, sha) = &fichiers[2 * run];
        octets = *taille;
        store
            .write(|tx| {
                appligarde_store::hors_site::mettre_en_file(
                    tx,
                    &chemin.display().to_string(),
                    *taille,
                    sha,
                    &format!("2026-11-20T2{run}:00:00Z"),
                )
            })
            .unwrap();
        let t = Instant::now();
        let rapport = api.sync_maintenant_key_holder().unwrap();
        desktop.push(t.elapsed());
        assert!(rapport.reussi, "{:?}", rapport.erreur);
        assert!(
            store.hors_site_en_attente().unwrap().is_empty(),
            "the queued file was sent"
        );

        let (chemin, taille, sha) = &fichiers[2 * run + 1];
        let t = Instant::now();
        let create = Command::new("curl")
            .args(["-sS", "--fail-with-body", "-X", "POST"])
            .arg(format!("{}/api/v1/backups", hub.url))
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["-H", "Content-Type: application/json"])
            .args([
                "--data",
                &serde_json::json!({
                    "size": taille,
                    "sha256": sha,
                    "taken_at": format!("2026-11-19T2{run}:00:00Z"),
                })
                .to_string(),
            ])
            .output()
            .unwrap();
        assert!(
            create.status.success(),
            "{}",
            String::from_utf8_lossy(&create.stdout)
        );
        let upload: serde_json::Value = serde_json::from_slice(&create.stdout).unwrap();
        let id = upload["id"].as_str().unwrap();
        let patch = Command::new("curl")
            .args(["-sS", "--fail-with-body", "-o", "/dev/null", "-X", "PATCH"])
            .arg(format!("{}/api/v1/backups/{id}", hub.url))
            .args(["-H", &format!("Authorization: Bearer {token}")])
            .args(["-H", "Tus-Resumable: 1.0.0"])
            .args(["-H", "Content-Type: application/offset+octet-stream"])
            .args(["-H", "Upload-Offset: 0"])
            .arg("--data-binary")
            .arg(format!("@{}", chemin.display()))
            .status()
            .unwrap();
        curl.push(t.elapsed());
        assert!(patch.success(), "curl sent the whole file");
    }
    let (d, c) = (median(desktop), median(curl));
    let mo = octets as f64 / 1e6;
    let report = format!(
        "\n## Sync: off-site copy of a {rows}-consultation backup to the hub (loopback)\n\n\
         Backup file {mo:.1} MB (database filled in {:.0} s); release hub on PostgreSQL. \
         Median of {RUNS} runs each, interleaved.\n\n\
         | measured | time | baseline (same run) | time | ratio |\n\
         |---|---|---|---|---|\n\
         | one sync pass sending the queued backup: tus create + 4 MiB `PATCH` chunks, hash checked by the hub | {:.2} s ({:.0} MB/s) | `curl`: one `POST` + one `PATCH` of the whole file, same hub | {:.2} s ({:.0} MB/s) | {:.2}× |\n",
        fill.as_secs_f64(),
        d.as_secs_f64(),
        mo / d.as_secs_f64().max(1e-9),
        c.as_secs_f64(),
        mo / c.as_secs_f64().max(1e-9),
        d.as_secs_f64() / c.as_secs_f64().max(1e-9),
    );
    support::report(&report);
}
