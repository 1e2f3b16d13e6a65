//! The PDSA periods (CSP R.6315-1, DOMAIN.md "The garde clock"), the MMG's opening slots, and the
//! legal time of Paris.

use appligarde_domain::calendrier::{
    CalendrierPdsa, CreneauxOuverture, DebutSamedi, JourPont, PeriodePdsa, Plage, date_de_garde,
    instant_paris, situer,
};
use appligarde_domain::cotation::CotationError;
use chrono::{Duration, Offset};
use rstest::rstest;

use crate::{d, dt};

use PeriodePdsa::{DimancheFerie, HorsPdsa, MilieuDeNuit, Nuit, Pont, SamediApresMidi};

fn samedi_14h() -> CalendrierPdsa {
    CalendrierPdsa {
        debut_samedi: DebutSamedi::QuatorzeHeures,
        ..CalendrierPdsa::default()
    }
}

/// Every boundary of the legal clock, with the default calendar, in a département without local
/// holidays (44). 2025-03-11 is an ordinary Tuesday, 2025-03-08 a Saturday, 2025-03-09 a Sunday.
#[rstest]
#[case("2025-03-11 07:59", Nuit)]
#[case("2025-03-11 08:00", HorsPdsa)]
#[case("2025-03-11 19:59", HorsPdsa)]
#[case("2025-03-11 20:00", Nuit)]
#[case("2025-03-11 23:59", Nuit)]
#[case("2025-03-12 00:00", MilieuDeNuit)]
#[case("2025-03-12 05:59", MilieuDeNuit)]
#[case("2025-03-12 06:00", Nuit)]
#[case("2025-03-08 07:59", Nuit)]
#[case("2025-03-08 08:00", HorsPdsa)]
#[case("2025-03-08 11:59", HorsPdsa)]
#[case("2025-03-08 12:00", SamediApresMidi)]
#[case("2025-03-08 13:59", SamediApresMidi)]
#[case("2025-03-08 14:00", SamediApresMidi)]
#[case("2025-03-08 19:59", SamediApresMidi)]
#[case("2025-03-08 20:00", Nuit)]
#[case("2025-03-09 00:00", MilieuDeNuit)]
#[case("2025-03-09 07:59", Nuit)]
#[case("2025-03-09 08:00", DimancheFerie)]
#[case("2025-03-09 19:59", DimancheFerie)]
#[case("2025-03-09 20:00", Nuit)]
#[case("2025-04-21 08:00", DimancheFerie)] // Easter Monday
#[case("2025-04-21 23:40", Nuit)] // a holiday night is a night
#[case("2025-12-25 12:00", DimancheFerie)] // Christmas, a Thursday
#[case("2025-12-26 12:00", Pont)] // Friday after Christmas
#[case("2025-11-10 10:00", Pont)] // Monday before 11 November (a Tuesday)
#[case("2025-11-10 07:59", Nuit)]
#[case("2025-11-10 20:00", Nuit)]
#[case("2025-05-30 08:00", Pont)] // Friday after Ascension
#[case("2025-05-31 10:00", HorsPdsa)] // Saturday two days after Ascension: ordinary morning
#[case("2025-05-31 12:00", SamediApresMidi)]
#[case("2026-12-26 09:00", Pont)] // Saturday after Christmas (a Friday)
#[case("2025-04-18 10:00", HorsPdsa)] // Good Friday is not a holiday in 44
fn legal_clock_default_calendar(#[case] when: &str, #[case] expected: PeriodePdsa) {
    assert_eq!(
        CalendrierPdsa::default().slot_of(dt(when), "44"),
        expected,
        "{when}"
    );
}

/// Saturday afternoon boundaries for each calendar setting.
#[rstest]
#[case(CalendrierPdsa::default(), "2025-03-08 11:59", HorsPdsa)]
#[case(CalendrierPdsa::default(), "2025-03-08 12:00", SamediApresMidi)]
#[case(CalendrierPdsa::default(), "2025-03-08 13:59", SamediApresMidi)]
#[case(CalendrierPdsa::default(), "2025-03-08 14:00", SamediApresMidi)]
#[case(samedi_14h(), "2025-03-08 11:59", HorsPdsa)]
#[case(samedi_14h(), "2025-03-08 12:00", HorsPdsa)]
#[case(samedi_14h(), "2025-03-08 13:59", HorsPdsa)]
#[case(samedi_14h(), "2025-03-08 14:00", SamediApresMidi)]
#[case(CalendrierPdsa::legal_minimum(), "2025-03-08 12:00", HorsPdsa)]
#[case(CalendrierPdsa::legal_minimum(), "2025-03-08 14:00", HorsPdsa)]
#[case(CalendrierPdsa::legal_minimum(), "2025-03-08 20:00", Nuit)]
#[case(CalendrierPdsa::legal_minimum(), "2025-03-09 10:00", DimancheFerie)]
fn saturday_afternoon_per_calendar(
    #[case] calendrier: CalendrierPdsa,
    #[case] when: &str,
    #[case] expected: PeriodePdsa,
) {
    assert_eq!(
        calendrier.slot_of(dt(when), "44"),
        expected,
        "{when} with {calendrier:?}"
    );
}

