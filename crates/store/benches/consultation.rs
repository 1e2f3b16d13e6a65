//! The consultation record at the garde's pace, in a real encrypted store.
//!
//! 1. Durable save of a closed consultation (content, two diagnoses, acts, two audit entries with
//!    their SHA-256 chain, one transaction, SQLCipher, WAL, synchronous=FULL): p50/p99.
//!    Baseline in the same run: one plain rusqlite INSERT of a row in its own transaction, in an
//!    unencrypted database with WAL and synchronous=FULL, on the same disk.
//! 2. Opening the day list (Garde du jour) of a random garde day with 200,000 consultations in the
//!    database: p50/p99, target under 50 ms. Baseline in the same run: the same query forced to scan
//!    the whole table (`NOT INDEXED`), i.e. without the arrival index.
//!
//! Run: `cargo bench -p appligarde-store --bench consultation`. `CONSULTATION_BENCH_ROWS` overrides
//! the number of consultations; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown section to it.
#![allow(clippy::unwrap_used)]

use appligarde_domain::{
    consultation::{Contenu, ContenuValide, Diagnostic, Orientation},
    garde::{Lieu, ModeArrivee},
};
use appligarde_store::{KeySource, Store, consultation, patient};
use chrono::{Duration as Days, NaiveDate, NaiveDateTime, Timelike};
use std::time::{Duration, Instant};

mod support;

use support::{NOW, ToutCode, creer_medecin, identite, ms, percentile};

const DEFAULT_ROWS: usize = 200_000;

/// A xorshift generator: the bench needs no quality, only reproducibility without a dependency.
struct Xs(u64);

