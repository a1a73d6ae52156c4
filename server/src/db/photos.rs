//! Photos of activities: their references on the change stream, and the
//! photos' bytes the server holds (`photo_blobs`; the bytes themselves are
//! in the photo store, `crate::photos`).
//!
//! A reference is pushed like any record and decided here, per mutation:
//! its activity must exist and be of the user's stations, it never moves
//! to another activity nor changes its bytes, and an activity has at most
//! [`Photo::MAX_PER_ACTIVITY`] live photos. A device pulls the references
//! of the activities it pulls (joined to them by station), and when an
//! activity moves to another station its photos are written again at new
//! positions, so a device that now pulls the activity gets them too.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AnyPool, Row};
use tongxin_shared::{
    ValidationError,
    error::Rule,
    merge::ActivityRecord,
    photo::{Photo, PhotoRecord},
};
use uuid::Uuid;

use super::{Backend, IDS_PER_QUERY, Sql, livestream::json};
use crate::auth::StationScope;

fn decode(record: &str) -> Result<PhotoRecord, sqlx::Error> {
    serde_json::from_str(record).map_err(|error| sqlx::Error::ColumnDecode {
        index: "record".into(),
        source: error.into(),
    })
}

/// Rows of `activity_photos` whose `column` is one of `values`, decoded,
/// in slices so no statement nears SQLite's limit on parameters.
async fn load_where(
    tx: &mut AnyConnection,
    column: &str,
    values: &HashSet<Uuid>,
) -> Result<HashMap<Uuid, PhotoRecord>, sqlx::Error> {
    let values: Vec<&Uuid> = values.iter().collect();
    let mut found = HashMap::new();
    for chunk in values.chunks(IDS_PER_QUERY) {
        let mut query = Sql::new(
            Backend::of(tx),
            format!("SELECT record FROM activity_photos WHERE {column} IN "),
        );
        query.list(chunk.iter().map(|id| id.to_string()));
        for row in query.fetch_all(&mut *tx).await? {
            let record = decode(row.try_get("record")?)?;
            found.insert(record.id, record);
        }
    }
    Ok(found)
}

/// The photo references of one push: what is stored of them, how many
/// live photos their activities have, and what the push changed.
pub(super) struct PhotoPush {
    stored: HashMap<Uuid, PhotoRecord>,
    live: HashMap<Uuid, usize>,
    touched: Vec<Uuid>,
}

impl PhotoPush {
    /// Reads, once, the stored versions of the pushed references and every
    /// photo of their activities (to count the live ones).
    pub(super) async fn load(
        tx: &mut AnyConnection,
        pushed: &[&PhotoRecord],
    ) -> Result<PhotoPush, sqlx::Error> {
        let activities: HashSet<Uuid> = pushed.iter().map(|r| r.activity_id.value).collect();
        let mut stored = load_where(tx, "activity_id", &activities).await?;
        let missing: HashSet<Uuid> = pushed
            .iter()
            .map(|r| r.id)
            .filter(|id| !stored.contains_key(id))
            .collect();
        stored.extend(load_where(tx, "id", &missing).await?);
        let mut live = HashMap::new();
        for record in stored.values().filter(|r| !r.is_deleted()) {
            *live.entry(record.activity_id.value).or_insert(0) += 1;
        }
        Ok(PhotoPush {
            stored,
            live,
            touched: Vec::new(),
        })
    }

