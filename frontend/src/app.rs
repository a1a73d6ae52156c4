//! The phone bundle's shell: the language provider, the router (each page
//! behind the roles that may open it), the status bar, and the sync loop
//! that fills the status every page reads. It routes to `pages`; the
//! office's pages (`/admin`, `/manage`) are the other bundle's, reached by
//! a full page load. Nothing imports the shell but `lib.rs`.

use futures::{FutureExt, StreamExt, channel::mpsc};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};
use tongxin_shared::account::{LoginResponse, Role};
use wasm_bindgen::JsCast;

use crate::{
    api,
    ctx::{Ctx, SyncProblem, SyncStatus},
    i18n::{self, t, t_string, use_i18n},
    lock,
    pages::{
        proposals::{ProposalPage, ProposalsPage},
        room::LivestreamRoom,
        volunteer::{ActivityForm, MyRecords},
    },
    store::Store,
    sync,
    ui::{ForRoles, LanguagePicker, LogOutButton, LoginForm},
    update,
};

/// Where the time of the last sync that reached the server is kept, so
/// "last synced" survives a reload.
const LAST_SYNC_KEY: &str = "tongxin.last_sync_ms";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// When the device last synced, as the user reads it: the time of day,
/// with the date in front when it was not today.
fn sync_time_words(ms: f64) -> String {
    let then = js_sys::Date::new(&ms.into());
    let now = js_sys::Date::new_0();
    let time = format!(
        "{:02}:{:02}:{:02}",
        then.get_hours(),
        then.get_minutes(),
        then.get_seconds()
    );
    if then.to_date_string() == now.to_date_string() {
        time
    } else {
        format!(
            "{}-{:02}-{:02} {time}",
            then.get_full_year(),
            then.get_month() + 1,
            then.get_date()
        )
    }
}

/// Notes a sync that reached the server now.
fn remember_sync(status: SyncStatus) {
    let now = js_sys::Date::now();
    if let Some(storage) = local_storage() {
        let _ = storage.set_item(LAST_SYNC_KEY, &now.to_string());
    }
    status.last_sync.set(Some(sync_time_words(now)));
}

/// The last sync a previous visit noted, if any.
fn remembered_sync() -> Option<String> {
    let ms: f64 = local_storage()?
        .get_item(LAST_SYNC_KEY)
        .ok()??
        .parse()
        .ok()?;
    Some(sync_time_words(ms))
}

#[component]
pub fn StoreUnavailable(error: String) -> impl IntoView {
    view! {
        <i18n::I18nContextProvider cookie_options=i18n::remembered_language()>
            <StoreError error=error.clone()/>
        </i18n::I18nContextProvider>
    }
}

#[component]
fn StoreError(error: String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="fatal" role="alert">{t!(i18n, store_unavailable)}{error}</p> }
}

#[component]
pub fn App(store: Store, session: Option<LoginResponse>) -> impl IntoView {
    // The store is not `Send`; the provider's children must be.
    let store = StoredValue::new_local(store);
    view! {
        <i18n::I18nContextProvider cookie_options=i18n::remembered_language()>
            <Shell store=store.get_value() session=session.clone()/>
        </i18n::I18nContextProvider>
    }
}

/// The app inside its language provider.
#[component]
fn Shell(store: Store, session: Option<LoginResponse>) -> impl IntoView {
    let i18n = use_i18n();
    let status = SyncStatus::new(false);
    status.last_sync.set(remembered_sync());
    update::watch(status.update_ready);
    let (kick, kicks) = mpsc::unbounded();
    let ctx = Ctx::new(store.clone(), kick.clone(), status, session);
    provide_context(ctx);
    run_sync_loop(store, ctx, kicks);
    watch_connection(ctx);
    if let Some(window) = web_sys::window() {
        gloo_events::EventListener::new(&window, "online", move |_| {
            let _ = kick.unbounded_send(());
        })
        .forget();
        // The browser knows the signal went before any request fails.
        gloo_events::EventListener::new(&window, "offline", move |_| {
            status.online.set(false);
        })
        .forget();
    }

    let logged_in = move || ctx.session.with(Option::is_some);
    view! {
        <Router>
            <Show when=logged_in fallback=move || view! {
                <main>
                    <p class="login-brand">{t!(i18n, app_name)}</p>
                    <LoginForm/>
                </main>
            }>
                <StatusBar/>
                <main>
                    <Show when=move || ctx.relogin.get()>
                        <LoginForm/>
                    </Show>
                    <Routes fallback=|| view! { <HomePage/> }>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/proposals") view=ProposalsPage/>
                        <Route path=path!("/proposals/:id") view=ProposalPage/>
                        <Route path=path!("/room") view=|| view! {
                            <ForRoles roles=ROOM><LivestreamRoom/></ForRoles>
                        }/>
                    </Routes>
                </main>
            </Show>
        </Router>
    }
}

