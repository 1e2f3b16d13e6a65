#![allow(clippy::unwrap_used)]
//! The embedded BDPM extract: regenerated from ../shared/data/bdpm with
//! `APPLIGARDE_UPDATE_BDPM=1`, otherwise checked against it when present;
//! and search quality: query -> expected medicine, from `bdpm_recherche.tsv`.

use appligarde_documents::bdpm::{self, rechercher};
use std::io::{Read, Write};
use std::path::Path;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/bdpm");
const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/bdpm.tsv.gz");

fn convert_shared() -> Option<String> {
    let dir = Path::new(SHARED);
    let cis = std::fs::read_to_string(dir.join("CIS_bdpm.txt")).ok()?;
    let compo = std::fs::read_to_string(dir.join("CIS_COMPO_bdpm.txt")).ok()?;
    Some(bdpm::convertir(&cis, &compo))
}

#[test]
fn embedded_extract_matches_the_official_files() {
    if std::env::var_os("APPLIGARDE_UPDATE_BDPM").is_some() {
        let tsv = convert_shared().expect("../shared/data/bdpm is needed to regenerate");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(tsv.as_bytes()).unwrap();
        std::fs::write(DATA, gz.finish().unwrap()).unwrap();
    }
    let mut committed = String::new();
    flate2::read::GzDecoder::new(std::fs::read(DATA).unwrap().as_slice())
        .read_to_string(&mut committed)
        .unwrap();
    assert!(
        committed.lines().count() > 10_000,
        "the extract holds the marketed medicines"
    );
    assert!(!committed.contains("Ã©"), "no double-encoded accents left");
    if let Some(fresh) = convert_shared() {
        assert!(
            committed == fresh,
            "data/bdpm.tsv.gz is stale: regenerate with APPLIGARDE_UPDATE_BDPM=1"
        );
    }
    assert_eq!(
        bdpm::base().len(),
        committed.lines().count(),
        "every line parses"
    );
}

#[test]
fn search_finds_by_brand_or_dci_without_accents() {
    let cases = include_str!("bdpm_recherche.tsv");
    let base = bdpm::base();
    let lines: Vec<&str> = cases
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    assert!(
        lines.len() >= 10,
        "the case file was read ({} cases)",
        lines.len()
    );
    for line in lines {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "three tab-separated columns: {line}");
        let (q, nom, dci) = (f[0], f[1], f[2]);
        let hits = rechercher(base, q, 10);
        assert!(!hits.is_empty(), "« {q} » finds something");
        let m = hits[0];
        assert!(
            m.denomination.to_uppercase().contains(nom),
            "« {q} » -> {}",
            m.denomination
        );
        assert!(
            m.substances
                .iter()
                .any(|s| s.dci.to_uppercase().contains(dci)),
            "« {q} » -> {} {:?}",
            m.denomination,
            m.substances
        );
        assert!(!m.forme.is_empty(), "form given for {}", m.denomination);
    }
    assert!(
        rechercher(base, "zzzzqx", 10).is_empty(),
        "nonsense finds nothing"
    );
    assert!(
        rechercher(base, "   ", 10).is_empty(),
        "empty query finds nothing"
    );
}

#[test]
fn a_result_prefills_an_ordonnance_line() {
    let hit = rechercher(bdpm::base(), "doliprane 1000", 5)[0];
    let l = hit.ligne();
    assert!(
        l.medicament.starts_with("DOLIPRANE 1000"),
        "{}",
        l.medicament
    );
    assert!(l.dci.contains("paracétamol"), "{}", l.dci);
    assert!(
        l.dosage.contains("1000") || l.dosage.contains("1 000"),
        "{}",
        l.dosage
    );
    assert!(l.posologie.is_empty(), "the doctor writes the posology");
}
