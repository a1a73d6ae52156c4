//! Logging out, the same in both bundles.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    api,
    ctx::Ctx,
    i18n::{self, t, use_i18n},
};

/// Ends the session on the server and forgets the login on this device;
/// every record stays. With changes not yet on the server it asks first.
#[component]
pub fn LogOutButton() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let log_out = move |_| {
        let pending = ctx.status.pending.get_untracked();
        if pending > 0 {
            let confirmed = web_sys::window()
                .and_then(|w| {
                    w.confirm_with_message(&i18n::logout_with_pending(
                        i18n.get_locale_untracked(),
                        pending,
                    ))
                    .ok()
                })
                .unwrap_or(false);
            if !confirmed {
                return;
            }
        }
        let token = ctx.token();
        let store = ctx.store();
        spawn_local(async move {
            api::logout(&token).await;
            let _ = store.log_out().await;
            ctx.relogin.set(false);
            ctx.session.set(None);
        });
    };
    view! { <button type="button" class="log-out" on:click=log_out>{t!(i18n, log_out)}</button> }
}
