//! Admins manage accounts and stations over HTTP, as the command line does,
//! and the list of categories.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::account::Role;

use crate::helpers::{PASSWORD, TestApp, error_of, spawn_app};

async fn send(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Value,
) -> reqwest::Response {
    let url = format!("{}{path}", app.address);
    let request = match method {
        "POST" => app.client.post(url),
        "PATCH" => app.client.patch(url),
        "PUT" => app.client.put(url),
        other => panic!("{other}"),
    };
    request.bearer_auth(token).json(&body).send().await.unwrap()
}

fn new_volunteer(username: &str, stations: &[&str]) -> Value {
    json!({
        "username": username,
        "display_name": "志愿者小赵",
        "role": "volunteer",
        "stations": stations,
        "password": "first-password",
    })
}

#[tokio::test]
async fn an_admin_creates_an_account_that_logs_in_and_disables_it_again() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let created = send(
        &app,
        &admin,
        "POST",
        "/api/admin/users",
        new_volunteer("zhao", &["st-dazhi"]),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let user: Value = created.json().await.unwrap();
    assert_eq!(
        (&user["role"], &user["stations"]),
        (&json!("volunteer"), &json!(["st-dazhi"]))
    );
    assert_eq!(
        app.login("zhao", "first-password").await.status(),
        StatusCode::OK
    );

    // The same name again, bad input, an unknown station: refused, named.
    let again = send(
        &app,
        &admin,
        "POST",
        "/api/admin/users",
        new_volunteer("zhao", &["st-dazhi"]),
    )
    .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    // Names that only look like another are one name, or refused.
    for (look_alike, status) in [
        ("ZHAO", StatusCode::CONFLICT),
        ("ｚｈａｏ", StatusCode::CONFLICT),
        ("zh\u{430}o", StatusCode::BAD_REQUEST),
        ("zhao\u{200b}", StatusCode::BAD_REQUEST),
        ("zh\u{ad}ao", StatusCode::BAD_REQUEST),
    ] {
        let response = send(
            &app,
            &admin,
            "POST",
            "/api/admin/users",
            new_volunteer(look_alike, &["st-dazhi"]),
        )
        .await;
        assert_eq!(response.status(), status, "{look_alike:?}");
    }
    let (status, error) = error_of(
        send(&app, &admin, "POST", "/api/admin/users", json!({
            "username": "qian sun", "display_name": "", "role": "volunteer", "stations": [], "password": "short",
        }))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for field in ["username", "display_name", "stations", "password"] {
        assert!(error.contains(&format!("{field}:")), "{field} in {error}");
    }
    let unknown = send(
        &app,
        &admin,
        "POST",
        "/api/admin/users",
        new_volunteer("li", &["st-nowhere"]),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);

    // A new password ends the old one; disabling stops logins.
    let reset = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/zhao",
        json!({ "password": "second-password" }),
    )
    .await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        app.login("zhao", "first-password").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("zhao", "second-password").await.status(),
        StatusCode::OK
    );
    let disabled = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/zhao",
        json!({ "disabled": true }),
    )
    .await;
    let listing: Value = disabled.json().await.unwrap();
    assert_eq!(listing["disabled"], true);
    assert_ne!(
        app.login("zhao", "second-password").await.status(),
        StatusCode::OK
    );
    let users: Value = app.get_as(&admin, "/api/admin/users").await;
    let zhao = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["user"]["username"] == "zhao")
        .unwrap();
    assert_eq!(zhao["disabled"], true);

    // Nobody else may, and an admin cannot lock themself out.
    let missing = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/nobody",
        json!({ "disabled": true }),
    )
    .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let own = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/admin-test",
        json!({ "disabled": true }),
    )
    .await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let by_volunteer = send(
        &app,
        &app.volunteer_token,
        "POST",
        "/api/admin/users",
        new_volunteer("wu", &["st-dazhi"]),
    )
    .await;
    assert_eq!(by_volunteer.status(), StatusCode::FORBIDDEN);
    let organiser = app.add_user("organiser-manage", Role::Organiser, &[]).await;
    assert_eq!(
        app.get_raw(Some(&organiser), "/api/admin/users")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.login("organiser-manage", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_new_station_reaches_the_volunteers_assigned_to_it() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let station = json!({
        "id": "st-yongqing", "name": "永清社区统战联络站", "kind": "liaison_station",
        "street": "永清街道", "community": "永清社区",
    });
    let created = send(&app, &admin, "POST", "/api/admin/stations", station.clone()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        send(&app, &admin, "POST", "/api/admin/stations", station.clone())
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let (status, error) = error_of(
        send(&app, &admin, "POST", "/api/admin/stations", json!({
            "id": "站 1", "name": "", "kind": "liaison_station", "street": "永清街道", "community": "",
        }))
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.contains("id may contain only letters, digits, - and _"),
        "{error}"
    );
    assert!(
        error.contains("name is required") && error.contains("community is required"),
        "{error}"
    );

    // Assigned to the volunteer, it is among their stations; renamed, the
    // new name is what devices get.
    let assign = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/volunteer-test",
        json!({ "stations": ["st-xianfeng", "st-yongqing"] }),
    )
    .await;
    assert_eq!(assign.status(), StatusCode::OK);
    let mut renamed = station.clone();
    renamed["name"] = json!("永清社区联络站");
    let updated = send(
        &app,
        &admin,
        "PUT",
        "/api/admin/stations/st-yongqing",
        renamed,
    )
    .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let reference = app.get("/api/reference").await;
    let names: Vec<&str> = reference["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"永清社区联络站"), "{names:?}");
    assert_eq!(names.len(), 2);
    let elsewhere = send(&app, &admin, "PUT", "/api/admin/stations/st-nowhere", json!({
        "id": "st-nowhere", "name": "无", "kind": "liaison_station", "street": "无", "community": "无",
    })).await;
    assert_eq!(elsewhere.status(), StatusCode::NOT_FOUND);
}

/// A push of one activity, as the test volunteer's device sends it, under
/// `category`; the outcome of its one mutation.
async fn push_with_category(app: &TestApp, seq: u64, category: &str) -> Value {
    let mut record = crate::helpers::record(12);
    record["category"]["value"] = json!(category);
    let device = uuid::Uuid::now_v7();
    let response = app
        .push(&crate::helpers::push_body(device, &[(seq, record)]))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    answer["results"][0].clone()
}

#[tokio::test]
async fn admins_keep_the_list_of_categories_and_devices_record_under_it() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let reference = app.get("/api/reference").await;
    let codes: Vec<&str> = reference["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 9, "the district report's nine");
    assert_eq!(codes[0], "health_clinic");

    // Unknown to the server, a category is refused and nothing is stored.
    let refused = push_with_category(&app, 1, "youth_sports").await;
    assert_eq!(refused["outcome"], "rejected", "{refused}");
    assert_eq!(refused["errors"][0]["field"], "category");
    assert_eq!(
        refused["errors"][0]["message"], "unknown category",
        "{refused}"
    );
    assert_eq!(app.summary().await["activities"], 0);

    // Added by an admin (each broken rule named first), it is accepted.
    let (status, error) = error_of(
        send(
            &app,
            &admin,
            "POST",
            "/api/admin/categories",
            json!({
                "code": "青少年", "name_zh": "", "name_en": "Youth sports",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.contains("code may contain only letters, digits, - and _"),
        "{error}"
    );
    assert!(error.contains("name_zh is required"), "{error}");
    let youth =
        json!({ "code": "youth_sports", "name_zh": "青少年体育", "name_en": "Youth sports" });
    let created = send(&app, &admin, "POST", "/api/admin/categories", youth.clone()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(
        send(&app, &admin, "POST", "/api/admin/categories", youth.clone())
            .await
            .status(),
        StatusCode::CONFLICT
    );
    let volunteer = app.volunteer_token.clone();
    assert_eq!(
        send(
            &app,
            &volunteer,
            "POST",
            "/api/admin/categories",
            json!({
                "code": "picnic", "name_zh": "野餐", "name_en": "Picnic",
            })
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let listed = app.get("/api/reference").await["categories"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 10);
    assert_eq!(listed[9]["code"], "youth_sports", "added at the end");
    let accepted = push_with_category(&app, 1, "youth_sports").await;
    assert_eq!(accepted["outcome"], "accepted", "{accepted}");

    // Renamed and retired, it keeps its records: they still count, under
    // the new name, and a phone that recorded offline before the
    // retirement still gets its record in.
    let renamed = json!({
        "code": "youth_sports", "name_zh": "青少年体育活动", "name_en": "Youth sport", "retired": true,
    });
    let updated = send(
        &app,
        &admin,
        "PUT",
        "/api/admin/categories/youth_sports",
        renamed,
    )
    .await;
    assert_eq!(updated.status(), StatusCode::OK);
    let late = push_with_category(&app, 1, "youth_sports").await;
    assert_eq!(late["outcome"], "accepted", "{late}");
    let report = app
        .get_as(&admin, "/api/admin/report?category=youth_sports")
        .await;
    assert_eq!(report["summary"]["activities"], 2, "{report}");
    let row = &report["by_category"][0];
    assert_eq!(row["key"], "youth_sports");
    let category = report["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "youth_sports")
        .unwrap();
    assert_eq!(category["name_zh"], "青少年体育活动");
    assert_eq!(category["retired"], true);
    let csv = app
        .get_raw(
            Some(&admin),
            "/api/admin/export/activities.csv?category=youth_sports",
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(csv.matches("青少年体育活动").count(), 2, "{csv}");

    // The code cannot change; a missing one is named.
    let (status, error) = error_of(
        send(
            &app,
            &admin,
            "PUT",
            "/api/admin/categories/youth_sports",
            json!({
                "code": "sports", "name_zh": "体育", "name_en": "Sports",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.contains("cannot change"), "{error}");
    assert_eq!(
        send(
            &app,
            &admin,
            "PUT",
            "/api/admin/categories/chess",
            json!({
                "code": "chess", "name_zh": "象棋", "name_en": "Chess",
            })
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_station_listed_twice_or_a_volunteer_left_without_one_is_refused_on_creation_and_on_change()
 {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let twice = send(
        &app,
        &admin,
        "POST",
        "/api/admin/users",
        new_volunteer("twice", &["st-dazhi", "st-dazhi"]),
    )
    .await;
    let (status, error) = crate::helpers::error_of(twice).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.contains("listed twice"), "{error}");

    for stations in [json!(["st-xianfeng", "st-xianfeng"]), json!([])] {
        let changed = send(
            &app,
            &admin,
            "PATCH",
            "/api/admin/users/volunteer-test",
            json!({ "stations": stations, "disabled": true }),
        )
        .await;
        assert_eq!(changed.status(), StatusCode::BAD_REQUEST, "{stations}");
    }
    // Nothing of the refused changes was applied: not the stations, and
    // not the rest of the change either.
    let me = app.get("/api/auth/me").await;
    assert_eq!(
        me["stations"],
        json!(["st-shangrong", "st-xianfeng"]),
        "{me}"
    );
}

#[tokio::test]
async fn a_password_anyone_would_guess_first_is_refused_and_a_good_one_is_taken() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let mut account = new_volunteer("zhaoliming", &["st-dazhi"]);
    account["password"] = json!("ZhaoLiming");
    let same_as_name = send(&app, &admin, "POST", "/api/admin/users", account.clone()).await;
    assert_eq!(same_as_name.status(), StatusCode::BAD_REQUEST);
    let (_, error) = crate::helpers::error_of(same_as_name).await;
    assert!(error.contains("first anyone would guess"), "{error}");
    account["password"] = json!("秋天的红石榴-2026");
    let created = send(&app, &admin, "POST", "/api/admin/users", account).await;
    assert_eq!(created.status(), StatusCode::CREATED);

    let common = send(
        &app,
        &admin,
        "PATCH",
        "/api/admin/users/zhaoliming",
        json!({ "password": "woaini1314" }),
    )
    .await;
    assert_eq!(common.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.login("zhaoliming", "woaini1314").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("zhaoliming", "秋天的红石榴-2026").await.status(),
        StatusCode::OK
    );
}
