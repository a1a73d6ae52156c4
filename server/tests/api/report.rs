//! The work report (.docx): it opens, and says what the admin's page
//! says for the same filter.

use reqwest::StatusCode;
use serde_json::Value;
use tongxin_server::demo;
use tongxin_shared::livestream::{format_yuan, group_digits};
use uuid::Uuid;

use crate::helpers::{TestApp, spawn_app, stamp};

/// The document's paragraphs, and each table's rows of cell texts.
fn read(bytes: &[u8]) -> (Vec<String>, Vec<Vec<Vec<String>>>) {
    let docx = docx_rs::read_docx(bytes).expect("a .docx that opens");
    let (mut paragraphs, mut tables) = (Vec::new(), Vec::new());
    for child in docx.document.children {
        match child {
            docx_rs::DocumentChild::Paragraph(p) => paragraphs.push(p.raw_text()),
            docx_rs::DocumentChild::Table(t) => tables.push(
                t.rows
                    .iter()
                    .map(|docx_rs::TableChild::TableRow(row)| {
                        row.cells
                            .iter()
                            .map(|docx_rs::TableRowChild::TableCell(cell)| {
                                cell.children
                                    .iter()
                                    .filter_map(|c| match c {
                                        docx_rs::TableCellContent::Paragraph(p) => {
                                            Some(p.raw_text())
                                        }
                                        _ => None,
                                    })
                                    .collect::<String>()
                            })
                            .collect()
                    })
                    .collect(),
            ),
            _ => {}
        }
    }
    (paragraphs, tables)
}

async fn with_demo_data() -> TestApp {
    let app = spawn_app().await;
    let at = stamp(Uuid::now_v7(), 0);
    app.db
        .insert_activities(&demo::activities(), "demo", at)
        .await
        .unwrap();
    app.db
        .insert_livestream(&demo::livestream(at), "demo")
        .await
        .unwrap();
    app
}

async fn docx(app: &TestApp, query: &str) -> Vec<u8> {
    let response = app
        .get_raw(
            Some(&app.admin_token),
            &format!("/api/admin/report.docx?{query}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn the_report_for_a_year_says_and_tables_what_the_admin_page_shows() {
    let app = with_demo_data().await;
    let query = "from=2026-01-01&to=2026-12-31";
    let page: Value = app
        .get_as(&app.admin_token, &format!("/api/admin/report?{query}"))
        .await;
    let (paragraphs, tables) = read(&docx(&app, query).await);
    assert_eq!(paragraphs[0], "同心服务工作简报");
    assert_eq!(paragraphs[1], "2026年");
    let n = |v: &Value| group_digits(v.as_u64().unwrap());
    let summary = &page["summary"];
    let overview = format!(
        "共开展活动{}场，惠及群众{}人次",
        n(&summary["activities"]),
        n(&summary["people_served"])
    );
    assert!(
        paragraphs.iter().any(|p| p.contains(&overview)),
        "{overview} in {paragraphs:#?}"
    );
    let sales = format!(
        "销售额{}元",
        format_yuan(summary["sales_fen"].as_u64().unwrap())
    );
    assert!(paragraphs.iter().any(|p| p.contains(&sales)), "{sales}");
    // Tables: stations by kind, by category, by street, by region, by
    // product, proposals by state; each a header and the page's rows.
    assert_eq!(tables.len(), 6);
    let rows_of = |key: &str| page[key].as_array().unwrap().clone();
    for (table, key) in [
        (1, "by_category"),
        (2, "by_street"),
        (3, "sales_by_region"),
        (4, "sales_by_product"),
    ] {
        let expected = rows_of(key);
        assert_eq!(tables[table].len(), expected.len() + 1, "{key}");
        for (row, want) in tables[table][1..].iter().zip(&expected) {
            let figure = match key {
                "by_category" | "by_street" => n(&want["activities"]),
                _ => n(&want["units"]),
            };
            assert_eq!(row[1], figure, "{key}: {row:?}");
        }
    }
    let street = &rows_of("by_street")[0];
    assert_eq!(tables[2][1][0], street["label"].as_str().unwrap());
    // Every station counted once, by kind.
    let stations: u64 = tables[0][1..]
        .iter()
        .map(|row| row[1].replace(',', "").parse::<u64>().unwrap())
        .sum();
    assert_eq!(stations, demo::stations().len() as u64);
    assert_eq!(tables[5].len(), 1 + 6);
    // Two charts, each a PNG: activities by category, sales by region.
    let docx = docx_rs::read_docx(&docx(&app, query).await).unwrap();
    assert_eq!(docx.images.len(), 2);
    assert!(
        paragraphs
            .iter()
            .any(|p| p.starts_with("图1 各类别活动场次"))
    );
}

#[tokio::test]
async fn the_report_follows_the_filter_and_the_language_and_only_admins_get_it() {
    let app = with_demo_data().await;
    let (paragraphs, tables) = read(&docx(&app, "from=2026-10-01&to=2026-12-31&lang=en").await);
    assert_eq!(paragraphs[0], "Tongxin Service Work Report");
    assert_eq!(paragraphs[1], "Q4 2026");
    assert_eq!(tables[1][0][0], "Name");
    let quarter = app
        .get_as(
            &app.admin_token,
            "/api/admin/report?from=2026-10-01&to=2026-12-31",
        )
        .await;
    let activities = quarter["summary"]["activities"].as_u64().unwrap();
    assert!(
        paragraphs.iter().any(|p| p.contains(&format!(
            "{} activities were held",
            group_digits(activities)
        ))),
        "{paragraphs:#?}"
    );
    let refused = app
        .get_raw(Some(&app.volunteer_token), "/api/admin/report.docx")
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bad = app
        .get_raw(
            Some(&app.admin_token),
            "/api/admin/report.docx?from=2026-12-01&to=2026-01-01",
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}
