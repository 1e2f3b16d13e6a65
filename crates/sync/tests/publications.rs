//! Tariff tables and CIM-10 versions published by the URML (`appligarde-hub admin publish
//! tarifs|cim10 FILE`), end to end with the real hub binary on a real PostgreSQL: two enrolled
//! desktops sync, then their cotation prices with the new table and their CIM-10 search finds a
//! code of the new version (now the active one). A publication the hub accepts but a desktop
//! refuses (a zero tariff, a malformed CIM-10 line) gives a French error, changes nothing on the
//! desktop and keeps its reference version, so the next sync asks for it again.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use appligarde_api::cim10::Cim10Query;
use appligarde_api::cotation::CotationRequest;
use chrono::NaiveDateTime;
use common::*;

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

/// The tariff table shipped with the program.
const DEFAULT_TARIFS: &str = include_str!("../../domain/data/tarifs_garde.csv");
/// The national CIM-10 file of the shared reference data.
const CIM10_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/cim10/cim10fr_atih_2021.csv"
);

/// The default table where G goes from 30.00 € to 31.50 € on 1 January 2026.
fn new_tarifs() -> String {
    let old_g = "G;Consultation au cabinet par le médecin généraliste;30.00;2024-12-22;;;";
    assert!(
        DEFAULT_TARIFS.contains(old_g),
        "the default table has G at 30 €"
    );
    let mut out = String::new();
    for line in DEFAULT_TARIFS.lines() {
        if line.starts_with(old_g) {
            out.push_str(&line.replacen(";2024-12-22;;", ";2024-12-22;2025-12-31;", 1));
            out.push('\n');
            out.push_str(
                "G;Consultation au cabinet par le médecin généraliste;31.50;2026-01-01;;;\
                 avenant de test\n",
            );
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// A CIM-10 version: the first lines of the national file and one code of our own.
fn new_cim10(extra: &str) -> String {
    let text = std::fs::read_to_string(CIM10_FILE).unwrap();
    let mut out: String = text.lines().take(1000).collect::<Vec<_>>().join("\n");
    out.push('\n');
    out.push_str(extra);
    out.push('\n');
    out
}

const ZORGLUBITE: &str = "B998;0;NOOO;0;ZORGLUBITE AIGUE;Zorglubite aiguë;B99;[A00-B99];\
                          Certaines maladies infectieuses et parasitaires;[B99-B99];\
                          Autres maladies infectieuses";

/// The price of G, in cents, in the cotation of a regulated consultation of 1 March 2026, 21:00.
fn price_of_g(desktop: &Desktop) -> i64 {
    let request: CotationRequest = serde_json::from_value(serde_json::json!({
        "date_heure": "2026-03-01T21:00",
        "regule": true,
        "age_ans": 40
    }))
    .unwrap();
    let cotation = desktop.api.cotation_suggest(request).unwrap();
    cotation
        .actes
        .iter()
        .find(|a| a.code == "G")
        .unwrap_or_else(|| panic!("a G in {:?}", cotation.codes))
        .montant_centimes
}

fn search(desktop: &Desktop, text: &str) -> Vec<String> {
    let query: Cim10Query =
        serde_json::from_value(serde_json::json!({"query": text, "limit": 10})).unwrap();
    desktop
        .api
        .cim10_search(query)
        .unwrap()
        .into_iter()
        .map(|h| h.raw_code)
        .collect()
}

fn active_cim10(desktop: &Desktop) -> String {
    desktop
        .api
        .cim10_versions()
        .unwrap()
        .into_iter()
        .find(|v| v.active)
        .unwrap()
        .version
}

fn publish(hub: &Hub, kind: &str, content: &str) -> u64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{kind}.csv"));
    std::fs::write(&path, content).unwrap();
    hub.admin(&["publish", kind, path.to_str().unwrap(), "--json"])["version"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tariffs_and_a_cim10_version_reach_two_desktops_and_are_used() {
    let database = fresh_database("sync_publications").await;
    let hub = Hub::start(&database);
    let mmg_44 = create_mmg(&hub, "44", "MMG Nantes");
    let mmg_49 = create_mmg(&hub, "49", "MMG Angers");
    let now = at("2026-03-01 20:00");
    let desktops = [Desktop::new(now, 1), Desktop::new(now, 2)];
    desktops[0]
        .enroll(&hub.url(), &enroll_code(&hub, &mmg_44))
        .await;
    desktops[1]
        .enroll(&hub.url(), &enroll_code(&hub, &mmg_49))
        .await;
    let before_version: Vec<String> = desktops.iter().map(active_cim10).collect();
    for d in &desktops {
        assert_eq!(price_of_g(d), 3000, "G is 30 € with the shipped table");
        assert!(
            !search(d, "zorglubite").contains(&"B998".to_owned()),
            "no such code before the publication"
        );
    }

    let tarifs = publish(&hub, "tarifs", &new_tarifs());
    let cim10 = publish(&hub, "cim10", &new_cim10(ZORGLUBITE));
    assert!(cim10 > tarifs);

    for (i, d) in desktops.iter().enumerate() {
        let rapport = d.sync.synchroniser_async(&d.api).await;
        assert!(rapport.reussi, "desktop {i}: {:?}", rapport.erreur);
        assert_eq!(
            rapport
                .references_appliquees
                .iter()
                .map(|r| (r.version, r.nature.as_str()))
                .collect::<Vec<_>>(),
            vec![(tarifs, "tarifs"), (cim10, "cim10")],
            "desktop {i} applied both publications, in order"
        );
        assert_eq!(rapport.statut.reference_version, cim10);
        assert_eq!(
            price_of_g(d),
            3150,
            "desktop {i}: the cotation uses the new G"
        );
        assert_eq!(
            search(d, "zorglubite").first().map(String::as_str),
            Some("B998"),
            "desktop {i} finds the code of the new version"
        );
        let active = active_cim10(d);
        assert_ne!(active, before_version[i], "the active version changed");
        assert!(active.contains(&format!("n° {cim10}")), "{active}");
        let again = d.sync.synchroniser_async(&d.api).await;
        assert!(
            again.reussi && again.references_appliquees.is_empty(),
            "desktop {i}: a publication is applied once"
        );
    }
    // The same table published again: not an error, nothing changes.
    let same = publish(&hub, "tarifs", &new_tarifs());
    let rapport = desktops[0].sync.synchroniser_async(&desktops[0].api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    assert_eq!(rapport.statut.reference_version, same);
    assert_eq!(price_of_g(&desktops[0]), 3150);
}

/// Syncs `desktop` expecting the publication `refused` to be refused; returns the error.
async fn refused_sync(desktop: &Desktop, kept_version: u64, refused: u64) -> String {
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(!rapport.reussi, "a refused publication fails the sync");
    let error = rapport.erreur.unwrap();
    assert!(
        error.contains(&format!("publication n° {refused}"))
            && error.contains("refusée")
            && error.contains("inchangées"),
        "a French error naming the publication: {error}"
    );
    assert_eq!(
        rapport.statut.reference_version, kept_version,
        "the reference version stays below the refused publication"
    );
    assert_eq!(
        rapport.statut.derniere_erreur.as_deref(),
        Some(error.as_str())
    );
    assert_eq!(rapport.statut.jours_en_attente, 0, "the push still went");
    error
}

/// A publication stored as it is, past the hub's checks (which refuse what a desktop would): what
/// a hub of another version, or one answering garbage, would serve.
async fn publish_unchecked(database: &str, kind: &str, content: &str) -> u64 {
    let (client, connection) = tokio_postgres::connect(database, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let row = client
        .query_one(
            "INSERT INTO reference_publication (version, kind, content, content_sha256, items) \
             SELECT coalesce(max(version), 0) + 1, $1, $2, sha256(convert_to($2, 'UTF8')), 1 \
             FROM reference_publication RETURNING version",
            &[&kind, &content],
        )
        .await
        .unwrap();
    u64::try_from(row.get::<_, i64>(0)).unwrap()
}

/// The operator's `publish` of a file: the exit status and what it printed.
fn try_publish(hub: &Hub, kind: &str, content: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{kind}.csv"));
    std::fs::write(&path, content).unwrap();
    std::process::Command::new(hub_binary())
        .args(["admin", "publish", kind])
        .arg(&path)
        .arg("--database-url")
        .arg(&hub.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publication_the_desktop_refuses_changes_nothing_and_is_asked_again() {
    let now = at("2026-03-01 20:00");

    // A CIM-10 line of MCO type 7, which the desktop's import refuses: the hub's publish refuses
    // it too, so it can only come from a hub of another version (stored here past its checks).
    let database = fresh_database("sync_refused_cim10").await;
    let hub = Hub::start(&database);
    let mmg = create_mmg(&hub, "44", "MMG Refus");
    let desktop = Desktop::new(now, 1);
    desktop.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    let good = publish(&hub, "tarifs", &new_tarifs());
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    let versions_before = desktop.api.cim10_versions().unwrap().len();
    let active_before = active_cim10(&desktop);
    let odd = new_cim10(&ZORGLUBITE.replacen(";0;NOOO;0;", ";7;NOOO;0;", 1));
    let refused = try_publish(&hub, "cim10", &odd);
    assert!(
        !refused.status.success(),
        "the hub refuses what the desktops would"
    );
    let bad = publish_unchecked(&database, "cim10", &odd).await;
    for attempt in 0..2 {
        let error = refused_sync(&desktop, good, bad).await;
        assert!(error.contains("CIM-10"), "attempt {attempt}: {error}");
        assert_eq!(desktop.api.cim10_versions().unwrap().len(), versions_before);
        assert_eq!(
            active_cim10(&desktop),
            active_before,
            "the active version is kept"
        );
        assert!(
            !search(&desktop, "cholera").is_empty(),
            "the search still works"
        );
        assert!(!search(&desktop, "zorglubite").contains(&"B998".to_owned()));
    }
    let listed = desktop.api.sync_statut().unwrap();
    assert_eq!(listed.reference_version, good);
    drop(hub);

    // A tariff of 0 €, refused by the desktop (and by the hub's publish): the table in force
    // stays.
    let database = fresh_database("sync_refused_tarifs").await;
    let hub = Hub::start(&database);
    let mmg = create_mmg(&hub, "44", "MMG Refus tarifs");
    let desktop = Desktop::new(now, 2);
    desktop.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    let good = publish(&hub, "tarifs", &new_tarifs());
    assert!(desktop.sync.synchroniser_async(&desktop.api).await.reussi);
    let tables_before = desktop.api.tarifs_en_vigueur().unwrap().versions.len();
    let zero = new_tarifs().replacen(";31.50;2026-01-01;", ";0.00;2026-01-01;", 1);
    let refused = try_publish(&hub, "tarifs", &zero);
    assert!(
        !refused.status.success(),
        "the hub refuses what the desktops would"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("refuseraient"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let bad = publish_unchecked(&database, "tarifs", &zero).await;
    for _ in 0..2 {
        let error = refused_sync(&desktop, good, bad).await;
        assert!(error.contains("tarifs"), "{error}");
        assert_eq!(price_of_g(&desktop), 3150, "the table in force is kept");
        assert_eq!(
            desktop.api.tarifs_en_vigueur().unwrap().versions.len(),
            tables_before
        );
    }
}
