//! Photos on the device: their references (stamped records, synced like
//! any other, in `photos`) and their bytes (`photo_blobs`, Blobs keyed by
//! the SHA-256 of their bytes, each marked once the server holds it).
//!
//! A photo taken here is kept here: its blob stays after it is sent, so
//! the record shows it with no signal. A photo pulled from another device
//! has no blob here; it is fetched (as a thumbnail) only when shown.

use std::collections::HashSet;

use rexie::{KeyRange, TransactionMode};
use serde::{Deserialize, Serialize};
use tongxin_shared::{
    Activity,
    merge::ActivityRecord,
    photo::{Photo, PhotoRecord},
};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};

use super::{
    ACTIVITIES, CLOCK, CLOCK_OFFSET, LAST_STATION, META, NEXT_SEQ, OUTBOX, OutboxEntry, REJECTED,
    Store, StoreError, clock, finish, from_js, get_meta, key_range_error, put_meta, to_js,
};

pub(super) const PHOTOS: &str = "photos";
/// The photos' references by the activity they show.
pub(super) const BY_ACTIVITY: &str = "by_activity";
pub(super) const PHOTO_BLOBS: &str = "photo_blobs";

/// A photo taken for a record and made small, not yet saved.
#[derive(Clone)]
pub struct NewPhoto {
    pub photo: Photo,
    pub blob: web_sys::Blob,
}

/// What is kept of a photo's bytes beside the Blob itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BlobInfo {
    hash: String,
    bytes: u32,
    /// The server holds it whole: nothing more to send.
    sent: bool,
}

/// A photo whose bytes wait to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentPhoto {
    pub hash: String,
    pub bytes: u32,
}

fn blob_row(info: &BlobInfo, blob: &web_sys::Blob) -> Result<JsValue, StoreError> {
    let row = to_js(info)?;
    js_sys::Reflect::set(&row, &JsValue::from_str("blob"), blob)
        .map_err(|_| StoreError::Database("cannot keep a photo".into()))?;
    Ok(row)
}

fn blob_of(row: &JsValue) -> Option<web_sys::Blob> {
    js_sys::Reflect::get(row, &JsValue::from_str("blob"))
        .ok()?
        .dyn_into()
        .ok()
}

