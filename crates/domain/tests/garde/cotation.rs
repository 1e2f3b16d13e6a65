//! The cotation engine (NGAP rules of DOMAIN.md "Billing at the garde"), priced with the default table
//! unless a test loads another one.

use appligarde_domain::DomainError;
use appligarde_domain::calendrier::{CalendrierPdsa, DebutSamedi, PeriodePdsa};
use appligarde_domain::cotation::{
    ContexteCotation, Cotation, CotationError, age_revolu, proposer,
};
use appligarde_domain::tarifs::TableTarifs;
use rstest::rstest;

use crate::{d, dt};

/// The context of an adult consultation at the MMG in Loire-Atlantique.
fn ctx(when: &str) -> ContexteCotation {
    ContexteCotation {
        date_naissance: Some(d("1980-06-15")),
        ..ContexteCotation::new(dt(when), "44")
    }
}

fn coter(c: &ContexteCotation) -> Cotation {
    proposer(c, &TableTarifs::default_table()).unwrap()
}

/// Regulated patients: one row per boundary of the clock (default calendar). Totals are the sums of
/// the reference amounts: G 30,00, CRN 42,50, CRM 51,50, CRD and CRS 26,50 (2025 values).
#[rstest]
#[case("2025-03-11 19:59", &["G"], 3000)]
#[case("2025-03-11 20:00", &["G", "CRN"], 7250)]
#[case("2025-03-11 23:59", &["G", "CRN"], 7250)]
#[case("2025-03-12 00:00", &["G", "CRM"], 8150)]
#[case("2025-03-12 05:59", &["G", "CRM"], 8150)]
#[case("2025-03-12 06:00", &["G", "CRN"], 7250)]
#[case("2025-03-12 07:59", &["G", "CRN"], 7250)]
#[case("2025-03-12 08:00", &["G"], 3000)]
#[case("2025-03-08 11:59", &["G"], 3000)]
#[case("2025-03-08 12:00", &["G", "CRS"], 5650)]
#[case("2025-03-08 13:59", &["G", "CRS"], 5650)]
#[case("2025-03-09 07:59", &["G", "CRN"], 7250)]
#[case("2025-03-09 08:00", &["G", "CRD"], 5650)]
#[case("2025-03-09 19:59", &["G", "CRD"], 5650)]
#[case("2025-03-09 20:00", &["G", "CRN"], 7250)]
#[case("2025-05-29 10:00", &["G", "CRD"], 5650)] // Ascension
#[case("2025-05-30 10:00", &["G", "CRS"], 5650)] // Friday after Ascension
#[case("2025-11-10 10:00", &["G", "CRS"], 5650)] // Monday before 11 November
#[case("2025-07-14 15:00", &["G", "CRD"], 5650)] // Fête nationale
fn regulated_consultations(#[case] when: &str, #[case] codes: &[&str], #[case] total: i64) {
    let c = coter(&ContexteCotation {
        regule: true,
        ..ctx(when)
    });
    assert_eq!(c.codes(), codes, "{when}");
    assert_eq!(c.total_centimes, total, "{when}");
    assert!(
        c.avertissements.is_empty(),
        "{when}: {:?}",
        c.avertissements
    );
}

/// Saturday 13:59/14:00 regulated, for a département whose Saturday starts at 14h.
#[rstest]
#[case("2025-03-08 12:00", &["G"])]
#[case("2025-03-08 13:59", &["G"])]
#[case("2025-03-08 14:00", &["G", "CRS"])]
fn regulated_saturday_from_14h(#[case] when: &str, #[case] codes: &[&str]) {
    let calendrier = CalendrierPdsa {
        debut_samedi: DebutSamedi::QuatorzeHeures,
        ..CalendrierPdsa::default()
    };
    let c = coter(&ContexteCotation {
        regule: true,
        calendrier,
        ..ctx(when)
    });
    assert_eq!(c.codes(), codes, "{when}");
}

#[test]
fn no_saturday_afternoon_nor_pont_in_a_legal_minimum_calendar() {
    for when in ["2025-03-08 15:00", "2025-05-30 10:00"] {
        let c = coter(&ContexteCotation {
            regule: true,
            calendrier: CalendrierPdsa::legal_minimum(),
            ..ctx(when)
        });
        assert_eq!(
            c.codes(),
            ["G"],
            "{when}: not a PDSA period in this calendar"
        );
        assert_eq!(c.periode, PeriodePdsa::HorsPdsa);
    }
}

