//! Per-field last-writer-wins merge, the one rule client and server share.
//!
//! Each field of a record carries the [`Hlc`] stamp of the write that set
//! it; merging two versions keeps, field by field, the value with the
//! greater stamp. That makes merge commutative, associative and idempotent:
//! every replica that has seen the same versions holds the same record, in
//! whatever order and however often they arrived. Edits of different
//! fields on two devices both survive. A delete is a stamped tombstone
//! like any other field, so an older edit never brings a record back.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Activity, Category, PeopleServed, hlc::Hlc};

/// A value with the stamp of the write that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lww<T> {
    pub value: T,
    pub stamp: Hlc,
}

impl<T: Clone + PartialEq> Lww<T> {
    pub fn new(value: T, stamp: Hlc) -> Lww<T> {
        Lww { value, stamp }
    }

    /// Keeps whichever write is later. Stamps from different devices never
    /// tie, so the result does not depend on the order of arguments.
    pub fn merge(&mut self, other: &Lww<T>) {
        if other.stamp > self.stamp {
            *self = other.clone();
        }
    }

    /// A local write: takes `stamp` only if the value really changes, so an
    /// untouched field keeps its older stamp and cannot mask another
    /// device's edit of it.
    pub fn set(&mut self, value: T, stamp: Hlc) {
        if self.value != value {
            *self = Lww { value, stamp };
        }
    }
}

/// An activity as replicas hold and exchange it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityRecord {
    pub id: Uuid,
    pub category: Lww<Category>,
    pub title: Lww<String>,
    pub station_id: Lww<String>,
    pub date: Lww<NaiveDate>,
    pub volunteers: Lww<u32>,
    pub people_served: Lww<PeopleServed>,
    pub notes: Lww<String>,
    pub deleted: Lww<bool>,
}

impl ActivityRecord {
    /// A newly recorded activity: every field written at `stamp`.
    pub fn new(activity: &Activity, stamp: Hlc) -> ActivityRecord {
        ActivityRecord {
            id: activity.id,
            category: Lww::new(activity.category, stamp),
            title: Lww::new(activity.title.clone(), stamp),
            station_id: Lww::new(activity.station_id.clone(), stamp),
            date: Lww::new(activity.date, stamp),
            volunteers: Lww::new(activity.volunteers, stamp),
            people_served: Lww::new(activity.people_served, stamp),
            notes: Lww::new(activity.notes.clone(), stamp),
            deleted: Lww::new(false, stamp),
        }
    }

