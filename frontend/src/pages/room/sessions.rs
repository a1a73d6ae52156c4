//! The room's sessions: the list, the open session with its sale lines,
//! the totals per region, and the form that plans or edits a session.

use chrono::NaiveDate;
use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    LivestreamSession, SaleLine, ValidationError,
    error::Rule,
    livestream::{LivestreamRecord, SaleLineRecord, SessionRecord},
};
use uuid::Uuid;

use super::{
    Room, edited_or_new, money, reset_unless_retyped, save, save_change, state_view, whole_number,
};
use crate::{
    ctx::{Ctx, today},
    i18n::{self, t, t_string, use_i18n},
    ui::{UndoBar, UndoOffer, field_error, focus_first_error, invalid, offer_undo},
};

#[component]
pub(super) fn SessionList(room: Memo<Room>, chosen: RwSignal<Option<Uuid>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, sessions)}</h2>
        <ul id="sessions" class="records">
            {move || {
                let room = room.get();
                if room.sessions.is_empty() {
                    return view! { <li class="empty">{t!(i18n, no_sessions)}</li> }.into_any();
                }
                let totals = room.by_session();
                room.sessions
                    .iter()
                    .map(|(session, state)| {
                        let t = totals.get(&session.id).copied().unwrap_or_default();
                        let id = session.id;
                        view! {
                            <li data-id=id.to_string() data-number=session.number>
                                <button type="button" class="session-open" on:click=move |_| chosen.set(Some(id))>
                                    {i18n::session_name(i18n.get_locale(), session.number)}
                                </button>
                                " " {let date = session.date; move || i18n::date(i18n.get_locale(), date)} " · "
                                <span translate="no">{format!("{} · {}", session.platform, session.host)}</span>
                                <span class="session-sum">
                                    {format!(" · {} {} · {}", t_string!(i18n, units), t.units, i18n::yuan(t.amount_fen))}
                                </span>
                                " " {state_view(id, state)}
                            </li>
                        }
                    })
                    .collect_view()
                    .into_any()
            }}
        </ul>
    }
}

#[component]
pub(super) fn SessionDetail(
    room: Memo<Room>,
    id: Uuid,
    editing: RwSignal<Option<LivestreamSession>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let session = move || room.get().sessions.into_iter().find(|(s, _)| s.id == id);
    let undo = RwSignal::new(None::<UndoOffer>);
    let delete = move |line_id: Uuid, label: String| {
        let store = ctx.store();
        spawn_local(async move {
            if store.set_livestream_deleted(line_id, true).await.is_ok() {
                offer_undo(undo, UndoOffer { id: line_id, label });
                ctx.saved_locally();
            }
        });
    };
    let restore = move |line_id: Uuid| {
        let store = ctx.store();
        spawn_local(async move {
            if store.set_livestream_deleted(line_id, false).await.is_ok() {
                ctx.saved_locally();
            }
        });
    };
    view! {
        <section class="session-detail" id="session-detail" data-id=id.to_string()>
            <h2>{move || session().map(|(s, _)| format!("{} {}", i18n::session_name(i18n.get_locale(), s.number), t_string!(i18n, sales)))}</h2>
            <p class="session-meta">
                {move || session().map(|(s, _)| view! {
                    {t!(i18n, session_host)} " " <span translate="no">{s.host}</span> " · "
                    {t!(i18n, session_partners)} " " <span translate="no">{s.partners}</span> " · "
                    {t!(i18n, viewers)} " " <span class="viewers">{i18n::number(u64::from(s.viewers))}</span>
                })}
                " "
                <button type="button" class="edit-session"
                    on:click=move |_| editing.set(session().map(|(s, _)| s))>
                    {t!(i18n, edit)}
                </button>
            </p>
            // On a phone each line is a stacked card, its cells labelled.
            <table class="breakdown stacked" id="sale-lines">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, product)}</th>
                        <th scope="col">{t!(i18n, region)}</th>
                        <th scope="col">{t!(i18n, units)}</th>
                        <th scope="col">{t!(i18n, amount)}</th>
                        <th scope="col">{t!(i18n, orders)}</th>
                        <th scope="col">{t!(i18n, state)}</th>
                        <th scope="col"><span class="visually-hidden">{t!(i18n, delete)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let room = room.get();
                        room.lines
                            .iter()
                            .filter(|(line, _)| line.session_id == id)
                            .map(|(line, state)| {
                                let product = room.product(line.product_id);
                                let name = product.map(|p| p.name.clone()).unwrap_or_else(|| t_string!(i18n, unknown_item).to_owned());
                                let region = product.map(|p| room.region_name(p.region_id)).unwrap_or_default();
                                let line_id = line.id;
                                let label = name.clone();
                                view! {
                                    <tr data-id=line_id.to_string()>
                                        <td translate="no" class="line-name">{name}</td>
                                        <td translate="no" data-label=move || t_string!(i18n, region)>{region}</td>
                                        <td class="num" data-label=move || t_string!(i18n, units)>{line.units}</td>
                                        <td class="num" data-label=move || t_string!(i18n, amount)>{i18n::yuan(line.amount_fen)}</td>
                                        <td class="num" data-label=move || t_string!(i18n, orders)>{line.orders}</td>
                                        <td>{state_view(line_id, state)}</td>
                                        <td>
                                            <button type="button" class="delete" on:click=move |_| delete(line_id, label.clone())>
                                                {t!(i18n, delete)}
                                            </button>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()
                    }}
                </tbody>
                <tfoot>
                    {move || {
                        let t = room.get().by_session().get(&id).copied().unwrap_or_default();
                        view! {
                            <tr id="session-totals" data-units=t.units data-amount-fen=t.amount_fen data-orders=t.orders>
                                <th scope="row" colspan="2">{t!(i18n, session_total)}</th>
                                <td class="num" data-label=move || t_string!(i18n, units)>{t.units}</td>
                                <td class="num" data-label=move || t_string!(i18n, amount)>{i18n::yuan(t.amount_fen)}</td>
                                <td class="num" data-label=move || t_string!(i18n, orders)>{t.orders}</td>
                                <td colspan="2"></td>
                            </tr>
                        }
                    }}
                </tfoot>
            </table>
            <UndoBar undo restore/>
            <SaleLineForm room session_id=id/>
        </section>
    }
}

