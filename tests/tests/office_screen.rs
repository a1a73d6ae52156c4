//! The office on a phone and at a desk, in both languages: /admin and
//! /manage never scroll the page sideways at 360 px (a table too wide
//! scrolls in its own box), a headline figure stays in its box at
//! 1366 px, charts are drawn at the size they are shown, the accounts list
//! names stations, an export shows that it is working, and a refusal is
//! worded in the user's language, never in the server's English.

use std::time::Duration;

use anyhow::{Result, ensure};
use serde_json::json;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// A laptop screen, the office's usual one.
const LAPTOP: (u32, u32) = (1366, 768);

/// A title with nowhere to break a line: the tables' worst case.
const LONG_TITLE: &str =
    "Xianfengcommunityfreehealthscreeningandbloodpressureconsultationfortheelderlyresidents";

/// A station with a long name, and a volunteer for it, made over the API.
async fn add_long_station(server: &TestServer) -> Result<()> {
    let token = server.token("admin").await?;
    let client = reqwest::Client::new();
    client
        .post(server.url("/api/admin/stations"))
        .bearer_auth(&token)
        .json(&json!({
            "id": "st-long-name",
            "name": "塔子湖街道先锋社区新时代文明实践站统战联络服务工作站暨同心驿站",
            "kind": "liaison_station",
            "street": "塔子湖街道",
            "community": "先锋社区",
        }))
        .send()
        .await?
        .error_for_status()?;
    client
        .post(server.url("/api/admin/users"))
        .bearer_auth(&token)
        .json(&json!({
            "username": "averyveryverylongvolunteerusernamewithoutanyspaces",
            "display_name": "志愿者小长",
            "role": "volunteer",
            "stations": ["st-long-name", "st-xianfeng", "st-hongshiliu"],
            "password": "long-name-password",
        }))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

/// The volunteer records an activity with [`LONG_TITLE`] on a phone, and it
/// reaches the server.
async fn record_long_title(server: &TestServer) -> Result<()> {
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone
        .record_activity("health_clinic", LONG_TITLE, 12)
        .await?;
    let token = server.token("admin").await?;
    wait_until(Duration::from_secs(30), "the long title synced", || async {
        let rows: serde_json::Value = reqwest::Client::new()
            .get(server.url("/api/admin/activities"))
            .bearer_auth(&token)
            .send()
            .await?
            .json()
            .await?;
        Ok(rows.to_string().contains(LONG_TITLE))
    })
    .await?;
    phone.close().await
}

async fn wait_for_admin(browser: &Browser) -> Result<()> {
    wait_until(Duration::from_secs(20), "the admin's figures", || async {
        Ok(browser.text("#by-street").await?.is_some()
            && browser.text("#admin-activities").await?.is_some())
    })
    .await?;
    // The charts are drawn just after the tables.
    wait_until(Duration::from_secs(10), "the charts drawn", || async {
        let drawn = browser
            .client
            .execute(
                "return [...document.querySelectorAll('.chart canvas')]
                     .every(c => c.dataset.drawn === 'true');",
                vec![],
            )
            .await?;
        Ok(drawn == json!(true))
    })
    .await
}

async fn wait_for_manage(browser: &Browser) -> Result<()> {
    wait_until(Duration::from_secs(20), "the accounts", || async {
        Ok(browser
            .text("#accounts tr[data-username=volunteer]")
            .await?
            .is_some()
            && browser
                .text("#stations-table tr[data-id=st-xianfeng]")
                .await?
                .is_some())
    })
    .await
}

/// How wide the page is against how wide the window lets it be.
async fn page_width(browser: &Browser) -> Result<(u64, u64)> {
    let widths = browser
        .client
        .execute(
            "const root = document.documentElement;
             return [root.scrollWidth, root.clientWidth];",
            vec![],
        )
        .await?;
    Ok((
        widths[0].as_u64().unwrap_or(u64::MAX),
        widths[1].as_u64().unwrap_or(0),
    ))
}

async fn fits_a_phone(browser: &Browser, screen: &str) -> Result<()> {
    let (scroll, client) = page_width(browser).await?;
    ensure!(
        scroll <= 360 && client <= 360,
        "{screen}: the page is {scroll} px wide in a {client} px window"
    );
    Ok(())
}

/// Every element of the headline figures that is wider than its box.
async fn headline_overflows(browser: &Browser) -> Result<Vec<String>> {
    let found = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.headline div, .headline dt, .headline dd')]
                 .filter(e => e.scrollWidth > e.clientWidth)
                 .map(e => `${e.id || e.tagName}: ${e.textContent} ${e.scrollWidth} > ${e.clientWidth}`);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

/// Every chart whose canvas is not drawn at the size it is shown (its
/// words would then be scaled down with it).
async fn charts_scaled(browser: &Browser) -> Result<Vec<String>> {
    let found = browser
        .client
        .execute(
            "const ratio = window.devicePixelRatio || 1;
             return [...document.querySelectorAll('.chart canvas')]
                 .filter(c => Math.abs(c.width - c.clientWidth * ratio) > 2 * ratio
                           || Math.abs(c.height - c.clientHeight * ratio) > 2 * ratio)
                 .map(c => `${c.id}: ${c.width}x${c.height} shown ${c.clientWidth}x${c.clientHeight}`);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(found)?)
}

async fn english(browser: &Browser) -> Result<()> {
    browser.set_value("select[name=language]", "en").await?;
    wait_until(Duration::from_secs(5), "English", || async {
        Ok(browser
            .text("h1")
            .await?
            .is_some_and(|h| h == "Overview" || h == "Accounts and stations"))
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_office_fits_a_phone_and_reads_on_a_laptop_in_both_languages() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("office-screen.sqlite"), None)?;
    add_long_station(&server).await?;
    record_long_title(&server).await?;

    // A phone: nothing scrolls the page sideways, in Chinese or English.
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/admin")).await?;
    phone.log_in("admin").await?;
    wait_for_admin(&phone).await?;
    ensure!(
        phone
            .text("#admin-activities")
            .await?
            .unwrap_or_default()
            .contains(LONG_TITLE),
        "the long title is listed"
    );
    fits_a_phone(&phone, "/admin (zh)").await?;
    let scaled = charts_scaled(&phone).await?;
    ensure!(scaled.is_empty(), "charts scaled on a phone: {scaled:?}");
    phone.client.goto(&server.url("/manage")).await?;
    wait_for_manage(&phone).await?;
    fits_a_phone(&phone, "/manage (zh)").await?;
    // The accounts table scrolls in its box rather than squeezing a name
    // to a character a line (区委统战部管理员 took eight).
    let lines = phone
        .client
        .execute(
            "return Math.max(...[...document.querySelectorAll('#accounts tbody td:nth-child(2)')]
                 .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                              return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }));",
            vec![],
        )
        .await?;
    ensure!(
        lines.as_f64() == Some(1.0),
        "a display name on /manage takes {lines} lines at 360 px"
    );
    english(&phone).await?;
    fits_a_phone(&phone, "/manage (en)").await?;
    phone.client.goto(&server.url("/admin")).await?;
    wait_for_admin(&phone).await?;
    fits_a_phone(&phone, "/admin (en)").await?;
    phone.close().await?;

    // A laptop: the headline figures stay in their boxes, the charts are
    // drawn at their size, the accounts name their stations.
    let desk = Browser::open(LAPTOP).await?;
    desk.client.goto(&server.url("/admin")).await?;
    desk.log_in("admin").await?;
    for language in ["zh", "en"] {
        if language == "en" {
            english(&desk).await?;
        }
        desk.client.goto(&server.url("/admin")).await?;
        wait_for_admin(&desk).await?;
        let overflowing = headline_overflows(&desk).await?;
        ensure!(
            overflowing.is_empty(),
            "headline figures overflow at 1366 px ({language}): {overflowing:?}"
        );
        let scaled = charts_scaled(&desk).await?;
        ensure!(scaled.is_empty(), "charts scaled ({language}): {scaled:?}");
        let (scroll, client) = page_width(&desk).await?;
        ensure!(
            scroll <= client,
            "/admin scrolls sideways at 1366 px ({language})"
        );

        desk.client.goto(&server.url("/manage")).await?;
        wait_for_manage(&desk).await?;
        let stations = desk
            .text("#accounts tr[data-username=volunteer] .station-names")
            .await?
            .unwrap_or_default();
        ensure!(
            stations.contains("先锋社区统战联络站") && !stations.contains("st-xianfeng"),
            "the accounts list station names, not ids ({language}): {stations:?}"
        );
        // A station's checkbox is a checkbox beside its name, on a row a
        // thumb can hit.
        let check = desk
            .client
            .execute(
                "const box = document.querySelector('#account-form input[name=stations]');
                 const row = box.closest('label').getBoundingClientRect();
                 const size = box.getBoundingClientRect();
                 return [size.width, row.height];",
                vec![],
            )
            .await?;
        let (box_width, row_height) = (
            check[0].as_f64().unwrap_or(0.0),
            check[1].as_f64().unwrap_or(0.0),
        );
        ensure!(
            box_width < 30.0 && row_height >= 44.0,
            "station checkbox {box_width} px wide on a {row_height} px row"
        );
        let (scroll, client) = page_width(&desk).await?;
        ensure!(
            scroll <= client,
            "/manage scrolls sideways at 1366 px ({language})"
        );
    }

    // An export shows that it is working, then finishes without an error.
    desk.client.goto(&server.url("/admin")).await?;
    wait_for_admin(&desk).await?;
    desk.client
        .execute(
            "window.exportBusy = null;
             new MutationObserver(() => {
                 const busy = document.querySelector('button.export-csv[aria-busy=true]');
                 if (busy && !window.exportBusy) {
                     window.exportBusy = [busy.textContent.trim(), busy.disabled];
                 }
             }).observe(document.body, { subtree: true, childList: true,
                                         attributes: true, characterData: true });",
            vec![],
        )
        .await?;
    desk.click("button.export-csv").await?;
    wait_until(Duration::from_secs(20), "the export finished", || async {
        Ok(desk
            .attribute("button.export-csv", "aria-busy")
            .await?
            .as_deref()
            == Some("false")
            && !desk
                .client
                .execute("return window.exportBusy;", vec![])
                .await?
                .is_null())
    })
    .await?;
    let busy = desk
        .client
        .execute("return window.exportBusy;", vec![])
        .await?;
    ensure!(
        busy == json!(["Exporting…", true]),
        "the export button's busy state: {busy}"
    );
    ensure!(
        desk.text("#export-error").await?.is_none(),
        "the export failed"
    );
    ensure!(
        desk.attribute("button.export-csv", "disabled")
            .await?
            .is_none(),
        "the export button is enabled again"
    );
    desk.close().await
}

