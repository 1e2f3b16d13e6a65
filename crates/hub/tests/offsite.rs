//! The off-site copies of the backups (issue 27) against a real PostgreSQL and the hub in-process
//! on 127.0.0.1:0: resumable uploads cut at random points, the hash check, who may reach the
//! bytes, the quota, the retention rule, the status per MMG and the retirement of the PC a
//! restored copy came from.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use appligarde_hub::AppState;
use appligarde_hub::admin::{CreatedMmg, create_mmg};
use appligarde_hub::auth::Role;
use appligarde_hub::offsite::OffsiteConfig;
use appligarde_protocol::{
    BackupList, BackupRestored, BackupStatus, BackupUpload, EnrollAnswer, ErrorCode,
};
use common::{Answer, call, enroll, get, migrated_database, post_json, session};
use hyper::{Method, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use sha2::{Digest as _, Sha256};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio_postgres::Client;

struct World {
    address: SocketAddr,
    db: Client,
    dir: tempfile::TempDir,
    mmg44: CreatedMmg,
    device44: EnrollAnswer,
    device49: EnrollAnswer,
    admin: String,
    coord44: String,
    coord49: String,
    _stop: oneshot::Sender<()>,
}

async fn world(quota_bytes: u64) -> World {
    let (url, mut db) = migrated_database().await;
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::new(appligarde_hub::pool(&url).unwrap()).with_offsite(OffsiteConfig {
        dir: dir.path().to_owned(),
        quota_bytes,
    });
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
    let device44 = enroll(address, &db, &mmg44).await;
    let device49 = enroll(address, &db, &mmg49).await;
    let admin = session(address, &mut db, "urml", Role::UrmlAdmin, &[]).await;
    let coord44 = session(address, &mut db, "coord44", Role::Coordinator, &["44"]).await;
    let coord49 = session(address, &mut db, "coord49", Role::Coordinator, &["49"]).await;
    World {
        address,
        db,
        dir,
        mmg44,
        device44,
        device49,
        admin,
        coord44,
        coord49,
        _stop: stop,
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn create(
    address: SocketAddr,
    token: &str,
    bytes: &[u8],
    sha: &str,
    taken_at: &str,
) -> Answer {
    post_json(
        address,
        "/api/v1/backups",
        Some(token),
        &serde_json::json!({"size": bytes.len(), "sha256": sha, "taken_at": taken_at}),
    )
    .await
}

/// `HEAD`: the hub's offset, or the status when it refuses.
async fn head_offset(address: SocketAddr, token: &str, id: &str) -> Result<u64, StatusCode> {
    let answer = call(
        address,
        Method::HEAD,
        &format!("/api/v1/backups/{id}"),
        Some(token),
        &[],
        Vec::new(),
    )
    .await;
    if answer.status != StatusCode::OK {
        return Err(answer.status);
    }
    Ok(answer.upload_offset.unwrap().parse().unwrap())
}

async fn patch(address: SocketAddr, token: &str, id: &str, offset: u64, bytes: &[u8]) -> Answer {
    let offset = offset.to_string();
    call(
        address,
        Method::PATCH,
        &format!("/api/v1/backups/{id}"),
        Some(token),
        &[
            ("content-type", "application/offset+octet-stream"),
            ("upload-offset", &offset),
            ("tus-resumable", "1.0.0"),
        ],
        bytes.to_vec(),
    )
    .await
}

/// Uploads `bytes` whole (create, one `PATCH`): the copy's id.
async fn upload(address: SocketAddr, token: &str, bytes: &[u8], taken_at: &str) -> String {
    let created = create(address, token, bytes, &sha256_hex(bytes), taken_at).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json::<BackupUpload>().id;
    let answer = patch(address, token, &id, 0, bytes).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT, "{}", answer.text());
    id
}

/// A `PATCH` announcing the rest of the file, cut after `sent` bytes: the TCP connection is
/// closed in the middle of the body, as a line that drops.
async fn cut_patch(
    address: SocketAddr,
    token: &str,
    id: &str,
    offset: u64,
    rest: &[u8],
    sent: usize,
) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "PATCH /api/v1/backups/{id} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/offset+octet-stream\r\nTus-Resumable: 1.0.0\r\n\
         Upload-Offset: {offset}\r\nContent-Length: {}\r\n\r\n",
        rest.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&rest[..sent]).await.unwrap();
    stream.shutdown().await.unwrap();
    // The hub answers nothing useful to a cut request; wait until it has closed its side.
    let mut sink = Vec::new();
    let _ = stream.read_to_end(&mut sink).await;
}

