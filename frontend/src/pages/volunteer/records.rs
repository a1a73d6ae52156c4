//! The records on this device: searched and filtered, each with its sync
//! state, to edit, delete (with a moment to undo) or discard.

use leptos::{prelude::*, task::spawn_local};
use std::hash::{Hash, Hasher};

use tongxin_shared::{Activity, CategoryInfo, Station};
use uuid::Uuid;
use wasm_bindgen::{JsCast, closure::Closure};

use crate::{
    ctx::Ctx,
    i18n::{self, Locale, t, t_string, use_i18n},
    store::{ActivityFilter, ActivityPage, SyncState},
    ui::{UndoBar, UndoOffer, category_options, discard_button, offer_undo, sync_words},
};

/// How many records a page of the list adds: the first shows at once,
/// whatever the device holds; scrolling to the end asks for the next.
const PAGE: usize = 50;

/// Rows drawn in one task. Drawing a whole page of 50 rows at once was one
/// task of 50–80 ms on the test machine (measured with the browser's
/// profiler: building the rows, a third of it); the rest of a page follows
/// in tasks of their own, so a tap or a keystroke waits for one slice at
/// most.
const ROWS_PER_TASK: usize = 20;

/// A search says how far it has got once it has read this many records
/// (a few tenths of a second): a quick one does not flash the message.
const SEARCH_SHOWN_AFTER: u64 = 1_000;

/// How long typing in the search box pauses before the list is searched.
const SEARCH_PAUSE_MS: u32 = 250;

