//! The built app compiled into the binary, so one file is all a deploy
//! needs (`cargo xtask dist`).
//!
//! rust-embed takes every file of `target/dist/` at compile time (also in
//! debug builds, with its `debug-embed` feature: the end-to-end tests run
//! the debug binary alone). `build.rs` rebuilds the crate when that folder
//! changes. A build without the app (a fresh clone, `cargo build` before
//! `cargo xtask build`) embeds nothing and serves the API only.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::Context;
use sha2::{Digest, Sha256};

#[derive(rust_embed::Embed)]
#[folder = "../target/dist/"]
// A fresh clone has no built app yet: clippy and the API tests must still
// compile.
#[allow_missing = true]
struct BuiltApp;

/// Writes the embedded app into a private folder of the temporary
/// directory and returns it, or `None` when this binary holds no app.
///
/// The folder is named by a hash of every embedded file, so each build
/// has one, and every later start of the same build reuses it: a server
/// that is killed (or crashes and is restarted) leaves nothing new behind.
/// It is written under a temporary name and renamed into place once whole,
/// so a folder under the final name is complete; and it is used only when
/// it belongs to this user and nobody else may write to it.
///
/// The files are written out rather than served from memory so that
/// there is one way the app's files are served, `--static-dir` or not:
/// `routes::app_files`, with its precompressed `.br`/`.gz`, conditional
/// requests and ranges.
pub fn unpack() -> anyhow::Result<Option<PathBuf>> {
    if BuiltApp::get("index.html").is_none() {
        return Ok(None);
    }
    let mut names: Vec<_> = BuiltApp::iter().collect();
    names.sort();
    let mut hasher = Sha256::new();
    for name in &names {
        hasher.update(name.as_bytes());
        if let Some(file) = BuiltApp::get(name) {
            hasher.update(file.metadata.sha256_hash());
        }
    }
    let build: String = hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let parent = std::env::temp_dir();
    let folder = parent.join(format!("tongxin-app-{build}"));
    // Made first: its owner is who this process writes files as.
    let fresh = tempfile::Builder::new()
        .prefix("tongxin-app-new-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .tempdir_in(&parent)
        .context("cannot make a temporary folder for the embedded app")?;
    let me = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(fresh.path())?);
    if is_private(&folder, me) {
        return Ok(Some(folder));
    }
    for name in &names {
        let Some(file) = BuiltApp::get(name) else {
            continue;
        };
        write(&fresh.path().join(name.as_ref()), &file)
            .with_context(|| format!("cannot write the embedded app's {name}"))?;
    }
    let fresh = fresh.keep();
    match std::fs::rename(&fresh, &folder) {
        Ok(()) => Ok(Some(folder)),
        // Another server of the same build got there first.
        Err(_) if is_private(&folder, me) => {
            let _ = std::fs::remove_dir_all(&fresh);
            Ok(Some(folder))
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&fresh);
            Err(error).with_context(|| format!("cannot move the app to {}", folder.display()))
        }
    }
}

/// A folder of user `owner` that no other user may write to.
fn is_private(folder: &Path, owner: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(folder)
        .is_ok_and(|folder| folder.is_dir() && folder.uid() == owner && folder.mode() & 0o077 == 0)
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
