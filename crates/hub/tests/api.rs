//! The `/api/v1` endpoints against a real PostgreSQL, in-process on 127.0.0.1:0: access control,
//! enrollment, idempotent uploads, sums over PCs, throttling, French errors, the OpenAPI file
//! and the operators' CLI.
//!
//! Like `healthz.rs`, needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`); each
//! test makes its own database.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use appligarde_hub::admin::{self, CreatedMmg};
use appligarde_hub::auth::Role;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, AggregateReceipt, AggregateStatus, DailyAggregate,
    DailyCounts, DailyStats, EnrollAnswer, ErrorBody, ErrorCode, LoginAnswer, MmgIdentityAnswer,
    PdsaSlot,
};
use chrono::NaiveDate;
use common::{Answer, PASSWORD, call, enroll, get, migrated_database, post_json, start_hub};
use hyper::{Method, StatusCode};
use tokio::sync::oneshot;
use tokio_postgres::Client;

async fn login(address: SocketAddr, login: &str, password: &str) -> Answer {
    post_json(
        address,
        "/api/v1/login",
        None,
        &serde_json::json!({"login": login, "password": password}),
    )
    .await
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, day).unwrap()
}

fn aggregate(device: &EnrollAnswer, day: u32, revision: u64, consultations: u32) -> DailyAggregate {
    let mut counts = DailyCounts {
        consultations,
        ..DailyCounts::default()
    };
    counts.by_commune.insert("44109".into(), consultations);
    counts.by_sex.female = consultations;
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date: date(day),
        slot: PdsaSlot::Nuit,
        revision,
        schema: AGGREGATE_SCHEMA,
        counts,
    }
}

async fn upload(
    address: SocketAddr,
    device: &EnrollAnswer,
    aggregates: Vec<DailyAggregate>,
) -> Answer {
    post_json(
        address,
        "/api/v1/aggregates",
        Some(&device.device_token),
        &AggregateBatch { aggregates },
    )
    .await
}

fn statuses(answer: &Answer) -> Vec<AggregateStatus> {
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let receipt: AggregateReceipt = answer.json();
    receipt.outcomes.iter().map(|o| o.status).collect()
}

