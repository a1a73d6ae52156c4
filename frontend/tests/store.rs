//! The IndexedDB store, in a real browser (`cargo xtask test` runs these in
//! headless Chromium). Each test uses a database of its own.
#![cfg(target_arch = "wasm32")]

use chrono::NaiveDate;
use tongxin_frontend::store::{Store, SyncState};
use tongxin_shared::{
    Activity, Category, LivestreamSession, PeopleServed, ValidationError,
    error::Rule,
    hlc::{Hlc, HlcClock},
    livestream::{LivestreamRecord, SessionRecord},
    merge::{ActivityRecord, StampedRecord},
    sync::{Change, MutationResult, Outcome, PullResponse, PushResponse},
};
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn fresh_store() -> Store {
    Store::open_named(&format!("test-{}", Uuid::now_v7()))
        .await
        .unwrap()
}

fn activity(title: &str, people: i64) -> Activity {
    Activity {
        id: Uuid::now_v7(),
        category: Category::ELDER_CARE,
        title: title.into(),
        station_id: "st-dazhi".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        volunteers: 3,
        people_served: PeopleServed::try_from(people).unwrap(),
        notes: String::new(),
        time: None,
        organising_group: String::new(),
    }
}

/// A pulled page as the server sends it.
fn page(
    changes: Vec<ActivityRecord>,
    livestream: Vec<LivestreamRecord>,
    cursor: &str,
) -> PullResponse {
    PullResponse {
        changes,
        livestream,
        proposals: Vec::new(),
        photos: Vec::new(),
        gone: Vec::new(),
        reset: false,
        cursor: cursor.into(),
        more: false,
        server_time_ms: 0,
        server_stamp: Hlc::ZERO,
    }
}

/// The server's refusal of mutation `seq` for one rule.
fn refusal(seq: u64, field: &str, rule: Rule) -> MutationResult {
    MutationResult {
        seq,
        outcome: Outcome::Rejected {
            errors: vec![ValidationError::new(field, rule)],
        },
    }
}

fn accepted(seq: u64) -> MutationResult {
    MutationResult {
        seq,
        outcome: Outcome::Accepted,
    }
}

#[wasm_bindgen_test]
async fn a_saved_activity_is_pending_with_its_outbox_entry_until_the_server_accepts_it() {
    let store = fresh_store().await;
    let a = activity("雨花敬老", 20);
    store.save_activity(&a).await.unwrap();

    assert_eq!(
        store.activities().await.unwrap(),
        vec![(a.clone(), SyncState::Pending)]
    );
    let outbox = store.outbox(500).await.unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].seq, 1);
    assert_eq!(store.pending_count().await.unwrap(), 1);

    store.acknowledge(&[accepted(1)]).await.unwrap();
    assert_eq!(
        store.activities().await.unwrap(),
        vec![(a, SyncState::Synced)]
    );
    assert_eq!(store.pending_count().await.unwrap(), 0);
}

#[wasm_bindgen_test]
async fn sequence_numbers_keep_growing_and_an_edit_after_a_push_stays_pending() {
    let store = fresh_store().await;
    let mut a = activity("雨花敬老", 20);
    store.save_activity(&a).await.unwrap();
    let pushed = store.outbox(500).await.unwrap();
    // The user edits while the push is on its way.
    a.people_served = PeopleServed::try_from(25).unwrap();
    store.save_activity(&a).await.unwrap();
    store.acknowledge(&[accepted(pushed[0].seq)]).await.unwrap();

    let outbox = store.outbox(500).await.unwrap();
    assert_eq!(outbox.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![2]);
    assert_eq!(
        store.activities().await.unwrap(),
        vec![(a, SyncState::Pending)]
    );
}

#[wasm_bindgen_test]
async fn a_rejection_is_kept_with_its_reason_until_the_record_is_saved_again() {
    let store = fresh_store().await;
    let a = activity("走访", 2);
    store.save_activity(&a).await.unwrap();
    let reason = ValidationError::new("station_id", Rule::UnknownStation);
    store
        .acknowledge(&[MutationResult {
            seq: 1,
            outcome: Outcome::Rejected {
                errors: vec![reason.clone()],
            },
        }])
        .await
        .unwrap();
    assert_eq!(
        store.activities().await.unwrap(),
        vec![(a.clone(), SyncState::Rejected(vec![reason]))]
    );
    store.save_activity(&a).await.unwrap();
    assert_eq!(
        store.activities().await.unwrap(),
        vec![(a, SyncState::Pending)]
    );
}

