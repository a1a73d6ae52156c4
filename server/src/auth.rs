//! Accounts: password hashes, session tokens, and who may touch what.
//!
//! Passwords are argon2id hashes with a random salt each. A login hands out a
//! random 256-bit token; the database keeps only its SHA-256, so a leaked
//! copy of the database logs nobody in. Every request is checked against the
//! database, so any server process can answer any device.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use base64::Engine;
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use tongxin_shared::account::{Role, UserInfo};
use uuid::Uuid;

use crate::error::ApiError;

/// How long a login lasts. Long, because volunteers work offline for days
/// with the session they have; the app asks again only when online.
pub const SESSION_DAYS: i64 = 30;

/// Failed logins in a row to one name from one address before that
/// address waits a while.
pub const FREE_ATTEMPTS: i64 = 5;

/// Failed logins are forgotten an hour after the last one.
pub const FAILURE_MEMORY_MS: i64 = 60 * 60 * 1000;

/// How long one address waits after its `failures`-th failed login in a
/// row to one name: nothing for the first few, then 30 s doubling up to
/// 15 min.
pub fn lockout_ms(failures: i64) -> i64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(5) as u32;
    (30_000i64 << doublings).min(15 * 60 * 1000)
}

/// The address failed logins are counted against: the IPv4 address, or
/// the /64 prefix of an IPv6 one, which one household or phone usually has
/// whole.
pub fn address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("cannot hash password: {error}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored hash. A hash that cannot be read
/// matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Checked against when the username does not exist, so an unknown name
/// takes as long to refuse as a wrong password.
pub static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not a real password").expect("hashing a constant"));

/// A new session token, as given to the device.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// The logged-in user a request acts for, read from the database on every
/// request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// A volunteer's stations.
    pub stations: Vec<String>,
    /// How many times the user's stations have changed.
    pub scope_version: i64,
}

/// Which stations' activities a user may see and write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StationScope {
    All,
    Only(Vec<String>),
}

impl StationScope {
    pub fn contains(&self, station_id: &str) -> bool {
        match self {
            StationScope::All => true,
            StationScope::Only(stations) => stations.iter().any(|s| s == station_id),
        }
    }

    /// A short digest of the scope, carried in pull cursors: when a user's
    /// stations change, their old cursor no longer matches and the device
    /// pulls from the start, so it also receives the older records of a
    /// newly assigned station.
    pub fn fingerprint(&self) -> String {
        let text = match self {
            StationScope::All => "*".to_owned(),
            StationScope::Only(stations) => {
                let mut sorted = stations.clone();
                sorted.sort();
                sorted.join(",")
            }
        };
        format!("{:x}", Sha256::digest(text.as_bytes()))[..12].to_owned()
    }
}

impl Actor {
    /// 403 unless an admin.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            _ => Err(ApiError::forbidden(
                "role",
                tongxin_shared::error::Rule::NotAllowed,
                "only admins may do this",
            )),
        }
    }

    /// What a pull cursor carries of the user's scope: its stations and
    /// how many times they changed, so a cursor from before any change
    /// (even one changed back since) starts the pull over.
    pub fn cursor_scope(&self, scope: Option<&StationScope>) -> String {
        match scope {
            Some(scope) => format!("{}v{}", scope.fingerprint(), self.scope_version),
            None => "livestream".to_owned(),
        }
    }

    /// The stations whose activities this user syncs; 403 for organisers,
    /// who work with livestream data only.
    pub fn activity_scope(&self) -> Result<StationScope, ApiError> {
        match self.role {
            Role::Admin => Ok(StationScope::All),
            Role::Volunteer => Ok(StationScope::Only(self.stations.clone())),
            Role::Organiser => Err(ApiError::forbidden(
                "role",
                tongxin_shared::error::Rule::NotYourRole,
                "livestream organisers do not sync activities",
            )),
        }
    }

    /// Organisers and admins read and write livestream records.
    pub fn works_with_livestream(&self) -> bool {
        matches!(self.role, Role::Organiser | Role::Admin)
    }

    pub fn info(&self) -> UserInfo {
        UserInfo {
            id: self.user_id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            stations: self.stations.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horsE", &hash));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn lockout_grows_after_the_free_attempts() {
        assert_eq!(lockout_ms(4), 0);
        assert_eq!(lockout_ms(5), 30_000);
        assert_eq!(lockout_ms(6), 60_000);
        assert_eq!(lockout_ms(50), 15 * 60 * 1000);
    }

    #[test]
    fn scope_fingerprint_ignores_order_and_changes_with_stations() {
        let ab = StationScope::Only(vec!["a".into(), "b".into()]);
        let ba = StationScope::Only(vec!["b".into(), "a".into()]);
        let a = StationScope::Only(vec!["a".into()]);
        assert_eq!(ab.fingerprint(), ba.fingerprint());
        assert_ne!(ab.fingerprint(), a.fingerprint());
        assert_ne!(StationScope::All.fingerprint(), a.fingerprint());
    }
}
