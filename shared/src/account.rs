//! Accounts as both sides see them: roles, what each may touch, and the
//! login messages.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    ValidationError,
    error::{Rule, no_errors, required_text},
};

/// What a user may do. The server enforces it on every request; the app
/// uses it only to decide which screens to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Records activities at the stations they are assigned to.
    Volunteer,
    /// Runs the charity-sales livestream room: livestream data only.
    Organiser,
    /// Sees and manages everything.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Volunteer, Role::Organiser, Role::Admin];

    /// The code stored in the database and typed on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Role::Volunteer => "volunteer",
            Role::Organiser => "organiser",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }
}

/// Usernames are short, printable and without spaces, so they can be typed
/// on a phone and on a command line alike.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Long enough for a passphrase; short enough that hashing one is cheap.
pub const MAX_PASSWORD_CHARS: usize = 256;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// The one form a user name is stored and looked up in: NFKC (so a
/// full-width ｚｈａｎｇ is zhang) and lower case, without spaces at either
/// end. Creating an account and logging in both go through it, so
/// `Zhang` and `zhang` are one name.
pub fn canonical_username(typed: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    typed.trim().nfkc().collect::<String>().to_lowercase()
}

/// The rule for a user name in its [`canonical_username`] form: present,
/// short, no spaces, nothing invisible (`admin\u{200b}`, `ad\u{ad}min`),
/// and letters of one script, so `аdmin` with a Cyrillic а cannot pose as
/// `admin`. Latin beside Han is allowed (pinyin with characters).
pub fn validate_username(username: &str) -> Result<(), ValidationError> {
    let count = username.chars().count();
    if count == 0 {
        return Err(ValidationError::new("username", Rule::Required));
    }
    if count > MAX_USERNAME_CHARS {
        return Err(ValidationError::new(
            "username",
            Rule::TooLong {
                max: MAX_USERNAME_CHARS as u32,
            },
        ));
    }
    if username
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ValidationError::new("username", Rule::NoSpaces));
    }
    if !crate::error::is_plain_text(username) || username.contains('\u{200d}') {
        return Err(ValidationError::new("username", Rule::ControlCharacters));
    }
    if !single_script(username) {
        return Err(ValidationError::new("username", Rule::MixedScripts));
    }
    Ok(())
}

/// Whether the letters of `text` come from one script (digits and
/// punctuation belong to none), or from Latin and Han only.
fn single_script(text: &str) -> bool {
    use unicode_script::{Script, UnicodeScript};
    let mut scripts: Vec<Script> = text
        .chars()
        .map(|c| c.script())
        .filter(|script| !matches!(script, Script::Common | Script::Inherited))
        .collect();
    scripts.sort_unstable_by_key(|script| script.full_name());
    scripts.dedup();
    match scripts.as_slice() {
        [] | [_] => true,
        [a, b] => matches!((a, b), (Script::Han, Script::Latin)),
        _ => false,
    }
}

/// Passwords tried first by anyone guessing (the commonest of at least
/// `MIN_PASSWORD_CHARS` in published leaks, English and Chinese), and the
/// demo accounts' password, which the README prints.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password123",
    "12345678",
    "123456789",
    "1234567890",
    "123123123",
    "11111111",
    "111111111",
    "00000000",
    "000000000",
    "88888888",
    "66666666",
    "87654321",
    "11223344",
    "qwertyui",
    "qwertyuiop",
    "qwer1234",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "zxcvbnm1",
    "asdfghjk",
    "iloveyou",
    "abcd1234",
    "abc12345",
    "abc123456",
    "a1234567",
    "a12345678",
    "aa123456",
    "woaini1314",
    "5201314520",
    "woaini520",
    "1314520520",
    "admin123",
    "admin1234",
    "administrator",
    "welcome1",
    "sunshine1",
    "tongxin123",
    "tongxin-demo",
];

/// The rule for a new password (logins only check the length bound): long
/// enough, not too long, not among the commonest, and not the user name.
pub fn validate_new_password(username: &str, password: &str) -> Result<(), ValidationError> {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(ValidationError::new(
            "password",
            Rule::TooShort {
                min: MIN_PASSWORD_CHARS as u32,
            },
        ));
    }
    if count > MAX_PASSWORD_CHARS {
        return Err(ValidationError::new(
            "password",
            Rule::TooLong {
                max: MAX_PASSWORD_CHARS as u32,
            },
        ));
    }
    let lower = password.trim().to_lowercase();
    if lower == username.trim().to_lowercase() || COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(ValidationError::new("password", Rule::WeakPassword));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub password: String,
}

