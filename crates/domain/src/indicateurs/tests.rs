//! Unit tests of `indicateurs` (private items included).

use super::*;
use crate::calendrier::CalendrierPdsa;

fn t(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[allow(clippy::too_many_arguments)]
fn fait(
    patient: i64,
    arrivee: &str,
    debut: Option<&str>,
    fin: Option<&str>,
    mode: ModeArrivee,
    lieu: Lieu,
    sexe: Sexe,
    tranche: Option<TrancheAge>,
    orientation: Option<Orientation>,
    diagnostic: Option<&str>,
    commune: Option<&str>,
    medecin: Option<i64>,
) -> Fait {
    Fait {
        patient,
        arrivee: t(arrivee),
        debut: debut.map(t),
        fin: fin.map(t),
        mode_arrivee: mode,
        lieu,
        sexe,
        tranche_age: tranche,
        classe_age: None,
        orientation,
        diagnostic_principal: diagnostic.map(str::to_owned),
        diagnostics_associes: Vec::new(),
        commune: commune.map(str::to_owned),
        medecin,
        retour_72h: false,
        montants: Vec::new(),
    }
}

/// Five consultations of one week of March 2026 (no holiday), whose indicators are computed by
/// hand in the test below.
fn semaine() -> Vec<Fait> {
    use ModeArrivee as M;
    let mut faits = vec![
        // Friday evening, regulated by the Centre 15, a toddler.
        fait(
            1,
            "2026-03-06 21:10",
            Some("2026-03-06 21:30"),
            Some("2026-03-06 21:45"),
            M::ReguleCentre15,
            Lieu::Mmg,
            Sexe::F,
            Some(TrancheAge::De0a2),
            Some(Orientation::RetourDomicile),
            Some("J06.9"),
            Some("44109"),
            Some(1),
        ),
        // Saturday 1:20, Friday's garde, a home visit.
        fait(
            2,
            "2026-03-07 01:20",
            Some("2026-03-07 01:25"),
            Some("2026-03-07 01:55"),
            M::Spontane,
            Lieu::Domicile,
            Sexe::M,
            Some(TrancheAge::De75EtPlus),
            Some(Orientation::Urgences),
            Some("I10"),
            Some("44109"),
            Some(1),
        ),
        // Sunday morning: the toddler is back 36 h 50 after the first visit.
        fait(
            1,
            "2026-03-08 10:00",
            Some("2026-03-08 10:40"),
            Some("2026-03-08 11:00"),
            M::ReguleSas,
            Lieu::Mmg,
            Sexe::F,
            Some(TrancheAge::De0a2),
            Some(Orientation::Hospitalisation),
            Some("J209"),
            Some("44162"),
            Some(2),
        ),
        // Monday evening, still waiting: no time, no doctor, nothing known.
        fait(
            3,
            "2026-03-09 20:30",
            None,
            None,
            M::Spontane,
            Lieu::Mmg,
            Sexe::I,
            None,
            None,
            None,
            None,
            None,
        ),
        // Tuesday 2:00, Monday's garde: patient 2 again, but 72 h 40 later, so not a return.
        fait(
            2,
            "2026-03-10 02:00",
            Some("2026-03-10 02:10"),
            Some("2026-03-10 02:20"),
            M::Regule116117,
            Lieu::Mmg,
            Sexe::M,
            Some(TrancheAge::De75EtPlus),
            Some(Orientation::RetourDomicile),
            Some("R50.9"),
            Some("44109"),
            Some(2),
        ),
    ];
    marquer_retours(&mut faits);
    faits
}

fn periode_de(t: NaiveDateTime) -> PeriodePdsa {
    CalendrierPdsa::default().slot_of(t, "44")
}

#[test]
fn the_indicators_of_a_hand_made_week_are_the_hand_computed_ones() {
    let faits = semaine();
    let tab = Tableau::calculer(&faits, d("2026-03-06"), d("2026-03-09"), periode_de);
    let c = &tab.total;
    assert_eq!(c.consultations, 5, "five arrivals");
    assert_eq!(c.regules(), 3, "Centre 15, SAS and 116 117");
    assert_eq!(c.visites, 1, "one home visit");
    assert_eq!(c.retours_72h, 1, "36 h 50 is a return, 72 h 40 is not");
    assert_eq!(c.par_sexe, [2, 2, 1], "F, M, I");
    assert_eq!(
        c.par_tranche_age,
        [2, 0, 0, 0, 0, 0, 2, 1],
        "two toddlers, two over 75, one unknown"
    );
    // retour, traitant, urgences, hospitalisation, samu, décès, autre, non renseignée
    assert_eq!(c.par_orientation, [2, 0, 1, 1, 0, 0, 0, 1]);
    assert_eq!(c.urgences_ou_hospitalisation(), 2);
    // regule_centre15, 116117, sas, spontane, adresse_medecin, adresse_pharmacien, autre
    assert_eq!(c.par_mode_arrivee, [1, 1, 1, 2, 0, 0, 0]);
    let chapitres: Vec<(&str, u32)> = c
        .par_chapitre
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(chapitres, [("I00-I99", 1), ("J00-J99", 2), ("R00-R99", 1)]);
    let categories: Vec<&str> = c.par_categorie.keys().map(String::as_str).collect();
    assert_eq!(
        categories,
        ["I10", "J06", "J20", "R50"],
        "J209 and J06.9 both reduce to categories"
    );
    let communes: Vec<(&str, u32)> = c
        .par_commune
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(communes, [("44109", 3), ("44162", 1)]);
    let medecins: Vec<(i64, u32)> = c.par_medecin.iter().map(|(k, v)| (*k, *v)).collect();
    assert_eq!(medecins, [(1, 2), (2, 2)]);
    // Waits 20, 5, 40, 10 min: sorted 5 10 20 40, median rank 2, P90 rank 4.
    assert_eq!(
        tab.attente,
        Repartition {
            n: 4,
            mediane: Some(10),
            p90: Some(40)
        }
    );
    // Lengths 15, 30, 20, 10 min: sorted 10 15 20 30.
    assert_eq!(
        tab.duree,
        Repartition {
            n: 4,
            mediane: Some(15),
            p90: Some(30)
        }
    );
    let par_jour: Vec<u32> = tab.par_jour.values().copied().collect();
    assert_eq!(
        par_jour,
        [2, 0, 1, 2],
        "Friday's garde holds the 1:20 arrival, Monday's the 2:00 one"
    );
    // nuit, milieu de nuit, dimanche/férié, samedi, pont, hors PDSA
    assert_eq!(tab.par_periode, [2, 2, 1, 0, 0, 0]);
    assert_eq!(
        tab.par_jour_semaine,
        [1, 1, 0, 0, 1, 1, 1],
        "weekday of the arrival itself"
    );
    assert_eq!(tab.carte_chaleur[4][21], 1, "Friday 21h");
    assert_eq!(tab.carte_chaleur[1][2], 1, "Tuesday 2h");
    assert_eq!(tab.par_mois.values().copied().collect::<Vec<_>>(), [5]);
}

#[test]
fn daily_counts_add_up_to_the_period() {
    let faits = semaine();
    let mut somme = Comptes::default();
    let jours = comptes_quotidiens(&faits, periode_de);
    for c in jours.values() {
        somme.fusionner(c);
    }
    let tab = Tableau::calculer(&faits, d("2026-03-06"), d("2026-03-09"), periode_de);
    assert_eq!(
        somme, tab.total,
        "the counts are additive across days and slots"
    );
    assert_eq!(
        jours.len(),
        5,
        "(Fri, nuit), (Fri, milieu de nuit), (Sun, dimanche), (Mon, nuit), (Mon, milieu de nuit)"
    );
}

#[test]
fn the_dashboard_from_daily_cumuls_is_the_direct_one() {
    let mut faits = semaine();
    faits[0].diagnostics_associes = vec!["J06.0".into(), "R05".into(), "bruit".into()];
    let cumuls = cumuls_quotidiens(&faits, periode_de);
    for (du, au) in [
        ("2026-03-06", "2026-03-09"),
        ("2026-03-07", "2026-03-09"),
        ("2026-03-01", "2026-03-31"),
        ("2026-03-09", "2026-03-09"),
    ] {
        assert_eq!(
            Tableau::depuis_cumuls(d(du), d(au), &cumuls),
            Tableau::calculer(&faits, d(du), d(au), periode_de),
            "merged daily cumuls give exactly the direct dashboard of {du}..{au}"
        );
    }
}

#[test]
fn all_diagnoses_count_once_per_consultation_and_category() {
    let mut faits = semaine();
    // J06.9 principal; J06.0 is the same category, R05 another chapter, "bruit" no code.
    faits[0].diagnostics_associes = vec!["J06.0".into(), "R05".into(), "bruit".into()];
    let tab = Tableau::calculer(&faits, d("2026-03-06"), d("2026-03-09"), periode_de);
    let c = &tab.total;
    let tous: Vec<(&str, u32)> = c
        .par_categorie_tous
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        tous,
        [("I10", 1), ("J06", 1), ("J20", 1), ("R05", 1), ("R50", 1)]
    );
    let chapitres: Vec<(&str, u32)> = c
        .par_chapitre_tous
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        chapitres,
        [("I00-I99", 1), ("J00-J99", 2), ("R00-R99", 2)],
        "the first consultation counts once in J and once in R"
    );
    assert_eq!(
        c.par_categorie.get("R05"),
        None,
        "the principal-only table ignores associated diagnoses"
    );
}

