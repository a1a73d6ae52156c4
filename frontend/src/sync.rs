//! The sync engine: pushes the outbox, pulls what changed, and keeps going
//! on its own while the app is open.

use tongxin_shared::{
    account::{LoginResponse, Role},
    photo::{Photo, PhotoStatus, PhotoStatusRequest, PhotoStatusResponse},
    sync::{
        MAX_PUSH_MUTATIONS, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
        ReferenceData,
    },
};

use crate::{
    api::{self, ApiError},
    ctx::SyncProblem,
    store::{Store, StoreError},
};

/// How many changes the phone asks for at a time. The JSON of a page is
/// parsed in one step on the main thread: a thousand records (about
/// 350 KB) parse in a few milliseconds, where the server's largest page
/// (`MAX_PULL_CHANGES`) would hold the page up for a long task. Fewer,
/// larger pages would save a few hundred bytes of headers each.
const PULL_PAGE: usize = 1_000;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SyncError {
    /// The server could not be reached, or refused.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The server still finds this device's clock ahead after its stamps
    /// were moved back: the next round tries again.
    #[error("the device's clock is ahead of the server's")]
    ClockAhead,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn is_offline(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.is_offline())
    }

    /// The session expired or was revoked: the user must log in again.
    pub fn needs_login(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.needs_login())
    }

    /// The server speaks a newer protocol: this app must be updated.
    pub fn needs_update(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.needs_update())
    }

    /// What the status bar tells the user of this error.
    pub fn problem(&self) -> SyncProblem {
        if self.is_offline() {
            SyncProblem::Offline
        } else if self.needs_login() {
            SyncProblem::SessionExpired
        } else if self.needs_update() {
            SyncProblem::PleaseUpdate
        } else {
            match self {
                SyncError::Api(error) => SyncProblem::Refused(error.clone()),
                SyncError::ClockAhead => SyncProblem::ClockAhead,
                SyncError::Store(error) => SyncProblem::Store(error.to_string()),
            }
        }
    }
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub pushed: usize,
    pub pulled: usize,
    /// The user's stations or the list of categories changed.
    pub reference_changed: bool,
}

/// One full round: reference data, then the whole outbox, then every page
/// of changes. Stops at the first error; the next round starts over, which
/// is safe because push is idempotent and the cursor only moves forward
/// after a page is stored.
pub async fn sync_once(store: &Store, session: &LoginResponse) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let token = &session.token;
    // Organisers record no activities (their list of stations is empty),
    // but submit proposals like everyone.
    let reference: ReferenceData = api::get("/api/reference", token).await?;
    if session.user.role != Role::Organiser {
        report.reference_changed = store.put_stations(&reference.stations).await?;
        // A server older than the list of categories sends none.
        if !reference.categories.is_empty() {
            report.reference_changed |= store.put_categories(&reference.categories).await?;
        }
    }
    report.reference_changed |= store
        .put_proposal_lists(&reference.groups, &reference.streets)
        .await?;

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
        let response: PushResponse = api::send("POST", "/api/sync/push", token, &request).await?;
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
        let url = format!("/api/sync/pull?cursor={cursor}&limit={PULL_PAGE}");
        let page: PullResponse = api::get(&url, token).await?;
        store.apply_pulled(&page).await?;
        store
            .observe_server(page.server_stamp, page.server_time_ms)
            .await?;
        report.pulled +=
            page.changes.len() + page.livestream.len() + page.proposals.len() + page.photos.len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    if session.user.role != Role::Organiser {
        send_photos(store, token).await?;
    }
    Ok(report)
}

/// Sends the bytes of the photos taken here whose references the server
/// has accepted. The server says which it holds and how much of each has
/// arrived, so no photo is sent twice and one cut off on a weak signal
/// goes on where it stopped, a chunk at a time. A photo the server
/// refuses is left for the next round (its reference may still come);
/// losing the signal ends the round.
async fn send_photos(store: &Store, token: &str) -> Result<(), SyncError> {
    let unsent = store.unsent_photos().await?;
    for batch in unsent.chunks(PhotoStatusRequest::MAX_HASHES) {
        let request = PhotoStatusRequest {
            hashes: batch.iter().map(|photo| photo.hash.clone()).collect(),
        };
        let answer: PhotoStatusResponse =
            api::send("POST", "/api/photos/status", token, &request).await?;
        for status in answer.photos {
            let stored = match status.stored {
                true => true,
                false => match send_photo(store, token, &status).await {
                    Ok(stored) => stored,
                    Err(SyncError::Api(error)) if !error.is_offline() && !error.needs_login() => {
                        web_sys::console::warn_1(
                            &format!("photo {} not sent: {error}", status.hash).into(),
                        );
                        false
                    }
                    Err(error) => return Err(error),
                },
            };
            if stored {
                store.photo_sent(&status.hash).await?;
            }
        }
    }
    Ok(())
}

/// Sends one photo from where the server has it; whether it is stored.
async fn send_photo(store: &Store, token: &str, status: &PhotoStatus) -> Result<bool, SyncError> {
    let Some(blob) = store.photo_blob(&status.hash).await? else {
        return Ok(false);
    };
    let size = blob.size() as u32;
    let mut offset = status.received;
    while offset < size {
        let end = (offset + Photo::CHUNK_BYTES).min(size);
        let chunk = blob
            .slice_with_f64_and_f64(f64::from(offset), f64::from(end))
            .map_err(|_| StoreError::Database("cannot read a photo".into()))?;
        let buffer = wasm_bindgen_futures::JsFuture::from(chunk.array_buffer())
            .await
            .map_err(|_| StoreError::Database("cannot read a photo".into()))?;
        let bytes = js_sys::Uint8Array::new(&buffer);
        let url = format!("/api/photos/{}?offset={offset}", status.hash);
        let answer: PhotoStatus = api::put_bytes(&url, token, &bytes).await?;
        if answer.stored {
            return Ok(true);
        }
        offset = answer.received;
    }
    Ok(false)
}
