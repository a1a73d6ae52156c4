//! The admin's merged view. Every figure, table and export takes the same
//! filter (date range, street, category) as query parameters.

use axum::{Json, extract::State};
use tongxin_shared::{
    admin::{AdminFilter, AdminReport, AdminSummary},
    sync::AdminActivityRow,
};

use super::extract::ApiQuery;
use crate::{AppState, auth::Actor, db::Dimension, error::ApiError};

/// How many activities the admin list shows.
const ADMIN_LIST_LIMIT: usize = 500;

fn checked(actor: &Actor, filter: &AdminFilter) -> Result<(), ApiError> {
    actor.require_admin()?;
    filter
        .validate()
        .map_err(|e| ApiError::bad_request(format!("{}: {}", e.field, e.message)))
}

pub async fn admin_summary(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<AdminSummary>, ApiError> {
    checked(&actor, &filter)?;
    Ok(Json(state.db.admin_summary(&filter).await?))
}

/// The headline figures and every breakdown, for the admin's page.
pub async fn admin_report(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<AdminReport>, ApiError> {
    checked(&actor, &filter)?;
    let db = &state.db;
    Ok(Json(AdminReport {
        summary: db.admin_summary(&filter).await?,
        by_street: db.breakdown(&filter, Dimension::Street).await?,
        by_station: db.breakdown(&filter, Dimension::Station).await?,
        by_category: db.breakdown(&filter, Dimension::Category).await?,
        by_month: db.breakdown(&filter, Dimension::Month).await?,
        filter,
    }))
}

pub async fn activities_list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<Vec<AdminActivityRow>>, ApiError> {
    checked(&actor, &filter)?;
    Ok(Json(
        state.db.admin_activities(&filter, ADMIN_LIST_LIMIT).await?,
    ))
}
