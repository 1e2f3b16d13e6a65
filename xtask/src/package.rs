//! `cargo xtask package`: the two Debian packages, built offline and in release, in `target/paquets/`.
//!
//! - `appligarde_<version>_amd64.deb`, the desktop app, is made by the Tauri bundler (`tauri bundle
//!   --bundles deb`, over the release build of the three binaries) from `src-tauri/tauri.conf.json`: the app, `appligarde-cli`, the desktop entry,
//!   the icons, the French description, the dependencies, the copyright and changelog files. The
//!   updater of a later version needs the package the Tauri bundler makes, hence no other tool.
//! - `appligarde-hub_<version>_amd64.deb`, the hub, is staged here from `packaging/hub/` (systemd
//!   unit, configuration file, maintainer scripts) and built with `dpkg-deb --root-owner-group`. Its
//!   shared-library dependencies come from `dpkg-shlibdeps`, as in any Debian package.
//!
//! Both share `packaging/copyright` (machine-readable) and a Debian changelog made from the version.
//! The checks of `cargo xtask test` (`lintian`, contents, the installed hub answering `/healthz`)
//! are here too; the installed desktop app is driven by `tests/package/`.

use anyhow::{Context, Result, bail};
use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{root, status};

/// The workspace's version (xtask shares it): the version of both packages.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const MAINTAINER: &str = "Équipe Appligarde <appligarde@urml-pdl.fr>";
const HUB: &str = "appligarde-hub";

/// The two packages built by `build`.
pub struct Packages {
    pub desktop: PathBuf,
    pub hub: PathBuf,
}

/// `target/paquets/` of the repository, where the packages are written.
pub fn out_dir() -> PathBuf {
    root().join("target/paquets")
}

/// Cargo's target directory (`CARGO_TARGET_DIR` when set, relative to the repository root).
pub fn cargo_target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Builds both packages; the UI (`ui/dist`) must have been built before.
pub fn build() -> Result<Packages> {
    let out = out_dir();
    let staged = out.join("fichiers");
    if staged.exists() {
        fs::remove_dir_all(&staged)?;
    }
    fs::create_dir_all(staged.join("appligarde"))?;
    // One build of the three binaries (one set of features, so nothing is compiled twice), then
    // `tauri bundle`, which packages what is built.
    status(crate::cargo().args([
        "build",
        "--release",
        "--locked",
        "-p",
        "appligarde",
        "-p",
        "appligarde-cli",
        "-p",
        HUB,
    ]))?;
    let release = cargo_target_dir().join("release");

    // The desktop: the files tauri.conf.json's `bundle.linux.deb.files` names under target/paquets.
    fs::copy(
        release.join("appligarde-cli"),
        staged.join("appligarde-cli"),
    )
    .context("copy of appligarde-cli")?;
    write_changelog("appligarde", &staged.join("appligarde/changelog.gz"))?;
    let tauri = root().join("ui/node_modules/.bin/tauri");
    status(
        Command::new(&tauri)
            .current_dir(root())
            .args(["bundle", "--bundles", "deb", "--ci"])
            .env("TAURI_APP_PATH", root().join("src-tauri"))
            .env("TAURI_FRONTEND_PATH", root().join("ui")),
    )?;
    let bundled = release.join(format!("bundle/deb/Appligarde_{VERSION}_amd64.deb"));
    let desktop = out.join(format!("appligarde_{VERSION}_amd64.deb"));
    fs::copy(&bundled, &desktop)
        .with_context(|| format!("copy of {} (made by tauri bundle)", bundled.display()))?;

    let hub = build_hub(&release.join(HUB), &out)?;
    println!("Paquets :\n  {}\n  {}", desktop.display(), hub.display());
    Ok(Packages { desktop, hub })
}

