//! The derived indicators of the dashboard's answers (`indicators` of `GET /api/v1/stats/monthly`
//! and `GET /api/v1/stats/days`, per MMG and for the MMGs listed together, and the `mmgs`
//! selection) against a real PostgreSQL (`APPLIGARDE_TEST_DATABASE_URL`, set by
//! `cargo xtask test`). Each value is checked twice: against `appligarde_domain::indicateurs`
//! applied here to the summed uploads, and against a value computed by hand.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use appligarde_domain::consultation::Orientation;
use appligarde_domain::garde::ModeArrivee;
use appligarde_domain::indicateurs::{Comptes, Repartition};
use appligarde_hub::admin::{self, CreatedMmg};
use appligarde_hub::aggregates::add_counts;
use appligarde_hub::auth::Role;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, DailyAggregate, DailyCounts, EnrollAnswer, MinuteHistogram,
    PdsaSlot,
};
use chrono::NaiveDate;
use common::{enroll, get, migrated_database, post_json, session, start_hub};
use hyper::StatusCode;
use serde_json::{Value, json};

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// Counts of `modes` (arrival mode code, consultations), with waiting and length histograms
/// given as (bucket, consultations).
fn counts(modes: &[(&str, u32)], waiting: &[(usize, u32)], length: &[(usize, u32)]) -> DailyCounts {
    let mut by_mode = serde_json::Map::new();
    let mut consultations = 0;
    for (mode, n) in modes {
        by_mode.insert((*mode).to_owned(), json!(n));
        consultations += n;
    }
    let mut c = DailyCounts {
        consultations,
        by_arrival_mode: serde_json::from_value(Value::Object(by_mode)).unwrap(),
        ..DailyCounts::default()
    };
    for (bucket, n) in waiting {
        c.waiting_minutes.0[*bucket] += n;
    }
    for (bucket, n) in length {
        c.consultation_minutes.0[*bucket] += n;
    }
    c
}

fn aggregate(device: &EnrollAnswer, date: NaiveDate, counts: DailyCounts) -> DailyAggregate {
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date,
        slot: PdsaSlot::Nuit,
        revision: 1,
        schema: AGGREGATE_SCHEMA,
        counts,
    }
}

