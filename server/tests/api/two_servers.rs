//! Two `tongxin-server` processes on one database behave as one: devices
//! behind a balancer that sends each request to either of them push new
//! records and edit the same records at once, pull all the while, and end
//! up holding exactly what the database holds, every edit kept. Run on
//! SQLite (two processes on one file) and on PostgreSQL (the way the server
//! scales past one machine).

use std::{collections::HashMap, sync::Arc};

use serde_json::Value;
use tongxin_shared::{PeopleServed, hlc::HlcClock, merge::ActivityRecord, wire::Wired};
use uuid::Uuid;

use crate::helpers::{ServerProcess, activity, push_body, spawn_app};

const DEVICES: usize = 6;
const ROUNDS: usize = 12;
const NEW_PER_ROUND: usize = 5;

/// A phone: its clock, its outbox sequence, its cursor and what it holds.
struct Device {
    id: Uuid,
    clock: HlcClock,
    seq: u64,
    cursor: String,
    held: HashMap<Uuid, ActivityRecord>,
}

impl Device {
    fn now(&mut self) -> tongxin_shared::hlc::Hlc {
        self.clock
            .stamp(chrono::Utc::now().timestamp_millis() as u64)
    }

    /// Pulls from `server` until it has nothing more, merging every change.
    async fn pull(&mut self, client: &reqwest::Client, server: &str, token: &str) {
        loop {
            let page: Value = client
                .get(format!(
                    "{server}/api/sync/pull?cursor={}&limit=23",
                    self.cursor
                ))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap();
            for change in page["changes"].as_array().unwrap() {
                let pulled =
                    ActivityRecord::from_wire(serde_json::from_value(change.clone()).unwrap())
                        .unwrap();
                match self.held.get_mut(&pulled.id) {
                    Some(held) => held.merge(&pulled),
                    None => {
                        self.held.insert(pulled.id, pulled);
                    }
                }
            }
            self.cursor = page["cursor"].as_str().unwrap().to_owned();
            if !page["more"].as_bool().unwrap() {
                return;
            }
        }
    }
}

/// The field device `d` edits on the record every device edits.
fn edit_shared(record: &ActivityRecord, device: usize, round: usize) -> tongxin_shared::Activity {
    let mut edited = record.activity();
    let value = format!("设备{device}第{round}轮");
    match device {
        0 => edited.title = value,
        1 => edited.notes = value,
        2 => edited.organising_group = value,
        3 => edited.volunteers = (100 + round) as u32,
        4 => edited.people_served = PeopleServed::try_from(1_000 + round as i64).unwrap(),
        _ => edited.time = chrono::NaiveTime::from_hms_opt(8, round as u32, 0),
    }
    edited
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_on_one_database_converge() {
    let app = spawn_app().await;
    let servers = Arc::new([
        ServerProcess::start(&app.database.url),
        ServerProcess::start(&app.database.url),
    ]);
    let token = Arc::new(app.volunteer_token.clone());
    let client = reqwest::Client::new();

    // The record every device edits (each its own field), created through
    // the first server.
    let mut first = HlcClock::new(Uuid::now_v7());
    let shared = ActivityRecord::new(
        &activity(10),
        first.stamp(chrono::Utc::now().timestamp_millis() as u64),
    );
    let response = client
        .post(format!("{}/api/sync/push", servers[0].address))
        .bearer_auth(token.as_str())
        .json(&push_body(
            Uuid::now_v7(),
            &[(1, serde_json::to_value(&shared).unwrap())],
        ))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());

    let mut tasks = Vec::new();
    for d in 0..DEVICES {
        let (servers, token, client) = (servers.clone(), token.clone(), client.clone());
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let id = Uuid::now_v7();
            let mut device = Device {
                id,
                clock: HlcClock::new(id),
                seq: 0,
                cursor: String::new(),
                held: HashMap::new(),
            };
            device.held.insert(shared.id, shared.clone());
            let mut created = Vec::new();
            for round in 0..ROUNDS {
                // As a balancer would: this round's push to one server, its
                // pull from the other.
                let (push_to, pull_from) =
                    (&servers[(d + round) % 2], &servers[(d + round + 1) % 2]);
                let mut mutations = Vec::new();
                for _ in 0..NEW_PER_ROUND {
                    let stamp = device.now();
                    let record = ActivityRecord::new(&activity(1), stamp);
                    created.push(record.id);
                    device.held.insert(record.id, record.clone());
                    device.seq += 1;
                    mutations.push((device.seq, serde_json::to_value(&record).unwrap()));
                }
                let stamp = device.now();
                let held = device.held.get_mut(&shared.id).unwrap();
                held.edit(&edit_shared(held, d, round), stamp);
                device.seq += 1;
                mutations.push((device.seq, serde_json::to_value(&*held).unwrap()));
                let response = client
                    .post(format!("{}/api/sync/push", push_to.address))
                    .bearer_auth(token.as_str())
                    .json(&push_body(device.id, &mutations))
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success(), "push {}", response.status());
                let answer: Value = response.json().await.unwrap();
                assert!(
                    answer["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .all(|r| r["outcome"] == "accepted"),
                    "{answer}"
                );
                device.pull(&client, &pull_from.address, &token).await;
            }
            (device, created)
        }));
    }
    let mut devices = Vec::new();
    let mut created = Vec::new();
    for task in tasks {
        let (device, ids) = task.await.unwrap();
        devices.push(device);
        created.extend(ids);
    }

    // Once every push is answered, one more pull from either server brings
    // every device to the same state: what a fresh device pulls from
    // scratch.
    let mut fresh = Device {
        id: Uuid::now_v7(),
        clock: HlcClock::new(Uuid::now_v7()),
        seq: 0,
        cursor: String::new(),
        held: HashMap::new(),
    };
    fresh.pull(&client, &servers[1].address, &token).await;
    assert_eq!(fresh.held.len(), DEVICES * ROUNDS * NEW_PER_ROUND + 1);
    for id in &created {
        assert!(fresh.held.contains_key(id), "record {id} was lost");
    }
    for (d, device) in devices.iter_mut().enumerate() {
        device.pull(&client, &servers[d % 2].address, &token).await;
        assert!(
            device.held == fresh.held,
            "device {d} holds something other than the server"
        );
    }

    // Every device's last edit of its own field survived the others'.
    let last = ROUNDS - 1;
    let merged = fresh.held[&shared.id].activity();
    assert_eq!(merged.title, format!("设备0第{last}轮"));
    assert_eq!(merged.notes, format!("设备1第{last}轮"));
    assert_eq!(merged.organising_group, format!("设备2第{last}轮"));
    assert_eq!(merged.volunteers, (100 + last) as u32);
    assert_eq!(merged.people_served.get(), (1_000 + last) as u32);
    assert_eq!(
        merged.time,
        chrono::NaiveTime::from_hms_opt(8, last as u32, 0)
    );

    // Both servers report the same figures, counted once.
    for server in servers.iter() {
        let summary: Value = client
            .get(format!("{}/api/admin/summary", server.address))
            .bearer_auth(&app.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(summary["activities"], created.len() + 1, "{summary}");
    }
}
