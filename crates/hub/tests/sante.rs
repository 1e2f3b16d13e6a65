//! Fleet health (issue 22) against a real PostgreSQL and the hub in-process on 127.0.0.1:0: a
//! PC's report stored (the latest replaces the previous), the flags the hub computes (old dates
//! written straight into the rows), the list scoped per role, the update channel set by the
//! URML's admin command, and absurd reports refused with a French 400 that keeps the stored one.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::process::Command;

use appligarde_hub::AppState;
use appligarde_hub::admin::create_mmg;
use appligarde_hub::auth::Role;
use appligarde_protocol::{EnrollAnswer, ErrorCode};
use common::{enroll, get, migrated_database, post_json, session};
use hyper::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_postgres::Client;

struct World {
    url: String,
    address: SocketAddr,
    db: Client,
    /// Two PCs of the MMG of 44, one of the MMG of 49.
    healthy44: EnrollAnswer,
    flagged44: EnrollAnswer,
    silent49: EnrollAnswer,
    admin: String,
    coord44: String,
    coord49: String,
    _stop: oneshot::Sender<()>,
}

async fn world() -> World {
    let (url, mut db) = migrated_database().await;
    let state = AppState::new(appligarde_hub::pool(&url).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        appligarde_hub::serve_state_with_shutdown(state, listener, shutdown)
            .await
            .unwrap();
    });
    let mmg44 = create_mmg(&mut db, "44", "MMG d'Ancenis").await.unwrap();
    let mmg49 = create_mmg(&mut db, "49", "MMG de Cholet").await.unwrap();
    let healthy44 = enroll(address, &db, &mmg44).await;
    let flagged44 = enroll(address, &db, &mmg44).await;
    let silent49 = enroll(address, &db, &mmg49).await;
    let admin = session(address, &mut db, "urml", Role::UrmlAdmin, &[]).await;
    let coord44 = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    let coord49 = session(address, &mut db, "coord49", Role::Coordinator, &["49"]).await;
    World {
        url,
        address,
        db,
        healthy44,
        flagged44,
        silent49,
        admin,
        coord44,
        coord49,
        _stop: stop,
    }
}

/// An RFC 3339 UTC time `minutes` ago (the test's clock; the hub's is the same machine's).
fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn report(w: &World, device: &EnrollAnswer, body: &Value) -> StatusCode {
    let answer = post_json(w.address, "/api/v1/sante", Some(&device.device_token), body).await;
    answer.status
}

async fn postes(w: &World, token: &str) -> Vec<Value> {
    let answer = get(w.address, "/api/v1/parc/postes", Some(token)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let value: Value = answer.json();
    value["postes"].as_array().unwrap().clone()
}

fn poste<'a>(postes: &'a [Value], device: &EnrollAnswer) -> &'a Value {
    postes
        .iter()
        .find(|p| p["device_id"] == device.device_id.as_str())
        .unwrap_or_else(|| panic!("{} missing from {postes:?}", device.device_id))
}

