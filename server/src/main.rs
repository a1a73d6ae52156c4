use clap::Parser;
use tongxin_server::config::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tongxin_server=info,tower_http=info".into()),
        )
        // Logs go to stderr; stdout carries only the "listening on" line that
        // scripts and tests read.
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        None => tongxin_server::serve(cli.config).await,
        Some(Command::User(command)) => {
            tongxin_server::cli::user(&cli.config.database_url, command).await
        }
    }
}
