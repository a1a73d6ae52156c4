//! Storage: every SQL statement the server runs lives here.

use std::{
    collections::{HashMap, HashSet},
    str::FromStr,
    sync::Arc,
};

use anyhow::Context;
use chrono::{NaiveDate, NaiveTime};
use sqlx::{
    Any, AnyConnection, AnyPool, Row,
    any::{AnyPoolOptions, AnyRow},
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tongxin_shared::{
    Activity, Category, PeopleServed, Station, StationKind, ValidationError,
    error::{Rule, no_errors},
    hlc::Hlc,
    livestream::LivestreamRecord,
    merge::{ActivityRecord, StampedRecord},
    photo::PhotoRecord,
    proposal::ProposalItem,
    sync::{Change, Mutation, MutationResult, Outcome},
};
use uuid::Uuid;

use crate::auth::{Actor, StationScope};
use sql::Sql;
use stamps::StoredStamps;

mod accounts;
mod admin;
mod categories;
mod livestream;
mod photos;
mod proposals;
mod sql;
mod stamps;
pub use accounts::{AccountError, LoginAccount, NewUser, UserListing};
pub use admin::{Dimension, ExportRow, SalesDimension, SalesExportRow};
pub use photos::StoredPhoto;
pub use proposals::ProposalExportRow;

/// A push that must be refused as a whole.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("device belongs to another user")]
    DeviceOfAnotherUser,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Which database the server stores into. The queries are the same on
/// both; what differs is how a write transaction takes its lock and the
/// directory of migrations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded, one file (`sqlite://…`): the default.
    Sqlite,
    /// A PostgreSQL server (`postgres://…`), which several server processes
    /// may share.
    Postgres,
}

impl Backend {
    /// The backend of an open connection.
    fn of(connection: &AnyConnection) -> Backend {
        match connection.backend_name() {
            "SQLite" => Backend::Sqlite,
            _ => Backend::Postgres,
        }
    }

    pub fn of_url(url: &str) -> anyhow::Result<Backend> {
        match url.split_once(':').map(|(scheme, _)| scheme) {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => anyhow::bail!(
                "unsupported database URL {:?}: it must start with sqlite:// or postgres://",
                redact(url)
            ),
        }
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Every write transaction on PostgreSQL takes this advisory lock first,
/// so writes run one at a time, as on SQLite: positions in the change
/// stream are handed out in commit order (a pull never passes a position
/// whose change is still to commit), and a push reads the records it
/// merges into only once no other push can change them.
const WRITE_LOCK: i64 = 0x0054_6f6e_6778_696e; // "Tongxin"

/// Connections in the pool. Fixed rather than sqlx's default, so the
/// share kept back from long reads below is known.
pub const POOL_CONNECTIONS: u32 = 10;

/// Long reads (exports, pull pages) running at once in one process: the
/// rest of the pool stays free for logins, pushes and the admin's page
/// however many long reads are asked for, and the processor is not all
/// theirs either (`cargo xtask bench load`: with 4, another user's login
/// p99 was 285-404 ms under load on two cores). Further ones wait their
/// turn without a connection.
pub const LONG_READS: usize = 2;

#[derive(Clone)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    long_reads: Arc<Semaphore>,
}

/// How the pool is used right now, for `/api/health`.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct PoolUse {
    pub connections: u32,
    pub idle: usize,
    pub long_reads_running: usize,
    pub long_reads_allowed: usize,
}

impl Db {
    /// Opens (creating if needed) the database and brings its schema up to
    /// date.
    pub async fn open(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        if backend == Backend::Sqlite {
            prepare_sqlite_file(url).await?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(POOL_CONNECTIONS)
            .connect(url)
            .await
            .with_context(|| format!("cannot open database {:?}", redact(url)))?;
        let migrated = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await,
        };
        migrated.context("cannot migrate database")?;
        Ok(Db {
            pool,
            backend,
            long_reads: Arc::new(Semaphore::new(LONG_READS)),
        })
    }

    /// A turn for a long read (an export, a pull page): waits while
    /// [`LONG_READS`] are running. Hold it while reading, and only then.
    pub async fn long_read_turn(&self) -> OwnedSemaphorePermit {
        self.long_reads
            .clone()
            .acquire_owned()
            .await
            .expect("the long-read semaphore is never closed")
    }

    pub fn pool_use(&self) -> PoolUse {
        PoolUse {
            connections: self.pool.size(),
            idle: self.pool.num_idle(),
            long_reads_running: LONG_READS - self.long_reads.available_permits(),
            long_reads_allowed: LONG_READS,
        }
    }

