//! HTTP routes. Handlers are named by resource and verb.

mod admin;
mod auth;
mod export;
mod extract;
mod manage;
mod photos;
mod proposals;
mod sync;

pub use sync::parse_cursor;

use axum::response::IntoResponse;
use tower_governor::{GovernorError, GovernorLayer, governor::GovernorConfigBuilder};

use crate::config::LoginLimit;
use std::{path::Path, sync::Arc};

use axum::http::{HeaderValue, header};
use axum::{Json, Router, extract::DefaultBodyLimit, routing::get};
use tower::ServiceExt;
use tower_http::{
    compression::{
        CompressionLayer,
        predicate::{DefaultPredicate, NotForContentType, Predicate},
    },
    decompression::RequestDecompressionLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::{AppState, REQUEST_TIMEOUT, error::ApiError};
use tongxin_shared::sync::ErrorBody;

/// The largest request body accepted. A full push batch of the longest
/// valid records fits well inside; anything bigger is refused with 413
/// before it is read.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// What `/api/openapi.json` says besides the paths: the API's name and its
/// one security scheme, the session token from `POST /api/auth/login`.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tongxin API",
        description = "Sync for the field app and the admin's figures. Every endpoint but \
            login and health needs `Authorization: Bearer <token>`; errors are `{\"error\": …}`."
    ),
    modifiers(&SessionToken),
    tags(
        (name = "auth", description = "Login and sessions"),
        (name = "sync", description = "Devices push and pull records"),
        (name = "admin", description = "The merged figures and exports (admins only)"),
        (name = "manage", description = "Accounts and stations (admins only)"),
    )
)]
struct ApiDoc;

struct SessionToken;

impl utoipa::Modify for SessionToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

/// The API's routes, and its OpenAPI description built from the same
/// handlers, so the two cannot drift apart.
fn api(login_limit: LoginLimit) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    // Logins are limited per client address before any password is
    // checked, so guessing across many accounts from one address is slow
    // too (the lockout in the database counts per account).
    let limit = GovernorConfigBuilder::default()
        .per_second(login_limit.refill_seconds.max(1))
        .burst_size(login_limit.burst.max(1))
        .finish()
        .expect("a burst and a period above zero");
    let login = OpenApiRouter::new().routes(routes!(auth::login)).layer(
        GovernorLayer::new(limit).error_handler(|error| match error {
            // The limiter gives whole seconds, cut down (1.9 s reads 1):
            // one more never sends a client back too early.
            GovernorError::TooManyRequests { wait_time, .. } => ApiError::SlowDown {
                retry_after_s: wait_time + 1,
            }
            .into_response(),
            other => ApiError::Internal(anyhow::anyhow!("login limit: {other}")).into_response(),
        }),
    );
    let (api, paths) = OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ping))
        .merge(login)
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(sync::reference_get))
        .routes(routes!(sync::sync_push))
        .routes(routes!(sync::sync_pull))
        .routes(routes!(photos::photos_status))
        .routes(routes!(photos::photo_put, photos::photo_get))
        .routes(routes!(photos::photo_thumb_get))
        .routes(routes!(admin::admin_summary))
        .routes(routes!(admin::activities_list))
        .routes(routes!(admin::admin_report))
        .routes(routes!(admin::admin_report_docx))
        .routes(routes!(proposals::proposals_board))
        .routes(routes!(proposals::proposal_get))
        .routes(routes!(manage::users_list, manage::users_create))
        .routes(routes!(manage::users_change))
        .routes(routes!(manage::stations_create))
        .routes(routes!(manage::stations_update))
        .routes(routes!(manage::categories_create))
        .routes(routes!(manage::categories_update))
        .routes(routes!(manage::groups_create))
        .routes(routes!(manage::groups_update))
        // A request (its body included) that takes longer is answered 408
        // and its work dropped.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Exports take as long as their rows do (a million-row XLSX takes
        // longer than the timeout), hold no connection while the client
        // reads, and stop when it goes (see `export::export`).
        .routes(routes!(export::activities_xlsx))
        .routes(routes!(export::activities_csv))
        .routes(routes!(export::sales_xlsx))
        .routes(routes!(export::sales_csv))
        .routes(routes!(export::photos_zip))
        .routes(routes!(proposals::proposals_xlsx))
        .routes(routes!(proposals::proposals_csv))
        .split_for_parts();
    let mut description = ApiDoc::openapi().nest("/api", paths);
    utoipa::Modify::modify(&CommonAnswers, &mut description);
    (api, description)
}

