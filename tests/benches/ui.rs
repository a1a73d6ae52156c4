//! `cargo xtask bench ui`, browser side: how soon the app is usable in
//! headless Chromium, and how fast "my records" renders from IndexedDB.
//!
//! - first visit (nothing cached): navigation to a usable login form;
//! - later visits (service worker): navigation to a usable activity form,
//!   and to the record list rendered, with 1,000 and with 10,000 records on
//!   the device;
//! - beside each, the same browser loading a plain HTML page with a form
//!   from the same server (the floor: no app at all).
//!
//! Times are read in the page (`performance.now()`, ms since navigation
//! started) when the element is there. Medians of `RUNS` warm visits.
//! Prints the figures and writes `target/bench/ui_timing.json`.

use std::{path::Path, time::Duration};

use anyhow::Result;
use serde_json::{Value, json};
use tongxin_server::{db::Db, demo};
use tongxin_shared::{Activity, hlc::HlcClock};
use tongxin_tests::{Browser, PHONE, TestServer, built_app, copy_dir, wait_until};
use uuid::Uuid;

const COUNTS: [u64; 2] = [1_000, 10_000];
const RUNS: usize = 5;
/// "My records" shows at most this many rows (`RECORDS_SHOWN` in the app).
const ROWS_SHOWN: u64 = 200;

/// Resolves with `performance.now()` once `arguments[0]` matches at least
/// `arguments[1]` elements.
const READY_AT_JS: &str = "
    const [css, atLeast] = [arguments[0], arguments[1]];
    const done = arguments[arguments.length - 1];
    const ready = () => document.querySelectorAll(css).length >= atLeast;
    if (ready()) { done(performance.now()); return; }
    const observer = new MutationObserver(() => {
        if (ready()) { observer.disconnect(); done(performance.now()); }
    });
    observer.observe(document, { subtree: true, childList: true });";

const PLAIN_PAGE: &str = r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>plain</title></head><body><form><label>活动名称 <input name="title"></label>
<button type="submit">保存</button></form></body></html>"#;

async fn visit(browser: &Browser, url: &str, css: &str, at_least: u64) -> Result<f64> {
    browser.client.goto(url).await?;
    let at = browser
        .client
        .execute_async(READY_AT_JS, vec![json!(css), json!(at_least)])
        .await?;
    Ok(at.as_f64().unwrap_or(f64::NAN))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn run(records: u64) -> Result<Value> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("ui.sqlite");
    {
        let db = Db::open(&format!("sqlite://{}", database.display())).await?;
        db.insert_stations(&demo::stations()).await?;
        // All at a station of the demo volunteer, so the phone holds them.
        let activities: Vec<Activity> = (0..records)
            .map(|n| Activity {
                station_id: "st-xianfeng".into(),
                ..demo::synthetic_activity(n)
            })
            .collect();
        let stamp =
            HlcClock::new(Uuid::now_v7()).stamp(chrono::Utc::now().timestamp_millis() as u64);
        db.insert_activities(&activities, "bench", stamp).await?;
    }
    let dist = data.path().join("dist");
    copy_dir(&built_app(), &dist)?;
    std::fs::write(dist.join("plain.html"), PLAIN_PAGE)?;
    let server = TestServer::start_serving(&database, None, &dist)?;
    let phone = Browser::open(PHONE).await?;

    let plain_cold = visit(&phone, &server.url("/plain.html"), "form button", 1).await?;
    let app_cold = visit(
        &phone,
        &server.url("/"),
        "#login-form button[type=submit]",
        1,
    )
    .await?;

    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    wait_until(
        Duration::from_secs(300),
        "every record on the phone",
        || async { Ok(phone.local_activity_count().await? == Some(records)) },
    )
    .await?;

    let (mut plain, mut form, mut list) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        plain.push(visit(&phone, &server.url("/plain.html"), "form button", 1).await?);
        form.push(
            visit(
                &phone,
                &server.url("/"),
                "#activity-form button[type=submit]",
                1,
            )
            .await?,
        );
        list.push(
            visit(
                &phone,
                &server.url("/"),
                "#my-records li",
                records.min(ROWS_SHOWN),
            )
            .await?,
        );
    }
    phone.close().await?;
    let (plain, form, list) = (median(plain), median(form), median(list));
    println!(
        "{records} records on the phone: first visit, login form usable at {app_cold:.0} ms (plain page {plain_cold:.0} ms); \
         later visits: activity form usable at {form:.0} ms, record list rendered at {list:.0} ms (plain page {plain:.0} ms)"
    );
    Ok(json!({
        "records": records,
        "first_visit_ms": { "app_login_form": app_cold, "plain_page": plain_cold },
        "later_visit_median_ms": {
            "app_activity_form": form,
            "app_record_list": list,
            "plain_page": plain,
            "runs": RUNS,
        },
    }))
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut results = Vec::new();
    for records in COUNTS {
        results.push(run(records).await?);
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    let path = out.join("ui_timing.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&json!({ "runs": results }))?,
    )?;
    println!("written to {}", path.display());
    Ok(())
}
