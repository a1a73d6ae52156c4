//! Photos' bytes: which the server holds, uploads in chunks that resume,
//! and the photo or its thumbnail for those who may see its activity.
//!
//! A photo is sent after its reference was accepted by a push, by its
//! hash: a user may send or fetch a photo only when a live reference of an
//! activity of theirs names it (admins: any activity).

use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tongxin_shared::{
    ValidationError,
    error::Rule,
    photo::{Photo, PhotoStatus, PhotoStatusRequest, PhotoStatusResponse, is_sha256_hex},
    sync::ErrorBody,
};

use super::extract::{ApiJson, ApiQuery};
use crate::{
    AppState,
    auth::Actor,
    db::StoredPhoto,
    error::ApiError,
    photos::{self, NotAPhoto},
};

fn checked_hash(hash: &str) -> Result<(), ApiError> {
    match is_sha256_hex(hash) {
        true => Ok(()),
        false => Err(ApiError::invalid(
            "a photo is named by the SHA-256 of its bytes: 64 lowercase hexadecimal digits",
            "hash",
            Rule::HashMismatch,
        )),
    }
}

/// The size the user's reference gives the photo: 404 if no live
/// reference the user may see names it.
async fn size_in_scope(state: &AppState, actor: &Actor, hash: &str) -> Result<u32, ApiError> {
    let scope = actor.activity_scope()?;
    state
        .db
        .photo_in_scope(hash, &scope)
        .await?
        .ok_or_else(|| ApiError::not_found("hash", "no activity of yours has this photo"))
}

