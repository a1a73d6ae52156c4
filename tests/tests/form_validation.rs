//! Bad input in the volunteer's form is named next to its field, in the
//! user's words, and nothing is saved or sent.

use std::time::Duration;

use anyhow::{Result, ensure};
use serde_json::json;
use tongxin_tests::{Browser, PHONE, TestServer, open_room, wait_until};

async fn error_next_to(phone: &Browser, field: &str) -> Result<Option<String>> {
    phone.text(&format!("#activity-form #{field}-error")).await
}

async fn record_count(phone: &Browser) -> Result<u64> {
    let count = phone
        .client
        .execute(
            "return document.querySelectorAll('#my-records li').length",
            vec![],
        )
        .await?;
    Ok(count.as_u64().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_input_is_named_next_to_its_field_and_nothing_is_saved() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("form.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    wait_until(
        Duration::from_secs(20),
        "the stations and records",
        || async {
            Ok(phone
                .attribute("select[name=station_id] option[value=st-xianfeng]", "value")
                .await?
                .is_some()
                && record_count(&phone).await? > 0)
        },
    )
    .await?;
    let before = record_count(&phone).await?;

    // Nothing filled in.
    phone
        .set_value("#activity-form [name=people_served]", "")
        .await?;
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the errors", || async {
        Ok(error_next_to(&phone, "title").await?.as_deref() == Some("请填写活动名称"))
    })
    .await?;
    assert_eq!(
        error_next_to(&phone, "category").await?.as_deref(),
        Some("请选择类别")
    );
    assert_eq!(
        error_next_to(&phone, "people_served").await?.as_deref(),
        Some("请输入 0 或正整数")
    );

    // Filled in, but wrong: a count too large, a date in the future, a
    // title too long.
    phone.click("button[data-category=elder_care]").await?;
    phone
        .click("select[name=station_id] option[value=st-xianfeng]")
        .await?;
    phone
        .set_value("#activity-form [name=title]", &"长".repeat(101))
        .await?;
    phone
        .set_value("#activity-form [name=people_served]", "200000")
        .await?;
    let next_year = (chrono::Local::now().date_naive() + chrono::Days::new(400)).to_string();
    phone
        .set_value("#activity-form [name=date]", &next_year)
        .await?;
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the new errors", || async {
        Ok(error_next_to(&phone, "people_served").await?.as_deref()
            == Some("惠及人次不能超过 100000"))
    })
    .await?;
    assert_eq!(
        error_next_to(&phone, "date").await?.as_deref(),
        Some("日期不能晚于明天")
    );
    assert_eq!(
        error_next_to(&phone, "title").await?.as_deref(),
        Some("活动名称最多 100 个字")
    );
    assert!(error_next_to(&phone, "category").await?.is_none());

    // Nothing was saved, nothing waits to be sent.
    assert_eq!(record_count(&phone).await?, before);
    assert_eq!(
        phone.text("#pending-count").await?.as_deref(),
        Some("待同步 0")
    );
    phone.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_form_starts_at_the_station_used_last_time() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("station.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;
    phone.wait_for_station("st-hongshiliu").await?;
    phone.click("button[data-category=elder_care]").await?;
    phone
        .set_value("#activity-form [name=title]", "红石榴敬老")
        .await?;
    phone
        .set_value("#activity-form [name=station_id]", "st-hongshiliu")
        .await?;
    phone
        .set_value("#activity-form [name=people_served]", "12")
        .await?;
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(10), "the record saved", || async {
        Ok(phone
            .text("#my-records")
            .await?
            .is_some_and(|t| t.contains("红石榴敬老")))
    })
    .await?;

    phone.client.refresh().await?;
    wait_until(
        Duration::from_secs(20),
        "the form at 红石榴工作站",
        || async {
            let value = phone
                .client
                .execute(
                    "return document.querySelector('select[name=station_id]').value",
                    vec![],
                )
                .await?;
            Ok(value.as_str() == Some("st-hongshiliu"))
        },
    )
    .await?;
    phone.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_room_form_brings_its_first_error_into_focus() -> Result<()> {
    let data = tempfile::tempdir()?;
    let (_server, phone) = open_room(&data.path().join("room-focus.sqlite")).await?;
    // A product with a name but no region nor price.
    phone
        .set_value("#product-form input[name=name]", "红枣")
        .await?;
    phone.click("#product-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the region in focus", || async {
        let focused = phone
            .client
            .execute(
                "const e = document.activeElement;
                 return e ? [e.closest('form')?.id, e.name, e.getAttribute('aria-invalid')] : null;",
                vec![],
            )
            .await?;
        Ok(focused == json!(["product-form", "region_id", "true"]))
    })
    .await?;
    let in_view = phone
        .client
        .execute(
            "const r = document.querySelector('#product-form select[name=region_id]').getBoundingClientRect();
             return r.top >= 48 && r.bottom <= window.innerHeight;",
            vec![],
        )
        .await?;
    ensure!(
        in_view.as_bool() == Some(true),
        "the region is off screen or under the bar"
    );
    ensure!(
        phone
            .attribute("#product-form input[name=name]", "aria-invalid")
            .await?
            .is_none(),
        "the name, which is right, is marked invalid"
    );
    ensure!(
        phone
            .attribute("#product-form input[name=price]", "aria-invalid")
            .await?
            .as_deref()
            == Some("true"),
        "the missing price is not marked"
    );
    phone.close().await
}