#[test]
fn percentiles_from_a_histogram_are_the_exact_ones() {
    let cases: [&[u32]; 5] = [
        &[],
        &[7],
        &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        &[30, 10, 20],
        &[5, 5, 5, 9, 9, 200],
    ];
    for valeurs in cases {
        let mut h = BTreeMap::new();
        for v in valeurs {
            *h.entry(*v).or_default() += 1;
        }
        assert_eq!(
            Repartition::de_histogramme(&h),
            Repartition::de(valeurs.to_vec()),
            "{valeurs:?}"
        );
    }
}

#[test]
fn age_bands_follow_full_years() {
    let cases = [
        ("2026-03-06", "2026-03-06", Some(TrancheAge::De0a2)),
        ("2023-03-07", "2026-03-06", Some(TrancheAge::De0a2)),
        ("2023-03-06", "2026-03-06", Some(TrancheAge::De3a5)),
        ("2020-03-06", "2026-03-06", Some(TrancheAge::De6a15)),
        ("2010-03-07", "2026-03-06", Some(TrancheAge::De6a15)),
        ("2010-03-06", "2026-03-06", Some(TrancheAge::De16a44)),
        ("1981-03-06", "2026-03-06", Some(TrancheAge::De45a64)),
        ("1961-03-06", "2026-03-06", Some(TrancheAge::De65a74)),
        ("1951-03-06", "2026-03-06", Some(TrancheAge::De75EtPlus)),
        ("2026-03-07", "2026-03-06", None),
    ];
    for (naissance, le, attendu) in cases {
        assert_eq!(
            TrancheAge::de(d(naissance), d(le)),
            attendu,
            "born {naissance} on {le}"
        );
    }
}

