//! Bad input gets a clear 4xx with `{"error": …}` and changes nothing.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{error_of, push_body, record, spawn_app, to_wire};

#[tokio::test]
async fn malformed_json_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let (status, error) = error_of(app.push_raw(r#"{"protocol": 1, "device_id": "#).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.contains("Failed to parse the request body as JSON"),
        "{error}"
    );
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_missing_field_is_named_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut bad = to_wire(&record(10));
    bad.as_object_mut().unwrap().remove("station_id");
    let (status, error) = error_of(app.push(&push_body(Uuid::now_v7(), &[(1, bad)])).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.contains("missing field `station_id`"), "{error}");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn an_oversize_body_is_refused_before_it_is_read() {
    let app = spawn_app().await;
    let mut huge = record(10);
    huge["notes"]["value"] = json!("x".repeat(5 * 1024 * 1024));
    let (status, error) = error_of(app.push(&push_body(Uuid::now_v7(), &[(1, huge)])).await).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(error.contains("length limit exceeded"), "{error}");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn negative_people_served_is_refused_with_the_rule() {
    let app = spawn_app().await;
    let mut negative = to_wire(&record(10));
    negative["people_served"] = json!(-5);
    let (status, error) =
        error_of(app.push(&push_body(Uuid::now_v7(), &[(1, negative)])).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error.contains("people served must be between 0 and 100000, got -5"),
        "{error}"
    );
    assert_eq!(app.summary().await["people_served"], 0);
}

#[tokio::test]
async fn an_unknown_protocol_version_asks_for_an_update() {
    let app = spawn_app().await;
    let mut body = push_body(Uuid::now_v7(), &[(1, record(10))]);
    body["protocol"] = json!(99);
    let (status, error) = error_of(app.push(&body).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.contains("unsupported protocol version 99"), "{error}");
    assert!(error.contains("please update"), "{error}");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_request_without_a_user_is_unauthorised() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/sync/push", app.address))
        .json(&push_body(Uuid::now_v7(), &[(1, record(10))]))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(error.contains("log in"), "{error}");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_record_breaking_a_rule_is_rejected_with_reasons_and_the_rest_of_the_batch_applies() {
    let app = spawn_app().await;
    let good = record(12);
    let mut unknown_station = record(3);
    unknown_station["station_id"]["value"] = json!("st-nowhere");
    let mut blank_title = record(4);
    blank_title["title"]["value"] = json!("  ");
    let body = push_body(
        Uuid::now_v7(),
        &[(1, good.clone()), (2, unknown_station), (3, blank_title)],
    );
    let response = app.push(&body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: serde_json::Value = response.json().await.unwrap();
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["outcome"], "accepted");
    assert_eq!(results[1]["outcome"], "rejected");
    assert_eq!(results[1]["errors"][0]["field"], "station_id");
    assert_eq!(results[1]["errors"][0]["message"], "unknown station");
    assert_eq!(results[2]["outcome"], "rejected");
    assert_eq!(results[2]["errors"][0]["message"], "title is required");
    let stored = app.pull_all().await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["id"], good["id"]);
}

#[tokio::test]
async fn an_unknown_endpoint_answers_json() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/api/nope", app.address))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error, "no such endpoint");
}

#[tokio::test]
async fn an_id_that_is_not_a_uuid_is_refused_and_named() {
    let app = spawn_app().await;
    let mut bad = to_wire(&record(10));
    bad["id"] = json!("1; DROP TABLE activities");
    let (status, error) = error_of(app.push(&push_body(Uuid::now_v7(), &[(1, bad)])).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.contains("UUID"), "{error}");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_one_megabyte_title_is_rejected_by_the_rules_and_nothing_is_stored() {
    let app = spawn_app().await;
    let mut long = record(10);
    long["title"]["value"] = json!("长".repeat(350_000));
    let answer: serde_json::Value = app
        .push(&push_body(Uuid::now_v7(), &[(1, long)]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "rejected");
    assert_eq!(
        answer["results"][0]["errors"][0]["message"],
        "title must be at most 100 characters"
    );
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn more_mutations_than_a_batch_allows_are_refused_whole() {
    let app = spawn_app().await;
    let batch: Vec<(u64, serde_json::Value)> = (1..=501).map(|seq| (seq, record(1))).collect();
    let (status, error) = error_of(app.push(&push_body(Uuid::now_v7(), &batch)).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.contains("too many mutations in one push: 501 (at most 500)"),
        "{error}"
    );
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_wrong_method_is_answered_in_json_and_no_api_answer_may_be_cached() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(format!("{}/api/sync/push", app.address))
        .bearer_auth(&app.volunteer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error, "method not allowed");
    for path in ["/api/auth/me", "/api/sync/pull", "/api/reference"] {
        let response = app.get_raw(Some(&app.volunteer_token), path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
}
