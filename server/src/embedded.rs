//! The built app compiled into the binary, so one file is all a deploy
//! needs (`cargo xtask dist`).
//!
//! rust-embed takes every file of `target/dist/` at compile time (also in
//! debug builds, with its `debug-embed` feature: the end-to-end tests run
//! the debug binary alone). `build.rs` rebuilds the crate when that folder
//! changes. A build without the app (a fresh clone, `cargo build` before
//! `cargo xtask build`) embeds nothing and serves the API only.

use std::{io::Write, path::Path};

use anyhow::Context;

#[derive(rust_embed::Embed)]
#[folder = "../target/dist/"]
// A fresh clone has no built app yet: clippy and the API tests must still
// compile.
#[allow_missing = true]
struct BuiltApp;

/// Writes the embedded app into a fresh private temporary folder (mode
/// 0700, removed when the returned value is dropped) and returns it, or
/// `None` when this binary holds no app.
///
/// The files are written out rather than served from memory so that
/// there is one way the app's files are served, `--static-dir` or not:
/// `routes::app_files`, with its precompressed `.br`/`.gz`, conditional
/// requests and ranges.
pub fn unpack() -> anyhow::Result<Option<tempfile::TempDir>> {
    if BuiltApp::get("index.html").is_none() {
        return Ok(None);
    }
    let dir = tempfile::Builder::new()
        .prefix("tongxin-app-")
        .tempdir()
        .context("cannot make a temporary folder for the embedded app")?;
    for name in BuiltApp::iter() {
        let Some(file) = BuiltApp::get(&name) else {
            continue;
        };
        write(&dir.path().join(name.as_ref()), &file)
            .with_context(|| format!("cannot write the embedded app's {name}"))?;
    }
    Ok(Some(dir))
}

fn write(path: &Path, file: &rust_embed::EmbeddedFile) -> std::io::Result<()> {
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder)?;
    }
    let mut out = std::fs::File::create(path)?;
    out.write_all(&file.data)?;
    // Files keep the time they were built, not the time the server
    // started: `Last-Modified` stays the same across restarts, so browsers'
    // conditional requests still get a 304 after one.
    if let Some(seconds) = file.metadata.last_modified() {
        out.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds))?;
    }
    Ok(())
}
