//! Project automation: `cargo xtask <command>`.
//!
//! - `run`:   install what is missing, build the app, start the server on
//!   127.0.0.1:8080 with demo data in `./data/`.
//! - `test`:  install what is missing, then fmt, clippy, native tests, the
//!   end-to-end tests, the server's API tests again on PostgreSQL, and the
//!   front end's browser tests.
//! - `build`: build the front end into `target/dist/`.
//! - `dist`:  build the one file to deploy: the front end, then a release
//!   `target/release/tongxin-server` with the app inside it.
//! - `bench sync`: server ingest and load, beside raw SQLite; figures
//!   printed and written to `target/bench/`.
//! - `postgres`: start the project's PostgreSQL test server (as `test`
//!   and `bench admin` do) and print its URL.
//! - `fuzz`: the push and pull decoders and the cursor parser under
//!   random input, many more cases than `test` runs.
//! - `chaos`: the seeded randomized sync run (`server/tests/api/chaos.rs`)
//!   over many seeds, on SQLite and on two servers over PostgreSQL.
//!
//! Each step prints one line saying what it does and why, so a long first
//! run is never silent.

mod postgres;
mod s3;
mod setup;
mod web;

use std::{
    ffi::OsStr,
    path::{Path, PathBuf},
    process::{Command, ExitCode},
};

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <run|test|build|dist|bench|chaos|fuzz|postgres> [--listen ADDR]

  run         build everything and start the server with demo data (Ctrl-C stops it)
  test        run every check and test: fmt, clippy, native, end-to-end, the API on PostgreSQL, browser
  build       build the front end into target/dist/
  dist        build the one file to deploy: target/release/tongxin-server, the app inside (README: Deploy)
  bench sync  measure server ingest and load beside raw SQLite (target/bench/sync.json)
  bench ui    measure the two bundles beside a plain Leptos counter; time to a usable form, plain and throttled; bytes of a first visit and of an initial sync from the browser's network events; rendering 1,000 and 10,000 records (target/bench/ui_*.json)
  bench load  another user's login and push p99 beside ten slow exports and twenty pulls at once; a 1,000,000-row XLSX export (target/bench/load.json)
  bench photos shrinking camera photos on the phone beside the image crate; sending 50 at 1.6 Mbit/s (bytes sent ÷ bytes stored); the admin's thumbnails of 100 activities (target/bench/photos.json)
  bench admin measure the admin's figures over 1,000,000 activities and 100,000 sale lines, an XLSX export, the work report (.docx) and the proposals board over 10,000 proposals (target/bench/admin.json)
  chaos       the randomized sync run: --seeds N (50) --minutes M per backend (10) --first-seed S (1)
              --backend sqlite|postgres|both (both); --seed S --steps N replays one seed
  fuzz        the request decoders under random input (server/tests/api/fuzz.rs): --cases N per target (20000)
              --backend sqlite|postgres|both (both); --seed S replays one run
  postgres    start the PostgreSQL test server that test and bench admin use, if it is not running, and print its URL
  s3          start the S3-compatible test server (SeaweedFS) the photos' tests use, if it is not running, and print its URL";

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("run") => run(&root, &args[1..]),
        Some("test") => test(&root),
        Some("build") => {
            let toolchain = setup::wasm_toolchain()?;
            web::build_dist(&root, &toolchain).map(drop)
        }
        Some("dist") => dist(&root),
        Some("bench") => bench(&root, &args[1..]),
        Some("chaos") => chaos(&root, &args[1..]),
        Some("fuzz") => fuzz(&root, &args[1..]),
        Some("postgres") => {
            println!("{}", postgres::ensure_server(&root)?);
            Ok(())
        }
        Some("s3") => {
            println!("{}", s3::ensure_server(&root)?);
            Ok(())
        }
        Some("help" | "--help" | "-h") | None => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn run(root: &Path, args: &[String]) -> Result<()> {
    let listen = match args {
        [] => "127.0.0.1:8080".to_owned(),
        [flag, addr] if flag == "--listen" => addr.clone(),
        _ => bail!("{USAGE}"),
    };
    let toolchain = setup::wasm_toolchain()?;
    let dist = web::build_dist(root, &toolchain)?;
    step("building the server");
    cargo(&[
        "build",
        "--package",
        "tongxin-server",
        "--bin",
        "tongxin-server",
    ])?;
    let database = "sqlite://data/tongxin.sqlite";
    println!();
    println!("  Tongxin is starting on http://{listen}/");
    println!("    field app (volunteers, organisers' livestream room):  http://{listen}/");
    println!("    admin view (figures, sales, exports):                 http://{listen}/admin");
    println!("    accounts and stations (admins):                       http://{listen}/manage");
    println!(
        "  Data: {} (demo data loaded when empty)",
        root.join("data/tongxin.sqlite").display()
    );
    println!("  Demo accounts (password for each: tongxin-demo):");
    println!("    admin       admin: every station, the admin view, accounts, the livestream room");
    println!("    volunteer   volunteer at 先锋社区 and 红石榴工作站 (塔子湖街道)");
    println!("    volunteer2  volunteer at 尚荣社区 (后湖街道)");
    println!("    organiser   livestream organiser: sessions, products, sales (the 7th session)");
    // The binary this command just built, run from the project root where
    // the database is.
    println!("  Real accounts: target/debug/tongxin-server user add NAME --role admin");
    println!("  Ctrl-C stops the server.");
    println!();
    let status = Command::new(root.join("target/debug/tongxin-server"))
        .args([
            "--listen",
            &listen,
            "--database-url",
            database,
            "--demo",
            "--static-dir",
        ])
        .arg(&dist)
        .status()
        .context("cannot start tongxin-server")?;
    // Ctrl-C reaches the server too; it shuts down cleanly and exits 0.
    if !status.success() {
        bail!("tongxin-server exited with {status}");
    }
    Ok(())
}

