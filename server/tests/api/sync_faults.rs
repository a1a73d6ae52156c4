//! The ways a sync once lost or hid data, each driven the way it broke:
//! clocks ahead, lost answers, resends, odd sequence numbers, pulls racing
//! pushes, records leaving a volunteer's stations, text PostgreSQL cannot
//! store, and changes a role may not make. Each test failed before its fix.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::{
    PartnerRegion,
    account::Role,
    hlc::HlcClock,
    livestream::{LivestreamRecord, RegionRecord},
    merge::ActivityRecord,
    sync::{Change, Mutation, PROTOCOL_VERSION, PushRequest, PushResponse},
    wire::Wired,
};
use uuid::Uuid;

use crate::{
    device::Device,
    helpers::{activity, push_body, record, spawn_app},
};

const DAY_MS: i64 = 24 * 3_600 * 1_000;

/// The server's version of one activity, as the admin pulls it.
async fn on_server(app: &crate::helpers::TestApp, id: Uuid) -> Option<ActivityRecord> {
    app.pull_all_as(&app.admin_token)
        .await
        .into_iter()
        .map(|value| serde_json::from_value::<ActivityRecord>(value).unwrap())
        .find(|record| record.id == id)
}

fn outcome(answer: &Value, index: usize) -> (String, String) {
    let result = &answer["results"][index];
    (
        result["outcome"].as_str().unwrap().to_owned(),
        result["errors"][0]["rule"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

#[tokio::test]
async fn a_phone_a_day_ahead_keeps_its_correction_and_its_delete_and_then_stamps_sanely() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut phone = Device::new(&app.volunteer_token, DAY_MS);
    let mut made = activity(12);
    phone.save(&made);
    made.title = "改正后的标题".into();
    phone.save(&made);
    phone.set_deleted(made.id, true);

    phone.sync(&client, &app.address).await.unwrap();

    let stored = on_server(&app, made.id).await.expect("stored");
    assert_eq!(stored.title.value, "改正后的标题");
    assert!(stored.is_deleted(), "the delete came last and must win");
    // Its clock is corrected: the next change is taken at once, and an
    // honest colleague's edit made after it still wins over it.
    phone.set_deleted(made.id, false);
    let request = phone.next_push().unwrap();
    let answer: PushResponse = app
        .push(&serde_json::to_value(&request).unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(phone.take_answer(&answer), 0, "no clock_ahead any more");
    let mut colleague = Device::new(&app.volunteer_token, 0);
    colleague.sync(&client, &app.address).await.unwrap();
    made.title = "同事之后的修改".into();
    colleague.save(&made);
    colleague.sync(&client, &app.address).await.unwrap();
    let stored = on_server(&app, made.id).await.unwrap();
    assert!(!stored.is_deleted());
    assert_eq!(stored.title.value, "同事之后的修改");
}

#[tokio::test]
async fn a_fast_phones_resend_does_not_overwrite_a_colleagues_later_edit() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut fast = Device::new(&app.volunteer_token, DAY_MS);
    let mut made = activity(7);
    made.notes = "初始备注".into();
    fast.save(&made);
    // Pushed (stamps moved back on the way), but its pull never happens.
    while fast.push_once(&client, &app.address).await.unwrap() > 0 {}
    let mut colleague = Device::new(&app.volunteer_token, 0);
    colleague.sync(&client, &app.address).await.unwrap();
    let mut theirs = made.clone();
    theirs.notes = "同事补充的备注".into();
    colleague.save(&theirs);
    colleague.sync(&client, &app.address).await.unwrap();
    // The fast phone corrects only the title, offline, and sends its whole
    // record again: its old notes must not come back.
    made.title = "快手机改的标题".into();
    fast.save(&made);
    fast.sync(&client, &app.address).await.unwrap();

    let stored = on_server(&app, made.id).await.unwrap();
    assert_eq!(stored.title.value, "快手机改的标题");
    assert_eq!(stored.notes.value, "同事补充的备注");
    assert_eq!(fast.records[&made.id], stored, "the phone converged");
}

#[tokio::test]
async fn a_refusal_whose_answer_was_lost_is_refused_again_on_resend() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let mut future = activity(3);
    future.date = chrono::Utc::now().date_naive() + chrono::Days::new(30);
    let clock = HlcClock::new(device).stamp(chrono::Utc::now().timestamp_millis() as u64);
    let mut elsewhere = activity(4);
    elsewhere.station_id = "st-dazhi".into();
    let body = push_body(
        device,
        &[
            (
                1,
                serde_json::to_value(ActivityRecord::new(&future, clock)).unwrap(),
            ),
            (
                2,
                serde_json::to_value(ActivityRecord::new(&elsewhere, clock)).unwrap(),
            ),
            (3, record(5)),
        ],
    );
    let first = app.push_answer(&body).await;
    // The device never heard that answer and sends the same again.
    let again = app.push_answer(&body).await;
    assert_eq!(first["results"], again["results"]);
    assert_eq!(
        outcome(&again, 0),
        ("rejected".into(), "in_the_future".into())
    );
    assert_eq!(
        outcome(&again, 1),
        ("rejected".into(), "not_your_station".into())
    );
    assert_eq!(outcome(&again, 2), ("accepted".into(), String::new()));
    assert_eq!(app.pull_all_as(&app.admin_token).await.len(), 1);
}

#[tokio::test]
async fn mutations_out_of_order_or_with_odd_numbers_are_applied_or_refused_never_dropped() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let (one, two) = (record(1), record(2));
    // Seq 2 arrives before seq 1: both are stored.
    let answer = app
        .push_answer(&push_body(device, &[(2, two.clone())]))
        .await;
    assert_eq!(outcome(&answer, 0).0, "accepted");
    let answer = app
        .push_answer(&push_body(device, &[(1, one.clone())]))
        .await;
    assert_eq!(outcome(&answer, 0).0, "accepted");
    assert_eq!(app.pull_all_as(&app.admin_token).await.len(), 2);

    // 0 and anything past 2^63 - 1 are refused; the same number twice in
    // one push is applied once and refused once.
    let (zero, huge, twice, other) = (record(3), record(4), record(5), record(6));
    let answer = app
        .push_answer(&push_body(
            device,
            &[
                (0, zero),
                (u64::MAX, huge),
                (3, twice.clone()),
                (3, other.clone()),
            ],
        ))
        .await;
    let outcomes: Vec<(String, String)> = (0..4).map(|i| outcome(&answer, i)).collect();
    assert_eq!(
        outcomes,
        vec![
            ("rejected".into(), "invalid_seq".into()),
            ("accepted".into(), String::new()),
            ("rejected".into(), "invalid_seq".into()),
            ("rejected".into(), "invalid_seq".into()),
        ],
        "{answer}"
    );
    // The largest usable number does not stop the device's later ones.
    let (highest, later) = (record(7), record(8));
    let answer = app
        .push_answer(&push_body(device, &[(i64::MAX as u64, highest)]))
        .await;
    assert_eq!(outcome(&answer, 0).0, "accepted");
    let answer = app
        .push_answer(&push_body(device, &[(4, later.clone())]))
        .await;
    assert_eq!(outcome(&answer, 0).0, "accepted");
    let stored: HashSet<String> = app
        .pull_all_as(&app.admin_token)
        .await
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    for pushed in [&one, &two, &twice, &later] {
        assert!(stored.contains(pushed["id"].as_str().unwrap()), "{pushed}");
    }
    assert!(!stored.contains(other["id"].as_str().unwrap()));
    assert_eq!(stored.len(), 5);
}

