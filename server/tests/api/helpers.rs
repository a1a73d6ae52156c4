use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tongxin_server::{
    AppState, auth,
    db::{Db, NewUser},
    demo,
    photos::PhotoStore,
};
use tongxin_shared::{
    Activity, Category, PeopleServed,
    account::Role,
    hlc::{Hlc, HlcClock},
    merge::ActivityRecord,
    wire::Wired,
};
use uuid::Uuid;

/// Every test account's password.
pub const PASSWORD: &str = "test-password";

/// The stations of the test volunteer, who pushes and pulls by default.
pub const VOLUNTEER_STATIONS: [&str; 2] = ["st-xianfeng", "st-shangrong"];

/// A server on a free port with its own database, the demo stations, a
/// logged-in volunteer (who sends every request unless told otherwise) and
/// a logged-in admin.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub volunteer_token: String,
    pub admin_token: String,
    pub database: TestDatabase,
    /// Where the server keeps photos: a folder of the test's own, or, with
    /// `TONGXIN_TEST_S3` (the URL of an S3-compatible server, which
    /// `cargo xtask test` starts), a bucket of the test's own there.
    pub photos: PhotoStore,
}

/// A database of the test's own, on the backend the run is for: a SQLite
/// file (the default), or, with `TONGXIN_TEST_BACKEND=postgres`, a new
/// database on the PostgreSQL server at `TONGXIN_TEST_POSTGRES_URL` (both
/// set by `cargo xtask test`), dropped when the test ends.
pub struct TestDatabase {
    pub url: String,
    folder: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// The folder the test's server keeps photos in.
    pub fn photos_dir(&self) -> std::path::PathBuf {
        self.folder.path().join("photos")
    }

    pub async fn create() -> TestDatabase {
        let folder = tempfile::tempdir().unwrap();
        match std::env::var("TONGXIN_TEST_BACKEND").as_deref() {
            Err(_) | Ok("sqlite") => TestDatabase {
                url: format!("sqlite://{}", folder.path().join("test.sqlite").display()),
                folder,
                postgres: None,
            },
            Ok("postgres") => {
                let server = std::env::var("TONGXIN_TEST_POSTGRES_URL").expect(
                    "TONGXIN_TEST_BACKEND=postgres needs TONGXIN_TEST_POSTGRES_URL, the URL of \
                     a PostgreSQL server the tests may create databases on (`cargo xtask test` \
                     starts one and sets both)",
                );
                let name = format!("tongxin_test_{}", Uuid::new_v4().simple());
                let mut admin = postgres_admin(&server).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let mut url = url::Url::parse(&server).unwrap();
                url.set_path(&name);
                TestDatabase {
                    url: url.to_string(),
                    folder,
                    postgres: Some((server, name)),
                }
            }
            Ok(other) => panic!("TONGXIN_TEST_BACKEND is sqlite or postgres, not {other:?}"),
        }
    }
}

async fn postgres_admin(server: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(server)
        .await
        .unwrap_or_else(|error| panic!("cannot reach PostgreSQL at {server}: {error}"))
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which may be single-threaded:
        // the database is dropped from a thread with a runtime of its own.
        // FORCE closes the connections the test's servers still hold.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async {
                    let mut admin = postgres_admin(&server).await;
                    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .execute(&mut admin)
                        .await
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) && !std::thread::panicking() {
            panic!("could not drop the test database: {dropped:?}");
        }
    }
}

/// The bucket the tests keep photos in on an S3-compatible server, each
/// test under a prefix of its own.
pub const TEST_BUCKET: &str = "tongxin-tests";

