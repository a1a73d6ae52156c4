//! Command-line flags, each also settable from the environment.

use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Clone, clap::Parser)]
#[command(
    name = "tongxin-server",
    version,
    about = "Tongxin sync and admin server"
)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "TONGXIN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Where the data lives. A SQLite file is created, with its folder, if
    /// missing.
    #[arg(
        long,
        env = "TONGXIN_DATABASE_URL",
        default_value = "sqlite://data/tongxin.sqlite"
    )]
    pub database_url: String,

    /// The built front end (index.html, pkg/, sw.js) to serve at `/`.
    #[arg(long, env = "TONGXIN_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Load the demo data set when the database holds no stations yet.
    #[arg(long, env = "TONGXIN_DEMO")]
    pub demo: bool,
}
