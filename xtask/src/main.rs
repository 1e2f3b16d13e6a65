//! `cargo xtask`: the project's own automation, in Rust.
//!
//! - `cargo xtask run`: installs what is missing, builds the UI and starts the desktop app on a demo MMG.
//! - `cargo xtask test`: everything CI runs, ending with one line `N passed, N failed`.
//! - `cargo xtask bench [FILTER]`: the benchmarks, with a report in `target/bench-report.md`; FILTER
//!   names one cargo bench target, or `start` (the installed app's start against an empty window).
//! - `cargo xtask fuzz-hub`: schemathesis against the real hub and its `openapi.yaml` (also part
//!   of `test`).
//! - `cargo xtask package`: the Debian packages of the desktop app and of the hub, in release, in
//!   `target/paquets/` (see `package.rs`).
//! - `cargo xtask gen-types`: regenerates the UI's TypeScript types from the Rust API.
//! - `cargo xtask layering [--edges]`: the crate dependencies ARCHITECTURE.md declares, and no import
//!   cycle between the modules of a crate (`--edges` also lists every edge between modules).
//!
//! It depends on nothing but `anyhow` and `serde_json` (pure Rust) so that it builds before the system
//! packages are installed.

mod deps;
mod fuzz;
mod layering;
mod package;
mod postgres;
mod tally;

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use tally::Tally;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("test") => test(),
        Some("bench") => bench(&args[1..]),
        Some("fuzz-hub") => fuzz_hub(),
        Some("package") => package_command(args.get(1).map(String::as_str)),
        Some("gen-types") => gen_types(),
        Some("layering") => layering_check(args.get(1).map(String::as_str)),
        _ => {
            eprintln!(
                "usage: cargo xtask run | test | bench [FILTER] | fuzz-hub | package [--check] | gen-types | layering [--edges]"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

/// The repository root (the parent of `xtask/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root());
    cmd
}

fn npm(dir: &Path) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir)
        .arg("--no-audit")
        .arg("--no-fund")
        .arg("--loglevel=error");
    cmd
}

/// Runs a command to completion; an error if it fails.
fn status(cmd: &mut Command) -> Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// `npm ci` in the UI and the tests folders (always in CI, only when missing otherwise).
fn npm_install(always: bool) -> Result<()> {
    for dir in [root().join("ui"), root().join("tests")] {
        if always || !dir.join("node_modules").exists() {
            status(npm(&dir).arg("ci"))?;
        }
    }
    Ok(())
}

fn build_ui() -> Result<()> {
    status(npm(&root().join("ui")).args(["run", "build"]))
}

fn tauri_driver() -> Result<PathBuf> {
    let bin = root().join(".tools/bin/tauri-driver");
    if !bin.exists() {
        status(cargo().args([
            "install",
            "tauri-driver",
            "--version",
            "2.1.0",
            "--locked",
            "--root",
            ".tools",
        ]))?;
    }
    Ok(bin)
}

fn run() -> Result<()> {
    deps::ensure()?;
    npm_install(false)?;
    build_ui()?;
    status(cargo().args(["build", "-p", "appligarde", "-p", "appligarde-cli"]))?;
    let demo = root().join("target/demo");
    let data = demo.join("data");
    let key = demo.join("demo.key");
    let target = root().join("target/debug");
    if !data.join("appligarde.db").exists() {
        println!(
            "Installation de la MMG de démonstration dans {}",
            data.display()
        );
        status(
            Command::new(target.join("appligarde-cli"))
                .arg("--data-dir")
                .arg(&data)
                .arg("--key-file")
                .arg(&key)
                .args(["demo", "seed", "--consultations", "120"]),
        )?;
    }
    println!(
        "Démarrage d'Appligarde sur la MMG de démonstration ({})",
        data.display()
    );
    println!("Comptes de démonstration : choisissez un nom ; mot de passe « garde-demo ».");
    status(
        Command::new(target.join("appligarde"))
            .arg("--data-dir")
            .arg(&data)
            .arg("--key-file")
            .arg(&key),
    )
}