#[tokio::test]
async fn an_admins_pull_never_skips_an_activity_pushed_while_livestream_records_are() {
    let app = spawn_app().await;
    let organiser = app.add_user("organiser-test", Role::Organiser, &[]).await;
    const PUSHES: usize = 60;
    let activities = {
        let app = (app.address.clone(), app.volunteer_token.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let device = Uuid::now_v7();
            let mut ids = Vec::new();
            for seq in 1..=PUSHES as u64 {
                let pushed = record(1);
                ids.push(pushed["id"].as_str().unwrap().to_owned());
                let response = client
                    .post(format!("{}/api/sync/push", app.0))
                    .bearer_auth(&app.1)
                    .json(&push_body(device, &[(seq, pushed)]))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
            ids
        })
    };
    let livestream = {
        let app = (app.address.clone(), organiser.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let device = Uuid::now_v7();
            for seq in 1..=PUSHES as u64 {
                let region = PartnerRegion {
                    id: Uuid::now_v7(),
                    name: format!("地区{seq}"),
                    province: "新疆".into(),
                };
                let stamp =
                    HlcClock::new(device).stamp(chrono::Utc::now().timestamp_millis() as u64);
                let request = PushRequest {
                    protocol: PROTOCOL_VERSION,
                    device_id: device,
                    mutations: vec![Mutation {
                        seq,
                        change: Change::PutLivestream(LivestreamRecord::Region(RegionRecord::new(
                            &region, stamp,
                        ))),
                    }],
                };
                let response = client
                    .post(format!("{}/api/sync/push", app.0))
                    .bearer_auth(&app.1)
                    .json(&request)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
            }
        })
    };
    // The admin pulls all the while, small pages, from where it stopped.
    let mut cursor = String::new();
    let mut seen = HashSet::new();
    while !(activities.is_finished() && livestream.is_finished()) {
        pull_pages(&app, &mut cursor, &mut seen).await;
    }
    pull_pages(&app, &mut cursor, &mut seen).await;
    livestream.await.unwrap();
    let pushed = activities.await.unwrap();
    let missed: Vec<&String> = pushed.iter().filter(|id| !seen.contains(*id)).collect();
    assert!(missed.is_empty(), "the admin's pull skipped {missed:?}");
}

