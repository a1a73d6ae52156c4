//! Proposals (建言献策) and what became of them: "有建言、有举措、有反馈".
//!
//! A member submits a proposal (建言); an admin takes it up, naming who is
//! responsible and by when; measures (举措) are recorded as dated entries,
//! any number of them; then feedback (反馈) on what came of it and whether
//! the proposer is satisfied; then it is closed. Or it is declined, with a
//! reason.
//!
//! The life of a proposal is not a field of it but a history: every step
//! is a record of its own ([`ProposalStep`]), with who took it and when,
//! and the proposal's state is read from its steps ([`Progress::of`]). So
//! two admins recording measures offline on one proposal both keep theirs
//! (two new records, nothing to merge), and the history is never rewritten
//! by a later step. Both kinds sync like every other record: stamped
//! fields, the same merge, the same idempotent push.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors, optional_text, past_date, required_text},
    merge::{Lww, record_kinds, stamped_record},
};

/// A proposal as its proposer wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub title: String,
    /// The proposal itself; may be long.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10_000))]
    pub body: String,
    /// The user name of who submitted it: the server takes it from the
    /// session, never from the device.
    pub proposer: String,
    /// The code of the group it comes from (民革, 民建, 新联会 …), from the
    /// list admins keep ([`GroupInfo`]).
    pub group: String,
    /// What it is about (养老, 交通, 营商环境 …), as written.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub topic: String,
    /// The street it concerns, one of the district's.
    pub street: String,
    /// The station it concerns, if one.
    #[serde(default)]
    pub station_id: Option<String>,
    pub date: NaiveDate,
}

impl Proposal {
    pub const TITLE_MAX_CHARS: usize = 100;
    pub const BODY_MAX_CHARS: usize = 10_000;
    pub const TOPIC_MAX_CHARS: usize = 50;

    /// The rules of the record itself; the server also checks the group,
    /// the street, the station and the proposer against what it holds.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        required_text(&mut errors, "title", &self.title, Self::TITLE_MAX_CHARS);
        required_text(&mut errors, "body", &self.body, Self::BODY_MAX_CHARS);
        if self.group.trim().is_empty() {
            errors.push(ValidationError::new("group", Rule::Required));
        }
        required_text(&mut errors, "topic", &self.topic, Self::TOPIC_MAX_CHARS);
        if self.street.trim().is_empty() {
            errors.push(ValidationError::new("street", Rule::Required));
        }
        past_date(&mut errors, "date", self.date, today);
        no_errors(errors)
    }
}

/// What a step of a proposal's life does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Taken up (受理): who is responsible, and by when. Taken up again,
    /// it is reassigned.
    TakenUp,
    /// A measure taken on it (举措).
    Measure,
    /// What came of it, and whether the proposer is satisfied (反馈).
    Feedback,
    /// Closed (办结), after feedback.
    Closed,
    /// Declined (不予采纳), with a reason.
    Declined,
}

impl StepKind {
    pub const ALL: [StepKind; 5] = [
        StepKind::TakenUp,
        StepKind::Measure,
        StepKind::Feedback,
        StepKind::Closed,
        StepKind::Declined,
    ];

    /// Its name on the wire and in the database.
    pub fn code(self) -> &'static str {
        match self {
            StepKind::TakenUp => "taken_up",
            StepKind::Measure => "measure",
            StepKind::Feedback => "feedback",
            StepKind::Closed => "closed",
            StepKind::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

/// One step of a proposal's life, by an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalStep {
    pub id: Uuid,
    pub proposal_id: Uuid,
    pub kind: StepKind,
    /// The measure, the feedback, the reason for declining; a note when
    /// taking up or closing.
    #[cfg_attr(feature = "openapi", schema(max_length = 2_000))]
    pub text: String,
    /// Taken up: the department or person responsible.
    #[serde(default)]
    pub responsible: String,
    /// Taken up: the date by which a first measure is due.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// Feedback: whether the proposer is satisfied.
    #[serde(default)]
    pub satisfied: Option<bool>,
    /// The user name of who took the step: the server's, like a
    /// proposal's proposer.
    pub author: String,
    /// When the step was taken.
    pub date: NaiveDate,
}

impl ProposalStep {
    pub const TEXT_MAX_CHARS: usize = 2_000;
    pub const RESPONSIBLE_MAX_CHARS: usize = 50;

