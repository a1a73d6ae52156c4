//! An admin adds a station, a volunteer for it and a category from the
//! browser, and retires another; the volunteer logs in on a phone and
//! records there under the new category. Disabled, the account
//! can no longer log in. A partner region added in the livestream room
//! reaches the server; it and a product are then renamed in place.

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
            == Some("阵地编号只能包含字母、数字、- 和 _"))
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

    // A category of the district's own: a code in Chinese is refused next
    // to the field, then it is added; 调研 is retired.
    for (name, value) in [
        ("code", "青少年"),
        ("name_zh", "青少年体育"),
        ("name_en", "Youth sports"),
    ] {
        desk.set_value(&format!("#category-form [name={name}]"), value)
            .await?;
    }
    desk.click("#category-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the code refused", || async {
        Ok(desk.text("#category-code-error").await?.as_deref()
            == Some("类别编号只能包含字母、数字、- 和 _"))
    })
    .await?;
    desk.set_value("#category-form [name=code]", "youth_sports")
        .await?;
    desk.click("#category-form button[type=submit]").await?;
    desk.click("#categories-table tr[data-code=field_survey] button.toggle-retired")
        .await?;
    wait_until(
        Duration::from_secs(10),
        "the category added, one retired",
        || async {
            Ok(desk
                .text("#categories-table tr[data-code=youth_sports]")
                .await?
                .is_some()
                && desk
                    .attribute(
                        "#categories-table tr[data-code=field_survey]",
                        "data-retired",
                    )
                    .await?
                    .as_deref()
                    == Some("true"))
        },
    )
    .await?;

    // A group proposals may come from, added the same way; a bad code is
    // named as a group's.
    for (name, value) in [
        ("code", "侨联"),
        ("name_zh", "侨联"),
        ("name_en", "Returned Overseas Chinese"),
    ] {
        desk.set_value(&format!("#group-form [name={name}]"), value)
            .await?;
    }
    desk.click("#group-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(5),
        "the group's code refused",
        || async {
            Ok(desk
                .text("#group-group_code-error")
                .await?
                .is_some_and(|t| t.starts_with("组织编号")))
        },
    )
    .await?;
    desk.set_value("#group-form [name=code]", "qiaolian")
        .await?;
    desk.click("#group-form button[type=submit]").await?;
    wait_until(Duration::from_secs(10), "the group added", || async {
        Ok(desk
            .text("#groups-table tr[data-code=qiaolian]")
            .await?
            .is_some())
    })
    .await?;

    // On a phone, the new volunteer records at the new station, under the
    // new category; the retired one is no longer offered.
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
                .is_some()
                && phone
                    .text("button[data-category=youth_sports]")
                    .await?
                    .as_deref()
                    == Some("青少年体育"))
        },
    )
    .await?;
    assert_eq!(
        phone.text("button[data-category=field_survey]").await?,
        None
    );
    phone
        .record_activity_at("st-yongqing", "youth_sports", "永清社区青少年篮球赛", 40)
        .await?;
    let token = server.token("admin").await?;
    wait_until(
        Duration::from_secs(20),
        "the record on the server",
        || async {
            let report = admin_report(&server, &token).await?;
            Ok(report["by_category"].as_array().is_some_and(|rows| {
                rows.iter()
                    .any(|r| r["key"] == "youth_sports" && r["people_served"] == 40)
            }))
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

    // A region and a product are edited in place: renamed, not added.
    let report = admin_report(&server, &token).await?;
    let regions = report["regions"].as_array().map_or(0, Vec::len);
    let region = report["regions"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["name"] == "阿拉山口市"))
        .and_then(|r| r["id"].as_str())
        .expect("the new region in the report")
        .to_owned();
    desk.click(&format!(
        "#regions li[data-id='{region}'] button.edit-region"
    ))
    .await?;
    wait_until(
        Duration::from_secs(10),
        "the region in its form",
        || async { Ok(desk.value("#region-form [name=name]").await? == "阿拉山口市") },
    )
    .await?;
    desk.set_value("#region-form [name=name]", "阿拉山口口岸")
        .await?;
    desk.click("#region-form button[type=submit]").await?;
    let product = report["sales_by_product"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["label"] == "新疆棉絮"))
        .and_then(|p| p["key"].as_str())
        .expect("the demo's product in the sales by product")
        .to_owned();
    desk.click(&format!(
        "#products li[data-id='{product}'] button.edit-product"
    ))
    .await?;
    wait_until(
        Duration::from_secs(10),
        "the product in its form",
        || async { Ok(desk.value("#product-form [name=price]").await? == "199.00") },
    )
    .await?;
    desk.set_value("#product-form [name=name]", "新疆长绒棉絮")
        .await?;
    desk.click("#product-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(20),
        "both renamed on the server",
        || async {
            let report = admin_report(&server, &token).await?;
            let named = |list: &str, field: &str, name: &str| {
                report[list]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|x| x[field] == name))
            };
            Ok(named("regions", "name", "阿拉山口口岸")
                && !named("regions", "name", "阿拉山口市")
                && named("sales_by_product", "label", "新疆长绒棉絮")
                && !named("sales_by_product", "label", "新疆棉絮"))
        },
    )
    .await?;
    let report = admin_report(&server, &token).await?;
    assert_eq!(report["regions"].as_array().map_or(0, Vec::len), regions);
    desk.close().await
}

async fn admin_report(server: &TestServer, token: &str) -> anyhow::Result<serde_json::Value> {
    Ok(reqwest::Client::new()
        .get(server.url("/api/admin/report"))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?)
}
