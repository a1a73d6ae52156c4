//! Proposals (建言) on the phone: anyone submits one in a few taps and
//! follows its state; admins take it up, record measures and feedback, and
//! close or decline it, offline like every other record. Each step is a
//! record of its own (see `tongxin_shared::proposal`), so the history is
//! what the steps say.

use chrono::NaiveDate;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};
use serde::{Deserialize, Serialize};
use tongxin_shared::{
    ValidationError,
    account::Role,
    error::Rule,
    proposal::{
        GroupInfo, Progress, Proposal, ProposalItem, ProposalRecord, ProposalState, ProposalStep,
        StepKind, StepRecord,
    },
};
use uuid::Uuid;

use crate::{
    ctx::{Ctx, today},
    i18n::{self, Locale, t, t_string, use_i18n},
    store::{ProposalLists, SyncState},
    ui::{field_error, focus_first_error, invalid, sync_words},
};

/// The proposals and steps the device holds, read again whenever a save
/// or a sync round changed what it holds.
#[derive(Clone, Default, PartialEq)]
struct Held {
    proposals: Vec<(Proposal, SyncState)>,
    steps: Vec<(ProposalStep, SyncState)>,
}

impl Held {
    fn from_items(items: Vec<(ProposalItem, SyncState)>) -> Held {
        let mut held = Held::default();
        for (item, state) in items {
            match item {
                ProposalItem::Proposal(r) => held.proposals.push((r.proposal(), state)),
                ProposalItem::Step(r) => held.steps.push((r.step(), state)),
            }
        }
        // Newest first; the steps in the order they were taken.
        held.proposals
            .sort_by_key(|(p, _)| std::cmp::Reverse((p.date, p.id)));
        held.steps.sort_by_key(|(s, _)| (s.date, s.id));
        held
    }

    fn steps_of(&self, proposal: Uuid) -> Vec<&(ProposalStep, SyncState)> {
        self.steps
            .iter()
            .filter(|(s, _)| s.proposal_id == proposal)
            .collect()
    }

    fn progress(&self, proposal: Uuid) -> Progress {
        Progress::of(self.steps_of(proposal).into_iter().map(|(s, _)| s))
    }
}

/// What the device holds, as a signal every part of the page reads.
fn held(ctx: Ctx) -> Memo<Held> {
    let items = LocalResource::new(move || {
        ctx.status.revision.track();
        let store = ctx.store();
        async move { store.proposals().await.unwrap_or_default() }
    });
    Memo::new(move |before: Option<&Held>| {
        items
            .get()
            .map(Held::from_items)
            .or_else(|| before.cloned())
            .unwrap_or_default()
    })
}

/// The groups and streets the last sync brought.
fn lists(ctx: Ctx) -> Memo<ProposalLists> {
    let lists = LocalResource::new(move || {
        ctx.status.reference_revision.track();
        let store = ctx.store();
        async move { store.proposal_lists().await.unwrap_or_default() }
    });
    Memo::new(move |before: Option<&ProposalLists>| {
        lists.get().or_else(|| before.cloned()).unwrap_or_default()
    })
}

fn username(ctx: Ctx) -> String {
    ctx.session
        .with_untracked(|s| s.as_ref().map(|s| s.user.username.clone()))
        .unwrap_or_default()
}

fn group_name(groups: &[GroupInfo], code: &str, locale: Locale) -> String {
    groups.iter().find(|g| g.code == code).map_or_else(
        || code.to_owned(),
        |g| g.name(locale == Locale::en).to_owned(),
    )
}

