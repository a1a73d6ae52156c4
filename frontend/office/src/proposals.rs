//! The admin's board of proposals (`/admin/proposals`): counts by state,
//! the overdue, filters (year, group, state, street), the rows and the
//! exports; and one proposal's history (`/admin/proposals/:id`). Steps
//! are taken on the phone's page of the proposal, offline like every
//! record; the office only reads the server.

use chrono::{Datelike, NaiveDate};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_params_map};
use tongxin_shared::{
    proposal::{
        GroupInfo, ProposalBoard, ProposalDetail, ProposalFilter, ProposalRow, ProposalState,
    },
    sync::ReferenceData,
};

use crate::{
    api,
    ctx::{Ctx, today},
    exports::{ExportError, download},
    i18n::{self, Locale, t, t_string, use_i18n},
};

fn group_name(groups: &[GroupInfo], code: &str, locale: Locale) -> String {
    groups.iter().find(|g| g.code == code).map_or_else(
        || code.to_owned(),
        |g| g.name(locale == Locale::en).to_owned(),
    )
}

/// The groups and streets, from the server (the office keeps no copy).
fn reference(ctx: Ctx) -> LocalResource<ReferenceData> {
    LocalResource::new(move || {
        let token = ctx.token();
        async move {
            api::get::<ReferenceData>("/api/reference", &token)
                .await
                .unwrap_or_default()
        }
    })
}

fn failure(locale: Locale, error: &api::ApiError) -> String {
    if error.is_offline() {
        i18n::td_string!(locale, admin_offline).to_owned()
    } else {
        i18n::api_error_message(locale, error)
    }
}

