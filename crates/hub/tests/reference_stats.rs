//! Reference publications (operators' CLI, `GET /api/v1/reference`) and the monthly
//! pre-aggregates behind the dashboard (`GET /api/v1/stats/monthly`, `GET /api/v1/me`), against
//! a real PostgreSQL (`APPLIGARDE_TEST_DATABASE_URL`, set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use appligarde_hub::admin;
use appligarde_hub::aggregates::{self, add_counts};
use appligarde_hub::auth::Role;
use appligarde_hub::reference;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, AggregateReceipt, DailyAggregate, DailyCounts, DailyStats,
    EnrollAnswer, PdsaSlot, REFERENCE_PATH, ReferenceChanges, ReferenceKind,
};
use chrono::{Datelike, NaiveDate};
use common::{
    call, connect, enroll, get, gunzip, migrated_database, post_json, session, start_hub,
};
use hyper::{Method, StatusCode};
use serde_json::Value;

const RPPS_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rpps/PS_LibreAcces_Personne_activite_sample.txt"
);
const TARIFS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/ngap/tarifs_garde.csv"
);

async fn changes(address: SocketAddr, token: &str, since: u64) -> ReferenceChanges {
    let answer = get(
        address,
        &format!("{REFERENCE_PATH}?since={since}"),
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.content_encoding, None, "not compressed unless asked");
    answer.json()
}

/// What a desktop does: ask from its version until it reaches `latest`, one at a time.
async fn pull_all(
    address: SocketAddr,
    token: &str,
    mut version: u64,
) -> Vec<(u64, ReferenceKind, String)> {
    let mut applied = Vec::new();
    loop {
        let answer = changes(address, token, version).await;
        assert!(
            answer.publications.len() <= 1,
            "at most one publication per answer"
        );
        let Some(publication) = answer.publications.into_iter().next() else {
            assert_eq!(
                version, answer.latest,
                "nothing more only once at the latest"
            );
            return applied;
        };
        assert_eq!(
            publication.version,
            version + 1,
            "versions come in order, without gap"
        );
        version = publication.version;
        applied.push((publication.version, publication.kind, publication.content));
    }
}