#[component]
pub fn MyRecords() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let search = RwSignal::new(String::new());
    let searched = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let drawable = RwSignal::new(ROWS_PER_TASK);
    let undo = RwSignal::new(None::<UndoOffer>);

    // A new filter starts again from the first page, drawn a slice at a
    // time.
    Effect::watch(
        move || (searched.get(), category.get(), month.get()),
        move |_, _, _| {
            shown.set(PAGE);
            drawable.set(ROWS_PER_TASK);
        },
        false,
    );
    // How many records the read under way has passed, for a search that
    // reads through many.
    let checked = RwSignal::new(None::<u64>);
    let filter = move || ActivityFilter {
        month: month.get(),
        category: category.get(),
        text: searched.get(),
    };
    let filter_now = move || ActivityFilter {
        month: month.get_untracked(),
        category: category.get_untracked(),
        text: searched.get_untracked(),
    };
    // Records saved through the form, numbered, while a read of the list
    // may not have seen them: a read begun before a save committed must
    // not take its row away again.
    let saves_seen = StoredValue::new(0u64);
    let recent_saves = StoredValue::new(Vec::<(u64, Activity)>::new());
    // The list reads the newest `shown` records that match from the date
    // index; a save or a sync round that changed something reads them
    // again: the cost is the records shown, not the records held.
    let records = LocalResource::new(move || {
        ctx.status.revision.track();
        let filter = filter();
        let limit = shown.get();
        let store = ctx.store();
        let saves_before = saves_seen.get_value();
        async move {
            // The resource reads one page at a time, so a read for a
            // filter the user has left (a search through every record
            // takes seconds) would hold back the one asked for next: it
            // stops, and gives nothing to draw.
            let wanted = || shown.get_untracked() == limit && filter_now() == filter;
            let page = store
                .activities_page_watched(&filter, None, limit, |n| {
                    let go_on = wanted();
                    if go_on {
                        checked.set(Some(n));
                    }
                    go_on
                })
                .await;
            if wanted() {
                checked.set(None);
            }
            match page {
                Ok(Some(page)) => Some((page, saves_before)),
                Ok(None) => None,
                Err(_) => Some((ActivityPage::default(), saves_before)),
            }
        }
    });
    // The names the rows show, read again only when the stations or the
    // categories changed, not on every round that brought records.
    let reference = LocalResource::new(move || {
        ctx.status.reference_revision.track();
        let store = ctx.store();
        async move {
            // Both at once: the browser runs them side by side.
            let (stations, categories) = futures::join!(store.stations(), store.categories());
            (stations.unwrap_or_default(), categories.unwrap_or_default())
        }
    });
    let names = Memo::new(
        move |before: Option<&Option<(Vec<Station>, Vec<CategoryInfo>)>>| {
            reference.get().or_else(|| before.cloned().flatten())
        },
    );
    // What the list draws: the page as last read, with what the form saved
    // since put in at once, so a save shows without waiting for a read.
    let drawn = RwSignal::new(None::<ActivityPage>);
    // Months of records saved here since the months were last read.
    let saved_months = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Some((mut read, saves_before))) = records.get() {
            // Saves the read may have missed go in as they did when made;
            // those before it began are in it.
            let filter = filter_now();
            recent_saves.update_value(|saves| {
                saves.retain(|(n, _)| *n > saves_before);
                for (_, activity) in saves.iter() {
                    read.show_saved(&filter, activity.clone());
                }
            });
            drawn.set(Some(read));
        }
    });
    Effect::watch(
        move || ctx.saved.get(),
        move |saved, _, _| {
            if let Some(activity) = saved.clone() {
                saves_seen.update_value(|n| *n += 1);
                let n = saves_seen.get_value();
                recent_saves.update_value(|saves| saves.push((n, activity.clone())));
                let month = activity.date.format("%Y-%m").to_string();
                saved_months.update(|months| {
                    if !months.contains(&month) {
                        months.push(month);
                    }
                });
                let filter = filter();
                drawn.update(|drawn| {
                    if let Some(page) = drawn {
                        page.show_saved(&filter, activity);
                    }
                });
            }
        },
        false,
    );
    // The months are read once the first page is drawn: a choice nobody
    // has opened yet must not delay the rows behind its reads.
    let loaded = Memo::new(move |_| drawn.with(Option::is_some) && names.with(Option::is_some));
    let months = LocalResource::new(move || {
        ctx.status.revision.track();
        let ready = loaded.get();
        let store = ctx.store();
        async move {
            match ready {
                true => store.activity_months().await.unwrap_or_default(),
                false => Vec::new(),
            }
        }
    });
    // Drawn again only when the months change, not on every reread.
    let read_months = Memo::new(move |before: Option<&Vec<String>>| {
        months.get().or_else(|| before.cloned()).unwrap_or_default()
    });
    // Months read afresh hold every month saved before: the saved ones
    // are only what the read has not seen yet.
    Effect::watch(
        move || read_months.get(),
        move |_, _, _| saved_months.set(Vec::new()),
        false,
    );
    let month_choices = Memo::new(move |_| {
        let mut choices = read_months.get();
        saved_months.with(|saved| {
            for month in saved {
                if !choices.contains(month) {
                    choices.push(month.clone());
                }
            }
        });
        // Newest first, as read.
        choices.sort_unstable_by(|a, b| b.cmp(a));
        choices
    });
    let type_search = move |text: String| {
        search.set(text.clone());
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(SEARCH_PAUSE_MS).await;
            if search.get_untracked() == text {
                searched.set(text);
            }
        });
    };

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

    let filtered = move || {
        !searched.with(String::is_empty)
            || !category.with(String::is_empty)
            || !month.with(String::is_empty)
    };
    // The rows drawn, each keyed by what it shows: a save or a sync round
    // redraws only the rows that changed, and the rest stay as they are.
    let listed = Memo::new(move |_| {
        names.with(|names| {
            drawn.with(|drawn| match (drawn, names) {
                (Some(page), Some((stations, categories))) => page
                    .rows
                    .iter()
                    .map(|(activity, state)| Row::new(activity, state, stations, categories))
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            })
        })
    });
    // While rows wait to be drawn, one more slice in the next task.
    Effect::new(move |_| {
        if drawable.get() < listed.with(Vec::len) {
            gloo_timers::callback::Timeout::new(0, move || {
                drawable.update(|n| *n += ROWS_PER_TASK);
            })
            .forget();
        }
    });
    let visible = Memo::new(move |_| {
        let limit = drawable.get();
        listed.with(|rows| rows.iter().take(limit).cloned().collect::<Vec<_>>())
    });
    // The category choices are drawn again only when the categories change.
    let filter_categories = Memo::new(move |_| {
        names
            .with(|names| names.as_ref().map(|(_, categories)| categories.clone()))
            .unwrap_or_default()
    });
    // "More" only once the rows read are all drawn: the end of a list still
    // being drawn is in view, and would ask for page after page.
    let more = move || {
        drawn.with(|d| d.as_ref().is_some_and(|page| page.next.is_some()))
            && drawable.get() >= listed.with(Vec::len)
    };
    // The list itself is drawn once it is read and has rows, and then
    // only changes row by row.
    let empty = Memo::new(move |_| listed.with(Vec::is_empty));
    let rows = move || {
        if !loaded.get() {
            return view! { <p>{t!(i18n, loading)}</p> }.into_any();
        }
        if empty.get() {
            return if filtered() {
                view! { <p class="empty" id="no-match">{t!(i18n, no_match)}</p> }.into_any()
            } else {
                view! { <p class="empty">{t!(i18n, no_records)}</p> }.into_any()
            };
        }
        view! {
            <ul id="my-records">
                <For each=move || visible.get() key=|row| row.key let:row>
                    {record_row(row, delete)}
                </For>
            </ul>
        }
        .into_any()
    };

    view! {
        <section class="records">
            <h2>{t!(i18n, my_records)}</h2>
            <div class="filters">
                <label>
                    <span class="visually-hidden">{t!(i18n, search)}</span>
                    <input type="search" name="search" placeholder=move || t_string!(i18n, search)
                        prop:value=search on:input:target=move |ev| type_search(ev.target().value())/>
                </label>
                <label>
                    <span class="visually-hidden">{t!(i18n, category)}</span>
                    <select name="filter_category" on:change:target=move |ev| category.set(ev.target().value())>
                        <option value="">{t!(i18n, all_categories)}</option>
                        {move || category_options(filter_categories.get(), category)}
                    </select>
                </label>
                <label>
                    <span class="visually-hidden">{t!(i18n, month)}</span>
                    <select name="filter_month" on:change:target=move |ev| month.set(ev.target().value())>
                        <option value="">{t!(i18n, all_months)}</option>
                        {move || month_choices.get()
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
            {move || {
                checked
                    .get()
                    .filter(|n| *n >= SEARCH_SHOWN_AFTER && filtered())
                    .map(|n| view! { <p class="searching" id="searching" role="status">{move || i18n::searching(i18n.get_locale(), n)}</p> })
            }}
            {rows}
            {move || more().then(|| view! { <LoadMore shown/> })}
        </section>
    }
}

