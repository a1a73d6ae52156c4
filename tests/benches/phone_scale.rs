//! `cargo xtask bench ui`, at scale: the phone with 1,000, 10,000 and
//! 100,000 records of its user in IndexedDB.
//!
//! - the app drawn after the login, its long tasks (until the form is
//!   there, and 100 ms more);
//! - the initial sync into a fresh browser: its length, the main thread's
//!   long tasks meanwhile (the browser's own `longtask` entries: every task
//!   of 50 ms or more), and the renderer's peak memory (the summed
//!   proportional set size of Chromium's renderer processes, read from
//!   `/proc` every 250 ms);
//! - "my records": a reload until its first page of rows is drawn, beside
//!   the activity form drawn in the same visit, and beside a raw
//!   JavaScript read of the same first page from the same IndexedDB index
//!   in the same page (the floor); then a category filter and a search for
//!   one title, tap to rows drawn;
//! - `SAVES` saves through the form, tap on 保存 until the new row is in
//!   the list, p50 and p95, while another device adds records on the
//!   server all along, so the phone's sync rounds (one starts after each
//!   save) pull real pages during the taps; and the long tasks meanwhile.
//!
//! Prints the figures and writes `target/bench/phone_scale.json`.
//! `TONGXIN_BENCH_RECORDS=<n>` runs one of the three counts alone.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tongxin_server::{db::Db, demo};
use tongxin_shared::{Activity, hlc::HlcClock};
use tongxin_tests::{Browser, PHONE, TestServer, database_of_activities, wait_until};
use uuid::Uuid;

const COUNTS: [u64; 3] = [1_000, 10_000, 100_000];
/// Reloads of "my records" per count; the median is reported.
const RUNS: usize = 5;
/// Saves through the form per count.
const SAVES: usize = 50;
/// "My records" shows its first page of this many rows (`PAGE` in the app).
const ROWS_SHOWN: u64 = 50;
/// Rows the list draws in its first task (`ROWS_PER_TASK` in the app):
/// more than a 740 px screen shows.
const SCREENFUL: u64 = 20;
/// Records the other device adds on the server each second during the saves.
const ADDED_PER_SECOND: u64 = 200;
const STATION: &str = "st-xianfeng";

/// Starts counting the page's long tasks in `window.benchTasks`; calling it
/// again starts the count over.
const WATCH_TASKS_JS: &str = "
    window.benchTasks = { count: 0, longest_ms: 0, blocked_ms: 0 };
    if (!window.benchObserver) {
        window.benchObserver = new PerformanceObserver(list => {
            for (const task of list.getEntries()) {
                const seen = window.benchTasks;
                seen.count += 1;
                seen.longest_ms = Math.max(seen.longest_ms, task.duration);
                seen.blocked_ms += task.duration - 50;
            }
        });
        window.benchObserver.observe({ type: 'longtask' });
    }
    return true;";

const TASKS_JS: &str = "return window.benchTasks;";

/// Resolves with the `performance.now()` at which each `[css, count]` of
/// `arguments[0]` first matched at least `count` elements, once all have.
const MARKS_JS: &str = "
    const [wanted, done] = [arguments[0], arguments[arguments.length - 1]];
    const seen = wanted.map(() => null);
    const check = () => {
        wanted.forEach(([css, count], i) => {
            if (seen[i] === null && document.querySelectorAll(css).length >= count) {
                seen[i] = performance.now();
            }
        });
        return seen.every(t => t !== null);
    };
    if (check()) { done(seen); return; }
    const observer = new MutationObserver(() => {
        if (check()) { observer.disconnect(); done(seen); }
    });
    observer.observe(document, { subtree: true, childList: true });";