/// The test's photo store: a folder, or a prefix of its own in
/// [`TEST_BUCKET`] on the S3-compatible server `TONGXIN_TEST_S3` names
/// (its access checks off: any key signs), which `cargo xtask test`
/// starts with the bucket made.
async fn photo_store(database: &TestDatabase) -> PhotoStore {
    match std::env::var("TONGXIN_TEST_S3") {
        Ok(endpoint) if !endpoint.is_empty() => {
            let prefix = format!("test-{}", Uuid::new_v4().simple());
            PhotoStore::s3(&endpoint, TEST_BUCKET, &prefix, ("tongxin", "tongxin")).unwrap()
        }
        _ => PhotoStore::folder(&database.photos_dir()).unwrap(),
    }
}

pub async fn spawn_app() -> TestApp {
    let database = TestDatabase::create().await;
    let db = Db::open(&database.url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let photos = photo_store(&database).await;
    let address = tongxin_server::spawn_on_loopback(AppState::new(db.clone(), photos.clone()))
        .await
        .unwrap();
    let mut app = TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        volunteer_token: String::new(),
        admin_token: String::new(),
        database,
        photos,
    };
    app.volunteer_token = app
        .add_user("volunteer-test", Role::Volunteer, &VOLUNTEER_STATIONS)
        .await;
    app.admin_token = app.add_user("admin-test", Role::Admin, &[]).await;
    app
}

