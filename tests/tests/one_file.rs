//! The one file to deploy: the server binary copied alone into an empty
//! folder, started with no `--static-dir`, serves the app compiled into it
//! (`server/src/embedded.rs`) the same way it serves a folder, from one
//! folder per build that every later start reuses.

use std::{path::Path, process::Command, time::Duration};

use anyhow::{Context, Result};
use fantoccini::Locator;
use reqwest::StatusCode;
use tongxin_tests::{Browser, PHONE, TestServer, built_app, server_binary};

/// The paths a text names in quotes (`"/pkg/app.js"`), in order.
fn references(text: &str) -> Vec<String> {
    text.split(['"', '\''])
        .filter(|part| part.starts_with('/') && !part.contains(char::is_whitespace))
        .map(str::to_owned)
        .collect()
}

/// What is in a folder, by name.
fn names(folder: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        names.push(entry?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_binary_alone_serves_the_app_it_embeds() -> Result<()> {
    let folder = tempfile::tempdir()?;
    let binary = folder.path().join("tongxin-server");
    std::fs::copy(server_binary(), &binary)?;
    // Where the server's temporary folders go, watched below.
    let temporary = tempfile::tempdir()?;

    let command = || {
        let mut command = Command::new(&binary);
        command
            .current_dir(folder.path())
            .args(["--listen", "127.0.0.1:0"])
            .args(["--database-url", "sqlite://tongxin.sqlite"])
            .env_remove("TONGXIN_STATIC_DIR")
            .env("TMPDIR", temporary.path());
        command
    };
    let logs = tempfile::tempdir()?;
    let mut server = TestServer::spawn(command(), logs.path().join("server.log"))?;
    // The database is made where it was asked for, and the folder its
    // photos are kept in beside it; nothing else is written beside the
    // binary.
    let beside = names(folder.path())?;
    assert!(beside.contains(&"tongxin.sqlite".to_owned()), "{beside:?}");
    assert!(beside.contains(&"photos".to_owned()), "{beside:?}");
    assert!(
        beside.iter().all(|name| name == "tongxin-server"
            || name == "photos"
            || name.starts_with("tongxin.sqlite")),
        "{beside:?}"
    );
    let unpacked = names(temporary.path())?;
    assert!(
        unpacked.len() == 1 && unpacked[0].starts_with("tongxin-app-"),
        "{unpacked:?}"
    );

    // The wasm the page loads, named in the page or in a script it loads
    // (file names may carry content hashes: read them, never assume them).
    let client = reqwest::Client::new();
    let page = client.get(server.url("/")).send().await?;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await?;
    let mut named = references(&page);
    for script in named.clone().iter().filter(|path| path.ends_with(".js")) {
        let text = client.get(server.url(script)).send().await?.text().await?;
        named.extend(references(&text));
    }
    let wasm = named
        .iter()
        .find(|path| path.ends_with(".wasm"))
        .with_context(|| format!("no .wasm named by the page or its scripts: {named:?}"))?;

    // It is the app this build made, byte for byte, and comes compressed
    // as from a folder: one way of serving.
    let plain = client
        .get(server.url(wasm))
        .header("accept-encoding", "identity")
        .send()
        .await?;
    assert_eq!(plain.status(), StatusCode::OK, "{wasm}");
    assert_eq!(plain.headers()["content-type"], "application/wasm");
    let built = std::fs::read(built_app().join(wasm.trim_start_matches('/')))
        .with_context(|| format!("the built app's {wasm}"))?;
    assert!(plain.bytes().await? == built, "{wasm} is not the built one");
    let compressed = client
        .get(server.url(wasm))
        .header("accept-encoding", "br")
        .send()
        .await?;
    assert_eq!(compressed.headers()["content-encoding"], "br");

    // And the app runs: the login form appears.
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#login-form input[name=username]"))
        .await?;

    // Stopped, or killed, and started again, it reuses what it unpacked:
    // a crashing server does not fill the disk with copies of the app.
    assert!(server.terminate()?.success());
    let mut server = TestServer::spawn(command(), logs.path().join("again.log"))?;
    server.kill();
    let mut server = TestServer::spawn(command(), logs.path().join("last.log"))?;
    let page = reqwest::get(server.url("/")).await?;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(names(temporary.path())?, unpacked);
    assert!(server.terminate()?.success());
    Ok(())
}
