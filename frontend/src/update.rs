//! New releases. The service worker installs a new app shell in the
//! background and waits; the app tells the user ("new version, reload") and,
//! when they tap, lets the new worker take over and reloads once it has.
//! Nothing typed is at risk: records are in IndexedDB, not in the page.

use std::cell::Cell;

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{JsCast, JsValue, closure::Closure};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

/// How often an open app asks whether a new release exists.
const CHECK_EVERY_MS: u32 = 10 * 60 * 1000;

thread_local! {
    /// The user asked for the new version: reload when it takes over.
    static RELOAD_ON_TAKEOVER: Cell<bool> = const { Cell::new(false) };
}

fn controlled() -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().service_worker().controller())
        .is_some()
}

/// Registers the service worker and sets `update_ready` when a new release
/// is installed and waiting. (On the first visit there is no controller yet
/// and the worker takes over by itself: nothing to announce.)
pub fn watch(update_ready: RwSignal<bool>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let on_takeover = Closure::<dyn FnMut()>::new(|| {
        if RELOAD_ON_TAKEOVER.get()
            && let Some(window) = web_sys::window()
        {
            let _ = window.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_takeover.as_ref().unchecked_ref()));
    on_takeover.forget();
    let registered = container.register("/sw.js");
    spawn_local(async move {
        let Ok(registration) = JsFuture::from(registered).await else {
            return;
        };
        let registration: ServiceWorkerRegistration = registration.unchecked_into();
        if registration.waiting().is_some() && controlled() {
            update_ready.set(true);
        }
        let watched = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = watched.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed && controlled() {
                    update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
        loop {
            gloo_timers::future::TimeoutFuture::new(CHECK_EVERY_MS).await;
            // Offline this fails quietly; the next check tries again.
            if let Ok(checked) = registration.update() {
                let _ = JsFuture::from(checked).await;
            }
        }
    });
}

/// The user tapped "reload": the waiting worker takes over, then the page
/// reloads on the new version.
pub fn apply() {
    RELOAD_ON_TAKEOVER.set(true);
    let Some(window) = web_sys::window() else {
        return;
    };
    let registration = window.navigator().service_worker().get_registration();
    spawn_local(async move {
        let waiting = JsFuture::from(registration)
            .await
            .ok()
            .and_then(|r| r.dyn_into::<ServiceWorkerRegistration>().ok())
            .and_then(|r| r.waiting());
        match waiting {
            Some(worker) => {
                let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
            }
            None => {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }
        }
    });
}