async fn upload(address: SocketAddr, device: &EnrollAnswer, aggregates: Vec<DailyAggregate>) {
    let answer = post_json(
        address,
        "/api/v1/aggregates",
        Some(&device.device_token),
        &AggregateBatch { aggregates },
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
}

async fn get_json(address: SocketAddr, path: &str, token: &str) -> Value {
    let answer = get(address, path, Some(token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text());
    answer.json()
}

/// The domain's quantiles over the buckets of `histogram`, as the API writes them.
fn domain_quantiles(histogram: &MinuteHistogram) -> Value {
    let by_bucket: BTreeMap<u32, u32> = (0u32..).zip(histogram.0).collect();
    let r = Repartition::de_histogramme(&by_bucket);
    json!({"n": r.n, "median_bucket": r.mediane, "p90_bucket": r.p90})
}

/// What `indicators` must be for the consultations of `parts`, computed here with the domain.
fn domain_indicators(parts: &[&DailyCounts]) -> Value {
    let mut sum = DailyCounts::default();
    for part in parts {
        add_counts(&mut sum, part);
    }
    let wire = serde_json::to_value(sum.by_arrival_mode).unwrap();
    let mut comptes = Comptes {
        consultations: sum.consultations,
        ..Comptes::default()
    };
    for (cell, mode) in comptes.par_mode_arrivee.iter_mut().zip(ModeArrivee::ALL) {
        *cell = wire[mode.code()].as_u64().unwrap() as u32;
    }
    let wire = serde_json::to_value(sum.by_orientation).unwrap();
    for (cell, orientation) in comptes.par_orientation.iter_mut().zip(Orientation::ALL) {
        *cell = wire[orientation.code()].as_u64().unwrap() as u32;
    }
    let regulated = comptes.regules();
    let emergency = comptes.urgences_ou_hospitalisation();
    json!({
        "consultations": sum.consultations,
        "regulated": regulated,
        "regulated_percent": (sum.consultations > 0)
            .then(|| 100.0 * f64::from(regulated) / f64::from(sum.consultations)),
        "emergency_or_hospital": emergency,
        "emergency_or_hospital_percent": (sum.consultations > 0)
            .then(|| 100.0 * f64::from(emergency) / f64::from(sum.consultations)),
        "waiting": domain_quantiles(&sum.waiting_minutes),
        "consultation_length": domain_quantiles(&sum.consultation_minutes),
    })
}

struct World {
    address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    nantes: CreatedMmg,
    clisson: CreatedMmg,
    angers: CreatedMmg,
    coord44: String,
    /// Nantes in January (two PCs, one night), Nantes in February, Clisson in January.
    nantes_jan: [DailyCounts; 2],
    nantes_feb: DailyCounts,
    clisson_jan: DailyCounts,
}

async fn world() -> World {
    let (url, mut db) = migrated_database().await;
    let nantes = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let clisson = admin::create_mmg(&mut db, "44", "MMG Clisson")
        .await
        .unwrap();
    let angers = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let (address, stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let (nantes_a, nantes_b) = (
        enroll(address, &db, &nantes).await,
        enroll(address, &db, &nantes).await,
    );
    let clisson_pc = enroll(address, &db, &clisson).await;
    let angers_pc = enroll(address, &db, &angers).await;
    let mut nantes_jan = [
        counts(
            &[("regule_centre15", 1), ("spontane", 3)],
            &[(0, 2), (1, 1), (4, 1)],
            &[],
        ),
        counts(&[("adresse_medecin", 2)], &[(1, 2)], &[]),
    ];
    let mut nantes_feb = counts(
        &[("regule_sas", 1), ("regule_116117", 1)],
        &[(11, 2)],
        &[(2, 2)],
    );
    let mut clisson_jan = counts(&[("regule_centre15", 4)], &[(3, 4)], &[(5, 4)]);
    // Orientations: urgences, SAMU/SMUR and hospitalisation count as « urgences ou
    // hospitalisation »; the médecin traitant and home do not.
    nantes_jan[0].by_orientation.urgences = 1;
    nantes_jan[0].by_orientation.samu_smur = 1;
    nantes_jan[0].by_orientation.retour_domicile = 2;
    nantes_jan[1].by_orientation.retour_domicile = 2;
    nantes_feb.by_orientation.hospitalisation = 1;
    nantes_feb.by_orientation.retour_domicile = 1;
    clisson_jan.by_orientation.medecin_traitant = 4;
    upload(
        address,
        &nantes_a,
        vec![
            aggregate(&nantes_a, day(1, 5), nantes_jan[0].clone()),
            aggregate(&nantes_a, day(2, 7), nantes_feb.clone()),
        ],
    )
    .await;
    upload(
        address,
        &nantes_b,
        vec![aggregate(&nantes_b, day(1, 5), nantes_jan[1].clone())],
    )
    .await;
    upload(
        address,
        &clisson_pc,
        vec![aggregate(&clisson_pc, day(1, 6), clisson_jan.clone())],
    )
    .await;
    let angers_counts = counts(&[("regule_centre15", 9)], &[(0, 9)], &[]);
    upload(
        address,
        &angers_pc,
        vec![aggregate(&angers_pc, day(1, 5), angers_counts)],
    )
    .await;
    let coord44 = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    World {
        address,
        _stop: stop,
        nantes,
        clisson,
        angers,
        coord44,
        nantes_jan,
        nantes_feb,
        clisson_jan,
    }
}

/// The MMG of `answer["mmgs"]` named `name`.
fn mmg<'a>(answer: &'a Value, name: &str) -> &'a Value {
    answer["mmgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mmg_name"] == name)
        .unwrap_or_else(|| panic!("{name} is not listed: {answer}"))
}