impl Store {
    /// Saves an activity with the photos added to it and removed from it
    /// and queues every change, in one transaction: the record, the
    /// photos' references, their bytes and the outbox entries are all
    /// written or none is. Removing a photo is a tombstone of its
    /// reference; its bytes stay until nothing here needs them.
    pub async fn save_activity_with_photos(
        &self,
        activity: &Activity,
        added: &[NewPhoto],
        removed: &[Uuid],
    ) -> Result<(), StoreError> {
        let tx = self.db.transaction(
            &[ACTIVITIES, PHOTOS, PHOTO_BLOBS, OUTBOX, REJECTED, META],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(META)?;
        let (activities, photos, blobs) = (
            tx.store(ACTIVITIES)?,
            tx.store(PHOTOS)?,
            tx.store(PHOTO_BLOBS)?,
        );
        let (outbox, rejected) = (tx.store(OUTBOX)?, tx.store(REJECTED)?);
        let mut clock = clock(&meta).await?;
        let offset_ms: f64 = get_meta(&meta, CLOCK_OFFSET).await?.unwrap_or(0.0);
        let mut seq: u64 = get_meta(&meta, NEXT_SEQ).await?.unwrap_or(1);
        let mut stamp = || clock.stamp((js_sys::Date::now() + offset_ms).max(0.0) as u64);

        // The record first: the server checks a photo against it.
        let key = JsValue::from_str(&activity.id.to_string());
        let current = activities.get(key).await?;
        let record = match current.map(from_js::<ActivityRecord>).transpose()? {
            Some(mut record) => {
                record.edit(activity, stamp());
                record
            }
            None => ActivityRecord::new(activity, stamp()),
        };
        let mut changes: Vec<(Uuid, tongxin_shared::sync::Change, JsValue)> = Vec::new();
        changes.push((
            activity.id,
            tongxin_shared::sync::Change::PutActivity(record.clone()),
            to_js(&record)?,
        ));
        for new in added {
            let record = PhotoRecord::new(&new.photo, stamp());
            changes.push((
                record.id,
                tongxin_shared::sync::Change::PutPhoto(record.clone()),
                to_js(&record)?,
            ));
        }
        for id in removed {
            let key = JsValue::from_str(&id.to_string());
            let Some(row) = photos.get(key).await? else {
                continue;
            };
            let mut record: PhotoRecord = from_js(row)?;
            record.set_deleted(true, stamp());
            changes.push((
                record.id,
                tongxin_shared::sync::Change::PutPhoto(record.clone()),
                to_js(&record)?,
            ));
        }
        for (index, (id, change, row)) in changes.into_iter().enumerate() {
            let store = if index == 0 { &activities } else { &photos };
            store.put(&row, None).await?;
            outbox
                .put(
                    &to_js(&OutboxEntry {
                        seq,
                        record_id: id,
                        change,
                    })?,
                    None,
                )
                .await?;
            rejected.delete(JsValue::from_str(&id.to_string())).await?;
            seq += 1;
        }
        for new in added {
            let key = JsValue::from_str(&new.photo.hash);
            // The same photo twice (on two records) is kept once.
            if blobs.get(key).await?.is_none() {
                let info = BlobInfo {
                    hash: new.photo.hash.clone(),
                    bytes: new.photo.bytes,
                    sent: false,
                };
                blobs.put(&blob_row(&info, &new.blob)?, None).await?;
            }
        }
        put_meta(&meta, CLOCK, &clock).await?;
        put_meta(&meta, NEXT_SEQ, &seq).await?;
        if !activity.station_id.is_empty() {
            put_meta(&meta, LAST_STATION, &activity.station_id).await?;
        }
        finish(tx).await
    }

    /// The live photos of an activity, in the order they were added.
    pub async fn photos_of(&self, activity: Uuid) -> Result<Vec<Photo>, StoreError> {
        let tx = self.db.transaction(&[PHOTOS], TransactionMode::ReadOnly)?;
        let range =
            KeyRange::only(&JsValue::from_str(&activity.to_string())).map_err(key_range_error)?;
        let rows = tx
            .store(PHOTOS)?
            .index(BY_ACTIVITY)?
            .get_all(Some(range), None)
            .await?;
        finish(tx).await?;
        let mut photos: Vec<Photo> = rows
            .into_iter()
            .map(from_js::<PhotoRecord>)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .filter(|record| !record.is_deleted())
            .map(|record| record.photo())
            .collect();
        photos.sort_by_key(|photo| photo.id);
        Ok(photos)
    }

    /// A photo's bytes, if this device has them.
    pub async fn photo_blob(&self, hash: &str) -> Result<Option<web_sys::Blob>, StoreError> {
        let tx = self
            .db
            .transaction(&[PHOTO_BLOBS], TransactionMode::ReadOnly)?;
        let row = tx.store(PHOTO_BLOBS)?.get(JsValue::from_str(hash)).await?;
        finish(tx).await?;
        Ok(row.as_ref().and_then(blob_of))
    }

    /// The photos taken here whose bytes the server does not hold yet,
    /// but only those a reference the server accepted names (a reference
    /// still in the outbox is sent first; a refused one never).
    pub async fn unsent_photos(&self) -> Result<Vec<UnsentPhoto>, StoreError> {
        let tx = self.db.transaction(
            &[PHOTOS, PHOTO_BLOBS, OUTBOX, REJECTED],
            TransactionMode::ReadOnly,
        )?;
        let mut waiting = Vec::new();
        for row in tx.store(PHOTO_BLOBS)?.get_all(None, None).await? {
            let info: BlobInfo = from_js(row)?;
            if !info.sent {
                waiting.push(UnsentPhoto {
                    hash: info.hash,
                    bytes: info.bytes,
                });
            }
        }
        // Every sync round asks: with nothing waiting (the usual answer),
        // the references, which an admin's device holds for the whole
        // district, are not read.
        if waiting.is_empty() {
            finish(tx).await?;
            return Ok(waiting);
        }
        let unsynced = super::unsynced_ids(&tx.store(OUTBOX)?, &tx.store(REJECTED)?).await?;
        let references: Vec<PhotoRecord> = super::all(&tx.store(PHOTOS)?).await?;
        finish(tx).await?;
        let ready: HashSet<&str> = references
            .iter()
            .filter(|r| !r.is_deleted() && !unsynced.contains(&r.id))
            .map(|r| r.hash.value.as_str())
            .collect();
        waiting.retain(|photo| ready.contains(photo.hash.as_str()));
        Ok(waiting)
    }

    /// How many photos taken here wait to be sent, whatever their
    /// reference's state: what the status bar shows.
    pub async fn waiting_photo_count(&self) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction(&[PHOTO_BLOBS], TransactionMode::ReadOnly)?;
        let rows = tx.store(PHOTO_BLOBS)?.get_all(None, None).await?;
        finish(tx).await?;
        let mut waiting = 0;
        for row in rows {
            let info: BlobInfo = from_js(row)?;
            waiting += u32::from(!info.sent);
        }
        Ok(waiting)
    }

    /// Notes that the server holds a photo whole.
    pub async fn photo_sent(&self, hash: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[PHOTO_BLOBS], TransactionMode::ReadWrite)?;
        let blobs = tx.store(PHOTO_BLOBS)?;
        if let Some(row) = blobs.get(JsValue::from_str(hash)).await? {
            let mut info: BlobInfo = from_js(row.clone())?;
            info.sent = true;
            if let Some(blob) = blob_of(&row) {
                blobs.put(&blob_row(&info, &blob)?, None).await?;
            }
        }
        finish(tx).await
    }
}
