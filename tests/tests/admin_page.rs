//! The admin at a desk: the figures of the whole district, narrowed by a
//! filter that every figure obeys, and the same selection downloaded as
//! Excel and CSV files.

use std::time::Duration;

use anyhow::{Context, Result};
use tongxin_server::demo;
use tongxin_tests::{Browser, DESKTOP, TestServer, downloaded, wait_until};

const STREET: &str = "塔子湖街道";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_filters_the_district_figures_and_downloads_the_selection() -> Result<()> {
    let data = tempfile::tempdir()?;
    let downloads = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("admin.sqlite"), None)?;
    let admin = Browser::open_downloading_to(DESKTOP, downloads.path()).await?;
    admin.client.goto(&server.url("/admin")).await?;
    admin.log_in("admin").await?;

    let activities = demo::activities();
    let stations = demo::stations();
    let total: u32 = activities.iter().map(|a| a.people_served.get()).sum();
    wait_until(Duration::from_secs(15), "the district totals", || async {
        Ok(
            admin.text("#total-people-served").await?.as_deref() == Some(&total.to_string())
                && admin.text("#total-activities").await?.as_deref()
                    == Some(&activities.len().to_string()),
        )
    })
    .await?;
    let month_rows = admin
        .client
        .execute(
            "return document.querySelectorAll('#by-month tbody tr').length",
            vec![],
        )
        .await?;
    assert!(month_rows.as_u64().unwrap_or(0) >= 1, "{month_rows}");

    // The charts are drawn: bars by category, a line by month, in the
    // app's red.
    for chart in ["chart-by-category", "chart-by-month"] {
        wait_until(
            Duration::from_secs(10),
            &format!("{chart} drawn"),
            || async {
                Ok(admin
                    .attribute(&format!("#{chart}"), "data-drawn")
                    .await?
                    .as_deref()
                    == Some("true"))
            },
        )
        .await?;
        let red_pixels = admin
            .client
            .execute(
                "const canvas = document.getElementById(arguments[0]);
                 const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                 let red = 0;
                 for (let i = 0; i < data.length; i += 4) {
                     if (data[i] > 150 && data[i + 1] < 80 && data[i + 2] < 80) red++;
                 }
                 return red;",
                vec![serde_json::json!(chart)],
            )
            .await?;
        assert!(
            red_pixels.as_u64().unwrap_or(0) > 300,
            "{chart}: {red_pixels}"
        );
        let label = admin
            .attribute(&format!("#{chart}"), "aria-label")
            .await?
            .unwrap_or_default();
        assert!(label.contains("惠及人次"), "{label}");
    }

    // One street: every figure and table follows.
    let on_street: Vec<_> = activities
        .iter()
        .filter(|a| {
            stations
                .iter()
                .any(|s| s.id == a.station_id && s.street == STREET)
        })
        .collect();
    let street_total: u32 = on_street.iter().map(|a| a.people_served.get()).sum();
    admin
        .client
        .wait()
        .for_element(fantoccini::Locator::Css(&format!(
            "#admin-filter select[name=street] option[value='{STREET}']"
        )))
        .await?;
    admin
        .client
        .execute(
            "const select = document.querySelector('#admin-filter select[name=street]');
             select.value = arguments[0];
             select.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![serde_json::json!(STREET)],
        )
        .await?;
    wait_until(Duration::from_secs(15), "the street's totals", || async {
        Ok(admin.text("#total-people-served").await?.as_deref() == Some(&street_total.to_string()))
    })
    .await?;
    let streets = admin
        .text("#by-street tbody")
        .await?
        .context("street table")?;
    assert_eq!(streets.lines().count(), 1, "{streets}");
    assert!(streets.contains(STREET), "{streets}");
    let listed = admin
        .client
        .execute(
            "return document.querySelectorAll('#admin-activities tbody tr').length",
            vec![],
        )
        .await?;
    assert_eq!(listed.as_u64(), Some(on_street.len() as u64));

    // The downloads hold the same selection.
    admin.click("button.export-csv").await?;
    let csv = downloaded(downloads.path(), "同心活动.csv").await?;
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark for Excel"
    );
    let text = String::from_utf8(csv[3..].to_vec())?;
    assert!(text.starts_with("日期,时间,活动名称,类别"), "{text}");
    assert_eq!(text.lines().count(), 1 + on_street.len(), "{text}");
    for activity in &on_street {
        assert!(text.contains(&activity.title), "{text}");
    }
    admin.click("button.export-xlsx").await?;
    let xlsx = downloaded(downloads.path(), "同心活动.xlsx").await?;
    assert!(xlsx.starts_with(b"PK"), "an XLSX file is a zip");

    // The livestream room's sales: the demo's 7th session sold 320 × ¥199
    // of cotton (博乐市) and 540 × ¥59.90 of dates (石河子市). A partner
    // region narrows the figures, the chart and the download.
    wait_until(Duration::from_secs(10), "the sales figures", || async {
        Ok(admin
            .attribute("#sales-amount", "data-fen")
            .await?
            .as_deref()
            == Some("9602600")
            && admin
                .attribute("#chart-sales-by-region", "data-drawn")
                .await?
                .as_deref()
                == Some("true"))
    })
    .await?;
    let shihezi = admin
        .client
        .execute(
            "return [...document.querySelectorAll('select[name=region] option')]
                 .find(o => o.textContent === '石河子市').value",
            vec![],
        )
        .await?;
    admin
        .set_value(
            "select[name=region]",
            shihezi.as_str().context("the region")?,
        )
        .await?;
    wait_until(Duration::from_secs(10), "石河子市's sales only", || async {
        Ok(admin
            .attribute("#sales-amount", "data-fen")
            .await?
            .as_deref()
            == Some("3234600")
            && admin.text("#units-sold").await?.as_deref() == Some("540"))
    })
    .await?;
    admin.click("button.export-sales-csv").await?;
    let sales = String::from_utf8(downloaded(downloads.path(), "同心直播销售.csv").await?)?;
    assert!(sales.contains("第7期,2026-10-30,抖音"), "{sales}");
    assert!(
        sales.contains("石河子红枣") && !sales.contains("新疆棉絮"),
        "{sales}"
    );
    assert!(sales.contains(",32346.00,"), "{sales}");
    admin.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_downloads_the_work_report_of_the_year_with_the_page_s_figures() -> Result<()> {
    let data = tempfile::tempdir()?;
    let downloads = tempfile::tempdir()?;
    let server = TestServer::start(&data.path().join("report.sqlite"), None)?;
    let admin = Browser::open_downloading_to(DESKTOP, downloads.path()).await?;
    admin.client.goto(&server.url("/admin")).await?;
    admin.log_in("admin").await?;
    admin.click("button.period[data-period=year]").await?;
    let year = chrono::Local::now().format("%Y").to_string();
    wait_until(Duration::from_secs(15), "the year's filter", || async {
        Ok(
            admin.value("#admin-filter input[name=from]").await? == format!("{year}-01-01")
                && admin.value("#admin-filter input[name=to]").await? == format!("{year}-12-31"),
        )
    })
    .await?;
    // The page's figures for the year, once they are drawn.
    let mut shown = (String::new(), String::new());
    wait_until(Duration::from_secs(15), "the year's figures", || async {
        Ok(admin.text("#total-activities").await?.is_some())
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    shown.0 = admin.text("#total-activities").await?.unwrap_or_default();
    shown.1 = admin
        .text("#total-people-served")
        .await?
        .unwrap_or_default();
    admin.click("#export-report").await?;
    let bytes = downloaded(downloads.path(), "工作简报.docx").await?;
    let docx = docx_rs::read_docx(&bytes)?;
    let paragraphs: Vec<String> = docx
        .document
        .children
        .iter()
        .filter_map(|child| match child {
            docx_rs::DocumentChild::Paragraph(p) => Some(p.raw_text()),
            _ => None,
        })
        .collect();
    assert_eq!(paragraphs[1], format!("{year}年"));
    let overview = format!("共开展活动{}场，惠及群众{}人次", shown.0, shown.1);
    assert!(
        paragraphs.iter().any(|p| p.contains(&overview)),
        "{overview} in {paragraphs:#?}"
    );
    admin.close().await?;
    Ok(())
}
