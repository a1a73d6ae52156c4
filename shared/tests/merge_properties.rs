//! Property tests of the merge rule: for any versions of a record, made on
//! any number of devices and delivered in any order, duplicated or not,
//! every replica ends in the same state, and the latest delete or restore
//! decides whether the record exists.

use chrono::NaiveDate;
use proptest::prelude::*;
use tongxin_shared::{
    Category, PeopleServed,
    hlc::Hlc,
    merge::{ActivityRecord, Lww},
};
use uuid::Uuid;

/// A stamp from a small space, so ties of wall time are common.
fn stamp() -> impl Strategy<Value = Hlc> {
    (0u64..20, 0u32..3, 1u128..5).prop_map(|(wall_ms, counter, node)| Hlc {
        wall_ms,
        counter,
        node: Uuid::from_u128(node),
    })
}

/// A field write whose value is a function of its stamp: one stamp is one
/// write, as it is with real clocks.
fn lww<T: Clone + PartialEq + std::fmt::Debug>(
    value_of: fn(&Hlc) -> T,
) -> impl Strategy<Value = Lww<T>> {
    stamp().prop_map(move |s| Lww::new(value_of(&s), s))
}

fn seed(s: &Hlc) -> u64 {
    s.wall_ms * 31 + u64::from(s.counter) * 7 + s.node.as_u128() as u64
}

/// One version of record 42, as some device last wrote it.
fn version() -> impl Strategy<Value = ActivityRecord> {
    (
        lww(|s| Category::BUILT_IN[(seed(s) % 9) as usize].clone()),
        lww(|s| format!("t{}", seed(s))),
        lww(|s| format!("st-{}", seed(s) % 4)),
        lww(|s| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(seed(s) % 300)),
        lww(|s| (seed(s) % 50) as u32),
        lww(|s| PeopleServed::try_from((seed(s) % 500) as i64).unwrap()),
        lww(|s| format!("n{}", seed(s))),
        lww(|s| seed(s).is_multiple_of(3)),
        (
            lww(|s| {
                chrono::NaiveTime::from_num_seconds_from_midnight_opt((seed(s) % 86_400) as u32, 0)
            }),
            lww(|s| format!("g{}", seed(s) % 5)),
        ),
    )
        .prop_map(
            |(
                category,
                title,
                station_id,
                date,
                volunteers,
                people_served,
                notes,
                deleted,
                (time, organising_group),
            )| {
                ActivityRecord {
                    id: Uuid::from_u128(42),
                    category,
                    title,
                    station_id,
                    date,
                    volunteers,
                    people_served,
                    notes,
                    time,
                    organising_group,
                    deleted,
                }
            },
        )
}

/// Versions plus, for each of several replicas, the order it receives them
/// in: every version at least once, some twice.
fn deliveries() -> impl Strategy<Value = (Vec<ActivityRecord>, Vec<Vec<usize>>)> {
    prop::collection::vec(version(), 1..8).prop_flat_map(|versions| {
        let n = versions.len();
        let order = (
            Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
            prop::collection::vec(0..n, 0..n),
        )
            .prop_map(|(mut all, again)| {
                all.extend(again);
                all
            })
            .prop_shuffle();
        (Just(versions), prop::collection::vec(order, 2..5))
    })
}

fn replay(versions: &[ActivityRecord], order: &[usize]) -> ActivityRecord {
    let mut replica = versions[order[0]].clone();
    for &i in &order[1..] {
        replica.merge(&versions[i]);
    }
    replica
}

proptest! {
    #[test]
    fn every_replica_converges_whatever_the_order_and_duplicates((versions, orders) in deliveries()) {
        let first = replay(&versions, &orders[0]);
        for order in &orders[1..] {
            prop_assert_eq!(&replay(&versions, order), &first);
        }
    }

    #[test]
    fn each_field_ends_at_its_latest_write((versions, orders) in deliveries()) {
        let result = replay(&versions, &orders[0]);
        let latest_title = versions.iter().map(|v| &v.title).max_by_key(|l| l.stamp).unwrap();
        prop_assert_eq!(&result.title, latest_title);
        let latest_delete = versions.iter().map(|v| &v.deleted).max_by_key(|l| l.stamp).unwrap();
        prop_assert_eq!(result.is_deleted(), latest_delete.value);
    }

    #[test]
    fn merging_is_idempotent(a in version(), b in version()) {
        let mut once = a.clone();
        once.merge(&b);
        let mut twice = once.clone();
        twice.merge(&b);
        twice.merge(&a);
        prop_assert_eq!(once, twice);
    }
}