    /// The rules of the step itself: what each kind must say.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        if self.proposal_id.is_nil() {
            errors.push(ValidationError::new("proposal_id", Rule::Required));
        }
        match self.kind {
            StepKind::Measure | StepKind::Feedback | StepKind::Declined => {
                required_text(&mut errors, "text", &self.text, Self::TEXT_MAX_CHARS)
            }
            StepKind::TakenUp | StepKind::Closed => {
                optional_text(&mut errors, "text", &self.text, Self::TEXT_MAX_CHARS)
            }
        }
        if self.kind == StepKind::TakenUp {
            required_text(
                &mut errors,
                "responsible",
                &self.responsible,
                Self::RESPONSIBLE_MAX_CHARS,
            );
            match self.due {
                None => errors.push(ValidationError::new("due", Rule::Required)),
                Some(due) if due < self.date => {
                    errors.push(ValidationError::new("due", Rule::EndBeforeStart))
                }
                Some(_) => {}
            }
        }
        if self.kind == StepKind::Feedback && self.satisfied.is_none() {
            errors.push(ValidationError::new("satisfied", Rule::Required));
        }
        past_date(&mut errors, "date", self.date, today);
        no_errors(errors)
    }
}

/// Where a proposal is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    /// 已提交: waiting to be taken up.
    Submitted,
    /// 已受理: someone is responsible; no measure yet.
    TakenUp,
    /// 落实中: measures recorded.
    InProgress,
    /// 已反馈: feedback given.
    FeedbackGiven,
    /// 已办结.
    Closed,
    /// 不予采纳.
    Declined,
}

impl ProposalState {
    pub const ALL: [ProposalState; 6] = [
        ProposalState::Submitted,
        ProposalState::TakenUp,
        ProposalState::InProgress,
        ProposalState::FeedbackGiven,
        ProposalState::Closed,
        ProposalState::Declined,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ProposalState::Submitted => "submitted",
            ProposalState::TakenUp => "taken_up",
            ProposalState::InProgress => "in_progress",
            ProposalState::FeedbackGiven => "feedback_given",
            ProposalState::Closed => "closed",
            ProposalState::Declined => "declined",
        }
    }

    pub fn from_code(code: &str) -> Option<ProposalState> {
        ProposalState::ALL
            .into_iter()
            .find(|state| state.code() == code)
    }

    /// Closed or declined: no step may follow.
    pub fn is_final(self) -> bool {
        matches!(self, ProposalState::Closed | ProposalState::Declined)
    }
}

/// A proposal's life as its steps tell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub state: ProposalState,
    /// Who is responsible, from the latest taking up.
    pub responsible: Option<String>,
    pub due: Option<NaiveDate>,
    /// The date of the first measure.
    pub first_measure: Option<NaiveDate>,
    /// From the latest feedback.
    pub satisfied: Option<bool>,
}

