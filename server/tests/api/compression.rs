//! Sync traffic sent small: answers compressed for clients that accept
//! it, pushes taken compressed, and a compressed bomb refused.

use std::io::{Read, Write};

use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{error_of, push_body, record, spawn_app};

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn a_pull_comes_compressed_and_a_compressed_push_is_taken() {
    let app = spawn_app().await;
    let mutations: Vec<(u64, Value)> = (1..=200).map(|seq| (seq, record(3))).collect();
    let body = serde_json::to_vec(&push_body(Uuid::now_v7(), &mutations)).unwrap();
    let push = app
        .client
        .post(format!("{}/api/sync/push", app.address))
        .bearer_auth(&app.volunteer_token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gzip(&body))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), StatusCode::OK);
    let answer: Value = push.json().await.unwrap();
    assert!(
        answer["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "accepted"),
        "{answer}"
    );

    let pulled = app
        .client
        .get(format!("{}/api/sync/pull", app.address))
        .bearer_auth(&app.volunteer_token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(pulled.status(), StatusCode::OK);
    assert_eq!(pulled.headers()["content-encoding"], "gzip");
    let sent = pulled.bytes().await.unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(&sent[..])
        .read_to_end(&mut json)
        .unwrap();
    let page: Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(page["changes"].as_array().unwrap().len(), 200);
    // Well under a fifth of the JSON goes over the wire.
    assert!(
        sent.len() * 5 < json.len(),
        "{} of {}",
        sent.len(),
        json.len()
    );
}

#[tokio::test]
async fn a_compressed_bomb_is_refused_as_too_large() {
    let app = spawn_app().await;
    // 16 MB of spaces inside a JSON string: a few KB compressed.
    let mut bomb = b"{\"protocol\":2,\"device_id\":\"".to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 16 * 1024 * 1024));
    bomb.extend(b"\",\"mutations\":[]}");
    let compressed = gzip(&bomb);
    assert!(compressed.len() < 64 * 1024);
    let response = app
        .client
        .post(format!("{}/api/sync/push", app.address))
        .bearer_auth(&app.volunteer_token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(compressed)
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{error}");
}
