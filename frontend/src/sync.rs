//! The sync engine: pushes the outbox, pulls what changed, and keeps going
//! on its own while the app is open.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use tongxin_shared::{
    account::{LoginRequest, LoginResponse, Role},
    sync::{
        ErrorBody, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
        ReferenceData, UNSUPPORTED_PROTOCOL,
    },
};

use crate::store::{Store, StoreError};

#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached: the normal state in the field.
    #[error("offline: {0}")]
    Offline(String),
    /// The server answered with an error.
    #[error("server refused ({status}): {message}")]
    Server { status: u16, message: String },
    /// The server still finds this device's clock ahead after its stamps
    /// were moved back: the next round tries again.
    #[error("the device's clock is ahead of the server's")]
    ClockAhead,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Offline(_))
    }

    /// The session expired or was revoked: the user must log in again.
    pub fn needs_login(&self) -> bool {
        matches!(self, SyncError::Server { status: 401, .. })
    }

    /// The server speaks a newer protocol: this app must be updated.
    pub fn needs_update(&self) -> bool {
        matches!(self, SyncError::Server { message, .. } if message.contains(UNSUPPORTED_PROTOCOL))
    }
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled: usize,
}

/// One full round: reference data, then the whole outbox, then every page
/// of changes. Stops at the first error; the next round starts over, which
/// is safe because push is idempotent and the cursor only moves forward
/// after a page is stored.
pub async fn sync_once(store: &Store, session: &LoginResponse) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let token = &session.token;
    // Organisers record no activities, so they need no stations.
    if session.user.role != Role::Organiser {
        let reference: ReferenceData = api_get("/api/reference", token).await?;
        store.put_stations(&reference.stations).await?;
        // A server older than the list of categories sends none.
        if !reference.categories.is_empty() {
            store.put_categories(&reference.categories).await?;
        }
    }

    let device_id = store.device_id().await?;
    // A clock that runs ahead is corrected once or twice a round at most;
    // should the server still find it ahead, the round ends and the next
    // one tries again, rather than pushing in a circle.
    let mut clock_corrections = 0;
    loop {
        let mutations = store.outbox(MAX_PUSH_MUTATIONS as u32).await?;
        if mutations.is_empty() {
            break;
        }
        let request = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id,
            mutations,
        };
        let sent = Request::post("/api/sync/push")
            .header("Authorization", &bearer(token))
            .json(&request)
            .map_err(|e| SyncError::Offline(e.to_string()))?
            .send()
            .await;
        let response: PushResponse = fetch_json(sent).await?;
        let answered = store.acknowledge(&response.results).await?;
        store
            .observe_server(response.server_stamp, response.server_time_ms)
            .await?;
        report.pushed += answered.accepted + answered.rejected;
        if answered.clock_ahead > 0 {
            if clock_corrections == 2 {
                return Err(SyncError::ClockAhead);
            }
            clock_corrections += 1;
            store.move_stamps_back(&response).await?;
        }
    }

    let mut cursor = store.cursor().await?.unwrap_or_default();
    loop {
        let url = format!("/api/sync/pull?cursor={cursor}");
        let page: PullResponse = api_get(&url, token).await?;
        store.apply_pulled(&page).await?;
        store
            .observe_server(page.server_stamp, page.server_time_ms)
            .await?;
        report.pulled += page.changes.len() + page.livestream.len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    Ok(report)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Logs in; needs the network.
pub async fn login(username: &str, password: &str) -> Result<LoginResponse, SyncError> {
    let request = LoginRequest {
        username: username.trim().to_owned(),
        password: password.to_owned(),
    };
    let sent = Request::post("/api/auth/login")
        .json(&request)
        .map_err(|e| SyncError::Offline(e.to_string()))?
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
pub async fn fetch_json<T: DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, SyncError> {
    let response = sent.map_err(|e| SyncError::Offline(e.to_string()))?;
    if response.ok() {
        return response
            .json()
            .await
            .map_err(|e| SyncError::Offline(e.to_string()));
    }
    let status = response.status();
    // A server that is down behind the service worker or a proxy answers
    // 5xx without our JSON body: that is "offline" to the user.
    let message = match response.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) if status >= 500 => return Err(SyncError::Offline(format!("HTTP {status}"))),
        Err(_) => format!("HTTP {status}"),
    };
    Err(SyncError::Server { status, message })
}

/// A GET of a file (an export) with the session's token.
pub async fn api_bytes(url: &str, token: &str) -> Result<Vec<u8>, SyncError> {
    let response = Request::get(url)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let message = match response.json::<ErrorBody>().await {
            Ok(body) => body.error,
            Err(_) => format!("HTTP {status}"),
        };
        return Err(SyncError::Server { status, message });
    }
    response
        .binary()
        .await
        .map_err(|e| SyncError::Offline(e.to_string()))
}

/// A POST, PUT or PATCH of JSON with the session's token.
pub async fn api_send<B: serde::Serialize, T: DeserializeOwned>(
    method: &str,
    url: &str,
    token: &str,
    body: &B,
) -> Result<T, SyncError> {
    let request = match method {
        "PUT" => Request::put(url),
        "PATCH" => Request::patch(url),
        _ => Request::post(url),
    };
    let sent = request
        .header("Authorization", &bearer(token))
        .json(body)
        .map_err(|e| SyncError::Offline(e.to_string()))?
        .send()
        .await;
    fetch_json(sent).await
}

/// A GET with the session's token.
pub async fn api_get<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, SyncError> {
    let sent = Request::get(url)
        .header("Authorization", &bearer(token))
        .send()
        .await;
    fetch_json(sent).await
}
