//! The demo MMG: realistic synthetic doctors, patients and consultations, so that a newcomer (and the
//! end-to-end tests) see a living app. Every name is invented; the generator is seeded, so the same
//! options give the same data.

use crate::{ApiError, ErrorCode, dto::DemoOptions, dto::DemoSummary};
use appligarde_domain::{
    garde::{Lieu, ModeArrivee, Role, Sexe, StatutConsultation},
    luhn,
    mmg::MmgIdentity,
};
use appligarde_store::{Store, consultation, mmg, patient, utilisateur};
use chrono::{Duration, NaiveDateTime, NaiveTime};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

const NOMS: &[&str] = &[
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "DAVID",
    "BERTRAND",
    "ROUX",
    "VINCENT",
    "FOURNIER",
    "MOREL",
    "GIRARD",
    "ANDRÉ",
    "LEFÈVRE",
    "MERCIER",
    "DUPONT",
    "LAMBERT",
    "BONNET",
    "FRANÇOIS",
    "MARTINEZ",
];
const PRENOMS_F: &[&str] = &[
    "Léa",
    "Chloé",
    "Emma",
    "Inès",
    "Manon",
    "Zoé",
    "Hélène",
    "Françoise",
    "Anaïs",
    "Maëlle",
    "Océane",
    "Agnès",
];
const PRENOMS_M: &[&str] = &[
    "Lucas",
    "Hugo",
    "Théo",
    "Noé",
    "Jérôme",
    "François",
    "Gaël",
    "Loïc",
    "Mathéo",
    "René",
    "Joël",
    "Benoît",
];
const COMMUNES: &[(&str, &str)] = &[
    ("44150", "Ancenis-Saint-Géréon"),
    ("44830", "Bouaye"),
    ("44650", "Corcoué-sur-Logne"),
    ("85600", "Montaigu-Vendée"),
    ("44000", "Nantes"),
    ("49000", "Angers"),
    ("44521", "Oudon"),
];
const MOTIFS: &[&str] = &[
    "Fièvre depuis 48 h",
    "Douleur de gorge",
    "Otalgie droite",
    "Toux et gêne respiratoire",
    "Vomissements et diarrhée",
    "Brûlures mictionnelles",
    "Entorse de cheville",
    "Plaie de la main",
    "Douleur abdominale",
    "Céphalées",
    "Lombalgie aiguë",
    "Éruption cutanée",
    "Conjonctivite",
    "Crise d'angoisse",
];

/// A valid RPPS number (11 digits with its Luhn key) made from `base`, 10 digits.
fn rpps_from(base: u64) -> String {
    let stem = format!("{:010}", base % 10_000_000_000);
    (0..10)
        .map(|d| format!("{stem}{d}"))
        .find(|candidate| luhn::is_valid_rpps(candidate))
        .unwrap_or_else(|| format!("{stem}0"))
}

fn random_uid(rng: &mut StdRng) -> String {
    let bytes: [u8; 16] = rng.random();
    hex::encode(bytes)
}

/// A plausible arrival time of a garde on `day`: weekday evenings, Saturday afternoons, Sundays all day.
fn garde_arrival(rng: &mut StdRng, day: chrono::NaiveDate) -> NaiveDateTime {
    use chrono::Datelike;
    let (start_h, end_h) = match day.weekday() {
        chrono::Weekday::Sat => (12, 24),
        chrono::Weekday::Sun => (8, 24),
        _ => (20, 24),
    };
    let minutes = rng.random_range(start_h * 60..end_h * 60);
    day.and_time(NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or_default())
}

