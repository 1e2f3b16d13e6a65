//! Re-enrolling a PC (new code from an operator, lost token, restore of an older backup)
//! against the real hub binary on a real PostgreSQL: the new device replaces the store's
//! previous one (whose token is refused from then on) and what it had sent, so that the hub's
//! totals per MMG and day stay exactly the desktops'; two PCs of one MMG are still summed; an
//! operator retires a PC with `appligarde-hub admin retire-device` and sees every PC's last
//! contact in `admin list`.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use appligarde_protocol::{DailyCounts, PdsaSlot};
use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

const NOW: &str = "2026-03-31 12:00";

fn period() -> (NaiveDate, NaiveDate) {
    let now = at(NOW).date();
    (now - chrono::Duration::days(62), now)
}

type Totals = BTreeMap<(String, NaiveDate, PdsaSlot), DailyCounts>;

/// The hub's figures of `mmg` only.
async fn hub_mmg(hub: &Hub, token: &str, mmg: &str) -> Totals {
    let (from, to) = period();
    let mut totals = hub_totals(hub, token, "44", from, to).await;
    totals.retain(|(m, _, _), _| m == mmg);
    totals
}

/// The sum of the desktops' figures, as the hub must have them for `mmg`.
fn expected(mmg: &str, desktops: &[&Desktop]) -> Totals {
    let (from, to) = period();
    let totals: Vec<_> = desktops.iter().map(|d| d.totals(from, to)).collect();
    sum_totals(mmg, &totals.iter().collect::<Vec<_>>())
}

/// Consultations per month of `mmg` in the hub's monthly rows (the dashboard's source).
async fn hub_monthly(hub: &Hub, token: &str, mmg: &str) -> BTreeMap<String, u64> {
    let (from, to) = period();
    let answer: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/stats/monthly?departement=44&from={}&to={}",
            hub.url(),
            from.format("%Y-%m"),
            to.format("%Y-%m")
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut months = BTreeMap::new();
    for entry in answer["mmgs"].as_array().unwrap() {
        if entry["mmg_id"] != mmg {
            continue;
        }
        for month in entry["months"].as_array().unwrap() {
            months.insert(
                month["month"].as_str().unwrap().to_owned(),
                month["counts"]["consultations"].as_u64().unwrap(),
            );
        }
    }
    months
}

/// Consultations per month in `totals`.
fn monthly(totals: &Totals) -> BTreeMap<String, u64> {
    let mut months = BTreeMap::new();
    for ((_, date, _), counts) in totals {
        *months.entry(date.format("%Y-%m").to_string()).or_default() +=
            u64::from(counts.consultations);
    }
    months.retain(|_, n| *n > 0);
    months
}

/// The hub's daily and monthly figures of `mmg` equal the sum of `desktops`.
async fn assert_hub_equals(hub: &Hub, token: &str, mmg: &str, desktops: &[&Desktop], what: &str) {
    let expected = expected(mmg, desktops);
    assert!(!expected.is_empty(), "{what}: the desktops have activity");
    let actual = hub_mmg(hub, token, mmg).await;
    let consultations = |t: &Totals| t.values().map(|c| c.consultations).sum::<u32>();
    assert_eq!(
        consultations(&actual),
        consultations(&expected),
        "{what}: consultations of the MMG on the hub and on its PCs"
    );
    assert!(
        actual == expected,
        "{what}: the hub's figures per day and slot are the PCs' exactly"
    );
    let mut hub_months = hub_monthly(hub, token, mmg).await;
    hub_months.retain(|_, n| *n > 0);
    assert_eq!(
        hub_months,
        monthly(&expected),
        "{what}: the monthly rows follow the daily ones"
    );
}

/// The status of a request with a device token.
async fn status_with_token(hub: &Hub, token: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{}/api/v1/reference?since=0", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn device_id(desktop: &Desktop) -> String {
    desktop
        .api
        .synchro_inscription()
        .unwrap()
        .unwrap()
        .device_id
}

async fn sync_ok(desktop: &Desktop, what: &str) {
    let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
    assert!(rapport.reussi, "{what}: {:?}", rapport.erreur);
    assert_eq!(rapport.statut.jours_en_attente, 0, "{what}: nothing waits");
}

fn times(days_ago: &[i64]) -> Vec<NaiveDateTime> {
    days_ago
        .iter()
        .map(|d| at(NOW) - chrono::Duration::days(*d) - chrono::Duration::hours(d % 9))
        .collect()
}

