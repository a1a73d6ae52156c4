//! A seeded, randomized run of many phones against real server processes,
//! with the faults the field brings: servers killed in the middle of a
//! push, answers lost, pushes sent twice or out of order, pulls abandoned
//! half way, clocks up to 30 days off that jump, stations taken from
//! volunteers and records moved between stations by an admin; volunteers
//! submit and retitle proposals while two admin desks take steps on them
//! offline (a retitle after the take-up, a step after a close: refused,
//! and shown on the phone); phones add photos to the activities they
//! hold and remove them, while the activities move. Phones are
//! the in-memory model of the app (`device.rs`); on SQLite one server
//! process is killed and restarted, on PostgreSQL two processes share the
//! database and every request goes to either.
//!
//! Every field of every record has one writer after its creation (the
//! creator, one phone per field, the admin for the station), so what each
//! field must end as is known: the last value its writer gave it, unless
//! the server refused that change and the writer's phone shows why. After
//! the faults stop and every phone has synced, the run counts fields lost,
//! records doubled or invented, phones that differ from the server, and
//! 5xx answers; all must be 0.
//!
//! `cargo xtask test` runs a few seeds for a few seconds each;
//! `cargo xtask chaos --seeds N --minutes M` runs more. A failing seed
//! prints the line that replays it (`cargo xtask chaos --seed S --steps
//! N`: the same steps in the same order; only how a kill falls within a
//! push depends on timing).

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde_json::json;
use tongxin_server::{
    db::{Db, NewUser},
    demo,
};
use tongxin_shared::{
    Activity, Category, PeopleServed,
    account::Role,
    merge::{ActivityRecord, StampedRecord},
    photo::{Photo, PhotoRecord},
    proposal::{
        Progress, Proposal, ProposalItem, ProposalRecord, ProposalState, ProposalStep, StepKind,
        StepRecord,
    },
    sync::PullResponse,
};
use uuid::Uuid;

use crate::{
    device::{Device, Failed, send},
    helpers::{PASSWORD, ServerProcess, TestDatabase},
};

const DAY_MS: i64 = 24 * 3_600 * 1_000;
const STATIONS: [&str; 3] = ["st-xianfeng", "st-shangrong", "st-dazhi"];

/// What one seed's run saw.
#[derive(Debug, Default)]
struct Figures {
    seed: u64,
    steps: usize,
    devices: usize,
    mutations: usize,
    /// Of the mutations, those of proposals and their steps.
    proposal_mutations: usize,
    /// Of the mutations, photos added or removed.
    photo_mutations: usize,
    faults: usize,
    kills: usize,
    refused: usize,
    fields_lost: usize,
    records_doubled: usize,
    records_invented: usize,
    devices_diverged: usize,
    server_errors: usize,
    details: Vec<String>,
}

impl Figures {
    fn clean(&self) -> bool {
        self.fields_lost
            + self.records_doubled
            + self.records_invented
            + self.devices_diverged
            + self.server_errors
            == 0
    }
}

/// The fields a phone may own; the creator owns `deleted`, the admin the
/// station.
const FIELDS: [&str; 5] = [
    "title",
    "notes",
    "organising_group",
    "volunteers",
    "people_served",
];

fn set_field(activity: &mut Activity, field: &str, n: u32) {
    match field {
        "title" => activity.title = format!("标题{n}"),
        "notes" => activity.notes = format!("备注{n}"),
        "organising_group" => activity.organising_group = format!("小组{n}"),
        "volunteers" => activity.volunteers = n % 500,
        "people_served" => {
            activity.people_served = PeopleServed::try_from(i64::from(n % 5_000)).unwrap()
        }
        "station_id" => activity.station_id = STATIONS[n as usize % STATIONS.len()].to_owned(),
        other => panic!("no field {other}"),
    }
}

fn field_value(record: &ActivityRecord, field: &str) -> String {
    match field {
        "title" => record.title.value.clone(),
        "notes" => record.notes.value.clone(),
        "organising_group" => record.organising_group.value.clone(),
        "volunteers" => record.volunteers.value.to_string(),
        "people_served" => record.people_served.value.get().to_string(),
        "station_id" => record.station_id.value.clone(),
        "deleted" => record.deleted.value.to_string(),
        other => panic!("no field {other}"),
    }
}

/// A phone in the run: the model and whose user it is.
struct Phone {
    device: Device,
    user: usize,
}

