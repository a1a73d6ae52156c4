//! The phone's screen at 360×740, as a volunteer, an organiser and an
//! admin hold it, in both languages: nothing scrolls sideways, the pinned
//! bar is one line and tells the truth, a refused save shows its first
//! error in view, every delete offers its undo in view, and an edit can
//! be cancelled.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use serde_json::{Value, json};
use tongxin_tests::{Browser, PHONE, TestServer, database_of_activities, open_room, wait_until};

/// A title a user might paste: one unbroken word longer than the screen.
const LONG_TITLE: &str =
    "义诊https://example.org/tazihu/jiedao/huodong/2026/11/27/yizhen-jilu-zhaopian-xiangqing";

/// The page's width beyond the window's, with what sticks out most, if
/// anything does.
async fn overflow(phone: &Browser) -> Result<(i64, String)> {
    let found = phone
        .client
        .execute(
            "const width = document.documentElement.clientWidth;
             let widest = null, right = width;
             for (const e of document.querySelectorAll('body *')) {
                 const r = e.getBoundingClientRect();
                 if (r.width > 0 && r.right > right + 0.5) { right = r.right; widest = e; }
             }
             const name = widest ? widest.tagName.toLowerCase() + '.' + widest.className
                 + ' ' + (widest.textContent || '').slice(0, 40) : '';
             return [document.documentElement.scrollWidth - width, name];",
            vec![],
        )
        .await?;
    Ok((
        found[0].as_i64().context("a width")?,
        found[1].as_str().unwrap_or_default().to_owned(),
    ))
}

/// Checks that `page` fits 360 px: no sideways scroll, and the pinned
/// part of the screen (the bar) is one line.
async fn check_fits(phone: &Browser, page: &str) -> Result<()> {
    // Let the page settle: lists fill in after their IndexedDB reads.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let (beyond, widest) = overflow(phone).await?;
    let scroll_width = phone
        .client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await?;
    ensure!(
        scroll_width.as_i64().is_some_and(|w| w <= 360) && beyond <= 0,
        "{page}: the page is {scroll_width} px wide at 360 px; widest: {widest}"
    );
    let bar = phone
        .client
        .execute(
            "const bar = document.getElementById('status-bar');
             return bar ? bar.getBoundingClientRect().height : 0;",
            vec![],
        )
        .await?;
    ensure!(
        bar.as_f64().is_some_and(|h| h <= 48.5),
        "{page}: the pinned bar is {bar} px tall"
    );
    Ok(())
}

async fn choose_language(phone: &Browser, code: &str) -> Result<()> {
    phone.set_value("select[name=language]", code).await?;
    let lang = if code == "en" { "en" } else { "zh" };
    wait_until(Duration::from_secs(5), "the language switched", || async {
        let now = phone
            .client
            .execute("return document.documentElement.lang", vec![])
            .await?;
        Ok(now.as_str().is_some_and(|l| l.starts_with(lang)))
    })
    .await
}

/// Checks `page` (already open) in Chinese, then in English, and leaves it
/// in Chinese.
async fn check_both_languages(phone: &Browser, page: &str) -> Result<()> {
    check_fits(phone, &format!("{page} (zh)")).await?;
    choose_language(phone, "en").await?;
    check_fits(phone, &format!("{page} (en)")).await?;
    choose_language(phone, "zh").await
}

/// Checks that `page` (already open) is no wider than 360 px, in Chinese
/// then in English, and leaves it in Chinese.
async fn check_width_both_languages(phone: &Browser, page: &str) -> Result<()> {
    for language in ["zh", "en"] {
        choose_language(phone, language).await?;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let (beyond, widest) = overflow(phone).await?;
        let scroll_width = phone
            .client
            .execute("return document.documentElement.scrollWidth", vec![])
            .await?;
        ensure!(
            scroll_width.as_i64().is_some_and(|w| w <= 360) && beyond <= 0,
            "{page} ({language}): the page is {scroll_width} px wide at 360 px; widest: {widest}"
        );
    }
    choose_language(phone, "zh").await
}

async fn log_out(phone: &Browser) -> Result<()> {
    phone.click("button.log-out").await?;
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await
}

/// Where `css` is on screen: top and bottom in CSS pixels.
async fn on_screen(phone: &Browser, css: &str) -> Result<(f64, f64)> {
    let rect = phone
        .client
        .execute(
            "const e = document.querySelector(arguments[0]);
             if (!e) return null;
             const r = e.getBoundingClientRect();
             return [r.top, r.bottom];",
            vec![json!(css)],
        )
        .await?;
    Ok((
        rect[0].as_f64().with_context(|| format!("no {css}"))?,
        rect[1].as_f64().with_context(|| format!("no {css}"))?,
    ))
}

