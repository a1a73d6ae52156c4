//! Per-field last-writer-wins merge, the one rule client and server share.
//!
//! Each field of a record carries the [`Hlc`] stamp of the write that set
//! it; merging two versions keeps, field by field, the value with the
//! greater stamp. That makes merge commutative, associative and idempotent:
//! every replica that has seen the same versions holds the same record, in
//! whatever order and however often they arrived. Edits of different
//! fields on two devices both survive. A delete is a stamped tombstone
//! like any other field, so an older edit never brings a record back.

use chrono::{NaiveDate, NaiveTime};
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

/// A field a record gained later: what older versions of the record (sent
/// by an older app, kept on a phone) read as. Stamped at zero, so any real
/// write of it wins.
impl<T: Default> Default for Lww<T> {
    fn default() -> Self {
        Lww {
            value: T::default(),
            stamp: Hlc::ZERO,
        }
    }
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

/// What sync needs of every stamped record kind: the store, the push and
/// the pull handle activities and livestream records through this alone.
pub trait StampedRecord: Clone {
    fn id(&self) -> Uuid;
    fn is_deleted(&self) -> bool;
    /// Merges another version of the same record into this one.
    fn merge_from(&mut self, other: &Self);
    /// The latest stamp of any field: what a clock must observe on receipt.
    fn latest_stamp(&self) -> Hlc;
    /// The stamp of every field, the tombstone's included.
    fn stamps(&self) -> Vec<Hlc>;
    /// The stamp of every field, the tombstone's included, to rewrite in
    /// place: a device whose clock ran ahead moves its own stamps back
    /// (see [`crate::hlc::StampRewrite`]).
    fn stamps_mut(&mut self) -> Vec<&mut Hlc>;
}

/// Declares the stamped form of a plain record type: the same fields, each
/// an [`Lww`], plus a `deleted` tombstone, with the methods every kind needs
/// (new, read the plain value, edit, delete, merge), and its compact form
/// on the wire (`sent as`, see [`crate::wire`]). Every record kind thus
/// merges by exactly the same rule. The plain type must have an `id` and
/// exactly the listed fields; the caller imports `Lww` (the OpenAPI schema
/// derive reads the field types by name).
macro_rules! stamped_record {
    (
        $(#[$meta:meta])*
        pub struct $record:ident of $plain:ident, read by $getter:ident, sent as $wire:ident {
            $($(#[$field_meta:meta])* $field:ident: $ty:ty),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $record {
            pub id: uuid::Uuid,
            $($(#[$field_meta])* pub $field: Lww<$ty>,)+
            pub deleted: Lww<bool>,
        }

        impl $record {
            /// A new record: every field written at `stamp`.
            pub fn new(value: &$plain, stamp: $crate::hlc::Hlc) -> $record {
                $record {
                    id: value.id,
                    $($field: $crate::merge::Lww::new(value.$field.clone(), stamp),)+
                    deleted: $crate::merge::Lww::new(false, stamp),
                }
            }

            /// The current values.
            pub fn $getter(&self) -> $plain {
                $plain {
                    id: self.id,
                    $($field: self.$field.value.clone(),)+
                }
            }

            pub fn is_deleted(&self) -> bool {
                self.deleted.value
            }

            /// A local edit: only the fields whose value changed take `stamp`.
            pub fn edit(&mut self, edited: &$plain, stamp: $crate::hlc::Hlc) {
                debug_assert_eq!(edited.id, self.id, "an edit of another record");
                $(self.$field.set(edited.$field.clone(), stamp);)+
            }

            /// Deletes (or, with `false`, restores) the record at `stamp`.
            pub fn set_deleted(&mut self, deleted: bool, stamp: $crate::hlc::Hlc) {
                self.deleted.set(deleted, stamp);
            }

            /// Merges another version of the same record into this one.
            pub fn merge(&mut self, other: &$record) {
                debug_assert_eq!(other.id, self.id, "a merge of two different records");
                $(self.$field.merge(&other.$field);)+
                self.deleted.merge(&other.deleted);
            }

            /// The latest stamp of any field.
            pub fn latest_stamp(&self) -> $crate::hlc::Hlc {
                [$(self.$field.stamp,)+ self.deleted.stamp]
                    .into_iter()
                    .max()
                    .unwrap_or($crate::hlc::Hlc::ZERO)
            }

            /// See [`StampedRecord::stamps`].
            pub fn stamps(&self) -> Vec<$crate::hlc::Hlc> {
                vec![$(self.$field.stamp,)+ self.deleted.stamp]
            }

            /// See [`StampedRecord::stamps_mut`].
            pub fn stamps_mut(&mut self) -> Vec<&mut $crate::hlc::Hlc> {
                vec![$(&mut self.$field.stamp,)+ &mut self.deleted.stamp]
            }
        }

        /// The record on the wire (see [`crate::wire`]): the stamp most of
        /// its fields share, once; each field's value; and the stamps of
        /// the fields written at another, by name.
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $wire {
            pub id: uuid::Uuid,
            /// The stamp of every field not named in `stamps`.
            pub stamp: $crate::hlc::Hlc,
            $($(#[$field_meta])* pub $field: $ty,)+
            pub deleted: bool,
            /// The fields written at another stamp than `stamp`.
            #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            pub stamps: std::collections::BTreeMap<String, $crate::hlc::Hlc>,
        }

        impl $crate::wire::Wired for $record {
            type Wire = $wire;

            fn to_wire(&self) -> $wire {
                let common = $crate::wire::common_stamp(&self.stamps());
                let mut stamps = std::collections::BTreeMap::new();
                $(if self.$field.stamp != common {
                    stamps.insert(stringify!($field).to_owned(), self.$field.stamp);
                })+
                if self.deleted.stamp != common {
                    stamps.insert("deleted".to_owned(), self.deleted.stamp);
                }
                $wire {
                    id: self.id,
                    stamp: common,
                    $($field: self.$field.value.clone(),)+
                    deleted: self.deleted.value,
                    stamps,
                }
            }

            fn from_wire(wire: $wire) -> Result<$record, String> {
                let common = wire.stamp;
                let mut stamps = wire.stamps;
                let mut stamp_of = |field: &str| stamps.remove(field).unwrap_or(common);
                let record = $record {
                    id: wire.id,
                    $($field: $crate::merge::Lww::new(wire.$field, stamp_of(stringify!($field))),)+
                    deleted: $crate::merge::Lww::new(wire.deleted, stamp_of("deleted")),
                };
                match stamps.into_keys().next() {
                    Some(unknown) => Err(format!("a stamp for an unknown field: {unknown:?}")),
                    None => Ok(record),
                }
            }
        }

        impl $crate::merge::StampedRecord for $record {
            fn id(&self) -> uuid::Uuid {
                self.id
            }
            fn is_deleted(&self) -> bool {
                $record::is_deleted(self)
            }
            fn merge_from(&mut self, other: &Self) {
                self.merge(other)
            }
            fn latest_stamp(&self) -> $crate::hlc::Hlc {
                $record::latest_stamp(self)
            }
            fn stamps(&self) -> Vec<$crate::hlc::Hlc> {
                $record::stamps(self)
            }
            fn stamps_mut(&mut self) -> Vec<&mut $crate::hlc::Hlc> {
                $record::stamps_mut(self)
            }
        }
    };
}
pub(crate) use stamped_record;

/// Declares a family of record kinds that travel together (the
/// livestream room's four, a proposal and its steps): the enum tagged by
/// kind that pushes, pulls and the device's store carry, its wire form,
/// and the [`StampedRecord`] it is as a whole. Versions of different kinds
/// are never merged.
macro_rules! record_kinds {
    (
        $(#[$meta:meta])*
        pub enum $name:ident sent as $wire:ident {
            $($variant:ident($record:ident, $record_wire:ident) as $kind:literal),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(tag = "kind", content = "record")]
        pub enum $name {
            $(#[serde(rename = $kind)] $variant($record),)+
        }

        /// The same records on the wire (see [`crate::wire`]).
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(tag = "kind", content = "record")]
        pub enum $wire {
            $(#[serde(rename = $kind)] $variant($record_wire),)+
        }

        impl $crate::wire::Wired for $name {
            type Wire = $wire;

            fn to_wire(&self) -> $wire {
                match self {
                    $($name::$variant(r) => $wire::$variant($crate::wire::Wired::to_wire(r)),)+
                }
            }

            fn from_wire(wire: $wire) -> Result<$name, String> {
                Ok(match wire {
                    $($wire::$variant(w) => {
                        $name::$variant(<$record as $crate::wire::Wired>::from_wire(w)?)
                    })+
                })
            }
        }

        impl $name {
            /// The stable name of the kind, as on the wire.
            pub fn kind(&self) -> &'static str {
                match self {
                    $($name::$variant(_) => $kind,)+
                }
            }

            /// Deletes (or, with `false`, restores) the record at `stamp`.
            pub fn set_deleted(&mut self, deleted: bool, stamp: $crate::hlc::Hlc) {
                match self {
                    $($name::$variant(r) => r.set_deleted(deleted, stamp),)+
                }
            }
        }

        impl $crate::merge::StampedRecord for $name {
            fn id(&self) -> uuid::Uuid {
                match self {
                    $($name::$variant(r) => r.id,)+
                }
            }
            fn is_deleted(&self) -> bool {
                match self {
                    $($name::$variant(r) => r.is_deleted(),)+
                }
            }
            /// Versions of different kinds are never merged; the other is
            /// ignored.
            #[allow(unreachable_patterns)]
            fn merge_from(&mut self, other: &Self) {
                match (self, other) {
                    $(($name::$variant(a), $name::$variant(b)) => a.merge(b),)+
                    _ => debug_assert!(false, "a merge of two kinds of record"),
                }
            }
            fn latest_stamp(&self) -> $crate::hlc::Hlc {
                match self {
                    $($name::$variant(r) => r.latest_stamp(),)+
                }
            }
            fn stamps(&self) -> Vec<$crate::hlc::Hlc> {
                match self {
                    $($name::$variant(r) => r.stamps(),)+
                }
            }
            fn stamps_mut(&mut self) -> Vec<&mut $crate::hlc::Hlc> {
                match self {
                    $($name::$variant(r) => r.stamps_mut(),)+
                }
            }
        }
    };
}
pub(crate) use record_kinds;

stamped_record! {
    /// An activity as replicas hold and exchange it.
    pub struct ActivityRecord of Activity, read by activity, sent as ActivityWire {
        category: Category,
        title: String,
        station_id: String,
        date: NaiveDate,
        volunteers: u32,
        people_served: PeopleServed,
        notes: String,
        #[serde(default)]
        time: Option<NaiveTime>,
        #[serde(default)]
        organising_group: String,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hlc::HlcClock;

    /// An activity the tests of the crate start from.
    pub(crate) fn activity() -> Activity {
        Activity {
            id: Uuid::from_u128(42),
            category: Category::HEALTH_CLINIC,
            title: "义诊".into(),
            station_id: "st-xianfeng".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            volunteers: 4,
            people_served: PeopleServed::try_from(30).unwrap(),
            notes: String::new(),
            time: None,
            organising_group: String::new(),
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
}

#[cfg(test)]
mod later_fields {
    use super::*;
    use crate::hlc::HlcClock;

    #[test]
    fn a_record_from_before_time_and_group_reads_with_them_empty_and_any_edit_wins() {
        let stamp = HlcClock::new(Uuid::from_u128(1)).stamp(1_000);
        let full = serde_json::json!({
            "id": Uuid::from_u128(5),
            "category": { "value": "elder_care", "stamp": stamp },
            "title": { "value": "雨花敬老", "stamp": stamp },
            "station_id": { "value": "st-dazhi", "stamp": stamp },
            "date": { "value": "2026-11-20", "stamp": stamp },
            "volunteers": { "value": 3, "stamp": stamp },
            "people_served": { "value": 20, "stamp": stamp },
            "notes": { "value": "", "stamp": stamp },
            "deleted": { "value": false, "stamp": stamp },
        });
        let mut old: ActivityRecord = serde_json::from_value(full).unwrap();
        assert_eq!(old.time, Lww::default());
        assert_eq!(old.activity().organising_group, "");
        let mut edited = old.activity();
        edited.organising_group = "民建江岸区委".into();
        let mut newer = old.clone();
        newer.edit(&edited, HlcClock::new(Uuid::from_u128(2)).stamp(900));
        old.merge(&newer);
        assert_eq!(old.activity().organising_group, "民建江岸区委");
    }
}
