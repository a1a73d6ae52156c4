//! Web Locks in a real browser: holders of the same lock never overlap.
#![cfg(target_arch = "wasm32")]

use std::{cell::RefCell, rc::Rc};

use futures::future::join;
use tongxin_frontend::lock::exclusive;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn two_holders_of_one_lock_take_turns_and_both_finish() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let task = |name: &'static str, log: Rc<RefCell<Vec<String>>>| async move {
        exclusive("test-lock", move || async move {
            log.borrow_mut().push(format!("{name} in"));
            gloo_timers::future::TimeoutFuture::new(50).await;
            log.borrow_mut().push(format!("{name} out"));
            name
        })
        .await
    };
    let (a, b) = join(task("a", log.clone()), task("b", log.clone())).await;
    assert_eq!((a, b), ("a", "b"));
    assert_eq!(*log.borrow(), vec!["a in", "a out", "b in", "b out"]);
}