#[test]
fn cim10_codes_reduce_to_category_and_chapter() {
    let cases = [
        ("J06.9", Some("J06"), Some("J00-J99")),
        ("j069", Some("J06"), Some("J00-J99")),
        ("H65", Some("H65"), Some("H60-H95")),
        ("S52.5", Some("S52"), Some("S00-T98")),
        ("T78.4", Some("T78"), Some("S00-T98")),
        ("D50", Some("D50"), Some("D50-D89")),
        ("D48", Some("D48"), Some("C00-D48")),
        ("grippe", None, None),
        ("", None, None),
    ];
    for (code, categorie, chapitre) in cases {
        let cat = categorie_cim10(code);
        assert_eq!(cat.as_deref(), categorie, "category of {code:?}");
        let chap = cat.as_deref().and_then(chapitre_cim10).map(cle_chapitre);
        assert_eq!(chap.as_deref(), chapitre, "chapter of {code:?}");
    }
}

#[test]
fn percentiles_use_the_nearest_rank() {
    let cases: [(&[u32], Option<u32>, Option<u32>); 4] = [
        (&[], None, None),
        (&[7], Some(7), Some(7)),
        (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Some(5), Some(9)),
        (&[30, 10, 20], Some(20), Some(30)),
    ];
    for (valeurs, mediane, p90) in cases {
        let r = Repartition::de(valeurs.to_vec());
        assert_eq!((r.mediane, r.p90), (mediane, p90), "{valeurs:?}");
    }
}