#[wasm_bindgen_test]
async fn a_rejected_record_counts_as_unsynced_until_the_user_discards_it() {
    let store = fresh_store().await;
    let refused = activity("走访", 2);
    let kept = activity("敬老", 9);
    store.save_activity(&refused).await.unwrap();
    store.save_activity(&kept).await.unwrap();
    store
        .acknowledge(&[refusal(1, "station_id", Rule::NotYourStation), accepted(2)])
        .await
        .unwrap();
    store
        .apply_pulled(&page(vec![], vec![], "42.fingerprint"))
        .await
        .unwrap();
    assert!(store.outbox(10).await.unwrap().is_empty());
    assert_eq!(store.pending_count().await.unwrap(), 1);
    assert_eq!(store.rejected_count().await.unwrap(), 1);

    // Only a refused record is discarded.
    assert!(store.discard_rejected(kept.id).await.is_err());
    store.discard_rejected(refused.id).await.unwrap();
    assert_eq!(
        store.activities().await.unwrap(),
        vec![(kept, SyncState::Synced)]
    );
    assert_eq!(store.pending_count().await.unwrap(), 0);
    assert_eq!(store.rejected_count().await.unwrap(), 0);
    // The next pull starts from the beginning, so the server's version of
    // the record (if any) comes back.
    assert_eq!(store.cursor().await.unwrap(), None);
}

/// A version of `activity` as another device stamped it.
fn remote(activity: &Activity, wall_ms: u64) -> ActivityRecord {
    ActivityRecord::new(activity, HlcClock::new(Uuid::from_u128(7)).stamp(wall_ms))
}

#[wasm_bindgen_test]
async fn a_pulled_change_merges_into_a_pending_local_edit_field_by_field() {
    let store = fresh_store().await;
    let local = activity("本机修改", 10);
    store.save_activity(&local).await.unwrap();
    // An older version from the server changes the title and the notes.
    let mut old = local.clone();
    old.title = "服务器旧版本".into();
    let mut older_record = remote(&old, 1_000);
    // ... except for the notes, which another phone edited after this one.
    let mut with_notes = old.clone();
    with_notes.notes = "另一台手机的备注".into();
    older_record.notes = remote(&with_notes, 4_000_000_000_000).notes;
    let other = activity("别人的记录", 4);

    store
        .apply_pulled(&page(
            vec![older_record, remote(&other, 1_000)],
            vec![],
            "42",
        ))
        .await
        .unwrap();

    let list = store.activities().await.unwrap();
    let mut expected = local.clone();
    expected.notes = "另一台手机的备注".into();
    assert!(list.contains(&(expected, SyncState::Pending)), "{list:?}");
    assert!(list.contains(&(other, SyncState::Synced)), "{list:?}");
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("42"));
}

#[wasm_bindgen_test]
async fn a_synced_record_takes_the_servers_version_and_a_deleted_one_disappears() {
    let store = fresh_store().await;
    let a = activity("已同步", 10);
    let b = activity("将被删除", 3);
    store.save_activity(&a).await.unwrap();
    store.save_activity(&b).await.unwrap();
    store
        .acknowledge(&[accepted(1), accepted(2)])
        .await
        .unwrap();
    let mut fixed = a.clone();
    fixed.people_served = PeopleServed::try_from(12).unwrap();
    let mut tombstone = remote(&b, 1);
    tombstone.set_deleted(true, HlcClock::new(Uuid::from_u128(7)).stamp(2));

    store
        .apply_pulled(&page(vec![remote(&fixed, 1), tombstone], vec![], "7"))
        .await
        .unwrap();

    assert_eq!(
        store.activities().await.unwrap(),
        vec![(fixed, SyncState::Synced)]
    );
}

