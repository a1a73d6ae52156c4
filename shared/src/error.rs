//! Validation errors, shared so the app shows exactly what the server says.

use serde::{Deserialize, Serialize};

/// Which rule a value broke. The app words it in the user's language; the
/// server's API and logs use [`ValidationError::message`], in English.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Rule {
    /// Nothing was given.
    Required,
    /// Longer than `max` characters.
    TooLong { max: u32 },
    /// Shorter than `min` characters.
    TooShort { min: u32 },
    /// A count above its bound.
    AtMost { max: u32 },
    /// A count below its bound.
    AtLeast { min: u32 },
    /// An amount of money above its bound, in yuan as shown ("1,000.00").
    AtMostYuan { max: String },
    /// Not an amount of yuan with at most two decimals.
    NotMoney,
    /// Not a whole number of 0 or more.
    NotANumber,
    /// A date after tomorrow (`Activity::MAX_DAYS_AHEAD`: tomorrow is let
    /// through because a date just past midnight somewhere is fine). The
    /// words say "tomorrow", as the rule does.
    InTheFuture,
    /// A date more than `days` days ahead: a typo.
    TooFarAhead { days: u32 },
    /// A date before 2000: a typo.
    BeforeYear2000,
    /// A station the server does not know.
    UnknownStation,
    /// A category the server's list does not have.
    UnknownCategory,
    /// A record (a session, product or region) the server does not know.
    NotFound,
    /// A station the user does not record for.
    NotYourStation,
    /// A date range that ends before it starts.
    EndBeforeStart,
    /// Spaces or control characters where none may be.
    NoSpaces,
    /// Anything but ASCII letters, digits and `-` in an identifier.
    IdCharacters,
    /// Control, invisible format or non-characters in text (a NUL, a
    /// zero-width space, a bidi override): what no keyboard types, or what
    /// hides what the text says. Tabs and line breaks are fine. See
    /// [`is_plain_text`].
    ControlCharacters,
    /// A change stamped further ahead of the server's clock than
    /// [`crate::sync::MAX_STAMP_AHEAD_MS`]: the device's clock runs fast.
    /// The app moves its stamps back and sends the change again; the user
    /// never sees this one.
    ClockAhead,
    /// The user's role does not write this kind of record (a volunteer and
    /// a livestream record, an organiser and an activity).
    NotYourRole,
    /// A mutation's sequence number is 0, beyond 2^63 - 1, or used twice in
    /// one push.
    InvalidSeq,
    /// A user name mixing the letters of two scripts (a Cyrillic а among
    /// Latin letters): a look-alike of another name.
    MixedScripts,
    /// A password among the commonest, or the user name itself: the first
    /// guesses anyone tries.
    WeakPassword,
    /// A thing to create exists already (a user name taken, a station id
    /// or category code in use): the 409 answers.
    AlreadyExists,
    /// A login with a wrong user name or password (or a disabled account,
    /// which answers alike).
    WrongCredentials,
    /// No session on the request, or it expired or was revoked: log in
    /// again.
    SessionExpired,
    /// The user's role may not do this (an admin's page asked by another
    /// role, a device registered to another user).
    NotAllowed,
    /// An admin disabling their own account.
    OwnAccount,
    /// Too many attempts (failed logins, logins from one address): try
    /// again after `seconds`.
    TryLater { seconds: u32 },
    /// The app speaks a protocol version the server does not: update it.
    UnsupportedProtocol,
    /// An identifier that cannot change (a station's id, a category's
    /// code) differs between the path and the body.
    Unchangeable,
    /// A proposal group the server's list does not have.
    UnknownGroup,
    /// A street the district does not have.
    UnknownStreet,
    /// A step a proposal's life does not allow in its `state` (a measure
    /// on a closed proposal, a close before any feedback).
    NotNow { state: String },
    /// A file that is not a JPEG, WebP or PNG photo (read by its first
    /// bytes, whatever its name says).
    NotAPhoto,
    /// A photo's bytes whose SHA-256 is not the one named, or a name that
    /// is not a SHA-256 (64 lowercase hexadecimal digits).
    HashMismatch,
    /// A file over `max_kb` kilobytes.
    TooLarge { max_kb: u32 },
    /// Anything else; the message says what. Also what an error from an
    /// older server without rule codes reads as, and what a rule this app
    /// does not know yet (from a newer server) reads as.
    #[default]
    #[serde(other)]
    Other,
}

