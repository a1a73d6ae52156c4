//! The sync protocol: what a device pushes and what it pulls.
//!
//! Push is idempotent: each mutation carries the device's own increasing
//! sequence number, the server remembers the answer it gave each one (in
//! the same transaction as the change), and answers a resent mutation with
//! that same answer without applying it again: accepted if it was applied,
//! rejected with the same reasons if it was refused. Every mutation is
//! answered on its own; one refused change never holds back the others.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Activity, Station, ValidationError,
    hlc::{Hlc, StampRewrite},
    livestream::LivestreamRecord,
    merge::{ActivityRecord, StampedRecord},
    photo::PhotoRecord,
    proposal::{GroupInfo, ProposalItem},
};

/// Bumped whenever a message changes shape or meaning incompatibly. The
/// server refuses any other version with [`UNSUPPORTED_PROTOCOL`] so the app
/// can say "please update" rather than corrupt data. 2: a change stamped
/// ahead of the server's clock is refused (`clock_ahead`) rather than
/// re-stamped, and pulls say which records left the device's scope. 3:
/// records travel with their common stamp once ([`crate::wire`]).
pub const PROTOCOL_VERSION: u32 = 3;

/// The error text the server gives for a protocol version it does not speak.
pub const UNSUPPORTED_PROTOCOL: &str = "unsupported protocol version";

/// At most this many mutations in one push, so one request stays small.
pub const MAX_PUSH_MUTATIONS: usize = 500;

/// How far ahead of the server's clock a stamp may run. A device whose
/// clock is set in the future would otherwise win every merge until real
/// time caught up; the server refuses a change stamped later than this
/// ([`crate::error::Rule::ClockAhead`]) and the device moves its stamps
/// back ([`crate::hlc::StampRewrite`]) and sends it again.
pub const MAX_STAMP_AHEAD_MS: u64 = 5 * 60 * 1000;

/// At most this many changes in one page of a pull. Large, because each
/// page is one IndexedDB transaction on the device and the per-transaction
/// cost dominates there (a page of 5,000 is a few megabytes of JSON).
pub const MAX_PULL_CHANGES: usize = 5_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub protocol: u32,
    pub device_id: Uuid,
    pub mutations: Vec<Mutation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    /// Increases by one with every mutation the device makes.
    pub seq: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = ChangeOnTheWire))]
    pub change: Change,
}

/// [`Change`] as its JSON is: the OpenAPI description's view of it (the
/// records in their wire form), for clients built from the description.
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[serde(tag = "type", content = "record", rename_all = "snake_case")]
#[allow(dead_code)]
// The variants' names are the wire's tags (`put_activity` …).
#[allow(clippy::enum_variant_names)]
enum ChangeOnTheWire {
    PutActivity(crate::merge::ActivityWire),
    PutLivestream(crate::livestream::LivestreamWire),
    PutProposal(crate::proposal::ProposalItemWire),
    PutPhoto(crate::photo::PhotoWire),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "record", rename_all = "snake_case")]