/// What a refusal of the server must never show a Chinese user.
const SERVER_ENGLISH: &[&str] = &["already exists", "server refused", "cannot disable", "HTTP"];

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_change_on_manage_is_worded_in_the_users_language() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("office-refusals.sqlite"), None)?;
    let desk = Browser::open(LAPTOP).await?;
    desk.client.goto(&server.url("/manage")).await?;
    desk.log_in("admin").await?;
    wait_for_manage(&desk).await?;

    // An account whose name is taken: the form passes its own rules, the
    // server refuses with 409 and the rule's code.
    let duplicate = async |expected: &str| -> Result<()> {
        desk.set_value("#account-form [name=username]", "volunteer")
            .await?;
        desk.set_value("#account-form [name=display_name]", "重复的志愿者")
            .await?;
        desk.set_value("#account-form [name=password]", "duplicate-password")
            .await?;
        desk.click("#account-form input[name=stations][value=st-xianfeng]")
            .await?;
        desk.click("#account-form button[type=submit]").await?;
        wait_until(Duration::from_secs(10), "the name refused", || async {
            Ok(desk.text("#account-username-error").await?.as_deref() == Some(expected))
        })
        .await
    };
    duplicate("这个用户名已被使用").await?;
    let page = desk.text("main").await?.unwrap_or_default();
    for english in SERVER_ENGLISH {
        ensure!(
            !page.contains(english),
            "server English on the page: {page}"
        );
    }

    // The admin disabling their own account, which the server forbids.
    desk.click("#accounts tr[data-username=admin] button.toggle-disabled")
        .await?;
    wait_until(Duration::from_secs(10), "the toggle refused", || async {
        Ok(desk.text("#accounts-error").await?.as_deref() == Some("不能停用自己的账号"))
    })
    .await?;
    let page = desk.text("main").await?.unwrap_or_default();
    for english in SERVER_ENGLISH {
        ensure!(
            !page.contains(english),
            "server English on the page: {page}"
        );
    }

    // In English, the same words from the same codes.
    desk.client.goto(&server.url("/manage")).await?;
    wait_for_manage(&desk).await?;
    english(&desk).await?;
    duplicate("Username: already taken").await?;
    desk.click("#accounts tr[data-username=admin] button.toggle-disabled")
        .await?;
    wait_until(Duration::from_secs(10), "the toggle refused", || async {
        Ok(desk.text("#accounts-error").await?.as_deref()
            == Some("You cannot disable your own account"))
    })
    .await?;
    desk.close().await
}
