//! The admin's accounts, stations and categories: who may log in, as
//! what, for which stations, the stations themselves, and the categories
//! activities are recorded under. Online only, like the figures; the
//! server checks every rule again.

use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    Station, StationKind, ValidationError,
    account::{AccountChange, AccountListing, NewAccount, Role, UserInfo, validate_new_password},
    proposal::GroupInfo,
    sync::ReferenceData,
};

use crate::{
    api,
    ctx::Ctx,
    i18n::{self, t, t_string, use_i18n},
    ui::field_error,
};

/// Sends a form's change to the admin API. Once the server has taken it,
/// `done` runs and every list on the page reloads (`changed`); a refusal
/// is shown in the user's language (`errors`): each rule the server named
/// next to its field when the form has it (`fields`), else under the form.
#[allow(clippy::too_many_arguments)]
fn send_change<B: serde::Serialize + 'static, T: serde::de::DeserializeOwned + 'static>(
    ctx: Ctx,
    method: &'static str,
    url: String,
    body: B,
    fields: &'static [&'static str],
    errors: RwSignal<Vec<ValidationError>>,
    changed: RwSignal<u32>,
    done: impl FnOnce() + 'static,
) {
    let i18n = use_i18n();
    let token = ctx.token();
    spawn_local(async move {
        match api::send::<B, T>(method, &url, &token, &body).await {
            Ok(_) => {
                done();
                changed.update(|n| *n += 1);
            }
            Err(error) => {
                errors.set(refusal(i18n.get_locale_untracked(), &error, fields));
                if error.needs_login() {
                    ctx.relogin.set(true);
                }
            }
        }
    });
}

/// A refused change as a form shows it: the rules about its `fields` next
/// to them, everything else under the form (`form`), all in the locale's
/// words, never the server's English.
fn refusal(locale: i18n::Locale, error: &api::ApiError, fields: &[&str]) -> Vec<ValidationError> {
    let named: Vec<ValidationError> = match error {
        api::ApiError::Server { errors, .. } => errors
            .iter()
            .filter(|e| e.rule != tongxin_shared::error::Rule::Other)
            .map(|e| {
                if fields.contains(&e.field.as_str()) {
                    e.clone()
                } else {
                    ValidationError::other("form", i18n::rule_message(locale, e))
                }
            })
            .collect(),
        api::ApiError::Offline(_) => Vec::new(),
    };
    if named.is_empty() {
        let words = match error {
            api::ApiError::Offline(_) => i18n::td_string!(locale, admin_offline).to_owned(),
            _ => i18n::api_error_message(locale, error),
        };
        vec![ValidationError::other("form", words)]
    } else {
        named
    }
}

