//! Livestream records sync like activities, for organisers and admins only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::{
    LivestreamSession, PartnerRegion, Product, SaleLine,
    account::Role,
    livestream::{LivestreamRecord, ProductRecord, RegionRecord, SaleLineRecord, SessionRecord},
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
        "protocol": 1,
        "device_id": device,
        "mutations": records.iter().enumerate().map(|(i, record)| json!({
            "seq": i + 1,
            "change": { "type": "put_livestream", "record": record },
        })).collect::<Vec<_>>(),
    })
}

/// Every livestream record `token` may pull, from the start.
async fn pull_livestream(app: &crate::helpers::TestApp, token: &str) -> Vec<LivestreamRecord> {
    let page = app.get_as(token, "/api/sync/pull").await;
    assert_eq!(page["more"], false);
    serde_json::from_value(page["livestream"].clone()).unwrap()
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
    let (status, error) = error_of(
        app.push(&livestream_push(Uuid::now_v7(), &room(Uuid::now_v7())))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error, "volunteers do not write livestream records");
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