/// Builds the front end, then a release server that embeds it
/// (`server/src/embedded.rs`): a binary that needs no other file, where
/// cargo put it.
fn dist(root: &Path) -> Result<()> {
    let toolchain = setup::wasm_toolchain()?;
    web::build_dist(root, &toolchain)?;
    step("building the release server with the app inside it (takes a few minutes)");
    cargo(&[
        "build",
        "--release",
        "--package",
        "tongxin-server",
        "--bin",
        "tongxin-server",
    ])?;
    let binary = root.join("target/release/tongxin-server");
    let size = std::fs::metadata(&binary)
        .with_context(|| format!("no server binary at {}", binary.display()))?
        .len();
    println!();
    println!("  The one file to deploy: {}", binary.display());
    println!(
        "  ({:.1} MB, the app inside: run it without --static-dir; see README, Deploy)",
        size as f64 / 1e6
    );
    Ok(())
}

fn bench(root: &Path, args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("sync") => {}
        Some("ui") => return bench_ui(root),
        Some("admin") => {
            let postgres = postgres::ensure_server(root)?;
            step(
                "benchmarking the admin's figures and export (release build; loads 1,000,000 activities)",
            );
            return cargo_env(
                &["bench", "--package", "tongxin-server", "--bench", "admin"],
                &[(POSTGRES_URL, OsStr::new(&postgres))],
            );
        }
        Some("photos") => {
            let app = App::build(root, Profile::Release)?;
            step(
                "benchmarking photos: shrinking camera photos on the phone beside the image crate, sending 50 at 1.6 Mbit/s, the admin's thumbnails (release build, headless Chromium)",
            );
            return app.cargo(
                &["bench", "--package", "tongxin-tests", "--bench", "photos"],
                &[],
            );
        }
        Some("load") => {
            step(
                "benchmarking another user's login and push under load, and a 1,000,000-row XLSX export (release build)",
            );
            return cargo(&["bench", "--package", "tongxin-server", "--bench", "load"]);
        }
        _ => bail!("usage: cargo xtask bench sync|admin|load|ui|photos"),
    }
    step("benchmarking sync on the server (release build; takes a few minutes)");
    cargo(&["bench", "--package", "tongxin-server", "--bench", "sync"])?;
    let app = App::build(root, Profile::Release)?;
    step("benchmarking initial sync in headless Chromium (100,000 records)");
    app.cargo(
        &[
            "bench",
            "--package",
            "tongxin-tests",
            "--bench",
            "initial_sync",
        ],
        &[],
    )
}

