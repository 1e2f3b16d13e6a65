//! Embeds the hub's SQL migrations (`migrations/hub/NNNN_name.sql`) in the binary.
//!
//! Generates `$OUT_DIR/migrations.rs`: an array expression of `Migration` values in version
//! order, each with its SQL through `include_str!`. A misnamed file, a duplicate or a gap in the
//! numbering stops the build: the runner relies on versions 1..=N all being present.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = manifest_dir.join("../../migrations/hub");
    println!("cargo:rerun-if-changed={}", dir.display());

    let mut migrations: Vec<(i64, String, PathBuf)> = Vec::new();
    let entries = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read migrations folder {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable folder entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let (version, name) = parse_file_name(&path);
        let path = path
            .canonicalize()
            .unwrap_or_else(|e| panic!("cannot resolve {}: {e}", path.display()));
        migrations.push((version, name, path));
    }
    migrations.sort_by_key(|(version, _, _)| *version);
    for (index, (version, name, _)) in migrations.iter().enumerate() {
        let expected = i64::try_from(index).expect("few migrations") + 1;
        assert!(
            *version == expected,
            "hub migration {version:04}_{name}.sql: expected version {expected:04} \
             (versions must be 0001, 0002, ... without gap or duplicate)"
        );
    }

    let mut code = String::from("[\n");
    for (version, name, path) in &migrations {
        let path = path.to_str().expect("migration path is UTF-8");
        writeln!(
            code,
            "    Migration {{ version: {version}, name: {name:?}, sql: include_str!({path:?}) }},"
        )
        .expect("writing to a String");
    }
    code.push(']');
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo")).join("migrations.rs");
    fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

/// `0001_init.sql` -> `(1, "init")`.
fn parse_file_name(path: &Path) -> (i64, String) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_else(|| panic!("migration file name is not UTF-8: {}", path.display()));
    let parsed = stem.split_once('_').and_then(|(number, name)| {
        let valid_number = number.len() == 4 && number.bytes().all(|b| b.is_ascii_digit());
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if valid_number && valid_name {
            Some((number.parse().ok()?, name.to_owned()))
        } else {
            None
        }
    });
    parsed.unwrap_or_else(|| {
        panic!(
            "hub migration {} must be named NNNN_snake_case_name.sql (e.g. 0002_hub_user.sql)",
            path.display()
        )
    })
}