/// A valid activity with a fresh id.
/// A client whose connections come from another loopback address
/// (`127.0.0.2`, say): another person, as the server sees it.
pub fn client_from(address: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(address.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

pub fn activity(people_served: i64) -> Activity {
    Activity {
        id: Uuid::now_v7(),
        category: Category::HEALTH_CLINIC,
        title: "先锋社区健康义诊".into(),
        station_id: "st-xianfeng".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        volunteers: 5,
        people_served: PeopleServed::try_from(people_served).unwrap(),
        notes: String::new(),
        time: chrono::NaiveTime::from_hms_opt(9, 30, 0),
        organising_group: "同心律师服务团".into(),
    }
}

/// A stamp from a test device's clock, `offset_ms` from now.
pub fn stamp(device: Uuid, offset_ms: i64) -> Hlc {
    let now = chrono::Utc::now().timestamp_millis() + offset_ms;
    HlcClock::new(device).stamp(now as u64)
}

/// A newly recorded activity as a device pushes it, as JSON.
pub fn record(people_served: i64) -> Value {
    let stamp = stamp(Uuid::now_v7(), 0);
    serde_json::to_value(ActivityRecord::new(&activity(people_served), stamp)).unwrap()
}

/// An activity's full JSON (every field with its stamp, as the device
/// keeps it) in its wire form. JSON that is not a record is left as it is,
/// for the tests of bad input.
pub fn to_wire(record: &Value) -> Value {
    match serde_json::from_value::<ActivityRecord>(record.clone()) {
        Ok(record) => serde_json::to_value(record.to_wire()).unwrap(),
        Err(_) => record.clone(),
    }
}

/// A pulled activity's wire form as its full JSON, every field with its
/// stamp: what the tests compare.
pub fn from_wire(change: &Value) -> Value {
    let wire = serde_json::from_value(change.clone()).unwrap();
    serde_json::to_value(ActivityRecord::from_wire(wire).unwrap()).unwrap()
}

/// A push of activities given in their full JSON, sent in their wire form.
pub fn push_body(device_id: Uuid, mutations: &[(u64, Value)]) -> Value {
    json!({
        "protocol": tongxin_shared::sync::PROTOCOL_VERSION,
        "device_id": device_id,
        "mutations": mutations
            .iter()
            .map(|(seq, record)| json!({ "seq": seq, "change": { "type": "put_activity", "record": to_wire(record) } }))
            .collect::<Vec<_>>(),
    })
}

impl TestApp {
    /// Makes an account (as `tongxin-server user add` does) and logs it in
    /// over HTTP; returns its token.
    pub async fn add_user(&self, username: &str, role: Role, stations: &[&str]) -> String {
        self.db
            .create_user(&NewUser {
                username: username.into(),
                display_name: username.into(),
                role,
                password_hash: auth::hash_password(PASSWORD).unwrap(),
                stations: stations.iter().map(|s| (*s).to_owned()).collect(),
            })
            .await
            .unwrap();
        let response = self.login(username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "login {username}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.login_from(&self.client, username, password).await
    }

    /// A login through `client`, which may come from another address
    /// ([`client_from`]).
    pub async fn login_from(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> Response {
        client
            .post(format!("{}/api/auth/login", self.address))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// A push as the test volunteer.
    pub async fn push_raw(&self, body: impl Into<reqwest::Body>) -> Response {
        self.push_raw_as(&self.volunteer_token, body).await
    }

    pub async fn push_as(&self, token: &str, body: &Value) -> Response {
        self.push_raw_as(token, serde_json::to_vec(body).unwrap())
            .await
    }

    pub async fn push_raw_as(&self, token: &str, body: impl Into<reqwest::Body>) -> Response {
        self.client
            .post(format!("{}/api/sync/push", self.address))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn push(&self, body: &Value) -> Response {
        self.push_raw(serde_json::to_vec(body).unwrap()).await
    }

    /// The admin gives the test volunteer these stations, as the manage
    /// page does.
    pub async fn set_volunteer_stations(&self, stations: &[&str]) {
        let changed = self
            .client
            .patch(format!("{}/api/admin/users/volunteer-test", self.address))
            .bearer_auth(&self.admin_token)
            .json(&json!({ "stations": stations }))
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), StatusCode::OK);
    }

    /// A push as the test volunteer that must be answered 200; its answer.
    pub async fn push_answer(&self, body: &Value) -> Value {
        let response = self.push(body).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// A GET as the test volunteer that must succeed.
    pub async fn get(&self, path: &str) -> Value {
        self.get_as(&self.volunteer_token, path).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Value {
        let response = self.get_raw(Some(token), path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn get_raw(&self, token: Option<&str>, path: &str) -> Response {
        let mut request = self.client.get(format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    /// Every activity the test volunteer may see, pulled from the start.
    pub async fn pull_all(&self) -> Vec<Value> {
        self.pull_all_as(&self.volunteer_token).await
    }

    pub async fn pull_all_as(&self, token: &str) -> Vec<Value> {
        let mut cursor = String::new();
        let mut all = Vec::new();
        loop {
            let page = self
                .get_as(token, &format!("/api/sync/pull?cursor={cursor}"))
                .await;
            all.extend(page["changes"].as_array().unwrap().iter().map(from_wire));
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["more"].as_bool().unwrap() {
                return all;
            }
        }
    }

    /// The admin's headline figures.
    pub async fn summary(&self) -> Value {
        self.get_as(&self.admin_token, "/api/admin/summary").await
    }
}

/// Pushes as `token` and takes the answer: each mutation's outcome,
/// "accepted" or "field:rule" of the first reason it was refused.
pub async fn outcomes(app: &TestApp, token: &str, body: &Value) -> Vec<String> {
    let response = app.push_as(token, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| match result["outcome"].as_str().unwrap() {
            "accepted" => "accepted".to_owned(),
            _ => format!(
                "{}:{}",
                result["errors"][0]["field"].as_str().unwrap(),
                result["errors"][0]["rule"]["code"].as_str().unwrap()
            ),
        })
        .collect()
}

/// The status and the `error` text of a refused request.
pub async fn error_of(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("error bodies are JSON");
    let error = body["error"].as_str().expect("an error field").to_owned();
    (status, error)
}

/// A server process on a port of its own, killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    pub fn start(database_url: &str) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tongxin-server"))
            .args(["--listen", "127.0.0.1:0", "--database-url", database_url])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start tongxin-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("tongxin-server listening on ")
            .unwrap_or_else(|| panic!("server did not start: {line:?}"))
            .to_owned();
        ServerProcess { child, address }
    }
}

impl ServerProcess {
    /// SIGKILL: no clean shutdown, as when a machine loses power.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