    /// Whether the database answers a trivial query within `limit`.
    pub async fn answers_within(&self, limit: std::time::Duration) -> bool {
        let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.pool);
        matches!(tokio::time::timeout(limit, ping).await, Ok(Ok(1)))
    }

    /// A write transaction that waits for the one write lock before it
    /// reads anything. On SQLite that is the database's write lock (a
    /// deferred transaction would read first and then fail with "database
    /// is locked" when another push wrote in between; an immediate one
    /// waits its turn, up to the busy timeout); on PostgreSQL it is
    /// [`WRITE_LOCK`].
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    pub async fn stations(&self) -> Result<Vec<Station>, sqlx::Error> {
        sqlx::query("SELECT id, name, kind, street, community FROM stations ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(station_from_row)
            .collect()
    }

    /// Adds a station; `false` if one with its id exists already.
    pub async fn add_station(&self, station: &Station) -> Result<bool, sqlx::Error> {
        let added = sqlx::query(
            "INSERT INTO stations (id, name, kind, street, community) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&station.id)
        .bind(&station.name)
        .bind(station.kind.code())
        .bind(&station.street)
        .bind(&station.community)
        .execute(&self.pool)
        .await?;
        Ok(added.rows_affected() == 1)
    }

    /// Renames or moves a station (its id stays); `false` if there is none.
    pub async fn update_station(&self, station: &Station) -> Result<bool, sqlx::Error> {
        let updated = sqlx::query(
            "UPDATE stations SET name = $1, kind = $2, street = $3, community = $4 WHERE id = $5",
        )
        .bind(&station.name)
        .bind(station.kind.code())
        .bind(&station.street)
        .bind(&station.community)
        .bind(&station.id)
        .execute(&self.pool)
        .await?;
        Ok(updated.rows_affected() == 1)
    }

    pub async fn insert_stations(&self, stations: &[Station]) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        for s in stations {
            sqlx::query(
                "INSERT INTO stations (id, name, kind, street, community) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&s.id)
            .bind(&s.name)
            .bind(s.kind.code())
            .bind(&s.street)
            .bind(&s.community)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Applies one push in one transaction, answering every mutation on its
    /// own: a change the user may not make, or that breaks a rule, is
    /// refused with its reasons and the others are applied. A resent
    /// mutation gets the answer its first arrival got (see
    /// [`PushAnswers`]) and is not applied again.
    pub async fn apply_push(
        &self,
        actor: &Actor,
        device_id: Uuid,
        mutations: &[Mutation],
        clock: &ServerClock,
    ) -> Result<PushAnswered, PushError> {
        // Organisers have no activities to push; volunteers no livestream
        // records: such a change is refused on its own.
        let scope = actor.activity_scope().ok();
        let writes_livestream = actor.works_with_livestream();
        let user_id = actor.user_id.to_string();
        let mut tx = self.begin_write().await?;
        let device = device_id.to_string();
        let device_row: Option<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT user_id, last_seq, latest_wall_ms, latest_counter
             FROM devices WHERE device_id = $1",
        )
        .bind(&device)
        .fetch_optional(&mut *tx)
        .await?;
        let (watermark, mut device_latest) = match device_row {
            Some((owner, ..)) if owner != user_id => {
                return Err(PushError::DeviceOfAnotherUser);
            }
            Some((_, last_seq, wall_ms, counter)) => (
                last_seq,
                Hlc {
                    wall_ms: u64::try_from(wall_ms).unwrap_or(0),
                    counter: u32::try_from(counter).unwrap_or(0),
                    node: device_id,
                },
            ),
            None => (0, Hlc::ZERO),
        };
        let mut answers = PushAnswers::load(&mut tx, &device, watermark, mutations).await?;

        // Everything a push reads is read once, up front, not per mutation:
        // the stations, the stored versions of the records it touches and the
        // change counter. The write lock is held (`begin_write`), so none of
        // it can change under us.
        let stations: HashSet<String> = sqlx::query_scalar("SELECT id FROM stations")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let categories: HashSet<String> = sqlx::query_scalar("SELECT code FROM categories")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let (mut activity_ids, mut livestream_ids) = (Vec::new(), Vec::new());
        let mut proposal_items: Vec<&ProposalItem> = Vec::new();
        let mut photo_items: Vec<&PhotoRecord> = Vec::new();
        for mutation in mutations {
            match &mutation.change {
                Change::PutActivity(record) => activity_ids.push(record.id),
                Change::PutLivestream(record) => livestream_ids.push(record.id()),
                Change::PutProposal(item) => proposal_items.push(item),
                // A photo is checked against its activity.
                Change::PutPhoto(record) => {
                    activity_ids.push(record.activity_id.value);
                    photo_items.push(record);
                }
            }
        }
        if scope.is_none() {
            activity_ids.clear();
            photo_items.clear();
        }
        if !writes_livestream {
            livestream_ids.clear();
        }
        let mut stored = load_records(&mut tx, &activity_ids).await?;
        let mut stored_livestream = livestream::load(&mut tx, &livestream_ids).await?;
        let livestream_before = stored_livestream.clone();
        let mut known = match livestream_ids.is_empty() {
            false => {
                let pushed = mutations.iter().filter_map(|m| match &m.change {
                    Change::PutLivestream(record) => Some(record),
                    _ => None,
                });
                let records = pushed.chain(stored_livestream.values());
                Some(livestream::Known::load(&mut tx, records).await?)
            }
            true => None,
        };
        let mut proposals = match proposal_items.is_empty() {
            false => Some(proposals::ProposalPush::load(&mut tx, actor, &proposal_items).await?),
            true => None,
        };
        let mut photos = match photo_items.is_empty() {
            false => Some(photos::PhotoPush::load(&mut tx, &photo_items).await?),
            true => None,
        };
        // The versions before this push, for the admin's running totals.
        let before = stored.clone();
        let mut stream = ChangeStream::open(&mut tx).await?;

        // Accepted records, in the order they were last changed; written
        // together at the end, each once.
        let mut touched: Vec<Uuid> = Vec::new();
        let mut touched_livestream: Vec<Uuid> = Vec::new();
        let mut results = Vec::with_capacity(mutations.len());
        let mut ordered: Vec<&Mutation> = mutations.iter().collect();
        ordered.sort_by_key(|m| m.seq);
        for mutation in ordered {
            let seq = match answers.earlier(mutation.seq) {
                Answer::Earlier(outcome) => {
                    results.push(MutationResult {
                        seq: mutation.seq,
                        outcome,
                    });
                    continue;
                }
                Answer::New(seq) => seq,
            };
            let outcome = if mutation.change.latest_stamp().wall_ms > clock.limit_ms {
                // Nothing of it is stored: the device moves its stamps back
                // and sends the change again under a new sequence number.
                tracing::info!(%device_id, seq,
                    "refused a change stamped ahead of the server's clock");
                refused("stamp", Rule::ClockAhead)
            } else {
                match &mutation.change {
                    Change::PutActivity(incoming) => match &scope {
                        None => refused("activity", Rule::NotYourRole),
                        Some(scope) => {
                            let merged = match stored.get(&incoming.id) {
                                Some(current) => {
                                    let mut merged = current.clone();
                                    merged.merge(incoming);
                                    merged
                                }
                                None => incoming.clone(),
                            };
                            // Both where the record was and where it goes
                            // must be the user's: nobody moves a record into
                            // or out of a station they do not serve.
                            let was_theirs = stored.get(&merged.id).is_none_or(|current| {
                                scope.contains(&current.activity().station_id)
                            });
                            let activity = merged.activity();
                            let checked =
                                check_activity(&activity, clock.today, &stations, &categories)
                                    .and_then(|()| {
                                        if was_theirs && scope.contains(&activity.station_id) {
                                            Ok(())
                                        } else {
                                            Err(vec![ValidationError::new(
                                                "station_id",
                                                Rule::NotYourStation,
                                            )])
                                        }
                                    });
                            match checked {
                                Err(errors) => Outcome::Rejected { errors },
                                Ok(()) => {
                                    touched.push(merged.id);
                                    stored.insert(merged.id, merged);
                                    Outcome::Accepted
                                }
                            }
                        }
                    },
                    Change::PutLivestream(_) if !writes_livestream => {
                        refused("livestream", Rule::NotYourRole)
                    }
                    Change::PutLivestream(incoming) => {
                        let mut merged = incoming.clone();
                        let id = merged.id();
                        match stored_livestream.get(&id) {
                            Some(current) if current.kind() != merged.kind() => Outcome::Rejected {
                                errors: vec![ValidationError::other(
                                    "id",
                                    format!("id {id} belongs to a {}", current.kind()),
                                )],
                            },
                            current => {
                                if let Some(current) = current {
                                    let mut both = current.clone();
                                    both.merge_from(&merged);
                                    merged = both;
                                }
                                let known = known.as_mut().expect("loaded for livestream pushes");
                                match known.check(&merged, clock.today) {
                                    Err(errors) => Outcome::Rejected { errors },
                                    Ok(()) => {
                                        known.add(&merged);
                                        touched_livestream.push(id);
                                        stored_livestream.insert(id, merged);
                                        Outcome::Accepted
                                    }
                                }
                            }
                        }
                    }
                    Change::PutProposal(incoming) => {
                        let push = proposals.as_mut().expect("loaded for proposal pushes");
                        match push.apply(incoming, clock.today) {
                            Ok(()) => Outcome::Accepted,
                            Err(errors) => Outcome::Rejected { errors },
                        }
                    }
                    Change::PutPhoto(incoming) => match (&scope, photos.as_mut()) {
                        (Some(scope), Some(push)) => match push.apply(incoming, &stored, scope) {
                            Ok(()) => Outcome::Accepted,
                            Err(errors) => Outcome::Rejected { errors },
                        },
                        _ => refused("photo", Rule::NotYourRole),
                    },
                }
            };
            if outcome == Outcome::Accepted
                && let Some(stamp) = mutation.change.latest_stamp_of(device_id)
            {
                device_latest = device_latest.max(stamp);
            }
            answers.answered(seq, &outcome);
            results.push(MutationResult {
                seq: mutation.seq,
                outcome,
            });
        }

        let writes: Vec<(&ActivityRecord, i64)> = last_touches(touched)
            .iter()
            .filter_map(|id| stored.get(id))
            .map(|record| (record, stream.next()))
            .collect();
        put_records(&mut tx, &writes, &user_id).await?;
        update_totals(&mut tx, &before, &writes).await?;
        record_exits(&mut tx, &before, &writes).await?;
        let now = chrono::Utc::now().to_rfc3339();
        let moved: HashSet<Uuid> = writes
            .iter()
            .filter(|(record, _)| {
                before
                    .get(&record.id)
                    .is_some_and(|was| was.station_id.value != record.station_id.value)
            })
            .map(|(record, _)| record.id)
            .collect();
        photos::follow_moves(&mut tx, &moved, &mut stream, &user_id, &now).await?;
        if let Some(photos) = photos {
            photos.write(&mut tx, &mut stream, &user_id, &now).await?;
        }
        let livestream_writes: Vec<(&LivestreamRecord, i64)> = last_touches(touched_livestream)
            .iter()
            .filter_map(|id| stored_livestream.get(id))
            .map(|record| (record, stream.next()))
            .collect();
        livestream::put(&mut tx, &livestream_writes, &user_id).await?;
        livestream::update_sale_totals(&mut tx, &livestream_before, &livestream_writes).await?;
        if let Some(proposals) = proposals {
            proposals.write(&mut tx, &mut stream, &user_id).await?;
        }
        stream.close(&mut tx).await?;
        let watermark = answers.save(&mut tx, &device).await?;
        sqlx::query(
            "INSERT INTO devices (device_id, user_id, last_seq, latest_wall_ms, latest_counter)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (device_id) DO UPDATE SET last_seq = excluded.last_seq,
                latest_wall_ms = excluded.latest_wall_ms,
                latest_counter = excluded.latest_counter",
        )
        .bind(&device)
        .bind(&user_id)
        .bind(watermark)
        .bind(i64::try_from(device_latest.wall_ms).unwrap_or(i64::MAX))
        .bind(i64::from(device_latest.counter))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(PushAnswered {
            results,
            device_latest,
        })
    }

    /// The last position handed out in the change stream. Every change at
    /// or before it has committed: writes run one at a time and move the
    /// counter in their own transaction. A pull reads it first and then
    /// only up to it, so its queries agree on one moment of the stream
    /// however many of them there are, and a write committing between them
    /// waits for the next pull instead of being passed over.
    pub async fn last_position(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(LAST_POSITION)
            .fetch_one(&self.pool)
            .await
    }

    /// Records in `scope` changed after `after` and at or before
    /// `through`, in change-stream order, at most `limit`, each with its
    /// position.
    pub async fn pull(
        &self,
        scope: &StationScope,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<(i64, ActivityRecord)>, sqlx::Error> {
        let mut query = Sql::new(
            self.backend,
            "SELECT id, category, title, station_id, date, volunteers, people_served, notes,
                    time, organising_group, deleted, stamps, change_seq
             FROM activities WHERE change_seq > ",
        );
        query.bind(after).push(" AND change_seq <= ").bind(through);
        if let StationScope::Only(stations) = scope {
            if stations.is_empty() {
                return Ok(Vec::new());
            }
            query
                .push(" AND station_id IN ")
                .list(stations.iter().map(String::as_str));
        }
        query.push(" ORDER BY change_seq LIMIT ").bind(limit as i64);
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("change_seq")?, record_from_row(row)?)))
            .collect()
    }

    /// Activities that left `stations` between `after` and `through` and
    /// are not back in them now, in change-stream order, at most `limit`,
    /// each with the position of its move.
    pub async fn pull_exits(
        &self,
        stations: &[String],
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<(i64, Uuid)>, sqlx::Error> {
        if stations.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = Sql::new(
            self.backend,
            "SELECT e.change_seq, e.record_id FROM activity_exits e
             JOIN activities a ON a.id = e.record_id
             WHERE e.change_seq > ",
        );
        query
            .bind(after)
            .push(" AND e.change_seq <= ")
            .bind(through);
        query
            .push(" AND e.station_id IN ")
            .list(stations.iter().map(String::as_str));
        query
            .push(" AND a.station_id NOT IN ")
            .list(stations.iter().map(String::as_str));
        query
            .push(" ORDER BY e.change_seq LIMIT ")
            .bind(limit as i64);
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("change_seq")?, uuid_of(row, "record_id")?)))
            .collect()
    }

    /// Livestream records changed after `after` and at or before
    /// `through`, in change-stream order, at most `limit`, each with its
    /// position.
    pub async fn pull_livestream(
        &self,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<(i64, LivestreamRecord)>, sqlx::Error> {
        livestream::pull(&self.pool, after, through, limit).await
    }

    /// Proposals and their steps changed after `after` and at or before
    /// `through`, in change-stream order, at most `limit`, each with its
    /// position: only those of `proposer`, or all.
    pub async fn pull_proposals(
        &self,
        proposer: Option<&str>,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<(i64, ProposalItem)>, sqlx::Error> {
        proposals::pull(&self.pool, proposer, after, through, limit).await
    }

    /// References of photos of activities in `scope` changed after
    /// `after` and at or before `through`, in change-stream order, at most
    /// `limit`, each with its position.
    pub async fn pull_photos(
        &self,
        scope: &StationScope,
        after: i64,
        through: i64,
        limit: usize,
    ) -> Result<Vec<(i64, PhotoRecord)>, sqlx::Error> {
        photos::pull(&self.pool, self.backend, scope, after, through, limit).await
    }

    /// Inserts livestream records outside of sync (demo data), each as a
    /// change.
    pub async fn insert_livestream(
        &self,
        records: &[LivestreamRecord],
        updated_by: &str,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mut stream = ChangeStream::open(&mut tx).await?;
        let writes: Vec<(&LivestreamRecord, i64)> =
            records.iter().map(|r| (r, stream.next())).collect();
        let ids: Vec<Uuid> = records.iter().map(|r| r.id()).collect();
        let before = livestream::load(&mut tx, &ids).await?;
        livestream::put(&mut tx, &writes, updated_by).await?;
        livestream::update_sale_totals(&mut tx, &before, &writes).await?;
        stream.close(&mut tx).await?;
        tx.commit().await
    }

    pub async fn activity_count(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM activities WHERE NOT deleted")
            .fetch_one(&self.pool)
            .await
    }

    /// Inserts activities outside of sync (demo data), each as a change
    /// stamped `stamp`.
    pub async fn insert_activities(
        &self,
        activities: &[Activity],
        updated_by: &str,
        stamp: Hlc,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mut stream = ChangeStream::open(&mut tx).await?;
        let records: Vec<ActivityRecord> = activities
            .iter()
            .map(|activity| ActivityRecord::new(activity, stamp))
            .collect();
        let writes: Vec<(&ActivityRecord, i64)> =
            records.iter().map(|r| (r, stream.next())).collect();
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        let before = load_records(&mut tx, &ids).await?;
        put_records(&mut tx, &writes, updated_by).await?;
        update_totals(&mut tx, &before, &writes).await?;
        record_exits(&mut tx, &before, &writes).await?;
        stream.close(&mut tx).await?;
        tx.commit().await
    }
}

/// What a push was answered.
pub struct PushAnswered {
    pub results: Vec<MutationResult>,
    /// See [`tongxin_shared::sync::PushResponse::device_latest`].
    pub device_latest: Hlc,
}

/// A refusal for one rule.
fn refused(field: &str, rule: Rule) -> Outcome {
    Outcome::Rejected {
        errors: vec![ValidationError::new(field, rule)],
    }
}

/// What a device was answered before, so a resend is answered the same.
///
/// `devices.last_seq` is the device's watermark: every sequence number at
/// or below it has been answered. `push_answers` keeps every refusal (a
/// resend of a refused change must not read as accepted and be dropped),
/// and the answers to mutations that came ahead of the watermark, out of
/// order, until the watermark passes them; an accepted mutation at or
/// below the watermark needs no row. The app sends its outbox in order and
/// never leaves a number unsent, so the table holds little but refusals.
struct PushAnswers {
    watermark: i64,
    /// Answers kept from earlier pushes: `None` accepted, else the reasons.
    earlier: HashMap<i64, Option<Vec<ValidationError>>>,
    /// Answers given in this push, to be kept as above.
    given: HashMap<i64, Option<Vec<ValidationError>>>,
}

enum Answer {
    /// Answered before (or not a usable number): answer this again.
    Earlier(Outcome),
    /// Not seen before: apply it, then call [`PushAnswers::answered`].
    New(i64),
}

impl PushAnswers {
    /// The kept answers this push may repeat (those to its sequence
    /// numbers) and every one above the watermark, which decide how far it
    /// moves.
    async fn load(
        tx: &mut AnyConnection,
        device: &str,
        watermark: i64,
        mutations: &[Mutation],
    ) -> Result<PushAnswers, sqlx::Error> {
        let seqs: Vec<i64> = mutations
            .iter()
            .filter_map(|m| i64::try_from(m.seq).ok())
            .collect();
        let mut earlier = HashMap::new();
        // One query at least: the answers above the watermark are needed
        // even when no sequence number in the push is usable.
        let chunks: Vec<&[i64]> = match seqs.is_empty() {
            true => vec![&[]],
            false => seqs.chunks(IDS_PER_QUERY).collect(),
        };
        for chunk in chunks {
            let mut query = Sql::new(
                Backend::of(tx),
                "SELECT seq, errors FROM push_answers WHERE device_id = ",
            );
            query.bind(device.to_owned());
            query.push(" AND (seq > ").bind(watermark);
            if !chunk.is_empty() {
                query.push(" OR seq IN ").list(chunk.iter().copied());
            }
            query.push(")");
            for row in query.fetch_all(&mut *tx).await? {
                let errors: Option<String> = row.try_get("errors")?;
                let errors = errors
                    .map(|json| serde_json::from_str(&json))
                    .transpose()
                    .map_err(|e| sqlx::Error::Decode(e.into()))?;
                earlier.insert(row.try_get::<i64, _>("seq")?, errors);
            }
        }
        Ok(PushAnswers {
            watermark,
            earlier,
            given: HashMap::new(),
        })
    }

    /// How to answer one mutation's sequence number.
    fn earlier(&self, seq: u64) -> Answer {
        let Some(seq) = i64::try_from(seq).ok().filter(|seq| *seq > 0) else {
            return Answer::Earlier(refused("seq", Rule::InvalidSeq));
        };
        if self.given.contains_key(&seq) {
            // The same number twice in one push: the first is answered.
            return Answer::Earlier(refused("seq", Rule::InvalidSeq));
        }
        match self.earlier.get(&seq) {
            Some(None) => Answer::Earlier(Outcome::Accepted),
            Some(Some(errors)) => Answer::Earlier(Outcome::Rejected {
                errors: errors.clone(),
            }),
            None if seq <= self.watermark => Answer::Earlier(Outcome::Accepted),
            None => Answer::New(seq),
        }
    }

    fn answered(&mut self, seq: i64, outcome: &Outcome) {
        let errors = match outcome {
            Outcome::Accepted => None,
            Outcome::Rejected { errors } => Some(errors.clone()),
        };
        self.given.insert(seq, errors);
    }

    /// Keeps this push's answers that must be kept, drops those the new
    /// watermark makes needless, and gives the new watermark.
    async fn save(self, tx: &mut AnyConnection, device: &str) -> Result<i64, sqlx::Error> {
        let mut watermark = self.watermark;
        while self.given.contains_key(&(watermark + 1))
            || self.earlier.contains_key(&(watermark + 1))
        {
            watermark += 1;
        }
        let mut keep: Vec<(i64, Option<String>)> = Vec::new();
        for (seq, errors) in &self.given {
            if *seq > watermark || errors.is_some() {
                let json = errors
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(|e| sqlx::Error::Encode(e.into()))?;
                keep.push((*seq, json));
            }
        }
        for chunk in keep.chunks(ROWS_PER_INSERT) {
            let mut query = Sql::new(
                Backend::of(tx),
                "INSERT INTO push_answers (device_id, seq, errors)",
            );
            query.values(chunk, |row, (seq, errors)| {
                row.bind(device.to_owned()).bind(*seq).bind(errors.clone());
            });
            query.execute(&mut *tx).await?;
        }
        if self
            .earlier
            .iter()
            .any(|(seq, errors)| *seq <= watermark && *seq > self.watermark && errors.is_none())
        {
            sqlx::query(
                "DELETE FROM push_answers
                 WHERE device_id = $1 AND seq > $2 AND seq <= $3 AND errors IS NULL",
            )
            .bind(device)
            .bind(self.watermark)
            .bind(watermark)
            .execute(&mut *tx)
            .await?;
        }
        Ok(watermark)
    }
}

/// Keeps the moves of records from one station to another, at the
/// position of the write that moved them, so the devices of the station a
/// record left learn that it did.
async fn record_exits(
    tx: &mut AnyConnection,
    before: &HashMap<Uuid, ActivityRecord>,
    writes: &[(&ActivityRecord, i64)],
) -> Result<(), sqlx::Error> {
    let exits: Vec<(i64, Uuid, String)> = writes
        .iter()
        .filter_map(|(record, position)| {
            let old = before.get(&record.id)?;
            (old.station_id.value != record.station_id.value)
                .then(|| (*position, record.id, old.station_id.value.clone()))
        })
        .collect();
    for chunk in exits.chunks(ROWS_PER_INSERT) {
        let mut query = Sql::new(
            Backend::of(tx),
            "INSERT INTO activity_exits (change_seq, record_id, station_id)",
        );
        query.values(chunk, |row, (position, id, station)| {
            row.bind(*position)
                .bind(id.to_string())
                .bind(station.clone());
        });
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Each id once, at the place of its last touch: a record edited twice in
/// one push is written once, at its later position.
fn last_touches(touched: Vec<Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    let mut last: Vec<Uuid> = touched
        .into_iter()
        .rev()
        .filter(|id| seen.insert(*id))
        .collect();
    last.reverse();
    last
}

/// The server's clock as one push sees it.
pub struct ServerClock {
    /// A change stamped later than this (ms since the epoch) comes from a
    /// clock that runs ahead, and is refused.
    pub limit_ms: u64,
    /// The server's own date, for the rule that dates are not in the future.
    pub today: NaiveDate,
}

/// The shared validation rules, plus what only the server can check. A
/// retired category is still known: a phone that was offline when it was
/// retired may still send records of it, and those are kept.
fn check_activity(
    activity: &Activity,
    today: NaiveDate,
    stations: &HashSet<String>,
    categories: &HashSet<String>,
) -> Result<(), Vec<ValidationError>> {
    let mut errors = activity.validate(today).err().unwrap_or_default();
    if !activity.station_id.trim().is_empty() && !stations.contains(&activity.station_id) {
        errors.push(ValidationError::new("station_id", Rule::UnknownStation));
    }
    let category = activity.category.code();
    if !category.trim().is_empty() && !categories.contains(category) {
        errors.push(ValidationError::new("category", Rule::UnknownCategory));
    }
    no_errors(errors)
}

/// The stored versions of the given records, in one query.
async fn load_records(
    tx: &mut AnyConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ActivityRecord>, sqlx::Error> {
    let mut found = HashMap::new();
    // In slices, so no statement nears SQLite's limit on parameters.
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let mut query = Sql::new(
            Backend::of(tx),
            "SELECT id, category, title, station_id, date, volunteers, people_served, notes,
                    time, organising_group, deleted, stamps
             FROM activities WHERE id IN ",
        );
        query.list(chunk.iter().map(Uuid::to_string));
        for row in query.fetch_all(&mut *tx).await? {
            let record = record_from_row(&row)?;
            found.insert(record.id, record);
        }
    }
    Ok(found)
}

/// Ids per `IN (…)` list.
const IDS_PER_QUERY: usize = 1_000;

/// The last position handed out in the change stream.
const LAST_POSITION: &str = "SELECT value FROM counters WHERE name = 'change_seq'";

/// Hands out positions in the change stream inside one write transaction.
/// Writes run one at a time (SQLite's write lock, or [`WRITE_LOCK`] on
/// PostgreSQL, held until commit), so positions are handed out in commit
/// order: a pull can never pass a position whose change is still to commit.
struct ChangeStream {
    last: i64,
}

impl ChangeStream {
    async fn open(tx: &mut AnyConnection) -> Result<ChangeStream, sqlx::Error> {
        let last = sqlx::query_scalar(LAST_POSITION)
            .fetch_one(&mut *tx)
            .await?;
        Ok(ChangeStream { last })
    }

    fn next(&mut self) -> i64 {
        self.last += 1;
        self.last
    }

    async fn close(self, tx: &mut AnyConnection) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE counters SET value = $1 WHERE name = 'change_seq'")
            .bind(self.last)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }
}

/// A stored activity with its field stamps, as devices pull it.
fn record_from_row(row: &AnyRow) -> Result<ActivityRecord, sqlx::Error> {
    let decode = |message: String| sqlx::Error::ColumnDecode {
        index: "stamps".into(),
        source: message.into(),
    };
    let stamps: String = row.try_get("stamps")?;
    let stamps: StoredStamps = serde_json::from_str(&stamps).map_err(|e| decode(e.to_string()))?;
    stamps
        .record(activity_from_row(row)?, flag(row, "deleted")?)
        .map_err(decode)
}

/// Keeps `activity_totals` equal to the sums over live activities (rows that
/// fall to zero stay, and every query skips them): each
/// written record takes its old version's contribution out (unless it was
/// deleted) and puts its new one in (unless it is deleted). The deltas of a
/// whole push are added up first, so a push costs one upsert per day,
/// station and category it touched.
async fn update_totals(
    tx: &mut AnyConnection,
    before: &HashMap<Uuid, ActivityRecord>,
    writes: &[(&ActivityRecord, i64)],
) -> Result<(), sqlx::Error> {
    type Key = (NaiveDate, String, Category);
    let mut deltas: HashMap<Key, [i64; 3]> = HashMap::new();
    let mut add = |record: &ActivityRecord, sign: i64| {
        if record.is_deleted() {
            return;
        }
        let a = record.activity();
        let entry = deltas
            .entry((a.date, a.station_id, a.category))
            .or_default();
        entry[0] += sign;
        entry[1] += sign * i64::from(a.people_served.get());
        entry[2] += sign * i64::from(a.volunteers);
    };
    for (record, _) in writes {
        if let Some(old) = before.get(&record.id) {
            add(old, -1);
        }
        add(record, 1);
    }
    let changed: Vec<(Key, [i64; 3])> = deltas
        .into_iter()
        .filter(|(_, delta)| *delta != [0, 0, 0])
        .collect();
    for chunk in changed.chunks(ROWS_PER_INSERT) {
        let mut query = Sql::new(
            Backend::of(tx),
            "INSERT INTO activity_totals
                (date, station_id, category, activities, people_served, volunteers)",
        );
        query.values(chunk, |row, ((date, station, category), delta)| {
            row.bind(date.to_string())
                .bind(station.as_str())
                .bind(category.code())
                .bind(delta[0])
                .bind(delta[1])
                .bind(delta[2]);
        });
        query.push(
            " ON CONFLICT (date, station_id, category) DO UPDATE SET
                activities = activity_totals.activities + excluded.activities,
                people_served = activity_totals.people_served + excluded.people_served,
                volunteers = activity_totals.volunteers + excluded.volunteers",
        );
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Rows per INSERT statement: 14 parameters each keeps a statement well
/// under SQLite's limit of 32,766 parameters and PostgreSQL's of 65,535.
const ROWS_PER_INSERT: usize = 500;

/// Writes merged records, each at its position in the change stream, with
/// one multi-row upsert per [`ROWS_PER_INSERT`] records. Each record id
/// appears at most once in `writes`.
async fn put_records(
    tx: &mut AnyConnection,
    writes: &[(&ActivityRecord, i64)],
    updated_by: &str,
) -> Result<(), sqlx::Error> {
    for chunk in writes.chunks(ROWS_PER_INSERT) {
        let mut query = Sql::new(
            Backend::of(tx),
            "INSERT INTO activities
                (id, category, title, station_id, date, volunteers, people_served, notes,
                 time, organising_group, change_seq, updated_by, stamps, deleted)",
        );
        let mut encode_error = None;
        query.values(chunk, |row, (record, change_seq)| {
            let activity = record.activity();
            let json = serde_json::to_string(&StoredStamps::of(record)).unwrap_or_else(|error| {
                encode_error = Some(error);
                String::new()
            });
            row.bind(activity.id.to_string())
                .bind(activity.category.code().to_owned())
                .bind(activity.title)
                .bind(activity.station_id)
                .bind(activity.date.to_string())
                .bind(i64::from(activity.volunteers))
                .bind(i64::from(activity.people_served.get()))
                .bind(activity.notes)
                .bind(activity.time.map(|time| time.to_string()))
                .bind(activity.organising_group)
                .bind(*change_seq)
                .bind(updated_by)
                .bind(json)
                .bind(record.is_deleted());
        });
        if let Some(error) = encode_error {
            return Err(sqlx::Error::Encode(error.into()));
        }
        query.push(
            " ON CONFLICT (id) DO UPDATE SET
                category = excluded.category, title = excluded.title,
                station_id = excluded.station_id, date = excluded.date,
                volunteers = excluded.volunteers, people_served = excluded.people_served,
                notes = excluded.notes, time = excluded.time,
                organising_group = excluded.organising_group, change_seq = excluded.change_seq,
                updated_by = excluded.updated_by, stamps = excluded.stamps,
                deleted = excluded.deleted",
        );
        query.execute(&mut *tx).await?;
    }
    Ok(())
}

fn activity_from_row(row: &AnyRow) -> Result<Activity, sqlx::Error> {
    let decode = |column: &str, message: String| sqlx::Error::ColumnDecode {
        index: column.to_owned(),
        source: message.into(),
    };
    let volunteers: i64 = row.try_get("volunteers")?;
    let people_served: i64 = row.try_get("people_served")?;
    Ok(Activity {
        id: uuid_of(row, "id")?,
        category: Category::new(row.try_get::<String, _>("category")?),
        title: row.try_get("title")?,
        station_id: row.try_get("station_id")?,
        date: date_of(row, "date")?,
        volunteers: u32::try_from(volunteers).map_err(|e| decode("volunteers", e.to_string()))?,
        people_served: PeopleServed::try_from(people_served)
            .map_err(|e| decode("people_served", e))?,
        notes: row.try_get("notes")?,
        time: row
            .try_get::<Option<String>, _>("time")?
            .map(|time| parse_column::<NaiveTime>("time", &time))
            .transpose()?,
        organising_group: row.try_get("organising_group")?,
    })
}

fn station_from_row(row: &AnyRow) -> Result<Station, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(Station {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: StationKind::from_code(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "kind".into(),
            source: format!("unknown station kind {kind:?}").into(),
        })?,
        street: row.try_get("street")?,
        community: row.try_get("community")?,
    })
}

/// Reads a text column into a value that parses from text (dates, times,
/// ids): both backends store them as text.
fn parse_column<T>(column: &str, text: &str) -> Result<T, sqlx::Error>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|error: T::Err| sqlx::Error::ColumnDecode {
            index: column.to_owned(),
            source: format!("{text:?}: {error}").into(),
        })
}

