//! The totals both paths share: [`MonthTotal`] (a month, or a period, of one MMG, summed),
//! [`add_counts`] (indicator by indicator, saturating) and the parsing of a stored daily row.

use std::collections::{BTreeMap, BTreeSet};

use appligarde_protocol::{DailyCounts, MinuteHistogram, PdsaSlot, SyndromicAgeCounts};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::Error;

/// The first day of the month of `date`.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The monthly row of one MMG: its daily rows of that month, summed. Also the period total of
/// one MMG in [`days_stats`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthTotal {
    /// Dates that have at least one aggregate.
    pub days: u32,
    /// Consultations per slot code.
    pub by_slot: BTreeMap<String, u32>,
    /// Consultations per weekday, Monday first.
    pub by_weekday: [u32; 7],
    /// Consultations per weekday (Monday first) and hour of arrival (0h to 23h): the heat map.
    pub by_weekday_hour: [[u32; 24]; 7],
    /// Shifts held per slot code: the (date, slot) pairs with at least one aggregate.
    pub shifts_by_slot: BTreeMap<String, u32>,
    pub counts: DailyCounts,
    /// The (date, slot) pairs already counted in `shifts_by_slot` (the PCs of one MMG send one
    /// row each for the same shift).
    #[serde(skip)]
    shifts: BTreeSet<(NaiveDate, PdsaSlot)>,
}

impl MonthTotal {
    /// Adds one daily row (of any PC and slot) of `date`.
    pub fn add(&mut self, date: NaiveDate, slot: PdsaSlot, counts: &DailyCounts) {
        let n = counts.consultations;
        let slot_total = self.by_slot.entry(slot.code().to_owned()).or_default();
        *slot_total = slot_total.saturating_add(n);
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.by_weekday[weekday] = self.by_weekday[weekday].saturating_add(n);
        for (cell, more) in self.by_weekday_hour[weekday]
            .iter_mut()
            .zip(counts.by_arrival_hour)
        {
            *cell = cell.saturating_add(more);
        }
        if self.shifts.insert((date, slot)) {
            *self
                .shifts_by_slot
                .entry(slot.code().to_owned())
                .or_default() += 1;
        }
        add_counts(&mut self.counts, counts);
    }
}

pub(super) fn parse_row(slot_code: &str, text: &str) -> Result<(PdsaSlot, DailyCounts), Error> {
    let slot = PdsaSlot::from_code(slot_code).ok_or_else(|| {
        Error::Internal(format!("unknown slot {slot_code} in daily_aggregate").into())
    })?;
    let counts: DailyCounts =
        serde_json::from_str(text).map_err(|error| Error::Internal(Box::new(error)))?;
    Ok((slot, counts))
}

