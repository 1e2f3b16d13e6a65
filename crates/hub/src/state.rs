//! What every HTTP handler can reach ([`AppState`]): the connection pool and the life of new
//! sessions. Below both the API handlers (`http`) and the dashboard's pages (`dashboard`).

use std::time::Duration;

use deadpool_postgres::Pool;

/// How long a session opened by `POST /api/v1/login` lasts unless configured otherwise.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub(crate) pool: Pool,
    pub(crate) session_ttl: Duration,
}

impl AppState {
    pub fn new(pool: Pool) -> Self {
        AppState {
            pool,
            session_ttl: DEFAULT_SESSION_TTL,
        }
    }

    /// Sessions opened from now on last `ttl`.
    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }
}