/// The admin's pull from `cursor` to the end, in pages of three.
async fn pull_pages(
    app: &crate::helpers::TestApp,
    cursor: &mut String,
    seen: &mut HashSet<String>,
) {
    loop {
        let page = app
            .get_as(
                &app.admin_token,
                &format!("/api/sync/pull?cursor={cursor}&limit=3"),
            )
            .await;
        for change in page["changes"].as_array().unwrap() {
            seen.insert(change["id"].as_str().unwrap().to_owned());
        }
        *cursor = page["cursor"].as_str().unwrap().to_owned();
        if page["more"] == json!(false) {
            return;
        }
    }
}

#[tokio::test]
async fn a_record_moved_out_of_a_volunteers_stations_leaves_their_phone() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut volunteer = Device::new(&app.volunteer_token, 0);
    let mut moved = activity(5);
    moved.station_id = "st-shangrong".into();
    let stays = activity(6);
    volunteer.save(&moved);
    volunteer.save(&stays);
    volunteer.sync(&client, &app.address).await.unwrap();
    // A second phone of the same volunteer edits the record meanwhile.
    let mut editing = Device::new(&app.volunteer_token, 0);
    editing.sync(&client, &app.address).await.unwrap();

    // The admin moves it to a station the volunteer does not serve.
    let mut admin = Device::new(&app.admin_token, 0);
    admin.sync(&client, &app.address).await.unwrap();
    let mut elsewhere = moved.clone();
    elsewhere.station_id = "st-dazhi".into();
    admin.save(&elsewhere);
    admin.sync(&client, &app.address).await.unwrap();

    volunteer.sync(&client, &app.address).await.unwrap();
    assert!(!volunteer.records.contains_key(&moved.id), "it left");
    assert!(volunteer.records.contains_key(&stays.id));
    // The phone with an edit of it keeps the record, refused, with why.
    let mut edit = moved.clone();
    edit.notes = "离线时的补充".into();
    editing.save(&edit);
    editing.sync(&client, &app.address).await.unwrap();
    assert!(editing.records.contains_key(&moved.id));
    assert_eq!(
        editing.rejected[&moved.id][0].rule,
        tongxin_shared::error::Rule::NotYourStation
    );

    // The volunteer's stations change: the records of the station taken
    // away leave the phone too.
    app.set_volunteer_stations(&["st-shangrong"]).await;
    volunteer.sync(&client, &app.address).await.unwrap();
    assert!(volunteer.records.is_empty(), "{:?}", volunteer.records);
}

#[tokio::test]
async fn a_nul_or_an_invisible_character_in_text_is_refused_on_its_own_and_the_rest_of_the_push_is_stored()
 {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let mut bad = activity(3);
    bad.notes = "前\0后".into();
    let stamp = HlcClock::new(device).stamp(chrono::Utc::now().timestamp_millis() as u64);
    let good = record(4);
    let response = app
        .push(&push_body(
            device,
            &[
                (
                    1,
                    serde_json::to_value(ActivityRecord::new(&bad, stamp)).unwrap(),
                ),
                (2, good.clone()),
            ],
        ))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        outcome(&answer, 0),
        ("rejected".into(), "control_characters".into())
    );
    assert_eq!(outcome(&answer, 1).0, "accepted");
    // The same for a livestream record's name.
    let region = PartnerRegion {
        id: Uuid::now_v7(),
        name: "博乐\0市".into(),
        province: "新疆".into(),
    };
    let request = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: Uuid::now_v7(),
        mutations: vec![Mutation {
            seq: 1,
            change: Change::PutLivestream(LivestreamRecord::Region(RegionRecord::new(
                &region, stamp,
            ))),
        }],
    };
    let response = app
        .push_as(&app.admin_token, &serde_json::to_value(&request).unwrap())
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        outcome(&answer, 0),
        ("rejected".into(), "control_characters".into())
    );
    // What hides in text is refused alike: a title of zero-width spaces,
    // a bidi override, a non-character.
    let mut hidden = Vec::new();
    for (seq, title) in [
        (3, "\u{200b}\u{200b}"),
        (4, "\u{202e}gnp.exe"),
        (5, "义诊\u{ffff}"),
    ] {
        let mut bad = activity(1);
        bad.title = title.into();
        hidden.push((
            seq,
            serde_json::to_value(ActivityRecord::new(&bad, stamp)).unwrap(),
        ));
    }
    let answer: Value = app.push_answer(&push_body(device, &hidden)).await;
    for index in 0..hidden.len() {
        assert_eq!(
            outcome(&answer, index),
            ("rejected".into(), "control_characters".into()),
            "{index}"
        );
    }
    let stored = app.pull_all_as(&app.admin_token).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], good["id"]);
}

