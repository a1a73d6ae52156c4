//! An admin adds a station and a volunteer for it from the browser; the
//! volunteer logs in on a phone and records there. Disabled, the account
//! can no longer log in. A partner region added in the livestream room
//! reaches the server.

use std::time::Duration;

use anyhow::Result;
use tongxin_tests::{Browser, DESKTOP, PHONE, TestServer, wait_until};

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_adds_a_station_and_its_volunteer_who_then_records_there() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("manage.sqlite"), None)?;
    let desk = Browser::open(DESKTOP).await?;
    desk.client.goto(&server.url("/manage")).await?;
    desk.log_in("admin").await?;
    wait_until(Duration::from_secs(20), "the accounts", || async {
        Ok(desk
            .text("#accounts tr[data-username=volunteer]")
            .await?
            .is_some())
    })
    .await?;

    // A station: a bad id is named first, then it is added.
    let station = |id: &str| {
        [
            ("id", id.to_owned()),
            ("name", "永清社区统战联络站".to_owned()),
            ("street", "永清街道".to_owned()),
            ("community", "永清社区".to_owned()),
        ]
    };
    for (name, value) in station("站 1") {
        desk.set_value(&format!("#station-form [name={name}]"), &value)
            .await?;
    }
    desk.click("#station-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the id refused", || async {
        Ok(desk.text("#station-id-error").await?.as_deref()
            == Some("阵地编号只能包含字母、数字和 -"))
    })
    .await?;
    for (name, value) in station("st-yongqing") {
        desk.set_value(&format!("#station-form [name={name}]"), &value)
            .await?;
    }
    desk.click("#station-form button[type=submit]").await?;
    wait_until(Duration::from_secs(10), "the station listed", || async {
        Ok(desk
            .text("#stations-table tr[data-id=st-yongqing]")
            .await?
            .is_some())
    })
    .await?;

    // Its volunteer: the form names what is missing, then creates them.
    desk.click("#account-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the account's errors", || async {
        Ok(
            desk.text("#account-stations-error").await?.as_deref() == Some("请选择负责阵地")
                && desk.text("#account-password-error").await?.is_some(),
        )
    })
    .await?;
    desk.set_value("#account-form [name=username]", "zhao")
        .await?;
    desk.set_value("#account-form [name=display_name]", "志愿者小赵")
        .await?;
    desk.set_value("#account-form [name=password]", "zhao-password")
        .await?;
    desk.click("#account-form input[name=stations][value=st-yongqing]")
        .await?;
    desk.click("#account-form button[type=submit]").await?;
    wait_until(Duration::from_secs(10), "the account listed", || async {
        Ok(desk
            .text("#accounts tr[data-username=zhao]")
            .await?
            .is_some())
    })
    .await?;

    // On a phone, the new volunteer records at the new station.
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.submit_login("zhao", "zhao-password").await?;
    wait_until(
        Duration::from_secs(20),
        "the new station offered",
        || async {
            Ok(phone
                .attribute("select[name=station_id] option[value=st-yongqing]", "value")
                .await?
                .is_some())
        },
    )
    .await?;
    phone.close().await?;

    // Disabled, the account is refused at the login.
    desk.click("#accounts tr[data-username=zhao] button.toggle-disabled")
        .await?;
    wait_until(Duration::from_secs(10), "zhao disabled", || async {
        Ok(desk
            .attribute("#accounts tr[data-username=zhao]", "data-disabled")
            .await?
            .as_deref()
            == Some("true"))
    })
    .await?;
    let refused = reqwest::Client::new()
        .post(server.url("/api/auth/login"))
        .json(&serde_json::json!({ "username": "zhao", "password": "zhao-password" }))
        .send()
        .await?;
    assert!(!refused.status().is_success(), "{}", refused.status());

    // Partner regions (and products) are managed in the livestream room,
    // which admins reach too; a new region joins the sales filter.
    desk.click("a[href='/room']").await?;
    wait_until(Duration::from_secs(20), "the room", || async {
        Ok(desk.text("#region-form").await?.is_some())
    })
    .await?;
    desk.set_value("#region-form [name=name]", "阿拉山口市")
        .await?;
    desk.set_value("#region-form [name=province]", "新疆")
        .await?;
    desk.click("#region-form button[type=submit]").await?;
    let token = server.token("admin").await?;
    wait_until(
        Duration::from_secs(20),
        "the region on the server",
        || async {
            let report: serde_json::Value = reqwest::Client::new()
                .get(server.url("/api/admin/report"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            Ok(report["regions"]
                .as_array()
                .is_some_and(|r| r.iter().any(|r| r["name"] == "阿拉山口市")))
        },
    )
    .await?;
    desk.close().await
}
