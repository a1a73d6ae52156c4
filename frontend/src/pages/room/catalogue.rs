//! What the room sells and for whom: products with their prices, and the
//! partner regions they come from.

use leptos::prelude::*;
use tongxin_shared::{
    PartnerRegion, Product, ValidationError,
    livestream::{LivestreamRecord, ProductRecord, RegionRecord, format_yuan},
};
use uuid::Uuid;

use super::{Room, edited_or_new, money, reset_unless_retyped, save_change, state_view};
use crate::{
    ctx::Ctx,
    i18n::{self, t, t_string, use_i18n},
    ui::{field_error, focus_first_error, invalid},
};

#[component]
pub(super) fn ProductSection(room: Memo<Room>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let name = RwSignal::new(String::new());
    let region_id = RwSignal::new(String::new());
    let unit = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, "product-", field);
    // Rebuilt only when the regions change, not their sync states.
    let regions = Memo::new(move |_| {
        room.with(|room| {
            room.regions
                .iter()
                .map(|(r, _)| (r.id, format!("{} ({})", r.name, r.province)))
                .collect::<Vec<_>>()
        })
    });
    // The product the form is editing (a name or price mistyped, a price
    // changed); `None` while it makes a new one.
    let editing = RwSignal::new(None::<Product>);
    Effect::new(move |_| {
        if let Some(p) = editing.get() {
            name.set(p.name.clone());
            region_id.set(p.region_id.to_string());
            unit.set(p.unit.clone());
            price.set(format_yuan(p.price_fen));
            errors.set(Vec::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut problems = Vec::new();
        let product = Product {
            id: editing
                .with_untracked(|e| e.as_ref().map(|p| p.id))
                .unwrap_or_else(Uuid::now_v7),
            name: name.get().trim().to_owned(),
            region_id: Uuid::parse_str(&region_id.get()).unwrap_or_default(),
            unit: unit.get().trim().to_owned(),
            price_fen: money("price_fen", &price.get(), &mut problems),
        };
        if let Err(rule_errors) = product.validate() {
            problems.extend(rule_errors);
        }
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("product-form");
            return;
        }
        let id = product.id;
        let name_typed = name.get_untracked();
        let price_typed = price.get_untracked();
        save_change(
            ctx,
            id,
            move |current, stamp| edited_or_new!(current, stamp, Product, ProductRecord, &product),
            errors,
            move || {
                reset_unless_retyped(name, &name_typed, "");
                reset_unless_retyped(price, &price_typed, "");
                editing.set(None);
            },
        );
    };
    view! {
        <h2>{t!(i18n, products)}</h2>
        <ul id="products" class="records">
            {move || {
                let room = room.get();
                room.products.iter().map(|(p, state)| {
                    let product = p.clone();
                    view! {
                        <li data-id=p.id.to_string()>
                            <span translate="no">{format!("{} · {} · {}/{}", p.name, room.region_name(p.region_id), i18n::yuan(p.price_fen), p.unit)}</span>
                            " " {state_view(p.id, state)} " "
                            <button type="button" class="edit-product"
                                on:click=move |_| editing.set(Some(product.clone()))>
                                {t!(i18n, edit)}
                            </button>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
        <form id="product-form" class="activity-form" on:submit=submit novalidate>
            <h3>{move || if editing.with(Option::is_some) { t_string!(i18n, edit_product) } else { t_string!(i18n, new_product) }}</h3>
            <label>
                {t!(i18n, product_name)}
                <input aria-invalid=invalid(errors, "name") name="name" type="text" maxlength="100" bind:value=name/>
                {error("name")}
            </label>
            <label>
                {t!(i18n, region)}
                <select aria-invalid=invalid(errors, "region_id") name="region_id" on:change:target=move |ev| region_id.set(ev.target().value())>
                    <option value="">{t!(i18n, choose_region)}</option>
                    {move || regions.get().into_iter().map(|(id, name)| {
                        let id = id.to_string();
                        let selected = { let id = id.clone(); move || region_id.get() == id };
                        view! { <option value=id selected=selected translate="no">{name}</option> }
                    }).collect_view()}
                </select>
                {error("region_id")}
            </label>
            <div class="counts">
                <label>
                    {t!(i18n, unit)}
                    <input aria-invalid=invalid(errors, "unit") name="unit" type="text" maxlength="10" bind:value=unit/>
                    {error("unit")}
                </label>
                <label>
                    {t!(i18n, price_yuan)}
                    <input aria-invalid=invalid(errors, "price_fen") name="price" type="text" inputmode="decimal" bind:value=price/>
                    {error("price_fen")}
                </label>
            </div>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}

#[component]
pub(super) fn RegionSection(room: Memo<Room>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    let name = RwSignal::new(String::new());
    let province = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<ValidationError>::new());
    let error = move |field| field_error(errors, "region-", field);
    // The region the form is renaming; `None` while it makes a new one.
    let editing = RwSignal::new(None::<PartnerRegion>);
    Effect::new(move |_| {
        if let Some(r) = editing.get() {
            name.set(r.name.clone());
            province.set(r.province.clone());
            errors.set(Vec::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let region = PartnerRegion {
            id: editing
                .with_untracked(|e| e.as_ref().map(|r| r.id))
                .unwrap_or_else(Uuid::now_v7),
            name: name.get().trim().to_owned(),
            province: province.get().trim().to_owned(),
        };
        let problems = region.validate().err().unwrap_or_default();
        errors.set(problems.clone());
        if !problems.is_empty() {
            focus_first_error("region-form");
            return;
        }
        let id = region.id;
        let name_typed = name.get_untracked();
        let province_typed = province.get_untracked();
        save_change(
            ctx,
            id,
            move |current, stamp| edited_or_new!(current, stamp, Region, RegionRecord, &region),
            errors,
            move || {
                reset_unless_retyped(name, &name_typed, "");
                reset_unless_retyped(province, &province_typed, "");
                editing.set(None);
            },
        );
    };
    view! {
        <h2>{t!(i18n, regions)}</h2>
        <ul id="regions" class="records">
            {move || room.get().regions.iter().map(|(r, state)| {
                let region = r.clone();
                view! {
                    <li data-id=r.id.to_string()>
                        <span translate="no">{format!("{} · {}", r.name, r.province)}</span>
                        " " {state_view(r.id, state)} " "
                        <button type="button" class="edit-region"
                            on:click=move |_| editing.set(Some(region.clone()))>
                            {t!(i18n, edit)}
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
        <form id="region-form" class="activity-form" on:submit=submit novalidate>
            <h3>{move || if editing.with(Option::is_some) { t_string!(i18n, edit_region) } else { t_string!(i18n, new_region) }}</h3>
            <div class="counts">
                <label>
                    {t!(i18n, region_name)}
                    <input aria-invalid=invalid(errors, "name") name="name" type="text" maxlength="50" bind:value=name/>
                    {error("name")}
                </label>
                <label>
                    {t!(i18n, province)}
                    <input aria-invalid=invalid(errors, "province") name="province" type="text" maxlength="50" bind:value=province/>
                    {error("province")}
                </label>
            </div>
            {error("form")}
            <button type="submit" class="save">{t!(i18n, save)}</button>
        </form>
    }
}
