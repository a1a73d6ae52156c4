//! The device's own database: every record lives in IndexedDB first.
//!
//! A record change and its outbox entry are written in one IndexedDB
//! transaction, so there is no moment where one exists without the other:
//! whatever the user saved is either pending in the outbox or acknowledged
//! by the server, across reloads and crashes alike.

use std::{
    collections::{HashMap, HashSet},
    rc::Rc,
};

use rexie::{Direction, Index, KeyRange, ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tongxin_shared::{
    Activity, CategoryInfo, Station, ValidationError,
    account::LoginResponse,
    error::Rule,
    hlc::{Hlc, HlcClock, StampRewrite},
    livestream::LivestreamRecord,
    merge::{ActivityRecord, StampedRecord},
    photo::PhotoRecord,
    proposal::{GroupInfo, ProposalItem},
    sync::{Change, Mutation, MutationResult, Outcome, PullResponse, PushResponse},
};
use uuid::Uuid;
use wasm_bindgen::JsValue;

mod photos;
use photos::{BY_ACTIVITY, PHOTO_BLOBS, PHOTOS};
pub use photos::{NewPhoto, UnsentPhoto};

const DB_NAME: &str = "tongxin";
/// 2 added the livestream records, 3 the activities' index by date.
const DB_VERSION: u32 = 5;
const ACTIVITIES: &str = "activities";
/// The activities by `[date, id]`: the list reads its pages newest first
/// from it, however many records the device holds.
const BY_DATE: &str = "by_date";
/// How many records one step of a list's scan reads, in a transaction of
/// its own: small enough that a step is a short task on the main thread
/// and a save never waits long behind it.
const SCAN_BATCH: u32 = 100;
/// How many records one step reads when nothing filters the list (nearly
/// every record read is shown). The list reads its page again after each
/// sync round that changed something, and a save's write waits for every
/// read begun before it: saves tapped just after a round waited 6–34 ms
/// behind one read of the whole page of 50.
const PAGE_STEP: u32 = 10;
/// How many pulled records one transaction stores: a slice is a short
/// task on the main thread, and a save waits at most one slice behind a
/// pull.
const PULL_SLICE: usize = 50;
/// Every livestream record, of whichever kind, keyed by its id.
const LIVESTREAM: &str = "livestream";
/// Proposals and their steps, keyed like the livestream records.
const PROPOSALS: &str = "proposals";
const OUTBOX: &str = "outbox";
const REJECTED: &str = "rejected";
const STATIONS: &str = "stations";
const META: &str = "meta";

/// Why the store could not do what was asked, in words for the user.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("local database error: {0}")]
    Database(String),
    #[error("stored data could not be read: {0}")]
    Decode(String),
    /// The browser's storage for this site is full (`QuotaExceededError`):
    /// what was saved before is kept, this write is not.
    #[error("the device's storage is full")]
    Full,
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        let words = error.to_string();
        match words.contains("QuotaExceeded") {
            true => StoreError::Full,
            false => StoreError::Database(words),
        }
    }
}

impl From<serde_wasm_bindgen::Error> for StoreError {
    fn from(error: serde_wasm_bindgen::Error) -> Self {
        StoreError::Decode(error.to_string())
    }
}

/// A change waiting to be pushed, keyed by the device's sequence number.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub record_id: Uuid,
    pub change: Change,
}

/// A change the server refused, kept so the user sees why and can fix it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rejection {
    pub record_id: Uuid,
    pub errors: Vec<ValidationError>,
}

/// What one push's answers did to the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answered {
    pub accepted: usize,
    /// Refused for good, with reasons the user sees.
    pub rejected: usize,
    /// Refused because this device's clock runs ahead: queued again.
    pub clock_ahead: usize,
}

fn is_clock_ahead(errors: &[ValidationError]) -> bool {
    errors.iter().any(|error| error.rule == Rule::ClockAhead)
}

/// What a login did to the local records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerChange {
    Done,
    /// Another user's records are still unsynced on this device.
    Blocked {
        owner: String,
        pending: usize,
    },
}

/// Where a record stands with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Pending,
    Synced,
    Rejected(Vec<ValidationError>),
}

/// Which activities a list shows: all of them, or those of one month
/// (`2026-11`), of one category (its code), or with `text` in the title or
/// notes. Empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    pub month: String,
    pub category: String,
    pub text: String,
}

impl ActivityFilter {
    /// Category and text; the month is the index range's.
    fn matches(&self, activity: &ActivityRecord) -> bool {
        self.matches_parts(
            activity.category.value.code(),
            &activity.title.value,
            &activity.notes.value,
        )
    }

    fn matches_parts(&self, category: &str, title: &str, notes: &str) -> bool {
        let needle = self.text.trim().to_lowercase();
        (self.category.is_empty() || category == self.category)
            && (needle.is_empty()
                || title.to_lowercase().contains(&needle)
                || notes.to_lowercase().contains(&needle))
    }

    /// As [`ActivityFilter::matches`], on an activity as IndexedDB holds
    /// it (each field an object with its `value`), without decoding it.
    fn matches_stored(&self, stored: &JsValue) -> bool {
        let value = |field: &str| {
            js_sys::Reflect::get(stored, &JsValue::from_str(field))
                .and_then(|field| js_sys::Reflect::get(&field, &JsValue::from_str("value")))
                .ok()
                .and_then(|value| value.as_string())
                .unwrap_or_default()
        };
        self.matches_parts(&value("category"), &value("title"), &value("notes"))
    }

    /// Whether a list with this filter shows `activity`, month included.
    pub fn shows(&self, activity: &Activity) -> bool {
        activity.date.to_string().starts_with(&self.month)
            && self.matches_parts(activity.category.code(), &activity.title, &activity.notes)
    }

