//! The server's one error type at the HTTP boundary.

use axum::{
    Json,
    extract::rejection::{JsonRejection, QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use tongxin_shared::{ValidationError, error::Rule, sync::ErrorBody};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 (or the rejection's own 4xx, e.g. 413 for an oversize body, 415
    /// for a missing content type): the request could not be read. No rule
    /// names it; a client words it by its status.
    #[error("{message}")]
    BadRequest { status: StatusCode, message: String },
    /// 400: the request broke rules, each named in the answer's `errors`.
    #[error("{message}")]
    Invalid {
        message: String,
        errors: Vec<ValidationError>,
    },
    /// 401: no user on the request, or a wrong login.
    #[error("{}", .0.message)]
    Unauthorized(ValidationError),
    /// 403: the user may not do this.
    #[error("{}", .0.message)]
    Forbidden(ValidationError),
    /// 404: the thing named in the path does not exist.
    #[error("{}", .0.message)]
    NotFound(ValidationError),
    /// 409: the thing to create exists already.
    #[error("{}", .0.message)]
    Conflict(ValidationError),
    /// 429: too many failed logins; try again after this many seconds.
    #[error("too many failed logins; try again in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
    /// 429: too many logins from one address; try again after this many
    /// seconds.
    #[error("too many login attempts from this address; try again in {retry_after_s} s")]
    SlowDown { retry_after_s: u64 },
    /// 500: logged in full, answered without details.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// 400 naming one broken rule, with the English words given.
    pub fn invalid(message: impl Into<String>, field: &str, rule: Rule) -> Self {
        let message = message.into();
        ApiError::Invalid {
            errors: vec![ValidationError::worded(field, rule, message.clone())],
            message,
        }
    }

    /// 401 for a login with a wrong name or password.
    pub fn wrong_credentials(message: &str) -> Self {
        ApiError::Unauthorized(ValidationError::worded(
            "password",
            Rule::WrongCredentials,
            message,
        ))
    }

    /// 401 for a request without a live session.
    pub fn session_expired(message: &str) -> Self {
        ApiError::Unauthorized(ValidationError::worded(
            "session",
            Rule::SessionExpired,
            message,
        ))
    }

    /// 403, with the rule that forbids it.
    pub fn forbidden(field: &str, rule: Rule, message: &str) -> Self {
        ApiError::Forbidden(ValidationError::worded(field, rule, message))
    }

    /// 404 for the `field` named in the path.
    pub fn not_found(field: &str, message: impl Into<String>) -> Self {
        ApiError::NotFound(ValidationError::worded(field, Rule::NotFound, message))
    }

    /// 409 for the `field` whose value is taken.
    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        ApiError::Conflict(ValidationError::worded(field, Rule::AlreadyExists, message))
    }

    /// The rules the answer names, for clients to word.
    fn rules(&self) -> Vec<ValidationError> {
        match self {
            ApiError::Invalid { errors, .. } => errors.clone(),
            ApiError::Unauthorized(e)
            | ApiError::Forbidden(e)
            | ApiError::NotFound(e)
            | ApiError::Conflict(e) => vec![e.clone()],
            ApiError::TooManyAttempts { retry_after_s } | ApiError::SlowDown { retry_after_s } => {
                let seconds = u32::try_from(*retry_after_s).unwrap_or(u32::MAX);
                vec![ValidationError::worded(
                    "username",
                    Rule::TryLater { seconds },
                    self.to_string(),
                )]
            }
            ApiError::BadRequest { .. } | ApiError::Internal(_) => Vec::new(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::BadRequest {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl From<Vec<tongxin_shared::ValidationError>> for ApiError {
    /// Every broken rule, each naming its field, in one message.
    fn from(errors: Vec<tongxin_shared::ValidationError>) -> Self {
        let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
        ApiError::Invalid {
            message: words.join("; "),
            errors,
        }
    }
}

impl From<crate::db::AccountError> for ApiError {
    fn from(error: crate::db::AccountError) -> Self {
        use crate::db::AccountError;
        match error {
            AccountError::UsernameTaken(_) => ApiError::conflict("username", error.to_string()),
            AccountError::NoSuchUser(_) => ApiError::not_found("username", error.to_string()),
            AccountError::UnknownStation(_) => {
                ApiError::invalid(error.to_string(), "stations", Rule::UnknownStation)
            }
            AccountError::Database(error) => error.into(),
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let errors = self.rules();
        if let ApiError::TooManyAttempts { retry_after_s } | ApiError::SlowDown { retry_after_s } =
            self
        {
            let body = Json(ErrorBody {
                error: self.to_string(),
                errors,
            });
            let retry_after = [(axum::http::header::RETRY_AFTER, retry_after_s.to_string())];
            return (StatusCode::TOO_MANY_REQUESTS, retry_after, body).into_response();
        }
        let (status, error) = match self {
            ApiError::BadRequest { status, message } => (status, message),
            ApiError::Invalid { message, .. } => (StatusCode::BAD_REQUEST, message),
            ApiError::Unauthorized(e) => (StatusCode::UNAUTHORIZED, e.message),
            ApiError::Forbidden(e) => (StatusCode::FORBIDDEN, e.message),
            ApiError::NotFound(e) => (StatusCode::NOT_FOUND, e.message),
            ApiError::Conflict(e) => (StatusCode::CONFLICT, e.message),
            ApiError::TooManyAttempts { .. } | ApiError::SlowDown { .. } => {
                unreachable!("answered above")
            }
            ApiError::Internal(error) => {
                tracing::error!(error = ?error, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal server error".to_owned(),
                )
            }
        };
        (status, Json(ErrorBody { error, errors })).into_response()
    }
}
