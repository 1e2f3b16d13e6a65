//! The HTTP face of the hub: routes, handlers and the server loop.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use appligarde_protocol::{
    AggregateBatch, AggregateReceipt, BACKUPS_PATH, BackupCreate, BackupList, BackupRestored,
    BackupStatus, BackupUpload, CONVENTIONS_PATH, ConventionAcceptances, DailyStats,
    ENROLL_IDENTITY_PATH, EnrollAnswer, EnrollRequest, HEALTH_PATH, Health, HealthReport,
    HealthStatus, IdentityRequest, LoginAnswer, LoginRequest, MmgIdentityAnswer,
    REFERENCE_BDPM_PARAM, REFERENCE_CONVENTIONS_PARAM, REFERENCE_PATH, TUS_CONTENT_TYPE,
    TUS_VERSION,
};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{MethodRouter, get, head, patch, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use deadpool_postgres::Pool;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpListener;
use tower_governor::GovernorError;
use tower_governor::GovernorLayer;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::state::AppState;
use crate::{
    Error, VERSION, aggregates, auth, conventions, dashboard, enrollment, identite, ids, migrate,
    offsite, reference, sante,
};

/// Longest a health check may take before the database is reported unavailable: a monitor
/// must get an answer even when PostgreSQL hangs instead of refusing.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request body as sent (compressed or not).
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Largest request body once gunzipped: a small gzip bomb must not fill the memory.
const MAX_DECODED_BYTES: u64 = 32 * 1024 * 1024;
/// Largest body of the endpoints that take no credential (login, enrollment); they refuse
/// compressed bodies, so nothing is inflated before a credential is checked.
const MAX_UNAUTHENTICATED_BODY_BYTES: usize = 64 * 1024;
/// Requests per client address to the endpoints that take no credential: a burst of this
/// many, then one per [`UNAUTHENTICATED_REFILL`]. Above, 429 at once, before any work.
const UNAUTHENTICATED_BURST: u32 = 30;
const UNAUTHENTICATED_REFILL: Duration = Duration::from_millis(100);

/// The rate limit of the endpoints that take no credential, keyed by the TCP peer's address.
fn unauthenticated_limit()
-> Arc<GovernorConfig<PeerIpKeyExtractor, governor::middleware::NoOpMiddleware>> {
    let config = GovernorConfigBuilder::default()
        .period(UNAUTHENTICATED_REFILL)
        .burst_size(UNAUTHENTICATED_BURST)
        .finish()
        .unwrap_or_default();
    // The limiter keeps a cell per client address: forget the idle ones once a minute, for as
    // long as the router lives (a `routes()` listing outside a runtime starts nothing).
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        let limiter = Arc::downgrade(config.limiter());
        runtime.spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            every_minute.tick().await;
            loop {
                every_minute.tick().await;
                let Some(limiter) = limiter.upgrade() else {
                    break;
                };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
    }
    Arc::new(config)
}

/// A rate limiter's refusal as the hub's JSON 429 (or 500 when no client address is known,
/// which `serve` always provides).
fn governor_refusal(error: GovernorError) -> Response {
    match error {
        GovernorError::TooManyRequests { wait_time, .. } => Error::TooManyAttempts {
            retry_after_seconds: wait_time.max(1),
        }
        .into_response(),
        other => Error::Internal(Box::new(other)).into_response(),
    }
}

/// Every endpoint: method, path, handler. [`router`] is built from this list and [`routes`]
/// reads it, so the OpenAPI test sees exactly what is served.
fn endpoints() -> Vec<(Method, &'static str, MethodRouter<AppState>)> {
    // Login and enrollment share one budget per address; the first start's reading of an MMG's
    // identity has its own, so that an assistant retrying a mistyped code never delays a login
    // from the same address (both are one-time-code guesses over 80 bits either way).
    let limit = unauthenticated_limit();
    let identity_limit = unauthenticated_limit();
    let limited =
        |limit: &Arc<GovernorConfig<PeerIpKeyExtractor, governor::middleware::NoOpMiddleware>>,
         handler: MethodRouter<AppState>| {
            handler
                .layer::<_, std::convert::Infallible>(
                    GovernorLayer::new(limit.clone()).error_handler(governor_refusal),
                )
                .layer(DefaultBodyLimit::max(MAX_UNAUTHENTICATED_BODY_BYTES))
        };
    let unauthenticated = |handler: MethodRouter<AppState>| limited(&limit, handler);
    vec![
        (Method::GET, "/healthz", get(healthz)),
        (Method::POST, "/api/v1/login", unauthenticated(post(login))),
        (Method::POST, "/api/v1/logout", post(logout)),
        (
            Method::POST,
            "/api/v1/enroll",
            unauthenticated(post(enroll)),
        ),
        (
            Method::POST,
            ENROLL_IDENTITY_PATH,
            limited(&identity_limit, post(enroll_identity)),
        ),
        (Method::POST, "/api/v1/aggregates", post(upload_aggregates)),
        (Method::GET, REFERENCE_PATH, get(reference_changes)),
        (Method::POST, CONVENTIONS_PATH, post(upload_conventions)),
        (Method::GET, "/api/v1/parc", get(parc)),
        (Method::POST, HEALTH_PATH, post(upload_health)),
        (Method::GET, "/api/v1/parc/postes", get(parc_postes)),
        (Method::GET, "/api/v1/me", get(me)),
        (Method::GET, "/api/v1/stats/daily", get(daily_stats)),
        (Method::GET, "/api/v1/stats/monthly", get(monthly_stats)),
        (Method::GET, "/api/v1/stats/days", get(days_stats)),
        (Method::GET, "/api/v1/stats/doctors", get(doctor_stats)),
        (Method::GET, "/api/v1/communes", get(communes)),
        (Method::POST, BACKUPS_PATH, post(backup_create)),
        (Method::GET, BACKUPS_PATH, get(backup_list)),
        (Method::HEAD, "/api/v1/backups/{id}", head(backup_offset)),
        (
            Method::PATCH,
            "/api/v1/backups/{id}",
            // The body is streamed to its file, up to the size announced at creation.
            patch(backup_append).layer(DefaultBodyLimit::disable()),
        ),
        (
            Method::GET,
            "/api/v1/backups/{id}/content",
            get(backup_content),
        ),
        (
            Method::POST,
            "/api/v1/backups/{id}/restored",
            post(backup_restored),
        ),
        (Method::GET, "/api/v1/stats/backups", get(backup_status)),
        (Method::GET, "/api/v1/oru/daily", get(oru_daily)),
        (Method::GET, "/api/v1/oru/daily.csv", get(oru_daily_csv)),
    ]
}

/// The (method, path) of every route of [`router`].
pub fn routes() -> Vec<(Method, &'static str)> {
    endpoints()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

/// All the hub's routes. Unknown paths answer 404 with a JSON [`appligarde_protocol::ErrorBody`].
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in endpoints() {
        router = router.route(path, handler);
    }
    // The coordinators' web page: static files, outside the API (and outside `routes()`).
    router = dashboard::pages(router);
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// Serves [`router`] on `listener` until SIGTERM or Ctrl-C, then finishes the requests in
/// flight and returns.
pub async fn serve(pool: Pool, listener: TcpListener) -> Result<(), Error> {
    serve_with_shutdown(pool, listener, shutdown_signal()).await
}

/// Like [`serve`], with a given [`AppState`] (the binary adds the off-site copies' directory).
pub async fn serve_state(state: AppState, listener: TcpListener) -> Result<(), Error> {
    serve_state_with_shutdown(state, listener, shutdown_signal()).await
}

/// Like [`serve`], but stops when `shutdown` completes (tests use a channel).
pub async fn serve_with_shutdown(
    pool: Pool,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    serve_state_with_shutdown(AppState::new(pool), listener, shutdown).await
}

/// Like [`serve_with_shutdown`], with a given [`AppState`] (tests shorten the session life).
pub async fn serve_state_with_shutdown(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("server stopped");
    Ok(())
}

/// Completes on Ctrl-C, or on SIGTERM on Unix (what systemd and `kill` send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}

/// `GET /healthz`: 200 with the schema version once the database has answered a query;
/// 503 when it cannot be reached, does not answer in time, or has no schema.
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, Error> {
    let check = async {
        let client = state.pool.get().await?;
        migrate::schema_version(&client).await
    };
    let schema_version = match tokio::time::timeout(HEALTH_TIMEOUT, check).await {
        Ok(Ok(version)) => version,
        Ok(Err(Error::DatabaseUnavailable(source))) => {
            return Err(Error::DatabaseUnavailable(source));
        }
        Ok(Err(other)) => return Err(Error::unavailable(other)),
        Err(elapsed) => return Err(Error::unavailable(elapsed)),
    };
    Ok(Json(Health {
        status: HealthStatus::Ok,
        schema_version,
        version: VERSION.to_owned(),
    }))
}

async fn not_found() -> Error {
    Error::NotFound
}

/// Whether a request body may be compressed: only where a credential was checked first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compressed {
    Accepted,
    Refused,
}

/// Whether `Content-Type` is `application/json` (parameters such as `charset` allowed).
fn is_json_content_type(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether the JSON text `bytes` has a control character in a string: an escape (`\u0000`,
/// `\n`...) or a raw C1 character (raw C0 characters are not valid JSON already). Backslashes
/// only occur inside strings, so a scan of escapes is exact.
fn has_control_in_strings(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => match bytes.get(i + 1) {
                Some(b'b' | b'f' | b'n' | b'r' | b't') => return true,
                Some(b'u') => {
                    let code = bytes
                        .get(i + 2..i + 6)
                        .and_then(|hex| std::str::from_utf8(hex).ok())
                        .and_then(|hex| u32::from_str_radix(hex, 16).ok());
                    if code.is_some_and(|c| c < 0x20 || (0x7f..=0x9f).contains(&c)) {
                        return true;
                    }
                    i += 6;
                }
                _ => i += 2,
            },
            // U+0080 to U+009F in UTF-8.
            0xC2 if bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)) => return true,
            _ => i += 1,
        }
    }
    false
}

