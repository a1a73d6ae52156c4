//! Device sync: reference data, push, pull.

use axum::{Json, extract::State};
use serde::Deserialize;
use tongxin_shared::sync::{
    MAX_PULL_CHANGES, MAX_PUSH_MUTATIONS, MAX_STAMP_AHEAD_MS, PROTOCOL_VERSION, PullResponse,
    PushRequest, PushResponse, ReferenceData, UNSUPPORTED_PROTOCOL,
};

use super::extract::{ApiJson, ApiQuery};
use crate::{
    AppState,
    db::{Actor, PushError, ServerClock},
    error::ApiError,
};

pub async fn reference_get(
    State(state): State<AppState>,
    _actor: Actor,
) -> Result<Json<ReferenceData>, ApiError> {
    Ok(Json(ReferenceData {
        stations: state.db.stations().await?,
    }))
}

pub async fn sync_push(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.protocol != PROTOCOL_VERSION {
        return Err(ApiError::bad_request(format!(
            "{UNSUPPORTED_PROTOCOL} {} (this server speaks {PROTOCOL_VERSION}); please update the app",
            request.protocol
        )));
    }
    if request.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ApiError::bad_request(format!(
            "too many mutations in one push: {} (at most {MAX_PUSH_MUTATIONS})",
            request.mutations.len()
        )));
    }
    // The server's own clock decides what "in the future" means.
    let (now, stamp) = state.now();
    let clock = ServerClock {
        stamp,
        limit_ms: stamp.wall_ms + MAX_STAMP_AHEAD_MS,
        today: now.date_naive(),
    };
    let results = state
        .db
        .apply_push(&actor, request.device_id, &request.mutations, &clock)
        .await
        .map_err(|error| match error {
            PushError::DeviceOfAnotherUser => ApiError::Forbidden("device belongs to another user"),
            PushError::Database(error) => error.into(),
        })?;
    Ok(Json(PushResponse {
        results,
        server_time_ms: now.timestamp_millis(),
        server_stamp: stamp,
    }))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
}

pub async fn sync_pull(
    State(state): State<AppState>,
    _actor: Actor,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    // The cursor is the change-stream position of the last change the
    // device has; devices treat it as opaque.
    let after: i64 = match query.cursor.as_deref() {
        None | Some("") => 0,
        Some(text) => text
            .parse()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| ApiError::bad_request(format!("invalid cursor {text:?}")))?,
    };
    let limit = query
        .limit
        .unwrap_or(MAX_PULL_CHANGES)
        .clamp(1, MAX_PULL_CHANGES);
    let page = state.db.pull(after, limit).await?;
    let cursor = page.last().map_or(after, |(seq, _)| *seq);
    let (now, stamp) = state.now();
    Ok(Json(PullResponse {
        more: page.len() == limit,
        changes: page.into_iter().map(|(_, record)| record).collect(),
        cursor: cursor.to_string(),
        server_time_ms: now.timestamp_millis(),
        server_stamp: stamp,
    }))
}
