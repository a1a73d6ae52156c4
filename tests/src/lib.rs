//! Helpers for the end-to-end tests: a real `tongxin-server` process and a
//! real headless Chromium driven through WebDriver.
//!
//! `cargo xtask test` builds the server and the app first and says where
//! they are (`TONGXIN_SERVER_BIN`, `TONGXIN_DIST`, `CHROMEDRIVER`,
//! `CHROMIUM`); run alone, the defaults below point at the same places.

use std::{
    future::Future,
    io::{BufRead, BufReader},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

fn env_path(name: &str, default: impl FnOnce() -> PathBuf) -> PathBuf {
    std::env::var_os(name).map_or_else(default, PathBuf::from)
}

/// The `tongxin-server` binary under test.
pub fn server_binary() -> PathBuf {
    env_path("TONGXIN_SERVER_BIN", || {
        workspace_root().join("target/debug/tongxin-server")
    })
}

/// The built app (`target/dist`): what the server serves at `/`.
pub fn built_app() -> PathBuf {
    env_path("TONGXIN_DIST", || workspace_root().join("target/dist"))
}

/// The URL path of a built asset, `/assets/<stem>-<hash>.<ext>`: the
/// build names each by a hash of its content, so tests look it up.
pub fn built_asset(stem: &str, ext: &str) -> Result<String> {
    let assets = built_app().join("assets");
    for entry in std::fs::read_dir(&assets)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(hash) = name
            .strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(&format!(".{ext}")))
        else {
            continue;
        };
        if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(format!("/assets/{name}"));
        }
    }
    bail!("no {stem}-<hash>.{ext} in {}", assets.display())
}

/// A new SQLite database at `database` holding the demo stations and
/// `count` synthetic activities at 先锋社区 (volunteer's station), as if
/// recorded on another device: a phone that logs in pulls them all.
pub async fn database_of_activities(database: &Path, count: u64) -> Result<()> {
    use tongxin_server::{db::Db, demo};
    use tongxin_shared::{Activity, hlc::HlcClock};
    let db = Db::open(&format!("sqlite://{}", database.display())).await?;
    db.insert_stations(&demo::stations()).await?;
    let activities: Vec<Activity> = (0..count)
        .map(|n| Activity {
            station_id: "st-xianfeng".into(),
            ..demo::synthetic_activity(n)
        })
        .collect();
    let stamp =
        HlcClock::new(uuid::Uuid::now_v7()).stamp(chrono::Utc::now().timestamp_millis() as u64);
    db.insert_activities(&activities, "another device", stamp)
        .await?;
    Ok(())
}

