//! English, chosen on the login screen: every screen a user meets (login,
//! the volunteer's form with its messages, the organiser's room, the
//! admin's page) shows no Chinese of the app's own, only the district's
//! data (station names, titles …), which the app marks `translate="no"`.
//! The choice outlives a reload.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;
use tongxin_tests::{Browser, DESKTOP, PHONE, TestServer, wait_until};

/// Visible text and labels with Chinese characters or punctuation, outside
/// what is marked as data or as Chinese on purpose (the language picker's
/// "中文").
const LEFTOVER_CJK_JS: &str = r#"
const cjk = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/;
const skip = '[translate=no], option[lang=zh], script, style, noscript, datalist';
const found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest(skip)) continue;
    const shown = element.tagName === 'OPTION' || element.getClientRects().length > 0;
    if (shown && cjk.test(node.textContent)) found.push(node.textContent.trim());
}
for (const element of document.querySelectorAll('[placeholder], [title], [aria-label]')) {
    if (element.closest(skip)) continue;
    for (const name of ['placeholder', 'title', 'aria-label']) {
        const value = element.getAttribute(name);
        if (value && cjk.test(value)) found.push(`${name}=${value}`);
    }
}
return found;
"#;

async fn leftover_cjk(browser: &Browser) -> Result<Vec<String>> {
    let found = browser.client.execute(LEFTOVER_CJK_JS, vec![]).await?;
    Ok(serde_json::from_value(found)?)
}

async fn assert_english(browser: &Browser, screen: &str) -> Result<()> {
    let found = leftover_cjk(browser).await?;
    assert!(
        found.is_empty(),
        "Chinese left on the English {screen}: {found:?}"
    );
    Ok(())
}

async fn log_out(browser: &Browser) -> Result<()> {
    browser.click("button.log-out").await?;
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(browser.text("#login-form").await?.is_some())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn english_replaces_every_string_of_the_app_on_every_main_screen() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("english.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    // The browser says en-US, yet the app starts in Chinese: the scan
    // finds plenty, so it can fail.
    wait_until(Duration::from_secs(20), "the login screen", || async {
        Ok(phone.text("#login-form h1").await?.as_deref() == Some("登录"))
    })
    .await?;
    assert!(!leftover_cjk(&phone).await?.is_empty());

    phone.set_value("select[name=language]", "en").await?;
    wait_until(
        Duration::from_secs(5),
        "the login screen in English",
        || async { Ok(phone.text("#login-form h1").await?.as_deref() == Some("Log in")) },
    )
    .await?;
    assert_english(&phone, "login screen").await?;

    // The volunteer's screen, with the form's messages showing.
    phone.log_in("volunteer").await?;
    wait_until(Duration::from_secs(20), "the records", || async {
        Ok(phone
            .text("#my-records li[data-sync=synced]")
            .await?
            .is_some())
    })
    .await?;
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the messages", || async {
        Ok(
            phone.text("#title-error").await?.as_deref() == Some("Activity is required")
                && phone.text("#category-error").await?.as_deref() == Some("Category: choose one"),
        )
    })
    .await?;
    assert_english(&phone, "volunteer's screen").await?;

    // Remembered across a reload, with the page's language set.
    phone.client.refresh().await?;
    wait_until(
        Duration::from_secs(20),
        "English after a reload",
        || async {
            Ok(phone.text("#activity-form h1").await?.as_deref() == Some("Record an activity"))
        },
    )
    .await?;
    let lang: Value = phone
        .client
        .execute("return document.documentElement.lang", vec![])
        .await?;
    assert_eq!(lang, "en");
    let dates: Value = phone
        .client
        .execute(
            "return [...document.querySelectorAll('#my-records .record-meta')].map(e => e.textContent)",
            vec![],
        )
        .await?;
    // Dates as English writes them ("15 Nov 2026"), not ISO.
    let first = dates[0].as_str().unwrap_or_default().to_owned();
    assert!(
        first.contains(" Nov 2026") || first.contains(" Oct 2026"),
        "{first}"
    );
    assert_english(&phone, "volunteer's screen after a reload").await?;

    // The proposals, with the form's messages showing.
    phone.click("nav a[href='/proposals']").await?;
    phone.click("#proposal-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(5),
        "the proposal's messages",
        || async {
            Ok(phone.text("#proposal-group-error").await?.as_deref() == Some("Group: choose one"))
        },
    )
    .await?;
    assert_english(&phone, "proposals").await?;
    // Home again, where the next user starts.
    phone.click("nav a[href='/']").await?;

    // The organiser's room.
    log_out(&phone).await?;
    phone.log_in("organiser").await?;
    wait_until(Duration::from_secs(20), "the room", || async {
        Ok(phone.text("#session-totals").await?.is_some())
    })
    .await?;
    phone.click("#session-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(5),
        "the session form's messages",
        || async {
            Ok(phone.text("#session-platform-error").await?.as_deref()
                == Some("Platform is required"))
        },
    )
    .await?;
    assert_eq!(
        phone.text("#session-detail h2").await?.as_deref(),
        Some("Session 7 sales")
    );
    assert_english(&phone, "organiser's room").await?;
    phone.close().await?;

    // The admin's page, on a desktop.
    let desk = Browser::open(DESKTOP).await?;
    desk.client.goto(&server.url("/")).await?;
    wait_until(
        Duration::from_secs(20),
        "the admin's login screen",
        || async { Ok(desk.text("#login-form").await?.is_some()) },
    )
    .await?;
    desk.set_value("select[name=language]", "en").await?;
    desk.log_in("admin").await?;
    desk.client.goto(&server.url("/admin")).await?;
    wait_until(Duration::from_secs(20), "the admin's figures", || async {
        Ok(desk.text("#by-street tbody tr").await?.is_some()
            && desk
                .attribute("#chart-by-category", "data-drawn")
                .await?
                .as_deref()
                == Some("true"))
    })
    .await?;
    assert_english(&desk, "admin's page").await?;
    desk.client.goto(&server.url("/manage")).await?;
    wait_until(Duration::from_secs(20), "the accounts", || async {
        Ok(desk.text("#accounts tbody tr").await?.is_some()
            && desk.text("#stations-table tbody tr").await?.is_some())
    })
    .await?;
    assert_english(&desk, "accounts and stations").await?;
    desk.close().await
}