impl Xs {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn contenu(arrivee: NaiveDateTime, medecin: i64, rng: &mut Xs) -> ContenuValide {
    let mut c = Contenu::arrivee(
        arrivee,
        ModeArrivee::ReguleCentre15,
        Lieu::Mmg,
        "Fièvre depuis 48 h",
    );
    c.medecin_id = Some(medecin);
    c.debut = Some(arrivee + Days::minutes(10 + rng.below(30) as i64));
    c.fin = c.debut.map(|d| d + Days::minutes(15));
    c.anamnese = "Fièvre à 39 depuis deux jours, toux sèche, pas de dyspnée.".into();
    c.examen = "Tympans normaux, pharynx rouge, auscultation libre.".into();
    c.conclusion = "Rhinopharyngite virale.".into();
    c.vitaux.temperature = Some(38.0 + rng.below(20) as f64 / 10.0);
    c.vitaux.frequence_cardiaque = Some(70 + rng.below(40) as i64);
    c.vitaux.spo2 = Some(95 + rng.below(5) as i64);
    c.diagnostic_principal = Some(Diagnostic {
        code: "J06.9".into(),
        libelle: String::new(),
    });
    c.diagnostics_associes = vec![Diagnostic {
        code: "R50.9".into(),
        libelle: String::new(),
    }];
    c.actes = vec!["G".into(), "CRN".into()];
    c.orientation = Some(Orientation::RetourDomicile);
    let maintenant = NaiveDate::from_ymd_opt(2030, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    c.valider(maintenant, &ToutCode).unwrap()
}

fn main() {
    let rows: usize = std::env::var("CONSULTATION_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS);
    // On the target directory's disk, not a RAM tmpfs: fsync must cost what it costs.
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let mut store = Store::open(
        &dir.path().join("data"),
        &KeySource::File(dir.path().join("key")),
    )
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let medecin = creer_medecin(&mut store);
    let mut rng = Xs(0x9E37_79B9_7F4A_7C15);

    // 1. Durable save, against a plain INSERT with the same durability.
    let p0 = store
        .write(|tx| patient::creer(tx, &identite(0), today, Some(medecin), NOW))
        .unwrap();
    let saves = 300;
    let mut save_times = Vec::with_capacity(saves);
    let t0 = NaiveDate::from_ymd_opt(2026, 11, 19)
        .unwrap()
        .and_hms_opt(20, 0, 0)
        .unwrap();
    for i in 0..saves {
        let c = contenu(t0 + Days::seconds(i as i64 * 7), medecin, &mut rng);
        let uid = format!("save-{i}");
        let start = Instant::now();
        store
            .write(|tx| consultation::creer(tx, &uid, p0, None, &c, true, Some(medecin), NOW))
            .unwrap();
        save_times.push(start.elapsed());
    }
    save_times.sort();
    let plain_path = dir.path().join("plain.db");
    let plain = rusqlite::Connection::open(&plain_path).unwrap();
    plain
        .execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             CREATE TABLE t (id INTEGER PRIMARY KEY, uid TEXT NOT NULL, payload TEXT NOT NULL);",
        )
        .unwrap();
    let mut plain_times = Vec::with_capacity(saves);
    for i in 0..saves {
        let start = Instant::now();
        plain
            .execute_batch(&format!(
                "BEGIN IMMEDIATE; INSERT INTO t (uid, payload) VALUES ('p-{i}', 'Fièvre depuis 48 h'); COMMIT;"
            ))
            .unwrap();
        plain_times.push(start.elapsed());
    }
    plain_times.sort();

    // 2. The day list with `rows` consultations over three years (about 180 a garde day).
    let fill_start = Instant::now();
    let already = saves;
    let patients = (rows * 3 / 4).max(1) as u64;
    let first_day = today - Days::days(3 * 365);
    let per_tx = 5_000;
    let mut done = already;
    let mut next_patient = 1u64;
    let mut patient_ids: Vec<i64> = vec![p0];
    while done < rows {
        let n = per_tx.min(rows - done);
        store
            .write(|tx| {
                for k in 0..n {
                    let pid = if next_patient < patients
                        && (rng.below(4) != 0 || patient_ids.len() < 2)
                    {
                        let id =
                            patient::creer(tx, &identite(next_patient), today, Some(medecin), NOW)?;
                        next_patient += 1;
                        patient_ids.push(id);
                        id
                    } else {
                        patient_ids[rng.below(patient_ids.len() as u64) as usize]
                    };
                    let day = first_day + Days::days(rng.below(3 * 365) as i64);
                    let mut arrivee = day.and_hms_opt(8, 0, 0).unwrap()
                        + Days::minutes(rng.below(24 * 60) as i64);
                    // 2:xx may not exist on the night of the spring change: no consultation
                    // starts or ends then (arrivals from 1:00 to 3:00 move two hours later).
                    if (1..3).contains(&arrivee.hour()) {
                        arrivee += Days::hours(2);
                    }
                    let c = contenu(arrivee, medecin, &mut rng);
                    consultation::creer(
                        tx,
                        &format!("fill-{}-{k}", done),
                        pid,
                        None,
                        &c,
                        true,
                        Some(medecin),
                        NOW,
                    )?;
                }
                Ok(())
            })
            .unwrap();
        done += n;
    }
    let fill = fill_start.elapsed();
    store.conn().execute_batch("ANALYZE").unwrap();
    let total: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM consultation", [], |r| r.get(0))
        .unwrap();

    let day_bounds = |rng: &mut Xs| {
        let day = first_day + Days::days(rng.below(3 * 365) as i64);
        let from = day.and_hms_opt(8, 0, 0).unwrap();
        (from, from + Days::days(1))
    };
    let lists = 300;
    let mut list_times = Vec::with_capacity(lists);
    let mut list_rows = 0usize;
    for _ in 0..lists {
        let (from, to) = day_bounds(&mut rng);
        let start = Instant::now();
        let lines = store.consultations_de_garde(from, to, None).unwrap();
        list_times.push(start.elapsed());
        list_rows += lines.len();
    }
    list_times.sort();
    // Baseline: the same query without the arrival index.
    let scan_sql = "SELECT c.id, c.arrivee, p.nom, p.prenom, p.date_naissance, u.prenom || ' ' || u.nom,
            c.mode_arrivee, c.lieu, c.motif, c.statut, c.patient_id, c.debut, c.fin, c.garde_id, c.version,
            (SELECT d.code FROM consultation_diagnostic d WHERE d.consultation_id = c.id AND d.principal = 1),
            c.orientation
         FROM consultation c NOT INDEXED
         JOIN patient p ON p.id = c.patient_id
         LEFT JOIN utilisateur u ON u.id = c.medecin_id
         WHERE (c.arrivee >= ?1 AND c.arrivee < ?2) OR c.garde_id = ?3
         ORDER BY c.arrivee, c.id";
    let scans = 20;
    let mut scan_times = Vec::with_capacity(scans);
    let mut scan_rows = 0usize;
    for _ in 0..scans {
        let (from, to) = day_bounds(&mut rng);
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
        let start = Instant::now();
        let mut stmt = store.conn().prepare_cached(scan_sql).unwrap();
        let n = stmt
            .query_map((fmt(from), fmt(to), -1), |r| r.get::<_, i64>(0))
            .unwrap()
            .count();
        scan_times.push(start.elapsed());
        scan_rows += n;
    }
    scan_times.sort();
    assert!(
        list_rows / lists > 50 && scan_rows / scans > 50,
        "a garde day holds about a hundred and eighty consultations"
    );

    let (s50, s99) = (percentile(&save_times, 0.5), percentile(&save_times, 0.99));
    let (b50, b99) = (
        percentile(&plain_times, 0.5),
        percentile(&plain_times, 0.99),
    );
    let (l50, l99) = (percentile(&list_times, 0.5), percentile(&list_times, 0.99));
    let (f50, f99) = (percentile(&scan_times, 0.5), percentile(&scan_times, 0.99));
    let report = format!(
        "## Consultation record (store)\n\n\
         Real encrypted store (SQLCipher, WAL, synchronous=FULL) on the target directory's disk.\n\n\
         | measure | p50 | p99 | baseline | baseline p50 | baseline p99 | ratio (p50) |\n\
         |---|---|---|---|---|---|---|\n\
         | durable save of a closed consultation ({saves} saves: content, 2 diagnoses, 2 acts, 2 audit entries, one transaction) | {:.2} ms | {:.2} ms | plain rusqlite INSERT, unencrypted, WAL + synchronous=FULL, one transaction each | {:.2} ms | {:.2} ms | {:.1}× |\n\
         | day list of a garde day with {total} consultations ({lists} random days, {} rows/day on average; target < 50 ms) | {:.2} ms | {:.2} ms | same query without the arrival index (full scan, {scans} days) | {:.1} ms | {:.1} ms | {:.0}× faster |\n\n\
         Filling the database: {total} consultations with their patients and audit entries in {:.1} s.\n\n",
        ms(s50),
        ms(s99),
        ms(b50),
        ms(b99),
        ms(s50) / ms(b50).max(1e-9),
        list_rows / lists,
        ms(l50),
        ms(l99),
        ms(f50),
        ms(f99),
        ms(f50) / ms(l50).max(1e-9),
        fill.as_secs_f64(),
    );
    support::report(&report);
    assert!(
        l99 < Duration::from_millis(50),
        "the day list must open in under 50 ms (p99 {:.1} ms)",
        ms(l99)
    );
}
