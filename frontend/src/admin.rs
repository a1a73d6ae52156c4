//! The admin's page: headline figures, breakdowns and the activity list
//! under one filter, and the exports of the same filter. Online only: the
//! figures are the server's merge of every device.

use chrono::NaiveDate;
use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    Category,
    account::Role,
    admin::{AdminFilter, AdminReport, BreakdownRow},
    sync::AdminActivityRow,
};
use wasm_bindgen::JsCast;

use crate::{app::Ctx, charts, i18n, sync};

#[component]
pub fn AdminPage() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    if ctx.role() != Some(Role::Admin) {
        return view! { <p class="admin-only" role="alert">{i18n::ADMIN_ONLY}</p> }.into_any();
    }
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let street = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let filter = Memo::new(move |_| AdminFilter {
        from: NaiveDate::parse_from_str(&from.get(), "%Y-%m-%d").ok(),
        to: NaiveDate::parse_from_str(&to.get(), "%Y-%m-%d").ok(),
        street: Some(street.get()).filter(|s| !s.is_empty()),
        category: Category::from_code(&category.get()),
    });
    let token = ctx.token();
    let data = LocalResource::new(move || {
        let token = token.clone();
        let filter = filter.get();
        async move {
            // A range that ends before it starts is named next to the field
            // below; the server is not asked.
            filter.validate().map_err(|e| sync::SyncError::Server {
                status: 400,
                message: i18n::rule_message(&e),
            })?;
            let query = filter.query_string();
            let report =
                sync::api_get::<AdminReport>(&format!("/api/admin/report?{query}"), &token).await?;
            let rows = sync::api_get::<Vec<AdminActivityRow>>(
                &format!("/api/admin/activities?{query}"),
                &token,
            )
            .await?;
            Ok::<_, sync::SyncError>((report, rows))
        }
    });
    // The streets to filter by: every street the district has stations on.
    let streets = LocalResource::new(move || {
        // The stations arrive with the first sync after login.
        ctx.status.revision.track();
        let store = ctx.store();
        async move {
            let mut streets: Vec<String> = store
                .stations()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.street)
                .collect();
            streets.sort();
            streets.dedup();
            streets
        }
    });
    let export_error = RwSignal::new(None::<String>);
    let export = move |format: &'static str| {
        let url = format!(
            "/api/admin/export/activities.{format}?{}",
            filter.get_untracked().query_string()
        );
        let token = ctx.token();
        spawn_local(async move {
            export_error.set(None);
            if let Err(error) = download(&url, &token, &format!("同心活动.{format}")).await {
                export_error.set(Some(format!("{} {error}", i18n::EXPORT_FAILED)));
            }
        });
    };

    view! {
        <section class="admin">
            <h1>{i18n::ADMIN_TITLE}</h1>
            <form class="admin-filter" id="admin-filter" on:submit=|ev| ev.prevent_default()>
                <label>{i18n::FROM_DATE}<input type="date" name="from" bind:value=from/></label>
                <label>
                    {i18n::TO_DATE}<input type="date" name="to" bind:value=to/>
                    {move || filter.get().validate().err().map(|e| view! {
                        <span class="field-error" id="to-error" role="alert">{i18n::rule_message(&e)}</span>
                    })}
                </label>
                <label>
                    {i18n::STREET}
                    <select name="street" on:change:target=move |ev| street.set(ev.target().value())>
                        <option value="">{i18n::ALL_STREETS}</option>
                        {move || streets.get().unwrap_or_default().into_iter()
                            .map(|s| {
                                // Options are rebuilt after each sync; keep the choice shown.
                                let selected = street.get_untracked() == s;
                                view! { <option value=s.clone() selected=selected>{s.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {i18n::CATEGORY}
                    <select name="category" on:change:target=move |ev| category.set(ev.target().value())>
                        <option value="">{i18n::ALL_CATEGORIES}</option>
                        {Category::ALL.into_iter()
                            .map(|c| view! { <option value=c.code()>{i18n::category(c)}</option> })
                            .collect_view()}
                    </select>
                </label>
            </form>
            <div class="exports">
                <button type="button" class="export-xlsx" on:click=move |_| export("xlsx")>{i18n::EXPORT_XLSX}</button>
                <button type="button" class="export-csv" on:click=move |_| export("csv")>{i18n::EXPORT_CSV}</button>
                {move || export_error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            </div>
            <Transition fallback=|| view! { <p>{i18n::LOADING}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! {
                            <p class="admin-offline" role="alert">{i18n::ADMIN_OFFLINE} " " {error.to_string()}</p>
                        }.into_any(),
                        Ok((report, rows)) => report_view(report, rows).into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

fn report_view(report: AdminReport, rows: Vec<AdminActivityRow>) -> impl IntoView {
    let summary = report.summary;
    let categories: Vec<BreakdownRow> = report
        .by_category
        .into_iter()
        .map(|mut row| {
            if let Some(category) = Category::from_code(&row.key) {
                row.label = i18n::category(category).to_owned();
            }
            row
        })
        .collect();
    view! {
        <dl class="headline">
            <div><dt>{i18n::TOTAL_ACTIVITIES}</dt><dd id="total-activities">{summary.activities}</dd></div>
            <div><dt>{i18n::TOTAL_PEOPLE_SERVED}</dt><dd id="total-people-served">{summary.people_served}</dd></div>
            <div><dt>{i18n::TOTAL_VOLUNTEERS}</dt><dd id="total-volunteers">{summary.volunteers}</dd></div>
            <div><dt>{i18n::ACTIVE_STATIONS}</dt><dd id="active-stations">{summary.active_stations}</dd></div>
            <div><dt>{i18n::LIVESTREAM_SESSIONS}</dt><dd id="livestream-sessions">{summary.livestream_sessions}</dd></div>
        </dl>
        <div class="charts">
            {chart("chart-by-category", i18n::CHART_BY_CATEGORY, Chart::Bars, chart_points(&categories))}
            {chart("chart-by-month", i18n::CHART_BY_MONTH, Chart::Line, chart_points(&report.by_month))}
        </div>
        <div class="breakdowns">
            {breakdown_table("by-category", i18n::BY_CATEGORY, categories)}
            {breakdown_table("by-street", i18n::BY_STREET, report.by_street)}
            {breakdown_table("by-station", i18n::BY_STATION, report.by_station)}
            {breakdown_table("by-month", i18n::BY_MONTH, report.by_month)}
        </div>
        <h2>{i18n::ACTIVITY_LIST}</h2>
        <table id="admin-activities">
            <thead><tr>
                <th scope="col">{i18n::DATE}</th><th scope="col">{i18n::TITLE}</th><th scope="col">{i18n::CATEGORY}</th>
                <th scope="col">{i18n::STATION}</th><th scope="col">{i18n::STREET}</th><th scope="col">{i18n::PEOPLE_SERVED}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-id=row.activity.id.to_string()>
                        <td>{row.activity.date.to_string()}</td>
                        <td>{row.activity.title}</td>
                        <td>{i18n::category(row.activity.category)}</td>
                        <td>{row.station_name}</td>
                        <td>{row.street}</td>
                        <td>{row.activity.people_served.get()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[derive(Clone, Copy)]
enum Chart {
    Bars,
    Line,
}

/// People served per row of a breakdown, as a chart draws them.
fn chart_points(rows: &[BreakdownRow]) -> Vec<(String, u64)> {
    rows.iter()
        .map(|row| (row.label.clone(), row.people_served))
        .collect()
}

/// A chart of people served, drawn once the canvas is on the page. The
/// canvas is an image to assistive technology, labelled with its figures;
/// the table below it holds the same numbers.
fn chart(
    id: &'static str,
    title: &'static str,
    kind: Chart,
    points: Vec<(String, u64)>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let label = format!(
        "{title}：{}",
        points
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("，")
    );
    Effect::new(move |_| {
        let Some(element) = canvas.get() else {
            return;
        };
        let drawn = match kind {
            Chart::Bars => charts::bars(element.clone(), &points),
            Chart::Line => charts::line(element.clone(), &points),
        };
        let _ = element.set_attribute("data-drawn", if drawn.is_some() { "true" } else { "false" });
    });
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <canvas id=id node_ref=canvas width="640" height="280" role="img" aria-label=label></canvas>
        </figure>
    }
}

fn breakdown_table(
    id: &'static str,
    caption: &'static str,
    rows: Vec<BreakdownRow>,
) -> impl IntoView {
    view! {
        <table id=id class="breakdown">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col"></th>
                <th scope="col">{i18n::TOTAL_ACTIVITIES}</th>
                <th scope="col">{i18n::TOTAL_PEOPLE_SERVED}</th>
                <th scope="col">{i18n::TOTAL_VOLUNTEERS}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-key=row.key>
                        <th scope="row">{row.label}</th>
                        <td>{row.activities}</td>
                        <td>{row.people_served}</td>
                        <td>{row.volunteers}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Fetches an export with the session's token and hands it to the browser
/// as a download (a plain link could not carry the token).
async fn download(url: &str, token: &str, file_name: &str) -> Result<(), String> {
    let bytes = sync::api_bytes(url, token)
        .await
        .map_err(|e| e.to_string())?;
    let array = js_sys::Uint8Array::from(bytes.as_slice());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&js_sys::Array::of1(&array))
        .map_err(|e| format!("{e:?}"))?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| format!("{e:?}"))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| format!("{e:?}"))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    link.set_href(&href);
    link.set_download(file_name);
    link.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok(())
}
