//! A phone as the app runs it, in memory: the same records, outbox,
//! refusals, clock and cursor as `frontend/src/store.rs`, and the same
//! steps as `frontend/src/sync.rs` (push the outbox oldest first, take the
//! answers, move the stamps back when the server finds the clock ahead,
//! then pull every page). The merge, the clock and the stamp rewrite are
//! the app's own code from `tongxin_shared`; what is modelled here is only
//! IndexedDB (as maps) and `fetch` (as reqwest, through which tests lose
//! answers, send twice or change the order).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::Value;
use tongxin_shared::{
    Activity, ValidationError,
    error::Rule,
    hlc::{Hlc, HlcClock},
    merge::{ActivityRecord, StampedRecord},
    photo::PhotoRecord,
    proposal::ProposalItem,
    sync::{
        Change, MAX_PUSH_MUTATIONS, Mutation, MutationResult, Outcome, PROTOCOL_VERSION,
        PullResponse, PushRequest, PushResponse,
    },
};
use uuid::Uuid;

/// Why a request gave no usable answer. The words are read through
/// `Debug`, in the reports of failed runs.
#[derive(Debug)]
#[allow(dead_code)]
pub enum Failed {
    /// No answer: connection refused or reset, or the answer was lost.
    Offline(String),
    /// A 5xx: never expected, counted by the chaos run.
    ServerError(u16, String),
    /// Any other refusal of the whole request.
    Refused(u16, String),
}

pub struct Device {
    pub id: Uuid,
    pub token: String,
    clock: HlcClock,
    /// How wrong the phone's own clock is, in ms (the chaos run moves it).
    pub skew_ms: i64,
    /// The correction the server's time taught the app.
    offset_ms: i64,
    next_seq: u64,
    pub records: BTreeMap<Uuid, ActivityRecord>,
    /// Proposals and their steps, as the app keeps them apart.
    pub proposals: BTreeMap<Uuid, ProposalItem>,
    /// Photos' references, as the app keeps them apart.
    pub photos: BTreeMap<Uuid, PhotoRecord>,
    pub outbox: BTreeMap<u64, (Uuid, Change)>,
    pub rejected: BTreeMap<Uuid, Vec<ValidationError>>,
    /// Records the server says are outside the user's stations, held only
    /// for an unsynced change of them (`left` in the store's meta).
    left: BTreeSet<Uuid>,
    cursor: String,
}

impl Device {
    pub fn new(token: &str, skew_ms: i64) -> Device {
        let id = Uuid::now_v7();
        Device {
            id,
            token: token.to_owned(),
            clock: HlcClock::new(id),
            skew_ms,
            offset_ms: 0,
            next_seq: 1,
            records: BTreeMap::new(),
            proposals: BTreeMap::new(),
            photos: BTreeMap::new(),
            outbox: BTreeMap::new(),
            rejected: BTreeMap::new(),
            left: BTreeSet::new(),
            cursor: String::new(),
        }
    }