    /// Merges one pushed reference into the stored one and keeps it, or
    /// says why not. `activities` holds the activities the references name
    /// as this push has them so far (one created earlier in the same push
    /// included).
    pub(super) fn apply(
        &mut self,
        incoming: &PhotoRecord,
        activities: &HashMap<Uuid, ActivityRecord>,
        scope: &StationScope,
    ) -> Result<(), Vec<ValidationError>> {
        let current = self.stored.get(&incoming.id);
        let mut merged = current.cloned().unwrap_or_else(|| incoming.clone());
        if current.is_some() {
            merged.merge(incoming);
        }
        let photo = merged.photo();
        photo.validate()?;
        if let Some(current) = current {
            let was = current.photo();
            let mut errors = Vec::new();
            for (field, same) in [
                ("activity_id", was.activity_id == photo.activity_id),
                ("hash", was.hash == photo.hash),
                ("bytes", was.bytes == photo.bytes),
            ] {
                if !same {
                    errors.push(ValidationError::new(field, Rule::Unchangeable));
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        let Some(activity) = activities.get(&photo.activity_id) else {
            return Err(vec![ValidationError::new("activity_id", Rule::NotFound)]);
        };
        if !scope.contains(&activity.station_id.value) {
            return Err(vec![ValidationError::new(
                "activity_id",
                Rule::NotYourStation,
            )]);
        }
        let was_live = current.is_some_and(|r| !r.is_deleted());
        let live = self.live.entry(photo.activity_id).or_insert(0);
        match (was_live, merged.is_deleted()) {
            (false, false) if *live >= Photo::MAX_PER_ACTIVITY => {
                return Err(vec![ValidationError::new(
                    "photos",
                    Rule::AtMost {
                        max: Photo::MAX_PER_ACTIVITY as u32,
                    },
                )]);
            }
            (false, false) => *live += 1,
            (true, true) => *live -= 1,
            _ => {}
        }
        self.touched.push(merged.id);
        self.stored.insert(merged.id, merged);
        Ok(())
    }

    /// Writes every reference the push changed, each once, at a new
    /// position.
    pub(super) async fn write(
        self,
        tx: &mut AnyConnection,
        stream: &mut super::ChangeStream,
        updated_by: &str,
        now: &str,
    ) -> Result<(), sqlx::Error> {
        for id in super::last_touches(self.touched) {
            put(tx, &self.stored[&id], stream.next(), updated_by, now).await?;
        }
        Ok(())
    }
}

async fn put(
    tx: &mut AnyConnection,
    record: &PhotoRecord,
    change_seq: i64,
    updated_by: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    let photo = record.photo();
    sqlx::query(
        "INSERT INTO activity_photos (id, activity_id, hash, bytes, deleted, change_seq,
            changed_at, updated_by, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET deleted = $5, change_seq = $6, changed_at = $7,
            updated_by = $8, record = $9",
    )
    .bind(photo.id.to_string())
    .bind(photo.activity_id.to_string())
    .bind(photo.hash)
    .bind(i64::from(photo.bytes))
    .bind(record.is_deleted())
    .bind(change_seq)
    .bind(now)
    .bind(updated_by)
    .bind(json(record)?)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Writes the photos of activities that moved to another station again,
/// at new positions: a device that pulls an activity now (its new
/// station's) gets its photos with it.
pub(super) async fn follow_moves(
    tx: &mut AnyConnection,
    moved: &HashSet<Uuid>,
    stream: &mut super::ChangeStream,
    updated_by: &str,
    now: &str,
) -> Result<(), sqlx::Error> {
    if moved.is_empty() {
        return Ok(());
    }
    let photos = load_where(tx, "activity_id", moved).await?;
    let mut ids: Vec<&Uuid> = photos.keys().collect();
    ids.sort();
    for id in ids {
        put(tx, &photos[id], stream.next(), updated_by, now).await?;
    }
    Ok(())
}

/// References of photos of activities in `scope` changed after `after`
/// and at or before `through`, in change-stream order, at most `limit`,
/// each with its position.
pub(super) async fn pull(
    pool: &AnyPool,
    backend: Backend,
    scope: &StationScope,
    after: i64,
    through: i64,
    limit: usize,
) -> Result<Vec<(i64, PhotoRecord)>, sqlx::Error> {
    let mut query = Sql::new(
        backend,
        "SELECT p.change_seq, p.record FROM activity_photos p",
    );
    if let StationScope::Only(stations) = scope {
        if stations.is_empty() {
            return Ok(Vec::new());
        }
        query
            .push(" JOIN activities a ON a.id = p.activity_id AND a.station_id IN ")
            .list(stations.iter().map(String::as_str));
    }
    query
        .push(" WHERE p.change_seq > ")
        .bind(after)
        .push(" AND p.change_seq <= ")
        .bind(through)
        .push(" ORDER BY p.change_seq LIMIT ")
        .bind(limit as i64);
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("change_seq")?, decode(row.try_get("record")?)?)))
        .collect()
}

/// A photo's bytes as the server holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPhoto {
    pub hash: String,
    pub bytes: u32,
    pub mime: String,
    pub width: u32,
    pub height: u32,
}

