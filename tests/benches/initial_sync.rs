//! `cargo xtask bench sync`, browser side: a fresh browser opens the app
//! against a server holding 100,000 activities and pulls them all into
//! IndexedDB; beside it, in the same browser, a raw JavaScript IndexedDB
//! put of the same records in one transaction (the floor).
//!
//! Prints the figures and writes `target/bench/initial_sync.json`.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tongxin_server::{db::Db, demo};
use tongxin_shared::{Activity, hlc::HlcClock};
use tongxin_tests::{Browser, DESKTOP, TestServer, wait_until};
use uuid::Uuid;

const RECORDS: usize = 100_000;

const RAW_PUT_JS: &str = r#"
const done = arguments[arguments.length - 1];
const source = indexedDB.open("tongxin");
source.onsuccess = () => {
  const app = source.result;
  const all = app.transaction("activities").objectStore("activities").getAll();
  all.onsuccess = () => {
    const rows = all.result;
    app.close();
    const open = indexedDB.open("raw-bench", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("activities", { keyPath: "id" });
    open.onsuccess = () => {
      const raw = open.result;
      const start = performance.now();
      const tx = raw.transaction("activities", "readwrite");
      const store = tx.objectStore("activities");
      for (const row of rows) store.put(row);
      tx.oncomplete = () => { raw.close(); done({ ms: performance.now() - start, count: rows.length }); };
      tx.onerror = () => done({ error: String(tx.error) });
    };
  };
};
"#;

#[tokio::main]
async fn main() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("bench.sqlite");
    {
        let db = Db::open(&format!("sqlite://{}", database.display())).await?;
        db.insert_stations(&demo::stations()).await?;
        let activities: Vec<Activity> = (0..RECORDS as u64).map(demo::synthetic_activity).collect();
        let now = chrono::Utc::now().timestamp_millis() as u64;
        let stamp = HlcClock::new(Uuid::now_v7()).stamp(now);
        db.insert_activities(&activities, "bench", stamp).await?;
    }
    let server = TestServer::start(&database, None)?;
    let browser = Browser::open(DESKTOP).await?;
    browser.allow_long_scripts().await?;

    browser.client.goto(&server.url("/")).await?;
    // Timed from the login: the admin's device is entitled to every record
    // and starts pulling as soon as it has a session.
    let start = Instant::now();
    browser.log_in("admin").await?;
    wait_until(
        Duration::from_secs(600),
        "every record in IndexedDB",
        || async { Ok(browser.local_activity_count().await? == Some(RECORDS as u64)) },
    )
    .await?;
    let sync_seconds = start.elapsed().as_secs_f64();

    let raw: Value = browser.client.execute_async(RAW_PUT_JS, vec![]).await?;
    if raw["count"].as_u64() != Some(RECORDS as u64) {
        bail!("raw put failed: {raw}");
    }
    let raw_seconds = raw["ms"].as_f64().context("raw put time")? / 1_000.0;
    browser.close().await?;

    println!(
        "initial sync: a fresh browser pulled {RECORDS} records into IndexedDB in {sync_seconds:.1} s (from the login); raw IndexedDB put of the same records in one transaction {raw_seconds:.1} s; ratio {:.2}",
        sync_seconds / raw_seconds
    );
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    let path = out.join("initial_sync.json");
    let report = json!({
        "records": RECORDS,
        "app_initial_sync_seconds": sync_seconds,
        "raw_indexeddb_put_seconds": raw_seconds,
        "ratio": sync_seconds / raw_seconds,
    });
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    println!("written to {}", path.display());
    Ok(())
}
