//! The admin's figures: every query takes the same filter.

use futures::TryStreamExt;
use sqlx::{AnyPool, Row, any::AnyRow};
use tokio::sync::mpsc;
use tongxin_shared::{
    Activity,
    admin::{AdminFilter, AdminSummary, BreakdownRow, RegionChoice, SalesRow},
    sync::AdminActivityRow,
};

use super::{Backend, Db, Sql, activity_from_row, date_of};

/// One exported activity, with where it happened.
#[derive(Debug, Clone)]
pub struct ExportRow {
    pub activity: Activity,
    /// The category's Chinese name, as the district's reports write it.
    pub category_name: String,
    pub station_name: String,
    pub street: String,
    pub community: String,
    /// The hashes of its live photos.
    pub photos: Vec<String>,
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
fn from_filtered<'a>(query: &mut Sql<'a>, source: Source, filter: &'a AdminFilter) {
    query.push(match source {
        Source::Totals => {
            " FROM activity_totals a JOIN stations s ON s.id = a.station_id WHERE a.activities > 0"
        }
        Source::Activities => {
            " FROM activities a JOIN stations s ON s.id = a.station_id WHERE NOT a.deleted"
        }
    });
    if let Some(from) = filter.from {
        query.push(" AND a.date >= ").bind(from.to_string());
    }
    if let Some(to) = filter.to {
        query.push(" AND a.date <= ").bind(to.to_string());
    }
    if let Some(street) = &filter.street {
        query.push(" AND s.street = ").bind(street.as_str());
    }
    if let Some(category) = &filter.category {
        query.push(" AND a.category = ").bind(category.code());
    }
}

/// What a sales breakdown groups by.
#[derive(Debug, Clone, Copy)]
pub enum SalesDimension {
    Region,
    Product,
    Session,
}

/// The filter's date range, over sessions aliased `s`.
fn session_dates(query: &mut Sql<'_>, filter: &AdminFilter) {
    if let Some(from) = filter.from {
        query.push(" AND s.date >= ").bind(from.to_string());
    }
    if let Some(to) = filter.to {
        query.push(" AND s.date <= ").bind(to.to_string());
    }
}

/// What a sales query reads: the running totals per session and product
/// (for figures) or the sale lines themselves (for exports). Both have
/// `session_id`, `product_id`, `units`, `amount_fen` and `orders`, aliased
/// `l`.
#[derive(Clone, Copy)]
enum SalesSource {
    Totals,
    Lines,
}

/// `FROM … WHERE …` for live sale lines (`l`) of live sessions (`s`) that
/// pass `filter`, with their product (`p`) and its region (`r`).
fn sales_filtered<'a>(query: &mut Sql<'a>, source: SalesSource, filter: &'a AdminFilter) {
    query.push(match source {
        SalesSource::Totals => " FROM sale_totals l",
        SalesSource::Lines => " FROM sale_lines l",
    });
    query.push(
        " JOIN livestream_sessions s ON s.id = l.session_id
          JOIN products p ON p.id = l.product_id
          JOIN partner_regions r ON r.id = p.region_id
          WHERE NOT s.deleted",
    );
    query.push(match source {
        SalesSource::Totals => " AND l.lines > 0",
        SalesSource::Lines => " AND NOT l.deleted",
    });
    session_dates(query, filter);
    if let Some(region) = filter.region {
        query.push(" AND p.region_id = ").bind(region.to_string());
    }
}

/// One exported sale line, with its session, product and region.
#[derive(Debug, Clone)]
pub struct SalesExportRow {
    pub session_number: u32,
    pub date: chrono::NaiveDate,
    pub platform: String,
    pub host: String,
    pub product: String,
    pub unit: String,
    pub region: String,
    pub province: String,
    pub units: u64,
    pub amount_fen: u64,
    pub orders: u64,
    pub id: String,
}

fn sales_export_row(row: &AnyRow) -> Result<SalesExportRow, sqlx::Error> {
    let number: i64 = row.try_get("number")?;
    Ok(SalesExportRow {
        session_number: number.clamp(0, i64::from(u32::MAX)) as u32,
        date: date_of(row, "date")?,
        platform: row.try_get("platform")?,
        host: row.try_get("host")?,
        product: row.try_get("product")?,
        unit: row.try_get("unit")?,
        region: row.try_get("region")?,
        province: row.try_get("province")?,
        units: count(row, "units")?,
        amount_fen: count(row, "amount_fen")?,
        orders: count(row, "orders")?,
        id: row.try_get("id")?,
    })
}

