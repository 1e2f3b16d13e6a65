//! The background task of the desktop: a first try soon after start, then one every `periode`
//! while it works; after a failure (no network, hub down) the next try comes after an
//! exponential backoff with jitter, from 30 s up to an hour. Enrolling or "Synchroniser
//! maintenant" wakes it up.
//!
//! [`Rythme::depuis_environnement`] reads `APPLIGARDE_SYNC_PERIODE_S` (seconds): when set, the
//! first try, the period and the backoff (from one period to four) all follow it, so that an
//! end-to-end test or a demonstration sees the task work within seconds.

use std::sync::Arc;
use std::time::Duration;

use appligarde_api::synchro::Poste;

use crate::{Backoff, Synchroniseur};

/// Environment variable: the background task's period in seconds (tests, demonstrations).
pub const VAR_PERIODE: &str = "APPLIGARDE_SYNC_PERIODE_S";

/// When the background task tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rythme {
    /// Wait after start before the first try (the UI and the store come first).
    pub premier_essai: Duration,
    /// Between two tries while they succeed.
    pub periode: Duration,
    /// Backoff after a failure: the first wait, and the longest.
    pub attente_min: Duration,
    pub attente_max: Duration,
}

impl Rythme {
    /// The desktop's rhythm: first try after 10 s, then every `periode`; after failures, from
    /// 30 s up to an hour.
    pub fn normal(periode: Duration) -> Self {
        Self {
            premier_essai: Duration::from_secs(10),
            periode,
            attente_min: Duration::from_secs(30),
            attente_max: Duration::from_secs(3600),
        }
    }

    /// A rhythm of period `periode` for everything: first try after one period, backoff from
    /// one period to four.
    pub fn court(periode: Duration) -> Self {
        Self {
            premier_essai: periode,
            periode,
            attente_min: periode,
            attente_max: periode * 4,
        }
    }

    /// [`Rythme::court`] of `APPLIGARDE_SYNC_PERIODE_S` seconds (1 to 86400) when it is set,
    /// else [`Rythme::normal`] of `periode`. An unreadable value is ignored with a warning.
    pub fn depuis_environnement(periode: Duration) -> Self {
        let Some(texte) = std::env::var_os(VAR_PERIODE) else {
            return Self::normal(periode);
        };
        match texte.to_str().and_then(|t| t.trim().parse::<u64>().ok()) {
            Some(s @ 1..=86_400) => Self::court(Duration::from_secs(s)),
            _ => {
                tracing::warn!(
                    "{VAR_PERIODE} ignored: a number of seconds from 1 to 86400 is expected"
                );
                Self::normal(periode)
            }
        }
    }
}

/// Spawns the background sync on the current tokio runtime with [`Rythme::normal`] of
/// `periode`; it runs until the runtime stops.
pub fn lancer_en_fond(
    api: Arc<dyn Poste>,
    synchro: Arc<Synchroniseur>,
    periode: Duration,
) -> tokio::task::JoinHandle<()> {
    lancer_en_fond_au_rythme(api, synchro, Rythme::normal(periode))
}

/// Spawns the background sync on the current tokio runtime at `rythme`.
pub fn lancer_en_fond_au_rythme(
    api: Arc<dyn Poste>,
    synchro: Arc<Synchroniseur>,
    rythme: Rythme,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Backoff::new(rythme.attente_min, rythme.attente_max);
        let mut attente = rythme.premier_essai;
        loop {
            tokio::select! {
                () = tokio::time::sleep(attente) => {}
                () = synchro.reveil.notified() => {}
            }
            if !matches!(api.synchro_inscription(), Ok(Some(_))) {
                attente = rythme.periode;
                continue;
            }
            let rapport = synchro.synchroniser_async(api.as_ref()).await;
            attente = if rapport.reussi {
                backoff.reinitialiser();
                rythme.periode
            } else {
                backoff.suivant()
            };
            tracing::debug!(
                reussi = rapport.reussi,
                prochain_essai_s = attente.as_secs(),
                "background sync"
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_rhythm_follows_its_period() {
        let r = Rythme::court(Duration::from_secs(3));
        assert_eq!(r.premier_essai, Duration::from_secs(3));
        assert_eq!(r.periode, Duration::from_secs(3));
        assert_eq!(
            r.attente_max,
            Duration::from_secs(12),
            "backoff up to four periods"
        );
        let n = Rythme::normal(Duration::from_secs(900));
        assert_eq!(n.attente_min, Duration::from_secs(30));
        assert_eq!(n.attente_max, Duration::from_secs(3600));
    }
}
