//! The components. They read signals and call the store and the sync
//! engine; no storage or network logic lives here.

use chrono::NaiveDate;
use futures::{FutureExt, StreamExt, channel::mpsc};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};
use tongxin_shared::{
    Activity, Category, CategoryInfo, PeopleServed, ValidationError,
    account::{LoginResponse, Role},
    error::Rule,
};
use uuid::Uuid;

use crate::{
    admin::AdminPage,
    api,
    ctx::{Ctx, SyncStatus, today},
    i18n::{self, Locale, t, t_string, use_i18n},
    livestream::LivestreamRoom,
    lock,
    manage::ManagePage,
    store::{OwnerChange, Store, SyncState},
    sync,
    ui::{LanguagePicker, category_options, discard_button, field_error, sync_words},
    update,
};

/// The local time of day, for "last synced at".
fn clock_time() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:02}:{:02}:{:02}",
        now.get_hours(),
        now.get_minutes(),
        now.get_seconds()
    )
}

/// Asks the browser not to evict this origin's storage under pressure:
/// the records in IndexedDB may exist nowhere else yet.
pub fn request_persistent_storage() {
    if let Some(window) = web_sys::window()
        && let Ok(storage) = window.navigator().storage().persist()
    {
        // The answer only matters to the browser; nothing to wait for.
        drop(storage);
    }
}

/// Chinese unless the user chose English on this device; the choice is
/// remembered for a year in a cookie.
fn remembered_language() -> leptos_i18n::context::CookieOptions<i18n::Locale> {
    const YEAR_MS: i64 = 365 * 24 * 60 * 60 * 1000;
    leptos_i18n::context::CookieOptions::<i18n::Locale>::default()
        .default_value(Some(i18n::Locale::zh))
        .max_age(YEAR_MS)
        .path("/")
}

#[component]
pub fn StoreUnavailable(error: String) -> impl IntoView {
    view! {
        <i18n::I18nContextProvider cookie_options=remembered_language()>
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
        <i18n::I18nContextProvider cookie_options=remembered_language()>
            <Shell store=store.get_value() session=session.clone()/>
        </i18n::I18nContextProvider>
    }
}

/// The app inside its language provider.
#[component]
fn Shell(store: Store, session: Option<LoginResponse>) -> impl IntoView {
    let i18n = use_i18n();
    let status = SyncStatus {
        online: RwSignal::new(false),
        pending: RwSignal::new(0),
        rejected: RwSignal::new(0),
        last_error: RwSignal::new(None),
        last_sync: RwSignal::new(None),
        revision: RwSignal::new(0),
        update_ready: RwSignal::new(false),
    };
    update::watch(status.update_ready);
    let (kick, kicks) = mpsc::unbounded();
    let ctx = Ctx::new(store.clone(), kick.clone(), status, session);
    provide_context(ctx);
    run_sync_loop(store, ctx, i18n, kicks);
    if let Some(window) = web_sys::window() {
        gloo_events::EventListener::new(&window, "online", move |_| {
            let _ = kick.unbounded_send(());
        })
        .forget();
    }

    let logged_in = move || ctx.session.with(Option::is_some);
    view! {
        <Router>
            <Show when=logged_in fallback=|| view! { <main><LoginForm/></main> }>
                <StatusBar/>
                <main>
                    <Show when=move || ctx.relogin.get()>
                        <LoginForm/>
                    </Show>
                    <Routes fallback=|| view! { <HomePage/> }>
                        <Route path=path!("/") view=HomePage/>
                        <Route path=path!("/admin") view=|| view! {
                            <ForRoles roles=ADMINS><AdminPage/></ForRoles>
                        }/>
                        <Route path=path!("/manage") view=|| view! {
                            <ForRoles roles=ADMINS><ManagePage/></ForRoles>
                        }/>
                        <Route path=path!("/room") view=|| view! {
                            <ForRoles roles=ROOM><LivestreamRoom/></ForRoles>
                        }/>
                    </Routes>
                </main>
            </Show>
        </Router>
    }
}

/// Who may open the admin's pages.
const ADMINS: &[Role] = &[Role::Admin];
/// Who may open the livestream room.
const ROOM: &[Role] = &[Role::Organiser, Role::Admin];

