//! Every boundary of the garde clock, through the cotation engine, over several years: each row says
//! which PDSA majoration a regulated consultation gets, so a boundary moved by one minute or one day
//! fails here. Complements the per-module tables of `cotation.rs` and `calendrier_pdsa.rs`.

use appligarde_domain::DomainError;
use appligarde_domain::calendrier::{CalendrierPdsa, DebutSamedi, jours_feries, paques};
use appligarde_domain::cotation::{ContexteCotation, Cotation, CotationError, proposer};
use appligarde_domain::tarifs::TableTarifs;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use rstest::rstest;

use crate::{d, dt};

fn coter(when: &str, departement: &str, calendrier: CalendrierPdsa) -> Cotation {
    proposer(
        &ContexteCotation {
            regule: true,
            calendrier,
            date_naissance: Some(d("1980-06-15")),
            ..ContexteCotation::new(dt(when), departement)
        },
        &TableTarifs::default_table(),
    )
    .unwrap()
}

/// The PDSA majoration of a regulated consultation (the last code), or "" outside PDSA hours.
fn majoration(when: &str) -> String {
    let c = coter(when, "44", CalendrierPdsa::default());
    match c.codes().as_slice() {
        ["G"] => String::new(),
        [_, m] => (*m).to_owned(),
        other => panic!("{when}: unexpected codes {other:?}"),
    }
}

/// The night boundaries on ordinary weekdays of different months and years (winter and summer time).
#[rstest]
#[case("2024-01-09")] // Tuesday, winter time
#[case("2024-07-10")] // Wednesday, summer time
#[case("2025-10-02")] // Thursday
#[case("2026-02-03")] // Tuesday
#[case("2027-06-08")] // Tuesday
fn night_boundaries_of_a_weekday(#[case] day: &str) {
    let next = d(day).succ_opt().unwrap().format("%Y-%m-%d").to_string();
    let rows = [
        (format!("{day} 07:59"), "CRN"),
        (format!("{day} 08:00"), ""),
        (format!("{day} 19:59"), ""),
        (format!("{day} 20:00"), "CRN"),
        (format!("{day} 23:59"), "CRN"),
        (format!("{next} 00:00"), "CRM"),
        (format!("{next} 05:59"), "CRM"),
        (format!("{next} 06:00"), "CRN"),
        (format!("{next} 07:59"), "CRN"),
        (format!("{next} 08:00"), ""),
    ];
    for (when, expected) in rows {
        assert_eq!(majoration(&when), expected, "{when}");
    }
}

/// Saturday afternoon per calendar: from 12h (default), from 14h, or not organised.
#[rstest]
#[case(DebutSamedi::Midi, true, "11:59", "G")]
#[case(DebutSamedi::Midi, true, "12:00", "CRS")]
#[case(DebutSamedi::Midi, true, "13:59", "CRS")]
#[case(DebutSamedi::Midi, true, "14:00", "CRS")]
#[case(DebutSamedi::QuatorzeHeures, true, "11:59", "G")]
#[case(DebutSamedi::QuatorzeHeures, true, "12:00", "G")]
#[case(DebutSamedi::QuatorzeHeures, true, "13:59", "G")]
#[case(DebutSamedi::QuatorzeHeures, true, "14:00", "CRS")]
#[case(DebutSamedi::QuatorzeHeures, true, "19:59", "CRS")]
#[case(DebutSamedi::QuatorzeHeures, true, "20:00", "CRN")]
#[case(DebutSamedi::Midi, false, "12:00", "G")]
#[case(DebutSamedi::Midi, false, "14:00", "G")]
fn saturday_afternoon_per_calendar(
    #[case] debut: DebutSamedi,
    #[case] organise: bool,
    #[case] time: &str,
    #[case] last: &str,
) {
    let calendrier = CalendrierPdsa {
        samedi_apres_midi: organise,
        debut_samedi: debut,
        ..CalendrierPdsa::default()
    };
    // Ordinary Saturdays (no holiday on the Friday before) of three years.
    for day in ["2024-03-16", "2025-03-08", "2026-10-10"] {
        assert_eq!(d(day).weekday(), Weekday::Sat);
        let c = coter(&format!("{day} {time}"), "44", calendrier);
        assert_eq!(
            c.codes().last().copied(),
            Some(last),
            "{day} {time} {debut:?}"
        );
    }
}

/// Every Sunday of 2025 (none is a holiday in 44 except Easter and Whit Sundays, which are Sundays
/// anyway): CRD from 8h to 20h, CRN at 7:59 and 20:00.
#[test]
fn every_sunday_of_a_year() {
    let mut day = d("2025-01-05");
    let mut n = 0;
    while day.year() == 2025 {
        let s = day.format("%Y-%m-%d").to_string();
        for (time, expected) in [
            ("07:59", "CRN"),
            ("08:00", "CRD"),
            ("13:00", "CRD"),
            ("19:59", "CRD"),
            ("20:00", "CRN"),
        ] {
            assert_eq!(majoration(&format!("{s} {time}")), expected, "{s} {time}");
        }
        day = day.checked_add_days(Days::new(7)).unwrap();
        n += 1;
    }
    assert_eq!(n, 52, "2025 has 52 Sundays");
}

