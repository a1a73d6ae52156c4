//! What one client can take from everyone else: database connections held
//! by slow downloads or piles of pulls, sockets held by trickled headers
//! or by many connections. Each test loads the server the way an attacker
//! (or a broken client) would and checks that another user is still
//! served and the server lets go of what it held.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};
use tongxin_shared::Activity;
use uuid::Uuid;

use crate::helpers::{PASSWORD, TestApp, activity, error_of, push_body, record, spawn_app};

/// `count` activities at the test volunteer's first station, stored
/// directly.
async fn store_activities(app: &TestApp, count: usize) {
    let activities: Vec<Activity> = (0..count)
        .map(|n| {
            let mut a = activity(3);
            a.title = format!("先锋社区健康义诊 第{n}场，为长者测量血压、讲解用药");
            a.notes = "志愿者提前布置场地，现场发放宣传资料。".repeat(3);
            a
        })
        .collect();
    let stamp = crate::helpers::stamp(Uuid::now_v7(), 0);
    for chunk in activities.chunks(5_000) {
        app.db
            .insert_activities(chunk, "test", stamp)
            .await
            .unwrap();
    }
}

async fn pool(app: &TestApp) -> Value {
    let health: Value = app
        .client
        .get(format!("{}/api/health", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    health["pool"].clone()
}

/// A client that waits this long is taken for blocked: far above a login
/// or push on an idle test server, far below the 30 s after which a
/// starved request is answered 408.
const BLOCKED: Duration = Duration::from_secs(10);

#[tokio::test]
async fn ten_slow_export_downloads_hold_no_database_connection_and_block_nobody() {
    let app = spawn_app().await;
    // Some 12 MB of CSV: far more than the sockets' buffers hold.
    store_activities(&app, 30_000).await;
    let mut readers = Vec::new();
    for _ in 0..10 {
        let response = app
            .client
            .get(format!("{}/api/admin/export/activities.csv", app.address))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        // The body is not read: the download stalls.
        readers.push(response);
    }
    // Another user logs in and pushes as ever.
    let client = reqwest::Client::builder().timeout(BLOCKED).build().unwrap();
    let login = app.login_from(&client, "volunteer-test", PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    let push = client
        .post(format!("{}/api/sync/push", app.address))
        .bearer_auth(&app.volunteer_token)
        .json(&push_body(Uuid::now_v7(), &[(1, record(4))]))
        .send()
        .await
        .unwrap();
    assert_eq!(push.status(), StatusCode::OK);
    // The stalled downloads hold no long-read turn, and the pool is idle.
    let pool = pool(&app).await;
    assert_eq!(pool["long_reads_running"], 0, "{pool}");
    // And each download, read at last, is whole.
    let whole = readers.pop().unwrap().text().await.unwrap();
    assert_eq!(whole.lines().count(), 30_001);
}

#[tokio::test]
async fn twenty_pulls_at_once_from_one_account_take_no_more_than_its_turns() {
    let app = spawn_app().await;
    store_activities(&app, 2_000).await;
    let pulls: Vec<_> = (0..20)
        .map(|_| {
            let client = app.client.clone();
            let url = format!("{}/api/sync/pull", app.address);
            let token = app.volunteer_token.clone();
            tokio::spawn(async move {
                let response = client.get(url).bearer_auth(token).send().await.unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let page: Value = response.json().await.unwrap();
                page["changes"].as_array().unwrap().len()
            })
        })
        .collect();
    // While they run, the account never holds more than its turns.
    let mut most = 0;
    while !pulls.iter().all(|pull| pull.is_finished()) {
        let running = pool(&app).await["long_reads_running"].as_u64().unwrap();
        most = most.max(running);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        most <= tongxin_server::PULLS_PER_ACCOUNT as u64,
        "{most} long reads"
    );
    // And every pull got the whole page.
    for pull in pulls {
        assert_eq!(pull.await.unwrap(), 2_000);
    }
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://");
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // One header line every two seconds, never the blank line that ends
    // them: cut off after the header timeout, not held for ever.
    let limit = tongxin_server::serve::HEADER_READ_TIMEOUT + Duration::from_secs(6);
    let started = std::time::Instant::now();
    let mut n = 0;
    let closed = loop {
        n += 1;
        if slow
            .write_all(format!("X-Slow-{n}: y\r\n").as_bytes())
            .await
            .is_err()
        {
            break true;
        }
        let mut buffer = [0u8; 256];
        match tokio::time::timeout(Duration::from_secs(2), slow.read(&mut buffer)).await {
            Ok(Ok(0) | Err(_)) => break true,
            // hyper says why before it closes (408).
            Ok(Ok(_)) => break true,
            Err(_) if started.elapsed() > limit => break false,
            Err(_) => {}
        }
    };
    assert!(closed, "still open after {:?}", started.elapsed());
}

#[tokio::test]
async fn one_address_cannot_hold_every_connection() {
    let app = spawn_app().await;
    let address: std::net::SocketAddr = app.address.trim_start_matches("http://").parse().unwrap();
    let from = |ip: &str| {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(format!("{ip}:0").parse().unwrap()).unwrap();
        socket
    };
    // 127.0.0.3 opens its share of connections and sends nothing.
    let mut held = Vec::new();
    for _ in 0..tongxin_server::config::DEFAULT_CONNECTIONS_PER_ADDRESS {
        held.push(from("127.0.0.3").connect(address).await.unwrap());
    }
    // Its next one is closed at once, before any request.
    let mut extra = from("127.0.0.3").connect(address).await.unwrap();
    let _ = extra
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    let mut buffer = [0u8; 64];
    let read = tokio::time::timeout(BLOCKED, extra.read(&mut buffer))
        .await
        .expect("the extra connection is closed, not left hanging");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    // Anyone else is served.
    let other = crate::helpers::client_from("127.0.0.4");
    let login = app.login_from(&other, "volunteer-test", PASSWORD).await;
    assert_eq!(login.status(), StatusCode::OK);
    // When the first address lets go, it is served again.
    drop(held);
    let again = crate::helpers::client_from("127.0.0.3");
    let mut served = false;
    for _ in 0..50 {
        if let Ok(response) = again
            .get(format!("{}/api/health", app.address))
            .send()
            .await
        {
            served = response.status() == StatusCode::OK;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served);
}

#[tokio::test]
async fn headers_too_large_are_refused_in_json() {
    let app = spawn_app().await;
    let mut request = app
        .client
        .get(format!("{}/api/auth/me", app.address))
        .bearer_auth(&app.admin_token);
    for n in 0..150 {
        request = request.header(format!("x-extra-{n}"), "y");
    }
    let (status, error) = error_of(request.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    assert!(error.contains("headers are too large"), "{error}");
}