#[tokio::test]
async fn the_monthly_answer_carries_the_domain_indicators_per_mmg_and_for_all() {
    let w = world().await;
    let path = "/api/v1/stats/monthly?departement=44&from=2026-01&to=2026-02";
    let answer = get_json(w.address, path, &w.coord44).await;
    let (nantes, clisson) = (mmg(&answer, "MMG Nantes"), mmg(&answer, "MMG Clisson"));
    let [jan_a, jan_b] = &w.nantes_jan;

    // The domain's functions on the summed uploads.
    assert_eq!(
        nantes["indicators"],
        domain_indicators(&[jan_a, jan_b, &w.nantes_feb])
    );
    assert_eq!(clisson["indicators"], domain_indicators(&[&w.clisson_jan]));
    assert_eq!(
        answer["indicators"],
        domain_indicators(&[jan_a, jan_b, &w.nantes_feb, &w.clisson_jan]),
        "the MMGs of 44 together, never Angers (49)"
    );

    // By hand. Nantes: 8 consultations, regulated 1 (Centre 15) + 1 (SAS) + 1 (116 117).
    // Waits by bucket 0:2 1:3 4:1 11:2, ranks 4 and 8 of 8; lengths 2:2.
    assert_eq!(
        nantes["indicators"],
        json!({
            "consultations": 8, "regulated": 3, "regulated_percent": 37.5,
            "emergency_or_hospital": 3, "emergency_or_hospital_percent": 37.5,
            "waiting": {"n": 8, "median_bucket": 1, "p90_bucket": 11},
            "consultation_length": {"n": 2, "median_bucket": 2, "p90_bucket": 2},
        })
    );
    // Both: 12 consultations, 7 regulated; waits 0:2 1:3 3:4 4:1 11:2, ranks 6 and 11 of 12;
    // lengths 2:2 5:4, ranks 3 and 6 of 6.
    assert_eq!(answer["indicators"]["regulated"], 7);
    assert_eq!(
        answer["indicators"]["emergency_or_hospital"], 3,
        "Clisson's 4 go to the médecin traitant"
    );
    assert_eq!(
        answer["indicators"]["regulated_percent"],
        json!(100.0 * 7.0 / 12.0)
    );
    assert_eq!(
        answer["indicators"]["waiting"],
        json!({"n": 12, "median_bucket": 3, "p90_bucket": 11})
    );
    assert_eq!(
        answer["indicators"]["consultation_length"],
        json!({"n": 6, "median_bucket": 5, "p90_bucket": 5})
    );
    // The fields the desktops and older dashboards read are still there.
    assert_eq!(nantes["months"].as_array().unwrap().len(), 2);
    assert_eq!(nantes["months"][0]["counts"]["consultations"], 6);

    // A selection: only Clisson listed, and the indicators are its own.
    let only = get_json(
        w.address,
        &format!("{path}&mmgs={}", w.clisson.id.to_uppercase()),
        &w.coord44,
    )
    .await;
    assert_eq!(only["mmgs"].as_array().unwrap().len(), 1);
    assert_eq!(only["indicators"], clisson["indicators"]);
    assert_eq!(only["indicators"]["regulated_percent"], json!(100.0));
    let both = get_json(
        w.address,
        &format!("{path}&mmgs={},{}", w.nantes.id, w.clisson.id),
        &w.coord44,
    )
    .await;
    assert_eq!(both["indicators"], answer["indicators"]);
    // Another département's MMG is not listed: nothing, no share, no quantile.
    let other = get_json(
        w.address,
        &format!("{path}&mmgs={}", w.angers.id),
        &w.coord44,
    )
    .await;
    assert_eq!(other["mmgs"], json!([]));
    assert_eq!(other["indicators"]["consultations"], 0);
    assert_eq!(other["indicators"]["regulated_percent"], Value::Null);
    assert_eq!(other["indicators"]["waiting"]["median_bucket"], Value::Null);
    // A malformed selection is refused in French.
    let bad = get(w.address, &format!("{path}&mmgs=nantes"), Some(&w.coord44)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.error().message.contains("mmgs"), "{}", bad.text());
}

#[tokio::test]
async fn the_day_view_carries_the_domain_indicators_per_mmg_and_for_all() {
    let w = world().await;
    let path = "/api/v1/stats/days?departement=44&from=2026-01-01&to=2026-01-31";
    let answer = get_json(w.address, path, &w.coord44).await;
    let nantes = mmg(&answer, "MMG Nantes");
    let [jan_a, jan_b] = &w.nantes_jan;
    assert_eq!(nantes["indicators"], domain_indicators(&[jan_a, jan_b]));
    assert_eq!(
        answer["indicators"],
        domain_indicators(&[jan_a, jan_b, &w.clisson_jan])
    );
    // By hand: January in Nantes is 6 consultations, 1 regulated; waits 0:2 1:3 4:1, ranks 3
    // and 6 of 6; no length.
    assert_eq!(
        nantes["indicators"],
        json!({
            "consultations": 6, "regulated": 1, "regulated_percent": 100.0 / 6.0,
            "emergency_or_hospital": 2, "emergency_or_hospital_percent": 100.0 * 2.0 / 6.0,
            "waiting": {"n": 6, "median_bucket": 1, "p90_bucket": 4},
            "consultation_length": {"n": 0, "median_bucket": null, "p90_bucket": null},
        })
    );
    assert_eq!(nantes["total"]["counts"]["consultations"], 6);

    let only = get_json(
        w.address,
        &format!("{path}&mmgs={}", w.nantes.id),
        &w.coord44,
    )
    .await;
    assert_eq!(only["mmgs"].as_array().unwrap().len(), 1);
    assert_eq!(only["indicators"], nantes["indicators"]);
}
