//! A livestream organiser's evening with no signal: a new session, two new
//! products from two partner regions, what the session sold; the totals
//! per session and per region add up offline, after a reload offline, and
//! once synced the server holds the same.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::Value;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// Chooses the option of `select` whose text contains `text`, as a user
/// picking it would, once it is offered: a record saved a moment ago
/// reaches the lists after its IndexedDB write.
async fn choose(phone: &Browser, select: &str, text: &str) -> Result<()> {
    let value = std::sync::Mutex::new(None::<String>);
    let found_value = &value;
    wait_until(
        Duration::from_secs(10),
        &format!("option {text:?} in {select}"),
        || async move {
            let found = phone
                .client
                .execute(
                    "const option = [...document.querySelectorAll(arguments[0] + ' option')]
                         .find(o => o.textContent.includes(arguments[1]));
                     return option ? option.value : null;",
                    vec![select.into(), text.into()],
                )
                .await?;
            let mut slot = found_value.lock().expect("not poisoned");
            *slot = found.as_str().map(str::to_owned);
            Ok(slot.is_some())
        },
    )
    .await?;
    let value = value
        .into_inner()
        .expect("not poisoned")
        .with_context(|| format!("no option {text:?} in {select}"))?;
    phone.set_value(select, &value).await
}

/// Fills the inputs of `form` (name → value) and submits it.
async fn submit(phone: &Browser, form: &str, fields: &[(&str, &str)]) -> Result<()> {
    for (name, value) in fields {
        phone
            .set_value(&format!("{form} [name={name}]"), value)
            .await?;
    }
    phone.click(&format!("{form} button[type=submit]")).await
}

async fn attribute(phone: &Browser, css: &str, name: &str) -> Result<Option<String>> {
    phone.attribute(css, name).await
}

