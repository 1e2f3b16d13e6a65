//! Releases of the public drug database published by the URML (`appligarde-hub admin publish
//! bdpm DIR`), end to end with the real hub binary on a real PostgreSQL: the 2017 release then
//! the 2019 extract reach an enrolled desktop at sync and become its active version (the search
//! follows: ACADIONE priced then no longer marketed, BENERVA 100 mg/1 ml gone); the same release
//! published again changes nothing; an older desktop, which does not say `bdpm=1`, never sees
//! one; a broken release is refused by the hub with the parser's French message.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use appligarde_api::documents::{MedicamentDto, MedicamentQuery};
use chrono::NaiveDateTime;
use common::*;
use serde_json::Value;

fn donnees() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm")
}

fn recherche(desktop: &Desktop, texte: &str) -> Vec<MedicamentDto> {
    desktop
        .api
        .medicaments_rechercher(MedicamentQuery {
            texte: texte.into(),
            limite: Some(50),
        })
        .unwrap()
}

async fn get(hub: &Hub, path: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

fn publier(hub: &Hub, dossier: &Path) -> Value {
    hub.admin(&["publish", "bdpm", dossier.to_str().unwrap(), "--json"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bdpm_release_reaches_a_desktop_and_becomes_active() {
    let database = fresh_database("sync_bdpm").await;
    let hub = Hub::start(&database);
    let mmg = create_mmg(&hub, "44", "MMG Nantes");
    let now = NaiveDateTime::parse_from_str("2026-03-01 20:00", "%Y-%m-%d %H:%M").unwrap();
    let desktop = Desktop::new(now, 1);
    desktop.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    assert!(
        recherche(&desktop, "acadione").is_empty(),
        "not in the built-in extract (2019, marketed only)"
    );

    let v2017 = publier(&hub, &donnees().join("2017-03"));
    assert_eq!(v2017["kind"], "bdpm", "{v2017}");
    assert_eq!(v2017["items"], 14_442);
    assert!(
        v2017["bytes"].as_u64().unwrap() < 6_000_000,
        "a compressed payload: {v2017}"
    );
    let v2017 = v2017["version"].as_u64().unwrap();

    // An older desktop (no bdpm=1) neither gets it nor counts it in `latest`.
    let token = desktop.token().unwrap();
    let old = get(&hub, "/api/v1/reference?since=0&conventions=1", &token).await;
    assert!(old["latest"].as_u64().unwrap() < v2017, "{old}");
    assert!(
        old["publications"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["kind"] != "bdpm"),
        "{old}"
    );

    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    let natures: Vec<(u64, &str)> = rapport
        .references_appliquees
        .iter()
        .map(|r| (r.version, r.nature.as_str()))
        .collect();
    assert_eq!(natures, vec![(v2017, "bdpm")]);
    let acadione = recherche(&desktop, "acadione");
    assert!(acadione[0].commercialise);
    assert_eq!(acadione[0].presentations[0].prix_eur, Some(57.68));

    // The 2019 extract: ACADIONE stopped, BENERVA 100 mg/1 ml gone.
    let v2019 = publier(&hub, &donnees())["version"].as_u64().unwrap();
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    assert_eq!(rapport.statut.reference_version, v2019);
    assert!(!recherche(&desktop, "acadione")[0].commercialise);
    assert!(
        recherche(&desktop, "benerva")
            .iter()
            .all(|m| m.cis != "62974206")
    );

    // The same release published again: applied, nothing changes on the desktop.
    let again = publier(&hub, &donnees())["version"].as_u64().unwrap();
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    assert_eq!(rapport.statut.reference_version, again);
    assert_eq!(
        rapport.references_appliquees[0].resume,
        "base des médicaments déjà active"
    );

    // A broken release is refused by the hub, with the parser's message; nothing published.
    let casse = tempfile::tempdir().unwrap();
    for f in ["CIS_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_GENER_bdpm.txt"] {
        std::fs::copy(donnees().join(f), casse.path().join(f)).unwrap();
    }
    let gener = std::fs::read(casse.path().join("CIS_GENER_bdpm.txt")).unwrap();
    std::fs::write(
        casse.path().join("CIS_GENER_bdpm.txt"),
        &gener[..gener.len() - 3],
    )
    .unwrap();
    let out = std::process::Command::new(hub_binary())
        .args(["admin", "publish", "bdpm", casse.path().to_str().unwrap()])
        .arg("--database-url")
        .arg(&database)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CIS_GENER_bdpm.txt"), "{stderr}");
    let token = desktop.token().unwrap();
    let latest = get(
        &hub,
        "/api/v1/reference?since=0&conventions=1&bdpm=1",
        &token,
    )
    .await;
    assert_eq!(
        latest["latest"].as_u64().unwrap(),
        again,
        "nothing published"
    );
}
