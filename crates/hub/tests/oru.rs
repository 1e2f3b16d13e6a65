//! `GET /api/v1/oru/daily` and `/api/v1/oru/daily.csv` against a real PostgreSQL, in-process:
//! the indicators are the sums of the aggregates of the MMG's PCs and slots, a higher revision
//! replaces a day, a re-enrollment removes what the retired PC sent, a desktop older than the
//! indicators marks its days incomplete; who may read them; the French 400s.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`); each test makes its own
//! database.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;

use appligarde_hub::admin;
use appligarde_hub::auth::Role;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, DailyAggregate, DailyCounts, EnrollAnswer, PdsaSlot,
    SyndromicAgeCounts,
};
use chrono::NaiveDate;
use common::{Answer, get, migrated_database, post_json, session, start_hub};
use hyper::StatusCode;
use serde_json::{Value, json};

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, day).unwrap()
}

/// An aggregate of `device` for `day` and `slot`: `consultations`, of which `cells` (by age
/// class) had a diagnosis, `ira` of them an acute respiratory infection.
fn aggregate(
    device: &EnrollAnswer,
    day: u32,
    slot: PdsaSlot,
    revision: u64,
    cells: [u32; 5],
    ira: [u32; 5],
) -> DailyAggregate {
    let mut counts = DailyCounts {
        consultations: cells.iter().sum::<u32>() + 1,
        with_diagnosis: SyndromicAgeCounts::from_cells(cells),
        ..DailyCounts::default()
    };
    if ira.iter().any(|n| *n > 0) {
        counts
            .by_syndrome
            .insert("ira".into(), SyndromicAgeCounts::from_cells(ira));
    }
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date: date(day),
        slot,
        revision,
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

const PERIOD: &str = "departement=44&from=2026-01-01&to=2026-01-31";

async fn oru(address: SocketAddr, token: &str) -> Value {
    let answer = get(address, &format!("/api/v1/oru/daily?{PERIOD}"), Some(token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

/// The row of `mmg` on `day`.
fn row<'a>(answer: &'a Value, mmg: &str, day: &str) -> &'a Value {
    answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["mmg_id"] == mmg && r["day"] == day)
        .unwrap_or_else(|| panic!("no row for {mmg} on {day}: {answer}"))
}

fn ages(cells: [u32; 5]) -> Value {
    json!({"0-1": cells[0], "2-14": cells[1], "15-74": cells[2], "75+": cells[3], "inconnu": cells[4]})
}

#[tokio::test]
async fn the_indicators_sum_the_pcs_and_slots_follow_revisions_and_reenrollments() {
    let (url, mut db) = migrated_database().await;
    let nantes = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let nazaire = admin::create_mmg(&mut db, "44", "MMG Saint-Nazaire")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let pc1 = common::enroll(address, &db, &nantes).await;
    let pc2 = common::enroll(address, &db, &nantes).await;
    let pc3 = common::enroll(address, &db, &nazaire).await;
    let token = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;

    upload(
        address,
        &pc1,
        vec![
            aggregate(&pc1, 3, PdsaSlot::Nuit, 1, [1, 2, 3, 0, 0], [1, 0, 1, 0, 0]),
            aggregate(
                &pc1,
                3,
                PdsaSlot::MilieuDeNuit,
                1,
                [0, 0, 1, 1, 0],
                [0, 0, 0, 1, 0],
            ),
        ],
    )
    .await;
    upload(
        address,
        &pc2,
        vec![aggregate(
            &pc2,
            3,
            PdsaSlot::Nuit,
            1,
            [2, 0, 0, 0, 1],
            [2, 0, 0, 0, 0],
        )],
    )
    .await;
    upload(
        address,
        &pc3,
        vec![aggregate(
            &pc3,
            3,
            PdsaSlot::Nuit,
            1,
            [0, 1, 0, 0, 0],
            [0; 5],
        )],
    )
    .await;

    let answer = oru(address, &token).await;
    let n3 = row(&answer, &nantes.id, "2026-01-03");
    // Nantes: PC 1's two slots and PC 2's one, summed.
    assert_eq!(n3["with_diagnosis"], ages([3, 2, 4, 1, 1]));
    assert_eq!(n3["syndromes"]["ira"], ages([3, 0, 1, 1, 0]));
    assert_eq!(n3["consultations"], 14);
    assert_eq!(n3["complete"], true);
    let s3 = row(&answer, &nazaire.id, "2026-01-03");
    assert_eq!(s3["with_diagnosis"], ages([0, 1, 0, 0, 0]));
    assert_eq!(s3["syndromes"], json!({}), "a syndrome at zero is left out");
    let day = &answer["days"][0];
    assert_eq!(day["day"], "2026-01-03");
    assert_eq!(day["mmgs"], 2);
    assert_eq!(day["with_diagnosis"], ages([3, 3, 4, 1, 1]));
    assert_eq!(day["syndromes"]["ira"], ages([3, 0, 1, 1, 0]));
    let codes: Vec<&str> = answer["syndromes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"ira") && codes.contains(&"gastro_enterite"));
    assert_eq!(
        answer["age_classes"][0],
        json!({"key": "0-1", "label": "moins de 2 ans"})
    );

    // A late edit on PC 1: revision 2 replaces its night slot; revision 1 again is ignored.
    upload(
        address,
        &pc1,
        vec![aggregate(
            &pc1,
            3,
            PdsaSlot::Nuit,
            2,
            [0, 0, 0, 0, 0],
            [0; 5],
        )],
    )
    .await;
    upload(
        address,
        &pc1,
        vec![aggregate(
            &pc1,
            3,
            PdsaSlot::Nuit,
            1,
            [9, 9, 9, 9, 9],
            [9; 5],
        )],
    )
    .await;
    let answer = oru(address, &token).await;
    let n3 = row(&answer, &nantes.id, "2026-01-03");
    assert_eq!(n3["with_diagnosis"], ages([2, 0, 1, 1, 1]));
    assert_eq!(n3["syndromes"]["ira"], ages([2, 0, 0, 1, 0]));

    // PC 2's store enrolled again (a restored PC): what PC 2 sent is gone from the indicators.
    let code = admin::create_enrollment_code(&db, &nantes.id, 7)
        .await
        .unwrap();
    let answer = post_json(
        address,
        "/api/v1/enroll",
        None,
        &json!({"code": code.code, "replaces_device_id": pc2.device_id}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let answer = oru(address, &token).await;
    let n3 = row(&answer, &nantes.id, "2026-01-03");
    assert_eq!(n3["with_diagnosis"], ages([0, 0, 1, 1, 0]));
    assert_eq!(n3["syndromes"]["ira"], ages([0, 0, 0, 1, 0]));

    // A desktop older than the indicators (schema 1): its day is counted but marked incomplete.
    let mut old = aggregate(&pc3, 4, PdsaSlot::Nuit, 1, [0; 5], [0; 5]);
    old.schema = 1;
    upload(address, &pc3, vec![old]).await;
    let answer = oru(address, &token).await;
    let s4 = row(&answer, &nazaire.id, "2026-01-04");
    assert_eq!(s4["complete"], false);
    assert_eq!(s4["consultations"], 1);
    assert_eq!(row(&answer, &nazaire.id, "2026-01-03")["complete"], true);

    // A newer desktop that sent the 5th to an older hub: that hub stored only the counts it knew
    // (schema 2, no indicators). When another PC's upload rebuilds the day, it is incomplete.
    db.execute(
        "INSERT INTO daily_aggregate (mmg_id, device_id, day, slot, revision, schema, counts) \
         VALUES ($1::text::uuid, $2::text::uuid, '2026-01-05', 'nuit', 1, 2, \
                 '{\"consultations\": 3}'::jsonb)",
        &[&nantes.id, &pc1.device_id],
    )
    .await
    .unwrap();
    upload(
        address,
        &pc3,
        vec![aggregate(&pc3, 5, PdsaSlot::Nuit, 1, [0; 5], [0; 5])],
    )
    .await;
    let nantes_pc4 = common::enroll(address, &db, &nantes).await;
    upload(
        address,
        &nantes_pc4,
        vec![aggregate(
            &nantes_pc4,
            5,
            PdsaSlot::Nuit,
            1,
            [1, 0, 0, 0, 0],
            [0; 5],
        )],
    )
    .await;
    let answer = oru(address, &token).await;
    let n5 = row(&answer, &nantes.id, "2026-01-05");
    assert_eq!(n5["complete"], false, "{n5}");
    assert_eq!(
        n5["consultations"], 5,
        "3 from the older hub's row, 2 from the new PC"
    );
    assert_eq!(row(&answer, &nazaire.id, "2026-01-05")["complete"], true);

    // The CSV: BOM, `;`, CRLF, one line per indicator and row, the MMG's name as is.
    let answer = get(
        address,
        &format!("/api/v1/oru/daily.csv?{PERIOD}"),
        Some(&token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("text/csv; charset=utf-8")
    );
    let text = answer.text();
    assert!(text.starts_with("\u{feff}departement;date;mmg_id;mmg;consultations;complet;"));
    let line = text
        .split("\r\n")
        .find(|l| l.contains(&nantes.id) && l.contains(";ira;"))
        .unwrap();
    assert_eq!(
        line,
        format!(
            "44;2026-01-03;{};MMG Nantes;4;oui;ira;Infection respiratoire aiguë;0;0;0;1;0;1",
            nantes.id
        )
    );
}

#[tokio::test]
async fn only_the_urml_and_the_departements_coordinators_read_them_and_bad_input_is_french() {
    let (url, mut db) = migrated_database().await;
    let nantes = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let pc = common::enroll(address, &db, &nantes).await;
    upload(
        address,
        &pc,
        vec![aggregate(
            &pc,
            3,
            PdsaSlot::Nuit,
            1,
            [1, 0, 0, 0, 0],
            [1, 0, 0, 0, 0],
        )],
    )
    .await;
    let urml = session(address, &mut db, "urml", Role::UrmlAdmin, &[]).await;
    let coord44 = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    let coord49 = session(address, &mut db, "coord49", Role::Coordinator, &["49"]).await;

    for path in ["/api/v1/oru/daily", "/api/v1/oru/daily.csv"] {
        let full = format!("{path}?{PERIOD}");
        // (who, token, expected status)
        let cases: [(&str, Option<&str>, StatusCode); 5] = [
            ("URML", Some(&urml), StatusCode::OK),
            ("coordinator of 44", Some(&coord44), StatusCode::OK),
            ("coordinator of 49", Some(&coord49), StatusCode::FORBIDDEN),
            (
                "an enrolled PC",
                Some(&pc.device_token),
                StatusCode::UNAUTHORIZED,
            ),
            ("nobody", None, StatusCode::UNAUTHORIZED),
        ];
        for (who, token, expected) in cases {
            let answer: Answer = get(address, &full, token).await;
            assert_eq!(
                answer.status,
                expected,
                "{path} by {who}: {}",
                answer.text()
            );
            if expected == StatusCode::FORBIDDEN {
                assert!(answer.error().message.contains("départements"), "{who}");
            }
        }

        let bad = [
            ("departement=44&from=2026-01-31&to=2026-01-01", "précède"),
            (
                "departement=44&from=2025-01-01&to=2026-01-31",
                "au plus 366 jours",
            ),
            (
                "departement=96&from=2026-01-01&to=2026-01-31",
                "departement",
            ),
            (
                "departement=Loire&from=2026-01-01&to=2026-01-31",
                "departement",
            ),
            ("from=2026-01-01&to=2026-01-31", "departement"),
            ("departement=44&from=2026-13-01&to=2026-01-31", "« from »"),
            ("departement=44&from=2026-01&to=2026-01-31", "« from »"),
            ("departement=44&from=2026-01-01&to=31/01/2026", "« to »"),
            ("departement=44&from=2026-01-01", "« to »"),
            (
                "departement=44&from=1999-12-31&to=2000-01-02",
                "entre 2000 et 2100",
            ),
        ];
        for (query, words) in bad {
            let answer = get(address, &format!("{path}?{query}"), Some(&urml)).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}?{query}");
            let message = answer.error().message;
            assert!(message.contains(words), "{query}: {message}");
        }
    }
    // A syndrome key that could carry text is refused at upload, nothing stored.
    let mut smuggled = aggregate(&pc, 5, PdsaSlot::Nuit, 1, [1, 0, 0, 0, 0], [0; 5]);
    smuggled.counts.by_syndrome.insert(
        "Grippe de M. Dupont".into(),
        SyndromicAgeCounts::from_cells([1, 0, 0, 0, 0]),
    );
    let answer = post_json(
        address,
        "/api/v1/aggregates",
        Some(&pc.device_token),
        &AggregateBatch {
            aggregates: vec![smuggled],
        },
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.error().message.contains("by_syndrome"),
        "{}",
        answer.text()
    );
    let rows = oru(address, &urml).await["rows"].as_array().unwrap().len();
    assert_eq!(rows, 1, "only the 3rd, nothing of the refused batch");

    // The longest period accepted: 366 days, both ends included.
    let answer = get(
        address,
        "/api/v1/oru/daily?departement=44&from=2025-02-01&to=2026-02-01",
        Some(&urml),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
}
