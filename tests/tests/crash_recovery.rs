//! The server process killed in the middle of a push: after a restart the
//! device resends its outbox and every record is stored exactly once.

use std::{collections::HashSet, time::Duration};

use anyhow::Result;
use serde_json::{Value, json};
use tongxin_server::demo;
use tongxin_shared::{
    hlc::HlcClock,
    merge::ActivityRecord,
    sync::{Change, Mutation, PROTOCOL_VERSION, PushRequest},
};
use tongxin_tests::TestServer;
use uuid::Uuid;

const BATCHES: u64 = 8;
const PER_BATCH: u64 = 500;

fn outbox(device: Uuid) -> Vec<PushRequest> {
    let mut clock = HlcClock::new(device);
    let now = chrono::Utc::now().timestamp_millis() as u64;
    (0..BATCHES)
        .map(|batch| PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device,
            mutations: (1..=PER_BATCH)
                .map(|i| {
                    let activity = demo::synthetic_activity(batch * PER_BATCH + i);
                    Mutation {
                        seq: batch * PER_BATCH + i,
                        change: Change::PutActivity(ActivityRecord::new(
                            &activity,
                            clock.stamp(now),
                        )),
                    }
                })
                .collect(),
        })
        .collect()
}

async fn push(
    client: &reqwest::Client,
    server: &TestServer,
    token: &str,
    batch: &PushRequest,
) -> Result<Value> {
    Ok(client
        .post(server.url("/api/sync/push"))
        .bearer_auth(token)
        .json(batch)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_cut_off_by_a_killed_server_is_resent_and_stored_exactly_once() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("crash.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let client = reqwest::Client::new();
    // The synthetic records span every station: an admin may push them all.
    let token = server.token("admin").await?;
    let device = Uuid::now_v7();
    let batches = outbox(device);

    // Push batch after batch; once the first is answered, kill the server
    // while the next is in flight.
    let (first_answered, wait_for_first) = tokio::sync::oneshot::channel();
    let pushing = {
        let (client, batches, token) = (client.clone(), batches.clone(), token.clone());
        let url = server.url("/api/sync/push");
        tokio::spawn(async move {
            let mut first_answered = Some(first_answered);
            let mut answered = 0;
            for batch in &batches {
                let sent = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(batch)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => answered += 1,
                    _ => break,
                }
                if let Some(signal) = first_answered.take() {
                    let _ = signal.send(());
                }
            }
            answered
        })
    };
    wait_for_first.await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    server.kill();
    let answered = pushing.await?;
    eprintln!("batches answered before the kill: {answered} of {BATCHES}");
    assert!(
        (1..BATCHES).contains(&answered),
        "the kill was meant to fall between the first answer and the last"
    );

    // Back up; the device resends everything it has no answer for, which
    // here is its whole outbox (it cannot know what the server applied).
    let server = TestServer::start(&database, Some(port))?;
    for batch in &batches {
        let answer = push(&client, &server, &token, batch).await?;
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), PER_BATCH as usize);
        assert!(
            results.iter().all(|r| r["outcome"] == json!("accepted")),
            "{answer}"
        );
    }

    let mut cursor = String::new();
    let mut pulled = Vec::new();
    loop {
        let page: Value = client
            .get(server.url(&format!("/api/sync/pull?cursor={cursor}")))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        pulled.extend(
            page["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned()),
        );
        cursor = page["cursor"].as_str().unwrap().to_owned();
        if page["more"] == json!(false) {
            break;
        }
    }
    let sent: HashSet<String> = batches
        .iter()
        .flat_map(|b| b.mutations.iter())
        .map(|m| m.change.record_id().to_string())
        .collect();
    let demo_ids: HashSet<String> = demo::activities()
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    let pulled_ours: Vec<&String> = pulled.iter().filter(|id| !demo_ids.contains(*id)).collect();
    assert_eq!(pulled_ours.len(), sent.len(), "every record exactly once");
    assert_eq!(
        pulled_ours.into_iter().cloned().collect::<HashSet<_>>(),
        sent
    );
    Ok(())
}
