//! The app's two languages. Every visible string is a key in the
//! catalogues `frontend/locales/zh.json` (the default) and `en.json`;
//! `build.rs` turns them into the `Locale` enum and checked keys, so a key
//! missing or misspelt is a build error, not a blank on a screen.
//!
//! Components read strings with `t!(i18n, key)` (follows a language switch
//! live) or `t_string!(i18n, key)`; code that builds messages for later
//! takes a [`Locale`] and uses `td_string!`. The choice is remembered in a
//! cookie; without one the app starts in Chinese, whatever the browser's
//! language.
//!
//! Dates and numbers are formatted by the browser's `Intl` for the locale.

// The generated code is a module named `i18n`, as the crate's macros expect.
#![allow(clippy::module_inception)]

use chrono::{Datelike, NaiveDate};
use tongxin_shared::{
    Category, CategoryInfo, StationKind, ValidationError,
    account::Role,
    error::Rule,
    proposal::{ProposalState, StepKind},
};

use crate::api::ApiError;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));
pub use self::i18n::*;

/// Chinese unless the user chose English on this device; the choice is
/// remembered for a year in a cookie, which both bundles read.
pub fn remembered_language() -> leptos_i18n::context::CookieOptions<Locale> {
    const YEAR_MS: i64 = 365 * 24 * 60 * 60 * 1000;
    leptos_i18n::context::CookieOptions::<Locale>::default()
        .default_value(Some(Locale::zh))
        .max_age(YEAR_MS)
        .path("/")
}

/// A date as the locale writes it: 2026年11月26日, 26 Nov 2026.
///
/// Written here rather than by the browser's `Intl.DateTimeFormat`: the
/// first formatter a page makes loads the browser's locale data, one task
/// of 56–94 ms on the test machine (measured), and two fixed patterns need
/// none of it.
pub fn date(locale: Locale, date: NaiveDate) -> String {
    // English as Britain writes it (en-GB, as the office's figures are).
    match locale {
        Locale::zh => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
        Locale::en => format!("{} {} {}", date.day(), date.format("%b"), date.year()),
    }
}

/// Money as both languages write it: ¥1,234.56.
pub fn yuan(fen: u64) -> String {
    format!("¥{}", tongxin_shared::livestream::format_yuan(fen))
}

/// A count with the digit grouping both languages use: 12,800.
pub fn number(n: u64) -> String {
    tongxin_shared::livestream::group_digits(n)
}

pub fn role(locale: Locale, role: Role) -> &'static str {
    match role {
        Role::Volunteer => td_string!(locale, role_volunteer),
        Role::Organiser => td_string!(locale, role_organiser),
        Role::Admin => td_string!(locale, role_admin),
    }
}

pub fn station_kind(locale: Locale, kind: StationKind) -> &'static str {
    match kind {
        StationKind::EducationRoute => td_string!(locale, kind_education_route),
        StationKind::NewClassBase => td_string!(locale, kind_new_class_base),
        StationKind::PartyMembersHome => td_string!(locale, kind_party_members_home),
        StationKind::LiaisonStation => td_string!(locale, kind_liaison_station),
        StationKind::SpecialWorkstation => td_string!(locale, kind_special_workstation),
    }
}

/// A category's name in the locale's language, from `categories` (the
/// list the device or the report holds); its code if the list lacks it.
pub fn category(locale: Locale, categories: &[CategoryInfo], code: &Category) -> String {
    categories.iter().find(|c| &c.code == code).map_or_else(
        || code.code().to_owned(),
        |c| c.name(locale == Locale::en).to_owned(),
    )
}

/// 第N期 / Session N: how the room names its sessions.
pub fn session_name(locale: Locale, number: u32) -> String {
    td_string!(locale, session_name, number).to_string()
}

/// The confirmation before logging out with unsynced records.
pub fn logout_with_pending(locale: Locale, pending: u32) -> String {
    td_string!(locale, logout_with_pending, pending).to_string()
}