impl Progress {
    /// Reads the state from the live steps of one proposal, in any order:
    /// a decline or a close is final; else the furthest step reached.
    /// The latest taking up (by date, then id) names who is responsible.
    pub fn of<'a>(steps: impl IntoIterator<Item = &'a ProposalStep>) -> Progress {
        let mut steps: Vec<&ProposalStep> = steps.into_iter().collect();
        steps.sort_by_key(|step| (step.date, step.id));
        let has = |kind: StepKind| steps.iter().any(|step| step.kind == kind);
        let state = if has(StepKind::Declined) {
            ProposalState::Declined
        } else if has(StepKind::Closed) {
            ProposalState::Closed
        } else if has(StepKind::Feedback) {
            ProposalState::FeedbackGiven
        } else if has(StepKind::Measure) {
            ProposalState::InProgress
        } else if has(StepKind::TakenUp) {
            ProposalState::TakenUp
        } else {
            ProposalState::Submitted
        };
        let taken_up = steps.iter().rev().find(|s| s.kind == StepKind::TakenUp);
        Progress {
            state,
            responsible: taken_up.map(|step| step.responsible.clone()),
            due: taken_up.and_then(|step| step.due),
            first_measure: steps
                .iter()
                .find(|s| s.kind == StepKind::Measure)
                .map(|step| step.date),
            satisfied: steps
                .iter()
                .rev()
                .find(|s| s.kind == StepKind::Feedback)
                .and_then(|step| step.satisfied),
        }
    }

    /// Past its due date with no measure yet.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state == ProposalState::TakenUp && self.due.is_some_and(|due| due < today)
    }

    /// Whether a new step of `kind` may follow: nothing after a close or
    /// a decline; a measure or feedback only once taken up; a close only
    /// after feedback.
    pub fn allows(&self, kind: StepKind) -> Result<(), Rule> {
        let state = self.state;
        let allowed = match kind {
            _ if state.is_final() => false,
            StepKind::TakenUp | StepKind::Declined => true,
            StepKind::Measure | StepKind::Feedback => state != ProposalState::Submitted,
            StepKind::Closed => state == ProposalState::FeedbackGiven,
        };
        match allowed {
            true => Ok(()),
            false => Err(Rule::NotNow {
                state: state.code().to_owned(),
            }),
        }
    }
}

/// A group proposals come from (民革, 民建, 新联会 …): a list admins keep,
/// like the categories. Never deleted, only retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupInfo {
    pub code: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub name_zh: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 30))]
    pub name_en: String,
    #[serde(default)]
    pub retired: bool,
}

impl GroupInfo {
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        crate::activity::named_code_rules(&self.code, &self.name_zh, &self.name_en)
    }

    /// The name to show in a language: English or Chinese.
    pub fn name(&self, english: bool) -> &str {
        if english {
            &self.name_en
        } else {
            &self.name_zh
        }
    }
}

/// What the admin's board of proposals shows: those submitted in a date
/// range (a year, say), of a group, in a state, about a street.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ProposalFilter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ProposalState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
}

impl ProposalFilter {
    pub fn validate(&self) -> Result<(), ValidationError> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => {
                Err(ValidationError::new("to", Rule::EndBeforeStart))
            }
            _ => Ok(()),
        }
    }

    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(from) = self.from {
            parts.push(format!("from={from}"));
        }
        if let Some(to) = self.to {
            parts.push(format!("to={to}"));
        }
        if let Some(group) = &self.group {
            parts.push(format!("group={}", crate::admin::percent_encode(group)));
        }
        if let Some(state) = self.state {
            parts.push(format!("state={}", state.code()));
        }
        if let Some(street) = &self.street {
            parts.push(format!("street={}", crate::admin::percent_encode(street)));
        }
        parts.join("&")
    }
}

/// A proposal with where it has got, as the board lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalRow {
    pub proposal: Proposal,
    pub progress: Progress,
    /// Taken up, past due, and no measure yet.
    pub overdue: bool,
}

/// How many proposals are in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StateCount {
    pub state: ProposalState,
    pub count: u64,
}

/// The admin's board: counts by state (of every state, whatever the
/// filter's state), the overdue, and the rows, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalBoard {
    pub counts: Vec<StateCount>,
    pub overdue: u64,
    /// How many rows the filter matches; `rows` holds the first
    /// [`ProposalBoard::ROWS`].
    pub total: u64,
    pub rows: Vec<ProposalRow>,
}

impl ProposalBoard {
    pub const ROWS: usize = 500;
}

/// One proposal with its whole history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDetail {
    pub row: ProposalRow,
    /// Every live step, in the order taken.
    pub steps: Vec<ProposalStep>,
}

/// The proposals' headline figures for a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalFigures {
    pub submitted: u64,
    /// Taken up at some point (declined ones not).
    pub taken_up: u64,
    pub with_feedback: u64,
    pub closed: u64,
    pub declined: u64,
    /// The median of the days from submission to the first measure, over
    /// those with one.
    pub median_days_to_first_measure: Option<f64>,
}