/// In view: below the pinned bar and above the window's bottom.
async fn in_view(phone: &Browser, css: &str) -> Result<bool> {
    let (top, bottom) = on_screen(phone, css).await?;
    Ok(top >= 47.0 && bottom <= f64::from(PHONE.1))
}

async fn scroll_to_bottom(phone: &Browser) -> Result<()> {
    phone
        .client
        .execute(
            "window.scrollTo(0, document.documentElement.scrollHeight)",
            vec![],
        )
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_phone_page_fits_360_px_in_both_languages_with_a_one_line_bar() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("screen.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    wait_until(Duration::from_secs(20), "the login form", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await?;
    check_both_languages(&phone, "the login screen").await?;

    // A volunteer with a long unbroken title in the list.
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-xianfeng").await?;
    phone
        .record_activity("health_clinic", LONG_TITLE, 12)
        .await?;
    check_both_languages(&phone, "a volunteer's records").await?;

    // Their proposals, one with a long title, and its page.
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
    .await?;
    phone
        .type_text("#proposal-form [name=title]", LONG_TITLE)
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
        .type_text("#proposal-form [name=body]", "建议开设助老食堂。")
        .await?;
    phone.click("#proposal-form button[type=submit]").await?;
    wait_until(Duration::from_secs(10), "the proposal listed", || async {
        Ok(phone
            .text("#proposal-list .proposal-row a")
            .await?
            .is_some())
    })
    .await?;
    // Sent before the next user logs in (the office lists it later).
    wait_until(Duration::from_secs(30), "the proposal synced", || async {
        phone.click("button.sync-now").await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        Ok(phone
            .attribute("#proposal-list .sync-state", "data-state")
            .await?
            .as_deref()
            == Some("synced"))
    })
    .await?;
    check_both_languages(&phone, "a volunteer's proposals").await?;
    phone.click("#proposal-list .proposal-row a").await?;
    wait_until(Duration::from_secs(10), "the proposal's page", || async {
        Ok(phone.text("#proposal-detail h1").await?.is_some())
    })
    .await?;
    check_both_languages(&phone, "a proposal's page").await?;
    phone.click("nav a[href='/']").await?;
    log_out(&phone).await?;

    // An organiser in the room, with the 7th session's sale lines open.
    phone.log_in("organiser").await?;
    wait_until(Duration::from_secs(20), "the demo room", || async {
        Ok(phone.text("#sessions li[data-number='7']").await?.is_some())
    })
    .await?;
    phone
        .click("#sessions li[data-number='7'] button.session-open")
        .await?;
    wait_until(Duration::from_secs(10), "the sale lines", || async {
        Ok(phone.text("#sale-lines tbody tr").await?.is_some())
    })
    .await?;
    check_both_languages(&phone, "the organisers' room").await?;
    log_out(&phone).await?;

    // An admin's phone: records, then the room.
    phone.log_in("admin").await?;
    phone.wait_for_station("st-xianfeng").await?;
    check_both_languages(&phone, "an admin's records").await?;
    phone.click("a[href='/room']").await?;
    wait_until(Duration::from_secs(20), "the room", || async {
        Ok(phone.text("#sessions li").await?.is_some())
    })
    .await?;
    check_both_languages(&phone, "an admin's room").await?;

    // The office's proposals board and a proposal's page there, on the
    // same phone: their header scrolls away, so only the width counts.
    phone.client.goto(&server.url("/admin/proposals")).await?;
    wait_until(Duration::from_secs(20), "the board's proposal", || async {
        Ok(phone.text("#proposal-rows tbody tr a").await?.is_some())
    })
    .await?;
    check_width_both_languages(&phone, "the office's proposals board").await?;
    phone.click("#proposal-rows tbody tr a").await?;
    wait_until(
        Duration::from_secs(10),
        "the proposal in the office",
        || async { Ok(phone.text("#proposal-history-page h1").await?.is_some()) },
    )
    .await?;
    check_width_both_languages(&phone, "a proposal's page in the office").await?;
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_save_brings_its_first_error_into_view_and_focus() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("focus.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-xianfeng").await?;

    // Everything but the title, the save tapped from the bottom of the form.
    phone
        .click("button[data-category=legal_consultation]")
        .await?;
    phone
        .set_value("select[name=station_id]", "st-xianfeng")
        .await?;
    phone.set_value("input[name=people_served]", "9").await?;
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the title in focus", || async {
        let focused = phone
            .client
            .execute(
                "const e = document.activeElement;
                 return e ? [e.name || '', e.getAttribute('aria-invalid')] : null;",
                vec![],
            )
            .await?;
        Ok(focused == json!(["title", "true"]))
    })
    .await?;
    ensure!(
        in_view(&phone, "input[name=title]").await?,
        "the title is off screen or under the bar: {:?}",
        on_screen(&phone, "input[name=title]").await?
    );
    ensure!(
        in_view(&phone, "#title-error").await?,
        "the title's message is not in view"
    );
    // The fields that were right are not marked.
    ensure!(
        phone
            .attribute("input[name=people_served]", "aria-invalid")
            .await?
            .is_none(),
        "people served is marked invalid"
    );
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delete_offers_its_undo_in_view_and_a_cancelled_edit_changes_nothing() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("undo.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-xianfeng").await?;
    let mut ids = Vec::new();
    for n in 1..=4 {
        ids.push(
            phone
                .record_activity("elder_care", &format!("上门探访 {n}"), n)
                .await?,
        );
    }

    // The oldest record is at the bottom of the page: delete it there.
    let oldest = format!("#my-records li[data-id='{}']", ids[0]);
    scroll_to_bottom(&phone).await?;
    phone.click(&format!("{oldest} button.delete")).await?;
    wait_until(Duration::from_secs(5), "the undo offer", || async {
        Ok(phone.text(".undo-bar").await?.is_some())
    })
    .await?;
    ensure!(
        in_view(&phone, ".undo-bar").await?,
        "the undo offer is off screen: {:?}",
        on_screen(&phone, ".undo-bar").await?
    );
    ensure!(
        phone
            .text(".undo-bar")
            .await?
            .is_some_and(|t| t.contains("上门探访 1")),
        "the offer names what was deleted"
    );
    phone.click(".undo-bar button.undo").await?;
    wait_until(Duration::from_secs(5), "the record back", || async {
        Ok(phone.text(&oldest).await?.is_some() && phone.text(".undo-bar").await?.is_none())
    })
    .await?;

    // Edit, change the title, cancel: the record and the form as before.
    let newest = format!("#my-records li[data-id='{}']", ids[3]);
    let before = phone.listed_titles().await?;
    phone.click(&format!("{newest} button.edit")).await?;
    wait_until(Duration::from_secs(5), "the edit loaded", || async {
        Ok(phone.value("input[name=title]").await? == "上门探访 4")
    })
    .await?;
    phone.set_value("input[name=title]", "改了一半").await?;
    phone.click("button.cancel-edit").await?;
    wait_until(Duration::from_secs(5), "the edit cancelled", || async {
        Ok(phone.value("input[name=title]").await?.is_empty()
            && phone.text("button.cancel-edit").await?.is_none())
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(phone.listed_titles().await?, before);
    ensure!(
        !before.iter().any(|t| t == "改了一半"),
        "nothing of the cancelled edit is listed"
    );
    // The next save makes a new record rather than changing the old one.
    phone.record_activity("elder_care", "上门探访 5", 5).await?;
    let after = phone.listed_titles().await?;
    ensure!(
        after.len() == before.len() + 1 && after.contains(&"上门探访 4".to_owned()),
        "after: {after:?}"
    );
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sale_line_delete_offers_its_undo() -> Result<()> {
    let data = tempfile::tempdir()?;
    let (_server, phone) = open_room(&data.path().join("lines.sqlite")).await?;
    phone
        .click("#sessions li[data-number='7'] button.session-open")
        .await?;
    let count = || async {
        let n = phone
            .client
            .execute(
                "return document.querySelectorAll('#sale-lines tbody tr').length",
                vec![],
            )
            .await?;
        Ok::<_, anyhow::Error>(n.as_u64().unwrap_or(0))
    };
    wait_until(Duration::from_secs(10), "the sale lines", || async {
        Ok(count().await? > 0)
    })
    .await?;
    let lines = count().await?;
    let units = phone.attribute("#session-totals", "data-units").await?;
    phone.click("#sale-lines tbody tr button.delete").await?;
    wait_until(
        Duration::from_secs(5),
        "the line gone, undo offered",
        || async { Ok(count().await? == lines - 1 && phone.text(".undo-bar").await?.is_some()) },
    )
    .await?;
    ensure!(
        in_view(&phone, ".undo-bar").await?,
        "the undo offer is off screen"
    );
    phone.click(".undo-bar button.undo").await?;
    wait_until(Duration::from_secs(5), "the line back", || async {
        Ok(count().await? == lines
            && phone.attribute("#session-totals", "data-units").await? == units)
    })
    .await?;
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bar_counts_records_turns_offline_within_5_s_and_keeps_the_last_sync() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("bar.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_service_worker().await?;
    phone.wait_for_station("st-xianfeng").await?;
    wait_until(Duration::from_secs(20), "online", || async {
        Ok(phone.text("#connection").await?.as_deref() == Some("在线"))
    })
    .await?;

    server.kill();
    let gone = Instant::now();
    wait_until(Duration::from_secs(10), "offline", || async {
        Ok(phone.text("#connection").await?.as_deref() == Some("离线"))
    })
    .await?;
    let noticed = gone.elapsed();
    ensure!(
        noticed <= Duration::from_secs(5),
        "offline shown {noticed:?} after the server went"
    );

    // Two records, each saved twice: four changes, two records.
    let first = phone
        .record_activity("legal_consultation", "法律咨询 甲", 3)
        .await?;
    let second = phone
        .record_activity("legal_consultation", "法律咨询 乙", 4)
        .await?;
    for id in [&first, &second] {
        phone
            .click(&format!("#my-records li[data-id='{id}'] button.edit"))
            .await?;
        wait_until(Duration::from_secs(5), "the edit loaded", || async {
            Ok(phone
                .value("input[name=title]")
                .await?
                .starts_with("法律咨询"))
        })
        .await?;
        phone.set_value("input[name=people_served]", "8").await?;
        phone.click("#activity-form button[type=submit]").await?;
        wait_until(Duration::from_secs(5), "the edit saved", || async {
            Ok(phone.text("button.cancel-edit").await?.is_none())
        })
        .await?;
    }
    wait_until(Duration::from_secs(5), "two records waiting", || async {
        Ok(phone.text("#pending-count").await?.as_deref() == Some("待同步 2"))
    })
    .await?;

    // Back: the bar says so and empties by itself.
    let mut server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(20), "synced", || async {
        Ok(phone.text("#connection").await?.as_deref() == Some("在线")
            && phone.text("#pending-count").await?.as_deref() == Some("待同步 0"))
    })
    .await?;
    let detail = phone.text("#sync-detail").await?.unwrap_or_default();
    ensure!(
        detail.contains("上次同步"),
        "no last sync shown: {detail:?}"
    );

    // A reload with no server still shows when the device last synced.
    server.kill();
    phone.client.refresh().await?;
    wait_until(Duration::from_secs(20), "the app back", || async {
        Ok(phone.text("#user-name").await?.is_some())
    })
    .await?;
    let detail: Value = phone
        .client
        .execute(
            "return document.getElementById('sync-detail').textContent",
            vec![],
        )
        .await?;
    ensure!(
        detail.as_str().is_some_and(|d| d.contains("上次同步")),
        "the last sync is forgotten on reload: {detail}"
    );

    // Why it did not sync is worded in the language chosen now, at once,
    // not in the one the failure happened in.
    wait_until(Duration::from_secs(10), "the offline message", || async {
        Ok(phone
            .text(".sync-error")
            .await?
            .is_some_and(|t| t.starts_with("无法连接服务器")))
    })
    .await?;
    // The failed rounds have backed off to one every 5 s by now: the
    // message changing sooner than that is the switch, not a new round.
    choose_language(&phone, "en").await?;
    wait_until(
        Duration::from_secs(2),
        "the offline message in English",
        || async {
            Ok(phone
                .text(".sync-error")
                .await?
                .is_some_and(|t| t.starts_with("Cannot reach the server")))
        },
    )
    .await?;
    // So are the rows of the list, drawn before the switch.
    wait_until(Duration::from_secs(2), "the rows in English", || async {
        let badges = phone
            .client
            .execute(
                "return [...document.querySelectorAll('#my-records .sync-badge')].map(b => b.textContent)",
                vec![],
            )
            .await?;
        Ok(badges
            .as_array()
            .is_some_and(|b| !b.is_empty() && b.iter().all(|b| b == "Synced")))
    })
    .await?;
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_list_shows_its_first_page_and_the_next_as_its_end_scrolls_into_view() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let database = data.path().join("long.sqlite");
    database_of_activities(&database, 130).await?;
    let server = TestServer::start(&database, None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    wait_until(
        Duration::from_secs(30),
        "every record on the phone",
        || async {
            Ok(phone
                .local_activity_count()
                .await?
                .is_some_and(|n| n >= 130))
        },
    )
    .await?;
    let held = phone.local_activity_count().await?.unwrap_or(0);
    let listed = || async {
        let n = phone
            .client
            .execute(
                "return document.querySelectorAll('#my-records li').length",
                vec![],
            )
            .await?;
        Ok::<_, anyhow::Error>(n.as_u64().unwrap_or(0))
    };
    phone.client.refresh().await?;
    wait_until(Duration::from_secs(20), "the first page", || async {
        Ok(listed().await? > 0)
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        listed().await?,
        50,
        "the first page, with the top of the page in view"
    );

    // Scrolling to the end brings the next pages, until every record is
    // listed and nothing more is offered.
    wait_until(Duration::from_secs(30), "every record listed", || async {
        scroll_to_bottom(&phone).await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(listed().await? == held && phone.text("#load-more").await?.is_none())
    })
    .await?;
    // Newest first all the way down.
    let dates = phone
        .client
        .execute(
            "return [...document.querySelectorAll('#my-records li')].map(li => li.dataset.date);",
            vec![],
        )
        .await?;
    let dates: Vec<String> = serde_json::from_value(dates)?;
    ensure!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "not newest first: {dates:?}"
    );
    phone.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_search_through_thousands_of_records_says_how_far_it_has_got() -> Result<()> {
    const HELD: u64 = 10_000;
    let data = tempfile::tempdir()?;
    let database = data.path().join("search.sqlite");
    database_of_activities(&database, HELD).await?;
    let server = TestServer::start(&database, None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    wait_until(
        Duration::from_secs(60),
        "every record on the phone",
        || async { Ok(phone.local_activity_count().await? == Some(HELD)) },
    )
    .await?;
    // The round that brought them is over (its end redraws the list).
    wait_until(Duration::from_secs(20), "the sync round over", || async {
        Ok(phone
            .attribute("#connection", "data-state")
            .await?
            .as_deref()
            == Some("online"))
    })
    .await?;
    // Every message the search shows, as the user would have seen them.
    phone
        .client
        .execute(
            "window.searchSaid = [];
             new MutationObserver(() => {
                 const said = document.querySelector('#searching');
                 if (said && !window.searchSaid.includes(said.textContent)) {
                     window.searchSaid.push(said.textContent);
                 }
             }).observe(document.body, { subtree: true, childList: true, characterData: true });",
            vec![],
        )
        .await?;
    // A title no record has: the search reads every record.
    let searching = std::time::Instant::now();
    phone.click("input[name=search]").await?;
    phone
        .type_text("input[name=search]", "没有这个标题")
        .await?;
    wait_until(Duration::from_secs(60), "no match", || async {
        Ok(phone.text("#no-match").await?.is_some())
    })
    .await?;
    let said: Vec<String> = serde_json::from_value(
        phone
            .client
            .execute("return window.searchSaid;", vec![])
            .await?,
    )?;
    ensure!(
        said.iter().any(|s| s.starts_with("正在查找… 已查 ")),
        "the search said nothing while it read {HELD} records: {said:?}"
    );
    // "No match" may come from the read of a text typed half way while the
    // whole text is still being read; once every read is over, the list
    // says so and no longer says it is searching.
    wait_until(Duration::from_secs(10), "the search over", || async {
        Ok(phone.text("#searching").await?.is_none() && phone.text("#no-match").await?.is_some())
    })
    .await
    .context("the search is over but still says it is searching")?;
    let whole_search = searching.elapsed();

    // A search cleared while it reads: the list comes back without the
    // cleared search's answer ever drawn. (The list reads one page at a
    // time: a read nobody wants any longer stops, else it held the next
    // one back until it had read every record, and then drew its own.)
    phone.set_value("input[name=search]", "").await?;
    wait_until(Duration::from_secs(30), "the list back", || async {
        Ok(phone.listed_titles().await?.len() >= 50)
    })
    .await?;
    phone
        .type_text("input[name=search]", "也没有这个标题")
        .await?;
    wait_until(
        Duration::from_secs(30),
        "the second search under way",
        || async { Ok(phone.text("#searching").await?.is_some()) },
    )
    .await?;
    phone
        .client
        .execute(
            "window.emptyDrawn = false;
             new MutationObserver(() => {
                 if (document.querySelector('.records p.empty')) { window.emptyDrawn = true; }
             }).observe(document.body, { subtree: true, childList: true });",
            vec![],
        )
        .await?;
    phone.set_value("input[name=search]", "").await?;
    // Long enough for the rest of that search to have been read.
    tokio::time::sleep(whole_search * 2).await;
    ensure!(
        phone.listed_titles().await?.len() >= 50,
        "the list is not back after the search was cleared"
    );
    let empty_drawn = phone
        .client
        .execute("return window.emptyDrawn;", vec![])
        .await?;
    ensure!(
        empty_drawn == serde_json::json!(false),
        "the cleared search's answer was drawn over the list"
    );
    phone.close().await
}
