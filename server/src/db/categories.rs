//! The lists admins keep: categories, and the groups proposals come from.

use sqlx::{Row, any::AnyRow};
use tongxin_shared::{Category, CategoryInfo, proposal::GroupInfo};

use super::{Db, flag};

fn category_from_row(row: &AnyRow) -> Result<CategoryInfo, sqlx::Error> {
    Ok(CategoryInfo {
        code: Category::new(row.try_get::<String, _>("code")?),
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        retired: flag(row, "retired")?,
    })
}

impl Db {
    /// Every category, retired ones too, in the list's order.
    pub async fn categories(&self) -> Result<Vec<CategoryInfo>, sqlx::Error> {
        sqlx::query(
            "SELECT code, name_zh, name_en, retired FROM categories ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(category_from_row)
        .collect()
    }

    /// Adds a category at the end of the list; `false` if its code is
    /// taken.
    pub async fn add_category(&self, category: &CategoryInfo) -> Result<bool, sqlx::Error> {
        self.add_named(Kept::Categories, category.code.code(), category)
            .await
    }

    /// Renames, retires or brings back a category (its code stays);
    /// `false` if there is none.
    pub async fn update_category(&self, category: &CategoryInfo) -> Result<bool, sqlx::Error> {
        self.update_named(Kept::Categories, category.code.code(), category)
            .await
    }

    /// Adds a proposal group at the end of the list; `false` if its code
    /// is taken.
    pub async fn add_group(&self, group: &GroupInfo) -> Result<bool, sqlx::Error> {
        self.add_named(Kept::Groups, &group.code, group).await
    }

    /// Renames, retires or brings back a proposal group; `false` if there
    /// is none.
    pub async fn update_group(&self, group: &GroupInfo) -> Result<bool, sqlx::Error> {
        self.update_named(Kept::Groups, &group.code, group).await
    }

    async fn add_named(
        &self,
        list: Kept,
        code: &str,
        entry: &impl AsNamed,
    ) -> Result<bool, sqlx::Error> {
        let table = list.table();
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(&format!(
            "INSERT INTO {table} (code, name_zh, name_en, retired, position)
             SELECT $1, $2, $3, $4, COALESCE(MAX(position), 0) + 1 FROM {table} WHERE TRUE
             ON CONFLICT (code) DO NOTHING"
        ))
        .bind(code)
        .bind(entry.name_zh())
        .bind(entry.name_en())
        .bind(entry.retired())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(added.rows_affected() == 1)
    }

    async fn update_named(
        &self,
        list: Kept,
        code: &str,
        entry: &impl AsNamed,
    ) -> Result<bool, sqlx::Error> {
        let updated = sqlx::query(&format!(
            "UPDATE {} SET name_zh = $1, name_en = $2, retired = $3 WHERE code = $4",
            list.table()
        ))
        .bind(entry.name_zh())
        .bind(entry.name_en())
        .bind(entry.retired())
        .bind(code)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Every proposal group, retired ones too, in the list's order.
    pub async fn proposal_groups(&self) -> Result<Vec<GroupInfo>, sqlx::Error> {
        sqlx::query(
            "SELECT code, name_zh, name_en, retired FROM proposal_groups ORDER BY position, code",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(GroupInfo {
                code: row.try_get("code")?,
                name_zh: row.try_get("name_zh")?,
                name_en: row.try_get("name_en")?,
                retired: flag(row, "retired")?,
            })
        })
        .collect()
    }

    /// The district's streets, each once, in order.
    pub async fn streets(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT DISTINCT street FROM stations ORDER BY street")
            .fetch_all(&self.pool)
            .await
    }
}

/// The lists admins keep, each in a table of the same columns.
#[derive(Clone, Copy)]
enum Kept {
    Categories,
    Groups,
}

impl Kept {
    fn table(self) -> &'static str {
        match self {
            Kept::Categories => "categories",
            Kept::Groups => "proposal_groups",
        }
    }
}

/// An entry of such a list: its names and whether it is retired.
trait AsNamed {
    fn name_zh(&self) -> &str;
    fn name_en(&self) -> &str;
    fn retired(&self) -> bool;
}

impl AsNamed for CategoryInfo {
    fn name_zh(&self) -> &str {
        &self.name_zh
    }
    fn name_en(&self) -> &str {
        &self.name_en
    }
    fn retired(&self) -> bool {
        self.retired
    }
}

impl AsNamed for GroupInfo {
    fn name_zh(&self) -> &str {
        &self.name_zh
    }
    fn name_en(&self) -> &str {
        &self.name_en
    }
    fn retired(&self) -> bool {
        self.retired
    }
}
