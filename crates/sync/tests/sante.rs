//! Fleet health end to end (issue 22), with the real hub binary on a real PostgreSQL: a
//! desktop's sync sends its health report (version, schema, last backup, last integrity check,
//! days waiting) and the hub's fleet page (`GET /api/v1/parc/postes`) shows it, with a PC that
//! never backed up flagged; a hub that does not know the route (404) is "not supported", not
//! a failure.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use appligarde_api::sauvegarde::BackupRequest;
use appligarde_api::synchro::Poste as _;
use common::*;
use rand::SeedableRng as _;
use rand::rngs::StdRng;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// One sync pass, as the background task runs it (no session needed).
async fn sync(desktop: &Desktop) {
    let rapport = desktop.sync.synchroniser_async(desktop.api.as_ref()).await;
    assert!(rapport.reussi, "{rapport:?}");
}

async fn postes(hub: &Hub, token: &str) -> Vec<Value> {
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/parc/postes", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let value: Value = response.json().await.unwrap();
    value["postes"].as_array().unwrap().clone()
}

fn device_id(desktop: &Desktop) -> String {
    desktop
        .api
        .synchro_inscription()
        .unwrap()
        .unwrap()
        .device_id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_sends_the_health_report_and_the_fleet_page_shows_it() {
    let database = fresh_database("sync_sante").await;
    // Off-site copies on: the backup made below is copied to the hub at the same sync.
    let offsite = tempfile::tempdir().unwrap();
    let hub = Hub::start_with(
        &database,
        &["--sauvegardes", offsite.path().to_str().unwrap()],
    );
    let nantes = create_mmg(&hub, "44", "MMG Nantes");
    // The desktops' clock is the real time: the hub's flags compare with its own clock.
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .naive_local();
    let mut healthy = Desktop::new(now, 1);
    let unbacked = Desktop::new(now, 2);
    healthy
        .enroll(&hub.url(), &enroll_code(&hub, &nantes))
        .await;
    unbacked
        .enroll(&hub.url(), &enroll_code(&hub, &nantes))
        .await;

    // The healthy PC: consultations two days ago (a day waiting), a backup and a check.
    let mut rng = StdRng::seed_from_u64(7);
    let two_days_ago = now - chrono::Duration::days(2);
    healthy.add_consultations(&[two_days_ago], &mut rng);
    let backups = tempfile::tempdir().unwrap();
    healthy
        .api
        .backup_key_holder(BackupRequest {
            dossier: backups.path().display().to_string(),
        })
        .unwrap();
    assert!(healthy.api.verifier().unwrap().ok);
    let before = healthy.api.rapport_sante().unwrap();
    assert!(before.pending_days >= 1, "{before:?}");
    assert!(before.last_backup_at.is_some(), "{before:?}");
    assert_eq!(
        before.last_integrity_check.as_ref().map(|c| c.ok),
        Some(true)
    );

    sync(&healthy).await;
    sync(&unbacked).await;

    let admin = admin_token(&hub).await;
    let all = postes(&hub, &admin).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let find = |desktop: &Desktop| {
        let id = device_id(desktop);
        all.iter()
            .find(|p| p["device_id"] == id.as_str())
            .unwrap_or_else(|| panic!("{id} missing from {all:?}"))
            .clone()
    };
    let h = find(&healthy);
    let sent = healthy.api.rapport_sante().unwrap();
    assert_eq!(h["app_version"], sent.app_version.as_str());
    assert_eq!(h["schema_version"], sent.schema_version);
    assert_eq!(
        h["pending_days"], 0,
        "the days went up before the report: {h}"
    );
    assert_eq!(h["last_backup_at"], before.last_backup_at.unwrap().as_str());
    assert_eq!(h["integrity_ok"], true);
    assert_eq!(h["canal"], "stable");
    assert_eq!(h["alertes"], serde_json::json!([]), "{h}");

    let u = find(&unbacked);
    assert!(u["reported_at"].is_string(), "it reported: {u}");
    assert!(u["last_backup_at"].is_null(), "{u}");
    assert!(u["integrity_ok"].is_null(), "{u}");
    let codes: Vec<&str> = u["alertes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["sauvegarde"], "{u}");
}

#[tokio::test]
async fn a_hub_without_the_route_answers_404_and_the_report_is_skipped() {
    // A server that answers 404 to everything, as a hub older than the route does to it.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 64 * 1024];
            let mut read = 0;
            // Read the head and the body it announces (bounded by the buffer).
            while let Ok(n) = stream.read(&mut buffer[read..]).await {
                read += n;
                let text = String::from_utf8_lossy(&buffer[..read]).to_lowercase();
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if read >= end + 4 + length {
                        break;
                    }
                }
                if n == 0 || read == buffer.len() {
                    break;
                }
            }
            let body = r#"{"code":"not_found","message":"Adresse inconnue"}"#;
            let answer = format!(
                "HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    let client = appligarde_sync::HubClient::new(&format!("http://{address}"), &[]).unwrap();
    let report = appligarde_protocol::HealthReport {
        app_version: "0.1.0".into(),
        schema_version: 16,
        last_backup_at: None,
        last_integrity_check: None,
        pending_days: 0,
    };
    assert!(!client.envoyer_sante("jeton", &report).await.unwrap());
}
