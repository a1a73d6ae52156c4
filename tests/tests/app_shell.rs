//! The app's files as the server sends them: compressed as the browser
//! accepts, never a page where a file was asked for, with the security
//! headers on every answer; and every page of the app runs under the
//! Content-Security-Policy without a violation.

use std::time::Duration;

use anyhow::Result;
use reqwest::StatusCode;
use tongxin_tests::{Browser, DESKTOP, PHONE, TestServer, wait_until};

#[tokio::test(flavor = "multi_thread")]
async fn the_wasm_comes_brotli_compressed_an_unknown_file_is_404_and_every_answer_has_the_headers()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("shell.sqlite"), None)?;
    let client = reqwest::Client::new();
    let phone_wasm = tongxin_tests::built_asset("tongxin_frontend_bg", "wasm")?;

    let wasm = client
        .get(server.url(&phone_wasm))
        .header("accept-encoding", "br, gzip")
        .send()
        .await?;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    // Its name changes with its content: kept for a year.
    assert_eq!(
        wasm.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        wasm.headers()["vary"]
            .to_str()?
            .to_lowercase()
            .contains("accept-encoding")
    );
    let sent = wasm.bytes().await?.len();
    let raw =
        std::fs::metadata(tongxin_tests::built_app().join(phone_wasm.trim_start_matches('/')))?
            .len();
    assert!((sent as u64) * 2 < raw, "{sent} B sent for {raw} B");

    // A browser that takes only gzip gets gzip; one that takes neither,
    // the file itself.
    let gzip = client
        .get(server.url(&tongxin_tests::built_asset("tongxin_frontend", "js")?))
        .header("accept-encoding", "gzip")
        .send()
        .await?;
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    let plain = client
        .get(server.url(&tongxin_tests::built_asset("style", "css")?))
        .header("accept-encoding", "identity")
        .send()
        .await?;
    assert!(plain.headers().get("content-encoding").is_none());

    // A file that is not there is 404 (and not kept); a page of the app
    // is index.html.
    for missing in [
        "/assets/nothing-0123456789abcdef.wasm",
        "/pkg/tongxin_frontend_bg.wasm",
        "/robots.txt",
        "/icons/none.png",
    ] {
        let response = client.get(server.url(missing)).send().await?;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{missing}");
    }
    let boot = tongxin_tests::built_asset("boot", "js")?;
    for page in ["/", "/admin", "/room", "/manage", "/some/page"] {
        let response = client.get(server.url(page)).send().await?;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert!(response.text().await?.contains(&boot), "{page}");
    }

    // The headers, on pages, files and the API alike.
    for path in ["/", &boot, "/sw.js", "/api/health", "/api/nothing"] {
        let response = client.get(server.url(path)).send().await?;
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            tongxin_server::routes::CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        if path == boot {
            assert_eq!(
                headers["cache-control"],
                "public, max-age=31536000, immutable"
            );
        } else if !path.starts_with("/api/") {
            assert_eq!(headers["cache-control"], "no-cache", "{path}");
        }
    }
    Ok(())
}

async fn violations(browser: &Browser) -> Result<Vec<String>> {
    let found = browser
        .client
        .execute("return window.tongxinCspViolations || null", vec![])
        .await?;
    Ok(serde_json::from_value(found).unwrap_or_else(|_| vec!["boot.js did not run".into()]))
}