#[wasm_bindgen_test]
async fn after_seeing_the_server_a_phone_with_a_wrong_clock_stamps_after_it() {
    let store = fresh_store().await;
    // The server is a year ahead of this phone's clock.
    let year_ms = 365.0 * 24.0 * 3_600_000.0;
    let server_time = js_sys::Date::now() + year_ms;
    let server_stamp = HlcClock::new(Uuid::from_u128(1)).stamp(server_time as u64);
    store
        .observe_server(server_stamp, server_time as i64)
        .await
        .unwrap();
    let a = activity("时钟不准", 1);
    store.save_activity(&a).await.unwrap();
    let Change::PutActivity(record) = &store.outbox(1).await.unwrap()[0].change else {
        panic!("an activity's change expected")
    };
    assert!(
        record.title.stamp > server_stamp,
        "{:?} <= {server_stamp:?}",
        record.title.stamp
    );
}

#[wasm_bindgen_test]
async fn records_survive_closing_and_reopening_the_database() {
    let name = format!("test-{}", Uuid::now_v7());
    let a = activity("先锋社区义诊", 120);
    let device = {
        let store = Store::open_named(&name).await.unwrap();
        store.save_activity(&a).await.unwrap();
        store.device_id().await.unwrap()
    };
    let reopened = Store::open_named(&name).await.unwrap();
    assert_eq!(
        reopened.activities().await.unwrap(),
        vec![(a, SyncState::Pending)]
    );
    assert_eq!(reopened.device_id().await.unwrap(), device);
}

#[wasm_bindgen_test]
async fn a_livestream_record_queues_like_an_activity_and_a_pulled_edit_merges_into_it() {
    let store = fresh_store().await;
    let session = LivestreamSession {
        id: Uuid::now_v7(),
        number: 8,
        date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        platform: "快手".into(),
        host: "小同".into(),
        partners: String::new(),
        viewers: 100,
    };
    let id = session.id;
    let made = session.clone();
    store
        .save_livestream(id, move |_, stamp| {
            LivestreamRecord::Session(SessionRecord::new(&made, stamp))
        })
        .await
        .unwrap();
    let outbox = store.outbox(10).await.unwrap();
    assert!(matches!(&outbox[0].change, Change::PutLivestream(r) if r.id() == id));

    // Another organiser's later edit of the viewers arrives while ours is
    // pending: both survive, and the record stays pending.
    let mut theirs = SessionRecord::new(&session, HlcClock::new(Uuid::now_v7()).stamp(1));
    let mut edited = session.clone();
    edited.viewers = 9_999;
    let later = js_sys::Date::now() as u64 + 3_600_000;
    theirs.edit(&edited, HlcClock::new(Uuid::now_v7()).stamp(later));
    store
        .apply_pulled(&page(vec![], vec![LivestreamRecord::Session(theirs)], "9"))
        .await
        .unwrap();
    let kept = store.livestream().await.unwrap();
    let [(LivestreamRecord::Session(record), SyncState::Pending)] = kept.as_slice() else {
        panic!("one pending session expected, got {kept:?}")
    };
    assert_eq!(
        (record.viewers.value, record.host.value.as_str()),
        (9_999, "小同")
    );

    store.set_livestream_deleted(id, true).await.unwrap();
    assert!(store.livestream().await.unwrap().is_empty());
    // Two changes wait, of one record: it is counted once.
    assert_eq!(store.outbox(10).await.unwrap().len(), 2);
    assert_eq!(store.pending_count().await.unwrap(), 1);
}

