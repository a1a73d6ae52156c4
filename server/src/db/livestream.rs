//! Livestream records: partner regions, products, sessions and sale lines.
//!
//! Each kind has its own table with plain columns (what the admin's queries
//! read) beside the whole stamped record as JSON (what devices pull and
//! pushes merge into). All four share the activities' change stream.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AnyPool, Row};
use tongxin_shared::{
    ValidationError,
    error::{Rule, no_errors},
    livestream::LivestreamRecord,
    merge::StampedRecord,
};
use uuid::Uuid;

use super::{Backend, IDS_PER_QUERY, Sql};

/// Each kind's name on the wire and its table.
const KINDS: [(&str, &str); 4] = [
    ("region", "partner_regions"),
    ("product", "products"),
    ("session", "livestream_sessions"),
    ("sale_line", "sale_lines"),
];

fn decode(kind: &str, record: &str) -> Result<LivestreamRecord, sqlx::Error> {
    decode_tagged(kind, record)
}

/// A record of a family of kinds (see `record_kinds!`) from its kind and
/// its stored JSON.
pub(super) fn decode_tagged<T: serde::de::DeserializeOwned>(
    kind: &str,
    record: &str,
) -> Result<T, sqlx::Error> {
    serde_json::from_str(&format!(r#"{{"kind":"{kind}","record":{record}}}"#)).map_err(|error| {
        sqlx::Error::ColumnDecode {
            index: "record".into(),
            source: error.into(),
        }
    })
}

