//! A PostgreSQL server for the tests and the admin benchmark: the server's
//! storage runs on PostgreSQL as well as SQLite, and its API tests run on
//! both. The project keeps its own cluster, apart from any the machine
//! has (Debian's own one on port 5432 included), so `cargo xtask test` on
//! a clean clone needs nothing started by hand, and never touches anyone
//! else's data.
//!
//! This is a test server: it listens on 127.0.0.1 only and trusts every
//! local connection (no passwords). Never point it at real data.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    thread,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};

use crate::{setup, step};

/// Fixed, so the tests and a person's `psql` find the server without being
/// told; well away from 5432, where Debian's own cluster listens.
const PORT: u16 = 54329;

/// The role the tests connect as. It is initdb's bootstrap superuser, so it
/// may create and drop the databases each test uses.
const ROLE: &str = "tongxin";

/// Debian keeps each major version's server programs here, in
/// `<version>/bin`, off the PATH.
const DEBIAN_LIB: &str = "/usr/lib/postgresql";

/// The programs this module runs; a version missing one is not used.
const PROGRAMS: [&str; 4] = ["initdb", "pg_ctl", "postgres", "pg_isready"];

/// The start of the settings this module owns at the end of
/// `postgresql.conf`; everything after it is rewritten before each start,
/// so a changed setting here reaches an existing cluster.
const MARKER: &str =
    "# ---- Tongxin's test server: written by `cargo xtask`, rewritten before each start ----";

/// Starts the project's PostgreSQL server when it is not running, creating
/// its cluster (and installing PostgreSQL) first when missing, and returns
/// the URL to connect to it as a superuser. When the server already
/// answers, this takes a few hundredths of a second.
pub fn ensure_server(root: &Path) -> Result<String> {
    let url = format!("postgres://{ROLE}@127.0.0.1:{PORT}/postgres");
    let cluster = Cluster::new(root, server_programs()?)?;
    if cluster.wait_until_settled()? {
        step(&format!(
            "using the PostgreSQL test server on 127.0.0.1:{PORT} (data in {})",
            cluster.dir.display()
        ));
        return Ok(url);
    }
    if !cluster.dir.join("PG_VERSION").exists() {
        cluster.init()?;
    }
    cluster.configure()?;
    cluster.start()?;
    Ok(url)
}

/// The `bin` folder of the newest PostgreSQL that Debian's packages put on
/// this machine, installing them when there is none.
fn server_programs() -> Result<PathBuf> {
    let lib = Path::new(DEBIAN_LIB);
    if let Some(bin) = newest_server_programs(lib) {
        return Ok(bin);
    }
    // `postgresql` depends on the distribution's current major version
    // (postgresql-15 on Debian 12) and creates the `postgres` user.
    setup::apt_install(
        &["postgresql"],
        "the server's API tests and the admin benchmark also run on PostgreSQL",
    )?;
    newest_server_programs(lib).with_context(|| {
        format!(
            "installed postgresql, but found no {} in {DEBIAN_LIB}/<version>/bin",
            PROGRAMS.join(", ")
        )
    })
}

