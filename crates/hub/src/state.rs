//! What every HTTP handler can reach ([`AppState`]): the connection pool, the life of new
//! sessions, the permits of password checks and the off-site copies' directory and uploads. Below both the API handlers (`http`) and the dashboard's pages (`dashboard`).

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::Semaphore;

use crate::offsite::{Offsite, OffsiteConfig};

/// How long a session opened by `POST /api/v1/login` lasts unless configured otherwise.
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(12 * 3600);

/// Password checks (argon2id, ~19 MiB and tens of milliseconds each) run at once at most: a
/// login flood queues instead of filling the memory.
pub const CONCURRENT_PASSWORD_CHECKS: usize = 2;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub(crate) pool: Pool,
    pub(crate) session_ttl: Duration,
    /// Permits for password checks ([`CONCURRENT_PASSWORD_CHECKS`]).
    pub(crate) hashers: Arc<Semaphore>,
    /// Where the off-site copies go (none: their routes answer 503) and the uploads in progress.
    pub(crate) offsite: Offsite,
}

impl AppState {
    pub fn new(pool: Pool) -> Self {
        AppState {
            pool,
            session_ttl: DEFAULT_SESSION_TTL,
            hashers: Arc::new(Semaphore::new(CONCURRENT_PASSWORD_CHECKS)),
            offsite: Offsite::default(),
        }
    }

    /// Sessions opened from now on last `ttl`.
    pub fn with_session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Off-site copies are kept under `config.dir`, at most `config.quota_bytes` per MMG.
    pub fn with_offsite(mut self, config: OffsiteConfig) -> Self {
        self.offsite = Offsite::new(Some(config));
        self
    }
}