/// Why a login was refused because someone else's records are unsynced.
pub fn other_users_records(locale: Locale, owner: &str, pending: usize) -> String {
    td_string!(locale, other_users_records, owner, pending).to_string()
}

/// Why a page a role does not use shows no forms.
pub fn not_for_your_role(locale: Locale, role: Role) -> String {
    let role = self::role(locale, role);
    td_string!(locale, not_for_your_role, role).to_string()
}

/// How many of the unsynced records the server refused.
pub fn rejected_count(locale: Locale, count: u32) -> String {
    td_string!(locale, rejected_count, count).to_string()
}

/// Photos taken here whose bytes wait to be sent.
pub fn photos_waiting(locale: Locale, count: u32) -> String {
    td_string!(locale, photos_waiting, count).to_string()
}

/// What the app keeps on this device, in MB, one decimal.
pub fn storage_used(locale: Locale, mb: f64) -> String {
    let mb = format!("{mb:.1}");
    td_string!(locale, storage_used, mb).to_string()
}

/// A long search under way: how many records it has checked.
pub fn searching(locale: Locale, count: u64) -> String {
    td_string!(locale, searching, count = number(count)).to_string()
}

/// The same, short enough for the one-line status bar.
pub fn rejected_short(locale: Locale, count: u32) -> String {
    td_string!(locale, rejected_short, count).to_string()
}

/// Where a proposal is in its life.
pub fn proposal_state(locale: Locale, state: ProposalState) -> &'static str {
    match state {
        ProposalState::Submitted => td_string!(locale, state_submitted),
        ProposalState::TakenUp => td_string!(locale, state_taken_up),
        ProposalState::InProgress => td_string!(locale, state_in_progress),
        ProposalState::FeedbackGiven => td_string!(locale, state_feedback_given),
        ProposalState::Closed => td_string!(locale, state_closed),
        ProposalState::Declined => td_string!(locale, state_declined),
    }
}

/// A step of a proposal's life.
pub fn step_kind(locale: Locale, kind: StepKind) -> &'static str {
    match kind {
        StepKind::TakenUp => td_string!(locale, step_taken_up),
        StepKind::Measure => td_string!(locale, step_measure),
        StepKind::Feedback => td_string!(locale, step_feedback),
        StepKind::Closed => td_string!(locale, step_closed),
        StepKind::Declined => td_string!(locale, step_declined),
    }
}

/// A proposal taken up and past the due date of its first measure.
pub fn overdue(locale: Locale) -> &'static str {
    td_string!(locale, overdue)
}

/// Who is responsible for a proposal, and by when.
pub fn responsible_due(locale: Locale, who: &str, due: Option<NaiveDate>) -> String {
    let due = due.map(|d| date(locale, d)).unwrap_or_default();
    td_string!(locale, responsible_due, who, due).to_string()
}

/// How many of the board's rows are listed, of how many the filter
/// matches.
pub fn proposals_shown(locale: Locale, shown: u64, total: u64) -> String {
    td_string!(
        locale,
        proposals_shown,
        shown = number(shown),
        total = number(total)
    )
    .to_string()
}

/// Whether the proposer was satisfied with what came of it.
pub fn satisfaction(locale: Locale, satisfied: bool) -> &'static str {
    match satisfied {
        true => td_string!(locale, satisfied),
        false => td_string!(locale, not_satisfied),
    }
}