#[component]
pub(super) fn SaleLineForm(room: Memo<Room>, session_id: Uuid) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let product_id = RwSignal::new(String::new());
    let units = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let orders = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, "sale-line-", field);
    // The options change only when the products do, not when a record's
    // sync state does: an open picker is not rebuilt under the thumb.
    let products = Memo::new(move |_| {
        room.with(|r| {
            r.products
                .iter()
                .map(|(p, _)| (p.id, format!("{} ({})", p.name, r.region_name(p.region_id))))
                .collect::<Vec<_>>()
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let product = Uuid::parse_str(&product_id.get()).unwrap_or_default();
        let units_n = whole_number("units", &units.get(), &mut problems);
        // Left empty, the amount is units × the product's price.
        let amount_fen = if amount.get().trim().is_empty() {
            room.with(|r| r.product(product).map(|p| p.price_fen))
                .unwrap_or(0)
                .saturating_mul(u64::from(units_n))
        } else {
            money("amount_fen", &amount.get(), &mut problems)
        };
        let line = SaleLine {
            id: Uuid::now_v7(),
            session_id,
            product_id: product,
            units: units_n,
            amount_fen,
            orders: whole_number("orders", &orders.get(), &mut problems),
        };
        if let Err(rule_errors) = line.validate() {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("sale-line-form");
            return;
        }
        let id = line.id;
        let units_typed = units.get_untracked();
        let amount_typed = amount.get_untracked();
        let orders_typed = orders.get_untracked();
        save(
            ctx,
            id,
            move |stamp| LivestreamRecord::SaleLine(SaleLineRecord::new(&line, stamp)),
            errors,
            move || {
                reset_unless_retyped(units, &units_typed, "");
                reset_unless_retyped(amount, &amount_typed, "");
                reset_unless_retyped(orders, &orders_typed, "");
            },
        );
    };
    view! {
        <form id="sale-line-form" class="activity-form" on:submit=submit novalidate>
            <h3>{t!(i18n, add_sale_line)}</h3>
            <label>
                {t!(i18n, product)}
                <select aria-invalid=invalid(errors, "product_id") name="product_id" on:change:target=move |ev| product_id.set(ev.target().value())>
                    <option value="">{t!(i18n, choose_product)}</option>
                    {move || products.get().into_iter().map(|(id, name)| {
                        let id = id.to_string();
                        let selected = { let id = id.clone(); move || product_id.get() == id };
                        view! { <option value=id selected=selected translate="no">{name}</option> }
                    }).collect_view()}
                </select>
                {error("product_id")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, units)}
                    <input aria-invalid=invalid(errors, "units") name="units" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=units/>
                    {error("units")}
                </label>
                <label>
                    {t!(i18n, orders)}
                    <input aria-invalid=invalid(errors, "orders") name="orders" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=orders/>
                    {error("orders")}
                </label>
            </div>
            <label>
                {t!(i18n, amount_yuan)}
                <input aria-invalid=invalid(errors, "amount_fen") name="amount" type="text" inputmode="decimal" placeholder=move || t_string!(i18n, amount_hint) bind:value=amount/>
                {error("amount_fen")}
            </label>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
pub(super) fn RegionTotals(room: Memo<Room>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, by_region)}</h2>
        <table class="breakdown" id="region-totals">
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, region)}</th>
                    <th scope="col">{t!(i18n, units)}</th>
                    <th scope="col">{t!(i18n, amount)}</th>
                    <th scope="col">{t!(i18n, orders)}</th>
                </tr>
            </thead>
            <tbody>
                {move || {
                    let room = room.get();
                    room.by_region()
                        .into_iter()
                        .map(|(region, t)| view! {
                            <tr data-region=room.region_name(region) data-units=t.units data-amount-fen=t.amount_fen>
                                <th scope="row" translate="no">{room.region_name(region)}</th>
                                <td class="num">{t.units}</td>
                                <td class="num">{i18n::yuan(t.amount_fen)}</td>
                                <td class="num">{t.orders}</td>
                            </tr>
                        })
                        .collect_view()
                }}
            </tbody>
        </table>
    }
}