/// A server with the demo data on `database`, and a phone with an
/// organiser logged in and the demo room shown.
pub async fn open_room(database: &Path) -> Result<(TestServer, Browser)> {
    let server = TestServer::start(database, None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("organiser").await?;
    wait_until(Duration::from_secs(20), "the demo room", || async {
        Ok(phone.text("#sessions li[data-number='7']").await?.is_some())
    })
    .await?;
    Ok((server, phone))
}

/// A `tongxin-server` process with demo data, on a port of its own.
pub struct TestServer {
    child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl TestServer {
    /// Starts the server on `database` (a SQLite file), on `port` or on a
    /// free one, and waits until it listens.
    pub fn start(database: &Path, port: Option<u16>) -> Result<TestServer> {
        TestServer::start_serving(database, port, &built_app())
    }

    /// As [`TestServer::start`], serving the app from `dist`.
    pub fn start_serving(database: &Path, port: Option<u16>, dist: &Path) -> Result<TestServer> {
        let bin = server_binary();
        if !bin.exists() || !dist.join("index.html").exists() {
            bail!(
                "no server binary at {} or no app at {}: run `cargo xtask test`",
                bin.display(),
                dist.display()
            );
        }
        let log = database.with_extension(format!("{}.log", port.unwrap_or(0)));
        let mut command = Command::new(&bin);
        command
            .args(["--listen", &format!("127.0.0.1:{}", port.unwrap_or(0))])
            .arg("--database-url")
            .arg(format!("sqlite://{}", database.display()))
            .arg("--static-dir")
            .arg(dist)
            .arg("--demo");
        TestServer::spawn(command, log)
    }

    /// Runs `command` (a server binary with its flags), its log in `log`,
    /// and waits until it listens.
    pub fn spawn(mut command: Command, log: PathBuf) -> Result<TestServer> {
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)?;
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {:?}", command.get_program()))?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let Some(address) = line
            .trim()
            .strip_prefix("tongxin-server listening on http://")
        else {
            let _ = child.kill();
            bail!(
                "server did not start: {line:?}; log: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        };
        let port = address.rsplit(':').next().context("no port")?.parse()?;
        Ok(TestServer { child, port, log })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Logs a demo account in over HTTP and returns its session token.
    pub async fn token(&self, username: &str) -> Result<String> {
        let response: serde_json::Value = reqwest::Client::new()
            .post(self.url("/api/auth/login"))
            .json(&json!({ "username": username, "password": tongxin_server::demo::DEMO_PASSWORD }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(response["token"]
            .as_str()
            .context("a token in the login answer")?
            .to_owned())
    }

    /// Asks the process to stop (SIGTERM, as a service manager or a
    /// balancer draining a replica would) and waits for it to exit.
    pub fn terminate(&mut self) -> Result<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        if !sent.success() {
            bail!("could not signal the server");
        }
        Ok(self.child.wait()?)
    }

    /// Kills the process outright, as a crash or a pulled plug would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.kill();
    }
}

const LOCAL_COUNT_JS: &str = r#"
const done = arguments[arguments.length - 1];
indexedDB.databases().then((dbs) => {
  if (!dbs.some((d) => d.name === "tongxin")) return done(-1);
  const open = indexedDB.open("tongxin");
  open.onerror = () => done(-1);
  open.onsuccess = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains("activities")) { db.close(); return done(-1); }
    const count = db.transaction("activities").objectStore("activities").count();
    count.onsuccess = () => { db.close(); done(count.result); };
    count.onerror = () => { db.close(); done(-1); };
  };
});
"#;

/// One browser profile: its own chromedriver, Chromium and user data.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

/// For benchmarks, run with `execute_async`: resolves with
/// `performance.now()` once `arguments[0]` matches at least `arguments[1]`
/// elements.
pub const READY_AT_JS: &str = "
    const [css, atLeast] = [arguments[0], arguments[1]];
    const done = arguments[arguments.length - 1];
    const ready = () => document.querySelectorAll(css).length >= atLeast;
    if (ready()) { done(performance.now()); return; }
    const observer = new MutationObserver(() => {
        if (ready()) { observer.disconnect(); done(performance.now()); }
    });
    observer.observe(document, { subtree: true, childList: true });";

/// A phone-sized window, as the volunteers have.
pub const PHONE: (u32, u32) = (360, 740);
pub const DESKTOP: (u32, u32) = (1280, 900);

impl Browser {
    pub async fn open(window: (u32, u32)) -> Result<Browser> {
        Browser::launch(window, None).await
    }

    /// A browser whose downloads land in `folder`, without asking.
    pub async fn open_downloading_to(window: (u32, u32), folder: &Path) -> Result<Browser> {
        Browser::launch(window, Some(folder)).await
    }

    async fn launch(window: (u32, u32), downloads: Option<&Path>) -> Result<Browser> {
        let chromedriver = env_path("CHROMEDRIVER", || "/usr/bin/chromedriver".into());
        let chromium = env_path("CHROMIUM", || "/usr/bin/chromium".into());
        let port = free_port()?;
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", chromedriver.display()))?;
        let profile = tempfile::tempdir()?;
        // Headless Chromium makes no window narrower than 500 px: a phone's
        // width is emulated (as DevTools' device mode does), so a page
        // that is too wide for a 360 px phone is too wide here.
        let mobile = (window.0 < 500).then(|| {
            json!({ "deviceMetrics": {
                "width": window.0, "height": window.1, "pixelRatio": 1.0, "touch": true, "mobile": true,
            }})
        });
        let mut capabilities = json!({
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic",
                    format!("--window-size={},{}", window.0, window.1),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "download.default_directory": downloads.map(|d| d.display().to_string()),
                    "download.prompt_for_download": false,
                },
            }
        });
        if let Some(mobile) = mobile {
            capabilities["goog:chromeOptions"]["mobileEmulation"] = mobile;
        }
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("built as an object"),
        };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                Err(error) => {
                    let _ = driver.kill();
                    return Err(error).context("cannot start a Chromium session");
                }
            }
        };
        Ok(Browser {
            client,
            driver,
            profile,
        })
    }

    /// Lets scripts run for 5 minutes and pages load for one, as the
    /// benchmarks' large syncs and scans need.
    pub async fn allow_long_scripts(&self) -> Result<()> {
        self.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(300)),
                Some(Duration::from_secs(60)),
                Some(Duration::ZERO),
            ))
            .await?;
        Ok(())
    }

    /// Logs a demo account in through the app's login form, as a user
    /// would, and waits until the app shows who is logged in.
    pub async fn log_in(&self, username: &str) -> Result<()> {
        self.submit_login(username, tongxin_server::demo::DEMO_PASSWORD)
            .await?;
        wait_until(Duration::from_secs(20), "the login to finish", || async {
            Ok(self
                .text("#user-name")
                .await?
                .is_some_and(|t| !t.is_empty())
                && self.text("#login-form").await?.is_none())
        })
        .await
    }

    /// Fills in and submits the login form, without waiting for the answer.
    pub async fn submit_login(&self, username: &str, password: &str) -> Result<()> {
        let c = &self.client;
        c.wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css("#login-form input[name=username]"))
            .await?;
        // Clear what an earlier attempt left in the fields.
        c.execute(
            "for (const input of document.querySelectorAll('#login-form input')) {
                 input.value = '';
                 input.dispatchEvent(new Event('input', { bubbles: true }));
             }",
            vec![],
        )
        .await?;
        self.type_text("#login-form input[name=username]", username)
            .await?;
        self.type_text("#login-form input[name=password]", password)
            .await?;
        c.find(Locator::Css("#login-form button[type=submit]"))
            .await?
            .click()
            .await?;
        Ok(())
    }

    /// Records an activity of `category` (its code) at 先锋社区 through the
    /// form and returns the new record's id once it is listed.
    pub async fn record_activity(
        &self,
        category: &str,
        title: &str,
        people_served: u32,
    ) -> Result<String> {
        self.record_activity_at("st-xianfeng", category, title, people_served)
            .await
    }

    /// As [`Browser::record_activity`], at `station` (its id).
    pub async fn record_activity_at(
        &self,
        station: &str,
        category: &str,
        title: &str,
        people_served: u32,
    ) -> Result<String> {
        let c = &self.client;
        // The chip must show as chosen before anything else is typed.
        let chip = format!("button[data-category={category}]");
        wait_until(Duration::from_secs(10), "the category chosen", || async {
            self.click(&chip).await?;
            tokio::time::sleep(Duration::from_millis(100)).await;
            Ok(self.attribute(&chip, "aria-pressed").await?.as_deref() == Some("true"))
        })
        .await?;
        self.click("input[name=title]").await?;
        self.type_text("input[name=title]", title).await?;
        self.set_value("select[name=station_id]", station).await?;
        self.click("input[name=people_served]").await?;
        self.type_text("input[name=people_served]", &people_served.to_string())
            .await?;
        let before_submit = c
            .execute(
                "return [document.querySelector('input[name=title]').value,
                         document.querySelector('select[name=station_id]').value];",
                vec![],
            )
            .await?;
        self.click("#activity-form button[type=submit]").await?;
        let find_row = || {
            c.execute(
                "const row = [...document.querySelectorAll('#my-records li')]
                     .find(li => li.querySelector('.record-title').textContent === arguments[0]);
                 return row ? row.dataset.id : null;",
                vec![json!(title)],
            )
        };
        let listed = wait_until(
            Duration::from_secs(10),
            "the new record in the list",
            || async { Ok(find_row().await?.is_string()) },
        )
        .await;
        if let Err(error) = listed {
            // What the page shows instead, to tell a lost save from a list
            // that did not redraw.
            let page = c
                .execute(
                    "return [document.querySelector('#activity-form').innerText.slice(0, 600),
                             [...document.querySelectorAll('#my-records .record-title')]
                                 .map(e => e.textContent).slice(0, 5)];",
                    vec![],
                )
                .await?;
            return Err(error.context(format!(
                "the form before the save: {before_submit}; the page: {page}"
            )));
        }
        // Done when the user would go on: the form says "saved" and is
        // empty for the next record.
        wait_until(Duration::from_secs(10), "the form ready again", || async {
            let ready = c
                .execute(
                    "return document.querySelector('#activity-form .saved') !== null
                        && document.querySelector('input[name=title]').value === '';",
                    vec![],
                )
                .await?;
            Ok(ready.as_bool() == Some(true))
        })
        .await?;
        let id = find_row().await?;
        id.as_str()
            .map(str::to_owned)
            .context("the new record's id")
    }

    /// Puts axe-core (`AXE_CORE_JS`, which `cargo xtask test` installs)
    /// into the page.
    async fn load_axe(&self) -> Result<()> {
        let script_path = env_path("AXE_CORE_JS", || {
            workspace_root().join("target/axe/node_modules/axe-core/axe.min.js")
        });
        let script = std::fs::read_to_string(&script_path).with_context(|| {
            format!(
                "no axe-core at {}: run `cargo xtask test`",
                script_path.display()
            )
        })?;
        self.client
            .execute(&format!("{script}\nreturn true;"), vec![])
            .await?;
        Ok(())
    }

    /// Waits until the activity form offers `station` (its id): the first
    /// sync after a login has brought the user's stations.
    pub async fn wait_for_station(&self, station: &str) -> Result<()> {
        let option = format!("select[name=station_id] option[value={station}]");
        wait_until(Duration::from_secs(20), "the stations", || async {
            Ok(self.attribute(&option, "value").await?.is_some())
        })
        .await
    }

    /// The titles of the records "my records" lists, top to bottom.
    pub async fn listed_titles(&self) -> Result<Vec<String>> {
        let titles = self
            .client
            .execute(
                "return [...document.querySelectorAll('#my-records li .record-title')]
                     .map(e => e.textContent);",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(titles)?)
    }

    /// Runs axe-core in the page and returns the serious and critical
    /// violations of WCAG 2.1 A and AA it finds (rule, help, elements).
    pub async fn accessibility_violations(&self) -> Result<Vec<serde_json::Value>> {
        self.load_axe().await?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(result => done(result.violations
                       .filter(v => v.impact === 'serious' || v.impact === 'critical')
                       .map(v => ({ rule: v.id, help: v.help,
                                    elements: v.nodes.map(n => n.target.join(' ')) }))))
                   .catch(error => done([{ rule: 'axe-failed', help: String(error) }]));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// Runs only the named axe-core rules, whatever their impact (the
    /// best-practice ones, such as `empty-table-header`, are "minor" and
    /// [`Browser::accessibility_violations`] leaves them out).
    pub async fn axe_rule_violations(&self, rules: &[&str]) -> Result<Vec<serde_json::Value>> {
        self.load_axe().await?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'rule', values: arguments[0] } })
                   .then(result => done(result.violations
                       .map(v => ({ rule: v.id, help: v.help,
                                    elements: v.nodes.map(n => n.target.join(' ')) }))))
                   .catch(error => done([{ rule: 'axe-failed', help: String(error) }]));",
                vec![json!(rules)],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// How many activities the app holds in IndexedDB, read with plain
    /// JavaScript (`None` before the app made its database).
    pub async fn local_activity_count(&self) -> Result<Option<u64>> {
        let count = self.client.execute_async(LOCAL_COUNT_JS, vec![]).await?;
        Ok(count.as_u64())
    }

    /// Types `text` at the end of the field `css` through WebDriver's
    /// keystrokes, and checks the field then holds it.
    ///
    /// Now and then headless Chromium focuses the field tapped but leaves
    /// the document's caret in the field typed into before (seen on
    /// 2026-11-28: `getSelection()` still in the last record's 惠及人次
    /// while `activeElement` was 活动名称). Keydown, keypress and keyup
    /// then reach the field and nothing is inserted: no beforeinput, no
    /// input, so the app never sees the text. A user sees the empty field
    /// and taps it again; so does this, but only when the field saw no
    /// input event at all. A field that took the typing and then lost it
    /// is the app's fault, and fails here.
    pub async fn type_text(&self, css: &str, text: &str) -> Result<()> {
        let inputs_seen = |reset: bool| {
            self.client.execute(
                "const field = document.querySelector(arguments[0]);
                 if (!field.__countsInputs) {
                     field.__countsInputs = true;
                     field.addEventListener('input', () => { field.__inputsSeen += 1; }, true);
                 }
                 if (arguments[1]) field.__inputsSeen = 0;
                 return [field.value, field.__inputsSeen];",
                vec![json!(css), json!(reset)],
            )
        };
        let before = inputs_seen(true).await?;
        let expected = format!("{}{text}", before[0].as_str().unwrap_or_default());
        for attempt in 1..=3 {
            self.client
                .find(Locator::Css(css))
                .await?
                .send_keys(text)
                .await?;
            let after = inputs_seen(false).await?;
            let value = after[0].as_str().unwrap_or_default();
            if value == expected {
                return Ok(());
            }
            if after[1].as_u64() != Some(0) {
                bail!(
                    "typed {text:?} into {css}: it holds {value:?} after {} input events",
                    after[1]
                );
            }
            eprintln!(
                "{css}: attempt {attempt} of typing {text:?} inserted nothing (caret left elsewhere), tapped again"
            );
            self.client
                .execute("document.activeElement.blur();", vec![])
                .await?;
            self.click(css).await?;
        }
        bail!("typed {text:?} into {css} three times and the browser inserted none of it")
    }

    /// Sets a form control's value as typing or choosing would, so the app
    /// sees it (input and change events).
    pub async fn set_value(&self, css: &str, value: &str) -> Result<()> {
        self.client
            .execute(
                "const input = document.querySelector(arguments[0]);
                 input.value = arguments[1];
                 input.dispatchEvent(new Event('input', { bubbles: true }));
                 input.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await?;
        Ok(())
    }

    /// Scrolls the element to the middle of the window (clear of the sticky
    /// status bar) and clicks it, as a thumb would.
    ///
    /// The app re-renders parts of the page as data arrives, so an element
    /// found a moment ago may have been replaced by an identical one, or
    /// moved under the pinned bar: then it is found again, scrolled to and
    /// clicked, a few times at most.
    pub async fn click(&self, css: &str) -> Result<()> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let element = self.client.find(Locator::Css(css)).await?;
            let clicked = async {
                self.client
                    .execute(
                        "arguments[0].scrollIntoView({ block: 'center' });",
                        vec![serde_json::to_value(&element)?],
                    )
                    .await?;
                element.click().await?;
                Ok::<_, anyhow::Error>(())
            }
            .await;
            match clicked {
                // Found again, or scrolled to again: the page moved between
                // the scroll and the click (a line of sync status came or
                // went above it).
                Err(error)
                    if attempts < 3
                        && (error.to_string().contains("stale element")
                            || error.to_string().contains("click intercepted")) => {}
                other => return other,
            }
        }
    }

    /// Waits until the service worker controls the page, i.e. the app
    /// shell is cached and the next load works offline.
    pub async fn wait_for_service_worker(&self) -> Result<()> {
        wait_until(
            Duration::from_secs(20),
            "the service worker to control the page",
            || async {
                let controlled = self
                    .client
                    .execute("return navigator.serviceWorker.controller !== null", vec![])
                    .await?;
                Ok(controlled.as_bool() == Some(true))
            },
        )
        .await
    }

    /// The value of `attribute` on the first element matching `css`, or
    /// `None` while there is no such element.
    pub async fn attribute(&self, css: &str, attribute: &str) -> Result<Option<String>> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(element.attr(attribute).await?),
            Err(error) if error.is_no_such_element() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// What a form control holds now (its `value` property, which follows
    /// typing and the app's own writes, unlike the attribute).
    pub async fn value(&self, css: &str) -> Result<String> {
        let value = self
            .client
            .execute(
                "const input = document.querySelector(arguments[0]);
                 return input ? input.value : null;",
                vec![json!(css)],
            )
            .await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// The text of the first element matching `css`, or `None`.
    pub async fn text(&self, css: &str) -> Result<Option<String>> {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => Ok(Some(element.text().await?)),
            Err(error) if error.is_no_such_element() => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    /// Where this Chromium takes DevTools Protocol connections of its own
    /// (`host:port`, as chromedriver reports it), for a benchmark that
    /// listens to every target's network events, service workers' too.
    pub fn debugger_address(&self) -> Result<String> {
        self.client
            .capabilities()
            .and_then(|c| c.get("goog:chromeOptions"))
            .and_then(|options| options["debuggerAddress"].as_str())
            .map(str::to_owned)
            .context("chromedriver reported no debuggerAddress")
    }

    pub async fn close(mut self) -> Result<()> {
        let result = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        result.map_err(Into::into)
    }
}

impl Drop for Browser {
    /// A browser dropped without `close` (a test that failed or ended
    /// early) must not outlive its test: killing chromedriver leaves its
    /// Chromium running, so the processes started with this browser's own
    /// profile folder are killed too. Left behind, they hold memory and
    /// CPU, and a benchmark's renderer memory counts them (seen on
    /// 2026-11-28: 60 Chromium processes left from the day's test runs).
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", "--"])
            .arg(format!("--user-data-dir={}", self.profile.path().display()))
            .status();
    }
}

/// Polls `check` until it says yes, failing with `what` after `timeout`.
pub async fn wait_until<F, Fut>(timeout: Duration, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + timeout;
    let mut last_error = None;
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(error) => last_error = Some(error),
        }
        if Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what} (last error: {last_error:?})");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits for a finished download called `name` in `folder` (Chromium
/// writes it under another name until it is whole) and returns its bytes.
pub async fn downloaded(folder: &Path, name: &str) -> Result<Vec<u8>> {
    let path = folder.join(name);
    wait_until(
        Duration::from_secs(15),
        &format!("{name} downloaded"),
        || async { Ok(path.exists()) },
    )
    .await?;
    Ok(std::fs::read(&path)?)
}

/// Copies a folder with everything in it (a built app to change in a test).
pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
