//! HTTP to the server: logging in and out, and JSON or files sent and
//! fetched with the session's token. The sync engine and the office both
//! call it; every failure comes back as an [`ApiError`] the user can read.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use tongxin_shared::{
    ValidationError,
    account::{LoginRequest, LoginResponse},
    error::Rule,
    sync::{ErrorBody, UNSUPPORTED_PROTOCOL},
};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The server could not be reached: the normal state in the field.
    #[error("offline: {0}")]
    Offline(String),
    /// The server answered with an error: its English words (for logs)
    /// and the rules it named (`errors`, empty when none), which
    /// `i18n::api_error_message` words in the user's language.
    #[error("server refused ({status}): {message}")]
    Server {
        status: u16,
        message: String,
        errors: Vec<ValidationError>,
    },
}

impl ApiError {
    pub fn is_offline(&self) -> bool {
        matches!(self, ApiError::Offline(_))
    }

    /// The session expired or was revoked: the user must log in again.
    pub fn needs_login(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }

    /// The server speaks a newer protocol: this app must be updated.
    pub fn needs_update(&self) -> bool {
        matches!(self, ApiError::Server { message, errors, .. }
            if message.contains(UNSUPPORTED_PROTOCOL)
                || errors.iter().any(|e| e.rule == Rule::UnsupportedProtocol))
    }

    /// A refusal read from the server's answer (its JSON body, when it has
    /// one).
    fn refused(status: u16, body: Option<ErrorBody>) -> Self {
        let (message, errors) = match body {
            Some(body) => (body.error, body.errors),
            None => (format!("HTTP {status}"), Vec::new()),
        };
        ApiError::Server {
            status,
            message,
            errors,
        }
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Logs in; needs the network.
pub async fn login(username: &str, password: &str) -> Result<LoginResponse, ApiError> {
    let request = LoginRequest {
        username: username.trim().to_owned(),
        password: password.to_owned(),
    };
    let sent = Request::post("/api/auth/login")
        .json(&request)
        .map_err(|e| ApiError::Offline(e.to_string()))?
        .send()
        .await;
    fetch_json(sent).await
}

/// Ends the session on the server, if it can be reached; the device forgets
/// it either way.
pub async fn logout(token: &str) {
    let _ = Request::post("/api/auth/logout")
        .header("Authorization", &bearer(token))
        .send()
        .await;
}

/// Fetches JSON from the API; anything else is an error in words.
async fn fetch_json<T: DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, ApiError> {
    let response = sent.map_err(|e| ApiError::Offline(e.to_string()))?;
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|e| ApiError::Offline(e.to_string()));
    }
    let status = response.status();
    // A server that is down behind the service worker or a proxy answers
    // 5xx without our JSON body: that is "offline" to the user.
    match response.json::<ErrorBody>().await {
        Ok(body) => Err(ApiError::refused(status, Some(body))),
        Err(_) if status >= 500 => Err(ApiError::Offline(format!("HTTP {status}"))),
        Err(_) => Err(ApiError::refused(status, None)),
    }
}

/// A GET of a file (an export) with the session's token.
pub async fn bytes(url: &str, token: &str) -> Result<Vec<u8>, ApiError> {
    let response = Request::get(url)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(|e| ApiError::Offline(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let body = response.json::<ErrorBody>().await.ok();
        return Err(ApiError::refused(status, body));
    }
    response
        .binary()
        .await
        .map_err(|e| ApiError::Offline(e.to_string()))
}

/// A GET of a file (a photo) with the session's token, handed to the page
/// as an object URL an `<img>` shows (its `src` could not carry the
/// token); `None` when it cannot be fetched. The caller revokes it.
pub async fn object_url(url: &str, token: &str) -> Option<String> {
    let bytes = bytes(url, token).await.ok()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// A POST, PUT or PATCH of JSON with the session's token.
pub async fn send<B: serde::Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    token: &str,
    body: &B,
) -> Result<T, ApiError> {
    let request = match method {
        "PUT" => Request::put(url),
        "PATCH" => Request::patch(url),
        _ => Request::post(url),
    };
    let sent = request
        .header("Authorization", &bearer(token))
        .json(body)
        .map_err(|e| ApiError::Offline(e.to_string()))?
        .send()
        .await;
    fetch_json(sent).await
}

/// A PUT of bytes (a chunk of a photo) with the session's token.
pub async fn put_bytes<T: DeserializeOwned>(
    url: &str,
    token: &str,
    body: &js_sys::Uint8Array,
) -> Result<T, ApiError> {
    let sent = Request::put(url)
        .header("Authorization", &bearer(token))
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .map_err(|e| ApiError::Offline(e.to_string()))?
        .send()
        .await;
    fetch_json(sent).await
}

/// A GET with the session's token.
pub async fn get<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, ApiError> {
    let sent = Request::get(url)
        .header("Authorization", &bearer(token))
        .send()
        .await;
    fetch_json(sent).await
}

/// Whether the server answers at all, within `timeout_ms`: a request of a
/// few hundred bytes that touches no database, so the status bar can tell
/// "offline" within seconds of the signal going.
pub async fn reachable(timeout_ms: u32) -> bool {
    use futures::FutureExt;
    let ping = Request::get("/api/ping").send().fuse();
    let timer = gloo_timers::future::TimeoutFuture::new(timeout_ms).fuse();
    futures::pin_mut!(ping, timer);
    futures::select! {
        answer = ping => answer.is_ok_and(|response| response.ok()),
        () = timer => false,
    }
}