/// Raw, gzip (best) and brotli (quality 11) sizes of some files together.
fn sizes(files: &[PathBuf]) -> Result<serde_json::Value> {
    let (mut raw, mut gzip, mut brotli) = (0usize, 0usize, 0usize);
    for file in files {
        let bytes =
            std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let (gz, br) = web::compressed(&bytes)?;
        raw += bytes.len();
        gzip += gz.len();
        brotli += br.len();
    }
    Ok(serde_json::json!({ "raw": raw, "gzip": gzip, "brotli": brotli }))
}

/// The built files under `dist` (and `dist/assets`) whose names start with
/// one of `prefixes`, without the `.br` and `.gz` copies.
fn built_assets(dist: &Path, prefixes: &[&str]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for dir in [dist.to_path_buf(), dist.join("assets")] {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if prefixes.iter().any(|p| name.starts_with(p))
                && !name.ends_with(".br")
                && !name.ends_with(".gz")
            {
                found.push(path);
            }
        }
    }
    Ok(found)
}

fn bench_ui(root: &Path) -> Result<()> {
    let app = App::build(root, Profile::Release)?;
    let counter = web::build_counter_baseline(root, &app.toolchain)?;
    // The phone's first page: index.html, boot.js, the CSS and the phone's
    // bundle. The office's bundle is fetched on office pages only.
    let phone = sizes(&built_assets(
        &app.dist,
        &["index.html", "boot-", "style-", "tongxin_frontend"],
    )?)?;
    let office = sizes(&built_assets(&app.dist, &["tongxin_office"])?)?;
    let baseline = sizes(&counter)?;
    let ratio =
        |key: &str| phone[key].as_f64().unwrap_or(0.0) / baseline[key].as_f64().unwrap_or(1.0);
    for (what, size) in [
        ("phone's first page (HTML + JS + wasm + CSS)", &phone),
        ("office bundle (JS + wasm)", &office),
        (
            "plain Leptos counter, same profile and wasm-opt (JS + wasm)",
            &baseline,
        ),
    ] {
        println!(
            "{what}: {} B raw, {} B gzip, {} B brotli",
            size["raw"], size["gzip"], size["brotli"]
        );
    }
    println!(
        "phone / counter (brotli): {:.2}; goal for the phone's first page: 150,000 B over the wire",
        ratio("brotli")
    );
    let out = root.join("target/bench");
    std::fs::create_dir_all(&out)?;
    let report = serde_json::json!({
        "phone_first_page": phone,
        "office_bundle": office,
        "leptos_counter_baseline": baseline,
        "ratio_phone_to_counter": { "raw": ratio("raw"), "gzip": ratio("gzip"), "brotli": ratio("brotli") },
        "goal_phone_first_page_bytes": 150_000,
    });
    std::fs::write(
        out.join("ui_size.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    // The counter as a page the browser bench opens beside the app (bytes
    // over the wire, first-visit times): a module script of its own, as the
    // Content-Security-Policy wants, and every file precompressed as the
    // app's are (brotli 11, gzip best), so the server sends both alike.
    let counter_dir = root.join("target/counter-dist");
    std::fs::write(
        counter_dir.join("index.html"),
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>counter</title></head><body>\n\
         <script type=\"module\" src=\"/counter/start.js\"></script></body></html>\n",
    )?;
    std::fs::write(
        counter_dir.join("start.js"),
        "import init from \"./tongxin_counter_baseline.js\";\ninit();\n",
    )?;
    web::precompress(&counter_dir)?;
    step(
        "timing the app in headless Chromium (first visit, service worker, 1,000 and 10,000 records, throttled too) and counting its bytes over the wire",
    );
    app.cargo(
        &["bench", "--package", "tongxin-tests", "--bench", "ui"],
        &[("TONGXIN_COUNTER_DIST", counter_dir.as_os_str())],
    )?;
    step(
        "the phone at scale in headless Chromium: initial sync, first page, filters and saves during syncs with 1,000, 10,000 and 100,000 records",
    );
    app.cargo(
        &[
            "bench",
            "--package",
            "tongxin-tests",
            "--bench",
            "phone_scale",
        ],
        &[],
    )
}

/// Runs the chaos test of the API suite over many seeds: `--seeds` of
/// them from `--first-seed`, sharing `--minutes` on each backend.
fn chaos(root: &Path, args: &[String]) -> Result<()> {
    let (mut seeds, mut minutes, mut first, mut backend, mut replay, mut steps) = (
        50u64,
        10f64,
        1u64,
        "both".to_owned(),
        None::<u64>,
        None::<u64>,
    );
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = || {
            value
                .parse::<f64>()
                .with_context(|| format!("{flag} takes a number, not {value:?}"))
        };
        match flag.as_str() {
            "--seeds" => seeds = number()? as u64,
            "--minutes" => minutes = number()?,
            "--first-seed" => first = number()? as u64,
            "--seed" => replay = Some(number()? as u64),
            "--steps" => steps = Some(number()? as u64),
            "--backend" => backend = value.clone(),
            _ => bail!("unknown flag {flag:?}\n{USAGE}"),
        }
    }
    if let Some(seed) = replay {
        (seeds, first) = (1, seed);
    }
    let backends = backends(&backend)?;
    let postgres = postgres::ensure_server(root)?;
    let seconds = (minutes * 60.0 / seeds.max(1) as f64).max(1.0).to_string();
    let (seeds, first) = (seeds.to_string(), first.to_string());
    let steps = steps.map(|n| n.to_string()).unwrap_or_default();
    for backend in backends {
        step(&format!(
            "chaos on {backend}: {seeds} seeds from {first}, {seconds} s of faults each"
        ));
        cargo_env(
            &[
                "test",
                "--package",
                "tongxin-server",
                "--test",
                "api",
                "chaos",
                "--",
                "--nocapture",
            ],
            &[
                (POSTGRES_URL, OsStr::new(&postgres)),
                ("TONGXIN_TEST_BACKEND", OsStr::new(backend)),
                ("TONGXIN_CHAOS_SEEDS", OsStr::new(&seeds)),
                ("TONGXIN_CHAOS_FIRST_SEED", OsStr::new(&first)),
                ("TONGXIN_CHAOS_SECONDS", OsStr::new(&seconds)),
                ("TONGXIN_CHAOS_STEPS", OsStr::new(&steps)),
            ],
        )?;
    }
    Ok(())
}

/// The databases `--backend` names, for `chaos` and `fuzz`.
fn backends(name: &str) -> Result<&'static [&'static str]> {
    Ok(match name {
        "sqlite" => &["sqlite"],
        "postgres" => &["postgres"],
        "both" => &["sqlite", "postgres"],
        other => bail!("--backend is sqlite, postgres or both, not {other:?}"),
    })
}

