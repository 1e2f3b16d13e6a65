//! Converts the CIM-10 FR reference files into the compact forms embedded in the crate.
//!
//! ```text
//! cargo run -p appligarde-cim10 --example convert -- [codes.csv] [chapitres_blocs.csv] [version]
//! ```
//!
//! Defaults: the 2021 files of the shared data folder beside the repository, version
//! `CIM-10 FR 2021`. Writes `data/chapitres_blocs.tsv` (the chapter/block table used to place the
//! codes of an ATIH file) and `data/cim10fr_2021.tsv.z` (every code with its types, labels,
//! chapter and block; zlib-compressed TSV, see `data/README.md`), then reloads the result to check it.

use std::path::PathBuf;

use anyhow::{Context, bail};
use appligarde_cim10::{CodeSet, parse_csv};

fn main() -> anyhow::Result<()> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../shared/data/cim10");
    let mut args = std::env::args().skip(1);
    let codes_csv = args
        .next()
        .map_or_else(|| shared.join("cim10fr_atih_2021.csv"), PathBuf::from);
    let chapters_csv = args.next().map_or_else(
        || shared.join("cim10fr_chapitres_blocs_2019.csv"),
        PathBuf::from,
    );
    let version = args.next().unwrap_or_else(|| "CIM-10 FR 2021".to_string());

    // 1. The chapter/block table: `[A00-B99];label;[A00-A09];label` → tab-separated, no brackets.
    let text = std::fs::read_to_string(&chapters_csv)
        .with_context(|| format!("lecture de {}", chapters_csv.display()))?;
    let mut table = String::from(
        "# Chapitres et blocs de la CIM-10 (ATIH 2019), généré par examples/convert.rs : ne pas éditer à la main.\n\
         # chapitre<TAB>libellé du chapitre<TAB>bloc<TAB>libellé du bloc\n",
    );
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split(';').collect();
        if cols.len() != 4 {
            bail!(
                "{}: ligne {} : 4 colonnes attendues",
                chapters_csv.display(),
                n + 1
            );
        }
        let strip = |s: &str| {
            s.trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string()
        };
        table.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            strip(cols[0]),
            cols[1].trim(),
            strip(cols[2]),
            cols[3].trim()
        ));
    }
    let table_path = manifest.join("data/chapitres_blocs.tsv");
    std::fs::write(&table_path, &table)?;
    println!("{} : {} octets", table_path.display(), table.len());

    // 2. The codes, read and checked by the crate's own CSV reader.
    let bytes =
        std::fs::read(&codes_csv).with_context(|| format!("lecture de {}", codes_csv.display()))?;
    let set = parse_csv(&bytes, &version)?;
    let compact = set.to_compact();
    let out = manifest.join("data/cim10fr_2021.tsv.z");
    std::fs::write(&out, &compact)?;
    println!(
        "{} : {} codes, {} octets (CSV source : {} octets)",
        out.display(),
        set.len(),
        compact.len(),
        bytes.len()
    );

    // 3. Reload and compare, code by code.
    let back = CodeSet::from_compact(&compact)?;
    if back.len() != set.len() {
        bail!("relecture : {} codes au lieu de {}", back.len(), set.len());
    }
    for (a, b) in set.codes().zip(back.codes()) {
        let same = a.raw_code() == b.raw_code()
            && a.label() == b.label()
            && a.short_label() == b.short_label()
            && a.mco_type() == b.mco_type()
            && a.chapter() == b.chapter()
            && a.block() == b.block();
        if !same {
            bail!("relecture : le code {} diffère", a.raw_code());
        }
    }
    println!("relecture vérifiée : {} codes identiques", back.len());
    Ok(())
}
