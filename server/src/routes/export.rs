//! The admin's exports of the filtered activities and sales: XLSX (Chinese
//! headers, dates as dates, counts and money as numbers) and CSV (UTF-8
//! with a byte-order mark so Excel reads the Chinese right). All stream:
//! rows come from the database through a bounded channel, so a large
//! export never sits in memory whole.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{Datelike, NaiveDate};
use futures::StreamExt;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tongxin_shared::{admin::AdminFilter, livestream::format_yuan, sync::ErrorBody};

use super::extract::ApiQuery;
use crate::{
    AppState,
    auth::Actor,
    db::{ExportRow, SalesExportRow},
    error::ApiError,
};

/// Rows in flight between the database and the file.
const CHANNEL_ROWS: usize = 512;

/// A kind of row the admin exports: its columns, and its cells as text
/// (CSV) and as typed cells (XLSX).
pub trait ExportTable: Send + 'static {
    /// The worksheet's name.
    const SHEET: &'static str;
    /// The file name, without its extension.
    const FILE: &'static str;
    const HEADERS: &'static [&'static str];
    /// Column widths worth setting, as (column, characters).
    const WIDTHS: &'static [(u16, f64)];

    fn text_cells(&self) -> Vec<String>;

    fn write_cells(&self, sheet: &mut Worksheet, line: u32, date: &Format)
    -> Result<(), XlsxError>;
}

/// A start time as the district writes it, "09:30"; empty when not given.
fn time_cell(row: &ExportRow) -> String {
    row.activity
        .time
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

impl ExportTable for ExportRow {
    const SHEET: &'static str = "活动";
    const FILE: &'static str = "activities";
    const HEADERS: &'static [&'static str] = &[
        "日期",
        "时间",
        "活动名称",
        "类别",
        "阵地",
        "街道",
        "社区",
        "组织单位",
        "志愿者人数",
        "惠及人次",
        "备注",
        "记录编号",
    ];
    const WIDTHS: &'static [(u16, f64)] = &[
        (0, 12.0),
        (1, 8.0),
        (2, 28.0),
        (3, 10.0),
        (4, 22.0),
        (5, 12.0),
        (6, 12.0),
        (7, 18.0),
        (10, 30.0),
        (11, 38.0),
    ];

    fn text_cells(&self) -> Vec<String> {
        let a = &self.activity;
        vec![
            a.date.to_string(),
            time_cell(self),
            a.title.clone(),
            self.category_name.clone(),
            self.station_name.clone(),
            self.street.clone(),
            self.community.clone(),
            a.organising_group.clone(),
            a.volunteers.to_string(),
            a.people_served.get().to_string(),
            a.notes.clone(),
            a.id.to_string(),
        ]
    }

    fn write_cells(
        &self,
        sheet: &mut Worksheet,
        line: u32,
        date: &Format,
    ) -> Result<(), XlsxError> {
        let a = &self.activity;
        sheet.write_datetime_with_format(line, 0, excel_date(a.date)?, date)?;
        sheet.write_string(line, 1, time_cell(self))?;
        sheet.write_string(line, 2, &a.title)?;
        sheet.write_string(line, 3, &self.category_name)?;
        sheet.write_string(line, 4, &self.station_name)?;
        sheet.write_string(line, 5, &self.street)?;
        sheet.write_string(line, 6, &self.community)?;
        sheet.write_string(line, 7, &a.organising_group)?;
        sheet.write_number(line, 8, f64::from(a.volunteers))?;
        sheet.write_number(line, 9, f64::from(a.people_served.get()))?;
        sheet.write_string(line, 10, &a.notes)?;
        sheet.write_string(line, 11, a.id.to_string())?;
        Ok(())
    }
}

impl ExportTable for SalesExportRow {
    const SHEET: &'static str = "直播销售";
    const FILE: &'static str = "sales";
    const HEADERS: &'static [&'static str] = &[
        "场次",
        "日期",
        "平台",
        "主播",
        "商品",
        "单位",
        "对口地区",
        "省份",
        "销量",
        "销售额（元）",
        "订单数",
        "记录编号",
    ];
    const WIDTHS: &'static [(u16, f64)] = &[(1, 12.0), (4, 24.0), (6, 14.0), (9, 14.0), (11, 38.0)];

    fn text_cells(&self) -> Vec<String> {
        vec![
            format!("第{}期", self.session_number),
            self.date.to_string(),
            self.platform.clone(),
            self.host.clone(),
            self.product.clone(),
            self.unit.clone(),
            self.region.clone(),
            self.province.clone(),
            self.units.to_string(),
            // Exact yuan from integer fen, without grouping commas.
            format_yuan(self.amount_fen).replace(',', ""),
            self.orders.to_string(),
            self.id.clone(),
        ]
    }

    fn write_cells(
        &self,
        sheet: &mut Worksheet,
        line: u32,
        date: &Format,
    ) -> Result<(), XlsxError> {
        sheet.write_string(line, 0, format!("第{}期", self.session_number))?;
        sheet.write_datetime_with_format(line, 1, excel_date(self.date)?, date)?;
        sheet.write_string(line, 2, &self.platform)?;
        sheet.write_string(line, 3, &self.host)?;
        sheet.write_string(line, 4, &self.product)?;
        sheet.write_string(line, 5, &self.unit)?;
        sheet.write_string(line, 6, &self.region)?;
        sheet.write_string(line, 7, &self.province)?;
        sheet.write_number(line, 8, self.units as f64)?;
        // Fen are exact integers; yuan with two decimals is what Excel
        // users sum.
        sheet.write_number(line, 9, self.amount_fen as f64 / 100.0)?;
        sheet.write_number(line, 10, self.orders as f64)?;
        sheet.write_string(line, 11, &self.id)?;
        Ok(())
    }
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let part =
        |n: u32| u8::try_from(n).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()));
    let year =
        u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()))?;
    ExcelDateTime::from_ymd(year, part(date.month())?, part(date.day())?)
}