/// Sends the rows of `query`, each made by `make`, into `rows` as they
/// come from the database: the sender waits while the channel is full, so
/// memory holds a channel's worth, never the whole result. Stops at the
/// first error (sent on) or when the receiver goes away.
async fn stream_rows<T>(
    query: Sql<'_>,
    pool: &AnyPool,
    make: fn(&AnyRow) -> Result<T, sqlx::Error>,
    rows: mpsc::Sender<Result<T, sqlx::Error>>,
) {
    let (text, args) = query.into_parts();
    let mut stream = sqlx::query_with(&text, args).fetch(pool);
    loop {
        let next = match stream.try_next().await {
            Ok(None) => return,
            Ok(Some(row)) => make(&row),
            Err(error) => Err(error),
        };
        let failed = next.is_err();
        if rows.send(next).await.is_err() || failed {
            return;
        }
    }
}

/// The live activities passing `filter` with where they happened, newest
/// first: the admin's list and the exports.
fn newest_first(backend: Backend, filter: &AdminFilter) -> Sql<'_> {
    let mut query = Sql::new(
        backend,
        format!(
            "SELECT a.id, a.category, a.title, a.station_id, a.date, a.volunteers,
                    a.people_served, a.notes, a.time, a.organising_group,
                    s.name AS station_name, s.street, s.community,
                    (SELECT c.name_zh FROM categories c WHERE c.code = a.category) AS category_name,
                    (SELECT {} FROM activity_photos p
                     WHERE p.activity_id = a.id AND NOT p.deleted) AS photos",
            // The hashes, space-separated, in the order they were added.
            match backend {
                Backend::Sqlite => "group_concat(p.hash, ' ')",
                Backend::Postgres => "string_agg(p.hash, ' ' ORDER BY p.id)",
            }
        ),
    );
    from_filtered(&mut query, Source::Activities, filter);
    query.push(" ORDER BY a.date DESC, a.change_seq DESC");
    query
}

/// The figures the activity queries add up, over `activity_totals`.
const ACTIVITY_SUMS: [&str; 3] = ["activities", "people_served", "volunteers"];
/// The figures the sales queries add up, over `sale_totals` or the lines.
const SALES_SUMS: [&str; 3] = ["units", "amount_fen", "orders"];

/// `SUM(table.column) AS column, …` for each of `columns`, each a BIGINT
/// and 0 over no rows: PostgreSQL sums BIGINTs into NUMERIC, which the Any
/// driver does not read.
fn sums(table: &str, columns: [&str; 3]) -> String {
    columns
        .map(|column| format!("CAST(COALESCE(SUM({table}.{column}), 0) AS BIGINT) AS {column}"))
        .join(", ")
}

fn count(row: &AnyRow, name: &str) -> Result<u64, sqlx::Error> {
    Ok(row.try_get::<i64, _>(name)?.max(0) as u64)
}

impl Db {
    pub async fn admin_summary(&self, filter: &AdminFilter) -> Result<AdminSummary, sqlx::Error> {
        let mut query = Sql::new(
            self.backend,
            format!(
                "SELECT {}, COUNT(DISTINCT a.station_id) AS active_stations",
                sums("a", ACTIVITY_SUMS)
            ),
        );
        from_filtered(&mut query, Source::Totals, filter);
        let row = query.fetch_one(&self.pool).await?;
        // Sessions have a date but no street or category; with a region
        // chosen, the sessions that sold something of it count.
        let mut sessions = Sql::new(
            self.backend,
            "SELECT COUNT(*) AS sessions FROM livestream_sessions s WHERE NOT s.deleted",
        );
        session_dates(&mut sessions, filter);
        if let Some(region) = filter.region {
            sessions
                .push(
                    " AND EXISTS (SELECT 1 FROM sale_totals t JOIN products p ON p.id = t.product_id
                      WHERE t.session_id = s.id AND t.lines > 0 AND p.region_id = ",
                )
                .bind(region.to_string())
                .push(")");
        }
        let sessions = sessions.fetch_one(&self.pool).await?;
        let mut sales = Sql::new(self.backend, format!("SELECT {}", sums("l", SALES_SUMS)));
        sales_filtered(&mut sales, SalesSource::Totals, filter);
        let sold = sales.fetch_one(&self.pool).await?;
        Ok(AdminSummary {
            activities: count(&row, "activities")?,
            people_served: count(&row, "people_served")?,
            volunteers: count(&row, "volunteers")?,
            active_stations: count(&row, "active_stations")?,
            livestream_sessions: count(&sessions, "sessions")?,
            units_sold: count(&sold, "units")?,
            sales_fen: count(&sold, "amount_fen")?,
            orders: count(&sold, "orders")?,
        })
    }

