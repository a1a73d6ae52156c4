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
    /// 429: too many failed logins; try again after this many seconds.
    #[error("too many failed logins; try again in {retry_after_s} s")]
    TooManyAttempts { retry_after_s: u64 },
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

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::TooManyAttempts { retry_after_s } = self {
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
            ApiError::TooManyAttempts { .. } => unreachable!("answered above"),
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
