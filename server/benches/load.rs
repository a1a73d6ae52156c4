//! `cargo xtask bench load`: what one client's load costs everyone else,
//! and the largest export, on embedded SQLite (release build).
//!
//! - Another user's login and push, p50 and p99 of 60 each: first on the
//!   idle server (the baseline, same run), then while ten admins download
//!   CSV exports at 4 KB/s and one volunteer keeps 20 pulls of 5,000
//!   changes running at once (issue goal: p99 ≤ 250 ms under load).
//! - Login of a name that exists beside one that does not, p50 of 60 each:
//!   the time must not tell them apart.
//! - The XLSX export of 1,000,000 activities over HTTP: time, file size
//!   and the process's peak resident memory, beside rust_xlsxwriter
//!   writing the same cells straight from memory (same run).
//!
//! Prints the figures and writes them to `target/bench/load.json`.

mod common;

use std::time::{Duration, Instant};

use common::{peak_rss, reset_peak_rss};

use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use tongxin_server::{
    AppState, auth,
    db::{Db, NewUser},
    demo,
    photos::PhotoStore,
};
use tongxin_shared::{
    Activity, account::Role, hlc::HlcClock, merge::ActivityRecord, sync::PROTOCOL_VERSION,
};
use uuid::Uuid;

const ACTIVITIES: u64 = 1_000_000;
const RUNS: usize = 60;
const PASSWORD: &str = "bench-password-1";

