//! A change the server refused stays on the phone until its owner says to
//! discard it: it counts as unsynced, so logging out asks first and a
//! colleague's login is refused; discarding it is what lets them in.

use std::{process::Command, time::Duration};

use anyhow::Result;
use tongxin_tests::{Browser, PHONE, TestServer, server_binary, wait_until};

async fn sync_state(phone: &Browser, id: &str) -> Result<Option<String>> {
    phone
        .attribute(&format!("li[data-id='{id}']"), "data-sync")
        .await
}

async fn wait_for_text(phone: &Browser, css: &str, expected: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(30),
        &format!("{css} to say {expected:?}"),
        || async { Ok(phone.text(css).await?.is_some_and(|t| t.contains(expected))) },
    )
    .await
}

async fn log_out(phone: &Browser) -> Result<()> {
    phone.click("button.log-out").await
}

async fn wait_for_login_screen(phone: &Browser) -> Result<()> {
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_record_is_unsynced_blocks_a_colleagues_login_and_goes_only_when_discarded()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("rejected.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    let c = &phone.client;
    c.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-hongshiliu").await?;

    // With no signal, the volunteer records at 红石榴工作站; meanwhile an
    // admin takes that station from them, so the server refuses the record.
    server.kill();
    let id = phone
        .record_activity_at("st-hongshiliu", "elder_care", "被拒绝的记录", 6)
        .await?;
    let changed = Command::new(server_binary())
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .args(["user", "stations", "volunteer", "--station", "st-xianfeng"])
        .status()?;
    assert!(changed.success());
    let server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(30), "the record refused", || async {
        Ok(sync_state(&phone, &id).await?.as_deref() == Some("rejected"))
    })
    .await?;
    wait_for_text(
        &phone,
        &format!("li[data-id='{id}'] .reject-reason"),
        "这不是您负责的阵地",
    )
    .await?;

    // The status bar counts it as unsynced, and says it was refused.
    wait_for_text(&phone, "#pending-count", "待同步 1").await?;
    wait_for_text(&phone, "#rejected-count", "其中 1 条被拒绝").await?;

    // Logging out asks first, as for any unsynced record.
    log_out(&phone).await?;
    let warning = c.get_alert_text().await?;
    assert!(warning.contains("1 条记录未同步"), "{warning}");
    c.accept_alert().await?;
    wait_for_login_screen(&phone).await?;

    // A colleague may not log in: the login names whose record waits.
    phone
        .submit_login("volunteer2", tongxin_server::demo::DEMO_PASSWORD)
        .await?;
    wait_for_text(
        &phone,
        "#login-error",
        "本机还有 volunteer 的 1 条记录未同步",
    )
    .await?;
    assert!(phone.text("#user-name").await?.is_none());

    // Its owner logs back in and finds it still there, refused; only when
    // they discard it (and confirm) does it go.
    phone.log_in("volunteer").await?;
    wait_until(Duration::from_secs(20), "the refused record", || async {
        Ok(sync_state(&phone, &id).await?.as_deref() == Some("rejected"))
    })
    .await?;
    phone
        .click(&format!("li[data-id='{id}'] button.discard"))
        .await?;
    let question = c.get_alert_text().await?;
    assert!(question.contains("放弃这条被拒绝的更改"), "{question}");
    c.dismiss_alert().await?;
    assert_eq!(
        sync_state(&phone, &id).await?.as_deref(),
        Some("rejected"),
        "kept when the user says no"
    );
    phone
        .click(&format!("li[data-id='{id}'] button.discard"))
        .await?;
    c.accept_alert().await?;
    wait_until(Duration::from_secs(10), "the record discarded", || async {
        Ok(sync_state(&phone, &id).await?.is_none())
    })
    .await?;
    wait_for_text(&phone, "#pending-count", "待同步 0").await?;
    assert!(phone.text("#rejected-count").await?.is_none());

    // A sync round pulls everything again; the server never had the
    // record, so it does not come back.
    let last_sync = phone.text("#sync-detail").await?;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    phone.click("button.sync-now").await?;
    wait_until(Duration::from_secs(20), "another sync round", || async {
        Ok(phone.text("#sync-detail").await? != last_sync)
    })
    .await?;
    assert!(sync_state(&phone, &id).await?.is_none());
    assert_eq!(
        phone.text("#pending-count").await?.as_deref(),
        Some("待同步 0")
    );

    // Now the colleague can take the phone (logging out asks nothing).
    log_out(&phone).await?;
    wait_for_login_screen(&phone).await?;
    phone.log_in("volunteer2").await?;
    assert_eq!(
        phone.text("#user-name").await?.as_deref(),
        Some("志愿者小王")
    );
    drop(server);
    phone.close().await
}