#[tokio::test]
async fn an_upload_cut_at_ten_random_points_resumes_to_a_copy_whose_hash_matches() {
    let w = world(1_000_000_000).await;
    let mut rng = StdRng::seed_from_u64(27);
    let bytes: Vec<u8> = (0..300_000).map(|_| rng.random()).collect();
    let sha = sha256_hex(&bytes);
    let token = &w.device44.device_token;
    let created = create(w.address, token, &bytes, &sha, "2026-12-07T19:00:00Z").await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let id = created.json::<BackupUpload>().id;
    let mut offset = 0u64;
    for cut in 0..10 {
        let rest = &bytes[offset as usize..];
        // Somewhere strictly inside what is left, so that every cut leaves work to resume.
        let sent = rng.random_range(1..rest.len() - (10 - cut));
        cut_patch(w.address, token, &id, offset, rest, sent).await;
        // The hub keeps every byte that arrived before the cut: wait until it has written them.
        let expected = offset + sent as u64;
        let mut seen = head_offset(w.address, token, &id).await.unwrap();
        for _ in 0..500 {
            if seen == expected {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            seen = head_offset(w.address, token, &id).await.unwrap();
        }
        assert_eq!(
            seen, expected,
            "cut {cut}: the bytes sent before the cut are kept"
        );
        offset = seen;
    }
    // A resume at a stale offset is refused, with the offset to use.
    let stale = patch(w.address, token, &id, 0, &bytes).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text());
    assert_eq!(stale.error().code, ErrorCode::OffsetMismatch);
    let last = patch(w.address, token, &id, offset, &bytes[offset as usize..]).await;
    assert_eq!(last.status, StatusCode::NO_CONTENT, "{}", last.text());
    let list: BackupList = get(w.address, "/api/v1/backups", Some(token)).await.json();
    assert_eq!(list.copies.len(), 1, "the copy is complete");
    assert_eq!(list.copies[0].sha256, sha, "and verified against its hash");
    let content = get(
        w.address,
        &format!("/api/v1/backups/{id}/content"),
        Some(token),
    )
    .await;
    assert_eq!(content.status, StatusCode::OK);
    assert_eq!(
        sha256_hex(&content.body),
        sha,
        "the bytes downloaded are those sent"
    );
    // A create for the same content finds the complete copy again instead of a new upload.
    let again = create(w.address, token, &bytes, &sha, "2026-12-07T19:00:00Z").await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.json::<BackupUpload>().complete);
}

#[tokio::test]
async fn bytes_that_do_not_match_the_announced_hash_are_refused_and_dropped() {
    let w = world(1_000_000_000).await;
    let token = &w.device44.device_token;
    let bytes = vec![7u8; 5000];
    let mut tampered = bytes.clone();
    tampered[2500] ^= 1;
    let created = create(
        w.address,
        token,
        &bytes,
        &sha256_hex(&bytes),
        "2026-12-07T19:00:00Z",
    )
    .await;
    let id = created.json::<BackupUpload>().id;
    let answer = patch(w.address, token, &id, 0, &tampered).await;
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.text()
    );
    assert_eq!(answer.error().code, ErrorCode::ChecksumMismatch);
    assert_eq!(
        head_offset(w.address, token, &id).await,
        Err(StatusCode::NOT_FOUND)
    );
    let file: PathBuf = w.dir.path().join(&w.mmg44.id).join(&id);
    assert!(!file.exists(), "the refused bytes are deleted");
    // More bytes than announced: refused, and this request's bytes are taken back.
    let created = create(
        w.address,
        token,
        &bytes,
        &sha256_hex(&bytes),
        "2026-12-07T19:00:00Z",
    )
    .await;
    let id = created.json::<BackupUpload>().id;
    let mut longer = bytes.clone();
    longer.push(0);
    let answer = patch(w.address, token, &id, 0, &longer).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.text());
    assert_eq!(head_offset(w.address, token, &id).await, Ok(0));
}