/// Each pont is switched by its own option; a pont day off is an ordinary day.
#[rstest]
#[case("2025-11-10 10:00", CalendrierPdsa { lundi_veille_ferie: false, ..CalendrierPdsa::default() })]
#[case("2025-05-30 10:00", CalendrierPdsa { vendredi_lendemain_ferie: false, ..CalendrierPdsa::default() })]
#[case("2025-12-26 10:00", CalendrierPdsa { vendredi_lendemain_ferie: false, ..CalendrierPdsa::default() })]
fn ponts_per_calendar(#[case] when: &str, #[case] sans_pont: CalendrierPdsa) {
    assert_eq!(CalendrierPdsa::default().slot_of(dt(when), "44"), Pont);
    assert_eq!(sans_pont.slot_of(dt(when), "44"), HorsPdsa);
    assert_eq!(
        CalendrierPdsa::legal_minimum().slot_of(dt(when), "44"),
        HorsPdsa
    );
}

#[test]
fn saturday_after_a_friday_holiday_is_a_pont_unless_switched_off() {
    // 2026-12-25 is a Friday; the Saturday after it is a pont from 8h (not only from noon).
    let cal = CalendrierPdsa::default();
    assert_eq!(
        cal.jour_de_pont(d("2026-12-26"), "44"),
        Some(JourPont::SamediLendemainFerie)
    );
    let off = CalendrierPdsa {
        samedi_lendemain_ferie: false,
        ..cal
    };
    assert_eq!(off.slot_of(dt("2026-12-26 09:00"), "44"), HorsPdsa);
    assert_eq!(
        off.slot_of(dt("2026-12-26 12:00"), "44"),
        SamediApresMidi,
        "still a Saturday afternoon"
    );
}

#[rstest]
#[case("2025-04-18 10:00", "67", DimancheFerie)] // Good Friday in Alsace
#[case("2025-04-18 10:00", "44", HorsPdsa)]
#[case("2025-12-26 10:00", "57", DimancheFerie)] // Saint-Étienne in Moselle
#[case("2025-12-26 10:00", "44", Pont)] // elsewhere, the Friday after Christmas
#[case("2025-04-17 10:00", "68", HorsPdsa)] // Thursday before Good Friday: no rule makes it a pont
fn alsace_moselle_days(
    #[case] when: &str,
    #[case] departement: &str,
    #[case] expected: PeriodePdsa,
) {
    assert_eq!(
        CalendrierPdsa::default().slot_of(dt(when), departement),
        expected
    );
}

#[test]
fn a_holiday_is_never_a_pont() {
    // 2025-12-26 is Friday after Christmas but a holiday itself in 67: DimancheFerie, not Pont.
    assert_eq!(
        CalendrierPdsa::default().jour_de_pont(d("2025-12-26"), "67"),
        None
    );
    assert_eq!(
        CalendrierPdsa::default().jour_de_pont(d("2025-12-26"), "44"),
        Some(JourPont::VendrediLendemainFerie)
    );
}

#[rstest]
#[case("2025-03-08 00:30", "2025-03-07")]
#[case("2025-03-08 07:59", "2025-03-07")]
#[case("2025-03-08 08:00", "2025-03-08")]
#[case("2025-03-08 23:59", "2025-03-08")]
fn the_night_belongs_to_the_garde_of_the_evening(#[case] when: &str, #[case] garde: &str) {
    assert_eq!(date_de_garde(dt(when)), d(garde));
}

/// With the default slots the MMG is open exactly during the PDSA periods, minute by quarter hour over
/// two whole years (every holiday, pont and Saturday of 2025–2026), for three calendars.
#[test]
fn default_opening_slots_match_the_pdsa_periods() {
    for calendrier in [
        CalendrierPdsa::default(),
        samedi_14h(),
        CalendrierPdsa::legal_minimum(),
    ] {
        let creneaux = CreneauxOuverture::periodes_legales(&calendrier);
        let mut when = dt("2025-01-01 00:00");
        while when < dt("2027-01-01 00:00") {
            for departement in ["44", "67"] {
                let s = situer(when, departement, &calendrier, &creneaux);
                assert_eq!(
                    s.ouverte,
                    s.periode.est_pdsa(),
                    "{when} {departement} {calendrier:?}: {s:?}"
                );
            }
            when += Duration::minutes(15);
        }
    }
    assert_eq!(
        CreneauxOuverture::default(),
        CreneauxOuverture::periodes_legales(&CalendrierPdsa::default())
    );
}