/// The floor: the newest `arguments[0]` activities read from the app's own
/// date index with a plain cursor, in ms.
const RAW_FIRST_PAGE_JS: &str = "
    const [limit, done] = [arguments[0], arguments[arguments.length - 1]];
    const open = indexedDB.open('tongxin');
    open.onsuccess = () => {
        const db = open.result;
        const start = performance.now();
        const rows = [];
        const index = db.transaction('activities').objectStore('activities').index('by_date');
        index.openCursor(null, 'prev').onsuccess = event => {
            const cursor = event.target.result;
            if (cursor && rows.length < limit) { rows.push(cursor.value); cursor.continue(); return; }
            const ms = performance.now() - start;
            db.close();
            done({ ms, rows: rows.length });
        };
    };";

/// Changes a form control as a user would, then resolves with the ms from
/// that change until the list's rows satisfy `arguments[2]`
/// (`first:<title>`: the first row has that title; `category:<code>`:
/// every row drawn is of that category).
const CHANGE_UNTIL_JS: &str = "
    const [css, value, until] = [arguments[0], arguments[1], arguments[2]];
    const done = arguments[arguments.length - 1];
    const ready = () => {
        const first = document.querySelector('#my-records .record-title');
        if (until.startsWith('first:')) return first && first.textContent === until.slice(6);
        const rows = [...document.querySelectorAll('#my-records li')];
        return rows.length > 0 && rows.every(row => row.dataset.category === until.slice(9));
    };
    const start = performance.now();
    const observer = new MutationObserver(() => {
        if (ready()) { observer.disconnect(); done(performance.now() - start); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    setTimeout(() => {
        observer.disconnect();
        done({ gave_up_after_ms: 120000, rows: [...document.querySelectorAll('#my-records li')]
            .slice(0, 3).map(li => li.outerHTML.slice(0, 300)) });
    }, 120000);
    const input = document.querySelector(css);
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.dispatchEvent(new Event('change', { bubbles: true }));";

/// Taps 保存 and resolves with the ms until a row titled `arguments[0]`
/// is in the list (`row`), and until the form said it was saved
/// (`saved`: the write to IndexedDB is done).
const SAVE_JS: &str = "
    const [title, done] = [arguments[0], arguments[arguments.length - 1]];
    const listed = () => [...document.querySelectorAll('#my-records .record-title')]
        .some(e => e.textContent === title);
    const start = performance.now();
    let saved = null;
    const observer = new MutationObserver(() => {
        if (saved === null && document.querySelector('#activity-form .saved')) {
            saved = performance.now() - start;
        }
        if (listed()) {
            observer.disconnect();
            done({ row: performance.now() - start, saved: saved ?? performance.now() - start });
        }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    document.querySelector('#activity-form button[type=submit]').click();";

/// The floor of a save: `arguments[0]` transactions in a database of its
/// own, one after the other, each putting one record the size of an
/// activity, timed from its start to its `complete` event; with the
/// browser's default durability. Resolves with the times in ms.
const RAW_SAVES_JS: &str = "
    const [count, done] = [arguments[0], arguments[arguments.length - 1]];
    const open = indexedDB.open('raw-save-bench', 1);
    open.onupgradeneeded = () => open.result.createObjectStore('records', { keyPath: 'id' });
    open.onsuccess = () => {
        const db = open.result;
        const times = [];
        const one = n => {
            if (n === count) { db.close(); done(times); return; }
            const start = performance.now();
            const tx = db.transaction('records', 'readwrite');
            tx.objectStore('records').put({ id: 'r' + n, title: '量测 ' + n, notes: '', people: 12,
                station: 'st-xianfeng', date: '2026-11-27', stamps: { title: [1764201600000, 0, 'node'] } });
            tx.oncomplete = () => { times.push(performance.now() - start); one(n + 1); };
        };
        one(0);
    };";

/// The summed proportional set size of Chromium's renderer processes, in
/// bytes (shared pages counted once across them).
fn renderer_memory() -> u64 {
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for process in processes.flatten() {
        let path = process.path();
        // Chromium rewrites its processes' titles, so the arguments may
        // come as one string. Its own interface's renderer is left out.
        let is_renderer = std::fs::read_to_string(path.join("cmdline")).is_ok_and(|cmdline| {
            cmdline.contains("--type=renderer") && !cmdline.contains("--top-chrome-webui")
        });
        if !is_renderer {
            continue;
        }
        let Ok(rollup) = std::fs::read_to_string(path.join("smaps_rollup")) else {
            continue;
        };
        total += rollup
            .lines()
            .find_map(|line| line.strip_prefix("Pss:"))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024);
    }
    total
}

/// Reads the renderers' memory every 250 ms until stopped; gives the peak.
struct MemoryWatch {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl MemoryWatch {
    fn start() -> MemoryWatch {
        let (peak, stop) = (
            Arc::new(AtomicU64::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let thread = std::thread::spawn({
            let (peak, stop) = (peak.clone(), stop.clone());
            move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(renderer_memory(), Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        });
        MemoryWatch { peak, stop, thread }
    }

    fn peak_bytes(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.peak.load(Ordering::Relaxed)
    }
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn activities(first: u64, count: u64) -> Vec<Activity> {
    (first..first + count)
        .map(|n| Activity {
            station_id: STATION.into(),
            ..demo::synthetic_activity(n)
        })
        .collect()
}

async fn insert(db: &Db, activities: &[Activity]) -> Result<()> {
    let stamp = HlcClock::new(Uuid::now_v7()).stamp(chrono::Utc::now().timestamp_millis() as u64);
    db.insert_activities(activities, "bench", stamp).await?;
    Ok(())
}

async fn tasks(browser: &Browser) -> Result<Value> {
    Ok(browser.client.execute(TASKS_JS, vec![]).await?)
}

async fn watch_tasks(browser: &Browser) -> Result<()> {
    browser.client.execute(WATCH_TASKS_JS, vec![]).await?;
    Ok(())
}

/// Fills in the form for one more record (the category and station stay
/// chosen from the last save, but are set again in case).
async fn fill_form(phone: &Browser, title: &str) -> Result<()> {
    let chip = "button[data-category=health_clinic]";
    if phone.attribute(chip, "aria-pressed").await?.as_deref() != Some("true") {
        phone.click(chip).await?;
    }
    phone.set_value("input[name=title]", title).await?;
    phone.set_value("select[name=station_id]", STATION).await?;
    phone.set_value("input[name=people_served]", "12").await?;
    Ok(())
}

async fn run(records: u64) -> Result<Value> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("scale.sqlite");
    let url = format!("sqlite://{}", database.display());
    database_of_activities(&database, records).await?;
    let server = TestServer::start(&database, None)?;
    let phone = Browser::open(PHONE).await?;
    phone.allow_long_scripts().await?;

    // The initial sync, from the login on.
    phone.client.goto(&server.url("/")).await?;
    phone
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("#login-form"))
        .await?;
    watch_tasks(&phone).await?;
    let memory = MemoryWatch::start();
    let start = Instant::now();
    phone.log_in("volunteer").await?;
    // The app drawn after the login (the form and the list's first rows
    // in one go) is counted apart from the sync: it happens once, before
    // the user can type anything.
    phone
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("#activity-form"))
        .await?;
    // The browser reports a task a moment after it ends.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let drawn_tasks = tasks(&phone).await?;
    watch_tasks(&phone).await?;
    wait_until(
        Duration::from_secs(900),
        "every record on the phone",
        || async { Ok(phone.local_activity_count().await? == Some(records)) },
    )
    .await?;
    let sync_seconds = start.elapsed().as_secs_f64();
    let sync_tasks = tasks(&phone).await?;
    let sync_memory = memory.peak_bytes();
    println!(
        "{records} records: app drawn after the login: long tasks {drawn_tasks}; initial sync {sync_seconds:.1} s; long tasks meanwhile {sync_tasks}; renderer peak {:.0} MB",
        sync_memory as f64 / 1e6
    );

    // "My records", reloaded: first page drawn, beside the form and a raw
    // read of the same page.
    let (mut list, mut screenful, mut form, mut raw) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        phone.client.goto(&server.url("/")).await?;
        let marks = phone
            .client
            .execute_async(
                MARKS_JS,
                vec![json!([
                    ["#activity-form button[type=submit]", 1],
                    ["#my-records li", records.min(SCREENFUL)],
                    ["#my-records li", records.min(ROWS_SHOWN)],
                ])],
            )
            .await?;
        let floor = phone
            .client
            .execute_async(RAW_FIRST_PAGE_JS, vec![json!(ROWS_SHOWN)])
            .await?;
        if floor["rows"].as_u64() != Some(records.min(ROWS_SHOWN)) {
            bail!("the raw read found {floor}");
        }
        form.push(marks[0].as_f64().context("form time")?);
        screenful.push(marks[1].as_f64().context("first rows' time")?);
        list.push(marks[2].as_f64().context("list time")?);
        raw.push(floor["ms"].as_f64().context("raw time")?);
    }
    let (list, screenful, form, raw) = (
        percentile(&list, 50.0),
        percentile(&screenful, 50.0),
        percentile(&form, 50.0),
        percentile(&raw, 50.0),
    );
    println!(
        "{records} records: after a reload the form is drawn at {form:.0} ms, the first {SCREENFUL} rows at {screenful:.0} ms and all {ROWS_SHOWN} at {list:.0} ms (median of {RUNS}); \
         after the form: {:.0} ms to a screenful, {:.0} ms to the page; raw read of the same {ROWS_SHOWN} from the index {raw:.1} ms",
        screenful - form,
        list - form
    );

    // A filter and a search, tap to rows drawn.
    watch_tasks(&phone).await?;
    let category_ms = phone
        .client
        .execute_async(
            CHANGE_UNTIL_JS,
            vec![
                json!("select[name=filter_category]"),
                json!("legal_consultation"),
                json!("category:legal_consultation"),
            ],
        )
        .await?;
    phone.set_value("select[name=filter_category]", "").await?;
    // The oldest record's title: a search that reads every record.
    let oldest = format!("活动 {}", 0);
    let search_ms = phone
        .client
        .execute_async(
            CHANGE_UNTIL_JS,
            vec![
                json!("input[name=search]"),
                json!(oldest),
                json!(format!("first:{oldest}")),
            ],
        )
        .await?;
    let filter_tasks = tasks(&phone).await?;
    phone.set_value("input[name=search]", "").await?;
    println!(
        "{records} records: category filter drawn in {category_ms} ms; a search that reads every record drawn in {search_ms} ms (includes its {} ms pause for typing); long tasks {filter_tasks}",
        250
    );

    // Saves while another device adds records on the server.
    let adding = Arc::new(AtomicBool::new(true));
    let adder = tokio::spawn({
        let (adding, url) = (adding.clone(), url.clone());
        async move {
            let db = Db::open(&url).await?;
            let mut next = records;
            while adding.load(Ordering::Relaxed) {
                insert(&db, &activities(next, ADDED_PER_SECOND)).await?;
                next += ADDED_PER_SECOND;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            anyhow::Ok(next - records)
        }
    });
    watch_tasks(&phone).await?;
    let memory = MemoryWatch::start();
    let (mut saves, mut written) = (Vec::new(), Vec::new());
    for n in 0..SAVES {
        let title = format!("量测 {n}");
        fill_form(&phone, &title).await?;
        let ms = phone
            .client
            .execute_async(SAVE_JS, vec![json!(title)])
            .await?;
        saves.push(ms["row"].as_f64().context("save time")?);
        written.push(ms["saved"].as_f64().context("save time")?);
    }
    let save_tasks = tasks(&phone).await?;
    let raw_saves: Vec<f64> = serde_json::from_value(
        phone
            .client
            .execute_async(RAW_SAVES_JS, vec![json!(SAVES)])
            .await?,
    )?;
    let (raw_p50, raw_p95) = (percentile(&raw_saves, 50.0), percentile(&raw_saves, 95.0));
    let save_memory = memory.peak_bytes();
    adding.store(false, Ordering::Relaxed);
    let added = adder.await??;
    phone.close().await?;
    let (p50, p95, worst) = (
        percentile(&saves, 50.0),
        percentile(&saves, 95.0),
        percentile(&saves, 100.0),
    );
    let (written_p50, written_p95) = (percentile(&written, 50.0), percentile(&written, 95.0));
    // The slowest saves, each with its place in the run and its time to
    // "saved": a slow row after a quick write is the list's, not the
    // store's.
    let mut slowest: Vec<(usize, f64, f64)> = (0..saves.len())
        .map(|n| (n, saves[n], written[n]))
        .collect();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
    slowest.truncate(3);
    println!(
        "{records} records: tap 保存 → row in the list over {SAVES} saves, while another device added {added} records: p50 {p50:.0} ms, p95 {p95:.0} ms, worst {worst:.0} ms \
         (→ \"saved\": p50 {written_p50:.0} ms, p95 {written_p95:.0} ms; raw IndexedDB put of one record, one transaction: p50 {raw_p50:.1} ms, p95 {raw_p95:.1} ms); long tasks {save_tasks}; renderer peak {:.0} MB",
        save_memory as f64 / 1e6
    );
    println!("{records} records: slowest saves (place, → row ms, → \"saved\" ms): {slowest:?}");

    Ok(json!({
        "records": records,
        "login_to_app_drawn": { "long_tasks": drawn_tasks },
        "initial_sync": {
            "seconds": sync_seconds,
            "long_tasks": sync_tasks,
            "renderer_peak_bytes": sync_memory,
        },
        "first_page": {
            "rows": records.min(ROWS_SHOWN),
            "reload_to_rows_ms_median": list,
            "reload_to_form_ms_median": form,
            "rows_after_form_ms": list - form,
            "screenful": records.min(SCREENFUL),
            "reload_to_screenful_ms_median": screenful,
            "screenful_after_form_ms": screenful - form,
            "raw_indexeddb_read_ms_median": raw,
            "runs": RUNS,
        },
        "filter": {
            "category_to_rows_ms": category_ms,
            "search_reading_every_record_ms": search_ms,
            "search_pause_ms": 250,
            "long_tasks": filter_tasks,
        },
        "saves": {
            "count": SAVES,
            "tap_to_row_ms": { "p50": p50, "p95": p95, "max": worst },
            "tap_to_saved_message_ms": { "p50": written_p50, "p95": written_p95 },
            "slowest": slowest.iter().map(|(n, row, saved)| json!({ "save": n, "row_ms": row, "saved_ms": saved })).collect::<Vec<_>>(),
            "raw_indexeddb_one_record_transaction_ms": { "p50": raw_p50, "p95": raw_p95, "runs": SAVES },
            "records_added_by_another_device": added,
            "long_tasks": save_tasks,
            "renderer_peak_bytes": save_memory,
        },
        "goals": { "first_page_ms": 100, "save_p95_ms": 50, "longest_task_ms": 50 },
    }))
}

#[tokio::main]
async fn main() -> Result<()> {
    let only: Option<u64> = std::env::var("TONGXIN_BENCH_RECORDS")
        .ok()
        .and_then(|n| n.parse().ok());
    let mut runs = Vec::new();
    for records in COUNTS.into_iter().filter(|n| only.is_none_or(|o| o == *n)) {
        runs.push(run(records).await?);
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    let path = out.join("phone_scale.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&json!({ "runs": runs }))?,
    )?;
    println!("written to {}", path.display());
    Ok(())
}
