//! The admin's exports of the filtered activities and sales: XLSX (Chinese
//! headers, dates as dates, counts and money as numbers) and CSV (UTF-8
//! with a byte-order mark so Excel reads the Chinese right). Rows come
//! from the database through a bounded channel into a temporary file, so a
//! large export never sits in memory whole, and a slow download never
//! holds a database connection (see [`export`]).

use std::{
    io::Write,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
};

use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;
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

/// An activity as exported: its row, and where its photos open (the
/// office's page of one photo on this server, which asks for the login).
pub struct ActivityExport {
    row: ExportRow,
    photo_page: Arc<str>,
}

impl ActivityExport {
    fn links(&self) -> Vec<String> {
        self.row
            .photos
            .iter()
            .map(|hash| format!("{}{hash}", self.photo_page))
            .collect()
    }
}

/// The first column of the photos' links in the XLSX.
const FIRST_LINK: u16 = 13;

impl ExportTable for ActivityExport {
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
        "照片数",
        "照片",
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
        let (row, a) = (&self.row, &self.row.activity);
        vec![
            a.date.to_string(),
            time_cell(row),
            a.title.clone(),
            row.category_name.clone(),
            row.station_name.clone(),
            row.street.clone(),
            row.community.clone(),
            a.organising_group.clone(),
            a.volunteers.to_string(),
            a.people_served.get().to_string(),
            a.notes.clone(),
            a.id.to_string(),
            row.photos.len().to_string(),
            self.links().join(" "),
        ]
    }

    fn write_cells(
        &self,
        sheet: &mut Worksheet,
        line: u32,
        date: &Format,
    ) -> Result<(), XlsxError> {
        let (row, a) = (&self.row, &self.row.activity);
        sheet.write_datetime_with_format(line, 0, excel_date(a.date)?, date)?;
        sheet.write_string(line, 1, time_cell(row))?;
        sheet.write_string(line, 2, &a.title)?;
        sheet.write_string(line, 3, &row.category_name)?;
        sheet.write_string(line, 4, &row.station_name)?;
        sheet.write_string(line, 5, &row.street)?;
        sheet.write_string(line, 6, &row.community)?;
        sheet.write_string(line, 7, &a.organising_group)?;
        sheet.write_number(line, 8, f64::from(a.volunteers))?;
        sheet.write_number(line, 9, f64::from(a.people_served.get()))?;
        sheet.write_string(line, 10, &a.notes)?;
        sheet.write_string(line, 11, a.id.to_string())?;
        sheet.write_number(line, 12, row.photos.len() as f64)?;
        // A link per photo, each in a column of its own: "照片1", "照片2" …
        for (n, link) in self.links().into_iter().enumerate() {
            let url = rust_xlsxwriter::Url::new(link).set_text(format!("照片{}", n + 1));
            sheet.write_url(line, FIRST_LINK + n as u16, &url)?;
        }
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

pub(super) fn excel_date(date: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let part =
        |n: u32| u8::try_from(n).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()));
    let year =
        u16::try_from(date.year()).map_err(|_| XlsxError::DateTimeRangeError(date.to_string()))?;
    ExcelDateTime::from_ymd(year, part(date.month())?, part(date.day())?)
}

/// The two file formats an export comes in.
#[derive(Debug, Clone, Copy)]
pub(super) enum FileKind {
    Csv,
    Xlsx,
}

impl FileKind {
    fn content_type(self) -> &'static str {
        match self {
            FileKind::Csv => "text/csv; charset=utf-8",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
        }
    }
}

