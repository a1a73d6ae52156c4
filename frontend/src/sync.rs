//! The sync engine: pushes the outbox, pulls what changed, and keeps going
//! on its own while the app is open.

use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use tongxin_shared::sync::{
    ErrorBody, MAX_PUSH_MUTATIONS, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
    ReferenceData, UNSUPPORTED_PROTOCOL,
};

use crate::store::{Store, StoreError};

/// The user a device acts for: the seam where login plugs in.
const USER_HEADER: &str = "x-tongxin-user";
const DEFAULT_USER: &str = "volunteer";

#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached: the normal state in the field.
    #[error("offline: {0}")]
    Offline(String),
    /// The server answered with an error.
    #[error("server refused ({status}): {message}")]
    Server { status: u16, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Offline(_))
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
pub async fn sync_once(store: &Store) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();

    let reference: ReferenceData = fetch_json(get("/api/reference").send().await).await?;
    store.put_stations(&reference.stations).await?;

    let device_id = store.device_id().await?;
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
            .header(USER_HEADER, DEFAULT_USER)
            .json(&request)
            .map_err(|e| SyncError::Offline(e.to_string()))?
            .send()
            .await;
        let response: PushResponse = fetch_json(sent).await?;
        store.acknowledge(&response.results).await?;
        store
            .observe_server(response.server_stamp, response.server_time_ms)
            .await?;
        report.pushed += response.results.len();
    }

    let mut cursor = store.cursor().await?.unwrap_or_default();
    loop {
        let url = format!("/api/sync/pull?cursor={cursor}");
        let page: PullResponse = fetch_json(get(&url).send().await).await?;
        store.apply_pulled(&page.changes, &page.cursor).await?;
        store
            .observe_server(page.server_stamp, page.server_time_ms)
            .await?;
        report.pulled += page.changes.len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    Ok(report)
}

fn get(url: &str) -> gloo_net::http::RequestBuilder {
    Request::get(url).header(USER_HEADER, DEFAULT_USER)
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

/// GET with the user header, for the admin page.
pub async fn api_get<T: DeserializeOwned>(url: &str) -> Result<T, SyncError> {
    fetch_json(get(url).send().await).await
}