fn date_of(row: &AnyRow, column: &str) -> Result<NaiveDate, sqlx::Error> {
    parse_column(column, &row.try_get::<String, _>(column)?)
}

fn uuid_of(row: &AnyRow, column: &str) -> Result<Uuid, sqlx::Error> {
    parse_column(column, &row.try_get::<String, _>(column)?)
}

/// A boolean column: PostgreSQL has booleans, SQLite stores 0 or 1.
fn flag(row: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
    }
}

/// Creates the SQLite file (and its folder) if missing and puts it in
/// write-ahead-log mode, which the file remembers; the pool then opens it
/// through the Any driver like any other database.
async fn prepare_sqlite_file(url: &str) -> anyhow::Result<()> {
    use sqlx::ConnectOptions;
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url:?}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    if let Some(parent) = options.get_filename().parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let connection = options
        .connect()
        .await
        .with_context(|| format!("cannot open database {url:?}"))?;
    sqlx::Connection::close(connection).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_is_logged_without_its_password() {
        let url = "postgres://tongxin:s3cret@db.example:5432/tongxin";
        let shown = redact(url);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(shown, "postgres://tongxin:***@db.example:5432/tongxin");
        assert_eq!(
            redact("sqlite://data/tongxin.sqlite"),
            "sqlite://data/tongxin.sqlite"
        );
    }

    #[test]
    fn the_backend_follows_the_url() {
        assert_eq!(
            Backend::of_url("sqlite://x.sqlite").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::of_url("postgresql://h/db").unwrap(),
            Backend::Postgres
        );
        let refused = Backend::of_url("mysql://u:pw@h/db")
            .unwrap_err()
            .to_string();
        assert!(refused.contains("sqlite:// or postgres://"), "{refused}");
        assert!(!refused.contains("pw@"), "{refused}");
    }
}
