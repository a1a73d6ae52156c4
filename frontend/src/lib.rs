//! The Tongxin field app: a Leptos (client-side rendered) WebAssembly app
//! that keeps every record in IndexedDB and works with no network at all.
//!
//! Built and served by `cargo xtask run`; see ARCHITECTURE.md for the map.
//! - [`ctx`]: the context every page reads (store, session, sync status).
//! - [`store`]: IndexedDB (records, outbox, cursor, reference data).
//! - [`sync`]: pushes the outbox and pulls changes.
//! - [`api`]: HTTP to the server, for the sync engine and the admin.
//! - [`office`]: the admin's pages: figures, breakdowns, charts (plotters
//!   on a canvas), exports, and the accounts, stations and categories.
//! - [`app`]: the components; they read signals and call the two above.
//! - [`pages`]: the login, the volunteer's page and the organisers' room
//!   (sessions, products, regions, sale lines, totals, from the records on
//!   the device).
//! - [`ui`]: widgets more than one page uses.
//! - [`lock`]: Web Locks, so two tabs never sync at once.
//! - [`i18n`]: every visible string.
//! - [`update`]: the service worker, and telling the user of a new release.

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
    app::request_persistent_storage();
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
