//! The import of a BDPM release: the complete official 2017 release (`../shared/data/bdpm/2017-03`,
//! four files, 10 MB in Windows-1252) imported by `bdpm_import` into a fresh encrypted store
//! (read and check every line, compact form, one transaction with its audit entry), against the
//! baseline of the same run: the same bytes read with a plain line split (`appligarde_bdpm::
//! lecture_brute`: no decoding, no check, nothing kept). Also the parse alone (`lire_dossier`)
//! and the first search after the import (the compact form read back). Median of the runs,
//! interleaved.
//!
//! Run: `cargo xtask bench bdpm` (or `cargo bench -p appligarde-api --bench bdpm`);
//! `BDPM_BENCH_RUNS` overrides the number of runs; `APPLIGARDE_BENCH_REPORT=<file>` appends the
//! markdown section.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, bdpm::BdpmImportRequest, documents::MedicamentQuery, session::CompteSaisie,
};
use appligarde_store::KeySource;
use std::path::Path;
use std::time::{Duration, Instant};

mod support;

fn median(v: &mut [Duration]) -> f64 {
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let runs: usize = std::env::var("BDPM_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .max(1);
    let dossier = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm/2017-03");
    let (mut brut, mut analyse, mut import, mut recherche) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut compte = (0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let champs = appligarde_bdpm::lecture_brute(&dossier).unwrap();
        brut.push(t.elapsed());
        assert!(champs > 0);

        let t = Instant::now();
        let base = appligarde_bdpm::lire_dossier(&dossier).unwrap();
        analyse.push(t.elapsed());
        compte = (base.comptes().medicaments, base.vers_compacte().len());

        let dir = tempfile::tempdir().unwrap();
        let api = Api::open(&ApiConfig {
            data_dir: dir.path().join("data"),
            key: KeySource::File(dir.path().join("key")),
        })
        .unwrap();
        api.compte_initial(CompteSaisie {
            nom: "RENAUD".into(),
            prenom: "Camille".into(),
            role: "admin".into(),
            rpps: None,
            specialite: None,
            est_admin: true,
            mot_de_passe: Some("correct horse battery".into()),
        })
        .unwrap();
        let t = Instant::now();
        let r = api
            .bdpm_import(BdpmImportRequest {
                dossier: dossier.display().to_string(),
            })
            .unwrap();
        import.push(t.elapsed());
        assert_eq!(r.changement, "nouvelle");

        let t = Instant::now();
        let hits = api
            .medicaments_rechercher(MedicamentQuery {
                texte: "paracetamol".into(),
                limite: Some(15),
            })
            .unwrap();
        recherche.push(t.elapsed());
        assert!(!hits.is_empty());
    }
    let (b, a, i, s) = (
        median(&mut brut),
        median(&mut analyse),
        median(&mut import),
        median(&mut recherche),
    );
    let report = format!(
        "## BDPM import (api, appligarde-bdpm)\n\n\
         The official 2017 release ({} medicines, 4 files, Windows-1252); compact form {:.1} MB. \
         Median of {runs} interleaved runs. Baseline: the same files read with a plain line split \
         (`lecture_brute`: no decoding, no check, nothing kept). Ratio = measure / baseline.\n\n\
         | measure | median | ratio |\n\
         |---|---|---|\n\
         | baseline: plain line split of the 4 files | {b:.1} ms | 1× |\n\
         | parse and check (`lire_dossier`) | {a:.1} ms | {:.1}× |\n\
         | import into a fresh store (`bdpm_import`: parse, compact form, write, journal) | {i:.1} ms | {:.1}× |\n\
         | first search after the import (compact form read back, search) | {s:.1} ms | {:.1}× |\n\n",
        compte.0,
        compte.1 as f64 / 1e6,
        a / b.max(1e-9),
        i / b.max(1e-9),
        s / b.max(1e-9),
    );
    support::report(&report);
}
