//! "Deleted … Undo": the offer every delete makes for a few seconds, shown
//! pinned to the bottom of the screen, so it is in view wherever on a long
//! page the delete was tapped.

use leptos::{prelude::*, task::spawn_local};
use uuid::Uuid;

use crate::i18n::{t, use_i18n};

/// A record just deleted, offered back for a few seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct UndoOffer {
    pub id: Uuid,
    /// What the user calls the record: its title, or a sale line's product.
    pub label: String,
}

/// How long the undo offer stays.
const UNDO_MS: u32 = 8_000;

/// Shows `offer` in `undo` and takes it away after a while, unless a later
/// delete replaced it: each offer expires on its own clock.
pub fn offer_undo(undo: RwSignal<Option<UndoOffer>>, offer: UndoOffer) {
    undo.set(Some(offer.clone()));
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(UNDO_MS).await;
        if undo.get_untracked().as_ref() == Some(&offer) {
            undo.set(None);
        }
    });
}

/// The offer, while there is one. `restore` gets the deleted record's id
/// once the user taps "undo"; the offer goes at once.
#[component]
pub fn UndoBar(
    undo: RwSignal<Option<UndoOffer>>,
    restore: impl Fn(Uuid) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let tapped = move |_| {
        if let Some(offer) = undo.get_untracked() {
            undo.set(None);
            restore(offer.id);
        }
    };
    move || {
        undo.get().map(|offer| {
            view! {
                <div class="undo-bar" role="status">
                    <span class="undo-what">{t!(i18n, deleted)} " " <q translate="no">{offer.label}</q></span>
                    <button type="button" class="undo" on:click=tapped>{t!(i18n, undo)}</button>
                </div>
            }
        })
    }
}
