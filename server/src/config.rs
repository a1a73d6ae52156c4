//! Command-line flags, each also settable from the environment.

use std::{net::SocketAddr, path::PathBuf};

use tongxin_shared::account::Role;

/// `tongxin-server [flags]` serves; `tongxin-server user …` manages accounts.
#[derive(Debug, clap::Parser)]
#[command(
    name = "tongxin-server",
    version,
    about = "Tongxin sync and admin server"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Manage accounts (the first admin is made here; there is no default
    /// password).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add an account. The password is asked for (or read from stdin when
    /// it is not a terminal).
    Add {
        username: String,
        /// volunteer, organiser or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown in the app; defaults to the username.
        #[arg(long)]
        display_name: Option<String>,
        /// A station the volunteer records for (repeat for several).
        #[arg(long = "station")]
        stations: Vec<String>,
    },
    /// List every account.
    List,
    /// Stop an account from logging in and end its sessions.
    Disable { username: String },
    /// Let a disabled account log in again.
    Enable { username: String },
    /// Replace the stations a volunteer records for.
    Stations {
        username: String,
        #[arg(long = "station")]
        stations: Vec<String>,
    },
    /// Set a new password (asked for), lift a lockout, end every session.
    Reset { username: String },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_code(text).ok_or_else(|| {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
        format!("unknown role {text:?}; one of {}", codes.join(", "))
    })
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "TONGXIN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where the data lives: `sqlite://path/file.sqlite` (created, with its
    /// folder, if missing) or `postgres://user:password@host:port/database`
    /// (an existing database, which several server processes may share).
    #[arg(
        long,
        global = true,
        env = "TONGXIN_DATABASE_URL",
        default_value = "sqlite://data/tongxin.sqlite"
    )]
    pub database_url: String,

    /// Where photos' bytes are kept, each under the SHA-256 of its bytes,
    /// with its thumbnail: a folder (created if missing), or an
    /// S3-compatible bucket, `s3://bucket` or `s3://bucket/prefix`, reached
    /// as the `AWS_*` environment says (`AWS_ENDPOINT`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
    /// `AWS_ALLOW_HTTP`). Replicas
    /// behind a balancer must share it. By default `photos/` beside the
    /// SQLite file, or `data/photos` with PostgreSQL.
    #[arg(long, env = "TONGXIN_PHOTOS")]
    pub photos: Option<String>,

    /// Hours a photo no record refers to any longer (removed from its
    /// record) is kept before it is removed, and an abandoned upload's
    /// chunks.
    #[arg(long, env = "TONGXIN_PHOTO_GRACE_HOURS", default_value_t = 168)]
    pub photo_grace_hours: u64,

    /// The built front end (index.html, pkg/, sw.js) to serve at `/`.
    /// Without it, the app compiled into this binary is served, if it holds
    /// one (`cargo xtask dist`); else only the API.
    #[arg(long, env = "TONGXIN_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Load the demo data set when the database holds no stations yet.
    #[arg(long, env = "TONGXIN_DEMO")]
    pub demo: bool,

    /// Login attempts one client address may make in a row before it is
    /// slowed down (429). Counted per server process; the per-account
    /// lockout is in the database and shared by every replica.
    #[arg(long, env = "TONGXIN_LOGIN_BURST", default_value_t = LoginLimit::default().burst)]
    pub login_burst: u32,

    /// Connections one client address may hold open at once; more are
    /// closed as they arrive. Behind a reverse proxy every client has the
    /// proxy's address: raise it there, and let the proxy limit clients.
    #[arg(long, env = "TONGXIN_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = DEFAULT_CONNECTIONS_PER_ADDRESS)]
    pub max_connections_per_address: usize,

    /// Seconds after which an address slowed down may try once more.
    #[arg(long, env = "TONGXIN_LOGIN_REFILL_SECONDS", default_value_t = LoginLimit::default().refill_seconds)]
    pub login_refill_seconds: u64,
}

/// Connections one client address may hold open at once.
pub const DEFAULT_CONNECTIONS_PER_ADDRESS: usize = 64;

/// How many logins one client address may attempt: `burst` in a row, then
/// one more every `refill_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimit {
    pub burst: u32,
    pub refill_seconds: u64,
}

impl Default for LoginLimit {
    fn default() -> Self {
        LoginLimit {
            burst: 20,
            refill_seconds: 3,
        }
    }
}

impl Config {
    /// Where photos are kept: `--photos`, else a folder beside the
    /// database.
    pub fn photo_store(&self) -> String {
        if let Some(spec) = &self.photos {
            return spec.clone();
        }
        let dir = match self.database_url.strip_prefix("sqlite://") {
            Some(rest) => {
                let file = std::path::Path::new(rest.split('?').next().unwrap_or(rest));
                file.parent()
                    .unwrap_or(std::path::Path::new(""))
                    .join("photos")
            }
            None => PathBuf::from("data/photos"),
        };
        dir.display().to_string()
    }

    pub fn login_limit(&self) -> LoginLimit {
        LoginLimit {
            burst: self.login_burst,
            refill_seconds: self.login_refill_seconds,
        }
    }
}
