//! Login, logout, and who am I.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::StatusCode,
    http::header::AUTHORIZATION,
};
use tongxin_shared::account::{
    LoginRequest, LoginResponse, MAX_PASSWORD_CHARS, MAX_USERNAME_CHARS, UserInfo,
    canonical_username,
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
        (status = 400, description = "the body is not a login request", body = ErrorBody),
        (status = 401, description = "wrong username or password, or a disabled account", body = ErrorBody),
        (status = 415, description = "the body is not JSON", body = ErrorBody),
        (status = 422, description = "the JSON lacks a username or password", body = ErrorBody),
        (status = 429, description = "too many failed logins to this name from this address, or too many logins from it; see Retry-After", body = ErrorBody)))]
/// Checks a user name and password and opens a session.
///
/// Failed logins are counted per (name, address), for unknown names as
/// for known ones, so a stranger's guesses lock out only the stranger's
/// own address (never the account's owner elsewhere), and no answer or
/// step differs between a name that exists and one that does not. A
/// disabled account answers as a wrong password does, so it does not
/// confirm its password either.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    // Bound the work an anonymous caller can ask for before hashing.
    if request.username.chars().count() > MAX_USERNAME_CHARS
        || request.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(ApiError::wrong_credentials(WRONG_CREDENTIALS));
    }
    let now_ms = chrono::Utc::now().timestamp_millis();
    let username = canonical_username(&request.username);
    let address = auth::address_key(peer.ip());
    let locked_until_ms = state.db.login_locked_until(&username, &address).await?;
    if locked_until_ms > now_ms {
        let wait_ms = locked_until_ms - now_ms;
        return Err(ApiError::TooManyAttempts {
            retry_after_s: u64::try_from(wait_ms).unwrap_or(0).div_ceil(1000),
        });
    }
    let account = state.db.login_account(&username).await?;
    // An unknown name is checked against a dummy hash, so it takes as long
    // to refuse as a wrong password.
    let stored = account
        .as_ref()
        .map_or_else(|| auth::DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let password = request.password;
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .map_err(|error| ApiError::Internal(error.into()))?;
    let account = match account {
        Some(account) if matches && !account.disabled => account,
        _ => {
            let failures = state
                .db
                .login_failed(
                    &username,
                    &address,
                    now_ms,
                    auth::FAILURE_MEMORY_MS,
                    auth::lockout_ms,
                )
                .await?;
            // The name typed is not logged: it may be a password typed in
            // the wrong box.
            tracing::warn!(%address, failures, "failed login");
            return Err(ApiError::wrong_credentials(WRONG_CREDENTIALS));
        }
    };
    state.db.login_succeeded(&username, &address).await?;
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
