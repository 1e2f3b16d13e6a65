//! `cargo xtask fuzz-hub` (also run by `cargo xtask test`): schemathesis, a third-party API
//! fuzzer, against the real hub binary on a temporary PostgreSQL, driven by the hub's own
//! `crates/hub/openapi.yaml`.
//!
//! Schemathesis is installed from PyPI, at a pinned version, into its own virtual environment
//! (`<target>/schemathesis-venv`, made with the system's `python3 -m venv`). The hub gets an
//! MMG, an URML administrator, a coordinator and an enrolled PC; schemathesis then runs once as
//! no one, as the coordinator, as the administrator and as the PC, each bounded in examples per
//! operation and in time, with the checks "no 5xx" and "every status, content type, header and
//! body is one `openapi.yaml` declares". Each role is one check of the tally.
//!
//! One worker per run: schemathesis's coverage phase trips a CPython 3.11 fault
//! ("AST constructor recursion depth mismatch") when several threads generate at once.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::postgres::TempPostgres;
use crate::tally::Tally;

/// The schemathesis release the check is pinned to.
const SCHEMATHESIS_VERSION: &str = "4.32.5";
/// Generated cases per API operation and phase, at most.
const MAX_EXAMPLES: &str = "40";
/// Seconds each role's run may last (a few minutes in all on 2 cores).
const MAX_SECONDS_PER_ROLE: &str = "35";
/// The checks: no 5xx, and no response the specification does not allow.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";
/// The password of the users made for the run (never a real one: the database is thrown away).
const PASSWORD: &str = "mot de passe du fuzzing";

/// The Cargo target directory (honours `CARGO_TARGET_DIR`).
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// The system's Python (the one `python3-venv` serves), else the first `python3` on the PATH.
fn python() -> PathBuf {
    let system = PathBuf::from("/usr/bin/python3");
    if system.exists() {
        system
    } else {
        PathBuf::from("python3")
    }
}

/// `<target>/schemathesis-venv/bin/schemathesis` at [`SCHEMATHESIS_VERSION`], installed if
/// missing or of another version.
pub fn install(root: &Path) -> Result<PathBuf> {
    let venv = target_dir(root).join("schemathesis-venv");
    let bin = venv.join("bin/schemathesis");
    let installed = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains(SCHEMATHESIS_VERSION));
    if installed {
        return Ok(bin);
    }
    println!(
        "xtask: installing schemathesis {SCHEMATHESIS_VERSION} into {}",
        venv.display()
    );
    crate::status(
        Command::new(python())
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
    )?;
    crate::status(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}")),
    )?;
    Ok(bin)
}

/// The hub binary under test, started on 127.0.0.1:0; killed when dropped.
struct Hub {
    child: Child,
    address: String,
}

impl Hub {
    fn start(binary: &Path, database_url: &str, log: &Path) -> Result<Hub> {
        // The off-site copies that the fuzzing device sends go beside the log, emptied first.
        let sauvegardes = log.with_extension("sauvegardes");
        let _ = std::fs::remove_dir_all(&sauvegardes);
        let mut child = Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("APPLIGARDE_HUB_DATABASE_URL", database_url)
            .env("APPLIGARDE_HUB_SAUVEGARDES", &sauvegardes)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(log)?)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(address) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the hub did not start (see {})", log.display());
        };
        let address = address.to_owned();
        Ok(Hub { child, address })
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `appligarde-hub admin ARGS` with `stdin`; its stdout.
fn hub_admin(binary: &Path, database_url: &str, args: &[&str], stdin: &str) -> Result<String> {
    let mut child = Command::new(binary)
        .arg("admin")
        .args(args)
        .env("APPLIGARDE_HUB_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("appligarde-hub admin {} failed", args.join(" "));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A JSON POST to the hub over plain HTTP/1.1 (xtask has no HTTP client); the answer's JSON.
fn post_json(address: &str, path: &str, body: &Value) -> Result<Value> {
    let body = body.to_string();
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, payload) = answer
        .split_once("\r\n\r\n")
        .context("the hub's answer has no body")?;
    if !head.starts_with("HTTP/1.1 200") {
        bail!("POST {path}: {head}\n{payload}");
    }
    Ok(serde_json::from_str(payload)?)
}

/// The string field `key` of `value`.
fn field(value: &Value, key: &str) -> Result<String> {
    value[key]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("no « {key} » in {value}"))
}