/// Who may open the livestream room.
const ROOM: &[Role] = &[Role::Organiser, Role::Admin];

/// What this site keeps on the device (records, photos, the app), in MB,
/// as the browser estimates it.
async fn storage_used_mb() -> Option<f64> {
    let storage = web_sys::window()?.navigator().storage();
    let estimate = wasm_bindgen_futures::JsFuture::from(storage.estimate().ok()?)
        .await
        .ok()?;
    let estimate: web_sys::StorageEstimate = estimate.unchecked_into();
    estimate.get_usage().map(|bytes| bytes / 1_000_000.0)
}

/// How long after a local save the sync waits for more saves.
const DEBOUNCE_MS: u32 = 300;

/// The Web Lock every tab takes for a sync round.
const SYNC_LOCK: &str = "tongxin-sync";

/// Syncs at start, whenever kicked (a local save, the browser coming back
/// online) and on a timer; after a failure it retries with exponential
/// back-off and jitter, capped so a returning signal is noticed quickly.
fn run_sync_loop(store: Store, ctx: Ctx, mut kicks: mpsc::UnboundedReceiver<()>) {
    let status = ctx.status;
    spawn_local(async move {
        let mut failures: u32 = 0;
        loop {
            // Without a usable session there is nothing to sync; the loop
            // waits for a kick (the login sends one).
            let session = ctx
                .session
                .get_untracked()
                .filter(|_| !ctx.relogin.get_untracked());
            // Lists reload only when a round changed what this device holds:
            // a timer's round that brought nothing redraws nothing.
            let (mut changed, mut reference_changed) = (false, false);
            if let Some(session) = session {
                let round = store.clone();
                status.syncing.set(true);
                let outcome = lock::exclusive(SYNC_LOCK, move || async move {
                    sync::sync_once(&round, &session).await
                })
                .await;
                status.syncing.set(false);
                match outcome {
                    Ok(report) => {
                        failures = 0;
                        changed = report.pushed > 0 || report.pulled > 0;
                        reference_changed = report.reference_changed;
                        status.online.set(true);
                        status.last_error.set(None);
                        remember_sync(status);
                    }
                    Err(error) => {
                        failures = failures.saturating_add(1);
                        status.online.set(!error.is_offline());
                        if error.needs_login() {
                            ctx.relogin.set(true);
                        }
                        status.last_error.set(Some(error.problem()));
                    }
                }
            }
            ctx.recount().await;
            if changed {
                ctx.changed();
            }
            if reference_changed {
                ctx.reference_changed();
            }
            status.storage_used_mb.set(storage_used_mb().await);
            let delay_ms = if failures == 0 {
                15_000
            } else {
                let base = 500u32.saturating_mul(1 << failures.min(4)).min(5_000);
                let jitter = (js_sys::Math::random() * f64::from(base) * 0.3) as u32;
                base - jitter
            };
            let timer = gloo_timers::future::TimeoutFuture::new(delay_ms).fuse();
            let kicked = kicks.next().fuse();
            futures::pin_mut!(timer, kicked);
            let was_kicked = futures::select! {
                () = timer => false,
                _ = kicked => true,
            };
            if was_kicked {
                // Let a burst of saves settle into one round.
                gloo_timers::future::TimeoutFuture::new(DEBOUNCE_MS).await;
                while kicks.try_recv().is_ok() {}
            }
        }
    });
}

/// How often the shell asks whether the server answers, while the app is
/// on screen: "offline" shows within a few seconds of the signal going,
/// not at the next sync round.
const CONNECTION_CHECK_MS: u32 = 3_000;

/// Asks the server (`/api/ping`, a few hundred bytes) every few seconds
/// while the page is visible: an answer after silence starts a sync round,
/// silence turns the bar to "offline".
fn watch_connection(ctx: Ctx) {
    let status = ctx.status;
    spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(CONNECTION_CHECK_MS).await;
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.visibility_state() == web_sys::VisibilityState::Visible);
            // A round under way tells the same thing on its own.
            if !visible || status.syncing.get_untracked() {
                continue;
            }
            let answers = api::reachable(CONNECTION_CHECK_MS).await;
            let was_online = status.online.get_untracked();
            if answers && !was_online {
                ctx.sync_soon();
            } else if !answers && was_online && !status.syncing.get_untracked() {
                status.online.set(false);
                status.last_error.set(Some(SyncProblem::Offline));
            }
        }
    });
}

