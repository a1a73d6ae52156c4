//! The walking skeleton, end to end: one activity recorded on a phone with
//! the server down reaches the admin's totals once the server is back.

use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::Locator;
use tongxin_server::demo;
use tongxin_tests::{Browser, DESKTOP, PHONE, TestServer, wait_until};

const TITLE: &str = "塔子湖街道健康义诊 e2e";
const PEOPLE_SERVED: u64 = 37;

#[tokio::test(flavor = "multi_thread")]
async fn an_activity_recorded_offline_survives_a_reload_syncs_by_itself_and_reaches_the_admin()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("e2e.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;

    // 1. Open the app while the server is up: the shell gets cached and the
    //    stations arrive with the first sync.
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    wait_until(
        Duration::from_secs(20),
        "the stations to arrive",
        || async {
            Ok(phone
                .attribute("select[name=station_id] option[value=st-xianfeng]", "value")
                .await?
                .is_some())
        },
    )
    .await?;

    // 2. The server goes away; the volunteer records an activity.
    server.kill();
    let c = &phone.client;
    c.find(Locator::Css("button[data-category=health_clinic]"))
        .await?
        .click()
        .await?;
    phone.type_text("input[name=title]", TITLE).await?;
    c.find(Locator::Css(
        "select[name=station_id] option[value=st-xianfeng]",
    ))
    .await?
    .click()
    .await?;
    phone
        .type_text("input[name=people_served]", &PEOPLE_SERVED.to_string())
        .await?;
    c.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    let row = "#my-records li[data-sync]";
    wait_until(
        Duration::from_secs(10),
        "the new record marked not yet synced",
        || async {
            Ok(phone.text(row).await?.is_some_and(|t| t.contains(TITLE))
                && phone.attribute(row, "data-sync").await?.as_deref() == Some("pending"))
        },
    )
    .await?;
    let badge = phone
        .text(&format!("{row} .sync-badge"))
        .await?
        .context("a sync badge")?;
    assert_eq!(badge, "未同步");

    // 3. Reload with the server still down: the service worker serves the
    //    app and IndexedDB still has the record.
    c.refresh().await?;
    wait_until(
        Duration::from_secs(20),
        "the app to load offline with the record",
        || async {
            Ok(phone.text(row).await?.is_some_and(|t| t.contains(TITLE))
                && phone.attribute(row, "data-sync").await?.as_deref() == Some("pending"))
        },
    )
    .await?;
    assert_eq!(phone.text("#connection").await?.as_deref(), Some("离线"));
    wait_until(
        Duration::from_secs(10),
        "the offline explanation",
        || async {
            Ok(phone.text("#sync-detail .sync-error").await?.as_deref()
                == Some("无法连接服务器：记录已保存在本机，恢复联网后自动同步"))
        },
    )
    .await?;

    // 4. The server comes back on the same address: the app syncs on its
    //    own, no click.
    let server = TestServer::start(&database, Some(port))?;
    wait_until(
        Duration::from_secs(15),
        "the record to be marked synced",
        || async { Ok(phone.attribute(row, "data-sync").await?.as_deref() == Some("synced")) },
    )
    .await?;
    assert_eq!(
        phone.text(&format!("{row} .sync-badge")).await?.as_deref(),
        Some("已同步")
    );
    wait_until(
        Duration::from_secs(10),
        "the last sync time, and no error",
        || async {
            let detail = phone.text("#sync-detail").await?.unwrap_or_default();
            Ok(detail.starts_with("上次同步 ")
                && phone.text("#sync-detail .sync-error").await?.is_none())
        },
    )
    .await?;
    phone.close().await?;

    // 5. Another browser opens the admin page: the record is there and the
    //    total counts it exactly once.
    let demo_total: u64 = demo::activities()
        .iter()
        .map(|a| u64::from(a.people_served.get()))
        .sum();
    let admin = Browser::open(DESKTOP).await?;
    admin.client.goto(&server.url("/admin")).await?;
    admin.log_in("admin").await?;
    let expected = (demo_total + PEOPLE_SERVED).to_string();
    wait_until(Duration::from_secs(15), "the admin totals", || async {
        Ok(admin.text("#total-people-served").await?.as_deref() == Some(expected.as_str()))
    })
    .await?;
    let table = admin
        .text("#admin-activities")
        .await?
        .context("the activity table")?;
    assert_eq!(table.matches(TITLE).count(), 1, "{table}");
    assert_eq!(
        admin.text("#total-activities").await?,
        Some((demo::activities().len() + 1).to_string())
    );
    admin.close().await?;
    Ok(())
}