    /// The index range of the month, or of every date.
    fn range(&self, before: Option<&PageKey>) -> Result<Option<KeyRange>, StoreError> {
        let key = |parts: &[&str]| -> JsValue {
            parts
                .iter()
                .map(|p| JsValue::from_str(p))
                .collect::<js_sys::Array>()
                .into()
        };
        // Arrays compare element by element and a prefix sorts first:
        // `["2026-11"]` < `["2026-11-05", id]` < `["2026-11\u{ffff}"]`.
        let upper = match before {
            Some(PageKey(date, id)) => Some((key(&[date, id]), true)),
            None if !self.month.is_empty() => {
                Some((key(&[&format!("{}\u{ffff}", self.month)]), false))
            }
            None => None,
        };
        let lower = (!self.month.is_empty()).then(|| key(&[&self.month]));
        Ok(match (lower, upper) {
            (Some(lower), Some((upper, open))) => Some(
                KeyRange::bound(&lower, &upper, Some(false), Some(open))
                    .map_err(key_range_error)?,
            ),
            (None, Some((upper, open))) => {
                Some(KeyRange::upper_bound(&upper, Some(open)).map_err(key_range_error)?)
            }
            (Some(lower), None) => {
                Some(KeyRange::lower_bound(&lower, Some(false)).map_err(key_range_error)?)
            }
            (None, None) => None,
        })
    }
}

fn key_range_error(error: impl std::fmt::Display) -> StoreError {
    StoreError::Database(error.to_string())
}

/// Where a list's page ended: the `[date, id]` of its last record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageKey(String, String);

/// One page of a list, newest first, and where the next one starts.
#[derive(Debug, Clone, Default)]
pub struct ActivityPage {
    pub rows: Vec<(Activity, SyncState)>,
    /// `None` when nothing older matches.
    pub next: Option<PageKey>,
}

impl ActivityPage {
    /// The page as it is once `activity` was saved on this device, without
    /// reading it again: the saved record replaces its old row, or takes
    /// its place by date among the rows, waiting to be sent. A record older
    /// than the page's last row, with older rows not yet read, shows with
    /// the page that holds it.
    pub fn show_saved(&mut self, filter: &ActivityFilter, activity: Activity) {
        self.rows.retain(|(row, _)| row.id != activity.id);
        if !filter.shows(&activity) {
            return;
        }
        // The date index's order: date, then id, newest first.
        let newer = |a: &Activity, b: &Activity| (a.date, a.id) > (b.date, b.id);
        let past_the_end = self.next.is_some()
            && self
                .rows
                .last()
                .is_some_and(|(last, _)| newer(last, &activity));
        if past_the_end {
            return;
        }
        let at = self
            .rows
            .iter()
            .position(|(row, _)| newer(&activity, row))
            .unwrap_or(self.rows.len());
        self.rows.insert(at, (activity, SyncState::Pending));
    }
}

/// What a proposal is written with: the groups (retired ones too) and the
/// district's streets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProposalLists {
    pub groups: Vec<GroupInfo>,
    pub streets: Vec<String>,
}

#[derive(Clone)]
pub struct Store {
    db: Rc<Rexie>,
}

impl Store {
    pub async fn open() -> Result<Store, StoreError> {
        Store::open_named(DB_NAME).await
    }

