//! Tells cargo which folders the crate embeds when it compiles, so a
//! change there rebuilds it. Cargo by itself notices changes only to files
//! the compiler read, not a file added to a folder:
//! - `migrations/`: `sqlx::migrate!` embeds the migrations;
//! - `../target/dist/`: `src/embedded.rs` embeds the built app (rust-embed),
//!   whose set of files changes from build to build (file names carry
//!   content hashes).

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=migrations");
    let dist = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dist");
    // Cargo counts a watched path that does not exist as changed on every
    // build, which would rebuild the server on every cargo command of a
    // fresh clone; an empty folder embeds nothing, as a missing one does.
    // `cargo xtask build` replaces it with the app.
    if let Err(error) = std::fs::create_dir_all(&dist) {
        println!("cargo::warning=cannot create {}: {error}", dist.display());
    }
    println!("cargo::rerun-if-changed=../target/dist");
}