async fn stats(address: SocketAddr, token: &str, departement: &str) -> DailyStats {
    let answer = get(
        address,
        &format!("/api/v1/stats/daily?departement={departement}&from=2026-01-01&to=2026-01-31"),
        Some(token),
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    answer.json()
}

/// Two départements, an MMG in each (two PCs in 44), and a user of each role.
struct World {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
    db: Client,
    mmg44: CreatedMmg,
    mmg49: CreatedMmg,
    device44: EnrollAnswer,
    device44b: EnrollAnswer,
    device49: EnrollAnswer,
    admin: String,
    coord44: String,
    coord49: String,
}

async fn world() -> World {
    let (url, mut db) = migrated_database().await;
    let mmg44 = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    let mmg49 = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let users = [
        ("admin", Role::UrmlAdmin, vec![]),
        ("coord44", Role::Coordinator, vec!["44".to_owned()]),
        ("coord49", Role::Coordinator, vec!["49".to_owned()]),
    ];
    for (user, role, departements) in &users {
        admin::create_user(&mut db, user, *role, departements, PASSWORD)
            .await
            .unwrap();
    }
    let (address, stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let device44 = enroll(address, &db, &mmg44).await;
    let device44b = enroll(address, &db, &mmg44).await;
    let device49 = enroll(address, &db, &mmg49).await;
    let mut tokens = Vec::new();
    for (user, _, _) in &users {
        let answer = login(address, user, PASSWORD).await;
        assert_eq!(answer.status, StatusCode::OK);
        tokens.push(answer.json::<LoginAnswer>().token);
    }
    let [admin, coord44, coord49] = <[String; 3]>::try_from(tokens).unwrap();
    World {
        address,
        _stop: stop,
        db,
        mmg44,
        mmg49,
        device44,
        device44b,
        device49,
        admin,
        coord44,
        coord49,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credential {
    None,
    Unknown,
    ExpiredSession,
    /// A device of 44 whose enrollment was revoked.
    RevokedDevice,
    Device44,
    Device49,
    Admin,
    Coord44,
    Coord49,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Healthz,
    Login,
    Enroll,
    EnrollIdentity,
    Aggregates44,
    Reference,
    Me,
    Stats44,
    Stats49,
    Monthly44,
    Monthly49,
    Days44,
    Days49,
    /// The doctors of the MMG of 44, then of 49.
    Doctors44,
    Doctors49,
    Communes,
    /// A PC's health report (device token).
    Sante,
    /// The fleet health page's list of PCs (user session, scoped inside).
    ParcPostes,
    DashboardPage,
    /// Last: it ends the session it is called with.
    Logout,
}

/// What each endpoint answers to each credential: the access-control rule as a table.
fn expected(endpoint: Endpoint, credential: Credential) -> StatusCode {
    use Credential as C;
    use Endpoint as E;
    match (endpoint, credential) {
        // Public endpoints (and the dashboard's static page) ignore any Authorization header.
        (E::Healthz | E::Login | E::DashboardPage, _) => StatusCode::OK,
        // The code is unknown whoever asks.
        (E::Enroll | E::EnrollIdentity, _) => StatusCode::UNAUTHORIZED,
        (E::Aggregates44, C::Device44) => StatusCode::OK,
        // A real device of another MMG: authenticated, but not for this MMG's data.
        (E::Aggregates44, C::Device49) => StatusCode::FORBIDDEN,
        // Users' tokens are not device tokens.
        (E::Aggregates44, _) => StatusCode::UNAUTHORIZED,
        // Any enrolled PC reads the reference publications; users' tokens are not device tokens.
        (E::Reference, C::Device44 | C::Device49) => StatusCode::OK,
        (E::Reference, _) => StatusCode::UNAUTHORIZED,
        (E::Me, C::Admin | C::Coord44 | C::Coord49) => StatusCode::OK,
        (E::Me, _) => StatusCode::UNAUTHORIZED,
        // Reference data for every user, whatever their départements.
        (E::Communes, C::Admin | C::Coord44 | C::Coord49) => StatusCode::OK,
        (E::Communes, _) => StatusCode::UNAUTHORIZED,
        // Any enrolled PC reports its own health; users' tokens are not device tokens.
        (E::Sante, C::Device44 | C::Device49) => StatusCode::NO_CONTENT,
        (E::Sante, _) => StatusCode::UNAUTHORIZED,
        // Every user reads the PCs of the MMGs they may read (scoped like the statistics).
        (E::ParcPostes, C::Admin | C::Coord44 | C::Coord49) => StatusCode::OK,
        (E::ParcPostes, _) => StatusCode::UNAUTHORIZED,
        // Only a live user session can be ended.
        (E::Logout, C::Admin | C::Coord44 | C::Coord49) => StatusCode::NO_CONTENT,
        (E::Logout, _) => StatusCode::UNAUTHORIZED,
        (E::Stats44 | E::Monthly44 | E::Days44 | E::Doctors44, C::Admin | C::Coord44)
        | (E::Stats49 | E::Monthly49 | E::Days49 | E::Doctors49, C::Admin | C::Coord49) => {
            StatusCode::OK
        }
        (E::Stats44 | E::Monthly44 | E::Days44 | E::Doctors44, C::Coord49)
        | (E::Stats49 | E::Monthly49 | E::Days49 | E::Doctors49, C::Coord44) => {
            StatusCode::FORBIDDEN
        }
        // No, unknown, expired or device credentials: devices cannot read statistics.
        (
            E::Stats44
            | E::Stats49
            | E::Monthly44
            | E::Monthly49
            | E::Days44
            | E::Days49
            | E::Doctors44
            | E::Doctors49,
            _,
        ) => StatusCode::UNAUTHORIZED,
    }
}

#[tokio::test]
async fn every_endpoint_with_every_credential_follows_the_access_rules() {
    let w = world().await;
    // A coordinator's session that has expired.
    let expired = login(w.address, "coord44", PASSWORD)
        .await
        .json::<LoginAnswer>()
        .token;
    w.db.execute(
        "UPDATE user_session SET expires_at = now() - interval '1 second' \
         WHERE token_hash = sha256($1::text::bytea)",
        &[&expired],
    )
    .await
    .unwrap();
    w.db.execute(
        "UPDATE device SET revoked_at = now() WHERE id = $1::text::uuid",
        &[&w.device44b.device_id],
    )
    .await
    .unwrap();
    let unknown = hex_token();
    let credentials = [
        (Credential::None, None),
        (Credential::Unknown, Some(unknown.as_str())),
        (Credential::ExpiredSession, Some(expired.as_str())),
        (
            Credential::RevokedDevice,
            Some(w.device44b.device_token.as_str()),
        ),
        (Credential::Device44, Some(w.device44.device_token.as_str())),
        (Credential::Device49, Some(w.device49.device_token.as_str())),
        (Credential::Admin, Some(w.admin.as_str())),
        (Credential::Coord44, Some(w.coord44.as_str())),
        (Credential::Coord49, Some(w.coord49.as_str())),
    ];
    let endpoints = [
        Endpoint::Healthz,
        Endpoint::Login,
        Endpoint::Enroll,
        Endpoint::EnrollIdentity,
        Endpoint::Aggregates44,
        Endpoint::Reference,
        Endpoint::Me,
        Endpoint::Stats44,
        Endpoint::Stats49,
        Endpoint::Monthly44,
        Endpoint::Monthly49,
        Endpoint::Days44,
        Endpoint::Days49,
        Endpoint::Doctors44,
        Endpoint::Doctors49,
        Endpoint::Communes,
        Endpoint::Sante,
        Endpoint::ParcPostes,
        Endpoint::DashboardPage,
        Endpoint::Logout,
    ];
    for endpoint in endpoints {
        for (credential, token) in credentials {
            let answer = match endpoint {
                Endpoint::Healthz => get(w.address, "/healthz", token).await,
                Endpoint::Login => {
                    let body = serde_json::json!({"login": "coord49", "password": PASSWORD});
                    let body = serde_json::to_vec(&body).unwrap();
                    call(w.address, Method::POST, "/api/v1/login", token, &[], body).await
                }
                Endpoint::Enroll => {
                    let body =
                        serde_json::to_vec(&serde_json::json!({"code": "AAAA-BBBB"})).unwrap();
                    call(w.address, Method::POST, "/api/v1/enroll", token, &[], body).await
                }
                Endpoint::EnrollIdentity => {
                    let body =
                        serde_json::to_vec(&serde_json::json!({"code": "AAAA-BBBB"})).unwrap();
                    call(
                        w.address,
                        Method::POST,
                        "/api/v1/enroll/identity",
                        token,
                        &[],
                        body,
                    )
                    .await
                }
                Endpoint::Aggregates44 => {
                    let batch = AggregateBatch {
                        aggregates: vec![aggregate(&w.device44, 2, 1, 3)],
                    };
                    let body = serde_json::to_vec(&batch).unwrap();
                    call(
                        w.address,
                        Method::POST,
                        "/api/v1/aggregates",
                        token,
                        &[],
                        body,
                    )
                    .await
                }
                Endpoint::Reference => get(w.address, "/api/v1/reference?since=0", token).await,
                Endpoint::Me => get(w.address, "/api/v1/me", token).await,
                Endpoint::Logout => {
                    call(
                        w.address,
                        Method::POST,
                        "/api/v1/logout",
                        token,
                        &[],
                        Vec::new(),
                    )
                    .await
                }
                Endpoint::DashboardPage => get(w.address, "/dashboard/", token).await,
                Endpoint::Communes => get(w.address, "/api/v1/communes", token).await,
                Endpoint::Sante => {
                    let body = serde_json::json!({
                        "app_version": "0.1.0", "schema_version": 16, "pending_days": 0
                    });
                    let body = serde_json::to_vec(&body).unwrap();
                    call(w.address, Method::POST, "/api/v1/sante", token, &[], body).await
                }
                Endpoint::ParcPostes => get(w.address, "/api/v1/parc/postes", token).await,
                Endpoint::Days44 | Endpoint::Days49 => {
                    let departement = if endpoint == Endpoint::Days44 {
                        "44"
                    } else {
                        "49"
                    };
                    let path = format!(
                        "/api/v1/stats/days?departement={departement}&from=2026-01-01&to=2026-01-31"
                    );
                    get(w.address, &path, token).await
                }
                Endpoint::Doctors44 | Endpoint::Doctors49 => {
                    let mmg = if endpoint == Endpoint::Doctors44 {
                        &w.mmg44.id
                    } else {
                        &w.mmg49.id
                    };
                    let path =
                        format!("/api/v1/stats/doctors?mmg={mmg}&from=2026-01-01&to=2026-12-31");
                    get(w.address, &path, token).await
                }
                Endpoint::Stats44
                | Endpoint::Stats49
                | Endpoint::Monthly44
                | Endpoint::Monthly49 => {
                    let departement = if matches!(endpoint, Endpoint::Stats44 | Endpoint::Monthly44)
                    {
                        "44"
                    } else {
                        "49"
                    };
                    let path = if matches!(endpoint, Endpoint::Stats44 | Endpoint::Stats49) {
                        format!(
                            "/api/v1/stats/daily?departement={departement}&from=2026-01-01&to=2026-01-31"
                        )
                    } else {
                        format!(
                            "/api/v1/stats/monthly?departement={departement}&from=2026-01&to=2026-12"
                        )
                    };
                    get(w.address, &path, token).await
                }
            };
            let want = expected(endpoint, credential);
            assert_eq!(
                answer.status,
                want,
                "{endpoint:?} with {credential:?}: {}",
                String::from_utf8_lossy(&answer.body)
            );
            if !want.is_success() {
                let error = answer.error();
                let (code, words) = match want {
                    StatusCode::FORBIDDEN => (ErrorCode::Forbidden, "Accès refusé"),
                    _ if matches!(endpoint, Endpoint::Enroll | Endpoint::EnrollIdentity) => {
                        (ErrorCode::InvalidEnrollmentCode, "code d'enrôlement")
                    }
                    _ => (ErrorCode::Unauthenticated, "Identifiants"),
                };
                assert_eq!(error.code, code, "{endpoint:?} with {credential:?}");
                assert!(
                    error.message.contains(words),
                    "{endpoint:?} with {credential:?}: a French message: {}",
                    error.message
                );
            }
        }
    }
}

fn hex_token() -> String {
    rand::random::<[u8; 32]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_coordinator_of_44_never_sees_an_mmg_of_49() {
    let w = world().await;
    statuses(
        &upload(
            w.address,
            &w.device44,
            vec![aggregate(&w.device44, 5, 1, 3)],
        )
        .await,
    );
    statuses(
        &upload(
            w.address,
            &w.device49,
            vec![aggregate(&w.device49, 5, 1, 9)],
        )
        .await,
    );

    let seen44 = stats(w.address, &w.coord44, "44").await;
    let ids: BTreeSet<&str> = seen44.days.iter().map(|d| d.mmg_id.as_str()).collect();
    assert_eq!(
        ids,
        BTreeSet::from([w.mmg44.id.as_str()]),
        "only the MMG of 44"
    );

    let refused = get(
        w.address,
        "/api/v1/stats/daily?departement=49&from=2026-01-01&to=2026-01-31",
        Some(&w.coord44),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        !String::from_utf8_lossy(&refused.body).contains(&w.mmg49.id),
        "a refusal names no MMG of 49"
    );

    // The URML sees both départements.
    let seen49 = stats(w.address, &w.admin, "49").await;
    assert_eq!(seen49.days.len(), 1);
    assert_eq!(seen49.days[0].mmg_id, w.mmg49.id);
    assert_eq!(seen49.days[0].counts.consultations, 9);
}

#[tokio::test]
async fn uploads_are_idempotent_and_keep_the_highest_revision() {
    use AggregateStatus::{Accepted, Ignored};
    let w = world().await;
    let d = &w.device44;
    let batch = vec![aggregate(d, 1, 1, 3), aggregate(d, 2, 1, 4)];

    assert_eq!(
        statuses(&upload(w.address, d, batch.clone()).await),
        [Accepted, Accepted]
    );
    assert_eq!(
        statuses(&upload(w.address, d, batch).await),
        [Ignored, Ignored],
        "the same batch twice is acknowledged and ignored"
    );
    let consultations = |s: &DailyStats, day: u32| -> Vec<u32> {
        s.days
            .iter()
            .filter(|x| x.date == date(day))
            .map(|x| x.counts.consultations)
            .collect()
    };
    let s = stats(w.address, &w.admin, "44").await;
    assert_eq!(consultations(&s, 1), [3], "counted once");
    assert_eq!(consultations(&s, 2), [4]);

    // (what is sent for day 1, expected status, consultations the hub keeps afterwards)
    let cases = [
        ("higher revision replaces", 3, 10, Accepted, 10),
        ("lower revision is ignored", 2, 99, Ignored, 10),
        ("equal revision is ignored", 3, 77, Ignored, 10),
        ("higher again replaces", 4, 6, Accepted, 6),
    ];
    for (label, revision, sent, status, kept) in cases {
        let answer = upload(w.address, d, vec![aggregate(d, 1, revision, sent)]).await;
        assert_eq!(statuses(&answer), [status], "{label}");
        let s = stats(w.address, &w.admin, "44").await;
        assert_eq!(consultations(&s, 1), [kept], "{label}");
    }
    let rows: i64 =
        w.db.query_one("SELECT count(*) FROM daily_aggregate", &[])
            .await
            .unwrap()
            .get(0);
    assert_eq!(rows, 2, "one row per device, date and slot");
}

#[tokio::test]
async fn a_batch_with_one_bad_aggregate_stores_nothing() {
    let w = world().await;
    let mut foreign = aggregate(&w.device44, 3, 1, 1);
    foreign.device_id = w.device44b.device_id.clone();
    let answer = upload(
        w.address,
        &w.device44,
        vec![aggregate(&w.device44, 2, 1, 5), foreign],
    )
    .await;
    assert_eq!(
        answer.status,
        StatusCode::FORBIDDEN,
        "a PC cannot write as another PC"
    );
    let rows: i64 =
        w.db.query_one("SELECT count(*) FROM daily_aggregate", &[])
            .await
            .unwrap()
            .get(0);
    assert_eq!(rows, 0, "the whole batch is refused, in one transaction");
}

#[tokio::test]
async fn the_pcs_of_one_mmg_are_summed() {
    let w = world().await;
    statuses(
        &upload(
            w.address,
            &w.device44,
            vec![aggregate(&w.device44, 7, 1, 3)],
        )
        .await,
    );
    let mut other = aggregate(&w.device44b, 7, 5, 4);
    other.counts.by_commune.insert("44035".into(), 1);
    statuses(&upload(w.address, &w.device44b, vec![other]).await);

    let s = stats(w.address, &w.coord44, "44").await;
    assert_eq!(s.days.len(), 1, "one row per MMG, date and slot: {s:?}");
    let day = &s.days[0];
    assert_eq!(day.mmg_id, w.mmg44.id);
    assert_eq!(day.mmg_name, "MMG Nantes");
    assert_eq!(day.devices, 2);
    assert_eq!(day.counts.consultations, 7, "3 + 4");
    assert_eq!(day.counts.by_sex.female, 7);
    assert_eq!(day.counts.by_commune["44109"], 7);
    assert_eq!(
        day.counts.by_commune["44035"], 1,
        "a key from one PC only is kept"
    );
}

#[tokio::test]
async fn gzip_bodies_are_accepted_and_broken_ones_refused_in_french() {
    use flate2::Compression;
    use flate2::write::GzEncoder;
    let w = world().await;
    let batch = AggregateBatch {
        aggregates: vec![aggregate(&w.device44, 9, 1, 2)],
    };
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(&serde_json::to_vec(&batch).unwrap())
        .unwrap();
    let gzipped = encoder.finish().unwrap();
    let token = Some(w.device44.device_token.as_str());
    let gzip = [("content-encoding", "gzip")];

    let answer = call(
        w.address,
        Method::POST,
        "/api/v1/aggregates",
        token,
        &gzip,
        gzipped.clone(),
    )
    .await;
    assert_eq!(statuses(&answer), [AggregateStatus::Accepted]);

    // A gzip bomb: 33 MiB of zeros compress to a few kB but exceed the decompressed limit.
    let mut bomb = GzEncoder::new(Vec::new(), Compression::best());
    bomb.write_all(&vec![b' '; 33 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024);
    let answer = call(
        w.address,
        Method::POST,
        "/api/v1/aggregates",
        token,
        &gzip,
        bomb,
    )
    .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.error().code, ErrorCode::PayloadTooLarge);

    let brotli = [("content-encoding", "br")];
    let answer = call(
        w.address,
        Method::POST,
        "/api/v1/aggregates",
        token,
        &brotli,
        vec![1, 2],
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.error().message.contains("gzip"),
        "{}",
        answer.error().message
    );

    let broken = gzipped[..gzipped.len() / 2].to_vec();
    let answer = call(
        w.address,
        Method::POST,
        "/api/v1/aggregates",
        token,
        &gzip,
        broken,
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.error().message.contains("gzip"),
        "{}",
        answer.error().message
    );
}

/// (label, method, path, token, body, words expected in the message)
type BadRequestCase<'a> = (&'a str, Method, String, Option<&'a str>, Vec<u8>, &'a str);

#[tokio::test]
async fn malformed_requests_get_a_french_400_without_internals() {
    let w = world().await;
    let device = Some(w.device44.device_token.as_str());
    let mut good = serde_json::to_value(AggregateBatch {
        aggregates: vec![aggregate(&w.device44, 1, 1, 1)],
    })
    .unwrap();
    let mut bad_date = good.clone();
    bad_date["aggregates"][0]["date"] = "2026-13-45".into();
    let mut bad_slot = good.clone();
    bad_slot["aggregates"][0]["slot"] = "matin".into();
    let mut name_as_commune = good.clone();
    name_as_commune["aggregates"][0]["counts"]["by_commune"] =
        serde_json::json!({"Dupont Jean": 1});
    good["aggregates"][0]["revision"] = (-1).into();
    let negative_revision = good;
    let stats_path = |q: &str| format!("/api/v1/stats/daily?{q}");
    let cases: Vec<BadRequestCase> = vec![
        (
            "not JSON",
            Method::POST,
            "/api/v1/aggregates".into(),
            device,
            b"{not json".to_vec(),
            "JSON valide",
        ),
        (
            "bad date",
            Method::POST,
            "/api/v1/aggregates".into(),
            device,
            serde_json::to_vec(&bad_date).unwrap(),
            "AAAA-MM-JJ",
        ),
        (
            "unknown slot",
            Method::POST,
            "/api/v1/aggregates".into(),
            device,
            serde_json::to_vec(&bad_slot).unwrap(),
            "format attendu",
        ),
        (
            "negative revision",
            Method::POST,
            "/api/v1/aggregates".into(),
            device,
            serde_json::to_vec(&negative_revision).unwrap(),
            "format attendu",
        ),
        (
            "name as commune",
            Method::POST,
            "/api/v1/aggregates".into(),
            device,
            serde_json::to_vec(&name_as_commune).unwrap(),
            "by_commune",
        ),
        (
            "login not JSON",
            Method::POST,
            "/api/v1/login".into(),
            None,
            b"login=a".to_vec(),
            "JSON valide",
        ),
        (
            "login missing password",
            Method::POST,
            "/api/v1/login".into(),
            None,
            br#"{"login":"a"}"#.to_vec(),
            "champs obligatoires",
        ),
        (
            "enroll empty body",
            Method::POST,
            "/api/v1/enroll".into(),
            None,
            Vec::new(),
            "JSON valide",
        ),
        (
            "stats bad date",
            Method::GET,
            stats_path("departement=44&from=2026-02-30&to=2026-03-01"),
            Some(&w.admin),
            Vec::new(),
            "« from »",
        ),
        (
            "stats French date",
            Method::GET,
            stats_path("departement=44&from=2026-01-01&to=31/01/2026"),
            Some(&w.admin),
            Vec::new(),
            "« to »",
        ),
        (
            "stats no département",
            Method::GET,
            stats_path("from=2026-01-01&to=2026-01-31"),
            Some(&w.admin),
            Vec::new(),
            "departement",
        ),
        (
            "stats bad département",
            Method::GET,
            stats_path("departement=20&from=2026-01-01&to=2026-01-31"),
            Some(&w.admin),
            Vec::new(),
            "departement",
        ),
        (
            "stats reversed range",
            Method::GET,
            stats_path("departement=44&from=2026-02-01&to=2026-01-01"),
            Some(&w.admin),
            Vec::new(),
            "précède",
        ),
        (
            "stats range too long",
            Method::GET,
            stats_path("departement=44&from=2024-01-01&to=2026-01-01"),
            Some(&w.admin),
            Vec::new(),
            "au plus",
        ),
    ];
    for (label, method, path, token, body, words) in cases {
        let answer = call(w.address, method, &path, token, &[], body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{label}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        let error = answer.error();
        assert_eq!(error.code, ErrorCode::BadRequest, "{label}");
        assert!(
            error.message.starts_with("Requête invalide"),
            "{label}: {}",
            error.message
        );
        assert!(error.message.contains(words), "{label}: {}", error.message);
        for english in [
            "expected",
            "invalid type",
            "unknown variant",
            "serde",
            "Failed to",
        ] {
            assert!(
                !error.message.contains(english),
                "{label}: serde's text leaked: {}",
                error.message
            );
        }
    }
    let rows: i64 =
        w.db.query_one("SELECT count(*) FROM daily_aggregate", &[])
            .await
            .unwrap()
            .get(0);
    assert_eq!(rows, 0, "nothing malformed was stored");
}

#[tokio::test]
async fn login_is_throttled_after_five_failures_per_login_and_client_address() {
    let w = world().await;
    for attempt in 1..=5 {
        let answer = login(w.address, "coord44", "mauvais mot de passe").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(
            answer.error().message,
            "Identifiant ou mot de passe incorrect."
        );
    }
    let answer = login(w.address, "coord44", PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::TOO_MANY_REQUESTS,
        "from the guessing client, even the right password waits"
    );
    let retry: u64 = answer
        .headers_retry_after
        .as_deref()
        .expect("the client is told when to retry")
        .parse()
        .unwrap();
    assert!(
        (1..=15).contains(&retry),
        "the first delay is 15 s: {retry}"
    );
    let error = answer.error();
    assert_eq!(error.code, ErrorCode::TooManyAttempts);
    assert!(
        error.message.contains("Trop de tentatives"),
        "{}",
        error.message
    );

    let other = login(w.address, "coord49", PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK, "throttling is per login");

    // Once the delay is over, the right password works again from the same client.
    w.db.execute(
        "UPDATE login_throttle SET blocked_until = now() - interval '1 second'",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        login(w.address, "coord44", PASSWORD).await.status,
        StatusCode::OK
    );

    // Unknown logins are throttled too, and answer like a wrong password.
    let unknown = login(w.address, "personne", PASSWORD).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.error().message,
        "Identifiant ou mot de passe incorrect."
    );
}

#[tokio::test]
async fn sessions_expire_after_the_configured_time() {
    let (url, mut db) = migrated_database().await;
    admin::create_user(&mut db, "admin", Role::UrmlAdmin, &[], PASSWORD)
        .await
        .unwrap();
    // A session life of zero: the session is already expired at the next request.
    let (address, _stop) = start_hub(&url, Duration::ZERO).await;
    let token = login(address, "admin", PASSWORD)
        .await
        .json::<LoginAnswer>()
        .token;
    let answer = get(
        address,
        "/api/v1/stats/daily?departement=44&from=2026-01-01&to=2026-01-31",
        Some(&token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.error().code, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn enrollment_codes_work_once_expire_and_only_hashes_are_stored() {
    let (url, mut db) = migrated_database().await;
    let mmg = admin::create_mmg(&mut db, "2A", "MMG Ajaccio")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let enroll_with = |code: String| async move {
        post_json(
            address,
            "/api/v1/enroll",
            None,
            &serde_json::json!({"code": code}),
        )
        .await
    };

    let code = admin::create_enrollment_code(&db, &mmg.id, 7)
        .await
        .unwrap();
    assert_eq!(code.code.len(), 19, "XXXX-XXXX-XXXX-XXXX: {}", code.code);
    // Typed in lower case without dashes, it still works.
    let typed = code.code.replace('-', "").to_lowercase();
    let answer = enroll_with(typed).await;
    assert_eq!(answer.status, StatusCode::OK);
    let device: EnrollAnswer = answer.json();
    assert_eq!(device.mmg_id, mmg.id);
    assert_eq!(device.mmg_name, "MMG Ajaccio");
    assert_eq!(device.departement, "2A");

    let again = enroll_with(code.code.clone()).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "a code works once");
    assert_eq!(again.error().code, ErrorCode::InvalidEnrollmentCode);

    let expired = admin::create_enrollment_code(&db, &mmg.id, 7)
        .await
        .unwrap();
    db.execute(
        "UPDATE enrollment_code SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        enroll_with(expired.code).await.status,
        StatusCode::UNAUTHORIZED
    );

    // The hub holds the token's SHA-256, not the token.
    let stored: Vec<u8> = db
        .query_one("SELECT token_hash FROM device", &[])
        .await
        .unwrap()
        .get(0);
    let hashed: Vec<u8> = db
        .query_one("SELECT sha256($1::text::bytea)", &[&device.device_token])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, hashed);
    let dump: String = db
        .query_one(
            "SELECT concat_ws(' ', (SELECT string_agg(d::text, ' ') FROM device d), \
                                   (SELECT string_agg(e::text, ' ') FROM enrollment_code e))",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(
        !dump.contains(&device.device_token),
        "no plain token in the tables"
    );
    assert!(
        !dump.contains(&code.code.replace('-', "")),
        "no plain code in the tables"
    );

    // A revoked device is refused.
    db.execute("UPDATE device SET revoked_at = now()", &[])
        .await
        .unwrap();
    let answer = post_json(
        address,
        "/api/v1/aggregates",
        Some(&device.device_token),
        &AggregateBatch { aggregates: vec![] },
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
}

/// `(method, path)` of every operation in `openapi.yaml`: a path is a two-space-indented key
/// starting with `/` under `paths:`, an operation a four-space-indented HTTP method below it.
fn documented_operations(yaml: &str) -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    let mut in_paths = false;
    let mut path: Option<String> = None;
    for line in yaml.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_paths = line.trim_end() == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(key) = line.strip_prefix("  ").filter(|l| l.starts_with('/')) {
            path = Some(key.trim_end().trim_end_matches(':').to_owned());
        } else if let Some(key) = line.strip_prefix("    ").filter(|l| !l.starts_with(' ')) {
            let method = key.trim_end().trim_end_matches(':');
            if ["get", "head", "post", "put", "patch", "delete"].contains(&method) {
                operations.insert((method.to_uppercase(), path.clone().unwrap()));
            }
        }
    }
    operations
}

#[test]
fn openapi_documents_every_route_and_only_those() {
    let yaml = include_str!("../openapi.yaml");
    assert!(yaml.starts_with("openapi: 3.1"), "an OpenAPI 3.1 file");
    let documented = documented_operations(yaml);
    let served: BTreeSet<(String, String)> = appligarde_hub::routes()
        .into_iter()
        .map(|(method, path)| (method.as_str().to_owned(), path.to_owned()))
        .collect();
    assert_eq!(
        served.len(),
        26,
        "healthz, login, logout, enroll, enroll identity, aggregates, reference, conventions, parc, \
         health report, parc postes, me, stats \
         daily, monthly, days and doctors, communes; off-site copies: create, list, offset, append, \
         content, restored, status; the ORU's daily indicators, JSON and CSV"
    );
    assert_eq!(
        documented, served,
        "openapi.yaml and the router must list the same operations"
    );
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
async fn the_operators_cli_sets_up_an_mmg_a_pc_and_a_coordinator() {
    let (url, db) = migrated_database().await;
    let out = hub_admin(
        &url,
        &[
            "create-mmg",
            "--departement",
            "44",
            "--name",
            "MMG Rezé",
            "--json",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mmg: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mmg_id = mmg["id"].as_str().unwrap().to_owned();
    assert_eq!(mmg["departement"], "44");

    // The ADOPS 44 and the URML were made once, whatever the number of MMGs.
    let second = hub_admin(
        &url,
        &[
            "create-mmg",
            "--departement",
            "44",
            "--name",
            "MMG Nantes",
            "--json",
        ],
        "",
    );
    assert!(second.status.success());
    let kinds: Vec<(String, i64)> = db
        .query(
            "SELECT kind, count(*) FROM organisation GROUP BY kind ORDER BY kind",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        kinds,
        [("adops".into(), 1), ("mmg".into(), 2), ("urml".into(), 1)]
    );

    let out = hub_admin(&url, &["enroll-code", "--mmg", &mmg_id, "--json"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = code["code"].as_str().unwrap().to_owned();

    let out = hub_admin(
        &url,
        &[
            "create-user",
            "--login",
            "Coord",
            "--role",
            "coordinator",
            "--departements",
            "44,49",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(PASSWORD),
        "the password is never echoed"
    );

    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let device = post_json(
        address,
        "/api/v1/enroll",
        None,
        &serde_json::json!({"code": code}),
    )
    .await;
    assert_eq!(device.status, StatusCode::OK);
    assert_eq!(device.json::<EnrollAnswer>().mmg_name, "MMG Rezé");
    let session = login(address, "coord", PASSWORD).await;
    assert_eq!(
        session.status,
        StatusCode::OK,
        "logins are case-insensitive"
    );
    let token = session.json::<LoginAnswer>().token;
    stats(address, &token, "49").await;

    // (arguments, stdin, words the French error must contain)
    let refusals: [(&[&str], &str, &str); 4] = [
        (
            &["create-mmg", "--departement", "20", "--name", "X"],
            "",
            "département",
        ),
        (&["enroll-code", "--mmg", "pas-un-id"], "", "aucune MMG"),
        (
            &[
                "create-user",
                "--login",
                "court",
                "--role",
                "coordinator",
                "--departements",
                "44",
            ],
            "court\n",
            "12 caractères",
        ),
        (
            &["create-user", "--login", "sansdep", "--role", "coordinator"],
            "un mot de passe assez long\n",
            "au moins un département",
        ),
    ];
    for (args, stdin, words) in refusals {
        let out = hub_admin(&url, args, stdin);
        assert!(!out.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(words), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn the_operators_cli_disables_resets_revokes_and_clears_with_a_journal() {
    let (url, mut db) = migrated_database().await;
    admin::create_user(
        &mut db,
        "coord44",
        Role::Coordinator,
        &["44".into()],
        PASSWORD,
    )
    .await
    .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let token = login(address, "coord44", PASSWORD)
        .await
        .json::<LoginAnswer>()
        .token;
    let me = |token: String| async move { get(address, "/api/v1/me", Some(&token)).await.status };

    let out = hub_admin(&url, &["revoke-sessions", "--login", "coord44"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("1 session(s) fermée(s)"), "{stdout}");
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED);

    let out = hub_admin(&url, &["disable-user", "--login", "coord44", "--json"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        login(address, "coord44", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    let out = hub_admin(&url, &["enable-user", "--login", "coord44"], "");
    assert!(out.status.success());

    let new_password = "une phrase de passe neuve";
    let out = hub_admin(
        &url,
        &["reset-password", "--login", "coord44"],
        &format!("{new_password}\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        login(address, "coord44", new_password).await.status,
        StatusCode::OK
    );

    let out = hub_admin(&url, &["clear-throttle", "--login", "coord44"], "");
    assert!(out.status.success());
    let out = hub_admin(&url, &["journal", "--json"], "");
    assert!(out.status.success());
    let journal: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let actions: Vec<&str> = journal
        .iter()
        .rev()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "revoke-sessions",
            "disable-user",
            "enable-user",
            "reset-password",
            "clear-throttle"
        ]
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains(new_password));

    let out = hub_admin(&url, &["disable-user", "--login", "personne"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("aucun utilisateur « personne »"));
}

#[tokio::test]
async fn an_enrollment_code_reads_the_identity_the_urml_recorded_without_spending_it() {
    let (url, mut db) = migrated_database().await;
    let mmg = admin::create_mmg(&mut db, "44", "MMG Nantes Nord")
        .await
        .unwrap();
    let other = admin::create_mmg(&mut db, "49", "MMG Angers")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let code = admin::create_enrollment_code(&db, &mmg.id, 7)
        .await
        .unwrap()
        .code;
    let read = |code: String| async move {
        post_json(
            address,
            "/api/v1/enroll/identity",
            None,
            &serde_json::json!({"code": code}),
        )
        .await
    };

    // Nothing recorded beyond create-mmg: the name and département, the rest empty.
    let answer = read(code.clone()).await;
    assert_eq!(answer.status, StatusCode::OK);
    let identity = answer.json::<MmgIdentityAnswer>();
    assert_eq!(identity.mmg_name, "MMG Nantes Nord");
    assert_eq!(identity.departement, "44");
    assert_eq!(identity.adresse, "");

    // The URML records the rest through the admin command.
    let out = hub_admin(
        &url,
        &[
            "mmg-identity",
            "--mmg",
            &mmg.id,
            "--adresse",
            "12 rue de la Garde",
            "--code-postal",
            "44300",
            "--commune",
            "Nantes",
            "--telephone",
            "02 40 00 00 00",
            "--finess",
            "440000123",
            "--json",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A code typed in lower case with spaces reads the same identity.
    let loose = code.to_lowercase().replace('-', " ");
    let identity = read(loose).await.json::<MmgIdentityAnswer>();
    assert_eq!(
        (
            identity.adresse.as_str(),
            identity.code_postal.as_str(),
            identity.commune.as_str(),
            identity.telephone.as_str(),
            identity.finess.as_str(),
            identity.email.as_str(),
        ),
        (
            "12 rue de la Garde",
            "44300",
            "Nantes",
            "02 40 00 00 00",
            "440000123",
            ""
        )
    );
    let other_identity = appligarde_hub::identite::identity(&db, &other.id)
        .await
        .unwrap();
    assert_eq!(
        other_identity.adresse, "",
        "another MMG's identity is untouched"
    );

    // The desktop's own rules refuse what the assistant would refuse; nothing is changed.
    let out = hub_admin(
        &url,
        &["mmg-identity", "--mmg", &mmg.id, "--code-postal", "4430"],
        "",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("code postal"));
    assert_eq!(
        read(code.clone())
            .await
            .json::<MmgIdentityAnswer>()
            .code_postal,
        "44300"
    );

    // Reading did not spend the code: the PC enrolls with it, after which it reads nothing.
    let device = post_json(
        address,
        "/api/v1/enroll",
        None,
        &serde_json::json!({"code": code}),
    )
    .await;
    assert_eq!(device.status, StatusCode::OK);
    let spent = read(code).await;
    assert_eq!(spent.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        spent.json::<ErrorBody>().code,
        ErrorCode::InvalidEnrollmentCode
    );

    // An expired code reads nothing either.
    let expired = admin::create_enrollment_code(&db, &mmg.id, 1)
        .await
        .unwrap()
        .code;
    db.execute(
        "UPDATE enrollment_code SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(read(expired).await.status, StatusCode::UNAUTHORIZED);
    let journal = admin::journal_entries(&db, 10).await.unwrap();
    assert_eq!(
        journal
            .iter()
            .filter(|e| e.action == "mmg-identity")
            .count(),
        1,
        "the accepted change is journaled, the refused one is not"
    );
}

#[tokio::test]
async fn two_pcs_racing_with_one_code_get_one_device() {
    let (url, mut db) = migrated_database().await;
    let mmg = admin::create_mmg(&mut db, "85", "MMG La Roche")
        .await
        .unwrap();
    let (address, _stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    let code = admin::create_enrollment_code(&db, &mmg.id, 7)
        .await
        .unwrap();
    let body = serde_json::json!({"code": code.code});
    let (a, b) = tokio::join!(
        post_json(address, "/api/v1/enroll", None, &body),
        post_json(address, "/api/v1/enroll", None, &body)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::UNAUTHORIZED],
        "the code is spent in the same transaction that makes the device"
    );
    let devices: i64 = db
        .query_one("SELECT count(*) FROM device", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(devices, 1);
}