    /// Opens a database of another name: tests use one each.
    pub async fn open_named(name: &str) -> Result<Store, StoreError> {
        let db = Rexie::builder(name)
            .version(DB_VERSION)
            .add_object_store(
                ObjectStore::new(ACTIVITIES)
                    .key_path("id")
                    .add_index(Index::new_array(BY_DATE, ["date.value", "id"])),
            )
            .add_object_store(ObjectStore::new(LIVESTREAM).key_path("record.id"))
            .add_object_store(ObjectStore::new(PROPOSALS).key_path("record.id"))
            .add_object_store(
                ObjectStore::new(PHOTOS)
                    .key_path("id")
                    .add_index(Index::new(BY_ACTIVITY, "activity_id.value")),
            )
            .add_object_store(ObjectStore::new(PHOTO_BLOBS).key_path("hash"))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("seq"))
            .add_object_store(ObjectStore::new(REJECTED).key_path("record_id"))
            .add_object_store(ObjectStore::new(STATIONS).key_path("id"))
            .add_object_store(ObjectStore::new(META))
            .build()
            .await?;
        Ok(Store { db: Rc::new(db) })
    }

    /// This device's id, made on first use and kept for good.
    pub async fn device_id(&self) -> Result<Uuid, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        let id = device_id(&tx.store(META)?).await?;
        finish(tx).await?;
        Ok(id)
    }

    /// Saves a new or edited activity and queues it for the server,
    /// atomically. Only the fields that changed get a new stamp, so an edit
    /// never masks another device's edit of a different field.
    pub async fn save_activity(&self, activity: &Activity) -> Result<(), StoreError> {
        self.write_record(activity.id, |current: Option<ActivityRecord>, stamp| {
            Ok(match current {
                Some(mut record) => {
                    record.edit(activity, stamp);
                    record
                }
                None => ActivityRecord::new(activity, stamp),
            })
        })
        .await
    }

    /// The station of the last activity saved on this device: the form
    /// starts there, as volunteers mostly record at the same place.
    pub async fn last_station(&self) -> Result<Option<String>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let station = get_meta(&tx.store(META)?, LAST_STATION).await?;
        finish(tx).await?;
        Ok(station)
    }

    /// Deletes a record (a stamped tombstone the server and other devices
    /// learn of) or, with `false`, brings it back: the undo.
    pub async fn set_deleted(&self, id: Uuid, deleted: bool) -> Result<(), StoreError> {
        self.write_record(id, |current: Option<ActivityRecord>, stamp| {
            let mut record =
                current.ok_or_else(|| StoreError::Database(format!("no record {id}")))?;
            record.set_deleted(deleted, stamp);
            Ok(record)
        })
        .await
    }

    /// Saves a new or edited livestream record and queues it, like
    /// [`Store::save_activity`]: `change` gets the record as stored (if
    /// any) and the stamp of this write, and returns the new version.
    pub async fn save_livestream(
        &self,
        id: Uuid,
        change: impl FnOnce(Option<LivestreamRecord>, Hlc) -> LivestreamRecord,
    ) -> Result<(), StoreError> {
        self.write_record(id, |current: Option<LivestreamRecord>, stamp| {
            Ok(change(current, stamp))
        })
        .await
    }

    /// Deletes a livestream record, or with `false` brings it back.
    pub async fn set_livestream_deleted(&self, id: Uuid, deleted: bool) -> Result<(), StoreError> {
        self.write_record(id, |current: Option<LivestreamRecord>, stamp| {
            let mut record =
                current.ok_or_else(|| StoreError::Database(format!("no record {id}")))?;
            record.set_deleted(deleted, stamp);
            Ok(record)
        })
        .await
    }

    /// Saves a new or edited proposal or step and queues it, like
    /// [`Store::save_livestream`].
    pub async fn save_proposal(
        &self,
        id: Uuid,
        change: impl FnOnce(Option<ProposalItem>, Hlc) -> ProposalItem,
    ) -> Result<(), StoreError> {
        self.write_record(id, |current: Option<ProposalItem>, stamp| {
            Ok(change(current, stamp))
        })
        .await
    }

    /// Every proposal and step kept here, deleted ones left out, with its
    /// sync state.
    pub async fn proposals(&self) -> Result<Vec<(ProposalItem, SyncState)>, StoreError> {
        self.live_records::<ProposalItem>().await
    }

    /// Every livestream record kept here, deleted ones left out, with its
    /// sync state.
    pub async fn livestream(&self) -> Result<Vec<(LivestreamRecord, SyncState)>, StoreError> {
        self.live_records::<LivestreamRecord>().await
    }

    /// Every live record of one kind, each with its sync state, read in
    /// one transaction.
    async fn live_records<R: LocalRecord>(&self) -> Result<Vec<(R, SyncState)>, StoreError> {
        let tx = self
            .db
            .transaction(&[R::STORE, OUTBOX, REJECTED], TransactionMode::ReadOnly)?;
        let records: Vec<R> = all(&tx.store(R::STORE)?).await?;
        let pending = pending_ids(&tx.store(OUTBOX)?).await?;
        let rejected: Vec<Rejection> = all(&tx.store(REJECTED)?).await?;
        finish(tx).await?;
        let mut rejected: HashMap<Uuid, Vec<ValidationError>> = rejected
            .into_iter()
            .map(|r| (r.record_id, r.errors))
            .collect();
        Ok(records
            .into_iter()
            .filter(|record| !record.is_deleted())
            .map(|record| {
                let state = sync_state(record.id(), &pending, &mut rejected);
                (record, state)
            })
            .collect())
    }

    /// Changes one record and queues the change, in one transaction: the
    /// record, its outbox entry, the clock and the sequence number are all
    /// written or none is.
    async fn write_record<R: LocalRecord>(
        &self,
        id: Uuid,
        change: impl FnOnce(Option<R>, Hlc) -> Result<R, StoreError>,
    ) -> Result<(), StoreError> {
        let tx = self.db.transaction(
            &[R::STORE, OUTBOX, REJECTED, META],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(META)?;
        let records = tx.store(R::STORE)?;
        let key = JsValue::from_str(&id.to_string());
        // The reads go out together and the writes after them: each
        // request waited for alone would cost a round trip to the
        // browser's database while the user waits for "saved".
        let (current, mut clock, offset_ms, seq) = futures::try_join!(
            async { Ok(records.get(key.clone()).await?) },
            clock(&meta),
            get_meta::<f64>(&meta, CLOCK_OFFSET),
            get_meta::<u64>(&meta, NEXT_SEQ),
        )?;
        let current: Option<R> = current.map(from_js).transpose()?;
        let stamp = clock.stamp((js_sys::Date::now() + offset_ms.unwrap_or(0.0)).max(0.0) as u64);
        let record = match change(current, stamp) {
            Ok(record) => record,
            Err(error) => {
                // Nothing has been written yet; end the transaction empty.
                let _ = tx.abort().await;
                return Err(error);
            }
        };
        let seq = seq.unwrap_or(1);
        let next_seq = seq + 1;
        let station = record.station().filter(|_| !record.is_deleted());
        let row = to_js(&record)?;
        let entry = to_js(&OutboxEntry {
            seq,
            record_id: id,
            change: record.into_change(),
        })?;
        let (outbox, rejected) = (tx.store(OUTBOX)?, tx.store(REJECTED)?);
        futures::try_join!(
            put_meta(&meta, CLOCK, &clock),
            async {
                match &station {
                    Some(station) => put_meta(&meta, LAST_STATION, station).await,
                    None => Ok(()),
                }
            },
            put_meta(&meta, NEXT_SEQ, &next_seq),
            async { Ok(records.put(&row, None).await.map(drop)?) },
            async { Ok(outbox.put(&entry, None).await.map(drop)?) },
            // A new version replaces whatever the server said of the old one.
            async { Ok(rejected.delete(key).await?) },
        )?;
        finish(tx).await
    }

    /// All local activities with their sync state, newest date first.
    pub async fn activities(&self) -> Result<Vec<(Activity, SyncState)>, StoreError> {
        let mut list: Vec<(Activity, SyncState)> = self
            .live_records::<ActivityRecord>()
            .await?
            .into_iter()
            .map(|(record, state)| (record.activity(), state))
            .collect();
        list.sort_by(|(a, _), (b, _)| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
        Ok(list)
    }

    /// Up to `limit` live activities matching `filter`, newest date first,
    /// older than `before` when given: read from the date index a batch at
    /// a time, so a page costs about the records it shows, not the records
    /// the device holds, and no more than a batch is in memory at once.
    pub async fn activities_page(
        &self,
        filter: &ActivityFilter,
        before: Option<&PageKey>,
        limit: usize,
    ) -> Result<ActivityPage, StoreError> {
        self.activities_page_watched(filter, before, limit, |_| true)
            .await
            .map(Option::unwrap_or_default)
    }

    /// As [`Store::activities_page`], telling `go_on` after each batch how
    /// many records the read has passed so far, so a long search can show
    /// how far it has got; when `go_on` says no, the read stops and gives
    /// `None` (the page is no longer wanted).
    pub async fn activities_page_watched(
        &self,
        filter: &ActivityFilter,
        before: Option<&PageKey>,
        limit: usize,
        go_on: impl Fn(u64) -> bool,
    ) -> Result<Option<ActivityPage>, StoreError> {
        if limit == 0 {
            return Ok(Some(ActivityPage::default()));
        }
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadOnly)?;
        let pending = pending_ids(&tx.store(OUTBOX)?).await?;
        let rejected: Vec<Rejection> = all(&tx.store(REJECTED)?).await?;
        finish(tx).await?;
        let mut rejected: HashMap<Uuid, Vec<ValidationError>> = rejected
            .into_iter()
            .map(|r| (r.record_id, r.errors))
            .collect();
        let mut page = ActivityPage::default();
        let mut cursor = before.cloned();
        let mut passed: u64 = 0;
        // Without a category or text to match, nearly every record read is
        // shown: read no more than the page still needs, in small steps.
        let unfiltered = filter.category.is_empty() && filter.text.trim().is_empty();
        'scan: loop {
            let range = filter.range(cursor.as_ref())?;
            let wanted = match unfiltered {
                true => u32::try_from(limit - page.rows.len())
                    .unwrap_or(PAGE_STEP)
                    .clamp(1, PAGE_STEP),
                false => SCAN_BATCH,
            };
            // Each batch in a transaction of its own: a search through
            // every record must not hold off a save (a write waits for the
            // reads begun before it) for as long as it takes.
            let tx = self
                .db
                .transaction(&[ACTIVITIES], TransactionMode::ReadOnly)?;
            let batch = tx
                .store(ACTIVITIES)?
                .index(BY_DATE)?
                .scan(range, Some(wanted), None, Some(Direction::Prev))
                .await?;
            finish(tx).await?;
            let exhausted = batch.len() < wanted as usize;
            passed += batch.len() as u64;
            if !go_on(passed) {
                return Ok(None);
            }
            for (key, value) in batch {
                let key: PageKey = from_js(key)?;
                cursor = Some(key.clone());
                // A search reads every record it passes: the few fields it
                // matches on are read straight from the stored object, and
                // only a record that matches is decoded whole.
                if !unfiltered && !filter.matches_stored(&value) {
                    continue;
                }
                let record: ActivityRecord = from_js(value)?;
                if record.is_deleted() || !filter.matches(&record) {
                    continue;
                }
                let state = sync_state(record.id(), &pending, &mut rejected);
                page.rows.push((record.activity(), state));
                if page.rows.len() == limit {
                    page.next = Some(key);
                    break 'scan;
                }
            }
            if exhausted {
                break;
            }
        }
        Ok(Some(page))
    }

    /// The months (`2026-11`) that have activities, newest first: one
    /// step through the date index a month, never a read of every record.
    /// Each step is a transaction of its own, so a save's write waits for
    /// one step at most. Saves tapped after a sync round waited behind the
    /// list's read-only transactions (25–75 ms measured); with the months
    /// in one transaction, the longest of those were 51 and 75 ms, and
    /// 34 ms after this change.
    pub async fn activity_months(&self) -> Result<Vec<String>, StoreError> {
        let mut months: Vec<String> = Vec::new();
        loop {
            let tx = self
                .db
                .transaction(&[ACTIVITIES], TransactionMode::ReadOnly)?;
            let index = tx.store(ACTIVITIES)?.index(BY_DATE)?;
            let range = match months.last() {
                Some(month) => Some(
                    KeyRange::upper_bound(
                        &js_sys::Array::of1(&JsValue::from_str(month)).into(),
                        Some(true),
                    )
                    .map_err(key_range_error)?,
                ),
                None => None,
            };
            let newest = index
                .scan(range, Some(1), None, Some(Direction::Prev))
                .await?;
            finish(tx).await?;
            let Some((key, _)) = newest.into_iter().next() else {
                break;
            };
            let PageKey(date, _) = from_js(key)?;
            months.push(date.chars().take(7).collect::<String>());
        }
        Ok(months)
    }

    /// The oldest `limit` changes waiting to be pushed, as mutations.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<Mutation>, StoreError> {
        let tx = self.db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
        let values = tx.store(OUTBOX)?.get_all(None, Some(limit)).await?;
        finish(tx).await?;
        values
            .into_iter()
            .map(|value| {
                let entry: OutboxEntry = from_js(value)?;
                Ok(Mutation {
                    seq: entry.seq,
                    change: entry.change,
                })
            })
            .collect()
    }

    /// How many records the server does not hold as this device does:
    /// each record with a change waiting in the outbox or refused by the
    /// server, counted once. A refused change is as unsynced as a waiting
    /// one: it stays until the user saves it again or discards it.
    pub async fn pending_count(&self) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction(&[OUTBOX, REJECTED], TransactionMode::ReadOnly)?;
        // A photo's reference is part of its record's change, not a record
        // of its own; the photos waiting are counted apart.
        let entries: Vec<OutboxEntry> = all(&tx.store(OUTBOX)?).await?;
        let refused: Vec<Rejection> = all(&tx.store(REJECTED)?).await?;
        finish(tx).await?;
        let unsynced: HashSet<Uuid> = entries
            .iter()
            .filter(|entry| !matches!(entry.change, Change::PutPhoto(_)))
            .map(|entry| entry.record_id)
            .chain(refused.iter().map(|r| r.record_id))
            .collect();
        Ok(u32::try_from(unsynced.len()).unwrap_or(u32::MAX))
    }

    /// How many records the server refused (and nobody has saved again or
    /// discarded since).
    pub async fn rejected_count(&self) -> Result<u32, StoreError> {
        let tx = self
            .db
            .transaction(&[REJECTED], TransactionMode::ReadOnly)?;
        let count = tx.store(REJECTED)?.count(None).await?;
        finish(tx).await?;
        Ok(count)
    }

    /// Gives up a change the server refused, at the user's word: the
    /// record's rejection and the local record go (with any change of it
    /// still queued), and the pull cursor is forgotten, so the next sync
    /// pulls everything again and the server's version of the record, if
    /// it has one, comes back.
    pub async fn discard_rejected(&self, id: Uuid) -> Result<(), StoreError> {
        let tx = self.db.transaction(
            &[
                ACTIVITIES, LIVESTREAM, PROPOSALS, PHOTOS, OUTBOX, REJECTED, META,
            ],
            TransactionMode::ReadWrite,
        )?;
        let key = JsValue::from_str(&id.to_string());
        let rejected = tx.store(REJECTED)?;
        if rejected.get(key.clone()).await?.is_none() {
            // Saved again or discarded in another tab meanwhile: nothing
            // was refused, so nothing is thrown away.
            finish(tx).await?;
            return Err(StoreError::Database(format!("no rejected record {id}")));
        }
        rejected.delete(key.clone()).await?;
        for store in [ACTIVITIES, LIVESTREAM, PROPOSALS, PHOTOS] {
            tx.store(store)?.delete(key.clone()).await?;
        }
        let outbox = tx.store(OUTBOX)?;
        let entries: Vec<OutboxEntry> = all(&outbox).await?;
        for entry in entries.iter().filter(|entry| entry.record_id == id) {
            outbox.delete(JsValue::from_f64(entry.seq as f64)).await?;
        }
        tx.store(META)?.delete(JsValue::from_str(CURSOR)).await?;
        finish(tx).await
    }

    /// Takes the server's answers off the outbox: accepted changes are done,
    /// rejected ones are kept aside with the reason for the user to fix.
    /// A change refused because the device's clock runs ahead stays queued
    /// under a new sequence number (its old one is answered for good), and
    /// the answer says so: the caller then moves the stamps back
    /// ([`Store::move_stamps_back`]) and pushes again.
    pub async fn acknowledge(&self, results: &[MutationResult]) -> Result<Answered, StoreError> {
        let tx = self.db.transaction(
            &[ACTIVITIES, PHOTOS, OUTBOX, REJECTED, META],
            TransactionMode::ReadWrite,
        )?;
        let outbox = tx.store(OUTBOX)?;
        let rejected = tx.store(REJECTED)?;
        let meta = tx.store(META)?;
        let mut answered = Answered::default();
        let mut results: Vec<&MutationResult> = results.iter().collect();
        results.sort_by_key(|result| result.seq);
        for result in results {
            let key = JsValue::from_f64(result.seq as f64);
            let Some(value) = outbox.get(key.clone()).await? else {
                continue;
            };
            let mut entry: OutboxEntry = from_js(value)?;
            outbox.delete(key).await?;
            match &result.outcome {
                Outcome::Accepted => answered.accepted += 1,
                Outcome::Rejected { errors } if is_clock_ahead(errors) => {
                    answered.clock_ahead += 1;
                    let seq: u64 = get_meta(&meta, NEXT_SEQ).await?.unwrap_or(1);
                    put_meta(&meta, NEXT_SEQ, &(seq + 1)).await?;
                    entry.seq = seq;
                    outbox.put(&to_js(&entry)?, None).await?;
                }
                Outcome::Rejected { errors } => {
                    answered.rejected += 1;
                    let rejection = Rejection {
                        record_id: entry.record_id,
                        errors: errors.clone(),
                    };
                    rejected.put(&to_js(&rejection)?, None).await?;
                }
            }
        }
        // Records that left the user's stations were kept only for their
        // unsynced change: once it is answered, they go.
        let mut left: Vec<Uuid> = get_meta(&meta, LEFT).await?.unwrap_or_default();
        if !left.is_empty() {
            let unsynced = unsynced_ids(&outbox, &rejected).await?;
            let activities = tx.store(ACTIVITIES)?;
            let photos = tx.store(PHOTOS)?;
            let held = held_for_changes(&photos, &outbox, &unsynced).await?;
            for id in left.iter().filter(|id| !held.contains(id)) {
                activities
                    .delete(JsValue::from_str(&id.to_string()))
                    .await?;
                forget_photos_of(&photos, *id, &unsynced).await?;
            }
            left.retain(|id| held.contains(id));
            put_meta(&meta, LEFT, &left).await?;
        }
        finish(tx).await?;
        Ok(answered)
    }

    /// The server said this device's clock runs ahead: moves every stamp
    /// of its own beyond the server's limit back to the server's time, in
    /// its records and its queued changes alike, keeping their order, and
    /// rewinds the clock (see [`StampRewrite`]). One transaction, so no
    /// record is left with a stamp its queued change no longer has.
    pub async fn move_stamps_back(&self, answer: &PushResponse) -> Result<(), StoreError> {
        let tx = self.db.transaction(
            &[ACTIVITIES, LIVESTREAM, PROPOSALS, PHOTOS, OUTBOX, META],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(META)?;
        let mut clock = clock(&meta).await?;
        let activities: Vec<ActivityRecord> = all(&tx.store(ACTIVITIES)?).await?;
        let livestream: Vec<LivestreamRecord> = all(&tx.store(LIVESTREAM)?).await?;
        let proposals: Vec<ProposalItem> = all(&tx.store(PROPOSALS)?).await?;
        let photos: Vec<PhotoRecord> = all(&tx.store(PHOTOS)?).await?;
        let outbox: Vec<OutboxEntry> = all(&tx.store(OUTBOX)?).await?;
        let held = activities
            .iter()
            .flat_map(|r| r.stamps())
            .chain(livestream.iter().flat_map(|r| r.stamps()))
            .chain(proposals.iter().flat_map(|r| r.stamps()))
            .chain(photos.iter().flat_map(|r| r.stamps()))
            .chain(outbox.iter().flat_map(|e| e.change.stamps()));
        let plan = answer.stamp_rewrite(clock.node(), held.collect::<Vec<Hlc>>());
        fn moved(plan: &StampRewrite, stamps: Vec<&mut Hlc>) -> bool {
            stamps
                .into_iter()
                .fold(false, |any, stamp| plan.apply(stamp) | any)
        }
        let store = tx.store(ACTIVITIES)?;
        for mut record in activities {
            if moved(&plan, record.stamps_mut()) {
                store.put(&to_js(&record)?, None).await?;
            }
        }
        let store = tx.store(LIVESTREAM)?;
        for mut record in livestream {
            if moved(&plan, record.stamps_mut()) {
                store.put(&to_js(&record)?, None).await?;
            }
        }
        let store = tx.store(PROPOSALS)?;
        for mut record in proposals {
            if moved(&plan, record.stamps_mut()) {
                store.put(&to_js(&record)?, None).await?;
            }
        }
        let store = tx.store(PHOTOS)?;
        for mut record in photos {
            if moved(&plan, record.stamps_mut()) {
                store.put(&to_js(&record)?, None).await?;
            }
        }
        let store = tx.store(OUTBOX)?;
        for mut entry in outbox {
            if moved(&plan, entry.change.stamps_mut()) {
                store.put(&to_js(&entry)?, None).await?;
            }
        }
        clock.rewind(plan.rewound_clock(clock.node()));
        put_meta(&meta, CLOCK, &clock).await?;
        finish(tx).await
    }

    /// Stores a page of pulled records, then the new cursor. A record with
    /// a change still in the outbox, or refused, is merged field by field,
    /// so the user's edit is not lost; any other record is replaced by the
    /// server's version, which already holds everything this device
    /// pushed. Records that left the user's stations (`gone`) are
    /// forgotten, and on a `reset` every record is, before the page is
    /// stored; but never one with an unsynced change: the user sees why
    /// that was refused.
    ///
    /// The page is stored `PULL_SLICE` records per transaction, so no
    /// step holds the main thread long and a save never waits long behind
    /// a pull. The cursor is written with the last slice only: should the
    /// app stop in between, the next round pulls the page again, and
    /// storing a pulled record twice is harmless (the merge is
    /// idempotent). Each slice reads which records are unsynced afresh,
    /// so an edit saved between two slices is merged, not overwritten.
    pub async fn apply_pulled(&self, page: &PullResponse) -> Result<(), StoreError> {
        let mut slices: Vec<PulledSlice> = page
            .changes
            .chunks(PULL_SLICE)
            .map(PulledSlice::Activities)
            .chain(
                page.livestream
                    .chunks(PULL_SLICE)
                    .map(PulledSlice::Livestream),
            )
            .chain(
                page.proposals
                    .chunks(PULL_SLICE)
                    .map(PulledSlice::Proposals),
            )
            .chain(page.photos.chunks(PULL_SLICE).map(PulledSlice::Photos))
            .collect();
        if slices.is_empty() {
            // Nothing to store but what left, and the cursor.
            slices.push(PulledSlice::Activities(&[]));
        }
        let last = slices.len() - 1;
        for (n, slice) in slices.into_iter().enumerate() {
            let tx = self.db.transaction(
                &[
                    ACTIVITIES, LIVESTREAM, PROPOSALS, PHOTOS, OUTBOX, REJECTED, META,
                ],
                TransactionMode::ReadWrite,
            )?;
            let unsynced = unsynced_ids(&tx.store(OUTBOX)?, &tx.store(REJECTED)?).await?;
            let meta = tx.store(META)?;
            if n == 0 {
                forget_what_left(&tx, page, &unsynced).await?;
            }
            let mut clock = clock(&meta).await?;
            match slice {
                PulledSlice::Activities(records) => {
                    store_pulled(&tx.store(ACTIVITIES)?, records, &unsynced, &mut clock).await?
                }
                PulledSlice::Livestream(records) => {
                    store_pulled(&tx.store(LIVESTREAM)?, records, &unsynced, &mut clock).await?
                }
                PulledSlice::Proposals(records) => {
                    store_pulled(&tx.store(PROPOSALS)?, records, &unsynced, &mut clock).await?
                }
                PulledSlice::Photos(records) => {
                    store_pulled(&tx.store(PHOTOS)?, records, &unsynced, &mut clock).await?
                }
            }
            put_meta(&meta, CLOCK, &clock).await?;
            if n == last {
                meta.put(
                    &JsValue::from_str(&page.cursor),
                    Some(&JsValue::from_str(CURSOR)),
                )
                .await?;
            }
            finish(tx).await?;
        }
        Ok(())
    }

    /// Folds the server's clock into the device's: stamps never run behind
    /// what the server has seen, and the device's wall clock is corrected by
    /// the server's, so a phone set to the wrong month stamps sanely.
    pub async fn observe_server(&self, stamp: Hlc, server_time_ms: i64) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let mut clock = clock(&meta).await?;
        clock.observe(stamp);
        put_meta(&meta, CLOCK, &clock).await?;
        put_meta(
            &meta,
            CLOCK_OFFSET,
            &(server_time_ms as f64 - js_sys::Date::now()),
        )
        .await?;
        finish(tx).await
    }

    /// The cursor of the last pull applied, if any.
    pub async fn cursor(&self) -> Result<Option<String>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let value = tx.store(META)?.get(JsValue::from_str("cursor")).await?;
        finish(tx).await?;
        Ok(value.and_then(|v| v.as_string()))
    }

    /// Keeps the user's stations as the server lists them; says whether
    /// they differ from those kept (only then is anything written).
    pub async fn put_stations(&self, stations: &[Station]) -> Result<bool, StoreError> {
        // The store gives them back in the order of their ids.
        let mut sorted = stations.to_vec();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        if self.stations().await? == sorted {
            return Ok(false);
        }
        let tx = self
            .db
            .transaction(&[STATIONS], TransactionMode::ReadWrite)?;
        let store = tx.store(STATIONS)?;
        store.clear().await?;
        for station in stations {
            store.put(&to_js(station)?, None).await?;
        }
        finish(tx).await?;
        Ok(true)
    }

    /// Keeps the list of categories; says whether it differs from the one
    /// kept (only then is it written).
    pub async fn put_categories(&self, categories: &[CategoryInfo]) -> Result<bool, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let kept: Option<Vec<CategoryInfo>> = get_meta(&meta, CATEGORIES).await?;
        let changed = kept.as_deref() != Some(categories);
        if changed {
            put_meta(&meta, CATEGORIES, &categories).await?;
        }
        finish(tx).await?;
        Ok(changed)
    }

    /// The list of categories the last sync brought, retired ones too; the
    /// district report's nine until a first sync.
    pub async fn categories(&self) -> Result<Vec<CategoryInfo>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let categories: Option<Vec<CategoryInfo>> = get_meta(&tx.store(META)?, CATEGORIES).await?;
        finish(tx).await?;
        Ok(categories
            .filter(|list| !list.is_empty())
            .unwrap_or_else(CategoryInfo::built_in))
    }

    /// Keeps what proposals are written with (the groups and the
    /// district's streets); says whether it differs from what was kept.
    pub async fn put_proposal_lists(
        &self,
        groups: &[GroupInfo],
        streets: &[String],
    ) -> Result<bool, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let kept: Option<ProposalLists> = get_meta(&meta, PROPOSAL_LISTS).await?;
        let lists = ProposalLists {
            groups: groups.to_vec(),
            streets: streets.to_vec(),
        };
        let changed = kept.as_ref() != Some(&lists);
        if changed {
            put_meta(&meta, PROPOSAL_LISTS, &lists).await?;
        }
        finish(tx).await?;
        Ok(changed)
    }

    /// The groups and streets the last sync brought; empty before one.
    pub async fn proposal_lists(&self) -> Result<ProposalLists, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let lists = get_meta(&tx.store(META)?, PROPOSAL_LISTS).await?;
        finish(tx).await?;
        Ok(lists.unwrap_or_default())
    }

    /// The login this device keeps, so it works offline until it expires.
    pub async fn session(&self) -> Result<Option<LoginResponse>, StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadOnly)?;
        let session = get_meta(&tx.store(META)?, SESSION).await?;
        finish(tx).await?;
        Ok(session)
    }

    /// Keeps a login, making its user the owner of the local records.
    ///
    /// Another user's records are never dropped while any of them is still
    /// unsynced: the login is refused with [`OwnerChange::Blocked`] until
    /// that user has synced. Without unsynced records, the other user's
    /// local copy (which the server holds anyway) is cleared and the device
    /// starts afresh under a new device id.
    pub async fn log_in(&self, session: &LoginResponse) -> Result<OwnerChange, StoreError> {
        let tx = self.db.transaction(
            &[
                ACTIVITIES, LIVESTREAM, PROPOSALS, OUTBOX, REJECTED, STATIONS, META,
            ],
            TransactionMode::ReadWrite,
        )?;
        let meta = tx.store(META)?;
        let owner: Option<String> = get_meta(&meta, OWNER).await?;
        let username = &session.user.username;
        if let Some(owner) = owner.filter(|owner| owner != username) {
            // Refused changes are unsynced too: they go only when their
            // owner discards them, never with a colleague's login.
            let pending = unsynced_ids(&tx.store(OUTBOX)?, &tx.store(REJECTED)?)
                .await?
                .len();
            if pending > 0 {
                finish(tx).await?;
                return Ok(OwnerChange::Blocked { owner, pending });
            }
            for name in [
                ACTIVITIES, LIVESTREAM, PROPOSALS, OUTBOX, REJECTED, STATIONS, META,
            ] {
                tx.store(name)?.clear().await?;
            }
        }
        put_meta(&meta, OWNER, username).await?;
        put_meta(&meta, SESSION, session).await?;
        finish(tx).await?;
        Ok(OwnerChange::Done)
    }

    /// Forgets the login; every record stays, pending ones included.
    pub async fn log_out(&self) -> Result<(), StoreError> {
        let tx = self.db.transaction(&[META], TransactionMode::ReadWrite)?;
        tx.store(META)?.delete(JsValue::from_str(SESSION)).await?;
        finish(tx).await
    }

    pub async fn stations(&self) -> Result<Vec<Station>, StoreError> {
        let tx = self
            .db
            .transaction(&[STATIONS], TransactionMode::ReadOnly)?;
        let stations = all(&tx.store(STATIONS)?).await?;
        finish(tx).await?;
        Ok(stations)
    }
}

