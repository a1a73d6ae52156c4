//! A page a role does not use is not reachable by typing its address: the
//! user is told so in a sentence, with a way home, and finds none of the
//! page's forms (whose changes the server would refuse). Admins reach all.

use std::time::Duration;

use anyhow::Result;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

/// The forms of the organisers' and the admin's pages.
const PAGE_FORMS: &str = "#session-form, #sale-line-form, #product-form, #region-form, \
     #admin-filter, #account-form, #reset-form, #station-form, #category-form, #group-form";

/// Opens `path` by its address, as typed in the address bar.
async fn type_address(phone: &Browser, server: &TestServer, path: &str) -> Result<()> {
    phone.client.goto(&server.url(path)).await?;
    wait_until(Duration::from_secs(20), "the app to start", || async {
        Ok(phone.text("#user-name").await?.is_some())
    })
    .await
}

async fn form_count(phone: &Browser, css: &str) -> Result<u64> {
    let count = phone
        .client
        .execute(
            "return document.querySelectorAll(arguments[0]).length",
            vec![css.into()],
        )
        .await?;
    Ok(count.as_u64().unwrap_or(0))
}

/// Waits for the refusal at `path` and checks that no form came with it.
async fn refused(phone: &Browser, server: &TestServer, path: &str, message: &str) -> Result<()> {
    type_address(phone, server, path).await?;
    wait_until(
        Duration::from_secs(10),
        &format!("the message at {path}"),
        || async {
            Ok(phone
                .text("#not-for-role [role=alert]")
                .await?
                .is_some_and(|t| t == message))
        },
    )
    .await?;
    assert_eq!(form_count(phone, "main form").await?, 0, "a form at {path}");
    assert_eq!(form_count(phone, PAGE_FORMS).await?, 0, "a form at {path}");
    assert_eq!(
        phone.attribute("#not-for-role a", "href").await?.as_deref(),
        Some("/"),
        "a link home at {path}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_volunteer_who_types_the_room_address_finds_no_form_but_a_message_and_a_way_home()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("roles.sqlite"), None)?;
    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    phone.log_in("volunteer").await?;

    refused(&phone, &server, "/room", "志愿者账户不能使用此页面。").await?;
    // The way home leads to the volunteer's own form.
    phone.click("#not-for-role a").await?;
    wait_until(Duration::from_secs(10), "the activity form", || async {
        Ok(phone.text("#activity-form").await?.is_some())
    })
    .await?;
    assert!(phone.text("#not-for-role").await?.is_none());

    refused(&phone, &server, "/admin", "志愿者账户不能使用此页面。").await?;
    refused(&phone, &server, "/manage", "志愿者账户不能使用此页面。").await?;
    phone.click("#not-for-role a").await?;
    wait_until(Duration::from_secs(10), "home again", || async {
        Ok(phone.text("#activity-form").await?.is_some())
    })
    .await?;

    // An organiser uses the room (at home), not the admin's pages.
    phone.click("button.log-out").await?;
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await?;
    phone.log_in("organiser").await?;
    wait_until(Duration::from_secs(20), "the room at home", || async {
        Ok(phone.text("#session-form").await?.is_some())
    })
    .await?;
    assert_eq!(form_count(&phone, "#activity-form").await?, 0);
    refused(&phone, &server, "/admin", "直播组织者账户不能使用此页面。").await?;
    refused(&phone, &server, "/manage", "直播组织者账户不能使用此页面。").await?;
    type_address(&phone, &server, "/room").await?;
    wait_until(Duration::from_secs(10), "the room", || async {
        Ok(phone
            .text("#sale-line-form, #session-form")
            .await?
            .is_some())
    })
    .await?;

    // Admins reach every page.
    phone.click("button.log-out").await?;
    wait_until(Duration::from_secs(10), "the login screen", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await?;
    phone.log_in("admin").await?;
    for (path, form) in [
        ("/room", "#session-form"),
        ("/admin", "#admin-filter"),
        ("/manage", "#account-form"),
        ("/", "#activity-form"),
    ] {
        type_address(&phone, &server, path).await?;
        wait_until(
            Duration::from_secs(20),
            &format!("{form} at {path}"),
            || async { Ok(form_count(&phone, form).await? > 0) },
        )
        .await?;
        assert!(phone.text("#not-for-role").await?.is_none(), "{path}");
    }
    phone.close().await
}
