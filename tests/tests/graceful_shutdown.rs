//! Stopping the server (SIGTERM) finishes the pushes in flight: the device
//! gets its answer, and everything it was told is stored is there after a
//! restart.

use std::time::Duration;

use anyhow::Result;
use futures::StreamExt;
use serde_json::Value;
use tongxin_server::demo;
use tongxin_shared::{
    hlc::HlcClock,
    merge::ActivityRecord,
    sync::{Change, Mutation, PROTOCOL_VERSION, PushRequest},
};
use tongxin_tests::TestServer;
use uuid::Uuid;

const RECORDS: u64 = 200;

#[tokio::test(flavor = "multi_thread")]
async fn a_push_in_flight_when_the_server_is_stopped_is_finished_and_kept() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("shutdown.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let token = server.token("admin").await?;

    let device = Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let push = PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device,
        mutations: (1..=RECORDS)
            .map(|seq| Mutation {
                seq,
                change: Change::PutActivity(ActivityRecord::new(
                    &demo::synthetic_activity(seq),
                    clock.stamp(now),
                )),
            })
            .collect(),
    };
    // The body arrives in two halves, half a second apart: the server is
    // told to stop while it is still reading the push.
    let body = serde_json::to_vec(&push)?;
    let (first, rest) = body.split_at(body.len() / 2);
    let (first, rest) = (first.to_vec(), rest.to_vec());
    let slow_body = futures::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(
        futures::stream::once(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            Ok(rest)
        }),
    );
    let sending = tokio::spawn(
        reqwest::Client::new()
            .post(server.url("/api/sync/push"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(slow_body))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let exit = tokio::task::spawn_blocking(move || server.terminate().map(|s| (s, server)));

    let response = sending.await??;
    assert!(response.status().is_success(), "{}", response.status());
    let answer: Value = response.json().await?;
    let accepted = answer["results"].as_array().map_or(0, |r| {
        r.iter().filter(|r| r["outcome"] == "accepted").count()
    });
    assert_eq!(accepted as u64, RECORDS, "{answer}");
    let (status, _stopped) = exit.await??;
    assert!(status.success(), "the server exits cleanly: {status}");

    let server = TestServer::start(&database, Some(port))?;
    let token = server.token("admin").await?;
    let summary: Value = reqwest::Client::new()
        .get(server.url("/api/admin/summary"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let demo_count = demo::activities().len() as u64;
    assert_eq!(summary["activities"], RECORDS + demo_count);
    Ok(())
}
