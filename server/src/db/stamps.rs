//! How an activity's field stamps are stored beside its plain columns.
//!
//! The values live in the columns the admin's queries read; this holds only
//! the HLC stamp of each field, with equal stamps stored once. A record
//! written in one go (the common case) has one stamp for all eight fields,
//! so a row carries about a hundred bytes of stamps instead of eight full
//! ones; that was most of what a push wrote.

use serde::{Deserialize, Serialize};
use tongxin_shared::{
    Activity,
    hlc::Hlc,
    merge::{ActivityRecord, Lww},
};

/// The stamped fields, in the order of `fields` below. Migration
/// `0005_field_stamps.sql` wrote the first eight in the same order; rows
/// from before time and organising group carry eight, and the fields
/// missing at the end read as stamped at zero.
const STAMPED_FIELDS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredStamps {
    /// The distinct stamps.
    stamps: Vec<Hlc>,
    /// For category, title, station_id, date, volunteers, people_served,
    /// notes, deleted, time and organising_group: the index of its stamp
    /// in `stamps`.
    fields: Vec<u8>,
}

impl StoredStamps {
    pub fn of(record: &ActivityRecord) -> StoredStamps {
        let all = [
            record.category.stamp,
            record.title.stamp,
            record.station_id.stamp,
            record.date.stamp,
            record.volunteers.stamp,
            record.people_served.stamp,
            record.notes.stamp,
            record.deleted.stamp,
            record.time.stamp,
            record.organising_group.stamp,
        ];
        let mut stamps: Vec<Hlc> = Vec::with_capacity(1);
        let mut fields = vec![0u8; STAMPED_FIELDS];
        for (slot, stamp) in fields.iter_mut().zip(all) {
            let index = match stamps.iter().position(|s| *s == stamp) {
                Some(index) => index,
                None => {
                    stamps.push(stamp);
                    stamps.len() - 1
                }
            };
            // At most ten distinct stamps, so the index fits.
            *slot = index as u8;
        }
        StoredStamps { stamps, fields }
    }

    /// The stamped record of `activity` (read from the columns).
    pub fn record(&self, activity: Activity, deleted: bool) -> Result<ActivityRecord, String> {
        let stamp = |field: usize| -> Result<Hlc, String> {
            let Some(index) = self.fields.get(field).copied().map(usize::from) else {
                return Ok(Hlc::ZERO);
            };
            self.stamps
                .get(index)
                .copied()
                .ok_or_else(|| format!("stamp index {index} out of range"))
        };
        Ok(ActivityRecord {
            id: activity.id,
            category: Lww::new(activity.category, stamp(0)?),
            title: Lww::new(activity.title, stamp(1)?),
            station_id: Lww::new(activity.station_id, stamp(2)?),
            date: Lww::new(activity.date, stamp(3)?),
            volunteers: Lww::new(activity.volunteers, stamp(4)?),
            people_served: Lww::new(activity.people_served, stamp(5)?),
            notes: Lww::new(activity.notes, stamp(6)?),
            deleted: Lww::new(deleted, stamp(7)?),
            time: Lww::new(activity.time, stamp(8)?),
            organising_group: Lww::new(activity.organising_group, stamp(9)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use tongxin_shared::hlc::HlcClock;
    use uuid::Uuid;

    use super::*;
    use crate::demo;

    #[test]
    fn a_record_written_at_once_stores_one_stamp_and_comes_back_whole() {
        let activity = demo::synthetic_activity(7);
        let stamp = HlcClock::new(Uuid::now_v7()).stamp(1_764_000_000_000);
        let record = ActivityRecord::new(&activity, stamp);
        let stored = StoredStamps::of(&record);
        assert_eq!(stored.stamps.len(), 1);
        assert_eq!(stored.record(activity, false).unwrap(), record);
    }

    #[test]
    fn fields_edited_apart_keep_their_own_stamps() {
        let activity = demo::synthetic_activity(8);
        let mut clock = HlcClock::new(Uuid::now_v7());
        let mut record = ActivityRecord::new(&activity, clock.stamp(1_764_000_000_000));
        let mut edited = activity.clone();
        edited.title = "改过的标题".into();
        record.edit(&edited, clock.stamp(1_764_000_100_000));
        record.set_deleted(true, clock.stamp(1_764_000_200_000));
        let stored = StoredStamps::of(&record);
        assert_eq!(stored.stamps.len(), 3);
        let json = serde_json::to_string(&stored).unwrap();
        let back: StoredStamps = serde_json::from_str(&json).unwrap();
        assert_eq!(back.record(edited, true).unwrap(), record);
    }

    #[test]
    fn a_damaged_index_is_an_error_not_a_panic() {
        let stored = StoredStamps {
            stamps: Vec::new(),
            fields: vec![0; STAMPED_FIELDS],
        };
        assert!(stored.record(demo::synthetic_activity(1), false).is_err());
    }
}
