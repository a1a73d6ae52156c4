//! Push and pull as a device sees them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::account::Role;
use uuid::Uuid;

use crate::helpers::{push_body, record, spawn_app, stamp};

#[tokio::test]
async fn a_pushed_activity_is_pulled_back_and_counted() {
    let app = spawn_app().await;
    let pushed = record(37);
    let response = app
        .push(&push_body(Uuid::now_v7(), &[(1, pushed.clone())]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(app.pull_all().await, vec![pushed]);
    let summary = app.summary().await;
    assert_eq!(summary["activities"], 1);
    assert_eq!(summary["people_served"], 37);
}

#[tokio::test]
async fn the_same_batch_pushed_twice_is_stored_once() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let body = push_body(device, &[(1, record(5)), (2, record(7))]);
    for _ in 0..2 {
        let answer = app.push_answer(&body).await;
        assert_eq!(answer["results"][0]["outcome"], "accepted");
        assert_eq!(answer["results"][1]["outcome"], "accepted");
    }
    assert_eq!(app.pull_all().await.len(), 2);
    assert_eq!(app.summary().await["people_served"], 12);
}

/// The same record with `field` set to `value` by `device`, `offset_ms`
/// from now.
fn edited(base: &Value, field: &str, value: Value, device: Uuid, offset_ms: i64) -> Value {
    let mut edit = base.clone();
    edit[field] = json!({ "value": value, "stamp": stamp(device, offset_ms) });
    edit
}

#[tokio::test]
async fn an_edit_is_merged_and_moves_the_record_to_the_end_of_the_stream() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let first = record(5);
    let other = record(9);
    app.push(&push_body(
        device,
        &[(1, first.clone()), (2, other.clone())],
    ))
    .await;
    let edit = edited(&first, "people_served", json!(50), device, 1_000);
    app.push(&push_body(device, &[(3, edit.clone())])).await;
    assert_eq!(app.pull_all().await, vec![other, edit]);
    assert_eq!(app.summary().await["people_served"], 59);
}

#[tokio::test]
async fn a_record_and_its_edits_in_one_push_are_stored_once_at_its_last_position() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let first = record(5);
    let other = record(9);
    let edit = edited(&first, "people_served", json!(50), device, 1_000);
    let again = edited(&edit, "title", json!("同一次推送里改了两次"), device, 2_000);
    let response = app
        .push(&push_body(
            device,
            &[
                (1, first),
                (2, edit),
                (3, other.clone()),
                (4, again.clone()),
            ],
        ))
        .await;
    let body: Value = response.json().await.unwrap();
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "accepted"),
        "{body}"
    );
    assert_eq!(app.pull_all().await, vec![other, again]);
    assert_eq!(app.summary().await["activities"], 2);
    assert_eq!(app.summary().await["people_served"], 59);
}

#[tokio::test]
async fn edits_of_different_fields_on_two_phones_both_survive_in_either_order() {
    for phone_a_first in [true, false] {
        let app = spawn_app().await;
        let (phone_a, phone_b) = (Uuid::now_v7(), Uuid::now_v7());
        let base = record(5);
        app.push(&push_body(phone_a, &[(1, base.clone())])).await;
        let a = edited(&base, "title", json!("眼科义诊"), phone_a, 1_000);
        let b = edited(&base, "people_served", json!(45), phone_b, 2_000);
        let (first, second) = if phone_a_first {
            ((phone_a, 2, a), (phone_b, 1, b))
        } else {
            ((phone_b, 1, b), (phone_a, 2, a))
        };
        app.push(&push_body(first.0, &[(first.1, first.2)])).await;
        app.push(&push_body(second.0, &[(second.1, second.2)]))
            .await;
        let stored = app.pull_all().await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0]["title"]["value"], "眼科义诊");
        assert_eq!(stored[0]["people_served"]["value"], 45);
    }
}

#[tokio::test]
async fn an_older_edit_arriving_late_does_not_overwrite_a_newer_one() {
    let app = spawn_app().await;
    let (phone_a, phone_b) = (Uuid::now_v7(), Uuid::now_v7());
    let base = record(5);
    app.push(&push_body(phone_a, &[(1, base.clone())])).await;
    let newer = edited(&base, "title", json!("晚"), phone_a, 5_000);
    let older = edited(&base, "title", json!("早"), phone_b, 1_000);
    app.push(&push_body(phone_a, &[(2, newer)])).await;
    app.push(&push_body(phone_b, &[(1, older)])).await;
    assert_eq!(app.pull_all().await[0]["title"]["value"], "晚");
}

#[tokio::test]
async fn a_change_stamped_thirty_days_ahead_is_refused_and_stores_nothing() {
    let app = spawn_app().await;
    let (ahead, honest) = (Uuid::now_v7(), Uuid::now_v7());
    let base = record(5);
    app.push(&push_body(honest, &[(1, base.clone())])).await;
    let thirty_days_ms = 30 * 24 * 3_600 * 1_000;
    let from_the_future = edited(&base, "title", json!("未来"), ahead, thirty_days_ms);
    let answer = app
        .push_answer(&push_body(ahead, &[(1, from_the_future)]))
        .await;
    assert_eq!(answer["results"][0]["outcome"], "rejected");
    assert_eq!(
        answer["results"][0]["errors"][0]["rule"]["code"],
        "clock_ahead"
    );
    let stored = app.pull_all().await;
    assert_eq!(stored[0]["title"], base["title"], "nothing of it is stored");
    // So an honest edit made a moment later wins, as it should.
    let later = edited(&base, "title", json!("现在"), honest, 2_000);
    app.push(&push_body(honest, &[(2, later)])).await;
    assert_eq!(app.pull_all().await[0]["title"]["value"], "现在");
}

#[tokio::test]
async fn a_delete_hides_the_record_from_the_figures_and_reaches_devices_as_a_tombstone() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let base = record(8);
    app.push(&push_body(device, &[(1, base.clone()), (2, record(3))]))
        .await;
    let deleted = edited(&base, "deleted", json!(true), device, 1_000);
    app.push(&push_body(device, &[(3, deleted)])).await;
    let summary = app.summary().await;
    assert_eq!(summary["activities"], 1);
    assert_eq!(summary["people_served"], 3);
    let stored = app.pull_all().await;
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[1]["id"], base["id"]);
    assert_eq!(stored[1]["deleted"]["value"], true);
}

#[tokio::test]
async fn pull_pages_through_every_change_with_its_cursor() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let batch: Vec<(u64, Value)> = (1..=5).map(|seq| (seq, record(1))).collect();
    app.push(&push_body(device, &batch)).await;
    let first = app.get("/api/sync/pull?limit=2").await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 2);
    assert_eq!(first["more"], true);
    let rest = app
        .get(&format!(
            "/api/sync/pull?cursor={}",
            first["cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(rest["changes"].as_array().unwrap().len(), 3);
    assert_eq!(rest["more"], false);
}

#[tokio::test]
async fn a_device_registered_to_one_user_cannot_push_for_another() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    app.push(&push_body(device, &[(1, record(5))])).await;
    let someone_else = app
        .add_user("someone-else", Role::Volunteer, &["st-xianfeng"])
        .await;
    let response = app
        .push_as(&someone_else, &push_body(device, &[(2, record(6))]))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.summary().await["activities"], 1);
}