/// Who is logged in, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The stations a volunteer records for; empty for other roles.
    pub stations: Vec<String>,
}

/// A successful login. The token goes in `Authorization: Bearer …` on every
/// request; the app keeps it so it works offline until it expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    /// When the token stops working, ms since the Unix epoch.
    pub expires_at_ms: i64,
    pub user: UserInfo,
}

/// One account as the admin's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountListing {
    pub user: UserInfo,
    pub disabled: bool,
    /// Locked for a while after repeated failed logins.
    pub locked: bool,
}

/// An account an admin creates, with its first password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewAccount {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 50))]
    pub display_name: String,
    pub role: Role,
    /// For a volunteer: the stations they record for.
    #[serde(default)]
    pub stations: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 8, max_length = 256))]
    pub password: String,
}

pub const DISPLAY_NAME_MAX_CHARS: usize = 50;

impl NewAccount {
    /// Every problem at once, each naming its field.
    pub fn validate(&self) -> Result<(), Vec<ValidationError>> {
        let mut errors = Vec::new();
        errors.extend(validate_username(&canonical_username(&self.username)).err());
        required_text(
            &mut errors,
            "display_name",
            &self.display_name,
            DISPLAY_NAME_MAX_CHARS,
        );
        errors.extend(validate_stations(self.role, &self.stations).err());
        errors.extend(validate_new_password(&self.username, &self.password).err());
        no_errors(errors)
    }
}

/// The stations given to an account, on creation and on change alike: a
/// volunteer records for at least one, and none is listed twice.
pub fn validate_stations(role: Role, stations: &[String]) -> Result<(), ValidationError> {
    if role == Role::Volunteer && stations.is_empty() {
        return Err(ValidationError::new("stations", Rule::Required));
    }
    let mut seen = std::collections::HashSet::new();
    match stations
        .iter()
        .find(|station| !seen.insert(station.as_str()))
    {
        Some(twice) => Err(ValidationError::other(
            "stations",
            format!("station {twice} is listed twice"),
        )),
        None => Ok(()),
    }
}

/// An admin's change to an existing account; each field left out stays.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// A new password; the account's sessions end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stations: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn usernames_and_passwords_are_bounded() {
        assert!(validate_username("zhang_san").is_ok());
        assert!(validate_username("").is_err());
        assert!(validate_username("zhang san").is_err());
        assert!(validate_username(&"x".repeat(65)).is_err());
    }

    #[test]
    fn look_alike_user_names_are_folded_or_refused() {
        // One form for what looks the same.
        assert_eq!(canonical_username(" Zhang_San "), "zhang_san");
        assert_eq!(canonical_username("ＡＤＭＩＮ"), "admin");
        // What only poses as another name is refused.
        for (name, rule) in [
            ("\u{430}dmin", Rule::MixedScripts),
            ("admin\u{200b}", Rule::ControlCharacters),
            ("ad\u{ad}min", Rule::ControlCharacters),
            ("a\u{200d}b", Rule::ControlCharacters),
            ("admin\u{202e}", Rule::ControlCharacters),
        ] {
            let refused = validate_username(&canonical_username(name)).unwrap_err();
            assert_eq!(refused.rule, rule, "{name:?}");
        }
        // One script, or pinyin beside characters, is fine.
        for name in ["zhang_san", "张三", "zhang三", "иван", "li.wei-2"] {
            assert!(
                validate_username(&canonical_username(name)).is_ok(),
                "{name}"
            );
        }
        assert!(validate_new_password("zhang_san", "1234567").is_err());
        assert!(validate_new_password("zhang_san", "12345679").is_ok());
        assert!(validate_new_password("zhang_san", &"x".repeat(257)).is_err());
    }

    #[test]
    fn a_new_account_names_each_problem() {
        let account = NewAccount {
            username: "li si".into(),
            display_name: " ".into(),
            role: Role::Volunteer,
            stations: Vec::new(),
            password: "short".into(),
        };
        let fields: Vec<String> = account
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["username", "display_name", "stations", "password"]);
    }

    #[test]
    fn a_password_anyone_would_guess_first_is_refused() {
        for weak in [
            "12345678",
            "Password1",
            "woaini1314",
            "zhaoliming",
            "ZhaoLiming",
            "tongxin-demo",
        ] {
            assert_eq!(
                validate_new_password("zhaoliming", weak),
                Err(ValidationError::new("password", Rule::WeakPassword)),
                "{weak}"
            );
        }
        assert_eq!(
            validate_new_password("zhaoliming", "红石榴-秋天-2026"),
            Ok(())
        );
    }
}
