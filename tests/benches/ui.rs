//! `cargo xtask bench ui`, browser side: how soon the app is usable in
//! headless Chromium, how fast "my records" renders from IndexedDB, and how
//! many bytes a phone downloads.
//!
//! - first visit (nothing cached): navigation to a usable login form;
//! - later visits (service worker): navigation to a usable activity form,
//!   and to the record list rendered, with 1,000 and with 10,000 records on
//!   the device;
//! - the same first and later visits on a throttled phone (1.6 Mbit/s down,
//!   750 kbit/s up, 150 ms latency, CPU 4× slower);
//! - bytes over the wire on a first visit, up to the usable login form and
//!   until the service worker has cached the shell, by the page and by the
//!   service worker, request by request;
//! - bytes over the wire of the initial sync (the pulls, as sent
//!   compressed, beside their decoded size and the same pulls fetched
//!   outside the browser plain, gzip and brotli);
//! - beside each, the same browser loading a plain HTML page with a form
//!   from the same server (the floor: no app at all), and, when `cargo
//!   xtask bench ui` built it, the plain Leptos counter.
//!
//! Times are read in the page (`performance.now()`, ms since navigation
//! started) when the element is there: "usable" means the form's submit
//! button is in the document (the app mounted and rendered the form).
//! Medians of `RUNS` warm visits.
//!
//! Bytes come from the browser's own network events (DevTools Protocol,
//! `Network.loadingFinished.encodedDataLength`: what came over the
//! connection, response headers included, body as sent, i.e. compressed),
//! read over a DevTools connection of the bench's own to the browser that
//! attaches to every target: the page, and the service worker, whose
//! fetches the page's events never show.
//!
//! Prints the figures and writes `target/bench/ui_timing.json` and
//! `target/bench/ui_network.json`.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::{Context, Result, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::{
    sync::{mpsc, oneshot},
    task::JoinHandle,
};
use tokio_tungstenite::tungstenite::Message;
use tongxin_tests::{
    Browser, PHONE, READY_AT_JS, TestServer, built_app, copy_dir, database_of_activities,
    wait_until,
};

const COUNTS: [u64; 2] = [1_000, 10_000];
const RUNS: usize = 5;
/// "My records" shows its first page of this many rows (`PAGE` in the app).
const ROWS_SHOWN: u64 = 50;

/// Lighthouse's "slow 4G" phone: 1.6 Mbit/s down, 750 kbit/s up, 150 ms
/// round trip (in bytes per second and ms, as the protocol takes them).
const THROTTLED_NETWORK: (u64, u64, u64) = (1_600_000 / 8, 750_000 / 8, 150);
/// ... on a CPU this many times slower than the machine's.
const THROTTLED_CPU: u64 = 4;

const PLAIN_PAGE: &str = r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>plain</title></head><body><form><label>活动名称 <input name="title"></label>
<button type="submit">保存</button></form></body></html>"#;

const LOGIN_FORM: &str = "#login-form button[type=submit]";
const ACTIVITY_FORM: &str = "#activity-form button[type=submit]";

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

/// The plain Leptos counter that `cargo xtask bench ui` builds, with a page
/// that starts it (`TONGXIN_COUNTER_DIST`), if it is there.
fn counter_dist() -> Option<PathBuf> {
    let dist = std::env::var_os("TONGXIN_COUNTER_DIST").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/counter-dist"),
        PathBuf::from,
    );
    dist.join("index.html").exists().then_some(dist)
}

const COUNTER_PAGE: &str = "/counter/index.html";

/// The plain page, from the same server under another name, so another
/// origin: the app's service worker, which answers every navigation of its
/// own origin with the app, never sees it. A later visit of it is the
/// browser asking the server again (`no-cache`: a 304).
fn plain_url(server: &TestServer) -> String {
    format!("http://localhost:{}/plain.html", server.port)
}