#[wasm_bindgen_test]
async fn a_proposal_and_its_pulled_steps_are_kept_and_its_step_queues_like_any_record() {
    use tongxin_shared::proposal::{
        Progress, Proposal, ProposalItem, ProposalRecord, ProposalState, ProposalStep, StepKind,
        StepRecord,
    };
    let store = fresh_store().await;
    let proposal = Proposal {
        id: Uuid::now_v7(),
        title: "关于增设助老食堂的建议".into(),
        body: "建议利用社区闲置用房开设助老食堂。".into(),
        proposer: "volunteer".into(),
        group: "minge".into(),
        topic: "养老".into(),
        street: "塔子湖街道".into(),
        station_id: None,
        date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    };
    let made = proposal.clone();
    store
        .save_proposal(proposal.id, move |_, stamp| {
            ProposalItem::Proposal(ProposalRecord::new(&made, stamp))
        })
        .await
        .unwrap();
    let outbox = store.outbox(10).await.unwrap();
    assert!(matches!(&outbox[0].change, Change::PutProposal(item) if item.id() == proposal.id));

    // The server's answer, then a pulled step of an admin's: the proposal
    // is synced and the step is kept beside it, in its own store.
    store.acknowledge(&[accepted(outbox[0].seq)]).await.unwrap();
    let step = ProposalStep {
        id: Uuid::now_v7(),
        proposal_id: proposal.id,
        kind: StepKind::TakenUp,
        text: String::new(),
        responsible: "区民政局".into(),
        due: NaiveDate::from_ymd_opt(2026, 12, 20),
        satisfied: None,
        author: "admin".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
    };
    let mut pulled = page(vec![], vec![], "12");
    pulled.proposals = vec![ProposalItem::Step(StepRecord::new(
        &step,
        HlcClock::new(Uuid::now_v7()).stamp(js_sys::Date::now() as u64),
    ))];
    store.apply_pulled(&pulled).await.unwrap();
    let held = store.proposals().await.unwrap();
    assert_eq!(held.len(), 2);
    assert!(held.iter().all(|(_, state)| *state == SyncState::Synced));
    let steps: Vec<ProposalStep> = held
        .iter()
        .filter_map(|(item, _)| match item {
            ProposalItem::Step(s) => Some(s.step()),
            ProposalItem::Proposal(_) => None,
        })
        .collect();
    assert_eq!(Progress::of(&steps).state, ProposalState::TakenUp);
    // Activities and the room know nothing of them.
    assert!(store.activities().await.unwrap().is_empty());
    assert!(store.livestream().await.unwrap().is_empty());
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("12"));
}

#[wasm_bindgen_test]
async fn records_that_left_the_users_stations_are_forgotten_unless_they_hold_an_unsynced_change() {
    let store = fresh_store().await;
    let (synced, pending, refused) = (
        activity("已同步", 1),
        activity("待同步", 2),
        activity("被拒绝", 3),
    );
    for a in [&synced, &refused, &pending] {
        store.save_activity(a).await.unwrap();
    }
    store
        .acknowledge(&[accepted(1), refusal(2, "station_id", Rule::NotYourStation)])
        .await
        .unwrap();
    let mut gone = page(vec![], vec![], "9.x");
    gone.gone = vec![synced.id, pending.id, refused.id];
    store.apply_pulled(&gone).await.unwrap();
    let ids: Vec<Uuid> = store
        .activities()
        .await
        .unwrap()
        .into_iter()
        .map(|(a, _)| a.id)
        .collect();
    assert!(!ids.contains(&synced.id), "{ids:?}");
    assert!(
        ids.contains(&pending.id) && ids.contains(&refused.id),
        "{ids:?}"
    );

    // A reset (the user's stations changed) forgets every synced record,
    // then the page brings back what is still in scope.
    let other = activity("新站点的记录", 4);
    let mut reset = page(vec![remote(&other, 5)], vec![], "1.y");
    reset.reset = true;
    store.apply_pulled(&reset).await.unwrap();
    let mut ids: Vec<Uuid> = store
        .activities()
        .await
        .unwrap()
        .into_iter()
        .map(|(a, _)| a.id)
        .collect();
    ids.sort();
    let mut expected = vec![pending.id, refused.id, other.id];
    expected.sort();
    assert_eq!(ids, expected);
}

#[wasm_bindgen_test]
async fn a_refused_local_edit_is_not_overwritten_by_a_pulled_version() {
    let store = fresh_store().await;
    let mine = activity("我的修改", 7);
    store.save_activity(&mine).await.unwrap();
    store
        .acknowledge(&[refusal(1, "date", Rule::InTheFuture)])
        .await
        .unwrap();
    let mut theirs = mine.clone();
    theirs.title = "更早的版本".into();
    store
        .apply_pulled(&page(vec![remote(&theirs, 1)], vec![], "3.x"))
        .await
        .unwrap();
    let list = store.activities().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].0.title, "我的修改");
    assert!(matches!(list[0].1, SyncState::Rejected(_)), "{list:?}");
}

