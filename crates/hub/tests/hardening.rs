//! The attacks of issue 28 against a real hub on PostgreSQL, each kept as a test: account
//! lockout by strangers, raced login checks, compressed or non-JSON bodies before any
//! credential, control characters and implausible dates, sessions that could not be revoked.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`); each test makes its own
//! database. Other clients are other loopback addresses (127.0.0.2, ...): the hub tells clients
//! apart by their TCP peer address.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use appligarde_hub::admin::{self, CreatedMmg};
use appligarde_hub::auth::Role;
use appligarde_hub::throttle;
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AggregateBatch, DailyAggregate, DailyCounts, EnrollAnswer, ErrorCode,
    LoginAnswer, PdsaSlot,
};
use chrono::NaiveDate;
use common::{Answer, PASSWORD, call_from, enroll, get, migrated_database, start_hub};
use hyper::{Method, StatusCode};
use tokio::sync::oneshot;
use tokio_postgres::Client;

/// The owner's machine and the attackers', all on this host.
const OWNER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));
const ROTATING_ATTACKER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 4));

struct Hub {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
    db: Client,
    mmg: CreatedMmg,
}

async fn hub() -> Hub {
    let (url, mut db) = migrated_database().await;
    let mmg = admin::create_mmg(&mut db, "44", "MMG Nantes")
        .await
        .unwrap();
    admin::create_user(&mut db, "admin", Role::UrmlAdmin, &[], PASSWORD)
        .await
        .unwrap();
    admin::create_user(
        &mut db,
        "coord44",
        Role::Coordinator,
        &["44".into()],
        PASSWORD,
    )
    .await
    .unwrap();
    let (address, stop) = start_hub(&url, appligarde_hub::DEFAULT_SESSION_TTL).await;
    Hub {
        address,
        _stop: stop,
        db,
        mmg,
    }
}

async fn login_from(from: IpAddr, address: SocketAddr, login: &str, password: &str) -> Answer {
    let body = serde_json::to_vec(&serde_json::json!({"login": login, "password": password}));
    call_from(
        Some(from),
        address,
        Method::POST,
        "/api/v1/login",
        None,
        &[],
        body.unwrap(),
    )
    .await
}

/// Checked failures counted for `login` from `from`.
async fn failures(db: &Client, login: &str, from: IpAddr) -> i32 {
    let [_, key] = throttle::keys(login, from);
    db.query_opt(
        "SELECT failures FROM login_throttle WHERE key = $1",
        &[&key],
    )
    .await
    .unwrap()
    .map_or(0, |row| row.get(0))
}

#[tokio::test]
async fn the_owner_logs_in_from_another_client_after_a_guessing_run() {
    let h = hub().await;
    // A stranger who knows the login `admin` (the dashboard shows logins) guesses 30 times.
    let mut refused = 0;
    for attempt in 0..30 {
        let answer = login_from(ATTACKER, h.address, "admin", &format!("essai {attempt}")).await;
        match answer.status {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("attempt {attempt}: {other} {}", answer.text()),
        }
    }
    assert_eq!(
        refused,
        30 - throttle::FREE_FAILURES_PER_LOGIN,
        "past the free failures, the guesses are not even checked"
    );
    assert_eq!(
        failures(&h.db, "admin", ATTACKER).await,
        throttle::FREE_FAILURES_PER_LOGIN,
        "attempts refused while blocked do not lengthen the wait"
    );
    // The owner, from their own machine, is not locked out.
    let owner = login_from(OWNER, h.address, "admin", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());

    // A guesser rotating login names from one address is stopped by the address's limit, and
    // the owner still logs in from elsewhere.
    let mut checked = 0;
    for attempt in 0..40 {
        let answer = login_from(ROTATING_ATTACKER, h.address, &format!("nom{attempt}"), "x").await;
        if answer.status == StatusCode::UNAUTHORIZED {
            checked += 1;
        } else {
            assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{attempt}");
        }
    }
    assert_eq!(checked, throttle::FREE_FAILURES_PER_ADDRESS);
    let blocked = login_from(ROTATING_ATTACKER, h.address, "coord44", PASSWORD).await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    let owner = login_from(OWNER, h.address, "coord44", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text());
}

#[tokio::test]
async fn parallel_wrong_passwords_check_at_most_the_limit() {
    let h = hub().await;
    let mut guesses = Vec::new();
    for attempt in 0..40 {
        let address = h.address;
        guesses.push(tokio::spawn(async move {
            login_from(ATTACKER, address, "coord44", &format!("essai {attempt}"))
                .await
                .status
        }));
    }
    let mut checked = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        (1..=throttle::FREE_FAILURES_PER_LOGIN).contains(&checked),
        "{checked} of 40 parallel guesses were checked"
    );
    assert_eq!(failures(&h.db, "coord44", ATTACKER).await, checked);
    let owner = login_from(OWNER, h.address, "coord44", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK);
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Path, headers, body, status expected.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    Vec<u8>,
    StatusCode,
);