/// Seeds an empty store. Refuses a store that already holds consultations or an MMG identity, so that
/// it can never mix invented patients into real records.
pub fn seed(
    store: &mut Store,
    options: &DemoOptions,
    now: NaiveDateTime,
    stamp: &str,
) -> Result<DemoSummary, ApiError> {
    let has_data = store.mmg_identity()?.is_some()
        || store
            .row_counts()?
            .iter()
            .any(|(t, n)| *t == "consultation" && *n > 0);
    if has_data {
        return Err(ApiError::new(
            ErrorCode::Validation,
            "La base contient déjà des données : le jeu de démonstration ne s'installe que dans une base vide.",
        ));
    }
    let mut rng = StdRng::seed_from_u64(options.seed);
    let n_consultations = options.consultations;
    let today = now.date();
    let summary = store.write(|tx| {
        mmg::save_identity(
            tx,
            &MmgIdentity {
                nom: "MMG de démonstration d'Ancenis".into(),
                adresse: "12 rue de l'Hôpital".into(),
                code_postal: "44150".into(),
                commune: "Ancenis-Saint-Géréon".into(),
                telephone: "02 40 83 00 00".into(),
                email: "mmg.demo@example.fr".into(),
                departement: "44".into(),
                finess: None,
            },
            stamp,
        )?;
        let doctors = [
            ("DESCHAMPS", "Léa"),
            ("LE GALL", "Yann"),
            ("BRIAND", "Sophie"),
        ];
        let mut doctor_ids = Vec::new();
        for (i, (nom, prenom)) in doctors.iter().enumerate() {
            let rpps = rpps_from(1_018_159_000 + i as u64 * 7_919);
            let id = utilisateur::insert(
                tx,
                &utilisateur::NewUtilisateur {
                    nom,
                    prenom,
                    role: Role::Medecin,
                    rpps: Some(&rpps),
                    specialite: Some("Médecine générale"),
                },
                stamp,
            )?;
            doctor_ids.push(id);
        }
        utilisateur::insert(
            tx,
            &utilisateur::NewUtilisateur {
                nom: "MORIN",
                prenom: "Claire",
                role: Role::Accueil,
                rpps: None,
                specialite: None,
            },
            stamp,
        )?;

        let n_patients = (n_consultations * 3 / 4).max(1);
        let mut patient_ids = Vec::new();
        for _ in 0..n_patients {
            let sexe = if rng.random_bool(0.5) {
                Sexe::F
            } else {
                Sexe::M
            };
            let prenom = if sexe == Sexe::F {
                PRENOMS_F
            } else {
                PRENOMS_M
            }
            .choose(&mut rng)
            .copied()
            .unwrap_or("Alex");
            let nom = NOMS.choose(&mut rng).copied().unwrap_or("MARTIN");
            let age_days = rng.random_range(30..95 * 365);
            let (cp, commune) = COMMUNES
                .choose(&mut rng)
                .copied()
                .unwrap_or(("44150", "Ancenis-Saint-Géréon"));
            let id = patient::insert(
                tx,
                &patient::NewPatient {
                    nom,
                    prenom,
                    sexe,
                    date_naissance: today - Duration::days(age_days),
                    code_postal: cp,
                    commune,
                },
                today,
                stamp,
            )?;
            patient_ids.push(id);
        }

        // A few consultations of the current garde (so Garde du jour is alive), the rest over 60 days.
        let current = n_consultations.min(5);
        for i in 0..n_consultations {
            let (arrivee, statut) = if i < current {
                let back = Duration::minutes(i64::from(rng.random_range(5..180)));
                (
                    now - back,
                    if i < 2 {
                        StatutConsultation::Brouillon
                    } else {
                        StatutConsultation::Cloturee
                    },
                )
            } else {
                let day = today - Duration::days(rng.random_range(1..60));
                (garde_arrival(&mut rng, day), StatutConsultation::Cloturee)
            };
            let debut = arrivee + Duration::minutes(rng.random_range(5..60));
            let fin = debut + Duration::minutes(rng.random_range(10..30));
            let mode = if rng.random_bool(0.55) {
                *[
                    ModeArrivee::ReguleCentre15,
                    ModeArrivee::Regule116117,
                    ModeArrivee::ReguleSas,
                ]
                .choose(&mut rng)
                .unwrap_or(&ModeArrivee::ReguleCentre15)
            } else {
                *[
                    ModeArrivee::Spontane,
                    ModeArrivee::AdresseMedecin,
                    ModeArrivee::AdressePharmacien,
                ]
                .choose(&mut rng)
                .unwrap_or(&ModeArrivee::Spontane)
            };
            let done = statut == StatutConsultation::Cloturee;
            let uid = random_uid(&mut rng);
            consultation::insert(
                tx,
                &consultation::NewConsultation {
                    uid: &uid,
                    patient_id: *patient_ids.choose(&mut rng).unwrap_or(&patient_ids[0]),
                    medecin_id: Some(*doctor_ids.choose(&mut rng).unwrap_or(&doctor_ids[0])),
                    arrivee,
                    debut: Some(debut).filter(|_| done),
                    fin: Some(fin).filter(|_| done),
                    mode_arrivee: mode,
                    lieu: if rng.random_bool(0.08) {
                        Lieu::Domicile
                    } else {
                        Lieu::Mmg
                    },
                    motif: MOTIFS.choose(&mut rng).copied().unwrap_or("Fièvre"),
                    statut,
                },
                stamp,
            )?;
        }
        Ok(DemoSummary {
            utilisateurs: 4,
            patients: n_patients,
            consultations: n_consultations,
        })
    })?;
    tracing::info!(consultations = summary.consultations, "demo data seeded");
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_rpps_numbers_are_valid() {
        for base in [0, 1_018_159_000, 9_999_999_999] {
            assert!(
                luhn::is_valid_rpps(&rpps_from(base)),
                "{base} gives a valid RPPS"
            );
        }
    }
}
