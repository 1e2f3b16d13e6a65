//! The exports of issue 24 on a year of a busy MMG: 20,000 consultations in 2025 (about 55 a garde
//! day), in a real encrypted store.
//!
//! Measured: `Api::rpu_exporter` (every consultation's RPU as the OSCOUR XML file, handed over in
//! base64 as the window receives it, with its audit entry) and `Api::recherche_exporter` (the
//! pseudonymised extract, k = 5, CSV) for the garde dates of 2025.
//! Baseline in the same run: the consultation list's JSON export of the same year, as
//! `appligarde-cli consultation list --json` makes it (`Api::consultations_exporter`, then
//! `serde_json::to_string_pretty`).
//!
//! The database is filled with plain INSERTs in one transaction (the audit log is left out).
//!
//! Run: `cargo bench -p appligarde-api --bench rpu` (or `cargo xtask bench rpu`).
//! `RPU_BENCH_ROWS` overrides the number of consultations; `APPLIGARDE_BENCH_REPORT=<file>`
//! appends the markdown section.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, FixedClock, consultation::ConsultationsQuery, dto::MmgSettings,
    oru::ExportOruDemande, session::CompteSaisie,
};
use appligarde_store::{KeySource, Store};
use chrono::{Duration as Days, NaiveDate, TimeZone, Timelike, Utc};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;
use support::{Xs, ms, percentile};

const DEFAULT_ROWS: usize = 20_000;
const NOW: &str = "2026-11-20T22:00:00Z";

const MODES: [&str; 5] = [
    "regule_centre15",
    "regule_116117",
    "spontane",
    "spontane",
    "adresse_medecin",
];
const ORIENTATIONS: [&str; 4] = [
    "retour_domicile",
    "retour_domicile",
    "medecin_traitant",
    "urgences",
];
const CODES: [&str; 6] = ["J06.9", "J20.9", "A09.9", "R50.9", "S93.4", "H66.9"];
const COMMUNES: [(&str, &str, &str); 4] = [
    ("44150", "Ancenis-Saint-Géréon", "44003"),
    ("44000", "Nantes", "44109"),
    ("44521", "Oudon", "44115"),
    ("49000", "Angers", "49007"),
];