#[tokio::test]
async fn unauthenticated_endpoints_take_plain_json_only() {
    let h = hub().await;
    let login =
        serde_json::to_vec(&serde_json::json!({"login": "admin", "password": PASSWORD})).unwrap();
    let enroll_body = serde_json::to_vec(&serde_json::json!({"code": "AAAA-BBBB"})).unwrap();
    // A web page can post text/plain from a coordinator's browser without asking: refused.
    let cases: [Case; 7] = [
        (
            "/api/v1/login",
            &[("content-type", "text/plain")],
            login.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/login",
            &[("content-type", "")],
            login.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/login",
            &[("content-type", "application/x-www-form-urlencoded")],
            login.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        // 32 MiB of zeros gzip to ~32 KB: nothing is inflated before a credential is checked.
        (
            "/api/v1/login",
            &[("content-encoding", "gzip")],
            gzip(&vec![b' '; 32 << 20]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/enroll",
            &[("content-encoding", "gzip")],
            gzip(&enroll_body),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/api/v1/enroll",
            &[("content-type", "text/plain")],
            enroll_body.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        // No login is 64 KiB long.
        (
            "/api/v1/login",
            &[],
            vec![b' '; 65 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (path, headers, body, status) in cases {
        let answer = call_from(None, h.address, Method::POST, path, None, headers, body).await;
        assert_eq!(
            answer.status,
            status,
            "{path} {headers:?}: {}",
            answer.text()
        );
        let error = answer.error();
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            assert_eq!(error.code, ErrorCode::UnsupportedMediaType);
            assert!(
                error.message.starts_with("Type de contenu refusé"),
                "{}",
                error.message
            );
        } else {
            assert_eq!(error.code, ErrorCode::PayloadTooLarge);
        }
    }
    // `application/json; charset=utf-8` is JSON.
    let answer = call_from(
        None,
        h.address,
        Method::POST,
        "/api/v1/login",
        None,
        &[("content-type", "application/json; charset=utf-8")],
        login,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
}

fn aggregate(device: &EnrollAnswer, date: NaiveDate) -> DailyAggregate {
    DailyAggregate {
        mmg_id: device.mmg_id.clone(),
        device_id: device.device_id.clone(),
        date,
        slot: PdsaSlot::Nuit,
        revision: 1,
        schema: AGGREGATE_SCHEMA,
        counts: DailyCounts::default(),
    }
}

#[tokio::test]
async fn control_characters_and_implausible_dates_get_a_french_400() {
    let h = hub().await;
    let device = enroll(h.address, &h.db, &h.mmg).await;
    let token = login_from(OWNER, h.address, "admin", PASSWORD)
        .await
        .json::<LoginAnswer>()
        .token;
    let post = |path: &'static str, token: Option<String>, body: String| {
        let address = h.address;
        async move {
            let token = token.as_deref();
            call_from(
                None,
                address,
                Method::POST,
                path,
                token,
                &[],
                body.into_bytes(),
            )
            .await
        }
    };
    let bodies = [
        (
            "/api/v1/login",
            None,
            r#"{"login": "ad\u0000min", "password": "x"}"#.to_owned(),
        ),
        (
            "/api/v1/login",
            None,
            r#"{"login": "admin", "password": "a\nb"}"#.to_owned(),
        ),
        (
            "/api/v1/enroll",
            None,
            r#"{"code": "AAAA\u0000BBBB"}"#.to_owned(),
        ),
        (
            "/api/v1/enroll",
            None,
            "{\"code\": \"AAAA\u{85}BBBB\"}".to_owned(),
        ),
    ];
    for (path, token, body) in bodies {
        let answer = post(path, token, body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.text()
        );
        let error = answer.error();
        assert_eq!(error.code, ErrorCode::BadRequest);
        assert!(
            error.message.contains("caractère de contrôle"),
            "{}",
            error.message
        );
    }
    for (year, accepted) in [
        (1999, false),
        (2000, true),
        (2100, true),
        (2101, false),
        (0, false),
        (9999, false),
    ] {
        let date = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
        let body = serde_json::to_string(&AggregateBatch {
            aggregates: vec![aggregate(&device, date)],
        })
        .unwrap();
        let answer = post(
            "/api/v1/aggregates",
            Some(device.device_token.clone()),
            body,
        )
        .await;
        if accepted {
            assert_eq!(answer.status, StatusCode::OK, "{year}: {}", answer.text());
        } else {
            assert_eq!(
                answer.status,
                StatusCode::BAD_REQUEST,
                "{year}: {}",
                answer.text()
            );
            assert!(
                answer.error().message.contains("« date »"),
                "{}",
                answer.text()
            );
        }
    }
    let stored: i64 =
        h.db.query_one(
            "SELECT count(*) FROM daily_aggregate \
             WHERE day < '2000-01-01' OR day > '2100-12-31'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 0, "no implausible date was stored");
    let queries = [
        "/api/v1/stats/daily?departement=44&from=0001-01-01&to=0001-01-31",
        "/api/v1/stats/daily?departement=44&from=-4714-01-01&to=2026-01-01",
        "/api/v1/stats/monthly?departement=44&from=9999-01&to=9999-12",
        "/api/v1/stats/days?departement=44&from=1999-12-01&to=1999-12-31",
        &format!(
            "/api/v1/stats/doctors?mmg={}&from=2101-01-01&to=2101-01-31",
            h.mmg.id
        ),
    ];
    for query in queries {
        let answer = get(h.address, query, Some(&token)).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            answer.text()
        );
        let message = answer.error().message;
        assert!(message.contains("entre 2000 et 2100"), "{query}: {message}");
    }
}

#[tokio::test]
async fn a_revoked_session_is_refused() {
    let mut h = hub().await;
    let session = || async {
        login_from(OWNER, h.address, "coord44", PASSWORD)
            .await
            .json::<LoginAnswer>()
            .token
    };
    let me = |token: String| {
        let address = h.address;
        async move { get(address, "/api/v1/me", Some(&token)).await.status }
    };
    let logout = |token: String| {
        let address = h.address;
        async move {
            call_from(
                None,
                address,
                Method::POST,
                "/api/v1/logout",
                Some(&token),
                &[],
                Vec::new(),
            )
            .await
            .status
        }
    };

    // The dashboard's logout ends the session on the hub, not only in the browser.
    let token = session().await;
    assert_eq!(me(token.clone()).await, StatusCode::OK);
    assert_eq!(logout(token.clone()).await, StatusCode::NO_CONTENT);
    assert_eq!(me(token.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        logout(token).await,
        StatusCode::UNAUTHORIZED,
        "already ended"
    );

    // The operator ends every session of a user (a stolen laptop).
    let (first, second) = (session().await, session().await);
    let other = login_from(OWNER, h.address, "admin", PASSWORD)
        .await
        .json::<LoginAnswer>()
        .token;
    let change = admin::revoke_sessions(&mut h.db, "COORD44").await.unwrap();
    assert_eq!(change.sessions_revoked, 2);
    assert_eq!(me(first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(other).await, StatusCode::OK, "other users keep theirs");

    // A disabled user: sessions refused, password opens nothing, until enabled again.
    let token = session().await;
    admin::set_user_disabled(&mut h.db, "coord44", true)
        .await
        .unwrap();
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED);
    let refused = login_from(OWNER, h.address, "coord44", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.error().message,
        "Identifiant ou mot de passe incorrect."
    );
    admin::set_user_disabled(&mut h.db, "coord44", false)
        .await
        .unwrap();
    assert_eq!(me(session().await).await, StatusCode::OK);

    // A reset password: the old one and the old sessions stop working.
    let token = session().await;
    let new_password = "un tout autre mot de passe";
    admin::reset_password(&mut h.db, "coord44", new_password)
        .await
        .unwrap();
    assert_eq!(me(token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        login_from(OWNER, h.address, "coord44", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from(OWNER, h.address, "coord44", new_password)
            .await
            .status,
        StatusCode::OK
    );

    // Clearing the throttling lets a blocked client in at once.
    for _ in 0..throttle::FREE_FAILURES_PER_LOGIN {
        login_from(ATTACKER, h.address, "coord44", "faux").await;
    }
    assert_eq!(
        login_from(ATTACKER, h.address, "coord44", new_password)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let change = admin::clear_throttle(&mut h.db, "coord44").await.unwrap();
    assert!(change.throttle_cleared >= 1);
    assert_eq!(
        login_from(ATTACKER, h.address, "coord44", new_password)
            .await
            .status,
        StatusCode::OK
    );

    // Each command is journaled, never with a password.
    let journal = admin::journal_entries(&h.db, 10).await.unwrap();
    let actions: Vec<&str> = journal.iter().rev().map(|e| e.action.as_str()).collect();
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
    assert!(journal.iter().all(|e| e.subject == "coord44"));
    assert!(journal.iter().all(|e| !e.detail.contains(new_password)));
    assert!(admin::revoke_sessions(&mut h.db, "personne").await.is_err());
}