/// The example of the issue: 23:40 on Easter Monday, regulated, a 4-year-old.
#[test]
fn easter_monday_2340_regulated_four_year_old() {
    let c = coter(&ContexteCotation {
        regule: true,
        date_naissance: Some(d("2021-01-15")),
        ..ctx("2025-04-21 23:40")
    });
    assert_eq!(c.codes(), ["G", "MEG", "CRN"]);
    assert_eq!(
        c.actes
            .iter()
            .map(|a| a.montant_centimes)
            .collect::<Vec<_>>(),
        [3000, 500, 4250]
    );
    assert_eq!(c.total_centimes, 7750);
    assert_eq!(c.resume(), "G + MEG + CRN = 77,50 €");
    assert_eq!(c.periode, PeriodePdsa::Nuit);
    assert_eq!(
        c.actes[2].explication,
        "CRN : consultation régulée entre 20 h et minuit"
    );
    assert_eq!(
        c.actes[1].explication,
        "MEG : enfant de moins de 6 ans (4 ans le jour de la consultation)"
    );
    assert!(
        c.actes[0].explication.starts_with("G : consultation"),
        "{}",
        c.actes[0].explication
    );
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("Lundi de Pâques") && n.contains("nuit")),
        "{:?}",
        c.notes
    );
    assert!((c.total_eur() - 77.5).abs() < 1e-9);
}

/// Non-regulated majorations: since 2024-12-22 only for a stated emergency; before, as usual.
#[rstest]
#[case("2025-03-11 21:00", true, &["G", "MN"], 6500)]
#[case("2025-03-11 21:00", false, &["G"], 3000)]
#[case("2025-03-12 02:00", true, &["G", "MM"], 7000)]
#[case("2025-03-12 02:00", false, &["G"], 3000)]
#[case("2025-03-09 10:00", true, &["G", "F"], 4906)]
#[case("2025-03-09 10:00", false, &["G"], 3000)]
#[case("2025-03-11 10:00", true, &["G"], 3000)] // outside PDSA hours: nothing to add
#[case("2025-03-08 15:00", true, &["G"], 3000)] // Saturday afternoon: CRS is for regulated patients only
#[case("2024-12-21 21:00", false, &["G", "MN"], 6150)] // old rule, old G (26,50)
#[case("2024-12-22 21:00", false, &["G"], 3000)] // new rule
#[case("2024-12-22 21:00", true, &["G", "MN"], 6500)]
#[case("2024-12-20 03:00", false, &["G", "MM"], 6650)]
fn non_regulated(
    #[case] when: &str,
    #[case] urgence: bool,
    #[case] codes: &[&str],
    #[case] total: i64,
) {
    let c = coter(&ContexteCotation {
        urgence_averee: urgence,
        ..ctx(when)
    });
    assert_eq!(c.codes(), codes, "{when} urgence={urgence}");
    assert_eq!(c.total_centimes, total, "{when} urgence={urgence}");
}

#[test]
fn a_majoration_refused_for_lack_of_emergency_is_explained() {
    let c = coter(&ctx("2025-03-11 21:00"));
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("MN non proposée") && n.contains("urgence avérée")),
        "{:?}",
        c.notes
    );
    let c = coter(&ContexteCotation {
        urgence_averee: true,
        ..ctx("2025-03-11 21:00")
    });
    assert_eq!(
        c.actes[1].explication,
        "MN : majoration de nuit hors régulation, entre 20 h et minuit, urgence avérée"
    );
}

/// Regulated home visits: VRN and VRM are priced; VRD and VRS amounts are unconfirmed, so they are
/// listed as warnings and left out of the total, never counted as zero.
#[rstest]
#[case("2025-03-11 21:00", &["VG", "VRN"], 7600, None)]
#[case("2025-03-12 03:00", &["VG", "VRM"], 8950, None)]
#[case("2025-03-09 10:00", &["VG"], 3000, Some("VRD"))]
#[case("2025-03-08 15:00", &["VG"], 3000, Some("VRS"))]
#[case("2025-03-11 10:00", &["VG"], 3000, None)]
fn regulated_visits(
    #[case] when: &str,
    #[case] codes: &[&str],
    #[case] total: i64,
    #[case] missing: Option<&str>,
) {
    let c = coter(&ContexteCotation {
        regule: true,
        visite: true,
        ..ctx(when)
    });
    assert_eq!(c.codes(), codes, "{when}");
    assert_eq!(c.total_centimes, total);
    match missing {
        Some(code) => {
            assert_eq!(c.avertissements.len(), 1, "{:?}", c.avertissements);
            let w = &c.avertissements[0];
            assert!(w.starts_with(&format!("{code} : visite régulée")), "{w}");
            assert!(
                w.contains(&format!("pas de montant pour {code}")) && w.contains("non compté"),
                "{w}"
            );
        }
        None => assert!(c.avertissements.is_empty(), "{:?}", c.avertissements),
    }
}

