//! What the sync tests share: a database of their own on the test PostgreSQL, the real hub
//! binary (started, killed, restarted), its operators' CLI, a fault-injecting proxy, and
//! desktops (a real store and API in a temporary directory, with the real sync client).
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appligarde_api::{Api, ApiConfig, FixedClock};
use appligarde_protocol::{DailyCounts, DailyStats, PdsaSlot};
use appligarde_store::{KeySource, Store};
use appligarde_sync::{Options, Synchroniseur};
use chrono::{NaiveDate, NaiveDateTime, TimeZone as _};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DATABASE_URL_VAR: &str = "APPLIGARDE_TEST_DATABASE_URL";

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// A fresh database on the test server, so that tests never see each other's rows.
pub async fn fresh_database(prefix: &str) -> String {
    let server = std::env::var(DATABASE_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{DATABASE_URL_VAR} is not set: the sync tests need a PostgreSQL server. Run them \
             with `cargo xtask test`, which starts a temporary one."
        )
    });
    let name = format!("{prefix}_{:016x}", rand::random::<u64>());
    let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .unwrap();
    let task = tokio::spawn(connection);
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    drop(client);
    let _ = task.await;
    with_database(&server, &name)
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

// ---------------------------------------------------------------------------------------------
// The hub binary

/// `appligarde-hub` from the same target directory as this test (built by `cargo test
/// --workspace`); built here when it is missing.
pub fn hub_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("APPLIGARDE_HUB_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/sync-xxxx -> target/debug
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_owned();
    let binary = profile_dir.join(format!("appligarde-hub{}", std::env::consts::EXE_SUFFIX));
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    if !*built {
        // Always ask cargo: it rebuilds the hub only when its sources changed.
        let target_dir = profile_dir.parent().unwrap();
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "-p", "appligarde-hub", "--bin", "appligarde-hub"])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
            .status()
            .unwrap();
        assert!(status.success(), "the hub binary must build");
        *built = true;
    }
    assert!(binary.is_file(), "{} must exist", binary.display());
    binary
}

/// The hub server, a child process.
pub struct Hub {
    pub database_url: String,
    pub address: SocketAddr,
    child: Child,
}

impl Hub {
    /// Starts `appligarde-hub serve` on 127.0.0.1:0 and waits for its "listening on" line.
    pub fn start(database_url: &str) -> Hub {
        Hub::start_with(database_url, &[])
    }