/// The one phone that edits `field` of record `id` after its creation, so
/// which value must survive is known whatever the clocks say.
fn owner(id: Uuid, field: &str, phones: usize) -> usize {
    let index = FIELDS.iter().position(|f| *f == field).unwrap();
    ((id.as_u128() >> 64) as usize + index * 7) % phones
}

/// The users: three volunteers with stations, one admin.
struct User {
    name: String,
    token: String,
    stations: Vec<String>,
}

/// The servers: restarted when killed.
struct Servers {
    url: String,
    running: Vec<ServerProcess>,
}

impl Servers {
    fn pick(&self, rng: &mut StdRng) -> (usize, String) {
        let i = rng.random_range(0..self.running.len());
        (i, self.running[i].address.clone())
    }

    fn restart(&mut self, i: usize) {
        self.running[i] = ServerProcess::start(&self.url);
    }
}

/// Every write whose result is known: (record, field) → the writer's
/// phone and the value.
type Expected = HashMap<(Uuid, &'static str), (usize, String)>;

/// Every proposal and step written: id → the writer's phone and its text
/// (a proposal's title, a step's text). Each has one writer: its creator.
type ExpectedProposals = HashMap<Uuid, (usize, String)>;

/// Every photo reference written: id → the writer's phone and whether it
/// left it removed.
type ExpectedPhotos = HashMap<Uuid, (usize, bool)>;

/// How long a run goes on: for a time (the usual), or for as many steps
/// as a run to replay made.
#[derive(Clone, Copy)]
enum Budget {
    Time(Duration),
    Steps(usize),
}

async fn run_seed(seed: u64, budget: Budget, servers_count: usize) -> Figures {
    let mut rng = StdRng::seed_from_u64(seed);
    let database = TestDatabase::create().await;
    let db = Db::open(&database.url).await.unwrap();
    db.insert_stations(&demo::stations()).await.unwrap();
    let mut servers = Servers {
        url: database.url.clone(),
        running: (0..servers_count)
            .map(|_| ServerProcess::start(&database.url))
            .collect(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut figures = Figures {
        seed,
        ..Figures::default()
    };

    let mut users = Vec::new();
    for (name, role, stations) in [
        ("v1", Role::Volunteer, vec!["st-xianfeng", "st-shangrong"]),
        ("v2", Role::Volunteer, vec!["st-shangrong"]),
        ("v3", Role::Volunteer, vec!["st-dazhi", "st-xianfeng"]),
        ("admin", Role::Admin, vec![]),
    ] {
        db.create_user(&NewUser {
            username: name.into(),
            display_name: name.into(),
            role,
            password_hash: tongxin_server::auth::hash_password(PASSWORD).unwrap(),
            stations: stations.iter().map(|s| (*s).to_owned()).collect(),
        })
        .await
        .unwrap();
        let body: serde_json::Value = client
            .post(format!("{}/api/auth/login", servers.running[0].address))
            .json(&json!({ "username": name, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        users.push(User {
            name: name.into(),
            token: body["token"].as_str().unwrap().to_owned(),
            stations: stations.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    let admin = users.len() - 1;

    // 12 to 24 phones; the first two are the admin's (two desks acting
    // on one proposal offline), the others volunteers'.
    let count = rng.random_range(12..=24);
    let mut phones: Vec<Phone> = Vec::new();
    for i in 0..count {
        let user = if i < 2 {
            admin
        } else {
            rng.random_range(0..admin)
        };
        phones.push(Phone {
            device: Device::new(&users[user].token, skew(&mut rng)),
            user,
        });
    }
    figures.devices = count;

    let mut expected: Expected = HashMap::new();
    let mut created: HashSet<Uuid> = HashSet::new();
    let mut proposals_written: ExpectedProposals = HashMap::new();
    let mut photos_written: ExpectedPhotos = HashMap::new();
    let mut counter = 0u32;
    let started = Instant::now();
    while match budget {
        Budget::Time(run_for) => started.elapsed() < run_for,
        Budget::Steps(steps) => figures.steps < steps,
    } {
        figures.steps += 1;
        let p = rng.random_range(0..phones.len());
        match rng.random_range(0..100) {
            // Record something new at one of the user's stations (as the
            // phone last knew them).
            0..=19 if phones[p].user != admin => {
                counter += 1;
                let phone = &mut phones[p];
                let station = users[phone.user].stations.choose(&mut rng).cloned();
                let Some(station) = station else { continue };
                let activity = new_activity(&mut rng, &station, counter);
                phone.device.save(&activity);
                created.insert(activity.id);
                let record = &phone.device.records[&activity.id];
                for field in FIELDS.into_iter().chain(["station_id", "deleted"]) {
                    expected.insert((activity.id, field), (p, field_value(record, field)));
                }
                figures.mutations += 1;
            }
            // Edit a field the phone owns on a record it holds; the
            // admin's phone also moves records between stations.
            20..=49 => {
                let count = phones.len();
                let phone = &mut phones[p];
                let ids: Vec<Uuid> = phone.device.records.keys().copied().collect();
                let Some(id) = ids.choose(&mut rng).copied() else {
                    continue;
                };
                let mut owned: Vec<&'static str> = FIELDS
                    .into_iter()
                    .filter(|field| owner(id, field, count) == p)
                    .collect();
                // One admin desk moves records: one writer per field.
                if p == 0 {
                    owned.push("station_id");
                }
                let Some(field) = owned.choose(&mut rng).copied() else {
                    continue;
                };
                counter += 1;
                let mut activity = phone.device.records[&id].activity();
                set_field(&mut activity, field, counter);
                // Now and then the notes' writer types text nobody can
                // store: refused, and shown on its phone. Only their one
                // writer, so which value must survive stays known (a
                // second writer's edit may win by its stamp, rightly).
                if field == "notes" && rng.random_ratio(1, 10) {
                    activity.notes = "坏\0字".into();
                }
                phone.device.save(&activity);
                let record = &phone.device.records[&id];
                expected.insert((id, field), (p, field_value(record, field)));
                figures.mutations += 1;
            }
            // The creator deletes or brings back what it recorded.
            50..=54 => {
                let phone = &mut phones[p];
                let mine: Vec<Uuid> = expected
                    .iter()
                    .filter(|((_, f), (writer, _))| *f == "deleted" && *writer == p)
                    .map(|((id, _), _)| *id)
                    .filter(|id| phone.device.records.contains_key(id))
                    .collect();
                let Some(id) = mine.choose(&mut rng).copied() else {
                    continue;
                };
                let deleted = !phone.device.records[&id].is_deleted();
                phone.device.set_deleted(id, deleted);
                expected.insert((id, "deleted"), (p, deleted.to_string()));
                figures.mutations += 1;
            }
            // The phone's clock jumps: up to 30 days either way, or right.
            55..=58 => phones[p].device.skew_ms = skew(&mut rng),
            // The admin gives a volunteer other stations.
            59 => {
                let user = rng.random_range(0..admin);
                let mut stations: Vec<String> = STATIONS
                    .iter()
                    .filter(|_| rng.random_bool(0.6))
                    .map(|s| (*s).to_owned())
                    .collect();
                if stations.is_empty() {
                    stations.push(STATIONS[user % STATIONS.len()].to_owned());
                }
                let (_, server) = servers.pick(&mut rng);
                let changed = client
                    .patch(format!("{server}/api/admin/users/{}", users[user].name))
                    .bearer_auth(&users[admin].token)
                    .json(&json!({ "stations": stations }))
                    .send()
                    .await;
                if let Ok(response) = changed {
                    if response.status().is_server_error() {
                        figures.server_errors += 1;
                    }
                    if response.status().is_success() {
                        users[user].stations = stations;
                    }
                }
            }
            // A volunteer submits a proposal, or retitles one of their own
            // (refused once it is taken up, and shown on the phone).
            60..=63 if phones[p].user != admin => {
                counter += 1;
                let name = users[phones[p].user].name.clone();
                let phone = &mut phones[p];
                let own: Vec<Uuid> = proposals_written
                    .iter()
                    .filter(|(id, (writer, _))| {
                        *writer == p
                            && matches!(
                                phone.device.proposals.get(id),
                                Some(ProposalItem::Proposal(_))
                            )
                    })
                    .map(|(id, _)| *id)
                    .collect();
                let title = format!("建言{counter}");
                match own
                    .choose(&mut rng)
                    .copied()
                    .filter(|_| rng.random_bool(0.3))
                {
                    Some(id) => {
                        phone.device.save_proposal(id, |held, stamp| {
                            let Some(ProposalItem::Proposal(record)) = held else {
                                unreachable!("chosen among the phone's proposals")
                            };
                            let mut record = record.clone();
                            let proposal = Proposal {
                                title: title.clone(),
                                ..record.proposal()
                            };
                            record.edit(&proposal, stamp);
                            ProposalItem::Proposal(record)
                        });
                        proposals_written.insert(id, (p, title));
                    }
                    None => {
                        let proposal = new_proposal(&name, &title);
                        created.insert(proposal.id);
                        phone.device.save_proposal(proposal.id, |_, stamp| {
                            ProposalItem::Proposal(ProposalRecord::new(&proposal, stamp))
                        });
                        proposals_written.insert(proposal.id, (p, title));
                    }
                }
                figures.mutations += 1;
                figures.proposal_mutations += 1;
            }
            // An admin's desk takes the next step on a proposal it holds,
            // as far as it knows the proposal's life.
            64..=69 => {
                counter += 1;
                let p = rng.random_range(0..2);
                let phone = &mut phones[p];
                let held: Vec<Uuid> = phone
                    .device
                    .proposals
                    .values()
                    .filter_map(|item| match item {
                        ProposalItem::Proposal(r) if !r.is_deleted() => Some(r.id),
                        _ => None,
                    })
                    .collect();
                let Some(proposal) = held.choose(&mut rng).copied() else {
                    continue;
                };
                let steps: Vec<ProposalStep> = phone
                    .device
                    .proposals
                    .values()
                    .filter_map(|item| match item {
                        ProposalItem::Step(s)
                            if s.proposal_id.value == proposal && !s.is_deleted() =>
                        {
                            Some(s.step())
                        }
                        _ => None,
                    })
                    .collect();
                let kind = match Progress::of(&steps).state {
                    ProposalState::Submitted if rng.random_ratio(1, 10) => StepKind::Declined,
                    ProposalState::Submitted => StepKind::TakenUp,
                    ProposalState::TakenUp | ProposalState::InProgress => {
                        *[StepKind::Measure, StepKind::Measure, StepKind::Feedback]
                            .choose(&mut rng)
                            .unwrap()
                    }
                    ProposalState::FeedbackGiven => *[StepKind::Measure, StepKind::Closed]
                        .choose(&mut rng)
                        .unwrap(),
                    ProposalState::Closed | ProposalState::Declined => continue,
                };
                let step = new_step(proposal, kind, counter);
                phone.device.save_proposal(step.id, |_, stamp| {
                    ProposalItem::Step(StepRecord::new(&step, stamp))
                });
                created.insert(step.id);
                proposals_written.insert(step.id, (p, step.text.clone()));
                figures.mutations += 1;
                figures.proposal_mutations += 1;
            }
            // A phone adds a photo to an activity it holds, or removes one
            // it added (each photo has one writer: the phone that took it).
            70..=73 => {
                counter += 1;
                let phone = &mut phones[p];
                let mine: Vec<Uuid> = photos_written
                    .iter()
                    .filter(|(id, (writer, _))| {
                        *writer == p && phone.device.photos.contains_key(id)
                    })
                    .map(|(id, _)| *id)
                    .collect();
                match mine
                    .choose(&mut rng)
                    .copied()
                    .filter(|_| rng.random_bool(0.3))
                {
                    Some(id) => {
                        let deleted = !phone.device.photos[&id].is_deleted();
                        phone.device.save_photo(id, |held, stamp| {
                            let mut record = held.expect("one of the phone's photos").clone();
                            record.set_deleted(deleted, stamp);
                            record
                        });
                        photos_written.insert(id, (p, deleted));
                    }
                    None => {
                        let live: Vec<Uuid> = phone
                            .device
                            .records
                            .values()
                            .filter(|r| !r.is_deleted())
                            .map(|r| r.id)
                            .collect();
                        let Some(activity_id) = live.choose(&mut rng).copied() else {
                            continue;
                        };
                        let photo = Photo {
                            id: Uuid::now_v7(),
                            activity_id,
                            hash: format!("{counter:064x}"),
                            bytes: 1_000 + counter,
                        };
                        phone
                            .device
                            .save_photo(photo.id, |_, stamp| PhotoRecord::new(&photo, stamp));
                        created.insert(photo.id);
                        photos_written.insert(photo.id, (p, false));
                    }
                }
                figures.mutations += 1;
                figures.photo_mutations += 1;
            }
            // Sync, with or without a fault.
            _ => {
                let fault = rng.random_range(0..10);
                if fault > 0 {
                    figures.faults += 1;
                }
                let result = match fault {
                    1 => lose_push_answer(&mut phones[p].device, &client, &servers, &mut rng).await,
                    2 => push_twice(&mut phones[p].device, &client, &servers, &mut rng).await,
                    3 => {
                        push_out_of_order(&mut phones[p].device, &client, &servers, &mut rng).await
                    }
                    4 => {
                        figures.kills += 1;
                        kill_mid_push(&mut phones[p].device, &client, &mut servers, &mut rng).await
                    }
                    5 => {
                        // An abandoned pull: one small page, then gone.
                        let (_, server) = servers.pick(&mut rng);
                        let limit = rng.random_range(1..20);
                        phones[p]
                            .device
                            .pull_once(&client, &server, limit)
                            .await
                            .map(|_| ())
                    }
                    6 => lose_pull_answer(&phones[p].device, &client, &servers, &mut rng).await,
                    _ => {
                        let (_, server) = servers.pick(&mut rng);
                        phones[p].device.sync(&client, &server).await
                    }
                };
                if let Err(Failed::ServerError(status, message)) = result {
                    figures.server_errors += 1;
                    figures.details.push(format!("{status} {message}"));
                }
            }
        }
    }

    // The faults stop; every phone syncs until nothing is left to send.
    for _ in 0..3 {
        for phone in &mut phones {
            let server = servers.running[0].address.clone();
            if let Err(failed) = phone.device.sync(&client, &server).await {
                if let Failed::ServerError(status, message) = &failed {
                    figures.server_errors += 1;
                    figures.details.push(format!("{status} {message}"));
                }
                figures
                    .details
                    .push(format!("final sync failed: {failed:?}"));
            }
        }
    }
    check(
        &mut figures,
        &phones,
        &users,
        (&expected, &proposals_written, &photos_written),
        &created,
        &servers,
        &client,
    )
    .await;
    drop(servers);
    figures
}

fn skew(rng: &mut StdRng) -> i64 {
    match rng.random_range(0..4) {
        0 => 0,
        1 => rng.random_range(-30 * DAY_MS..=30 * DAY_MS),
        2 => rng.random_range(-DAY_MS..=DAY_MS),
        _ => rng.random_range(-600_000..=600_000),
    }
}

fn new_activity(rng: &mut StdRng, station: &str, n: u32) -> Activity {
    let today = chrono::Utc::now().date_naive();
    Activity {
        id: Uuid::now_v7(),
        category: [
            Category::HEALTH_CLINIC,
            Category::ELDER_CARE,
            Category::LEGAL_CONSULTATION,
        ][rng.random_range(0..3)]
        .clone(),
        title: format!("活动{n}"),
        station_id: station.to_owned(),
        date: today - chrono::Days::new(rng.random_range(0..60)),
        volunteers: rng.random_range(1..20),
        people_served: PeopleServed::try_from(rng.random_range(0..200)).unwrap(),
        notes: String::new(),
        time: None,
        organising_group: String::new(),
    }
}

fn new_proposal(proposer: &str, title: &str) -> Proposal {
    Proposal {
        id: Uuid::now_v7(),
        title: title.to_owned(),
        body: "建议增设助老食堂".into(),
        proposer: proposer.to_owned(),
        group: "minge".into(),
        topic: "养老".into(),
        street: "塔子湖街道".into(),
        station_id: None,
        date: chrono::Utc::now().date_naive(),
    }
}

fn new_step(proposal: Uuid, kind: StepKind, n: u32) -> ProposalStep {
    let today = chrono::Utc::now().date_naive();
    ProposalStep {
        id: Uuid::now_v7(),
        proposal_id: proposal,
        kind,
        text: format!("{}{n}", kind.code()),
        responsible: "区民政局".into(),
        due: (kind == StepKind::TakenUp).then(|| today + chrono::Days::new(30)),
        satisfied: (kind == StepKind::Feedback).then_some(true),
        author: "admin".into(),
        date: today,
    }
}

/// A proposal or step's text: what its writer last wrote.
fn proposal_text(item: &ProposalItem) -> String {
    match item {
        ProposalItem::Proposal(r) => r.title.value.clone(),
        ProposalItem::Step(r) => r.text.value.clone(),
    }
}

/// The push reaches the server; its answer never reaches the phone.
async fn lose_push_answer(
    device: &mut Device,
    client: &reqwest::Client,
    servers: &Servers,
    rng: &mut StdRng,
) -> Result<(), Failed> {
    let Some(request) = device.next_push() else {
        return Ok(());
    };
    let (_, server) = servers.pick(rng);
    let _lost = device.send_push(client, &server, &request).await?;
    Ok(())
}

/// A page is served and lost on the way.
async fn lose_pull_answer(
    device: &Device,
    client: &reqwest::Client,
    servers: &Servers,
    rng: &mut StdRng,
) -> Result<(), Failed> {
    let (_, server) = servers.pick(rng);
    let _lost: PullResponse = send(
        client
            .get(format!("{server}/api/sync/pull?cursor={}", device.cursor()))
            .bearer_auth(&device.token),
    )
    .await?;
    Ok(())
}

/// The same push sent twice at once (a retry racing the original).
async fn push_twice(
    device: &mut Device,
    client: &reqwest::Client,
    servers: &Servers,
    rng: &mut StdRng,
) -> Result<(), Failed> {
    let Some(request) = device.next_push() else {
        return Ok(());
    };
    let (_, a) = servers.pick(rng);
    let (_, b) = servers.pick(rng);
    let (first, second) = tokio::join!(
        device.send_push(client, &a, &request),
        device.send_push(client, &b, &request)
    );
    let (first, second) = (first?, second?);
    // Either answer may be the one that arrives; both must agree.
    let taken = if rng.random_bool(0.5) { first } else { second };
    device.take_answer(&taken);
    Ok(())
}

/// The later half of the outbox arrives before the earlier half.
async fn push_out_of_order(
    device: &mut Device,
    client: &reqwest::Client,
    servers: &Servers,
    rng: &mut StdRng,
) -> Result<(), Failed> {
    let Some(mut request) = device.next_push() else {
        return Ok(());
    };
    let half = request.mutations.len() / 2;
    let later = request.mutations.split_off(half);
    for mutations in [later, request.mutations.clone()] {
        if mutations.is_empty() {
            continue;
        }
        let mut part = request.clone();
        part.mutations = mutations;
        let (_, server) = servers.pick(rng);
        let answer = device.send_push(client, &server, &part).await?;
        device.take_answer(&answer);
    }
    Ok(())
}

/// A server process is killed (SIGKILL) while the push is on its way or
/// being applied, then started again on the same database.
async fn kill_mid_push(
    device: &mut Device,
    client: &reqwest::Client,
    servers: &mut Servers,
    rng: &mut StdRng,
) -> Result<(), Failed> {
    let (i, server) = servers.pick(rng);
    let wait = Duration::from_millis(rng.random_range(0..25));
    let pushed = device.push_once(client, &server);
    let process = &mut servers.running[i];
    let killed = async {
        tokio::time::sleep(wait).await;
        process.kill();
    };
    let (result, ()) = tokio::join!(pushed, killed);
    servers.restart(i);
    result.map(|_| ())
}

/// The invariants, on the state after the last sync.
async fn check(
    figures: &mut Figures,
    phones: &[Phone],
    users: &[User],
    (expected, proposals_written, photos_written): (&Expected, &ExpectedProposals, &ExpectedPhotos),
    created: &HashSet<Uuid>,
    servers: &Servers,
    client: &reqwest::Client,
) {
    let admin = users.len() - 1;
    // What the server holds, pulled from scratch by a new admin phone.
    let mut fresh = Device::new(&users[admin].token, 0);
    let server = servers.running[0].address.clone();
    let mut pulled: Vec<Uuid> = Vec::new();
    loop {
        let page: PullResponse = match send(
            client
                .get(format!(
                    "{server}/api/sync/pull?cursor={}&limit=97",
                    fresh.cursor()
                ))
                .bearer_auth(&fresh.token),
        )
        .await
        {
            Ok(page) => page,
            Err(failed) => panic!("seed {}: the final pull failed: {failed:?}", figures.seed),
        };
        pulled.extend(page.changes.iter().map(|r| r.id));
        pulled.extend(page.proposals.iter().map(|r| r.id()));
        pulled.extend(page.photos.iter().map(|r| r.id));
        fresh.take_page(&page);
        if !page.more {
            break;
        }
    }
    let stored: &BTreeMap<Uuid, ActivityRecord> = &fresh.records;
    let stored_proposals: &BTreeMap<Uuid, ProposalItem> = &fresh.proposals;
    let stored_photos: &BTreeMap<Uuid, PhotoRecord> = &fresh.photos;
    figures.records_doubled =
        pulled.len() - stored.len() - stored_proposals.len() - stored_photos.len();
    figures.records_invented = stored
        .keys()
        .chain(stored_proposals.keys())
        .chain(stored_photos.keys())
        .filter(|id| !created.contains(id))
        .count();

    // Each photo is as its writer last left it (there or removed), or the
    // writer's phone shows the refusal.
    for (id, (writer, deleted)) in photos_written {
        let on_server = stored_photos.get(id).map(|r| r.is_deleted());
        if on_server == Some(*deleted) {
            continue;
        }
        if phones[*writer].device.rejected.contains_key(id) {
            figures.refused += 1;
            continue;
        }
        figures.fields_lost += 1;
        if figures.details.len() < 20 {
            figures.details.push(format!(
                "lost: photo {id}: phone {writer} left it deleted={deleted}, server has {on_server:?}"
            ));
        }
    }

    // Each proposal's title and each step's text is as its writer last
    // wrote it, or the writer's phone shows the refusal.
    for (id, (writer, value)) in proposals_written {
        let on_server = stored_proposals.get(id).map(proposal_text);
        if on_server.as_deref() == Some(value.as_str()) {
            continue;
        }
        if phones[*writer].device.rejected.contains_key(id) {
            figures.refused += 1;
            continue;
        }
        figures.fields_lost += 1;
        if figures.details.len() < 20 {
            figures.details.push(format!(
                "lost: proposal item {id}: phone {writer} wrote {value:?}, server has {on_server:?}"
            ));
        }
    }
    // Whose each proposal is, for the proposals every phone must hold.
    let proposer_of = |item: &ProposalItem| -> Option<String> {
        let proposal = match item {
            ProposalItem::Proposal(r) => r.id,
            ProposalItem::Step(r) => r.proposal_id.value,
        };
        match stored_proposals.get(&proposal) {
            Some(ProposalItem::Proposal(r)) => Some(r.proposer.value.clone()),
            _ => None,
        }
    };

    // Each field ends as its writer last set it, or the writer's phone
    // shows the refusal.
    for ((id, field), (writer, value)) in expected {
        let on_server = stored.get(id).map(|record| field_value(record, field));
        if on_server.as_deref() == Some(value.as_str()) {
            continue;
        }
        if phones[*writer].device.rejected.contains_key(id) {
            figures.refused += 1;
            continue;
        }
        figures.fields_lost += 1;
        if figures.details.len() < 20 {
            figures.details.push(format!(
                "lost: record {id} field {field}: phone {writer} wrote {value:?}, server has {on_server:?}"
            ));
        }
    }

    // Every phone holds exactly the server's records of its user's
    // stations, but for those with a change the server refused.
    for (p, phone) in phones.iter().enumerate() {
        let unsynced = phone.device.unsynced();
        let stations = &users[phone.user].stations;
        let in_scope = |record: &ActivityRecord| {
            phone.user == admin || stations.contains(&record.station_id.value)
        };
        let mut differs = Vec::new();
        for (id, record) in stored.iter().filter(|(_, r)| in_scope(r)) {
            if unsynced.contains(id) {
                continue;
            }
            if phone.device.records.get(id) != Some(record) {
                differs.push(format!("{id} missing or stale"));
            }
        }
        for id in phone.device.records.keys() {
            let known = stored.get(id).is_some_and(&in_scope);
            if !known && !unsynced.contains(id) {
                differs.push(format!(
                    "{id} held out of scope: the phone has it at {}, the server at {:?}, \
                     the user's stations are {stations:?}, cursor {}",
                    phone.device.records[id].station_id.value,
                    stored.get(id).map(|r| r.station_id.value.clone()),
                    phone.device.cursor(),
                ));
            }
        }
        let mine = |item: &ProposalItem| {
            phone.user == admin || proposer_of(item).as_deref() == Some(&users[phone.user].name)
        };
        for (id, item) in stored_proposals.iter().filter(|(_, i)| mine(i)) {
            if !unsynced.contains(id) && phone.device.proposals.get(id) != Some(item) {
                differs.push(format!("proposal item {id} missing or stale"));
            }
        }
        for id in phone.device.proposals.keys() {
            let known = stored_proposals.get(id).is_some_and(&mine);
            if !known && !unsynced.contains(id) {
                differs.push(format!("proposal item {id} held but not the user's"));
            }
        }
        // The photos of the activities in scope, exactly.
        let photo_in_scope =
            |photo: &PhotoRecord| stored.get(&photo.activity_id.value).is_some_and(&in_scope);
        for (id, photo) in stored_photos.iter().filter(|(_, r)| photo_in_scope(r)) {
            if !unsynced.contains(id) && phone.device.photos.get(id) != Some(photo) {
                differs.push(format!(
                    "photo {id} missing or stale: the phone has {:?}, the server {photo:?}, \
                     its activity held: {}, left: {}",
                    phone.device.photos.get(id),
                    phone.device.records.contains_key(&photo.activity_id.value),
                    phone.device.has_left(photo.activity_id.value),
                ));
            }
        }
        for (id, photo) in &phone.device.photos {
            let known = stored_photos.get(id).is_some_and(&photo_in_scope);
            if !known && !unsynced.contains(id) && !unsynced.contains(&photo.activity_id.value) {
                differs.push(format!("photo {id} held out of scope"));
            }
        }
        if !phone.device.outbox.is_empty() {
            differs.push(format!(
                "{} changes never answered",
                phone.device.outbox.len()
            ));
        }
        if !differs.is_empty() {
            figures.devices_diverged += 1;
            if figures.details.len() < 40 {
                figures
                    .details
                    .push(format!("phone {p} diverged: {differs:?}"));
            }
        }
    }
}

fn seeds() -> Vec<u64> {
    if let Ok(seed) = std::env::var("TONGXIN_CHAOS_SEED") {
        return vec![seed.parse().expect("TONGXIN_CHAOS_SEED is a number")];
    }
    let count: u64 = std::env::var("TONGXIN_CHAOS_SEEDS")
        .ok()
        .map(|n| n.parse().expect("TONGXIN_CHAOS_SEEDS is a number"))
        .unwrap_or(2);
    let first: u64 = std::env::var("TONGXIN_CHAOS_FIRST_SEED")
        .ok()
        .map(|n| n.parse().expect("TONGXIN_CHAOS_FIRST_SEED is a number"))
        .unwrap_or(1);
    (first..first + count).collect()
}

fn budget() -> Budget {
    if let Some(steps) = std::env::var("TONGXIN_CHAOS_STEPS")
        .ok()
        .filter(|steps| !steps.is_empty())
    {
        return Budget::Steps(steps.parse().expect("TONGXIN_CHAOS_STEPS is a number"));
    }
    let seconds: f64 = std::env::var("TONGXIN_CHAOS_SECONDS")
        .ok()
        .map(|n| n.parse().expect("TONGXIN_CHAOS_SECONDS is a number"))
        .unwrap_or(6.0);
    Budget::Time(Duration::from_secs_f64(seconds))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_phones_with_faults_and_wrong_clocks_converge_and_lose_nothing() {
    // On PostgreSQL two server processes share the database; on SQLite one
    // process is killed and restarted on its file.
    let servers = match std::env::var("TONGXIN_TEST_BACKEND").as_deref() {
        Ok("postgres") => 2,
        _ => 1,
    };
    let backend = if servers == 2 { "postgres" } else { "sqlite" };
    let mut failed = Vec::new();
    for seed in seeds() {
        let figures = run_seed(seed, budget(), servers).await;
        println!(
            "chaos {backend} seed {seed}: steps {}, devices {}, mutations {} ({} of proposals, {} of photos), faults {} ({} kills), \
             refused {}, fields lost {}, records doubled {}, invented {}, devices diverged {}, 5xx {}",
            figures.steps,
            figures.devices,
            figures.mutations,
            figures.proposal_mutations,
            figures.photo_mutations,
            figures.faults,
            figures.kills,
            figures.refused,
            figures.fields_lost,
            figures.records_doubled,
            figures.records_invented,
            figures.devices_diverged,
            figures.server_errors,
        );
        if !figures.clean() {
            for line in &figures.details {
                println!("  {line}");
            }
            println!(
                "  replay: cargo xtask chaos --backend {backend} --seed {seed} --steps {}",
                figures.steps
            );
            failed.push(seed);
        }
    }
    assert!(failed.is_empty(), "seeds that lost or hid data: {failed:?}");
}
