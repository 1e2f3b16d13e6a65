//! The real desktop sync client against the real hub binary (`appligarde-hub serve`) on a real
//! PostgreSQL, over plain HTTP on 127.0.0.1 (TLS verification is on for `https://` addresses;
//! a loopback test hub speaks plain HTTP).
//!
//! - Fault injection: a proxy of our own between the desktops and the hub drops, delays, cuts
//!   answers, answers 500, duplicates requests, and the hub is killed and restarted in the
//!   middle; after recovery the hub's figures per MMG and day equal the desktops' exactly, over
//!   many seeded runs (`APPLIGARDE_SYNC_RUNS`, 12 by default).
//! - A desktop offline for three months sends its backlog in one sync.
//! - A publication of the URML (`appligarde-hub admin publish rpps FILE`) reaches two enrolled
//!   desktops, which then find the new practitioners in their annuaire.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`); each test makes its own
//! database.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use appligarde_api::annuaire::AnnuaireQuery;
use appligarde_sync::Options;
use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

/// How many seeded fault runs (more with `APPLIGARDE_SYNC_RUNS=N`).
fn runs() -> u64 {
    std::env::var("APPLIGARDE_SYNC_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

/// One seeded run: two MMGs (one with two PCs), random activity and late edits, syncs through
/// the faulty proxy with a hub restart in the middle, then recovery and the comparison.
async fn fault_run(hub: &mut Hub, proxy: &Proxy, token: &str, seed: u64) -> u32 {
    let mut rng = StdRng::seed_from_u64(seed);
    let now = at("2026-03-31 12:00");
    let mmg_a = create_mmg(hub, "44", &format!("MMG A {seed}"));
    let mmg_b = create_mmg(hub, "44", &format!("MMG B {seed}"));
    // Few attempts per request, so that whole syncs fail half-way (some batches acknowledged,
    // others not) and the next sync has to pick up exactly what is left.
    let options = |n: u64| Options {
        essais_max: 3,
        ..test_options(seed * 10 + n)
    };
    let mut desktops = vec![
        Desktop::with_options(now, options(1)),
        Desktop::with_options(now, options(2)),
        Desktop::with_options(now, options(3)),
    ];
    proxy.set_faults(false);
    for (desktop, mmg) in desktops.iter().zip([&mmg_a, &mmg_a, &mmg_b]) {
        desktop.enroll(&proxy.url(), &enroll_code(hub, mmg)).await;
    }
    let mut ids: Vec<Vec<i64>> = Vec::new();
    for desktop in &mut desktops {
        let times: Vec<_> = (0..rng.random_range(5..25))
            .map(|_| random_time_before(now, 60, &mut rng))
            .collect();
        ids.push(desktop.add_consultations(&times, &mut rng));
    }

    proxy.set_faults(true);
    let rounds = 6;
    let mut failed_syncs = 0;
    let restart_round = rng.random_range(1..rounds - 1);
    for round in 0..rounds {
        // Activity between syncs: new consultations, and late edits of old ones (a higher
        // revision of a day already sent).
        for (desktop, ids) in desktops.iter_mut().zip(ids.iter_mut()) {
            if rng.random_bool(0.5) {
                let times: Vec<_> = (0..rng.random_range(1..5))
                    .map(|_| random_time_before(now, 60, &mut rng))
                    .collect();
                ids.extend(desktop.add_consultations(&times, &mut rng));
            }
            if rng.random_bool(0.5) {
                let id = ids[rng.random_range(0..ids.len())];
                desktop.edit_consultation(id, &mut rng);
            }
        }
        // The three PCs sync at the same time, as tasks of their own.
        let syncs: Vec<_> = desktops
            .iter()
            .map(|d| {
                let (api, sync) = (d.api.clone(), d.sync.clone());
                tokio::spawn(async move { sync.synchroniser_async(&api).await })
            })
            .collect();
        if round == restart_round {
            // The hub dies while the PCs are in the middle of their syncs.
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..40))).await;
            tokio::task::block_in_place(|| hub.restart());
            proxy.set_upstream(hub.address);
        }
        for sync in syncs {
            if !sync.await.unwrap().reussi {
                failed_syncs += 1;
            }
        }
    }

    // Recovery: the network is clean again; one sync each must send whatever is left.
    proxy.set_faults(false);
    for (i, desktop) in desktops.iter().enumerate() {
        let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
        assert!(
            rapport.reussi,
            "seed {seed}, PC {i}: a sync on a clean network succeeds: {:?}",
            rapport.erreur
        );
        assert_eq!(
            rapport.statut.jours_en_attente, 0,
            "seed {seed}, PC {i}: nothing is left waiting after a success"
        );
        assert_eq!(
            rapport.statut.derniere_erreur, None,
            "a success clears the error"
        );
    }

    let (from, to) = (now.date() - chrono::Duration::days(62), now.date());
    let t: Vec<_> = desktops.iter().map(|d| d.totals(from, to)).collect();
    let mut expected = sum_totals(&mmg_a, &[&t[0], &t[1]]);
    expected.extend(sum_totals(&mmg_b, &[&t[2]]));
    let ours: BTreeSet<&String> = [&mmg_a, &mmg_b].into_iter().collect();
    let mut actual = hub_totals(hub, token, "44", from, to).await;
    actual.retain(|(mmg, _, _), _| ours.contains(mmg));
    assert!(
        !expected.is_empty(),
        "seed {seed}: the run must have activity to compare"
    );
    let consultations: u32 = expected.values().map(|c| c.consultations).sum();
    assert_eq!(
        consultations,
        ids.iter().map(|v| v.len() as u32).sum::<u32>(),
        "seed {seed}: every consultation of the PCs is counted once on the desktop side"
    );
    assert_same_figures(&expected, &actual, &format!("seed {seed}"));
    failed_syncs
}