#[component]
pub fn ManagePage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    if ctx.role() != Some(Role::Admin) {
        return view! { <p class="admin-only" role="alert">{t!(i18n, admin_only)}</p> }.into_any();
    }
    // Bumped after every change, so both lists reload.
    let changed = RwSignal::new(0u32);
    let token = ctx.token();
    let users = LocalResource::new({
        let token = token.clone();
        move || {
            changed.track();
            let token = token.clone();
            async move { api::get::<Vec<AccountListing>>("/api/admin/users", &token).await }
        }
    });
    // Stations and categories, both from the reference data.
    let reference = LocalResource::new(move || {
        changed.track();
        let token = token.clone();
        async move {
            api::get::<ReferenceData>("/api/reference", &token)
                .await
                .unwrap_or_default()
        }
    });
    let station_list = Memo::new(move |_| reference.get().map(|r| r.stations).unwrap_or_default());
    let category_list = Memo::new(move |_| {
        reference
            .get()
            .map(|r| r.categories)
            .unwrap_or_default()
            .into_iter()
            .map(|c| GroupInfo {
                code: c.code.code().to_owned(),
                name_zh: c.name_zh,
                name_en: c.name_en,
                retired: c.retired,
            })
            .collect()
    });
    let group_list = Memo::new(move |_| reference.get().map(|r| r.groups).unwrap_or_default());
    view! {
        <section class="manage">
            <h1>{t!(i18n, manage_title)}</h1>
            <h2 id="accounts-title">{t!(i18n, accounts)}</h2>
            <Transition fallback=move || view! { <p>{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Err(error) => view! {
                            <p class="admin-offline" role="alert">{move || office_error(i18n.get_locale(), &error)}</p>
                        }.into_any(),
                        Ok(list) => accounts_table(list, changed, station_list).into_any(),
                    }
                })}
            </Transition>
            <AccountForm stations=station_list changed/>
            <PasswordForm users changed/>
            <h2 id="stations-title">{t!(i18n, stations_title)}</h2>
            <div class="table-scroll" role="region" aria-labelledby="stations-title" tabindex="0">
            <table class="breakdown" id="stations-table">
                <thead><tr>
                    <th scope="col">{t!(i18n, station_id)}</th>
                    <th scope="col">{t!(i18n, station_name)}</th>
                    <th scope="col">{t!(i18n, station_kind)}</th>
                    <th scope="col">{t!(i18n, street)}</th>
                    <th scope="col">{t!(i18n, community)}</th>
                </tr></thead>
                <tbody>
                    {move || station_list.get().into_iter().map(|s| view! {
                        <tr data-id=s.id.clone()>
                            <td>{s.id.clone()}</td>
                            <td translate="no">{s.name}</td>
                            <td>{move || i18n::station_kind(i18n.get_locale(), s.kind)}</td>
                            <td translate="no">{s.street}</td>
                            <td translate="no">{s.community}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
            <StationForm changed/>
            <KeptEntries list=KeptList::Categories entries=category_list changed/>
            <KeptEntries list=KeptList::Groups entries=group_list changed/>
        </section>
    }
    .into_any()
}

/// A failed request as the office says it: the server out of reach, or
/// its refusal in the user's language.
fn office_error(locale: i18n::Locale, error: &api::ApiError) -> String {
    if error.is_offline() {
        i18n::td_string!(locale, admin_offline).to_owned()
    } else {
        i18n::api_error_message(locale, error)
    }
}

/// The names of the stations with these ids, as the station list has them
/// (an id the list lacks is shown as it is).
fn station_names(locale: i18n::Locale, ids: &[String], stations: &[Station]) -> String {
    let separator = match locale {
        i18n::Locale::zh => "、",
        i18n::Locale::en => ", ",
    };
    ids.iter()
        .map(|id| {
            stations
                .iter()
                .find(|s| &s.id == id)
                .map_or_else(|| id.clone(), |s| s.name.clone())
        })
        .collect::<Vec<_>>()
        .join(separator)
}

fn accounts_table(
    list: Vec<AccountListing>,
    changed: RwSignal<u32>,
    station_list: Memo<Vec<Station>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    // A refused enable or disable, in the user's language.
    let refused = RwSignal::new(None::<api::ApiError>);
    let toggle = move |username: String, disabled: bool| {
        let token = ctx.token();
        refused.set(None);
        spawn_local(async move {
            let change = AccountChange {
                disabled: Some(disabled),
                ..AccountChange::default()
            };
            let url = format!("/api/admin/users/{username}");
            let done: Result<AccountListing, _> = api::send("PATCH", &url, &token, &change).await;
            match done {
                Ok(_) => changed.update(|n| *n += 1),
                Err(error) => {
                    if error.needs_login() {
                        ctx.relogin.set(true);
                    }
                    refused.set(Some(error));
                }
            }
        });
    };
    view! {
        {move || refused.get().map(|error| view! {
            <p class="field-error" id="accounts-error" role="alert">
                {move || office_error(i18n.get_locale(), &error)}
            </p>
        })}
        <div class="table-scroll" role="region" aria-labelledby="accounts-title" tabindex="0">
        <table class="breakdown" id="accounts">
            <thead><tr>
                <th scope="col">{t!(i18n, username)}</th>
                <th scope="col">{t!(i18n, display_name)}</th>
                <th scope="col">{t!(i18n, role)}</th>
                <th scope="col">{t!(i18n, stations_assigned)}</th>
                <th scope="col">{t!(i18n, state)}</th>
                <th scope="col"><span class="visually-hidden">{t!(i18n, disable)}</span></th>
            </tr></thead>
            <tbody>
                {list.into_iter().map(|account| {
                    let UserInfo { username, display_name, role, stations, .. } = account.user;
                    let name = username.clone();
                    let disabled = account.disabled;
                    let state = move || if disabled {
                        t_string!(i18n, disabled_state)
                    } else if account.locked {
                        t_string!(i18n, locked_state)
                    } else {
                        t_string!(i18n, active_state)
                    };
                    view! {
                        <tr data-username=username.clone() data-disabled=disabled.to_string()>
                            <td translate="no">{username.clone()}</td>
                            <td translate="no">{display_name}</td>
                            <td>{move || i18n::role(i18n.get_locale(), role)}</td>
                            <td translate="no" class="station-names">{move || station_list.with(|all| station_names(i18n.get_locale(), &stations, all))}</td>
                            <td>{state}</td>
                            <td>
                                <button type="button" class="toggle-disabled"
                                    on:click=move |_| toggle(name.clone(), !disabled)>
                                    {move || if disabled { t_string!(i18n, enable) } else { t_string!(i18n, disable) }}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
fn AccountForm(stations: Memo<Vec<Station>>, changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Volunteer);
    let chosen = RwSignal::new(Vec::<String>::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let saved = RwSignal::new(false);
    let error = move |field| field_error(errors, "account-", field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let account = NewAccount {
            username: username.get().trim().to_owned(),
            display_name: display_name.get().trim().to_owned(),
            role: role.get(),
            stations: chosen.get(),
            password: password.get(),
        };
        if let Err(problems) = account.validate() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        send_change::<_, UserInfo>(
            ctx,
            "POST",
            "/api/admin/users".into(),
            account,
            &["username", "display_name", "stations", "password"],
            errors,
            changed,
            move || {
                username.set(String::new());
                display_name.set(String::new());
                password.set(String::new());
                chosen.set(Vec::new());
                saved.set(true);
            },
        );
    };
    let toggle_station = move |id: String, on: bool| {
        chosen.update(|list| {
            list.retain(|s| *s != id);
            if on {
                list.push(id);
            }
        });
    };
    view! {
        <form id="account-form" class="activity-form" on:submit=submit novalidate>
            <h3>{t!(i18n, new_account)}</h3>
            <div class="counts">
                <label>
                    {t!(i18n, username)}
                    <input name="username" type="text" autocapitalize="none" bind:value=username/>
                    {error("username")}
                </label>
                <label>
                    {t!(i18n, display_name)}
                    <input name="display_name" type="text" maxlength="50" bind:value=display_name/>
                    {error("display_name")}
                </label>
            </div>
            <label>
                {t!(i18n, role)}
                <select name="role" on:change:target=move |ev| {
                    role.set(Role::from_code(&ev.target().value()).unwrap_or(Role::Volunteer))
                }>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.code() selected=move || role.get() == r>
                            {move || i18n::role(i18n.get_locale(), r)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || role.get() == Role::Volunteer>
                <fieldset class="station-choice">
                    <legend>{t!(i18n, stations_assigned)}</legend>
                    {move || stations.get().into_iter().map(|s| {
                        let id = s.id.clone();
                        let checked = {
                            let id = id.clone();
                            move || chosen.with(|list| list.contains(&id))
                        };
                        view! {
                            <label class="check">
                                <input type="checkbox" name="stations" value=id.clone() prop:checked=checked
                                    on:change:target=move |ev| toggle_station(id.clone(), ev.target().checked())/>
                                <span translate="no">{s.name}</span>
                            </label>
                        }
                    }).collect_view()}
                    {error("stations")}
                </fieldset>
            </Show>
            <label>
                {t!(i18n, first_password)}
                <input name="password" type="password" autocomplete="new-password" bind:value=password/>
                {error("password")}
            </label>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{t!(i18n, saved_done)}</p>
            </Show>
        </form>
    }
}

#[component]
fn PasswordForm(
    users: LocalResource<Result<Vec<AccountListing>, api::ApiError>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let saved = RwSignal::new(false);
    let error = move |field| field_error(errors, "reset-", field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut problems = Vec::new();
        if username.get().is_empty() {
            problems.push(ValidationError::new(
                "username",
                tongxin_shared::error::Rule::Required,
            ));
        }
        problems.extend(validate_new_password(&username.get(), &password.get()).err());
        errors.set(problems.clone());
        if !problems.is_empty() {
            return;
        }
        let change = AccountChange {
            password: Some(password.get()),
            ..AccountChange::default()
        };
        let url = format!("/api/admin/users/{}", username.get());
        let fields = &["username", "password"];
        send_change::<_, AccountListing>(
            ctx,
            "PATCH",
            url,
            change,
            fields,
            errors,
            changed,
            move || {
                password.set(String::new());
                saved.set(true);
            },
        );
    };
    view! {
        <form id="reset-form" class="activity-form" on:submit=submit novalidate>
            <h3>{t!(i18n, reset_password)}</h3>
            <div class="counts">
                <label>
                    {t!(i18n, username)}
                    <select name="username" on:change:target=move |ev| username.set(ev.target().value())>
                        <option value="">{t!(i18n, choose_user)}</option>
                        {move || users.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|a| {
                            let name = a.user.username;
                            let selected = username.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected translate="no">{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {error("username")}
                </label>
                <label>
                    {t!(i18n, new_password)}
                    <input name="password" type="password" autocomplete="new-password" bind:value=password/>
                    {error("password")}
                </label>
            </div>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{t!(i18n, saved_done)}</p>
            </Show>
        </form>
    }
}

#[component]
fn StationForm(changed: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(StationKind::LiaisonStation);
    let street = RwSignal::new(String::new());
    let community = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, "station-", field);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let station = Station {
            id: id.get().trim().to_owned(),
            name: name.get().trim().to_owned(),
            kind: kind.get(),
            street: street.get().trim().to_owned(),
            community: community.get().trim().to_owned(),
        };
        if let Err(problems) = station.validate() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        send_change::<_, Station>(
            ctx,
            "POST",
            "/api/admin/stations".into(),
            station,
            &["id", "name", "street", "community"],
            errors,
            changed,
            move || {
                id.set(String::new());
                name.set(String::new());
            },
        );
    };
    view! {
        <form id="station-form" class="activity-form" on:submit=submit novalidate>
            <h3>{t!(i18n, new_station)}</h3>
            <div class="counts">
                <label>
                    {t!(i18n, station_id)}
                    <input name="id" type="text" autocapitalize="none" placeholder="st-yongqing" bind:value=id/>
                    {error("id")}
                </label>
                <label>
                    {t!(i18n, station_name)}
                    <input name="name" type="text" maxlength="50" bind:value=name/>
                    {error("name")}
                </label>
            </div>
            <label>
                {t!(i18n, station_kind)}
                <select name="kind" on:change:target=move |ev| {
                    kind.set(StationKind::from_code(&ev.target().value()).unwrap_or(StationKind::LiaisonStation))
                }>
                    {StationKind::ALL.into_iter().map(|k| view! {
                        <option value=k.code() selected=move || kind.get() == k>
                            {move || i18n::station_kind(i18n.get_locale(), k)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, street)}
                    <input name="street" type="text" maxlength="50" bind:value=street/>
                    {error("street")}
                </label>
                <label>
                    {t!(i18n, community)}
                    <input name="community" type="text" maxlength="50" bind:value=community/>
                    {error("community")}
                </label>
            </div>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}

/// A list admins keep: the categories of activities, or the groups
/// proposals come from. Both are codes with a name in each language, never
/// deleted, only retired (no longer offered; records that have one keep
/// it) or brought back, and the same rules check them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeptList {
    Categories,
    Groups,
}

impl KeptList {
    fn api(self) -> &'static str {
        match self {
            KeptList::Categories => "/api/admin/categories",
            KeptList::Groups => "/api/admin/groups",
        }
    }

    /// The prefix of the form's id and the edit buttons' class.
    fn id(self) -> &'static str {
        match self {
            KeptList::Categories => "category",
            KeptList::Groups => "group",
        }
    }

    /// The prefix of the table's and the title's ids.
    fn plural(self) -> &'static str {
        match self {
            KeptList::Categories => "categories",
            KeptList::Groups => "groups",
        }
    }

    fn error_prefix(self) -> &'static str {
        match self {
            KeptList::Categories => "category-",
            KeptList::Groups => "group-",
        }
    }
}

/// A list admins keep: add an entry, rename one, retire one or bring it
/// back. Entries travel as [`GroupInfo`], whose JSON a category's is too.
#[component]
fn KeptEntries(
    list: KeptList,
    entries: Memo<Vec<GroupInfo>>,
    changed: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let editing = RwSignal::new(None::<GroupInfo>);
    let code = RwSignal::new(String::new());
    let name_zh = RwSignal::new(String::new());
    let name_en = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, list.error_prefix(), field);
    Effect::new(move |_| {
        if let Some(c) = editing.get() {
            code.set(c.code.clone());
            name_zh.set(c.name_zh.clone());
            name_en.set(c.name_en.clone());
            errors.set(Vec::new());
        }
    });
    // Sends a new or changed entry; the list reloads when it is stored.
    let send = move |entry: GroupInfo, new: bool| {
        let (method, url) = if new {
            ("POST", list.api().to_owned())
        } else {
            ("PUT", format!("{}/{}", list.api(), entry.code))
        };
        let sent = entry.code.clone();
        let fields = &["code", "name_zh", "name_en"];
        send_change::<_, GroupInfo>(
            ctx,
            method,
            url,
            entry,
            fields,
            errors,
            changed,
            move || {
                if editing.with_untracked(|e| e.as_ref().is_none_or(|e| e.code == sent)) {
                    editing.set(None);
                    code.set(String::new());
                    name_zh.set(String::new());
                    name_en.set(String::new());
                }
            },
        );
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let editing_now = editing.get_untracked();
        let entry = GroupInfo {
            code: code.get().trim().to_owned(),
            name_zh: name_zh.get().trim().to_owned(),
            name_en: name_en.get().trim().to_owned(),
            retired: editing_now.as_ref().is_some_and(|c| c.retired),
        };
        if let Err(problems) = entry.validate() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        send(entry, editing_now.is_none());
    };
    // A group's code is worded as a group's, not a category's: its errors
    // name the field so.
    let code_field = match list {
        KeptList::Categories => "code",
        KeptList::Groups => "group_code",
    };
    Effect::new(move |_| {
        if code_field != "code" && errors.with(|es| es.iter().any(|e| e.field == "code")) {
            errors.update(|es| {
                for e in es.iter_mut().filter(|e| e.field == "code") {
                    e.field = code_field.to_owned();
                }
            });
        }
    });
    let id = list.id();
    let title_id = format!("{}-title", list.plural());
    let is_groups = list == KeptList::Groups;
    view! {
        <h2 id=title_id.clone()>{move || if is_groups { t_string!(i18n, groups_title) } else { t_string!(i18n, categories_title) }}</h2>
        <div class="table-scroll" role="region" aria-labelledby=title_id tabindex="0">
        <table class="breakdown" id=format!("{}-table", list.plural())>
            <thead><tr>
                <th scope="col">{move || if is_groups { t_string!(i18n, group_code) } else { t_string!(i18n, category_code) }}</th>
                <th scope="col">{t!(i18n, category_name_zh)}</th>
                <th scope="col">{t!(i18n, category_name_en)}</th>
                <th scope="col">{t!(i18n, category_state)}</th>
                <th scope="col"><span class="visually-hidden">{t!(i18n, edit)}</span></th>
            </tr></thead>
            <tbody>
                {move || entries.get().into_iter().map(|c| {
                    let (to_edit, mut toggled) = (c.clone(), c.clone());
                    toggled.retired = !c.retired;
                    let retired = c.retired;
                    view! {
                        <tr data-code=c.code.clone() data-retired=retired.to_string()>
                            <td>{c.code.clone()}</td>
                            <td translate="no" lang="zh">{c.name_zh.clone()}</td>
                            <td translate="no" lang="en">{c.name_en.clone()}</td>
                            <td>{move || if retired { t_string!(i18n, category_retired) } else { t_string!(i18n, category_in_use) }}</td>
                            <td>
                                <button type="button" class=format!("edit-{id}")
                                    on:click=move |_| editing.set(Some(to_edit.clone()))>
                                    {t!(i18n, edit)}
                                </button>
                                " "
                                <button type="button" class="toggle-retired"
                                    on:click=move |_| send(toggled.clone(), false)>
                                    {move || if retired { t_string!(i18n, restore) } else { t_string!(i18n, retire) }}
                                </button>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <form id=format!("{id}-form") class="activity-form" on:submit=submit novalidate>
            <h3>{move || match (is_groups, editing.with(Option::is_some)) {
                (false, true) => t_string!(i18n, edit_category),
                (false, false) => t_string!(i18n, new_category),
                (true, true) => t_string!(i18n, edit_group),
                (true, false) => t_string!(i18n, new_group),
            }}</h3>
            <label>
                {move || if is_groups { t_string!(i18n, group_code) } else { t_string!(i18n, category_code) }}
                <input name="code" type="text" autocapitalize="none" placeholder=if is_groups { "qiaolian" } else { "youth_sports" }
                    prop:disabled=move || editing.with(Option::is_some) bind:value=code/>
                {error(code_field)}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, category_name_zh)}
                    <input name="name_zh" type="text" maxlength="30" bind:value=name_zh/>
                    {error("name_zh")}
                </label>
                <label>
                    {t!(i18n, category_name_en)}
                    <input name="name_en" type="text" maxlength="30" bind:value=name_en/>
                    {error("name_en")}
                </label>
            </div>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}