fn codes(poste: &Value) -> Vec<&str> {
    poste["alertes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn reports_are_stored_flags_computed_and_the_list_scoped_per_role() {
    let w = world().await;
    let healthy = json!({
        "app_version": "0.4.1",
        "schema_version": 16,
        "last_backup_at": ago(30),
        "last_integrity_check": {"at": ago(29), "ok": true},
        "pending_days": 0
    });
    assert_eq!(
        report(&w, &w.healthy44, &healthy).await,
        StatusCode::NO_CONTENT
    );
    let flagged = json!({
        "app_version": "0.3.9",
        "schema_version": 15,
        "last_backup_at": ago(3 * 24 * 60),
        "last_integrity_check": {"at": ago(60), "ok": false},
        "pending_days": 4
    });
    assert_eq!(
        report(&w, &w.flagged44, &flagged).await,
        StatusCode::NO_CONTENT
    );
    // Its last contact eight days ago (written after its report, which counted as a contact).
    w.db.execute(
        "UPDATE device SET last_seen_at = now() - interval '8 days' WHERE id = $1::text::uuid",
        &[&w.flagged44.device_id],
    )
    .await
    .unwrap();

    let all = postes(&w, &w.admin).await;
    assert_eq!(all.len(), 3, "{all:?}");
    let h = poste(&all, &w.healthy44);
    assert_eq!(h["app_version"], "0.4.1");
    assert_eq!(h["schema_version"], 16);
    assert_eq!(h["pending_days"], 0);
    assert_eq!(h["integrity_ok"], true);
    assert_eq!(h["backup_age_hours"], 0);
    assert_eq!(h["canal"], "stable", "the default channel");
    assert_eq!(h["departement"], "44");
    assert_eq!(h["mmg_name"], "MMG d'Ancenis");
    assert!(h["last_seen_at"].is_string() && h["reported_at"].is_string());
    assert_eq!(codes(h), Vec::<&str>::new(), "a healthy PC: {h}");

    let f = poste(&all, &w.flagged44);
    assert_eq!(f["app_version"], "0.3.9");
    assert_eq!(f["pending_days"], 4);
    assert_eq!(f["integrity_ok"], false);
    assert!(f["backup_age_hours"].as_i64().unwrap() >= 72, "{f}");
    assert_eq!(codes(f), ["sauvegarde", "contact", "integrite"]);
    let messages: Vec<&str> = f["alertes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "aucune sauvegarde depuis 48 h",
            "non vu depuis 7 jours",
            "problème d'intégrité"
        ]
    );

    // A PC that never reported: no figures, and no backup known is flagged.
    let s = poste(&all, &w.silent49);
    assert!(
        s["app_version"].is_null() && s["reported_at"].is_null(),
        "{s}"
    );
    assert!(codes(s).contains(&"sauvegarde"), "{s}");

    // The healthy PC's backup grows old on the hub's clock: flagged past 48 h, not before.
    w.db.execute(
        "UPDATE device_health SET last_backup_at = now() - interval '47 hours' \
         WHERE device_id = $1::text::uuid",
        &[&w.healthy44.device_id],
    )
    .await
    .unwrap();
    let all = postes(&w, &w.admin).await;
    assert_eq!(codes(poste(&all, &w.healthy44)), Vec::<&str>::new());
    assert_eq!(poste(&all, &w.healthy44)["backup_age_hours"], 47);
    w.db.execute(
        "UPDATE device_health SET last_backup_at = now() - interval '49 hours' \
         WHERE device_id = $1::text::uuid",
        &[&w.healthy44.device_id],
    )
    .await
    .unwrap();
    let all = postes(&w, &w.admin).await;
    assert_eq!(codes(poste(&all, &w.healthy44)), ["sauvegarde"]);

    // The next report replaces the previous one (one row per PC).
    let mut next = healthy.clone();
    next["pending_days"] = json!(2);
    next["last_backup_at"] = json!(ago(5));
    assert_eq!(
        report(&w, &w.healthy44, &next).await,
        StatusCode::NO_CONTENT
    );
    let rows: i64 =
        w.db.query_one(
            "SELECT count(*) FROM device_health WHERE device_id = $1::text::uuid",
            &[&w.healthy44.device_id],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);
    let all = postes(&w, &w.admin).await;
    assert_eq!(poste(&all, &w.healthy44)["pending_days"], 2);
    assert_eq!(codes(poste(&all, &w.healthy44)), Vec::<&str>::new());

    // Scoping: a coordinator sees the PCs of their départements only.
    let c44 = postes(&w, &w.coord44).await;
    assert_eq!(c44.len(), 2, "{c44:?}");
    assert!(c44.iter().all(|p| p["departement"] == "44"));
    let c49 = postes(&w, &w.coord49).await;
    assert_eq!(c49.len(), 1, "{c49:?}");
    assert_eq!(c49[0]["device_id"], w.silent49.device_id.as_str());
    // A device token does not read the list; a PC retired leaves it.
    let answer = get(
        w.address,
        "/api/v1/parc/postes",
        Some(&w.healthy44.device_token),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    appligarde_hub::admin::retire_device(&w.db, &w.flagged44.device_id)
        .await
        .unwrap();
    assert_eq!(postes(&w, &w.coord44).await.len(), 1);
}

fn hub_admin(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_appligarde-hub"))
        .arg("admin")
        .args(args)
        .args(["--database-url", url])
        .env_remove("APPLIGARDE_HUB_DATABASE_URL")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_urml_sets_a_pcs_update_channel() {
    let w = world().await;
    let id = w.healthy44.device_id.as_str();
    let out = hub_admin(
        &w.url,
        &["set-channel", "--device", id, "--canal", "pilote"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("canal pilote (avant : stable)"), "{stdout}");
    let all = postes(&w, &w.admin).await;
    assert_eq!(poste(&all, &w.healthy44)["canal"], "pilote");
    assert_eq!(poste(&all, &w.flagged44)["canal"], "stable");

    let out = hub_admin(
        &w.url,
        &["set-channel", "--device", id, "--canal", "pilote", "--json"],
    );
    let change: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        change,
        json!({"device_id": id, "canal": "pilote", "previous": "pilote"})
    );

    // An unknown PC: a French error, nothing changed.
    let unknown = "00000000-0000-4000-8000-000000000000";
    let out = hub_admin(
        &w.url,
        &["set-channel", "--device", unknown, "--canal", "stable"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("aucun poste n'a l'identifiant"), "{stderr}");
    let out = hub_admin(&w.url, &["set-channel", "--device", id, "--canal", "beta"]);
    assert!(!out.status.success(), "clap refuses an unknown channel");
    let all = postes(&w, &w.admin).await;
    assert_eq!(poste(&all, &w.healthy44)["canal"], "pilote");
}

#[tokio::test]
async fn absurd_reports_get_a_french_400_and_keep_the_stored_one() {
    let w = world().await;
    let good = json!({
        "app_version": "0.4.1",
        "schema_version": 16,
        "last_backup_at": ago(30),
        "last_integrity_check": {"at": ago(30), "ok": true},
        "pending_days": 1
    });
    assert_eq!(
        report(&w, &w.healthy44, &good).await,
        StatusCode::NO_CONTENT
    );
    let with = |field: &str, value: Value| {
        let mut body = good.clone();
        body[field] = value;
        body
    };
    let cases = [
        (
            with("last_backup_at", json!("1999-12-31T23:00:00Z")),
            "2000",
        ),
        (
            with("last_backup_at", json!("2101-01-01T00:00:00Z")),
            "2100",
        ),
        (with("last_backup_at", json!("hier")), "RFC 3339"),
        (
            with(
                "last_integrity_check",
                json!({"at": "0001-01-01T00:00:00Z", "ok": true}),
            ),
            "last_integrity_check",
        ),
        (with("pending_days", json!(-1)), "format attendu"),
        (with("pending_days", json!(1_000_000)), "pending_days"),
        (with("schema_version", json!(-3)), "format attendu"),
        (with("schema_version", json!(99_999)), "schema_version"),
        (
            with("app_version", json!("0.4.1\u{0007}")),
            "caractère de contrôle",
        ),
        (
            with("app_version", json!("0.4.1\n")),
            "caractère de contrôle",
        ),
        (with("app_version", json!("0.4 beta")), "app_version"),
        (with("app_version", json!("")), "app_version"),
        (with("app_version", json!("1".repeat(41))), "app_version"),
        (
            json!({"schema_version": 16, "pending_days": 0}),
            "format attendu",
        ),
    ];
    for (body, words) in &cases {
        let answer = post_json(
            w.address,
            "/api/v1/sante",
            Some(&w.healthy44.device_token),
            body,
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.text()
        );
        let error = answer.error();
        assert_eq!(error.code, ErrorCode::BadRequest);
        assert!(error.message.contains(words), "{body}: {}", error.message);
    }
    let all = postes(&w, &w.admin).await;
    let h = poste(&all, &w.healthy44);
    assert_eq!(h["app_version"], "0.4.1");
    assert_eq!(h["schema_version"], 16);
    assert_eq!(h["pending_days"], 1);
}