/// Why a value was refused. `field` names the input it belongs to so the app
/// can show the message next to that input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: String,
    #[serde(default)]
    pub rule: Rule,
    /// The rule in English words, for the API and the logs.
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &str, rule: Rule) -> Self {
        let message = english(field, &rule);
        Self {
            field: field.to_owned(),
            rule,
            message,
        }
    }

    /// The rule with the server's own English words, more exact than the
    /// general ones (`a user named "li" already exists`).
    pub fn worded(field: &str, rule: Rule, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            rule,
            message: message.into(),
        }
    }

    /// An error no rule names (a storage failure, say), in words.
    pub fn other(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            rule: Rule::Other,
            message: message.into(),
        }
    }
}

/// The rule of every named text field: something besides spaces, and at
/// most `max` characters (spaces at either end not counted), of plain text.
pub(crate) fn required_text(
    errors: &mut Vec<ValidationError>,
    field: &str,
    value: &str,
    max: usize,
) {
    if value.trim().is_empty() {
        errors.push(ValidationError::new(field, Rule::Required));
    } else {
        optional_text(errors, field, value, max);
    }
}

/// The rule of every text field that may be left empty: at most `max`
/// characters (spaces at either end not counted), of plain text.
pub(crate) fn optional_text(
    errors: &mut Vec<ValidationError>,
    field: &str,
    value: &str,
    max: usize,
) {
    if value.trim().chars().count() > max {
        errors.push(ValidationError::new(
            field,
            Rule::TooLong { max: max as u32 },
        ));
    } else if !is_plain_text(value) {
        errors.push(ValidationError::new(field, Rule::ControlCharacters));
    }
}

/// Text a person typed, and nothing that hides in it: no control
/// characters but tabs and line breaks (a NUL must never reach storage,
/// where PostgreSQL refuses it and the whole push with it), no invisible
/// format characters (zero-width spaces, a bidi override turning
/// `\u{202e}gnp.exe` into "exe.png", a soft hyphen), and no
/// non-characters (U+FFFF). One exception: the zero-width joiner inside an
/// emoji sequence (👩‍⚕️), which phone keyboards type.
pub fn is_plain_text(value: &str) -> bool {
    let mut previous: Option<char> = None;
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = if c == ZERO_WIDTH_JOINER {
            let visible = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace() && is_visible(c));
            visible(previous) && visible(chars.peek().copied())
        } else {
            (!c.is_control() || matches!(c, '\t' | '\n' | '\r')) && is_visible(c)
        };
        if !allowed {
            return false;
        }
        previous = Some(c);
    }
    true
}

const ZERO_WIDTH_JOINER: char = '\u{200d}';

/// Neither a format character (Unicode's general category Cf) nor one of
/// the 66 code points Unicode promises never to assign.
fn is_visible(c: char) -> bool {
    use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
    let code = u32::from(c);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE;
    !noncharacter && c.general_category() != GeneralCategory::Format
}

/// The rule of a date something happened on: not after tomorrow (a
/// phone's clock may be a day off; further is a typo) nor before 2000.
pub(crate) fn past_date(
    errors: &mut Vec<ValidationError>,
    field: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) {
    if date > today + chrono::Days::new(crate::Activity::MAX_DAYS_AHEAD as u64) {
        errors.push(ValidationError::new(field, Rule::InTheFuture));
    }
    if date < chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date") {
        errors.push(ValidationError::new(field, Rule::BeforeYear2000));
    }
}

