//! `tongxin-server user …`: accounts managed from the command line, so the
//! first admin never needs a default password.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use tongxin_shared::account::{canonical_username, validate_new_password, validate_username};

use crate::{
    auth,
    config::UserCommand,
    db::{Db, NewUser},
};

pub async fn user(database_url: &str, command: UserCommand) -> anyhow::Result<()> {
    let db = Db::open(database_url).await?;
    match command {
        UserCommand::Add {
            username,
            role,
            display_name,
            stations,
        } => {
            let username = canonical_username(&username);
            validate_username(&username).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = read_new_password(&username)?;
            let id = db
                .create_user(&NewUser {
                    display_name: display_name.unwrap_or_else(|| username.clone()),
                    username: username.clone(),
                    role,
                    password_hash: auth::hash_password(&password)?,
                    stations,
                })
                .await?;
            println!("added {} {username} ({id})", role.code());
        }
        UserCommand::List => {
            let now_ms = chrono::Utc::now().timestamp_millis();
            for user in db.users().await? {
                let mut state = Vec::new();
                if user.disabled {
                    state.push("disabled".to_owned());
                }
                if user.locked_until_ms > now_ms {
                    state.push(format!(
                        "locked for {} s",
                        u64::try_from(user.locked_until_ms - now_ms)
                            .unwrap_or(0)
                            .div_ceil(1000)
                    ));
                }
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.info.username,
                    user.info.role.code(),
                    user.info.display_name,
                    user.info.stations.join(","),
                    state.join(", ")
                );
            }
        }
        UserCommand::Disable { username } => {
            db.set_disabled(&username, true).await?;
            println!("disabled {username}; their sessions are ended");
        }
        UserCommand::Enable { username } => {
            db.set_disabled(&username, false).await?;
            println!("enabled {username}");
        }
        UserCommand::Stations { username, stations } => {
            db.set_user_stations(&username, &stations).await?;
            println!("{username} now records for: {}", stations.join(", "));
        }
        UserCommand::Reset { username } => {
            let password = read_new_password(&username)?;
            db.reset_password(&username, &auth::hash_password(&password)?)
                .await?;
            println!("new password set for {username}; their sessions are ended");
        }
    }
    Ok(())
}

/// Asks twice on a terminal, without echo; reads one line from a pipe.
fn read_new_password(username: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password: ")?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ");
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    validate_new_password(username, &password).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(password)
}
