//! The dashboard's finer figures against a real PostgreSQL (`APPLIGARDE_TEST_DATABASE_URL`, set
//! by `cargo xtask test`): the day view (`GET /api/v1/stats/days`), the heat map and shifts of
//! the monthly pre-aggregate (`GET /api/v1/stats/monthly`), the activity per doctor
//! (`GET /api/v1/stats/doctors`) and the commune names (`GET /api/v1/communes`). Every expected
//! value below is computed by hand from the few aggregates uploaded.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use appligarde_hub::admin::{self, CreatedMmg};
use appligarde_hub::auth::Role;
use appligarde_hub::reference;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, DailyAggregate, DailyCounts, EnrollAnswer, PdsaSlot,
};
use chrono::NaiveDate;
use common::{enroll, get, migrated_database, post_json, session, start_hub};
use hyper::StatusCode;
use serde_json::{Value, json};
use tokio_postgres::Client;

const RPPS_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rpps/PS_LibreAcces_Personne_activite_sample.txt"
);

fn day(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// One aggregate: `hours` are (hour of arrival, consultations), `doctors` (key, consultations);
/// every consultation lives in `commune`.
fn aggregate(
    device: &EnrollAnswer,
    date: NaiveDate,
    slot: PdsaSlot,
    hours: &[(usize, u32)],
    doctors: &[(&str, u32)],
    commune: &str,
) -> DailyAggregate {
    let mut counts = DailyCounts::default();
    for (hour, n) in hours {
        counts.by_arrival_hour[*hour] += n;
        counts.consultations += n;
    }
    for (key, n) in doctors {
        counts.by_doctor.insert((*key).to_owned(), *n);
    }
    counts
        .by_commune
        .insert(commune.to_owned(), counts.consultations);
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date,
        slot,
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

/// A 7 x 24 heat map with the given (weekday, hour, consultations) cells.
fn heat(cells: &[(usize, usize, u32)]) -> Value {
    let mut grid = [[0u32; 24]; 7];
    for (weekday, hour, n) in cells {
        grid[*weekday][*hour] += n;
    }
    json!(grid)
}

struct World {
    address: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    db: Client,
    nantes: CreatedMmg,
    clisson: CreatedMmg,
    angers: CreatedMmg,
    admin: String,
    coord44: String,
    coord49: String,
}

/// Two MMGs in 44 (Nantes with two PCs, Clisson) and one in 49. 2026-01-05 is a Monday,
/// 2026-01-10 a Saturday, 2026-02-01 a Sunday.
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
    let nantes_a = enroll(address, &db, &nantes).await;
    let nantes_b = enroll(address, &db, &nantes).await;
    let clisson_pc = enroll(address, &db, &clisson).await;
    let angers_pc = enroll(address, &db, &angers).await;
    use PdsaSlot::*;
    upload(
        address,
        &nantes_a,
        vec![
            aggregate(
                &nantes_a,
                day(1, 5),
                Nuit,
                &[(20, 2), (21, 1)],
                &[("medecin-1", 2), ("medecin-3", 1)],
                "44109",
            ),
            aggregate(
                &nantes_a,
                day(1, 10),
                SamediApresMidi,
                &[(14, 4)],
                &[("medecin-2", 4)],
                "44109",
            ),
            aggregate(
                &nantes_a,
                day(1, 10),
                Nuit,
                &[(22, 1)],
                &[("medecin-1", 1)],
                "44109",
            ),
            aggregate(
                &nantes_a,
                day(2, 1),
                DimancheFerie,
                &[(10, 5)],
                &[("medecin-10", 5)],
                "44109",
            ),
        ],
    )
    .await;
    // The second PC of Nantes, in the same shift as the first on the 5th.
    upload(
        address,
        &nantes_b,
        vec![aggregate(
            &nantes_b,
            day(1, 5),
            Nuit,
            &[(20, 1), (23, 1)],
            &[("medecin-3", 2)],
            "44143",
        )],
    )
    .await;
    upload(
        address,
        &clisson_pc,
        vec![aggregate(
            &clisson_pc,
            day(1, 5),
            Nuit,
            &[(21, 7)],
            &[("medecin-1", 7)],
            "44043",
        )],
    )
    .await;
    upload(
        address,
        &angers_pc,
        vec![aggregate(
            &angers_pc,
            day(1, 5),
            Nuit,
            &[(21, 9)],
            &[("medecin-1", 9)],
            "49007",
        )],
    )
    .await;
    let admin = session(address, &mut db, "admin", Role::UrmlAdmin, &[]).await;
    let coord44 = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    let coord49 = session(address, &mut db, "coord49", Role::Coordinator, &["49"]).await;
    World {
        address,
        _stop: stop,
        db,
        nantes,
        clisson,
        angers,
        admin,
        coord44,
        coord49,
    }
}

#[tokio::test]
async fn the_day_view_has_each_date_and_slot_the_heat_map_and_the_shifts() {
    let w = world().await;
    let view = get_json(
        w.address,
        "/api/v1/stats/days?departement=44&from=2026-01-01&to=2026-01-31",
        &w.coord44,
    )
    .await;
    assert_eq!(view["from"], "2026-01-01");
    let mmgs = view["mmgs"].as_array().unwrap();
    let names: Vec<&str> = mmgs
        .iter()
        .map(|m| m["mmg_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["MMG Clisson", "MMG Nantes"],
        "the MMGs of 44 by name, never Angers"
    );
    let (clisson, nantes) = (&mmgs[0], &mmgs[1]);
    assert_eq!(clisson["mmg_id"], w.clisson.id.as_str());

    // Nantes: the 5th sums both PCs (3 + 2); the 10th has two slots; February is outside.
    assert_eq!(
        nantes["days"],
        json!([
            {"date": "2026-01-05", "by_slot": {"nuit": 5}},
            {"date": "2026-01-10", "by_slot": {"nuit": 1, "samedi_apres_midi": 4}},
        ])
    );
    let total = &nantes["total"];
    assert_eq!(total["days"], 2, "two dates with data");
    assert_eq!(total["counts"]["consultations"], 10, "5 + 4 + 1");
    assert_eq!(total["by_slot"], json!({"nuit": 6, "samedi_apres_midi": 4}));
    assert_eq!(
        total["by_weekday"],
        json!([5, 0, 0, 0, 0, 5, 0]),
        "Monday 5, Saturday 4 + 1"
    );
    // Monday 20h: 2 (PC A) + 1 (PC B); 21h: 1; 23h: 1 (PC B); Saturday 14h: 4, 22h: 1.
    assert_eq!(
        total["by_weekday_hour"],
        heat(&[(0, 20, 3), (0, 21, 1), (0, 23, 1), (5, 14, 4), (5, 22, 1)])
    );
    assert_eq!(
        total["shifts_by_slot"],
        json!({"nuit": 2, "samedi_apres_midi": 1}),
        "the night of the 5th counts once although two PCs sent it"
    );
    assert_eq!(
        total["counts"]["by_commune"],
        json!({"44109": 8, "44143": 2})
    );
    assert_eq!(
        total["counts"]["by_doctor"],
        json!({"medecin-1": 3, "medecin-2": 4, "medecin-3": 3})
    );
    assert_eq!(clisson["total"]["by_weekday_hour"], heat(&[(0, 21, 7)]));
    assert_eq!(clisson["total"]["shifts_by_slot"], json!({"nuit": 1}));

    // One date only: the 10th.
    let one = get_json(
        w.address,
        "/api/v1/stats/days?departement=44&from=2026-01-10&to=2026-01-10",
        &w.admin,
    )
    .await;
    assert_eq!(one["mmgs"][1]["total"]["counts"]["consultations"], 5);
    assert_eq!(
        one["mmgs"][0]["days"],
        json!([]),
        "Clisson has nothing that day, but is listed"
    );

    // A quarter at most, in French.
    let answer = get(
        w.address,
        "/api/v1/stats/days?departement=44&from=2026-01-01&to=2026-06-30",
        Some(&w.coord44),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.error().message.contains("93 jours"),
        "{}",
        answer.text()
    );
}

#[tokio::test]
async fn the_monthly_rows_carry_the_heat_map_and_the_shifts_and_are_rebuilt_when_missing() {
    let w = world().await;
    let path = "/api/v1/stats/monthly?departement=44&from=2026-01&to=2026-02";
    let monthly = get_json(w.address, path, &w.coord44).await;
    let nantes = &monthly["mmgs"][1];
    assert_eq!(nantes["mmg_name"], "MMG Nantes");
    let months = nantes["months"].as_array().unwrap();
    assert_eq!(months.len(), 2);
    assert_eq!(
        months[0]["by_weekday_hour"],
        heat(&[(0, 20, 3), (0, 21, 1), (0, 23, 1), (5, 14, 4), (5, 22, 1)])
    );
    assert_eq!(
        months[0]["shifts_by_slot"],
        json!({"nuit": 2, "samedi_apres_midi": 1})
    );
    assert_eq!(months[1]["month"], "2026-02");
    assert_eq!(
        months[1]["by_weekday_hour"],
        heat(&[(6, 10, 5)]),
        "Sunday 10h"
    );
    assert_eq!(months[1]["shifts_by_slot"], json!({"dimanche_ferie": 1}));

    // A month stored before migration 0005 has no heat map: shown as null, rebuilt at start.
    w.db.execute(
        "UPDATE monthly_aggregate SET by_weekday_hour = NULL, shifts_by_slot = NULL \
         WHERE mmg_id = $1::text::uuid AND month = '2026-01-01'",
        &[&w.nantes.id],
    )
    .await
    .unwrap();
    let before = get_json(w.address, path, &w.coord44).await;
    assert_eq!(
        before["mmgs"][1]["months"][0]["by_weekday_hour"],
        Value::Null
    );
    let rebuilt = appligarde_hub::aggregates::rebuild_missing_months(&w.db)
        .await
        .unwrap();
    assert_eq!(rebuilt, 1, "only the month without the new columns");
    let after = get_json(w.address, path, &w.coord44).await;
    assert_eq!(
        after, monthly,
        "the rebuilt month is the one the upload made"
    );
}

#[tokio::test]
async fn doctors_are_shown_per_mmg_under_their_opaque_keys_to_their_departement_only() {
    let w = world().await;
    let path =
        |mmg: &str, to: &str| format!("/api/v1/stats/doctors?mmg={mmg}&from=2026-01-01&to={to}");
    let year = get_json(w.address, &path(&w.nantes.id, "2026-12-31"), &w.coord44).await;
    assert_eq!(year["mmg_name"], "MMG Nantes");
    assert_eq!(year["departement"], "44");
    assert_eq!(year["consultations"], 15, "10 in January, 5 in February");
    assert_eq!(
        year["doctors"],
        json!([
            {"key": "medecin-1", "label": "Médecin 1", "consultations": 3, "shifts": 2,
             "by_slot": {"nuit": 3}, "by_month": {"2026-01": 3}},
            {"key": "medecin-2", "label": "Médecin 2", "consultations": 4, "shifts": 1,
             "by_slot": {"samedi_apres_midi": 4}, "by_month": {"2026-01": 4}},
            // 1 on PC A and 2 on PC B in the same night: one shift.
            {"key": "medecin-3", "label": "Médecin 3", "consultations": 3, "shifts": 1,
             "by_slot": {"nuit": 3}, "by_month": {"2026-01": 3}},
            // By number, not as text (10 after 3).
            {"key": "medecin-10", "label": "Médecin 10", "consultations": 5, "shifts": 1,
             "by_slot": {"dimanche_ferie": 5}, "by_month": {"2026-02": 5}},
        ])
    );
    let january = get_json(w.address, &path(&w.nantes.id, "2026-01-31"), &w.admin).await;
    let keys: Vec<&str> = january["doctors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["medecin-1", "medecin-2", "medecin-3"]);

    // A coordinator of 49 never sees the doctors of an MMG of 44, nor can they tell an unknown
    // MMG from a foreign one; the URML administrator is told the MMG does not exist.
    let unknown = "00000000-0000-4000-8000-000000000000";
    for (token, mmg, status) in [
        (&w.coord49, w.nantes.id.as_str(), StatusCode::FORBIDDEN),
        (&w.coord44, w.angers.id.as_str(), StatusCode::FORBIDDEN),
        (&w.coord44, unknown, StatusCode::FORBIDDEN),
        (&w.admin, unknown, StatusCode::BAD_REQUEST),
        (&w.coord44, "pas-un-identifiant", StatusCode::BAD_REQUEST),
        (&w.coord49, w.angers.id.as_str(), StatusCode::OK),
    ] {
        let answer = get(w.address, &path(mmg, "2026-12-31"), Some(token)).await;
        assert_eq!(answer.status, status, "{mmg}: {}", answer.text());
        if status != StatusCode::OK {
            let message = answer.error().message;
            assert!(
                !message.contains("Angers") && !message.contains("Nantes"),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn commune_names_come_from_the_latest_rpps_publication() {
    let mut w = world().await;
    let none = get_json(w.address, "/api/v1/communes", &w.coord44).await;
    assert_eq!(
        none,
        json!({"version": null, "communes": {}}),
        "nothing published yet"
    );

    let region: Vec<String> = ["44", "49", "53", "72", "85"].map(String::from).to_vec();
    reference::set_region(&mut w.db, &region).await.unwrap();
    let prepared =
        reference::prepare_rpps_file(std::path::Path::new(RPPS_SAMPLE), &region).unwrap();
    let published = reference::publish(&mut w.db, &prepared).await.unwrap();
    let answer = get_json(w.address, "/api/v1/communes", &w.coord49).await;
    assert_eq!(answer["version"], published.version);
    let communes = answer["communes"].as_object().unwrap();
    assert_eq!(communes["44109"], "Nantes");
    assert_eq!(communes["44190"], "Saint-Sebastien-sur-Loire");
    assert_eq!(communes["44003"], "Ancenis-Saint-Gereon");

    // Every commune code of the sample's sites, counted here with a plain split on `|`.
    let text = std::fs::read_to_string(RPPS_SAMPLE).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('|').collect();
    let column = header
        .iter()
        .position(|h| *h == "Code commune (coord. structure)")
        .unwrap();
    let codes: std::collections::BTreeSet<&str> = lines
        .filter_map(|l| l.split('|').nth(column))
        .filter(|c| !c.is_empty())
        .collect();
    let served: std::collections::BTreeSet<&str> = communes.keys().map(String::as_str).collect();
    assert_eq!(served, codes, "one name per commune code of the extract");

    // The second call is served from the cache and gives the same answer.
    assert_eq!(
        get_json(w.address, "/api/v1/communes", &w.admin).await,
        answer
    );
}