/// Adds `more` into `total`, indicator by indicator (saturating: a sum never wraps around).
pub fn add_counts(total: &mut DailyCounts, more: &DailyCounts) {
    fn add(a: &mut u32, b: u32) {
        *a = a.saturating_add(b);
    }
    fn add_all<const N: usize>(a: &mut [u32; N], b: &[u32; N]) {
        for (x, y) in a.iter_mut().zip(b) {
            add(x, *y);
        }
    }
    fn add_map(
        a: &mut std::collections::BTreeMap<String, u32>,
        b: &std::collections::BTreeMap<String, u32>,
    ) {
        for (key, value) in b {
            add(a.entry(key.clone()).or_default(), *value);
        }
    }
    fn add_histogram(a: &mut MinuteHistogram, b: &MinuteHistogram) {
        add_all(&mut a.0, &b.0);
    }
    add(&mut total.consultations, more.consultations);
    add_all(&mut total.by_arrival_hour, &more.by_arrival_hour);
    let (t, m) = (&mut total.by_arrival_mode, &more.by_arrival_mode);
    for (a, b) in [
        (&mut t.regule_centre15, m.regule_centre15),
        (&mut t.regule_116117, m.regule_116117),
        (&mut t.regule_sas, m.regule_sas),
        (&mut t.spontane, m.spontane),
        (&mut t.adresse_medecin, m.adresse_medecin),
        (&mut t.adresse_pharmacien, m.adresse_pharmacien),
        (&mut t.autre, m.autre),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_age_band, &more.by_age_band);
    for (a, b) in [
        (&mut t.from_0_to_2, m.from_0_to_2),
        (&mut t.from_3_to_5, m.from_3_to_5),
        (&mut t.from_6_to_15, m.from_6_to_15),
        (&mut t.from_16_to_44, m.from_16_to_44),
        (&mut t.from_45_to_64, m.from_45_to_64),
        (&mut t.from_65_to_74, m.from_65_to_74),
        (&mut t.from_75, m.from_75),
        (&mut t.inconnu, m.inconnu),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_sex, &more.by_sex);
    for (a, b) in [
        (&mut t.female, m.female),
        (&mut t.male, m.male),
        (&mut t.undetermined, m.undetermined),
    ] {
        add(a, b);
    }
    let (t, m) = (&mut total.by_orientation, &more.by_orientation);
    for (a, b) in [
        (&mut t.retour_domicile, m.retour_domicile),
        (&mut t.medecin_traitant, m.medecin_traitant),
        (&mut t.urgences, m.urgences),
        (&mut t.hospitalisation, m.hospitalisation),
        (&mut t.samu_smur, m.samu_smur),
        (&mut t.deces, m.deces),
        (&mut t.autre, m.autre),
    ] {
        add(a, b);
    }
    add(&mut total.home_visits, more.home_visits);
    add_map(&mut total.by_cim10_chapter, &more.by_cim10_chapter);
    add_map(&mut total.by_cim10_category, &more.by_cim10_category);
    add_histogram(&mut total.waiting_minutes, &more.waiting_minutes);
    add_histogram(&mut total.consultation_minutes, &more.consultation_minutes);
    add(&mut total.returns_within_72h, more.returns_within_72h);
    add_map(&mut total.by_commune, &more.by_commune);
    add_map(&mut total.by_doctor, &more.by_doctor);
    let (t, m) = (&mut total.amounts_cents, &more.amounts_cents);
    for (a, b) in [
        (&mut t.especes, m.especes),
        (&mut t.cheque, m.cheque),
        (&mut t.carte, m.carte),
        (&mut t.tiers_payant, m.tiers_payant),
        (&mut t.autre, m.autre),
    ] {
        *a = a.saturating_add(b);
    }
    fn add_ages(a: &mut SyndromicAgeCounts, b: &SyndromicAgeCounts) {
        let mut cells = a.cells();
        add_all(&mut cells, &b.cells());
        *a = SyndromicAgeCounts::from_cells(cells);
    }
    add_ages(&mut total.with_diagnosis, &more.with_diagnosis);
    for (code, ages) in &more.by_syndrome {
        add_ages(total.by_syndrome.entry(code.clone()).or_default(), ages);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every indicator set to `n` (maps with one key), so a forgotten field in [`add_counts`]
    /// shows up as a value that did not double.
    fn all(n: u32) -> DailyCounts {
        let mut c = DailyCounts {
            consultations: n,
            by_arrival_hour: [n; 24],
            home_visits: n,
            returns_within_72h: n,
            waiting_minutes: MinuteHistogram([n; appligarde_protocol::MINUTE_BUCKETS]),
            consultation_minutes: MinuteHistogram([n; appligarde_protocol::MINUTE_BUCKETS]),
            ..DailyCounts::default()
        };
        c.by_arrival_mode = serde_json::from_value(serde_json::json!({
            "regule_centre15": n, "regule_116117": n, "regule_sas": n, "spontane": n,
            "adresse_medecin": n, "adresse_pharmacien": n, "autre": n
        }))
        .unwrap();
        c.by_age_band = serde_json::from_value(serde_json::json!({
            "0-2": n, "3-5": n, "6-15": n, "16-44": n, "45-64": n, "65-74": n, "75+": n,
            "inconnu": n
        }))
        .unwrap();
        c.by_sex = serde_json::from_value(serde_json::json!({"F": n, "M": n, "I": n})).unwrap();
        c.by_orientation = serde_json::from_value(serde_json::json!({
            "retour_domicile": n, "medecin_traitant": n, "urgences": n, "hospitalisation": n,
            "samu_smur": n, "deces": n, "autre": n
        }))
        .unwrap();
        c.amounts_cents = serde_json::from_value(serde_json::json!({
            "especes": n, "cheque": n, "carte": n, "tiers_payant": n, "autre": n
        }))
        .unwrap();
        c.with_diagnosis = SyndromicAgeCounts::from_cells([n; 5]);
        c.by_syndrome
            .insert("k".into(), SyndromicAgeCounts::from_cells([n; 5]));
        for map in [
            &mut c.by_cim10_chapter,
            &mut c.by_cim10_category,
            &mut c.by_commune,
            &mut c.by_doctor,
        ] {
            map.insert("k".into(), n);
        }
        c
    }

    #[test]
    fn adding_counts_adds_every_indicator() {
        let mut total = all(1);
        add_counts(&mut total, &all(2));
        assert_eq!(total, all(3), "each indicator of 1 + 2 must be 3");
    }

    #[test]
    fn maps_are_merged_key_by_key_and_sums_saturate() {
        let mut total = DailyCounts::default();
        total.by_commune.insert("44109".into(), 2);
        total.consultations = u32::MAX;
        let mut more = DailyCounts::default();
        more.by_commune.insert("44109".into(), 1);
        more.by_commune.insert("49007".into(), 5);
        more.consultations = 1;
        add_counts(&mut total, &more);
        assert_eq!(total.by_commune["44109"], 3);
        assert_eq!(total.by_commune["49007"], 5, "a key of one PC only is kept");
        assert_eq!(
            total.consultations,
            u32::MAX,
            "saturates instead of wrapping"
        );
    }
}
