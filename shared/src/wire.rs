//! How stamped records travel between device and server (protocol 3).
//!
//! A replica holds every field of a record with the stamp of the write that
//! set it ([`crate::merge::Lww`]), and most fields of a record share one
//! stamp: a new record is written at one stamp, and an edit stamps only
//! what it changed. Sending each field's stamp made a pulled activity
//! about 1.5 KB for about 490 bytes of data; on the wire a record carries
//! its most common stamp once (`stamp`) and, in `stamps`, only the fields
//! written at another one. Both sides turn it back into the full record
//! at once, so the merge never sees this form; the device keeps records
//! in IndexedDB in their full form.
//!
//! Messages use it through `#[serde(with = "wire::one")]` and
//! `#[serde(with = "wire::many")]` on the fields that carry records.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};

use crate::hlc::Hlc;

/// A record with a compact form for the wire.
pub trait Wired: Sized {
    type Wire: Serialize + DeserializeOwned;
    fn to_wire(&self) -> Self::Wire;
    /// The full record, or what is wrong with the wire form.
    fn from_wire(wire: Self::Wire) -> Result<Self, String>;
}

/// The stamp most fields share (ties go to the later stamp, so the
/// choice does not depend on the order of fields).
pub fn common_stamp(stamps: &[Hlc]) -> Hlc {
    let mut best = (0usize, Hlc::ZERO);
    for stamp in stamps {
        let count = stamps.iter().filter(|s| *s == stamp).count();
        if (count, *stamp) > best {
            best = (count, *stamp);
        }
    }
    best.1
}

/// One record, in its wire form.
pub mod one {
    use super::*;

    pub fn serialize<R: Wired, S: Serializer>(
        record: &R,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        record.to_wire().serialize(serializer)
    }

    pub fn deserialize<'de, R: Wired, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<R, D::Error> {
        R::from_wire(R::Wire::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// A list of records, each in its wire form.
pub mod many {
    use super::*;

    pub fn serialize<R: Wired, S: Serializer>(
        records: &[R],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(records.iter().map(Wired::to_wire))
    }

    pub fn deserialize<'de, R: Wired, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<R>, D::Error> {
        Vec::<R::Wire>::deserialize(deserializer)?
            .into_iter()
            .map(|wire| R::from_wire(wire).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::{
        Activity, PartnerRegion,
        livestream::{LivestreamRecord, RegionRecord},
        merge::ActivityRecord,
        sync::PullResponse,
    };

    fn activity(title: &str) -> Activity {
        Activity {
            title: title.into(),
            ..crate::merge::tests::activity()
        }
    }

    fn stamp(wall_ms: u64, counter: u32, node: u8) -> Hlc {
        Hlc {
            wall_ms,
            counter,
            node: Uuid::from_bytes([node; 16]),
        }
    }

    proptest! {
        /// Whatever stamps its fields carry, a record comes back from the
        /// wire exactly as it was sent: the merge sees what it saw before.
        #[test]
        fn a_record_comes_back_from_the_wire_as_it_was(
            stamps in prop::collection::vec((0u64..3, 0u32..2, 0u8..3), 10),
            title in "\\PC{0,12}",
            deleted in any::<bool>(),
        ) {
            let mut record = ActivityRecord::new(&activity(&title), stamp(0, 0, 0));
            record.deleted.value = deleted;
            let fields = record.stamps_mut();
            prop_assert_eq!(fields.len(), stamps.len());
            for (field, (ms, counter, node)) in fields.into_iter().zip(stamps) {
                *field = stamp(ms, counter, node);
            }
            let json = serde_json::to_string(&record.to_wire()).unwrap();
            let back = ActivityRecord::from_wire(serde_json::from_str(&json).unwrap()).unwrap();
            prop_assert_eq!(back, record);
        }
    }

    #[test]
    fn a_new_record_carries_one_stamp_and_an_edit_only_the_edited_fields_own() {
        let mut record = ActivityRecord::new(&activity("义诊"), stamp(1_000, 0, 1));
        let wire = record.to_wire();
        assert_eq!(wire.stamp, stamp(1_000, 0, 1));
        assert!(wire.stamps.is_empty());
        let full = serde_json::to_string(&record).unwrap().len();
        let sent = serde_json::to_string(&wire).unwrap().len();
        assert!(sent * 3 < full, "{sent} B sent for {full} B in full");

        let mut edited = record.activity();
        edited.volunteers = 9;
        record.edit(&edited, stamp(2_000, 0, 2));
        let wire = record.to_wire();
        assert_eq!(wire.stamp, stamp(1_000, 0, 1));
        assert_eq!(
            wire.stamps.into_iter().collect::<Vec<_>>(),
            [("volunteers".to_owned(), stamp(2_000, 0, 2))]
        );
    }

    #[test]
    fn a_stamp_for_a_field_the_record_does_not_have_is_refused() {
        let record = ActivityRecord::new(&activity("义诊"), stamp(1_000, 0, 1));
        let mut wire = serde_json::to_value(record.to_wire()).unwrap();
        wire["stamps"] = serde_json::json!({ "colour": stamp(2_000, 0, 2) });
        let page = serde_json::json!({
            "changes": [wire], "cursor": "", "more": false,
            "server_time_ms": 0, "server_stamp": stamp(0, 0, 0),
        });
        let error = serde_json::from_value::<PullResponse>(page).unwrap_err();
        assert!(error.to_string().contains("colour"), "{error}");
    }

    #[test]
    fn a_livestream_record_keeps_its_kind_on_the_wire() {
        let region = PartnerRegion {
            id: Uuid::from_u128(7),
            name: "博乐市".into(),
            province: "新疆".into(),
        };
        let record = LivestreamRecord::Region(RegionRecord::new(&region, stamp(5, 0, 1)));
        let json = serde_json::to_value(record.to_wire()).unwrap();
        assert_eq!(json["kind"], "region");
        assert_eq!(json["record"]["name"], "博乐市");
        let back = LivestreamRecord::from_wire(serde_json::from_value(json).unwrap()).unwrap();
        assert_eq!(back, record);
    }
}