/// The body of a request parsed as JSON `T`, gunzipped first when `Content-Encoding: gzip` and
/// `compressed` accepts it. `Content-Type` must be `application/json` (else 415: a web page
/// cannot send such a request from a browser without the hub's consent). Any fault becomes a
/// French 400 (or 413, 415) that says where, never what serde said.
fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    compressed: Compressed,
) -> Result<T, Error> {
    if !is_json_content_type(headers) {
        return Err(Error::UnsupportedMediaType(
            "le corps doit être du JSON, envoyé avec l'en-tête Content-Type: application/json",
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::BadRequest("le corps de la requête n'a pas pu être lu".to_owned())
        }
    })?;
    let encoding = headers
        .get(CONTENT_ENCODING)
        .map(|value| value.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    let decoded;
    let bytes: &[u8] = match encoding.as_deref() {
        None | Some("identity") => &body,
        Some(_) if compressed == Compressed::Refused => {
            return Err(Error::UnsupportedMediaType(
                "cette adresse n'accepte pas de corps compressé (en-tête Content-Encoding)",
            ));
        }
        Some("gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .take(MAX_DECODED_BYTES + 1)
                .read_to_end(&mut out)
                .map_err(|_| {
                    Error::BadRequest(
                        "le corps annoncé comme gzip (Content-Encoding) est illisible".to_owned(),
                    )
                })?;
            if out.len() as u64 > MAX_DECODED_BYTES {
                return Err(Error::PayloadTooLarge);
            }
            decoded = out;
            &decoded
        }
        Some(_) => {
            return Err(Error::BadRequest(
                "seul l'encodage gzip est accepté (en-tête Content-Encoding)".to_owned(),
            ));
        }
    };
    if has_control_in_strings(bytes) {
        return Err(Error::BadRequest(
            "un texte du JSON contient un caractère de contrôle (NUL, saut de ligne, \
             tabulation...) : retirez-le"
                .to_owned(),
        ));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        let (line, column) = (error.line(), error.column());
        Error::BadRequest(if error.is_data() {
            format!(
                "le JSON ne suit pas le format attendu (ligne {line}, colonne {column}) : \
                 vérifiez les champs obligatoires, les dates (AAAA-MM-JJ), les créneaux et les \
                 nombres"
            )
        } else {
            format!("le corps n'est pas un JSON valide (ligne {line}, colonne {column})")
        })
    })
}

