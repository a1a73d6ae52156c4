//! The server's HTTP API, driven over a real socket against a real SQLite
//! file. One binary; `helpers` starts a server per test.

mod accounts;
mod admin;
mod bad_input;
mod concurrency;
mod helpers;
mod livestream;
mod manage;
mod migrations;
mod openapi;
mod sync;
