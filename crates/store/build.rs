//! Embeds the desktop migrations (`migrations/desktop/NNNN_name.sql`) into the binary, in order.

use std::{env, fs, path::PathBuf};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../../migrations/desktop");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("migrations/desktop exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("/// (version, name, SQL) of every desktop migration, in order.\n");
    out.push_str("pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[\n");
    for (i, path) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 file name");
        let (num, name) = stem
            .split_once('_')
            .expect("migration file named NNNN_name.sql");
        let version: u32 = num.parse().expect("migration number");
        assert_eq!(
            version as usize,
            i + 1,
            "migrations must be numbered 1, 2, 3... without gaps"
        );
        out.push_str(&format!(
            "    ({version}, {name:?}, include_str!({:?})),\n",
            path.display()
        ));
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("migrations.rs");
    fs::write(dest, out).expect("write migrations.rs");
}
