//! The admin's merged view. Every figure, table and export takes the same
//! filter (date range, street, category, partner region) as query
//! parameters.

use axum::{Json, extract::State};
use tongxin_shared::{
    admin::{AdminFilter, AdminReport, AdminSummary},
    proposal::ProposalFilter,
    sync::AdminActivityRow,
};

use super::extract::ApiQuery;
use crate::{
    AppState,
    auth::Actor,
    db::{Dimension, SalesDimension},
    error::ApiError,
    report,
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
    Ok(Json(report_of(&state.db, filter).await?))
}

/// Every figure of the admin's page for `filter`: what the page shows
/// and what the work report says, read by the same queries.
async fn report_of(db: &crate::db::Db, filter: AdminFilter) -> Result<AdminReport, sqlx::Error> {
    Ok(AdminReport {
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
    })
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportLanguage {
    /// `en` for English; Chinese otherwise.
    #[serde(default)]
    lang: Option<String>,
}

/// The work report (工作简报) for the filter's period as a Word document:
/// the page's figures, worded and tabled.
#[utoipa::path(get, path = "/admin/report.docx", tag = "admin", params(AdminFilter, ReportLanguage),
    security(("session" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>), (status = 400, description = "a bad filter", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn admin_report_docx(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(filter): ApiQuery<AdminFilter>,
    ApiQuery(language): ApiQuery<ReportLanguage>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    checked(&state, &actor, &filter).await?;
    let language = match language.lang.as_deref() {
        Some("en") => report::Language::English,
        _ => report::Language::Chinese,
    };
    let proposal_filter = ProposalFilter {
        from: filter.from,
        to: filter.to,
        street: filter.street.clone(),
        ..ProposalFilter::default()
    };
    let data = report::ReportData {
        proposal_states: state.db.proposal_counts(&proposal_filter).await?,
        stations: state.db.stations().await?,
        report: report_of(&state.db, filter).await?,
    };
    let bytes = tokio::task::spawn_blocking(move || report::write(&data, language))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("writing the report: {e}")))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"report.docx\"",
            ),
        ],
        bytes,
    )
        .into_response())
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
