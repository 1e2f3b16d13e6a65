//! appligarde-hub: the approved host's server. It keeps the organisations (URML, ADOPS, MMGs),
//! their users and enrolled PCs, and the daily aggregates the PCs send, in PostgreSQL, and
//! serves them over HTTP (`openapi.yaml` beside `Cargo.toml` documents every endpoint).
//!
//! Shape: a library (this crate) and a thin binary (`src/main.rs`, the only place that reads the
//! command line and installs a `tracing` subscriber), so tests start the same server in-process
//! on `127.0.0.1:0`.
//! - [`migrate`]: the schema, from the numbered SQL files of `migrations/hub/` embedded at build
//!   time by `build.rs`; checksummed, refused when newer than this binary.
//! - [`router`] / [`serve`] (`http`): the axum routes; handlers take [`AppState`] (`state`, below
//!   both `http` and `dashboard`) and return `Result<Json<T>, Error>`, where [`Error`] (`error`)
//!   maps itself to an HTTP status and a French [`appligarde_protocol::ErrorBody`] without
//!   leaking internals.
//! - [`auth`]: users (argon2 passwords checked two at a time, expiring and revocable session
//!   tokens) and device tokens; only SHA-256 of tokens are stored. [`throttle`]: failed logins
//!   counted per client address and per (login, client address), claimed atomically before the
//!   password is checked, with doubling delays (never a lock per login alone). [`enrollment`]: one-time enrollment codes
//!   exchanged for device tokens, and re-enrollment. `ids`: checks of département codes, UUIDs
//!   and typed codes, used by all of them.
//! - [`aggregates`]: the idempotent upload (highest revision wins, one transaction per batch,
//!   one `unnest` statement) and the statistics, summed over the PCs of each MMG: daily rows as
//!   sent, monthly rows rebuilt in the upload's transaction for the dashboard's year views, and
//!   the derived indicators of `appligarde_domain::indicateurs` (regulated share, quantiles).
//! - [`reference`]: the region's départements and the numbered publications of reference data
//!   (RPPS extract kept to the region, annuaire, tariffs, CIM-10) that desktops pull.
//! - `dashboard`: the coordinators' web page (`/dashboard/`, static files embedded from
//!   `dashboard/`, charts drawn in SVG by its own script), `GET /api/v1/me` and the commune
//!   names of `GET /api/v1/communes`.
//! - [`offsite`]: the off-site copies of the MMGs' backups (issue 27): resumable uploads (tus
//!   1.0 core), the SHA-256 check on completion, retention and quota per MMG, files under the
//!   configured directory, listing and download for the MMG's devices, the status per MMG for
//!   users (`GET /api/v1/stats/backups`).
//! - [`identite`]: the MMG's identity as the URML records it (`admin mmg-identity`), read by a
//!   new installation with its enrollment code, without spending it.
//! - [`admin`]: what `appligarde-hub admin ...` does (MMGs, enrollment codes, users; disabling a
//!   user, resetting a password, revoking sessions and clearing throttling, each journaled in
//!   `admin_journal`).
//!
//! At the edge (`http`): JSON bodies need `Content-Type: application/json` (415); login and
//! enrollment take no compressed body, at most 64 KiB, and are rate-limited per client address
//! (`tower_governor`); text with control characters and dates outside 2000–2100 get a French 400.
//! The attacks this answers are kept as tests in `tests/hardening.rs`; `benches/login_flood.rs`
//! measures a login flood against the idle hub.
//!
//! Boundaries: the hub knows `appligarde-protocol` (the wire types) and never the desktop store,
//! the desktop's SQLite or the Tauri shell. Never log patient data.
//!
//! To add an endpoint: put its request/answer types in `appligarde-protocol`, its handler in
//! `http.rs` (in the `endpoints()` list), describe it in `openapi.yaml` (a test compares the two),
//! any new error as an [`Error`] variant with its status, and in-process tests in `tests/`,
//! including its row in the access-control table of `tests/api.rs`. To change the schema: add `migrations/hub/NNNN_name.sql`; never edit a released one.

pub mod admin;
pub mod aggregates;
pub mod auth;
pub mod conventions;
mod dashboard;
pub mod enrollment;
mod error;
mod http;
pub mod identite;
mod ids;
mod migrate;
pub mod offsite;
pub mod oru;
pub mod reference;
pub mod sante;
mod state;
pub mod throttle;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

pub use crate::dashboard::{Communes, Me, MmgInfo, commune_names, title_case};
pub use crate::error::Error;
pub use crate::http::{
    router, routes, serve, serve_state, serve_state_with_shutdown, serve_with_shutdown,
    shutdown_signal,
};
pub use crate::migrate::{
    MIGRATIONS, Migration, MigrationReport, latest_schema_version, migrate, schema_version,
};
pub use crate::state::{AppState, DEFAULT_SESSION_TTL};

/// Version of this hub binary, as reported by `/healthz`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Connections the hub keeps to PostgreSQL at most.
const POOL_SIZE: usize = 16;
/// How long a request may wait for a connection, to open one, or to check a pooled one, before
/// the database is reported unavailable instead of hanging the request.
const POOL_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection pool to the database at `database_url` (`postgres://user@host:port/db`).
/// Connects lazily: a database that is down is noticed on first use, not here.
pub fn pool(database_url: &str) -> Result<Pool, Error> {
    let config: tokio_postgres::Config = database_url.parse().map_err(Error::InvalidDatabaseUrl)?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(POOL_TIMEOUT))
        .create_timeout(Some(POOL_TIMEOUT))
        .recycle_timeout(Some(POOL_TIMEOUT))
        .build()?;
    Ok(pool)
}
