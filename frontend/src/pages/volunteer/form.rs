//! The activity form: records a new activity, or edits the one picked in
//! the list, checked by the shared rules before it is saved.

use chrono::NaiveDate;
use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    Activity, Category, CategoryInfo, PeopleServed, Station, ValidationError, error::Rule,
    photo::Photo,
};
use uuid::Uuid;

use super::photos::{self, FormPhoto, PhotoPicker};
use crate::{
    ctx::{Ctx, today},
    i18n::{Locale, t, t_string, use_i18n},
    store::NewPhoto,
    ui::{field_error, focus_first_error, invalid},
};

#[component]
pub fn ActivityForm() -> impl IntoView {
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
    // The photos shown, and the saved ones removed since the record was
    // loaded: what a save adds and takes away.
    let form_photos = RwSignal::new_local(Vec::<FormPhoto>::new());
    let removed_photos = RwSignal::new(Vec::<Uuid>::new());
    let clear_photos = move || {
        form_photos.update(|list| {
            for photo in list.drain(..) {
                photo.release();
            }
        });
        removed_photos.set(Vec::new());
    };
    on_cleanup(clear_photos);

    let stations = LocalResource::new(move || {
        ctx.status.reference_revision.track();
        let store = ctx.store();
        async move { store.stations().await.unwrap_or_default() }
    });

    // The options change only when the stations do, not on every sync
    // round: an open picker on a phone is not rebuilt under the thumb.
    // While they are read again the choices stay as they were: an option
    // that vanished for a moment would take the choice with it.
    let station_list = Memo::new(move |before: Option<&Vec<Station>>| {
        stations
            .get()
            .or_else(|| before.cloned())
            .unwrap_or_default()
    });
    let categories = LocalResource::new(move || {
        ctx.status.reference_revision.track();
        let store = ctx.store();
        async move {
            store
                .categories()
                .await
                .unwrap_or_else(|_| CategoryInfo::built_in())
        }
    });
    let category_list = Memo::new(move |before: Option<&Vec<CategoryInfo>>| {
        categories
            .get()
            .or_else(|| before.cloned())
            .unwrap_or_default()
    });

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
            clear_photos();
            let id = a.id;
            spawn_local(async move {
                let shown = photos::load(ctx, id).await;
                // Still the record being edited, with no photo taken since.
                if ctx.editing.with_untracked(|e| e.as_ref().map(|a| a.id)) == Some(id)
                    && form_photos.with_untracked(Vec::is_empty)
                {
                    form_photos.set(shown);
                }
            });
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
            focus_first_error("activity-form");
            return;
        }
        let store = ctx.store();
        // What was typed when "save" was tapped: a field the user has typed
        // into again while the save was under way keeps the new text.
        let typed = [title, people_served, notes, time].map(|field| (field, field.get_untracked()));
        // The photos taken since the record was loaded, and those removed.
        let added: Vec<NewPhoto> = form_photos.with_untracked(|list| {
            list.iter()
                .filter_map(|p| {
                    let blob = p.blob.clone().filter(|_| !p.saved)?;
                    Some(NewPhoto {
                        photo: Photo {
                            id: p.id,
                            activity_id: activity.id,
                            hash: p.hash.clone(),
                            bytes: p.bytes,
                        },
                        blob,
                    })
                })
                .collect()
        });
        let removed = removed_photos.get_untracked();
        spawn_local(async move {
            let written = if added.is_empty() && removed.is_empty() {
                store.save_activity(&activity).await
            } else {
                store
                    .save_activity_with_photos(&activity, &added, &removed)
                    .await
            };
            match written {
                Ok(()) => {
                    for (field, saved_text) in typed {
                        if field.get_untracked() == saved_text {
                            field.set(String::new());
                        }
                    }
                    clear_photos();
                    ctx.editing.set(None);
                    saved.set(true);
                    ctx.activity_saved(activity);
                }
                Err(error) => {
                    let message = if matches!(error, crate::store::StoreError::Full) {
                        t_string!(i18n, storage_full).to_owned()
                    } else {
                        format!("{} {error}", t_string!(i18n, not_saved))
                    };
                    errors.set(vec![ValidationError::other("form", message)]);
                    focus_first_error("activity-form");
                }
            }
        });
    };

    let field_error = move |field| field_error(errors, "", field);
    let invalid = move |field| invalid(errors, field);

    // Leaving an edit: the record stays as it was saved, the form is empty
    // again for a new one.
    let cancel_edit = move |_| {
        ctx.editing.set(None);
        category.set(None);
        title.set(String::new());
        date.set(today().to_string());
        volunteers.set(String::from("1"));
        people_served.set(String::new());
        notes.set(String::new());
        time.set(String::new());
        organising_group.set(String::new());
        errors.set(Vec::new());
        clear_photos();
    };

    view! {
        <form id="activity-form" class="activity-form" on:submit=submit novalidate>
            <h1>{move || if ctx.editing.with(Option::is_some) { t_string!(i18n, form_title_edit) } else { t_string!(i18n, form_title) }}</h1>
            <fieldset class="chips" data-invalid=invalid("category")>
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
                <input name="title" aria-invalid=invalid("title") type="text" maxlength="100" bind:value=title/>
                {field_error("title")}
            </label>
            <label>
                {t!(i18n, station)}
                <select name="station_id" aria-invalid=invalid("station_id") on:change:target=move |ev| station_id.set(ev.target().value())>
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
                    <input name="date" aria-invalid=invalid("date") type="date" bind:value=date/>
                    {field_error("date")}
                </label>
                <label>
                    {t!(i18n, time)}
                    <input name="time" aria-invalid=invalid("time") type="time" bind:value=time/>
                    {field_error("time")}
                </label>
            </div>
            <label>
                {t!(i18n, organising_group)}
                <input name="organising_group" aria-invalid=invalid("organising_group") type="text" maxlength="50"
                    placeholder=move || t_string!(i18n, organising_group_hint) bind:value=organising_group/>
                {field_error("organising_group")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, volunteers)}
                    <input name="volunteers" aria-invalid=invalid("volunteers") type="text" inputmode="numeric" pattern="[0-9]*" bind:value=volunteers/>
                    {field_error("volunteers")}
                </label>
                <label>
                    {t!(i18n, people_served)}
                    <input name="people_served" aria-invalid=invalid("people_served") type="text" inputmode="numeric" pattern="[0-9]*" bind:value=people_served/>
                    {field_error("people_served")}
                </label>
            </div>
            <label>
                {t!(i18n, notes)}
                <textarea name="notes" rows="2" aria-invalid=invalid("notes") bind:value=notes></textarea>
                {field_error("notes")}
            </label>
            <PhotoPicker photos=form_photos removed=removed_photos/>
            {field_error("form")}
            <div class="form-actions">
                <button type="submit" class="save">{t!(i18n, save)}</button>
                <Show when=move || ctx.editing.with(Option::is_some)>
                    <button type="button" class="cancel-edit" on:click=cancel_edit>{t!(i18n, cancel_edit)}</button>
                </Show>
            </div>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{t!(i18n, saved)}</p>
            </Show>
        </form>
    }
}