    /// [`Hub::start`] with more arguments for `serve` (`--sauvegardes DIR`...).
    pub fn start_with(database_url: &str, args: &[&str]) -> Hub {
        let mut child = Command::new(hub_binary())
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url"])
            .arg(database_url)
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(address) = line.strip_prefix("listening on ") {
                    let _ = tx.send(address.trim().parse::<SocketAddr>().unwrap());
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(120))
            .expect("the hub prints its address when it listens");
        Hub {
            database_url: database_url.to_owned(),
            address,
            child,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Kills the server at once (SIGKILL: requests in flight are cut).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kills it and starts a new one on the same database (a new port).
    pub fn restart(&mut self) {
        self.kill();
        *self = Hub::start(&self.database_url.clone());
    }

    /// Runs `appligarde-hub admin ARGS --json` and parses what it prints.
    pub fn admin(&self, args: &[&str]) -> serde_json::Value {
        admin(&self.database_url, args, None)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs an operator command of the hub against `database_url`.
pub fn admin(database_url: &str, args: &[&str], stdin: Option<&str>) -> serde_json::Value {
    let mut child = Command::new(hub_binary())
        .arg("admin")
        .args(args)
        .arg("--database-url")
        .arg(database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "appligarde-hub admin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(text.trim()).unwrap_or(serde_json::Value::String(text))
}

/// A new MMG: its id.
pub fn create_mmg(hub: &Hub, departement: &str, name: &str) -> String {
    let mmg = hub.admin(&[
        "create-mmg",
        "--departement",
        departement,
        "--name",
        name,
        "--json",
    ]);
    mmg["id"].as_str().unwrap().to_owned()
}

/// A one-time enrollment code for `mmg`.
pub fn enroll_code(hub: &Hub, mmg: &str) -> String {
    let code = hub.admin(&["enroll-code", "--mmg", mmg, "--json"]);
    code["code"].as_str().unwrap().to_owned()
}

/// A URML admin's session token.
pub async fn admin_token(hub: &Hub) -> String {
    let login = format!("urml{:08x}", rand::random::<u32>());
    admin(
        &hub.database_url,
        &[
            "create-user",
            "--login",
            &login,
            "--role",
            "urml-admin",
            "--json",
        ],
        Some("un mot de passe assez long\n"),
    );
    let answer: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/login", hub.url()))
        .json(&serde_json::json!({"login": login, "password": "un mot de passe assez long"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// The hub's figures for `departement` over `from..=to`: (MMG, date, slot) -> counts.
pub async fn hub_totals(
    hub: &Hub,
    token: &str,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<(String, NaiveDate, PdsaSlot), DailyCounts> {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/stats/daily?departement={departement}&from={from}&to={to}",
            hub.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let stats: DailyStats = response.json().await.unwrap();
    stats
        .days
        .into_iter()
        .map(|d| ((d.mmg_id, d.date, d.slot), d.counts))
        .filter(|(_, counts)| *counts != DailyCounts::default())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The fault-injecting proxy

/// What the proxy did, by kind.
#[derive(Debug, Default)]
pub struct FaultCounts {
    pub passed: AtomicU64,
    pub dropped_before: AtomicU64,
    pub dropped_after: AtomicU64,
    pub error_500_before: AtomicU64,
    pub error_500_after: AtomicU64,
    pub cut_mid_response: AtomicU64,
    pub duplicated: AtomicU64,
    pub delayed: AtomicU64,
    pub upstream_down: AtomicU64,
}

impl FaultCounts {
    pub fn summary(&self) -> BTreeMap<&'static str, u64> {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        BTreeMap::from([
            ("passed", get(&self.passed)),
            ("dropped_before", get(&self.dropped_before)),
            ("dropped_after", get(&self.dropped_after)),
            ("error_500_before", get(&self.error_500_before)),
            ("error_500_after", get(&self.error_500_after)),
            ("cut_mid_response", get(&self.cut_mid_response)),
            ("duplicated", get(&self.duplicated)),
            ("delayed", get(&self.delayed)),
            ("upstream_down", get(&self.upstream_down)),
        ])
    }
}

/// A TCP proxy on 127.0.0.1 between the desktops and the hub. Each connection carries one HTTP
/// request (the proxy answers with `Connection: close`); when faults are on, each request
/// meets at random one of: dropped before reaching the hub, delayed, answered 500 without
/// reaching the hub, sent to the hub twice (duplicate), answered 500 or dropped after the hub
/// did the work, or its answer cut in the middle.
pub struct Proxy {
    pub address: SocketAddr,
    upstream: Arc<Mutex<SocketAddr>>,
    faults: Arc<AtomicBool>,
    /// When false, every connection is refused (no network).
    online: Arc<AtomicBool>,
    pub counts: Arc<FaultCounts>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(upstream: SocketAddr, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let upstream = Arc::new(Mutex::new(upstream));
        let faults = Arc::new(AtomicBool::new(false));
        let online = Arc::new(AtomicBool::new(true));
        let counts = Arc::new(FaultCounts::default());
        let rng = Arc::new(Mutex::new(StdRng::seed_from_u64(seed)));
        let task = {
            let (upstream, faults, online, counts) = (
                upstream.clone(),
                faults.clone(),
                online.clone(),
                counts.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        continue;
                    };
                    if !online.load(Ordering::SeqCst) {
                        drop(client);
                        continue;
                    }
                    let target = *upstream.lock().unwrap();
                    let fault = if faults.load(Ordering::SeqCst) {
                        Fault::draw(&mut rng.lock().unwrap())
                    } else {
                        Fault::None
                    };
                    let counts = counts.clone();
                    tokio::spawn(async move {
                        let _ = serve(client, target, fault, &counts).await;
                    });
                }
            })
        };
        Proxy {
            address,
            upstream,
            faults,
            online,
            counts,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn set_upstream(&self, address: SocketAddr) {
        *self.upstream.lock().unwrap() = address;
    }

    pub fn set_faults(&self, on: bool) {
        self.faults.store(on, Ordering::SeqCst);
    }

    pub fn set_online(&self, on: bool) {
        self.online.store(on, Ordering::SeqCst);
    }
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    DropBefore,
    Delay(u64),
    Error500Before,
    Duplicate,
    DropAfter,
    Error500After,
    /// Keep this fraction (per mille) of the answer.
    CutMidResponse(u32),
}

impl Fault {
    fn draw(rng: &mut StdRng) -> Fault {
        match rng.random_range(0..100) {
            0..40 => Fault::None,
            40..48 => Fault::DropBefore,
            48..58 => Fault::Delay(rng.random_range(1..60)),
            58..66 => Fault::Error500Before,
            66..78 => Fault::Duplicate,
            78..85 => Fault::DropAfter,
            85..92 => Fault::Error500After,
            _ => Fault::CutMidResponse(rng.random_range(0..1000)),
        }
    }
}

/// Reads one HTTP/1.1 request (head and `Content-Length` body).
async fn read_request(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buffer.len() >= end + 4 + length {
                buffer.truncate(end + 4 + length);
                return Ok(buffer);
            }
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `message` with `Connection: close` added after its first line.
fn with_close(message: &[u8]) -> Vec<u8> {
    match find(message, b"\r\n") {
        Some(i) => [
            &message[..i + 2],
            b"Connection: close\r\n",
            &message[i + 2..],
        ]
        .concat(),
        None => message.to_vec(),
    }
}

/// Sends `request` to the hub on a new connection and reads its whole answer.
async fn forward(target: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut upstream = TcpStream::connect(target).await?;
    upstream.write_all(&with_close(request)).await?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer).await?;
    if answer.is_empty() {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(answer)
}

const ERROR_500: &[u8] = b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: 58\r\nconnection: close\r\n\r\n{\"code\":\"internal\",\"message\":\"Erreur interne (proxy).\"}  ";

async fn serve(
    mut client: TcpStream,
    target: SocketAddr,
    fault: Fault,
    counts: &FaultCounts,
) -> std::io::Result<()> {
    let request = read_request(&mut client).await?;
    let bump = |a: &AtomicU64| a.fetch_add(1, Ordering::Relaxed);
    match fault {
        Fault::DropBefore => {
            bump(&counts.dropped_before);
            return Ok(());
        }
        Fault::Error500Before => {
            bump(&counts.error_500_before);
            client.write_all(ERROR_500).await?;
            return client.shutdown().await;
        }
        Fault::Delay(ms) => {
            bump(&counts.delayed);
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        _ => {}
    }
    let answer = match forward(target, &request).await {
        Ok(answer) => answer,
        Err(_) => {
            // The hub is down (being restarted): the desktop sees a dropped connection.
            bump(&counts.upstream_down);
            return Ok(());
        }
    };
    let answer = match fault {
        Fault::Duplicate => {
            bump(&counts.duplicated);
            match forward(target, &request).await {
                Ok(second) => second,
                Err(_) => return Ok(()),
            }
        }
        _ => answer,
    };
    match fault {
        Fault::DropAfter => {
            bump(&counts.dropped_after);
            Ok(())
        }
        Fault::Error500After => {
            bump(&counts.error_500_after);
            client.write_all(ERROR_500).await?;
            client.shutdown().await
        }
        Fault::CutMidResponse(per_mille) => {
            bump(&counts.cut_mid_response);
            let keep = answer.len() * per_mille as usize / 1000;
            client
                .write_all(&answer[..keep.min(answer.len() - 1)])
                .await?;
            client.shutdown().await
        }
        _ => {
            if matches!(fault, Fault::None) {
                bump(&counts.passed);
            }
            client.write_all(&with_close(&answer)).await?;
            client.shutdown().await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Desktops

/// Options of the client in tests: short waits, many attempts, a seeded jitter.
pub fn test_options(seed: u64) -> Options {
    Options {
        essais_max: 12,
        attente_base: Duration::from_millis(5),
        attente_max: Duration::from_millis(80),
        taille_lot: 200,
        graine: Some(seed),
        ..Options::default()
    }
}

/// A desktop: a real store and API in a temporary directory, and the real sync client.
pub struct Desktop {
    pub dir: tempfile::TempDir,
    pub config: ApiConfig,
    pub api: Arc<Api>,
    pub sync: Arc<Synchroniseur>,
    /// A second connection to the store, as another program writing the same database.
    writer: Mutex<Store>,
    patients: Vec<i64>,
    next_uid: u64,
}

/// Local time `now` of the desktops' fixed clock.
pub fn fixed_clock(now: NaiveDateTime) -> Arc<FixedClock> {
    let utc = chrono_tz::Europe::Paris
        .from_local_datetime(&now)
        .single()
        .unwrap()
        .with_timezone(&chrono::Utc);
    Arc::new(FixedClock(utc))
}

impl Desktop {
    pub fn new(now: NaiveDateTime, seed: u64) -> Desktop {
        Desktop::with_options(now, test_options(seed))
    }

    pub fn with_options(now: NaiveDateTime, options: Options) -> Desktop {
        let dir = tempfile::tempdir().unwrap();
        let config = ApiConfig {
            data_dir: dir.path().join("data"),
            key: KeySource::File(dir.path().join("cle.hex")),
        };
        Desktop::open(dir, config, now, options, 0)
    }

    /// Opens the store of `config` (made when missing) with its API and sync client; the test
    /// patients are added when the store has none.
    fn open(
        dir: tempfile::TempDir,
        config: ApiConfig,
        now: NaiveDateTime,
        options: Options,
        next_uid: u64,
    ) -> Desktop {
        let api = Arc::new(Api::open_with_clock(&config, fixed_clock(now)).unwrap());
        let sync = Arc::new(Synchroniseur::new(&config, options));
        api.brancher_hub(sync.clone());
        let writer = Mutex::new(Store::open(&config.data_dir, &config.key).unwrap());
        let mut desktop = Desktop {
            dir,
            config,
            api,
            sync,
            writer,
            patients: Vec::new(),
            next_uid,
        };
        desktop.patients = desktop.write(|tx| {
            let mut stmt = tx.prepare("SELECT id FROM patient ORDER BY id")?;
            let ids = stmt
                .query_map([], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ids)
        });
        if !desktop.patients.is_empty() {
            return desktop;
        }
        desktop.patients = desktop.write(|tx| {
            let mut ids = Vec::new();
            for (i, (sexe, naissance)) in [
                ("F", "1950-03-01"),
                ("M", "1988-07-14"),
                ("F", "2021-01-09"),
                ("I", "2010-05-05"),
            ]
            .into_iter()
            .enumerate()
            {
                tx.execute(
                    "INSERT INTO patient (nom, prenom, sexe, date_naissance, created_at, code_insee)
                     VALUES (?1, 'Test', ?2, ?3, '2026-01-01T00:00:00Z', '44109')",
                    (format!("PATIENT{i}"), sexe, naissance),
                )?;
                ids.push(tx.last_insert_rowid());
            }
            Ok(ids)
        });
        desktop
    }

    /// Runs `f` in one transaction on a second connection to this desktop's store (what
    /// another program writing the same database does); the triggers bump the revisions.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, appligarde_store::StoreError>,
    ) -> T {
        self.writer.lock().unwrap().write(f).unwrap()
    }

    /// Adds consultations arrived at `arrivees` (one transaction), with random arrival modes,
    /// places and durations; their ids.
    pub fn add_consultations(&mut self, arrivees: &[NaiveDateTime], rng: &mut StdRng) -> Vec<i64> {
        const MODES: [&str; 5] = [
            "regule_centre15",
            "regule_116117",
            "spontane",
            "adresse_medecin",
            "autre",
        ];
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let mut rows = Vec::new();
        for &arrivee in arrivees {
            self.next_uid += 1;
            let uid = format!("c-{}-{}", self.next_uid, rng.random::<u32>());
            let patient = self.patients[rng.random_range(0..self.patients.len())];
            let mode = MODES[rng.random_range(0..MODES.len())];
            let lieu = if rng.random_bool(0.2) {
                "domicile"
            } else {
                "mmg"
            };
            let debut = arrivee + chrono::Duration::minutes(rng.random_range(0..90));
            let fin = debut + chrono::Duration::minutes(rng.random_range(5..40));
            rows.push((uid, patient, fmt(arrivee), fmt(debut), fmt(fin), mode, lieu));
        }
        self.write(|tx| {
            let mut ids = Vec::new();
            for (uid, patient, arrivee, debut, fin, mode, lieu) in &rows {
                tx.execute(
                    "INSERT INTO consultation (uid, patient_id, arrivee, debut, fin, mode_arrivee,
                                               lieu, statut, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'cloturee', ?3, ?3)",
                    (uid, patient, arrivee, debut, fin, mode, lieu),
                )?;
                ids.push(tx.last_insert_rowid());
            }
            Ok(ids)
        })
    }

    /// A late edit: another arrival mode for consultation `id`.
    pub fn edit_consultation(&self, id: i64, rng: &mut StdRng) {
        let mode = if rng.random_bool(0.5) {
            "regule_sas"
        } else {
            "adresse_pharmacien"
        };
        self.write(|tx| {
            tx.execute(
                "UPDATE consultation SET mode_arrivee = ?1 WHERE id = ?2",
                (mode, id),
            )?;
            Ok(())
        });
    }

    /// The desktop's own figures over `from..=to`: (date, slot) -> counts, zero ones left out.
    pub fn totals(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BTreeMap<(NaiveDate, PdsaSlot), DailyCounts> {
        self.api
            .agregats_quotidiens(from, to)
            .unwrap()
            .into_iter()
            .filter(|a| a.counts != DailyCounts::default())
            .map(|a| ((a.date, a.slot), a.counts))
            .collect()
    }

    /// A verified backup of this desktop's store into `dir` (what its automatic backups make).
    pub fn backup(&self, dir: &std::path::Path, stamp: &str) -> PathBuf {
        self.writer
            .lock()
            .unwrap()
            .backup_to(dir, stamp)
            .unwrap()
            .path
    }

    /// This desktop after restoring `backup` on the same PC: the store is closed, the backup
    /// restored in its place through the API's restore (same key file), and opened again. The
    /// device token beside the key file is left as it was, like the OS keyring's entry.
    pub fn restored(self, backup: &std::path::Path, now: NaiveDateTime, options: Options) -> Self {
        let Desktop {
            dir,
            config,
            api,
            sync,
            writer,
            next_uid,
            ..
        } = self;
        drop(writer);
        drop(sync);
        drop(api);
        appligarde_api::sauvegarde::restore(backup, &config, None, "20260401-restauration")
            .unwrap();
        Desktop::open(dir, config, now, options, next_uid)
    }

    /// The device token this desktop keeps (file beside the key file).
    pub fn token(&self) -> Option<String> {
        appligarde_sync::CoffreJeton::pour(&self.config)
            .lire()
            .unwrap()
    }

    pub async fn enroll(&self, url: &str, code: &str) {
        self.sync
            .inscrire_async(&self.api, url, code)
            .await
            .unwrap();
    }

    pub fn mmg_id(&self) -> String {
        self.api.synchro_inscription().unwrap().unwrap().mmg_id
    }
}

/// The sum of several desktops' figures, as the hub should have them for one MMG.
pub fn sum_totals(
    mmg: &str,
    desktops: &[&BTreeMap<(NaiveDate, PdsaSlot), DailyCounts>],
) -> BTreeMap<(String, NaiveDate, PdsaSlot), DailyCounts> {
    let mut out: BTreeMap<(String, NaiveDate, PdsaSlot), DailyCounts> = BTreeMap::new();
    for totals in desktops {
        for ((date, slot), counts) in *totals {
            let entry = out.entry((mmg.to_owned(), *date, *slot)).or_default();
            add_counts(entry, counts);
        }
    }
    out
}

/// Adds `more` to `total` indicator by indicator (through JSON, so that no field is forgotten).
fn add_counts(total: &mut DailyCounts, more: &DailyCounts) {
    fn add(a: &mut serde_json::Value, b: &serde_json::Value) {
        match (a, b) {
            (serde_json::Value::Number(x), serde_json::Value::Number(y)) => {
                *x = (x.as_u64().unwrap() + y.as_u64().unwrap()).into();
            }
            (serde_json::Value::Array(x), serde_json::Value::Array(y)) => {
                for (a, b) in x.iter_mut().zip(y) {
                    add(a, b);
                }
            }
            (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
                for (k, b) in y {
                    match x.get_mut(k) {
                        Some(a) => add(a, b),
                        None => {
                            x.insert(k.clone(), b.clone());
                        }
                    }
                }
            }
            _ => panic!("counts of different shapes"),
        }
    }
    let mut a = serde_json::to_value(&*total).unwrap();
    add(&mut a, &serde_json::to_value(more).unwrap());
    *total = serde_json::from_value(a).unwrap();
}

/// A random local time within the `days` days before `now` (never after it).
pub fn random_time_before(now: NaiveDateTime, days: i64, rng: &mut StdRng) -> NaiveDateTime {
    let seconds = rng.random_range(60..days * 86_400);
    now - chrono::Duration::seconds(seconds)
}