/// Set when the request is dropped (the client went away): the file being
/// written stops at its next row, and with it the read of the database.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// An export: checks the caller and the filter, writes the whole file to a
/// temporary file as fast as the database gives rows, then sends that file.
///
/// So a slow reader holds a file handle and its socket, never a database
/// connection: the database is read in one of the few long-read turns
/// (`Db::long_read_turn`) and let go before the first byte is sent. The
/// route is outside the API's request timeout (a large XLSX takes longer
/// than it), and stops writing as soon as the client goes.
/// The caller has checked the filter and who asks.
pub(super) async fn export<T: ExportTable, Q, F, Fut>(
    state: &AppState,
    filter: Q,
    kind: FileKind,
    read_rows: F,
) -> Result<Response, ApiError>
where
    F: FnOnce(crate::db::Db, Q, mpsc::Sender<Result<T, sqlx::Error>>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancelled.clone());
    let (rows, mut received) = mpsc::channel(CHANNEL_ROWS);
    let turn = state.db.long_read_turn().await;
    let reading = read_rows(state.db.clone(), filter, rows);
    tokio::spawn(async move {
        reading.await;
        drop(turn);
    });
    let file = tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(e.into()))?;
    let path = file.path().to_owned();
    let written = tokio::task::spawn_blocking(move || match kind {
        FileKind::Csv => write_csv(&mut received, &path, &cancelled),
        FileKind::Xlsx => write_xlsx(&mut received, &path, &cancelled),
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    written.map_err(ApiError::Internal)?;
    let reopened = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    // The open handle keeps the data readable after the name is removed.
    drop(file);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reopened));
    let file_name = format!("{}.{}", T::FILE, kind.extension());
    Ok((
        [
            (header::CONTENT_TYPE, kind.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// The next row for the file, or why the file stops: a database error (the
/// download fails rather than being silently short) or the client gone.
fn next_row<T>(
    rows: &mut mpsc::Receiver<Result<T, sqlx::Error>>,
    cancelled: &AtomicBool,
) -> anyhow::Result<Option<T>> {
    if cancelled.load(Ordering::Relaxed) {
        anyhow::bail!("the client went away");
    }
    Ok(rows.blocking_recv().transpose()?)
}

/// A cell that Excel or WPS would read as a formula (it begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) gets a leading `'`, so what a
/// volunteer typed as a title is shown, never run, when the admin opens
/// the file (OWASP's advice on CSV injection). No cell the server writes
/// itself begins so: dates, counts and amounts begin with a digit.
pub(super) fn inert(cell: String) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell,
    }
}

/// Rows as CSV with a byte-order mark, so Excel reads the Chinese right.
fn write_csv<T: ExportTable>(
    rows: &mut mpsc::Receiver<Result<T, sqlx::Error>>,
    path: &std::path::Path,
    cancelled: &AtomicBool,
) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(b"\xEF\xBB\xBF")?;
    let mut writer = csv::Writer::from_writer(file);
    writer.write_record(T::HEADERS)?;
    while let Some(row) = next_row(rows, cancelled)? {
        writer.write_record(row.text_cells().into_iter().map(inert))?;
    }
    writer.into_inner()?.flush()?;
    Ok(())
}

/// Rows as an Excel workbook (a zip, which needs a file it can seek in).
/// Constant-memory mode: each row goes to disk as it is written, strings
/// inline, so a million rows of distinct titles and ids take no more
/// memory than ten.
fn write_xlsx<T: ExportTable>(
    rows: &mut mpsc::Receiver<Result<T, sqlx::Error>>,
    path: &std::path::Path,
    cancelled: &AtomicBool,
) -> anyhow::Result<()> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(T::SHEET)?;
    for (col, title) in T::HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (col, width) in T::WIDTHS {
        sheet.set_column_width(*col, *width)?;
    }
    let mut line: u32 = 0;
    while let Some(row) = next_row(rows, cancelled)? {
        line += 1;
        row.write_cells(sheet, line, &date)?;
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
    headers: axum::http::HeaderMap,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    super::admin::checked(&state, &actor, &filter).await?;
    let links = photo_page(&headers);
    export(&state, (filter, links), FileKind::Csv, activities).await
}

/// The filtered activities as an Excel workbook, newest first.
#[utoipa::path(get, path = "/admin/export/activities.xlsx", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn activities_xlsx(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    super::admin::checked(&state, &actor, &filter).await?;
    let links = photo_page(&headers);
    export(&state, (filter, links), FileKind::Xlsx, activities).await
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
    super::admin::checked(&state, &actor, &filter).await?;
    export(&state, filter, FileKind::Csv, sales).await
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
    super::admin::checked(&state, &actor, &filter).await?;
    export(&state, filter, FileKind::Xlsx, sales).await
}

async fn activities(
    db: crate::db::Db,
    (filter, photo_page): (AdminFilter, Arc<str>),
    rows: mpsc::Sender<Result<ActivityExport, sqlx::Error>>,
) {
    let (read, mut reading) = mpsc::channel::<Result<ExportRow, sqlx::Error>>(CHANNEL_ROWS);
    let forward = async move {
        while let Some(row) = reading.recv().await {
            let row = row.map(|row| ActivityExport {
                row,
                photo_page: photo_page.clone(),
            });
            if rows.send(row).await.is_err() {
                return;
            }
        }
    };
    tokio::join!(db.export_activities(&filter, read), forward);
}