// The variants' names are the wire's tags (`put_activity` …).
#[allow(clippy::enum_variant_names)]
pub enum Change {
    /// The device's whole version of the record, every field stamped (in
    /// its wire form, see [`crate::wire`]); the server merges it field by
    /// field into its own.
    PutActivity(#[serde(with = "crate::wire::one")] ActivityRecord),
    /// The same for a livestream record (organisers and admins only).
    PutLivestream(#[serde(with = "crate::wire::one")] LivestreamRecord),
    /// The same for a proposal or a step of one.
    PutProposal(#[serde(with = "crate::wire::one")] ProposalItem),
    /// The same for a photo's reference (the photo's bytes travel apart,
    /// see [`crate::photo`]).
    PutPhoto(#[serde(with = "crate::wire::one")] PhotoRecord),
}

impl Change {
    /// The id of the record it changes.
    pub fn record_id(&self) -> Uuid {
        match self {
            Change::PutActivity(record) => record.id,
            Change::PutLivestream(record) => record.id(),
            Change::PutProposal(record) => record.id(),
            Change::PutPhoto(record) => record.id,
        }
    }

    /// The latest stamp of any field of the record it carries.
    pub fn latest_stamp(&self) -> Hlc {
        match self {
            Change::PutActivity(record) => record.latest_stamp(),
            Change::PutLivestream(record) => record.latest_stamp(),
            Change::PutProposal(record) => record.latest_stamp(),
            Change::PutPhoto(record) => record.latest_stamp(),
        }
    }

    /// Every stamp of the record it carries.
    pub fn stamps(&self) -> Vec<Hlc> {
        match self {
            Change::PutActivity(record) => record.stamps(),
            Change::PutLivestream(record) => record.stamps(),
            Change::PutProposal(record) => record.stamps(),
            Change::PutPhoto(record) => record.stamps(),
        }
    }

    /// The latest stamp the given device made in the record it carries.
    pub fn latest_stamp_of(&self, node: Uuid) -> Option<Hlc> {
        self.stamps()
            .into_iter()
            .filter(|stamp| stamp.node == node)
            .max()
    }

    /// Every stamp of the record it carries, to rewrite in place.
    pub fn stamps_mut(&mut self) -> Vec<&mut Hlc> {
        match self {
            Change::PutActivity(record) => record.stamps_mut(),
            Change::PutLivestream(record) => record.stamps_mut(),
            Change::PutProposal(record) => record.stamps_mut(),
            Change::PutPhoto(record) => record.stamps_mut(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
    /// The server's clock, in milliseconds since the Unix epoch.
    pub server_time_ms: i64,
    /// A stamp from the server's clock: devices observe it, so a phone whose
    /// clock runs behind still stamps its next edit after what it has seen.
    pub server_stamp: Hlc,
    /// The latest stamp of this device's own in any change the server took
    /// from it. A device moving its stamps back keeps them after this one,
    /// so its later edits still win over its earlier ones, whichever server
    /// process took those.
    #[serde(default = "Hlc::zero")]
    pub device_latest: Hlc,
}

impl PushResponse {
    /// How device `node`, told by this answer that its clock runs ahead,
    /// moves its stamps back, given every stamp it holds: to after the
    /// server's time, its stamp, and the latest of the device's own the
    /// server took, and no later than the server's limit.
    pub fn stamp_rewrite(&self, node: Uuid, held: impl IntoIterator<Item = Hlc>) -> StampRewrite {
        let now_ms = self.server_time_ms.max(0) as u64;
        let known = held
            .into_iter()
            .chain([self.server_stamp, self.device_latest]);
        StampRewrite::plan(node, now_ms, now_ms + MAX_STAMP_AHEAD_MS, known)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub seq: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected { errors: Vec<ValidationError> },
}

/// One page of changes after `cursor`. Cursors are opaque to the device: it
/// stores the one it was given and sends it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Activities as the server holds them, tombstones included (in their
    /// wire form, see [`crate::wire`]).
    #[serde(with = "crate::wire::many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::merge::ActivityWire>))]
    pub changes: Vec<ActivityRecord>,
    /// Livestream records, likewise, for the users who work with them.
    #[serde(default, with = "crate::wire::many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::livestream::LivestreamWire>))]
    pub livestream: Vec<LivestreamRecord>,
    /// Proposals and their steps: the user's own, or every one for an
    /// admin.
    #[serde(default, with = "crate::wire::many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::proposal::ProposalItemWire>))]
    pub proposals: Vec<ProposalItem>,
    /// The references of the photos of the activities pulled (the same
    /// scope); a photo's bytes are fetched only when it is shown.
    #[serde(default, with = "crate::wire::many")]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::photo::PhotoWire>))]
    pub photos: Vec<PhotoRecord>,
    /// Activities that left the user's stations (moved to a station the
    /// user does not serve): the device forgets them, unless it holds a
    /// change of one still to be answered.
    #[serde(default)]
    pub gone: Vec<Uuid>,
    /// The pull starts from the beginning (the device's first, or the
    /// user's stations changed): before storing this page the device
    /// forgets every record it holds that it has no unanswered or refused
    /// change of; the pages that follow bring back those in scope.
    #[serde(default)]
    pub reset: bool,
    pub cursor: String,
    /// More changes are waiting; pull again at once.
    pub more: bool,
    pub server_time_ms: i64,
    pub server_stamp: Hlc,
}

/// Reference data every device needs to fill in its forms offline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferenceData {
    pub stations: Vec<Station>,
    /// Every category, retired ones too (records may have them); the
    /// forms offer the others. Missing from caches older than the list.
    #[serde(default)]
    pub categories: Vec<crate::CategoryInfo>,
    /// Every proposal group, retired ones too.
    #[serde(default)]
    pub groups: Vec<GroupInfo>,
    /// The district's streets, each once, in order: what a proposal may
    /// concern (a volunteer's stations name only some).
    #[serde(default)]
    pub streets: Vec<String>,
}

/// One row of the admin's activity list: the activity and where it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminActivityRow {
    pub activity: Activity,
    pub station_name: String,
    pub street: String,
    /// The hashes of its photos, oldest first (`GET /photos/{hash}/thumb`
    /// shows one small).
    #[serde(default)]
    pub photos: Vec<String>,
}

/// The body of every error the server answers with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, in English, for API users and logs.
    pub error: String,
    /// Each broken rule by its code, with the field it is about: what an
    /// app words in its user's language. Empty (and left out) for the
    /// answers no rule names (an unreadable body, a wrong method, a
    /// timeout), which a client words by their status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ValidationError>,
}

impl ErrorBody {
    /// An answer no rule names: its English words only.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            errors: Vec::new(),
        }
    }
}

#[cfg(test)]
mod error_body_tests {
    use super::*;
    use crate::error::Rule;

    #[test]
    fn an_error_body_without_rules_reads_and_writes_as_before() {
        let old: ErrorBody = serde_json::from_str(r#"{"error":"no such endpoint"}"#).unwrap();
        assert_eq!(old, ErrorBody::new("no such endpoint"));
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"error":"no such endpoint"}"#
        );
    }

    #[test]
    fn an_error_body_carries_each_rule_by_its_code() {
        let body = ErrorBody {
            error: "a user named \"li\" already exists".into(),
            errors: vec![ValidationError::new("username", Rule::AlreadyExists)],
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["errors"][0]["field"], "username");
        assert_eq!(json["errors"][0]["rule"]["code"], "already_exists");
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), body);
    }
}