/// `POST /api/v1/login`: a session token for a user, or 401; 429 after too many failures.
async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginAnswer>, Error> {
    let request: LoginRequest = json_body(&headers, body, Compressed::Refused)?;
    let ttl = i64::try_from(state.session_ttl.as_secs()).unwrap_or(i64::MAX);
    let token = auth::login(
        &state.pool,
        &state.hashers,
        peer.ip(),
        &request.login,
        &request.password,
        ttl,
    )
    .await?;
    Ok(Json(LoginAnswer { token }))
}

/// `POST /api/v1/logout`: ends the session of the bearer token (204); the token is refused
/// from then on.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    if auth::logout(&client, token).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::Unauthenticated)
    }
}

/// `POST /api/v1/enroll`: a one-time code for a new device of its MMG.
async fn enroll(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<EnrollAnswer>, Error> {
    let request: EnrollRequest = json_body(&headers, body, Compressed::Refused)?;
    let mut client = state.pool.get().await?;
    let answer = enrollment::enroll(
        &mut client,
        &request.code,
        request.replaces_device_id.as_deref(),
    )
    .await?;
    tracing::info!(device_id = %answer.device_id, mmg_id = %answer.mmg_id, "device enrolled");
    Ok(Json(answer))
}

/// `POST /api/v1/enroll/identity`: the identity the URML recorded for the MMG of a valid
/// enrollment code, read without spending the code (the first-start assistant).
async fn enroll_identity(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<MmgIdentityAnswer>, Error> {
    let request: IdentityRequest = json_body(&headers, body, Compressed::Refused)?;
    let client = state.pool.get().await?;
    let answer = identite::identity_for_code(&client, &request.code).await?;
    tracing::info!("MMG identity read with an enrollment code");
    Ok(Json(answer))
}

/// `POST /api/v1/aggregates`: a batch from an enrolled PC (device token), stored in one
/// transaction.
async fn upload_aggregates(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AggregateReceipt>, Error> {
    let token = auth::bearer(&headers)?;
    let mut client = state.pool.get().await?;
    let device = auth::device_from_token(&client, token).await?;
    let batch: AggregateBatch = json_body(&headers, body, Compressed::Accepted)?;
    let receipt = aggregates::upload(&mut client, &device, &batch).await?;
    Ok(Json(receipt))
}

/// Smallest answer worth compressing.
const GZIP_MIN_BYTES: usize = 1024;

/// Whether the request's `Accept-Encoding` admits gzip (`gzip` or `*`, not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q <= 0.0))
            });
            (coding == "gzip" || coding == "*") && !refused
        })
}

