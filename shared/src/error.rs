//! Validation errors, shared so the app shows exactly what the server says.

use serde::{Deserialize, Serialize};

/// Why a record was refused. `field` names the input it belongs to so the app
/// can show the message next to that input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}
