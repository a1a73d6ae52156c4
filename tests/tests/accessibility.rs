//! The main screens pass axe-core's WCAG 2.1 A and AA checks with no
//! serious or critical violation: labels on every input, names on every
//! button, enough contrast, a language on the page.

use std::time::Duration;

use anyhow::{Result, ensure};
use tongxin_tests::{Browser, DESKTOP, PHONE, TestServer, wait_until};

async fn check(browser: &Browser, screen: &str) -> Result<()> {
    let violations = browser.accessibility_violations().await?;
    ensure!(
        violations.is_empty(),
        "{screen}: {}",
        serde_json::to_string_pretty(&violations)?
    );
    Ok(())
}

/// The rules about tables axe counts as best practice (minor), which the
/// office's tables must pass too: every column header says what it holds,
/// and a table that scrolls in its own box can be scrolled from the
/// keyboard.
const TABLE_RULES: &[&str] = &["empty-table-header", "scrollable-region-focusable"];

async fn check_tables(browser: &Browser, screen: &str) -> Result<()> {
    let violations = browser.axe_rule_violations(TABLE_RULES).await?;
    ensure!(
        violations.is_empty(),
        "{screen}: {}",
        serde_json::to_string_pretty(&violations)?
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_login_the_volunteers_and_organisers_screens_and_the_admins_page_pass_axe() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("a11y.sqlite"), None)?;

    let phone = Browser::open(PHONE).await?;
    phone.client.goto(&server.url("/")).await?;
    wait_until(Duration::from_secs(20), "the login form", || async {
        Ok(phone.text("#login-form").await?.is_some())
    })
    .await?;
    check(&phone, "login").await?;

    phone.log_in("volunteer").await?;
    wait_until(Duration::from_secs(20), "the records", || async {
        Ok(phone.text("#my-records").await?.is_some())
    })
    .await?;
    // With a form error showing, too.
    phone.click("#activity-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the form's errors", || async {
        Ok(phone.text("#title-error").await?.is_some())
    })
    .await?;
    check(&phone, "volunteer's screen").await?;
    // The proposals, with the form's errors showing.
    phone.click("nav a[href='/proposals']").await?;
    phone.click("#proposal-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(5),
        "the proposal form's errors",
        || async { Ok(phone.text("#proposal-title-error").await?.is_some()) },
    )
    .await?;
    check(&phone, "proposals").await?;
    // Home again, where the next user starts.
    phone.click("nav a[href='/']").await?;

    // The organiser's room, with a form error showing.
    phone.click("button.log-out").await?;
    phone.log_in("organiser").await?;
    wait_until(Duration::from_secs(20), "the room", || async {
        Ok(phone.text("#session-totals").await?.is_some())
    })
    .await?;
    phone.click("#sale-line-form button[type=submit]").await?;
    wait_until(Duration::from_secs(5), "the sale form's errors", || async {
        Ok(phone.text("#sale-line-product_id-error").await?.is_some())
    })
    .await?;
    check(&phone, "organiser's room").await?;
    phone.close().await?;

    let desk = Browser::open(DESKTOP).await?;
    desk.client.goto(&server.url("/admin")).await?;
    desk.log_in("admin").await?;
    wait_until(Duration::from_secs(20), "the admin's figures", || async {
        Ok(desk.text("#by-street").await?.is_some())
    })
    .await?;
    check(&desk, "admin's page").await?;
    check_tables(&desk, "admin's page").await?;
    desk.client.goto(&server.url("/admin/proposals")).await?;
    wait_until(Duration::from_secs(20), "the proposals board", || async {
        Ok(desk.text("#count-submitted").await?.is_some())
    })
    .await?;
    check(&desk, "proposals board").await?;
    check_tables(&desk, "proposals board").await?;
    desk.client.goto(&server.url("/manage")).await?;
    wait_until(Duration::from_secs(20), "the accounts", || async {
        Ok(desk.text("#accounts tbody tr").await?.is_some())
    })
    .await?;
    desk.click("#account-form button[type=submit]").await?;
    wait_until(
        Duration::from_secs(5),
        "the account form's errors",
        || async { Ok(desk.text("#account-username-error").await?.is_some()) },
    )
    .await?;
    check(&desk, "accounts and stations").await?;
    check_tables(&desk, "accounts and stations").await?;

    // The check does find what it looks for: an input with no label.
    desk.client
        .execute(
            "document.querySelector('main').append(document.createElement('input'));",
            vec![],
        )
        .await?;
    let found = desk.accessibility_violations().await?;
    ensure!(
        found.iter().any(|v| v["rule"] == "label"),
        "an unlabelled input went unnoticed: {found:?}"
    );
    // And the table check finds a column header with no words.
    desk.client
        .execute(
            "const table = document.createElement('table');
             table.innerHTML = '<thead><tr><th scope=col></th><th scope=col>n</th></tr></thead>'
                 + '<tbody><tr><td>a</td><td>1</td></tr></tbody>';
             document.querySelector('main').append(table);",
            vec![],
        )
        .await?;
    let found = desk.axe_rule_violations(TABLE_RULES).await?;
    ensure!(
        found.iter().any(|v| v["rule"] == "empty-table-header"),
        "an empty table header went unnoticed: {found:?}"
    );
    desk.close().await?;
    Ok(())
}
