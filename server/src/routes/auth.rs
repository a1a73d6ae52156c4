//! Login, logout, and who am I.

use axum::{Json, extract::State, http::StatusCode, http::header::AUTHORIZATION};
use tongxin_shared::account::{
    LoginRequest, LoginResponse, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, UserInfo,
};
use tongxin_shared::sync::ErrorBody;

use super::extract::ApiJson;
use crate::{
    AppState,
    auth::{self, Actor},
    error::ApiError,
};

const WRONG_CREDENTIALS: &str = "wrong username or password";

#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 403, description = "the account is disabled", body = ErrorBody),
        (status = 429, description = "too many failed logins; see Retry-After", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    // Bound the work an anonymous caller can ask for before hashing.
    if request.username.chars().count() > MAX_USERNAME_CHARS
        || request.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    let account = state.db.login_account(request.username.trim()).await?;
    if let Some(account) = &account
        && account.locked_until_ms > now_ms
    {
        let wait_ms = account.locked_until_ms - now_ms;
        return Err(ApiError::TooManyAttempts {
            retry_after_s: u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000),
        });
    }
    // An unknown name is checked against a dummy hash, so it takes as long
    // to refuse as a wrong password and does not reveal who has an account.
    let stored = account
        .as_ref()
        .map_or_else(|| auth::DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .map_err(|error| ApiError::Internal(error.into()))?;
    let Some(account) = account else {
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
    };
    if !matches {
        let failures = state
            .db
            .login_failed(account.id, now_ms, auth::lockout_ms)
            .await?;
        tracing::warn!(user = %account.id, failures, "failed login");
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
    }
    if account.disabled {
        return Err(ApiError::Forbidden("this account is disabled"));
    }
    let token = auth::new_token();
    let expires_at_ms = now_ms + auth::SESSION_DAYS * 24 * 60 * 60 * 1000;
    state
        .db
        .open_session(account.id, &auth::token_hash(&token), now_ms, expires_at_ms)
        .await?;
    let actor = state
        .db
        .actor_for_token(&auth::token_hash(&token), now_ms)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("session vanished after login")))?;
    tracing::info!(user = %account.id, "logged in");
    Ok(Json(LoginResponse {
        token,
        expires_at_ms,
        user: actor.info(),
    }))
}

#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("session" = [])),
    responses((status = 204, description = "the session is ended"), (status = 401, description = "not logged in, or the session expired", body = ErrorBody)))]
/// Ends the session the request carries.
pub async fn logout(
    State(state): State<AppState>,
    _actor: Actor,
    headers: axum::http::HeaderMap,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    {
        state
            .db
            .close_session(&auth::token_hash(token.trim()))
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("session" = [])),
    responses((status = 200, body = UserInfo), (status = 401, description = "not logged in, or the session expired", body = ErrorBody)))]
pub async fn me(actor: Actor) -> Json<UserInfo> {
    Json(actor.info())
}