/// `value` as a JSON answer, gzip-compressed when the client accepts it and it is not tiny.
fn json_answer(headers: &HeaderMap, value: &impl Serialize) -> Result<Response, Error> {
    let body = serde_json::to_vec(value).map_err(|error| Error::Internal(Box::new(error)))?;
    json_bytes_answer(headers, body)
}

/// [`json_answer`] for a body already serialised.
fn json_bytes_answer(headers: &HeaderMap, body: Vec<u8>) -> Result<Response, Error> {
    let mut builder = Response::builder()
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(VARY, HeaderValue::from_static("accept-encoding"));
    let body = if accepts_gzip(headers) && body.len() >= GZIP_MIN_BYTES {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 4),
            flate2::Compression::fast(),
        );
        encoder.write_all(&body)?;
        builder = builder.header(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        encoder.finish()?
    } else {
        body
    };
    builder
        .body(Body::from(body))
        .map_err(|error| Error::Internal(Box::new(error)))
}

/// The query string as a map, or a French 400.
fn query_map(
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<BTreeMap<String, String>, Error> {
    query
        .map(|Query(map)| map)
        .map_err(|_| Error::BadRequest("les paramètres de l'adresse sont mal encodés".to_owned()))
}

/// `GET /api/v1/reference?since=N`: the next publication after version N, for enrolled PCs.
async fn reference_changes(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    auth::device_from_token(&client, token).await?;
    let query = query_map(query)?;
    let since = match query.get("since") {
        None => 0,
        Some(text) => text.trim().parse::<u64>().map_err(|_| {
            Error::BadRequest(
                "le paramètre « since » doit être la dernière version appliquée, un entier \
                 positif ou nul (par exemple since=0)"
                    .to_owned(),
            )
        })?,
    };
    let conventions = match query.get(REFERENCE_CONVENTIONS_PARAM).map(|v| v.trim()) {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => {
            return Err(Error::BadRequest(
                "le paramètre « conventions » vaut 1 (le poste lit les conventions) ou 0"
                    .to_owned(),
            ));
        }
    };
    let bdpm = match query.get(REFERENCE_BDPM_PARAM).map(|v| v.trim()) {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => {
            return Err(Error::BadRequest(
                "le paramètre « bdpm » vaut 1 (le poste lit la base des médicaments) ou 0"
                    .to_owned(),
            ));
        }
    };
    let changes = reference::changes_since(&client, since, conventions, bdpm).await?;
    json_answer(&headers, &changes)
}

/// `POST /api/v1/conventions`: the versions of the convention of use and of the users' charter
/// accepted in the calling PC's MMG (numbers and dates only), 204.
async fn upload_conventions(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Error> {
    let token = auth::bearer(&headers)?;
    let mut client = state.pool.get().await?;
    let device = auth::device_from_token(&client, token).await?;
    let report: ConventionAcceptances = json_body(&headers, body, Compressed::Accepted)?;
    conventions::upload(&mut client, &device, &report).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/parc`: which version of each text each MMG the user may read accepted.
async fn parc(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let parc = conventions::parc(&client, &user).await?;
    json_answer(&headers, &parc)
}

/// `POST /api/v1/sante`: the calling PC's health report (versions, dates, a count), 204.
async fn upload_health(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let device = auth::device_from_token(&client, token).await?;
    let report: HealthReport = json_body(&headers, body, Compressed::Accepted)?;
    sante::upload(&client, &device, &report).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/parc/postes`: the health of each PC of the MMGs the user may read.
async fn parc_postes(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let postes = sante::postes(&client, &user).await?;
    json_answer(&headers, &postes)
}

/// `GET /api/v1/me`: who the session belongs to and which MMGs they may read.
async fn me(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<dashboard::Me>, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    Ok(Json(dashboard::me(&client, &user).await?))
}

/// The `departement` parameter, upper-cased, or a French 400.
fn departement_param(query: &BTreeMap<String, String>) -> Result<String, Error> {
    query
        .get("departement")
        .map(|d| d.trim().to_uppercase())
        .filter(|d| ids::is_departement(d))
        .ok_or_else(|| {
            Error::BadRequest(
                "le paramètre « departement » doit être un code de département (par exemple \
                 departement=44)"
                    .to_owned(),
            )
        })
}

/// The optional `mmgs` parameter (MMG ids separated by commas): the answer lists only those
/// MMGs, and its top-level indicators are theirs. `None` when absent (every MMG).
fn mmgs_param(query: &BTreeMap<String, String>) -> Result<Option<BTreeSet<String>>, Error> {
    let Some(text) = query.get("mmgs") else {
        return Ok(None);
    };
    let mut selected = BTreeSet::new();
    for id in text.split(',').map(str::trim).filter(|id| !id.is_empty()) {
        let id = id.to_ascii_lowercase();
        if !ids::is_uuid(&id) {
            return Err(Error::BadRequest(
                "le paramètre « mmgs » doit être une liste d'identifiants de MMG séparés par des \
                 virgules (voir GET /api/v1/me)"
                    .to_owned(),
            ));
        }
        selected.insert(id);
    }
    Ok(Some(selected))
}

/// The date parameter `name` (`AAAA-MM-JJ`, or `AAAA-MM` when `month_ok`, read as the 1st).
fn date_param(
    query: &BTreeMap<String, String>,
    name: &str,
    month_ok: bool,
) -> Result<NaiveDate, Error> {
    query
        .get(name)
        .map(|text| text.trim())
        .and_then(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .or_else(|| {
                    month_ok
                        .then(|| NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok())
                        .flatten()
                })
        })
        .filter(|date| appligarde_protocol::is_plausible_date(*date))
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "le paramètre « {name} » doit être une date AAAA-MM-JJ entre {} et {} (par \
                 exemple {name}=2026-01-31)",
                appligarde_protocol::MIN_DATE_YEAR,
                appligarde_protocol::MAX_DATE_YEAR
            ))
        })
}

