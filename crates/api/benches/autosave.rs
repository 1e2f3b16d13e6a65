//! The consultation form's autosave (`consultation_enregistrer`), as the doctor's typing triggers it,
//! on the demo MMG in a real encrypted store.
//!
//! Measured: the API call of one autosave of a draft (validation, the durable write, and what it
//! returns to the form), repeated with a growing anamnesis.
//! Baseline in the same run: the same durable write of one consultation row straight through a
//! second `Store` on the same database (one `UPDATE` in one transaction, `synchronous=FULL`), so that
//! the ratio shows what the API adds to the disk's own cost.
//!
//! Run: `cargo bench -p appligarde-api --bench autosave`. `AUTOSAVE_BENCH_RUNS` overrides the
//! number of saves; `APPLIGARDE_BENCH_REPORT=<file>` appends the markdown section.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, FixedClock,
    consultation::{ArriveeSaisie, ConsultationMaj},
    demo::DEMO_MOT_DE_PASSE,
    dto::DemoOptions,
    session::Connexion,
};
use appligarde_store::{KeySource, Store};
use chrono::{TimeZone, Utc};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;
use support::{ms, percentile};

const DEFAULT_RUNS: usize = 1000;

fn main() {
    let runs: usize = std::env::var("AUTOSAVE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RUNS);
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("target"));
    std::fs::create_dir_all(&base).unwrap();
    let dir = tempfile::tempdir_in(&base).unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };
    // Friday 20 November 2026, 22:30 in Paris: a garde night.
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap(),
    ));
    let api = Api::open_with_clock(&config, clock).unwrap();
    api.demo_seed(DemoOptions {
        consultations: 2_000,
        seed: 7,
    })
    .unwrap();
    let medecin = api
        .utilisateurs_list()
        .unwrap()
        .into_iter()
        .find(|u| u.role == "medecin")
        .unwrap();
    api.session_login(Connexion {
        utilisateur_id: medecin.id,
        mot_de_passe: DEMO_MOT_DE_PASSE.into(),
    })
    .unwrap();
    let patient_id = api
        .consultations_list(appligarde_api::consultation::ConsultationsQuery {
            du: "2026-01-01".into(),
            au: "2026-11-20".into(),
        })
        .unwrap()
        .first()
        .unwrap()
        .patient_id;
    let arrivee = api
        .arrivee_enregistrer(ArriveeSaisie {
            patient_id: Some(patient_id),
            patient: None,
            confirmer_doublon: false,
            arrivee: String::new(),
            mode_arrivee: "spontane".into(),
            mode_arrivee_precision: String::new(),
            lieu: "mmg".into(),
            motif: "Fièvre".into(),
        })
        .unwrap();
    let detail = api
        .consultation_commencer(appligarde_api::commun::Id { id: arrivee.id })
        .unwrap();
    let mut saisie = detail.consultation.clone();
    saisie.temperature = Some(38.6);
    saisie.diagnostic_principal = Some("J06.9".into());
    saisie.diagnostics_associes = vec!["R50.9".into()];

    let mut second = Store::open(&config.data_dir, &config.key).unwrap();
    let mut saves = Vec::with_capacity(runs);
    let mut writes = Vec::with_capacity(runs);
    for i in 0..runs {
        saisie.anamnese = format!("Toux et fièvre depuis {i} heures, pas de dyspnée.");
        let maj = ConsultationMaj {
            id: arrivee.id,
            consultation: saisie.clone(),
        };
        let t = Instant::now();
        let saved = api.consultation_enregistrer(maj).unwrap();
        saves.push(t.elapsed());
        assert_eq!(saved.id, arrivee.id);

        let stamp = format!("2026-11-20T21:30:{:02}Z", i % 60);
        let t = Instant::now();
        second
            .write(|tx| {
                tx.execute(
                    "UPDATE consultation SET updated_at = ?1 WHERE id = ?2",
                    rusqlite::params![stamp, arrivee.id],
                )?;
                Ok(())
            })
            .unwrap();
        writes.push(t.elapsed());
    }
    saves.sort();
    writes.sort();
    let p = |v: &[Duration]| (ms(percentile(v, 0.5)), ms(percentile(v, 0.99)));
    let (s50, s99) = p(&saves);
    let (w50, w99) = p(&writes);
    let report = format!(
        "## Autosave of a consultation draft (api)\n\n\
         Demo MMG (2,000 consultations) in a real encrypted store; {runs} autosaves of one draft with a \
         diagnosis, an associated diagnosis and vital signs. Baseline: one durable `UPDATE` of the same \
         row through a second store, right after each save. Ratio = the save's percentile / the \
         baseline's same percentile.\n\n\
         | measure | runs | p50 | p99 | ratio (p50) | ratio (p99) |\n\
         |---|---|---|---|---|---|\n\
         | autosave (`consultation_enregistrer`) | {runs} | {s50:.2} ms | {s99:.2} ms | {:.2}× | {:.2}× |\n\
         | baseline: one durable UPDATE | {runs} | {w50:.2} ms | {w99:.2} ms | 1× | 1× |\n\n",
        s50 / w50.max(1e-9),
        s99 / w99.max(1e-9),
    );
    support::report(&report);
}
