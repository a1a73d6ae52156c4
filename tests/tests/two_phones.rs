//! Two phones edit the same activity while the server is down; once it is
//! back, both show the same record, as the merge rules say: edits of
//! different fields both survive, and of the same field the later wins.

use std::time::Duration;

use anyhow::Result;
use fantoccini::Locator;
use serde_json::json;
use tongxin_server::demo;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// Loads the record into the form, sets `field` to `value`, saves.
async fn edit(phone: &Browser, id: &str, field: &str, value: &str) -> Result<()> {
    let c = &phone.client;
    c.find(Locator::Css(&format!("li[data-id='{id}'] button.edit")))
        .await?
        .click()
        .await?;
    wait_until(Duration::from_secs(5), "the record in the form", || async {
        Ok(phone.text("#activity-form h1").await?.as_deref() == Some("修改记录"))
    })
    .await?;
    c.execute(
        "const input = document.querySelector(arguments[0]);
         input.value = arguments[1];
         input.dispatchEvent(new Event('input', { bubbles: true }));",
        vec![
            json!(format!("#activity-form [name={field}]")),
            json!(value),
        ],
    )
    .await?;
    c.find(Locator::Css("button[type=submit]"))
        .await?
        .click()
        .await?;
    wait_until(
        Duration::from_secs(5),
        "the edit to be saved, pending",
        || async {
            Ok(phone
                .attribute(&format!("li[data-id='{id}']"), "data-sync")
                .await?
                .as_deref()
                == Some("pending"))
        },
    )
    .await
}

/// Asks for a sync now and waits until the row shows `title` and `people`.
async fn wait_for(phone: &Browser, id: &str, title: &str, people: &str) -> Result<()> {
    let row = format!("li[data-id='{id}']");
    wait_until(
        Duration::from_secs(20),
        &format!("{title} / {people} on a phone"),
        || async {
            phone.click("button.sync-now").await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(
                phone.attribute(&row, "data-sync").await?.as_deref() == Some("synced")
                    && phone
                        .text(&format!("{row} .record-title"))
                        .await?
                        .as_deref()
                        == Some(title)
                    && phone
                        .text(&format!("{row} .record-people"))
                        .await?
                        .as_deref()
                        == Some(people),
            )
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn two_phones_editing_one_activity_offline_converge_as_the_merge_rules_say() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("two-phones.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let activity = &demo::activities()[0];
    let id = activity.id.to_string();
    let (a, b) = (Browser::open(PHONE).await?, Browser::open(PHONE).await?);
    for phone in [&a, &b] {
        phone.client.goto(&server.url("/")).await?;
        phone.log_in("volunteer").await?;
        phone.wait_for_service_worker().await?;
        wait_for(
            phone,
            &id,
            &activity.title,
            &format!("{} 人次", activity.people_served.get()),
        )
        .await?;
    }

    // Different fields, offline: both edits survive, in whichever order
    // the phones reconnect.
    server.kill();
    edit(&a, &id, "title", "眼科义诊进村").await?;
    edit(&b, &id, "people_served", "140").await?;
    server = TestServer::start(&database, Some(port))?;
    for phone in [&b, &a, &b] {
        wait_for(phone, &id, "眼科义诊进村", "140 人次").await?;
    }

    // The same field, offline: the later edit wins on both phones.
    server.kill();
    edit(&b, &id, "title", "早一点的标题").await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    edit(&a, &id, "title", "晚一点的标题").await?;
    let _server = TestServer::start(&database, Some(port))?;
    for phone in [&a, &b, &a] {
        wait_for(phone, &id, "晚一点的标题", "140 人次").await?;
    }
    a.close().await?;
    b.close().await?;
    Ok(())
}

/// Sets the page's clock `arguments[0]` days off, as a phone with a wrong
/// date would have: `Date.now()` and `new Date()` both, which is everything
/// the app reads the time from.
const SKEW_CLOCK_JS: &str = "
    const skew = arguments[0] * 24 * 60 * 60 * 1000;
    const RealDate = Date;
    class SkewedDate extends RealDate {
        constructor(...args) {
            if (args.length === 0) { super(RealDate.now() + skew); } else { super(...args); }
        }
        static now() { return RealDate.now() + skew; }
    }
    window.Date = SkewedDate;
    return Date.now() - RealDate.now();";

#[tokio::test(flavor = "multi_thread")]
async fn phones_with_clocks_thirty_days_behind_and_ahead_converge_on_the_edit_made_last()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("skewed-clocks.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let activity = &demo::activities()[0];
    let id = activity.id.to_string();
    let people = format!("{} 人次", activity.people_served.get());
    let (behind, ahead) = (Browser::open(PHONE).await?, Browser::open(PHONE).await?);
    for (phone, days) in [(&behind, -30), (&ahead, 30)] {
        phone.client.goto(&server.url("/")).await?;
        // The clock is wrong before the app ever talks to the server.
        let skew_ms = phone
            .client
            .execute(SKEW_CLOCK_JS, vec![json!(days)])
            .await?;
        let expected = f64::from(days) * 86_400_000.0;
        assert!(
            (skew_ms.as_f64().unwrap_or(0.0) - expected).abs() < 1_000.0,
            "{skew_ms}"
        );
        phone.log_in("volunteer").await?;
        phone.wait_for_service_worker().await?;
        wait_for(phone, &id, &activity.title, &people).await?;
    }

    // Offline, the phone 30 days ahead edits first and the phone 30 days
    // behind edits a moment later. Trusting the phones' clocks, the early
    // edit would carry a stamp 60 days later than the late one and win for
    // good. The devices correct their clocks by the server's time on every
    // sync, so the stamps follow real time and the later edit wins.
    server.kill();
    edit(&ahead, &id, "title", "快30天的手机先改").await?;
    tokio::time::sleep(Duration::from_millis(50)).await;
    edit(&behind, &id, "title", "慢30天的手机后改").await?;
    let _server = TestServer::start(&database, Some(port))?;
    for phone in [&ahead, &behind, &ahead] {
        wait_for(phone, &id, "慢30天的手机后改", &people).await?;
    }
    behind.close().await?;
    ahead.close().await?;
    Ok(())
}
