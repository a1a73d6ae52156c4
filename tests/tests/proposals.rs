//! A proposal from idea to feedback, on two phones: a volunteer writes it
//! with no signal (the draft survives a reload), it syncs when the server
//! is back, an admin takes it up, records a measure and feedback on their
//! own phone, and the volunteer's phone shows the state change.

use std::time::Duration;

use anyhow::Result;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// Opens the proposals page through the nav, as a user would, and waits
/// for the groups the last sync brought.
async fn open_proposals(phone: &Browser) -> Result<()> {
    phone.click("nav a[href='/proposals']").await?;
    wait_until(Duration::from_secs(20), "the groups to choose from", || async {
        let count = phone
            .client
            .execute(
                "return document.querySelectorAll('#proposal-form select[name=group] option').length",
                vec![],
            )
            .await?;
        Ok(count.as_u64().unwrap_or(0) > 1)
    })
    .await
}

/// Taps "sync now" until `check` holds.
async fn sync_until<F, Fut>(phone: &Browser, what: &str, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    wait_until(Duration::from_secs(30), what, || {
        let checked = check();
        async move {
            phone.click("button.sync-now").await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            checked.await
        }
    })
    .await
}

/// Records the next step on the proposal page open in `admin`.
async fn record_step(admin: &Browser, kind: &str, fill: &[(&str, &str)]) -> Result<()> {
    let before = admin
        .client
        .execute(
            "return document.querySelectorAll('#proposal-history li').length",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(0);
    admin
        .click(&format!("#step-form button.chip[data-kind={kind}]"))
        .await?;
    for (field, value) in fill {
        let css = format!("#step-form [name={field}]");
        match *field {
            "text" | "responsible" => admin.type_text(&css, value).await?,
            _ => admin.set_value(&css, value).await?,
        }
    }
    admin.click("#step-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(10),
        &format!("the {kind} in the history"),
        || async {
            let count = admin
                .client
                .execute(
                    "return document.querySelectorAll('#proposal-history li').length",
                    vec![],
                )
                .await?;
            Ok(count.as_u64().unwrap_or(0) == before + 1)
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proposal_written_offline_is_taken_up_and_answered_and_its_proposer_sees_it() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let database = data.path().join("proposals.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;

    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    open_proposals(&phone).await?;

    // No signal: the volunteer writes, and the draft outlives a reload.
    server.kill();
    let title = "关于在先锋社区增设助老食堂的建议";
    phone
        .type_text("#proposal-form [name=title]", title)
        .await?;
    phone
        .set_value("#proposal-form [name=group]", "minjian")
        .await?;
    phone
        .type_text("#proposal-form [name=topic]", "养老")
        .await?;
    phone
        .set_value("#proposal-form [name=street]", "塔子湖街道")
        .await?;
    phone
        .type_text(
            "#proposal-form [name=body]",
            "辖区独居老人多，午餐无人照料。建议利用社区闲置用房开设助老食堂。",
        )
        .await?;
    assert!(phone.text("#draft-kept").await?.is_some());
    phone.client.refresh().await?;
    wait_until(
        Duration::from_secs(20),
        "the draft back after a reload",
        || async {
            Ok(phone.value("#proposal-form [name=title]").await? == title
                && phone.value("#proposal-form [name=group]").await? == "minjian")
        },
    )
    .await?;
    phone.click("#proposal-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(10),
        "the proposal listed, pending",
        || async {
            Ok(phone
                .text("#proposal-list .proposal-title")
                .await?
                .as_deref()
                == Some(title)
                && phone
                    .attribute("#proposal-list .sync-state", "data-state")
                    .await?
                    .as_deref()
                    == Some("pending"))
        },
    )
    .await?;
    assert_eq!(
        phone
            .attribute("#proposal-list .proposal-state", "data-state")
            .await?
            .as_deref(),
        Some("submitted")
    );
    // The draft is gone with the save: the form is empty for the next one.
    assert_eq!(phone.value("#proposal-form [name=title]").await?, "");

    // The signal is back: it goes.
    server = TestServer::start(&database, Some(port))?;
    sync_until(&phone, "the proposal synced", || async {
        Ok(phone
            .attribute("#proposal-list .sync-state", "data-state")
            .await?
            .as_deref()
            == Some("synced"))
    })
    .await?;

    // An admin takes it up and answers it, on their own phone.
    let admin = Browser::open(PHONE).await?;
    admin.client.goto(&server.url("/")).await?;
    admin.log_in("admin").await?;
    open_proposals(&admin).await?;
    wait_until(
        Duration::from_secs(20),
        "the proposal on the admin's phone",
        || async {
            Ok(admin
                .text("#proposal-list .proposal-title")
                .await?
                .as_deref()
                == Some(title))
        },
    )
    .await?;
    admin.click("#proposal-list .proposal-row a").await?;
    wait_until(Duration::from_secs(10), "the proposal's page", || async {
        Ok(admin.text("#proposal-detail h1").await?.as_deref() == Some(title))
    })
    .await?;
    let due = (chrono::Local::now().date_naive() + chrono::Days::new(14)).to_string();
    record_step(
        &admin,
        "taken_up",
        &[("responsible", "区民政局"), ("due", &due)],
    )
    .await?;
    record_step(&admin, "measure", &[("text", "已选定先锋社区一楼闲置用房")]).await?;
    record_step(
        &admin,
        "feedback",
        &[("satisfied", "yes"), ("text", "助老食堂已于本月开业")],
    )
    .await?;
    sync_until(&admin, "the admin's steps synced", || async {
        let states = admin
            .client
            .execute(
                "return [...document.querySelectorAll('#proposal-history .sync-state')]
                     .map(s => s.dataset.state)",
                vec![],
            )
            .await?;
        Ok(states == serde_json::json!(["synced", "synced", "synced"]))
    })
    .await?;

    // The volunteer's phone shows where it has got.
    sync_until(&phone, "the new state on the volunteer's phone", || async {
        Ok(phone
            .attribute("#proposal-list .proposal-state", "data-state")
            .await?
            .as_deref()
            == Some("feedback_given"))
    })
    .await?;
    phone.click("#proposal-list .proposal-row a").await?;
    wait_until(Duration::from_secs(10), "the history on the volunteer's phone", || async {
        let kinds = phone
            .client
            .execute(
                "return [...document.querySelectorAll('#proposal-history li')].map(s => s.dataset.kind)",
                vec![],
            )
            .await?;
        Ok(kinds == serde_json::json!(["taken_up", "measure", "feedback"]))
    })
    .await?;
    let responsible = phone
        .text("#proposal-responsible")
        .await?
        .unwrap_or_default();
    assert!(responsible.contains("区民政局"), "{responsible}");
    // A volunteer takes no steps.
    assert!(phone.text("#step-form").await?.is_none());

    // The admin's office: the board counts it where it is and opens its
    // history; the figures page counts it by the same rule.
    admin.client.goto(&server.url("/admin/proposals")).await?;
    wait_until(Duration::from_secs(20), "the board's counts", || async {
        Ok(
            admin.text("#count-feedback_given").await?.as_deref() == Some("1")
                && admin.text("#count-submitted").await?.as_deref() == Some("0"),
        )
    })
    .await?;
    admin
        .set_value("#proposal-filter select[name=group]", "minge")
        .await?;
    wait_until(
        Duration::from_secs(10),
        "no row of another group",
        || async { Ok(admin.text("#count-feedback_given").await?.as_deref() == Some("0")) },
    )
    .await?;
    admin
        .set_value("#proposal-filter select[name=group]", "")
        .await?;
    wait_until(Duration::from_secs(10), "the row back", || async {
        Ok(admin.text("#proposal-rows tbody tr a").await?.as_deref() == Some(title))
    })
    .await?;
    admin.click("#proposal-rows tbody tr a").await?;
    wait_until(Duration::from_secs(10), "the history in the office", || async {
        let kinds = admin
            .client
            .execute(
                "return [...document.querySelectorAll('#office-history li')].map(s => s.dataset.kind)",
                vec![],
            )
            .await?;
        Ok(kinds == serde_json::json!(["taken_up", "measure", "feedback"]))
    })
    .await?;
    admin.client.goto(&server.url("/admin")).await?;
    wait_until(
        Duration::from_secs(20),
        "the proposals' figures",
        || async {
            Ok(
                admin.text("#proposals-submitted").await?.as_deref() == Some("1")
                    && admin.text("#proposals-with-feedback").await?.as_deref() == Some("1")
                    && admin.text("#proposals-closed").await?.as_deref() == Some("0"),
            )
        },
    )
    .await?;
    phone.close().await?;
    admin.close().await?;
    Ok(())
}
