use anyhow::Result;
use std::time::Duration;
use tongxin_tests::{Browser, PHONE, TestServer, wait_until};

async fn shoot(b: &Browser, name: &str) -> Result<()> {
    let h = b
        .client
        .execute("return document.documentElement.scrollHeight", vec![])
        .await?
        .as_f64()
        .unwrap_or(740.0);
    let mut y = 0.0;
    let mut i = 0;
    while y < h && i < 6 {
        b.client
            .execute(&format!("window.scrollTo(0,{y})"), vec![])
            .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        std::fs::write(
            format!("/tmp/shots/{name}-{i}.png"),
            b.client.screenshot().await?,
        )?;
        y += 640.0;
        i += 1;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn shots() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("s.sqlite"), None)?;
    for lang in ["zh", "en"] {
        let phone = Browser::open(PHONE).await?;
        phone.client.goto(&server.url("/")).await?;
        phone
            .log_in(if lang == "zh" {
                "volunteer"
            } else {
                "volunteer2"
            })
            .await?;
        if lang == "en" {
            phone.set_value("select[name=language]", "en").await?;
        }
        phone.click("nav a[href='/proposals']").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        phone
            .type_text(
                "#proposal-form [name=title]",
                "关于在先锋社区增设助老食堂的建议",
            )
            .await?;
        phone
            .set_value("#proposal-form [name=group]", "xinlianhui")
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
                "辖区独居老人多，午餐无人照料。",
            )
            .await?;
        phone.click("#proposal-form button[type=submit]").await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        shoot(&phone, &format!("{lang}-volunteer")).await?;
        phone.click("#proposal-form button[type=submit]").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        shoot(&phone, &format!("{lang}-errors")).await?;
        let admin = Browser::open(PHONE).await?;
        admin.client.goto(&server.url("/")).await?;
        admin.log_in("admin").await?;
        if lang == "en" {
            admin.set_value("select[name=language]", "en").await?;
        }
        admin.click("nav a[href='/proposals']").await?;
        wait_until(Duration::from_secs(20), "row", || async {
            Ok(admin
                .text("#proposal-list .proposal-row a")
                .await?
                .is_some())
        })
        .await?;
        admin.click("#proposal-list .proposal-row a").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        admin
            .type_text("#step-form [name=responsible]", "区民政局")
            .await?;
        admin
            .set_value("#step-form [name=due]", "2026-11-10")
            .await?;
        admin
            .set_value("#step-form [name=date]", "2026-11-01")
            .await?;
        admin.click("#step-form button[type=submit]").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        admin
            .click("#step-form button.chip[data-kind=feedback]")
            .await?;
        admin.click("#step-form button[type=submit]").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        shoot(&admin, &format!("{lang}-admin-err")).await?;
        admin.client.goto(&server.url("/admin/proposals")).await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        shoot(&admin, &format!("{lang}-board")).await?;
        admin.click("#proposal-rows tbody tr a").await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        shoot(&admin, &format!("{lang}-office-history")).await?;
        admin.client.goto(&server.url("/")).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        admin.click("nav a[href='/proposals']").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        shoot(&admin, &format!("{lang}-admin")).await?;
        admin.close().await?;
        phone.close().await?;
    }
    Ok(())
}
