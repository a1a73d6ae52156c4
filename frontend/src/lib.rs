//! The Tongxin field app, the phone's bundle: a Leptos (client-side
//! rendered) WebAssembly app that keeps every record in IndexedDB and works
//! with no network at all. The admin's office is another bundle
//! (`tongxin-office`), fetched only when an office page opens; what both
//! use is in `tongxin-web-common`.
//!
//! Built and served by `cargo xtask run`; see ARCHITECTURE.md for the map.
//! - [`app`]: the shell: router, layout, the status bar, the sync loop.
//! - [`pages`]: the login, the volunteer's page, and the organisers' room
//!   (sessions, products, regions, sale lines, totals), from the records
//!   on the device.
//! - [`sync`]: the sync engine: pushes the outbox and pulls changes.
//! - [`lock`]: Web Locks, so two tabs never sync at once.
//! - [`update`]: the service worker, and telling the user of a new release.
//! - from the common crate: [`ctx`] (the context every page reads),
//!   [`ui`] (shared widgets), [`store`] (IndexedDB), [`api`] (HTTP) and
//!   [`i18n`] (every visible string).
//!
//! Imports point down: `app` routes to `pages`, which use `ctx`, `ui`,
//! `store`, `api` and `i18n` and never each other.

pub mod app;
pub mod lock;
pub mod pages;
pub mod sync;
pub mod update;

pub use tongxin_web_common::{api, ctx, i18n, store, ui};

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
