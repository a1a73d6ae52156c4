//! A sync never wipes what is being typed: in the livestream room, the
//! organiser saves a sale line and starts on the next; when the first one
//! syncs, the next one's fields (and the other forms' unsaved input) are as
//! they were typed.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// The value of the option of `select` whose text contains `text`.
async fn option_value(phone: &Browser, select: &str, text: &str) -> Result<Option<String>> {
    let value = phone
        .client
        .execute(
            "const option = [...document.querySelectorAll(arguments[0] + ' option')]
                 .find(o => o.textContent.includes(arguments[1]));
             return option ? option.value : null;",
            vec![json!(select), json!(text)],
        )
        .await?;
    Ok(value.as_str().map(str::to_owned))
}

async fn line_state(phone: &Browser, id: &str) -> Result<Option<String>> {
    phone
        .attribute(
            &format!("#sale-lines tr[data-id='{id}'] [data-state]"),
            "data-state",
        )
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn what_an_organiser_types_for_the_next_sale_survives_the_last_one_syncing() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("typing.sqlite");
    let mut server = TestServer::start(&database, None)?;
    let port = server.port;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("organiser").await?;
    let products = "#sale-line-form select[name=product_id]";
    wait_until(Duration::from_secs(20), "the demo room pulled", || async {
        Ok(
            phone.text("#session-detail h2").await?.as_deref() == Some("第7期 销售明细")
                && option_value(&phone, products, "石河子红枣")
                    .await?
                    .is_some(),
        )
    })
    .await?;
    let cotton_id = option_value(&phone, products, "新疆棉絮")
        .await?
        .context("cotton offered")?;
    let dates_id = option_value(&phone, products, "石河子红枣")
        .await?
        .context("dates offered")?;

    // No signal: sale line A is saved and waits.
    server.kill();
    phone.set_value(products, &cotton_id).await?;
    for (name, value) in [("units", "3"), ("orders", "2")] {
        phone
            .set_value(&format!("#sale-line-form [name={name}]"), value)
            .await?;
    }
    phone.click("#sale-line-form button[type=submit]").await?;
    let find_pending = || {
        phone.client.execute(
            "const state = document.querySelector('#sale-lines [data-state=pending]');
             return state ? state.closest('tr').dataset.id : null;",
            vec![],
        )
    };
    wait_until(Duration::from_secs(10), "line A listed", || async {
        Ok(find_pending().await?.is_string())
    })
    .await?;
    let line_a = find_pending()
        .await?
        .as_str()
        .map(str::to_owned)
        .context("line A's id")?;

    // Line B is typed, not saved; so is something in each other form.
    let typed = [
        ("#sale-line-form [name=product_id]", dates_id.as_str()),
        ("#sale-line-form [name=units]", "5"),
        ("#sale-line-form [name=orders]", "4"),
        ("#sale-line-form [name=amount]", "299.50"),
        ("#session-form [name=host]", "未保存的主播"),
        ("#product-form [name=name]", "未保存的商品"),
        ("#region-form [name=name]", "未保存的地区"),
    ];
    for (css, value) in typed {
        phone.set_value(css, value).await?;
    }

    // The signal returns and line A syncs.
    let _server = TestServer::start(&database, Some(port))?;
    wait_until(Duration::from_secs(30), "line A synced", || async {
        Ok(
            line_state(&phone, &line_a).await?.as_deref() == Some("synced")
                && phone.text("#pending-count").await?.as_deref() == Some("待同步 0"),
        )
    })
    .await?;
    // A moment for anything the sync set off to render.
    tokio::time::sleep(Duration::from_millis(500)).await;

    for (css, value) in typed {
        assert_eq!(phone.value(css).await?, value, "{css} after the sync");
    }
    phone.close().await
}
