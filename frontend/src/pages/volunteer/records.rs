//! The records on this device: searched and filtered, each with its sync
//! state, to edit, delete (with a moment to undo) or discard.

use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{Activity, CategoryInfo};
use uuid::Uuid;

use crate::{
    ctx::Ctx,
    i18n::{self, Locale, t, t_string, use_i18n},
    store::SyncState,
    ui::{UndoBar, UndoOffer, category_options, discard_button, offer_undo, sync_words},
};

/// The list shows the newest records only: a device that pulled the whole
/// district's records must not build a hundred thousand rows.
const RECORDS_SHOWN: usize = 200;

#[component]
pub fn MyRecords() -> impl IntoView {
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
    let undo = RwSignal::new(None::<UndoOffer>);

    let delete = move |activity: Activity| {
        let store = ctx.store();
        spawn_local(async move {
            if store.set_deleted(activity.id, true).await.is_ok() {
                let label = activity.title;
                offer_undo(
                    undo,
                    UndoOffer {
                        id: activity.id,
                        label,
                    },
                );
                ctx.saved_locally();
            }
        });
    };
    let restore = move |id: Uuid| {
        let store = ctx.store();
        spawn_local(async move {
            if store.set_deleted(id, false).await.is_ok() {
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
            <UndoBar undo restore/>
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