#[wasm_bindgen_test]
async fn a_change_refused_for_a_clock_ahead_is_queued_again_with_its_stamps_moved_back_in_order() {
    let store = fresh_store().await;
    let mut a = activity("初稿", 5);
    store.save_activity(&a).await.unwrap();
    a.title = "改正后的标题".into();
    store.save_activity(&a).await.unwrap();
    let before = store.outbox(10).await.unwrap();
    assert_eq!(before.len(), 2);
    // The server's clock says this device is a day ahead of it.
    let server_ms = js_sys::Date::now() as u64 - 24 * 3_600_000;
    let answered = store
        .acknowledge(&[
            refusal(1, "stamp", Rule::ClockAhead),
            refusal(2, "stamp", Rule::ClockAhead),
        ])
        .await
        .unwrap();
    assert_eq!(answered.clock_ahead, 2);
    let server_stamp = HlcClock::new(Uuid::nil()).stamp(server_ms);
    store
        .observe_server(server_stamp, server_ms as i64)
        .await
        .unwrap();
    store
        .move_stamps_back(&PushResponse {
            results: Vec::new(),
            server_time_ms: server_ms as i64,
            server_stamp,
            device_latest: Hlc::ZERO,
        })
        .await
        .unwrap();

    // Queued again under new numbers, in the same order, nothing refused.
    let after = store.outbox(10).await.unwrap();
    assert_eq!(after.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![3, 4]);
    assert_eq!(store.rejected_count().await.unwrap(), 0);
    let limit = server_ms + tongxin_shared::sync::MAX_STAMP_AHEAD_MS;
    assert!(
        after
            .iter()
            .all(|m| m.change.latest_stamp().wall_ms <= limit)
    );
    let Change::PutActivity(last) = &after[1].change else {
        panic!("an activity")
    };
    let Change::PutActivity(first) = &after[0].change else {
        panic!("an activity")
    };
    assert!(last.title.stamp > first.title.stamp);
    assert_eq!(last.title.value, "改正后的标题");
    // The next edit is stamped by the corrected clock, not a day ahead.
    a.notes = "之后的备注".into();
    store.save_activity(&a).await.unwrap();
    let next = store.outbox(10).await.unwrap();
    let Change::PutActivity(edited) = &next[2].change else {
        panic!("an activity")
    };
    assert!(
        edited.notes.stamp.wall_ms <= limit,
        "{:?}",
        edited.notes.stamp
    );
    assert!(edited.notes.stamp > last.title.stamp);
}

