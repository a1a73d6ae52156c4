//! Livestream records sync like activities, for organisers and admins only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::{
    LivestreamSession, PartnerRegion, Product, SaleLine,
    account::Role,
    livestream::{
        LivestreamRecord, LivestreamWire, ProductRecord, RegionRecord, SaleLineRecord,
        SessionRecord,
    },
    wire::Wired,
};
use uuid::Uuid;

use crate::helpers::{error_of, spawn_app, stamp};

/// A region, a product of it, a session and a sale line, as one device
/// records them, in that order.
fn room(device: Uuid) -> Vec<LivestreamRecord> {
    let at = stamp(device, 0);
    let region = PartnerRegion {
        id: Uuid::now_v7(),
        name: "博乐市".into(),
        province: "新疆".into(),
    };
    let product = Product {
        id: Uuid::now_v7(),
        name: "新疆棉絮".into(),
        region_id: region.id,
        unit: "床".into(),
        price_fen: 19_900,
    };
    let session = LivestreamSession {
        id: Uuid::now_v7(),
        number: 8,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        platform: "抖音".into(),
        host: "小同".into(),
        partners: "新联会企业".into(),
        viewers: 9_000,
    };
    let line = SaleLine {
        id: Uuid::now_v7(),
        session_id: session.id,
        product_id: product.id,
        units: 3,
        amount_fen: 59_700,
        orders: 3,
    };
    vec![
        LivestreamRecord::Region(RegionRecord::new(&region, at)),
        LivestreamRecord::Product(ProductRecord::new(&product, at)),
        LivestreamRecord::Session(SessionRecord::new(&session, at)),
        LivestreamRecord::SaleLine(SaleLineRecord::new(&line, at)),
    ]
}

fn livestream_push(device: Uuid, records: &[LivestreamRecord]) -> Value {
    json!({
        "protocol": tongxin_shared::sync::PROTOCOL_VERSION,
        "device_id": device,
        "mutations": records.iter().enumerate().map(|(i, record)| json!({
            "seq": i + 1,
            "change": { "type": "put_livestream", "record": record.to_wire() },
        })).collect::<Vec<_>>(),
    })
}

/// Every livestream record `token` may pull, from the start.
async fn pull_livestream(app: &crate::helpers::TestApp, token: &str) -> Vec<LivestreamRecord> {
    let page = app.get_as(token, "/api/sync/pull").await;
    assert_eq!(page["more"], false);
    let wire: Vec<LivestreamWire> = serde_json::from_value(page["livestream"].clone()).unwrap();
    wire.into_iter()
        .map(|w| LivestreamRecord::from_wire(w).unwrap())
        .collect()
}

#[tokio::test]
async fn an_organisers_room_reaches_the_server_and_the_admin_and_never_a_volunteer() {
    let app = spawn_app().await;
    let organiser = app.add_user("organiser-test", Role::Organiser, &[]).await;
    let device = Uuid::now_v7();
    let records = room(device);
    let response = app
        .push_as(&organiser, &livestream_push(device, &records))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    for result in body["results"].as_array().unwrap() {
        assert_eq!(result["outcome"], "accepted", "{body}");
    }
    // In the order they were written, on the organiser's and the admin's
    // pull alike; the organiser gets no activities.
    assert_eq!(pull_livestream(&app, &organiser).await, records);
    assert_eq!(pull_livestream(&app, &app.admin_token).await, records);
    let page = app.get_as(&organiser, "/api/sync/pull").await;
    assert_eq!(page["changes"], json!([]));
    // A volunteer neither sees nor writes livestream records.
    assert_eq!(pull_livestream(&app, &app.volunteer_token).await, vec![]);
    // Each of their livestream changes is refused on its own, with the
    // reason; nothing of it is stored.
    let pushed = app
        .push(&livestream_push(Uuid::now_v7(), &room(Uuid::now_v7())))
        .await;
    assert_eq!(pushed.status(), StatusCode::OK);
    let answer: Value = pushed.json().await.unwrap();
    for result in answer["results"].as_array().unwrap() {
        assert_eq!(result["outcome"], "rejected", "{answer}");
        assert_eq!(result["errors"][0]["rule"]["code"], "not_your_role");
    }
    assert_eq!(app.summary().await["livestream_sessions"], 1);
}

