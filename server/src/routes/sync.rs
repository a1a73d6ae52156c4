//! Device sync: reference data, push, pull.

use axum::response::IntoResponse;
use axum::{Json, extract::State};
use serde::Deserialize;
use tongxin_shared::sync::{
    ErrorBody, MAX_PULL_CHANGES, MAX_PUSH_MUTATIONS, MAX_STAMP_AHEAD_MS, PROTOCOL_VERSION,
    PullResponse, PushRequest, PushResponse, ReferenceData, UNSUPPORTED_PROTOCOL,
};
use tongxin_shared::{
    error::Rule, livestream::LivestreamRecord, merge::ActivityRecord, photo::PhotoRecord,
    proposal::ProposalItem,
};

use super::extract::{ApiJson, ApiQuery};
use crate::{
    AppState,
    auth::{Actor, StationScope},
    db::{PushError, ServerClock},
    error::ApiError,
};

#[utoipa::path(get, path = "/reference", tag = "sync", security(("session" = [])),
    responses((status = 200, body = ReferenceData), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
/// The stations the user records for (all of them for an admin, none for
/// an organiser), the list of categories, and what a proposal is written
/// with: the groups and the district's streets.
pub async fn reference_get(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<ReferenceData>, ApiError> {
    let scope = actor.activity_scope().ok();
    let mut stations = state.db.stations().await?;
    stations.retain(|station| scope.as_ref().is_some_and(|s| s.contains(&station.id)));
    Ok(Json(ReferenceData {
        stations,
        categories: state.db.categories().await?,
        groups: state.db.proposal_groups().await?,
        streets: state.db.streets().await?,
    }))
}

/// Applies a device's mutations in one transaction; each is answered
/// accepted or rejected with reasons. Idempotent by (device, seq).
#[utoipa::path(post, path = "/sync/push", tag = "sync", request_body = PushRequest,
    security(("session" = [])),
    responses(
        (status = 200, body = PushResponse),
        (status = 400, description = "unreadable JSON, too many mutations or an unknown protocol version", body = ErrorBody),
        (status = 401, description = "not logged in, or the session expired", body = ErrorBody),
        (status = 403, description = "a device registered to another user", body = ErrorBody),
        (status = 413, description = "a body over 4 MiB", body = ErrorBody),
        (status = 422, description = "a field of the wrong shape", body = ErrorBody)))]
pub async fn sync_push(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    if request.protocol != PROTOCOL_VERSION {
        return Err(ApiError::invalid(
            format!(
                "{UNSUPPORTED_PROTOCOL} {} (this server speaks {PROTOCOL_VERSION}); please update the app",
                request.protocol
            ),
            "protocol",
            Rule::UnsupportedProtocol,
        ));
    }
    if request.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(ApiError::invalid(
            format!(
                "too many mutations in one push: {} (at most {MAX_PUSH_MUTATIONS})",
                request.mutations.len()
            ),
            "mutations",
            Rule::AtMost {
                max: MAX_PUSH_MUTATIONS as u32,
            },
        ));
    }
    // The server's own clock decides what "in the future" means.
    let (now, stamp) = state.now();
    let clock = ServerClock {
        limit_ms: stamp.wall_ms + MAX_STAMP_AHEAD_MS,
        today: now.date_naive(),
    };
    let answered = state
        .db
        .apply_push(&actor, request.device_id, &request.mutations, &clock)
        .await
        .map_err(|error| match error {
            PushError::DeviceOfAnotherUser => ApiError::forbidden(
                "device_id",
                Rule::NotAllowed,
                "device belongs to another user",
            ),
            PushError::Database(error) => error.into(),
        })?;
    Ok(Json(PushResponse {
        results: answered.results,
        server_time_ms: now.timestamp_millis(),
        server_stamp: stamp,
        device_latest: answered.device_latest,
    }))
}

enum Pulled {
    Activity(ActivityRecord),
    Livestream(LivestreamRecord),
    Proposal(ProposalItem),
    Photo(PhotoRecord),
    /// An activity that left the user's stations.
    Gone(uuid::Uuid),
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor of the last page the device stored; none or empty for
    /// the start.
    #[serde(default)]
    #[param(pattern = r"^([0-9]{1,18}\.[0-9a-z]*)?$")]
    cursor: Option<String>,
    /// At most this many changes (1 to 5,000; the default is 5,000).
    #[serde(default)]
    #[param(minimum = 1, maximum = 5_000)]
    limit: Option<usize>,
}

/// A cursor's parts, "<position>.<scope fingerprint>": `None` unless the
/// position is a whole number of 0 or more.
pub fn parse_cursor(text: &str) -> Option<(i64, &str)> {
    let (position, fingerprint) = text.split_once('.')?;
    let position = position.parse::<i64>().ok().filter(|n| *n >= 0)?;
    Some((position, fingerprint))
}