impl ProposalFigures {
    /// Counts `progress` of proposals submitted on the dates given.
    pub fn of<'a>(rows: impl IntoIterator<Item = (NaiveDate, &'a Progress)>) -> ProposalFigures {
        let mut figures = ProposalFigures::default();
        let mut days = Vec::new();
        for (date, progress) in rows {
            figures.submitted += 1;
            match progress.state {
                ProposalState::Submitted => {}
                ProposalState::Declined => figures.declined += 1,
                ProposalState::TakenUp | ProposalState::InProgress => figures.taken_up += 1,
                ProposalState::FeedbackGiven => {
                    figures.taken_up += 1;
                    figures.with_feedback += 1;
                }
                ProposalState::Closed => {
                    figures.taken_up += 1;
                    figures.with_feedback += 1;
                    figures.closed += 1;
                }
            }
            if let Some(first) = progress.first_measure {
                days.push((first - date).num_days() as f64);
            }
        }
        days.sort_by(f64::total_cmp);
        figures.median_days_to_first_measure = match days.len() {
            0 => None,
            n if n % 2 == 1 => Some(days[n / 2]),
            n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
        };
        figures
    }
}

stamped_record! {
    /// A proposal as replicas hold and exchange it.
    pub struct ProposalRecord of Proposal, read by proposal, sent as ProposalWire {
        title: String,
        body: String,
        proposer: String,
        group: String,
        topic: String,
        street: String,
        station_id: Option<String>,
        date: NaiveDate,
    }
}

stamped_record! {
    /// A step of a proposal as replicas hold and exchange it.
    pub struct StepRecord of ProposalStep, read by step, sent as StepWire {
        proposal_id: Uuid,
        kind: StepKind,
        text: String,
        responsible: String,
        due: Option<NaiveDate>,
        satisfied: Option<bool>,
        author: String,
        date: NaiveDate,
    }
}

