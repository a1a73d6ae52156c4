//! Proposals and the steps of their life.
//!
//! Two tables on the change stream, like the livestream room's: plain
//! columns for the admin's queries beside the whole stamped record as
//! JSON. A step keeps its proposal's proposer (which never changes), so a
//! member's pull reads their own proposals and steps by that column.
//!
//! Who may do what is decided here, per mutation: anyone submits a
//! proposal in their own name and may change or withdraw it until it is
//! taken up; admins change any proposal and alone take steps, each in
//! their own name, in the order the life allows ([`Progress::allows`]).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, Row, any::AnyRow};
use tongxin_shared::{
    ValidationError,
    error::{Rule, no_errors},
    merge::StampedRecord,
    proposal::{
        Progress, ProposalBoard, ProposalDetail, ProposalFigures, ProposalFilter, ProposalItem,
        ProposalRow, ProposalState, ProposalStep, StateCount, StepRecord,
    },
};
use uuid::Uuid;

use super::{Backend, IDS_PER_QUERY, Sql, livestream::json};
use crate::auth::Actor;

/// Each kind's name on the wire and its table.
const KINDS: [(&str, &str); 2] = [("proposal", "proposals"), ("step", "proposal_steps")];

fn decode(kind: &str, record: &str) -> Result<ProposalItem, sqlx::Error> {
    super::livestream::decode_tagged(kind, record)
}

/// Rows of `table` whose `column` is one of `values`, decoded, in slices
/// so no statement nears SQLite's limit on parameters.
async fn load_where(
    tx: &mut AnyConnection,
    kind: &str,
    table: &str,
    column: &str,
    values: &HashSet<Uuid>,
    found: &mut HashMap<Uuid, ProposalItem>,
) -> Result<(), sqlx::Error> {
    let values: Vec<&Uuid> = values.iter().collect();
    for chunk in values.chunks(IDS_PER_QUERY) {
        let mut query = Sql::new(
            Backend::of(tx),
            format!("SELECT record FROM {table} WHERE {column} IN "),
        );
        query.list(chunk.iter().map(|id| id.to_string()));
        for row in query.fetch_all(&mut *tx).await? {
            let item = decode(kind, row.try_get("record")?)?;
            found.insert(item.id(), item);
        }
    }
    Ok(())
}

