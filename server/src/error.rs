//! The server's one error type at the HTTP boundary.

use axum::{
    Json,
    extract::rejection::{JsonRejection, QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use tongxin_shared::sync::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 (or the rejection's own 4xx, e.g. 413 for an oversize body, 415
    /// for a missing content type): the request could not be read.
    #[error("{message}")]
    BadRequest { status: StatusCode, message: String },
    /// 401: no user on the request.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: the user may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: the thing named in the path does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 409: the thing to create exists already.
    #[error("{0}")]
    Conflict(String),
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
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
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
        ApiError::bad_request(words.join("; "))
    }
}

impl From<crate::db::AccountError> for ApiError {
    fn from(error: crate::db::AccountError) -> Self {
        use crate::db::AccountError;
        match error {
            AccountError::UsernameTaken(_) => ApiError::Conflict(error.to_string()),
            AccountError::NoSuchUser(_) => ApiError::NotFound(error.to_string()),
            AccountError::UnknownStation(_) => ApiError::bad_request(error.to_string()),
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
        if let ApiError::TooManyAttempts { retry_after_s } | ApiError::SlowDown { retry_after_s } =
            self
        {
            let body = Json(ErrorBody {
                error: self.to_string(),
            });
            let retry_after = [(axum::http::header::RETRY_AFTER, retry_after_s.to_string())];
            return (StatusCode::TOO_MANY_REQUESTS, retry_after, body).into_response();
        }
        let (status, error) = match self {
            ApiError::BadRequest { status, message } => (status, message),
            ApiError::Unauthorized(message) => (StatusCode::UNAUTHORIZED, message.to_owned()),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, message.to_owned()),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, message),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, message),
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
        (status, Json(ErrorBody { error })).into_response()
    }
}
