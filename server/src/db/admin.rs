//! The admin's figures: every query takes the same filter.

use futures::TryStreamExt;
use sqlx::{QueryBuilder, Row, Sqlite};
use tokio::sync::mpsc;
use tongxin_shared::{
    Activity,
    admin::{AdminFilter, AdminSummary, BreakdownRow},
    sync::AdminActivityRow,
};

use super::{Db, activity_from_row};

/// One exported activity, with where it happened.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub activity: Activity,
    pub station_name: String,
    pub street: String,
    pub community: String,
}

/// What a breakdown groups by.
#[derive(Debug, Clone, Copy)]
pub enum Dimension {
    Street,
    Station,
    Category,
    Month,
}

impl Dimension {
    /// The key and the label of a group, as SQL over `a` (activities) and
    /// `s` (stations).
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Dimension::Street => ("s.street", "s.street"),
            Dimension::Station => ("s.id", "MIN(s.name)"),
            Dimension::Category => ("a.category", "a.category"),
            Dimension::Month => ("substr(a.date, 1, 7)", "substr(a.date, 1, 7)"),
        }
    }
}

/// What a query reads: the running totals (for figures) or the
/// activities themselves (for lists and exports). Both have `date`,
/// `station_id` and `category`, aliased `a`.
#[derive(Clone, Copy)]
enum Source {
    Totals,
    Activities,
}

/// `FROM … WHERE …` for live activities that pass `filter`.
fn from_filtered<'a>(
    query: &mut QueryBuilder<'a, Sqlite>,
    source: Source,
    filter: &'a AdminFilter,
) {
    query.push(match source {
        Source::Totals => {
            " FROM activity_totals a JOIN stations s ON s.id = a.station_id WHERE a.activities > 0"
        }
        Source::Activities => {
            " FROM activities a JOIN stations s ON s.id = a.station_id WHERE a.deleted = 0"
        }
    });
    if let Some(from) = filter.from {
        query.push(" AND a.date >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        query.push(" AND a.date <= ").push_bind(to);
    }
    if let Some(street) = &filter.street {
        query.push(" AND s.street = ").push_bind(street);
    }
    if let Some(category) = filter.category {
        query.push(" AND a.category = ").push_bind(category.code());
    }
}

/// The live activities passing `filter` with where they happened, newest
/// first: the admin's list and the exports.
fn newest_first(filter: &AdminFilter) -> QueryBuilder<'_, Sqlite> {
    let mut query = QueryBuilder::new(
        "SELECT a.id, a.category, a.title, a.station_id, a.date, a.volunteers,
                a.people_served, a.notes, a.time, a.organising_group,
                s.name AS station_name, s.street, s.community",
    );
    from_filtered(&mut query, Source::Activities, filter);
    query.push(" ORDER BY a.date DESC, a.change_seq DESC");
    query
}

fn count(row: &sqlx::sqlite::SqliteRow, name: &str) -> Result<u64, sqlx::Error> {
    Ok(row.try_get::<i64, _>(name)?.max(0) as u64)
}

impl Db {
    pub async fn admin_summary(&self, filter: &AdminFilter) -> Result<AdminSummary, sqlx::Error> {
        let mut query = QueryBuilder::new(
            "SELECT COALESCE(SUM(a.activities), 0) AS activities,
                    COALESCE(SUM(a.people_served), 0) AS people_served,
                    COALESCE(SUM(a.volunteers), 0) AS volunteers,
                    COUNT(DISTINCT a.station_id) AS active_stations",
        );
        from_filtered(&mut query, Source::Totals, filter);
        let row = query.build().fetch_one(&self.pool).await?;
        // Sessions have a date but no street or category.
        let mut sessions =
            QueryBuilder::new("SELECT COUNT(*) FROM livestream_sessions WHERE NOT deleted");
        if let Some(from) = filter.from {
            sessions.push(" AND date >= ").push_bind(from);
        }
        if let Some(to) = filter.to {
            sessions.push(" AND date <= ").push_bind(to);
        }
        let livestream_sessions: i64 = sessions.build_query_scalar().fetch_one(&self.pool).await?;
        Ok(AdminSummary {
            activities: count(&row, "activities")?,
            people_served: count(&row, "people_served")?,
            volunteers: count(&row, "volunteers")?,
            active_stations: count(&row, "active_stations")?,
            livestream_sessions: livestream_sessions.max(0) as u64,
        })
    }

    /// The newest `limit` activities passing `filter`.
    pub async fn admin_activities(
        &self,
        filter: &AdminFilter,
        limit: usize,
    ) -> Result<Vec<AdminActivityRow>, sqlx::Error> {
        let mut query = newest_first(filter);
        query.push(" LIMIT ").push_bind(limit as i64);
        query
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let row = export_row(row)?;
                Ok(AdminActivityRow {
                    activity: row.activity,
                    station_name: row.station_name,
                    street: row.street,
                })
            })
            .collect()
    }

    /// Figures per street, station, category or month, in key order.
    pub async fn breakdown(
        &self,
        filter: &AdminFilter,
        dimension: Dimension,
    ) -> Result<Vec<BreakdownRow>, sqlx::Error> {
        let (key, label) = dimension.columns();
        let mut query = QueryBuilder::new(format!(
            "SELECT {key} AS key, {label} AS label, SUM(a.activities) AS activities,
                    COALESCE(SUM(a.people_served), 0) AS people_served,
                    COALESCE(SUM(a.volunteers), 0) AS volunteers"
        ));
        from_filtered(&mut query, Source::Totals, filter);
        query.push(format!(" GROUP BY {key} ORDER BY {key}"));
        query
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(BreakdownRow {
                    key: row.try_get("key")?,
                    label: row.try_get("label")?,
                    activities: count(row, "activities")?,
                    people_served: count(row, "people_served")?,
                    volunteers: count(row, "volunteers")?,
                })
            })
            .collect()
    }

    /// Streams every activity passing `filter`, newest first, into
    /// `rows`, without holding them all in memory: the sender waits while
    /// the channel is full. Stops early if the receiver goes away.
    pub async fn export_activities(
        &self,
        filter: &AdminFilter,
        rows: mpsc::Sender<Result<ExportRow, sqlx::Error>>,
    ) {
        let mut query = newest_first(filter);
        let mut stream = query.build().fetch(&self.pool);
        loop {
            let next = match stream.try_next().await {
                Ok(None) => return,
                Ok(Some(row)) => export_row(&row),
                Err(error) => Err(error),
            };
            let failed = next.is_err();
            if rows.send(next).await.is_err() || failed {
                return;
            }
        }
    }
}

fn export_row(row: &sqlx::sqlite::SqliteRow) -> Result<ExportRow, sqlx::Error> {
    Ok(ExportRow {
        activity: activity_from_row(row)?,
        station_name: row.try_get("station_name")?,
        street: row.try_get("street")?,
        community: row.try_get("community")?,
    })
}