/// A page only some roles use. Anyone else who reaches it (by typing its
/// address: the nav does not offer it) gets a short message and a way
/// home, never forms whose changes the server would refuse. The page is
/// built once: a session renewed under it changes no role and rebuilds
/// nothing.
#[component]
fn ForRoles(roles: &'static [Role], children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let role = Memo::new(move |_| ctx.role());
    let allowed = move || role.get().is_some_and(|r| roles.contains(&r));
    let refused = move || {
        view! {
            <section class="not-for-role" id="not-for-role">
                <p role="alert">
                    {move || role.get().map(|r| i18n::not_for_your_role(i18n.get_locale(), r))}
                </p>
                <p class="back-home"><A href="/">{t!(i18n, back_home)}</A></p>
            </section>
        }
    };
    view! { <Show when=allowed fallback=refused>{children()}</Show> }
}

/// Syncs at start, whenever kicked (a local save, the browser coming back
/// online) and on a timer; after a failure it retries with exponential
/// back-off and jitter, capped so a returning signal is noticed quickly.
/// How long after a local save the sync waits for more saves.
const DEBOUNCE_MS: u32 = 300;

/// The Web Lock every tab takes for a sync round.
const SYNC_LOCK: &str = "tongxin-sync";

fn run_sync_loop(
    store: Store,
    ctx: Ctx,
    i18n: leptos_i18n::I18nContext<i18n::Locale>,
    mut kicks: mpsc::UnboundedReceiver<()>,
) {
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
            if let Some(session) = session {
                let round = store.clone();
                let outcome = lock::exclusive(SYNC_LOCK, move || async move {
                    sync::sync_once(&round, &session).await
                })
                .await;
                match outcome {
                    Ok(_) => {
                        failures = 0;
                        status.online.set(true);
                        status.last_error.set(None);
                        status.last_sync.set(Some(clock_time()));
                    }
                    Err(error) => {
                        failures = failures.saturating_add(1);
                        status.online.set(!error.is_offline());
                        if error.needs_login() {
                            ctx.relogin.set(true);
                        }
                        status.last_error.set(Some(if error.is_offline() {
                            t_string!(i18n, sync_offline).to_owned()
                        } else if error.needs_login() {
                            t_string!(i18n, session_expired).to_owned()
                        } else if error.needs_update() {
                            t_string!(i18n, please_update).to_owned()
                        } else {
                            error.to_string()
                        }));
                    }
                }
            }
            ctx.recount().await;
            status.revision.update(|r| *r += 1);
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

#[component]
fn StatusBar() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let status = ctx.status;
    let user_name = move || {
        ctx.session
            .with(|s| s.as_ref().map(|s| s.user.display_name.clone()))
    };
    let log_out = move |_| {
        let pending = status.pending.get_untracked();
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
            // Only the login is forgotten; every record stays.
            let _ = store.log_out().await;
            ctx.relogin.set(false);
            ctx.session.set(None);
        });
    };
    view! {
        <header class="status-bar">
            <span class="brand">{t!(i18n, app_name)}</span>
            <nav>
                <A href="/">{t!(i18n, nav_records)}</A>
                <Show when=move || ctx.role() == Some(Role::Admin)>
                    <A href="/admin">{t!(i18n, nav_admin)}</A>
                    <A href="/manage">{t!(i18n, manage_title)}</A>
                    <A href="/room">{t!(i18n, nav_room)}</A>
                </Show>
            </nav>
            <span class="user" id="user-name" translate="no">{user_name}</span>
            <LanguagePicker/>
            <button type="button" class="log-out" on:click=log_out>{t!(i18n, log_out)}</button>
            <span
                id="connection"
                class="connection"
                data-online=move || status.online.get().to_string()
                title=move || status.last_error.get().unwrap_or_default()
            >
                {move || if status.online.get() { t_string!(i18n, online) } else { t_string!(i18n, offline) }}
            </span>
            <span id="pending-count" class="pending">
                {t!(i18n, pending)} " " {move || status.pending.get()}
            </span>
            <Show when=move || { status.rejected.get() > 0 }>
                <span id="rejected-count" class="rejected-count">
                    {move || i18n::rejected_count(i18n.get_locale(), status.rejected.get())}
                </span>
            </Show>
            <button type="button" class="sync-now" on:click=move |_| ctx.sync_soon()>
                {t!(i18n, sync_now)}
            </button>
            <Show when=move || status.update_ready.get()>
                <p class="update-bar" id="update-ready" role="status">
                    {t!(i18n, new_version)}
                    <button type="button" class="reload" on:click=|_| update::apply()>{t!(i18n, reload)}</button>
                </p>
            </Show>
            <p class="sync-detail" id="sync-detail" role="status">
                {move || status.last_sync.get().map(|t| format!("{} {t}", t_string!(i18n, last_sync)))}
                {move || status.last_error.get().map(|e| view! { <span class="sync-error">{e}</span> })}
            </p>
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
    move || match role.get() {
        Some(Role::Organiser) => view! { <LivestreamRoom/> }.into_any(),
        _ => view! {
            <ActivityForm/>
            <MyRecords/>
        }
        .into_any(),
    }
}