/// The hub's figures per MMG, day and slot equal the desktops' exactly; on failure, the first
/// differences are named (consultation counts) instead of pages of counts.
fn assert_same_figures(
    expected: &std::collections::BTreeMap<
        (String, NaiveDate, appligarde_protocol::PdsaSlot),
        appligarde_protocol::DailyCounts,
    >,
    actual: &std::collections::BTreeMap<
        (String, NaiveDate, appligarde_protocol::PdsaSlot),
        appligarde_protocol::DailyCounts,
    >,
    what: &str,
) {
    let keys: BTreeSet<_> = expected.keys().chain(actual.keys()).collect();
    let differences: Vec<String> = keys
        .into_iter()
        .filter(|k| expected.get(*k) != actual.get(*k))
        .map(|k| {
            format!(
                "{} {} {:?}: desktop {:?} consultations, hub {:?}",
                k.0,
                k.1,
                k.2,
                expected.get(k).map(|c| c.consultations),
                actual.get(k).map(|c| c.consultations)
            )
        })
        .collect();
    assert!(
        differences.is_empty(),
        "{what}: the hub's figures differ from the desktops' on {} (MMG, day, slot), first: {:#?}",
        differences.len(),
        &differences[..differences.len().min(5)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_and_a_hub_restart_never_lose_nor_double_count_a_consultation() {
    let database = fresh_database("sync_faults").await;
    let mut hub = Hub::start(&database);
    let token = admin_token(&hub).await;
    let proxy = Proxy::start(hub.address, 0x5eed).await;
    let runs = runs();
    let mut failed_syncs = 0;
    for seed in 1..=runs {
        failed_syncs += fault_run(&mut hub, &proxy, &token, seed).await;
    }
    let counts = proxy.counts.summary();
    eprintln!(
        "{runs} seeded runs, {} syncs of which {failed_syncs} failed under faults, faults \
         injected: {counts:?}",
        runs * 6 * 3
    );
    assert!(
        failed_syncs > 0,
        "the faults must make some syncs fail half-way, or recovery is not tested"
    );
    // The runs are only a proof if every kind of fault really happened.
    for kind in [
        "dropped_before",
        "dropped_after",
        "error_500_before",
        "error_500_after",
        "cut_mid_response",
        "duplicated",
        "delayed",
    ] {
        assert!(counts[kind] > 0, "the proxy injected no {kind} fault");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desktop_offline_for_three_months_syncs_its_backlog_in_one_go() {
    let database = fresh_database("sync_offline").await;
    let hub = Hub::start(&database);
    let token = admin_token(&hub).await;
    let proxy = Proxy::start(hub.address, 3).await;
    let mmg = create_mmg(&hub, "44", "MMG hors ligne");
    let now = at("2026-06-30 21:00");
    let mut desktop = Desktop::new(now, 3);
    desktop.enroll(&proxy.url(), &enroll_code(&hub, &mmg)).await;

    // Three months without network: every garde of April to June has consultations.
    proxy.set_online(false);
    let mut rng = StdRng::seed_from_u64(3);
    let first = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let mut times = Vec::new();
    let mut day = first;
    while day <= now.date() {
        for _ in 0..rng.random_range(1..5) {
            let hour = rng.random_range(8..20);
            times.push(day.and_hms_opt(hour, rng.random_range(0..60), 0).unwrap());
        }
        day += chrono::Duration::days(1);
    }
    desktop.add_consultations(&times, &mut rng);
    let days = (now.date() - first).num_days() as u32 + 1;

    let failed = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(!failed.reussi, "no network, no success");
    let statut = desktop.api.sync_statut().unwrap();
    assert_eq!(
        statut.jours_en_attente, days,
        "the status counts every garde day of the three months as waiting"
    );
    let error = statut.derniere_erreur.unwrap();
    assert!(
        error.contains("hub") && error.contains("nouvel essai"),
        "the last error is French and says what happens next: {error}"
    );
    assert_eq!(statut.dernier_succes, None, "there was never a success");

    proxy.set_online(true);
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    assert_eq!(rapport.jours_envoyes, days, "the whole backlog in one sync");
    assert_eq!(
        rapport.agregats_envoyes,
        days * 6,
        "one aggregate per day and PDSA slot"
    );
    assert!(
        rapport.lots > 1,
        "a backlog this size goes in several batches"
    );
    assert_eq!(rapport.statut.jours_en_attente, 0);
    assert!(rapport.statut.dernier_succes.is_some());

    let (from, to) = (first, now.date());
    let expected = sum_totals(&mmg, &[&desktop.totals(from, to)]);
    let actual = hub_totals(&hub, &token, "44", from, to).await;
    assert_eq!(
        expected.values().map(|c| c.consultations).sum::<u32>(),
        times.len() as u32
    );
    assert_same_figures(&expected, &actual, "three months offline");

    // A restart of the desktop (a new API on the same data) finds nothing left to send.
    let again = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(again.reussi);
    assert_eq!(
        again.agregats_envoyes, 0,
        "acknowledged days are not sent again"
    );
}

/// An RPPS number whose Luhn key is right.
fn rpps_number(rng: &mut StdRng) -> String {
    let body: String = (0..10)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    (0..10)
        .map(|check| format!("{body}{check}"))
        .find(|n| appligarde_domain::luhn::is_valid_rpps(n))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_urml_publication_reaches_two_desktops_which_find_the_new_practitioners() {
    let database = fresh_database("sync_reference").await;
    let hub = Hub::start(&database);
    hub.admin(&["set-region", "--departements", "44,49"]);
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
    let search = |d: &Desktop, text: &str| {
        d.api
            .annuaire_search(AnnuaireQuery {
                texte: text.to_owned(),
                limite: None,
            })
            .unwrap()
    };
    for d in &desktops {
        assert!(
            search(d, "Zorglubian").is_empty(),
            "nobody of that name before the publication"
        );
    }

    // The extract: the real layout (header of the national file), two new doctors of the
    // region and one of Paris, which the hub keeps out.
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../rpps/tests/data/PS_LibreAcces_Personne_activite_sample.txt"
    ))
    .unwrap();
    let mut lines = sample.lines();
    let header = lines.next().unwrap();
    let columns: Vec<&str> = header.split('|').collect();
    let column = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    let (id, national, nom, prenom, dep) = (
        column("Identifiant PP"),
        column("Identification nationale PP"),
        column("Nom d'exercice"),
        column("Prénom d'exercice"),
        column("Code Département (structure)"),
    );
    let model: Vec<&str> = lines
        .find(|l| l.split('|').nth(dep) == Some("44"))
        .unwrap()
        .split('|')
        .collect();
    let mut rng = StdRng::seed_from_u64(9);
    let mut file = format!("{header}\n");
    let mut numbers = Vec::new();
    for (first_name, departement) in [("Anatole", "44"), ("Berthe", "49"), ("Casimir", "75")] {
        let number = rpps_number(&mut rng);
        let mut fields: Vec<String> = model.iter().map(|s| (*s).to_owned()).collect();
        fields[id] = number.clone();
        fields[national] = format!("8{number}");
        fields[nom] = "ZORGLUBIAN".to_owned();
        fields[prenom] = first_name.to_owned();
        fields[dep] = departement.to_owned();
        file.push_str(&fields.join("|"));
        file.push('\n');
        numbers.push(number);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("PS_LibreAcces_Personne_activite.txt");
    std::fs::write(&path, file).unwrap();
    let published = hub.admin(&["publish", "rpps", path.to_str().unwrap(), "--json"]);
    let version = published["version"].as_u64().unwrap();

    for (i, d) in desktops.iter().enumerate() {
        let rapport = d.sync.synchroniser_async(&d.api).await;
        assert!(rapport.reussi, "desktop {i}: {:?}", rapport.erreur);
        assert_eq!(
            rapport
                .references_appliquees
                .iter()
                .map(|r| (r.version, r.nature.as_str()))
                .collect::<Vec<_>>(),
            vec![(version, "rpps")],
            "desktop {i} applied the publication once"
        );
        assert_eq!(rapport.statut.reference_version, version);
        let found: BTreeSet<String> = search(d, "Zorglubian")
            .into_iter()
            .filter_map(|c| c.rpps)
            .collect();
        assert_eq!(
            found,
            numbers[..2].iter().cloned().collect(),
            "desktop {i} finds the two new doctors of the region, not the one of Paris"
        );
        let again = d.sync.synchroniser_async(&d.api).await;
        assert!(
            again.reussi && again.references_appliquees.is_empty(),
            "a publication is applied once"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrollment_errors_are_french_and_next_to_their_field() {
    let database = fresh_database("sync_enroll").await;
    let hub = Hub::start(&database);
    let desktop = Desktop::new(at("2026-03-01 20:00"), 1);
    let cases = [
        (hub.url(), "PAS-UN-CODE", "code"),
        ("http://hub.exemple.fr".to_owned(), "X", "url"),
        ("http://127.0.0.1:1".to_owned(), "X", "url"),
    ];
    for (url, code, field) in cases {
        let error = appligarde_api::ApiError::from(
            desktop
                .sync
                .inscrire_async(&desktop.api, &url, code)
                .await
                .unwrap_err(),
        );
        assert_eq!(
            error.field.as_deref(),
            Some(field),
            "{url} {code}: {error:?}"
        );
        assert!(!error.message.is_empty());
    }
    let statut = desktop.api.sync_statut().unwrap();
    assert!(!statut.inscrit, "a failed enrollment records nothing");

    // Through the API's commands, as the UI does it: enrolling is the MMG admin's.
    let mmg = create_mmg(&hub, "44", "MMG Commandes");
    let inscription = serde_json::json!({"url": hub.url(), "code": enroll_code(&hub, &mmg)});
    let refus = desktop
        .api
        .invoke("hub_inscrire", inscription.clone())
        .unwrap_err();
    assert_eq!(
        refus.code,
        appligarde_api::ErrorCode::Unauthenticated,
        "{refus:?}"
    );
    desktop
        .api
        .invoke(
            "compte_initial",
            serde_json::json!({"nom": "RENAUD", "prenom": "Marc", "role": "admin",
                               "mot_de_passe": "un mot de passe assez long"}),
        )
        .unwrap();
    let statut = desktop.api.invoke("hub_inscrire", inscription).unwrap();
    assert_eq!(statut["inscrit"], true);
    assert_eq!(statut["mmg_nom"], "MMG Commandes");
    let rapport = desktop
        .api
        .invoke("sync_maintenant", serde_json::Value::Null)
        .unwrap();
    assert_eq!(rapport["reussi"], true, "{rapport}");
}
