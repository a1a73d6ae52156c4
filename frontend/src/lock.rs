//! Cross-tab mutual exclusion with the Web Locks API.
//!
//! Two open tabs of the app share one IndexedDB and one outbox; if both
//! pushed at once they would send the same batch twice. The server would
//! answer the second as already applied, but the work and the traffic are
//! wasted on a phone's connection, so sync rounds take a named lock that
//! every tab of the origin shares.

use std::{cell::RefCell, future::Future, rc::Rc};

use futures::channel::oneshot;
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// Runs `task` while holding the Web Lock `name`; other tabs (and other
/// callers in this one) asking for the same name wait their turn. Where
/// the browser has no Web Locks, `task` simply runs.
pub async fn exclusive<T, F, Fut>(name: &str, task: F) -> T
where
    T: 'static,
    F: FnOnce() -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let Some((locks, request)) = lock_manager() else {
        return task().await;
    };
    let (done, result) = oneshot::channel();
    // Shared with the callback so that, should the browser refuse the
    // lock without calling back, the task can still run here.
    let task = Rc::new(RefCell::new(Some(task)));
    let granted_task = task.clone();
    // The lock is held until the promise this callback returns settles.
    let callback = Closure::once_into_js(move |_lock: JsValue| {
        let task = granted_task.borrow_mut().take();
        future_to_promise(async move {
            if let Some(task) = task {
                let _ = done.send(task().await);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let requested = request
        .call2(&locks, &JsValue::from_str(name), &callback)
        .ok()
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>().ok());
    if let Some(promise) = requested {
        // Settles once the callback's promise has, or when refused.
        let _ = JsFuture::from(promise).await;
    }
    let refused = task.borrow_mut().take();
    match refused {
        Some(task) => task().await,
        None => result
            .await
            .expect("the callback ran the task and sent its result"),
    }
}

fn lock_manager() -> Option<(JsValue, js_sys::Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = js_sys::Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    if locks.is_undefined() {
        return None;
    }
    let request = js_sys::Reflect::get(&locks, &JsValue::from_str("request"))
        .ok()?
        .dyn_into::<js_sys::Function>()
        .ok()?;
    Some((locks, request))
}