/// What a `validate` answers once every rule is checked.
pub fn no_errors(errors: Vec<ValidationError>) -> Result<(), Vec<ValidationError>> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn english(field: &str, rule: &Rule) -> String {
    let name = match field {
        "station_id" => "station",
        "people_served" => "people served",
        "organising_group" => "organising group",
        "region_id" => "partner region",
        "session_id" => "session",
        "product_id" => "product",
        "price_fen" => "price",
        "amount_fen" => "sales amount",
        other => other,
    };
    match rule {
        Rule::Required => format!("{name} is required"),
        Rule::TooLong { max } => format!("{name} must be at most {max} characters"),
        Rule::TooShort { min } => format!("{name} must be at least {min} characters"),
        Rule::AtMost { max } => format!("{name} must be at most {max}"),
        Rule::AtLeast { min } => format!("{name} must be at least {min}"),
        Rule::AtMostYuan { max } => format!("{name} must be at most {max} yuan"),
        Rule::NotMoney => format!("{name} must be an amount of yuan, like 12.50"),
        Rule::TooFarAhead { days } => format!("{name} is more than {days} days ahead"),
        Rule::NotFound => format!("no such {name}"),
        Rule::NotANumber => format!("{name} must be a whole number, 0 or more"),
        Rule::InTheFuture => format!("{name} cannot be later than tomorrow"),
        Rule::BeforeYear2000 => format!("{name} is before the year 2000"),
        Rule::UnknownStation => "unknown station".to_owned(),
        Rule::UnknownCategory => "unknown category".to_owned(),
        Rule::NotYourStation => "not one of your stations".to_owned(),
        Rule::EndBeforeStart => "the end date is before the start date".to_owned(),
        Rule::NoSpaces => format!("{name} may not contain spaces or control characters"),
        Rule::IdCharacters => format!("{name} may contain only letters, digits, - and _"),
        Rule::MixedScripts => format!("{name} may not mix letters of different scripts"),
        Rule::ControlCharacters => {
            format!("{name} may not contain invisible or control characters")
        }
        Rule::ClockAhead => {
            "the device's clock is ahead of the server's: stamps must be moved back".to_owned()
        }
        Rule::NotYourRole => format!("your role does not write {name}"),
        Rule::WeakPassword => {
            "this password is among the first anyone would guess; choose another".to_owned()
        }
        Rule::InvalidSeq => {
            "the sequence number must be from 1 to 2^63 - 1, once per push".to_owned()
        }
        Rule::AlreadyExists => format!("this {name} exists already"),
        Rule::WrongCredentials => "wrong username or password".to_owned(),
        Rule::SessionExpired => "not logged in, or the session expired".to_owned(),
        Rule::NotAllowed => "your role may not do this".to_owned(),
        Rule::OwnAccount => "an admin cannot disable their own account".to_owned(),
        Rule::TryLater { seconds } => format!("too many attempts; try again in {seconds} s"),
        Rule::UnsupportedProtocol => {
            "unsupported protocol version; please update the app".to_owned()
        }
        Rule::Unchangeable => format!("{name} cannot change"),
        Rule::UnknownGroup => "unknown group".to_owned(),
        Rule::UnknownStreet => "unknown street".to_owned(),
        Rule::NotNow { state } => format!("not allowed while the proposal is {state}"),
        Rule::NotAPhoto => "not a JPEG, WebP or PNG photo".to_owned(),
        Rule::HashMismatch => format!("{name} is not the SHA-256 of the photo's bytes"),
        Rule::TooLarge { max_kb } => format!("{name} is over {max_kb} KB"),
        Rule::Other => format!("{name} is not valid"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_travels_with_its_english_words() {
        let error = ValidationError::new("title", Rule::TooLong { max: 100 });
        assert_eq!(error.message, "title must be at most 100 characters");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["rule"]["code"], "too_long");
        assert_eq!(json["rule"]["max"], 100);
        let back: ValidationError = serde_json::from_value(json).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn a_rule_code_this_side_does_not_know_reads_as_other() {
        let newer: ValidationError = serde_json::from_str(
            r#"{"field":"title","rule":{"code":"from_the_future"},"message":"m"}"#,
        )
        .unwrap();
        assert_eq!(newer.rule, Rule::Other);
    }

    #[test]
    fn text_with_a_control_or_invisible_character_is_refused_and_line_breaks_and_emoji_are_not() {
        let mut errors = Vec::new();
        optional_text(&mut errors, "notes", "第一行\n第二行\t完", 100);
        // A joiner inside an emoji sequence (a health worker) is typed by
        // phone keyboards, and kept.
        optional_text(&mut errors, "notes", "义诊 👩\u{200d}⚕\u{fe0f} 张医生", 100);
        assert!(errors.is_empty(), "{errors:?}");
        for bad in [
            "a\0b",
            "\u{1b}[31m",
            "x\u{7f}",
            "x\u{85}y",
            // Invisible: a title of zero-width spaces only, a bidi override,
            // a byte-order mark, a soft hyphen, a lone joiner.
            "\u{200b}\u{200b}",
            "\u{202e}gnp.exe",
            "\u{feff}义诊",
            "义\u{ad}诊",
            "\u{200d}",
            // Code points Unicode never assigns.
            "义诊\u{ffff}",
            "\u{fdd0}",
            "\u{10fffe}",
        ] {
            let mut errors = Vec::new();
            required_text(&mut errors, "title", bad, 100);
            assert_eq!(
                errors,
                vec![ValidationError::new("title", Rule::ControlCharacters)],
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_error_without_a_rule_code_reads_as_other() {
        let old: ValidationError =
            serde_json::from_str(r#"{"field":"title","message":"title is required"}"#).unwrap();
        assert_eq!(old.rule, Rule::Other);
        assert_eq!(old.message, "title is required");
    }
}
