//! An unauthenticated login flood against a real hub process, against the same hub idle.
//!
//! The release `appligarde-hub` binary serves a fresh database of the PostgreSQL server of
//! `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask bench`) on 127.0.0.1:0. Baseline: 10 s
//! idle, `/healthz` asked every 20 ms. Floods: 30 s of 48 concurrent clients posting wrong
//! passwords (for `admin`, which exists, and for unknown logins) as fast as the hub answers, all
//! from 127.0.0.1, then each from its own loopback address (a distributed attacker, past the
//! per-address limits), while `/healthz` is asked the same way. Reported: the hub's peak resident
//! memory and the p50/p99 of `/healthz` in each phase, as ratios to idle, and what the logins got.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::BufRead as _;
use std::net::{IpAddr, Ipv4Addr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio_postgres::NoTls;

const IDLE: Duration = Duration::from_secs(10);
const FLOOD: Duration = Duration::from_secs(30);
const FLOOD_CLIENTS: usize = 48;
const PROBE_EVERY: Duration = Duration::from_millis(20);

type Http = HttpClient<HttpConnector, Full<Bytes>>;

fn main() -> anyhow::Result<()> {
    let server = std::env::var("APPLIGARDE_TEST_DATABASE_URL").map_err(|_| {
        anyhow::anyhow!(
            "APPLIGARDE_TEST_DATABASE_URL is not set: run `cargo xtask bench login_flood`"
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(run(&server))?;
    print!("{report}");
    if let Ok(path) = std::env::var("APPLIGARDE_BENCH_REPORT") {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        file.write_all(report.as_bytes())?;
    }
    Ok(())
}

fn with_database(url: &str, name: &str) -> String {
    let base = url.split_once('?').map_or(url, |(b, _)| b);
    let start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[start..].find('/') {
        Some(slash) => &base[..start + slash],
        None => base,
    };
    format!("{server}/{name}")
}

/// The hub process; killed when dropped.
struct HubProcess {
    child: Child,
    address: String,
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hub_binary() -> &'static str {
    env!("CARGO_BIN_EXE_appligarde-hub")
}

fn start_hub(database_url: &str) -> anyhow::Result<HubProcess> {
    let mut child = Command::new(hub_binary())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("APPLIGARDE_HUB_DATABASE_URL", database_url)
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line)?;
    let address = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or_else(|| anyhow::anyhow!("the hub did not start: {line}"))?
        .to_owned();
    Ok(HubProcess { child, address })
}

/// A field of `/proc/PID/status` in KiB (`VmRSS`, `VmHWM`).
fn proc_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim_start_matches(':').split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Asks `/healthz` every [`PROBE_EVERY`] until `stop`; the latencies, and the peak RSS seen.
async fn probe(
    http: Http,
    address: String,
    pid: u32,
    stop: Arc<AtomicBool>,
) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::new();
    let mut peak_rss = 0;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        let request = Request::get(format!("http://{address}/healthz"))
            .body(Full::new(Bytes::new()))
            .unwrap();
        let ok = match http.request(request).await {
            Ok(response) => {
                let status = response.status();
                let _ = response.into_body().collect().await;
                status.is_success()
            }
            Err(_) => false,
        };
        // A failed probe counts as the slowest possible answer of this phase's length.
        latencies.push(if ok { started.elapsed() } else { FLOOD });
        peak_rss = peak_rss.max(proc_kib(pid, "VmRSS"));
        tokio::time::sleep(PROBE_EVERY).await;
    }
    (latencies, peak_rss)
}

/// One flooding client: wrong logins as fast as answered until `stop`; its answers by status.
async fn flood_client(
    http: Http,
    address: String,
    client: usize,
    stop: Arc<AtomicBool>,
) -> BTreeMap<u16, u64> {
    let mut statuses = BTreeMap::new();
    let mut attempt = 0u64;
    while !stop.load(Ordering::Relaxed) {
        attempt += 1;
        let login = if attempt.is_multiple_of(2) {
            "admin".to_owned()
        } else {
            format!("inconnu{client}-{attempt}")
        };
        let body = serde_json::json!({"login": login, "password": format!("essai {attempt}")});
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("http://{address}/api/v1/login"))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(serde_json::to_vec(&body).unwrap())))
            .unwrap();
        let status = match http.request(request).await {
            Ok(response) => {
                let status = response.status().as_u16();
                let _ = response.into_body().collect().await;
                status
            }
            Err(_) => 0,
        };
        *statuses.entry(status).or_default() += 1;
    }
    statuses
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn run(server: &str) -> anyhow::Result<String> {
    let name = format!("hub_bench_flood_{}", std::process::id());
    let (client, connection) = tokio_postgres::connect(server, NoTls).await?;
    tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await?;
    let database_url = with_database(server, &name);
    // The account the flood guesses at, made the operators' way.
    let mut admin = Command::new(hub_binary())
        .args([
            "admin",
            "create-user",
            "--login",
            "admin",
            "--role",
            "urml-admin",
        ])
        .env("APPLIGARDE_HUB_DATABASE_URL", &database_url)
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    {
        use std::io::Write as _;
        admin
            .stdin
            .take()
            .unwrap()
            .write_all(b"un mot de passe assez long\n")?;
    }
    anyhow::ensure!(admin.wait()?.success(), "admin create-user failed");

    let hub = start_hub(&database_url)?;
    let pid = hub.child.id();
    let http: Http = HttpClient::builder(TokioExecutor::new()).build_http();

    // Idle baseline.
    let stop = Arc::new(AtomicBool::new(false));
    let idle_probe = tokio::spawn(probe(http.clone(), hub.address.clone(), pid, stop.clone()));
    tokio::time::sleep(IDLE).await;
    stop.store(true, Ordering::Relaxed);
    let (mut idle_latencies, idle_rss) = idle_probe.await?;
    let idle_peak = proc_kib(pid, "VmHWM").max(idle_rss);

    // Floods: from one address (one attacker), then from 48 (a distributed one, each address
    // with its own rate limit and throttling, so many more passwords are checked).
    let one = flood(&http, &hub.address, pid, false).await?;
    let many = flood(&http, &hub.address, pid, true).await?;
    let overall_peak = proc_kib(pid, "VmHWM");
    let after_rss = proc_kib(pid, "VmRSS");
    drop(hub);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;

    idle_latencies.sort();
    let (idle_p50, idle_p99) = (
        percentile(&idle_latencies, 0.50),
        percentile(&idle_latencies, 0.99),
    );
    let mut out = String::new();
    writeln!(out, "\n## Hub: unauthenticated login flood\n")?;
    writeln!(
        out,
        "The release hub process on 127.0.0.1; {FLOOD_CLIENTS} clients post wrong passwords \
         (half for `admin`, half for unknown logins) for {} s as fast as answered, first all \
         from 127.0.0.1, then each from its own address (127.0.0.10 and up); baseline: the same \
         hub idle for {} s. `/healthz` is asked every {} ms in every phase; RSS is sampled with \
         each probe.\n",
        FLOOD.as_secs(),
        IDLE.as_secs(),
        PROBE_EVERY.as_millis()
    )?;
    writeln!(
        out,
        "| phase | peak RSS | / idle | `/healthz` p50 | / idle | `/healthz` p99 | / idle | probes |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    writeln!(
        out,
        "| idle | {:.1} MiB | 1 | {:.2} ms | 1 | {:.2} ms | 1 | {} |",
        idle_peak as f64 / 1024.0,
        ms(idle_p50),
        ms(idle_p99),
        idle_latencies.len()
    )?;
    for (label, phase) in [("flood, 1 address", &one), ("flood, 48 addresses", &many)] {
        let mut latencies = phase.latencies.clone();
        latencies.sort();
        let (p50, p99) = (percentile(&latencies, 0.50), percentile(&latencies, 0.99));
        writeln!(
            out,
            "| {label} | {:.1} MiB | {:.2} | {:.2} ms | {:.1} | {:.2} ms | {:.1} | {} |",
            phase.peak_rss as f64 / 1024.0,
            phase.peak_rss as f64 / idle_peak.max(1) as f64,
            ms(p50),
            ms(p50) / ms(idle_p50).max(0.001),
            ms(p99),
            ms(p99) / ms(idle_p99).max(0.001),
            latencies.len()
        )?;
    }
    writeln!(out)?;
    for (label, phase) in [("1 address", &one), ("48 addresses", &many)] {
        let total: u64 = phase.statuses.values().sum();
        writeln!(
            out,
            "- Login answers, {label}: {total} ({:.0}/s); {}.",
            total as f64 / FLOOD.as_secs_f64(),
            phase
                .statuses
                .iter()
                .map(|(status, count)| {
                    let label = if *status == 0 {
                        "connection errors".to_owned()
                    } else {
                        status.to_string()
                    };
                    format!("{label}: {count}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    writeln!(
        out,
        "- Peak RSS of the whole run (VmHWM): {:.1} MiB; RSS after the floods: {:.1} MiB.",
        overall_peak as f64 / 1024.0,
        after_rss as f64 / 1024.0
    )?;
    Ok(out)
}

/// What one flood phase saw.
struct Phase {
    latencies: Vec<Duration>,
    peak_rss: u64,
    statuses: BTreeMap<u16, u64>,
}

/// [`FLOOD_CLIENTS`] clients for [`FLOOD`], from 127.0.0.1 or each from its own address, while
/// `/healthz` is probed.
async fn flood(http: &Http, address: &str, pid: u32, own_addresses: bool) -> anyhow::Result<Phase> {
    let stop = Arc::new(AtomicBool::new(false));
    let probe = tokio::spawn(probe(http.clone(), address.to_owned(), pid, stop.clone()));
    let clients: Vec<_> = (0..FLOOD_CLIENTS)
        .map(|client| {
            // Each flooding client has its own connection pool, like separate programs.
            let mut connector = HttpConnector::new();
            if own_addresses {
                let last = u8::try_from(10 + client).unwrap_or(u8::MAX);
                connector.set_local_address(Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))));
            }
            let own: Http = HttpClient::builder(TokioExecutor::new()).build(connector);
            tokio::spawn(flood_client(own, address.to_owned(), client, stop.clone()))
        })
        .collect();
    tokio::time::sleep(FLOOD).await;
    stop.store(true, Ordering::Relaxed);
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for client in clients {
        for (status, count) in client.await? {
            *statuses.entry(status).or_default() += count;
        }
    }
    let (latencies, peak_rss) = probe.await?;
    Ok(Phase {
        latencies,
        peak_rss,
        statuses,
    })
}