fn fuzz(root: &Path, args: &[String]) -> Result<()> {
    let (mut cases, mut backend, mut seed) = ("20000".to_owned(), "both".to_owned(), None);
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--cases" => cases = value.clone(),
            "--backend" => backend = value.clone(),
            "--seed" => seed = Some(value.clone()),
            _ => bail!("unknown flag {flag:?}\n{USAGE}"),
        }
    }
    let backends = backends(&backend)?;
    let postgres = postgres::ensure_server(root)?;
    for backend in backends {
        step(&format!(
            "fuzzing the request decoders on {backend}: {cases} cases per target"
        ));
        let mut env = vec![
            (POSTGRES_URL, OsStr::new(&postgres)),
            ("TONGXIN_TEST_BACKEND", OsStr::new(backend)),
            ("TONGXIN_FUZZ_CASES", OsStr::new(&cases)),
        ];
        if let Some(seed) = &seed {
            env.push(("PROPTEST_RNG_SEED", OsStr::new(seed)));
        }
        cargo_env(
            &[
                "test",
                "--package",
                "tongxin-server",
                "--test",
                "api",
                "fuzz",
                "--",
                "--nocapture",
            ],
            &env,
        )?;
    }
    Ok(())
}

fn test(root: &Path) -> Result<()> {
    step("checking formatting (cargo fmt --check)");
    cargo(&["fmt", "--all", "--check"])?;
    step("linting (cargo clippy --all-targets -D warnings)");
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;

    let app = App::build(root, Profile::Debug)?;
    let postgres = postgres::ensure_server(root)?;
    let on_postgres = [(POSTGRES_URL, OsStr::new(&postgres))];
    step(
        "running native unit and integration tests, then end-to-end tests (real server, headless Chromium)",
    );
    app.cargo(&["test", "--workspace"], &on_postgres)?;
    step("running the server's API tests again, on PostgreSQL");
    app.cargo(
        &["test", "--package", "tongxin-server", "--test", "api"],
        &[
            on_postgres[0],
            ("TONGXIN_TEST_BACKEND", OsStr::new("postgres")),
        ],
    )?;

    let s3 = s3::ensure_server(root)?;
    step("running the photos' API tests again, on an S3-compatible store (SeaweedFS)");
    app.cargo(
        &[
            "test",
            "--package",
            "tongxin-server",
            "--test",
            "api",
            "photos",
        ],
        &[("TONGXIN_TEST_S3", OsStr::new(&s3))],
    )?;
    step("running the server binary on that store (--photos s3://…)");
    app.cargo(
        &[
            "test",
            "--package",
            "tongxin-tests",
            "--test",
            "photo_bucket",
        ],
        &[("TONGXIN_TEST_S3", OsStr::new(&s3))],
    )?;

    step("running the front end's browser tests (wasm-bindgen-test in headless Chromium)");
    // The runner's own summary is the last thing printed.
    web::browser_tests(root, &app.toolchain, &app.browser)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    Debug,
    Release,
}

