//! Every refusal names its rule by a code beside its English words, so an
//! app can word it in its user's language: 400, 401, 403, 404 and 409
//! alike. Answers no rule names (an unreadable body) carry none.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn_app};

/// The status, the English words and each rule as `(field, code)`.
async fn refusal(response: Response) -> (StatusCode, String, Vec<(String, String)>) {
    let status = response.status();
    let body: Value = response.json().await.expect("error bodies are JSON");
    let error = body["error"].as_str().expect("English words").to_owned();
    let rules = body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or_default().to_owned(),
                        e["rule"]["code"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (status, error, rules)
}

fn rules(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect()
}

async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Value) -> Response {
    let url = format!("{}{path}", app.address);
    let request = match method {
        "POST" => app.client.post(url),
        "PATCH" => app.client.patch(url),
        "PUT" => app.client.put(url),
        other => panic!("{other}"),
    };
    request.bearer_auth(token).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn a_409_names_the_field_whose_value_is_taken() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let taken = send(
        &app,
        &admin,
        "POST",
        "/api/admin/users",
        json!({
            "username": "Volunteer-Test", "display_name": "志愿者", "role": "volunteer",
            "stations": ["st-xianfeng"], "password": "another-password",
        }),
    )
    .await;
    let (status, error, named) = refusal(taken).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, r#"a user named "volunteer-test" already exists"#);
    assert_eq!(named, rules(&[("username", "already_exists")]));

    let station = json!({
        "id": "st-xianfeng", "name": "先锋", "kind": "liaison_station",
        "street": "塔子湖街道", "community": "先锋社区",
    });
    let (status, _, named) =
        refusal(send(&app, &admin, "POST", "/api/admin/stations", station).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(named, rules(&[("id", "already_exists")]));

    let category = json!({
        "code": "health_clinic", "name_zh": "义诊", "name_en": "Clinic", "retired": false,
    });
    let (status, _, named) =
        refusal(send(&app, &admin, "POST", "/api/admin/categories", category).await).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(named, rules(&[("code", "already_exists")]));
}

#[tokio::test]
async fn a_400_names_each_broken_rule_and_an_unreadable_body_names_none() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (status, error, named) = refusal(
        send(
            &app,
            &admin,
            "POST",
            "/api/admin/users",
            json!({
                "username": "qian sun", "display_name": "", "role": "volunteer",
                "stations": [], "password": "short",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error.contains("username:"), "{error}");
    let fields: Vec<&str> = named.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["username", "display_name", "stations", "password"]);
    assert!(
        named.contains(&("display_name".into(), "required".into())),
        "{named:?}"
    );
    assert!(
        named.contains(&("password".into(), "too_short".into())),
        "{named:?}"
    );

    let (status, _, named) = refusal(
        send(
            &app,
            &admin,
            "POST",
            "/api/admin/users",
            json!({
                "username": "li", "display_name": "小李", "role": "volunteer",
                "stations": ["st-nowhere"], "password": "li-password-1",
            }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(named, rules(&[("stations", "unknown_station")]));

    // The admin's filter: a range backwards, a category the list lacks.
    let (status, _, named) = refusal(
        app.get_raw(
            Some(&admin),
            "/api/admin/report?from=2026-05-02&to=2026-05-01",
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(named, rules(&[("to", "end_before_start")]));
    let (status, error, named) = refusal(
        app.get_raw(Some(&admin), "/api/admin/report?category=nowhere")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error, r#"category: no category with code "nowhere""#);
    assert_eq!(named, rules(&[("category", "unknown_category")]));

    // A push of another protocol: the app knows to ask for an update.
    let (status, error, named) = refusal(
        app.push(&json!({ "protocol": 1, "device_id": uuid::Uuid::new_v4(), "mutations": [] }))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        error.starts_with("unsupported protocol version 1"),
        "{error}"
    );
    assert_eq!(named, rules(&[("protocol", "unsupported_protocol")]));

    // JSON that is not JSON: no rule, the status says it.
    let unreadable = app
        .client
        .post(format!("{}/api/admin/users", app.address))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = unreadable.status();
    let body: Value = unreadable.json().await.unwrap();
    assert!(status.is_client_error(), "{status}");
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn a_404_names_what_the_path_named() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    let (status, error, named) = refusal(
        send(
            &app,
            &admin,
            "PATCH",
            "/api/admin/users/nobody",
            json!({ "disabled": true }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error, r#"no user named "nobody""#);
    assert_eq!(named, rules(&[("username", "not_found")]));

    let station = json!({
        "id": "st-nowhere", "name": "无", "kind": "liaison_station",
        "street": "塔子湖街道", "community": "先锋社区",
    });
    let (status, _, named) = refusal(
        send(
            &app,
            &admin,
            "PUT",
            "/api/admin/stations/st-nowhere",
            station,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(named, rules(&[("id", "not_found")]));
}

#[tokio::test]
async fn a_401_and_a_403_say_which_by_their_code() {
    let app = spawn_app().await;
    let (status, _, named) = refusal(app.login("volunteer-test", "wrong-password").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(named, rules(&[("password", "wrong_credentials")]));
    let (status, _, named) = refusal(app.get_raw(None, "/api/admin/users").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(named, rules(&[("session", "session_expired")]));

    let volunteer = app.volunteer_token.clone();
    let (status, _, named) = refusal(app.get_raw(Some(&volunteer), "/api/admin/users").await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(named, rules(&[("role", "not_allowed")]));
    let admin = app.admin_token.clone();
    let (status, error, named) = refusal(
        send(
            &app,
            &admin,
            "PATCH",
            "/api/admin/users/admin-test",
            json!({ "disabled": true }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error, "an admin cannot disable their own account");
    assert_eq!(named, rules(&[("disabled", "own_account")]));
    // The password the tests share still logs in: nothing was changed.
    assert_eq!(
        app.login("admin-test", PASSWORD).await.status(),
        StatusCode::OK
    );
}
