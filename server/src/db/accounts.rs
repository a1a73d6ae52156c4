//! Storage of accounts and login sessions.

use sqlx::{AnyConnection, Row, any::AnyRow};
use tongxin_shared::account::{Role, UserInfo, canonical_username};
use uuid::Uuid;

use super::{Db, flag, uuid_of};
use crate::auth::Actor;

/// What a login needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub id: Uuid,
    pub password_hash: String,
    pub disabled: bool,
}

/// A new account, its password already hashed. The user name is stored in
/// its canonical form (`canonical_username`), as every look-up here uses.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    pub stations: Vec<String>,
}

/// One row of `tongxin-server user list`.
#[derive(Debug, Clone)]
pub struct UserListing {
    pub info: UserInfo,
    pub disabled: bool,
    /// The latest time until which logins to this name are refused from
    /// some address (0: none).
    pub locked_until_ms: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("a user named {0:?} already exists")]
    UsernameTaken(String),
    #[error("no station with id {0:?}")]
    UnknownStation(String),
    #[error("no user named {0:?}")]
    NoSuchUser(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn role_of(row: &AnyRow) -> Result<Role, sqlx::Error> {
    let code: String = row.try_get("role")?;
    Role::from_code(&code).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: "role".into(),
        source: format!("unknown role {code:?}").into(),
    })
}