#[tokio::test]
async fn a_change_the_role_may_not_make_is_refused_alone_and_the_outbox_drains() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let region = PartnerRegion {
        id: Uuid::now_v7(),
        name: "博乐市".into(),
        province: "新疆".into(),
    };
    let stamp = HlcClock::new(device).stamp(chrono::Utc::now().timestamp_millis() as u64);
    let later = record(9);
    let body = json!({
        "protocol": PROTOCOL_VERSION,
        "device_id": device,
        "mutations": [
            { "seq": 1, "change": { "type": "put_livestream",
              "record": LivestreamRecord::Region(RegionRecord::new(&region, stamp)).to_wire() } },
            { "seq": 2, "change": { "type": "put_activity", "record": crate::helpers::to_wire(&later) } },
        ],
    });
    let response = app.push(&body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        outcome(&answer, 0),
        ("rejected".into(), "not_your_role".into())
    );
    assert_eq!(outcome(&answer, 1).0, "accepted");
    assert_eq!(app.pull_all().await.len(), 1);
}

#[tokio::test]
async fn a_phone_a_little_ahead_whose_clock_then_jumps_a_day_still_wins_over_its_own_earlier_edit()
{
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut phone = Device::new(&app.volunteer_token, 0);
    let mut made = activity(3);
    phone.save(&made);
    phone.sync(&client, &app.address).await.unwrap();
    // Four minutes ahead: inside what the server takes as it is. The
    // stamp of this edit is then held by the server alone.
    phone.skew_ms = 4 * 60 * 1_000;
    made.title = "第一次".into();
    phone.save(&made);
    while phone.push_once(&client, &app.address).await.unwrap() > 0 {}
    // Then its clock jumps a day ahead, and it corrects the title.
    phone.skew_ms = DAY_MS;
    made.title = "第二次".into();
    phone.save(&made);
    phone.sync(&client, &app.address).await.unwrap();
    assert_eq!(
        on_server(&app, made.id).await.unwrap().title.value,
        "第二次"
    );
}

#[tokio::test]
async fn a_phone_whose_first_pull_comes_after_its_stations_changed_drops_the_records_of_the_old_one()
 {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut phone = Device::new(&app.volunteer_token, 0);
    let mut there = activity(2);
    there.station_id = "st-shangrong".into();
    let here = activity(3);
    phone.save(&there);
    phone.save(&here);
    // Pushed, never pulled yet.
    while phone.push_once(&client, &app.address).await.unwrap() > 0 {}
    app.set_volunteer_stations(&["st-xianfeng"]).await;
    phone.sync(&client, &app.address).await.unwrap();
    let held: Vec<Uuid> = phone.records.keys().copied().collect();
    assert_eq!(held, vec![here.id]);
}

#[tokio::test]
async fn a_station_given_and_taken_back_between_two_pulls_takes_its_records_off_the_phone() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let mut phone = Device::new(&app.volunteer_token, 0);
    phone.sync(&client, &app.address).await.unwrap();
    app.set_volunteer_stations(&["st-xianfeng", "st-shangrong", "st-dazhi"])
        .await;
    let mut lent = activity(4);
    lent.station_id = "st-dazhi".into();
    phone.save(&lent);
    while phone.push_once(&client, &app.address).await.unwrap() > 0 {}
    // Taken back before the phone pulls again: the same stations as its
    // cursor was made for, but not the same scope any more.
    app.set_volunteer_stations(&["st-xianfeng", "st-shangrong"])
        .await;
    phone.sync(&client, &app.address).await.unwrap();
    assert!(phone.records.is_empty(), "{:?}", phone.records.keys());
}