#[tokio::test]
async fn only_the_mmgs_own_devices_reach_its_copies_and_users_see_dates_and_sizes() {
    let w = world(1_000_000_000).await;
    let bytes = vec![1u8; 1000];
    let id = upload(
        w.address,
        &w.device44.device_token,
        &bytes,
        "2026-12-07T19:00:00Z",
    )
    .await;
    let content = format!("/api/v1/backups/{id}/content");
    // Another MMG's device: as if the copy did not exist.
    let other = &w.device49.device_token;
    assert_eq!(
        get(w.address, &content, Some(other)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        head_offset(w.address, other, &id).await,
        Err(StatusCode::NOT_FOUND)
    );
    assert_eq!(
        patch(w.address, other, &id, 0, b"x").await.status,
        StatusCode::NOT_FOUND
    );
    let restored = post_json(
        w.address,
        &format!("/api/v1/backups/{id}/restored"),
        Some(other),
        &(),
    )
    .await;
    assert_eq!(restored.status, StatusCode::NOT_FOUND);
    let list: BackupList = get(w.address, "/api/v1/backups", Some(other)).await.json();
    assert!(list.copies.is_empty(), "another MMG lists none of them");
    // Users (URML, coordinators) never get the bytes nor the list: theirs are not device tokens.
    for user in [&w.admin, &w.coord44, &w.coord49] {
        assert_eq!(
            get(w.address, &content, Some(user)).await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            get(w.address, "/api/v1/backups", Some(user)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        get(w.address, &content, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The status: per MMG the user may read; devices and strangers get nothing.
    let status = |token: Option<&str>, query: &'static str| {
        let address = w.address;
        let token = token.map(str::to_owned);
        async move {
            get(
                address,
                &format!("/api/v1/stats/backups{query}"),
                token.as_deref(),
            )
            .await
        }
    };
    let all: BackupStatus = status(Some(&w.admin), "").await.json();
    assert_eq!(all.mmgs.len(), 2, "the URML sees every MMG");
    let mine: BackupStatus = status(Some(&w.coord44), "").await.json();
    assert_eq!(
        mine.mmgs.len(),
        1,
        "a coordinator sees their département's MMGs only"
    );
    let row = &mine.mmgs[0];
    assert_eq!(row.mmg_id, w.mmg44.id);
    assert_eq!(row.last_copy_bytes, Some(1000));
    assert!(!row.no_copy_48h, "a copy just arrived");
    let theirs: BackupStatus = status(Some(&w.coord49), "").await.json();
    assert!(theirs.mmgs[0].no_copy_48h, "MMG 49 never sent one");
    assert_eq!(
        status(Some(&w.coord49), "?departement=44").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(Some(&w.coord44), "?departement=4x").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        status(Some(&w.device44.device_token), "").await.status,
        StatusCode::UNAUTHORIZED
    );
    // The flag rises once the last copy is older than 48 hours.
    w.db.execute(
        "UPDATE offsite_copy SET completed_at = now() - interval '49 hours'",
        &[],
    )
    .await
    .unwrap();
    let later: BackupStatus = status(Some(&w.coord44), "").await.json();
    assert!(
        later.mmgs[0].no_copy_48h,
        "aucune copie hors site depuis 48 h"
    );
}

#[tokio::test]
async fn the_quota_is_said_clearly_and_retention_keeps_one_copy_per_day() {
    let w = world(100_000).await;
    let token = &w.device44.device_token;
    // Sixteen daily copies of one month: the rule keeps the 14 newest days.
    for day in 1..=16 {
        let bytes = vec![day as u8; 1000];
        upload(
            w.address,
            token,
            &bytes,
            &format!("2026-11-{day:02}T20:00:00Z"),
        )
        .await;
    }
    let list: BackupList = get(w.address, "/api/v1/backups", Some(token)).await.json();
    assert_eq!(list.copies.len(), 14, "14 daily copies kept");
    assert_eq!(
        list.copies[0].taken_at, "2026-11-16T20:00:00Z",
        "newest first"
    );
    assert_eq!(list.copies[13].taken_at, "2026-11-03T20:00:00Z");
    let files = std::fs::read_dir(w.dir.path().join(&w.mmg44.id))
        .unwrap()
        .count();
    assert_eq!(files, 14, "the dropped copies' files are deleted too");
    // Past the quota (100 kB, 14 kB used): a French 413 saying so.
    let big = vec![0u8; 90_000];
    let refused = create(
        w.address,
        token,
        &big,
        &sha256_hex(&big),
        "2026-11-17T20:00:00Z",
    )
    .await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    let error = refused.error();
    assert_eq!(error.code, ErrorCode::QuotaExceeded);
    assert!(error.message.contains("quota"), "{}", error.message);
    assert!(
        error.message.contains("URML"),
        "says whom to ask: {}",
        error.message
    );
    // Bad input is a 400, never a 5xx.
    for body in [
        serde_json::json!({"size": 0, "sha256": sha256_hex(b""), "taken_at": "2026-11-17T20:00:00Z"}),
        serde_json::json!({"size": 3, "sha256": "zz", "taken_at": "2026-11-17T20:00:00Z"}),
        serde_json::json!({"size": 3, "sha256": sha256_hex(b"abc"), "taken_at": "hier"}),
        serde_json::json!({"size": 3, "sha256": sha256_hex(b"abc"), "taken_at": "1900-01-01T00:00:00Z"}),
    ] {
        let answer = post_json(w.address, "/api/v1/backups", Some(token), &body).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.text()
        );
    }
}

#[tokio::test]
async fn a_restored_copy_retires_the_pc_it_came_from() {
    let w = world(1_000_000_000).await;
    let bytes = vec![3u8; 2000];
    let id = upload(
        w.address,
        &w.device44.device_token,
        &bytes,
        "2026-12-07T19:00:00Z",
    )
    .await;
    let new_pc = enroll(w.address, &w.db, &w.mmg44).await;
    let answer = post_json(
        w.address,
        &format!("/api/v1/backups/{id}/restored"),
        Some(&new_pc.device_token),
        &(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json::<BackupRestored>().devices_retired, 1);
    let old = get(w.address, "/api/v1/backups", Some(&w.device44.device_token)).await;
    assert_eq!(
        old.status,
        StatusCode::UNAUTHORIZED,
        "the old PC's token is refused"
    );
    let list: BackupList = get(w.address, "/api/v1/backups", Some(&new_pc.device_token))
        .await
        .json();
    assert_eq!(list.copies.len(), 1, "the copy stays the MMG's");
}