async fn open(browser: &Browser, server: &TestServer, path: &str, ready: &str) -> Result<()> {
    browser.client.goto(&server.url(path)).await?;
    wait_until(
        Duration::from_secs(20),
        &format!("{ready} at {path}"),
        || async { Ok(browser.text(ready).await?.is_some()) },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_runs_under_the_content_security_policy() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("csp.sqlite"), None)?;

    // The login page, then the volunteer's form and records on a phone.
    let phone = Browser::open(PHONE).await?;
    open(&phone, &server, "/", "#login-form").await?;
    assert_eq!(
        violations(&phone).await?,
        Vec::<String>::new(),
        "login page"
    );
    phone.log_in("volunteer").await?;
    open(&phone, &server, "/", "#user-name").await?;
    assert_eq!(
        violations(&phone).await?,
        Vec::<String>::new(),
        "volunteer's page"
    );
    phone.close().await?;

    // The admin's pages (charts included) and the room on a desk.
    let desk = Browser::open(DESKTOP).await?;
    open(&desk, &server, "/", "#login-form").await?;
    desk.log_in("admin").await?;
    for (path, ready) in [
        ("/admin", "#admin-filter"),
        ("/manage", "#account-form"),
        ("/room", "#session-form"),
    ] {
        open(&desk, &server, path, ready).await?;
        // Let charts and lists draw.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(violations(&desk).await?, Vec::<String>::new(), "{path}");
    }
    // The check can fail: an image from elsewhere is a violation, and it
    // is seen.
    desk.client
        .execute(
            "const img = document.createElement('img');
             img.src = 'http://example.invalid/x.png';
             document.body.append(img);",
            vec![],
        )
        .await?;
    wait_until(
        Duration::from_secs(5),
        "the violation to be seen",
        || async {
            Ok(violations(&desk)
                .await?
                .iter()
                .any(|v| v.starts_with("img-src")))
        },
    )
    .await?;
    desk.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_whose_app_cannot_load_says_so_instead_of_staying_blank() -> Result<()> {
    // A deploy whose wasm is broken.
    let data = tempfile::tempdir()?;
    let dist = data.path().join("dist");
    tongxin_tests::copy_dir(&tongxin_tests::built_app(), &dist)?;
    let wasm = dist
        .join(tongxin_tests::built_asset("tongxin_frontend_bg", "wasm")?.trim_start_matches('/'));
    for suffix in ["br", "gz"] {
        let _ = std::fs::remove_file(wasm.with_extension(format!("wasm.{suffix}")));
    }
    std::fs::write(&wasm, b"not wasm")?;
    let server = TestServer::start_serving(&data.path().join("broken.sqlite"), None, &dist)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    // The app's name is there from the first paint.
    assert_eq!(
        phone.text("#boot .boot-name").await?.as_deref(),
        Some("同心")
    );
    wait_until(
        Duration::from_secs(20),
        "the failure to be shown",
        || async {
            Ok(phone
                .text("#boot.failed .boot-status")
                .await?
                .is_some_and(|t| t.contains("未能加载")))
        },
    )
    .await?;
    phone.close().await?;
    Ok(())
}

/// What the page fetched so far, by URL (the browser's resource timing).
async fn fetched(browser: &Browser) -> Result<Vec<String>> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map((e) => e.name)",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(names)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_phone_never_fetches_the_office_and_the_office_pages_fetch_only_theirs() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("bundles.sqlite"), None)?;

    // A volunteer's and an organiser's pages, and a reload, on a phone.
    let phone = Browser::open(PHONE).await?;
    open(&phone, &server, "/", "#login-form").await?;
    phone.log_in("organiser").await?;
    for (path, ready) in [("/", "#session-form"), ("/room", "#session-form")] {
        open(&phone, &server, path, ready).await?;
        let names = fetched(&phone).await?;
        assert!(
            names
                .iter()
                .any(|n| n.contains("/assets/tongxin_frontend_bg-")),
            "{path}: the phone's wasm is not among {names:?}"
        );
        assert!(
            !names.iter().any(|n| n.contains("tongxin_office")),
            "{path} fetched the office: {names:?}"
        );
    }
    phone.close().await?;

    // The admin's pages load the office and not the phone's wasm.
    let desk = Browser::open(DESKTOP).await?;
    open(&desk, &server, "/", "#login-form").await?;
    desk.log_in("admin").await?;
    for (path, ready) in [("/admin", "#admin-filter"), ("/manage", "#account-form")] {
        open(&desk, &server, path, ready).await?;
        let names = fetched(&desk).await?;
        assert!(
            names
                .iter()
                .any(|n| n.contains("/assets/tongxin_office_bg-")),
            "{path}: {names:?}"
        );
        assert!(
            !names.iter().any(|n| n.contains("tongxin_frontend_bg")),
            "{path} fetched the phone's wasm: {names:?}"
        );
    }
    desk.close().await?;
    Ok(())
}
