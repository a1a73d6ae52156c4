//! Logging in and out on a phone: the session works offline, an expired one
//! asks for the password again without touching the records, and no
//! unsynced record is ever lost by logging out or by another user.

use std::{
    io::Write,
    process::{Command, Stdio},
    time::Duration,
};

use anyhow::{Context, Result};
use tongxin_tests::{Browser, PHONE, TestServer, server_binary, wait_until};

async fn sync_state(phone: &Browser, id: &str) -> Result<Option<String>> {
    phone
        .attribute(&format!("li[data-id='{id}']"), "data-sync")
        .await
}

async fn wait_for_state(phone: &Browser, id: &str, state: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(20),
        &format!("record {id} to be {state}"),
        || async { Ok(sync_state(phone, id).await?.as_deref() == Some(state)) },
    )
    .await
}

async fn wait_for_text(phone: &Browser, css: &str, expected: &str) -> Result<()> {
    wait_until(
        Duration::from_secs(20),
        &format!("{css} to say {expected:?}"),
        || async { Ok(phone.text(css).await?.is_some_and(|t| t.contains(expected))) },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn no_record_is_lost_by_logging_out_switching_users_or_an_expired_session() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("login.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    let c = &phone.client;
    c.goto(&server.url("/")).await?;

    // A wrong password is said in words and logs nobody in.
    phone.submit_login("volunteer", "wrong-password").await?;
    wait_for_text(&phone, "#login-error", "用户名或密码错误").await?;
    assert!(phone.text("#user-name").await?.is_none());

    phone.log_in("volunteer").await?;
    assert_eq!(
        phone.text("#user-name").await?.as_deref(),
        Some("志愿者小李")
    );
    phone.wait_for_service_worker().await?;
    phone.wait_for_station("st-xianfeng").await?;

    // Offline, a record is made; logging out warns first.
    server.kill();
    let first = phone
        .record_activity("health_clinic", "退出前未同步的记录", 12)
        .await?;
    assert_eq!(
        sync_state(&phone, &first).await?.as_deref(),
        Some("pending")
    );
    phone.click("button.log-out").await?;
    let warning = c.get_alert_text().await?;
    assert!(warning.contains("1 条记录未同步"), "{warning}");
    c.dismiss_alert().await?;
    assert!(phone.text("#user-name").await?.is_some(), "still logged in");
    phone.click("button.log-out").await?;
    c.accept_alert().await?;
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await?;

    // Logging in needs the network, and says so.
    phone.submit_login("volunteer2", "tongxin-demo").await?;
    wait_for_text(&phone, "#login-error", "登录需要联网").await?;

    // Online again: another volunteer may not take over the phone while
    // the first one's record is unsynced.
    let _server = TestServer::start(&database, Some(port))?;
    phone.submit_login("volunteer2", "tongxin-demo").await?;
    wait_for_text(
        &phone,
        "#login-error",
        "本机还有 volunteer 的 1 条记录未同步",
    )
    .await?;

    // The first volunteer logs back in: the record is still there and syncs.
    phone.log_in("volunteer").await?;
    wait_for_state(&phone, &first, "synced").await?;

    // An admin resets the volunteer's password, which ends their sessions.
    let mut reset = Command::new(server_binary())
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .args(["user", "reset", "volunteer"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    reset
        .stdin
        .take()
        .context("stdin")?
        .write_all(b"a-brand-new-password\n")?;
    assert!(reset.wait()?.success());

    // The next sync is refused: the app asks for the password again, above
    // a page that keeps working, and the new record waits.
    let second = phone
        .record_activity("health_clinic", "会话过期时的记录", 8)
        .await?;
    wait_for_text(&phone, "#login-form h1", "登录已过期").await?;
    wait_for_text(&phone, "#sync-detail .sync-error", "登录已过期").await?;
    assert_eq!(
        sync_state(&phone, &second).await?.as_deref(),
        Some("pending")
    );
    assert_eq!(sync_state(&phone, &first).await?.as_deref(), Some("synced"));

    phone
        .submit_login("volunteer", "a-brand-new-password")
        .await?;
    wait_until(Duration::from_secs(20), "the login panel to go", || async {
        Ok(phone.text("#login-form").await?.is_none())
    })
    .await?;
    wait_for_state(&phone, &second, "synced").await?;
    phone.close().await?;
    Ok(())
}
