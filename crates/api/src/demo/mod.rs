//! The demo MMG: realistic synthetic doctors, patients and consultations, so that a newcomer (and the
//! end-to-end tests) see a living app. Every name is invented; the generator is seeded, so the same
//! options on the same store give the same data.
//!
//! The consultations go through the same validation and store functions as real ones, each in its
//! own transaction (with its audit entry), spread over the past year in the MMG's opening slots
//! (nights, Saturdays, Sundays, public holidays), with seasonal reasons (bronchiolitis and flu in
//! winter, stings and sunburn in summer). Seeding again adds consultations to the demo MMG; a store
//! holding a real MMG is refused.

mod comptes;

use crate::{ApiError, ErrorCode, dto::DemoOptions, dto::DemoSummary};
use appligarde_domain::{
    calendrier::{PeriodePdsa, date_de_garde},
    consultation::{CodeConnu, Contenu, Diagnostic, Nomenclature, Orientation},
    garde::{Lieu, ModeArrivee, Role, Sexe},
    luhn,
    mmg::MmgIdentity,
    patient::Identite,
};
use appligarde_store::{Store, consultation, garde, mmg, patient, utilisateur};
use chrono::{Datelike, Duration, NaiveDateTime};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

/// The name of the demo MMG: a store with another MMG is never seeded.
pub const DEMO_NOM: &str = "MMG de démonstration d'Ancenis";
/// The password of every demo user (documented in the README; demo data only).
pub const DEMO_MOT_DE_PASSE: &str = "garde-demo";

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
/// A kind of garde consultation: its reason, its CIM-10 code and official label, the months it
/// happens in (empty: all year), the ages it concerns, whether it comes with fever.
struct Scenario {
    motif: &'static str,
    code: &'static str,
    libelle: &'static str,
    mois: &'static [u32],
    ages: (i64, i64),
    fievre: bool,
    examen: &'static str,
    conclusion: &'static str,
}

const HIVER: &[u32] = &[11, 12, 1, 2, 3];
const ETE: &[u32] = &[6, 7, 8, 9];
const PRINTEMPS: &[u32] = &[3, 4, 5, 6];

