//! What both web bundles share, the phone's (`tongxin-frontend`) and the
//! office's (`tongxin-office`): each is a wasm module of its own, and this
//! crate is compiled into both.
//! - [`ctx`]: the context every page reads (store, session, sync status).
//! - [`api`]: HTTP to the server, for the sync engine and the office.
//! - [`store`]: IndexedDB (records, outbox, cursor, reference data, the
//!   login); the only code that touches it.
//! - [`i18n`]: every visible string, in both languages.
//! - [`ui`]: widgets more than one page uses.

pub mod api;
pub mod ctx;
pub mod i18n;
pub mod store;
pub mod ui;