#[component]
pub fn ProposalBoardPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let this_year = today().year();
    let year = RwSignal::new(this_year.to_string());
    let group = RwSignal::new(String::new());
    let state = RwSignal::new(String::new());
    let street = RwSignal::new(String::new());
    let filter = Memo::new(move |_| {
        let year = year.get().parse::<i32>().ok();
        ProposalFilter {
            from: year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
            to: year.and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
            group: Some(group.get()).filter(|g| !g.is_empty()),
            state: ProposalState::from_code(&state.get()),
            street: Some(street.get()).filter(|s| !s.is_empty()),
        }
    });
    let reference = reference(ctx);
    let board = LocalResource::new(move || {
        let token = ctx.token();
        let query = filter.get().query_string();
        async move { api::get::<ProposalBoard>(&format!("/api/admin/proposals?{query}"), &token).await }
    });
    let exporting = RwSignal::new(false);
    let export_error = RwSignal::new(None::<String>);
    let export = move |format: &'static str| {
        if exporting.get_untracked() {
            return;
        }
        let url = format!(
            "/api/admin/export/proposals.{format}?{}",
            filter.get_untracked().query_string()
        );
        let file_name = format!("{}.{format}", t_string!(i18n, export_file_proposals));
        let token = ctx.token();
        exporting.set(true);
        export_error.set(None);
        spawn_local(async move {
            let done = download(&url, &token, &file_name).await;
            exporting.set(false);
            if let Err(error) = done {
                let words = match &error {
                    ExportError::Api(e) => failure(i18n.get_locale(), e),
                    ExportError::Browser => String::new(),
                };
                export_error.set(Some(format!("{} {words}", t_string!(i18n, export_failed))));
            }
        });
    };
    let groups = move || reference.get().map(|r| r.groups).unwrap_or_default();
    view! {
        <section class="admin proposal-board" id="proposal-board">
            <h1>{t!(i18n, proposals_board_title)}</h1>
            <form class="admin-filter" id="proposal-filter" on:submit=|ev| ev.prevent_default()>
                <label>
                    {t!(i18n, year)}
                    <select name="year" on:change:target=move |ev| year.set(ev.target().value())>
                        <option value="">{t!(i18n, all_years)}</option>
                        {(this_year - 4..=this_year).rev().map(|y| view! {
                            <option value=y.to_string() selected=move || year.get() == y.to_string()>{y}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, proposal_group)}
                    <select name="group" on:change:target=move |ev| group.set(ev.target().value())>
                        <option value="">{t!(i18n, all_groups)}</option>
                        {move || groups().into_iter().map(|g| {
                            let selected = group.get_untracked() == g.code;
                            view! { <option value=g.code.clone() selected=selected>{g.name(i18n.get_locale() == Locale::en).to_owned()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, proposal_state)}
                    <select name="state" on:change:target=move |ev| state.set(ev.target().value())>
                        <option value="" selected=move || state.get().is_empty()>{t!(i18n, all_states)}</option>
                        {ProposalState::ALL.into_iter().map(|s| view! {
                            <option value=s.code() selected=move || state.get() == s.code()>
                                {move || i18n::proposal_state(i18n.get_locale(), s)}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, street)}
                    <select name="street" on:change:target=move |ev| street.set(ev.target().value())>
                        <option value="">{t!(i18n, all_streets)}</option>
                        {move || reference.get().map(|r| r.streets).unwrap_or_default().into_iter().map(|s| {
                            let selected = street.get_untracked() == s;
                            view! { <option value=s.clone() selected=selected translate="no">{s.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </form>
            <div class="exports">
                <button type="button" class="export proposals-xlsx" disabled=move || exporting.get()
                    on:click=move |_| export("xlsx")>{t!(i18n, export_xlsx)}</button>
                <button type="button" class="export proposals-csv" disabled=move || exporting.get()
                    on:click=move |_| export("csv")>{t!(i18n, export_csv)}</button>
                <p class="export-status" role="status">
                    {move || exporting.get().then(|| t_string!(i18n, export_busy))}
                </p>
                {move || export_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </div>
            <Transition fallback=move || view! { <p>{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match board.await {
                        Err(error) => view! {
                            <p class="admin-offline" role="alert">{move || failure(i18n.get_locale(), &error)}</p>
                        }.into_any(),
                        Ok(board) => board_view(board, groups(), state).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn board_view(
    board: ProposalBoard,
    groups: Vec<GroupInfo>,
    state: RwSignal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let counts = board.counts.into_iter().map(|count| {
        let code = count.state.code();
        view! {
            <div data-state=code>
                <dt>
                    <button type="button" class="state-filter" aria-pressed=move || (state.get() == code).to_string()
                        on:click=move |_| state.set(if state.get_untracked() == code { String::new() } else { code.to_owned() })>
                        {move || i18n::proposal_state(i18n.get_locale(), count.state)}
                    </button>
                </dt>
                <dd id=format!("count-{code}")>{i18n::number(count.count)}</dd>
            </div>
        }
    });
    let shown = board.rows.len() as u64;
    view! {
        <dl class="headline state-counts">
            {counts.collect_view()}
            <div data-state="overdue"><dt>{t!(i18n, overdue_count)}</dt><dd id="count-overdue" class="overdue">{i18n::number(board.overdue)}</dd></div>
        </dl>
        <p class="board-total">{move || i18n::proposals_shown(i18n.get_locale(), shown, board.total)}</p>
        <div class="table-scroll" role="region" aria-label=move || t_string!(i18n, proposals_board_title) tabindex="0">
            <table id="proposal-rows">
                <thead><tr>
                    <th scope="col">{t!(i18n, date)}</th><th scope="col">{t!(i18n, proposal_title)}</th>
                    <th scope="col">{t!(i18n, proposal_group)}</th><th scope="col">{t!(i18n, street)}</th>
                    <th scope="col">{t!(i18n, proposal_state)}</th><th scope="col">{t!(i18n, responsible)}</th>
                    <th scope="col">{t!(i18n, due)}</th>
                </tr></thead>
                <tbody>
                    {board.rows.into_iter().map(|row| row_view(row, &groups)).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn row_view(row: ProposalRow, groups: &[GroupInfo]) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let p = row.proposal;
    let progress = row.progress;
    let group = {
        let groups = groups.to_vec();
        let code = p.group.clone();
        move || group_name(&groups, &code, i18n.get_locale())
    };
    let title = p.title.clone();
    view! {
        <tr data-id=p.id.to_string() data-state=progress.state.code() data-overdue=row.overdue.to_string()>
            <td>{move || i18n::date(i18n.get_locale(), p.date)}</td>
            <td translate="no"><A href=format!("/admin/proposals/{}", p.id)>{title}</A></td>
            <td>{group}</td>
            <td translate="no">{p.street.clone()}</td>
            <td>
                {move || i18n::proposal_state(i18n.get_locale(), progress.state)}
                {row.overdue.then(|| view! { " " <span class="overdue">{move || i18n::overdue(i18n.get_locale())}</span> })}
            </td>
            <td translate="no">{progress.responsible.clone().unwrap_or_default()}</td>
            <td>{move || progress.due.map(|d| i18n::date(i18n.get_locale(), d)).unwrap_or_default()}</td>
        </tr>
    }
}

/// One proposal and its history, read from the server.
#[component]
pub fn ProposalHistoryPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let params = use_params_map();
    let reference = reference(ctx);
    let detail = LocalResource::new(move || {
        let token = ctx.token();
        let id = params.with(|p| p.get("id")).unwrap_or_default();
        async move { api::get::<ProposalDetail>(&format!("/api/admin/proposals/{id}"), &token).await }
    });
    view! {
        <section class="admin proposal-history" id="proposal-history-page">
            <p class="back"><A href="/admin/proposals">{t!(i18n, back_to_proposals)}</A></p>
            <Transition fallback=move || view! { <p>{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Err(error) => view! { <p class="admin-offline" role="alert">{move || failure(i18n.get_locale(), &error)}</p> }.into_any(),
                        Ok(detail) => {
                            let groups = reference.get().map(|r| r.groups).unwrap_or_default();
                            detail_view(detail, groups).into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

fn detail_view(detail: ProposalDetail, groups: Vec<GroupInfo>) -> impl IntoView {
    let i18n = use_i18n();
    let p = detail.row.proposal;
    let progress = detail.row.progress;
    let overdue = detail.row.overdue;
    let id = p.id;
    view! {
        <h1 translate="no">{p.title.clone()}</h1>
        <p class="proposal-meta">
            <span class="proposal-state" data-state=progress.state.code()>
                {move || i18n::proposal_state(i18n.get_locale(), progress.state)}
            </span>
            {overdue.then(|| view! { " " <span class="overdue">{move || i18n::overdue(i18n.get_locale())}</span> })}
        </p>
        <dl class="proposal-facts">
            <dt>{t!(i18n, proposer)}</dt><dd translate="no">{p.proposer.clone()}</dd>
            <dt>{t!(i18n, proposal_group)}</dt><dd>{move || group_name(&groups, &p.group, i18n.get_locale())}</dd>
            <dt>{t!(i18n, proposal_topic)}</dt><dd translate="no">{p.topic.clone()}</dd>
            <dt>{t!(i18n, street)}</dt><dd translate="no">{p.street.clone()}</dd>
            <dt>{t!(i18n, date)}</dt><dd>{move || i18n::date(i18n.get_locale(), p.date)}</dd>
        </dl>
        <p class="proposal-body" translate="no">{p.body.clone()}</p>
        <h2>{t!(i18n, history)}</h2>
        <ol class="history" id="office-history">
            {detail.steps.into_iter().map(|step| {
                let detail = move || {
                    let locale = i18n.get_locale();
                    match step.kind {
                        tongxin_shared::proposal::StepKind::TakenUp => {
                            Some(i18n::responsible_due(locale, &step.responsible, step.due))
                        }
                        tongxin_shared::proposal::StepKind::Feedback => {
                            step.satisfied.map(|yes| i18n::satisfaction(locale, yes).to_owned())
                        }
                        _ => None,
                    }
                };
                let text = step.text.clone();
                view! {
                    <li class="step" data-kind=step.kind.code()>
                        <span class="step-kind">{move || i18n::step_kind(i18n.get_locale(), step.kind)}</span>
                        " " <span class="step-date">{move || i18n::date(i18n.get_locale(), step.date)}</span>
                        " " <span class="step-author" translate="no">{step.author.clone()}</span>
                        {(!text.is_empty()).then(|| view! { <p class="step-text" translate="no">{text.clone()}</p> })}
                        <p class="step-detail" translate="no">{detail}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
        // Steps are taken where they work offline: the phone's page of it.
        <p class="act-on-phone">
            <a href=format!("/proposals/{id}") rel="external">{t!(i18n, act_on_proposal)}</a>
        </p>
    }
}
