//! What the hub's integration tests share: a fresh database per test on the PostgreSQL server
//! of `APPLIGARDE_TEST_DATABASE_URL` (started by `cargo xtask test`), an in-process hub on
//! 127.0.0.1:0, and a small HTTP client.
//!
//! Each test binary uses part of this module only.

#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use appligarde_hub::{AppState, migrate};
use appligarde_protocol::ErrorBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_postgres::{Client, NoTls};

pub const DATABASE_URL_VAR: &str = "APPLIGARDE_TEST_DATABASE_URL";

/// The server given by the test runner. Missing means the tests were not started the supported
/// way: fail loudly rather than pass without having tested anything.
pub fn server_url() -> String {
    std::env::var(DATABASE_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{DATABASE_URL_VAR} is not set: the hub tests need a PostgreSQL server. \
             Run them with `cargo xtask test`, which starts a temporary one."
        )
    })
}

/// `url` with its database name replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

pub async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            eprintln!("test connection closed: {error}");
        }
    });
    client
}

/// A new empty database on the test server; returns its URL. The databases are not dropped:
/// they vanish with the throw-away server.
pub async fn fresh_database() -> String {
    let server = server_url();
    let name = format!("hub_test_{:016x}", rand::random::<u64>());
    connect(&server)
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    with_database(&server, &name)
}

/// A fresh database with all migrations applied, and a connection to it.
pub async fn migrated_database() -> (String, Client) {
    let url = fresh_database().await;
    let mut client = connect(&url).await;
    migrate(&mut client).await.unwrap();
    (url, client)
}

/// A hub in-process on 127.0.0.1:0 whose sessions last `session_ttl`; stops when the sender
/// is dropped or used.
pub async fn start_hub(url: &str, session_ttl: Duration) -> (SocketAddr, oneshot::Sender<()>) {
    let state = AppState::new(appligarde_hub::pool(url).unwrap()).with_session_ttl(session_ttl);
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
    (address, stop)
}

/// An HTTP answer, body read in full (still compressed when the hub compressed it).
pub struct Answer {
    pub status: StatusCode,
    pub headers_retry_after: Option<String>,
    pub content_encoding: Option<String>,
    pub content_type: Option<String>,
    /// The tus header of the off-site copies' uploads.
    pub upload_offset: Option<String>,
    pub body: Bytes,
}

impl Answer {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|error| {
            panic!(
                "{error}: {} {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn error(&self) -> ErrorBody {
        self.json()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub async fn call(
    address: SocketAddr,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    call_from(None, address, method, path, token, headers, body).await
}

/// [`call`] from the local address `from` (another client: any 127.x.y.z is this host).
/// `Content-Type: application/json` is sent unless `headers` names one (an empty value: none).
pub async fn call_from(
    from: Option<std::net::IpAddr>,
    address: SocketAddr,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_local_address(from);
    let client = HttpClient::builder(TokioExecutor::new()).build::<_, Full<Bytes>>(connector);
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{address}{path}"));
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-type"))
    {
        request = request.header("content-type", "application/json");
    }
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    for (name, value) in headers.iter().filter(|(_, value)| !value.is_empty()) {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let headers_retry_after = header("retry-after");
    let content_encoding = header("content-encoding");
    let content_type = header("content-type");
    let upload_offset = header("upload-offset");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers_retry_after,
        content_encoding,
        content_type,
        upload_offset,
        body,
    }
}

pub async fn post_json(
    address: SocketAddr,
    path: &str,
    token: Option<&str>,
    value: &impl serde::Serialize,
) -> Answer {
    let body = serde_json::to_vec(value).unwrap();
    call(address, Method::POST, path, token, &[], body).await
}

pub async fn get(address: SocketAddr, path: &str, token: Option<&str>) -> Answer {
    call(address, Method::GET, path, token, &[], Vec::new()).await
}

/// Bytes gunzipped.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read as _;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The password of every user the tests create.
pub const PASSWORD: &str = "un mot de passe assez long";

/// A new PC of `mmg`: a one-time code made by the operator, exchanged for a device token.
pub async fn enroll(
    address: SocketAddr,
    db: &Client,
    mmg: &appligarde_hub::admin::CreatedMmg,
) -> appligarde_protocol::api::EnrollAnswer {
    let code = appligarde_hub::admin::create_enrollment_code(db, &mmg.id, 7)
        .await
        .unwrap();
    let answer = post_json(
        address,
        "/api/v1/enroll",
        None,
        &serde_json::json!({"code": code.code}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json()
}

/// A new user with `role` over `deps`, logged in: its session token.
pub async fn session(
    address: SocketAddr,
    db: &mut Client,
    login: &str,
    role: appligarde_hub::auth::Role,
    deps: &[&str],
) -> String {
    let deps: Vec<String> = deps.iter().map(|d| (*d).to_owned()).collect();
    appligarde_hub::admin::create_user(db, login, role, &deps, PASSWORD)
        .await
        .unwrap();
    let answer = post_json(
        address,
        "/api/v1/login",
        None,
        &serde_json::json!({"login": login, "password": PASSWORD}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    answer.json::<appligarde_protocol::api::LoginAnswer>().token
}
