//! The Debian packages the project needs to build and test, installed when missing.

use anyhow::{Result, bail};
use std::process::Command;

/// Everything the desktop build, the end-to-end tests, the hub tests, the PDF checks and the package
/// checks (`lintian`; `dpkg-shlibdeps` comes with build-essential) use.
pub const PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "file",
    "libwebkit2gtk-4.1-dev",
    "libgtk-3-dev",
    "librsvg2-dev",
    "libayatana-appindicator3-dev",
    "libxdo-dev",
    "libssl-dev",
    "libdbus-1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "gnome-keyring",
    "chromium",
    "fonts-dejavu-core",
    "postgresql",
    "poppler-utils",
    "keyutils",
    "sqlite3",
    // The virtual environment of schemathesis (`cargo xtask fuzz-hub`).
    "python3-venv",
    "lintian",
    // The secure messaging tests (`crates/cli/tests/messagerie.rs`): a real SMTP submission server
    // and mailbox on 127.0.0.1, started by the test from its own configuration, and the XSD check
    // of the XDM metadata. Installed without a system mail service (see `ensure`).
    "postfix",
    "dovecot-core",
    "dovecot-imapd",
    "libxml2-utils",
    // The baseline of the off-site copy's benchmark (`crates/sync/benches/hors_site.rs`).
    "curl",
];

/// Answers for the packages' configuration questions, given to `debconf-set-selections` before
/// installing: postfix is installed unconfigured, so that it neither asks nor runs a system mail
/// service on port 25 (the tests start their own from a temporary directory).
const DEBCONF: &str = "postfix postfix/main_mailer_type select No configuration\n";

/// System services some packages start when installed; the tests run their own instances, so
/// these are stopped and disabled right after installing.
const SERVICES_ARRETES: &[&str] = &["postfix", "dovecot"];

fn installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .output()
        .map(|o| o.status.success() && o.stdout.starts_with(b"ii"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.trim_ascii() == b"0")
        .unwrap_or(false)
}

/// Installs the missing packages when root; otherwise prints the exact command and stops.
pub fn ensure() -> Result<()> {
    let missing: Vec<&str> = PACKAGES.iter().copied().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!("apt-get install -y {}", missing.join(" "));
    if !is_root() {
        bail!(
            "paquets système manquants ; installez-les puis relancez :\n  sudo apt-get update && sudo {line}"
        );
    }
    println!("xtask: installing {}", missing.join(" "));
    let ok = |c: &mut Command| {
        c.env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let mut debconf = Command::new("debconf-set-selections");
    debconf.stdin(std::process::Stdio::piped());
    match debconf.spawn() {
        Ok(mut child) => {
            use std::io::Write;
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(DEBCONF.as_bytes())?;
            }
            if !child.wait()?.success() {
                bail!("debconf-set-selections failed");
            }
        }
        Err(e) => bail!("debconf-set-selections: {e}"),
    }
    if !ok(Command::new("apt-get").args(["update", "-qq"])) {
        bail!("apt-get update failed");
    }
    if !ok(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(&missing))
    {
        bail!("{line} failed");
    }
    arreter_services(&missing);
    Ok(())
}

/// Stops and disables the system services of the packages just installed (under systemd; in a
/// container without it, `policy-rc.d` or the missing configuration kept them from starting, and
/// postfix "No configuration" has no `main.cf` to start with).
fn arreter_services(installes: &[&str]) {
    if !std::path::Path::new("/run/systemd/system").exists() {
        return;
    }
    for service in SERVICES_ARRETES {
        if installes.iter().any(|p| p.starts_with(service)) {
            let _ = Command::new("systemctl")
                .args(["disable", "--now", service])
                .status();
        }
    }
}