#[tokio::test]
async fn a_sale_line_of_an_unknown_product_or_with_bad_figures_is_rejected_and_stores_nothing() {
    let app = spawn_app().await;
    let organiser = app.add_user("organiser-test", Role::Organiser, &[]).await;
    let device = Uuid::now_v7();
    let records = room(device);
    // The sale line alone: its session and product never reached the server.
    let alone = app
        .push_as(&organiser, &livestream_push(device, &records[3..]))
        .await;
    let body: Value = alone.json().await.unwrap();
    let result = &body["results"][0];
    assert_eq!(result["outcome"], "rejected", "{body}");
    let fields: Vec<&str> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["session_id", "product_id"]);
    assert_eq!(result["errors"][0]["rule"]["code"], "not_found");
    // A product priced above the bound.
    let LivestreamRecord::Product(mut product) = records[1].clone() else {
        unreachable!()
    };
    product.price_fen.value = 10_000_001;
    let pricey = app
        .push_as(
            &organiser,
            &livestream_push(
                Uuid::now_v7(),
                &[records[0].clone(), LivestreamRecord::Product(product)],
            ),
        )
        .await;
    let body: Value = pricey.json().await.unwrap();
    assert_eq!(body["results"][0]["outcome"], "accepted");
    assert_eq!(body["results"][1]["outcome"], "rejected");
    assert_eq!(
        body["results"][1]["errors"][0]["message"],
        "price must be at most 100,000.00 yuan"
    );
    // Only the region was stored.
    let stored = pull_livestream(&app, &organiser).await;
    assert_eq!(stored, records[..1]);
}

#[tokio::test]
async fn two_organisers_editing_one_session_offline_both_keep_their_fields() {
    let app = spawn_app().await;
    let first = app.add_user("organiser-a", Role::Organiser, &[]).await;
    let second = app.add_user("organiser-b", Role::Organiser, &[]).await;
    let (device_a, device_b) = (Uuid::now_v7(), Uuid::now_v7());
    let records = room(device_a);
    let LivestreamRecord::Session(session) = records[2].clone() else {
        unreachable!()
    };
    let pushed = app
        .push_as(&first, &livestream_push(device_a, &records[2..3]))
        .await;
    assert_eq!(pushed.status(), StatusCode::OK);
    // Offline, A sets the viewers and B the host, B a moment later.
    let mut by_a = session.clone();
    let mut value = session.session();
    value.viewers = 15_000;
    by_a.edit(&value, stamp(device_a, 1_000));
    let mut by_b = session.clone();
    let mut value = session.session();
    value.host = "小心".into();
    by_b.edit(&value, stamp(device_b, 2_000));
    for (token, device, record) in [(&second, device_b, by_b), (&first, device_a, by_a)] {
        let mut body = livestream_push(device, &[LivestreamRecord::Session(record)]);
        body["mutations"][0]["seq"] = json!(10);
        let response = app.push_as(token, &body).await;
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["results"][0]["outcome"], "accepted", "{answer}");
    }
    let pulled = pull_livestream(&app, &second).await;
    let [LivestreamRecord::Session(merged)] = pulled.as_slice() else {
        panic!("one session expected, got {pulled:?}")
    };
    assert_eq!(merged.viewers.value, 15_000);
    assert_eq!(merged.host.value, "小心");
}

/// Two regions, a product of each, two sessions and three sale lines,
/// pushed by an organiser; returns the regions' ids.
async fn sales_seeded(app: &crate::helpers::TestApp) -> (Uuid, Uuid) {
    let organiser = app.add_user("organiser-sales", Role::Organiser, &[]).await;
    let device = Uuid::now_v7();
    let at = stamp(device, 0);
    let region = |name: &str| PartnerRegion {
        id: Uuid::now_v7(),
        name: name.into(),
        province: "新疆".into(),
    };
    let (bole, shihezi) = (region("博乐市"), region("石河子市"));
    let product = |name: &str, region: &PartnerRegion, price_fen| Product {
        id: Uuid::now_v7(),
        name: name.into(),
        region_id: region.id,
        unit: "件".into(),
        price_fen,
    };
    let (cotton, dates) = (
        product("新疆棉絮", &bole, 19_900),
        product("石河子红枣", &shihezi, 5_990),
    );
    let session = |number, day| LivestreamSession {
        id: Uuid::now_v7(),
        number,
        date: chrono::NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
        platform: "抖音".into(),
        host: "小同".into(),
        partners: String::new(),
        viewers: 1_000,
    };
    let (seventh, eighth) = (session(7, 10), session(8, 30));
    let line = |session: &LivestreamSession, product: &Product, units: u32, orders| SaleLine {
        id: Uuid::now_v7(),
        session_id: session.id,
        product_id: product.id,
        units,
        amount_fen: u64::from(units) * product.price_fen,
        orders,
    };
    let mut records = vec![
        LivestreamRecord::Region(RegionRecord::new(&bole, at)),
        LivestreamRecord::Region(RegionRecord::new(&shihezi, at)),
        LivestreamRecord::Product(ProductRecord::new(&cotton, at)),
        LivestreamRecord::Product(ProductRecord::new(&dates, at)),
        LivestreamRecord::Session(SessionRecord::new(&seventh, at)),
        LivestreamRecord::Session(SessionRecord::new(&eighth, at)),
    ];
    for l in [
        line(&seventh, &cotton, 10, 9),
        line(&seventh, &dates, 20, 15),
        line(&eighth, &cotton, 5, 5),
    ] {
        records.push(LivestreamRecord::SaleLine(SaleLineRecord::new(&l, at)));
    }
    let response = app
        .push_as(&organiser, &livestream_push(device, &records))
        .await;
    let body: Value = response.json().await.unwrap();
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "accepted"),
        "{body}"
    );
    (bole.id, shihezi.id)
}

