//! The admin's merged view. Every figure, table and export takes the same
//! filter (date range, street, category, partner region) as query
//! parameters.

use axum::{Json, extract::State};
use tongxin_shared::{
    admin::{AdminFilter, AdminReport, AdminSummary},
    sync::AdminActivityRow,
};

use super::extract::ApiQuery;
use crate::{
    AppState,
    auth::Actor,
    db::{Dimension, SalesDimension},
    error::ApiError,
};
use tongxin_shared::sync::ErrorBody;

/// How many activities the admin list shows.
const ADMIN_LIST_LIMIT: usize = 500;

/// Only admins pass; a filter that breaks a rule, or names a category the
/// list does not have, is refused with its reason.
pub(super) async fn checked(
    state: &AppState,
    actor: &Actor,
    filter: &AdminFilter,
) -> Result<(), ApiError> {
    actor.require_admin()?;
    filter.validate().map_err(|e| ApiError::from(vec![e]))?;
    if let Some(category) = &filter.category
        && !state
            .db
            .categories()
            .await?
            .iter()
            .any(|c| &c.code == category)
    {
        return Err(ApiError::invalid(
            format!("category: no category with code {:?}", category.code()),
            "category",
            tongxin_shared::error::Rule::UnknownCategory,
        ));
    }
    Ok(())
}

#[utoipa::path(get, path = "/admin/summary", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, body = AdminSummary), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn admin_summary(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<AdminSummary>, ApiError> {
    checked(&state, &actor, &filter).await?;
    Ok(Json(state.db.admin_summary(&filter).await?))
}

/// The headline figures and every breakdown, for the admin's page.
#[utoipa::path(get, path = "/admin/report", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, body = AdminReport), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn admin_report(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<AdminReport>, ApiError> {
    checked(&state, &actor, &filter).await?;
    let db = &state.db;
    Ok(Json(AdminReport {
        summary: db.admin_summary(&filter).await?,
        by_street: db.breakdown(&filter, Dimension::Street).await?,
        by_station: db.breakdown(&filter, Dimension::Station).await?,
        by_category: db.breakdown(&filter, Dimension::Category).await?,
        by_month: db.breakdown(&filter, Dimension::Month).await?,
        sales_by_region: db.sales_breakdown(&filter, SalesDimension::Region).await?,
        sales_by_product: db.sales_breakdown(&filter, SalesDimension::Product).await?,
        sales_by_session: db.sales_breakdown(&filter, SalesDimension::Session).await?,
        regions: db.region_choices().await?,
        categories: db.categories().await?,
        proposals: db.proposal_figures(&filter).await?,
        filter,
    }))
}

/// The newest 500 activities passing the filter.
#[utoipa::path(get, path = "/admin/activities", tag = "admin", params(AdminFilter),
    security(("session" = [])),
    responses((status = 200, body = Vec<AdminActivityRow>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn activities_list(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
) -> Result<Json<Vec<AdminActivityRow>>, ApiError> {
    checked(&state, &actor, &filter).await?;
    Ok(Json(
        state.db.admin_activities(&filter, ADMIN_LIST_LIMIT).await?,
    ))
}
