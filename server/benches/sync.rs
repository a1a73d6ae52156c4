//! `cargo xtask bench sync`: the server's side of sync, measured.
//!
//! - ingest: 100,000 activities pushed over HTTP in batches of 500, beside
//!   a plain batched INSERT of the same rows into SQLite (the floor);
//! - load: 200 devices on loopback, each pushing 500 mutations in batches
//!   of 50 and pulling a page after each push: throughput, p50/p99
//!   latency, and the exact count stored.
//!
//! Prints the figures and writes them to `target/bench/sync.json`.

use std::time::{Duration, Instant};

use serde_json::json;
use tongxin_server::{
    AppState, auth,
    db::{Db, NewUser},
    demo,
    photos::PhotoStore,
};
use tongxin_shared::{
    Activity,
    account::Role,
    hlc::HlcClock,
    merge::ActivityRecord,
    sync::{Change, Mutation, PROTOCOL_VERSION, PushRequest},
};
use uuid::Uuid;

const INGEST_RECORDS: u64 = 100_000;
const INGEST_BATCH: u64 = 500;
const LOAD_DEVICES: u64 = 200;
const LOAD_PER_DEVICE: u64 = 500;
const LOAD_BATCH: u64 = 50;

/// `count` mutations from `device`, numbered from `first_seq`.
fn batch(device: Uuid, clock: &mut HlcClock, first_seq: u64, count: u64) -> PushRequest {
    let now = chrono::Utc::now().timestamp_millis() as u64;
    PushRequest {
        protocol: PROTOCOL_VERSION,
        device_id: device,
        mutations: (0..count)
            .map(|i| Mutation {
                seq: first_seq + i,
                change: Change::PutActivity(ActivityRecord::new(
                    &demo::synthetic_activity(first_seq + i),
                    clock.stamp(now),
                )),
            })
            .collect(),
    }
}

struct Server {
    url: String,
    db: Db,
    /// An admin's session: the benchmark measures sync, not station scoping.
    token: String,
    _data: tempfile::TempDir,
}