/// A broken rule in words, next to the input it is about.
pub fn rule_message(locale: Locale, error: &ValidationError) -> String {
    let field = field_name(locale, &error.field);
    let choose = matches!(
        error.field.as_str(),
        "station_id"
            | "category"
            | "region_id"
            | "product_id"
            | "session_id"
            | "stations"
            | "group"
            | "street"
            | "satisfied"
    );
    match &error.rule {
        Rule::Required if choose => td_string!(locale, rule_choose, field).to_string(),
        Rule::Required => td_string!(locale, rule_required, field).to_string(),
        Rule::TooLong { max } => td_string!(locale, rule_too_long, field, max).to_string(),
        Rule::TooShort { min } => td_string!(locale, rule_too_short, field, min).to_string(),
        Rule::AtMost { max } => td_string!(locale, rule_at_most, field, max).to_string(),
        Rule::AtLeast { min } => td_string!(locale, rule_at_least, field, min).to_string(),
        Rule::AtMostYuan { max } => td_string!(locale, rule_at_most_yuan, field, max).to_string(),
        Rule::NotMoney => td_string!(locale, rule_not_money).to_owned(),
        Rule::NotANumber => td_string!(locale, rule_not_a_number).to_owned(),
        Rule::InTheFuture => td_string!(locale, rule_in_the_future).to_owned(),
        Rule::TooFarAhead { days } => td_string!(locale, rule_too_far_ahead, days).to_string(),
        Rule::BeforeYear2000 => td_string!(locale, rule_before_year_2000).to_owned(),
        Rule::UnknownStation => td_string!(locale, rule_unknown_station).to_owned(),
        Rule::UnknownCategory => td_string!(locale, rule_unknown_category).to_owned(),
        Rule::NotYourStation => td_string!(locale, rule_not_your_station).to_owned(),
        Rule::EndBeforeStart => td_string!(locale, rule_end_before_start).to_owned(),
        Rule::NoSpaces => td_string!(locale, rule_no_spaces, field).to_string(),
        Rule::IdCharacters => td_string!(locale, rule_id_characters, field).to_string(),
        // What the office names in a path (an account, a station, a
        // category) is not something a sync would bring.
        Rule::NotFound if matches!(error.field.as_str(), "username" | "id" | "code") => {
            td_string!(locale, rule_no_such, field).to_string()
        }
        Rule::NotFound => td_string!(locale, rule_not_found, field).to_string(),
        Rule::ControlCharacters => td_string!(locale, rule_control_characters, field).to_string(),
        Rule::ClockAhead => td_string!(locale, rule_clock_ahead).to_owned(),
        Rule::NotYourRole => td_string!(locale, rule_not_your_role).to_owned(),
        Rule::InvalidSeq => td_string!(locale, rule_invalid_seq).to_owned(),
        Rule::WeakPassword => td_string!(locale, rule_weak_password).to_owned(),
        Rule::MixedScripts => td_string!(locale, rule_mixed_scripts, field).to_string(),
        Rule::AlreadyExists => td_string!(locale, rule_already_exists, field).to_string(),
        Rule::WrongCredentials => td_string!(locale, wrong_credentials).to_owned(),
        Rule::SessionExpired => td_string!(locale, refused_unauthorized).to_owned(),
        Rule::NotAllowed => td_string!(locale, refused_forbidden).to_owned(),
        Rule::OwnAccount => td_string!(locale, rule_own_account).to_owned(),
        Rule::TryLater { seconds } => td_string!(locale, rule_try_later, seconds).to_string(),
        Rule::UnsupportedProtocol => td_string!(locale, please_update).to_owned(),
        Rule::Unchangeable => td_string!(locale, rule_unchangeable, field).to_string(),
        Rule::UnknownGroup => td_string!(locale, rule_unknown_group).to_owned(),
        Rule::UnknownStreet => td_string!(locale, rule_unknown_street).to_owned(),
        Rule::NotNow { state } => {
            let state = ProposalState::from_code(state)
                .map_or_else(|| state.clone(), |s| proposal_state(locale, s).to_owned());
            td_string!(locale, rule_not_now, state).to_string()
        }
        Rule::NotAPhoto => td_string!(locale, rule_not_a_photo).to_owned(),
        Rule::HashMismatch => td_string!(locale, rule_hash_mismatch).to_owned(),
        Rule::TooLarge { max_kb } => td_string!(locale, rule_too_large, field, max_kb).to_string(),
        // The server's own words: rules it has and this app does not know.
        Rule::Other => error.message.clone(),
    }
}