/// `GET /api/v1/stats/monthly?departement=NN&from=AAAA-MM&to=AAAA-MM`: the months of the MMGs
/// of a département (the dashboard's figures), for users (session token).
async fn monthly_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let departement = departement_param(&query)?;
    let (from, to) = (
        date_param(&query, "from", true)?,
        date_param(&query, "to", true)?,
    );
    if to < from {
        return Err(Error::BadRequest(
            "la date « to » précède la date « from »".to_owned(),
        ));
    }
    if (to - from).num_days() > aggregates::MAX_MONTHLY_RANGE_DAYS {
        return Err(Error::BadRequest(
            "une demande mensuelle couvre au plus 10 ans : découpez la période".to_owned(),
        ));
    }
    let selected = mmgs_param(&query)?;
    let stats = aggregates::monthly_stats_selected(
        &client,
        &user,
        &departement,
        from,
        to,
        selected.as_ref(),
    )
    .await?;
    json_bytes_answer(&headers, stats.into_bytes())
}

/// `GET /api/v1/stats/daily?departement=NN&from=DATE&to=DATE`: for users (session token).
async fn daily_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<DailyStats>, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let departement = departement_param(&query)?;
    let (from, to) = (
        date_param(&query, "from", false)?,
        date_param(&query, "to", false)?,
    );
    if to < from {
        return Err(Error::BadRequest(
            "la date « to » précède la date « from »".to_owned(),
        ));
    }
    if (to - from).num_days() >= aggregates::MAX_RANGE_DAYS {
        return Err(Error::BadRequest(format!(
            "une demande couvre au plus {} jours : découpez la période",
            aggregates::MAX_RANGE_DAYS
        )));
    }
    let stats = aggregates::daily_stats(&client, &user, &departement, from, to).await?;
    Ok(Json(stats))
}