#[component]
pub(super) fn SessionForm(
    room: Memo<Room>,
    editing: RwSignal<Option<LivestreamSession>>,
    chosen: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let next_number = move || {
        room.with(|r| r.sessions.iter().map(|(s, _)| s.number).max())
            .unwrap_or(0)
            + 1
    };
    let number = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let platform = RwSignal::new(String::new());
    let host = RwSignal::new(String::new());
    let partners = RwSignal::new(String::new());
    let viewers = RwSignal::new(String::from("0"));
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, "session-", field);
    let form = NodeRef::<leptos::html::Form>::new();
    // "Edit" on a session loads it into the form (after the broadcast, the
    // viewers are known).
    Effect::new(move |_| {
        if let Some(s) = editing.get() {
            number.set(s.number.to_string());
            date.set(s.date.to_string());
            platform.set(s.platform.clone());
            host.set(s.host.clone());
            partners.set(s.partners.clone());
            viewers.set(s.viewers.to_string());
            errors.set(Vec::new());
            if let Some(form) = form.get() {
                form.scroll_into_view();
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let number_text = number.get();
        let session = LivestreamSession {
            id: editing
                .with_untracked(|e| e.as_ref().map(|s| s.id))
                .unwrap_or_else(Uuid::now_v7),
            number: if number_text.trim().is_empty() {
                next_number()
            } else {
                whole_number("number", &number_text, &mut problems)
            },
            date: NaiveDate::parse_from_str(&date.get(), "%Y-%m-%d").unwrap_or_else(|_| {
                problems.push(ValidationError::new("date", Rule::Required));
                today()
            }),
            platform: platform.get().trim().to_owned(),
            host: host.get().trim().to_owned(),
            partners: partners.get().trim().to_owned(),
            viewers: whole_number("viewers", &viewers.get(), &mut problems),
        };
        if let Err(rule_errors) = session.validate(today()) {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("session-form");
            return;
        }
        let id = session.id;
        let number_typed = number.get_untracked();
        let host_typed = host.get_untracked();
        let partners_typed = partners.get_untracked();
        let viewers_typed = viewers.get_untracked();
        save_change(
            ctx,
            id,
            move |current, stamp| edited_or_new!(current, stamp, Session, SessionRecord, &session),
            errors,
            move || {
                reset_unless_retyped(number, &number_typed, "");
                reset_unless_retyped(host, &host_typed, "");
                reset_unless_retyped(partners, &partners_typed, "");
                reset_unless_retyped(viewers, &viewers_typed, "0");
                editing.set(None);
                // The session just saved opens, ready for its sales.
                chosen.set(Some(id));
            },
        );
    };
    view! {
        <form id="session-form" class="activity-form" node_ref=form on:submit=submit novalidate>
            <h2>{move || if editing.with(Option::is_some) { t_string!(i18n, edit_session) } else { t_string!(i18n, new_session) }}</h2>
            <div class="counts">
                <label>
                    {t!(i18n, session_number)}
                    <input aria-invalid=invalid(errors, "number") name="number" type="text" inputmode="numeric" pattern="[0-9]*"
                        placeholder=move || next_number().to_string() bind:value=number/>
                    {error("number")}
                </label>
                <label>
                    {t!(i18n, date)}
                    <input aria-invalid=invalid(errors, "date") name="date" type="date" bind:value=date/>
                    {error("date")}
                </label>
            </div>
            <label>
                {t!(i18n, platform)}
                <input aria-invalid=invalid(errors, "platform") name="platform" type="text" list="platforms" maxlength="50" bind:value=platform/>
                <datalist id="platforms" translate="no">
                    <option value="抖音"></option>
                    <option value="快手"></option>
                    <option value="视频号"></option>
                </datalist>
                {error("platform")}
            </label>
            <label>
                {t!(i18n, session_host)}
                <input aria-invalid=invalid(errors, "host") name="host" type="text" maxlength="50" bind:value=host/>
                {error("host")}
            </label>
            <label>
                {t!(i18n, session_partners)}
                <input aria-invalid=invalid(errors, "partners") name="partners" type="text" maxlength="200" bind:value=partners/>
                {error("partners")}
            </label>
            <label>
                {t!(i18n, viewers)}
                <input aria-invalid=invalid(errors, "viewers") name="viewers" type="text" inputmode="numeric" pattern="[0-9]*" bind:value=viewers/>
                {error("viewers")}
            </label>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}
