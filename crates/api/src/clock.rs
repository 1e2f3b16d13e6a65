//! The clock, injected so that use cases and tests never depend on the real time.

use chrono::{DateTime, NaiveDateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Local wall-clock time of the MMG (Europe/Paris), the time of the garde rules.
    fn now_local(&self) -> NaiveDateTime {
        self.now()
            .with_timezone(&chrono_tz::Europe::Paris)
            .naive_local()
    }

    /// UTC time as stored in `created_at`/`updated_at` columns.
    fn now_utc_text(&self) -> String {
        self.now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant, for tests and reproducible demos.
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}
