//! A throw-away PostgreSQL server for the hub's tests.
//!
//! `TempPostgres::start()` runs Debian's own binaries (`/usr/lib/postgresql/<highest>/bin/`) on a
//! fresh cluster in a temporary directory, listening on 127.0.0.1 on a free port and on a Unix
//! socket inside that directory only, so it never meets a PostgreSQL already running on the
//! machine (port 5432, `/var/run/postgresql`). Durability is switched off (`fsync=off`): the data
//! lives for one test run. Dropping the value (or calling `stop`) stops the server with
//! `pg_ctl stop -m fast` and removes the directory, so nothing is left running.
//!
//! `initdb` and `postgres` refuse to run as root. When we are root (developer containers, CI),
//! the cluster is made and run by the `postgres` system user through `runuser`, in a directory
//! that user owns; otherwise the binaries run as the current user.

// xtask's commands use only part of this API (a test runner needs `start` and `url`); the rest
// (`create_database`, `stop`...) is kept for the next ones without failing `-D warnings`.
#![allow(dead_code)]

use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

/// The role `initdb` creates as superuser; connections are trusted (no password).
const SUPERUSER: &str = "appligarde";
/// The database made at start, named in `TempPostgres::url`.
const TEST_DATABASE: &str = "appligarde_test";
/// Where Debian's `postgresql-NN` packages put their server binaries.
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";
/// Ports are picked free then released, so another process may take one before the server binds
/// it: starting is retried on a fresh port this many times.
const START_ATTEMPTS: u32 = 3;

/// A running temporary PostgreSQL server; stopped and deleted on drop.
pub struct TempPostgres {
    /// `postgres://appligarde@127.0.0.1:PORT/appligarde_test`: the database made at start.
    pub url: String,
    /// The TCP port on 127.0.0.1.
    pub port: u16,
    bin_dir: PathBuf,
    root: PathBuf,
    as_postgres_user: bool,
    stopped: bool,
}

impl TempPostgres {
    /// Makes a fresh cluster in a temporary directory, starts it on a free port of 127.0.0.1,
    /// waits until it accepts connections and creates the database `appligarde_test`.
    pub fn start() -> Result<TempPostgres> {
        let bin_dir = find_bin_dir()?;
        let as_postgres_user = running_as_root()?;
        let root = make_temp_dir()?;
        // From here on, `server` owns the directory: an error below drops it, which removes it
        // (and stops the server if it got that far).
        let mut server = TempPostgres {
            url: String::new(),
            port: 0,
            bin_dir,
            root,
            as_postgres_user,
            stopped: false,
        };
        if as_postgres_user {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&server.root))?;
        }
        server.initdb()?;
        server.start_on_free_port()?;
        server.url = server.create_database(TEST_DATABASE)?;
        Ok(server)
    }

    /// Creates another empty database on this server and returns its URL. `name` must be a plain
    /// identifier (lower-case ASCII letters, digits, `_`; not starting with a digit).
    pub fn create_database(&self, name: &str) -> Result<String> {
        check_identifier(name)?;
        // `createdb` is a client: it runs as whoever we are and talks TCP to our server.
        run(Command::new(self.bin_dir.join("createdb"))
            .args(["--host", "127.0.0.1", "--port"])
            .arg(self.port.to_string())
            .args(["--username", SUPERUSER, "--no-password", name])
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE"))
        .with_context(|| format!("cannot create database {name}"))?;
        Ok(self.database_url(name))
    }

    /// The URL of database `name` on this server (whether or not it exists).
    pub fn database_url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server and removes its directory, reporting any failure (`Drop` does the same
    /// but can only print it).
    pub fn stop(mut self) -> Result<()> {
        self.shutdown()
    }

    fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    fn initdb(&self) -> Result<()> {
        let mut initdb = self.server_command("initdb");
        initdb
            .arg("--pgdata")
            .arg(self.data_dir())
            .args(["--username", SUPERUSER, "--auth", "trust"])
            .args(["--encoding", "UTF8", "--locale", "C"])
            // Nothing here has to survive a crash: skip the final fsync of the new cluster.
            .arg("--no-sync");
        run(&mut initdb).context("initdb failed")
    }

    fn start_on_free_port(&mut self) -> Result<()> {
        let mut last_error = None;
        for _ in 0..START_ATTEMPTS {
            let port = free_port()?;
            match self.pg_ctl_start(port) {
                Ok(()) => {
                    self.port = port;
                    return Ok(());
                }
                Err(error) => last_error = Some(error),
            }
        }
        let error = last_error.unwrap_or_else(|| anyhow::anyhow!("no attempt was made"));
        let log = fs::read_to_string(self.log_file()).unwrap_or_default();
        Err(error.context(format!(
            "PostgreSQL did not start after {START_ATTEMPTS} attempts; its log:\n{log}"
        )))
    }

    fn pg_ctl_start(&self, port: u16) -> Result<()> {
        // pg_ctl hands these to the server through a shell: the socket directory is quoted
        // (our temporary path has no quote in it).
        let options = format!(
            "-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{}' \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.root.display()
        );
        let mut pg_ctl = self.server_command("pg_ctl");
        pg_ctl
            .arg("--pgdata")
            .arg(self.data_dir())
            .arg("--log")
            .arg(self.log_file())
            .args(["--wait", "--timeout", "60", "--options", &options, "start"]);
        run(&mut pg_ctl).with_context(|| format!("pg_ctl start on port {port} failed"))
    }

    fn shutdown(&mut self) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let mut result = Ok(());
        // The server runs only if `postmaster.pid` exists; otherwise there is nothing to stop.
        if self.data_dir().join("postmaster.pid").exists() {
            let mut stop = self.server_command("pg_ctl");
            stop.arg("--pgdata").arg(self.data_dir()).args([
                "--mode",
                "fast",
                "--wait",
                "--timeout",
                "60",
                "stop",
            ]);
            if let Err(error) = run(&mut stop) {
                // Last resort so that nothing is left running: no checkpoint, immediate exit.
                let mut immediate = self.server_command("pg_ctl");
                immediate.arg("--pgdata").arg(self.data_dir()).args([
                    "--mode",
                    "immediate",
                    "--wait",
                    "stop",
                ]);
                let _ = run(&mut immediate);
                result = Err(error.context("pg_ctl stop -m fast failed"));
            }
        }
        // A failure to stop is the more useful error to report; the leftover directory is
        // named in it anyway.
        if let Err(error) = fs::remove_dir_all(&self.root)
            && result.is_ok()
        {
            result =
                Err(anyhow::Error::new(error)
                    .context(format!("cannot remove {}", self.root.display())));
        }
        result
    }

    /// A command for a server-side binary (`initdb`, `pg_ctl`), run as `postgres` when we are
    /// root, from the temporary directory (the `postgres` user may not enter our working
    /// directory).
    fn server_command(&self, binary: &str) -> Command {
        let program = self.bin_dir.join(binary);
        let mut command = if self.as_postgres_user {
            let mut runuser = Command::new("runuser");
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        command
            .current_dir(&self.root)
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST");
        command
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        if let Err(error) = self.shutdown() {
            eprintln!("warning: temporary PostgreSQL not cleaned up: {error:#}");
        }
    }
}

/// `/usr/lib/postgresql/<N>/bin` for the highest `N` that has `initdb` and `pg_ctl`.
fn find_bin_dir() -> Result<PathBuf> {
    let entries = fs::read_dir(DEBIAN_PG_ROOT).with_context(|| {
        format!("{DEBIAN_PG_ROOT} not found: install PostgreSQL (apt-get install postgresql)")
    })?;
    let mut best: Option<(u32, PathBuf)> = None;
    for entry in entries {
        let entry = entry?;
        let Some(version) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let bin = entry.path().join("bin");
        let complete = bin.join("initdb").is_file() && bin.join("pg_ctl").is_file();
        if complete && best.as_ref().is_none_or(|(v, _)| version > *v) {
            best = Some((version, bin));
        }
    }
    match best {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "no PostgreSQL server binaries under {DEBIAN_PG_ROOT}/*/bin: install PostgreSQL \
             (apt-get install postgresql)"
        ),
    }
}