impl Db {
    pub async fn create_user(&self, user: &NewUser) -> Result<Uuid, AccountError> {
        let username = canonical_username(&user.username);
        let mut tx = self.begin_write().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(AccountError::UsernameTaken(username.clone()));
        }
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, password_hash)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(&username)
        .bind(&user.display_name)
        .bind(user.role.code())
        .bind(&user.password_hash)
        .execute(&mut *tx)
        .await?;
        insert_user_stations(&mut tx, &id.to_string(), &user.stations).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn users(&self) -> Result<Vec<UserListing>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, username, display_name, role, disabled,
                    (SELECT COALESCE(MAX(f.locked_until_ms), 0) FROM login_failures f
                     WHERE f.username = users.username) AS locked_until_ms
             FROM users ORDER BY username",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let id = uuid_of(row, "id")?;
            users.push(UserListing {
                info: UserInfo {
                    id,
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    role: role_of(row)?,
                    stations: self.user_stations(id).await?,
                },
                disabled: flag(row, "disabled")?,
                locked_until_ms: row.try_get("locked_until_ms")?,
            });
        }
        Ok(users)
    }

    async fn user_stations(&self, user_id: Uuid) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT station_id FROM user_stations WHERE user_id = $1 ORDER BY station_id",
        )
        .bind(user_id.to_string())
        .fetch_all(&self.pool)
        .await
    }

    /// Disables or re-enables an account. Disabling also ends its sessions.
    pub async fn set_disabled(&self, username: &str, disabled: bool) -> Result<(), AccountError> {
        let mut tx = self.begin_write().await?;
        let id = user_id_of(&mut tx, username).await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(disabled)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            end_sessions(&mut tx, &id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new password, lifts any lock and ends every session.
    pub async fn reset_password(
        &self,
        username: &str,
        password_hash: &str,
    ) -> Result<(), AccountError> {
        let mut tx = self.begin_write().await?;
        let id = user_id_of(&mut tx, username).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(canonical_username(username))
            .execute(&mut *tx)
            .await?;
        end_sessions(&mut tx, &id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account a login names, by its canonical user name.
    pub async fn login_account(&self, username: &str) -> Result<Option<LoginAccount>, sqlx::Error> {
        let row = sqlx::query("SELECT id, password_hash, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(LoginAccount {
                id: uuid_of(&row, "id")?,
                password_hash: row.try_get("password_hash")?,
                disabled: flag(&row, "disabled")?,
            })
        })
        .transpose()
    }

    /// Until when logins to `username` from `address` are refused (ms; in
    /// the past when they are not).
    pub async fn login_locked_until(
        &self,
        username: &str,
        address: &str,
    ) -> Result<i64, sqlx::Error> {
        let locked: Option<i64> = sqlx::query_scalar(
            "SELECT locked_until_ms FROM login_failures WHERE username = $1 AND address = $2",
        )
        .bind(username)
        .bind(address)
        .fetch_optional(&self.pool)
        .await?;
        Ok(locked.unwrap_or(0))
    }

    /// Counts a failed login to `username` (known or not) from `address`,
    /// and refuses further ones from there for `lockout(failures)` ms.
    /// Failures older than `memory_ms` are forgotten, here and for every
    /// other name and address. Returns the failures in a row so far.
    pub async fn login_failed(
        &self,
        username: &str,
        address: &str,
        now_ms: i64,
        memory_ms: i64,
        lockout: impl Fn(i64) -> i64,
    ) -> Result<i64, sqlx::Error> {
        let forgotten_before = now_ms - memory_ms;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_failures WHERE last_failure_ms < $1")
            .bind(forgotten_before)
            .execute(&mut *tx)
            .await?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT failures FROM login_failures WHERE username = $1 AND address = $2",
        )
        .bind(username)
        .bind(address)
        .fetch_optional(&mut *tx)
        .await?;
        let failures = before.unwrap_or(0) + 1;
        let lock_ms = lockout(failures);
        sqlx::query(
            "INSERT INTO login_failures (username, address, failures, last_failure_ms, locked_until_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (username, address) DO UPDATE SET
                failures = excluded.failures,
                last_failure_ms = excluded.last_failure_ms,
                locked_until_ms = excluded.locked_until_ms",
        )
        .bind(username)
        .bind(address)
        .bind(failures)
        .bind(now_ms)
        .bind(if lock_ms > 0 { now_ms + lock_ms } else { 0 })
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(failures)
    }

    /// A right password from `address` clears that address's failures.
    pub async fn login_succeeded(&self, username: &str, address: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND address = $2")
            .bind(username)
            .bind(address)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Opens a session for the token hash; drops the user's sessions that
    /// have expired.
    pub async fn open_session(
        &self,
        user_id: Uuid,
        token_hash: &str,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let id = user_id.to_string();
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at_ms <= $2")
            .bind(&id)
            .bind(now_ms)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, expires_at_ms) VALUES ($1, $2, $3)",
        )
        .bind(token_hash)
        .bind(&id)
        .bind(expires_at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    pub async fn close_session(&self, token_hash: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user behind a live session on an enabled account.
    pub async fn actor_for_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Actor>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.scope_version
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at_ms > $2 AND NOT u.disabled",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let user_id = uuid_of(&row, "id")?;
        Ok(Some(Actor {
            user_id,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            role: role_of(&row)?,
            stations: self.user_stations(user_id).await?,
            scope_version: row.try_get("scope_version")?,
        }))
    }
}

/// Logs the user out everywhere.
async fn end_sessions(tx: &mut AnyConnection, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Assigns stations to a user; every station must exist.
async fn insert_user_stations(
    tx: &mut AnyConnection,
    user_id: &str,
    stations: &[String],
) -> Result<(), AccountError> {
    for station in stations {
        let known: Option<String> = sqlx::query_scalar("SELECT id FROM stations WHERE id = $1")
            .bind(station)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(AccountError::UnknownStation(station.clone()));
        }
        sqlx::query("INSERT INTO user_stations (user_id, station_id) VALUES ($1, $2)")
            .bind(user_id)
            .bind(station)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn user_id_of(tx: &mut AnyConnection, username: &str) -> Result<String, AccountError> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(canonical_username(username))
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AccountError::NoSuchUser(username.to_owned()))
}

impl Db {
    /// Replaces the stations a volunteer records for.
    pub async fn set_user_stations(
        &self,
        username: &str,
        stations: &[String],
    ) -> Result<(), AccountError> {
        let mut tx = self.begin_write().await?;
        let id = user_id_of(&mut tx, username).await?;
        sqlx::query("DELETE FROM user_stations WHERE user_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        insert_user_stations(&mut tx, &id, stations).await?;
        sqlx::query("UPDATE users SET scope_version = scope_version + 1 WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
