//! The admin's board of proposals: counts by state, the overdue, the
//! rows, one proposal's history, and the export with the history
//! flattened. Proposals are written on phones (through sync); here they
//! are only read.

use axum::{
    Json,
    extract::{Path, State},
    response::Response,
};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};
use tokio::sync::mpsc;
use tongxin_shared::{
    error::Rule,
    proposal::{ProposalBoard, ProposalDetail, ProposalFilter, ProposalState, StepKind},
    sync::ErrorBody,
};
use uuid::Uuid;

use super::{
    export::{ExportTable, FileKind, excel_date, export},
    extract::ApiQuery,
};
use crate::{AppState, auth::Actor, db::ProposalExportRow, error::ApiError};

/// Only admins pass; a filter that breaks a rule, or names a group the
/// list does not have, is refused with its reason.
async fn checked(state: &AppState, actor: &Actor, filter: &ProposalFilter) -> Result<(), ApiError> {
    actor.require_admin()?;
    filter.validate().map_err(|e| ApiError::from(vec![e]))?;
    if let Some(group) = &filter.group
        && !state
            .db
            .proposal_groups()
            .await?
            .iter()
            .any(|g| &g.code == group)
    {
        return Err(ApiError::invalid(
            format!("group: no group with code {group:?}"),
            "group",
            Rule::UnknownGroup,
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/admin/proposals", tag = "admin", params(ProposalFilter),
    security(("session" = [])),
    responses((status = 200, body = ProposalBoard), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
/// Counts by state and the overdue (whatever the filter's state), and the
/// newest 500 proposals the filter matches.
pub async fn proposals_board(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<ProposalFilter>,
) -> Result<Json<ProposalBoard>, ApiError> {
    checked(&state, &actor, &filter).await?;
    let (now, _) = state.now();
    Ok(Json(
        state.db.proposal_board(&filter, now.date_naive()).await?,
    ))
}

#[utoipa::path(get, path = "/admin/proposals/{id}", tag = "admin",
    params(("id" = Uuid, Path, description = "the proposal's id")),
    security(("session" = [])),
    responses((status = 200, body = ProposalDetail), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no such proposal", body = ErrorBody)))]
/// One proposal with its whole history.
pub async fn proposal_get(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<Uuid>,
) -> Result<Json<ProposalDetail>, ApiError> {
    actor.require_admin()?;
    let (now, _) = state.now();
    match state.db.proposal_detail(id, now.date_naive()).await? {
        Some(detail) => Ok(Json(detail)),
        None => Err(ApiError::not_found("id", format!("no proposal {id}"))),
    }
}

/// The filtered proposals as CSV (UTF-8 with a byte-order mark): a row per
/// step of each one's history.
#[utoipa::path(get, path = "/admin/export/proposals.csv", tag = "admin", params(ProposalFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "text/csv; charset=utf-8", body = String), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn proposals_csv(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<ProposalFilter>,
) -> Result<Response, ApiError> {
    checked(&state, &actor, &filter).await?;
    export(&state, filter, FileKind::Csv, rows).await
}

/// The filtered proposals as an Excel workbook: a row per step.
#[utoipa::path(get, path = "/admin/export/proposals.xlsx", tag = "admin", params(ProposalFilter),
    security(("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn proposals_xlsx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<ProposalFilter>,
) -> Result<Response, ApiError> {
    checked(&state, &actor, &filter).await?;
    export(&state, filter, FileKind::Xlsx, rows).await
}

async fn rows(
    db: crate::db::Db,
    filter: ProposalFilter,
    rows: mpsc::Sender<Result<ProposalExportRow, sqlx::Error>>,
) {
    let today = chrono::Utc::now().date_naive();
    match db.export_proposals(&filter, today).await {
        Ok(all) => {
            for row in all {
                if rows.send(Ok(row)).await.is_err() {
                    return;
                }
            }
        }
        Err(error) => {
            let _ = rows.send(Err(error)).await;
        }
    }
}

fn state_zh(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Submitted => "已提交",
        ProposalState::TakenUp => "已受理",
        ProposalState::InProgress => "落实中",
        ProposalState::FeedbackGiven => "已反馈",
        ProposalState::Closed => "已办结",
        ProposalState::Declined => "不予采纳",
    }
}

fn step_zh(kind: StepKind) -> &'static str {
    match kind {
        StepKind::TakenUp => "受理",
        StepKind::Measure => "举措",
        StepKind::Feedback => "反馈",
        StepKind::Closed => "办结",
        StepKind::Declined => "不予采纳",
    }
}

impl ExportTable for ProposalExportRow {
    const SHEET: &'static str = "建言献策";
    const FILE: &'static str = "proposals";
    const HEADERS: &'static [&'static str] = &[
        "提交日期",
        "标题",
        "提议人",
        "所属组织",
        "主题",
        "街道",
        "状态",
        "逾期",
        "责任单位",
        "办理期限",
        "环节日期",
        "环节",
        "办理人",
        "内容",
        "满意度",
        "建言编号",
    ];
    const WIDTHS: &'static [(u16, f64)] = &[
        (0, 12.0),
        (1, 36.0),
        (8, 16.0),
        (9, 12.0),
        (10, 12.0),
        (13, 40.0),
        (15, 38.0),
    ];

    fn text_cells(&self) -> Vec<String> {
        let p = &self.row.proposal;
        let progress = &self.row.progress;
        let step = self.step.as_ref();
        vec![
            p.date.to_string(),
            p.title.clone(),
            p.proposer.clone(),
            self.group.clone(),
            p.topic.clone(),
            p.street.clone(),
            state_zh(progress.state).to_owned(),
            if self.row.overdue { "是" } else { "" }.to_owned(),
            progress.responsible.clone().unwrap_or_default(),
            progress.due.map(|d| d.to_string()).unwrap_or_default(),
            step.map(|s| s.date.to_string()).unwrap_or_default(),
            step.map(|s| step_zh(s.kind).to_owned()).unwrap_or_default(),
            step.map(|s| s.author.clone()).unwrap_or_default(),
            step.map(|s| s.text.clone()).unwrap_or_default(),
            match step.and_then(|s| s.satisfied) {
                Some(true) => "满意".to_owned(),
                Some(false) => "不满意".to_owned(),
                None => String::new(),
            },
            p.id.to_string(),
        ]
    }

    fn write_cells(
        &self,
        sheet: &mut Worksheet,
        line: u32,
        date: &Format,
    ) -> Result<(), XlsxError> {
        let cells = self.text_cells();
        let dates = [
            Some(self.row.proposal.date),
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            self.row.progress.due,
            self.step.as_ref().map(|s| s.date),
        ];
        for (col, cell) in cells.into_iter().enumerate() {
            match dates.get(col).copied().flatten() {
                Some(day) => {
                    sheet.write_datetime_with_format(line, col as u16, excel_date(day)?, date)?;
                }
                None if cell.is_empty() => {}
                None => {
                    sheet.write_string(line, col as u16, cell)?;
                }
            }
        }
        Ok(())
    }
}