#[tokio::test]
async fn a_publication_reaches_every_enrolled_pc_one_version_at_a_time() {
    let (url, mut db) = migrated_database().await;
    let mmg44 = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let mmg49 = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let pc44 = enroll(address, &db, &mmg44).await;
    let pc49 = enroll(address, &db, &mmg49).await;

    // Nothing published yet.
    let empty = changes(address, &pc44.device_token, 0).await;
    assert_eq!((empty.latest, empty.publications.len()), (0, 0));

    let region = reference::set_region(&mut db, &["49".into(), "44".into()])
        .await
        .unwrap();
    assert_eq!(region, ["44", "49"]);
    let rpps = reference::prepare_rpps_file(RPPS_SAMPLE.as_ref(), &region).unwrap();
    let tarifs = reference::prepare_tarifs(std::fs::read(TARIFS).unwrap()).unwrap();
    let annuaire =
        reference::prepare_annuaire(br#"[{"nom": "Martin", "commune": "Nantes"}]"#.to_vec())
            .unwrap();
    for (expected, prepared) in [(1, &rpps), (2, &tarifs), (3, &annuaire)] {
        let published = reference::publish(&mut db, prepared).await.unwrap();
        assert_eq!(published.version, expected);
        assert_eq!(published.kind, prepared.kind);
    }

    // Both PCs, of two MMGs, receive the same three publications in order.
    let from44 = pull_all(address, &pc44.device_token, 0).await;
    let from49 = pull_all(address, &pc49.device_token, 0).await;
    assert_eq!(from44, from49);
    let kinds: Vec<ReferenceKind> = from44.iter().map(|(_, kind, _)| *kind).collect();
    assert_eq!(
        kinds,
        [
            ReferenceKind::Rpps,
            ReferenceKind::Tarifs,
            ReferenceKind::Annuaire
        ]
    );
    assert_eq!(from44[0].2, rpps.content);
    assert_eq!(from44[1].2, std::fs::read_to_string(TARIFS).unwrap());
    // A PC already at version 2 gets only the third.
    assert_eq!(pull_all(address, &pc44.device_token, 2).await.len(), 1);
    // A version beyond the hub's (a restored hub, say) gets nothing, and the latest.
    let beyond = changes(address, &pc44.device_token, 99).await;
    assert_eq!((beyond.latest, beyond.publications.len()), (3, 0));

    // The RPPS publication keeps the header and the lines of 44 and 49 only.
    let header = rpps.content.lines().next().unwrap();
    let column = header
        .split('|')
        .position(|h| h == "Code Département (structure)")
        .unwrap();
    assert!(rpps.items > 0);
    for line in rpps.content.lines().skip(1) {
        let departement = line.split('|').nth(column).unwrap();
        assert!(["44", "49"].contains(&departement), "{departement}");
    }

    // gzip when asked, the same JSON once decompressed.
    let zipped = call(
        address,
        Method::GET,
        &format!("{REFERENCE_PATH}?since=0"),
        Some(&pc44.device_token),
        &[("accept-encoding", "gzip, deflate")],
        Vec::new(),
    )
    .await;
    assert_eq!(zipped.status, StatusCode::OK);
    assert_eq!(zipped.content_encoding.as_deref(), Some("gzip"));
    assert!(zipped.body.len() * 3 < rpps.content.len(), "compressed");
    let unzipped: ReferenceChanges = serde_json::from_slice(&gunzip(&zipped.body)).unwrap();
    assert_eq!(unzipped.publications[0].content, rpps.content);
    // `gzip;q=0` refuses gzip.
    let refused = call(
        address,
        Method::GET,
        &format!("{REFERENCE_PATH}?since=0"),
        Some(&pc44.device_token),
        &[("accept-encoding", "gzip;q=0")],
        Vec::new(),
    )
    .await;
    assert_eq!(refused.content_encoding, None);

    for bad in ["-1", "abc", "1.5"] {
        let answer = get(
            address,
            &format!("{REFERENCE_PATH}?since={bad}"),
            Some(&pc44.device_token),
        )
        .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "since={bad}");
        assert!(
            answer.error().message.contains("since"),
            "{}",
            answer.text()
        );
    }
}

#[tokio::test]
async fn concurrent_publications_get_consecutive_versions() {
    let (url, _db) = migrated_database().await;
    let tarifs = reference::prepare_tarifs(std::fs::read(TARIFS).unwrap()).unwrap();
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (url, tarifs) = (url.clone(), tarifs.clone());
        tasks.push(tokio::spawn(async move {
            let mut client = connect(&url).await;
            reference::publish(&mut client, &tarifs)
                .await
                .unwrap()
                .version
        }));
    }
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap());
    }
    versions.sort_unstable();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6], "no gap, no duplicate");
}

/// A varied aggregate for `device` on `date`/`slot`, its counts drawn from `seed`.
fn aggregate(
    device: &EnrollAnswer,
    date: NaiveDate,
    slot: PdsaSlot,
    revision: u64,
    seed: u32,
) -> DailyAggregate {
    let n = 1 + seed % 13;
    let mut counts = DailyCounts {
        consultations: n,
        home_visits: seed % 3,
        returns_within_72h: seed % 2,
        ..DailyCounts::default()
    };
    counts.by_arrival_hour[(seed % 24) as usize] = n;
    counts.by_arrival_mode.regule_centre15 = n / 2;
    counts.by_arrival_mode.spontane = n - n / 2;
    counts.by_sex.female = n;
    counts.by_orientation.urgences = seed % 2;
    counts.by_cim10_chapter.insert("J00-J99".into(), n);
    counts.by_commune.insert(format!("44{:03}", seed % 7), n);
    counts.waiting_minutes.0[(seed % 12) as usize] = n;
    counts.amounts_cents.carte = u64::from(n) * 3000;
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date,
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
    let _: AggregateReceipt = answer.json();
}