fn newest_server_programs(lib: &Path) -> Option<PathBuf> {
    fs::read_dir(lib)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = major_version(entry.file_name().to_str()?)?;
            let bin = entry.path().join("bin");
            PROGRAMS
                .iter()
                .all(|program| bin.join(program).is_file())
                .then_some((version, bin))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// "15" and "9.6" as numbers, so 15 sorts after 9.6.
fn major_version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// Where the project's cluster lives and who runs it.
struct Cluster {
    /// The PostgreSQL version's `bin` folder.
    bin: PathBuf,
    /// The data directory.
    dir: PathBuf,
    /// Where the server puts its unix socket: the data directory, so it
    /// needs no `/var/run/postgresql` (which exists only with Debian's
    /// service), unless that path is too long for a socket.
    socket_dir: PathBuf,
    /// PostgreSQL refuses to run as root; as root, its programs run as the
    /// `postgres` system user that Debian's package creates.
    as_postgres: bool,
}

impl Cluster {
    fn new(root: &Path, bin: PathBuf) -> Result<Cluster> {
        let as_postgres = setup::is_root();
        let dir = if as_postgres {
            let postgres_user = Command::new("id")
                .args(["-u", "postgres"])
                .output()
                .is_ok_and(|out| out.status.success());
            if !postgres_user {
                bail!(
                    "PostgreSQL refuses to run as root, and there is no `postgres` user to run it as; \
                     apt-get install postgresql creates one, or run cargo xtask as another user"
                );
            }
            // The `postgres` user may not be able to enter the checkout (its
            // parents are often private to root); /var/tmp is writable by
            // everyone and, unlike /tmp, survives a restart.
            PathBuf::from(format!("/var/tmp/tongxin-postgres-{PORT}"))
        } else {
            // Survives between runs, and goes with `cargo clean` (the
            // server then shuts itself down within a minute, once it sees
            // its lock file gone, and the next run starts afresh).
            root.join("target/postgres")
        };
        Ok(Cluster {
            bin,
            socket_dir: socket_dir(&dir),
            dir,
            as_postgres,
        })
    }

    /// One of the PostgreSQL programs, run by the right user.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        // Anyone may enter `/`; the `postgres` user may not be allowed in
        // the checkout, and initdb and pg_ctl complain when they cannot
        // return to their working directory.
        command.current_dir("/");
        command
    }

    /// Whether the server accepts connections, having waited out a start or
    /// a shutdown in progress (another run may be starting it, or a person
    /// stopping it): `false` means no server answers.
    fn wait_until_settled(&self) -> Result<bool> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            // A client: root may run it, and the server need not trust us
            // yet to say whether it accepts connections.
            let status = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &PORT.to_string()])
                .args(["-U", ROLE, "-d", "postgres"])
                .status()
                .context("cannot run pg_isready")?;
            match status.code() {
                Some(0) => return Ok(true),
                // 1: the server is starting up or shutting down.
                Some(1) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(250));
                }
                Some(1) => bail!(
                    "the PostgreSQL server on 127.0.0.1:{PORT} has rejected connections for a minute; see {}",
                    self.dir.join("server.log").display()
                ),
                // 2: nothing answers.
                Some(2) => return Ok(false),
                _ => bail!("pg_isready failed ({status})"),
            }
        }
    }

    /// Creates the cluster: UTF-8 with no locale, so text sorts by code
    /// point as it does in SQLite and no locale need be installed; `tongxin`
    /// as the superuser; trust authentication, as this is a test server
    /// that only listens on 127.0.0.1.
    fn init(&self) -> Result<()> {
        step(&format!(
            "creating the project's PostgreSQL cluster in {} (initdb; once)",
            self.dir.display()
        ));
        let mut initdb = self.command("initdb");
        initdb
            .arg("--pgdata")
            .arg(&self.dir)
            .args(["--username", ROLE, "--auth=trust"])
            .args(["--encoding=UTF8", "--no-locale"]);
        run(&mut initdb, "initdb")
    }

    /// Writes this module's settings at the end of `postgresql.conf`, where
    /// they win over any earlier line. They are in the file, not on
    /// pg_ctl's command line, so a person's `pg_ctl -D … start` starts the
    /// same server.
    ///
    /// fsync, synchronous_commit and full_page_writes keep their defaults,
    /// though tests would run a little faster without them: the admin
    /// benchmark measures on this server, and figures from a server that
    /// never waits for its disk would flatter PostgreSQL beside SQLite.
    fn configure(&self) -> Result<()> {
        let file = self.dir.join("postgresql.conf");
        let text =
            fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let ours = text.split(MARKER).next().unwrap_or_default();
        let separator = if ours.ends_with('\n') { "" } else { "\n" };
        let wanted = format!(
            "{ours}{separator}{MARKER}\n\
             listen_addresses = '127.0.0.1'\n\
             port = {PORT}\n\
             unix_socket_directories = {}\n\
             # Many test servers run at once, each with its own pool of\n\
             # connections; the default of 100 runs out.\n\
             max_connections = 500\n",
            quoted(&self.socket_dir.display().to_string()),
        );
        if wanted != text {
            // Rewriting in place keeps the file's owner (`postgres` when
            // running as root).
            fs::write(&file, wanted).with_context(|| format!("cannot write {}", file.display()))?;
        }
        Ok(())
    }

    fn start(&self) -> Result<()> {
        step(&format!(
            "starting the PostgreSQL test server on 127.0.0.1:{PORT} (data in {})",
            self.dir.display()
        ));
        self.remove_stale_lock_files()?;
        let log = self.dir.join("server.log");
        let mut pg_ctl = self.command("pg_ctl");
        // With -l the server's output goes to the log, not to our pipes, and
        // pg_ctl detaches it: it outlives this run and Ctrl-C.
        pg_ctl
            .arg("--pgdata")
            .arg(&self.dir)
            .arg("--log")
            .arg(&log)
            .args(["--wait", "--timeout=60", "start"]);
        if let Err(error) = run(&mut pg_ctl, "pg_ctl start") {
            // Another run may have started it meanwhile.
            if self.wait_until_settled()? {
                return Ok(());
            }
            bail!(
                "the PostgreSQL test server did not start: {error:#}\nthe end of {}:\n{}",
                log.display(),
                log_tail(&log)
            );
        }
        Ok(())
    }

    /// After a restart of the machine `postmaster.pid` names a server that
    /// is gone. PostgreSQL ignores it when no process has that id, or one
    /// it may not signal; but when the id now belongs to another process
    /// of the same user (Debian's own cluster, say) it refuses to start.
    /// A postmaster works in its data directory, so a process elsewhere is
    /// not ours and its lock files can go. Only called when no server
    /// answers.
    fn remove_stale_lock_files(&self) -> Result<()> {
        let pid_file = self.dir.join("postmaster.pid");
        let Some(pid) = lock_file_pid(&pid_file) else {
            return Ok(());
        };
        let Ok(cwd) = fs::read_link(format!("/proc/{pid}/cwd")) else {
            // Gone, or not ours to look at: PostgreSQL copes.
            return Ok(());
        };
        let dir = fs::canonicalize(&self.dir)
            .with_context(|| format!("cannot resolve {}", self.dir.display()))?;
        if cwd == dir {
            // Our server is there, though it does not answer; pg_ctl will
            // say so.
            return Ok(());
        }
        step(&format!(
            "removing the PostgreSQL test server's stale lock files (left by a run before a restart; process {pid} is now another program)"
        ));
        let socket_lock = self.socket_dir.join(format!(".s.PGSQL.{PORT}.lock"));
        if lock_file_pid(&socket_lock) == Some(pid) {
            fs::remove_file(&socket_lock)
                .with_context(|| format!("cannot remove {}", socket_lock.display()))?;
        }
        fs::remove_file(&pid_file)
            .with_context(|| format!("cannot remove {}", pid_file.display()))?;
        Ok(())
    }
}