/// The `from` and `to` dates (`AAAA-MM-JJ`) of a request, in order and at most `max_days` apart.
fn date_range(
    query: &BTreeMap<String, String>,
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), Error> {
    let (from, to) = (
        date_param(query, "from", false)?,
        date_param(query, "to", false)?,
    );
    if to < from {
        return Err(Error::BadRequest(
            "la date « to » précède la date « from »".to_owned(),
        ));
    }
    if (to - from).num_days() >= max_days {
        return Err(Error::BadRequest(format!(
            "une demande couvre au plus {max_days} jours : découpez la période"
        )));
    }
    Ok((from, to))
}

/// The syndromic indicators of a request's département and period (`crate::oru`), for users.
async fn oru_answer(
    state: &AppState,
    headers: &HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<crate::oru::OruDaily, Error> {
    let token = auth::bearer(headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let departement = departement_param(&query)?;
    let (from, to) = date_range(&query, crate::oru::MAX_ORU_RANGE_DAYS)?;
    crate::oru::daily(&**client, &user, &departement, from, to).await
}

/// `GET /api/v1/oru/daily?departement=NN&from=DATE&to=DATE`: the syndromic indicators per day
/// and MMG (JSON), for the URML and the département's coordinators (session token).
async fn oru_daily(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let answer = oru_answer(&state, &headers, query).await?;
    json_answer(&headers, &answer)
}

/// `GET /api/v1/oru/daily.csv?departement=NN&from=DATE&to=DATE`: the same as a CSV for a French
/// spreadsheet, as an attachment.
async fn oru_daily_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let answer = oru_answer(&state, &headers, query).await?;
    let name = format!(
        "attachment; filename=\"oru-{}-{}-{}.csv\"",
        answer.departement, answer.from, answer.to
    );
    Response::builder()
        .header(
            CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        )
        .header(
            axum::http::header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&name).map_err(|error| Error::Internal(Box::new(error)))?,
        )
        .body(Body::from(crate::oru::csv(&answer)))
        .map_err(|error| Error::Internal(Box::new(error)))
}

