//! The derived indicators the dashboard shows, computed by `appligarde_domain::indicateurs`
//! (the one definition the desktop's Statistiques screen and CPOM report use too) from summed
//! [`DailyCounts`]: the share of regulated patients (`part_regules`: Centre 15, 116 117, SAS, as
//! [`Comptes::regules`] counts them) and the median and 90th percentile of the waiting times and
//! consultation lengths (nearest rank, [`Repartition::de_histogramme`]).
//!
//! The hub only has the histograms the PCs send (12 buckets, bounds
//! [`appligarde_protocol::MINUTE_BUCKET_BOUNDS`]), not exact minutes: a quantile is therefore given
//! as the bucket it falls in (`0` is « ≤ 5 min », `11` is « > 240 min »).

use std::collections::BTreeMap;

use appligarde_domain::consultation::Orientation;
use appligarde_domain::garde::ModeArrivee;
use appligarde_domain::indicateurs::{Comptes, Repartition};
use appligarde_protocol::{ArrivalModeCounts, DailyCounts, MinuteHistogram, OrientationCounts};
use serde::{Deserialize, Serialize};

/// The derived indicators of a set of consultations (one MMG over a period, or several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Indicators {
    pub consultations: u32,
    /// Consultations sent by a regulating doctor (Centre 15, 116 117, SAS).
    pub regulated: u32,
    /// `100 × regulated / consultations`, unrounded; `null` without consultations.
    pub regulated_percent: Option<f64>,
    /// Sent to the emergency department, hospitalised or taken by the SAMU/SMUR
    /// (`Comptes::urgences_ou_hospitalisation`).
    pub emergency_or_hospital: u32,
    /// Unrounded; `null` when there are no consultations.
    pub emergency_or_hospital_percent: Option<f64>,
    /// Minutes from arrival to the start of the consultation.
    pub waiting: BucketQuantiles,
    /// Minutes from the start to the end of the consultation.
    pub consultation_length: BucketQuantiles,
}

/// Median and 90th percentile of a minute histogram, as bucket indexes (nearest rank).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BucketQuantiles {
    /// Durations counted.
    pub n: u32,
    /// Index (0 to 11) of the bucket holding the median; `null` when `n` is 0.
    pub median_bucket: Option<u32>,
    /// Index (0 to 11) of the bucket holding the 90th percentile; `null` when `n` is 0.
    pub p90_bucket: Option<u32>,
}

/// The only counts the indicators read, parsed from a stored `counts` text: the other fields of
/// [`DailyCounts`] are skipped, not built.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct IndicatorCounts {
    pub consultations: u32,
    pub by_arrival_mode: ArrivalModeCounts,
    pub by_orientation: OrientationCounts,
    pub waiting_minutes: MinuteHistogram,
    pub consultation_minutes: MinuteHistogram,
}

impl IndicatorCounts {
    /// A [`DailyCounts`] with these counts and nothing else.
    pub fn into_counts(self) -> DailyCounts {
        DailyCounts {
            consultations: self.consultations,
            by_arrival_mode: self.by_arrival_mode,
            by_orientation: self.by_orientation,
            waiting_minutes: self.waiting_minutes,
            consultation_minutes: self.consultation_minutes,
            ..DailyCounts::default()
        }
    }
}

impl Indicators {
    /// The indicators of the consultations counted in `counts` (already summed over days, slots,
    /// PCs or MMGs: every input is additive).
    pub fn of(counts: &DailyCounts) -> Indicators {
        let comptes = Comptes {
            consultations: counts.consultations,
            par_mode_arrivee: domain_arrival_modes(&counts.by_arrival_mode),
            par_orientation: domain_orientations(&counts.by_orientation),
            ..Comptes::default()
        };
        let regulated = comptes.regules();
        let emergency_or_hospital = comptes.urgences_ou_hospitalisation();
        let percent = |n: u32| {
            (counts.consultations > 0)
                .then(|| 100.0 * f64::from(n) / f64::from(counts.consultations))
        };
        Indicators {
            consultations: counts.consultations,
            regulated,
            regulated_percent: percent(regulated),
            emergency_or_hospital,
            emergency_or_hospital_percent: percent(emergency_or_hospital),
            waiting: BucketQuantiles::of(&counts.waiting_minutes),
            consultation_length: BucketQuantiles::of(&counts.consultation_minutes),
        }
    }
}

impl BucketQuantiles {
    /// The domain's nearest-rank median and 90th percentile over the buckets of `histogram`.
    pub fn of(histogram: &MinuteHistogram) -> BucketQuantiles {
        let by_bucket: BTreeMap<u32, u32> =
            (0u32..).zip(histogram.0).filter(|(_, n)| *n > 0).collect();
        let r = Repartition::de_histogramme(&by_bucket);
        BucketQuantiles {
            n: r.n,
            median_bucket: r.mediane,
            p90_bucket: r.p90,
        }
    }
}