const SCENARIOS: &[Scenario] = &[
    Scenario {
        motif: "Fièvre et courbatures",
        code: "J11.1",
        libelle: "Grippe avec d'autres manifestations respiratoires, virus non identifié",
        mois: HIVER,
        ages: (5, 85),
        fievre: true,
        examen: "Myalgies, rhinorrhée, auscultation libre.",
        conclusion: "Syndrome grippal.",
    },
    Scenario {
        motif: "Gêne respiratoire du nourrisson",
        code: "J21.9",
        libelle: "Bronchiolite (aiguë), sans précision",
        mois: HIVER,
        ages: (0, 1),
        fievre: false,
        examen: "Sibilants bilatéraux, pas de signe de lutte.",
        conclusion: "Bronchiolite sans signe de gravité.",
    },
    Scenario {
        motif: "Nez qui coule et toux",
        code: "J00",
        libelle: "Rhinopharyngite (aiguë) [rhume banal]",
        mois: &[],
        ages: (0, 70),
        fievre: false,
        examen: "Rhinorrhée claire, tympans normaux.",
        conclusion: "Rhinopharyngite.",
    },
    Scenario {
        motif: "Otalgie",
        code: "H66.9",
        libelle: "Otite moyenne, sans précision",
        mois: HIVER,
        ages: (1, 10),
        fievre: true,
        examen: "Tympan bombé et congestif.",
        conclusion: "Otite moyenne aiguë.",
    },
    Scenario {
        motif: "Toux grasse",
        code: "J20.9",
        libelle: "Bronchite aiguë, sans précision",
        mois: HIVER,
        ages: (15, 85),
        fievre: false,
        examen: "Ronchi, pas de foyer.",
        conclusion: "Bronchite aiguë.",
    },
    Scenario {
        motif: "Douleur de gorge",
        code: "J03.9",
        libelle: "Amygdalite (aiguë), sans précision",
        mois: &[],
        ages: (3, 60),
        fievre: true,
        examen: "Amygdales érythémateuses.",
        conclusion: "Angine.",
    },
    Scenario {
        motif: "Vomissements et diarrhée",
        code: "A09.9",
        libelle: "Gastroentérites et colites d'origine non précisée",
        mois: &[],
        ages: (0, 90),
        fievre: false,
        examen: "Abdomen souple, pas de déshydratation.",
        conclusion: "Gastro-entérite.",
    },
    Scenario {
        motif: "Piqûre de guêpe",
        code: "T63.4",
        libelle: "Effet toxique du venin d'autres arthropodes",
        mois: ETE,
        ages: (2, 80),
        fievre: false,
        examen: "Réaction locale, pas d'oedème de la face.",
        conclusion: "Piqûre d'hyménoptère.",
    },
    Scenario {
        motif: "Coup de soleil",
        code: "L55.9",
        libelle: "Coup de soleil, sans précision",
        mois: ETE,
        ages: (1, 70),
        fievre: false,
        examen: "Érythème du dos.",
        conclusion: "Coup de soleil.",
    },
    Scenario {
        motif: "Entorse de cheville",
        code: "S93.4",
        libelle: "Entorse et foulure de la cheville",
        mois: &[],
        ages: (8, 60),
        fievre: false,
        examen: "Oedème malléolaire externe, appui possible.",
        conclusion: "Entorse bénigne.",
    },
    Scenario {
        motif: "Plaie de la main",
        code: "S61.9",
        libelle: "Plaie ouverte du poignet et de la main, partie non précisée",
        mois: &[],
        ages: (4, 80),
        fievre: false,
        examen: "Plaie superficielle, pas d'atteinte tendineuse.",
        conclusion: "Plaie suturée.",
    },
    Scenario {
        motif: "Conjonctivite",
        code: "H10.9",
        libelle: "Conjonctivite, sans précision",
        mois: &[],
        ages: (0, 80),
        fievre: false,
        examen: "Oeil rouge, sécrétions.",
        conclusion: "Conjonctivite.",
    },
    Scenario {
        motif: "Brûlures mictionnelles",
        code: "N30.0",
        libelle: "Cystite aiguë",
        mois: &[],
        ages: (16, 85),
        fievre: false,
        examen: "Bandelette positive.",
        conclusion: "Cystite simple.",
    },
    Scenario {
        motif: "Céphalées",
        code: "R51",
        libelle: "Céphalée",
        mois: &[],
        ages: (12, 80),
        fievre: false,
        examen: "Examen neurologique normal.",
        conclusion: "Céphalée sans signe de gravité.",
    },
    Scenario {
        motif: "Lombalgie aiguë",
        code: "M54.5",
        libelle: "Lombalgie basse",
        mois: &[],
        ages: (20, 80),
        fievre: false,
        examen: "Contracture paravertébrale, pas de déficit.",
        conclusion: "Lumbago.",
    },
    Scenario {
        motif: "Douleur abdominale",
        code: "R10.4",
        libelle: "Douleurs abdominales, autres et non précisées",
        mois: &[],
        ages: (3, 90),
        fievre: false,
        examen: "Abdomen souple, pas de défense.",
        conclusion: "Douleur abdominale non spécifique.",
    },
    Scenario {
        motif: "Éruption cutanée",
        code: "L50.9",
        libelle: "Urticaire, sans précision",
        mois: &[],
        ages: (1, 80),
        fievre: false,
        examen: "Plaques urticariennes, pas d'oedème.",
        conclusion: "Urticaire.",
    },
    Scenario {
        motif: "Crise d'angoisse",
        code: "F41.0",
        libelle: "Trouble panique [anxiété épisodique paroxystique]",
        mois: &[],
        ages: (16, 70),
        fievre: false,
        examen: "Examen normal, ECG normal.",
        conclusion: "Attaque de panique.",
    },
    Scenario {
        motif: "Douleur thoracique",
        code: "R07.4",
        libelle: "Douleur thoracique, sans précision",
        mois: &[],
        ages: (25, 90),
        fievre: false,
        examen: "Douleur pariétale reproductible.",
        conclusion: "Douleur thoracique.",
    },
    Scenario {
        motif: "Colique néphrétique",
        code: "N23",
        libelle: "Colique néphrétique, sans précision",
        mois: &[],
        ages: (20, 75),
        fievre: false,
        examen: "Douleur lombaire irradiant.",
        conclusion: "Colique néphrétique simple.",
    },
    Scenario {
        motif: "Fièvre depuis 48 h",
        code: "R50.9",
        libelle: "Fièvre, sans précision",
        mois: &[],
        ages: (0, 90),
        fievre: true,
        examen: "Pas de point d'appel.",
        conclusion: "Fièvre isolée.",
    },
    Scenario {
        motif: "Boutons qui grattent",
        code: "B01.9",
        libelle: "Varicelle (sans complication)",
        mois: PRINTEMPS,
        ages: (1, 12),
        fievre: true,
        examen: "Vésicules d'âges différents.",
        conclusion: "Varicelle.",
    },
    Scenario {
        motif: "Éternuements et yeux qui piquent",
        code: "J30.3",
        libelle: "Autres rhinites allergiques",
        mois: PRINTEMPS,
        ages: (6, 60),
        fievre: false,
        examen: "Rhinorrhée claire, conjonctives rouges.",
        conclusion: "Rhinite allergique.",
    },
    Scenario {
        motif: "Tension élevée",
        code: "I10",
        libelle: "Hypertension essentielle (primitive)",
        mois: &[],
        ages: (40, 90),
        fievre: false,
        examen: "TA contrôlée élevée, pas de signe neurologique.",
        conclusion: "Poussée hypertensive.",
    },
];

