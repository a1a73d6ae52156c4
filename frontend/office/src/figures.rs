//! The admin's page: headline figures, breakdowns and the activity list
//! under one filter, and the exports of the same filter. Online only: the
//! figures are the server's merge of every device.

use chrono::{Datelike, NaiveDate};
use leptos::{prelude::*, task::spawn_local};
use tongxin_shared::{
    Category, CategoryInfo,
    account::Role,
    admin::{AdminFilter, AdminReport, BreakdownRow, RegionChoice, SalesRow},
    sync::{AdminActivityRow, ReferenceData},
};

use crate::{
    api,
    ctx::Ctx,
    i18n::{self, t, t_string, use_i18n},
    ui::category_options,
};
use crate::{
    charts,
    exports::{ExportError, download},
    photos::Thumbnails,
};

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = expect_context::<Ctx>();
    if ctx.role() != Some(Role::Admin) {
        return view! { <p class="admin-only" role="alert">{t!(i18n, admin_only)}</p> }.into_any();
    }
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let street = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let region = RwSignal::new(String::new());
    let filter = Memo::new(move |_| AdminFilter {
        from: NaiveDate::parse_from_str(&from.get(), "%Y-%m-%d").ok(),
        to: NaiveDate::parse_from_str(&to.get(), "%Y-%m-%d").ok(),
        street: Some(street.get()).filter(|s| !s.is_empty()),
        category: Some(category.get())
            .filter(|c| !c.is_empty())
            .map(Category::new),
        region: uuid::Uuid::parse_str(&region.get()).ok(),
    });
    // Every partner region and category, as the last report listed them.
    let regions = RwSignal::new(Vec::<RegionChoice>::new());
    let categories = RwSignal::new(Vec::<CategoryInfo>::new());
    let token = ctx.token();
    let data = LocalResource::new(move || {
        let token = token.clone();
        let filter = filter.get();
        async move {
            // A range that ends before it starts is named next to the field
            // below; the server is not asked.
            filter.validate().map_err(|e| api::ApiError::Server {
                status: 400,
                message: e.message.clone(),
                errors: vec![e],
            })?;
            let query = filter.query_string();
            let report =
                api::get::<AdminReport>(&format!("/api/admin/report?{query}"), &token).await?;
            regions.set(report.regions.clone());
            categories.set(report.categories.clone());
            let rows = api::get::<Vec<AdminActivityRow>>(
                &format!("/api/admin/activities?{query}"),
                &token,
            )
            .await?;
            Ok::<_, api::ApiError>((report, rows))
        }
    });
    // The streets to filter by: every street the district has stations on,
    // from the server (the office has no sync loop filling the store).
    let streets = LocalResource::new(move || {
        let token = ctx.token();
        async move {
            let mut streets: Vec<String> = api::get::<ReferenceData>("/api/reference", &token)
                .await
                .map(|r| r.stations)
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.street)
                .collect();
            streets.sort();
            streets.dedup();
            streets
        }
    });
    // The export being fetched (its button shows it and waits), and why
    // the last one failed.
    let exporting = RwSignal::new(None::<&'static str>);
    let export_error = RwSignal::new(None::<ExportError>);
    let export = move |table: &'static str, format: &'static str, button: &'static str| {
        if exporting.get_untracked().is_some() {
            return;
        }
        let url = format!(
            "/api/admin/export/{table}.{format}?{}",
            filter.get_untracked().query_string()
        );
        let stem = match table {
            "sales" => t_string!(i18n, export_file_sales),
            "photos" => t_string!(i18n, export_file_photos),
            _ => t_string!(i18n, export_file_activities),
        };
        let file_name = format!("{stem}.{format}");
        let token = ctx.token();
        export_error.set(None);
        exporting.set(Some(button));
        spawn_local(async move {
            let done = download(&url, &token, &file_name).await;
            exporting.set(None);
            if let Err(error) = done {
                if matches!(&error, ExportError::Api(e) if e.needs_login()) {
                    ctx.relogin.set(true);
                }
                export_error.set(Some(error));
            }
        });
    };
    // The report says what the page shows: the same filter, the same
    // figures, in the language the page is in.
    let download_report = move || {
        if exporting.get_untracked().is_some() {
            return;
        }
        let lang = if i18n.get_locale() == i18n::Locale::en {
            "en"
        } else {
            "zh"
        };
        let url = format!(
            "/api/admin/report.docx?{}&lang={lang}",
            filter.get_untracked().query_string()
        );
        let file_name = format!("{}.docx", t_string!(i18n, export_file_report));
        let token = ctx.token();
        export_error.set(None);
        exporting.set(Some("export-report"));
        spawn_local(async move {
            let done = download(&url, &token, &file_name).await;
            exporting.set(None);
            if let Err(error) = done {
                if matches!(&error, ExportError::Api(e) if e.needs_login()) {
                    ctx.relogin.set(true);
                }
                export_error.set(Some(error));
            }
        });
    };
    // This month, quarter or year, as the report names them.
    let set_period = move |period: &str| {
        let today = crate::ctx::today();
        let (year, month) = (today.year(), today.month());
        let first_month = match period {
            "month" => month,
            "quarter" => (month - 1) / 3 * 3 + 1,
            _ => 1,
        };
        let last_month = match period {
            "month" => month,
            "quarter" => first_month + 2,
            _ => 12,
        };
        let start = NaiveDate::from_ymd_opt(year, first_month, 1);
        let end = if last_month == 12 {
            NaiveDate::from_ymd_opt(year, 12, 31)
        } else {
            NaiveDate::from_ymd_opt(year, last_month + 1, 1).and_then(|d| d.pred_opt())
        };
        if let (Some(start), Some(end)) = (start, end) {
            from.set(start.to_string());
            to.set(end.to_string());
        }
    };
    let export_button = move |button: &'static str, table: &'static str, format: &'static str| {
        let busy = move || exporting.get() == Some(button);
        view! {
            <button type="button" class=format!("export {button}")
                disabled=move || exporting.get().is_some() aria-busy=move || busy().to_string()
                on:click=move |_| export(table, format, button)>
                {move || if busy() {
                    t_string!(i18n, export_busy)
                } else {
                    match button {
                        "export-xlsx" => t_string!(i18n, export_xlsx),
                        "export-csv" => t_string!(i18n, export_csv),
                        "export-sales-xlsx" => t_string!(i18n, export_sales_xlsx),
                        "export-photos" => t_string!(i18n, export_photos_zip),
                        _ => t_string!(i18n, export_sales_csv),
                    }
                }}
            </button>
        }
    };

    view! {
        <section class="admin">
            <h1>{t!(i18n, admin_title)}</h1>
            <form class="admin-filter" id="admin-filter" on:submit=|ev| ev.prevent_default()>
                <label>{t!(i18n, from_date)}<input type="date" name="from" bind:value=from/></label>
                <label>
                    {t!(i18n, to_date)}<input type="date" name="to" bind:value=to/>
                    {move || filter.get().validate().err().map(|e| view! {
                        <span class="field-error" id="to-error" role="alert">{i18n::rule_message(i18n.get_locale(), &e)}</span>
                    })}
                </label>
                <label>
                    {t!(i18n, street)}
                    <select name="street" on:change:target=move |ev| street.set(ev.target().value())>
                        <option value="">{t!(i18n, all_streets)}</option>
                        {move || streets.get().unwrap_or_default().into_iter()
                            .map(|s| {
                                // Options are rebuilt after each sync; keep the choice shown.
                                let selected = street.get_untracked() == s;
                                view! { <option value=s.clone() selected=selected translate="no">{s.clone()}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
                <label>
                    {t!(i18n, category)}
                    <select name="category" on:change:target=move |ev| category.set(ev.target().value())>
                        <option value="">{t!(i18n, all_categories)}</option>
                        {move || category_options(categories.get(), category)}
                    </select>
                </label>
                <label>
                    {t!(i18n, region)}
                    <select name="region" on:change:target=move |ev| region.set(ev.target().value())>
                        <option value="">{t!(i18n, all_regions)}</option>
                        {move || regions.get().into_iter()
                            .map(|r| {
                                let id = r.id.to_string();
                                let selected = region.get_untracked() == id;
                                view! { <option value=id selected=selected translate="no">{r.name}</option> }
                            })
                            .collect_view()}
                    </select>
                </label>
            </form>
            <div class="periods" role="group" aria-label=move || t_string!(i18n, report_period)>
                <button type="button" class="period" data-period="month" on:click=move |_| set_period("month")>{t!(i18n, this_month)}</button>
                <button type="button" class="period" data-period="quarter" on:click=move |_| set_period("quarter")>{t!(i18n, this_quarter)}</button>
                <button type="button" class="period" data-period="year" on:click=move |_| set_period("year")>{t!(i18n, this_year)}</button>
            </div>
            <div class="exports">
                <button type="button" class="export export-report" id="export-report"
                    disabled=move || exporting.get().is_some() aria-busy=move || (exporting.get() == Some("export-report")).to_string()
                    on:click=move |_| download_report()>
                    {move || if exporting.get() == Some("export-report") { t_string!(i18n, export_busy) } else { t_string!(i18n, export_report) }}
                </button>
                {export_button("export-xlsx", "activities", "xlsx")}
                {export_button("export-csv", "activities", "csv")}
                {export_button("export-photos", "photos", "zip")}
                {export_button("export-sales-xlsx", "sales", "xlsx")}
                {export_button("export-sales-csv", "sales", "csv")}
                <p class="export-status" role="status">
                    {move || exporting.get().is_some().then(|| t_string!(i18n, export_busy))}
                </p>
                {move || export_error.get().map(|error| view! {
                    <p class="field-error" id="export-error" role="alert">{move || {
                        let locale = i18n.get_locale();
                        let failed = t_string!(i18n, export_failed);
                        match &error {
                            ExportError::Api(e) if e.is_offline() => {
                                format!("{failed} {}", t_string!(i18n, admin_offline))
                            }
                            ExportError::Api(e) => format!("{failed} {}", i18n::api_error_message(locale, e)),
                            ExportError::Browser => failed.trim_end_matches(['：', ':']).to_owned(),
                        }
                    }}</p>
                })}
            </div>
            <Transition fallback=move || view! { <p>{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => view! {
                            <p class="admin-offline" role="alert">{move || {
                                let locale = i18n.get_locale();
                                if error.is_offline() {
                                    t_string!(i18n, admin_offline).to_owned()
                                } else {
                                    i18n::api_error_message(locale, &error)
                                }
                            }}</p>
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
    let i18n = use_i18n();
    let report_categories = report.categories.clone();
    let summary = report.summary;
    let categories: Vec<BreakdownRow> = report
        .by_category
        .into_iter()
        .map(|mut row| {
            row.label = i18n::category(
                i18n.get_locale(),
                &report.categories,
                &Category::new(row.key.clone()),
            );
            row
        })
        .collect();
    let number = i18n::number;
    // Sessions are named by number (第7期 / Session 7).
    let sessions: Vec<SalesRow> = report
        .sales_by_session
        .iter()
        .cloned()
        .map(|mut row| {
            if let Ok(n) = row.label.parse::<u32>() {
                row.label = i18n::session_name(i18n.get_locale(), n);
            }
            row
        })
        .collect();
    view! {
        <dl class="headline">
            <div><dt>{t!(i18n, total_activities)}</dt><dd id="total-activities">{number(summary.activities)}</dd></div>
            <div><dt>{t!(i18n, total_people_served)}</dt><dd id="total-people-served">{number(summary.people_served)}</dd></div>
            <div><dt>{t!(i18n, total_volunteers)}</dt><dd id="total-volunteers">{number(summary.volunteers)}</dd></div>
            <div><dt>{t!(i18n, active_stations)}</dt><dd id="active-stations">{number(summary.active_stations)}</dd></div>
            <div><dt>{t!(i18n, livestream_sessions)}</dt><dd id="livestream-sessions">{number(summary.livestream_sessions)}</dd></div>
            <div><dt>{t!(i18n, units)}</dt><dd id="units-sold">{number(summary.units_sold)}</dd></div>
            <div><dt>{t!(i18n, amount)}</dt><dd id="sales-amount" data-fen=summary.sales_fen>{i18n::yuan(summary.sales_fen)}</dd></div>
            <div><dt>{t!(i18n, orders)}</dt><dd id="sales-orders">{number(summary.orders)}</dd></div>
        </dl>
        <h2>{t!(i18n, proposal_figures)}</h2>
        <dl class="headline" id="proposal-figures">
            <div><dt>{t!(i18n, proposals_submitted)}</dt><dd id="proposals-submitted">{number(report.proposals.submitted)}</dd></div>
            <div><dt>{t!(i18n, proposals_taken_up)}</dt><dd id="proposals-taken-up">{number(report.proposals.taken_up)}</dd></div>
            <div><dt>{t!(i18n, proposals_with_feedback)}</dt><dd id="proposals-with-feedback">{number(report.proposals.with_feedback)}</dd></div>
            <div><dt>{t!(i18n, proposals_closed)}</dt><dd id="proposals-closed">{number(report.proposals.closed)}</dd></div>
            <div><dt>{t!(i18n, median_days_to_measure)}</dt><dd id="proposals-median-days">
                {report.proposals.median_days_to_first_measure.map(|d| format!("{d:.1}")).unwrap_or_else(|| "–".to_owned())}
            </dd></div>
        </dl>
        <div class="charts">
            {chart("chart-by-category", t_string!(i18n, chart_by_category), Chart::Bars, Labels::Ours, chart_points(&categories))}
            {chart("chart-by-month", t_string!(i18n, chart_by_month), Chart::Line, Labels::Ours, chart_points(&report.by_month))}
            {chart("chart-sales-by-region", t_string!(i18n, chart_sales_by_region), Chart::Bars, Labels::Data, sales_points(&report.sales_by_region))}
        </div>
        <div class="breakdowns">
            {breakdown_table("by-category", t_string!(i18n, by_category), t_string!(i18n, category), categories, Labels::Ours)}
            {breakdown_table("by-street", t_string!(i18n, by_street), t_string!(i18n, street), report.by_street, Labels::Data)}
            {breakdown_table("by-station", t_string!(i18n, by_station), t_string!(i18n, station), report.by_station, Labels::Data)}
            {breakdown_table("by-month", t_string!(i18n, by_month), t_string!(i18n, month), report.by_month, Labels::Ours)}
        </div>
        <h2>{t!(i18n, sales_heading)}</h2>
        <div class="breakdowns">
            {sales_table("sales-by-region", t_string!(i18n, sales_by_region), t_string!(i18n, region), report.sales_by_region)}
            {sales_table("sales-by-product", t_string!(i18n, sales_by_product), t_string!(i18n, product), report.sales_by_product)}
            {sales_table("sales-by-session", t_string!(i18n, sales_by_session), t_string!(i18n, field_session), sessions)}
        </div>
        <h2 id="activity-list-title">{t!(i18n, activity_list)}</h2>
        <div class="table-scroll" role="region" aria-labelledby="activity-list-title" tabindex="0">
        <table id="admin-activities">
            <thead><tr>
                <th scope="col">{t!(i18n, date)}</th><th scope="col">{t!(i18n, title)}</th><th scope="col">{t!(i18n, category)}</th>
                <th scope="col">{t!(i18n, station)}</th><th scope="col">{t!(i18n, street)}</th><th scope="col">{t!(i18n, people_served)}</th>
                <th scope="col">{t!(i18n, photos_label)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-id=row.activity.id.to_string()>
                        <td>{move || i18n::date(i18n.get_locale(), row.activity.date)}</td>
                        <td translate="no">{row.activity.title}</td>
                        <td>{
                            let (categories, code) = (report_categories.clone(), row.activity.category.clone());
                            move || i18n::category(i18n.get_locale(), &categories, &code)
                        }</td>
                        <td translate="no">{row.station_name}</td>
                        <td translate="no">{row.street}</td>
                        <td>{number(u64::from(row.activity.people_served.get()))}</td>
                        <td class="photos-cell"><Thumbnails hashes=row.photos/></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[derive(Clone, Copy)]
enum Chart {
    Bars,
    Line,
}

/// Sales in whole yuan per row, as a chart draws them.
fn sales_points(rows: &[SalesRow]) -> Vec<(String, u64)> {
    rows.iter()
        .map(|row| (row.label.clone(), row.amount_fen / 100))
        .collect()
}

/// A sales breakdown: units, amount and orders per row. Row labels are the
/// district's data (regions, products) or session names.
fn sales_table(
    id: &'static str,
    caption: &'static str,
    row_header: &'static str,
    rows: Vec<SalesRow>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" role="region" aria-label=caption tabindex="0">
        <table id=id class="breakdown">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">{row_header}</th>
                <th scope="col">{t!(i18n, units)}</th>
                <th scope="col">{t!(i18n, amount)}</th>
                <th scope="col">{t!(i18n, orders)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-key=row.key data-amount-fen=row.amount_fen>
                        <th scope="row" translate="no">{row.label}</th>
                        <td>{row.units}</td>
                        <td>{i18n::yuan(row.amount_fen)}</td>
                        <td>{row.orders}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
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
    labels: Labels,
    points: Vec<(String, u64)>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let label = format!(
        "{title}: {}",
        points
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Drawn at the size it is shown, so its words keep their size; again
    // when the window changes size.
    let height = match kind {
        Chart::Bars => charts::bars_height(points.len()),
        Chart::Line => 260.0,
    };
    let points = std::rc::Rc::new(points);
    let redraw = {
        let points = points.clone();
        move || {
            if let Some(element) = canvas.get_untracked() {
                draw_chart(element, kind, points.clone(), height, 0);
            }
        }
    };
    Effect::new(move |_| {
        if let Some(element) = canvas.get() {
            draw_chart(element, kind, points.clone(), height, 30);
        }
    });
    let resized = window_event_listener(leptos::ev::resize, move |_| redraw());
    on_cleanup(move || resized.remove());
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <canvas id=id node_ref=canvas width="640" height=height.to_string()
                style:height=format!("{height}px") role="img" aria-label=label
                translate=(labels == Labels::Data).then_some("no")></canvas>
        </figure>
    }
}

/// Draws a chart on its canvas at the size the canvas is shown (times the
/// screen's pixel ratio), once it is laid out: a canvas just mounted may
/// not be yet, and is tried again at the next frames (`tries`).
fn draw_chart(
    element: web_sys::HtmlCanvasElement,
    kind: Chart,
    points: std::rc::Rc<Vec<(String, u64)>>,
    height: f64,
    tries: u32,
) {
    let width = element.client_width();
    if width <= 0 {
        if tries > 0 {
            request_animation_frame(move || draw_chart(element, kind, points, height, tries - 1));
        }
        return;
    }
    let scale = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .filter(|r| *r >= 1.0)
        .unwrap_or(1.0);
    element.set_width((f64::from(width) * scale).round() as u32);
    element.set_height((height * scale).round() as u32);
    let drawn = match kind {
        Chart::Bars => charts::bars(element.clone(), &points, scale),
        Chart::Line => charts::line(element.clone(), &points, scale),
    };
    let _ = element.set_attribute("data-drawn", if drawn.is_some() { "true" } else { "false" });
}

/// Whose words a breakdown's row labels are: the app's own (categories,
/// months: translated) or the district's data (street and station names:
/// kept as written, and marked so).
#[derive(Clone, Copy, PartialEq)]
enum Labels {
    Ours,
    Data,
}

fn breakdown_table(
    id: &'static str,
    caption: &'static str,
    row_header: &'static str,
    rows: Vec<BreakdownRow>,
    labels: Labels,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll" role="region" aria-label=caption tabindex="0">
        <table id=id class="breakdown">
            <caption>{caption}</caption>
            <thead><tr>
                <th scope="col">{row_header}</th>
                <th scope="col">{t!(i18n, total_activities)}</th>
                <th scope="col">{t!(i18n, total_people_served)}</th>
                <th scope="col">{t!(i18n, total_volunteers)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|row| view! {
                    <tr data-key=row.key>
                        <th scope="row" translate=(labels == Labels::Data).then_some("no")>{row.label}</th>
                        <td>{row.activities}</td>
                        <td>{row.people_served}</td>
                        <td>{row.volunteers}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
