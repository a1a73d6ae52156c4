//! Many devices pushing while others pull: no pulled stream misses a change
//! or sees one twice.

use std::collections::HashSet;

use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, push_body, record, spawn_app};

const PUSHERS: usize = 8;
const BATCHES: u64 = 10;
const PER_BATCH: u64 = 20;

/// Pulls from `cursor` until the server has nothing more, collecting ids.
async fn pull_from(app: &TestApp, cursor: &mut String, seen: &mut Vec<String>) {
    loop {
        let page = app
            .get(&format!("/api/sync/pull?cursor={cursor}&limit=37"))
            .await;
        for change in page["changes"].as_array().unwrap() {
            seen.push(change["id"].as_str().unwrap().to_owned());
        }
        *cursor = page["cursor"].as_str().unwrap().to_owned();
        if !page["more"].as_bool().unwrap() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_pushers_and_pullers_never_miss_a_change() {
    let app = std::sync::Arc::new(spawn_app().await);
    let mut pushers = Vec::new();
    for _ in 0..PUSHERS {
        let app = app.clone();
        pushers.push(tokio::spawn(async move {
            let device = Uuid::now_v7();
            let mut ids = Vec::new();
            for batch in 0..BATCHES {
                let mutations: Vec<(u64, Value)> = (0..PER_BATCH)
                    .map(|i| (batch * PER_BATCH + i + 1, record(1)))
                    .collect();
                ids.extend(
                    mutations
                        .iter()
                        .map(|(_, r)| r["id"].as_str().unwrap().to_owned()),
                );
                let response = app.push(&push_body(device, &mutations)).await;
                assert!(response.status().is_success());
            }
            ids
        }));
    }
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut pullers = Vec::new();
    for _ in 0..3 {
        let (app, done) = (app.clone(), done.clone());
        pullers.push(tokio::spawn(async move {
            let (mut cursor, mut seen) = (String::new(), Vec::new());
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                pull_from(&app, &mut cursor, &mut seen).await;
            }
            // One last pull after every push has been answered.
            pull_from(&app, &mut cursor, &mut seen).await;
            seen
        }));
    }
    let mut sent = HashSet::new();
    for pusher in pushers {
        sent.extend(pusher.await.unwrap());
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(sent.len(), PUSHERS * (BATCHES * PER_BATCH) as usize);
    for puller in pullers {
        let seen = puller.await.unwrap();
        let unique: HashSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "a change was pulled twice");
        assert_eq!(unique, sent, "a pulled stream is not complete");
    }
    assert_eq!(app.summary().await["activities"], sent.len());
}
