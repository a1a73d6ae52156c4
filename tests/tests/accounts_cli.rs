//! `tongxin-server user …` on the command line, against the database a
//! running server uses: the first admin is made without any default
//! password, and what the command line changes the server enforces at once.

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

use anyhow::{Context, Result};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tongxin_tests::{TestServer, server_binary};

/// Runs `tongxin-server --database-url … <args>` with `stdin` piped in.
fn user_command(database: &Path, args: &[&str], stdin: &str) -> Result<Output> {
    let mut child = Command::new(server_binary())
        .arg("--database-url")
        .arg(format!("sqlite://{}", database.display()))
        .arg("user")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start tongxin-server")?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(stdin.as_bytes())?;
    Ok(child.wait_with_output()?)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn login(server: &TestServer, username: &str, password: &str) -> Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(server.url("/api/auth/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await?)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_made_on_the_command_line_logs_in_and_a_disabled_one_cannot() -> Result<()> {
    let data = tempfile::tempdir()?;
    let database = data.path().join("accounts.sqlite");
    let server = TestServer::start(&database, None)?;

    // Bad input is refused with the reason, and adds nobody.
    let short = user_command(&database, &["add", "boss", "--role", "admin"], "short\n")?;
    assert!(!short.status.success());
    assert!(
        text(&short.stderr).contains("at least 8"),
        "{}",
        text(&short.stderr)
    );
    let role = user_command(&database, &["add", "boss", "--role", "root"], "")?;
    assert!(!role.status.success());
    assert!(
        text(&role.stderr).contains("unknown role"),
        "{}",
        text(&role.stderr)
    );
    let station = user_command(
        &database,
        &[
            "add",
            "v1",
            "--role",
            "volunteer",
            "--station",
            "st-nowhere",
        ],
        "long-enough-password\n",
    )?;
    assert!(!station.status.success());
    assert!(
        text(&station.stderr).contains("st-nowhere"),
        "{}",
        text(&station.stderr)
    );
    let listed = text(&user_command(&database, &["list"], "")?.stdout);
    assert!(
        !listed.contains("boss") && !listed.contains("v1"),
        "{listed}"
    );

    // The first real admin.
    let added = user_command(
        &database,
        &[
            "add",
            "boss",
            "--role",
            "admin",
            "--display-name",
            "区管理员",
        ],
        "boss-password-1\n",
    )?;
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("added admin boss"));
    let listed = text(&user_command(&database, &["list"], "")?.stdout);
    assert!(listed.contains("boss\tadmin\t区管理员"), "{listed}");

    let response = login(&server, "boss", "boss-password-1").await?;
    assert_eq!(response.status(), StatusCode::OK);
    let session: Value = response.json().await?;
    let token = session["token"].as_str().context("token")?.to_owned();
    let summary = reqwest::Client::new()
        .get(server.url("/api/admin/summary"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(summary.status(), StatusCode::OK);

    // Disabled: the live session stops at once and no new login works; the
    // right password is answered as a wrong one, so it is not confirmed.
    let disabled = user_command(&database, &["disable", "boss"], "")?;
    assert!(disabled.status.success(), "{}", text(&disabled.stderr));
    let summary = reqwest::Client::new()
        .get(server.url("/api/admin/summary"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(summary.status(), StatusCode::UNAUTHORIZED);
    let refused = login(&server, "boss", "boss-password-1").await?;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}
