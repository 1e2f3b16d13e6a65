//! Age at the document date, printed on every ordonnance and used for the
//! pediatric weight rule.

use crate::DocumentError;
use chrono::{Datelike, NaiveDate};

/// Under this age (in whole years) the patient is a child: the ordonnance
/// must carry the weight, because pediatric doses are computed from it.
pub const AGE_ENFANT_ANS: u32 = 15;

/// Age at a given date.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Age {
    /// Whole months lived.
    pub mois: u32,
    /// Days lived (used under one month).
    pub jours: u32,
}

impl Age {
    /// Age on `date` of someone born on `naissance`; refuses a birth after the date.
    pub fn au(naissance: NaiveDate, date: NaiveDate) -> Result<Self, DocumentError> {
        if naissance > date {
            return Err(DocumentError::DateNaissanceFuture);
        }
        let mut mois =
            (date.year() - naissance.year()) * 12 + date.month() as i32 - naissance.month() as i32;
        if date.day() < naissance.day() {
            mois -= 1;
        }
        let jours = (date - naissance).num_days();
        Ok(Self {
            mois: u32::try_from(mois.max(0)).unwrap_or(0),
            jours: u32::try_from(jours).unwrap_or(u32::MAX),
        })
    }

    pub fn annees(self) -> u32 {
        self.mois / 12
    }

    /// A child for the pediatric weight rule (under [`AGE_ENFANT_ANS`] years).
    pub fn est_enfant(self) -> bool {
        self.annees() < AGE_ENFANT_ANS
    }

    /// French label: "12 jours" under a month, "18 mois" under two years, else "4 ans".
    pub fn libelle(self) -> String {
        match (self.mois, self.annees()) {
            (0, _) if self.jours <= 1 => format!("{} jour", self.jours),
            (0, _) => format!("{} jours", self.jours),
            (m, 0..=1) => format!("{m} mois"),
            (_, a) => format!("{a} ans"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_labels_follow_the_pediatric_conventions() {
        // (birth, document date, label, child?)
        let cases = [
            (d(2026, 11, 20), d(2026, 11, 23), "3 jours", true),
            (d(2026, 11, 22), d(2026, 11, 23), "1 jour", true),
            (d(2026, 10, 23), d(2026, 11, 23), "1 mois", true),
            (d(2025, 5, 24), d(2026, 11, 23), "17 mois", true),
            (d(2025, 5, 23), d(2026, 11, 23), "18 mois", true),
            (d(2024, 11, 23), d(2026, 11, 23), "2 ans", true),
            (d(2022, 3, 12), d(2026, 11, 23), "4 ans", true),
            (d(2011, 11, 24), d(2026, 11, 23), "14 ans", true),
            (d(2011, 11, 23), d(2026, 11, 23), "15 ans", false),
            (d(1950, 1, 1), d(2026, 11, 23), "76 ans", false),
        ];
        for (birth, date, label, child) in cases {
            let age = Age::au(birth, date).unwrap();
            assert_eq!(age.libelle(), label, "label for {birth} at {date}");
            assert_eq!(age.est_enfant(), child, "child rule for {birth} at {date}");
        }
    }

    #[test]
    fn birth_after_the_document_is_refused() {
        let err = Age::au(d(2027, 1, 1), d(2026, 11, 23)).unwrap_err();
        assert!(err.to_string().contains("date de naissance"), "{err}");
    }
}