/// `cargo xtask package [--check]`: builds the packages; `--check` also runs the checks that
/// `cargo xtask test` runs on them.
fn package_command(option: Option<&str>) -> Result<()> {
    let check = match option {
        None => false,
        Some("--check") => true,
        Some(other) => bail!("cargo xtask package [--check]: unknown option {other}"),
    };
    deps::ensure()?;
    npm_install(false)?;
    build_ui()?;
    if !check {
        return package::build().map(drop);
    }
    let mut tally = Tally::default();
    packages(&mut tally)?;
    println!("\n{}", tally.report());
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

fn gen_types() -> Result<()> {
    status(
        cargo()
            .args(["test", "-p", "appligarde-api", "--test", "bindings"])
            .env("APPLIGARDE_UPDATE_BINDINGS", "1"),
    )
}

fn layering_check(option: Option<&str>) -> Result<()> {
    let show_edges = match option {
        None => false,
        Some("--edges") => true,
        Some(other) => bail!("cargo xtask layering [--edges]: unknown option {other}"),
    };
    if !layering::run(&root(), &mut cargo(), show_edges)? {
        std::process::exit(1);
    }
    Ok(())
}

fn test() -> Result<()> {
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    tally.start_clock();
    deps::ensure()?;
    npm_install(true)?;
    tally.note("installation des outils (paquets Debian, npm)");

    // The shell embeds ui/dist at compile time, so the UI is built before anything compiles it.
    tally.check(
        "UI build (vite)",
        npm(&root().join("ui")).args(["run", "build"]),
    );
    tally.check(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--check"]),
    );
    tally.check_in_process("layering (crate dependencies, module cycles)", || {
        layering::run(&root(), &mut cargo(), false)
    });
    tally.check(
        "cargo clippy -D warnings",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]),
    );

    {
        let pg =
            postgres::TempPostgres::start().context("temporary PostgreSQL for the hub tests")?;
        tally.cargo_tests(
            "cargo test --workspace",
            // --no-fail-fast: every test binary runs and is counted, even after a failure.
            cargo()
                .args(["test", "--workspace", "--locked", "--no-fail-fast"])
                .env("APPLIGARDE_TEST_DATABASE_URL", &pg.url),
        );
        pg.stop()?;
    }

    tally.check(
        "svelte-check",
        npm(&root().join("ui")).args(["run", "check"]),
    );
    tally.vitest("vitest (UI unit tests)", &root().join("ui"));

    let built = tally.check(
        "build of the desktop app, the CLI and the hub",
        cargo().args([
            "build",
            "-p",
            "appligarde",
            "-p",
            "appligarde-cli",
            "-p",
            "appligarde-hub",
        ]),
    );
    if built {
        let pg =
            postgres::TempPostgres::start().context("temporary PostgreSQL for the hub fuzzing")?;
        if let Err(error) = fuzz::run(&root(), &mut tally, &pg) {
            eprintln!("schemathesis sur le hub : {error:#}");
            tally.check_in_process("schemathesis sur le hub (mise en place)", || Ok(false));
        }
        pg.stop()?;
    }
    if built {
        let driver = tauri_driver()?;
        let target = root().join("target/debug");
        tally.node_tests(
            "desktop end-to-end (tauri-driver, WebKitWebDriver, Xvfb)",
            Command::new("dbus-run-session")
                .current_dir(root())
                .args(["--", "bash", "tests/desktop/run.sh"])
                .env("TAURI_DRIVER", driver)
                .env("APPLIGARDE_APP", target.join("appligarde"))
                .env("APPLIGARDE_CLI", target.join("appligarde-cli"))
                // The sync test starts the real hub on its own throw-away PostgreSQL.
                .env("APPLIGARDE_HUB", target.join("appligarde-hub"))
                .env("NO_AT_BRIDGE", "1"),
        );
        tally.node_tests(
            "browser tests (Playwright, Chromium)",
            Command::new("node")
                .current_dir(root())
                .args([
                    "--test",
                    "--test-reporter=tap",
                    "--test-concurrency=1",
                    "tests/browser/",
                ])
                .env("APPLIGARDE_CLI", target.join("appligarde-cli"))
                // The hub dashboard test starts its own PostgreSQL (the one above is stopped).
                .env("APPLIGARDE_HUB", target.join("appligarde-hub"))
                .env("APPLIGARDE_UI_DIST", root().join("ui/dist")),
        );
    }

    packages(&mut tally)?;

    println!("\n{}", tally.report());
    println!("durée totale : {:.0} s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// `cargo xtask fuzz-hub`: builds the hub and runs only the schemathesis checks.
fn fuzz_hub() -> Result<()> {
    deps::ensure()?;
    status(cargo().args(["build", "-p", "appligarde-hub"]))?;
    let mut tally = Tally::default();
    let pg = postgres::TempPostgres::start().context("temporary PostgreSQL for the hub fuzzing")?;
    let result = fuzz::run(&root(), &mut tally, &pg);
    pg.stop()?;
    result?;
    println!("\n{}", tally.report());
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// The Debian packages, built once in release, then checked: lintian, the hub's contents, the
/// installed hub answering on a throw-away PostgreSQL, the installed desktop app's first screen.
fn packages(tally: &mut Tally) -> Result<()> {
    let mut built = None;
    tally.check_in_process("cargo xtask package (both .deb, release)", || {
        built = Some(package::build()?);
        Ok(true)
    });
    let Some(packages) = built else {
        return Ok(());
    };
    tally.check(
        "lintian appligarde (desktop package), no error",
        &mut package::lintian(&packages.desktop),
    );
    tally.check(
        "lintian appligarde-hub, no error",
        &mut package::lintian(&packages.hub),
    );
    tally.check_in_process("appligarde-hub package: unit, own user, conffile", || {
        package::check_hub_contents(&packages.hub)
    });
    {
        let pg =
            postgres::TempPostgres::start().context("temporary PostgreSQL for the packaged hub")?;
        tally.check_in_process("packaged hub migrates and answers /healthz", || {
            package::check_hub_starts(&packages.hub, &pg.url)
        });
        pg.stop()?;
    }
    tally.node_tests(
        "desktop package: the installed app's first screen (Xvfb)",
        Command::new("dbus-run-session")
            .current_dir(root())
            .args(["--", "bash", "tests/package/run.sh"])
            .env("TAURI_DRIVER", tauri_driver()?)
            .env("APPLIGARDE_DEB", &packages.desktop)
            .env("NO_AT_BRIDGE", "1"),
    );
    Ok(())
}

/// The named section of `cargo xtask bench` that is not a cargo bench target: the installed app's
/// start against the floor (`tests/package/start-bench.mjs`).
const START_BENCH: &str = "start";

fn bench(args: &[String]) -> Result<()> {
    deps::ensure()?;
    let report = root().join("target/bench-report.md");
    std::fs::create_dir_all(root().join("target"))?;
    std::fs::write(
        &report,
        format!(
            "# Appligarde benchmarks\n\nEach figure is compared with a baseline measured in the same run.\n\
             Machine: {} cores.\n\n",
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        ),
    )?;
    let filter = args.first().map(String::as_str);
    if filter != Some(START_BENCH) {
        cargo_benches(filter, &report)?;
    }
    if filter.is_none() || filter == Some(START_BENCH) {
        start_bench(&report)?;
    }
    println!("\nRapport des benchmarks : {}", report.display());
    Ok(())
}

/// The cargo bench targets: one named target, or all of them.
fn cargo_benches(filter: Option<&str>, report: &Path) -> Result<()> {
    let pg =
        postgres::TempPostgres::start().context("temporary PostgreSQL for the hub benchmarks")?;
    let mut cmd = cargo();
    // The desktop shell and the floor have no benchmark; excluding them spares a build of Tauri.
    cmd.args([
        "bench",
        "--workspace",
        "--exclude",
        "appligarde",
        "--exclude",
        "appligarde-bench-floor",
        "--locked",
    ])
    .env("APPLIGARDE_BENCH_REPORT", report)
    .env("APPLIGARDE_TEST_DATABASE_URL", &pg.url);
    // One named bench target, or every bench target (never the unit tests in bench mode).
    match filter {
        Some(filter) => cmd.args(["--bench", filter]),
        None => cmd.arg("--benches"),
    };
    let result = status(&mut cmd);
    pg.stop()?;
    result
}

/// The installed desktop app's start and memory against the floor (`benches/floor`), both in
/// release: the desktop package as `cargo xtask package` makes it, and the floor built with it in
/// one cargo invocation (one set of features, so that the floor adds only its own crate).
fn start_bench(report: &Path) -> Result<()> {
    npm_install(false)?;
    build_ui()?;
    status(cargo().args([
        "build",
        "--release",
        "--locked",
        "-p",
        "appligarde",
        "-p",
        "appligarde-cli",
        "-p",
        "appligarde-hub",
        "-p",
        "appligarde-bench-floor",
    ]))?;
    let packages = package::build()?;
    let floor = package::cargo_target_dir().join("release/appligarde-bench-floor");
    status(
        Command::new("dbus-run-session")
            .current_dir(root())
            .args([
                "--",
                // Bounded: twenty starts of at most a minute each, and the seeding.
                "timeout",
                "1800",
                "xvfb-run",
                "-a",
                "-s",
                "-screen 0 1400x900x24",
                "node",
                "tests/package/start-bench.mjs",
            ])
            .env("TAURI_DRIVER", tauri_driver()?)
            .env("APPLIGARDE_DEB", &packages.desktop)
            .env("APPLIGARDE_FLOOR", floor)
            .env("APPLIGARDE_BENCH_REPORT", report)
            // As tests/package/run.sh: software rendering under Xvfb, no accessibility bus.
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("NO_AT_BRIDGE", "1"),
    )
}
