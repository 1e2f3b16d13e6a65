//! French public holidays, computed (DOMAIN.md "French public holidays").

use appligarde_domain::calendrier::{est_alsace_moselle, est_ferie, jours_feries, paques};
use chrono::{Datelike, Days, Weekday};
use rstest::rstest;

use crate::d;

/// Easter Sundays from published calendars, including the earliest (22 March) and latest (25 April)
/// possible dates, so the computus is checked at both ends of its range.
#[rstest]
#[case(2019, "2019-04-21")]
#[case(2020, "2020-04-12")]
#[case(2021, "2021-04-04")]
#[case(2022, "2022-04-17")]
#[case(2023, "2023-04-09")]
#[case(2024, "2024-03-31")]
#[case(2025, "2025-04-20")]
#[case(2026, "2026-04-05")]
#[case(2027, "2027-03-28")]
#[case(2028, "2028-04-16")]
#[case(2029, "2029-04-01")]
#[case(2030, "2030-04-21")]
#[case(1818, "1818-03-22")]
#[case(1943, "1943-04-25")]
#[case(2038, "2038-04-25")]
#[case(2285, "2285-03-22")]
fn easter_by_the_gregorian_computus(#[case] year: i32, #[case] expected: &str) {
    assert_eq!(paques(year), Some(d(expected)), "Easter {year}");
}

#[test]
fn easter_is_always_a_sunday_between_22_march_and_25_april() {
    for year in 1583..=4099 {
        let easter = paques(year).unwrap();
        assert_eq!(easter.weekday(), Weekday::Sun, "{easter}");
        let window = d(&format!("{year:04}-03-22"))..=d(&format!("{year:04}-04-25"));
        assert!(
            window.contains(&easter),
            "{easter} outside the Easter window"
        );
    }
}

/// Easter-based holidays of known years, from official calendars.
#[rstest]
#[case("2024-04-01", "Lundi de Pâques")]
#[case("2024-05-09", "Ascension")]
#[case("2024-05-20", "Lundi de Pentecôte")]
#[case("2025-04-21", "Lundi de Pâques")]
#[case("2025-05-29", "Ascension")]
#[case("2025-06-09", "Lundi de Pentecôte")]
#[case("2026-04-06", "Lundi de Pâques")]
#[case("2026-05-14", "Ascension")]
#[case("2026-05-25", "Lundi de Pentecôte")]
#[case("2027-03-29", "Lundi de Pâques")]
#[case("2027-05-06", "Ascension")]
#[case("2027-05-17", "Lundi de Pentecôte")]
fn easter_based_holidays(#[case] date: &str, #[case] name: &str) {
    assert_eq!(est_ferie(d(date), "44"), Some(name));
    assert_eq!(
        est_ferie(d(date), "67"),
        Some(name),
        "national holidays apply in Alsace-Moselle too"
    );
}

#[test]
fn every_fixed_and_easter_based_holiday_over_twelve_years() {
    let fixed = [
        ("01-01", "Jour de l'an"),
        ("05-01", "Fête du Travail"),
        ("05-08", "Victoire 1945"),
        ("07-14", "Fête nationale"),
        ("08-15", "Assomption"),
        ("11-01", "Toussaint"),
        ("11-11", "Armistice 1918"),
        ("12-25", "Noël"),
    ];
    for year in 2019..=2030 {
        for (md, name) in fixed {
            assert_eq!(
                est_ferie(d(&format!("{year}-{md}")), "44"),
                Some(name),
                "{year}-{md}"
            );
        }
        let easter = paques(year).unwrap();
        let plus = |n| easter.checked_add_days(Days::new(n)).unwrap();
        assert_eq!(est_ferie(plus(1), "44"), Some("Lundi de Pâques"));
        assert_eq!(plus(1).weekday(), Weekday::Mon);
        assert_eq!(est_ferie(plus(39), "44"), Some("Ascension"));
        assert_eq!(plus(39).weekday(), Weekday::Thu);
        assert_eq!(est_ferie(plus(50), "44"), Some("Lundi de Pentecôte"));
        assert_eq!(plus(50).weekday(), Weekday::Mon);
        // Easter Sunday itself is not in the list (it is a Sunday anyway) and Good Friday is local.
        assert_eq!(est_ferie(easter, "44"), None);
        assert_eq!(
            est_ferie(easter.checked_sub_days(Days::new(2)).unwrap(), "44"),
            None
        );

        let list = jours_feries(year, "44");
        assert_eq!(list.len(), 11, "eleven national holidays in {year}");
        assert!(
            list.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted and without duplicates in {year}"
        );
    }
}

/// Alsace-Moselle (57, 67, 68) keeps Good Friday (Easter − 2) and Saint Stephen's day (26 December).
#[rstest]
#[case("57")]
#[case("67")]
#[case("68")]
#[case(" 67 ")]
fn alsace_moselle_extra_days(#[case] departement: &str) {
    assert!(est_alsace_moselle(departement));
    for year in 2019..=2030 {
        let good_friday = paques(year)
            .unwrap()
            .checked_sub_days(Days::new(2))
            .unwrap();
        assert_eq!(est_ferie(good_friday, departement), Some("Vendredi saint"));
        assert_eq!(good_friday.weekday(), Weekday::Fri);
        assert_eq!(
            est_ferie(d(&format!("{year}-12-26")), departement),
            Some("Saint-Étienne")
        );
        assert_eq!(jours_feries(year, departement).len(), 13);
    }
    assert_eq!(
        est_ferie(d("2025-04-18"), departement),
        Some("Vendredi saint")
    );
}

#[rstest]
#[case("44")]
#[case("75")]
#[case("2A")]
#[case("974")]
#[case("570")]
fn other_departements_have_no_local_days(#[case] departement: &str) {
    assert!(!est_alsace_moselle(departement));
    assert_eq!(
        est_ferie(d("2025-04-18"), departement),
        None,
        "Good Friday is local to Alsace-Moselle"
    );
    assert_eq!(est_ferie(d("2025-12-26"), departement), None);
}

#[rstest]
#[case("2025-12-24")]
#[case("2025-05-02")]
#[case("2025-04-20")]
#[case("2025-06-08")]
#[case("2025-07-13")]
fn ordinary_days_are_not_holidays(#[case] date: &str) {
    assert_eq!(est_ferie(d(date), "67"), None);
}

#[test]
fn years_outside_the_gregorian_range_have_no_computed_holiday() {
    assert!(
        jours_feries(1500, "44").is_empty(),
        "no computus before 1583"
    );
    assert_eq!(paques(10_000), None);
}
