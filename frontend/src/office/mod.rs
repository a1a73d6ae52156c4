//! The admin's office: the district's figures, charts and exports under one
//! filter, and the accounts, stations and categories. Online only: it reads
//! the server's merge of every device. It imports only `ctx`, `ui`, `api`,
//! `store` and `i18n`, never `pages` or the shell, so that it can become a
//! bundle of its own.

pub mod charts;
mod exports;
mod figures;
mod manage;

pub use figures::AdminPage;
pub use manage::ManagePage;