/// The wire's arrival modes as the domain's counts, indexed like [`ModeArrivee::ALL`].
/// The wire orientations in the domain's order (`Orientation::ALL`); the domain's last cell
/// (consultations without an orientation) is not sent by the desktops and stays 0.
fn domain_orientations(o: &OrientationCounts) -> [u32; 8] {
    let mut out = [0; 8];
    for (cell, orientation) in out.iter_mut().zip(Orientation::ALL) {
        *cell = match orientation {
            Orientation::RetourDomicile => o.retour_domicile,
            Orientation::MedecinTraitant => o.medecin_traitant,
            Orientation::Urgences => o.urgences,
            Orientation::Hospitalisation => o.hospitalisation,
            Orientation::SamuSmur => o.samu_smur,
            Orientation::Deces => o.deces,
            Orientation::Autre => o.autre,
        };
    }
    out
}

fn domain_arrival_modes(modes: &ArrivalModeCounts) -> [u32; 7] {
    let mut out = [0; 7];
    for (cell, mode) in out.iter_mut().zip(ModeArrivee::ALL) {
        *cell = match mode {
            ModeArrivee::ReguleCentre15 => modes.regule_centre15,
            ModeArrivee::Regule116117 => modes.regule_116117,
            ModeArrivee::ReguleSas => modes.regule_sas,
            ModeArrivee::Spontane => modes.spontane,
            ModeArrivee::AdresseMedecin => modes.adresse_medecin,
            ModeArrivee::AdressePharmacien => modes.adresse_pharmacien,
            ModeArrivee::Autre => modes.autre,
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_arrival_mode_lands_on_the_domain_mode_of_the_same_code() {
        let modes: ArrivalModeCounts = serde_json::from_value(serde_json::json!({
            "regule_centre15": 1, "regule_116117": 2, "regule_sas": 3, "spontane": 4,
            "adresse_medecin": 5, "adresse_pharmacien": 6, "autre": 7
        }))
        .unwrap();
        let wire = serde_json::to_value(modes).unwrap();
        for (mode, n) in ModeArrivee::ALL.iter().zip(domain_arrival_modes(&modes)) {
            assert_eq!(wire[mode.code()], n, "{}", mode.code());
        }
    }

    #[test]
    fn every_wire_orientation_lands_on_the_domain_orientation_of_the_same_code() {
        let o: OrientationCounts = serde_json::from_value(serde_json::json!({
            "retour_domicile": 1, "medecin_traitant": 2, "urgences": 3, "hospitalisation": 4,
            "samu_smur": 5, "deces": 6, "autre": 7
        }))
        .unwrap();
        let wire = serde_json::to_value(o).unwrap();
        for (orientation, n) in Orientation::ALL.iter().zip(domain_orientations(&o)) {
            assert_eq!(wire[orientation.code()], n, "{}", orientation.code());
        }
        let counts = DailyCounts {
            consultations: 28,
            by_orientation: o,
            ..DailyCounts::default()
        };
        let i = Indicators::of(&counts);
        assert_eq!(
            i.emergency_or_hospital,
            3 + 4 + 5,
            "urgences, hospitalisation, SAMU/SMUR"
        );
        assert_eq!(i.emergency_or_hospital_percent, Some(100.0 * 12.0 / 28.0));
    }

    #[test]
    fn the_regulated_share_and_quantiles_of_a_hand_made_set() {
        let mut counts = DailyCounts {
            consultations: 8,
            ..DailyCounts::default()
        };
        counts.by_arrival_mode.regule_centre15 = 2;
        counts.by_arrival_mode.regule_sas = 1;
        counts.by_arrival_mode.spontane = 5;
        // Waits: 3 in « ≤ 5 », 1 in « ≤ 10 », 2 in « ≤ 30 », 1 in « > 240 »: ranks 4 and 7 of 7.
        counts.waiting_minutes.0[0] = 3;
        counts.waiting_minutes.0[1] = 1;
        counts.waiting_minutes.0[4] = 2;
        counts.waiting_minutes.0[11] = 1;
        let i = Indicators::of(&counts);
        assert_eq!(i.regulated, 3);
        assert_eq!(i.regulated_percent, Some(37.5));
        assert_eq!(
            i.waiting,
            BucketQuantiles {
                n: 7,
                median_bucket: Some(1),
                p90_bucket: Some(11)
            }
        );
        assert_eq!(i.consultation_length, BucketQuantiles::default());
        assert_eq!(
            Indicators::of(&DailyCounts::default()).regulated_percent,
            None
        );
    }
}