/// Per MMG and month: (consultations by slot, by weekday, summed counts) from the daily rows.
type Expected = BTreeMap<(String, String), (BTreeMap<String, u32>, [u32; 7], DailyCounts)>;

fn expected_from_daily(stats: &DailyStats) -> Expected {
    let mut expected = Expected::new();
    for day in &stats.days {
        let key = (day.mmg_id.clone(), day.date.format("%Y-%m").to_string());
        let entry = expected.entry(key).or_default();
        *entry.0.entry(day.slot.code().to_owned()).or_default() += day.counts.consultations;
        entry.1[day.date.weekday().num_days_from_monday() as usize] += day.counts.consultations;
        add_counts(&mut entry.2, &day.counts);
    }
    expected
}

fn monthly_as_expected(monthly: &Value) -> Expected {
    let mut seen = Expected::new();
    for mmg in monthly["mmgs"].as_array().unwrap() {
        for month in mmg["months"].as_array().unwrap() {
            let key = (
                mmg["mmg_id"].as_str().unwrap().to_owned(),
                month["month"].as_str().unwrap().to_owned(),
            );
            let value = (
                serde_json::from_value(month["by_slot"].clone()).unwrap(),
                serde_json::from_value(month["by_weekday"].clone()).unwrap(),
                serde_json::from_value(month["counts"].clone()).unwrap(),
            );
            seen.insert(key, value);
        }
    }
    seen
}

