//! The hub against a real PostgreSQL: migrations, `/healthz` in-process, and the real binary.
//!
//! `cargo xtask test` starts a throw-away PostgreSQL and sets `APPLIGARDE_TEST_DATABASE_URL`;
//! each test creates its own database on that server, so the tests run in parallel. The
//! databases are not dropped: they vanish with the throw-away server.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use appligarde_hub::{Error, MIGRATIONS, latest_schema_version, migrate};
use appligarde_protocol::{ErrorBody, ErrorCode, Health, HealthStatus};
use common::{connect, fresh_database, migrated_database, with_database};
use http_body_util::{BodyExt, Empty};
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use tokio::sync::oneshot;
use tokio_postgres::Client;

async fn http_get(address: SocketAddr, path: &str) -> (StatusCode, Bytes) {
    let client = HttpClient::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let uri = format!("http://{address}{path}").parse().unwrap();
    let response = client.get(uri).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

/// A hub served in-process on 127.0.0.1:0 with the default session life.
async fn start_hub(database_url: &str) -> (SocketAddr, oneshot::Sender<()>) {
    common::start_hub(database_url, appligarde_hub::DEFAULT_SESSION_TTL).await
}

async fn schema_migrations_rows(client: &Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn migrations_apply_on_an_empty_database_and_a_second_run_is_a_no_op() {
    let url = fresh_database().await;
    let mut client = connect(&url).await;
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();

    let first = migrate(&mut client).await.unwrap();
    assert_eq!(first.applied, all, "an empty database gets every migration");
    assert_eq!(first.schema_version, latest_schema_version());
    assert_eq!(
        appligarde_hub::schema_version(&client).await.unwrap(),
        latest_schema_version(),
        "the recorded version is the last migration's"
    );

    let second = migrate(&mut client).await.unwrap();
    assert!(second.applied.is_empty(), "nothing is pending: {second:?}");
    assert_eq!(second.schema_version, latest_schema_version());
    assert_eq!(
        schema_migrations_rows(&client).await,
        latest_schema_version(),
        "one record per migration, none added by the second run"
    );
}

#[tokio::test]
async fn two_hubs_migrating_at_once_apply_each_migration_once() {
    // Without the advisory lock both would try to create the tables and one would fail.
    let url = fresh_database().await;
    let (mut first, mut second) = (connect(&url).await, connect(&url).await);
    let (a, b) = tokio::join!(migrate(&mut first), migrate(&mut second));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut applied = [a.applied, b.applied].concat();
    applied.sort_unstable();
    let all: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
    assert_eq!(
        applied, all,
        "each migration applied by exactly one of them"
    );
    assert_eq!(
        schema_migrations_rows(&first).await,
        latest_schema_version()
    );
}

#[tokio::test]
async fn organisation_rows_follow_the_hierarchy_rules() {
    let (_url, client) = migrated_database().await;
    // Ids come back as text so the tests need no UUID crate.
    let urml: String = client
        .query_one(
            "INSERT INTO organisation (kind, name) VALUES ('urml', 'URML Pays de la Loire') \
             RETURNING id::text",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // (label, kind, name, departement, with the URML as parent, accepted)
    let cases = [
        (
            "ADOPS of a département",
            "adops",
            "ADOPS 44",
            Some("44"),
            true,
            true,
        ),
        (
            "MMG in Corse-du-Sud",
            "mmg",
            "MMG Ajaccio",
            Some("2A"),
            false,
            true,
        ),
        (
            "MMG overseas",
            "mmg",
            "MMG Mamoudzou",
            Some("976"),
            false,
            true,
        ),
        (
            "MMG single digit",
            "mmg",
            "MMG Bourg",
            Some("01"),
            false,
            true,
        ),
        (
            "ADOPS without département",
            "adops",
            "ADOPS ?",
            None,
            true,
            false,
        ),
        (
            "URML with a département",
            "urml",
            "URML bis",
            Some("44"),
            false,
            false,
        ),
        ("URML under another", "urml", "URML bis", None, true, false),
        (
            "département 20 no longer exists",
            "mmg",
            "MMG Corse",
            Some("20"),
            false,
            false,
        ),
        (
            "unpadded département",
            "mmg",
            "MMG Ain",
            Some("1"),
            false,
            false,
        ),
        ("unknown kind", "hopital", "CHU", Some("44"), false, false),
        ("blank name", "mmg", "   ", Some("44"), false, false),
    ];
    for (label, kind, name, departement, under_urml, accepted) in cases {
        let parent = under_urml.then_some(urml.as_str());
        let result = client
            .execute(
                "INSERT INTO organisation (kind, name, departement, parent_id) \
                 VALUES ($1, $2, $3, $4::text::uuid)",
                &[&kind, &name, &departement, &parent],
            )
            .await;
        assert_eq!(result.is_ok(), accepted, "{label}: {result:?}");
    }
}

#[tokio::test]
async fn a_database_with_a_newer_schema_is_refused() {
    let (_url, mut client) = migrated_database().await;
    let future = latest_schema_version() + 1;
    client
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, 'from_the_future', '')",
            &[&future],
        )
        .await
        .unwrap();

    let error = migrate(&mut client).await.unwrap_err();
    assert!(
        matches!(error, Error::SchemaTooNew { found, supported }
            if found == future && supported == latest_schema_version()),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("schéma {future}")) && message.contains("plus récent"),
        "the operator must learn the database is newer than the binary: {message}"
    );
    assert_eq!(
        schema_migrations_rows(&client).await,
        latest_schema_version() + 1,
        "a refused database is left untouched"
    );
}