/// Waits until the open session's totals and the two regions' totals are
/// the expected ones.
async fn wait_for_totals(phone: &Browser, what: &str) -> Result<()> {
    wait_until(Duration::from_secs(15), what, || async {
        let units = attribute(phone, "#session-totals", "data-units").await?;
        let amount = attribute(phone, "#session-totals", "data-amount-fen").await?;
        let orders = attribute(phone, "#session-totals", "data-orders").await?;
        let bole = attribute(
            phone,
            "#region-totals tr[data-region=博乐市]",
            "data-amount-fen",
        )
        .await?;
        let shihezi = attribute(
            phone,
            "#region-totals tr[data-region=石河子市]",
            "data-amount-fen",
        )
        .await?;
        Ok(units.as_deref() == Some("14")
            && amount.as_deref() == Some("32000")
            && orders.as_deref() == Some("13")
            // The demo's 7th session sold 320 × ¥199 of cotton (博乐市) and
            // 540 × ¥59.90 of dates (石河子市); this session adds ¥250 and ¥70.
            && bole.as_deref() == Some("6393000")
            && shihezi.as_deref() == Some("3241600"))
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_organisers_offline_session_adds_up_offline_and_on_the_server() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("room.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("organiser").await?;
    phone.wait_for_service_worker().await?;
    wait_until(Duration::from_secs(20), "the demo room pulled", || async {
        Ok(phone.text("#sessions li[data-number='7']").await?.is_some()
            && phone.text("#products li").await?.is_some())
    })
    .await?;

    server.kill();
    // Invalid input is named next to its field and saves nothing.
    submit(
        &phone,
        "#product-form",
        &[("name", "博乐枸杞"), ("unit", "袋"), ("price", "12.345")],
    )
    .await?;
    wait_until(Duration::from_secs(5), "the price refused", || async {
        Ok(
            phone.text("#product-price_fen-error").await?.as_deref()
                == Some("请输入金额，如 12.50")
                && phone.text("#product-region_id-error").await?.as_deref()
                    == Some("请选择对口地区"),
        )
    })
    .await?;
    submit(
        &phone,
        "#session-form",
        &[("platform", "快手"), ("host", " ")],
    )
    .await?;
    wait_until(Duration::from_secs(5), "the host required", || async {
        Ok(phone.text("#session-host-error").await?.as_deref() == Some("请填写主播"))
    })
    .await?;
    assert_eq!(
        phone.text("#pending-count").await?.as_deref(),
        Some("待同步 0")
    );

    // Two products from two regions, then the 8th session.
    choose(&phone, "#product-form select[name=region_id]", "博乐市").await?;
    submit(
        &phone,
        "#product-form",
        &[("name", "博乐枸杞"), ("unit", "袋"), ("price", "25")],
    )
    .await?;
    choose(&phone, "#product-form select[name=region_id]", "石河子市").await?;
    submit(
        &phone,
        "#product-form",
        &[("name", "石河子葡萄干"), ("unit", "箱"), ("price", "18.50")],
    )
    .await?;
    submit(
        &phone,
        "#session-form",
        &[
            ("platform", "快手"),
            ("host", "小同"),
            ("partners", "新联会企业"),
            ("viewers", "5300"),
        ],
    )
    .await?;
    wait_until(Duration::from_secs(10), "the 8th session open", || async {
        Ok(phone.text("#sessions li[data-number='8']").await?.is_some()
            && phone.text("#session-detail h2").await?.as_deref() == Some("第8期 销售明细"))
    })
    .await?;

    // What it sold: the first line's amount left empty (units × price).
    choose(
        &phone,
        "#sale-line-form select[name=product_id]",
        "博乐枸杞",
    )
    .await?;
    submit(
        &phone,
        "#sale-line-form",
        &[("units", "十"), ("orders", "9")],
    )
    .await?;
    wait_until(Duration::from_secs(5), "the units refused", || async {
        Ok(phone.text("#sale-line-units-error").await?.as_deref() == Some("请输入 0 或正整数"))
    })
    .await?;
    submit(
        &phone,
        "#sale-line-form",
        &[("units", "10"), ("orders", "9")],
    )
    .await?;
    wait_until(Duration::from_secs(5), "the first line", || async {
        Ok(attribute(&phone, "#session-totals", "data-units")
            .await?
            .as_deref()
            == Some("10"))
    })
    .await?;
    choose(
        &phone,
        "#sale-line-form select[name=product_id]",
        "石河子葡萄干",
    )
    .await?;
    submit(
        &phone,
        "#sale-line-form",
        &[("units", "4"), ("orders", "4"), ("amount", "70")],
    )
    .await?;
    wait_for_totals(&phone, "the totals offline").await?;
    assert_eq!(
        phone.text("#pending-count").await?.as_deref(),
        Some("待同步 5")
    );

    // After the broadcast the viewers are known: the session is edited,
    // not duplicated.
    phone.click("#session-detail button.edit-session").await?;
    wait_until(
        Duration::from_secs(5),
        "the session in the form",
        || async { Ok(phone.text("#session-form h2").await?.as_deref() == Some("修改场次")) },
    )
    .await?;
    submit(&phone, "#session-form", &[("viewers", "6400")]).await?;
    wait_until(Duration::from_secs(5), "the viewers shown", || async {
        Ok(phone.text("#session-detail .viewers").await?.as_deref() == Some("6,400"))
    })
    .await?;
    let eighths = phone
        .client
        .execute(
            "return document.querySelectorAll('#sessions li[data-number=\"8\"]').length",
            vec![],
        )
        .await?;
    assert_eq!(eighths.as_u64(), Some(1));

    // A reload with no signal shows the same.
    phone.client.refresh().await?;
    wait_for_totals(&phone, "the totals after an offline reload").await?;

    // Signal back: it syncs by itself, and the server holds the same.
    let server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(30), "everything synced", || async {
        Ok(
            phone.text("#pending-count").await?.as_deref() == Some("待同步 0")
                && phone
                    .text("#sale-lines [data-state=pending]")
                    .await?
                    .is_none(),
        )
    })
    .await?;
    wait_for_totals(&phone, "the totals after sync").await?;

    let token = server.token("organiser").await?;
    let page: Value = reqwest::Client::new()
        .get(server.url("/api/sync/pull"))
        .bearer_auth(&token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let records = page["livestream"]
        .as_array()
        .context("livestream records")?;
    let eighth = records
        .iter()
        .find(|r| r["kind"] == "session" && r["record"]["number"] == 8)
        .context("the 8th session on the server")?;
    assert_eq!(eighth["record"]["viewers"], 6_400);
    assert_eq!(eighth["record"]["host"], "小同");
    let eighth_id = &eighth["record"]["id"];
    let mut sold: Vec<(u64, u64, u64)> = records
        .iter()
        .filter(|r| r["kind"] == "sale_line" && &r["record"]["session_id"] == eighth_id)
        .map(|r| {
            let v = |f: &str| r["record"][f].as_u64().unwrap_or_default();
            (v("units"), v("amount_fen"), v("orders"))
        })
        .collect();
    sold.sort();
    assert_eq!(sold, [(4, 7_000, 4), (10, 25_000, 9)]);
    let admin = server.token("admin").await?;
    let summary: Value = reqwest::Client::new()
        .get(server.url("/api/admin/summary"))
        .bearer_auth(&admin)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(summary["livestream_sessions"], 2);
    phone.close().await
}