/// The end of the list while older records match: it asks for the next
/// page when it scrolls into view, or when tapped.
#[component]
fn LoadMore(shown: RwSignal<usize>) -> impl IntoView {
    let i18n = use_i18n();
    let button = NodeRef::<leptos::html::Button>::new();
    let more = move || shown.update(|n| *n += PAGE);
    let watching = StoredValue::new_local(None::<web_sys::IntersectionObserver>);
    Effect::new(move |_| {
        let Some(element) = button.get() else {
            return;
        };
        let seen = Closure::<dyn Fn(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries.iter().any(|entry| {
                entry
                    .dyn_into::<web_sys::IntersectionObserverEntry>()
                    .is_ok_and(|entry| entry.is_intersecting())
            });
            if visible {
                more();
            }
        });
        if let Ok(observer) = web_sys::IntersectionObserver::new(seen.as_ref().unchecked_ref()) {
            observer.observe(&element);
            watching.set_value(Some(observer));
        }
        seen.forget();
    });
    on_cleanup(move || {
        if let Some(observer) = watching.get_value() {
            observer.disconnect();
        }
    });
    view! {
        <button type="button" class="load-more" id="load-more" node_ref=button on:click=move |_| more()>
            {t!(i18n, load_more)}
        </button>
    }
}

/// A row of the list: a record as shown, keyed by its id and a hash of
/// everything shown of it.
#[derive(Clone)]
struct Row {
    key: (Uuid, u64),
    activity: Activity,
    state: SyncState,
    station: String,
    category: Option<CategoryInfo>,
}

impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.key == other.key
    }
}

impl Row {
    fn new(
        activity: &Activity,
        state: &SyncState,
        stations: &[Station],
        categories: &[CategoryInfo],
    ) -> Row {
        let station = stations
            .iter()
            .find(|s| s.id == activity.station_id)
            .map_or(activity.station_id.clone(), |s| s.name.clone());
        let category = categories
            .iter()
            .find(|c| c.code == activity.category)
            .cloned();
        let mut hasher = std::hash::DefaultHasher::new();
        format!("{activity:?}{state:?}{station}{category:?}").hash(&mut hasher);
        Row {
            key: (activity.id, hasher.finish()),
            activity: activity.clone(),
            state: state.clone(),
            station,
            category,
        }
    }
}

fn record_row(row: Row, delete: impl Fn(Activity) + Copy + 'static) -> impl IntoView {
    let Row {
        activity,
        state,
        station,
        category,
        ..
    } = row;
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let to_edit = activity.clone();
    let to_delete = activity.clone();
    let (id, rejected) = (activity.id, matches!(state, SyncState::Rejected(_)));
    let (code, _, _) = sync_words(&state);
    // A row stays drawn across a language switch: its words follow it.
    let label = {
        let state = state.clone();
        move || sync_words(&state).1
    };
    let reason = move || {
        sync_words(&state)
            .2
            .map(|r| view! { <span class="reject-reason">{r}</span> })
    };
    view! {
        <li class="record" data-id=activity.id.to_string() data-sync=code data-date=activity.date.to_string()
            data-category=activity.category.code().to_owned()>
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
            {reason}
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
