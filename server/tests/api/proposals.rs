//! Proposals and their steps sync like every other record; who may take
//! which step is the server's to decide, per mutation.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_shared::{
    account::Role,
    hlc::HlcClock,
    merge::StampedRecord,
    proposal::{
        Progress, Proposal, ProposalItem, ProposalItemWire, ProposalRecord, ProposalState,
        ProposalStep, StepKind, StepRecord,
    },
    wire::Wired,
};
use uuid::Uuid;

use crate::helpers::{TestApp, outcomes, spawn_app};

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

fn proposal(proposer: &str) -> Proposal {
    Proposal {
        id: Uuid::now_v7(),
        title: "关于在先锋社区增设助老食堂的建议".into(),
        body: "辖区老年人较多，午餐无人照料。建议利用社区闲置用房开设助老食堂。".into(),
        proposer: proposer.into(),
        group: "minge".into(),
        topic: "养老".into(),
        street: "塔子湖街道".into(),
        station_id: Some("st-xianfeng".into()),
        date: today(),
    }
}

fn step(proposal: Uuid, kind: StepKind, author: &str) -> ProposalStep {
    ProposalStep {
        id: Uuid::now_v7(),
        proposal_id: proposal,
        kind,
        text: match kind {
            StepKind::TakenUp => String::new(),
            _ => "区民政局牵头，已选定场地".into(),
        },
        responsible: match kind {
            StepKind::TakenUp => "区民政局".into(),
            _ => String::new(),
        },
        due: (kind == StepKind::TakenUp).then(|| today() + chrono::Days::new(30)),
        satisfied: (kind == StepKind::Feedback).then_some(true),
        author: author.into(),
        date: today(),
    }
}

/// One device, stamping with its own clock from `offset_ms` ago.
struct Device {
    id: Uuid,
    clock: std::cell::RefCell<HlcClock>,
    offset_ms: i64,
    seq: std::cell::Cell<u64>,
}

impl Device {
    fn new(offset_ms: i64) -> Device {
        let id = Uuid::now_v7();
        Device {
            id,
            clock: HlcClock::new(id).into(),
            offset_ms,
            seq: 0.into(),
        }
    }

    fn stamp(&self) -> tongxin_shared::hlc::Hlc {
        let now = chrono::Utc::now().timestamp_millis() + self.offset_ms;
        self.clock.borrow_mut().stamp(now as u64)
    }

    fn new_proposal(&self, proposal: &Proposal) -> ProposalItem {
        ProposalItem::Proposal(ProposalRecord::new(proposal, self.stamp()))
    }

    fn new_step(&self, step: &ProposalStep) -> ProposalItem {
        ProposalItem::Step(StepRecord::new(step, self.stamp()))
    }

    /// A push of `items`, each under the device's next sequence number.
    fn push(&self, items: &[ProposalItem]) -> Value {
        let mutations: Vec<Value> = items
            .iter()
            .map(|item| {
                self.seq.set(self.seq.get() + 1);
                json!({
                    "seq": self.seq.get(),
                    "change": { "type": "put_proposal", "record": item.to_wire() },
                })
            })
            .collect();
        json!({
            "protocol": tongxin_shared::sync::PROTOCOL_VERSION,
            "device_id": self.id,
            "mutations": mutations,
        })
    }
}

/// Every proposal and step `token` may pull, from the start.
async fn pull(app: &TestApp, token: &str) -> Vec<ProposalItem> {
    let mut cursor = String::new();
    let mut all = Vec::new();
    loop {
        let page = app
            .get_as(token, &format!("/api/sync/pull?cursor={cursor}"))
            .await;
        let wire: Vec<ProposalItemWire> =
            serde_json::from_value(page["proposals"].clone()).unwrap();
        all.extend(
            wire.into_iter()
                .map(|w| ProposalItem::from_wire(w).unwrap()),
        );
        cursor = page["cursor"].as_str().unwrap().to_owned();
        if page["more"] == false {
            return all;
        }
    }
}