/// Where the unix socket goes: the data directory, unless the socket's
/// path would not fit in a socket address (107 bytes), as in a deeply
/// nested checkout.
fn socket_dir(dir: &Path) -> PathBuf {
    let socket = dir.join(format!(".s.PGSQL.{PORT}"));
    if socket.as_os_str().len() <= 107 {
        dir.to_path_buf()
    } else {
        PathBuf::from("/tmp")
    }
}

/// The process id on the first line of a PostgreSQL lock file.
fn lock_file_pid(file: &Path) -> Option<u32> {
    fs::read_to_string(file)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// A string value in `postgresql.conf`.
fn quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Runs a command quietly (initdb and pg_ctl are chatty), showing what it
/// said only when it fails.
fn run(command: &mut Command, what: &str) -> Result<()> {
    let out = command
        .output()
        .with_context(|| format!("cannot run {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}):\n{}",
            out.status,
            [out.stdout, out.stderr]
                .iter()
                .map(|said| String::from_utf8_lossy(said).trim().to_owned())
                .filter(|said| !said.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

/// The last lines of the server's log, where PostgreSQL says why it did not
/// start.
fn log_tail(log: &Path) -> String {
    let text = fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{major_version, quoted, socket_dir};

    #[test]
    fn orders_major_versions_as_numbers() {
        assert!(major_version("15") > major_version("9.6"));
        assert!(major_version("16") > major_version("15"));
        assert_eq!(major_version("15.main"), None);
    }

    #[test]
    fn keeps_the_socket_in_the_data_directory_when_its_path_fits() {
        let short = Path::new("/var/tmp/tongxin-postgres-54329");
        assert_eq!(socket_dir(short), short);
        let long = PathBuf::from(format!("/home/{}/target/postgres", "a".repeat(100)));
        assert_eq!(socket_dir(&long), Path::new("/tmp"));
    }

    #[test]
    fn quotes_configuration_values() {
        assert_eq!(quoted("/tmp/it's"), "'/tmp/it''s'");
    }
}
