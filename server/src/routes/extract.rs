//! Extractors that turn every rejection into the server's JSON error.

use axum::{
    extract::FromRequestParts,
    http::{header::AUTHORIZATION, request::Parts},
};

use crate::{
    AppState,
    auth::{self, Actor},
    error::ApiError,
};

/// `axum::Json`, but a body that cannot be read answers `{"error": …}`
/// naming the problem (bad JSON, missing field, too large).
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `axum::extract::Query` with the same JSON errors.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The logged-in user: `Authorization: Bearer <token>`, looked up in the
/// database on every request (so any replica can answer, and a revoked or
/// expired session stops working at once).
impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| {
                ApiError::session_expired("log in first: no Authorization: Bearer token")
            })?;
        let now_ms = chrono::Utc::now().timestamp_millis();
        state
            .db
            .actor_for_token(&auth::token_hash(token), now_ms)
            .await?
            .ok_or_else(|| ApiError::session_expired("session expired or revoked: log in again"))
    }
}
