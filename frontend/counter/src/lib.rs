//! The smallest Leptos app worth the name: a button that counts. Built with
//! the same `web` profile as the field app, it is the floor the app's size
//! is measured against.

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(|| {
        let count = RwSignal::new(0);
        view! {
            <button on:click=move |_| *count.write() += 1>{move || count.get()}</button>
        }
    });
}