/// The photos of the filtered activities as one ZIP, newest activity
/// first: a folder per activity ("2026-11-12 大智义诊"), its photos in the
/// order they were added, as stored (no compression: JPEGs do not shrink),
/// and a list (照片清单.csv) of which file is which activity's. Written
/// into a temporary file as the rows come, like the other exports, then
/// sent.
#[utoipa::path(get, path = "/admin/export/photos.zip", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn photos_zip(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Response, ApiError> {
    super::admin::checked(&state, &actor, &filter).await?;
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(cancelled.clone());
    let (rows, mut received) = mpsc::channel(CHANNEL_ROWS);
    let turn = state.db.long_read_turn().await;
    let db = state.db.clone();
    tokio::spawn(async move {
        db.export_activities(&filter, rows).await;
        drop(turn);
    });
    let file = tempfile::NamedTempFile::new().map_err(|e| ApiError::Internal(e.into()))?;
    let path = file.path().to_owned();
    let (photos, runtime) = (state.photos.clone(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || {
        write_zip(&mut received, &path, &cancelled, |hash| {
            runtime.block_on(photos.get(hash, false)).ok()
        })
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(ApiError::Internal)?;
    let reopened = tokio::fs::File::open(file.path())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    drop(file);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(reopened));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"photos.zip\"".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

/// A folder name from a date and a title: nothing a file system or an
/// unzip tool would read as a path.
fn folder_name(row: &ExportRow) -> String {
    let title: String = row
        .activity
        .title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .take(60)
        .collect();
    format!("{} {}", row.activity.date, title.trim())
}

fn write_zip(
    rows: &mut mpsc::Receiver<Result<ExportRow, sqlx::Error>>,
    path: &std::path::Path,
    cancelled: &AtomicBool,
    photo: impl Fn(&str) -> Option<bytes::Bytes>,
) -> anyhow::Result<()> {
    use zip::{CompressionMethod, write::SimpleFileOptions};
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    let mut list = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    list.write_record(["文件", "日期", "活动名称", "阵地", "记录编号"])?;
    let mut folders = std::collections::HashSet::new();
    while let Some(row) = next_row(rows, cancelled)? {
        if row.photos.is_empty() {
            continue;
        }
        // Two activities of one day and title get folders of their own.
        let mut folder = folder_name(&row);
        if !folders.insert(folder.clone()) {
            folder = format!("{folder} ({})", &row.activity.id.to_string()[..8]);
            folders.insert(folder.clone());
        }
        for (n, hash) in row.photos.iter().enumerate() {
            // A photo whose bytes have not arrived yet is left out.
            let Some(bytes) = photo(hash) else { continue };
            let extension = match tongxin_shared::photo::PhotoType::sniff(&bytes) {
                Some(tongxin_shared::photo::PhotoType::Png) => "png",
                Some(tongxin_shared::photo::PhotoType::Webp) => "webp",
                _ => "jpg",
            };
            let name = format!("{folder}/{}.{extension}", n + 1);
            zip.start_file(name.as_str(), stored)?;
            zip.write_all(&bytes)?;
            list.write_record([
                name.as_str(),
                &row.activity.date.to_string(),
                &inert(row.activity.title.clone()),
                &row.station_name,
                &row.activity.id.to_string(),
            ])?;
        }
    }
    zip.start_file("照片清单.csv", stored)?;
    zip.write_all(&list.into_inner()?)?;
    zip.finish()?;
    Ok(())
}

/// Where a photo of this server opens for a person: the office's page of
/// one photo, by the address the request came to (behind a proxy, the one
/// it names).
fn photo_page(headers: &axum::http::HeaderMap) -> Arc<str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or("localhost");
    let scheme = header("x-forwarded-proto").unwrap_or("http");
    format!("{scheme}://{host}/admin/photo/").into()
}

async fn sales(
    db: crate::db::Db,
    filter: AdminFilter,
    rows: mpsc::Sender<Result<SalesExportRow, sqlx::Error>>,
) {
    db.export_sales(&filter, rows).await
}