fn running_as_root() -> Result<bool> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("cannot run `id -u`")?;
    if !output.status.success() {
        bail!(
            "`id -u` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A new, empty directory under the system temporary directory. Unique per process and call;
/// `create_dir` (not `create_dir_all`) refuses a path that already exists.
fn make_temp_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = base.join(format!(
            "appligarde-pg-{}-{nanos:09}-{attempt}",
            std::process::id()
        ));
        match fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("cannot create {}", path.display()));
            }
        }
    }
    bail!(
        "cannot create a temporary directory under {}",
        base.display()
    )
}

/// A TCP port of 127.0.0.1 that was free a moment ago (the OS picks it; we release it at once).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn check_identifier(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let valid_start = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let valid_rest = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid_start || !valid_rest || name.len() > 63 {
        bail!("invalid database name {name:?}: use lower-case letters, digits and _ (max 63)");
    }
    Ok(())
}

/// Runs `command`, failing with its output when it exits non-zero.
fn run(command: &mut Command) -> Result<()> {
    let output = command
        .output()
        .with_context(|| format!("cannot run {:?}", command.get_program()))?;
    if !output.status.success() {
        bail!(
            "{:?} {:?} exited with {}\n{}{}",
            command.get_program(),
            command.get_args().collect::<Vec<_>>(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_are_plain_identifiers() {
        // createdb gets the name as one argument, but URLs and SQL built from it must stay sane.
        let cases = [
            ("hub_test_1a2b", true),
            ("_x", true),
            ("appligarde_test", true),
            ("", false),
            ("1abc", false),
            ("Hub", false),
            ("a-b", false),
            ("a b", false),
            ("x\"; DROP", false),
        ];
        for (name, ok) in cases {
            assert_eq!(check_identifier(name).is_ok(), ok, "{name:?}");
        }
        assert!(
            check_identifier(&"a".repeat(64)).is_err(),
            "PostgreSQL truncates at 63 bytes"
        );
    }
}