/// Checks the caller and the filter, and starts streaming rows from the
/// database on a task of their own.
async fn start_export<T: Send + 'static, F, Fut>(
    state: &AppState,
    actor: &Actor,
    filter: AdminFilter,
    export: F,
) -> Result<mpsc::Receiver<Result<T, sqlx::Error>>, ApiError>
where
    F: FnOnce(crate::db::Db, AdminFilter, mpsc::Sender<Result<T, sqlx::Error>>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    super::admin::checked(state, actor, &filter).await?;
    let (rows, received) = mpsc::channel(CHANNEL_ROWS);
    tokio::spawn(export(state.db.clone(), filter, rows));
    Ok(received)
}

fn attachment(content_type: &'static str, file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A cell that Excel or WPS would read as a formula (it begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so what a
/// volunteer typed as a title is shown, never run, when the admin opens
/// the file (OWASP's advice on CSV injection). No cell the server writes
/// itself begins so: dates, counts and amounts begin with a digit.
fn inert_in_a_spreadsheet(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

/// Rows as CSV with a byte-order mark, streamed chunk by chunk.
fn csv_response<T: ExportTable>(
    rows: mpsc::Receiver<Result<T, sqlx::Error>>,
) -> Result<Response, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(T::HEADERS)
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut head = b"\xEF\xBB\xBF".to_vec();
    head.extend(
        writer
            .into_inner()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?,
    );
    let body = futures::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) })
        .chain(ReceiverStream::new(rows).ready_chunks(256).map(|chunk| {
            let mut writer = csv::Writer::from_writer(Vec::new());
            for row in chunk {
                // A database error mid-way ends the download with an
                // error rather than a silently short file.
                let row = row.map_err(std::io::Error::other)?;
                writer
                    .write_record(row.text_cells().into_iter().map(inert_in_a_spreadsheet))
                    .map_err(std::io::Error::other)?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok(Bytes::from(bytes))
        }));
    Ok(attachment(
        "text/csv; charset=utf-8",
        &format!("{}.csv", T::FILE),
        Body::from_stream(body),
    ))
}

/// Rows as an Excel workbook: written on a blocking thread as rows arrive,
/// into a temporary file (a zip needs to seek), which is then streamed.
async fn xlsx_response<T: ExportTable>(
    mut rows: mpsc::Receiver<Result<T, sqlx::Error>>,
) -> Result<Response, ApiError> {
    let file = tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(e.into()))?;
    let path = file.path().to_owned();
    let written = tokio::task::spawn_blocking(move || write_xlsx(&mut rows, &path))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    written.map_err(ApiError::Internal)?;
    let reopened = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    // The open handle keeps the data readable after the name is removed.
    drop(file);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reopened));
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}.xlsx", T::FILE),
        body,
    ))
}

fn write_xlsx<T: ExportTable>(
    rows: &mut mpsc::Receiver<Result<T, sqlx::Error>>,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet_with_low_memory()?;
    sheet.set_name(T::SHEET)?;
    for (col, title) in T::HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (col, width) in T::WIDTHS {
        sheet.set_column_width(*col, *width)?;
    }
    let mut line: u32 = 0;
    while let Some(row) = rows.blocking_recv() {
        line += 1;
        row?.write_cells(sheet, line, &date)?;
    }
    workbook.save(path)?;
    Ok(())
}

/// The filtered activities as CSV (UTF-8 with a byte-order mark), newest
/// first, streamed.
#[utoipa::path(get, path = "/admin/export/activities.csv", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn activities_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    csv_response(start_export(&state, &actor, filter, activities).await?)
}

/// The filtered activities as an Excel workbook, newest first.
#[utoipa::path(get, path = "/admin/export/activities.xlsx", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn activities_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    xlsx_response(start_export(&state, &actor, filter, activities).await?).await
}

/// The filtered sale lines as CSV (UTF-8 with a byte-order mark), newest
/// session first, streamed.
#[utoipa::path(get, path = "/admin/export/sales.csv", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn sales_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    csv_response(start_export(&state, &actor, filter, sales).await?)
}

/// The filtered sale lines as an Excel workbook, newest session first.
#[utoipa::path(get, path = "/admin/export/sales.xlsx", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn sales_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    xlsx_response(start_export(&state, &actor, filter, sales).await?).await
}

async fn activities(
    db: crate::db::Db,
    filter: AdminFilter,
    rows: mpsc::Sender<Result<ExportRow, sqlx::Error>>,
) {
    db.export_activities(&filter, rows).await
}

async fn sales(
    db: crate::db::Db,
    filter: AdminFilter,
    rows: mpsc::Sender<Result<SalesExportRow, sqlx::Error>>,
) {
    db.export_sales(&filter, rows).await
}
