//! Installing and updating: the app has a manifest with icons, its shell
//! (icons included) is cached for offline use, and a new release is
//! announced and taken on only when the user asks, then works offline too.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use tongxin_tests::{Browser, PHONE, TestServer, built_app, copy_dir, wait_until};

const CACHE_NAMES_JS: &str = "return caches.keys();";

#[tokio::test(flavor = "multi_thread")]
async fn a_new_release_is_announced_taken_on_request_and_works_offline() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("release.sqlite");
    let dist = data.path().join("dist");
    copy_dir(&built_app(), &dist)?;
    let mut server = TestServer::start_serving(&database, None, &dist)?;

    let phone = Browser::open(PHONE).await?;
    let c = &phone.client;
    c.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;

    // Installable: a manifest with the icons a home screen needs.
    let manifest: Value = c
        .execute(
            "return fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json());",
            vec![],
        )
        .await?;
    assert_eq!(manifest["short_name"], "同心");
    assert_eq!(manifest["display"], "standalone");
    let sizes: Vec<&str> = manifest["icons"]
        .as_array()
        .context("icons")?
        .iter()
        .filter_map(|i| i["sizes"].as_str())
        .collect();
    assert_eq!(sizes, ["192x192", "512x512"]);
    let caches: Vec<String> = serde_json::from_value(c.execute(CACHE_NAMES_JS, vec![]).await?)?;
    assert_eq!(caches.len(), 1, "{caches:?}");
    let first = caches[0].clone();
    assert!(
        phone
            .text("#update-ready")
            .await?
            .is_none_or(|t| t.is_empty()),
        "no update announced on a first visit"
    );

    // A new release reaches the server: a new service worker (new cache).
    let sw = std::fs::read_to_string(dist.join("sw.js"))?;
    let next = format!("{first}-next");
    std::fs::write(dist.join("sw.js"), sw.replace(&first, &next))?;
    // The build writes compressed copies beside each file, which the server
    // prefers; this release's are not made, so the new sw.js itself is sent.
    std::fs::remove_file(dist.join("sw.js.br"))?;
    std::fs::remove_file(dist.join("sw.js.gz"))?;
    c.execute(
        "return navigator.serviceWorker.getRegistration().then(r => r.update());",
        vec![],
    )
    .await?;
    wait_until(
        Duration::from_secs(20),
        "the new version to be announced",
        || async {
            Ok(phone
                .text("#update-ready")
                .await?
                .is_some_and(|t| t.contains("新版本")))
        },
    )
    .await?;
    // Until the user taps, the page keeps running on the old shell.
    let caches: Vec<String> = serde_json::from_value(c.execute(CACHE_NAMES_JS, vec![]).await?)?;
    assert!(caches.contains(&first), "{caches:?}");

    phone.click("#update-ready button.reload").await?;
    wait_until(
        Duration::from_secs(20),
        "the new version in charge",
        || async {
            let caches: Vec<String> =
                serde_json::from_value(c.execute(CACHE_NAMES_JS, vec![]).await?)?;
            Ok(caches == [next.clone()] && phone.text("#user-name").await?.is_some())
        },
    )
    .await?;
    assert!(phone.text("#update-ready").await?.is_none());

    // And the new shell opens with no network, icons included.
    server.kill();
    c.refresh().await?;
    wait_until(Duration::from_secs(20), "the app offline", || async {
        Ok(phone.text("#user-name").await?.as_deref() == Some("志愿者小李"))
    })
    .await?;
    let icon: Value = c
        .execute(
            "return fetch('/icons/icon-192.png').then(r => r.ok ? r.blob().then(b => b.size) : 0);",
            vec![],
        )
        .await?;
    assert!(icon.as_u64().unwrap_or(0) > 500, "{icon}");
    phone.close().await?;
    Ok(())
}