/// What the store needs of a kind of record it keeps and syncs.
trait LocalRecord: StampedRecord + Serialize + DeserializeOwned {
    /// The object store holding this kind.
    const STORE: &'static str;
    fn into_change(self) -> Change;
    /// The station a record was made at, remembered for the next form.
    fn station(&self) -> Option<String> {
        None
    }
}

impl LocalRecord for ActivityRecord {
    const STORE: &'static str = ACTIVITIES;
    fn into_change(self) -> Change {
        Change::PutActivity(self)
    }
    fn station(&self) -> Option<String> {
        Some(self.station_id.value.clone())
    }
}

impl LocalRecord for LivestreamRecord {
    const STORE: &'static str = LIVESTREAM;
    fn into_change(self) -> Change {
        Change::PutLivestream(self)
    }
}

impl LocalRecord for ProposalItem {
    const STORE: &'static str = PROPOSALS;
    fn into_change(self) -> Change {
        Change::PutProposal(self)
    }
}

impl LocalRecord for PhotoRecord {
    const STORE: &'static str = PHOTOS;
    fn into_change(self) -> Change {
        Change::PutPhoto(self)
    }
}

fn sync_state(
    id: Uuid,
    pending: &HashSet<Uuid>,
    rejected: &mut HashMap<Uuid, Vec<ValidationError>>,
) -> SyncState {
    if pending.contains(&id) {
        SyncState::Pending
    } else if let Some(errors) = rejected.remove(&id) {
        SyncState::Rejected(errors)
    } else {
        SyncState::Synced
    }
}

