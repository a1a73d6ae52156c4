use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tongxin_server::{AppState, db::Db, demo};
use tongxin_shared::{
    Activity, Category, PeopleServed,
    hlc::{Hlc, HlcClock},
    merge::ActivityRecord,
};
use uuid::Uuid;

pub const USER: &str = "volunteer-test";

/// A server on a free port with its own database and the demo stations.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    _data: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", data.path().join("test.sqlite").display());
    let db = Db::open(&url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let address = tongxin_server::spawn_on_loopback(AppState::new(db))
        .await
        .unwrap();
    TestApp {
        address,
        client: reqwest::Client::new(),
        _data: data,
    }
}

/// A valid activity with a fresh id.
pub fn activity(people_served: i64) -> Activity {
    Activity {
        id: Uuid::now_v7(),
        category: Category::HealthClinic,
        title: "先锋社区健康义诊".into(),
        station_id: "st-xianfeng".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        volunteers: 5,
        people_served: PeopleServed::try_from(people_served).unwrap(),
        notes: String::new(),
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

pub fn push_body(device_id: Uuid, mutations: &[(u64, Value)]) -> Value {
    json!({
        "protocol": 1,
        "device_id": device_id,
        "mutations": mutations
            .iter()
            .map(|(seq, record)| json!({ "seq": seq, "change": { "type": "put_activity", "record": record } }))
            .collect::<Vec<_>>(),
    })
}

impl TestApp {
    pub async fn push_raw(&self, body: impl Into<reqwest::Body>) -> Response {
        self.client
            .post(format!("{}/api/sync/push", self.address))
            .header("x-tongxin-user", USER)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn push(&self, body: &Value) -> Response {
        self.push_raw(serde_json::to_vec(body).unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .header("x-tongxin-user", USER)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    /// Every activity the server holds, pulled from the start.
    pub async fn pull_all(&self) -> Vec<Value> {
        let mut cursor = String::new();
        let mut all = Vec::new();
        loop {
            let page = self.get(&format!("/api/sync/pull?cursor={cursor}")).await;
            all.extend(page["changes"].as_array().unwrap().iter().cloned());
            cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["more"].as_bool().unwrap() {
                return all;
            }
        }
    }

    pub async fn summary(&self) -> Value {
        self.get("/api/admin/summary").await
    }
}

/// The status and the `error` text of a refused request.
pub async fn error_of(response: Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("error bodies are JSON");
    let error = body["error"].as_str().expect("an error field").to_owned();
    (status, error)
}
