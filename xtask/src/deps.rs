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
];

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
    if !ok(Command::new("apt-get").args(["update", "-qq"])) {
        bail!("apt-get update failed");
    }
    if !ok(Command::new("apt-get")
        .args(["install", "-y", "-qq"])
        .args(&missing))
    {
        bail!("{line} failed");
    }
    Ok(())
}
