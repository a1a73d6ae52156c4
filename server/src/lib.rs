//! The Tongxin server: syncs field devices and serves the admin views.
//!
//! Run it with `cargo xtask run` (builds the app, loads demo data) or
//! `tongxin-server --help`. It is stateless apart from its database.
//!
//! Endpoints (JSON; all but login, ping and health need `Authorization: Bearer`
//! with a token from login):
//! - `GET  /api/health`: liveness.
//! - `GET  /api/ping`: 204 and nothing else, for phones to tell "offline" quickly.
//! - `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/auth/me`.
//! - `GET  /api/reference`: the user's stations, for the app's forms offline.
//! - `POST /api/sync/push`: apply a device's mutations, idempotently.
//! - `GET  /api/sync/pull?cursor=…`: changes after a cursor, paged.
//! - `GET  /api/admin/summary`, `GET /api/admin/activities`: merged figures
//!   (admins only).
//! - everything else: the built app (`--static-dir`, else the one embedded
//!   in the binary, see [`embedded`]), with `index.html` for the app's own
//!   routes.

pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod embedded;
pub mod error;
pub mod photos;
pub mod report;
pub mod routes;
pub mod serve;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::Context;
use axum::Router;
use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tongxin_shared::hlc::{Hlc, HlcClock};
use uuid::Uuid;

use crate::{config::Config, db::Db};

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Where photos' bytes are kept.
    pub photos: photos::PhotoStore,
    clock: Arc<Mutex<HlcClock>>,
    pulls: PullTurns,
}

/// Pulls one account may have running at once in one process. More wait
/// their turn (holding no database connection), so twenty pulls at a time
/// from one account hold one of the long-read turns every other user's
/// pulls and exports share; a phone and a tablet of one user take turns
/// (a page takes well under a second).
pub const PULLS_PER_ACCOUNT: usize = 1;

type PullTurns = Arc<Mutex<HashMap<Uuid, Arc<Semaphore>>>>;

/// One of an account's running pulls.
pub struct PullTurn {
    permit: Option<OwnedSemaphorePermit>,
    semaphore: Arc<Semaphore>,
    turns: PullTurns,
    user: Uuid,
}

impl Drop for PullTurn {
    fn drop(&mut self) {
        self.permit.take();
        let mut turns = self
            .turns
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Nobody else holds or waits for one of this account's turns (the
        // map's and this one are the only references): forget it.
        if Arc::strong_count(&self.semaphore) == 2 {
            turns.remove(&self.user);
        }
    }
}

impl AppState {
    pub fn new(db: Db, photos: photos::PhotoStore) -> AppState {
        // Each server process is its own clock node, so replicas behind a
        // balancer never hand out equal stamps.
        AppState {
            db,
            photos,
            clock: Arc::new(Mutex::new(HlcClock::new(uuid::Uuid::new_v4()))),
            pulls: Arc::default(),
        }
    }

    /// A turn for one more pull of `user`'s: at once, or when one of
    /// their [`PULLS_PER_ACCOUNT`] running pulls ends.
    pub async fn pull_turn(&self, user: Uuid) -> PullTurn {
        let semaphore = self
            .pulls
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .entry(user)
            .or_insert_with(|| Arc::new(Semaphore::new(PULLS_PER_ACCOUNT)))
            .clone();
        let permit = semaphore
            .clone()
            .acquire_owned()
            .await
            .expect("an account's pull semaphore is never closed");
        PullTurn {
            permit: Some(permit),
            semaphore,
            turns: self.pulls.clone(),
            user,
        }
    }

    /// The time now, and a fresh stamp from the server's clock.
    pub fn now(&self) -> (DateTime<Utc>, Hlc) {
        let now = Utc::now();
        let physical_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let stamp = self
            .clock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .stamp(physical_ms);
        (now, stamp)
    }
}

/// The whole HTTP surface, so tests can drive it without a socket.
pub fn app(state: AppState, config: &Config) -> Router {
    routes::router(state, config.static_dir.as_deref(), config.login_limit())
}

/// Serves the API (no app files) on a free loopback port inside this
/// process and returns its base URL: for tests and benchmarks.
pub async fn spawn_on_loopback(state: AppState) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let app = routes::router(state, None, config::LoginLimit::default());
    tokio::spawn(serve::serve(
        listener,
        app,
        config::DEFAULT_CONNECTIONS_PER_ADDRESS,
        std::future::pending(),
    ));
    Ok(url)
}

/// Opens the database, loads demo data if asked, and serves until Ctrl-C or
/// SIGTERM; requests in flight are finished before it returns.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let state = AppState::new(
        Db::open(&config.database_url).await?,
        photos::PhotoStore::open(&config.photo_store())?,
    );
    if config.demo {
        load_demo(&state).await?;
    }
    photos::sweep_every_hour(
        state.db.clone(),
        state.photos.clone(),
        Duration::from_secs(config.photo_grace_hours.saturating_mul(3_600)),
    );
    // `--static-dir` wins; else the app this binary holds, written once
    // per build to a private folder of the temporary directory.
    let unpacked = match config.static_dir {
        Some(_) => None,
        None => embedded::unpack()?,
    };
    match (&config.static_dir, &unpacked) {
        (Some(dir), _) => tracing::info!(dir = %dir.display(), "serving the app from --static-dir"),
        (None, Some(dir)) => tracing::info!(
            unpacked_to = %dir.display(),
            "serving the app embedded in this binary"
        ),
        (None, None) => {
            tracing::info!("no app to serve (no --static-dir, none embedded): the API only")
        }
    }
    let config = Config {
        static_dir: config.static_dir.clone().or(unpacked),
        ..config
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let address = listener.local_addr()?;
    // Tests and `cargo xtask run` read this line to learn the port.
    println!("tongxin-server listening on http://{address}");
    // The URL's password, if any, stays out of the log.
    let database = db::redact(&config.database_url);
    tracing::info!(%address, %database, "serving");
    let app = app(state, &config);
    serve::serve(
        listener,
        app,
        config.max_connections_per_address,
        shutdown_signal(),
    )
    .await;
    tracing::info!("stopped");
    Ok(())
}

async fn load_demo(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    if db.stations().await?.is_empty() {
        db.insert_stations(&demo::stations()).await?;
        db.insert_activities(&demo::activities(), "demo", state.now().1)
            .await?;
        db.insert_livestream(&demo::livestream(state.now().1), "demo")
            .await?;
        tracing::info!("demo data loaded");
    }
    if !db.users().await?.is_empty() {
        return Ok(());
    }
    for account in demo::accounts() {
        db.create_user(&db::NewUser {
            username: account.username.into(),
            display_name: account.display_name.into(),
            role: account.role,
            password_hash: auth::hash_password(demo::DEMO_PASSWORD)?,
            stations: account.stations.iter().map(|s| (*s).to_owned()).collect(),
        })
        .await?;
    }
    tracing::info!("demo accounts created");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}

/// How long one request may take before the server gives up on it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