record_kinds! {
    /// A proposal or a step of one, as pushed, pulled and kept on the
    /// device.
    pub enum ProposalItem sent as ProposalItemWire {
        Proposal(ProposalRecord, ProposalWire) as "proposal",
        Step(StepRecord, StepWire) as "step",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{hlc::HlcClock, merge::StampedRecord, wire::Wired};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn step(kind: StepKind, date: u32) -> ProposalStep {
        ProposalStep {
            id: Uuid::now_v7(),
            proposal_id: Uuid::from_u128(1),
            kind,
            text: "落实".into(),
            responsible: "区民政局".into(),
            due: Some(day(20)),
            satisfied: Some(true),
            author: "admin".into(),
            date: day(date),
        }
    }

    #[test]
    fn the_state_is_read_from_the_steps_in_any_order() {
        assert_eq!(Progress::of([]).state, ProposalState::Submitted);
        let taken = step(StepKind::TakenUp, 2);
        let measure = step(StepKind::Measure, 5);
        let feedback = step(StepKind::Feedback, 9);
        let closed = step(StepKind::Closed, 10);
        let progress = Progress::of([&feedback, &taken, &measure]);
        assert_eq!(progress.state, ProposalState::FeedbackGiven);
        assert_eq!(progress.first_measure, Some(day(5)));
        assert_eq!(progress.responsible.as_deref(), Some("区民政局"));
        assert_eq!(
            Progress::of([&closed, &measure, &feedback, &taken]).state,
            ProposalState::Closed
        );
        let declined = step(StepKind::Declined, 3);
        assert_eq!(
            Progress::of([&taken, &declined]).state,
            ProposalState::Declined
        );
    }

    #[test]
    fn a_reassignment_names_the_latest_responsible_and_overdue_needs_no_measure() {
        let first = step(StepKind::TakenUp, 2);
        let mut second = step(StepKind::TakenUp, 4);
        second.responsible = "街道办".into();
        second.due = Some(day(10));
        let progress = Progress::of([&second, &first]);
        assert_eq!(progress.responsible.as_deref(), Some("街道办"));
        assert!(progress.is_overdue(day(11)));
        assert!(!progress.is_overdue(day(10)));
        let measure = step(StepKind::Measure, 12);
        assert!(!Progress::of([&first, &second, &measure]).is_overdue(day(30)));
    }

    #[test]
    fn a_step_may_follow_only_where_the_life_allows_it() {
        let submitted = Progress::of([]);
        assert!(submitted.allows(StepKind::TakenUp).is_ok());
        assert!(submitted.allows(StepKind::Declined).is_ok());
        assert_eq!(
            submitted.allows(StepKind::Measure),
            Err(Rule::NotNow {
                state: "submitted".into()
            })
        );
        let taken = step(StepKind::TakenUp, 2);
        assert!(Progress::of([&taken]).allows(StepKind::Measure).is_ok());
        assert!(Progress::of([&taken]).allows(StepKind::Closed).is_err());
        let feedback = step(StepKind::Feedback, 3);
        assert!(
            Progress::of([&taken, &feedback])
                .allows(StepKind::Closed)
                .is_ok()
        );
        let closed = step(StepKind::Closed, 4);
        for kind in StepKind::ALL {
            assert!(
                Progress::of([&taken, &feedback, &closed])
                    .allows(kind)
                    .is_err()
            );
        }
    }

    #[test]
    fn the_figures_count_each_proposal_once_and_take_the_median_of_days() {
        let closed = Progress {
            state: ProposalState::Closed,
            responsible: None,
            due: None,
            first_measure: Some(day(11)),
            satisfied: Some(true),
        };
        let in_progress = Progress {
            state: ProposalState::InProgress,
            first_measure: Some(day(5)),
            ..closed.clone()
        };
        let submitted = Progress::of([]);
        let declined = Progress {
            state: ProposalState::Declined,
            first_measure: None,
            ..closed.clone()
        };
        let figures = ProposalFigures::of([
            (day(1), &closed),
            (day(2), &in_progress),
            (day(3), &submitted),
            (day(4), &declined),
        ]);
        assert_eq!(
            (
                figures.submitted,
                figures.taken_up,
                figures.with_feedback,
                figures.closed,
                figures.declined
            ),
            (4, 2, 1, 1, 1)
        );
        // 10 days and 3 days: the median of two is their mean.
        assert_eq!(figures.median_days_to_first_measure, Some(6.5));
        assert_eq!(ProposalFigures::of([]).median_days_to_first_measure, None);
    }

    #[test]
    fn each_kind_of_step_names_what_it_lacks() {
        let fields = |step: ProposalStep| -> Vec<String> {
            step.validate(day(27))
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        let mut taken = step(StepKind::TakenUp, 2);
        taken.responsible = " ".into();
        taken.due = Some(day(1));
        assert_eq!(fields(taken), ["responsible", "due"]);
        let mut measure = step(StepKind::Measure, 2);
        measure.text = String::new();
        assert_eq!(fields(measure), ["text"]);
        let mut feedback = step(StepKind::Feedback, 29);
        feedback.satisfied = None;
        assert_eq!(fields(feedback), ["satisfied", "date"]);
        let mut closed = step(StepKind::Closed, 2);
        closed.text = String::new();
        assert_eq!(fields(closed), Vec::<String>::new());
    }

    #[test]
    fn a_proposal_names_what_it_lacks_and_travels_tagged() {
        let proposal = Proposal {
            id: Uuid::from_u128(5),
            title: " ".into(),
            body: "建议在社区增设助老食堂。".repeat(3),
            proposer: "li".into(),
            group: String::new(),
            topic: "养老".into(),
            street: "先锋街道".into(),
            station_id: None,
            date: day(20),
        };
        let fields: Vec<String> = proposal
            .validate(day(27))
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "group"]);
        let mut clock = HlcClock::new(Uuid::from_u128(9));
        let item = ProposalItem::Proposal(ProposalRecord::new(&proposal, clock.stamp(1_000)));
        let json = serde_json::to_value(item.to_wire()).unwrap();
        assert_eq!(json["kind"], "proposal");
        assert_eq!(json["record"]["topic"], "养老");
        let back = ProposalItem::from_wire(serde_json::from_value(json).unwrap()).unwrap();
        assert_eq!(back, item);
        assert_eq!(back.id(), proposal.id);
    }
}