/// `GET /api/v1/stats/days?departement=NN&from=DATE&to=DATE`: the dashboard's day view (at
/// most a quarter), for users (session token).
async fn days_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let departement = departement_param(&query)?;
    let (from, to) = date_range(&query, aggregates::MAX_DAYS_RANGE_DAYS)?;
    let selected = mmgs_param(&query)?;
    let stats =
        aggregates::days_stats_selected(&client, &user, &departement, from, to, selected.as_ref())
            .await?;
    json_answer(&headers, &stats)
}

/// `GET /api/v1/stats/doctors?mmg=ID&from=DATE&to=DATE`: one MMG's activity per doctor (opaque
/// keys), for users who may read its département.
async fn doctor_stats(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let mmg = query
        .get("mmg")
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| ids::is_uuid(m))
        .ok_or_else(|| {
            Error::BadRequest(
                "le paramètre « mmg » doit être l'identifiant d'une MMG (voir GET /api/v1/me)"
                    .to_owned(),
            )
        })?;
    let (from, to) = date_range(&query, aggregates::MAX_RANGE_DAYS)?;
    let stats = aggregates::doctor_stats(&client, &user, &mmg, from, to).await?;
    json_answer(&headers, &stats)
}

/// `GET /api/v1/communes`: commune names from the latest RPPS publication, for users.
async fn communes(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    auth::user_from_token(&client, token).await?;
    let communes = dashboard::communes(&client).await?;
    json_answer(&headers, &communes)
}

// ---------------------------------------------------------------------------------------------
// Off-site copies of the backups (issue 27): devices upload (tus 1.0 core), list and download
// their MMG's copies; users read the status per MMG. The rules are in `offsite`.

const TUS_RESUMABLE: &str = "tus-resumable";
const UPLOAD_OFFSET: &str = "upload-offset";
const UPLOAD_LENGTH: &str = "upload-length";

/// The device of the bearer token, with a connection.
async fn device_client(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(deadpool_postgres::Object, auth::Device), Error> {
    let token = auth::bearer(headers)?;
    let client = state.pool.get().await?;
    let device = auth::device_from_token(&client, token).await?;
    Ok((client, device))
}

/// A tus answer: `Tus-Resumable`, no caching, and the offset (and length) headers.
fn tus_answer(status: StatusCode, offset: u64, length: Option<u64>) -> Result<Response, Error> {
    let mut builder = Response::builder()
        .status(status)
        .header(TUS_RESUMABLE, TUS_VERSION)
        .header(UPLOAD_OFFSET, offset)
        .header(axum::http::header::CACHE_CONTROL, "no-store");
    if let Some(length) = length {
        builder = builder.header(UPLOAD_LENGTH, length);
    }
    builder
        .body(Body::empty())
        .map_err(|error| Error::Internal(Box::new(error)))
}

/// `POST /api/v1/backups`: a new upload (201, `Location`), or the MMG's upload of the same
/// content (200), for an enrolled PC.
async fn backup_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (mut client, device) = device_client(&state, &headers).await?;
    let request: BackupCreate = json_body(&headers, body, Compressed::Refused)?;
    let (upload, created): (BackupUpload, bool) =
        offsite::create(&mut client, &state.offsite, &device, &request).await?;
    let mut response = (
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(&upload),
    )
        .into_response();
    let location = format!("{BACKUPS_PATH}/{}", upload.id);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(TUS_VERSION));
    Ok(response)
}

