//! A database made by an older version of the server keeps every record,
//! stamps included, when a newer one opens it.

use std::borrow::Cow;

use tongxin_server::{auth::StationScope, db::Db, demo};
use tongxin_shared::{
    hlc::HlcClock,
    livestream::LivestreamRecord,
    merge::{ActivityRecord, Lww},
};
use uuid::Uuid;

#[tokio::test]
async fn records_stored_as_whole_json_keep_every_field_stamp_after_the_upgrade() {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("old.sqlite").display());

    // The schema as it was before field stamps got their own column.
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
        .await
        .unwrap();
    let mut old = sqlx::migrate!("./migrations/sqlite");
    let before: Vec<_> = old
        .migrations
        .iter()
        .filter(|m| m.version < 5)
        .cloned()
        .collect();
    old.migrations = Cow::Owned(before);
    old.run(&pool).await.unwrap();

    let mut clock = HlcClock::new(Uuid::now_v7());
    // As an app of that time recorded it: no start time, no group.
    let activity = tongxin_shared::Activity {
        time: None,
        organising_group: String::new(),
        ..demo::synthetic_activity(3)
    };
    let mut record = ActivityRecord::new(&activity, clock.stamp(1_764_000_000_000));
    let mut edited = activity.clone();
    edited.people_served = 77.try_into().unwrap();
    record.edit(&edited, clock.stamp(1_764_000_500_000));
    sqlx::query(
        "INSERT INTO stations (id, name, kind, street, community)
         VALUES (?, '测试阵地', 'liaison_station', '测试街道', '测试社区')",
    )
    .bind(&activity.station_id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO activities (id, category, title, station_id, date, volunteers,
             people_served, notes, change_seq, updated_by, record, deleted)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 'old', ?, 0)",
    )
    .bind(edited.id.to_string())
    .bind(edited.category.code())
    .bind(&edited.title)
    .bind(&edited.station_id)
    .bind(edited.date)
    .bind(i64::from(edited.volunteers))
    .bind(i64::from(edited.people_served.get()))
    .bind(&edited.notes)
    .bind(serde_json::to_string(&record).unwrap())
    .execute(&pool)
    .await
    .unwrap();
    // A livestream session from before sessions synced.
    sqlx::query(
        "INSERT INTO livestream_sessions (id, number, date, platform, host, viewers)
         VALUES ('0190f000-0000-7000-8000-000000000007', 7, '2026-10-30', '抖音', '同心', 12800)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE counters SET value = 1 WHERE name = 'change_seq'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let db = Db::open(&url).await.unwrap();
    let pulled = db.pull(&StationScope::All, 0, i64::MAX, 10).await.unwrap();
    // The fields added since read as never written (stamped at zero).
    let expected = ActivityRecord {
        time: Lww::default(),
        organising_group: Lww::default(),
        ..record
    };
    assert_eq!(pulled, vec![(1, expected)]);
    // The session became a record at the next position, every field kept.
    let sessions = db.pull_livestream(0, i64::MAX, 10).await.unwrap();
    let [(2, LivestreamRecord::Session(session))] = sessions.as_slice() else {
        panic!("one session at position 2 expected, got {sessions:?}")
    };
    let session = session.session();
    assert_eq!(
        (session.number, session.platform.as_str(), session.viewers),
        (7, "抖音", 12_800)
    );
}
