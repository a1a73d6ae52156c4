//! The server's HTTP API, driven over a real socket against a real
//! database: a SQLite file, or a PostgreSQL database when
//! `TONGXIN_TEST_BACKEND=postgres` (`cargo xtask test` runs the suite once
//! on each). One binary; `helpers` starts a server per test.

mod accounts;
mod admin;
mod bad_input;
mod chaos;
mod compression;
mod concurrency;
mod device;
mod fuzz;
mod helpers;
mod livestream;
mod load;
mod manage;
mod migrations;
mod openapi;
mod photos;
mod proposals;
mod refusals;
mod report;
mod sync;
mod sync_faults;
mod two_servers;