/// `GET /api/v1/backups`: the MMG's complete copies, for an enrolled PC.
async fn backup_list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<BackupList>, Error> {
    let (client, device) = device_client(&state, &headers).await?;
    Ok(Json(offsite::list(&client, &state.offsite, &device).await?))
}

/// `HEAD /api/v1/backups/{id}`: `Upload-Offset` and `Upload-Length` of an upload of the MMG.
async fn backup_offset(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (client, device) = device_client(&state, &headers).await?;
    let (size, offset) = offsite::offset(&client, &state.offsite, &device, &id).await?;
    tus_answer(StatusCode::OK, offset, Some(size))
}

/// `PATCH /api/v1/backups/{id}`: bytes appended at `Upload-Offset` (204 with the new offset).
async fn backup_append(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, Error> {
    let (client, device) = device_client(&state, &headers).await?;
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    if media.as_deref() != Some(TUS_CONTENT_TYPE) {
        return Err(Error::UnsupportedMediaType(
            "les octets d'une copie sont envoyés avec Content-Type: application/offset+octet-stream",
        ));
    }
    if headers.contains_key(CONTENT_ENCODING) {
        return Err(Error::UnsupportedMediaType(
            "les octets d'une copie sont envoyés sans Content-Encoding (ils sont déjà chiffrés)",
        ));
    }
    let upload_offset = headers
        .get(UPLOAD_OFFSET)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            Error::BadRequest(
                "l'en-tête Upload-Offset doit donner la position de reprise, un entier positif \
                 ou nul (voir HEAD)"
                    .to_owned(),
            )
        })?;
    let offset =
        offsite::append(&client, &state.offsite, &device, &id, upload_offset, body).await?;
    tus_answer(StatusCode::NO_CONTENT, offset, None)
}

/// `GET /api/v1/backups/{id}/content`: the bytes of a complete copy of the MMG.
async fn backup_content(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (client, device) = device_client(&state, &headers).await?;
    let (file, size) = offsite::content(&client, &state.offsite, &device, &id).await?;
    drop(client);
    Response::builder()
        .header(CONTENT_TYPE, "application/octet-stream")
        .header(axum::http::header::CONTENT_LENGTH, size)
        .header(axum::http::header::CACHE_CONTROL, "no-store")
        .body(Body::from_stream(tokio_util::io::ReaderStream::new(file)))
        .map_err(|error| Error::Internal(Box::new(error)))
}

/// `POST /api/v1/backups/{id}/restored`: this PC restored the copy; the PC it came from is
/// retired.
async fn backup_restored(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<BackupRestored>, Error> {
    let (mut client, device) = device_client(&state, &headers).await?;
    Ok(Json(offsite::restored(&mut client, &device, &id).await?))
}

/// `GET /api/v1/stats/backups[?departement=NN]`: the last off-site copy of each MMG the user
/// may read.
async fn backup_status(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BTreeMap<String, String>>, QueryRejection>,
) -> Result<Json<BackupStatus>, Error> {
    let token = auth::bearer(&headers)?;
    let client = state.pool.get().await?;
    let user = auth::user_from_token(&client, token).await?;
    let query = query_map(query)?;
    let departement = match query.contains_key("departement") {
        true => Some(departement_param(&query)?),
        false => None,
    };
    Ok(Json(
        offsite::status(&client, &user, departement.as_deref()).await?,
    ))
}