fn ms(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn p50_p99(mut times: Vec<Duration>) -> Value {
    times.sort();
    json!({ "p50_ms": ms(&times, 0.5), "p99_ms": ms(&times, 0.99), "runs": times.len() })
}

async fn add_user(db: &Db, username: &str, role: Role, stations: &[&str]) {
    db.create_user(&NewUser {
        username: username.into(),
        display_name: username.into(),
        role,
        password_hash: auth::hash_password(PASSWORD).unwrap(),
        stations: stations.iter().map(|s| (*s).to_owned()).collect(),
    })
    .await
    .unwrap();
}

async fn login(client: &reqwest::Client, base: &str, username: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap()
}

async fn token(client: &reqwest::Client, base: &str, username: &str) -> String {
    let body: Value = login(client, base, username).await.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A client whose connections come from `ip` (a loopback address of its
/// own): another person, as the server's per-address limits see it.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// The other user's login and push latencies, `RUNS` of each. Every login
/// comes from its own loopback address, as other people's would, so the
/// per-address login limit does not count them together.
async fn other_user(base: &str, other_token: &str) -> (Value, Value) {
    let mut logins = Vec::new();
    for n in 0..RUNS {
        let client = client_from(&format!("127.0.1.{}", n + 1));
        client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap();
        let start = Instant::now();
        let response = login(&client, base, "other").await;
        logins.push(start.elapsed());
        assert!(response.status().is_success(), "{}", response.status());
    }
    let client = reqwest::Client::new();
    let device = Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let mut pushes = Vec::new();
    for n in 0..RUNS {
        let mut activity = demo::synthetic_activity(n as u64);
        activity.id = Uuid::now_v7();
        activity.station_id = "st-dazhi".into();
        activity.date = chrono::Utc::now().date_naive();
        let stamp = clock.stamp(chrono::Utc::now().timestamp_millis() as u64);
        let body = json!({
            "protocol": PROTOCOL_VERSION,
            "device_id": device,
            "mutations": [{ "seq": n + 1, "change": { "type": "put_activity",
                "record": ActivityRecord::new(&activity, stamp) } }],
        });
        let start = Instant::now();
        let response = client
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(other_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        pushes.push(start.elapsed());
        assert!(response.status().is_success(), "{}", response.status());
    }
    (p50_p99(logins), p50_p99(pushes))
}

async fn xlsx_export(base: &str, admin: &str) -> Value {
    let before = peak_rss();
    reset_peak_rss();
    let start = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!("{base}/api/admin/export/activities.xlsx"))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let mut bytes = 0usize;
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak = peak_rss();

    // The baseline: the same cells written by rust_xlsxwriter from memory.
    let rows: Vec<Activity> = (0..ACTIVITIES).map(demo::synthetic_activity).collect();
    let start = Instant::now();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
    for (line, a) in rows.iter().enumerate() {
        let line = line as u32 + 1;
        sheet.write_string(line, 0, a.date.to_string()).unwrap();
        sheet.write_string(line, 1, "09:30").unwrap();
        sheet.write_string(line, 2, &a.title).unwrap();
        sheet.write_string(line, 3, a.category.code()).unwrap();
        sheet.write_string(line, 4, &a.station_id).unwrap();
        sheet.write_string(line, 5, "塔子湖街道").unwrap();
        sheet.write_string(line, 6, "先锋社区").unwrap();
        sheet.write_string(line, 7, &a.organising_group).unwrap();
        sheet
            .write_number(line, 8, f64::from(a.volunteers))
            .unwrap();
        sheet
            .write_number(line, 9, f64::from(a.people_served.get()))
            .unwrap();
        sheet.write_string(line, 10, &a.notes).unwrap();
        sheet.write_string(line, 11, a.id.to_string()).unwrap();
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    workbook.save(file.path()).unwrap();
    let baseline = start.elapsed().as_secs_f64();
    println!(
        "XLSX export of {ACTIVITIES} activities over HTTP: {seconds:.1} s, {:.1} MB; peak resident memory {:.0} MB (before {:.0} MB); rust_xlsxwriter alone from memory: {baseline:.1} s (ratio {:.2})",
        bytes as f64 / 1e6,
        peak as f64 / 1e6,
        before as f64 / 1e6,
        seconds / baseline
    );
    json!({
        "rows": ACTIVITIES,
        "seconds": seconds,
        "bytes": bytes,
        "peak_rss_bytes_during_export": peak,
        "peak_rss_bytes_before": before,
        "baseline_rust_xlsxwriter_from_memory_seconds": baseline,
        "ratio": seconds / baseline,
    })
}

#[tokio::main]
async fn main() {
    let folder = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", folder.path().join("load.sqlite").display());
    let db = Db::open(&url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let stamp = HlcClock::new(Uuid::now_v7()).stamp(chrono::Utc::now().timestamp_millis() as u64);
    let start = Instant::now();
    for chunk in (0..ACTIVITIES).collect::<Vec<_>>().chunks(20_000) {
        let rows: Vec<Activity> = chunk.iter().map(|n| demo::synthetic_activity(*n)).collect();
        db.insert_activities(&rows, "bench", stamp).await.unwrap();
    }
    println!(
        "loaded {ACTIVITIES} activities in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let stations: Vec<String> = demo::stations().into_iter().map(|s| s.id).collect();
    let all: Vec<&str> = stations.iter().map(String::as_str).collect();
    add_user(&db, "admin", Role::Admin, &[]).await;
    add_user(&db, "puller", Role::Volunteer, &all).await;
    add_user(&db, "other", Role::Volunteer, &["st-dazhi"]).await;
    let base =
        tongxin_server::spawn_on_loopback(AppState::new(db.clone(), PhotoStore::in_memory()))
            .await
            .unwrap();
    let client = reqwest::Client::new();
    let admin = token(&client, &base, "admin").await;
    let puller = token(&client, &base, "puller").await;
    let other = token(&client, &base, "other").await;

    // The export first, while the process is small, so its peak is its own.
    let export = xlsx_export(&base, &admin).await;

    // Known and unknown names, alike in time? (Each from its own address.)
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for n in 0..RUNS {
        let client = client_from(&format!("127.0.2.{}", n + 1));
        // The connection is opened first, so neither name pays for it;
        // the order alternates.
        client
            .get(format!("{base}/api/health"))
            .send()
            .await
            .unwrap();
        let mut pair = [("other", &mut known), ("nobody-here", &mut unknown)];
        if n % 2 == 1 {
            pair.reverse();
        }
        for (name, times) in pair {
            let start = Instant::now();
            let response = client
                .post(format!("{base}/api/auth/login"))
                .json(&json!({ "username": name, "password": "wrong-password" }))
                .send()
                .await
                .unwrap();
            times.push(start.elapsed());
            assert_eq!(response.status(), reqwest::StatusCode::UNAUTHORIZED);
        }
    }
    let (known, unknown) = (p50_p99(known), p50_p99(unknown));
    println!(
        "wrong password, name exists: p50 {:.1} ms; name does not exist: p50 {:.1} ms",
        known["p50_ms"].as_f64().unwrap(),
        unknown["p50_ms"].as_f64().unwrap()
    );

    let (idle_login, idle_push) = other_user(&base, &other).await;

    // The load: ten slow CSV readers and twenty pulls at once, kept up.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..10 {
        let (base, admin, stop) = (base.clone(), admin.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Ok(mut response) = client
                    .get(format!(
                        "{base}/api/admin/export/activities.csv?from=2026-01-01&to=2026-03-31"
                    ))
                    .bearer_auth(&admin)
                    .send()
                    .await
                else {
                    continue;
                };
                // 4 KB a second.
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match response.chunk().await {
                        Ok(Some(_)) => tokio::time::sleep(Duration::from_millis(1000)).await,
                        _ => break,
                    }
                }
            }
        }));
    }
    for _ in 0..20 {
        let (base, puller, stop) = (base.clone(), puller.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(response) = client
                    .get(format!("{base}/api/sync/pull?limit=5000"))
                    .bearer_auth(&puller)
                    .send()
                    .await
                {
                    let _ = response.bytes().await;
                }
            }
        }));
    }
    // Let the exports start writing and the pulls queue up.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (loaded_login, loaded_push) = other_user(&base, &other).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        task.abort();
    }
    let figure = |v: &Value, key: &str| v[key].as_f64().unwrap();
    println!(
        "other user's login: idle p50 {:.0} / p99 {:.0} ms; under load p50 {:.0} / p99 {:.0} ms",
        figure(&idle_login, "p50_ms"),
        figure(&idle_login, "p99_ms"),
        figure(&loaded_login, "p50_ms"),
        figure(&loaded_login, "p99_ms")
    );
    println!(
        "other user's push: idle p50 {:.0} / p99 {:.0} ms; under load p50 {:.0} / p99 {:.0} ms",
        figure(&idle_push, "p50_ms"),
        figure(&idle_push, "p99_ms"),
        figure(&loaded_push, "p50_ms"),
        figure(&loaded_push, "p99_ms")
    );
    let report = json!({
        "activities": ACTIVITIES,
        "load": "10 CSV exports read at 4 KB/s + 20 concurrent pulls of 5,000 changes by one volunteer",
        "login_idle": idle_login,
        "login_under_load": loaded_login,
        "push_idle": idle_push,
        "push_under_load": loaded_push,
        "wrong_password_known_name": known,
        "wrong_password_unknown_name": unknown,
        "xlsx_export": export,
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("load.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("written to {}", path.display());
}
