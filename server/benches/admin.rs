//! `cargo xtask bench admin`: the admin's page at district scale.
//!
//! - over 1,000,000 activities and 100,000 sale lines, in SQLite and then
//!   in PostgreSQL (a fresh database on the server at
//!   `TONGXIN_TEST_POSTGRES_URL`, which `cargo xtask bench admin` starts
//!   and sets): the headline figures (activities and sales), one filtered breakdown (a
//!   street's months for one category in half a year) and the report
//!   filtered by a partner region and half a year, each through the HTTP
//!   API, p50 and p99, beside the bare aggregate SQL of the same figures
//!   run on the same database in the same run;
//! - the XLSX export of 100,000 rows over HTTP (SQLite): time, and the process's
//!   peak resident memory while exporting;
//! - on the same databases, with 10,000 proposals (half taken up, pushed
//!   through sync): the work report (.docx) of a year, p50 and p99 and the
//!   process's peak resident memory while it is written, beside the JSON
//!   report of the same filter (the same queries, no document); and the
//!   proposals board over HTTP, unfiltered and by state, beside the bare
//!   SQL of its counts.
//!
//! Prints the figures and writes them to `target/bench/admin.json`.

mod common;

use std::time::{Duration, Instant};

use common::{peak_rss, reset_peak_rss};

use chrono::NaiveDate;
use serde_json::json;
use sqlx::Connection;
use tongxin_server::{
    AppState, auth,
    db::{Backend, Db, NewUser},
    demo,
    photos::PhotoStore,
};
use tongxin_shared::{
    Activity, LivestreamSession, PartnerRegion, Product, SaleLine,
    account::Role,
    hlc::{Hlc, HlcClock},
    livestream::{LivestreamRecord, ProductRecord, RegionRecord, SaleLineRecord, SessionRecord},
    proposal::{Proposal, ProposalItem, ProposalRecord, ProposalStep, StepKind, StepRecord},
    sync::{
        Change, MAX_PUSH_MUTATIONS, Mutation, Outcome, PROTOCOL_VERSION, PushRequest, PushResponse,
    },
};
use uuid::Uuid;