/// A DevTools Protocol connection of the bench's own to the whole browser
/// (the `debuggerAddress` chromedriver reports), attached to every page
/// and worker, service workers included, with the `Network` domain on in
/// each, so their requests are seen as the browser made them.
///
/// Over tokio-tungstenite: JSON text messages out and in.
struct Cdp {
    out: mpsc::UnboundedSender<String>,
    shared: Arc<Shared>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

#[derive(Default)]
struct Shared {
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<Value>>>,
    state: Mutex<CdpState>,
}

#[derive(Default)]
struct CdpState {
    /// Session id → target type (`page`, `service_worker`, …).
    sessions: HashMap<String, String>,
    /// `Network.*` events since the last `take_events`: (session, event).
    events: Vec<(String, Value)>,
    /// Sent to every page and service worker as it is attached, and to
    /// those attached already by `throttle`.
    throttling: Option<Throttling>,
}

#[derive(Clone, Copy)]
struct Throttling {
    down: u64,
    up: u64,
    latency_ms: u64,
    cpu: u64,
}

impl Throttling {
    fn commands(throttling: Option<Throttling>, target: &str) -> Vec<(&'static str, Value)> {
        let (down, up, latency, cpu) = match throttling {
            Some(t) => (t.down as i64, t.up as i64, t.latency_ms, t.cpu),
            None => (-1, -1, 0, 1),
        };
        let mut commands = vec![(
            "Network.emulateNetworkConditions",
            json!({ "offline": false, "latency": latency,
                    "downloadThroughput": down, "uploadThroughput": up }),
        )];
        // Workers have no Emulation domain.
        if target == "page" {
            commands.push(("Emulation.setCPUThrottlingRate", json!({ "rate": cpu })));
        }
        commands
    }
}

impl Shared {
    /// Queues a command, returning its id.
    fn queue(
        &self,
        out: &mpsc::UnboundedSender<String>,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        let _ = out.send(message.to_string());
        id
    }