/// The login form: the whole screen without a session, a panel above the
/// page when a session expired (the page stays usable under it).
#[component]
fn LoginForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let relogin = ctx.relogin.get_untracked();
    let known_user = ctx
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
        .unwrap_or_default();
    let username = RwSignal::new(known_user);
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let store = ctx.store();
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        spawn_local(async move {
            let outcome = match api::login(&name, &secret).await {
                Ok(session) => match store.log_in(&session).await {
                    Ok(OwnerChange::Done) => Ok(session),
                    Ok(OwnerChange::Blocked { owner, pending }) => {
                        api::logout(&session.token).await;
                        Err(i18n::other_users_records(
                            i18n.get_locale_untracked(),
                            &owner,
                            pending,
                        ))
                    }
                    Err(e) => Err(format!("{} {e}", t_string!(i18n, not_saved))),
                },
                Err(e) if e.is_offline() => Err(t_string!(i18n, login_needs_network).to_owned()),
                Err(api::ApiError::Server {
                    status: 429,
                    message,
                }) => Err(format!(
                    "{} ({message})",
                    t_string!(i18n, too_many_attempts)
                )),
                Err(api::ApiError::Server { status: 403, .. }) => {
                    Err(t_string!(i18n, account_disabled).to_owned())
                }
                Err(api::ApiError::Server { status: 401, .. }) => {
                    Err(t_string!(i18n, wrong_credentials).to_owned())
                }
                Err(e) => Err(e.to_string()),
            };
            busy.set(false);
            match outcome {
                Ok(session) => {
                    password.set(String::new());
                    ctx.session.set(Some(session));
                    ctx.relogin.set(false);
                    ctx.status.last_error.set(None);
                    ctx.changed();
                    ctx.sync_soon();
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form id="login-form" class="login-form" on:submit=submit>
            <LanguagePicker/>
            <h1>{move || if relogin { t_string!(i18n, relogin_title) } else { t_string!(i18n, login_title) }}</h1>
            <label>
                {t!(i18n, username)}
                <input name="username" type="text" autocomplete="username" autocapitalize="none" required bind:value=username/>
            </label>
            <label>
                {t!(i18n, password)}
                <input name="password" type="password" autocomplete="current-password" required bind:value=password/>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" id="login-error" role="alert">{e}</p> })}
            <button type="submit" class="save" disabled=move || busy.get()>{t!(i18n, log_in)}</button>
        </form>
    }
}

#[component]
fn ActivityForm() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let category = RwSignal::new(None::<Category>);
    let title = RwSignal::new(String::new());
    let station_id = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let volunteers = RwSignal::new(String::from("1"));
    let people_served = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let time = RwSignal::new(String::new());
    let organising_group = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let saved = RwSignal::new(false);

    let stations = LocalResource::new(move || {
        ctx.status.revision.track();
        let store = ctx.store();
        async move { store.stations().await.unwrap_or_default() }
    });

    // The options change only when the stations do, not on every sync
    // round: an open picker on a phone is not rebuilt under the thumb.
    let station_list = Memo::new(move |_| stations.get().unwrap_or_default());
    let categories = LocalResource::new(move || {
        ctx.status.revision.track();
        let store = ctx.store();
        async move {
            store
                .categories()
                .await
                .unwrap_or_else(|_| CategoryInfo::built_in())
        }
    });
    let category_list = Memo::new(move |_| categories.get().unwrap_or_default());

    // The form starts at the station of the last activity saved here.
    {
        let store = ctx.store();
        spawn_local(async move {
            if let Ok(Some(last)) = store.last_station().await
                && station_id.get_untracked().is_empty()
            {
                station_id.set(last);
            }
        });
    }

    // Tapping "edit" on a record loads it into the form.
    Effect::new(move |_| {
        if let Some(a) = ctx.editing.get() {
            category.set(Some(a.category.clone()));
            title.set(a.title.clone());
            station_id.set(a.station_id.clone());
            date.set(a.date.to_string());
            volunteers.set(a.volunteers.to_string());
            people_served.set(a.people_served.get().to_string());
            notes.set(a.notes.clone());
            time.set(
                a.time
                    .map(|t| t.format("%H:%M").to_string())
                    .unwrap_or_default(),
            );
            organising_group.set(a.organising_group.clone());
            errors.set(Vec::new());
            saved.set(false);
            if let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut problems = Vec::new();
        let count = |field: &str, text: String, problems: &mut Vec<ValidationError>| {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .unwrap_or_else(|| {
                    problems.push(ValidationError::new(field, Rule::NotANumber));
                    0
                })
        };
        let volunteers_n = count("volunteers", volunteers.get(), &mut problems);
        let people_n = count("people_served", people_served.get(), &mut problems);
        let people = PeopleServed::try_from(people_n).unwrap_or_else(|_| {
            problems.push(ValidationError::new(
                "people_served",
                Rule::AtMost {
                    max: PeopleServed::MAX,
                },
            ));
            PeopleServed::try_from(0).expect("0 is valid")
        });
        let date_value = NaiveDate::parse_from_str(&date.get(), "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(ValidationError::new("date", Rule::Required));
            today()
        });
        // No category chosen is an empty code, which the shared rules name
        // beside every other problem.
        let category_value = category.get().unwrap_or_else(|| Category::new(""));
        let activity = Activity {
            id: ctx
                .editing
                .with_untracked(|e| e.as_ref().map(|a| a.id))
                .unwrap_or_else(Uuid::now_v7),
            category: category_value,
            title: title.get().trim().to_owned(),
            station_id: station_id.get(),
            date: date_value,
            volunteers: u32::try_from(volunteers_n).unwrap_or(u32::MAX),
            people_served: people,
            notes: notes.get(),
            // The time input gives "HH:MM" (or "HH:MM:SS"), or nothing.
            time: ["%H:%M", "%H:%M:%S"]
                .iter()
                .find_map(|format| chrono::NaiveTime::parse_from_str(&time.get(), format).ok()),
            organising_group: organising_group.get().trim().to_owned(),
        };
        if let Err(rule_errors) = activity.validate(today()) {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            return;
        }
        let store = ctx.store();
        spawn_local(async move {
            match store.save_activity(&activity).await {
                Ok(()) => {
                    title.set(String::new());
                    people_served.set(String::new());
                    notes.set(String::new());
                    time.set(String::new());
                    ctx.editing.set(None);
                    saved.set(true);
                    ctx.saved_locally();
                }
                Err(error) => {
                    let message = if error.to_string().contains("QuotaExceededError") {
                        t_string!(i18n, storage_full).to_owned()
                    } else {
                        format!("{} {error}", t_string!(i18n, not_saved))
                    };
                    errors.set(vec![ValidationError::other("form", message)]);
                }
            }
        });
    };

    let field_error = move |field| field_error(errors, "", field);

    view! {
        <form id="activity-form" class="activity-form" on:submit=submit novalidate>
            <h1>{move || if ctx.editing.with(Option::is_some) { t_string!(i18n, form_title_edit) } else { t_string!(i18n, form_title) }}</h1>
            <fieldset class="chips">
                <legend>{t!(i18n, category)}</legend>
                // A retired category is offered only to a record that has it.
                {move || category_list
                    .get()
                    .into_iter()
                    .filter(|c| !c.retired || category.with(|chosen| chosen.as_ref() == Some(&c.code)))
                    .map(|c| {
                        let (pressed, chosen) = (c.code.clone(), c.code.clone());
                        let code = c.code.code().to_owned();
                        view! {
                            <button
                                type="button"
                                class="chip"
                                data-category=code
                                aria-pressed=move || category.with(|now| now.as_ref() == Some(&pressed)).to_string()
                                on:click=move |_| category.set(Some(chosen.clone()))
                            >
                                {move || c.name(i18n.get_locale() == Locale::en).to_owned()}
                            </button>
                        }
                    })
                    .collect_view()}
                {field_error("category")}
            </fieldset>
            <label>
                {t!(i18n, title)}
                <input name="title" type="text" maxlength="100" bind:value=title/>
                {field_error("title")}
            </label>
            <label>
                {t!(i18n, station)}
                <select name="station_id" on:change:target=move |ev| station_id.set(ev.target().value())>
                    <option value="">{t!(i18n, choose_station)}</option>
                    {move || {
                        let list = station_list.get();
                        if list.is_empty() {
                            view! { <option value="" disabled>{t!(i18n, no_stations)}</option> }.into_any()
                        } else {
                            list.into_iter()
                                .map(|s| {
                                    let id = s.id.clone();
                                    let selected = move || station_id.get() == id;
                                    view! { <option value=s.id.clone() selected=selected translate="no">{s.name.clone()}</option> }
                                })
                                .collect_view()
                                .into_any()
                        }
                    }}
                </select>
                {field_error("station_id")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, date)}
                    <input name="date" type="date" bind:value=date/>
                    {field_error("date")}
                </label>
                <label>
                    {t!(i18n, time)}
                    <input name="time" type="time" bind:value=time/>
                    {field_error("time")}
                </label>
            </div>
            <label>
                {t!(i18n, organising_group)}
                <input name="organising_group" type="text" maxlength="50"
                    placeholder=move || t_string!(i18n, organising_group_hint) bind:value=organising_group/>
                {field_error("organising_group")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, volunteers)}
                    <input name="volunteers" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=volunteers/>
                    {field_error("volunteers")}
                </label>
                <label>
                    {t!(i18n, people_served)}
                    <input name="people_served" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=people_served/>
                    {field_error("people_served")}
                </label>
            </div>
            <label>
                {t!(i18n, notes)}
                <textarea name="notes" rows="2" bind:value=notes></textarea>
                {field_error("notes")}
            </label>
            {field_error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{t!(i18n, saved)}</p>
            </Show>
        </form>
    }
}

/// The list shows the newest records only: a device that pulled the whole
/// district's records must not build a hundred thousand rows.
const RECORDS_SHOWN: usize = 200;

/// A record just deleted, offered back for a few seconds.
#[derive(Clone, PartialEq)]
struct Undo {
    id: Uuid,
    title: String,
}

/// How long the undo offer stays.
const UNDO_MS: u32 = 8_000;

#[component]
fn MyRecords() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let records = LocalResource::new(move || {
        ctx.status.revision.track();
        let store = ctx.store();
        async move {
            let stations = store.stations().await.unwrap_or_default();
            let categories = store.categories().await.unwrap_or_default();
            let list = store.activities().await.unwrap_or_default();
            (list, stations, categories)
        }
    });
    let search = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let undo = RwSignal::new(None::<Undo>);

    let delete = move |activity: Activity| {
        let store = ctx.store();
        spawn_local(async move {
            if store.set_deleted(activity.id, true).await.is_ok() {
                let offer = Undo {
                    id: activity.id,
                    title: activity.title,
                };
                undo.set(Some(offer.clone()));
                ctx.saved_locally();
                gloo_timers::future::TimeoutFuture::new(UNDO_MS).await;
                // Only this offer expires; a later delete keeps its own.
                if undo.get_untracked().as_ref() == Some(&offer) {
                    undo.set(None);
                }
            }
        });
    };
    let restore = move |_| {
        let Some(offer) = undo.get_untracked() else {
            return;
        };
        undo.set(None);
        let store = ctx.store();
        spawn_local(async move {
            if store.set_deleted(offer.id, false).await.is_ok() {
                ctx.saved_locally();
            }
        });
    };

    let months = move || {
        let mut months: Vec<String> = records
            .get()
            .map(|(list, _, _)| {
                list.iter()
                    .map(|(a, _)| a.date.format("%Y-%m").to_string())
                    .collect()
            })
            .unwrap_or_default();
        months.sort_unstable_by(|a, b| b.cmp(a));
        months.dedup();
        months
    };

    let rows = move || {
        let Some((list, stations, categories)) = records.get() else {
            return view! { <p>{t!(i18n, loading)}</p> }.into_any();
        };
        if list.is_empty() {
            return view! { <p class="empty">{t!(i18n, no_records)}</p> }.into_any();
        }
        let needle = search.get().trim().to_lowercase();
        let (category, month) = (category.get(), month.get());
        let matching: Vec<(Activity, SyncState)> = list
            .into_iter()
            .filter(|(a, _)| {
                (category.is_empty() || a.category.code() == category)
                    && (month.is_empty() || a.date.format("%Y-%m").to_string() == month)
                    && (needle.is_empty()
                        || a.title.to_lowercase().contains(&needle)
                        || a.notes.to_lowercase().contains(&needle))
            })
            .collect();
        if matching.is_empty() {
            return view! { <p class="empty" id="no-match">{t!(i18n, no_match)}</p> }.into_any();
        }
        let hidden = matching.len().saturating_sub(RECORDS_SHOWN);
        view! {
            <ul id="my-records">
                {matching
                    .into_iter()
                    .take(RECORDS_SHOWN)
                    .map(|(activity, state)| {
                        let station = stations
                            .iter()
                            .find(|s| s.id == activity.station_id)
                            .map_or(activity.station_id.clone(), |s| s.name.clone());
                        let category = categories.iter().find(|c| c.code == activity.category).cloned();
                        record_row(activity, state, station, category, delete)
                    })
                    .collect_view()}
            </ul>
            {(hidden > 0).then(|| view! {
                <p class="more-records">{move || t_string!(i18n, more_records, count = hidden)}</p>
            })}
        }
        .into_any()
    };

    view! {
        <section class="records">
            <h2>{t!(i18n, my_records)}</h2>
            <div class="filters">
                <label>
                    <span class="visually-hidden">{t!(i18n, search)}</span>
                    <input type="search" name="search" placeholder=move || t_string!(i18n, search) bind:value=search/>
                </label>
                <label>
                    <span class="visually-hidden">{t!(i18n, category)}</span>
                    <select name="filter_category" on:change:target=move |ev| category.set(ev.target().value())>
                        <option value="">{t!(i18n, all_categories)}</option>
                        {move || category_options(
                            records.get().map(|(_, _, categories)| categories).unwrap_or_default(),
                            category,
                        )}
                    </select>
                </label>
                <label>
                    <span class="visually-hidden">{t!(i18n, month)}</span>
                    <select name="filter_month" on:change:target=move |ev| month.set(ev.target().value())>
                        <option value="">{t!(i18n, all_months)}</option>
                        {move || months()
                            .into_iter()
                            .map(|m| {
                                let selected = month.get_untracked() == m;
                                view! { <option value=m.clone() selected=selected>{m.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
            </div>
            {move || undo.get().map(|offer| view! {
                <div class="undo-bar" role="status">
                    <span>{t!(i18n, deleted)} " " <q translate="no">{offer.title}</q></span>
                    <button type="button" class="undo" on:click=restore>{t!(i18n, undo)}</button>
                </div>
            })}
            {rows}
        </section>
    }
}

fn record_row(
    activity: Activity,
    state: SyncState,
    station: String,
    category: Option<CategoryInfo>,
    delete: impl Fn(Activity) + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let to_edit = activity.clone();
    let to_delete = activity.clone();
    let (id, rejected) = (activity.id, matches!(state, SyncState::Rejected(_)));
    let (code, label, reason) = sync_words(&state);
    view! {
        <li class="record" data-id=activity.id.to_string() data-sync=code data-date=activity.date.to_string()>
            <div class="record-main">
                <span class="record-title" translate="no">{activity.title}</span>
                <span class="record-meta">
                    {
                        let code = activity.category.code().to_owned();
                        move || category.as_ref().map_or(code.clone(), |c| c.name(i18n.get_locale() == Locale::en).to_owned())
                    } " · "
                    <span translate="no">{station}</span> " · "
                    {move || i18n::date(i18n.get_locale(), activity.date)}
                    {activity.time.map(|t| format!(" {}", t.format("%H:%M")))}
                </span>
            </div>
            <span class="record-people">{activity.people_served.get()} " " {t!(i18n, people_unit)}</span>
            <span class=format!("sync-badge sync-{code}")>{label}</span>
            {reason.map(|r| view! { <span class="reject-reason">{r}</span> })}
            <span class="record-actions">
                <button type="button" class="edit" on:click=move |_| ctx.editing.set(Some(to_edit.clone()))>
                    {t!(i18n, edit)}
                </button>
                <button type="button" class="delete" on:click=move |_| delete(to_delete.clone())>
                    {t!(i18n, delete)}
                </button>
                {rejected.then(|| discard_button(id))}
            </span>
        </li>
    }
}
