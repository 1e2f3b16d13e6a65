//! Errors as the UI sees them: a small code it can branch on and a French message a doctor can act on.

use appligarde_domain::DomainError;
use appligarde_store::StoreError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A value typed by the user breaks a rule; `field` says which.
    Validation,
    /// The arguments of a command could not be read (a bug of the caller, not of the user).
    BadArguments,
    UnknownCommand,
    NotFound,
    /// The key of the database is missing, wrong, or the keyring is unreachable.
    Key,
    /// The database comes from a newer version of the program.
    SchemaTooNew,
    /// Any other storage failure.
    Storage,
    Internal,
    /// Nobody is logged in (or the password is wrong): show the login screen.
    Unauthenticated,
    /// The screen is locked (explicitly or after the idle time): ask the same user's password.
    Locked,
    /// The logged-in user's role does not allow this (reception and clinical notes, non-admins).
    Forbidden,
    /// The current MMG convention or users' charter is not accepted (or its text cannot be
    /// found): patient data stays closed; show the conventions screen and the message.
    ConventionNonAcceptee,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// The field the message is about, for validation errors.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every broken rule, when several fields are wrong at once.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub details: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
            details: Vec::new(),
        }
    }

    pub fn validation(errors: Vec<DomainError>) -> Self {
        let details: Vec<FieldError> = errors
            .iter()
            .filter_map(|e| {
                e.field.clone().map(|field| FieldError {
                    field,
                    message: e.message.clone(),
                })
            })
            .collect();
        let first = errors.into_iter().next();
        Self {
            code: ErrorCode::Validation,
            message: first
                .as_ref()
                .map(|e| e.message.clone())
                .unwrap_or_else(|| "Saisie invalide.".to_owned()),
            field: first.and_then(|e| e.field),
            details,
        }
    }

    pub fn bad_arguments(e: serde_json::Error) -> Self {
        tracing::warn!(error = %e, "command arguments could not be read");
        Self::new(
            ErrorCode::BadArguments,
            format!("Arguments de la commande illisibles : {e}"),
        )
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(
            ErrorCode::Internal,
            "Erreur interne du programme ; l'opération n'a pas été enregistrée.",
        )
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self::validation(vec![e])
    }
}

pub(crate) fn from_store(e: StoreError) -> ApiError {
    // Log the full error before reducing it; store errors never carry patient data.
    tracing::warn!(error = %e, "store error");
    let code = match &e {
        StoreError::Invalid(d) => return ApiError::from(d.clone()),
        StoreError::KeyFile { .. }
        | StoreError::KeyFilePermissions { .. }
        | StoreError::KeyMissing { .. }
        | StoreError::Keyring(_)
        | StoreError::WrongKey
        | StoreError::RecoveryCode(_) => ErrorCode::Key,
        StoreError::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
        StoreError::NotFound(_) => ErrorCode::NotFound,
        StoreError::DataDir { .. }
        | StoreError::MigrationChanged { .. }
        | StoreError::MigrationFailed { .. }
        | StoreError::Corrupt(_)
        | StoreError::Backup(_)
        | StoreError::Sqlite(_) => ErrorCode::Storage,
    };
    ApiError::new(code, e.to_string())
}