/// A Debian changelog of one entry for this version, compressed as Debian wants it (`gzip -9n`).
fn write_changelog(package: &str, dest: &Path) -> Result<()> {
    // The date of the last commit keeps the package reproducible; `date -R` outside a checkout.
    let date = output(
        Command::new("git")
            .current_dir(root())
            .args(["log", "-1", "--format=%aD"]),
    )
    .or_else(|_| output(Command::new("date").arg("-R")))?;
    let text = format!(
        "{package} ({VERSION}) unstable; urgency=medium\n\n  * Version {VERSION} d'Appligarde.\n\n -- {MAINTAINER}  {}\n",
        date.trim()
    );
    let mut gzip = Command::new("gzip")
        .args(["-9n", "-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start gzip")?;
    gzip.stdin
        .take()
        .context("gzip's stdin")?
        .write_all(text.as_bytes())?;
    let done = gzip.wait_with_output()?;
    if !done.status.success() {
        bail!("gzip failed");
    }
    fs::write(dest, done.stdout)?;
    Ok(())
}

/// Stdout of a command that must succeed.
fn output(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start {shown}"))?;
    if !out.status.success() {
        bail!("{shown} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Copies `from` to `to` (creating its folder) with the given mode.
fn install(from: &Path, to: &Path, mode: u32) -> Result<()> {
    if let Some(parent) = to.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::copy(from, to).with_context(|| format!("copy of {}", from.display()))?;
    fs::set_permissions(to, fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// Every folder of the tree 0755 (whatever the umask), every file's size summed.
fn normalise_tree(dir: &Path) -> Result<u64> {
    fs::set_permissions(dir, fs::Permissions::from_mode(0o755))?;
    let mut size = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            size += normalise_tree(&entry.path())?;
        } else {
            size += entry.metadata()?.len();
        }
    }
    Ok(size)
}

/// The `Depends` of the shared libraries a binary links, as `dpkg-shlibdeps` reads them.
fn shlibs_depends(binary: &Path, work: &Path) -> Result<String> {
    // dpkg-shlibdeps wants a source package's debian/control in its working directory.
    fs::create_dir_all(work.join("debian"))?;
    fs::write(
        work.join("debian/control"),
        format!("Source: appligarde\n\nPackage: {HUB}\nArchitecture: any\n"),
    )?;
    let line = output(
        Command::new("dpkg-shlibdeps")
            .current_dir(work)
            .arg("-O")
            .arg(binary),
    )?;
    line.trim()
        .strip_prefix("shlibs:Depends=")
        .map(str::to_owned)
        .with_context(|| format!("unexpected dpkg-shlibdeps output: {line}"))
}

/// Stages the hub's tree under `out/hub/` and builds its package with `dpkg-deb`.
fn build_hub(binary: &Path, out: &Path) -> Result<PathBuf> {
    let tree = out.join("hub");
    if tree.exists() {
        fs::remove_dir_all(&tree)?;
    }
    let files = root().join("packaging");
    let doc = tree.join(format!("usr/share/doc/{HUB}"));
    install(binary, &tree.join(format!("usr/bin/{HUB}")), 0o755)?;
    install(
        &files.join("hub/appligarde-hub.service"),
        &tree.join("lib/systemd/system/appligarde-hub.service"),
        0o644,
    )?;
    // Shipped 0644 (it holds no secret as shipped); postinst makes it 0640 root:appligarde-hub, since
    // the administrator may add a database password.
    install(
        &files.join("hub/appligarde-hub.conf"),
        &tree.join("etc/appligarde-hub/appligarde-hub.conf"),
        0o644,
    )?;
    install(&files.join("copyright"), &doc.join("copyright"), 0o644)?;
    install(
        &files.join("hub/README.Debian"),
        &doc.join("README.Debian"),
        0o644,
    )?;
    write_changelog(HUB, &doc.join("changelog.gz"))?;
    fs::set_permissions(doc.join("changelog.gz"), fs::Permissions::from_mode(0o644))?;

    let installed_kib = normalise_tree(&tree)?.div_ceil(1024);
    let control = tree.join("DEBIAN");
    fs::create_dir_all(&control)?;
    for script in ["postinst", "prerm", "postrm"] {
        install(
            &files.join("hub").join(script),
            &control.join(script),
            0o755,
        )?;
    }
    fs::write(
        control.join("conffiles"),
        "/etc/appligarde-hub/appligarde-hub.conf\n",
    )?;
    let depends = shlibs_depends(&tree.join(format!("usr/bin/{HUB}")), &out.join("shlibdeps"))?;
    fs::write(
        control.join("control"),
        format!(
            "Package: {HUB}\n\
             Version: {VERSION}\n\
             Architecture: amd64\n\
             Maintainer: {MAINTAINER}\n\
             Installed-Size: {installed_kib}\n\
             Depends: {depends}, adduser\n\
             Recommends: postgresql\n\
             Suggests: nginx | caddy\n\
             Section: net\n\
             Priority: optional\n\
             Description: hub des maisons médicales de garde Appligarde\n \
             Le serveur de l'URML auquel se synchronisent les postes Appligarde des\n \
             maisons médicales de garde : il reçoit leurs agrégats anonymes, publie les\n \
             fichiers de référence (RPPS, annuaire, tarifs, CIM-10) et sert le tableau\n \
             de bord régional.\n \
             .\n \
             Il tourne comme service systemd sous son propre utilisateur système, sur\n \
             une base PostgreSQL ; il en applique les migrations à chaque démarrage.\n \
             Le TLS est porté par un proxy inverse (nginx, Caddy) placé devant lui.\n"
        ),
    )?;
    let md5sums = output(Command::new("sh").current_dir(&tree).args([
        "-c",
        "find usr lib etc -type f -print0 | sort -z | xargs -0 md5sum",
    ]))?;
    fs::write(control.join("md5sums"), md5sums)?;
    for name in ["control", "conffiles", "md5sums"] {
        fs::set_permissions(control.join(name), fs::Permissions::from_mode(0o644))?;
    }
    fs::set_permissions(&control, fs::Permissions::from_mode(0o755))?;

    let deb = out.join(format!("{HUB}_{VERSION}_amd64.deb"));
    status(
        Command::new("dpkg-deb")
            .args(["--build", "--root-owner-group", "-Zxz"])
            .arg(&tree)
            .arg(&deb),
    )?;
    Ok(deb)
}

/// `lintian` on one package: passes with warnings, fails on any error.
pub fn lintian(deb: &Path) -> Command {
    let mut cmd = Command::new("lintian");
    // --allow-root: CI and the developer containers run as root; lintian only reads the package.
    cmd.args(["--fail-on", "error", "--allow-root", "--display-info"])
        .arg(deb);
    cmd
}

/// The hub package holds its unit (run as its own user, with the configuration file), its conffile
/// and the maintainer script that creates that user.
pub fn check_hub_contents(deb: &Path) -> Result<bool> {
    let listing = output(Command::new("dpkg-deb").arg("--contents").arg(deb))?;
    let mut ok = true;
    let mut expect = |what: &str, found: bool| {
        if !found {
            eprintln!("appligarde-hub package: {what} missing");
            ok = false;
        }
    };
    let entry = |path: &str, mode: &str| {
        listing.lines().any(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            fields.first() == Some(&mode)
                && fields.get(1) == Some(&"root/root")
                && fields.last() == Some(&path)
        })
    };
    expect(
        "/usr/bin/appligarde-hub (-rwxr-xr-x root)",
        entry("./usr/bin/appligarde-hub", "-rwxr-xr-x"),
    );
    expect(
        "the systemd unit",
        entry("./lib/systemd/system/appligarde-hub.service", "-rw-r--r--"),
    );
    expect(
        "the configuration file",
        entry("./etc/appligarde-hub/appligarde-hub.conf", "-rw-r--r--"),
    );
    expect(
        "the copyright file",
        entry("./usr/share/doc/appligarde-hub/copyright", "-rw-r--r--"),
    );
    expect(
        "the changelog",
        entry("./usr/share/doc/appligarde-hub/changelog.gz", "-rw-r--r--"),
    );

    let field = |name: &str| output(Command::new("dpkg-deb").arg("--field").arg(deb).arg(name));
    expect(
        "the configuration file declared as conffile",
        output(
            Command::new("dpkg-deb")
                .args(["--info"])
                .arg(deb)
                .arg("conffiles"),
        )?
        .lines()
        .any(|l| l.trim() == "/etc/appligarde-hub/appligarde-hub.conf"),
    );
    let depends = field("Depends")?;
    expect(
        "Depends on libc6 and adduser",
        depends.contains("libc6 (>=") && depends.contains("adduser"),
    );

    let unit = extracted_file(deb, "lib/systemd/system/appligarde-hub.service")?;
    expect(
        "User=appligarde-hub in the unit",
        unit.lines().any(|l| l == "User=appligarde-hub"),
    );
    expect(
        "EnvironmentFile= of the configuration in the unit",
        unit.lines()
            .any(|l| l == "EnvironmentFile=/etc/appligarde-hub/appligarde-hub.conf"),
    );
    expect(
        "ExecStart=/usr/bin/appligarde-hub serve (serve applies the migrations)",
        unit.lines()
            .any(|l| l == "ExecStart=/usr/bin/appligarde-hub serve"),
    );
    let postinst = output(
        Command::new("dpkg-deb")
            .arg("--info")
            .arg(deb)
            .arg("postinst"),
    )?;
    expect(
        "the system user created by postinst",
        postinst.contains("adduser --system") && postinst.contains("appligarde-hub"),
    );
    expect(
        "the configuration made readable by root and the service only, by postinst",
        postinst.contains("chmod 0640 /etc/appligarde-hub/appligarde-hub.conf")
            && postinst
                .contains("chown root:appligarde-hub /etc/appligarde-hub/appligarde-hub.conf"),
    );
    let conf = extracted_file(deb, "etc/appligarde-hub/appligarde-hub.conf")?;
    expect(
        "the database URL and listen address in the configuration",
        conf.lines()
            .any(|l| l.starts_with("APPLIGARDE_HUB_DATABASE_URL="))
            && conf
                .lines()
                .any(|l| l.starts_with("APPLIGARDE_HUB_LISTEN=")),
    );
    Ok(ok)
}

/// One file of a package's data, read with `dpkg-deb --fsys-tarfile` and `tar`.
fn extracted_file(deb: &Path, path: &str) -> Result<String> {
    output(Command::new("sh").arg("-c").arg(format!(
        "dpkg-deb --fsys-tarfile '{}' | tar -xOf - './{path}'",
        deb.display()
    )))
}

/// The package's files extracted into a new throw-away folder (removed on drop).
struct Extracted(PathBuf);

impl Extracted {
    fn new(deb: &Path, name: &str) -> Result<Extracted> {
        let dir = out_dir().join(format!("racine-{name}-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        fs::create_dir_all(&dir)?;
        let extracted = Extracted(dir);
        status(
            Command::new("dpkg-deb")
                .arg("-x")
                .arg(deb)
                .arg(&extracted.0),
        )?;
        Ok(extracted)
    }
}

impl Drop for Extracted {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A child process killed and reaped on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The hub binary of the package, extracted, started with the settings its configuration file
/// holds (database URL, listen address) on a throw-away PostgreSQL: it migrates the empty
/// database and answers `GET /healthz` with 200.
pub fn check_hub_starts(deb: &Path, database_url: &str) -> Result<bool> {
    let extracted = Extracted::new(deb, "hub")?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen = format!("127.0.0.1:{port}");
    let mut hub = Running(
        Command::new(extracted.0.join("usr/bin/appligarde-hub"))
            .arg("serve")
            .env("APPLIGARDE_HUB_DATABASE_URL", database_url)
            .env("APPLIGARDE_HUB_LISTEN", &listen)
            .spawn()
            .context("cannot start the extracted appligarde-hub")?,
    );
    let address: SocketAddr = listen.parse()?;
    // Bounded wait: the hub migrates the empty database before it listens.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(exit) = hub.0.try_wait()? {
            bail!("the extracted hub stopped before answering ({exit})");
        }
        if let Ok(response) = http_get(address, "/healthz") {
            let first = response.lines().next().unwrap_or_default().to_owned();
            println!("GET /healthz -> {first}");
            let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
            println!("{body}");
            // The schema version is read from the database: > 0 once `serve` has migrated it.
            let health: serde_json::Value = serde_json::from_str(body.trim()).unwrap_or_default();
            let migrated = health["schema_version"].as_u64().is_some_and(|v| v > 0);
            return Ok(first.split_whitespace().nth(1) == Some("200")
                && health["status"] == "ok"
                && migrated);
        }
        if Instant::now() > deadline {
            bail!("the extracted hub did not answer on {listen} within 60 s");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A plain HTTP/1.1 GET (xtask has no HTTP client dependency); the whole response as text.
fn http_get(address: SocketAddr, path: &str) -> Result<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}