/// What the end-to-end tests and the browser benchmark drive: the built
/// app, a server binary and a browser.
struct App {
    toolchain: setup::WasmToolchain,
    browser: setup::Browser,
    dist: PathBuf,
    server: PathBuf,
}

impl App {
    fn build(root: &Path, profile: Profile) -> Result<App> {
        let toolchain = setup::wasm_toolchain()?;
        let browser = setup::browser()?;
        let dist = web::build_dist(root, &toolchain)?;
        step("building the server");
        let mut args = vec![
            "build",
            "--package",
            "tongxin-server",
            "--bin",
            "tongxin-server",
        ];
        if profile == Profile::Release {
            args.push("--release");
        }
        cargo(&args)?;
        let folder = if profile == Profile::Release {
            "release"
        } else {
            "debug"
        };
        Ok(App {
            toolchain,
            browser,
            dist,
            server: root.join("target").join(folder).join("tongxin-server"),
        })
    }

    /// Runs cargo telling `tongxin-tests` where the server, the app and the
    /// browser are, with some more environment.
    fn cargo(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Result<()> {
        let mut all = vec![
            ("TONGXIN_SERVER_BIN", self.server.as_os_str()),
            ("TONGXIN_DIST", self.dist.as_os_str()),
            ("CHROMEDRIVER", self.browser.chromedriver.as_os_str()),
            ("CHROMIUM", self.browser.chromium.as_os_str()),
            ("AXE_CORE_JS", self.browser.axe_core.as_os_str()),
        ];
        all.extend_from_slice(env);
        cargo_env(args, &all)
    }
}

/// Where the tests and the admin benchmark find the project's PostgreSQL
/// server (`postgres::ensure_server`), as a superuser that may create
/// databases of its own.
const POSTGRES_URL: &str = "TONGXIN_TEST_POSTGRES_URL";

/// Prints what is about to happen, so the user is never left waiting on a
/// silent terminal.
pub fn step(what: &str) {
    println!("xtask: {what}");
}

/// Runs the ordinary (rustup) cargo.
pub fn cargo(args: &[&str]) -> Result<()> {
    cargo_env(args, &[])
}

/// Runs the ordinary (rustup) cargo with some more environment.
pub fn cargo_env(args: &[&str], env: &[(&str, &OsStr)]) -> Result<()> {
    let status = Command::new("cargo")
        .args(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("cannot run cargo {}", args.join(" ")))?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}
