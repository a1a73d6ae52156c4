//! Accounts and roles, enforced by the server on every request.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_server::auth;
use tongxin_shared::account::Role;
use uuid::Uuid;

use crate::helpers::{PASSWORD, client_from, error_of, push_body, record, spawn_app};

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_are_refused_alike() {
    let app = spawn_app().await;
    let (status, wrong) = error_of(app.login("volunteer-test", "not-the-password").await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, unknown) = error_of(app.login("nobody", PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, "wrong username or password");
}

#[tokio::test]
async fn every_endpoint_but_login_and_health_needs_a_live_token() {
    let app = spawn_app().await;
    for path in [
        "/api/reference",
        "/api/sync/pull",
        "/api/admin/summary",
        "/api/auth/me",
    ] {
        let (status, error) = error_of(app.get_raw(None, path).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(error.contains("log in"), "{path}: {error}");
        let forged = app.get_raw(Some("forged-token"), path).await;
        assert_eq!(forged.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        app.get_raw(None, "/api/health").await.status(),
        StatusCode::OK
    );
    // The phones' connection check needs no login and carries no body.
    let ping = app.get_raw(None, "/api/ping").await;
    assert_eq!(ping.status(), StatusCode::NO_CONTENT);
    assert!(ping.bytes().await.unwrap().is_empty());
    let me = app.get("/api/auth/me").await;
    assert_eq!(me["username"], "volunteer-test");
    assert_eq!(me["role"], "volunteer");
}

#[tokio::test]
async fn roles_stop_at_their_boundaries() {
    let app = spawn_app().await;
    // A volunteer is not an admin.
    let (status, _) = error_of(
        app.get_raw(Some(&app.volunteer_token), "/api/admin/summary")
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An organiser neither pushes nor pulls activities.
    let organiser = app.add_user("organiser-test", Role::Organiser, &[]).await;
    let pushed = app
        .push_as(&organiser, &push_body(Uuid::now_v7(), &[(1, record(5))]))
        .await;
    assert_eq!(pushed.status(), StatusCode::OK);
    let answer: Value = pushed.json().await.unwrap();
    assert_eq!(answer["results"][0]["outcome"], "rejected", "{answer}");
    assert_eq!(
        answer["results"][0]["errors"][0]["rule"]["code"],
        "not_your_role"
    );
    let response = app.get_raw(Some(&organiser), "/api/admin/summary").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    // Their reference data holds no station (they submit proposals, which
    // need the groups and streets, but record no activity).
    let reference = app.get_as(&organiser, "/api/reference").await;
    assert_eq!(reference["stations"], json!([]));
    let by_admin = push_body(Uuid::now_v7(), &[(1, record(5))]);
    let pushed = app.push_as(&app.admin_token, &by_admin).await;
    assert_eq!(pushed.status(), StatusCode::OK);
    assert_eq!(app.pull_all_as(&organiser).await, Vec::<Value>::new());
    assert_eq!(app.summary().await["activities"], 1);
}

#[tokio::test]
async fn a_crafted_push_for_another_station_is_rejected_and_stores_nothing() {
    let app = spawn_app().await;
    let mut foreign = record(9);
    foreign["station_id"]["value"] = json!("st-dazhi");
    let response = app.push(&push_body(Uuid::now_v7(), &[(1, foreign)])).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let result = &body["results"][0];
    assert_eq!(result["outcome"], "rejected", "{body}");
    assert_eq!(result["errors"][0]["field"], "station_id");
    assert_eq!(result["errors"][0]["message"], "not one of your stations");
    assert_eq!(app.summary().await["activities"], 0);
}

#[tokio::test]
async fn a_volunteer_cannot_move_a_record_out_of_their_stations_or_edit_another_stations_record() {
    let app = spawn_app().await;
    // The admin records one activity at a station the volunteer does not serve.
    let mut theirs = record(4);
    theirs["station_id"]["value"] = json!("st-dazhi");
    let admin_push = app
        .push_as(
            &app.admin_token,
            &push_body(Uuid::now_v7(), &[(1, theirs.clone())]),
        )
        .await;
    assert_eq!(admin_push.status(), StatusCode::OK);
    // The volunteer crafts an edit of it, back to one of their own stations.
    let mut edit = theirs.clone();
    edit["station_id"]["value"] = json!("st-xianfeng");
    edit["station_id"]["stamp"]["wall_ms"] = json!(chrono::Utc::now().timestamp_millis());
    let body: Value = app
        .push(&push_body(Uuid::now_v7(), &[(1, edit)]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["results"][0]["outcome"], "rejected", "{body}");
    let all = app.pull_all_as(&app.admin_token).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["station_id"]["value"], "st-dazhi");
}

#[tokio::test]
async fn a_volunteer_pulls_only_their_stations_and_sees_only_them_as_reference() {
    let app = spawn_app().await;
    let mut mutations = Vec::new();
    for (seq, station) in ["st-xianfeng", "st-dazhi", "st-shangrong", "st-minge-home"]
        .into_iter()
        .enumerate()
    {
        let mut activity = record(1 + seq as i64);
        activity["station_id"]["value"] = json!(station);
        mutations.push((seq as u64 + 1, activity));
    }
    let pushed = app
        .push_as(&app.admin_token, &push_body(Uuid::now_v7(), &mutations))
        .await;
    assert_eq!(pushed.status(), StatusCode::OK);

    let mut seen: Vec<String> = app
        .pull_all()
        .await
        .iter()
        .map(|r| r["station_id"]["value"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    assert_eq!(seen, ["st-shangrong", "st-xianfeng"]);
    assert_eq!(app.pull_all_as(&app.admin_token).await.len(), 4);

    let reference = app.get("/api/reference").await;
    let mut stations: Vec<&str> = reference["stations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    stations.sort();
    assert_eq!(stations, ["st-shangrong", "st-xianfeng"]);
}

#[tokio::test]
async fn a_newly_assigned_station_reaches_a_device_that_has_pulled_before() {
    let app = spawn_app().await;
    let mut dazhi = record(8);
    dazhi["station_id"]["value"] = json!("st-dazhi");
    let mut xianfeng = record(3);
    xianfeng["station_id"]["value"] = json!("st-xianfeng");
    app.push_as(
        &app.admin_token,
        &push_body(Uuid::now_v7(), &[(1, dazhi), (2, xianfeng)]),
    )
    .await;
    let first = app.get("/api/sync/pull").await;
    assert_eq!(first["changes"].as_array().unwrap().len(), 1);
    let cursor = first["cursor"].as_str().unwrap().to_owned();

    app.db
        .set_user_stations(
            "volunteer-test",
            &["st-xianfeng".to_owned(), "st-dazhi".to_owned()],
        )
        .await
        .unwrap();
    // The old cursor was for the old stations: the pull starts over and
    // brings the older 大智 record too.
    let next = app.get(&format!("/api/sync/pull?cursor={cursor}")).await;
    let mut stations: Vec<&str> = next["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["station_id"].as_str().unwrap())
        .collect();
    stations.sort();
    assert_eq!(stations, ["st-dazhi", "st-xianfeng"]);
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = spawn_app().await;
    let token = app
        .add_user("leaving", Role::Volunteer, &["st-xianfeng"])
        .await;
    let response = app
        .client
        .post(format!("{}/api/auth/logout", app.address))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let after = app.get_raw(Some(&token), "/api/auth/me").await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    // Other sessions are untouched.
    app.get("/api/auth/me").await;
}

#[tokio::test]
async fn failed_logins_slow_down_the_guessing_address_and_never_the_owner_elsewhere() {
    let app = spawn_app().await;
    for attempt in 1..=auth::FREE_ATTEMPTS {
        let response = app.login("volunteer-test", "guess-guess").await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    // From the guessing address, even the right password waits.
    let locked = app.login("volunteer-test", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&retry_after), "{retry_after}");
    let (_, locked_error) = error_of(locked).await;
    assert!(locked_error.contains("try again in"), "{locked_error}");

    // The owner, from their own address, logs in as ever.
    let owner = client_from("127.0.0.2");
    assert_eq!(
        app.login_from(&owner, "volunteer-test", PASSWORD)
            .await
            .status(),
        StatusCode::OK
    );

    // A name nobody has is answered the same way, so a 429 does not tell
    // that a name exists.
    for _ in 1..=auth::FREE_ATTEMPTS {
        let response = app.login("nobody-at-all", "guess-guess").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let (status, unknown_error) = error_of(app.login("nobody-at-all", "guess-guess").await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        unknown_error.split(" try again in").next(),
        locked_error.split(" try again in").next()
    );

    // An admin's new password lifts the wait, and old sessions end.
    app.db
        .reset_password(
            "volunteer-test",
            &auth::hash_password("a-new-password").unwrap(),
        )
        .await
        .unwrap();
    let stale = app
        .get_raw(Some(&app.volunteer_token), "/api/auth/me")
        .await;
    assert_eq!(stale.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.login("volunteer-test", "a-new-password").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn failures_older_than_an_hour_are_forgotten() {
    let app = spawn_app().await;
    // Five failures from this address, an hour and a minute ago.
    let now_ms = chrono::Utc::now().timestamp_millis();
    let then_ms = now_ms - auth::FAILURE_MEMORY_MS - 60_000;
    for _ in 0..auth::FREE_ATTEMPTS {
        app.db
            .login_failed(
                "volunteer-test",
                "127.0.0.1",
                then_ms,
                auth::FAILURE_MEMORY_MS,
                |_| 0,
            )
            .await
            .unwrap();
    }
    // One more wrong guess now is the first of a new count, not the sixth.
    assert_eq!(
        app.login("volunteer-test", "guess-guess").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login("volunteer-test", PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_user_name_is_one_name_however_it_is_typed() {
    let app = spawn_app().await;
    for typed in [
        "Volunteer-Test",
        " volunteer-test ",
        "ＶＯＬＵＮＴＥＥＲ-ＴＥＳＴ",
    ] {
        assert_eq!(
            app.login(typed, PASSWORD).await.status(),
            StatusCode::OK,
            "{typed:?}"
        );
    }
}

#[tokio::test]
async fn a_disabled_account_does_not_confirm_its_password() {
    let app = spawn_app().await;
    app.add_user("short-lived", Role::Volunteer, &["st-xianfeng"])
        .await;
    app.db.set_disabled("short-lived", true).await.unwrap();
    let right = error_of(app.login("short-lived", PASSWORD).await).await;
    let wrong = error_of(app.login("short-lived", "not-the-password").await).await;
    assert_eq!(right.0, StatusCode::UNAUTHORIZED);
    assert_eq!(right, wrong);
}

#[tokio::test]
async fn one_address_trying_many_logins_is_slowed_down_before_any_password_is_checked() {
    let app = spawn_app().await;
    // The app's two test logins used 2 of the address's 20.
    let mut statuses = Vec::new();
    let mut slowed = None;
    for n in 0..24 {
        let response = app.login(&format!("guess-{n}"), "not-the-password").await;
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS && slowed.is_none() {
            slowed = Some(response);
        }
    }
    assert!(
        statuses[..18]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let slowed = slowed.expect("a 429 once the burst is used");
    let retry_after: u64 = slowed.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=4).contains(&retry_after), "{retry_after}");
    let (_, error) = error_of(slowed).await;
    assert!(
        error.starts_with("too many login attempts from this address"),
        "{error}"
    );
    // Retry-After is never too short: coming back after it is let through.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    let again = app.login("guess-after-waiting", "not-the-password").await;
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    // Other requests from the address, and sessions it has, are not slowed.
    let me = app.get("/api/auth/me").await;
    assert_eq!(me["username"], "volunteer-test");
}