#[wasm_bindgen_test]
async fn the_list_reads_pages_newest_first_through_the_date_index_and_filters_them() {
    use tongxin_frontend::store::ActivityFilter;
    let store = fresh_store().await;
    // 120 activities over four months, the 3rd of every ten deleted, and
    // every fifth one a health clinic with "义诊" in its notes.
    let mut kept = Vec::new();
    for n in 0..120u32 {
        let mut a = activity(&format!("活动 {n}"), 1);
        a.date = NaiveDate::from_ymd_opt(2026, 8 + n % 4, 1 + n % 28).unwrap();
        if n % 5 == 0 {
            a.category = Category::HEALTH_CLINIC;
            a.notes = "送医下乡义诊".into();
        }
        store.save_activity(&a).await.unwrap();
        if n % 10 == 3 {
            store.set_deleted(a.id, true).await.unwrap();
        } else {
            kept.push(a);
        }
    }
    kept.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));

    // Page after page, the same order as every record sorted at once.
    let everything = ActivityFilter::default();
    let mut listed = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .activities_page(&everything, before.as_ref(), 50)
            .await
            .unwrap();
        assert!(page.rows.len() <= 50);
        listed.extend(page.rows.into_iter().map(|(a, state)| {
            assert_eq!(state, SyncState::Pending);
            a.id
        }));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, kept.iter().map(|a| a.id).collect::<Vec<_>>());

    // A month, a category, a word: only those, still newest first.
    let october = ActivityFilter {
        month: "2026-10".into(),
        ..ActivityFilter::default()
    };
    let page = store.activities_page(&october, None, 500).await.unwrap();
    let expected: Vec<Uuid> = kept
        .iter()
        .filter(|a| a.date.format("%Y-%m").to_string() == "2026-10")
        .map(|a| a.id)
        .collect();
    assert_eq!(
        page.rows.iter().map(|(a, _)| a.id).collect::<Vec<_>>(),
        expected
    );
    assert!(page.next.is_none());
    let clinics = ActivityFilter {
        category: "health_clinic".into(),
        text: "义诊".into(),
        ..ActivityFilter::default()
    };
    let page = store.activities_page(&clinics, None, 10).await.unwrap();
    assert_eq!(page.rows.len(), 10);
    assert!(page.next.is_some());
    assert!(
        page.rows
            .iter()
            .all(|(a, _)| a.category == Category::HEALTH_CLINIC && a.notes.contains("义诊"))
    );
    let nothing = ActivityFilter {
        text: "没有这样的记录".into(),
        ..ActivityFilter::default()
    };
    let page = store.activities_page(&nothing, None, 50).await.unwrap();
    assert!(page.rows.is_empty() && page.next.is_none());

    assert_eq!(
        store.activity_months().await.unwrap(),
        ["2026-11", "2026-10", "2026-09", "2026-08"]
    );
}

#[wasm_bindgen_test]
async fn a_page_larger_than_a_slice_is_stored_whole_and_an_edit_saved_between_slices_is_merged() {
    let store = fresh_store().await;
    // 350 records: the page is stored a slice at a time. The last of them
    // is also edited on this phone while the page is being stored.
    let pulled: Vec<Activity> = (0..350)
        .map(|n| activity(&format!("拉取 {n}"), 1))
        .collect();
    let mut edited = pulled[349].clone();
    edited.title = "本机正在修改".into();
    let page = page(
        pulled.iter().map(|a| remote(a, 1_000)).collect(),
        vec![],
        "350.x",
    );

    // The save's transaction is made while the page's first one is under
    // way, so the browser runs it between two slices.
    let (stored, saved) = futures::join!(store.apply_pulled(&page), store.save_activity(&edited));
    stored.unwrap();
    saved.unwrap();

    let list = store.activities().await.unwrap();
    assert_eq!(list.len(), 350);
    assert!(
        list.contains(&(edited, SyncState::Pending)),
        "the edit was overwritten"
    );
    assert!(list.contains(&(pulled[0].clone(), SyncState::Synced)));
    assert_eq!(store.cursor().await.unwrap().as_deref(), Some("350.x"));
}

