//! The admin's exports of the filtered activities: XLSX (Chinese headers,
//! dates as dates, counts as numbers) and CSV (UTF-8 with a byte-order mark
//! so Excel reads the Chinese right). Both stream: rows come from the
//! database through a bounded channel, so a large export never sits in
//! memory whole.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::Datelike;
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tongxin_shared::{admin::AdminFilter, sync::ErrorBody};

use super::extract::ApiQuery;
use crate::{AppState, auth::Actor, db::ExportRow, error::ApiError};

/// The columns of both exports.
pub const HEADERS: [&str; 12] = [
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

/// Rows in flight between the database and the file.
const CHANNEL_ROWS: usize = 512;

fn start_export(
    state: &AppState,
    actor: &Actor,
    filter: AdminFilter,
) -> Result<mpsc::Receiver<Result<ExportRow, sqlx::Error>>, ApiError> {
    actor.require_admin()?;
    filter
        .validate()
        .map_err(|e| ApiError::bad_request(format!("{}: {}", e.field, e.message)))?;
    let (rows, received) = mpsc::channel(CHANNEL_ROWS);
    let db = state.db.clone();
    tokio::spawn(async move { db.export_activities(&filter, rows).await });
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

/// The cells of one row, as text.
/// A start time as the district writes it, "09:30"; empty when not given.
fn time_cell(row: &ExportRow) -> String {
    row.activity
        .time
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default()
}

fn text_cells(row: &ExportRow) -> [String; 12] {
    let a = &row.activity;
    [
        a.date.to_string(),
        time_cell(row),
        a.title.clone(),
        a.category.name_zh().to_owned(),
        row.station_name.clone(),
        row.street.clone(),
        row.community.clone(),
        a.organising_group.clone(),
        a.volunteers.to_string(),
        a.people_served.get().to_string(),
        a.notes.clone(),
        a.id.to_string(),
    ]
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
    let rows = start_export(&state, &actor, filter)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(HEADERS)
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
                    .write_record(text_cells(&row))
                    .map_err(std::io::Error::other)?;
            }
            let bytes = writer
                .into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            Ok(Bytes::from(bytes))
        }));
    Ok(attachment(
        "text/csv; charset=utf-8",
        "activities.csv",
        Body::from_stream(body),
    ))
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
    let mut rows = start_export(&state, &actor, filter)?;
    // The workbook is written on a blocking thread as rows arrive, into a
    // temporary file (a zip needs to seek), and the file is then streamed.
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
        "activities.xlsx",
        body,
    ))
}

fn write_xlsx(
    rows: &mut mpsc::Receiver<Result<ExportRow, sqlx::Error>>,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let sheet = workbook.add_worksheet_with_low_memory()?;
    sheet.set_name("活动")?;
    for (col, title) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
    }
    for (width, col) in [
        (12, 0),
        (8, 1),
        (28, 2),
        (10, 3),
        (22, 4),
        (12, 5),
        (12, 6),
        (18, 7),
        (30, 10),
        (38, 11),
    ] {
        sheet.set_column_width(col, width)?;
    }
    let mut line: u32 = 0;
    while let Some(row) = rows.blocking_recv() {
        let row = row?;
        line += 1;
        let a = &row.activity;
        let day = ExcelDateTime::from_ymd(
            u16::try_from(a.date.year())?,
            u8::try_from(a.date.month())?,
            u8::try_from(a.date.day())?,
        )?;
        sheet.write_datetime_with_format(line, 0, &day, &date)?;
        sheet.write_string(line, 1, time_cell(&row))?;
        sheet.write_string(line, 2, &a.title)?;
        sheet.write_string(line, 3, a.category.name_zh())?;
        sheet.write_string(line, 4, &row.station_name)?;
        sheet.write_string(line, 5, &row.street)?;
        sheet.write_string(line, 6, &row.community)?;
        sheet.write_string(line, 7, &a.organising_group)?;
        sheet.write_number(line, 8, f64::from(a.volunteers))?;
        sheet.write_number(line, 9, f64::from(a.people_served.get()))?;
        sheet.write_string(line, 10, &a.notes)?;
        sheet.write_string(line, 11, a.id.to_string())?;
    }
    workbook.save(path)?;
    Ok(())
}