/// The stored versions of the given records, whatever their kind.
pub(super) async fn load(
    tx: &mut AnyConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, LivestreamRecord>, sqlx::Error> {
    let mut found = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    // In slices, so no statement nears SQLite's limit on parameters.
    for chunk in ids.chunks(IDS_PER_QUERY) {
        for (kind, table) in KINDS {
            let mut query = Sql::new(
                Backend::of(tx),
                format!("SELECT record FROM {table} WHERE id IN "),
            );
            query.list(chunk.iter().map(Uuid::to_string));
            for row in query.fetch_all(&mut *tx).await? {
                let record = decode(kind, row.try_get("record")?)?;
                found.insert(record.id(), record);
            }
        }
    }
    Ok(found)
}

/// Livestream records changed after `after`, in change-stream order, at
/// most `limit`, each with its position.
pub(super) async fn pull(
    pool: &AnyPool,
    after: i64,
    through: i64,
    limit: usize,
) -> Result<Vec<(i64, LivestreamRecord)>, sqlx::Error> {
    let union = KINDS
        .iter()
        .map(|(kind, table)| {
            format!(
                "SELECT change_seq, '{kind}' AS kind, record FROM {table}
                 WHERE change_seq > $1 AND change_seq <= $2"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    sqlx::query(&format!("{union} ORDER BY change_seq LIMIT $3"))
        .bind(after)
        .bind(through)
        .bind(limit as i64)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let record = decode(row.try_get("kind")?, row.try_get("record")?)?;
            Ok((row.try_get("change_seq")?, record))
        })
        .collect()
}

/// Writes merged records, each at its position in the change stream.
pub(super) async fn put(
    tx: &mut AnyConnection,
    writes: &[(&LivestreamRecord, i64)],
    updated_by: &str,
) -> Result<(), sqlx::Error> {
    for (record, change_seq) in writes {
        let deleted = record.is_deleted();
        let query = match record {
            LivestreamRecord::Region(r) => {
                let v = r.region();
                sqlx::query(
                    "INSERT INTO partner_regions
                        (id, name, province, deleted, change_seq, updated_by, record)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (id) DO UPDATE SET name = $2, province = $3, deleted = $4,
                        change_seq = $5, updated_by = $6, record = $7",
                )
                .bind(v.id.to_string())
                .bind(v.name)
                .bind(v.province)
                .bind(deleted)
                .bind(change_seq)
                .bind(updated_by)
                .bind(json(r)?)
            }
            LivestreamRecord::Product(r) => {
                let v = r.product();
                sqlx::query(
                    "INSERT INTO products
                        (id, name, region_id, unit, price_fen, deleted, change_seq, updated_by,
                         record)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (id) DO UPDATE SET name = $2, region_id = $3, unit = $4,
                        price_fen = $5, deleted = $6, change_seq = $7, updated_by = $8,
                        record = $9",
                )
                .bind(v.id.to_string())
                .bind(v.name)
                .bind(v.region_id.to_string())
                .bind(v.unit)
                .bind(v.price_fen as i64)
                .bind(deleted)
                .bind(change_seq)
                .bind(updated_by)
                .bind(json(r)?)
            }
            LivestreamRecord::Session(r) => {
                let v = r.session();
                sqlx::query(
                    "INSERT INTO livestream_sessions
                        (id, number, date, platform, host, partners, viewers, deleted,
                         change_seq, updated_by, record)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (id) DO UPDATE SET number = $2, date = $3, platform = $4,
                        host = $5, partners = $6, viewers = $7, deleted = $8, change_seq = $9,
                        updated_by = $10, record = $11",
                )
                .bind(v.id.to_string())
                .bind(i64::from(v.number))
                .bind(v.date.to_string())
                .bind(v.platform)
                .bind(v.host)
                .bind(v.partners)
                .bind(i64::from(v.viewers))
                .bind(deleted)
                .bind(change_seq)
                .bind(updated_by)
                .bind(json(r)?)
            }
            LivestreamRecord::SaleLine(r) => {
                let v = r.sale_line();
                sqlx::query(
                    "INSERT INTO sale_lines
                        (id, session_id, product_id, units, amount_fen, orders, deleted,
                         change_seq, updated_by, record)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (id) DO UPDATE SET session_id = $2, product_id = $3,
                        units = $4, amount_fen = $5, orders = $6, deleted = $7,
                        change_seq = $8, updated_by = $9, record = $10",
                )
                .bind(v.id.to_string())
                .bind(v.session_id.to_string())
                .bind(v.product_id.to_string())
                .bind(i64::from(v.units))
                .bind(v.amount_fen as i64)
                .bind(i64::from(v.orders))
                .bind(deleted)
                .bind(change_seq)
                .bind(updated_by)
                .bind(json(r)?)
            }
        };
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Keeps `sale_totals` equal to the sums over live sale lines: each written
/// line takes its old version's contribution out (unless it was deleted)
/// and puts its new one in (unless it is deleted), in the same transaction.
pub(super) async fn update_sale_totals(
    tx: &mut AnyConnection,
    before: &HashMap<Uuid, LivestreamRecord>,
    writes: &[(&LivestreamRecord, i64)],
) -> Result<(), sqlx::Error> {
    let mut deltas: HashMap<(Uuid, Uuid), [i64; 4]> = HashMap::new();
    let mut add = |record: &LivestreamRecord, sign: i64| {
        let LivestreamRecord::SaleLine(line) = record else {
            return;
        };
        if line.is_deleted() {
            return;
        }
        let line = line.sale_line();
        let entry = deltas
            .entry((line.session_id, line.product_id))
            .or_default();
        entry[0] += sign;
        entry[1] += sign * i64::from(line.units);
        entry[2] += sign * line.amount_fen as i64;
        entry[3] += sign * i64::from(line.orders);
    };
    for (record, _) in writes {
        if let Some(old) = before.get(&record.id()) {
            add(old, -1);
        }
        add(record, 1);
    }
    for ((session, product), delta) in deltas.into_iter().filter(|(_, d)| *d != [0; 4]) {
        sqlx::query(
            "INSERT INTO sale_totals (session_id, product_id, lines, units, amount_fen, orders)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (session_id, product_id) DO UPDATE SET
                lines = sale_totals.lines + $3, units = sale_totals.units + $4,
                amount_fen = sale_totals.amount_fen + $5, orders = sale_totals.orders + $6",
        )
        .bind(session.to_string())
        .bind(product.to_string())
        .bind(delta[0])
        .bind(delta[1])
        .bind(delta[2])
        .bind(delta[3])
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

pub(super) fn json<T: serde::Serialize>(record: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(record).map_err(|error| sqlx::Error::Encode(error.into()))
}

/// Which of `wanted` are rows of `table`, in slices like [`load`].
async fn ids_in(
    tx: &mut AnyConnection,
    table: &str,
    wanted: &HashSet<Uuid>,
) -> Result<HashSet<Uuid>, sqlx::Error> {
    let wanted: Vec<&Uuid> = wanted.iter().collect();
    let mut found = HashSet::new();
    for chunk in wanted.chunks(IDS_PER_QUERY) {
        let mut query = Sql::new(
            Backend::of(tx),
            format!("SELECT id FROM {table} WHERE id IN "),
        );
        query.list(chunk.iter().map(|id| id.to_string()));
        for row in query.fetch_all(&mut *tx).await? {
            found.insert(super::uuid_of(&row, "id")?);
        }
    }
    Ok(found)
}

/// The ids a livestream record may refer to: what the database holds plus
/// what this push has accepted so far.
pub(super) struct Known {
    regions: HashSet<Uuid>,
    products: HashSet<Uuid>,
    sessions: HashSet<Uuid>,
}

impl Known {
    /// Looks up only what `records` refer to (any version of them, pushed
    /// or stored), so a push costs the same however large the room grows.
    pub(super) async fn load<'a>(
        tx: &mut AnyConnection,
        records: impl Iterator<Item = &'a LivestreamRecord>,
    ) -> Result<Known, sqlx::Error> {
        let mut wanted = Known {
            regions: HashSet::new(),
            products: HashSet::new(),
            sessions: HashSet::new(),
        };
        for record in records {
            match record {
                LivestreamRecord::Product(r) => {
                    wanted.regions.insert(r.region_id.value);
                }
                LivestreamRecord::SaleLine(r) => {
                    wanted.sessions.insert(r.session_id.value);
                    wanted.products.insert(r.product_id.value);
                }
                LivestreamRecord::Region(_) | LivestreamRecord::Session(_) => {}
            }
        }
        let regions = ids_in(tx, "partner_regions", &wanted.regions).await?;
        let products = ids_in(tx, "products", &wanted.products).await?;
        let sessions = ids_in(tx, "livestream_sessions", &wanted.sessions).await?;
        Ok(Known {
            regions,
            products,
            sessions,
        })
    }

    /// Remembers an accepted record, so later mutations may refer to it.
    pub(super) fn add(&mut self, record: &LivestreamRecord) {
        match record {
            LivestreamRecord::Region(r) => self.regions.insert(r.id),
            LivestreamRecord::Product(r) => self.products.insert(r.id),
            LivestreamRecord::Session(r) => self.sessions.insert(r.id),
            LivestreamRecord::SaleLine(_) => false,
        };
    }

    /// The shared validation rules, plus that every reference resolves.
    pub(super) fn check(
        &self,
        record: &LivestreamRecord,
        today: chrono::NaiveDate,
    ) -> Result<(), Vec<ValidationError>> {
        let mut unknown = Vec::new();
        let result = match record {
            LivestreamRecord::Region(r) => r.region().validate(),
            LivestreamRecord::Product(r) => {
                let product = r.product();
                if !product.region_id.is_nil() && !self.regions.contains(&product.region_id) {
                    unknown.push("region_id");
                }
                product.validate()
            }
            LivestreamRecord::Session(r) => r.session().validate(today),
            LivestreamRecord::SaleLine(r) => {
                let line = r.sale_line();
                if !line.session_id.is_nil() && !self.sessions.contains(&line.session_id) {
                    unknown.push("session_id");
                }
                if !line.product_id.is_nil() && !self.products.contains(&line.product_id) {
                    unknown.push("product_id");
                }
                line.validate()
            }
        };
        let mut errors = result.err().unwrap_or_default();
        errors.extend(
            unknown
                .into_iter()
                .map(|field| ValidationError::new(field, Rule::NotFound)),
        );
        no_errors(errors)
    }
}
