//! The context every page reads: the store, the session, the sync status
//! and a way to ask for a sync round soon. The shell provides it once;
//! pages take it with `expect_context::<Ctx>()`.

use chrono::NaiveDate;
use futures::channel::mpsc;
use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    Activity,
    account::{LoginResponse, Role},
};

use crate::{
    api::ApiError,
    i18n::{self, Locale, td_string},
    store::Store,
};

/// Why the last sync round or connection check failed. Kept as what
/// happened, not as words: the bar words it when it shows it, in the
/// language chosen then.
#[derive(Debug, Clone)]
pub enum SyncProblem {
    /// The server did not answer.
    Offline,
    /// The session expired or was revoked: the user must log in again.
    SessionExpired,
    /// The server speaks a newer protocol: this app must be updated.
    PleaseUpdate,
    /// The server refused; its rule codes say why.
    Refused(ApiError),
    /// The server still found this device's clock ahead.
    ClockAhead,
    /// The browser's database failed, in the browser's own words.
    Store(String),
}

impl SyncProblem {
    pub fn words(&self, locale: Locale) -> String {
        match self {
            SyncProblem::Offline => td_string!(locale, sync_offline).to_owned(),
            SyncProblem::SessionExpired => td_string!(locale, session_expired).to_owned(),
            SyncProblem::PleaseUpdate => td_string!(locale, please_update).to_owned(),
            SyncProblem::Refused(error) => i18n::api_error_message(locale, error),
            SyncProblem::ClockAhead => i18n::rule_message(
                locale,
                &tongxin_shared::ValidationError::new(
                    "stamp",
                    tongxin_shared::error::Rule::ClockAhead,
                ),
            ),
            SyncProblem::Store(error) => {
                format!("{}{error}", td_string!(locale, store_unavailable))
            }
        }
    }
}

/// What the sync loop tells the UI. Every field is a signal, so the status
/// bar and lists update wherever they are shown.
#[derive(Clone, Copy)]
pub struct SyncStatus {
    /// The server answered the last sync round or connection check.
    pub online: RwSignal<bool>,
    /// A sync round is under way.
    pub syncing: RwSignal<bool>,
    /// Records the server does not hold as this device does: waiting to be
    /// pushed, or refused by the server.
    pub pending: RwSignal<u32>,
    /// Of those, the ones the server refused.
    pub rejected: RwSignal<u32>,
    /// Photos taken here whose bytes the server does not hold yet.
    pub photos_waiting: RwSignal<u32>,
    /// What the app keeps on this device, in MB (the browser's estimate).
    pub storage_used_mb: RwSignal<Option<f64>>,
    pub last_error: RwSignal<Option<SyncProblem>>,
    /// Local time of the last sync round that reached the server, in
    /// words (kept across reloads by the phone's shell).
    pub last_sync: RwSignal<Option<String>>,
    /// Bumped whenever local data changed, so lists reload.
    pub revision: RwSignal<u64>,
    /// Bumped when the stations or the categories changed, so the names
    /// shown and the choices offered are read again.
    pub reference_revision: RwSignal<u64>,
    /// A new release is installed and waiting for the user's reload.
    pub update_ready: RwSignal<bool>,
}

impl SyncStatus {
    /// Nothing synced yet; `online` as the shell first shows it.
    pub fn new(online: bool) -> SyncStatus {
        SyncStatus {
            online: RwSignal::new(online),
            syncing: RwSignal::new(false),
            pending: RwSignal::new(0),
            rejected: RwSignal::new(0),
            photos_waiting: RwSignal::new(0),
            storage_used_mb: RwSignal::new(None),
            last_error: RwSignal::new(None),
            last_sync: RwSignal::new(None),
            revision: RwSignal::new(0),
            reference_revision: RwSignal::new(0),
            update_ready: RwSignal::new(false),
        }
    }
}

/// Shared by every component through context.
#[derive(Clone, Copy)]
pub struct Ctx {
    store: StoredValue<Store, LocalStorage>,
    kick: StoredValue<mpsc::UnboundedSender<()>, LocalStorage>,
    pub status: SyncStatus,
    /// The record the form is editing; `None` while it records a new one.
    pub editing: RwSignal<Option<Activity>>,
    /// The record the form saved last: the list puts it in place itself,
    /// without reading its page again (`Ctx::activity_saved`).
    pub saved: RwSignal<Option<Activity>>,
    /// The login this device keeps; `None` shows the login screen.
    pub session: RwSignal<Option<LoginResponse>>,
    /// The server refused the session (expired or revoked): ask for the
    /// password again, keep everything else working.
    pub relogin: RwSignal<bool>,
}

impl Ctx {
    /// The context of a shell whose sync loop listens on `kick`.
    pub fn new(
        store: Store,
        kick: mpsc::UnboundedSender<()>,
        status: SyncStatus,
        session: Option<LoginResponse>,
    ) -> Ctx {
        Ctx {
            store: StoredValue::new_local(store),
            kick: StoredValue::new_local(kick),
            status,
            editing: RwSignal::new(None),
            saved: RwSignal::new(None),
            session: RwSignal::new(session),
            relogin: RwSignal::new(false),
        }
    }

    pub fn store(&self) -> Store {
        self.store.get_value()
    }

    /// Asks the sync loop to run now rather than at its next tick.
    pub fn sync_soon(&self) {
        let _ = self.kick.get_value().unbounded_send(());
    }

    /// Tells lists that local data changed.
    pub fn changed(&self) {
        self.status.revision.update(|r| *r += 1);
    }

    /// Tells forms and lists that the stations or categories changed.
    pub fn reference_changed(&self) {
        self.status.reference_revision.update(|r| *r += 1);
    }

    /// After a record was saved (or a refused change discarded) on the
    /// device: the unsynced count shows it, lists reload, and a sync round
    /// starts soon.
    pub fn saved_locally(&self) {
        let ctx = *self;
        spawn_local(async move {
            ctx.recount().await;
            ctx.changed();
        });
        self.sync_soon();
    }

    /// After the form saved an activity: the list shows it at once, the
    /// unsynced count follows and a sync round starts soon. Nothing else
    /// is read again: a save changes one record, which the list puts in
    /// place itself, and the round that sends it bumps the revision (its
    /// badge turns to synced). Reading the page, the months and the
    /// stations again after every save queued seven transactions that the
    /// next save's had to wait for.
    pub fn activity_saved(&self, activity: Activity) {
        self.saved.set(Some(activity));
        let ctx = *self;
        spawn_local(async move { ctx.recount().await });
        self.sync_soon();
    }

    /// Reads the unsynced, refused and photo counts the status bar shows.
    pub async fn recount(&self) {
        let store = self.store();
        if let Ok(pending) = store.pending_count().await {
            self.status.pending.set(pending);
        }
        if let Ok(rejected) = store.rejected_count().await {
            self.status.rejected.set(rejected);
        }
        if let Ok(waiting) = store.waiting_photo_count().await {
            self.status.photos_waiting.set(waiting);
        }
    }

    pub fn role(&self) -> Option<Role> {
        self.session.with(|s| s.as_ref().map(|s| s.user.role))
    }

    pub fn token(&self) -> String {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            .unwrap_or_default()
    }
}

/// Today in the device's own time zone.
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}