    /// The current values.
    pub fn activity(&self) -> Activity {
        Activity {
            id: self.id,
            category: self.category.value,
            title: self.title.value.clone(),
            station_id: self.station_id.value.clone(),
            date: self.date.value,
            volunteers: self.volunteers.value,
            people_served: self.people_served.value,
            notes: self.notes.value.clone(),
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted.value
    }

    /// A local edit: only the fields whose value changed take `stamp`.
    pub fn edit(&mut self, edited: &Activity, stamp: Hlc) {
        debug_assert_eq!(edited.id, self.id, "an edit of another record");
        self.category.set(edited.category, stamp);
        self.title.set(edited.title.clone(), stamp);
        self.station_id.set(edited.station_id.clone(), stamp);
        self.date.set(edited.date, stamp);
        self.volunteers.set(edited.volunteers, stamp);
        self.people_served.set(edited.people_served, stamp);
        self.notes.set(edited.notes.clone(), stamp);
    }

    /// Deletes (or, with `false`, restores) the record at `stamp`.
    pub fn set_deleted(&mut self, deleted: bool, stamp: Hlc) {
        self.deleted.set(deleted, stamp);
    }

    /// Merges another version of the same record into this one.
    pub fn merge(&mut self, other: &ActivityRecord) {
        debug_assert_eq!(other.id, self.id, "a merge of two different records");
        self.category.merge(&other.category);
        self.title.merge(&other.title);
        self.station_id.merge(&other.station_id);
        self.date.merge(&other.date);
        self.volunteers.merge(&other.volunteers);
        self.people_served.merge(&other.people_served);
        self.notes.merge(&other.notes);
        self.deleted.merge(&other.deleted);
    }

    /// The latest stamp of any field: what a clock must observe on receipt.
    pub fn latest_stamp(&self) -> Hlc {
        [
            self.category.stamp,
            self.title.stamp,
            self.station_id.stamp,
            self.date.stamp,
            self.volunteers.stamp,
            self.people_served.stamp,
            self.notes.stamp,
            self.deleted.stamp,
        ]
        .into_iter()
        .max()
        .unwrap_or(Hlc::ZERO)
    }

    /// Gives every field stamped after `limit_ms` the stamp `now` instead,
    /// keeping its value; says whether any was. The server applies this to
    /// what devices push, so a clock set in the future cannot win every
    /// merge until real time catches up.
    pub fn restamp_after(&mut self, limit_ms: u64, now: Hlc) -> bool {
        let mut restamped = false;
        for stamp in self.stamps_mut() {
            if stamp.wall_ms > limit_ms {
                *stamp = now;
                restamped = true;
            }
        }
        restamped
    }

    fn stamps_mut(&mut self) -> [&mut Hlc; 8] {
        [
            &mut self.category.stamp,
            &mut self.title.stamp,
            &mut self.station_id.stamp,
            &mut self.date.stamp,
            &mut self.volunteers.stamp,
            &mut self.people_served.stamp,
            &mut self.notes.stamp,
            &mut self.deleted.stamp,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::HlcClock;

    fn activity() -> Activity {
        Activity {
            id: Uuid::from_u128(42),
            category: Category::HealthClinic,
            title: "义诊".into(),
            station_id: "st-xianfeng".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            volunteers: 4,
            people_served: PeopleServed::try_from(30).unwrap(),
            notes: String::new(),
        }
    }

    fn merged(a: &ActivityRecord, b: &ActivityRecord) -> ActivityRecord {
        let mut out = a.clone();
        out.merge(b);
        out
    }

    /// `check(local, remote, expected)`: both merge orders give `expected`.
    fn check(local: &ActivityRecord, remote: &ActivityRecord, expected: impl Fn(&Activity)) {
        let one = merged(local, remote);
        let two = merged(remote, local);
        assert_eq!(one, two, "merge must not depend on order");
        expected(&one.activity());
    }

    #[test]
    fn edits_of_different_fields_on_two_devices_both_survive() {
        let mut phone_a = HlcClock::new(Uuid::from_u128(1));
        let mut phone_b = HlcClock::new(Uuid::from_u128(2));
        let base = ActivityRecord::new(&activity(), phone_a.stamp(1_000));
        let (mut a, mut b) = (base.clone(), base);
        let mut edit_a = activity();
        edit_a.title = "眼科义诊".into();
        a.edit(&edit_a, phone_a.stamp(2_000));
        let mut edit_b = activity();
        edit_b.people_served = PeopleServed::try_from(45).unwrap();
        b.edit(&edit_b, phone_b.stamp(2_500));
        check(&a, &b, |result| {
            assert_eq!(result.title, "眼科义诊");
            assert_eq!(result.people_served.get(), 45);
        });
    }

    #[test]
    fn the_later_edit_of_the_same_field_wins_whichever_arrives_first() {
        let mut phone_a = HlcClock::new(Uuid::from_u128(1));
        let mut phone_b = HlcClock::new(Uuid::from_u128(2));
        let base = ActivityRecord::new(&activity(), phone_a.stamp(1_000));
        let (mut a, mut b) = (base.clone(), base);
        let mut edit = activity();
        edit.title = "早".into();
        a.edit(&edit, phone_a.stamp(2_000));
        edit.title = "晚".into();
        b.edit(&edit, phone_b.stamp(3_000));
        check(&a, &b, |result| assert_eq!(result.title, "晚"));
    }

    #[test]
    fn a_same_millisecond_tie_is_broken_by_device_id() {
        let base = ActivityRecord::new(&activity(), HlcClock::new(Uuid::from_u128(9)).stamp(1));
        let (mut a, mut b) = (base.clone(), base);
        let mut edit = activity();
        edit.title = "A".into();
        a.edit(&edit, HlcClock::new(Uuid::from_u128(1)).stamp(5));
        edit.title = "B".into();
        b.edit(&edit, HlcClock::new(Uuid::from_u128(2)).stamp(5));
        check(&a, &b, |result| assert_eq!(result.title, "B"));
    }

    #[test]
    fn an_older_edit_does_not_bring_back_a_deleted_record() {
        let mut phone_a = HlcClock::new(Uuid::from_u128(1));
        let mut phone_b = HlcClock::new(Uuid::from_u128(2));
        let base = ActivityRecord::new(&activity(), phone_a.stamp(1_000));
        let (mut edited, mut deleted) = (base.clone(), base);
        let mut edit = activity();
        edit.notes = "补充".into();
        edited.edit(&edit, phone_a.stamp(2_000));
        deleted.set_deleted(true, phone_b.stamp(3_000));
        let one = merged(&edited, &deleted);
        assert_eq!(one, merged(&deleted, &edited));
        assert!(one.is_deleted());
        assert_eq!(one.activity().notes, "补充");
    }

    #[test]
    fn an_unchanged_field_keeps_its_old_stamp() {
        let stamp = HlcClock::new(Uuid::from_u128(1)).stamp(1_000);
        let mut record = ActivityRecord::new(&activity(), stamp);
        let mut edit = activity();
        edit.volunteers = 9;
        let later = HlcClock::new(Uuid::from_u128(1)).stamp(2_000);
        record.edit(&edit, later);
        assert_eq!(record.volunteers.stamp, later);
        assert_eq!(record.title.stamp, stamp);
        assert_eq!(record.latest_stamp(), later);
    }

    #[test]
    fn stamps_from_the_future_are_replaced_and_values_kept() {
        let now = HlcClock::new(Uuid::from_u128(0)).stamp(10_000);
        let mut record =
            ActivityRecord::new(&activity(), HlcClock::new(Uuid::from_u128(1)).stamp(5_000));
        let mut edit = activity();
        edit.title = "未来".into();
        record.edit(&edit, HlcClock::new(Uuid::from_u128(1)).stamp(99_000));
        assert!(record.restamp_after(10_000, now));
        assert_eq!(record.title, Lww::new("未来".to_owned(), now));
        assert_eq!(record.date.stamp.wall_ms, 5_000);
        assert!(!record.restamp_after(10_000, now));
    }
}