fn main() {
    let rows: usize = std::env::var("RPU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 0, 0).unwrap());
    let api = Api::open_with_clock(&config, Arc::new(clock)).unwrap();
    // One doctor who is also the MMG admin: the JSON export is a doctor's, the RPU an admin's.
    api.compte_initial(CompteSaisie {
        nom: "DESCHAMPS".into(),
        prenom: "Léa".into(),
        role: "medecin".into(),
        rpps: Some("10181590836".into()),
        specialite: Some("Médecine générale".into()),
        est_admin: true,
        mot_de_passe: Some("mot de passe du banc".into()),
    })
    .unwrap();
    api.mmg_save(MmgSettings {
        nom: "MMG du banc".into(),
        adresse: "1 rue de l'Hôpital".into(),
        code_postal: "44150".into(),
        commune: "Ancenis-Saint-Géréon".into(),
        telephone: "02 40 00 00 00".into(),
        email: String::new(),
        departement: "44".into(),
        finess: "440000289".into(),
    })
    .unwrap();
    let medecin: i64 = api.utilisateurs_list().unwrap()[0].id;

    let fill_start = Instant::now();
    let mut store = Store::open(&config.data_dir, &config.key).unwrap();
    let first_day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut rng = Xs(0x2017_2025_0024);
    let patients = (rows * 3 / 5).max(1) as u64;
    store
        .write(|tx| {
            let mut patient = tx.prepare_cached(
                "INSERT INTO patient (id, nom, prenom, sexe, date_naissance, code_postal, commune,
                     code_insee, created_at)
                 VALUES (?1, ?2, 'Camille', ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for id in 1..=patients {
                let naissance = NaiveDate::from_ymd_opt(1925, 1, 1).unwrap()
                    + Days::days(rng.below(100 * 365) as i64);
                let (cp, commune, insee) = *rng.pick(&COMMUNES);
                patient.execute(rusqlite::params![
                    id as i64,
                    format!("PATIENT{id}"),
                    if rng.below(2) == 0 { "F" } else { "M" },
                    naissance.format("%Y-%m-%d").to_string(),
                    cp,
                    commune,
                    insee,
                    NOW,
                ])?;
            }
            let mut consultation = tx.prepare_cached(
                "INSERT INTO consultation (uid, patient_id, medecin_id, arrivee, debut, fin, mode_arrivee,
                     lieu, motif, examen, statut, orientation, gravite, transport, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'mmg', 'Fièvre et toux', 'Examen du banc',
                     'cloturee', ?8, ?9, ?10, ?11, ?11)",
            )?;
            let mut diagnostic = tx.prepare_cached(
                "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal)
                 VALUES (?1, 0, ?2, 1)",
            )?;
            let mut acte = tx.prepare_cached(
                "INSERT INTO consultation_acte (consultation_id, rang, code) VALUES (?1, ?2, ?3)",
            )?;
            for k in 0..rows {
                let day = first_day + Days::days(rng.below(365) as i64);
                let minute = 20 * 60 + rng.below(4 * 60);
                let arrivee = day.and_hms_opt(0, 0, 0).unwrap() + Days::minutes(minute as i64);
                let debut = arrivee + Days::minutes(rng.below(60) as i64);
                let fin = debut + Days::minutes(5 + rng.below(30) as i64);
                let fmt = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
                debug_assert!(arrivee.hour() >= 20);
                consultation.execute(rusqlite::params![
                    format!("bench-{k}"),
                    1 + rng.below(patients) as i64,
                    medecin,
                    fmt(arrivee),
                    fmt(debut),
                    fmt(fin),
                    rng.pick(&MODES),
                    rng.pick(&ORIENTATIONS),
                    (rng.below(2) == 0).then_some("ccmu2"),
                    (rng.below(2) == 0).then_some("perso"),
                    NOW,
                ])?;
                let id = tx.last_insert_rowid();
                diagnostic.execute(rusqlite::params![id, rng.pick(&CODES)])?;
                acte.execute(rusqlite::params![id, 0, "G"])?;
                if rng.below(10) == 0 {
                    acte.execute(rusqlite::params![id, 1, "DEQP003"])?;
                }
            }
            Ok(())
        })
        .unwrap();
    store.conn().execute_batch("ANALYZE").unwrap();
    let fill = fill_start.elapsed();

    let runs = 10;
    let timed = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        start.elapsed()
    };
    let demande = |format: Option<&str>| ExportOruDemande {
        du: "2025-01-01".into(),
        au: "2025-12-31".into(),
        format: format.map(str::to_owned),
        k: Some(5),
    };
    let (mut rpu_times, mut json_times, mut recherche_times) = (vec![], vec![], vec![]);
    let (mut passages, mut json_rows, mut json_bytes, mut xml_b64) = (0, 0, 0, 0);
    let mut lignes = 0;
    // Interleaved, so that a slower moment of the machine weighs on all three.
    for _ in 0..runs {
        json_times.push(timed(&mut || {
            let all = api
                .consultations_exporter(ConsultationsQuery {
                    du: "2025-01-01".into(),
                    au: "2025-12-31".into(),
                })
                .unwrap();
            json_rows = all.len();
            json_bytes = serde_json::to_string_pretty(&all).unwrap().len();
        }));
        rpu_times.push(timed(&mut || {
            let r = api.rpu_exporter(demande(None)).unwrap();
            passages = r.lignes;
            xml_b64 = r.fichier.unwrap().contenu_base64.len();
        }));
        recherche_times.push(timed(&mut || {
            lignes = api.recherche_exporter(demande(Some("csv"))).unwrap().lignes;
        }));
    }
    for v in [&mut rpu_times, &mut json_times, &mut recherche_times] {
        v.sort();
    }
    let p = |v: &[Duration]| (ms(percentile(v, 0.5)), ms(percentile(v, 0.99)));
    let (r50, r99) = p(&rpu_times);
    let (j50, j99) = p(&json_times);
    let (c50, c99) = p(&recherche_times);
    let ratio = |x: f64| x / j50.max(1e-9);
    let report = format!(
        "## Exports to the ORU and to research: a year of a busy MMG (api)\n\n\
         Real encrypted store (SQLCipher) with {rows} consultations in 2025. Baseline: the consultation \
         list's JSON export of the same year (`Api::consultations_exporter` + `serde_json::to_string_pretty`, \
         {json_rows} consultations, {json_bytes} bytes), {runs} runs interleaved. Ratio = p50 / baseline p50.\n\n\
         | measure | runs | p50 | p99 | ratio (p50) |\n\
         |---|---|---|---|---|\n\
         | RPU export, OSCOUR XML in base64 (`Api::rpu_exporter`, {passages} passages, {xml_b64} base64 characters) | {runs} | {r50:.1} ms | {r99:.1} ms | {:.3}× |\n\
         | research extract, k = 5, CSV (`Api::recherche_exporter`, {lignes} rows) | {runs} | {c50:.1} ms | {c99:.1} ms | {:.3}× |\n\
         | baseline: consultation list JSON export | {runs} | {j50:.1} ms | {j99:.1} ms | 1× |\n\n\
         Filling the database: {rows} consultations and their patients in {:.1} s.\n\n",
        ratio(r50),
        ratio(c50),
        fill.as_secs_f64(),
    );
    support::report(&report);
}
