//! A record's sync state in words, and the one way to drop a change the
//! server refused.

use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;

use crate::{
    ctx::Ctx,
    i18n::{self, t, t_string, td_string, use_i18n},
    store::SyncState,
};

/// A record's sync state in words: its code (for `data-` attributes and
/// classes), its label, and for a rejected record the reasons.
pub fn sync_words(state: &SyncState) -> (&'static str, &'static str, Option<String>) {
    let i18n = use_i18n();
    match state {
        SyncState::Pending => ("pending", t_string!(i18n, state_pending), None),
        SyncState::Synced => ("synced", t_string!(i18n, state_synced), None),
        SyncState::Rejected(errors) => (
            "rejected",
            t_string!(i18n, state_rejected),
            Some(
                errors
                    .iter()
                    .map(|e| i18n::rule_message(i18n.get_locale(), e))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ),
    }
}

/// "Discard this change" on a record the server refused: after the user
/// confirms, the local record and its rejection go and the next sync pulls
/// everything again, so the server's version (if any) comes back. The only
/// way a refused change leaves the device.
pub fn discard_button(id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let discard = move |_| {
        let locale = i18n.get_locale_untracked();
        let confirmed = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(td_string!(locale, discard_confirm))
                    .ok()
            })
            .unwrap_or(false);
        if !confirmed {
            return;
        }
        let store = ctx.store();
        spawn_local(async move {
            if store.discard_rejected(id).await.is_ok() {
                ctx.saved_locally();
            }
        });
    };
    view! {
        <button type="button" class="discard" on:click=discard>{t!(i18n, discard_change)}</button>
    }
}