#[test]
fn every_indicator_has_a_french_definition() {
    for i in CATALOGUE {
        assert!(i.definition.ends_with('.'), "{} is one sentence", i.code);
        assert!(!i.nom.is_empty());
    }
    let mut codes: Vec<&str> = CATALOGUE.iter().map(|i| i.code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), CATALOGUE.len(), "codes are unique");
    assert!(indicateur("part_regules").is_some());
}

#[test]
fn syndromes_count_each_consultation_once_by_age_class_with_its_denominator() {
    use crate::syndromes::ClasseAge;
    let base = |diagnostic: Option<&str>, associes: &[&str], classe: Option<ClasseAge>| Fait {
        classe_age: classe,
        diagnostics_associes: associes.iter().map(|c| (*c).to_owned()).collect(),
        ..fait(
            1,
            "2026-01-06 21:00",
            None,
            None,
            ModeArrivee::Spontane,
            Lieu::Mmg,
            Sexe::F,
            None,
            None,
            diagnostic,
            None,
            None,
        )
    };
    let faits = [
        // A baby with bronchiolitis: IRA, bronchiolitis and the FEDORU sub-chapter.
        base(Some("J21.9"), &[], Some(ClasseAge::Moins2)),
        // Influenza in principal and associated: counted once per syndrome.
        base(Some("J11.1"), &["J10.0"], Some(ClasseAge::De15a74)),
        // Only an associated diagnosis is syndromic.
        base(Some("S93.4"), &["A09.9"], Some(ClasseAge::De75EtPlus)),
        // A diagnosis outside every syndrome: in the denominator only.
        base(Some("S93.4"), &[], None),
        // No diagnosis: in neither.
        base(None, &[], Some(ClasseAge::De2a14)),
    ];
    let mut comptes = Comptes::default();
    for f in &faits {
        comptes.ajouter(f);
    }
    assert_eq!(comptes.consultations, 5);
    // 0-1, 2-14, 15-74, 75+, unknown.
    assert_eq!(comptes.avec_diagnostic, [1, 0, 1, 1, 1]);
    let attendu: BTreeMap<String, [u32; 5]> = [
        ("ira", [1, 0, 1, 0, 0]),
        ("grippe", [0, 0, 1, 0, 0]),
        ("bronchiolite", [1, 0, 0, 0, 0]),
        ("bronchite_bronchiolite", [1, 0, 0, 0, 0]),
        ("gastro_enterite", [0, 0, 0, 1, 0]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(comptes.par_syndrome, attendu);
    // Merging two halves gives the counts of the whole.
    let (mut a, mut b) = (Comptes::default(), Comptes::default());
    for (i, f) in faits.iter().enumerate() {
        if i % 2 == 0 {
            a.ajouter(f)
        } else {
            b.ajouter(f)
        }
    }
    a.fusionner(&b);
    assert_eq!(a, comptes);
}
