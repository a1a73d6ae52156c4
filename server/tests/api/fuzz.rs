//! The request decoders under random input: push bodies (arbitrary bytes,
//! and valid pushes with random values grafted in), pull queries, and the
//! pull cursor. Whatever arrives, the server answers 4xx or a per-mutation
//! answer, never 5xx, and stores only what its rules take.
//!
//! Bounded here (`TONGXIN_FUZZ_CASES`, default 48 per target, so `cargo
//! xtask test` stays quick); `cargo xtask fuzz --cases N` runs longer. A
//! failure prints its seed; `PROPTEST_RNG_SEED=<seed>` replays it.

use proptest::{
    prelude::*,
    test_runner::{Config, RngSeed, TestCaseError, TestRunner},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, push_body, record, spawn_app};

fn runner() -> TestRunner {
    let cases = std::env::var("TONGXIN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(48);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    println!("fuzz seed {seed} ({cases} cases); replay with PROPTEST_RNG_SEED={seed}");
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    })
}

/// A JSON value of any shape, leaning to the edges: huge and negative
/// numbers, odd strings, deep nesting.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
        Just(json!("")),
        Just(json!("\u{0}\u{202e}\u{ffff}")),
        Just(json!("9999-12-31")),
        Just(json!("0000-00-00")),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(".{0,12}", inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Every path to a value inside `value`, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(
                    child,
                    format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{index}"), out);
            }
        }
        _ => {}
    }
}

/// A valid push of two activities with one value somewhere in it replaced.
fn grafted_push(pick: usize, graft: Value) -> Value {
    let mut body = push_body(Uuid::now_v7(), &[(1, record(3)), (2, record(4))]);
    let mut paths = Vec::new();
    pointers(&body, String::new(), &mut paths);
    let path = &paths[pick % paths.len()];
    if path.is_empty() {
        return graft;
    }
    *body.pointer_mut(path).unwrap() = graft;
    body
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(future))
}

/// Pushes `body`; fails the case on a 5xx, or on a 200 whose answers do
/// not match the mutations one for one.
fn push_is_answered(app: &TestApp, body: Vec<u8>) -> Result<(), TestCaseError> {
    let response = block_on(app.push_raw(body.clone()));
    let status = response.status();
    prop_assert!(
        !status.is_server_error(),
        "{status} for {}",
        String::from_utf8_lossy(&body)
    );
    if status.is_success() {
        let answer: Value = block_on(response.json()).unwrap();
        let sent: Value = serde_json::from_slice(&body).unwrap();
        prop_assert_eq!(
            answer["results"].as_array().map(Vec::len),
            sent["mutations"].as_array().map(Vec::len)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_bodies_of_random_bytes_or_grafted_values_are_answered_never_crash() {
    let app = spawn_app().await;
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..512), |bytes| {
            push_is_answered(&app, bytes)
        })
        .unwrap();
    runner()
        .run(&(any::<usize>(), any_json()), |(pick, graft)| {
            push_is_answered(
                &app,
                serde_json::to_vec(&grafted_push(pick, graft)).unwrap(),
            )
        })
        .unwrap();
    // Whatever was taken obeys the rules: every stored activity validates.
    let stored = app.pull_all_as(&app.admin_token).await;
    for record in stored {
        let record: tongxin_shared::merge::ActivityRecord = serde_json::from_value(record).unwrap();
        let today = chrono::Utc::now().date_naive();
        assert!(record.activity().validate(today).is_ok(), "{record:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_queries_of_random_text_are_answered_never_crash() {
    let app = spawn_app().await;
    let query = (".{0,60}", prop::option::of(any::<i64>()), ".{0,10}");
    runner()
        .run(&query, |(cursor, limit, junk)| {
            let mut url = reqwest::Url::parse(&format!("{}/api/sync/pull", app.address)).unwrap();
            url.query_pairs_mut().append_pair("cursor", &cursor);
            if let Some(limit) = limit {
                url.query_pairs_mut()
                    .append_pair("limit", &limit.to_string());
            }
            url.query_pairs_mut().append_pair(&junk, "x");
            let response = block_on(
                app.client
                    .get(url.clone())
                    .bearer_auth(&app.volunteer_token)
                    .send(),
            )
            .unwrap();
            prop_assert!(
                !response.status().is_server_error(),
                "{} for {url}",
                response.status()
            );
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_cursor_parser_takes_what_it_writes_and_refuses_the_rest_without_panicking() {
    runner()
        .run(
            &(".{0,40}", any::<u32>(), "[0-9a-z]{0,16}"),
            |(text, position, scope)| {
                // Any text: parsed or refused, never a panic, never a negative
                // position.
                if let Some((parsed, _)) = tongxin_server::routes::parse_cursor(&text) {
                    prop_assert!(parsed >= 0);
                }
                // What the server writes reads back.
                let written = format!("{position}.{scope}");
                prop_assert_eq!(
                    tongxin_server::routes::parse_cursor(&written),
                    Some((i64::from(position), scope.as_str()))
                );
                Ok(())
            },
        )
        .unwrap();
}
