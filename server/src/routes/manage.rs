//! The admin's management of accounts, stations and categories. Everything
//! the command line (`tongxin-server user …`) does, over HTTP, for admins
//! only.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use tongxin_shared::{
    Category, CategoryInfo, Station,
    account::{
        AccountChange, AccountListing, NewAccount, UserInfo, canonical_username,
        validate_new_password, validate_stations,
    },
    error::Rule,
    proposal::GroupInfo,
    sync::ErrorBody,
};

use super::extract::ApiJson;
use crate::{
    AppState, auth,
    auth::Actor,
    db::{NewUser, UserListing},
    error::ApiError,
};

/// Every account, by username.
#[utoipa::path(get, path = "/admin/users", tag = "manage", security(("session" = [])),
    responses((status = 200, body = Vec<AccountListing>), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody)))]
pub async fn users_list(
    State(state): State<AppState>,
    actor: Actor,
) -> Result<Json<Vec<AccountListing>>, ApiError> {
    actor.require_admin()?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let users = state.db.users().await?;
    Ok(Json(
        users.into_iter().map(|u| listing(u, now_ms)).collect(),
    ))
}

/// A stored account as the admin's list shows it at `now_ms`.
fn listing(user: UserListing, now_ms: i64) -> AccountListing {
    AccountListing {
        user: user.info,
        disabled: user.disabled,
        locked: user.locked_until_ms > now_ms,
    }
}

/// Creates an account with its first password.
#[utoipa::path(post, path = "/admin/users", tag = "manage", request_body = NewAccount,
    security(("session" = [])),
    responses((status = 201, body = UserInfo), (status = 400, description = "a broken rule (each named) or an unknown station", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 409, description = "the username is taken", body = ErrorBody)))]
pub async fn users_create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(account): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<UserInfo>), ApiError> {
    actor.require_admin()?;
    account.validate()?;
    let stations = match account.role {
        tongxin_shared::account::Role::Volunteer => account.stations.clone(),
        _ => Vec::new(),
    };
    let new = NewUser {
        username: canonical_username(&account.username),
        display_name: account.display_name.trim().to_owned(),
        role: account.role,
        password_hash: hash(&account.password).await?,
        stations: stations.clone(),
    };
    let id = state.db.create_user(&new).await?;
    tracing::info!(admin = %actor.username, user = %new.username, "account created");
    Ok((
        StatusCode::CREATED,
        Json(UserInfo {
            id,
            username: new.username,
            display_name: new.display_name,
            role: new.role,
            stations,
        }),
    ))
}

/// Disables or enables an account, sets a new password or a volunteer's
/// stations. Disabling and a new password end the account's sessions.
#[utoipa::path(patch, path = "/admin/users/{username}", tag = "manage", request_body = AccountChange,
    params(("username" = String, Path, description = "the account's username")),
    security(("session" = [])),
    responses((status = 200, body = AccountListing), (status = 400, description = "a broken rule or an unknown station", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this, or an admin disabling themself", body = ErrorBody), (status = 404, description = "no such account", body = ErrorBody)))]
pub async fn users_change(
    State(state): State<AppState>,
    actor: Actor,
    Path(username): Path<String>,
    ApiJson(change): ApiJson<AccountChange>,
) -> Result<Json<AccountListing>, ApiError> {
    actor.require_admin()?;
    let username = canonical_username(&username);
    if let Some(password) = &change.password {
        validate_new_password(&username, password).map_err(|e| ApiError::from(vec![e]))?;
    }
    if change.disabled == Some(true) && username == actor.username {
        return Err(ApiError::forbidden(
            "disabled",
            Rule::OwnAccount,
            "an admin cannot disable their own account",
        ));
    }
    let db = &state.db;
    if let Some(stations) = &change.stations {
        // The rules creation has: the account's role decides.
        let role = db
            .users()
            .await?
            .into_iter()
            .find(|u| u.info.username == username)
            .ok_or_else(|| ApiError::not_found("username", format!("no user named {username:?}")))?
            .info
            .role;
        validate_stations(role, stations).map_err(|e| ApiError::from(vec![e]))?;
        db.set_user_stations(&username, stations).await?;
    }
    if let Some(password) = &change.password {
        db.reset_password(&username, &hash(password).await?).await?;
    }
    if let Some(disabled) = change.disabled {
        db.set_disabled(&username, disabled).await?;
    }
    tracing::info!(admin = %actor.username, user = %username, "account changed");
    let now_ms = chrono::Utc::now().timestamp_millis();
    let user = db
        .users()
        .await?
        .into_iter()
        .find(|u| u.info.username == username)
        .ok_or_else(|| ApiError::not_found("username", format!("no user named {username:?}")))?;
    Ok(Json(listing(user, now_ms)))
}

/// Adds a station; devices receive it with their next sync.
#[utoipa::path(post, path = "/admin/stations", tag = "manage", request_body = Station,
    security(("session" = [])),
    responses((status = 201, body = Station), (status = 400, description = "a broken rule, each named", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 409, description = "a station with this id exists", body = ErrorBody)))]
pub async fn stations_create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(station): ApiJson<Station>,
) -> Result<(StatusCode, Json<Station>), ApiError> {
    actor.require_admin()?;
    let station = trimmed(station);
    station.validate()?;
    if !state.db.add_station(&station).await? {
        return Err(ApiError::conflict(
            "id",
            format!("a station with id {:?} exists already", station.id),
        ));
    }
    Ok((StatusCode::CREATED, Json(station)))
}