/// The devices of `mmg` in `admin list --json`: id -> (last contact known, revoked reason).
fn listed_devices(hub: &Hub, mmg: &str) -> BTreeMap<String, (bool, Option<String>)> {
    let listing = hub.admin(&["list", "--json"]);
    let mut devices = BTreeMap::new();
    for adops in listing.as_array().unwrap() {
        for m in adops["mmgs"].as_array().unwrap() {
            if m["id"] != mmg {
                continue;
            }
            for d in m["device_list"].as_array().unwrap() {
                devices.insert(
                    d["id"].as_str().unwrap().to_owned(),
                    (
                        !d["last_seen_at"].is_null(),
                        d["revoked_reason"].as_str().map(str::to_owned),
                    ),
                );
            }
        }
    }
    devices
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reenrolling_the_same_store_replaces_its_device_and_two_pcs_are_still_summed() {
    let database = fresh_database("sync_reenroll").await;
    let hub = Hub::start(&database);
    let token = admin_token(&hub).await;
    let mmg = create_mmg(&hub, "44", "MMG Réinscription");
    let mut rng = StdRng::seed_from_u64(41);
    let mut a = Desktop::new(at(NOW), 1);
    let mut b = Desktop::new(at(NOW), 2);
    a.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    b.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    a.add_consultations(&times(&[1, 2, 2, 5, 9, 33, 40]), &mut rng);
    b.add_consultations(&times(&[2, 3, 9, 35]), &mut rng);
    sync_ok(&a, "PC A").await;
    sync_ok(&b, "PC B").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "two PCs of one MMG").await;

    // An operator gives the same PC a new code (the token still works): the new device
    // replaces the old one instead of counting its days a second time.
    let (first_device, first_token) = (device_id(&a), a.token().unwrap());
    a.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    assert_ne!(device_id(&a), first_device, "a new device for the new code");
    assert_eq!(
        a.api.sync_statut().unwrap().jours_en_attente,
        a.totals(period().0, period().1)
            .keys()
            .map(|(d, _)| *d)
            .collect::<std::collections::BTreeSet<_>>()
            .len() as u32,
        "after an enrollment every day of the store waits to be sent again"
    );
    assert_eq!(
        status_with_token(&hub, &first_token).await,
        401,
        "the replaced device's token is refused at once"
    );
    sync_ok(&a, "PC A after a new code").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "after a new code").await;

    // The token is lost (reinstall): the sync says so in French, and a new enrollment of the
    // same store replaces the device again.
    let second_token = a.token().unwrap();
    match appligarde_sync::CoffreJeton::pour(&a.config) {
        appligarde_sync::CoffreJeton::Fichier(path) => std::fs::remove_file(path).unwrap(),
        other => panic!("tests keep the token in a file, not {other:?}"),
    }
    let rapport = a.sync.synchroniser_async(&a.api).await;
    assert!(!rapport.reussi);
    let message = rapport.erreur.unwrap();
    assert!(
        message.contains("jeton") && message.contains("inscrivez"),
        "a French error that says what to do: {message}"
    );
    a.add_consultations(&times(&[0, 2]), &mut rng);
    a.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    assert_eq!(status_with_token(&hub, &second_token).await, 401);
    sync_ok(&a, "PC A after a lost token").await;
    sync_ok(&b, "PC B").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "after a lost token").await;

    // The operator's list: every PC with its last contact; the replaced ones say why.
    let devices = listed_devices(&hub, &mmg);
    let third = device_id(&a);
    let b_device = device_id(&b);
    assert_eq!(devices.len(), 4, "three enrollments of A and one of B");
    assert_eq!(devices[&first_device].1.as_deref(), Some("reenrolled"));
    assert_eq!(devices[&third], (true, None), "active, and seen by the hub");
    assert_eq!(devices[&b_device], (true, None));

    // The operator retires B: its token stops working, what it sent stays counted.
    let retired = hub.admin(&["retire-device", "--device", &b_device, "--json"]);
    assert_eq!(retired["changed"], true);
    assert_eq!(retired["mmg_id"], mmg.as_str());
    let again = hub.admin(&["retire-device", "--device", &b_device, "--json"]);
    assert_eq!(again["changed"], false, "retiring twice changes nothing");
    b.add_consultations(&times(&[1]), &mut rng);
    let rapport = b.sync.synchroniser_async(&b.api).await;
    assert!(!rapport.reussi, "a retired PC cannot send");
    assert!(
        rapport.statut.jours_en_attente > 0,
        "its new day waits, nothing is lost"
    );
    assert_eq!(
        listed_devices(&hub, &mmg)[&b_device].1.as_deref(),
        Some("retired")
    );
    // B enrolled again with a new code: it replaces its retired device and sends everything.
    b.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    sync_ok(&b, "PC B enrolled again").await;
    sync_ok(&a, "PC A").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "after B's retirement").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reenrolling_after_restoring_an_older_backup_gives_the_hub_the_restored_figures() {
    let database = fresh_database("sync_restore").await;
    let hub = Hub::start(&database);
    let token = admin_token(&hub).await;
    let mmg = create_mmg(&hub, "44", "MMG Restauration");
    let mut rng = StdRng::seed_from_u64(43);
    let mut a = Desktop::new(at(NOW), 1);
    let mut b = Desktop::new(at(NOW), 2);
    a.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    b.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    a.add_consultations(&times(&[3, 4, 10, 20]), &mut rng);
    b.add_consultations(&times(&[3, 12]), &mut rng);
    sync_ok(&a, "PC A").await;
    sync_ok(&b, "PC B").await;

    // The backup, then more activity on the same days (higher revisions) and on new ones,
    // sent to the hub.
    let backups = tempfile::tempdir().unwrap();
    let backup = a.backup(backups.path(), "20260331-120000");
    let day = times(&[3])[0];
    let garde_day = |t: NaiveDateTime| {
        let date = if chrono::Timelike::hour(&t) < 8 {
            t.date() - chrono::Duration::days(1)
        } else {
            t.date()
        };
        date.format("%Y-%m-%d").to_string()
    };
    for _ in 0..3 {
        a.add_consultations(&[day, day], &mut rng);
    }
    a.add_consultations(&times(&[1, 2]), &mut rng);
    sync_ok(&a, "PC A before the restore").await;
    let revision = |d: &Desktop| {
        d.write(|tx| {
            Ok(tx.query_row(
                "SELECT revision FROM statistique_jour WHERE date_garde = ?1",
                [garde_day(day)],
                |r| r.get::<_, i64>(0),
            )?)
        })
    };
    let hub_revision = revision(&a);
    let old_device = device_id(&a);
    let old_token = a.token().unwrap();

    // The PC's disk is restored from the older backup, then the MMG records a consultation on
    // that same day: the store's revision of the day stays below what the hub had.
    let mut a = a.restored(&backup, at(NOW), test_options(11));
    assert_eq!(
        device_id(&a),
        old_device,
        "the backup carries the enrollment"
    );
    a.add_consultations(&[day], &mut rng);
    assert!(
        revision(&a) <= hub_revision,
        "the restored day's revision ({}) is not above the hub's ({hub_revision}): an ordinary \
         upload would be ignored",
        revision(&a)
    );
    assert_ne!(
        hub_mmg(&hub, &token, &mmg).await,
        expected(&mmg, &[&a, &b]),
        "before re-enrolling, the hub still has what the restore took away"
    );

    // A new code from the operator: the new device replaces the old one and its rows, and the
    // hub's figures are the restored store's (plus the other PC's) exactly.
    a.enroll(&hub.url(), &enroll_code(&hub, &mmg)).await;
    assert_eq!(status_with_token(&hub, &old_token).await, 401);
    sync_ok(&a, "PC A re-enrolled after the restore").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "after the restore").await;

    // Ordinary duplicates are still ignored: the same revisions sent again change nothing.
    let before = hub_mmg(&hub, &token, &mmg).await;
    a.write(|tx| {
        tx.execute("DELETE FROM sync_envoi", [])?;
        Ok(())
    });
    let rapport = a.sync.synchroniser_async(&a.api).await;
    assert!(rapport.reussi, "{:?}", rapport.erreur);
    assert!(rapport.agregats_envoyes > 0);
    assert_eq!(
        rapport.agregats_deja_recus, rapport.agregats_envoyes,
        "the hub acknowledges equal revisions and ignores them"
    );
    assert_eq!(hub_mmg(&hub, &token, &mmg).await, before);

    // Later edits converge as usual.
    a.add_consultations(&times(&[0, 3]), &mut rng);
    b.add_consultations(&times(&[3]), &mut rng);
    sync_ok(&a, "PC A").await;
    sync_ok(&b, "PC B").await;
    assert_hub_equals(&hub, &token, &mmg, &[&a, &b], "after later edits").await;
}
