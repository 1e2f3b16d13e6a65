//! Exponential backoff with jitter: the n-th wait is drawn in `[cap/2, cap]` where
//! `cap = min(max, base × 2^n)`, so that many PCs cut off together do not all come back at the
//! same instant, and a PC never hammers a hub that is down.

use std::time::Duration;

use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;

#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    tentative: u32,
    rng: StdRng,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
            tentative: 0,
            rng: StdRng::from_os_rng(),
        }
    }

    /// The same with a fixed random sequence (tests).
    pub fn with_seed(base: Duration, max: Duration, seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            ..Self::new(base, max)
        }
    }

    /// The ceiling of the next wait, before jitter.
    pub fn plafond(&self) -> Duration {
        let factor = 1u32.checked_shl(self.tentative.min(30)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// The next wait; each call doubles the ceiling up to `max`.
    pub fn suivant(&mut self) -> Duration {
        let cap = self.plafond();
        self.tentative = self.tentative.saturating_add(1);
        let half = cap / 2;
        let spread = u64::try_from((cap - half).as_millis()).unwrap_or(u64::MAX);
        half + Duration::from_millis(self.rng.random_range(0..=spread))
    }

    /// Back to the shortest wait (after a success).
    pub fn reinitialiser(&mut self) {
        self.tentative = 0;
    }

    /// How many waits were drawn since the last reset.
    pub fn tentatives(&self) -> u32 {
        self.tentative
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_maximum_and_stay_within_the_jitter_band() {
        let base = Duration::from_millis(100);
        let max = Duration::from_millis(1000);
        let mut backoff = Backoff::with_seed(base, max, 7);
        // Ceilings: 100, 200, 400, 800, then capped at 1000.
        let ceilings = [100u64, 200, 400, 800, 1000, 1000, 1000];
        for ceiling in ceilings {
            let cap = Duration::from_millis(ceiling);
            assert_eq!(backoff.plafond(), cap, "the ceiling doubles until max");
            let wait = backoff.suivant();
            assert!(
                wait >= cap / 2 && wait <= cap,
                "{wait:?} must lie in [{:?}, {cap:?}]",
                cap / 2
            );
        }
        backoff.reinitialiser();
        assert_eq!(backoff.plafond(), base, "a success starts again from base");
    }

    #[test]
    fn jitter_spreads_the_waits_of_different_pcs() {
        let base = Duration::from_secs(60);
        let max = Duration::from_secs(3600);
        let waits: std::collections::BTreeSet<Duration> = (0..20)
            .map(|seed| {
                let mut b = Backoff::with_seed(base, max, seed);
                b.suivant();
                b.suivant()
            })
            .collect();
        assert!(
            waits.len() > 10,
            "twenty PCs must not all wait the same time: {} distinct",
            waits.len()
        );
    }

    #[test]
    fn a_huge_number_of_attempts_does_not_overflow() {
        let mut backoff = Backoff::with_seed(Duration::from_secs(1), Duration::from_secs(10), 1);
        for _ in 0..100 {
            backoff.suivant();
        }
        assert_eq!(backoff.plafond(), Duration::from_secs(10));
        assert_eq!(backoff.tentatives(), 100);
    }
}