    fn phone_now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.skew_ms
    }

    fn stamp(&mut self) -> Hlc {
        let physical = (self.phone_now_ms() + self.offset_ms).max(0) as u64;
        self.clock.stamp(physical)
    }

    /// `Store::save_activity`: a new record, or only the changed fields of
    /// an existing one take a new stamp; queued, and any refusal of the
    /// record forgotten.
    pub fn save(&mut self, activity: &Activity) {
        let stamp = self.stamp();
        let record = match self.records.get(&activity.id) {
            Some(current) => {
                let mut record = current.clone();
                record.edit(activity, stamp);
                record
            }
            None => ActivityRecord::new(activity, stamp),
        };
        self.queue(record);
    }

    /// `Store::set_deleted`.
    pub fn set_deleted(&mut self, id: Uuid, deleted: bool) {
        let stamp = self.stamp();
        let mut record = self.records[&id].clone();
        record.set_deleted(deleted, stamp);
        self.queue(record);
    }

    /// Saves a proposal or a step: `change` gets the version held (if
    /// any) and the stamp of this write.
    pub fn save_proposal(
        &mut self,
        id: Uuid,
        change: impl FnOnce(Option<&ProposalItem>, Hlc) -> ProposalItem,
    ) {
        let stamp = self.stamp();
        let item = change(self.proposals.get(&id), stamp);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.rejected.remove(&id);
        self.outbox
            .insert(seq, (id, Change::PutProposal(item.clone())));
        self.proposals.insert(id, item);
    }

    /// `Store::save_activity_with_photos` for one photo: `change` gets the
    /// reference held (if any) and the stamp of this write.
    pub fn save_photo(
        &mut self,
        id: Uuid,
        change: impl FnOnce(Option<&PhotoRecord>, Hlc) -> PhotoRecord,
    ) {
        let stamp = self.stamp();
        let record = change(self.photos.get(&id), stamp);
        let seq = self.next_seq;
        self.next_seq += 1;
        self.rejected.remove(&id);
        self.outbox
            .insert(seq, (id, Change::PutPhoto(record.clone())));
        self.photos.insert(id, record);
    }

    /// Forgets the photos of an activity the phone no longer holds, but
    /// those with an unsynced change.
    fn forget_photos_of(&mut self, activity: Uuid, unsynced: &HashSet<Uuid>) {
        self.photos
            .retain(|id, photo| photo.activity_id.value != activity || unsynced.contains(id));
    }

    fn queue(&mut self, record: ActivityRecord) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.rejected.remove(&record.id);
        self.outbox
            .insert(seq, (record.id, Change::PutActivity(record.clone())));
        self.records.insert(record.id, record);
    }

    /// The activities held for an unsynced change: their own, or a photo
    /// of theirs still to be answered, whose answer would otherwise find
    /// its activity gone and the photo kept for good (`Store`'s
    /// `held_for_changes`).
    fn held_for_changes(&self, unsynced: &HashSet<Uuid>) -> HashSet<Uuid> {
        let queued: HashSet<Uuid> = self.outbox.values().map(|(id, _)| *id).collect();
        let mut held = unsynced.clone();
        held.extend(
            self.photos
                .values()
                .filter(|photo| queued.contains(&photo.id))
                .map(|photo| photo.activity_id.value),
        );
        held
    }

    /// Records with a change the server has not taken: queued or refused.
    pub fn unsynced(&self) -> HashSet<Uuid> {
        self.outbox
            .values()
            .map(|(id, _)| *id)
            .chain(self.rejected.keys().copied())
            .collect()
    }

    /// The oldest queued changes, as one push would send them.
    pub fn next_push(&self) -> Option<PushRequest> {
        let mutations: Vec<Mutation> = self
            .outbox
            .iter()
            .take(MAX_PUSH_MUTATIONS)
            .map(|(seq, (_, change))| Mutation {
                seq: *seq,
                change: change.clone(),
            })
            .collect();
        (!mutations.is_empty()).then_some(PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: self.id,
            mutations,
        })
    }

    /// `Store::acknowledge`, then `observe_server`, then, if the server
    /// found the clock ahead, `move_stamps_back`. Returns how many changes
    /// were refused for a clock ahead.
    pub fn take_answer(&mut self, response: &PushResponse) -> usize {
        let mut results: Vec<&MutationResult> = response.results.iter().collect();
        results.sort_by_key(|result| result.seq);
        let mut clock_ahead = 0;
        for result in results {
            let Some((id, change)) = self.outbox.remove(&result.seq) else {
                continue;
            };
            match &result.outcome {
                Outcome::Accepted => {}
                Outcome::Rejected { errors }
                    if errors.iter().any(|e| e.rule == Rule::ClockAhead) =>
                {
                    clock_ahead += 1;
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    self.outbox.insert(seq, (id, change));
                }
                Outcome::Rejected { errors } => {
                    self.rejected.insert(id, errors.clone());
                }
            }
        }
        self.forget_left();
        self.observe_server(response.server_stamp, response.server_time_ms);
        if clock_ahead > 0 {
            self.move_stamps_back(response);
        }
        clock_ahead
    }

    /// Records that left the user's stations go once nothing of them is
    /// unsynced.
    fn forget_left(&mut self) {
        let unsynced = self.unsynced();
        let held = self.held_for_changes(&unsynced);
        let gone: Vec<Uuid> = self
            .left
            .iter()
            .filter(|id| !held.contains(id))
            .copied()
            .collect();
        for id in gone {
            self.left.remove(&id);
            self.records.remove(&id);
            self.proposals.remove(&id);
            self.forget_photos_of(id, &unsynced);
        }
    }

    fn observe_server(&mut self, stamp: Hlc, server_time_ms: i64) {
        self.clock.observe(stamp);
        self.offset_ms = server_time_ms - self.phone_now_ms();
    }

    fn move_stamps_back(&mut self, answer: &PushResponse) {
        let held: Vec<Hlc> = self
            .records
            .values()
            .flat_map(|r| r.stamps())
            .chain(self.proposals.values().flat_map(|r| r.stamps()))
            .chain(self.photos.values().flat_map(|r| r.stamps()))
            .chain(self.outbox.values().flat_map(|(_, c)| c.stamps()))
            .collect();
        let node = self.clock.node();
        let plan = answer.stamp_rewrite(node, held);
        for stamp in self
            .records
            .values_mut()
            .flat_map(|r| r.stamps_mut())
            .chain(self.proposals.values_mut().flat_map(|r| r.stamps_mut()))
            .chain(self.photos.values_mut().flat_map(|r| r.stamps_mut()))
            .chain(self.outbox.values_mut().flat_map(|(_, c)| c.stamps_mut()))
        {
            plan.apply(stamp);
        }
        self.clock.rewind(plan.rewound_clock(node));
    }

    /// `Store::apply_pulled`.
    pub fn take_page(&mut self, page: &PullResponse) {
        let unsynced = self.unsynced();
        let held = self.held_for_changes(&unsynced);
        if page.reset {
            self.records.retain(|id, _| held.contains(id));
            self.left.extend(self.records.keys().copied());
            self.proposals.retain(|id, _| unsynced.contains(id));
            self.photos.retain(|id, _| unsynced.contains(id));
        }
        for id in &page.gone {
            if held.contains(id) {
                self.left.insert(*id);
            } else {
                self.records.remove(id);
                self.forget_photos_of(*id, &unsynced);
            }
        }
        for pulled in &page.changes {
            self.left.remove(&pulled.id);
            self.clock.observe(pulled.latest_stamp());
            let record = match (unsynced.contains(&pulled.id), self.records.get(&pulled.id)) {
                (true, Some(local)) => {
                    let mut merged = local.clone();
                    merged.merge(pulled);
                    merged
                }
                _ => pulled.clone(),
            };
            self.records.insert(record.id, record);
        }
        for pulled in &page.proposals {
            let id = pulled.id();
            self.clock.observe(pulled.latest_stamp());
            let item = match (unsynced.contains(&id), self.proposals.get(&id)) {
                (true, Some(local)) => {
                    let mut merged = local.clone();
                    merged.merge_from(pulled);
                    merged
                }
                _ => pulled.clone(),
            };
            self.proposals.insert(id, item);
        }
        for pulled in &page.photos {
            // Only a photo of an activity in scope is pulled, maybe pages
            // before the activity itself after a reset (`forget_what_left`).
            self.left.remove(&pulled.activity_id.value);
            self.clock.observe(pulled.latest_stamp());
            let photo = match (unsynced.contains(&pulled.id), self.photos.get(&pulled.id)) {
                (true, Some(local)) => {
                    let mut merged = local.clone();
                    merged.merge(pulled);
                    merged
                }
                _ => pulled.clone(),
            };
            self.photos.insert(photo.id, photo);
        }
        self.cursor = page.cursor.clone();
        self.observe_server(page.server_stamp, page.server_time_ms);
    }

    /// Whether the activity is held only for an unsynced change though it
    /// left the user's stations.
    pub fn has_left(&self, id: Uuid) -> bool {
        self.left.contains(&id)
    }

    pub fn cursor(&self) -> &str {
        &self.cursor
    }

    /// Sends a push to `server` as this phone's user; its answer, not yet
    /// taken.
    pub async fn send_push(
        &self,
        client: &reqwest::Client,
        server: &str,
        request: &PushRequest,
    ) -> Result<PushResponse, Failed> {
        send(
            client
                .post(format!("{server}/api/sync/push"))
                .bearer_auth(&self.token)
                .json(request),
        )
        .await
    }

    /// One push of the oldest queued changes to `server`.
    pub async fn push_once(
        &mut self,
        client: &reqwest::Client,
        server: &str,
    ) -> Result<usize, Failed> {
        let Some(request) = self.next_push() else {
            return Ok(0);
        };
        let response = self.send_push(client, server, &request).await?;
        self.take_answer(&response);
        Ok(request.mutations.len())
    }

    /// One page of a pull from `server`; whether more wait.
    pub async fn pull_once(
        &mut self,
        client: &reqwest::Client,
        server: &str,
        limit: usize,
    ) -> Result<bool, Failed> {
        let page: PullResponse = send(
            client
                .get(format!(
                    "{server}/api/sync/pull?cursor={}&limit={limit}",
                    self.cursor
                ))
                .bearer_auth(&self.token),
        )
        .await?;
        self.take_page(&page);
        Ok(page.more)
    }

    /// `sync_once`: the whole outbox, then every page.
    pub async fn sync(&mut self, client: &reqwest::Client, server: &str) -> Result<(), Failed> {
        let mut corrections = 0;
        while let Some(request) = self.next_push() {
            let response = self.send_push(client, server, &request).await?;
            if self.take_answer(&response) > 0 {
                corrections += 1;
                if corrections > 2 {
                    return Err(Failed::Refused(0, "clock still ahead".into()));
                }
            }
        }
        while self.pull_once(client, server, 5_000).await? {}
        Ok(())
    }
}

/// Sends a request and reads its JSON answer.
pub async fn send<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, Failed> {
    let response = request
        .send()
        .await
        .map_err(|e| Failed::Offline(e.to_string()))?;
    let status = response.status();
    if status.is_success() {
        return response
            .json()
            .await
            .map_err(|e| Failed::Offline(e.to_string()));
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message = body["error"].as_str().unwrap_or("").to_owned();
    if status.is_server_error() {
        Err(Failed::ServerError(status.as_u16(), message))
    } else {
        Err(Failed::Refused(status.as_u16(), message))
    }
}