const ACTIVITIES: u64 = 1_000_000;
const PROPOSALS: usize = 10_000;
const EXPORT_ROWS: u64 = 100_000;
const RUNS: usize = 50;
/// The filtered breakdown: one street, one category, one year, by month.
const FILTER: &str = "street=%E5%A1%94%E5%AD%90%E6%B9%96%E8%A1%97%E9%81%93&category=health_clinic&from=2026-01-01&to=2026-06-30";

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// p50 and p99 in ms of `RUNS` timed calls.
async fn timed<F, Fut>(mut call: F) -> (f64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    call().await; // warm the page cache and the statement cache
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        call().await;
        times.push(start.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

/// Where a run's data lives: a SQLite file in a folder of its own, or a
/// fresh PostgreSQL database, dropped at the end.
enum Store {
    /// Kept for its lifetime: the folder is deleted when it is dropped.
    Sqlite {
        _folder: tempfile::TempDir,
    },
    Postgres {
        server: String,
        name: String,
    },
}

impl Store {
    async fn create(backend: Backend) -> (Store, String) {
        match backend {
            Backend::Sqlite => {
                let data = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", data.path().join("admin.sqlite").display());
                (Store::Sqlite { _folder: data }, url)
            }
            Backend::Postgres => {
                let server = std::env::var("TONGXIN_TEST_POSTGRES_URL").expect(
                    "TONGXIN_TEST_POSTGRES_URL: a PostgreSQL server to create the benchmark's \
                     database on (`cargo xtask bench admin` starts one and sets it)",
                );
                let name = format!("tongxin_bench_{}", Uuid::new_v4().simple());
                let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&server).unwrap();
                url.set_path(&name);
                (Store::Postgres { server, name }, url.to_string())
            }
        }
    }

    async fn remove(self) {
        if let Store::Postgres { server, name } = self {
            let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await
                .unwrap();
        }
    }
}

/// A connection pool of the backend's own driver, for the bare SQL.
enum Bare {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Bare {
    async fn connect(url: &str) -> Bare {
        match Backend::of_url(url).unwrap() {
            Backend::Sqlite => Bare::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap()),
            Backend::Postgres => Bare::Postgres(sqlx::PgPool::connect(url).await.unwrap()),
        }
    }

    /// p50 and p99 of `sql`, every row fetched.
    async fn timed(&self, sql: &'static str) -> (f64, f64) {
        timed(|| async move {
            match self {
                Bare::Sqlite(pool) => drop(sqlx::query(sql).fetch_all(pool).await.unwrap()),
                Bare::Postgres(pool) => drop(sqlx::query(sql).fetch_all(pool).await.unwrap()),
            }
        })
        .await
    }
}

async fn filled(backend: Backend, activities: u64) -> (Store, Db, String) {
    let (store, url) = Store::create(backend).await;
    let db = Db::open(&url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let stamp = HlcClock::new(Uuid::now_v7()).stamp(chrono::Utc::now().timestamp_millis() as u64);
    let start = Instant::now();
    for chunk in (0..activities).collect::<Vec<_>>().chunks(20_000) {
        let rows: Vec<Activity> = chunk.iter().map(|n| demo::synthetic_activity(*n)).collect();
        db.insert_activities(&rows, "bench", stamp).await.unwrap();
    }
    println!(
        "loaded {activities} activities in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    db.insert_livestream(&livestream_room(SALE_LINES, stamp), "bench")
        .await
        .unwrap();
    println!(
        "loaded {SALE_LINES} sale lines (with {REGIONS} regions, {PRODUCTS} products, {SESSIONS} sessions) in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    db.create_user(&NewUser {
        username: "bench".into(),
        display_name: "bench".into(),
        role: Role::Admin,
        password_hash: auth::hash_password("bench-password").unwrap(),
        stations: Vec::new(),
    })
    .await
    .unwrap();
    if backend == Backend::Postgres {
        // As autovacuum would soon after a load this size: the planner's
        // statistics, so the first runs are not planned blind.
        let mut connection = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("ANALYZE")
            .execute(&mut connection)
            .await
            .unwrap();
    }
    (store, db, url)
}

const SALE_LINES: u64 = 100_000;
const REGIONS: u64 = 20;
const PRODUCTS: u64 = 200;
const SESSIONS: u64 = 1_000;

/// A busy livestream room: regions, products spread over them, sessions
/// over 2026, and `lines` sale lines spread over sessions and products.
fn livestream_room(lines: u64, stamp: Hlc) -> Vec<LivestreamRecord> {
    let id = |kind: u64, n: u64| Uuid::from_u128((u128::from(kind) << 64) | u128::from(n));
    let mut records = Vec::new();
    for n in 0..REGIONS {
        let region = PartnerRegion {
            id: id(1, n),
            name: format!("地区 {n}"),
            province: "新疆".into(),
        };
        records.push(LivestreamRecord::Region(RegionRecord::new(&region, stamp)));
    }
    for n in 0..PRODUCTS {
        let product = Product {
            id: id(2, n),
            name: format!("商品 {n}"),
            region_id: id(1, n % REGIONS),
            unit: "件".into(),
            price_fen: 1_000 + n * 10,
        };
        records.push(LivestreamRecord::Product(ProductRecord::new(
            &product, stamp,
        )));
    }
    for n in 0..SESSIONS {
        let session = LivestreamSession {
            id: id(3, n),
            number: n as u32 + 1,
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n % 300),
            platform: "抖音".into(),
            host: "主播".into(),
            partners: String::new(),
            viewers: 1_000,
        };
        records.push(LivestreamRecord::Session(SessionRecord::new(
            &session, stamp,
        )));
    }
    for n in 0..lines {
        let line = SaleLine {
            id: id(4, n),
            session_id: id(3, n % SESSIONS),
            product_id: id(2, (n * 7) % PRODUCTS),
            units: (n % 50) as u32 + 1,
            amount_fen: ((n % 50) + 1) * 1_000,
            orders: (n % 40) as u32 + 1,
        };
        records.push(LivestreamRecord::SaleLine(SaleLineRecord::new(
            &line, stamp,
        )));
    }
    records
}

/// Pushes `PROPOSALS` proposals as the bench admin's phone would, then
/// takes half of them up: through sync, 500 changes a push.
async fn push_proposals(client: &reqwest::Client, base: &str, token: &str) {
    let device = Uuid::now_v7();
    let mut clock = HlcClock::new(device);
    let today = chrono::Utc::now().date_naive();
    let mut items = Vec::new();
    let mut proposals = Vec::new();
    for n in 0..PROPOSALS {
        let proposal = Proposal {
            id: Uuid::now_v7(),
            title: format!("关于第{n}号社区助老的建议"),
            body: "建议增设助老食堂，解决独居老人午餐问题。".repeat(5),
            proposer: "bench".into(),
            group: ["minge", "minjian", "xinlianhui"][n % 3].into(),
            topic: "养老".into(),
            street: "塔子湖街道".into(),
            station_id: None,
            date: NaiveDate::from_ymd_opt(2026, 1 + (n % 11) as u32, 1 + (n % 28) as u32)
                .unwrap()
                .min(today),
        };
        let stamp = clock.stamp(chrono::Utc::now().timestamp_millis() as u64);
        items.push(ProposalItem::Proposal(ProposalRecord::new(
            &proposal, stamp,
        )));
        proposals.push(proposal);
    }
    for proposal in proposals.iter().step_by(2) {
        let step = ProposalStep {
            id: Uuid::now_v7(),
            proposal_id: proposal.id,
            kind: StepKind::TakenUp,
            text: String::new(),
            responsible: "区民政局".into(),
            due: Some(proposal.date + chrono::Days::new(30)),
            satisfied: None,
            author: "bench".into(),
            date: proposal.date,
        };
        let stamp = clock.stamp(chrono::Utc::now().timestamp_millis() as u64);
        items.push(ProposalItem::Step(StepRecord::new(&step, stamp)));
    }
    for (batch, chunk) in items.chunks(MAX_PUSH_MUTATIONS).enumerate() {
        let request = PushRequest {
            protocol: PROTOCOL_VERSION,
            device_id: device,
            mutations: chunk
                .iter()
                .enumerate()
                .map(|(i, item)| Mutation {
                    seq: (batch * MAX_PUSH_MUTATIONS + i + 1) as u64,
                    change: Change::PutProposal(item.clone()),
                })
                .collect(),
        };
        let answer: PushResponse = client
            .post(format!("{base}/api/sync/push"))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            answer
                .results
                .iter()
                .all(|r| r.outcome == Outcome::Accepted),
            "{:?}",
            answer
                .results
                .iter()
                .find(|r| r.outcome != Outcome::Accepted)
        );
    }
}

