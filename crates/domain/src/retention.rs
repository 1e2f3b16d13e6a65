//! The retention rule of backups: which of a set of backups, known by the time they were made,
//! are kept (the newest of each recent day and month) and which are deleted. Used by the desktop
//! for the files of each backup folder and by the hub for each MMG's off-site copies.

use chrono::{Datelike, NaiveDateTime};
use std::collections::BTreeSet;

/// The retention rule, kept per folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub quotidiennes: u32,
    pub mensuelles: u32,
}

/// Which backups to delete, given the times of the backups of one folder (any order): the indices
/// into `sauvegardes`, in increasing order.
///
/// Kept: the newest backup of each of the `quotidiennes` most recent days that have one, the newest
/// backup of each of the `mensuelles` most recent months that have one, and always the newest backup
/// of all (so a rule can never empty a folder). Everything else is deleted.
pub fn a_supprimer(sauvegardes: &[NaiveDateTime], regle: Retention) -> Vec<usize> {
    let mut ordre: Vec<usize> = (0..sauvegardes.len()).collect();
    // Newest first; equal times keep the later index first so that the choice is deterministic.
    ordre.sort_by(|&a, &b| sauvegardes[b].cmp(&sauvegardes[a]).then(b.cmp(&a)));
    let mut garder = BTreeSet::new();
    if let Some(&plus_recente) = ordre.first() {
        garder.insert(plus_recente);
    }
    let mut jours = BTreeSet::new();
    let mut mois = BTreeSet::new();
    for &i in &ordre {
        let t = sauvegardes[i];
        let jour = t.date();
        if !jours.contains(&jour) && jours.len() < regle.quotidiennes as usize {
            jours.insert(jour);
            garder.insert(i);
        }
        let m = (t.year(), t.month());
        if !mois.contains(&m) && mois.len() < regle.mensuelles as usize {
            mois.insert(m);
            garder.insert(i);
        }
    }
    (0..sauvegardes.len())
        .filter(|i| !garder.contains(i))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
    }

    /// Daily backups at 08:00 from `from` for `n` days.
    fn daily(from: NaiveDate, n: u64) -> Vec<NaiveDateTime> {
        (0..n)
            .map(|d| (from + chrono::Days::new(d)).and_hms_opt(8, 0, 0).unwrap())
            .collect()
    }

    #[test]
    fn retention_table() {
        let r = |quotidiennes, mensuelles| Retention {
            quotidiennes,
            mensuelles,
        };
        // (case, backups, rule, indices deleted)
        let cases: Vec<(&str, Vec<NaiveDateTime>, Retention, Vec<usize>)> = vec![
            (
                "nothing to delete in an empty folder",
                vec![],
                r(14, 12),
                vec![],
            ),
            (
                "a single backup is always kept, even with a rule of 0 months and 1 day",
                vec![t("2026-01-01 08:00")],
                r(1, 0),
                vec![],
            ),
            (
                "two backups the same day: the older one goes (one per day)",
                vec![t("2026-11-23 08:00"), t("2026-11-23 20:00")],
                r(14, 0),
                vec![0],
            ),
            (
                "3 days kept, the 2 oldest days go when months are not kept",
                daily(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), 5),
                r(3, 0),
                vec![0, 1],
            ),
            (
                "the monthly rule keeps the newest backup of the older month",
                vec![
                    t("2026-10-30 08:00"),
                    t("2026-10-31 08:00"),
                    t("2026-11-01 08:00"),
                    t("2026-11-02 08:00"),
                ],
                r(2, 12),
                vec![0],
            ),
            (
                "months beyond the monthly count go",
                vec![
                    t("2026-08-15 08:00"),
                    t("2026-09-15 08:00"),
                    t("2026-10-15 08:00"),
                    t("2026-11-15 08:00"),
                ],
                r(1, 2),
                vec![0, 1],
            ),
            (
                "input order does not matter",
                vec![
                    t("2026-11-02 08:00"),
                    t("2026-11-01 08:00"),
                    t("2026-11-03 08:00"),
                ],
                r(1, 0),
                vec![0, 1],
            ),
        ];
        for (case, backups, rule, expected) in cases {
            assert_eq!(a_supprimer(&backups, rule), expected, "{case}");
        }
    }

    #[test]
    fn default_rule_over_a_year_of_daily_backups_keeps_14_days_and_12_months() {
        let backups = daily(NaiveDate::from_ymd_opt(2025, 11, 1).unwrap(), 390);
        let deleted = a_supprimer(
            &backups,
            Retention {
                quotidiennes: 14,
                mensuelles: 12,
            },
        );
        let kept = backups.len() - deleted.len();
        // 14 days of the last month (November 2026, 25 days so far), plus the newest of each of the
        // 11 months before it: the 12th month is November 2026 itself, already kept by a daily one.
        assert_eq!(kept, 14 + 11, "14 daily and 12 monthly, overlapping once");
    }
}