#[utoipa::path(post, path = "/photos/status", tag = "sync", request_body = PhotoStatusRequest,
    security(("session" = [])),
    responses((status = 200, body = PhotoStatusResponse), (status = 400, description = "more than 100 hashes, or one that is not a SHA-256", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
/// Which of these photos the server holds whole, and how far an upload of
/// each has got: what a device asks before sending, so a photo is never
/// sent twice and a cut-off upload resumes.
pub async fn photos_status(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(request): ApiJson<PhotoStatusRequest>,
) -> Result<Json<PhotoStatusResponse>, ApiError> {
    actor.activity_scope()?;
    if request.hashes.len() > PhotoStatusRequest::MAX_HASHES {
        return Err(ApiError::invalid(
            format!(
                "at most {} photos at a time",
                PhotoStatusRequest::MAX_HASHES
            ),
            "hashes",
            Rule::AtMost {
                max: PhotoStatusRequest::MAX_HASHES as u32,
            },
        ));
    }
    for hash in &request.hashes {
        checked_hash(hash)?;
    }
    let stored = state.db.stored_photos(&request.hashes).await?;
    let mut photos = Vec::with_capacity(request.hashes.len());
    for hash in request.hashes {
        let status = match stored.get(&hash) {
            Some(photo) => PhotoStatus {
                stored: true,
                received: photo.bytes,
                hash,
            },
            None => PhotoStatus {
                stored: false,
                received: state.photos.received(&hash).await?,
                hash,
            },
        };
        photos.push(status);
    }
    Ok(Json(PhotoStatusResponse { photos }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChunkQuery {
    /// Where this chunk starts in the photo's bytes: what the server has
    /// received so far (`POST /photos/status`).
    offset: u32,
}

#[utoipa::path(put, path = "/photos/{hash}", tag = "sync",
    params(("hash" = String, Path, description = "the SHA-256 of the photo's bytes"), ChunkQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the photo's bytes from `offset`, at most 256 KiB"),
    security(("session" = [])),
    responses(
        (status = 200, description = "the chunk is kept; `stored` once the photo is whole and checked", body = PhotoStatus),
        (status = 400, description = "a chunk past the photo's size, an empty or oversize chunk, bytes whose SHA-256 is another, or not a JPEG, WebP or PNG", body = ErrorBody),
        (status = 401, description = "not logged in, or the session expired", body = ErrorBody),
        (status = 403, description = "the role may not do this", body = ErrorBody),
        (status = 404, description = "no activity of the user's has this photo", body = ErrorBody),
        (status = 409, description = "the chunk does not start where the upload stands: ask the status and resume", body = ErrorBody)))]
/// One chunk of a photo. The chunk that completes it has the whole
/// checked (its hash, its type by its first bytes, that it decodes) and
/// stored with a thumbnail; a photo that fails is forgotten, nothing kept.
pub async fn photo_put(
    State(state): State<AppState>,
    actor: Actor,
    Path(hash): Path<String>,
    ApiQuery(query): ApiQuery<ChunkQuery>,
    chunk: Bytes,
) -> Result<Json<PhotoStatus>, ApiError> {
    checked_hash(&hash)?;
    let size = size_in_scope(&state, &actor, &hash).await?;
    if let Some(photo) = state
        .db
        .stored_photos(std::slice::from_ref(&hash))
        .await?
        .remove(&hash)
    {
        return Ok(Json(PhotoStatus {
            hash,
            stored: true,
            received: photo.bytes,
        }));
    }
    if chunk.is_empty() || chunk.len() > Photo::CHUNK_BYTES as usize {
        return Err(ApiError::invalid(
            format!("a chunk has 1 to {} bytes", Photo::CHUNK_BYTES),
            "chunk",
            Rule::TooLarge {
                max_kb: Photo::CHUNK_BYTES / 1024,
            },
        ));
    }
    let received = state.photos.received(&hash).await?;
    if query.offset != received {
        return Err(ApiError::Conflict(ValidationError::worded(
            "offset",
            Rule::Other,
            format!("this upload has {received} bytes: send from there"),
        )));
    }
    let end = u64::from(received) + chunk.len() as u64;
    if end > u64::from(size) {
        return Err(ApiError::invalid(
            format!("the photo has {size} bytes; this chunk ends at {end}"),
            "chunk",
            Rule::TooLarge {
                max_kb: size.div_ceil(1024),
            },
        ));
    }
    // A file that is not a photo is refused at its first chunk, before
    // anything of it is kept.
    if received == 0 && tongxin_shared::photo::PhotoType::sniff(&chunk).is_none() {
        return Err(not_a_photo());
    }
    let length = chunk.len();
    state.photos.add_part(&hash, received, chunk).await?;
    tracing::info!(%hash, offset = received, bytes = length, "photo chunk kept");
    let received = end as u32;
    if received < size {
        return Ok(Json(PhotoStatus {
            hash,
            stored: false,
            received,
        }));
    }
    let whole = state.photos.assemble(&hash).await?;
    let checking = hash.clone();
    let checked = tokio::task::spawn_blocking(move || {
        let checked = photos::check(&checking, &whole);
        (whole, checked)
    })
    .await
    .map_err(|error| ApiError::Internal(error.into()))?;
    let (whole, checked) = checked;
    let checked = match checked {
        Ok(checked) => checked,
        Err(refusal) => {
            state.photos.drop_parts(&hash).await?;
            return Err(match refusal {
                NotAPhoto::WrongHash => ApiError::invalid(
                    "the bytes received are not the photo this hash names; send it again",
                    "hash",
                    Rule::HashMismatch,
                ),
                NotAPhoto::NotAnImage => not_a_photo(),
            });
        }
    };
    state.photos.put(&hash, whole, checked.thumbnail).await?;
    let stored = StoredPhoto {
        hash: hash.clone(),
        bytes: size,
        mime: checked.kind.mime().to_owned(),
        width: checked.width,
        height: checked.height,
    };
    let (now, _) = state.now();
    state
        .db
        .add_stored_photo(&stored, &now.to_rfc3339())
        .await?;
    state.photos.drop_parts(&hash).await?;
    tracing::info!(%hash, bytes = size, "photo stored");
    Ok(Json(PhotoStatus {
        hash,
        stored: true,
        received: size,
    }))
}

fn not_a_photo() -> ApiError {
    ApiError::invalid("not a JPEG, WebP or PNG photo", "chunk", Rule::NotAPhoto)
}

#[utoipa::path(get, path = "/photos/{hash}", tag = "sync",
    params(("hash" = String, Path, description = "the SHA-256 of the photo's bytes")),
    security(("session" = [])),
    responses((status = 200, description = "the photo", content_type = "image/jpeg", body = Vec<u8>), (status = 400, description = "not a SHA-256", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no activity of the user's has this photo, or it has not arrived", body = ErrorBody)))]
/// A photo, full size.
pub async fn photo_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    send_photo(&state, &actor, &hash, false).await
}

#[utoipa::path(get, path = "/photos/{hash}/thumb", tag = "sync",
    params(("hash" = String, Path, description = "the SHA-256 of the photo's bytes")),
    security(("session" = [])),
    responses((status = 200, description = "a JPEG at most 320 pixels on its longest edge", content_type = "image/jpeg", body = Vec<u8>), (status = 400, description = "not a SHA-256", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no activity of the user's has this photo, or it has not arrived", body = ErrorBody)))]
/// A photo's thumbnail, made by the server: what lists show.
pub async fn photo_thumb_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(hash): Path<String>,
) -> Result<Response, ApiError> {
    send_photo(&state, &actor, &hash, true).await
}

async fn send_photo(
    state: &AppState,
    actor: &Actor,
    hash: &str,
    thumbnail: bool,
) -> Result<Response, ApiError> {
    checked_hash(hash)?;
    size_in_scope(state, actor, hash).await?;
    let hashes = [hash.to_owned()];
    let Some(photo) = state.db.stored_photos(&hashes).await?.remove(hash) else {
        return Err(ApiError::not_found(
            "hash",
            "this photo has not arrived yet",
        ));
    };
    let bytes = state.photos.get(hash, thumbnail).await?;
    let mime = match thumbnail {
        true => "image/jpeg".to_owned(),
        false => photo.mime,
    };
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("image/jpeg")),
            ),
            // Named by its content: it never changes, but it is one user's
            // to see, so no shared cache keeps it.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}