#[tokio::test]
async fn the_sales_figures_follow_edits_and_deletes_of_sale_lines() {
    let app = spawn_app().await;
    sales_seeded(&app).await;
    let admin = app.admin_token.clone();
    let mut lines: Vec<SaleLineRecord> = pull_livestream(&app, &admin)
        .await
        .into_iter()
        .filter_map(|r| match r {
            LivestreamRecord::SaleLine(line) => Some(line),
            _ => None,
        })
        .collect();
    lines.sort_by_key(|l| l.units.value);
    // The 5-unit line becomes 6 units at ¥199; the 10-unit line goes.
    let device = Uuid::now_v7();
    let (mut grown, mut gone) = (lines[0].clone(), lines[1].clone());
    let mut value = grown.sale_line();
    value.units = 6;
    value.amount_fen = 6 * 19_900;
    grown.edit(&value, stamp(device, 1_000));
    gone.set_deleted(true, stamp(device, 1_000));
    let body = livestream_push(
        device,
        &[
            LivestreamRecord::SaleLine(grown),
            LivestreamRecord::SaleLine(gone),
        ],
    );
    assert_eq!(app.push_as(&admin, &body).await.status(), StatusCode::OK);
    let summary = app.summary().await;
    assert_eq!(summary["units_sold"], 26);
    assert_eq!(summary["sales_fen"], 6 * 19_900 + 20 * 5_990);
    assert_eq!(summary["orders"], 20);
}

#[tokio::test]
async fn the_admin_sees_sales_by_region_product_and_session_under_the_filter() {
    let app = spawn_app().await;
    let (bole, shihezi) = sales_seeded(&app).await;
    let report = app.get_as(&app.admin_token, "/api/admin/report").await;
    let summary = &report["summary"];
    // 15 × ¥199 of cotton (博乐市) and 20 × ¥59.90 of dates (石河子市).
    assert_eq!(summary["units_sold"], 35);
    assert_eq!(summary["sales_fen"], 15 * 19_900 + 20 * 5_990);
    assert_eq!(summary["orders"], 29);
    assert_eq!(summary["livestream_sessions"], 2);
    let rows = |name: &str| -> Vec<(String, u64)> {
        report[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["label"].as_str().unwrap().to_owned(),
                    r["amount_fen"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        rows("sales_by_region"),
        [("博乐市".into(), 298_500), ("石河子市".into(), 119_800)]
    );
    assert_eq!(
        rows("sales_by_session"),
        [("7".into(), 318_800), ("8".into(), 99_500)]
    );
    assert_eq!(rows("sales_by_product").len(), 2);
    assert_eq!(report["regions"].as_array().unwrap().len(), 2);

    // The region narrows sales and the sessions that sold its products;
    // the date range narrows by the session's date.
    let only = app
        .get_as(
            &app.admin_token,
            &format!("/api/admin/summary?region={shihezi}"),
        )
        .await;
    assert_eq!(
        (&only["units_sold"], &only["livestream_sessions"]),
        (&json!(20), &json!(1))
    );
    let late = app
        .get_as(
            &app.admin_token,
            &format!("/api/admin/report?from=2026-10-20&region={bole}"),
        )
        .await;
    assert_eq!(late["summary"]["sales_fen"], 99_500);
    assert_eq!(late["sales_by_session"].as_array().unwrap().len(), 1);
    let (status, error) = error_of(
        app.get_raw(Some(&app.admin_token), "/api/admin/summary?region=bole")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
}

#[tokio::test]
async fn the_sales_exports_hold_the_filtered_lines_with_exact_yuan() {
    let app = spawn_app().await;
    let (bole, _) = sales_seeded(&app).await;
    let csv_body = app
        .get_raw(
            Some(&app.admin_token),
            &format!("/api/admin/export/sales.csv?region={bole}"),
        )
        .await;
    assert_eq!(csv_body.status(), StatusCode::OK);
    let bytes = csv_body.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(&reader.headers().unwrap()[9], "销售额（元）");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let lines: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[0], &r[4], &r[9])).collect();
    assert_eq!(
        lines,
        [
            ("第8期", "新疆棉絮", "995.00"),
            ("第7期", "新疆棉絮", "1990.00")
        ]
    );

    let xlsx = app
        .get_raw(Some(&app.admin_token), "/api/admin/export/sales.xlsx")
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut workbook: calamine::Xlsx<_> =
        calamine::Reader::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut workbook, "直播销售").unwrap();
    assert_eq!(sheet.height(), 4, "a header row and three sale lines");
    let total: f64 = (1..4)
        .map(|r| match sheet.get((r, 9)) {
            Some(calamine::Data::Float(yuan)) => *yuan,
            other => panic!("not a number: {other:?}"),
        })
        .sum();
    assert!((total - 4_183.0).abs() < 1e-6, "{total}");
}