/// Forgets every record in `store` that has no unsynced change; gives the
/// ids of those kept. The few unsynced records are read, the store is
/// cleared and they are put back: the cost is theirs, not that of every
/// record the device holds.
async fn forget_synced(
    store: &rexie::Store,
    unsynced: &HashSet<Uuid>,
) -> Result<Vec<Uuid>, StoreError> {
    let mut kept = Vec::new();
    for id in unsynced {
        if let Some(row) = store.get(JsValue::from_str(&id.to_string())).await? {
            kept.push((*id, row));
        }
    }
    store.clear().await?;
    for (_, row) in &kept {
        store.put(row, None).await?;
    }
    Ok(kept.into_iter().map(|(id, _)| id).collect())
}

/// Stores pulled records of one kind. A record with an unsynced change
/// (in the outbox, or refused) is merged field by field, so the user's
/// edit is not lost; any other record is replaced by the server's
/// version, which already holds everything this device pushed.
async fn store_pulled<R: LocalRecord>(
    store: &rexie::Store,
    records: &[R],
    pending: &HashSet<Uuid>,
    clock: &mut HlcClock,
) -> Result<(), StoreError> {
    if records.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(records.len());
    for pulled in records {
        clock.observe(pulled.latest_stamp());
        let local = match pending.contains(&pulled.id()) {
            true => {
                store
                    .get(JsValue::from_str(&pulled.id().to_string()))
                    .await?
            }
            false => None,
        };
        let row = match local {
            Some(value) => {
                let mut record: R = from_js(value)?;
                record.merge_from(pulled);
                to_js(&record)?
            }
            None => to_js(pulled)?,
        };
        rows.push((row, None));
    }
    // All puts are issued at once and only the last is awaited: waiting
    // for each would cost a round trip per record.
    store.put_all(rows.into_iter()).await?;
    Ok(())
}

