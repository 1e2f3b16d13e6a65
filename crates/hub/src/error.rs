//! The hub's one error type and how it turns into an HTTP answer.

use appligarde_protocol::{ErrorBody, ErrorCode};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

type Source = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong in the hub. `Display` is French, for the operator reading the
/// terminal or the log; HTTP clients only ever get [`Error::code`] and [`Error::public_message`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "la base de données du hub est au schéma {found}, plus récent que le schéma {supported} \
         que connaît cette version d'appligarde-hub : installez la version du hub qui l'a migrée \
         (ou une plus récente)"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    #[error(
        "la migration {version:04}_{name} appliquée à la base ne correspond plus au fichier \
         embarqué (somme de contrôle différente) : une migration publiée ne doit jamais être \
         modifiée, restaurez-la et ajoutez une nouvelle migration"
    )]
    ChecksumMismatch { version: i64, name: String },

    #[error(
        "la base de données contient la migration {version:04}_{name}, inconnue de cette \
         version d'appligarde-hub : elle a été migrée par une autre version du hub"
    )]
    UnknownMigration { version: i64, name: String },

    #[error("la migration {version:04}_{name} a échoué et a été annulée")]
    MigrationFailed {
        version: i64,
        name: String,
        #[source]
        source: tokio_postgres::Error,
    },

    #[error(
        "l'adresse de la base de données est invalide (attendu : postgres://utilisateur@hôte:port/base)"
    )]
    InvalidDatabaseUrl(#[source] tokio_postgres::Error),

    #[error("la configuration des connexions à la base de données est invalide")]
    PoolSetup(#[from] deadpool_postgres::BuildError),

    #[error("la base de données du hub est injoignable")]
    DatabaseUnavailable(#[source] Source),

    #[error("erreur de la base de données")]
    Database(#[from] tokio_postgres::Error),

    #[error("erreur d'entrée-sortie du serveur")]
    Io(#[from] std::io::Error),

    #[error("adresse inconnue du hub")]
    NotFound,

    /// The request is malformed; the text is French, says what to fix, and never quotes
    /// anything but the offending parameter.
    #[error("requête invalide : {0}")]
    BadRequest(String),

    #[error("identifiants absents, inconnus, expirés ou d'un autre type")]
    Unauthenticated,

    /// Valid credentials, but not for this resource; the text says which.
    #[error("accès refusé : {0}")]
    Forbidden(&'static str),

    #[error("identifiant ou mot de passe incorrect")]
    LoginFailed,

    /// Too many failed logins from this client (for this login or all together), or too many
    /// unauthenticated requests from it: wait `retry_after_seconds`.
    #[error("trop de tentatives : attendre {retry_after_seconds} s")]
    TooManyAttempts { retry_after_seconds: u64 },

    /// The body is not JSON (`Content-Type`) or is compressed where that is not accepted.
    #[error("type de contenu refusé : {0}")]
    UnsupportedMediaType(&'static str),

    #[error("code d'enrôlement inconnu, déjà utilisé ou expiré")]
    InvalidEnrollmentCode,

    #[error("corps de requête trop volumineux")]
    PayloadTooLarge,

    /// A new off-site copy would take the MMG past its quota.
    #[error(
        "quota de sauvegardes hors site atteint ({used_bytes} octets utilisés sur {quota_bytes})"
    )]
    QuotaExceeded {
        quota_bytes: u64,
        used_bytes: u64,
        size: u64,
    },

    /// A `PATCH` of an upload at another offset than the hub's.
    #[error("position d'envoi différente de celle du hub ({offset})")]
    OffsetMismatch { offset: u64 },

    /// Another `PATCH` of the same upload is running.
    #[error("un autre envoi de cette copie est en cours")]
    UploadBusy,

    /// The bytes of a completed upload do not have the SHA-256 announced at its creation.
    #[error("empreinte SHA-256 différente de celle annoncée : copie refusée")]
    CopyChecksumMismatch,

    /// The hub was started without a directory for the off-site copies.
    #[error("aucun dossier de sauvegardes hors site n'est configuré (APPLIGARDE_HUB_SAUVEGARDES)")]
    OffsiteDisabled,

    /// An operator's command (`appligarde-hub admin ...`) got a value it cannot use.
    #[error("{0}")]
    InvalidInput(String),

    #[error("le calcul de l'empreinte du mot de passe a échoué")]
    PasswordHash(#[source] argon2::password_hash::Error),

    #[error("erreur interne du hub")]
    Internal(#[source] Source),

    #[error("une tâche du serveur a été interrompue")]
    Task(#[from] tokio::task::JoinError),
}

impl From<deadpool_postgres::PoolError> for Error {
    /// No connection could be had from the pool: the database is down or saturated.
    fn from(error: deadpool_postgres::PoolError) -> Self {
        Error::DatabaseUnavailable(Box::new(error))
    }
}

impl Error {
    /// Wraps any failure to reach the database (connection, timeout, failed check).
    pub fn unavailable(source: impl Into<Source>) -> Self {
        Error::DatabaseUnavailable(source.into())
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Error::DatabaseUnavailable(_) | Error::OffsiteDisabled => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Error::QuotaExceeded { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::OffsetMismatch { .. } | Error::UploadBusy => StatusCode::CONFLICT,
            Error::CopyChecksumMismatch => StatusCode::UNPROCESSABLE_ENTITY,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::BadRequest(_) | Error::InvalidInput(_) => StatusCode::BAD_REQUEST,
            Error::Unauthenticated | Error::LoginFailed | Error::InvalidEnrollmentCode => {
                StatusCode::UNAUTHORIZED
            }
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The code a client can branch on.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::DatabaseUnavailable(_) => ErrorCode::DatabaseUnavailable,
            Error::QuotaExceeded { .. } => ErrorCode::QuotaExceeded,
            Error::OffsetMismatch { .. } | Error::UploadBusy => ErrorCode::OffsetMismatch,
            Error::CopyChecksumMismatch => ErrorCode::ChecksumMismatch,
            Error::NotFound => ErrorCode::NotFound,
            Error::BadRequest(_) | Error::InvalidInput(_) => ErrorCode::BadRequest,
            Error::Unauthenticated | Error::LoginFailed => ErrorCode::Unauthenticated,
            Error::InvalidEnrollmentCode => ErrorCode::InvalidEnrollmentCode,
            Error::Forbidden(_) => ErrorCode::Forbidden,
            Error::TooManyAttempts { .. } => ErrorCode::TooManyAttempts,
            Error::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Error::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            _ => ErrorCode::Internal,
        }
    }

    /// The French message an HTTP client gets: never the details of a fault. Only a bad
    /// request's text, written by the hub to say what to fix, is passed on.
    pub fn public_message(&self) -> String {
        match self {
            Error::BadRequest(text) | Error::InvalidInput(text) => {
                return format!("Requête invalide : {text}");
            }
            Error::Forbidden(text) => return format!("Accès refusé : {text}"),
            Error::LoginFailed => {
                return "Identifiant ou mot de passe incorrect.".to_owned();
            }
            Error::QuotaExceeded {
                quota_bytes,
                used_bytes,
                size,
            } => {
                let mo = |bytes: &u64| bytes.div_ceil(1_000_000);
                return format!(
                    "Le quota de sauvegardes hors site de la MMG sur le hub est atteint : {} Mo \
                     utilisés sur {} Mo, et cette copie en demande {} de plus. Les copies \
                     anciennes sont libérées par la règle de conservation ; si cela dure, \
                     demandez à l'URML d'augmenter le quota.",
                    mo(used_bytes),
                    mo(quota_bytes),
                    mo(size)
                );
            }
            Error::OffsetMismatch { offset } => {
                return format!(
                    "Le hub a {offset} octets de cette copie, pas le nombre annoncé : reprenez \
                     l'envoi à cette position (HEAD)."
                );
            }
            Error::UploadBusy => {
                return "Un autre envoi de cette copie est en cours : réessayez quand il sera \
                        terminé."
                    .to_owned();
            }
            Error::CopyChecksumMismatch => {
                return "La copie reçue par le hub ne correspond pas à l'empreinte SHA-256 \
                        annoncée : elle a été refusée et doit être envoyée de nouveau."
                    .to_owned();
            }
            Error::OffsiteDisabled => {
                return "Ce hub ne garde pas de sauvegardes hors site (aucun dossier configuré) : \
                        prévenez l'administrateur du hub."
                    .to_owned();
            }
            Error::UnsupportedMediaType(text) => {
                return format!("Type de contenu refusé : {text}");
            }
            Error::TooManyAttempts {
                retry_after_seconds,
            } => {
                return format!(
                    "Trop de tentatives depuis cette adresse : patientez {retry_after_seconds} \
                     seconde(s) avant de réessayer. Mot de passe oublié ? Demandez à \
                     l'administrateur du hub de le réinitialiser."
                );
            }
            _ => {}
        }
        let text = match self.code() {
            ErrorCode::DatabaseUnavailable => {
                "La base de données du hub est momentanément injoignable. Réessayez dans quelques \
                 minutes ; si cela dure, prévenez l'administrateur du hub."
            }
            ErrorCode::NotFound => "Cette adresse n'existe pas sur le hub.",
            ErrorCode::Unauthenticated => {
                "Identifiants absents, inconnus ou expirés : reconnectez-vous (ou, pour un poste, \
                 enrôlez-le de nouveau)."
            }
            ErrorCode::InvalidEnrollmentCode => {
                "Ce code d'enrôlement est inconnu, a déjà servi ou a expiré : demandez un nouveau \
                 code à l'administrateur du hub."
            }
            ErrorCode::TooManyAttempts => "Trop de tentatives : patientez avant de réessayer.",
            ErrorCode::UnsupportedMediaType => "Type de contenu refusé.",
            ErrorCode::PayloadTooLarge => {
                "La requête est trop volumineuse : envoyez les agrégats en plusieurs lots plus \
                 petits."
            }
            ErrorCode::BadRequest => "Requête invalide.",
            ErrorCode::Forbidden => "Accès refusé.",
            ErrorCode::QuotaExceeded => "Quota de sauvegardes hors site atteint.",
            ErrorCode::OffsetMismatch => "Position d'envoi différente de celle du hub.",
            ErrorCode::ChecksumMismatch => "Empreinte de la copie différente de celle annoncée.",
            ErrorCode::Internal | ErrorCode::Unknown => {
                "Erreur interne du hub. Elle a été journalisée ; réessayez plus tard et, si cela \
                 dure, prévenez l'administrateur du hub."
            }
        };
        text.to_owned()
    }

    /// This error and all its causes on one line, for logs and the terminal.
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            // Some errors already print their cause in their own message: say it once.
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(" : ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        text
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        // The full chain goes to the log only; the body carries the fixed public message.
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), error = %self.report(), "request failed");
        } else {
            tracing::info!(status = status.as_u16(), error = %self.report(), "request refused");
        }
        let body = ErrorBody {
            code: self.code(),
            message: self.public_message(),
        };
        let retry_after = match &self {
            Error::TooManyAttempts {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ => None,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 9110: a 401 names the scheme the client should use.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_follow_the_kind_of_fault() {
        // Clients retry on 503, fix their request on 404, and report anything else.
        let cases = [
            (
                Error::unavailable("connection refused"),
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::DatabaseUnavailable,
            ),
            (Error::NotFound, StatusCode::NOT_FOUND, ErrorCode::NotFound),
            (
                Error::SchemaTooNew {
                    found: 9,
                    supported: 1,
                },
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
            ),
            (
                Error::Io(std::io::Error::other("disk")),
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status(), status, "{error:?}");
            assert_eq!(error.code(), code, "{error:?}");
        }
    }

    #[test]
    fn the_public_message_never_carries_the_cause() {
        // The cause may name hosts, users or SQL: it belongs in the log, not in the answer.
        let error = Error::unavailable("secret-host.internal:5432 refused");
        assert!(error.report().contains("secret-host"), "the log keeps it");
        assert!(!error.public_message().contains("secret-host"));
        let internal = Error::Io(std::io::Error::other("/var/lib/secret"));
        assert!(!internal.public_message().contains("/var/lib"));
    }
}