    /// Sales per partner region, product or session.
    pub async fn sales_breakdown(
        &self,
        filter: &AdminFilter,
        dimension: SalesDimension,
    ) -> Result<Vec<SalesRow>, sqlx::Error> {
        let (key, label, order) = match dimension {
            SalesDimension::Region => ("r.id", "MIN(r.name)", "amount_fen DESC, key"),
            SalesDimension::Product => ("p.id", "MIN(p.name)", "amount_fen DESC, key"),
            SalesDimension::Session => {
                ("s.id", "CAST(MIN(s.number) AS TEXT)", "MIN(s.number), key")
            }
        };
        let mut query = Sql::new(
            self.backend,
            format!(
                "SELECT {key} AS key, {label} AS label, {}",
                sums("l", SALES_SUMS)
            ),
        );
        sales_filtered(&mut query, SalesSource::Totals, filter);
        query.push(&format!(" GROUP BY {key} ORDER BY {order}"));
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(SalesRow {
                    key: row.try_get("key")?,
                    label: row.try_get("label")?,
                    units: count(row, "units")?,
                    amount_fen: count(row, "amount_fen")?,
                    orders: count(row, "orders")?,
                })
            })
            .collect()
    }

    /// Every live partner region, by name.
    pub async fn region_choices(&self) -> Result<Vec<RegionChoice>, sqlx::Error> {
        sqlx::query("SELECT id, name FROM partner_regions WHERE NOT deleted ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                Ok(RegionChoice {
                    id: super::uuid_of(row, "id")?,
                    name: row.try_get("name")?,
                })
            })
            .collect()
    }

    /// Streams every sale line passing `filter`, newest session first,
    /// into `rows` (see [`Db::export_activities`]).
    pub async fn export_sales(
        &self,
        filter: &AdminFilter,
        rows: mpsc::Sender<Result<SalesExportRow, sqlx::Error>>,
    ) {
        let mut query = Sql::new(
            self.backend,
            "SELECT s.number, s.date, s.platform, s.host, p.name AS product, p.unit,
                    r.name AS region, r.province, l.units, l.amount_fen, l.orders, l.id",
        );
        sales_filtered(&mut query, SalesSource::Lines, filter);
        query.push(" ORDER BY s.date DESC, s.number DESC, l.change_seq");
        stream_rows(query, &self.pool, sales_export_row, rows).await;
    }

    /// The newest `limit` activities passing `filter`.
    pub async fn admin_activities(
        &self,
        filter: &AdminFilter,
        limit: usize,
    ) -> Result<Vec<AdminActivityRow>, sqlx::Error> {
        let mut query = newest_first(self.backend, filter);
        query.push(" LIMIT ").bind(limit as i64);
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let row = export_row(row)?;
                Ok(AdminActivityRow {
                    activity: row.activity,
                    station_name: row.station_name,
                    street: row.street,
                    photos: row.photos,
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
        let mut query = Sql::new(
            self.backend,
            format!(
                "SELECT {key} AS key, {label} AS label, {}",
                sums("a", ACTIVITY_SUMS)
            ),
        );
        from_filtered(&mut query, Source::Totals, filter);
        query.push(&format!(" GROUP BY {key} ORDER BY {key}"));
        query
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
        stream_rows(
            newest_first(self.backend, filter),
            &self.pool,
            export_row,
            rows,
        )
        .await;
    }
}

fn export_row(row: &AnyRow) -> Result<ExportRow, sqlx::Error> {
    let activity = activity_from_row(row)?;
    let category_name = row
        .try_get::<Option<String>, _>("category_name")?
        .unwrap_or_else(|| activity.category.code().to_owned());
    let photos = row
        .try_get::<Option<String>, _>("photos")?
        .map(|hashes| hashes.split(' ').map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(ExportRow {
        category_name,
        activity,
        station_name: row.try_get("station_name")?,
        street: row.try_get("street")?,
        community: row.try_get("community")?,
        photos,
    })
}