/// The activities the device holds for an unsynced change: their own, or
/// a photo of theirs still in the outbox, whose answer would otherwise
/// find its activity gone and the photo kept for good.
async fn held_for_changes(
    photos: &rexie::Store,
    outbox: &rexie::Store,
    unsynced: &HashSet<Uuid>,
) -> Result<HashSet<Uuid>, StoreError> {
    let mut held = unsynced.clone();
    for id in pending_ids(outbox).await? {
        if let Some(row) = photos.get(JsValue::from_str(&id.to_string())).await? {
            let photo: PhotoRecord = from_js(row)?;
            held.insert(photo.activity_id.value);
        }
    }
    Ok(held)
}

/// Forgets the photos' references of an activity the device no longer
/// holds, but any with an unsynced change (their bytes stay until nothing
/// here needs them).
async fn forget_photos_of(
    photos: &rexie::Store,
    activity: Uuid,
    unsynced: &HashSet<Uuid>,
) -> Result<(), StoreError> {
    let range =
        KeyRange::only(&JsValue::from_str(&activity.to_string())).map_err(key_range_error)?;
    for reference in photos
        .index(BY_ACTIVITY)?
        .get_all(Some(range), None)
        .await?
    {
        let reference: PhotoRecord = from_js(reference)?;
        if !unsynced.contains(&reference.id) {
            photos
                .delete(JsValue::from_str(&reference.id.to_string()))
                .await?;
        }
    }
    Ok(())
}

