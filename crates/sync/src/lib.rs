//! appligarde-sync: the desktop's sync client. It sends the MMG's daily aggregates to the hub and
//! brings back the reference data the URML publishes, over HTTPS with certificate verification.
//!
//! What it is for:
//! - [`Synchroniseur`]: enrollment (one-time code → device token kept in the OS keyring, or in a
//!   0600 file beside the key file when the store uses a key file: [`CoffreJeton`]), and one
//!   sync pass ([`Synchroniseur::synchroniser`]): the waiting days in gzip-compressed batches,
//!   then the publications since the version applied here; each request retried with
//!   exponential backoff and jitter ([`Backoff`]) while the fault is transient.
//! - [`lancer_en_fond`]: the background tokio task of the desktop, which tries periodically and
//!   backs off while the hub cannot be reached ([`Rythme`]; `APPLIGARDE_SYNC_PERIODE_S` shortens
//!   it for end-to-end tests).
//! - Off-site copies (`hors_site`): each pass also sends the backup files queued by the store,
//!   resumed at the hub's offset after a cut (tus 1.0 core), and
//!   [`Synchroniseur::restaurer_depuis_hub`] restores a new PC from the newest copy.
//! - Re-enrolling (new code, lost token, restored backup) names the device the store was before,
//!   so that the hub replaces it and what it sent instead of counting the store twice.
//! - It implements `appligarde_api::synchro::Hub`, so that the UI's commands `hub_inscrire` and
//!   `sync_maintenant` reach it through `Api::invoke`.
//!
//! The queue of days to send is not kept here: it is the store's per-day revisions compared
//! with the revisions the hub acknowledged (`sync_envoi`), so it survives restarts and a lost
//! answer only means the same revision is sent again (the hub ignores it).
//!
//! What it must not depend on: no `tauri`, no SQL (the store side is in `appligarde-api`'s
//! `synchro` module), no hub code (only the wire types of `appligarde-protocol`).
//!
//! How to add an exchange: its wire types go to `appligarde-protocol`, its HTTP call to
//! [`client`], its step to [`Synchroniseur::synchroniser`], and a test against the real hub in
//! `tests/`.

pub mod backoff;
pub mod client;
mod fond;
mod hors_site;
pub mod jeton;
mod synchroniseur;

pub use backoff::Backoff;
pub use client::HubClient;
pub use fond::{Rythme, VAR_PERIODE, lancer_en_fond, lancer_en_fond_au_rythme};
pub use hors_site::{RestaurationHub, TAILLE_MORCEAU};
pub use jeton::CoffreJeton;
pub use synchroniseur::{Options, Synchroniseur};

use appligarde_api::{ApiError, ErrorCode};

/// Everything that can go wrong while syncing; every `Display` is French and actionable.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The hub could not be reached, did not answer in time, or its answer was cut: try again.
    #[error("{0}")]
    Reseau(String),
    /// The hub answered with an error status.
    #[error("{message}")]
    Hub {
        status: u16,
        /// True for 5xx and 429: the same request may succeed later.
        transitoire: bool,
        message: String,
    },
    /// A value given by the user (hub address, code) is not usable; `champ` names it.
    #[error("{message}")]
    Saisie {
        champ: &'static str,
        message: String,
    },
    /// The PC is not enrolled, or its token is gone.
    #[error("{0}")]
    NonInscrit(String),
    /// The token could not be read or written (keyring, file).
    #[error("{0}")]
    Jeton(String),
    /// The HTTP client could not be built (TLS roots).
    #[error("{0}")]
    Configuration(String),
    /// The local store refused something.
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl SyncError {
    /// True when retrying the same request later may succeed.
    pub fn transitoire(&self) -> bool {
        match self {
            SyncError::Reseau(_) => true,
            SyncError::Hub { transitoire, .. } => *transitoire,
            _ => false,
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Api(e) => e,
            SyncError::Saisie { champ, message } => {
                let mut error = ApiError::new(ErrorCode::Validation, message);
                error.field = Some(champ.to_owned());
                error
            }
            other => ApiError::new(ErrorCode::Validation, other.to_string()),
        }
    }
}
