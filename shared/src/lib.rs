//! The contract between the Tongxin field app and its server.
//!
//! Everything here compiles both to WebAssembly (inside the Leptos app) and
//! natively (inside the axum server), so the two sides can never disagree on
//! what a record looks like, what makes it valid, or how sync messages are
//! shaped. This crate has no browser, server or database dependencies.
//!
//! - [`account`]: roles and the login messages.
//! - [`admin`]: the admin's filter and figures.
//! - [`activity`]: the volunteer's record of one activity, and its validation.
//! - [`station`]: the places activities happen (reference data).
//! - [`livestream`]: the charity-sales room's sessions, products, partner
//!   regions and sale lines.
//! - [`proposal`]: proposals (建言), their steps (举措, 反馈) and groups.
//! - [`photo`]: photos of an activity: references that sync, bytes sent
//!   apart by their hash.
//! - [`sync`]: push and pull messages, with a protocol version.
//! - [`error`]: the one validation error type, whose messages both sides show.

pub mod account;
pub mod activity;
pub mod admin;
pub mod error;
pub mod station;
pub mod sync;

pub use activity::{Activity, Category, CategoryInfo, PeopleServed};
pub use error::ValidationError;
pub use station::{Station, StationKind};
pub mod livestream;
pub use livestream::{LivestreamSession, PartnerRegion, Product, SaleLine};
pub mod hlc;
pub mod merge;
pub mod photo;
pub mod proposal;
pub mod wire;