#[tokio::test]
async fn an_edited_migration_is_detected() {
    let (_url, mut client) = migrated_database().await;
    // Same effect as editing 0001_init.sql after it was applied: the checksums differ.
    client
        .execute(
            "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1",
            &[],
        )
        .await
        .unwrap();

    let error = migrate(&mut client).await.unwrap_err();
    assert!(
        matches!(&error, Error::ChecksumMismatch { version: 1, name } if name == MIGRATIONS[0].name),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.contains("0001_init") && message.contains("modifiée"),
        "the message names the edited migration: {message}"
    );
}

#[tokio::test]
async fn healthz_answers_with_the_schema_version() {
    let (url, _client) = migrated_database().await;
    let (address, stop) = start_hub(&url).await;

    let (status, body) = http_get(address, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let health: Health = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        health,
        Health {
            status: HealthStatus::Ok,
            schema_version: latest_schema_version(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        "the hub read the version from the database it serves"
    );
    stop.send(()).unwrap();
}

#[tokio::test]
async fn healthz_answers_503_without_details_when_the_database_is_down() {
    // A port that was free a moment ago: nothing listens there, connections are refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (address, stop) = start_hub(&format!("postgres://nobody@127.0.0.1:{port}/nothing")).await;

    let (status, body) = http_get(address, "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(error.code, ErrorCode::DatabaseUnavailable);
    assert!(
        error.message.contains("injoignable"),
        "a French message: {}",
        error.message
    );
    let raw = String::from_utf8_lossy(&body);
    assert!(
        !raw.contains(&port.to_string()) && !raw.contains("nobody"),
        "the database address must not leak: {raw}"
    );
    stop.send(()).unwrap();
}

#[tokio::test]
async fn unknown_paths_answer_404_in_json() {
    let (url, _client) = migrated_database().await;
    let (address, stop) = start_hub(&url).await;
    let (status, body) = http_get(address, "/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: ErrorBody = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        error.code,
        ErrorCode::NotFound,
        "clients always get an ErrorBody"
    );
    stop.send(()).unwrap();
}

/// Kills the child if a test fails before it has stopped, so no hub outlives the tests.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn hub_command(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_appligarde-hub"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("APPLIGARDE_HUB_DATABASE_URL", database_url)
        .env_remove("APPLIGARDE_HUB_LISTEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

#[tokio::test]
async fn the_binary_serves_healthz_and_stops_cleanly_on_sigterm() {
    // A database never migrated: `serve` must migrate it before answering.
    let url = fresh_database().await;
    let mut hub = Running(hub_command(&url).spawn().unwrap());

    let stdout = hub.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let address: SocketAddr = loop {
        let Some(line) = lines.next() else {
            let mut stderr = String::new();
            hub.0
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            panic!("the hub exited before listening:\n{stderr}");
        };
        if let Some(address) = line.unwrap().strip_prefix("listening on ") {
            break address.parse().unwrap();
        }
    };
    assert_ne!(address.port(), 0, "the real bound port is printed");

    let (status, body) = http_get(address, "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let health: Health = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        health.schema_version,
        latest_schema_version(),
        "serve migrated"
    );

    let kill = Command::new("kill")
        .args(["-TERM", &hub.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let exit = hub.0.wait().unwrap();
    assert!(exit.success(), "SIGTERM is a clean shutdown, got {exit}");
}

#[tokio::test]
async fn the_binary_refuses_a_newer_database_with_a_clear_message() {
    let (url, client) = migrated_database().await;
    client
        .execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, 'from_the_future', '')",
            &[&(latest_schema_version() + 1)],
        )
        .await
        .unwrap();

    let output = hub_command(&url).output().unwrap();
    assert!(
        !output.status.success(),
        "a newer database must stop the hub"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("listening on"),
        "it never served: {stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("plus récent") && stderr.contains("appligarde-hub"),
        "the operator is told why, in French: {stderr}"
    );
}

#[test]
fn database_urls_are_rewritten_to_the_fresh_database() {
    let cases = [
        (
            "postgres://a@127.0.0.1:5/base",
            "postgres://a@127.0.0.1:5/x",
        ),
        (
            "postgres://a@h:5/base?sslmode=disable",
            "postgres://a@h:5/x?sslmode=disable",
        ),
        ("postgres://a@h:5", "postgres://a@h:5/x"),
    ];
    for (url, expected) in cases {
        assert_eq!(with_database(url, "x"), expected);
    }
}