/// Renames a station or moves it to another street or community (its id
/// stays, so every record keeps pointing at it).
#[utoipa::path(put, path = "/admin/stations/{id}", tag = "manage", request_body = Station,
    params(("id" = String, Path, description = "the station's id")),
    security(("session" = [])),
    responses((status = 200, body = Station), (status = 400, description = "a broken rule, or an id that differs from the path's", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no such station", body = ErrorBody)))]
pub async fn stations_update(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    ApiJson(station): ApiJson<Station>,
) -> Result<Json<Station>, ApiError> {
    actor.require_admin()?;
    let station = trimmed(station);
    if station.id != id {
        return Err(ApiError::invalid(
            "id: a station's id cannot change (it is in the path and in the body)",
            "id",
            Rule::Unchangeable,
        ));
    }
    station.validate()?;
    if !state.db.update_station(&station).await? {
        return Err(ApiError::not_found(
            "id",
            format!("no station with id {id:?}"),
        ));
    }
    Ok(Json(station))
}

/// Adds a category at the end of the list; devices offer it after their
/// next sync.
#[utoipa::path(post, path = "/admin/categories", tag = "manage", request_body = CategoryInfo,
    security(("session" = [])),
    responses((status = 201, body = CategoryInfo), (status = 400, description = "a broken rule, each named", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 409, description = "a category with this code exists", body = ErrorBody)))]
pub async fn categories_create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(category): ApiJson<CategoryInfo>,
) -> Result<(StatusCode, Json<CategoryInfo>), ApiError> {
    actor.require_admin()?;
    let category = trimmed_category(category);
    category.validate()?;
    if !state.db.add_category(&category).await? {
        return Err(ApiError::conflict(
            "code",
            format!(
                "a category with code {:?} exists already",
                category.code.code()
            ),
        ));
    }
    Ok((StatusCode::CREATED, Json(category)))
}

/// Renames a category, retires it (no longer offered for new records;
/// records that have it keep it and still count) or brings it back. Its
/// code stays.
#[utoipa::path(put, path = "/admin/categories/{code}", tag = "manage", request_body = CategoryInfo,
    params(("code" = String, Path, description = "the category's code")),
    security(("session" = [])),
    responses((status = 200, body = CategoryInfo), (status = 400, description = "a broken rule, or a code that differs from the path's", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no such category", body = ErrorBody)))]
pub async fn categories_update(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    ApiJson(category): ApiJson<CategoryInfo>,
) -> Result<Json<CategoryInfo>, ApiError> {
    actor.require_admin()?;
    let category = trimmed_category(category);
    if category.code.code() != code {
        return Err(ApiError::invalid(
            "code: a category's code cannot change (it is in the path and in the body)",
            "code",
            Rule::Unchangeable,
        ));
    }
    category.validate()?;
    if !state.db.update_category(&category).await? {
        return Err(ApiError::not_found(
            "code",
            format!("no category with code {code:?}"),
        ));
    }
    Ok(Json(category))
}

/// Adds a proposal group at the end of the list; phones offer it after
/// their next sync.
#[utoipa::path(post, path = "/admin/groups", tag = "manage", request_body = GroupInfo,
    security(("session" = [])),
    responses((status = 201, body = GroupInfo), (status = 400, description = "a broken rule, each named", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 409, description = "a group with this code exists", body = ErrorBody)))]
pub async fn groups_create(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(group): ApiJson<GroupInfo>,
) -> Result<(StatusCode, Json<GroupInfo>), ApiError> {
    actor.require_admin()?;
    let group = trimmed_group(group);
    group.validate()?;
    if !state.db.add_group(&group).await? {
        return Err(ApiError::conflict(
            "code",
            format!("a group with code {:?} exists already", group.code),
        ));
    }
    Ok((StatusCode::CREATED, Json(group)))
}

/// Renames a proposal group, retires it (no longer offered; proposals
/// that have it keep it) or brings it back. Its code stays.
#[utoipa::path(put, path = "/admin/groups/{code}", tag = "manage", request_body = GroupInfo,
    params(("code" = String, Path, description = "the group's code")),
    security(("session" = [])),
    responses((status = 200, body = GroupInfo), (status = 400, description = "a broken rule, or a code that differs from the path's", body = ErrorBody), (status = 401, description = "not logged in, or the session expired", body = ErrorBody), (status = 403, description = "the role may not do this", body = ErrorBody), (status = 404, description = "no such group", body = ErrorBody)))]
pub async fn groups_update(
    State(state): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    ApiJson(group): ApiJson<GroupInfo>,
) -> Result<Json<GroupInfo>, ApiError> {
    actor.require_admin()?;
    let group = trimmed_group(group);
    if group.code != code {
        return Err(ApiError::invalid(
            "code: a group's code cannot change (it is in the path and in the body)",
            "code",
            Rule::Unchangeable,
        ));
    }
    group.validate()?;
    if !state.db.update_group(&group).await? {
        return Err(ApiError::not_found(
            "code",
            format!("no group with code {code:?}"),
        ));
    }
    Ok(Json(group))
}

fn trimmed_group(group: GroupInfo) -> GroupInfo {
    GroupInfo {
        code: group.code.trim().to_owned(),
        name_zh: group.name_zh.trim().to_owned(),
        name_en: group.name_en.trim().to_owned(),
        retired: group.retired,
    }
}

fn trimmed_category(category: CategoryInfo) -> CategoryInfo {
    CategoryInfo {
        code: Category::new(category.code.code().trim()),
        name_zh: category.name_zh.trim().to_owned(),
        name_en: category.name_en.trim().to_owned(),
        retired: category.retired,
    }
}

fn trimmed(station: Station) -> Station {
    Station {
        id: station.id.trim().to_owned(),
        name: station.name.trim().to_owned(),
        kind: station.kind,
        street: station.street.trim().to_owned(),
        community: station.community.trim().to_owned(),
    }
}

/// Hashing takes a deliberate while (argon2id); off the async threads.
async fn hash(password: &str) -> Result<String, ApiError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)
}
