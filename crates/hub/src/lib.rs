//! appligarde-hub: the approved host's server. It keeps what the MMGs' desktops send (for now:
//! only the organisations) in PostgreSQL and answers them over HTTP.
//!
//! Shape: a library (this crate) and a thin binary (`src/main.rs`, the only place that reads the
//! command line and installs a `tracing` subscriber), so tests start the same server in-process
//! on `127.0.0.1:0`.
//! - [`migrate`]: the schema, from the numbered SQL files of `migrations/hub/` embedded at build
//!   time by `build.rs`; checksummed, refused when newer than this binary.
//! - [`router`] / [`serve`]: the axum routes; handlers take [`AppState`] and return
//!   `Result<Json<T>, Error>`, where [`Error`] maps itself to an HTTP status and a French
//!   [`appligarde_protocol::ErrorBody`] without leaking internals.
//!
//! Boundaries: the hub knows `appligarde-protocol` (the wire types) and never the desktop store,
//! the desktop's SQLite or the Tauri shell. Never log patient data.
//!
//! To add an endpoint: put its request/answer types in `appligarde-protocol`, its handler in
//! `http.rs`, any new error as an [`Error`] variant with its status, and an in-process test in
//! `tests/`. To change the schema: add `migrations/hub/NNNN_name.sql`; never edit a released one.

mod error;
mod http;
mod migrate;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

pub use crate::error::Error;
pub use crate::http::{AppState, router, serve, serve_with_shutdown, shutdown_signal};
pub use crate::migrate::{
    MIGRATIONS, Migration, MigrationReport, latest_schema_version, migrate, schema_version,
};

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