/// The live steps of `proposal` among `items`.
fn steps_of(items: &[ProposalItem], proposal: Uuid) -> Vec<ProposalStep> {
    items
        .iter()
        .filter_map(|item| match item {
            ProposalItem::Step(s) if s.proposal_id.value == proposal && !s.is_deleted() => {
                Some(s.step())
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_proposal_lives_from_idea_to_feedback_with_each_role_in_its_place() {
    let app = spawn_app().await;
    let volunteer = &app.volunteer_token;
    let admin = &app.admin_token;
    let other = app
        .add_user("other-volunteer", Role::Volunteer, &["st-dazhi"])
        .await;
    let organiser = app.add_user("organiser-test", Role::Organiser, &[]).await;

    // The reference data names what a proposal is written with, for
    // every role.
    let reference = app.get_as(&organiser, "/api/reference").await;
    assert_eq!(reference["stations"], json!([]));
    assert!(reference["groups"].as_array().unwrap().len() >= 10);
    assert!(
        reference["streets"]
            .as_array()
            .unwrap()
            .contains(&json!("塔子湖街道"))
    );

    let phone = Device::new(0);
    let idea = proposal("volunteer-test");
    let body = phone.push(&[phone.new_proposal(&idea)]);
    assert_eq!(outcomes(&app, volunteer, &body).await, ["accepted"]);

    // Its proposer and the admins see it; nobody else does.
    assert_eq!(pull(&app, volunteer).await.len(), 1);
    assert_eq!(pull(&app, admin).await.len(), 1);
    assert!(pull(&app, &other).await.is_empty());
    assert!(pull(&app, &organiser).await.is_empty());

    // Only admins take steps, and only in their own name.
    let take_up = step(idea.id, StepKind::TakenUp, "volunteer-test");
    let body = phone.push(&[phone.new_step(&take_up)]);
    assert_eq!(
        outcomes(&app, volunteer, &body).await,
        ["step:not_your_role"]
    );
    let desk = Device::new(0);
    let body = desk.push(&[desk.new_step(&take_up)]);
    assert_eq!(outcomes(&app, admin, &body).await, ["author:not_allowed"]);

    // The life, in order; a step out of order is refused with the state.
    let measure = step(idea.id, StepKind::Measure, "admin-test");
    let early_close = step(idea.id, StepKind::Closed, "admin-test");
    let body = desk.push(&[desk.new_step(&measure), desk.new_step(&early_close)]);
    assert_eq!(
        outcomes(&app, admin, &body).await,
        ["kind:not_now", "kind:not_now"]
    );
    let take_up = step(idea.id, StepKind::TakenUp, "admin-test");
    let feedback = step(idea.id, StepKind::Feedback, "admin-test");
    let close = step(idea.id, StepKind::Closed, "admin-test");
    let body = desk.push(&[
        desk.new_step(&take_up),
        desk.new_step(&measure),
        desk.new_step(&feedback),
        desk.new_step(&close),
    ]);
    assert_eq!(
        outcomes(&app, admin, &body).await,
        ["accepted", "accepted", "accepted", "accepted"]
    );

    // The proposer follows it on their phone: every step, and its state.
    let seen = pull(&app, volunteer).await;
    let steps = steps_of(&seen, idea.id);
    assert_eq!(steps.len(), 4);
    let progress = Progress::of(&steps);
    assert_eq!(progress.state, ProposalState::Closed);
    assert_eq!(progress.responsible.as_deref(), Some("区民政局"));
    assert_eq!(progress.satisfied, Some(true));

    // Closed is closed: no measure after it, and its proposer can no
    // longer change it; nothing of either is stored.
    let late = step(idea.id, StepKind::Measure, "admin-test");
    let body = desk.push(&[desk.new_step(&late)]);
    assert_eq!(outcomes(&app, admin, &body).await, ["kind:not_now"]);
    let mut edited = match phone.new_proposal(&idea) {
        ProposalItem::Proposal(r) => r,
        _ => unreachable!(),
    };
    edited.edit(
        &Proposal {
            title: "改个标题".into(),
            ..idea.clone()
        },
        phone.stamp(),
    );
    let body = phone.push(&[ProposalItem::Proposal(edited)]);
    assert_eq!(outcomes(&app, volunteer, &body).await, ["proposal:not_now"]);
    let after = pull(&app, admin).await;
    assert_eq!(after.len(), 5);
    let ProposalItem::Proposal(stored) = after.iter().find(|i| i.id() == idea.id).unwrap() else {
        panic!("a proposal")
    };
    assert_eq!(stored.title.value, idea.title);
}

#[tokio::test]
async fn two_admins_recording_measures_offline_on_one_proposal_both_keep_theirs() {
    let app = spawn_app().await;
    let second_admin = app.add_user("admin-two", Role::Admin, &[]).await;
    let phone = Device::new(0);
    let idea = proposal("volunteer-test");
    let body = phone.push(&[phone.new_proposal(&idea)]);
    assert_eq!(
        outcomes(&app, &app.volunteer_token, &body).await,
        ["accepted"]
    );
    let one = Device::new(0);
    let take_up = step(idea.id, StepKind::TakenUp, "admin-test");
    let body = one.push(&[one.new_step(&take_up)]);
    assert_eq!(outcomes(&app, &app.admin_token, &body).await, ["accepted"]);

    // Both record a measure with no signal, an hour apart, and sync later
    // in the other order: each measure is a record of its own, so nothing
    // is merged away.
    let two = Device::new(-3_600_000);
    let mut first = step(idea.id, StepKind::Measure, "admin-test");
    first.text = "联系街道办协调场地".into();
    let mut second = step(idea.id, StepKind::Measure, "admin-two");
    second.text = "落实厨师与食品安全培训".into();
    let first_body = one.push(&[one.new_step(&first)]);
    let second_body = two.push(&[two.new_step(&second)]);
    assert_eq!(
        outcomes(&app, &second_admin, &second_body).await,
        ["accepted"]
    );
    assert_eq!(
        outcomes(&app, &app.admin_token, &first_body).await,
        ["accepted"]
    );
    // A resend of either (an answer lost on the way) changes nothing.
    assert_eq!(
        outcomes(&app, &app.admin_token, &first_body).await,
        ["accepted"]
    );

    for token in [&app.admin_token, &second_admin, &app.volunteer_token] {
        let steps = steps_of(&pull(&app, token).await, idea.id);
        let mut measures: Vec<(String, String)> = steps
            .iter()
            .filter(|s| s.kind == StepKind::Measure)
            .map(|s| (s.author.clone(), s.text.clone()))
            .collect();
        measures.sort();
        assert_eq!(
            measures,
            [
                ("admin-test".to_owned(), first.text.clone()),
                ("admin-two".to_owned(), second.text.clone())
            ]
        );
        assert_eq!(Progress::of(&steps).state, ProposalState::InProgress);
    }
}

#[tokio::test]
async fn bad_proposals_and_steps_are_each_refused_by_rule_and_store_nothing() {
    let app = spawn_app().await;
    let volunteer = &app.volunteer_token;
    let phone = Device::new(0);
    let good = proposal("volunteer-test");
    let cases: Vec<(Proposal, &str)> = vec![
        (
            Proposal {
                title: "  ".into(),
                ..proposal("volunteer-test")
            },
            "title:required",
        ),
        (
            Proposal {
                group: "no-such-group".into(),
                ..proposal("volunteer-test")
            },
            "group:unknown_group",
        ),
        (
            Proposal {
                street: "火星街道".into(),
                ..proposal("volunteer-test")
            },
            "street:unknown_street",
        ),
        (
            Proposal {
                station_id: Some("st-nowhere".into()),
                ..proposal("volunteer-test")
            },
            "station_id:unknown_station",
        ),
        (
            Proposal {
                body: "a\u{0}b".into(),
                ..proposal("volunteer-test")
            },
            "body:control_characters",
        ),
        (proposal("admin-test"), "proposer:not_allowed"),
    ];
    let mut items: Vec<ProposalItem> = cases.iter().map(|(p, _)| phone.new_proposal(p)).collect();
    items.push(phone.new_proposal(&good));
    let body = phone.push(&items);
    let mut expected: Vec<&str> = cases.iter().map(|(_, rule)| *rule).collect();
    expected.push("accepted");
    assert_eq!(outcomes(&app, volunteer, &body).await, expected);

    let desk = Device::new(0);
    let mut no_text = step(good.id, StepKind::TakenUp, "admin-test");
    no_text.responsible = String::new();
    let steps = [
        step(Uuid::now_v7(), StepKind::TakenUp, "admin-test"),
        no_text,
        step(good.id, StepKind::Measure, "admin-test"),
    ];
    let items: Vec<ProposalItem> = steps.iter().map(|s| desk.new_step(s)).collect();
    let body = desk.push(&items);
    assert_eq!(
        outcomes(&app, &app.admin_token, &body).await,
        [
            "proposal_id:not_found",
            "responsible:required",
            "kind:not_now"
        ]
    );
    // The admin sees the one good proposal and nothing else.
    let stored = pull(&app, &app.admin_token).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id(), good.id);
}

#[tokio::test]
async fn the_board_counts_by_state_marks_the_overdue_and_exports_the_history() {
    let app = spawn_app().await;
    let phone = Device::new(0);
    let days_ago = |n: u64| today() - chrono::Days::new(n);
    let mut late = proposal("volunteer-test");
    late.date = days_ago(30);
    let mut done = proposal("volunteer-test");
    done.date = days_ago(20);
    done.group = "xinlianhui".into();
    let mut fresh = proposal("volunteer-test");
    fresh.street = "后湖街道".into();
    let body = phone.push(&[
        phone.new_proposal(&late),
        phone.new_proposal(&done),
        phone.new_proposal(&fresh),
    ]);
    assert_eq!(
        outcomes(&app, &app.volunteer_token, &body).await,
        ["accepted", "accepted", "accepted"]
    );
    let desk = Device::new(0);
    let mut overdue = step(late.id, StepKind::TakenUp, "admin-test");
    overdue.date = days_ago(25);
    overdue.due = Some(days_ago(10));
    let mut taken = step(done.id, StepKind::TakenUp, "admin-test");
    taken.date = days_ago(19);
    let mut measure = step(done.id, StepKind::Measure, "admin-test");
    measure.date = days_ago(16);
    let mut feedback = step(done.id, StepKind::Feedback, "admin-test");
    feedback.date = days_ago(5);
    let close = step(done.id, StepKind::Closed, "admin-test");
    let steps = [overdue, taken, measure, feedback, close];
    let items: Vec<ProposalItem> = steps.iter().map(|s| desk.new_step(s)).collect();
    let answers = outcomes(&app, &app.admin_token, &desk.push(&items)).await;
    assert!(answers.iter().all(|a| a == "accepted"), "{answers:?}");

    // Only admins read the board; a filter naming no group is refused.
    let refused = app
        .get_raw(Some(&app.volunteer_token), "/api/admin/proposals")
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let refused = app
        .get_raw(Some(&app.admin_token), "/api/admin/proposals?group=nobody")
        .await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let answer: Value = refused.json().await.unwrap();
    assert_eq!(answer["errors"][0]["rule"]["code"], "unknown_group");

    let board = app.get_as(&app.admin_token, "/api/admin/proposals").await;
    let count = |board: &Value, state: &str| {
        board["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["state"] == state)
            .unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        ["submitted", "taken_up", "closed", "in_progress"].map(|s| count(&board, s)),
        [1, 1, 1, 0]
    );
    assert_eq!(board["overdue"], 1);
    assert_eq!(board["total"], 3);
    let rows = board["rows"].as_array().unwrap();
    // Newest first, the overdue one marked.
    assert_eq!(rows[0]["proposal"]["id"], json!(fresh.id));
    assert_eq!(rows[2]["proposal"]["id"], json!(late.id));
    assert_eq!(rows[2]["overdue"], true);
    assert_eq!(rows[1]["progress"]["first_measure"], json!(days_ago(16)));

    // Each filter narrows the rows; the counts keep every state.
    let closed = app
        .get_as(&app.admin_token, "/api/admin/proposals?state=closed")
        .await;
    assert_eq!(closed["rows"].as_array().unwrap().len(), 1);
    assert_eq!(closed["total"], 1);
    assert_eq!(count(&closed, "submitted"), 1);
    let group = app
        .get_as(&app.admin_token, "/api/admin/proposals?group=xinlianhui")
        .await;
    assert_eq!(group["total"], 1);
    let street = format!(
        "/api/admin/proposals?street={}",
        tongxin_shared::admin::percent_encode("后湖街道")
    );
    assert_eq!(app.get_as(&app.admin_token, &street).await["total"], 1);
    let year = format!(
        "/api/admin/proposals?from={}&to={}",
        days_ago(25),
        days_ago(1)
    );
    assert_eq!(app.get_as(&app.admin_token, &year).await["total"], 1);

    // A proposal's page: its history in order; none for an unknown id.
    let detail = app
        .get_as(
            &app.admin_token,
            &format!("/api/admin/proposals/{}", done.id),
        )
        .await;
    let kinds: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["taken_up", "measure", "feedback", "closed"]);
    let missing = app
        .get_raw(
            Some(&app.admin_token),
            &format!("/api/admin/proposals/{}", Uuid::now_v7()),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // The export: a row per step, a proposal without steps once.
    let csv = app
        .get_raw(Some(&app.admin_token), "/api/admin/export/proposals.csv")
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "提交日期");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1 + 1 + 4);
    let of = |id: Uuid| records.iter().filter(|r| r[15] == id.to_string()).count();
    assert_eq!((of(fresh.id), of(late.id), of(done.id)), (1, 1, 4));
    let xlsx = app
        .get_raw(Some(&app.admin_token), "/api/admin/export/proposals.xlsx")
        .await;
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert!(xlsx.bytes().await.unwrap().starts_with(b"PK"));

    // The admin's report counts the same proposals by the same rule.
    let report = app.get_as(&app.admin_token, "/api/admin/report").await;
    let figures = &report["proposals"];
    assert_eq!(
        [
            &figures["submitted"],
            &figures["taken_up"],
            &figures["with_feedback"],
            &figures["closed"]
        ],
        [&json!(3), &json!(2), &json!(1), &json!(1)]
    );
    // One proposal with a measure: 20 days ago submitted, 16 days ago
    // the first measure.
    assert_eq!(figures["median_days_to_first_measure"], 4.0);
}

#[tokio::test]
async fn admins_keep_the_list_of_groups_and_phones_receive_it() {
    let app = spawn_app().await;
    let post = |token: String, body: Value| {
        let client = app.client.clone();
        let url = format!("{}/api/admin/groups", app.address);
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let group =
        json!({ "code": "qiaolian", "name_zh": "侨联", "name_en": "Returned Overseas Chinese" });
    let refused = post(app.volunteer_token.clone(), group.clone()).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let added = post(app.admin_token.clone(), group.clone()).await;
    assert_eq!(added.status(), StatusCode::CREATED);
    let again = post(app.admin_token.clone(), group.clone()).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let bad = post(
        app.admin_token.clone(),
        json!({ "code": "a b", "name_zh": "", "name_en": "x" }),
    )
    .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let reference = app.get("/api/reference").await;
    let codes: Vec<&str> = reference["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.last(), Some(&"qiaolian"));
    assert!(!codes.contains(&"a b"));

    // Retired, it is kept with its proposals and still accepted from a
    // phone that was offline when it went.
    let retire = app
        .client
        .put(format!("{}/api/admin/groups/qiaolian", app.address))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "code": "qiaolian", "name_zh": "侨联", "name_en": "Returned Overseas Chinese", "retired": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(retire.status(), StatusCode::OK);
    let phone = Device::new(0);
    let body = phone.push(&[phone.new_proposal(&Proposal {
        group: "qiaolian".into(),
        ..proposal("volunteer-test")
    })]);
    assert_eq!(
        outcomes(&app, &app.volunteer_token, &body).await,
        ["accepted"]
    );
    let reference = app.get("/api/reference").await;
    let retired = reference["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "qiaolian")
        .unwrap()["retired"]
        .clone();
    assert_eq!(retired, true);
    let renamed_code = app
        .client
        .put(format!("{}/api/admin/groups/qiaolian", app.address))
        .bearer_auth(&app.admin_token)
        .json(&json!({ "code": "other", "name_zh": "侨联", "name_en": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed_code.status(), StatusCode::BAD_REQUEST);
}