/// Each fixed and each Easter-based holiday of 2023–2030, computed independently of
/// `jours_feries`: 8h–20h is CRD whatever the weekday; the ordinary weekday before it is not (unless
/// it is itself a holiday, a Sunday, a Saturday afternoon or a pont).
#[test]
fn each_holiday_over_eight_years() {
    for year in 2023..=2030 {
        let easter = paques(year).unwrap();
        let mut days: Vec<(NaiveDate, &str)> = [
            (1, 1, "Jour de l'an"),
            (5, 1, "Fête du Travail"),
            (5, 8, "Victoire 1945"),
            (7, 14, "Fête nationale"),
            (8, 15, "Assomption"),
            (11, 1, "Toussaint"),
            (11, 11, "Armistice 1918"),
            (12, 25, "Noël"),
        ]
        .iter()
        .map(|&(m, j, name)| (NaiveDate::from_ymd_opt(year, m, j).unwrap(), name))
        .collect();
        days.push((easter + Days::new(1), "Lundi de Pâques"));
        days.push((easter + Days::new(39), "Ascension"));
        days.push((easter + Days::new(50), "Lundi de Pentecôte"));
        assert_eq!(
            jours_feries(year, "44").len(),
            days.len(),
            "{year}: eleven national holidays"
        );
        for (day, name) in days {
            let s = day.format("%Y-%m-%d").to_string();
            for (time, expected) in [("08:00", "CRD"), ("19:59", "CRD"), ("20:00", "CRN")] {
                assert_eq!(
                    majoration(&format!("{s} {time}")),
                    expected,
                    "{name} {s} {time}"
                );
            }
            let c = coter(&format!("{s} 10:00"), "44", CalendrierPdsa::default());
            assert!(
                c.actes.last().unwrap().explication.contains(name),
                "{name}: {}",
                c.actes.last().unwrap().explication
            );
            // With the legal minimum calendar (no pont, no Saturday afternoon), the weekday before an
            // ordinary-week holiday is outside PDSA hours at 10:00.
            let veille = day.pred_opt().unwrap();
            if matches!(
                veille.weekday(),
                Weekday::Mon | Weekday::Tue | Weekday::Wed | Weekday::Thu | Weekday::Fri
            ) && jours_feries(year, "44").iter().all(|(f, _)| *f != veille)
            {
                let c = coter(
                    &format!("{} 10:00", veille.format("%Y-%m-%d")),
                    "44",
                    CalendrierPdsa::legal_minimum(),
                );
                assert_eq!(c.codes(), ["G"], "the day before {name} {s}");
            }
        }
    }
}

/// Good Friday and 26 December are holidays in 57, 67 and 68 only, every year.
#[test]
fn alsace_moselle_days_over_the_years() {
    for year in 2023..=2030 {
        let vendredi_saint = paques(year).unwrap() - Days::new(2);
        let saint_etienne = NaiveDate::from_ymd_opt(year, 12, 26).unwrap();
        for day in [vendredi_saint, saint_etienne] {
            let s = format!("{} 10:00", day.format("%Y-%m-%d"));
            for dep in ["57", "67", "68"] {
                let c = coter(&s, dep, CalendrierPdsa::legal_minimum());
                assert_eq!(c.codes(), ["G", "CRD"], "{s} in {dep}");
            }
            if day.weekday() != Weekday::Sun && day.weekday() != Weekday::Sat {
                let c = coter(&s, "44", CalendrierPdsa::legal_minimum());
                assert_eq!(c.codes(), ["G"], "{s} in 44 is an ordinary day");
            }
        }
    }
}

/// Spring nights (last Sunday of March): 02:00–02:59 never existed, refused in French on the time
/// field; 01:59 and 03:00 are ordinary mid-night times.
#[rstest]
#[case("2024-03-31")]
#[case("2025-03-30")]
#[case("2026-03-29")]
#[case("2027-03-28")]
fn spring_night(#[case] day: &str) {
    for time in ["02:00", "02:30", "02:59"] {
        let err = proposer(
            &ContexteCotation::new(dt(&format!("{day} {time}")), "44"),
            &TableTarifs::default_table(),
        )
        .unwrap_err();
        assert!(
            matches!(err, CotationError::HeureInexistante { .. }),
            "{day} {time}"
        );
        let e: DomainError = err.into();
        assert_eq!(e.field.as_deref(), Some("date_heure"));
        assert!(
            e.message.starts_with("L'heure saisie n'existe pas")
                && e.message.contains("passage à l'heure d'été")
                && e.message.contains(time),
            "{}",
            e.message
        );
    }
    for time in ["01:59", "03:00", "05:59"] {
        assert_eq!(majoration(&format!("{day} {time}")), "CRM", "{day} {time}");
    }
    assert_eq!(majoration(&format!("{day} 06:00")), "CRN");
}

/// Autumn nights (last Sunday of October): 02:00–02:59 happens twice; accepted, said in a note, and
/// priced as mid-night.
#[rstest]
#[case("2024-10-27")]
#[case("2025-10-26")]
#[case("2026-10-25")]
#[case("2027-10-31")]
fn autumn_night(#[case] day: &str) {
    for time in ["02:00", "02:30", "02:59"] {
        let c = coter(&format!("{day} {time}"), "44", CalendrierPdsa::default());
        assert_eq!(c.codes(), ["G", "CRM"], "{day} {time}");
        assert!(
            c.notes.iter().any(|n| n.contains("existe deux fois")),
            "{day} {time}: {:?}",
            c.notes
        );
    }
    let c = coter(&format!("{day} 03:00"), "44", CalendrierPdsa::default());
    assert!(c.notes.iter().all(|n| !n.contains("existe deux fois")));
}
