//! The charity-sales livestream room (同心网络直播间).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One livestream session, e.g. 第七期 (number 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LivestreamSession {
    pub id: Uuid,
    /// The N of 第N期.
    pub number: u32,
    pub date: NaiveDate,
    /// 抖音, 快手, 视频号 …
    pub platform: String,
    pub host: String,
    pub viewers: u32,
}
