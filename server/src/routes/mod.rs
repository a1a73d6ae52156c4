//! HTTP routes. Handlers are named by resource and verb.

mod admin;
mod auth;
mod export;
mod extract;
mod sync;

use std::path::Path;

use axum::{
    Json, Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use tower_http::{
    services::{ServeDir, ServeFile},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{AppState, REQUEST_TIMEOUT, error::ApiError};

/// The largest request body accepted. A full push batch of the longest
/// valid records fits well inside; anything bigger is refused with 413
/// before it is read.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub fn router(state: AppState, static_dir: Option<&Path>) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/reference", get(sync::reference_get))
        .route("/sync/push", post(sync::sync_push))
        .route("/sync/pull", get(sync::sync_pull))
        .route("/admin/summary", get(admin::admin_summary))
        .route("/admin/activities", get(admin::activities_list))
        .route("/admin/report", get(admin::admin_report))
        .route(
            "/admin/export/activities.xlsx",
            get(export::activities_xlsx),
        )
        .route("/admin/export/activities.csv", get(export::activities_csv))
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);

    let mut router = Router::new().nest("/api", api);
    if let Some(dir) = static_dir {
        // The app routes on the client, so unknown paths get index.html.
        let index = ServeFile::new(dir.join("index.html"));
        router = router.fallback_service(ServeDir::new(dir).fallback(index));
    }
    router
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn api_not_found() -> ApiError {
    ApiError::BadRequest {
        status: axum::http::StatusCode::NOT_FOUND,
        message: "no such endpoint".into(),
    }
}