async fn login(base: &str) -> String {
    let session: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({ "username": "bench", "password": "bench-password" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["token"].as_str().unwrap().to_owned()
}

async fn figures(backend: Backend) -> serde_json::Value {
    println!("{backend:?}:");
    let (store, db, url) = filled(backend, ACTIVITIES).await;
    let base = tongxin_server::spawn_on_loopback(AppState::new(db, PhotoStore::in_memory()))
        .await
        .unwrap();
    let token = login(&base).await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let response = client.get(path).bearer_auth(token).send().await.unwrap();
            assert!(response.status().is_success());
            response.bytes().await.unwrap();
        }
    };
    let summary = timed(|| get(format!("{base}/api/admin/summary"))).await;
    let breakdown = timed(|| get(format!("{base}/api/admin/report?{FILTER}"))).await;
    let region = Uuid::from_u128(1 << 64);
    let sales_report = timed(|| {
        get(format!(
            "{base}/api/admin/report?from=2026-03-01&to=2026-08-31&region={region}"
        ))
    })
    .await;

    // Proposals, pushed as a phone would, and the report and board over
    // them.
    push_proposals(&client, &base, &token).await;
    let year = "from=2026-01-01&to=2026-12-31";
    let json_report = timed(|| get(format!("{base}/api/admin/report?{year}"))).await;
    reset_peak_rss();
    let docx = timed(|| get(format!("{base}/api/admin/report.docx?{year}"))).await;
    let docx_peak = peak_rss();
    let board = timed(|| get(format!("{base}/api/admin/proposals"))).await;
    let board_by_state = timed(|| get(format!("{base}/api/admin/proposals?state=taken_up"))).await;

    // The same aggregates as bare SQL over every activity: what the page
    // would cost without the running totals.
    let bare = Bare::connect(&url).await;
    let bare_board_counts = bare
        .timed("SELECT state, COUNT(*) FROM proposals WHERE NOT deleted GROUP BY state")
        .await;
    let bare_summary = bare
        .timed(
            "SELECT COUNT(*), SUM(people_served), SUM(volunteers), COUNT(DISTINCT station_id)
             FROM activities WHERE NOT deleted",
        )
        .await;
    let bare_breakdown = bare
        .timed(
            "SELECT substr(a.date, 1, 7), COUNT(*), SUM(a.people_served), SUM(a.volunteers)
             FROM activities a JOIN stations s ON s.id = a.station_id
             WHERE NOT a.deleted AND s.street = '塔子湖街道' AND a.category = 'health_clinic'
               AND a.date >= '2026-01-01' AND a.date <= '2026-06-30'
             GROUP BY 1",
        )
        .await;
    // The sales figures as bare SQL over the sale lines alone (no joins,
    // no filter): the floor for any query that reads every line.
    let bare_sales = bare
        .timed("SELECT SUM(units), SUM(amount_fen), SUM(orders) FROM sale_lines WHERE NOT deleted")
        .await;
    let bare_sales_by_region = bare
        .timed(
            "SELECT p.region_id, SUM(l.units), SUM(l.amount_fen), SUM(l.orders)
             FROM sale_lines l JOIN products p ON p.id = l.product_id
             JOIN livestream_sessions s ON s.id = l.session_id
             WHERE NOT l.deleted AND NOT s.deleted
             GROUP BY 1",
        )
        .await;
    // The same figures as bare SQL over the running totals the server reads.
    let totals_summary = bare
        .timed(
            "SELECT SUM(activities), SUM(people_served), SUM(volunteers),
                    COUNT(DISTINCT station_id)
             FROM activity_totals WHERE activities > 0",
        )
        .await;
    let totals_breakdown = bare
        .timed(
            "SELECT substr(a.date, 1, 7), SUM(a.activities), SUM(a.people_served), SUM(a.volunteers)
             FROM activity_totals a JOIN stations s ON s.id = a.station_id
             WHERE a.activities > 0 AND s.street = '塔子湖街道' AND a.category = 'health_clinic'
               AND a.date >= '2026-01-01' AND a.date <= '2026-06-30'
             GROUP BY 1",
        )
        .await;
    drop(bare);
    store.remove().await;
    println!(
        "work report (.docx) of a year over {ACTIVITIES} activities, {SALE_LINES} sale lines and {PROPOSALS} proposals: p50 {:.1} ms, p99 {:.1} ms, peak resident memory while writing {:.1} MB (the JSON report of the same filter p50 {:.1} ms, p99 {:.1} ms)",
        docx.0,
        docx.1,
        docx_peak as f64 / 1e6,
        json_report.0,
        json_report.1
    );
    println!(
        "proposals board over {PROPOSALS} proposals: p50 {:.1} ms, p99 {:.1} ms; by state p50 {:.1} ms, p99 {:.1} ms (bare SQL of the counts p50 {:.2} ms, p99 {:.2} ms)",
        board.0,
        board.1,
        board_by_state.0,
        board_by_state.1,
        bare_board_counts.0,
        bare_board_counts.1
    );
    println!(
        "bare SQL over the running totals: summary p50 {:.2} ms, p99 {:.2} ms; one breakdown p50 {:.2} ms, p99 {:.2} ms",
        totals_summary.0, totals_summary.1, totals_breakdown.0, totals_breakdown.1
    );
    println!(
        "admin summary over {ACTIVITIES} activities: p50 {:.1} ms, p99 {:.1} ms (bare SQL p50 {:.1} ms, p99 {:.1} ms)",
        summary.0, summary.1, bare_summary.0, bare_summary.1
    );
    println!(
        "filtered report (one street, one category, half a year; every breakdown): p50 {:.1} ms, p99 {:.1} ms (bare SQL of one breakdown p50 {:.1} ms, p99 {:.1} ms)",
        breakdown.0, breakdown.1, bare_breakdown.0, bare_breakdown.1
    );
    println!(
        "sales over {SALE_LINES} sale lines: report filtered by region and half a year p50 {:.1} ms, p99 {:.1} ms; bare SQL sums over every line p50 {:.1} ms, p99 {:.1} ms; bare SQL by region p50 {:.1} ms, p99 {:.1} ms",
        sales_report.0,
        sales_report.1,
        bare_sales.0,
        bare_sales.1,
        bare_sales_by_region.0,
        bare_sales_by_region.1
    );
    json!({
        "activities": ACTIVITIES,
        "sale_lines": SALE_LINES,
        "runs": RUNS,
        "sales_report_by_region_ms": { "p50": sales_report.0, "p99": sales_report.1 },
        "sales_sums_bare_sql_ms": { "p50": bare_sales.0, "p99": bare_sales.1 },
        "sales_by_region_bare_sql_ms": { "p50": bare_sales_by_region.0, "p99": bare_sales_by_region.1 },
        "summary_ms": { "p50": summary.0, "p99": summary.1 },
        "proposals": PROPOSALS,
        "work_report_docx_year_ms": { "p50": docx.0, "p99": docx.1 },
        "work_report_docx_peak_rss_bytes": docx_peak,
        "report_json_year_ms": { "p50": json_report.0, "p99": json_report.1 },
        "proposal_board_ms": { "p50": board.0, "p99": board.1 },
        "proposal_board_by_state_ms": { "p50": board_by_state.0, "p99": board_by_state.1 },
        "proposal_counts_bare_sql_ms": { "p50": bare_board_counts.0, "p99": bare_board_counts.1 },
        "summary_bare_sql_ms": { "p50": bare_summary.0, "p99": bare_summary.1 },
        "filtered_report_ms": { "p50": breakdown.0, "p99": breakdown.1 },
        "filtered_breakdown_bare_sql_ms": { "p50": bare_breakdown.0, "p99": bare_breakdown.1 },
        "summary_bare_sql_over_totals_ms": { "p50": totals_summary.0, "p99": totals_summary.1 },
        "filtered_breakdown_bare_sql_over_totals_ms": { "p50": totals_breakdown.0, "p99": totals_breakdown.1 },
    })
}