/// The demo's own small nomenclature: the codes of [`SCENARIOS`] with their official labels. Seeding
/// thus never loads the whole CIM-10; a test checks each code and label against the real code set.
pub struct NomenclatureDemo;

impl Nomenclature for NomenclatureDemo {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        let wanted = code.trim().to_uppercase().replace('.', "");
        SCENARIOS
            .iter()
            .find(|s| s.code.replace('.', "") == wanted)
            .map(|s| CodeConnu {
                code: s.code.to_owned(),
                libelle: s.libelle.to_owned(),
                supprime: false,
                a_des_sous_codes: false,
                principal_autorise: true,
            })
    }
}

const COMMUNES: &[(&str, &str, &str)] = &[
    ("44150", "Ancenis-Saint-Géréon", "44003"),
    ("44830", "Bouaye", "44018"),
    ("44650", "Corcoué-sur-Logne", "44048"),
    ("85600", "Montaigu-Vendée", "85146"),
    ("44000", "Nantes", "44109"),
    ("49000", "Angers", "49007"),
    ("44521", "Oudon", "44115"),
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

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(e)
}

/// The demo users: (nom, prénom, rôle).
const UTILISATEURS: &[(&str, &str, Role)] = &[
    ("DESCHAMPS", "Léa", Role::Medecin),
    ("LE GALL", "Yann", Role::Medecin),
    ("BRIAND", "Sophie", Role::Medecin),
    ("MORIN", "Claire", Role::Accueil),
    ("RENAUD", "Marc", Role::Admin),
];

/// Seeds the demo MMG (see the module's header).
pub fn seed(
    store: &mut Store,
    options: &DemoOptions,
    now: NaiveDateTime,
    stamp: &str,
) -> Result<DemoSummary, ApiError> {
    seed_avec(store, options, now, stamp, &mut |_, _| {})
}