async fn monthly(address: SocketAddr, token: &str, departement: &str) -> Value {
    let answer = get(
        address,
        &format!("/api/v1/stats/monthly?departement={departement}&from=2026-01&to=2026-12"),
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

async fn daily(address: SocketAddr, token: &str, departement: &str) -> DailyStats {
    let answer = get(
        address,
        &format!("/api/v1/stats/daily?departement={departement}&from=2026-01-01&to=2026-12-31"),
        Some(token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

#[tokio::test]
async fn monthly_figures_equal_the_sum_of_the_daily_ones_through_revisions_and_concurrent_pcs() {
    let (url, mut db) = migrated_database().await;
    let mmg_a = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let mmg_b = admin::create_mmg(&mut db, "44", "MMG Clisson")
        .await
        .unwrap();
    let mmg_49 = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let admin_token = session(address, &mut db, "admin", Role::UrmlAdmin, &[]).await;
    let pcs = [
        enroll(address, &db, &mmg_a).await,
        enroll(address, &db, &mmg_a).await,
        enroll(address, &db, &mmg_b).await,
        enroll(address, &db, &mmg_49).await,
    ];
    let start = NaiveDate::from_ymd_opt(2026, 1, 20).unwrap();
    // Every other day for 80 days from 20 January: three months, two slots a day.
    let batch = |pc: &EnrollAnswer, revision: u64, salt: u32| -> Vec<DailyAggregate> {
        dedup(
            (0..40u32)
                .flat_map(|i| {
                    let date = start + chrono::Days::new(u64::from(i) * 2);
                    let seed = salt + i * 7;
                    let other = PdsaSlot::ALL[(seed % 6) as usize];
                    [
                        aggregate(pc, date, PdsaSlot::Nuit, revision, seed),
                        aggregate(pc, date, other, revision, seed + 1),
                    ]
                })
                .collect(),
        )
    };
    // The two PCs of one MMG upload at the same moment: each upload rebuilds the same months.
    let (first, second) = tokio::join!(
        upload(address, &pcs[0], batch(&pcs[0], 1, 3)),
        upload(address, &pcs[1], batch(&pcs[1], 1, 5)),
    );
    let ((), ()) = (first, second);
    upload(address, &pcs[2], batch(&pcs[2], 1, 11)).await;
    upload(address, &pcs[3], batch(&pcs[3], 1, 17)).await;
    // Late edits: a higher revision replaces, a lower one is ignored.
    upload(address, &pcs[0], batch(&pcs[0], 2, 23)[..10].to_vec()).await;
    upload(address, &pcs[2], batch(&pcs[2], 0, 29)).await;

    for departement in ["44", "49"] {
        let expected = expected_from_daily(&daily(address, &admin_token, departement).await);
        let seen = monthly_as_expected(&monthly(address, &admin_token, departement).await);
        assert!(expected.len() >= 3, "the data spans several months");
        assert_eq!(seen, expected, "département {departement}");
    }

    // An upgraded hub rebuilds the months that had no monthly row; then nothing more.
    let before = monthly(address, &admin_token, "44").await;
    db.execute("DELETE FROM monthly_aggregate", &[])
        .await
        .unwrap();
    let rebuilt = aggregates::rebuild_missing_months(&db).await.unwrap();
    assert!(rebuilt >= 6, "{rebuilt}");
    assert_eq!(aggregates::rebuild_missing_months(&db).await.unwrap(), 0);
    assert_eq!(monthly(address, &admin_token, "44").await, before);

    // Every MMG of the département is listed, with or without data; none of another.
    let names: Vec<&str> = before["mmgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["mmg_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["MMG Clisson", "MMG Nantes"]);
}

/// One aggregate per (date, slot): the batch builder may draw the same slot twice.
fn dedup(aggregates: Vec<DailyAggregate>) -> Vec<DailyAggregate> {
    let mut seen = BTreeMap::new();
    for a in aggregates {
        seen.entry((a.date, a.slot)).or_insert(a);
    }
    seen.into_values().collect()
}

#[tokio::test]
async fn me_lists_the_callers_departements_and_mmgs_only() {
    let (url, mut db) = migrated_database().await;
    let nantes = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let angers = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let coord = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    let urml = session(address, &mut db, "urml", Role::UrmlAdmin, &[]).await;

    let me: Value = get(address, "/api/v1/me", Some(&coord)).await.json();
    assert_eq!(me["login"], "coord44");
    assert_eq!(me["role"], "coordinator");
    assert_eq!(me["departements"], serde_json::json!(["44"]));
    let ids: Vec<&str> = me["mmgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [nantes.id.as_str()]);
    assert!(!me.to_string().contains(&angers.id), "never an MMG of 49");

    let me: Value = get(address, "/api/v1/me", Some(&urml)).await.json();
    assert_eq!(me["role"], "urml-admin");
    assert_eq!(me["departements"], serde_json::json!(["44", "49"]));
    assert_eq!(me["mmgs"].as_array().unwrap().len(), 2);

    // The dashboard page itself is served with a strict Content-Security-Policy.
    let page = get(address, "/dashboard/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.content_type
            .as_deref()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().contains("Tableau de bord"));
    let script = get(address, "/dashboard/app.js", None).await;
    assert!(script.text().contains("/api/v1/stats/monthly"));
}

fn hub_admin(url: &str, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_appligarde-hub"))
        .arg("admin")
        .args(args)
        .args(["--database-url", url])
        .env_remove("APPLIGARDE_HUB_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_publish_cli_needs_a_region_and_numbers_each_publication() {
    let (url, _db) = migrated_database().await;
    let dir = tempfile::tempdir().unwrap();
    let annuaire = dir.path().join("annuaire.json");
    std::fs::write(&annuaire, r#"[{"nom": "Martin", "prenom": "Jeanne"}]"#).unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{pas du json").unwrap();

    let refused = hub_admin(&url, &["publish", "rpps", RPPS_SAMPLE], "");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("set-region"),
        "the operator is told what to do: {stderr}"
    );

    let set = hub_admin(
        &url,
        &["set-region", "--departements", "44,49,53,72,85"],
        "",
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let cases: [(&str, &str, u64); 3] = [
        ("rpps", RPPS_SAMPLE, 1),
        ("tarifs", TARIFS, 2),
        ("annuaire", annuaire.to_str().unwrap(), 3),
    ];
    for (kind, file, version) in cases {
        let out = hub_admin(&url, &["publish", kind, file, "--json"], "");
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let published: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(published["version"], version, "{kind}");
        assert_eq!(published["kind"], kind);
    }
    // A broken file is refused in French and publishes nothing.
    let out = hub_admin(&url, &["publish", "annuaire", broken.to_str().unwrap()], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("JSON valide"));
    let db = connect(&url).await;
    let count: i64 = db
        .query_one("SELECT count(*) FROM reference_publication", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 3);

    // `admin list`: the ADOPS of each département and its MMGs.
    for (departement, name) in [
        ("49", "MMG Angers"),
        ("44", "MMG Nantes"),
        ("44", "MMG Ancenis"),
    ] {
        let out = hub_admin(
            &url,
            &["create-mmg", "--departement", departement, "--name", name],
            "",
        );
        assert!(out.status.success());
    }
    let out = hub_admin(&url, &["list", "--json"], "");
    assert!(out.status.success());
    let listing: Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary: Vec<(String, Vec<String>)> = listing
        .as_array()
        .unwrap()
        .iter()
        .map(|adops| {
            (
                adops["departement"].as_str().unwrap().to_owned(),
                adops["mmgs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["name"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "44".to_owned(),
                vec!["MMG Ancenis".to_owned(), "MMG Nantes".to_owned()]
            ),
            ("49".to_owned(), vec!["MMG Angers".to_owned()]),
        ]
    );
}

#[tokio::test]
async fn both_write_strategies_give_the_same_outcomes_even_with_a_repeated_day() {
    use appligarde_hub::aggregates::WriteStrategy;
    use appligarde_hub::auth::Device;
    use appligarde_protocol::AggregateStatus::{Accepted, Ignored};
    let (_url, mut db) = migrated_database().await;
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let mut statuses = Vec::new();
    for strategy in [WriteStrategy::Batched, WriteStrategy::RowByRow] {
        let mmg = admin::create_mmg(&mut db, "44", "MMG").await.unwrap();
        let id: String = db
            .query_one(
                "INSERT INTO device (mmg_id, token_hash) VALUES ($1::text::uuid, $2) RETURNING id::text",
                &[&mmg.id, &rand::random::<[u8; 32]>().to_vec()],
            )
            .await
            .unwrap()
            .get(0);
        let device = Device {
            id: id.clone(),
            mmg_id: mmg.id.clone(),
        };
        let pc = EnrollAnswer {
            device_id: id,
            device_token: String::new(),
            mmg_id: mmg.id.clone(),
            mmg_name: mmg.name.clone(),
            departement: "44".into(),
        };
        // (batch, then what the hub keeps for 1 and 2 March)
        let batches = [
            vec![
                aggregate(&pc, day(1), PdsaSlot::Nuit, 1, 2),
                aggregate(&pc, day(2), PdsaSlot::Nuit, 1, 4),
            ],
            // Repeats 1 March: applied in the order sent (a higher revision, then a lower one).
            vec![
                aggregate(&pc, day(1), PdsaSlot::Nuit, 3, 6),
                aggregate(&pc, day(1), PdsaSlot::Nuit, 2, 8),
                aggregate(&pc, day(2), PdsaSlot::Nuit, 1, 9),
            ],
        ];
        let mut seen = Vec::new();
        for batch in &batches {
            let receipt = aggregates::upload_with(
                &mut db,
                &device,
                &AggregateBatch {
                    aggregates: batch.clone(),
                },
                strategy,
            )
            .await
            .unwrap();
            seen.push(
                receipt
                    .outcomes
                    .iter()
                    .map(|o| o.status)
                    .collect::<Vec<_>>(),
            );
        }
        let kept: Vec<i64> = db
            .query(
                "SELECT (counts->>'consultations')::int8 FROM daily_aggregate \
                 WHERE mmg_id = $1::text::uuid ORDER BY day",
                &[&mmg.id],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        // seed 6 -> 1 + 6 % 13 = 7 consultations; seed 4 -> 5.
        assert_eq!(kept, [7, 5], "{strategy:?}");
        statuses.push(seen);
    }
    assert_eq!(
        statuses[0],
        [vec![Accepted, Accepted], vec![Accepted, Ignored, Ignored]]
    );
    assert_eq!(statuses[0], statuses[1], "both strategies agree");
}
