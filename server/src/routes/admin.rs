//! The admin's merged view.

use axum::{Json, extract::State};
use tongxin_shared::sync::{AdminActivityRow, AdminSummary};

use crate::{AppState, auth::Actor, error::ApiError};

/// How many activities the admin list shows.
const ADMIN_LIST_LIMIT: usize = 500;

pub async fn admin_summary(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<AdminSummary>, ApiError> {
    actor.require_admin()?;
    Ok(Json(state.db.admin_summary().await?))
}

pub async fn activities_list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<AdminActivityRow>>, ApiError> {
    actor.require_admin()?;
    Ok(Json(state.db.admin_activities(ADMIN_LIST_LIMIT).await?))
}