/// Same as [`seed`], calling `committed(id, uid)` after each consultation's transaction committed.
pub fn seed_avec(
    store: &mut Store,
    options: &DemoOptions,
    now: NaiveDateTime,
    stamp: &str,
    committed: &mut dyn FnMut(i64, &str),
) -> Result<DemoSummary, ApiError> {
    let existing = store
        .row_counts()?
        .iter()
        .find(|(t, _)| *t == "consultation")
        .map_or(0, |(_, n)| *n);
    let no_user = store.tous_les_utilisateurs()?.is_empty();
    let fresh = match store.mmg_identity()? {
        None if existing == 0 && no_user => true,
        Some(m) if m.nom == DEMO_NOM => false,
        _ => {
            return Err(ApiError::new(
                ErrorCode::Validation,
                "La base contient déjà des données : le jeu de démonstration ne s'installe que dans une base vide \
                 (ou s'ajoute à la MMG de démonstration).",
            ));
        }
    };
    // A different stream for every state of the store, so that seeding again never repeats an uid.
    let mut rng =
        StdRng::seed_from_u64(options.seed ^ (existing as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let today = now.date();
    let mut summary = DemoSummary {
        utilisateurs: 0,
        patients: 0,
        consultations: 0,
    };
    if fresh {
        let hash = crate::session::hacher(DEMO_MOT_DE_PASSE)?;
        store.write(|tx| {
            mmg::save_identity(
                tx,
                &MmgIdentity {
                    nom: DEMO_NOM.into(),
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
            // A demo MMG counts as set up: no first-start assistant.
            appligarde_store::premier_demarrage::terminer(tx, stamp)?;
            let mut first = None;
            for (i, (nom, prenom, role)) in UTILISATEURS.iter().enumerate() {
                let rpps =
                    (*role == Role::Medecin).then(|| rpps_from(1_018_159_000 + i as u64 * 7_919));
                let id = utilisateur::creer(
                    tx,
                    &utilisateur::NewUtilisateur {
                        nom,
                        prenom,
                        role: *role,
                        rpps: rpps.as_deref(),
                        specialite: (*role == Role::Medecin).then_some("Médecine générale"),
                    },
                    *role == Role::Admin,
                    Some(&hash),
                    first,
                    stamp,
                )?;
                first = first.or(Some(id));
            }
            Ok(())
        })?;
        summary.utilisateurs = UTILISATEURS.len() as u32;
    }
    let users = store.utilisateurs()?;
    let doctors: Vec<i64> = users
        .iter()
        .filter(|u| u.role == Role::Medecin)
        .map(|u| u.id)
        .collect();
    let Some(&first_doctor) = doctors.first() else {
        return Err(internal("the demo MMG has no doctor"));
    };
    let reglages = store.reglages()?;
    let departement = "44";
    let mut patient_ids: Vec<i64> = store
        .conn()
        .prepare("SELECT id FROM patient")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| ApiError::from(appligarde_store::StoreError::from(e)))?;

    // The current garde: open, with a few patients (waiting, in consultation, done), on a fresh store.
    let current = if fresh {
        options.consultations.min(5)
    } else {
        0
    };
    if current > 0 {
        store.write(|tx| {
            garde::ouvrir(
                tx,
                date_de_garde(now),
                &[first_doctor],
                now - Duration::hours(3),
                first_doctor,
                stamp,
            )
            .map(|_| ())
        })?;
    }
    for i in 0..options.consultations {
        let (arrivee, etat) = if i < current {
            let back = Duration::minutes(i64::from(rng.random_range(5..170)));
            (now - back, i.min(2))
        } else {
            (past_arrival(&mut rng, now, departement, &reglages), 2)
        };
        let scenario = {
            let month = arrivee.month();
            let candidates: Vec<&Scenario> = SCENARIOS
                .iter()
                .filter(|s| s.mois.is_empty() || s.mois.contains(&month))
                .collect();
            *candidates
                .choose(&mut rng)
                .ok_or_else(|| internal("no scenario"))?
        };
        let medecin = *doctors.choose(&mut rng).unwrap_or(&first_doctor);
        let reuse = !patient_ids.is_empty() && rng.random_bool(0.25);
        let identite = (!reuse).then(|| invent_patient(&mut rng, scenario, arrivee));
        let existing_patient = if reuse {
            patient_ids.choose(&mut rng).copied()
        } else {
            None
        };
        let contenu = consultation_de(
            &mut rng,
            scenario,
            arrivee,
            etat,
            medecin,
            departement,
            &reglages,
            identite.as_ref(),
        );
        let mut contenu = contenu;
        // The patients of the current garde were seen before now.
        contenu.debut = contenu.debut.map(|t| t.min(now));
        contenu.fin = contenu.fin.map(|t| t.min(now));
        let valide = contenu.valider(now, &NomenclatureDemo).map_err(|e| {
            let messages: Vec<String> = e.into_iter().map(|e| e.to_string()).collect();
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "Jeu de démonstration invalide (erreur du programme) : {}",
                    messages.join(" ; ")
                ),
            )
        })?;
        let uid = random_uid(&mut rng);
        let fermee = etat == 2;
        let (id, new_patient) = store.write(|tx| {
            let (patient_id, new_patient) = match (existing_patient, &identite) {
                (Some(id), _) => (id, None),
                (None, Some(ident)) => {
                    let id = patient::creer(tx, ident, today, Some(medecin), stamp)?;
                    (id, Some(id))
                }
                (None, None) => {
                    return Err(appligarde_store::StoreError::NotFound("patient".into()));
                }
            };
            let garde_id = if i < current {
                garde::garde_ouverte(tx)?.map(|g| g.id)
            } else {
                let jour = date_de_garde(arrivee);
                let ouverture = jour.and_hms_opt(8, 0, 0).unwrap_or(arrivee);
                Some(garde::garde_passee(
                    tx,
                    jour,
                    medecin,
                    ouverture.min(arrivee),
                    ouverture + Duration::days(1),
                    stamp,
                )?)
            };
            let id = consultation::creer(
                tx,
                &uid,
                patient_id,
                garde_id,
                &valide,
                fermee,
                Some(medecin),
                stamp,
            )?;
            Ok((id, new_patient))
        })?;
        if let Some(p) = new_patient {
            patient_ids.push(p);
            summary.patients += 1;
        }
        summary.consultations += 1;
        committed(id, &uid);
    }
    comptes::demo_comptes(store, stamp)?;
    tracing::info!(consultations = summary.consultations, "demo data seeded");
    Ok(summary)
}

impl crate::Api {
    /// [`crate::Api::demo_seed`], calling `committed(id, uid)` after each consultation is committed
    /// (the CLI prints them with `--verbose`).
    pub fn demo_seed_avec(
        &self,
        options: DemoOptions,
        committed: &mut dyn FnMut(i64, &str),
    ) -> Result<DemoSummary, ApiError> {
        let now = self.clock.now_local();
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        seed_avec(&mut store, &options, now, &stamp, committed)
    }
}

/// A past arrival inside the MMG's opening slots, over the past year (all seasons, holidays included).
fn past_arrival(
    rng: &mut StdRng,
    now: NaiveDateTime,
    departement: &str,
    reglages: &appligarde_store::garde::Reglages,
) -> NaiveDateTime {
    let mut candidate = now - Duration::days(2);
    for _ in 0..200 {
        let day = now.date() - Duration::days(rng.random_range(2..=366));
        let start = day.and_hms_opt(8, 0, 0).unwrap_or(now);
        candidate = start + Duration::minutes(rng.random_range(0..24 * 60));
        // A time skipped by the spring change never existed: draw again.
        if reglages
            .creneaux
            .est_ouverte(candidate, departement, &reglages.calendrier)
            && appligarde_domain::calendrier::instant_paris(candidate).is_ok()
        {
            return candidate;
        }
    }
    candidate
}

/// `t`, or an hour later when `t` falls in the hour skipped by the spring change (29/03/2026,
/// 2:00-2:59 never existed in Paris): the start and end of a consultation drawn after a valid
/// arrival may land there, and validation refuses such a time.
fn heure_existante(t: NaiveDateTime) -> NaiveDateTime {
    if appligarde_domain::calendrier::instant_paris(t).is_ok() {
        t
    } else {
        t + Duration::hours(1)
    }
}

fn invent_patient(rng: &mut StdRng, scenario: &Scenario, arrivee: NaiveDateTime) -> Identite {
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
    .choose(rng)
    .copied()
    .unwrap_or("Alex");
    let nom = NOMS.choose(rng).copied().unwrap_or("MARTIN");
    let (a, b) = scenario.ages;
    let age_days = rng.random_range(a * 365 + 20..=b * 365 + 360);
    let (cp, commune, insee) = COMMUNES.choose(rng).copied().unwrap_or(COMMUNES[0]);
    let enfant = age_days < 15 * 365;
    Identite {
        nom: nom.into(),
        nom_naissance: if sexe == Sexe::F && !enfant && rng.random_bool(0.3) {
            NOMS.choose(rng).copied().unwrap_or("").into()
        } else {
            String::new()
        },
        prenom: prenom.into(),
        sexe,
        date_naissance: arrivee.date() - Duration::days(age_days),
        code_postal: cp.into(),
        commune: commune.into(),
        code_insee: insee.into(),
        telephone: if rng.random_bool(0.7) {
            format!(
                "06 {:02} {:02} {:02} {:02}",
                rng.random_range(0..100),
                rng.random_range(0..100),
                rng.random_range(0..100),
                rng.random_range(0..100)
            )
        } else {
            String::new()
        },
        medecin_traitant: [
            "Dr Martin, Ancenis",
            "Dr Petit, Oudon",
            "Dr Roux, Nantes",
            "",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("")
        .into(),
        medecin_traitant_rpps: None,
        poids_kg: None,
        taille_cm: None,
        allergies: if rng.random_bool(0.1) {
            "Pénicilline".into()
        } else {
            String::new()
        },
        antecedents: String::new(),
    }
}

/// A plausible consultation of `scenario`: `etat` 0 waiting, 1 in consultation, 2 closed.
#[allow(clippy::too_many_arguments)]
fn consultation_de(
    rng: &mut StdRng,
    scenario: &Scenario,
    arrivee: NaiveDateTime,
    etat: u32,
    medecin: i64,
    departement: &str,
    reglages: &appligarde_store::garde::Reglages,
    identite: Option<&Identite>,
) -> Contenu {
    let regule = rng.random_bool(0.55);
    let mode = if regule {
        [
            ModeArrivee::ReguleCentre15,
            ModeArrivee::Regule116117,
            ModeArrivee::ReguleSas,
        ]
    } else {
        [
            ModeArrivee::Spontane,
            ModeArrivee::AdresseMedecin,
            ModeArrivee::AdressePharmacien,
        ]
    }
    .choose(rng)
    .copied()
    .unwrap_or(ModeArrivee::Spontane);
    let visite = rng.random_bool(0.06);
    let mut c = Contenu::arrivee(
        arrivee,
        mode,
        if visite { Lieu::Domicile } else { Lieu::Mmg },
        scenario.motif,
    );
    if etat == 0 {
        return c;
    }
    let age_years = identite
        .map(|i| (arrivee.date() - i.date_naissance).num_days() / 365)
        .unwrap_or(scenario.ages.0);
    let enfant = age_years < 15;
    let debut = heure_existante(arrivee + Duration::minutes(rng.random_range(5..60)));
    c.medecin_id = Some(medecin);
    c.debut = Some(debut);
    c.anamnese = format!(
        "{} depuis {} jour(s).",
        scenario.motif,
        rng.random_range(1..4)
    );
    c.examen = scenario.examen.into();
    let dixieme = |rng: &mut StdRng, a: f64, b: f64| (rng.random_range(a..b) * 10.0).round() / 10.0;
    c.vitaux.temperature = Some(if scenario.fievre {
        dixieme(rng, 38.0, 40.2)
    } else {
        dixieme(rng, 36.2, 37.6)
    });
    let fc = if enfant {
        rng.random_range(80..140)
    } else {
        rng.random_range(60..100)
    };
    c.vitaux.frequence_cardiaque = Some(fc + if scenario.fievre { 12 } else { 0 });
    c.vitaux.spo2 = Some(rng.random_range(94..=100));
    c.vitaux.frequence_respiratoire = Some(if enfant {
        rng.random_range(20..40)
    } else {
        rng.random_range(12..22)
    });
    if !enfant {
        let sys = rng.random_range(105..165);
        c.vitaux.ta_systolique = Some(sys);
        c.vitaux.ta_diastolique = Some(rng.random_range(60..(sys - 30).min(100)));
    }
    if enfant {
        c.vitaux.poids_kg = Some(
            ((3.5 + age_years as f64 * 2.8 + rng.random_range(-1.0..1.0)) * 10.0).round() / 10.0,
        );
    }
    if rng.random_bool(0.08) {
        c.vitaux.glycemie = Some(dixieme(rng, 0.8, 1.6));
    }
    if etat == 1 {
        return c;
    }
    c.fin = Some(heure_existante(
        debut + Duration::minutes(rng.random_range(10..30)),
    ));
    c.conclusion = scenario.conclusion.into();
    c.diagnostic_principal = Some(Diagnostic {
        code: scenario.code.into(),
        libelle: String::new(),
    });
    if scenario.fievre && scenario.code != "R50.9" && rng.random_bool(0.3) {
        c.diagnostics_associes.push(Diagnostic {
            code: "R50.9".into(),
            libelle: String::new(),
        });
    }
    let mut actes = vec![if visite { "VG" } else { "G" }.to_owned()];
    if age_years < 6 {
        actes.push("MEG".into());
    }
    if regule {
        let periode = reglages.calendrier.slot_of(arrivee, departement);
        let code = match periode {
            PeriodePdsa::Nuit => Some("CRN"),
            PeriodePdsa::MilieuDeNuit => Some("CRM"),
            PeriodePdsa::DimancheFerie => Some("CRD"),
            PeriodePdsa::SamediApresMidi | PeriodePdsa::Pont => Some("CRS"),
            PeriodePdsa::HorsPdsa => None,
        };
        actes.extend(code.map(str::to_owned));
    }
    c.actes = actes;
    let tirage: f64 = rng.random();
    let grave = scenario.code == "R07.4" || scenario.code == "J21.9";
    c.orientation = Some(match tirage {
        t if grave && t < 0.25 => Orientation::Urgences,
        t if t < 0.85 => Orientation::RetourDomicile,
        t if t < 0.95 => Orientation::MedecinTraitant,
        t if t < 0.985 => Orientation::Urgences,
        t if t < 0.995 => Orientation::Hospitalisation,
        _ => Orientation::SamuSmur,
    });
    c
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

    #[test]
    fn every_demo_code_is_a_valid_main_diagnosis_with_its_official_label() {
        let set = appligarde_cim10::CodeSet::embedded().unwrap();
        for s in SCENARIOS {
            let code = set
                .get(s.code)
                .unwrap_or_else(|| panic!("{} exists in the CIM-10", s.code));
            assert!(
                code.is_valid_for_main_diagnosis(),
                "{} may be a main diagnosis",
                s.code
            );
            assert_ne!(
                code.mco_type(),
                3,
                "{} is not a category to make precise",
                s.code
            );
            assert_eq!(
                code.label(),
                s.libelle,
                "the demo keeps the official label of {}",
                s.code
            );
        }
    }

    #[test]
    fn consultations_around_the_spring_change_have_times_that_exist() {
        // The night of 29/03/2026: 2:00-2:59 never existed. Arrivals before it are valid, but the
        // start and end drawn after them used to land in that hour (a flaky crash test).
        let reglages = appligarde_store::garde::Reglages::default();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
            .and_then(|d| d.and_hms_opt(21, 0, 0))
            .unwrap();
        let nuit = chrono::NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap();
        let mut rng = StdRng::seed_from_u64(29);
        let mut dans_le_trou = 0;
        for minutes in (0..120).step_by(5) {
            let arrivee = nuit + Duration::minutes(minutes);
            for scenario in SCENARIOS {
                for _ in 0..4 {
                    let identite = invent_patient(&mut rng, scenario, arrivee);
                    let brut = arrivee + Duration::minutes(30);
                    if appligarde_domain::calendrier::instant_paris(brut).is_err() {
                        dans_le_trou += 1;
                    }
                    let c = consultation_de(
                        &mut rng,
                        scenario,
                        arrivee,
                        2,
                        1,
                        "44",
                        &reglages,
                        Some(&identite),
                    );
                    if let Err(e) = c.valider(now, &NomenclatureDemo) {
                        panic!("arrival {arrivee}, {}: {e:?}", scenario.code);
                    }
                }
            }
        }
        assert!(dans_le_trou > 0, "the test reaches the skipped hour");
    }

    #[test]
    fn every_season_has_its_scenarios() {
        for month in 1..=12 {
            let n = SCENARIOS
                .iter()
                .filter(|s| s.mois.is_empty() || s.mois.contains(&month))
                .count();
            assert!(n >= 15, "month {month} has {n} scenarios");
        }
    }
}
