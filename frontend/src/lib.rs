//! The Tongxin field app: a Leptos (client-side rendered) WebAssembly app
//! that keeps every record in IndexedDB and works with no network at all.
//!
//! Built and served by `cargo xtask run`; see ARCHITECTURE.md for the map.
//! - [`app`]: the shell: router, layout, the status bar, the sync loop.
//! - [`ctx`]: the context every page reads (store, session, sync status).
//! - [`pages`]: the login, the volunteer's page, and the organisers' room
//!   (sessions, products, regions, sale lines, totals), from the records
//!   on the device.
//! - [`office`]: the admin's pages: figures, breakdowns, charts, exports,
//!   and the accounts, stations and categories.
//! - [`ui`]: widgets more than one page uses.
//! - [`store`]: IndexedDB (records, outbox, cursor, reference data); the
//!   only code that touches it.
//! - [`sync`]: the sync engine: pushes the outbox and pulls changes.
//! - [`api`]: HTTP to the server, for the sync engine and the office.
//! - [`lock`]: Web Locks, so two tabs never sync at once.
//! - [`i18n`]: every visible string.
//! - [`update`]: the service worker, and telling the user of a new release.
//!
//! Imports point down: `app` routes to `pages` and `office`, which use
//! `ctx`, `ui`, `store`, `api` and `i18n` and never each other.

pub mod api;
pub mod app;
pub mod ctx;
pub mod i18n;
pub mod lock;
pub mod office;
pub mod pages;
pub mod store;
pub mod sync;
pub mod ui;
pub mod update;

use wasm_bindgen::prelude::*;

/// Entry point called by the generated JS glue.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    request_persistent_storage();
    // Leptos sets up its executor when mounting, so the bootstrap uses
    // wasm-bindgen-futures directly.
    wasm_bindgen_futures::spawn_local(async {
        match store::Store::open().await {
            Ok(store) => {
                // A stored login lets the app start offline.
                let session = store.session().await.ok().flatten();
                leptos::mount::mount_to_body(move || app::App(app::AppProps { store, session }))
            }
            Err(error) => leptos::mount::mount_to_body(move || {
                app::StoreUnavailable(app::StoreUnavailableProps {
                    error: error.to_string(),
                })
            }),
        }
    });
}

/// Asks the browser not to evict this origin's storage under pressure:
/// the records in IndexedDB may exist nowhere else yet.
fn request_persistent_storage() {
    if let Some(window) = web_sys::window()
        && let Ok(storage) = window.navigator().storage().persist()
    {
        // The answer only matters to the browser; nothing to wait for.
        drop(storage);
    }
}
