//! What the store's benches share: a nomenclature that accepts every code, generated patients, the
//! doctor who signs the generated consultations, percentiles, and the report file.
//! Each bench uses part of it.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::time::Duration;

use appligarde_domain::{
    consultation::{CodeConnu, Contenu, ContenuValide, Diagnostic, Nomenclature, Orientation},
    garde::{Lieu, ModeArrivee, Role, Sexe},
    patient::Identite,
};
use appligarde_store::{Store, consultation, patient, utilisateur};
use chrono::{Duration as Days, NaiveDate, NaiveDateTime, Timelike};

pub const NOW: &str = "2026-11-20T22:00:00Z";

/// Every code exists: the benches measure the store, not the CIM-10 look-up.
pub struct ToutCode;

impl Nomenclature for ToutCode {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        Some(CodeConnu {
            code: code.into(),
            libelle: "Libellé du diagnostic".into(),
            supprime: false,
            a_des_sous_codes: false,
            principal_autorise: true,
        })
    }
}

/// The `i`-th generated patient: alternating sexes, birth dates spread over 80 years.
pub fn identite(i: u64) -> Identite {
    Identite {
        nom: format!("PATIENT{i}"),
        nom_naissance: String::new(),
        prenom: "Camille".into(),
        sexe: if i.is_multiple_of(2) {
            Sexe::F
        } else {
            Sexe::M
        },
        date_naissance: NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
            + Days::days((i % 30_000) as i64),
        code_postal: "44150".into(),
        commune: "Ancenis-Saint-Géréon".into(),
        code_insee: "44003".into(),
        telephone: "0240000000".into(),
        medecin_traitant: String::new(),
        medecin_traitant_rpps: None,
        poids_kg: None,
        taille_cm: None,
        allergies: String::new(),
        antecedents: String::new(),
    }
}

/// The duty doctor who signs every generated consultation; returns its id.
pub fn creer_medecin(store: &mut Store) -> i64 {
    store
        .write(|tx| {
            utilisateur::creer(
                tx,
                &utilisateur::NewUtilisateur {
                    nom: "DESCHAMPS",
                    prenom: "Léa",
                    role: Role::Medecin,
                    rpps: Some("10181590836"),
                    specialite: None,
                },
                false,
                None,
                None,
                NOW,
            )
        })
        .unwrap()
}

/// The `p` quantile (0..=1) of sorted times.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints the bench's markdown section and appends it to `APPLIGARDE_BENCH_REPORT` when set.
pub fn report(markdown: &str) {
    print!("{markdown}");
    if let Some(path) = std::env::var_os("APPLIGARDE_BENCH_REPORT") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(markdown.as_bytes()).unwrap();
    }
}

/// A closed consultation of a febrile rhinopharyngitis, arrived at `arrivee`, signed by `medecin`.
pub fn contenu(arrivee: NaiveDateTime, medecin: i64) -> ContenuValide {
    let mut c = Contenu::arrivee(
        arrivee,
        ModeArrivee::Spontane,
        Lieu::Mmg,
        "Fièvre depuis 48 h, toux",
    );
    c.medecin_id = Some(medecin);
    c.debut = Some(arrivee + Days::minutes(10));
    c.fin = Some(arrivee + Days::minutes(30));
    c.anamnese =
        "Fièvre à 39 °C depuis deux jours, toux sèche, pas de dyspnée. Vaccins à jour.".into();
    c.examen = "Auscultation pulmonaire normale, tympans normaux, gorge érythémateuse.".into();
    c.conclusion =
        "Rhinopharyngite probable, traitement symptomatique, reconsulter si aggravation.".into();
    c.diagnostic_principal = Some(Diagnostic {
        code: "J00".into(),
        libelle: String::new(),
    });
    c.orientation = Some(Orientation::RetourDomicile);
    c.valider(arrivee + Days::hours(1), &ToutCode).unwrap()
}

/// Fills `store` with `rows` closed consultations over three years before 2026-11-20 (one
/// patient in four new, the others coming back), 5,000 per transaction, signed by a new doctor.
pub fn remplir(store: &mut Store, rows: usize) {
    let medecin = creer_medecin(store);
    let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let first = today.and_hms_opt(20, 0, 0).unwrap() - Days::days(3 * 365);
    let per_tx = 5_000;
    let mut done = 0;
    let mut patients: Vec<i64> = Vec::new();
    while done < rows {
        let n = per_tx.min(rows - done);
        store
            .write(|tx| {
                for k in 0..n {
                    let i = done + k;
                    // One patient in four is new; the others come back.
                    let pid = if i % 4 == 0 || patients.is_empty() {
                        let id =
                            patient::creer(tx, &identite(i as u64), today, Some(medecin), NOW)?;
                        patients.push(id);
                        id
                    } else {
                        patients[(i * 7919) % patients.len()]
                    };
                    let mut arrivee =
                        first + Days::minutes(((i * 37) % (3 * 365 * 24 * 60)) as i64);
                    // Keep arrival, start and end out of 01:30-02:59, which does not exist (spring)
                    // or exists twice (autumn) on the daylight-saving nights.
                    if matches!(arrivee.hour(), 1 | 2) {
                        arrivee += Days::hours(2);
                    }
                    consultation::creer(
                        tx,
                        &format!("b-{i}"),
                        pid,
                        None,
                        &contenu(arrivee, medecin),
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
}