/// Proposals and steps changed after `after` and at or before `through`,
/// in change-stream order, at most `limit`, each with its position: those
/// of `proposer` only, or all of them.
pub(super) async fn pull(
    pool: &AnyPool,
    proposer: Option<&str>,
    after: i64,
    through: i64,
    limit: usize,
) -> Result<Vec<(i64, ProposalItem)>, sqlx::Error> {
    let whose = match proposer {
        Some(_) => " AND proposer = $4",
        None => "",
    };
    let union = KINDS
        .iter()
        .map(|(kind, table)| {
            format!(
                "SELECT change_seq, '{kind}' AS kind, record FROM {table}
                 WHERE change_seq > $1 AND change_seq <= $2{whose}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let sql = format!("{union} ORDER BY change_seq LIMIT $3");
    let mut query = sqlx::query(&sql)
        .bind(after)
        .bind(through)
        .bind(limit as i64);
    if let Some(proposer) = proposer {
        query = query.bind(proposer);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| {
            let item = decode(row.try_get("kind")?, row.try_get("record")?)?;
            Ok((row.try_get("change_seq")?, item))
        })
        .collect()
}

/// What a push of proposals and steps needs to know, read once before its
/// mutations are checked, and what it has accepted so far.
pub(super) struct ProposalPush {
    username: String,
    is_admin: bool,
    /// The stored (then accepted) versions of every proposal and step the
    /// push touches, of the proposals its steps belong to, and of every
    /// step of those proposals.
    items: HashMap<Uuid, ProposalItem>,
    groups: HashSet<String>,
    streets: HashSet<String>,
    stations: HashSet<String>,
    /// Accepted records, in the order they were last changed.
    touched: Vec<Uuid>,
}

impl ProposalPush {
    pub(super) async fn load(
        tx: &mut AnyConnection,
        actor: &Actor,
        pushed: &[&ProposalItem],
    ) -> Result<ProposalPush, sqlx::Error> {
        let mut items = HashMap::new();
        let ids: HashSet<Uuid> = pushed.iter().map(|item| item.id()).collect();
        for (kind, table) in KINDS {
            load_where(tx, kind, table, "id", &ids, &mut items).await?;
        }
        // The proposals the pushed steps (as pushed, and as stored) belong
        // to, and every step of every proposal in play.
        let mut proposals: HashSet<Uuid> = HashSet::new();
        for item in pushed.iter().copied().chain(items.values()) {
            match item {
                ProposalItem::Proposal(p) => proposals.insert(p.id),
                ProposalItem::Step(s) => proposals.insert(s.proposal_id.value),
            };
        }
        load_where(tx, "proposal", "proposals", "id", &proposals, &mut items).await?;
        load_where(
            tx,
            "step",
            "proposal_steps",
            "proposal_id",
            &proposals,
            &mut items,
        )
        .await?;
        let groups = sqlx::query_scalar("SELECT code FROM proposal_groups")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let streets = sqlx::query_scalar("SELECT DISTINCT street FROM stations")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let stations = sqlx::query_scalar("SELECT id FROM stations")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        Ok(ProposalPush {
            username: actor.username.clone(),
            is_admin: actor.require_admin().is_ok(),
            items,
            groups,
            streets,
            stations,
            touched: Vec::new(),
        })
    }

    /// The life of a proposal as its live steps held here tell it.
    fn progress(&self, proposal: Uuid) -> Progress {
        let steps: Vec<_> = self
            .items
            .values()
            .filter_map(|item| match item {
                ProposalItem::Step(s) if s.proposal_id.value == proposal && !s.is_deleted() => {
                    Some(s.step())
                }
                _ => None,
            })
            .collect();
        Progress::of(&steps)
    }

    /// Merges `incoming` into the version held, checks the result and, if
    /// it may be stored, keeps it for [`ProposalPush::write`].
    pub(super) fn apply(
        &mut self,
        incoming: &ProposalItem,
        today: chrono::NaiveDate,
    ) -> Result<(), Vec<ValidationError>> {
        let id = incoming.id();
        let current = self.items.get(&id);
        if let Some(current) = current
            && current.kind() != incoming.kind()
        {
            return Err(vec![ValidationError::other(
                "id",
                format!("id {id} belongs to a {}", current.kind()),
            )]);
        }
        let mut merged = incoming.clone();
        if let Some(current) = current {
            merged = current.clone();
            merged.merge_from(incoming);
        }
        match (&merged, current) {
            (ProposalItem::Proposal(p), current) => {
                let current = match current {
                    Some(ProposalItem::Proposal(c)) => Some(c),
                    _ => None,
                };
                self.check_proposal(p, current, today)?
            }
            (ProposalItem::Step(s), current) => {
                let current = match current {
                    Some(ProposalItem::Step(c)) => Some(c),
                    _ => None,
                };
                self.check_step(s, current, today)?
            }
        }
        self.touched.push(id);
        self.items.insert(id, merged);
        Ok(())
    }

    fn check_proposal(
        &self,
        merged: &tongxin_shared::proposal::ProposalRecord,
        current: Option<&tongxin_shared::proposal::ProposalRecord>,
        today: chrono::NaiveDate,
    ) -> Result<(), Vec<ValidationError>> {
        // Whose it is is settled first: nothing else is said to someone
        // who may not touch it.
        match current {
            None if merged.proposer.value != self.username => {
                return Err(vec![ValidationError::worded(
                    "proposer",
                    Rule::NotAllowed,
                    "a proposal is submitted in its proposer's own name",
                )]);
            }
            Some(current) if merged.proposer.value != current.proposer.value => {
                return Err(vec![ValidationError::new("proposer", Rule::Unchangeable)]);
            }
            Some(current) if !self.is_admin => {
                if current.proposer.value != self.username {
                    return Err(vec![ValidationError::worded(
                        "proposer",
                        Rule::NotAllowed,
                        "only its proposer and admins may change a proposal",
                    )]);
                }
                let state = self.progress(merged.id).state;
                if state != ProposalState::Submitted {
                    return Err(vec![ValidationError::new(
                        "proposal",
                        Rule::NotNow {
                            state: state.code().to_owned(),
                        },
                    )]);
                }
            }
            _ => {}
        }
        let proposal = merged.proposal();
        let mut errors = proposal.validate(today).err().unwrap_or_default();
        if !proposal.group.trim().is_empty() && !self.groups.contains(&proposal.group) {
            errors.push(ValidationError::new("group", Rule::UnknownGroup));
        }
        if !proposal.street.trim().is_empty() && !self.streets.contains(&proposal.street) {
            errors.push(ValidationError::new("street", Rule::UnknownStreet));
        }
        if let Some(station) = &proposal.station_id
            && !self.stations.contains(station)
        {
            errors.push(ValidationError::new("station_id", Rule::UnknownStation));
        }
        no_errors(errors)
    }

    fn check_step(
        &self,
        merged: &StepRecord,
        current: Option<&StepRecord>,
        today: chrono::NaiveDate,
    ) -> Result<(), Vec<ValidationError>> {
        if !self.is_admin {
            return Err(vec![ValidationError::new("step", Rule::NotYourRole)]);
        }
        let step = merged.step();
        match current {
            None => {
                if step.author != self.username {
                    return Err(vec![ValidationError::worded(
                        "author",
                        Rule::NotAllowed,
                        "a step is taken in its author's own name",
                    )]);
                }
            }
            Some(current) => {
                let current = current.step();
                for (field, same) in [
                    ("proposal_id", current.proposal_id == step.proposal_id),
                    ("kind", current.kind == step.kind),
                    ("author", current.author == step.author),
                ] {
                    if !same {
                        return Err(vec![ValidationError::new(field, Rule::Unchangeable)]);
                    }
                }
            }
        }
        let mut errors = step.validate(today).err().unwrap_or_default();
        let proposal_live = matches!(
            self.items.get(&step.proposal_id),
            Some(ProposalItem::Proposal(p)) if !p.is_deleted()
        );
        if !step.proposal_id.is_nil() && !proposal_live {
            errors.push(ValidationError::new("proposal_id", Rule::NotFound));
        } else if current.is_none()
            && let Err(rule) = self.progress(step.proposal_id).allows(step.kind)
        {
            errors.push(ValidationError::new("kind", rule));
        }
        no_errors(errors)
    }

    /// Writes every accepted record once, each at its position in the
    /// change stream.
    pub(super) async fn write(
        self,
        tx: &mut AnyConnection,
        stream: &mut super::ChangeStream,
        updated_by: &str,
    ) -> Result<(), sqlx::Error> {
        // The proposals whose life these writes may change.
        let mut lives: HashSet<Uuid> = HashSet::new();
        for id in &self.touched {
            match &self.items[id] {
                ProposalItem::Proposal(p) => lives.insert(p.id),
                ProposalItem::Step(s) => lives.insert(s.proposal_id.value),
            };
        }
        for id in super::last_touches(self.touched.clone()) {
            let change_seq = stream.next();
            match &self.items[&id] {
                ProposalItem::Proposal(r) => {
                    let v = r.proposal();
                    sqlx::query(
                        "INSERT INTO proposals (id, title, proposer, group_code, topic, street,
                            station_id, date, deleted, change_seq, updated_by, record)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                         ON CONFLICT (id) DO UPDATE SET title = $2, proposer = $3,
                            group_code = $4, topic = $5, street = $6, station_id = $7,
                            date = $8, deleted = $9, change_seq = $10, updated_by = $11,
                            record = $12",
                    )
                    .bind(v.id.to_string())
                    .bind(v.title)
                    .bind(v.proposer)
                    .bind(v.group)
                    .bind(v.topic)
                    .bind(v.street)
                    .bind(v.station_id)
                    .bind(v.date.to_string())
                    .bind(r.is_deleted())
                    .bind(change_seq)
                    .bind(updated_by)
                    .bind(json(r)?)
                    .execute(&mut *tx)
                    .await?;
                }
                ProposalItem::Step(r) => {
                    let v = r.step();
                    let proposer = match self.items.get(&v.proposal_id) {
                        Some(ProposalItem::Proposal(p)) => p.proposer.value.clone(),
                        // Checked on accepting the step: its proposal is held.
                        _ => {
                            return Err(sqlx::Error::Protocol(format!(
                                "step {id} of a proposal not held"
                            )));
                        }
                    };
                    sqlx::query(
                        "INSERT INTO proposal_steps (id, proposal_id, proposer, kind, author,
                            date, deleted, change_seq, updated_by, record)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                         ON CONFLICT (id) DO UPDATE SET proposal_id = $2, proposer = $3,
                            kind = $4, author = $5, date = $6, deleted = $7, change_seq = $8,
                            updated_by = $9, record = $10",
                    )
                    .bind(v.id.to_string())
                    .bind(v.proposal_id.to_string())
                    .bind(proposer)
                    .bind(v.kind.code())
                    .bind(v.author)
                    .bind(v.date.to_string())
                    .bind(r.is_deleted())
                    .bind(change_seq)
                    .bind(updated_by)
                    .bind(json(r)?)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        // Each proposal's life, as its steps now tell it, beside it.
        for proposal in lives {
            let progress = self.progress(proposal);
            sqlx::query(
                "UPDATE proposals SET state = $1, responsible = $2, due = $3,
                    first_measure = $4, satisfied = $5 WHERE id = $6",
            )
            .bind(progress.state.code())
            .bind(progress.responsible)
            .bind(progress.due.map(|d| d.to_string()))
            .bind(progress.first_measure.map(|d| d.to_string()))
            .bind(progress.satisfied.map(|yes| if yes { "yes" } else { "no" }))
            .bind(proposal.to_string())
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }
}

/// A proposal's life as kept beside it (see `ProposalPush::write`).
fn progress_of(row: &AnyRow) -> Result<Progress, sqlx::Error> {
    let date = |column: &str| -> Result<Option<NaiveDate>, sqlx::Error> {
        row.try_get::<Option<String>, _>(column)?
            .map(|text| super::parse_column(column, &text))
            .transpose()
    };
    let state: String = row.try_get("state")?;
    Ok(Progress {
        state: ProposalState::from_code(&state).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "state".into(),
            source: format!("no state {state:?}").into(),
        })?,
        responsible: row.try_get("responsible")?,
        due: date("due")?,
        first_measure: date("first_measure")?,
        satisfied: row
            .try_get::<Option<String>, _>("satisfied")?
            .map(|text| text == "yes"),
    })
}

fn row_of(row: &AnyRow, today: NaiveDate) -> Result<ProposalRow, sqlx::Error> {
    let ProposalItem::Proposal(record) = decode("proposal", row.try_get("record")?)? else {
        unreachable!("decoded as a proposal")
    };
    let progress = progress_of(row)?;
    Ok(ProposalRow {
        proposal: record.proposal(),
        overdue: progress.is_overdue(today),
        progress,
    })
}

/// The live proposals a filter matches (all states: the board counts
/// them before it keeps the filter's state), newest first.
fn matching(backend: Backend, filter: &ProposalFilter, columns: &str) -> Sql<'static> {
    let mut query = Sql::new(
        backend,
        format!("SELECT {columns} FROM proposals WHERE NOT deleted"),
    );
    if let Some(from) = filter.from {
        query.push(" AND date >= ").bind(from.to_string());
    }
    if let Some(to) = filter.to {
        query.push(" AND date <= ").bind(to.to_string());
    }
    if let Some(group) = &filter.group {
        query.push(" AND group_code = ").bind(group.clone());
    }
    if let Some(street) = &filter.street {
        query.push(" AND street = ").bind(street.clone());
    }
    query
}

impl super::Db {
    /// The admin's board: counts by state and overdue (whatever the
    /// filter's state), and the first rows in the filter's state, newest
    /// first.
    pub async fn proposal_board(
        &self,
        filter: &ProposalFilter,
        today: NaiveDate,
    ) -> Result<ProposalBoard, sqlx::Error> {
        let counts = self.proposal_counts(filter).await?;
        let mut overdue = matching(self.backend, filter, "COUNT(*) AS n");
        overdue
            .push(" AND state = 'taken_up' AND due < ")
            .bind(today.to_string());
        let overdue: i64 = overdue.fetch_one(&self.pool).await?.try_get("n")?;
        let mut rows = matching(
            self.backend,
            filter,
            "record, state, responsible, due, first_measure, satisfied",
        );
        if let Some(state) = filter.state {
            rows.push(" AND state = ").bind(state.code());
        }
        rows.push(" ORDER BY date DESC, id DESC LIMIT ")
            .bind(ProposalBoard::ROWS as i64);
        let rows = rows
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row_of(row, today))
            .collect::<Result<Vec<_>, _>>()?;
        let total = counts
            .iter()
            .filter(|c| filter.state.is_none_or(|state| state == c.state))
            .map(|c| c.count)
            .sum();
        Ok(ProposalBoard {
            counts,
            overdue: overdue as u64,
            total,
            rows,
        })
    }

    /// How many live proposals the filter matches in each state (its own
    /// state aside), every state listed.
    pub async fn proposal_counts(
        &self,
        filter: &ProposalFilter,
    ) -> Result<Vec<StateCount>, sqlx::Error> {
        let mut counts = matching(self.backend, filter, "state, COUNT(*) AS n");
        counts.push(" GROUP BY state");
        let counted: HashMap<String, i64> = counts
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get("state")?, row.try_get("n")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(ProposalState::ALL
            .into_iter()
            .map(|state| StateCount {
                state,
                count: counted.get(state.code()).copied().unwrap_or(0) as u64,
            })
            .collect())
    }

    /// One live proposal with its live steps, in the order taken.
    pub async fn proposal_detail(
        &self,
        id: Uuid,
        today: NaiveDate,
    ) -> Result<Option<ProposalDetail>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT record, state, responsible, due, first_measure, satisfied
             FROM proposals WHERE id = $1 AND NOT deleted",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let row = row_of(&row, today)?;
        let mut steps: Vec<ProposalStep> =
            sqlx::query("SELECT record FROM proposal_steps WHERE proposal_id = $1 AND NOT deleted")
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| match decode("step", row.try_get("record")?)? {
                    ProposalItem::Step(step) => Ok(step.step()),
                    ProposalItem::Proposal(_) => unreachable!("decoded as a step"),
                })
                .collect::<Result<_, sqlx::Error>>()?;
        steps.sort_by_key(|step| (step.date, step.id));
        Ok(Some(ProposalDetail { row, steps }))
    }

    /// The figures of the proposals submitted in the admin filter's date
    /// range and street: the same numbers whichever page or report asks.
    pub async fn proposal_figures(
        &self,
        filter: &tongxin_shared::admin::AdminFilter,
    ) -> Result<ProposalFigures, sqlx::Error> {
        let filter = ProposalFilter {
            from: filter.from,
            to: filter.to,
            street: filter.street.clone(),
            ..ProposalFilter::default()
        };
        let rows = matching(
            self.backend,
            &filter,
            "date, state, responsible, due, first_measure, satisfied",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let date: String = row.try_get("date")?;
            Ok((
                super::parse_column::<NaiveDate>("date", &date)?,
                progress_of(row)?,
            ))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(ProposalFigures::of(rows.iter().map(|(d, p)| (*d, p))))
    }

    /// The filtered proposals with their history, flattened for a
    /// spreadsheet: a row per step (a proposal with none has one row with
    /// its step cells empty), proposals newest first, steps in order.
    pub async fn export_proposals(
        &self,
        filter: &ProposalFilter,
        today: NaiveDate,
    ) -> Result<Vec<ProposalExportRow>, sqlx::Error> {
        let groups = self.proposal_groups().await?;
        let mut rows = matching(
            self.backend,
            filter,
            "id, record, state, responsible, due, first_measure, satisfied",
        );
        if let Some(state) = filter.state {
            rows.push(" AND state = ").bind(state.code());
        }
        rows.push(" ORDER BY date DESC, id DESC");
        let proposals = rows
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| row_of(row, today))
            .collect::<Result<Vec<_>, _>>()?;
        let mut steps: HashMap<Uuid, Vec<ProposalStep>> = HashMap::new();
        let ids: Vec<String> = proposals
            .iter()
            .map(|r| r.proposal.id.to_string())
            .collect();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let mut query = Sql::new(
                self.backend,
                "SELECT record FROM proposal_steps WHERE NOT deleted AND proposal_id IN ",
            );
            query.list(chunk.iter().cloned());
            for row in query.fetch_all(&self.pool).await? {
                if let ProposalItem::Step(step) = decode("step", row.try_get("record")?)? {
                    let step = step.step();
                    steps.entry(step.proposal_id).or_default().push(step);
                }
            }
        }
        let mut out = Vec::new();
        for row in proposals {
            let group = groups
                .iter()
                .find(|g| g.code == row.proposal.group)
                .map_or_else(|| row.proposal.group.clone(), |g| g.name_zh.clone());
            let mut history = steps.remove(&row.proposal.id).unwrap_or_default();
            history.sort_by_key(|step| (step.date, step.id));
            if history.is_empty() {
                out.push(ProposalExportRow {
                    row: row.clone(),
                    group,
                    step: None,
                });
                continue;
            }
            for step in history {
                out.push(ProposalExportRow {
                    row: row.clone(),
                    group: group.clone(),
                    step: Some(step),
                });
            }
        }
        Ok(out)
    }
}

/// One line of the proposals' export: a proposal and one step of its
/// history.
#[derive(Debug, Clone)]
pub struct ProposalExportRow {
    pub row: ProposalRow,
    /// The group's Chinese name.
    pub group: String,
    pub step: Option<ProposalStep>,
}