    /// What the reader does with one message from the browser.
    fn received(&self, out: &mpsc::UnboundedSender<String>, message: Value) {
        if let Some(id) = message["id"].as_u64() {
            if let Some(answer) = self.pending.lock().expect("not poisoned").remove(&id) {
                let _ = answer.send(message);
            }
            return;
        }
        let method = message["method"].as_str().unwrap_or_default();
        let session = message["sessionId"].as_str().unwrap_or_default().to_owned();
        if method == "Target.attachedToTarget" {
            let params = &message["params"];
            let child = params["sessionId"].as_str().unwrap_or_default().to_owned();
            let kind = params["targetInfo"]["type"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let throttling = {
                let mut state = self.state.lock().expect("not poisoned");
                state.sessions.insert(child.clone(), kind.clone());
                state.throttling
            };
            if matches!(kind.as_str(), "page" | "service_worker") {
                // Sent before the target runs, so its first request is seen
                // (and throttled) too; a session takes commands in order.
                self.queue(out, Some(&child), "Network.enable", json!({}));
                if throttling.is_some() {
                    for (method, params) in Throttling::commands(throttling, &kind) {
                        self.queue(out, Some(&child), method, params);
                    }
                }
            }
            if params["waitingForDebugger"].as_bool() == Some(true) {
                self.queue(
                    out,
                    Some(&child),
                    "Runtime.runIfWaitingForDebugger",
                    json!({}),
                );
            }
        } else if method.starts_with("Network.") {
            self.state
                .lock()
                .expect("not poisoned")
                .events
                .push((session, message));
        }
    }
}

impl Cdp {
    async fn attach(browser: &Browser) -> Result<Cdp> {
        let address = browser.debugger_address()?;
        let version: Value = reqwest::get(format!("http://{address}/json/version"))
            .await?
            .json()
            .await?;
        let url = version["webSocketDebuggerUrl"]
            .as_str()
            .context("no webSocketDebuggerUrl")?;
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .context("DevTools refused the WebSocket")?;
        let (mut write, mut read) = socket.split();
        let (out, mut outgoing) = mpsc::unbounded_channel::<String>();
        let writer = tokio::spawn(async move {
            while let Some(text) = outgoing.recv().await {
                if write.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
        });
        let shared = Arc::new(Shared::default());
        let reader = tokio::spawn({
            let (shared, out) = (shared.clone(), out.clone());
            async move {
                while let Some(Ok(message)) = read.next().await {
                    if let Message::Text(text) = message
                        && let Ok(message) = serde_json::from_str(&text)
                    {
                        shared.received(&out, message);
                    }
                }
            }
        });
        let cdp = Cdp {
            out,
            shared,
            reader,
            writer,
        };
        // Every target there is and will be, each paused at its start until
        // its network events are on.
        cdp.send(
            None,
            "Target.setAutoAttach",
            json!({ "autoAttach": true, "waitForDebuggerOnStart": true, "flatten": true }),
        )
        .await?;
        Ok(cdp)
    }

    async fn send(&self, session: Option<&str>, method: &str, params: Value) -> Result<Value> {
        let (answer, answered) = oneshot::channel();
        // The id is taken before queueing, so the answer always finds its
        // waiter.
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        self.shared
            .pending
            .lock()
            .expect("not poisoned")
            .insert(id, answer);
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.out.send(message.to_string())?;
        let answer = tokio::time::timeout(Duration::from_secs(30), answered)
            .await
            .with_context(|| format!("no answer to {method}"))??;
        if !answer["error"].is_null() {
            bail!("{method} failed: {}", answer["error"]);
        }
        Ok(answer["result"].clone())
    }

    /// Throttles every page and service worker, those to come too, or
    /// (`None`) lifts it.
    async fn throttle(&self, throttling: Option<Throttling>) -> Result<()> {
        let sessions: Vec<(String, String)> = {
            let mut state = self.shared.state.lock().expect("not poisoned");
            state.throttling = throttling;
            state
                .sessions
                .iter()
                .filter(|(_, kind)| matches!(kind.as_str(), "page" | "service_worker"))
                .map(|(s, k)| (s.clone(), k.clone()))
                .collect()
        };
        for (session, kind) in sessions {
            for (method, params) in Throttling::commands(throttling, &kind) {
                // A worker that has stopped since is no longer there.
                if let Err(error) = self.send(Some(&session), method, params).await
                    && kind == "page"
                {
                    return Err(error);
                }
            }
        }
        Ok(())
    }

    /// The network events since the last call, with the type of target
    /// each came from, after a moment for the last ones to arrive.
    async fn take_events(&self) -> Vec<(String, Value)> {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut state = self.shared.state.lock().expect("not poisoned");
        let events = std::mem::take(&mut state.events);
        events
            .into_iter()
            .map(|(session, event)| {
                let kind = state
                    .sessions
                    .get(&session)
                    .cloned()
                    .unwrap_or_else(|| "unknown".into());
                (kind, event)
            })
            .collect()
    }
}

impl Drop for Cdp {
    fn drop(&mut self) {
        self.reader.abort();
        self.writer.abort();
    }
}

/// One request as the browser's network events tell it.
#[derive(Clone, Default)]
struct Fetch {
    /// `page` or `service_worker`.
    target: String,
    url: String,
    method: String,
    status: i64,
    /// `Network.loadingFinished.encodedDataLength`: the bytes that came over
    /// the connection, response headers included (0 from a cache).
    wire: u64,
    /// `Network.responseReceived.response.encodedDataLength`: the bytes
    /// received when the headers were, i.e. the response headers.
    headers: u64,
    /// `Network.dataReceived.dataLength`, summed: the body decoded.
    decoded: u64,
    /// Answered from the browser's HTTP cache (memory or disk).
    from_cache: bool,
    /// Answered by the service worker (the page's requests only).
    from_service_worker: bool,
    /// The status line that came over the wire, when one did: 304 for a
    /// `no-cache` file the browser held and the server confirmed.
    wire_status: Option<i64>,
    /// When the request started and its last byte came (the browser's
    /// monotonic clock, s; one clock for every target).
    started_at: f64,
    finished_at: Option<f64>,
}

/// The requests to `origin` in `events`, in the order they were made.
fn fetches(events: &[(String, Value)], origin: &str) -> Vec<Fetch> {
    let mut order = Vec::new();
    let mut by_id: HashMap<(String, String), Fetch> = HashMap::new();
    for (target, event) in events {
        let params = &event["params"];
        let key = (
            event["sessionId"].as_str().unwrap_or_default().to_owned(),
            params["requestId"].as_str().unwrap_or_default().to_owned(),
        );
        match event["method"].as_str().unwrap_or_default() {
            "Network.requestWillBeSent" => {
                let url = params["request"]["url"].as_str().unwrap_or_default();
                if url.starts_with(origin) && !by_id.contains_key(&key) {
                    order.push(key.clone());
                    by_id.insert(
                        key,
                        Fetch {
                            target: target.clone(),
                            url: url[origin.len()..].to_owned(),
                            method: params["request"]["method"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                            started_at: params["timestamp"].as_f64().unwrap_or_default(),
                            ..Fetch::default()
                        },
                    );
                }
            }
            "Network.responseReceived" => {
                if let Some(fetch) = by_id.get_mut(&key) {
                    let response = &params["response"];
                    fetch.status = response["status"].as_i64().unwrap_or_default();
                    fetch.headers = response["encodedDataLength"].as_u64().unwrap_or_default();
                    fetch.from_cache |= response["fromDiskCache"].as_bool() == Some(true)
                        || response["fromPrefetchCache"].as_bool() == Some(true);
                    fetch.from_service_worker |=
                        response["fromServiceWorker"].as_bool() == Some(true);
                }
            }
            "Network.responseReceivedExtraInfo" => {
                if let Some(fetch) = by_id.get_mut(&key) {
                    fetch.wire_status = params["statusCode"].as_i64();
                }
            }
            "Network.requestServedFromCache" => {
                if let Some(fetch) = by_id.get_mut(&key) {
                    fetch.from_cache = true;
                }
            }
            "Network.dataReceived" => {
                if let Some(fetch) = by_id.get_mut(&key) {
                    fetch.decoded += params["dataLength"].as_u64().unwrap_or_default();
                }
            }
            "Network.loadingFinished" => {
                if let Some(fetch) = by_id.get_mut(&key) {
                    fetch.wire = params["encodedDataLength"].as_u64().unwrap_or_default();
                    fetch.finished_at = params["timestamp"].as_f64();
                }
            }
            _ => {}
        }
    }
    order
        .into_iter()
        .filter_map(|key| by_id.remove(&key))
        .collect()
}

/// Bytes over the wire of some requests: in all, by the page and by the
/// service worker, and request by request.
fn wire_report(fetches: &[Fetch]) -> Value {
    let sum = |target: Option<&str>| -> u64 {
        fetches
            .iter()
            .filter(|f| target.is_none_or(|t| f.target == t))
            .map(|f| f.wire)
            .sum()
    };
    json!({
        "total_bytes": sum(None),
        "page_bytes": sum(Some("page")),
        "service_worker_bytes": sum(Some("service_worker")),
        "body_bytes": fetches.iter().map(|f| f.wire.saturating_sub(f.headers)).sum::<u64>(),
        "decoded_bytes": fetches.iter().map(|f| f.decoded).sum::<u64>(),
        "requests": fetches.iter().map(|f| json!({
            "target": f.target,
            "url": f.url,
            "method": f.method,
            "status": f.wire_status.unwrap_or(f.status),
            "bytes": f.wire,
            "header_bytes": if f.wire > 0 { f.headers } else { 0 },
            "decoded_bytes": f.decoded,
            "from_cache": f.from_cache,
            "from_service_worker": f.from_service_worker,
            "finished": f.finished_at.is_some(),
        })).collect::<Vec<_>>(),
    })
}

fn bytes_line(report: &Value) -> String {
    format!(
        "{} B ({} B by the page, {} B by the service worker; {} requests)",
        report["total_bytes"],
        report["page_bytes"],
        report["service_worker_bytes"],
        report["requests"].as_array().map_or(0, Vec::len)
    )
}

/// The pulls of a whole initial sync fetched outside the browser, the
/// body as sent with each `accept-encoding`: the same-run baseline of the
/// browser's own figures.
async fn pull_sizes(server: &TestServer) -> Result<Value> {
    let token = server.token("volunteer").await?;
    let client = reqwest::Client::new();
    let (mut identity, mut gzip, mut brotli, mut pages) = (0usize, 0usize, 0usize, 0usize);
    let mut cursor = String::new();
    loop {
        let url = server.url(&format!("/api/sync/pull?cursor={cursor}"));
        let fetch = |encoding: &'static str| {
            client
                .get(&url)
                .bearer_auth(&token)
                .header("accept-encoding", encoding)
                .send()
        };
        let plain = fetch("identity").await?.error_for_status()?.bytes().await?;
        gzip += fetch("gzip").await?.bytes().await?.len();
        brotli += fetch("br").await?.bytes().await?.len();
        identity += plain.len();
        pages += 1;
        let page: Value = serde_json::from_slice(&plain)?;
        cursor = page["cursor"].as_str().unwrap_or_default().to_owned();
        if page["more"].as_bool() != Some(true) {
            break;
        }
    }
    Ok(
        json!({ "pages": pages, "identity_bytes": identity, "gzip_bytes": gzip, "brotli_bytes": brotli }),
    )
}

/// The first visits and the initial sync of a fresh phone, counting bytes.
async fn network(server: &TestServer, records: u64) -> Result<Value> {
    let phone = Browser::open(PHONE).await?;
    let cdp = Cdp::attach(&phone).await?;
    let origin = server.url("");
    cdp.take_events().await;

    let plain_ms = visit(&phone, &plain_url(server), "form button", 1).await?;
    let plain = fetches(
        &cdp.take_events().await,
        &format!("http://localhost:{}", server.port),
    );
    let counter = match counter_dist() {
        Some(_) => {
            let ms = visit(&phone, &server.url(COUNTER_PAGE), "button", 1).await?;
            let fetched = fetches(&cdp.take_events().await, &origin);
            Some((ms, fetched))
        }
        None => None,
    };

    let app_ms = visit(&phone, &server.url("/"), LOGIN_FORM, 1).await?;
    phone.wait_for_service_worker().await?;
    let to_shell = fetches(&cdp.take_events().await, &origin);
    if !to_shell.iter().any(|f| f.target == "service_worker") {
        bail!("no request of the service worker seen: its install went uncounted");
    }
    // The requests done when the form was usable: `performance.now()`
    // counts from the navigation's start, a few ms before its request.
    let navigated = to_shell
        .iter()
        .find(|f| f.target == "page" && f.url == "/")
        .context("the navigation's request")?
        .started_at;
    let to_form: Vec<Fetch> = to_shell
        .iter()
        .filter(|f| {
            f.finished_at
                .is_some_and(|t| t <= navigated + app_ms / 1000.0)
        })
        .cloned()
        .collect();
    // The worker's own script is fetched by the browser before the worker
    // exists, so no target's events show it: its body as the server sends
    // it to this browser, fetched outside.
    let sw_js = reqwest::Client::new()
        .get(server.url("/sw.js"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?
        .len();

    phone.log_in("volunteer").await?;
    wait_until(
        Duration::from_secs(300),
        "every record on the phone",
        || async { Ok(phone.local_activity_count().await? == Some(records)) },
    )
    .await?;
    // The last page is stored after its response is complete.
    let sync = fetches(&cdp.take_events().await, &origin);
    phone.close().await?;
    let api = |path: &str| -> Vec<Fetch> {
        sync.iter()
            .filter(|f| f.url.starts_with(path))
            .cloned()
            .collect()
    };
    let (pulls, pushes) = (api("/api/sync/pull"), api("/api/sync/push"));
    let outside = pull_sizes(server).await?;
    let pull = wire_report(&pulls);

    println!(
        "{records} records: first visit, bytes over the wire (headers included) up to the usable login form: {}; \
         until the service worker has cached the shell: {}, and sw.js itself ({sw_js} B body, not in the events); \
         plain page: {}",
        bytes_line(&wire_report(&to_form)),
        bytes_line(&wire_report(&to_shell)),
        bytes_line(&wire_report(&plain)),
    );
    if let Some((_, fetched)) = &counter {
        println!(
            "{records} records: first visit of the plain Leptos counter: {}",
            bytes_line(&wire_report(fetched))
        );
    }
    println!(
        "{records} records: initial sync, {} pulls: {} B over the wire (headers included), {} B of bodies as sent, {} B decoded; \
         {} pushes, {} B; the same pulls outside the browser: {} B plain, {} B gzip, {} B brotli",
        pulls.len(),
        pull["total_bytes"],
        pull["body_bytes"],
        pull["decoded_bytes"],
        pushes.len(),
        wire_report(&pushes)["total_bytes"],
        outside["identity_bytes"],
        outside["gzip_bytes"],
        outside["brotli_bytes"],
    );
    Ok(json!({
        "records": records,
        "bytes_count": "Network.loadingFinished.encodedDataLength: response headers and body as sent (compressed); request headers and bodies not included; 0 for an answer from a cache",
        "first_visit": {
            "app_to_usable_login_form": wire_report(&to_form),
            "app_until_service_worker_cached_shell": wire_report(&to_shell),
            "sw_js_body_bytes_not_in_events": sw_js,
            "app_login_form_ms": app_ms,
            "plain_page": wire_report(&plain),
            "plain_page_ms": plain_ms,
            "leptos_counter": counter.as_ref().map(|(_, f)| wire_report(f)),
            "leptos_counter_ms": counter.as_ref().map(|(ms, _)| *ms),
        },
        "initial_sync": {
            "pulls": pull,
            "pushes": wire_report(&pushes),
            "all_requests": wire_report(&sync),
            "pulls_outside_browser": outside,
        },
    }))
}

/// First and later visits on a throttled phone. The login and the initial
/// sync between them run unthrottled, to keep the bench short.
async fn throttled(server: &TestServer, records: u64) -> Result<Value> {
    let (down, up, latency_ms) = THROTTLED_NETWORK;
    let throttling = Some(Throttling {
        down,
        up,
        latency_ms,
        cpu: THROTTLED_CPU,
    });
    let phone = Browser::open(PHONE).await?;
    let cdp = Cdp::attach(&phone).await?;
    cdp.throttle(throttling).await?;
    let plain_cold = visit(&phone, &plain_url(server), "form button", 1).await?;
    let counter_cold = match counter_dist() {
        Some(_) => Some(visit(&phone, &server.url(COUNTER_PAGE), "button", 1).await?),
        None => None,
    };
    let app_cold = visit(&phone, &server.url("/"), LOGIN_FORM, 1).await?;

    cdp.throttle(None).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    wait_until(
        Duration::from_secs(300),
        "every record on the phone",
        || async { Ok(phone.local_activity_count().await? == Some(records)) },
    )
    .await?;

    cdp.throttle(throttling).await?;
    let (mut plain, mut form) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        plain.push(visit(&phone, &plain_url(server), "form button", 1).await?);
        form.push(visit(&phone, &server.url("/"), ACTIVITY_FORM, 1).await?);
    }
    drop(cdp);
    phone.close().await?;
    let (plain, form) = (median(plain), median(form));
    let counter_line = counter_cold.map_or(String::new(), |ms| {
        format!(", plain Leptos counter {ms:.0} ms")
    });
    println!(
        "{records} records, throttled ({} kbit/s down, {} kbit/s up, {latency_ms} ms latency, CPU {THROTTLED_CPU}× slower): \
         first visit, login form usable at {app_cold:.0} ms (plain page {plain_cold:.0} ms{counter_line}); \
         later visits: activity form usable at {form:.0} ms (plain page {plain:.0} ms)",
        down * 8 / 1000,
        up * 8 / 1000,
    );
    Ok(json!({
        "network": { "download_bytes_per_s": down, "upload_bytes_per_s": up, "latency_ms": latency_ms },
        "cpu_slowdown": THROTTLED_CPU,
        "first_visit_ms": {
            "app_login_form": app_cold,
            "plain_page": plain_cold,
            "leptos_counter": counter_cold,
        },
        "later_visit_median_ms": {
            "app_activity_form": form,
            "plain_page": plain,
            "runs": RUNS,
        },
    }))
}

async fn run(records: u64) -> Result<(Value, Value)> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("ui.sqlite");
    // All at a station of the demo volunteer, so the phone holds them.
    database_of_activities(&database, records).await?;
    let dist = data.path().join("dist");
    copy_dir(&built_app(), &dist)?;
    std::fs::write(dist.join("plain.html"), PLAIN_PAGE)?;
    if let Some(counter) = counter_dist() {
        copy_dir(&counter, &dist.join("counter"))?;
    }
    let server = TestServer::start_serving(&database, None, &dist)?;
    let phone = Browser::open(PHONE).await?;

    let plain_cold = visit(&phone, &plain_url(&server), "form button", 1).await?;
    let app_cold = visit(&phone, &server.url("/"), LOGIN_FORM, 1).await?;

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
        plain.push(visit(&phone, &plain_url(&server), "form button", 1).await?);
        form.push(visit(&phone, &server.url("/"), ACTIVITY_FORM, 1).await?);
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
    let throttled = throttled(&server, records).await?;
    let timing = json!({
        "records": records,
        "usable": "the form's submit button is in the document; ms from the navigation's start (performance.now())",
        "plain_page": "the same server under another origin (localhost), out of the app's service worker's reach",
        "first_visit_ms": { "app_login_form": app_cold, "plain_page": plain_cold },
        "later_visit_median_ms": {
            "app_activity_form": form,
            "app_record_list": list,
            "plain_page": plain,
            "runs": RUNS,
        },
        "throttled": throttled,
    });
    let network = network(&server, records).await?;
    Ok((timing, network))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (mut timing, mut network) = (Vec::new(), Vec::new());
    for records in COUNTS {
        let (t, n) = run(records).await?;
        timing.push(t);
        network.push(n);
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out)?;
    for (name, runs) in [("ui_timing.json", timing), ("ui_network.json", network)] {
        let path = out.join(name);
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&json!({ "runs": runs }))?,
        )?;
        println!("written to {}", path.display());
    }
    Ok(())
}