#[test]
fn a_newer_table_prices_what_the_old_one_could_not() {
    // A table loaded at run time, e.g. once VRD is confirmed, is used without a release.
    let text = format!(
        "{}VRD;Majoration PDSA régulée visite dimanche et jour férié;30.00;2025-01-01;;;test\n",
        appligarde_domain::tarifs::TARIFS_GARDE_CSV
    );
    let table = TableTarifs::parse_csv(&text).unwrap();
    let c = proposer(
        &ContexteCotation {
            regule: true,
            visite: true,
            ..ctx("2025-03-09 10:00")
        },
        &table,
    )
    .unwrap();
    assert_eq!(c.codes(), ["VG", "VRD"]);
    assert_eq!(c.total_centimes, 6000);
    assert!(c.avertissements.is_empty());
}

#[test]
fn a_visit_before_the_known_vg_tariff_is_an_explicit_error() {
    let err = proposer(
        &ContexteCotation {
            visite: true,
            ..ctx("2024-06-01 21:00")
        },
        &TableTarifs::default_table(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        CotationError::TarifAbsent {
            code: "VG".into(),
            date: d("2024-06-01")
        }
    );
    assert_eq!(
        err.to_string(),
        "Le tarif de VG n'est pas connu au 01/06/2024 dans la table des tarifs : chargez une table des tarifs qui le contient."
    );
}

/// G changed from 26,50 € to 30,00 € on 2024-12-22: each act is priced with the table of its day.
#[rstest]
#[case("2024-12-21 10:00", 2650)]
#[case("2024-12-22 10:00", 3000)]
#[case("2023-10-31 10:00", 2500)]
#[case("2023-11-01 10:00", 2650)]
fn tariff_change_dates(#[case] when: &str, #[case] g: i64) {
    let c = coter(&ctx(when));
    assert_eq!(c.actes[0].code, "G");
    assert_eq!(c.actes[0].montant_centimes, g, "{when}");
}

/// MEG: under 6 on the day. Born 2019-03-11: the day before the 6th birthday yes, on it no.
#[rstest]
#[case("2019-03-11", "2025-03-10 21:00", true)]
#[case("2019-03-11", "2025-03-11 21:00", false)]
#[case("2025-03-11", "2025-03-11 21:00", true)] // born today
#[case("2020-02-29", "2026-02-28 21:00", true)] // leap-day child: 6 only on 1 March
#[case("2020-02-29", "2026-03-01 21:00", false)]
fn meg_until_the_sixth_birthday(#[case] naissance: &str, #[case] when: &str, #[case] meg: bool) {
    let c = coter(&ContexteCotation {
        date_naissance: Some(d(naissance)),
        ..ctx(when)
    });
    assert_eq!(
        c.codes().contains(&"MEG"),
        meg,
        "born {naissance}, seen {when}: {:?}",
        c.codes()
    );
}

#[test]
fn completed_years() {
    assert_eq!(age_revolu(d("2019-03-11"), d("2025-03-10")), 5);
    assert_eq!(age_revolu(d("2019-03-11"), d("2025-03-11")), 6);
    assert_eq!(age_revolu(d("2025-03-11"), d("2025-03-11")), 0);
}

#[test]
fn unknown_birth_date_is_a_warning() {
    let c = coter(&ContexteCotation::new(dt("2025-03-11 21:00"), "44"));
    assert!(
        c.avertissements
            .iter()
            .any(|w| w.contains("Date de naissance inconnue") && w.contains("MEG"))
    );
}

#[test]
fn birth_after_the_consultation_is_refused() {
    let err = proposer(
        &ContexteCotation {
            date_naissance: Some(d("2025-03-12")),
            ..ctx("2025-03-11 21:00")
        },
        &TableTarifs::default_table(),
    )
    .unwrap_err();
    assert_eq!(err, CotationError::NaissanceApresConsultation);
    let domain: DomainError = err.into();
    assert_eq!(domain.field.as_deref(), Some("date_naissance"));
    assert!(domain.message.contains("postérieure"));
}

#[test]
fn spring_gap_refuses_the_cotation_in_french() {
    let err = proposer(
        &ContexteCotation {
            regule: true,
            ..ctx("2025-03-30 02:30")
        },
        &TableTarifs::default_table(),
    )
    .unwrap_err();
    assert!(matches!(err, CotationError::HeureInexistante { .. }));
    let domain: DomainError = err.into();
    assert_eq!(
        domain.field.as_deref(),
        Some("date_heure"),
        "the UI marks the time field"
    );
    assert!(
        domain.message.starts_with("L'heure saisie n'existe pas"),
        "{}",
        domain.message
    );
}

#[test]
fn autumn_repeat_is_accepted_and_said() {
    let c = coter(&ContexteCotation {
        regule: true,
        ..ctx("2025-10-26 02:30")
    });
    assert_eq!(c.codes(), ["G", "CRM"]);
    assert!(
        c.notes
            .iter()
            .any(|n| n.contains("existe deux fois") && n.contains("première")),
        "{:?}",
        c.notes
    );
}

#[rstest]
#[case("67", &["G", "CRD"])]
#[case("44", &["G"])]
fn good_friday_only_in_alsace_moselle(#[case] departement: &str, #[case] codes: &[&str]) {
    let c = coter(&ContexteCotation {
        regule: true,
        departement: departement.into(),
        ..ctx("2025-04-18 10:00")
    });
    assert_eq!(c.codes(), codes);
}

#[test]
fn explanations_name_the_reason() {
    let cases = [
        (
            "2025-03-12 03:00",
            "CRM : consultation régulée entre minuit et 6 h",
        ),
        (
            "2025-03-12 07:00",
            "CRN : consultation régulée entre 6 h et 8 h",
        ),
        (
            "2025-03-09 10:00",
            "CRD : consultation régulée un dimanche entre 8 h et 20 h",
        ),
        (
            "2025-05-29 10:00",
            "CRD : consultation régulée un jour férié (Ascension) entre 8 h et 20 h",
        ),
        (
            "2025-03-08 12:00",
            "CRS : consultation régulée le samedi après-midi (à partir de 12 h)",
        ),
        (
            "2025-11-10 10:00",
            "CRS : consultation régulée un jour de pont (lundi veille de jour férié) entre 8 h et 20 h",
        ),
    ];
    for (when, explication) in cases {
        let c = coter(&ContexteCotation {
            regule: true,
            ..ctx(when)
        });
        assert_eq!(c.actes.last().unwrap().explication, explication, "{when}");
    }
}

/// Over a whole week of every quarter hour, in every combination of inputs: no act is ever priced at
/// zero or below, and the total is the sum of the acts.
#[test]
fn never_a_silent_zero_and_totals_add_up() {
    let table = TableTarifs::default_table();
    let mut when = dt("2025-05-26 00:00"); // the week of Ascension, with its pont
    while when < dt("2025-06-02 00:00") {
        for (regule, visite, urgence_averee) in [
            (false, false, false),
            (false, false, true),
            (true, false, false),
            (true, true, false),
            (false, true, true),
        ] {
            let c = proposer(
                &ContexteCotation {
                    regule,
                    visite,
                    urgence_averee,
                    date_naissance: Some(d("2022-01-01")),
                    ..ctx("2025-01-01 00:00")
                }
                .with_time(when),
                &table,
            )
            .unwrap();
            assert!(
                c.actes.iter().all(|a| a.montant_centimes > 0),
                "{when}: {:?}",
                c.actes
            );
            assert_eq!(
                c.total_centimes,
                c.actes.iter().map(|a| a.montant_centimes).sum::<i64>()
            );
            assert!(c.actes.len() >= 2, "base act and MEG at least");
            assert!(
                c.actes
                    .iter()
                    .all(|a| !a.explication.is_empty() && !a.libelle.is_empty())
            );
        }
        when += chrono::Duration::minutes(15);
    }
}

trait WithTime {
    fn with_time(self, when: chrono::NaiveDateTime) -> Self;
}

impl WithTime for ContexteCotation {
    fn with_time(self, when: chrono::NaiveDateTime) -> Self {
        ContexteCotation {
            date_heure: when,
            ..self
        }
    }
}

#[test]
fn cotation_json_field_names() {
    let c = coter(&ContexteCotation {
        regule: true,
        date_naissance: Some(d("2021-01-15")),
        ..ctx("2025-04-21 23:40")
    });
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["total_centimes"], 7750);
    assert_eq!(json["periode"], "nuit");
    assert_eq!(
        json["actes"][2],
        serde_json::json!({
            "code": "CRN",
            "libelle": "Majoration PDSA régulée consultation de nuit (20h-0h et 6h-8h)",
            "montant_centimes": 4250,
            "explication": "CRN : consultation régulée entre 20 h et minuit",
        })
    );
    let back: Cotation = serde_json::from_value(json).unwrap();
    assert_eq!(back, c, "round-trips through JSON");
}

#[test]
fn context_from_json_takes_defaults_and_hides_the_birth_date_in_debug() {
    let c: ContexteCotation =
        serde_json::from_str(r#"{"date_heure": "2025-04-21T23:40:00", "departement": "44", "regule": true, "date_naissance": "2021-01-15"}"#)
            .unwrap();
    assert_eq!(c.calendrier, CalendrierPdsa::default());
    assert!(!c.visite && !c.urgence_averee);
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("2021"),
        "the birth date is patient data: {debug}"
    );
    assert!(debug.contains("masquée"));
}