#[wasm_bindgen_test]
async fn a_saved_record_takes_its_place_in_the_page_shown_without_a_read() {
    use tongxin_frontend::store::ActivityFilter;
    let store = fresh_store().await;
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let mut held = Vec::new();
    for d in 1..=5 {
        let mut a = activity(&format!("11月{d}日"), 1);
        a.date = day(d);
        store.save_activity(&a).await.unwrap();
        held.push(a);
    }
    let everything = ActivityFilter::default();
    // The first page shows the 5th, 4th and 3rd; older ones are not read.
    let mut page = store.activities_page(&everything, None, 3).await.unwrap();
    let titles = |page: &tongxin_frontend::store::ActivityPage| {
        page.rows
            .iter()
            .map(|(a, _)| a.title.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles(&page), ["11月5日", "11月4日", "11月3日"]);

    // A new record of the 4th goes among them by date (and id).
    let mut new = activity("新记录", 2);
    new.date = day(4);
    page.show_saved(&everything, new.clone());
    assert_eq!(titles(&page), ["11月5日", "新记录", "11月4日", "11月3日"]);
    assert_eq!(page.rows[1], (new.clone(), SyncState::Pending));

    // An edit replaces its row; an edit moving it to a day before the
    // page's end leaves the page until that page is read.
    let mut edited = held[4].clone();
    edited.title = "11月5日（改）".into();
    page.show_saved(&everything, edited);
    assert_eq!(
        titles(&page),
        ["11月5日（改）", "新记录", "11月4日", "11月3日"]
    );
    let mut moved = new.clone();
    moved.date = day(1);
    page.show_saved(&everything, moved);
    assert_eq!(titles(&page), ["11月5日（改）", "11月4日", "11月3日"]);

    // A record the filter does not show leaves the page.
    let clinics = ActivityFilter {
        category: "health_clinic".into(),
        ..ActivityFilter::default()
    };
    let mut page = store.activities_page(&everything, None, 3).await.unwrap();
    page.show_saved(&clinics, held[4].clone());
    assert_eq!(titles(&page), ["11月4日", "11月3日"]);
}

/// A photo's bytes as a Blob, and its reference for `activity`.
fn photo_of(activity: Uuid, bytes: &[u8]) -> tongxin_frontend::store::NewPhoto {
    use sha2::{Digest, Sha256};
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    tongxin_frontend::store::NewPhoto {
        photo: tongxin_shared::photo::Photo {
            id: Uuid::now_v7(),
            activity_id: activity,
            hash: Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            bytes: bytes.len() as u32,
        },
        blob: web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap(),
    }
}

#[wasm_bindgen_test]
async fn a_record_and_its_photos_are_saved_together_and_sent_once_their_references_are_taken() {
    use tongxin_shared::photo::PhotoRecord;
    let store = fresh_store().await;
    let record = activity("敬老院探访（附照片）", 12);
    let photos = [
        photo_of(record.id, b"\xFF\xD8\xFFfirst"),
        photo_of(record.id, b"\xFF\xD8\xFFsecond"),
    ];
    store
        .save_activity_with_photos(&record, &photos, &[])
        .await
        .unwrap();
    // One record waiting (the photos are counted apart), its change first
    // in the outbox and each photo's reference after it.
    assert_eq!(store.pending_count().await.unwrap(), 1);
    assert_eq!(store.waiting_photo_count().await.unwrap(), 2);
    let outbox = store.outbox(10).await.unwrap();
    assert_eq!(outbox.len(), 3);
    assert!(matches!(&outbox[0].change, Change::PutActivity(r) if r.id == record.id));
    assert!(matches!(&outbox[1].change, Change::PutPhoto(p) if p.id == photos[0].photo.id));
    let kept = store.photos_of(record.id).await.unwrap();
    assert_eq!(kept.len(), 2);
    let blob = store
        .photo_blob(&photos[1].photo.hash)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(blob.size() as usize, b"\xFF\xD8\xFFsecond".len());
    // Nothing is sent before the server took the references.
    assert!(store.unsent_photos().await.unwrap().is_empty());
    let answers: Vec<MutationResult> = outbox.iter().map(|m| accepted(m.seq)).collect();
    store.acknowledge(&answers).await.unwrap();
    assert_eq!(store.unsent_photos().await.unwrap().len(), 2);
    store.photo_sent(&photos[0].photo.hash).await.unwrap();
    let unsent = store.unsent_photos().await.unwrap();
    assert_eq!(unsent.len(), 1);
    assert_eq!(unsent[0].hash, photos[1].photo.hash);
    assert_eq!(store.waiting_photo_count().await.unwrap(), 1);

    // Removed on the form: a tombstone of its reference, queued.
    store
        .save_activity_with_photos(&record, &[], &[photos[0].photo.id])
        .await
        .unwrap();
    assert_eq!(store.photos_of(record.id).await.unwrap().len(), 1);
    let outbox = store.outbox(10).await.unwrap();
    assert!(matches!(&outbox[1].change, Change::PutPhoto(p) if p.is_deleted()));

    // A photo another phone added arrives with a pull; the activity
    // leaving the user's stations takes its synced photos with it.
    let answers: Vec<MutationResult> = outbox.iter().map(|m| accepted(m.seq)).collect();
    store.acknowledge(&answers).await.unwrap();
    let theirs = tongxin_shared::photo::Photo {
        id: Uuid::now_v7(),
        activity_id: record.id,
        hash: "e".repeat(64),
        bytes: 9,
    };
    let mut pulled = page(vec![], vec![], "7.x");
    pulled.photos = vec![PhotoRecord::new(&theirs, remote(&record, 5).latest_stamp())];
    store.apply_pulled(&pulled).await.unwrap();
    assert_eq!(store.photos_of(record.id).await.unwrap().len(), 2);
    let mut gone = page(vec![], vec![], "8.x");
    gone.gone = vec![record.id];
    store.apply_pulled(&gone).await.unwrap();
    assert!(store.photos_of(record.id).await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn an_activity_that_left_is_kept_while_a_photo_of_it_waits_and_goes_with_it_once_answered() {
    let store = fresh_store().await;
    let record = activity("离开辖区的活动", 3);
    let photo = photo_of(record.id, b"\xFF\xD8\xFFleaving");
    store
        .save_activity_with_photos(&record, std::slice::from_ref(&photo), &[])
        .await
        .unwrap();
    let outbox = store.outbox(10).await.unwrap();
    // The record is answered; its photo's answer is still to come when the
    // record leaves the user's stations.
    store.acknowledge(&[accepted(outbox[0].seq)]).await.unwrap();
    let mut gone = page(vec![], vec![], "5.x");
    gone.gone = vec![record.id];
    store.apply_pulled(&gone).await.unwrap();
    let held = |list: Vec<(Activity, SyncState)>| list.iter().any(|(a, _)| a.id == record.id);
    assert!(
        held(store.activities().await.unwrap()),
        "dropped before its photo's answer"
    );
    assert_eq!(store.photos_of(record.id).await.unwrap().len(), 1);
    // The photo's answer: both go, nothing is kept for good.
    store.acknowledge(&[accepted(outbox[1].seq)]).await.unwrap();
    assert!(!held(store.activities().await.unwrap()));
    assert!(store.photos_of(record.id).await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_photo_pulled_pages_before_its_activity_after_a_reset_outlives_the_answer_that_comes_between()
 {
    use tongxin_shared::photo::{Photo, PhotoRecord};
    let store = fresh_store().await;
    let record = activity("换站后重新拉取的活动", 5);
    let waiting = photo_of(record.id, b"\xFF\xD8\xFFwaiting");
    store
        .save_activity_with_photos(&record, std::slice::from_ref(&waiting), &[])
        .await
        .unwrap();
    let outbox = store.outbox(10).await.unwrap();
    store.acknowledge(&[accepted(outbox[0].seq)]).await.unwrap();
    // The user's stations changed, so the pull starts over. Its first page
    // holds the activity's photos (the one waiting for its answer, which
    // the server took, and one from another phone); the activity itself,
    // edited since, comes on the next page.
    let stamp = remote(&record, 5).latest_stamp();
    let theirs = Photo {
        id: Uuid::now_v7(),
        activity_id: record.id,
        hash: "e".repeat(64),
        bytes: 9,
    };
    let mut first = page(vec![], vec![], "4.y");
    first.reset = true;
    first.more = true;
    first.photos = vec![
        PhotoRecord::new(&waiting.photo, stamp),
        PhotoRecord::new(&theirs, stamp),
    ];
    store.apply_pulled(&first).await.unwrap();
    // The round is cut off; the next one pushes first, and the waiting
    // photo's answer comes before the rest of the pull.
    store.acknowledge(&[accepted(outbox[1].seq)]).await.unwrap();
    let second = page(vec![remote(&record, 6)], vec![], "9.y");
    store.apply_pulled(&second).await.unwrap();
    let held: Vec<Uuid> = store
        .photos_of(record.id)
        .await
        .unwrap()
        .iter()
        .map(|photo| photo.id)
        .collect();
    assert!(
        held.contains(&theirs.id),
        "the other phone's photo was lost"
    );
    assert!(
        held.contains(&waiting.photo.id),
        "the answered photo was lost"
    );
    assert!(
        store
            .activities()
            .await
            .unwrap()
            .iter()
            .any(|(a, _)| a.id == record.id)
    );
}