/// The list of proposals and the form for a new one.
#[component]
pub fn ProposalsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let held = held(ctx);
    let lists = lists(ctx);
    let is_admin = move || ctx.role() == Some(Role::Admin);
    let rows = move || {
        let held = held.get();
        let groups = lists.with(|l| l.groups.clone());
        let locale = i18n.get_locale();
        held.proposals
            .iter()
            .map(|(p, state)| {
                let progress = held.progress(p.id);
                let title = p.title.clone();
                let (code, label, _) = sync_words(state);
                view! {
                    <li class="proposal-row" data-id=p.id.to_string()>
                        <A href=format!("/proposals/{}", p.id)>
                            <span class="proposal-title" translate="no">{title}</span>
                        </A>
                        <span class="proposal-meta">
                            {state_badge(locale, &progress)}
                            " " {i18n::date(locale, p.date)}
                            " · " {group_name(&groups, &p.group, locale)}
                        </span>
                        <span class="sync-state" data-state=code>{label}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <ProposalForm lists=lists/>
        <section class="proposal-list" id="proposal-list">
            <h2>{move || if is_admin() { t_string!(i18n, all_proposals) } else { t_string!(i18n, my_proposals) }}</h2>
            <Show when=move || held.with(|h| h.proposals.is_empty())>
                <p class="empty">{t!(i18n, no_proposals)}</p>
            </Show>
            <ul>{rows}</ul>
        </section>
    }
}

/// A proposal's state, and "overdue" beside it when a first measure is
/// past due.
fn state_badge(locale: Locale, progress: &Progress) -> impl IntoView + use<> {
    let overdue = progress
        .is_overdue(today())
        .then(|| view! { " " <span class="overdue">{i18n::overdue(locale)}</span> });
    view! {
        <span class="proposal-state" data-state=progress.state.code()>
            {i18n::proposal_state(locale, progress.state)}
        </span>
        {overdue}
    }
}

/// What is typed into the proposal form, kept on the device with every
/// keystroke so a reload, a crash or a call never loses a long text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Draft {
    title: String,
    body: String,
    group: String,
    topic: String,
    street: String,
    station: String,
    date: String,
}

fn draft_key(ctx: Ctx) -> String {
    format!("tongxin.proposal_draft.{}", username(ctx))
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

#[component]
fn ProposalForm(lists: Memo<ProposalLists>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let kept: Draft = local_storage()
        .and_then(|s| s.get_item(&draft_key(ctx)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let had_draft = [&kept.title, &kept.body, &kept.topic]
        .iter()
        .any(|text| !text.trim().is_empty());
    let title = RwSignal::new(kept.title);
    let body = RwSignal::new(kept.body);
    let group = RwSignal::new(kept.group);
    let topic = RwSignal::new(kept.topic);
    let street = RwSignal::new(kept.street);
    let station = RwSignal::new(kept.station);
    let date = RwSignal::new(if kept.date.is_empty() {
        today().to_string()
    } else {
        kept.date
    });
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let saved = RwSignal::new(false);
    let draft_shown = RwSignal::new(had_draft);

    let draft = move || Draft {
        title: title.get(),
        body: body.get(),
        group: group.get(),
        topic: topic.get(),
        street: street.get(),
        station: station.get(),
        date: date.get(),
    };
    // Every change is kept at once: a synchronous write of a few KB. The
    // choices alone (group, street) are no draft: they stay for the next
    // proposal and say nothing was written.
    Effect::new(move |first: Option<()>| {
        let now = draft();
        if first.is_none() {
            return;
        }
        let Some(storage) = local_storage() else {
            return;
        };
        let written = [&now.title, &now.body, &now.topic]
            .iter()
            .any(|text| !text.trim().is_empty());
        if !written {
            let _ = storage.remove_item(&draft_key(ctx));
        } else if let Ok(json) = serde_json::to_string(&now) {
            let _ = storage.set_item(&draft_key(ctx), &json);
        }
        draft_shown.set(written);
    });

    let stations = LocalResource::new(move || {
        ctx.status.reference_revision.track();
        let store = ctx.store();
        async move { store.stations().await.unwrap_or_default() }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let mut problems = Vec::new();
        let date_value = NaiveDate::parse_from_str(&date.get(), "%Y-%m-%d").unwrap_or_else(|_| {
            problems.push(ValidationError::new("date", Rule::Required));
            today()
        });
        let proposal = Proposal {
            id: Uuid::now_v7(),
            title: title.get().trim().to_owned(),
            body: body.get().trim().to_owned(),
            proposer: username(ctx),
            group: group.get(),
            topic: topic.get().trim().to_owned(),
            street: street.get(),
            station_id: Some(station.get()).filter(|s| !s.is_empty()),
            date: date_value,
        };
        if let Err(rule_errors) = proposal.validate(today()) {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("proposal-form");
            return;
        }
        let store = ctx.store();
        let typed = draft();
        spawn_local(async move {
            let id = proposal.id;
            let saving = store.save_proposal(id, |_, stamp| {
                ProposalItem::Proposal(ProposalRecord::new(&proposal, stamp))
            });
            match saving.await {
                Ok(()) => {
                    // The draft goes only if nothing was typed meanwhile.
                    if draft() == typed {
                        for field in [title, body, topic] {
                            field.set(String::new());
                        }
                    }
                    saved.set(true);
                    ctx.saved_locally();
                }
                Err(error) => {
                    let message = if matches!(error, crate::store::StoreError::Full) {
                        t_string!(i18n, storage_full).to_owned()
                    } else {
                        format!("{} {error}", t_string!(i18n, not_saved))
                    };
                    errors.set(vec![ValidationError::other("form", message)]);
                    focus_first_error("proposal-form");
                }
            }
        });
    };

    let field_error = move |field| field_error(errors, "proposal-", field);
    let invalid = move |field| invalid(errors, field);
    view! {
        <form id="proposal-form" class="proposal-form" on:submit=submit novalidate>
            <h1>{t!(i18n, proposal_form_title)}</h1>
            <label>
                {t!(i18n, proposal_title)}
                <input name="title" aria-invalid=invalid("title") type="text" maxlength="100" bind:value=title/>
                {field_error("title")}
            </label>
            <label>
                {t!(i18n, proposal_group)}
                <select name="group" aria-invalid=invalid("group") on:change:target=move |ev| group.set(ev.target().value())>
                    <option value="">{t!(i18n, choose_group)}</option>
                    {move || {
                        let locale = i18n.get_locale();
                        lists.get().groups.into_iter()
                            .filter(|g| !g.retired || group.with(|chosen| *chosen == g.code))
                            .map(|g| {
                                let code = g.code.clone();
                                let selected = move || group.get() == code;
                                view! { <option value=g.code.clone() selected=selected>{g.name(locale == Locale::en).to_owned()}</option> }
                            })
                            .collect_view()
                    }}
                </select>
                {field_error("group")}
            </label>
            <label>
                {t!(i18n, proposal_topic)}
                <input name="topic" aria-invalid=invalid("topic") type="text" maxlength="50"
                    placeholder=move || t_string!(i18n, proposal_topic_hint) bind:value=topic/>
                {field_error("topic")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, street)}
                    <select name="street" aria-invalid=invalid("street") on:change:target=move |ev| street.set(ev.target().value())>
                        <option value="">{t!(i18n, choose_street)}</option>
                        {move || lists.get().streets.into_iter().map(|s| {
                            let name = s.clone();
                            let selected = move || street.get() == name;
                            view! { <option value=s.clone() selected=selected translate="no">{s.clone()}</option> }
                        }).collect_view()}
                    </select>
                    {field_error("street")}
                </label>
                <label>
                    {t!(i18n, date)}
                    <input name="date" aria-invalid=invalid("date") type="date" bind:value=date/>
                    {field_error("date")}
                </label>
            </div>
            <label>
                {t!(i18n, proposal_station)}
                <select name="station_id" aria-invalid=invalid("station_id") on:change:target=move |ev| station.set(ev.target().value())>
                    <option value="">{t!(i18n, no_station)}</option>
                    {move || stations.get().unwrap_or_default().into_iter().map(|s| {
                        let id = s.id.clone();
                        let selected = move || station.get() == id;
                        view! { <option value=s.id.clone() selected=selected translate="no">{s.name.clone()}</option> }
                    }).collect_view()}
                </select>
                {field_error("station_id")}
            </label>
            <label>
                {t!(i18n, proposal_body)}
                <textarea name="body" rows="6" maxlength="10000" aria-invalid=invalid("body") bind:value=body></textarea>
                {field_error("body")}
            </label>
            <Show when=move || draft_shown.get()>
                <p class="draft-kept" id="draft-kept">{t!(i18n, draft_kept)}</p>
            </Show>
            {field_error("form")}
            <div class="form-actions">
                <button type="submit" class="save">{t!(i18n, submit_proposal)}</button>
            </div>
            <Show when=move || saved.get()>
                <p class="saved" role="status">{t!(i18n, proposal_saved)}</p>
            </Show>
        </form>
    }
}

/// One proposal: what it says, its history, and for admins the next step.
#[component]
pub fn ProposalPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .with(|p| p.get("id"))
            .and_then(|id| Uuid::parse_str(&id).ok())
    });
    let held = held(ctx);
    let lists = lists(ctx);
    let proposal = Memo::new(move |_| {
        let id = id.get()?;
        held.with(|h| h.proposals.iter().find(|(p, _)| p.id == id).cloned())
    });
    let progress = Memo::new(move |_| id.get().map(|id| held.with(|h| h.progress(id))));
    let history = move || {
        let Some(id) = id.get() else {
            return Vec::new();
        };
        let locale = i18n.get_locale();
        held.with(|h| {
            h.steps_of(id)
                .into_iter()
                .map(|(step, state)| step_view(locale, step, state))
                .collect::<Vec<_>>()
        })
    };
    let detail = move || {
        proposal.get().map(|(p, state)| {
            let locale = i18n.get_locale();
            let groups = lists.with(|l| l.groups.clone());
            let progress = progress.get().unwrap_or_else(|| Progress::of([]));
            let (code, label, reasons) = sync_words(&state);
            let responsible = progress.responsible.clone().map(|who| {
                view! {
                    <p class="responsible" id="proposal-responsible" translate="no">
                        {i18n::responsible_due(locale, &who, progress.due)}
                    </p>
                }
            });
            view! {
                <h1 translate="no">{p.title.clone()}</h1>
                <p class="proposal-meta">
                    {state_badge(locale, &progress)}
                    " " <span class="sync-state" data-state=code>{label}</span>
                    {reasons.map(|r| view! { " " <span class="reject-reason">{r}</span> })}
                </p>
                <dl class="proposal-facts">
                    <dt>{t!(i18n, proposer)}</dt><dd translate="no">{p.proposer.clone()}</dd>
                    <dt>{t!(i18n, proposal_group)}</dt><dd>{group_name(&groups, &p.group, locale)}</dd>
                    <dt>{t!(i18n, proposal_topic)}</dt><dd translate="no">{p.topic.clone()}</dd>
                    <dt>{t!(i18n, street)}</dt><dd translate="no">{p.street.clone()}</dd>
                    <dt>{t!(i18n, date)}</dt><dd>{i18n::date(locale, p.date)}</dd>
                </dl>
                <p class="proposal-body" translate="no">{p.body.clone()}</p>
                {responsible}
            }
        })
    };
    let can_act = move || {
        ctx.role() == Some(Role::Admin)
            && proposal.with(Option::is_some)
            && progress.with(|p| p.as_ref().is_some_and(|p| !p.state.is_final()))
    };
    view! {
        <article class="proposal-detail" id="proposal-detail">
            <p class="back"><A href="/proposals">{t!(i18n, back_to_proposals)}</A></p>
            <Show when=move || proposal.with(Option::is_some) fallback=move || view! {
                <p class="empty">{t!(i18n, proposal_not_here)}</p>
            }>
                {detail}
                <h2>{t!(i18n, history)}</h2>
                <ol class="history" id="proposal-history">{history}</ol>
            </Show>
            <Show when=can_act>
                <StepForm
                    proposal=Signal::derive(move || id.get().unwrap_or_default())
                    progress=Signal::derive(move || progress.get().unwrap_or_else(|| Progress::of([])))
                />
            </Show>
        </article>
    }
}

fn step_view(locale: Locale, step: &ProposalStep, state: &SyncState) -> impl IntoView + use<> {
    let (code, label, reasons) = sync_words(state);
    let detail = match step.kind {
        StepKind::TakenUp => Some(i18n::responsible_due(locale, &step.responsible, step.due)),
        StepKind::Feedback => step
            .satisfied
            .map(|yes| i18n::satisfaction(locale, yes).to_owned()),
        _ => None,
    };
    view! {
        <li class="step" data-kind=step.kind.code()>
            <span class="step-kind">{i18n::step_kind(locale, step.kind)}</span>
            " " <span class="step-date">{i18n::date(locale, step.date)}</span>
            " " <span class="step-author" translate="no">{step.author.clone()}</span>
            <span class="sync-state" data-state=code>{label}</span>
            {reasons.map(|r| view! { " " <span class="reject-reason">{r}</span> })}
            {(!step.text.is_empty()).then(|| view! { <p class="step-text" translate="no">{step.text.clone()}</p> })}
            {detail.map(|d| view! { <p class="step-detail" translate="no">{d}</p> })}
        </li>
    }
}

/// The admin's next step on a proposal: only the kinds its life allows.
#[component]
fn StepForm(proposal: Signal<Uuid>, progress: Signal<Progress>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let allowed = Memo::new(move |_| {
        let progress = progress.get();
        StepKind::ALL
            .into_iter()
            .filter(|kind| progress.allows(*kind).is_ok())
            .collect::<Vec<_>>()
    });
    let picked = RwSignal::new(None::<StepKind>);
    // The first step the life allows is chosen until the admin picks one.
    let chosen = move || {
        picked
            .get()
            .filter(|k| allowed.with(|a| a.contains(k)))
            .or_else(|| {
                allowed.with(|a| {
                    a.iter()
                        .copied()
                        .find(|k| {
                            *k != StepKind::TakenUp
                                || progress.get().state == ProposalState::Submitted
                        })
                        .or(a.first().copied())
                })
            })
    };
    let text = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let satisfied = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let errors = RwSignal::new(Vec::<ValidationError>::new());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(kind) = chosen() else {
            return;
        };
        let mut problems = Vec::new();
        let parse = |text: String| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
        let date_value = parse(date.get()).unwrap_or_else(|| {
            problems.push(ValidationError::new("date", Rule::Required));
            today()
        });
        let step = ProposalStep {
            id: Uuid::now_v7(),
            proposal_id: proposal.get(),
            kind,
            text: text.get().trim().to_owned(),
            responsible: match kind {
                StepKind::TakenUp => responsible.get().trim().to_owned(),
                _ => String::new(),
            },
            due: (kind == StepKind::TakenUp)
                .then(|| parse(due.get()))
                .flatten(),
            satisfied: match (kind, satisfied.get().as_str()) {
                (StepKind::Feedback, "yes") => Some(true),
                (StepKind::Feedback, "no") => Some(false),
                _ => None,
            },
            author: username(ctx),
            date: date_value,
        };
        if let Err(rule_errors) = step.validate(today()) {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("step-form");
            return;
        }
        let store = ctx.store();
        spawn_local(async move {
            let saving = store.save_proposal(step.id, |_, stamp| {
                ProposalItem::Step(StepRecord::new(&step, stamp))
            });
            match saving.await {
                Ok(()) => {
                    for field in [text, responsible, due, satisfied] {
                        field.set(String::new());
                    }
                    picked.set(None);
                    ctx.saved_locally();
                }
                Err(error) => errors.set(vec![ValidationError::other(
                    "form",
                    format!("{} {error}", t_string!(i18n, not_saved)),
                )]),
            }
        });
    };
    let field_error = move |field| field_error(errors, "step-", field);
    let invalid = move |field| invalid(errors, field);
    let is = move |k: StepKind| chosen() == Some(k);
    view! {
        <form id="step-form" class="step-form" on:submit=submit novalidate>
            <h2>{t!(i18n, add_step)}</h2>
            <fieldset class="chips">
                <legend>{t!(i18n, step_kind)}</legend>
                {move || allowed.get().into_iter().map(|k| view! {
                    <button type="button" class="chip" data-kind=k.code()
                        aria-pressed=move || is(k).to_string()
                        on:click=move |_| picked.set(Some(k))>
                        {move || i18n::step_kind(i18n.get_locale(), k)}
                    </button>
                }).collect_view()}
            </fieldset>
            <Show when=move || is(StepKind::TakenUp)>
                <div class="counts">
                    <label>
                        {t!(i18n, responsible)}
                        <input name="responsible" aria-invalid=invalid("responsible") type="text" maxlength="50" bind:value=responsible/>
                        {field_error("responsible")}
                    </label>
                    <label>
                        {t!(i18n, due)}
                        <input name="due" aria-invalid=invalid("due") type="date" bind:value=due/>
                        {field_error("due")}
                    </label>
                </div>
            </Show>
            <Show when=move || is(StepKind::Feedback)>
                <label>
                    {t!(i18n, satisfaction)}
                    <select name="satisfied" aria-invalid=invalid("satisfied") on:change:target=move |ev| satisfied.set(ev.target().value())>
                        <option value="" selected=move || satisfied.get().is_empty()>{t!(i18n, choose_satisfaction)}</option>
                        <option value="yes">{t!(i18n, satisfied)}</option>
                        <option value="no">{t!(i18n, not_satisfied)}</option>
                    </select>
                    {field_error("satisfied")}
                </label>
            </Show>
            <label>
                {t!(i18n, step_text)}
                <textarea name="text" rows="3" maxlength="2000" aria-invalid=invalid("text") bind:value=text></textarea>
                {field_error("text")}
            </label>
            <label>
                {t!(i18n, date)}
                <input name="date" aria-invalid=invalid("date") type="date" bind:value=date/>
                {field_error("date")}
            </label>
            {field_error("kind")}
            {field_error("form")}
            <div class="form-actions">
                <button type="submit" class="save">{t!(i18n, save)}</button>
            </div>
        </form>
    }
}
