//! The background task of the desktop: a first try soon after start, then one every `periode`
//! while it works; after a failure (no network, hub down) the next try comes after an
//! exponential backoff with jitter, from 30 s up to an hour. Enrolling or "Synchroniser
//! maintenant" wakes it up.

use std::sync::Arc;
use std::time::Duration;

use appligarde_api::Api;

use crate::{Backoff, Synchroniseur};

/// Wait after start before the first try (the UI and the store come first).
const PREMIER_ESSAI: Duration = Duration::from_secs(10);

/// Spawns the background sync on the current tokio runtime; it runs until the runtime stops.
pub fn lancer_en_fond(
    api: Arc<Api>,
    synchro: Arc<Synchroniseur>,
    periode: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut backoff = Backoff::new(Duration::from_secs(30), Duration::from_secs(3600));
        let mut attente = PREMIER_ESSAI;
        loop {
            tokio::select! {
                () = tokio::time::sleep(attente) => {}
                () = synchro.reveil.notified() => {}
            }
            if !matches!(api.synchro_inscription(), Ok(Some(_))) {
                attente = periode;
                continue;
            }
            let rapport = synchro.synchroniser_async(&api).await;
            attente = if rapport.reussi {
                backoff.reinitialiser();
                periode
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