/// An ADOPS that opens 20h–24h on weekdays, 12h–24h on Saturdays, 8h–24h on Sundays and holidays.
#[rstest]
#[case("2025-03-11 19:59", false)]
#[case("2025-03-11 20:00", true)]
#[case("2025-03-11 23:59", true)]
#[case("2025-03-12 00:00", false)] // PDSA milieu de nuit, but the MMG has closed
#[case("2025-03-08 11:59", false)]
#[case("2025-03-08 12:00", true)]
#[case("2025-03-09 00:30", false)]
#[case("2025-03-09 08:00", true)]
#[case("2025-04-21 10:00", true)] // Easter Monday uses the holiday slots
#[case("2025-04-14 10:00", false)] // an ordinary Monday
#[case("2025-11-10 10:00", false)] // pont day: no pont slot configured
fn custom_opening_slots(#[case] when: &str, #[case] open: bool) {
    let soir = vec![Plage::heures(20, 24).unwrap()];
    let creneaux = CreneauxOuverture {
        lundi: soir.clone(),
        mardi: soir.clone(),
        mercredi: soir.clone(),
        jeudi: soir.clone(),
        vendredi: soir,
        samedi: vec![Plage::heures(12, 24).unwrap()],
        dimanche: vec![Plage::heures(8, 24).unwrap()],
        ferie: vec![Plage::heures(8, 24).unwrap()],
        pont: vec![],
    };
    let s = situer(dt(when), "44", &CalendrierPdsa::default(), &creneaux);
    assert_eq!(s.ouverte, open, "{when}: {s:?}");
}

#[test]
fn situation_names_the_holiday() {
    let s = situer(
        dt("2025-04-21 23:40"),
        "44",
        &CalendrierPdsa::default(),
        &CreneauxOuverture::default(),
    );
    assert_eq!(
        (s.periode, s.ouverte, s.jour_ferie),
        (Nuit, true, Some("Lundi de Pâques"))
    );
}

#[test]
fn plage_hours_out_of_range_are_refused() {
    assert_eq!(Plage::heures(25, 8), None);
    assert_eq!(Plage::heures(8, 25), None);
}

#[test]
fn calendar_json_is_stable_and_partial_json_takes_defaults() {
    let json = serde_json::to_value(samedi_14h()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "samedi_apres_midi": true,
            "debut_samedi": "quatorze_heures",
            "lundi_veille_ferie": true,
            "vendredi_lendemain_ferie": true,
            "samedi_lendemain_ferie": true,
        })
    );
    let partial: CalendrierPdsa = serde_json::from_str(r#"{"lundi_veille_ferie": false}"#).unwrap();
    assert_eq!(
        partial,
        CalendrierPdsa {
            lundi_veille_ferie: false,
            ..CalendrierPdsa::default()
        }
    );
    let slots: CreneauxOuverture =
        serde_json::from_value(serde_json::to_value(CreneauxOuverture::default()).unwrap())
            .unwrap();
    assert_eq!(
        slots,
        CreneauxOuverture::default(),
        "opening slots round-trip through JSON"
    );
    assert_eq!(
        serde_json::to_value(MilieuDeNuit).unwrap(),
        "milieu_de_nuit"
    );
}

#[test]
fn spring_gap_is_a_french_error() {
    let err = instant_paris(dt("2025-03-30 02:30")).unwrap_err();
    assert_eq!(
        err,
        CotationError::HeureInexistante {
            date_heure: dt("2025-03-30 02:30")
        }
    );
    let message = err.to_string();
    assert!(
        message.contains("n'existe pas") && message.contains("30/03/2025 à 02:30"),
        "{message}"
    );
    assert!(message.contains("heure d'été"), "{message}");
    // Either side of the gap exists.
    assert!(instant_paris(dt("2025-03-30 01:59")).is_ok());
    assert!(instant_paris(dt("2025-03-30 03:00")).is_ok());
}

#[test]
fn autumn_repeat_takes_the_earlier_occurrence() {
    let first = instant_paris(dt("2025-10-26 02:30")).unwrap();
    assert!(first.ambigu);
    assert_eq!(
        first.instant.offset().fix().local_minus_utc(),
        2 * 3600,
        "summer time (UTC+2) is the earlier"
    );
    let after = instant_paris(dt("2025-10-26 03:30")).unwrap();
    assert!(!after.ambigu);
    assert_eq!(after.instant.offset().fix().local_minus_utc(), 3600);
    // The period does not depend on the occurrence: both are milieu de nuit.
    assert_eq!(
        CalendrierPdsa::default().slot_of(dt("2025-10-26 02:30"), "44"),
        MilieuDeNuit
    );
}