#[component]
fn StatusBar() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let status = ctx.status;
    let user_name = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.user.display_name.clone()))
    };
    let state = move || {
        if status.syncing.get() {
            "syncing"
        } else if status.online.get() {
            "online"
        } else {
            "offline"
        }
    };
    // "Details" takes the user to the top of the page, where the last sync,
    // its error and "sync now" are.
    let show_details = move |_| {
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    };
    view! {
        // Pinned: one line, whatever the language or the counts.
        <div class="sync-bar" id="status-bar">
            <span
                id="connection"
                class="connection"
                data-state=state
                data-online=move || status.online.get().to_string()
            >
                {move || match state() {
                    "syncing" => t_string!(i18n, syncing),
                    "online" => t_string!(i18n, online),
                    _ => t_string!(i18n, offline),
                }}
            </span>
            <span id="pending-count" class="pending">
                {t!(i18n, pending)} " " {move || status.pending.get()}
            </span>
            <Show when=move || { status.photos_waiting.get() > 0 }>
                <span
                    id="photos-waiting"
                    class="photos-waiting"
                    title=move || i18n::photos_waiting(i18n.get_locale(), status.photos_waiting.get())
                >
                    "📷 " {move || status.photos_waiting.get()}
                </span>
            </Show>
            <Show when=move || { status.rejected.get() > 0 }>
                <span id="rejected-count" class="rejected-count">
                    {move || i18n::rejected_short(i18n.get_locale(), status.rejected.get())}
                </span>
            </Show>
            <button type="button" class="show-details" aria-controls="sync-detail" on:click=show_details>
                {t!(i18n, sync_details)}
            </button>
        </div>
        // Scrolls away with the page.
        <header class="app-header">
            <div class="header-row">
                <span class="brand">{t!(i18n, app_name)}</span>
                <nav>
                    // An organiser's only page is the room, which is home.
                    <Show when=move || ctx.role() != Some(Role::Organiser)>
                        <A href="/">{t!(i18n, nav_records)}</A>
                    </Show>
                    <Show when=move || ctx.role() == Some(Role::Admin)>
                        // The office is a bundle of its own: a full page load.
                        <a href="/admin" rel="external">{t!(i18n, nav_admin)}</a>
                        <a href="/manage" rel="external">{t!(i18n, manage_title)}</a>
                        <A href="/room">{t!(i18n, nav_room)}</A>
                    </Show>
                    <A href="/proposals">{t!(i18n, nav_proposals)}</A>
                </nav>
            </div>
            <div class="header-row">
                <span class="user" id="user-name" translate="no">{user_name}</span>
                <LanguagePicker/>
                <LogOutButton/>
            </div>
            <Show when=move || status.update_ready.get()>
                <p class="update-bar" id="update-ready" role="status">
                    {t!(i18n, new_version)}
                    <button type="button" class="reload" on:click=|_| update::apply()>{t!(i18n, reload)}</button>
                </p>
            </Show>
            <div class="sync-detail-row">
                <p class="sync-detail" id="sync-detail" role="status" tabindex="-1">
                    {move || status.last_sync.get().map(|t| format!("{} {t}", t_string!(i18n, last_sync)))}
                    {move || status.storage_used_mb.get().map(|mb| view! {
                        <span class="storage-used">{i18n::storage_used(i18n.get_locale(), mb)}</span>
                    })}
                    <Show when=move || { status.photos_waiting.get() > 0 }>
                        <span class="photos-help">
                            {move || i18n::photos_waiting(i18n.get_locale(), status.photos_waiting.get())}
                        </span>
                    </Show>
                    <Show when=move || { status.rejected.get() > 0 }>
                        <span class="rejected-help">
                            {move || i18n::rejected_count(i18n.get_locale(), status.rejected.get())}
                        </span>
                    </Show>
                    {move || status.last_error.get().map(|e| view! { <span class="sync-error">{e.words(i18n.get_locale())}</span> })}
                </p>
                <button type="button" class="sync-now" on:click=move |_| ctx.sync_soon()>
                    {t!(i18n, sync_now)}
                </button>
            </div>
        </header>
    }
}

/// What a user sees first: volunteers and admins record activities;
/// organisers get their livestream room. Built again only when the role
/// changes, not when a session is renewed: the forms keep what is typed.
#[component]
fn HomePage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let role = Memo::new(move |_| ctx.role());
    // The list is drawn a task after the form: drawing both in one went
    // over 50 ms after a login (60–70 ms measured), and the form is what
    // the user reaches for first.
    let list_drawn = RwSignal::new(false);
    gloo_timers::callback::Timeout::new(0, move || list_drawn.set(true)).forget();
    move || match role.get() {
        Some(Role::Organiser) => view! { <LivestreamRoom/> }.into_any(),
        _ => view! {
            <ActivityForm/>
            <Show when=move || list_drawn.get()>
                <MyRecords/>
            </Show>
        }
        .into_any(),
    }
}