async fn start_server() -> Server {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("bench.sqlite").display());
    let db = Db::open(&url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let url = tongxin_server::spawn_on_loopback(AppState::new(db.clone(), PhotoStore::in_memory()))
        .await
        .unwrap();
    db.create_user(&NewUser {
        username: "bench".into(),
        display_name: "bench".into(),
        role: Role::Admin,
        password_hash: auth::hash_password("bench-password").unwrap(),
        stations: Vec::new(),
    })
    .await
    .unwrap();
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{url}/api/auth/login"))
        .json(&serde_json::json!({ "username": "bench", "password": "bench-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Server {
        url,
        db,
        token: login["token"].as_str().unwrap().to_owned(),
        _data: data,
    }
}

async fn push(client: &reqwest::Client, server: &Server, request: &PushRequest) {
    let response = client
        .post(format!("{}/api/sync/push", server.url))
        .bearer_auth(&server.token)
        .json(request)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let answer: serde_json::Value = response.json().await.unwrap();
    let results = answer["results"].as_array().unwrap();
    if let Some((i, rejected)) = results
        .iter()
        .enumerate()
        .find(|(_, r)| r["outcome"] != "accepted")
    {
        panic!(
            "a mutation was rejected: {rejected} for {:?}",
            request.mutations[i]
        );
    }
}

/// The floor: the same rows inserted into SQLite directly, 500 per
/// transaction, with one prepared statement.
async fn raw_sqlite_insert(rows: &[Activity]) -> Duration {
    use sqlx::sqlite::SqliteConnectOptions;
    let data = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(data.path().join("raw.sqlite"))
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query(
        "CREATE TABLE activities (id TEXT PRIMARY KEY, category TEXT NOT NULL, title TEXT NOT NULL,
         station_id TEXT NOT NULL, date TEXT NOT NULL, volunteers INTEGER NOT NULL,
         people_served INTEGER NOT NULL, notes TEXT NOT NULL)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let start = Instant::now();
    for chunk in rows.chunks(INGEST_BATCH as usize) {
        let mut tx = pool.begin().await.unwrap();
        for a in chunk {
            sqlx::query("INSERT INTO activities VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(a.id.to_string())
                .bind(a.category.code())
                .bind(&a.title)
                .bind(&a.station_id)
                .bind(a.date)
                .bind(i64::from(a.volunteers))
                .bind(i64::from(a.people_served.get()))
                .bind(&a.notes)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }
    start.elapsed()
}

async fn ingest() -> serde_json::Value {
    let server = start_server().await;
    let client = reqwest::Client::new();
    let device = Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let batches: Vec<PushRequest> = (0..INGEST_RECORDS / INGEST_BATCH)
        .map(|b| batch(device, &mut clock, b * INGEST_BATCH + 1, INGEST_BATCH))
        .collect();
    let start = Instant::now();
    for request in &batches {
        push(&client, &server, request).await;
    }
    let sync_time = start.elapsed();
    let stored = server.db.activity_count().await.unwrap();
    assert_eq!(stored as u64, INGEST_RECORDS);

    let rows: Vec<Activity> = batches
        .iter()
        .flat_map(|b| b.mutations.iter())
        .filter_map(|m| match &m.change {
            Change::PutActivity(record) => Some(record.activity()),
            _ => None,
        })
        .collect();
    let raw_time = raw_sqlite_insert(&rows).await;
    let rate = |d: Duration| INGEST_RECORDS as f64 / d.as_secs_f64();
    println!(
        "ingest: {INGEST_RECORDS} activities in batches of {INGEST_BATCH}: push over HTTP {:.2} s ({:.0} records/s); raw SQLite insert {:.2} s ({:.0} records/s); ratio {:.2}",
        sync_time.as_secs_f64(),
        rate(sync_time),
        raw_time.as_secs_f64(),
        rate(raw_time),
        sync_time.as_secs_f64() / raw_time.as_secs_f64()
    );
    json!({
        "records": INGEST_RECORDS,
        "batch": INGEST_BATCH,
        "push_seconds": sync_time.as_secs_f64(),
        "push_records_per_second": rate(sync_time),
        "raw_sqlite_seconds": raw_time.as_secs_f64(),
        "raw_sqlite_records_per_second": rate(raw_time),
        "ratio_push_to_raw": sync_time.as_secs_f64() / raw_time.as_secs_f64(),
        "stored": stored,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1_000.0
}

async fn load() -> serde_json::Value {
    let server = std::sync::Arc::new(start_server().await);
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut devices = Vec::new();
    for _ in 0..LOAD_DEVICES {
        let (server, client) = (server.clone(), client.clone());
        devices.push(tokio::spawn(async move {
            let device = Uuid::now_v7();
            let mut clock = HlcClock::new(device);
            let mut latencies = Vec::new();
            let mut cursor = String::new();
            for b in 0..LOAD_PER_DEVICE / LOAD_BATCH {
                let request = batch(device, &mut clock, b * LOAD_BATCH + 1, LOAD_BATCH);
                let t = Instant::now();
                push(&client, &server, &request).await;
                latencies.push(t.elapsed());
                let t = Instant::now();
                let page: serde_json::Value = client
                    .get(format!(
                        "{}/api/sync/pull?cursor={cursor}&limit=100",
                        server.url
                    ))
                    .bearer_auth(&server.token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                latencies.push(t.elapsed());
                cursor = page["cursor"].as_str().unwrap().to_owned();
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for device in devices {
        latencies.extend(device.await.unwrap());
    }
    let elapsed = start.elapsed();
    latencies.sort();
    let sent = LOAD_DEVICES * LOAD_PER_DEVICE;
    let stored = server.db.activity_count().await.unwrap() as u64;
    let throughput = sent as f64 / elapsed.as_secs_f64();
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    println!(
        "load: {LOAD_DEVICES} devices x {LOAD_PER_DEVICE} mutations (batches of {LOAD_BATCH}, a pull after each push): {:.2} s, {throughput:.0} mutations/s, {} requests, p50 {p50:.1} ms, p99 {p99:.1} ms, stored {stored} of {sent}",
        elapsed.as_secs_f64(),
        latencies.len()
    );
    assert_eq!(stored, sent, "the store must hold exactly what was sent");
    json!({
        "devices": LOAD_DEVICES,
        "mutations_per_device": LOAD_PER_DEVICE,
        "batch": LOAD_BATCH,
        "seconds": elapsed.as_secs_f64(),
        "mutations_per_second": throughput,
        "requests": latencies.len(),
        "latency_ms_p50": p50,
        "latency_ms_p99": p99,
        "sent": sent,
        "stored": stored,
    })
}

#[tokio::main]
async fn main() {
    let ingest = ingest().await;
    let load = load().await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("sync.json");
    let report = json!({ "ingest": ingest, "load": load });
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("written to {}", path.display());
}
