//! The domain's single error type.

/// A rule of the domain was broken by a value. `field` names the offending field (as the UI knows
/// it) so that the message can be shown next to it; `message` is French text for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub field: Option<String>,
    pub message: String,
}

impl DomainError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }
}