/// The changes after `cursor` that the user may see, in change order:
/// activities (with their photos' references) for volunteers, livestream
/// records for organisers, both for admins; everyone's own proposals and
/// their steps (all for admins).
#[utoipa::path(get, path = "/sync/pull", tag = "sync", params(PullQuery),
    security(("session" = [])),
    responses((status = 200, body = PullResponse), (status = 400, description = "an invalid cursor", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn sync_pull(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<axum::response::Response, ApiError> {
    // One account's pulls are few at a time, and all pulls together wait
    // for one of the few long-read turns, so pulls never take the
    // connections other users' logins and pushes need.
    let _pull_turn = state.pull_turn(actor.user_id).await;
    // Volunteers pull their stations' activities, organisers the
    // livestream records, admins both.
    let activities = actor.activity_scope().ok();
    let livestream = actor.works_with_livestream();
    let fingerprint = actor.cursor_scope(activities.as_ref());
    // The cursor is "<position>.<scope fingerprint>": the change-stream
    // position up to which the device has everything, and which stations
    // it was pulling. Devices treat it as opaque. A cursor from another
    // scope (the user's stations changed) starts over from the beginning,
    // with `reset` set: the device forgets what it holds (but its own
    // unanswered changes) and gets every record of its new scope, so the
    // records of a station taken away leave it as well.
    // A pull from the beginning is a reset: the device may hold records it
    // pushed before its first pull, of stations no longer its user's.
    let (after, reset) = match query.cursor.as_deref() {
        None | Some("") => (0, true),
        Some(text) => {
            let (position, scope_of_cursor) =
                parse_cursor(text).ok_or_else(|| ApiError::BadRequest {
                    status: axum::http::StatusCode::BAD_REQUEST,
                    message: format!("invalid cursor {text:?}"),
                })?;
            if scope_of_cursor == fingerprint {
                (position, false)
            } else {
                (0, true)
            }
        }
    };
    let limit = query
        .limit
        .unwrap_or(MAX_PULL_CHANGES)
        .clamp(1, MAX_PULL_CHANGES);
    // Every query of this page reads up to one position of the stream, so
    // together they are one moment of it (see `Db::last_position`).
    let _read_turn = state.db.long_read_turn().await;
    let through = state.db.last_position().await?;
    // Each source gives its first `limit` changes after the cursor. If
    // none had more, the page holds every change up to `through`, and the
    // cursor moves there; else the page is the first `limit` of all of
    // them and the cursor moves to the last one it holds.
    let mut page: Vec<(i64, Pulled)> = Vec::new();
    let mut full = false;
    if let Some(scope) = &activities {
        let found = state.db.pull(scope, after, through, limit).await?;
        full |= found.len() >= limit;
        page.extend(found.into_iter().map(|(seq, r)| (seq, Pulled::Activity(r))));
        let found = state.db.pull_photos(scope, after, through, limit).await?;
        full |= found.len() >= limit;
        page.extend(found.into_iter().map(|(seq, r)| (seq, Pulled::Photo(r))));
        if let StationScope::Only(stations) = scope {
            let gone = state.db.pull_exits(stations, after, through, limit).await?;
            full |= gone.len() >= limit;
            page.extend(gone.into_iter().map(|(seq, id)| (seq, Pulled::Gone(id))));
        }
    }
    if livestream {
        let found = state.db.pull_livestream(after, through, limit).await?;
        full |= found.len() >= limit;
        page.extend(
            found
                .into_iter()
                .map(|(seq, r)| (seq, Pulled::Livestream(r))),
        );
    }
    // Everyone follows their own proposals; admins all of them.
    let proposer = match actor.require_admin() {
        Ok(()) => None,
        Err(_) => Some(actor.username.as_str()),
    };
    let found = state
        .db
        .pull_proposals(proposer, after, through, limit)
        .await?;
    full |= found.len() >= limit;
    page.extend(found.into_iter().map(|(seq, r)| (seq, Pulled::Proposal(r))));
    page.sort_by_key(|(seq, _)| *seq);
    let (more, cursor) = if full || page.len() > limit {
        page.truncate(limit);
        (true, page.last().map_or(after, |(seq, _)| *seq))
    } else {
        (false, through.max(after))
    };
    let (mut changes, mut livestream_changes, mut gone) = (Vec::new(), Vec::new(), Vec::new());
    let (mut proposals, mut photos) = (Vec::new(), Vec::new());
    for (_, pulled) in page {
        match pulled {
            Pulled::Activity(record) => changes.push(record),
            Pulled::Livestream(record) => livestream_changes.push(record),
            Pulled::Proposal(item) => proposals.push(item),
            Pulled::Photo(record) => photos.push(record),
            Pulled::Gone(id) => gone.push(id),
        }
    }
    let (now, stamp) = state.now();
    let page = PullResponse {
        more,
        changes,
        livestream: livestream_changes,
        proposals,
        photos,
        gone,
        reset,
        cursor: format!("{cursor}.{fingerprint}"),
        server_time_ms: now.timestamp_millis(),
        server_stamp: stamp,
    };
    // A full page is megabytes of JSON: written on a blocking thread, so
    // it never holds up the async workers other users' requests run on.
    let body = tokio::task::spawn_blocking(move || serde_json::to_vec(&page))
        .await
        .map_err(|error| ApiError::Internal(error.into()))?
        .map_err(|error| ApiError::Internal(error.into()))?;
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}
