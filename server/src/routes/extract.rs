//! Extractors that turn every rejection into the server's JSON error.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::{db::Actor, error::ApiError};

/// `axum::Json`, but a body that cannot be read answers `{"error": …}`
/// naming the problem (bad JSON, missing field, too large).
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` with the same JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The user a request acts for: the seam where accounts plug in. Until
/// login exists it is the `x-tongxin-user` header.
pub const USER_HEADER: &str = "x-tongxin-user";

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let user_id = parts
            .headers
            .get(USER_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty() && value.len() <= 64)
            .ok_or(ApiError::Unauthorized(
                "missing or invalid x-tongxin-user header",
            ))?;
        Ok(Actor {
            user_id: user_id.to_owned(),
        })
    }
}
