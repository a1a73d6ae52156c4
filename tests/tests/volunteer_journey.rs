//! A volunteer's day with no signal: three activities recorded, one edited,
//! one deleted (and the delete undone, then done again), the list searched
//! and filtered, the page reloaded offline; once the signal is back the
//! server holds exactly the two remaining records, with the edit.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

async fn click(phone: &Browser, css: &str) -> Result<()> {
    phone.click(css).await
}

async fn wait_for_titles(phone: &Browser, what: &str, expected: &[&str]) -> Result<()> {
    let mut want: Vec<String> = expected.iter().map(|t| (*t).to_owned()).collect();
    want.sort();
    wait_until(Duration::from_secs(10), what, || async {
        let mut ours: Vec<String> = phone
            .listed_titles()
            .await?
            .into_iter()
            .filter(|t| [A, B, C].contains(&t.as_str()))
            .collect();
        ours.sort();
        Ok(ours == want)
    })
    .await
}

const A: &str = "村口健康义诊";
const B: &str = "社区法律咨询角";
const C: &str = "敬老院探访";

#[tokio::test(flavor = "multi_thread")]
async fn a_volunteers_offline_day_reaches_the_server_as_exactly_what_remains() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("journey.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    phone.wait_for_station("st-xianfeng").await?;
    let demo_titles = phone.listed_titles().await?;

    server.kill();
    let a = phone.record_activity("health_clinic", A, 10).await?;
    let b = phone.record_activity("legal_consultation", B, 20).await?;
    let c = phone.record_activity("elder_care", C, 30).await?;

    // Edit B's count.
    click(&phone, &format!("li[data-id='{b}'] button.edit")).await?;
    wait_until(Duration::from_secs(5), "B in the form", || async {
        Ok(phone.text("#activity-form h1").await?.as_deref() == Some("修改记录"))
    })
    .await?;
    phone
        .set_value("#activity-form [name=people_served]", "25")
        .await?;
    phone
        .set_value("#activity-form [name=time]", "14:30")
        .await?;
    phone
        .set_value("#activity-form [name=organising_group]", "同心律师服务团")
        .await?;
    click(&phone, "#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "B's new count", || async {
        Ok(phone
            .text(&format!("li[data-id='{b}'] .record-people"))
            .await?
            .as_deref()
            == Some("25 人次"))
    })
    .await?;

    // Delete C, undo, delete again.
    click(&phone, &format!("li[data-id='{c}'] button.delete")).await?;
    wait_for_titles(&phone, "C gone", &[A, B]).await?;
    let offer = phone.text(".undo-bar").await?.context("the undo offer")?;
    assert!(offer.contains(C), "{offer}");
    click(&phone, ".undo-bar button.undo").await?;
    wait_for_titles(&phone, "C back", &[A, B, C]).await?;
    click(&phone, &format!("li[data-id='{c}'] button.delete")).await?;
    wait_for_titles(&phone, "C gone again", &[A, B]).await?;

    // Search and filters narrow the list; clearing them shows it all again.
    phone.set_value("input[name=search]", "法律").await?;
    wait_until(Duration::from_secs(5), "only B found", || async {
        Ok(phone.listed_titles().await? == [B])
    })
    .await?;
    phone.set_value("input[name=search]", "").await?;
    // The choice is made again while waiting: the list may be rebuilt by
    // a sync attempt in between, and what is checked is the filter, not
    // the timing of one event.
    wait_until(Duration::from_secs(10), "only clinics", || async {
        phone
            .set_value("select[name=filter_category]", "health_clinic")
            .await?;
        let titles = phone.listed_titles().await?;
        let shown = titles.contains(&A.to_owned()) && !titles.contains(&B.to_owned());
        if !shown {
            eprintln!("waiting for only clinics; listed: {titles:?}");
        }
        Ok(shown)
    })
    .await?;
    phone.set_value("select[name=filter_category]", "").await?;
    let this_month = chrono::Local::now().format("%Y-%m").to_string();
    phone
        .set_value("input[name=search]", "没有这样的记录")
        .await?;
    wait_until(Duration::from_secs(5), "no match", || async {
        Ok(phone.text("#no-match").await?.is_some())
    })
    .await?;
    phone.set_value("input[name=search]", "").await?;
    phone
        .set_value("select[name=filter_month]", &this_month)
        .await?;
    wait_until(
        Duration::from_secs(5),
        "this month's records only",
        || async {
            let titles = phone.listed_titles().await?;
            let dates = phone
                .client
                .execute(
                    "return [...document.querySelectorAll('#my-records li')]
                     .map(e => e.dataset.date);",
                    vec![],
                )
                .await?;
            let dates: Vec<String> = serde_json::from_value(dates)?;
            Ok(titles.contains(&A.to_owned())
                && titles.contains(&B.to_owned())
                && dates.iter().all(|d| d.starts_with(&this_month)))
        },
    )
    .await?;
    phone.set_value("select[name=filter_month]", "").await?;

    // Reload with no signal: everything is as it was.
    phone.client.refresh().await?;
    wait_for_titles(&phone, "the records after an offline reload", &[A, B]).await?;
    let mut after_reload = phone.listed_titles().await?;
    after_reload.retain(|t| demo_titles.contains(t));
    assert_eq!(after_reload.len(), demo_titles.len());
    for id in [&a, &b] {
        assert_eq!(
            phone
                .attribute(&format!("li[data-id='{id}']"), "data-sync")
                .await?
                .as_deref(),
            Some("pending")
        );
    }

    // Signal back: it all syncs by itself.
    let server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(30), "everything synced", || async {
        Ok(
            phone.text("#pending-count").await?.as_deref() == Some("待同步 0")
                && phone
                    .attribute(&format!("li[data-id='{a}']"), "data-sync")
                    .await?
                    .as_deref()
                    == Some("synced"),
        )
    })
    .await?;

    let token = server.token("admin").await?;
    let rows: Vec<Value> = reqwest::Client::new()
        .get(server.url("/api/admin/activities"))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let mut ours: Vec<(String, u64, String, String)> = rows
        .iter()
        .map(|r| &r["activity"])
        .filter(|a| [A, B, C].contains(&a["title"].as_str().unwrap_or_default()))
        .map(|a| {
            let text = |field: &str| a[field].as_str().unwrap_or_default().to_owned();
            (
                text("title"),
                a["people_served"].as_u64().unwrap_or_default(),
                text("time"),
                text("organising_group"),
            )
        })
        .collect();
    ours.sort();
    // A was recorded without a time or group; B's edit gave it both.
    let mut expected = vec![
        (A.to_owned(), 10, String::new(), String::new()),
        (
            B.to_owned(),
            25,
            "14:30:00".to_owned(),
            "同心律师服务团".to_owned(),
        ),
    ];
    expected.sort();
    assert_eq!(ours, expected);
    phone.close().await?;
    Ok(())
}
