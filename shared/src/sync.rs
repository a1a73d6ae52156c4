//! The sync protocol: what a device pushes and what it pulls.
//!
//! Push is idempotent: each mutation carries the device's own increasing
//! sequence number, the server remembers the highest one it applied per
//! device (in the same transaction as the change), and answers a resent
//! mutation as accepted without applying it again.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Activity, Station, ValidationError, hlc::Hlc, livestream::LivestreamRecord,
    merge::ActivityRecord,
};

/// Bumped whenever a message changes shape incompatibly. The server refuses
/// any other version with [`UNSUPPORTED_PROTOCOL`] so the app can say "please
/// update" rather than corrupt data.
pub const PROTOCOL_VERSION: u32 = 1;

/// The error text the server gives for a protocol version it does not speak.
pub const UNSUPPORTED_PROTOCOL: &str = "unsupported protocol version";

/// At most this many mutations in one push, so one request stays small.
pub const MAX_PUSH_MUTATIONS: usize = 500;

/// How far ahead of the server's clock a stamp may run. A device whose
/// clock is set in the future would otherwise win every merge until real
/// time caught up; the server re-stamps such fields with its own clock.
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
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "record", rename_all = "snake_case")]
pub enum Change {
    /// The device's whole version of the record, every field stamped; the
    /// server merges it field by field into its own.
    PutActivity(ActivityRecord),
    /// The same for a livestream record (organisers and admins only).
    PutLivestream(LivestreamRecord),
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
    /// Activities as the server holds them, tombstones included.
    pub changes: Vec<ActivityRecord>,
    /// Livestream records, likewise, for the users who work with them.
    #[serde(default)]
    pub livestream: Vec<LivestreamRecord>,
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
}

/// One row of the admin's activity list: the activity and where it happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminActivityRow {
    pub activity: Activity,
    pub station_name: String,
    pub street: String,
}

/// The body of every error the server answers with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: String,
}