async fn export() -> serde_json::Value {
    let (_store, db, _url) = filled(Backend::Sqlite, EXPORT_ROWS).await;
    let base = tongxin_server::spawn_on_loopback(AppState::new(db, PhotoStore::in_memory()))
        .await
        .unwrap();
    let token = login(&base).await;
    let before = peak_rss();
    reset_peak_rss();
    let start = Instant::now();
    let mut response = reqwest::Client::new()
        .get(format!("{base}/api/admin/export/activities.xlsx"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let mut bytes = 0usize;
    while let Some(chunk) = response.chunk().await.unwrap() {
        bytes += chunk.len();
    }
    let seconds = start.elapsed().as_secs_f64();
    let peak = peak_rss();
    println!(
        "XLSX export of {EXPORT_ROWS} rows: {seconds:.2} s, {:.1} MB file; peak resident memory while exporting {:.1} MB (process peak before {:.1} MB)",
        bytes as f64 / 1e6,
        peak as f64 / 1e6,
        before as f64 / 1e6
    );
    json!({
        "rows": EXPORT_ROWS,
        "seconds": seconds,
        "bytes": bytes,
        "peak_rss_bytes_during_export": peak,
        "peak_rss_bytes_before": before,
    })
}

#[tokio::main]
async fn main() {
    // The export first, while the process is small, so its peak is its own.
    let export = export().await;
    let sqlite = figures(Backend::Sqlite).await;
    let postgres = figures(Backend::Postgres).await;
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    let path = out.join("admin.json");
    let report = json!({ "sqlite": sqlite, "postgres": postgres, "xlsx_export": export });
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap()).unwrap();
    println!("written to {}", path.display());
}
