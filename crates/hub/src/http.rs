//! The HTTP face of the hub: routes, handlers and the server loop.

use std::future::Future;
use std::time::Duration;

use appligarde_protocol::{Health, HealthStatus};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use deadpool_postgres::Pool;
use tokio::net::TcpListener;

use crate::{Error, VERSION, migrate};

/// Longest a health check may take before the database is reported unavailable: a monitor
/// must get an answer even when PostgreSQL hangs instead of refusing.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pool: Pool,
}

impl AppState {
    pub fn new(pool: Pool) -> Self {
        AppState { pool }
    }
}

/// All the hub's routes. Unknown paths answer 404 with a JSON [`appligarde_protocol::ErrorBody`].
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .with_state(state)
}

/// Serves [`router`] on `listener` until SIGTERM or Ctrl-C, then finishes the requests in
/// flight and returns.
pub async fn serve(pool: Pool, listener: TcpListener) -> Result<(), Error> {
    serve_with_shutdown(pool, listener, shutdown_signal()).await
}

/// Like [`serve`], but stops when `shutdown` completes (tests use a channel).
pub async fn serve_with_shutdown(
    pool: Pool,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    axum::serve(listener, router(AppState::new(pool)))
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