/// Builds the hub, runs schemathesis as each role against it on `pg`, and counts each role as one
/// check of `tally`.
pub fn run(root: &Path, tally: &mut Tally, pg: &TempPostgres) -> Result<()> {
    let schemathesis = install(root)?;
    let target = target_dir(root);
    let binary = target.join("debug/appligarde-hub");
    if !binary.exists() {
        crate::status(crate::cargo().args(["build", "-p", "appligarde-hub"]))?;
    }
    let database_url = pg.create_database("hub_fuzz")?;
    let admin = |args: &[&str], stdin: &str| hub_admin(&binary, &database_url, args, stdin);
    let mmg: Value = serde_json::from_str(&admin(
        &[
            "create-mmg",
            "--departement",
            "44",
            "--name",
            "MMG du fuzzing",
            "--json",
        ],
        "",
    )?)?;
    let mmg_id = field(&mmg, "id")?;
    let password_line = format!("{PASSWORD}\n");
    admin(
        &["create-user", "--login", "admin", "--role", "urml-admin"],
        &password_line,
    )?;
    admin(
        &[
            "create-user",
            "--login",
            "coord44",
            "--role",
            "coordinator",
            "--departements",
            "44",
        ],
        &password_line,
    )?;
    let code: Value =
        serde_json::from_str(&admin(&["enroll-code", "--mmg", &mmg_id, "--json"], "")?)?;

    let log = target.join("schemathesis-hub.log");
    let hub = Hub::start(&binary, &database_url, &log)?;
    let device = post_json(
        &hub.address,
        "/api/v1/enroll",
        &json!({"code": field(&code, "code")?}),
    )?;
    let login = |user: &str| -> Result<String> {
        let answer = post_json(
            &hub.address,
            "/api/v1/login",
            &json!({"login": user, "password": PASSWORD}),
        )?;
        field(&answer, "token")
    };
    let roles = [
        ("personne", None),
        ("coordinateur", Some(login("coord44")?)),
        ("administrateur URML", Some(login("admin")?)),
        ("poste enrôlé", Some(field(&device, "device_token")?)),
    ];
    let spec = root.join("crates/hub/openapi.yaml");
    // The tus `PATCH` of the off-site copies takes raw bytes (`application/offset+octet-stream`),
    // which schemathesis serialises once told they are like `application/octet-stream`.
    let hooks = target.join("schemathesis-hooks.py");
    std::fs::write(
        &hooks,
        "import schemathesis\n\
         schemathesis.serializer.alias(\"application/offset+octet-stream\", \
         \"application/octet-stream\")\n",
    )?;
    for (role, token) in roles {
        let mut cmd = Command::new(&schemathesis);
        // Its cache and reports go to the target directory, not into the worktree.
        cmd.current_dir(&target)
            .arg("run")
            .arg(&spec)
            .args(["--url", &format!("http://{}", hub.address)])
            .args(["--checks", CHECKS])
            .args(["--max-examples", MAX_EXAMPLES])
            .args(["--max-time", MAX_SECONDS_PER_ROLE])
            .args(["--workers", "1", "--seed", "28"])
            .args(["--request-timeout", "30"])
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .env("SCHEMATHESIS_HOOKS", &hooks)
            .env("NO_COLOR", "1");
        if let Some(token) = token {
            cmd.args(["--header", &format!("Authorization: Bearer {token}")]);
            // Logging out would end the session the rest of the run uses.
            cmd.args(["--exclude-operation-id", "logout"]);
        }
        tally.check(&format!("schemathesis sur le hub ({role})"), &mut cmd);
    }
    drop(hub);
    println!("journal du hub pendant le fuzzing : {}", log.display());
    Ok(())
}
