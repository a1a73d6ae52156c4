//! Push and pull as a device sees them.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{activity, push_body, spawn_app};

#[tokio::test]
async fn a_pushed_activity_is_pulled_back_and_counted() {
    let app = spawn_app().await;
    let record = activity(37);
    let response = app
        .push(&push_body(Uuid::now_v7(), &[(1, record.clone())]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored = app.pull_all().await;
    assert_eq!(stored, vec![record]);
    let summary = app.summary().await;
    assert_eq!(summary["activities"], 1);
    assert_eq!(summary["people_served"], 37);
}

#[tokio::test]
async fn the_same_batch_pushed_twice_is_stored_once() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let body = push_body(device, &[(1, activity(5)), (2, activity(7))]);
    for _ in 0..2 {
        let answer: serde_json::Value = app.push(&body).await.json().await.unwrap();
        assert_eq!(answer["results"][0]["outcome"], "accepted");
        assert_eq!(answer["results"][1]["outcome"], "accepted");
    }
    assert_eq!(app.pull_all().await.len(), 2);
    assert_eq!(app.summary().await["people_served"], 12);
}

#[tokio::test]
async fn an_edit_replaces_the_record_and_moves_it_to_the_end_of_the_stream() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let first = activity(5);
    let other = activity(9);
    app.push(&push_body(
        device,
        &[(1, first.clone()), (2, other.clone())],
    ))
    .await;
    let mut edited = first.clone();
    edited["people_served"] = json!(50);
    app.push(&push_body(device, &[(3, edited.clone())])).await;
    assert_eq!(app.pull_all().await, vec![other, edited]);
    assert_eq!(app.summary().await["people_served"], 59);
}

#[tokio::test]
async fn pull_pages_through_every_change_with_its_cursor() {
    let app = spawn_app().await;
    let device = Uuid::now_v7();
    let batch: Vec<(u64, serde_json::Value)> = (1..=5).map(|seq| (seq, activity(1))).collect();
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
    app.push(&push_body(device, &[(1, activity(5))])).await;
    let response = app
        .client
        .post(format!("{}/api/sync/push", app.address))
        .header("x-tongxin-user", "someone-else")
        .json(&push_body(device, &[(2, activity(6))]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.summary().await["activities"], 1);
}