/// The answers every operation of a kind can get, from below its handler
/// (the JSON extractor, the body limit, the timeout, the header check), so
/// a schema-driven client or fuzzer finds every status documented.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            ContentBuilder, Ref, ResponseBuilder, path::ParameterIn, path::PathItem,
        };
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let PathItem {
                get,
                put,
                post,
                delete,
                patch,
                ..
            } = item;
            for operation in [get, put, post, delete, patch].into_iter().flatten() {
                let mut common = vec![(
                    "431",
                    "the request's headers are too large (over 100, or 32 KiB)",
                )];
                if operation.request_body.is_some() {
                    common.extend([
                        ("400", "the body is not valid JSON"),
                        ("413", "the body is larger than 4 MiB"),
                        ("415", "the body is not `Content-Type: application/json`"),
                        (
                            "422",
                            "the JSON lacks a field, or a field has the wrong type",
                        ),
                    ]);
                }
                let has_query = operation.parameters.iter().flatten().any(|parameter| {
                    matches!(parameter, utoipa::openapi::RefOr::T(p) if p.parameter_in == ParameterIn::Query)
                });
                if has_query {
                    common.push(("400", "a query parameter is malformed"));
                }
                if !path.starts_with("/api/admin/export/") {
                    common.push((
                        "408",
                        "the request (its body included) took longer than 30 s",
                    ));
                }
                for (status, description) in common {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

pub fn router(state: AppState, static_dir: Option<&Path>, login_limit: LoginLimit) -> Router {
    let (api, description) = api(login_limit);
    let description = Arc::new(description);
    let api = api
        .route(
            "/openapi.json",
            get(move || {
                let description = description.clone();
                async move { Json(description.as_ref().clone()) }
            }),
        )
        .fallback(api_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        // Answers go compressed to clients that accept it (a 5,000-change
        // pull page of JSON shrinks about fifteenfold), and pushes may
        // come gzip- or brotli-compressed; the body limit above counts the
        // bytes after decompression, so a small bomb is refused as large.
        // An XLSX is a zip already.
        .layer(RequestDecompressionLayer::new())
        .layer(
            CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                NotForContentType::const_new("application/vnd.openxmlformats"),
            )),
        )
        .with_state(state);

    let mut router = Router::new().nest("/api", api);
    if let Some(dir) = static_dir {
        router = router.fallback_service(app_files(dir));
    }
    router
        .layer(axum::middleware::from_fn(answers))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// What the app runs under, sent with every answer: its own scripts only
/// (and wasm compiled from them), nothing from elsewhere, no plugins, never
/// inside another site's frame. Images from `blob:` URLs are the photos'
/// bytes the app holds itself (taken on the phone, or fetched with the
/// session's token), shown from object URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
    img-src 'self' blob:; \
    script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The built app's files (`--static-dir`, or the app embedded in the
/// binary, written out to a temporary folder at start: one way of serving
/// for both), sent as the `.br` or `.gz` written beside each at build time
/// when the browser accepts it. A path
/// whose last part has no dot is a page of the app, which routes on the
/// client: it gets `index.html`. Any other path names a file, and a file
/// that is not there is 404, so a broken deploy shows.
fn app_files(dir: &Path) -> axum::routing::MethodRouter {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let index = ServeFile::new(dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    axum::routing::get(move |request: axum::extract::Request| async move {
        let last = request.uri().path().rsplit('/').next().unwrap_or_default();
        let answer = if last.contains('.') {
            files.oneshot(request).await
        } else {
            index.oneshot(request).await
        };
        match answer {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        }
    })
}

/// What every answer has, beside the security headers:
/// - a request with too many or too large headers is refused (431, JSON);
/// - an API answer: `Cache-Control: no-store`, as it carries a user's
///   records, accounts or figures; and, when it is an error, the JSON
///   `{"error": …}` body, also for those made below the handlers (a wrong
///   method's 405, the timeout's 408, a body limit's 413), which come
///   empty;
/// - any other answer (the app's files): under `/assets/`, whose names
///   carry a hash of their content, `Cache-Control: public,
///   max-age=31536000, immutable`; the rest (`index.html`, `sw.js`, the
///   manifest, the icons) `no-cache`, so a browser asks again (a 304 when
///   nothing changed) and a new release is seen, the service worker
///   keeping the app for offline use; and `Vary: Accept-Encoding`, as one
///   path is sent br, gz or plain.
async fn answers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(refusal) = headers_too_large(request.headers()) {
        return refusal.into_response();
    }
    let path = request.uri().path();
    let is_api = path.starts_with("/api/");
    let is_asset = path.starts_with("/assets/");
    let mut response = next.run(request).await;
    let found = response.status().is_success();
    let headers = response.headers_mut();
    if !is_api {
        // A hashed asset never changes under its name: kept for a year.
        let cache = if is_asset && found {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static(cache));
        headers
            .entry(header::VARY)
            .or_insert(HeaderValue::from_static("accept-encoding"));
        return response;
    }
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    let status = response.status();
    if (status.is_client_error() || status.is_server_error())
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let error = status.canonical_reason().unwrap_or("error").to_lowercase();
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        return (parts, Json(ErrorBody::new(error))).into_response();
    }
    response
}

/// Headers one request may carry, in number and in bytes: generous for
/// any browser (cookies included), refused with 431 above. (hyper answers
/// 431 itself, with no body, above `serve::HYPER_MAX_HEADERS` headers or
/// its read buffer.)
const MAX_HEADERS: usize = 100;
const MAX_HEADER_BYTES: usize = 32 * 1024;

fn headers_too_large(headers: &axum::http::HeaderMap) -> Option<ApiError> {
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    (headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES).then(|| ApiError::BadRequest {
        status: axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        message: format!(
            "the request's headers are too large (at most {MAX_HEADERS} headers, {MAX_HEADER_BYTES} bytes)"
        ),
    })
}

/// That the server answers, and nothing more: phones ask every few
/// seconds while they show the app, to tell "offline" quickly, so it
/// touches no database and sends no body.
#[utoipa::path(get, path = "/ping", tag = "sync", responses(
    (status = 204, description = "the server answers")))]
async fn ping() -> axum::http::StatusCode {
    axum::http::StatusCode::NO_CONTENT
}

/// Whether the process serves and its database answers, with how its
/// connections are used: 503 when the database does not answer within a
/// second (a balancer then sends requests elsewhere).
#[utoipa::path(get, path = "/health", tag = "sync", responses(
    (status = 200, description = "serving, and the database answers", body = Object),
    (status = 503, description = "the database does not answer", body = Object)))]
async fn health(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, Json<serde_json::Value>) {
    let answers = state
        .db
        .answers_within(std::time::Duration::from_secs(1))
        .await;
    let status = if answers {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "status": if answers { "ok" } else { "database not answering" },
        "pool": state.db.pool_use(),
    });
    (status, Json(body))
}

async fn api_not_found() -> ApiError {
    ApiError::BadRequest {
        status: axum::http::StatusCode::NOT_FOUND,
        message: "no such endpoint".into(),
    }
}