/// Part of a pulled page, stored in one transaction.
enum PulledSlice<'a> {
    Activities(&'a [ActivityRecord]),
    Livestream(&'a [LivestreamRecord]),
    Proposals(&'a [ProposalItem]),
    Photos(&'a [PhotoRecord]),
}

/// The first step of storing a pulled page: forgets the records that left
/// the user's stations (`gone`), and every record on a `reset`, but keeps
/// each with an unsynced change, remembered as `LEFT` until it is
/// answered (`acknowledge`), unless a pulled version of it or of one of
/// its photos shows it back in scope first.
async fn forget_what_left(
    tx: &rexie::Transaction,
    page: &PullResponse,
    unsynced: &HashSet<Uuid>,
) -> Result<(), StoreError> {
    let meta = tx.store(META)?;
    let mut left: HashSet<Uuid> = get_meta::<Vec<Uuid>>(&meta, LEFT)
        .await?
        .unwrap_or_default()
        .into_iter()
        .collect();
    let activities = tx.store(ACTIVITIES)?;
    let photos = tx.store(PHOTOS)?;
    let held = held_for_changes(&photos, &tx.store(OUTBOX)?, unsynced).await?;
    if page.reset {
        let kept = forget_synced(&activities, &held).await?;
        left.extend(kept);
        forget_synced(&tx.store(LIVESTREAM)?, unsynced).await?;
        forget_synced(&tx.store(PROPOSALS)?, unsynced).await?;
        forget_synced(&photos, unsynced).await?;
    }
    for id in &page.gone {
        if held.contains(id) {
            left.insert(*id);
        } else {
            activities
                .delete(JsValue::from_str(&id.to_string()))
                .await?;
            forget_photos_of(&photos, *id, unsynced).await?;
        }
    }
    // A pulled version shows a record back in scope, and so does a pulled
    // photo of it: the server sends a photo's reference only while its
    // activity is in the user's stations. After a reset the photo may come
    // pages before its activity; were the activity forgotten in between
    // (its last change answered), it would take the photo with it, and the
    // cursor would already be past the photo.
    for record in &page.changes {
        left.remove(&record.id);
    }
    for photo in &page.photos {
        left.remove(&photo.activity_id.value);
    }
    put_meta(&meta, LEFT, &left.into_iter().collect::<Vec<Uuid>>()).await
}

const NEXT_SEQ: &str = "next_seq";
const SESSION: &str = "session";
const LAST_STATION: &str = "last_station";
const CATEGORIES: &str = "categories";
const PROPOSAL_LISTS: &str = "proposal_lists";
/// The username whose records this device holds.
const OWNER: &str = "owner";
const CLOCK: &str = "clock";
const CLOCK_OFFSET: &str = "clock_offset_ms";
/// Where the last pull stopped.
const CURSOR: &str = "cursor";
/// Records held only for an unsynced change though they left the user's
/// stations.
const LEFT: &str = "left";

async fn get_meta<T: DeserializeOwned>(
    meta: &rexie::Store,
    key: &str,
) -> Result<Option<T>, StoreError> {
    meta.get(JsValue::from_str(key))
        .await?
        .map(from_js)
        .transpose()
}

async fn put_meta<T: Serialize>(
    meta: &rexie::Store,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    meta.put(&to_js(value)?, Some(&JsValue::from_str(key)))
        .await?;
    Ok(())
}

/// The device id, made on first use.
async fn device_id(meta: &rexie::Store) -> Result<Uuid, StoreError> {
    match get_meta(meta, "device_id").await? {
        Some(id) => Ok(id),
        None => {
            let id = Uuid::now_v7();
            put_meta(meta, "device_id", &id).await?;
            Ok(id)
        }
    }
}

/// The device's hybrid logical clock, as last saved.
async fn clock(meta: &rexie::Store) -> Result<HlcClock, StoreError> {
    match get_meta(meta, CLOCK).await? {
        Some(clock) => Ok(clock),
        None => Ok(HlcClock::new(device_id(meta).await?)),
    }
}

/// The records the server does not hold as this device does: a change
/// waiting in the outbox, or one the server refused.
async fn unsynced_ids(
    outbox: &rexie::Store,
    rejected: &rexie::Store,
) -> Result<HashSet<Uuid>, StoreError> {
    let mut ids = pending_ids(outbox).await?;
    let refused: Vec<Rejection> = all(rejected).await?;
    ids.extend(refused.into_iter().map(|r| r.record_id));
    Ok(ids)
}

/// The records with a change still waiting in the outbox.
async fn pending_ids(outbox: &rexie::Store) -> Result<HashSet<Uuid>, StoreError> {
    let entries: Vec<OutboxEntry> = all(outbox).await?;
    Ok(entries.iter().map(|entry| entry.record_id).collect())
}

async fn all<T: DeserializeOwned>(store: &rexie::Store) -> Result<Vec<T>, StoreError> {
    store
        .get_all(None, None)
        .await?
        .into_iter()
        .map(from_js)
        .collect()
}

/// Waits for the transaction and treats an abort as the error it is.
async fn finish(tx: rexie::Transaction) -> Result<(), StoreError> {
    if tx.done().await?.is_committed() {
        Ok(())
    } else {
        Err(StoreError::Database("transaction aborted".into()))
    }
}

/// Plain JS objects, not `Map`s: IndexedDB key paths can only read objects.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, StoreError> {
    Ok(value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())?)
}

fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T, StoreError> {
    Ok(serde_wasm_bindgen::from_value(value)?)
}