/// A failed request in the user's language, never in the server's
/// English: each rule the server named, worded as [`rule_message`] does;
/// without one (an older server, an answer from below the handlers), what
/// the status means; offline, the words the status bar uses. For the
/// refusals of a form, show the rules next to their fields instead.
pub fn api_error_message(locale: Locale, error: &ApiError) -> String {
    let (status, errors) = match error {
        ApiError::Offline(_) => return td_string!(locale, sync_offline).to_owned(),
        ApiError::Server { status, errors, .. } => (*status, errors),
    };
    let words: Vec<String> = errors
        .iter()
        .filter(|e| e.rule != Rule::Other)
        .map(|e| rule_message(locale, e))
        .collect();
    if !words.is_empty() {
        let separator = match locale {
            Locale::zh => "；",
            Locale::en => "; ",
        };
        return words.join(separator);
    }
    status_message(locale, status)
}

/// What a refusal's HTTP status means, when the server named no rule.
pub fn status_message(locale: Locale, status: u16) -> String {
    match status {
        401 => td_string!(locale, refused_unauthorized).to_owned(),
        403 => td_string!(locale, refused_forbidden).to_owned(),
        404 => td_string!(locale, refused_not_found).to_owned(),
        409 => td_string!(locale, refused_conflict).to_owned(),
        413 => td_string!(locale, refused_too_large).to_owned(),
        429 => td_string!(locale, refused_try_later).to_owned(),
        _ => td_string!(locale, refused_other, status).to_string(),
    }
}

fn field_name(locale: Locale, field: &str) -> String {
    let name = match field {
        "title" => td_string!(locale, title),
        "station_id" => td_string!(locale, station),
        "category" => td_string!(locale, category),
        "date" => td_string!(locale, date),
        "volunteers" => td_string!(locale, volunteers),
        "people_served" => td_string!(locale, people_served),
        "notes" => td_string!(locale, notes),
        "time" => td_string!(locale, time),
        "organising_group" => td_string!(locale, organising_group),
        "username" => td_string!(locale, username),
        "password" => td_string!(locale, password),
        "number" => td_string!(locale, session_number),
        "platform" => td_string!(locale, platform),
        "host" => td_string!(locale, session_host),
        "partners" => td_string!(locale, session_partners),
        "viewers" => td_string!(locale, viewers),
        "name" => td_string!(locale, field_name),
        "province" => td_string!(locale, province),
        "unit" => td_string!(locale, unit),
        "price_fen" => td_string!(locale, field_price),
        "region_id" => td_string!(locale, region),
        "product_id" => td_string!(locale, product),
        "session_id" => td_string!(locale, field_session),
        "units" => td_string!(locale, units),
        "orders" => td_string!(locale, orders),
        "amount_fen" => td_string!(locale, amount),
        "display_name" => td_string!(locale, display_name),
        "stations" => td_string!(locale, stations_assigned),
        "id" => td_string!(locale, station_id),
        "code" => td_string!(locale, category_code),
        "group_code" => td_string!(locale, group_code),
        "name_zh" => td_string!(locale, category_name_zh),
        "name_en" => td_string!(locale, category_name_en),
        "street" => td_string!(locale, street),
        "community" => td_string!(locale, community),
        "body" => td_string!(locale, proposal_body),
        "group" => td_string!(locale, proposal_group),
        "topic" => td_string!(locale, proposal_topic),
        "responsible" => td_string!(locale, responsible),
        "due" => td_string!(locale, due),
        "satisfied" => td_string!(locale, satisfaction),
        "text" => td_string!(locale, step_text),
        "kind" => td_string!(locale, step_kind),
        "proposer" => td_string!(locale, proposer),
        "photos" | "bytes" | "chunk" | "hash" => td_string!(locale, photos_label),
        other => return other.to_owned(),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_each_language_writes_them() {
        let day = NaiveDate::from_ymd_opt(2026, 9, 5).expect("a date");
        assert_eq!(date(Locale::zh, day), "2026年9月5日");
        assert_eq!(date(Locale::en, day), "5 Sep 2026");
        assert_eq!(number(1_234_567), "1,234,567");
    }
}