impl super::Db {
    /// Which of `hashes` the server holds whole.
    pub async fn stored_photos(
        &self,
        hashes: &[String],
    ) -> Result<HashMap<String, StoredPhoto>, sqlx::Error> {
        let mut found = HashMap::new();
        for chunk in hashes.chunks(IDS_PER_QUERY) {
            let mut query = Sql::new(
                self.backend,
                "SELECT hash, bytes, mime, width, height FROM photo_blobs WHERE hash IN ",
            );
            query.list(chunk.iter().map(String::as_str));
            for row in query.fetch_all(&self.pool).await? {
                let photo = StoredPhoto {
                    hash: row.try_get("hash")?,
                    bytes: number(&row, "bytes")?,
                    mime: row.try_get("mime")?,
                    width: number(&row, "width")?,
                    height: number(&row, "height")?,
                };
                found.insert(photo.hash.clone(), photo);
            }
        }
        Ok(found)
    }

    /// Notes a photo as held whole (its bytes and thumbnail are in the
    /// photo store). Storing one twice keeps the first.
    pub async fn add_stored_photo(
        &self,
        photo: &StoredPhoto,
        now: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO photo_blobs (hash, bytes, mime, width, height, stored_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(&photo.hash)
        .bind(i64::from(photo.bytes))
        .bind(&photo.mime)
        .bind(i64::from(photo.width))
        .bind(i64::from(photo.height))
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The size a live reference the user may see gives the photo named
    /// `hash`, or `None` if no such reference exists: what decides whether
    /// the user may send or fetch the photo. Admins see every activity.
    pub async fn photo_in_scope(
        &self,
        hash: &str,
        scope: &StationScope,
    ) -> Result<Option<u32>, sqlx::Error> {
        let mut query = Sql::new(
            self.backend,
            "SELECT p.bytes FROM activity_photos p JOIN activities a ON a.id = p.activity_id
             WHERE NOT p.deleted AND p.hash = ",
        );
        query.bind(hash);
        if let StationScope::Only(stations) = scope {
            if stations.is_empty() {
                return Ok(None);
            }
            query
                .push(" AND a.station_id IN ")
                .list(stations.iter().map(String::as_str));
        }
        query.push(" LIMIT 1");
        match query.fetch_optional(&self.pool).await? {
            Some(row) => Ok(Some(number(&row, "bytes")?)),
            None => Ok(None),
        }
    }
}

fn number(row: &sqlx::any::AnyRow, column: &str) -> Result<u32, sqlx::Error> {
    let value: i64 = row.try_get(column)?;
    u32::try_from(value).map_err(|error| sqlx::Error::ColumnDecode {
        index: column.into(),
        source: error.into(),
    })
}

impl super::Db {
    /// Photos held whole that no live reference has named since `before`
    /// (an RFC 3339 time): stored before it, and every reference to them
    /// removed before it, or none ever made.
    pub async fn unreferenced_photos(&self, before: &str) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT b.hash FROM photo_blobs b
             WHERE b.stored_at < $1
               AND NOT EXISTS (SELECT 1 FROM activity_photos p
                               WHERE p.hash = b.hash AND (NOT p.deleted OR p.changed_at >= $1))",
        )
        .bind(before)
        .fetch_all(&self.pool)
        .await
    }

    /// Forgets that a photo is held (its bytes are removed apart).
    pub async fn forget_stored_photo(&self, hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM photo_blobs WHERE hash = $1")
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
