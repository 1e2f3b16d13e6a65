//! The daily aggregate: what a desktop sends the hub about one MMG, one PC, one day and one
//! PDSA slot. Counts only: by construction it cannot carry a name, a date of birth, free text
//! or a patient identifier, because none of its types has such a field. The map keys are codes
//! (CIM-10, INSEE commune, an opaque per-MMG doctor key) whose shape [`DailyAggregate::defect`]
//! checks, so a desktop bug cannot smuggle text through them.
//!
//! Every count has `#[serde(default)]`: an aggregate made by an older desktop (lower
//! [`AGGREGATE_SCHEMA`]) that lacks a newer indicator still parses, with that count at zero; an
//! older hub ignores the fields it does not know.
//!
//! Schema history: 1, the activity counts; 2 adds the syndromic indicators (`with_diagnosis`,
//! `by_syndrome`, by Santé publique France's age classes).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Version of the content of [`DailyCounts`]; bumped when an indicator is added.
pub const AGGREGATE_SCHEMA: u32 = 2;

/// Upper bounds (inclusive, in minutes) of the buckets of a [`MinuteHistogram`]; the last bucket
/// holds everything above the last bound. Fixed so that histograms of several PCs, days and MMGs
/// add up bucket by bucket, and medians or 90th percentiles are recomputed from the sums.
pub const MINUTE_BUCKET_BOUNDS: [u32; 11] = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];

/// Number of buckets of a [`MinuteHistogram`]: one per bound plus the overflow bucket.
pub const MINUTE_BUCKETS: usize = MINUTE_BUCKET_BOUNDS.len() + 1;

/// The activity of one MMG, seen by one PC, on one date, in one PDSA slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyAggregate {
    /// The MMG, as the hub named it at enrollment.
    pub mmg_id: String,
    /// The PC that counted, as the hub named it at enrollment.
    pub device_id: String,
    /// The civil date the slot starts on (`YYYY-MM-DD`): a night from the 3rd to the 4th is the 3rd.
    pub date: NaiveDate,
    pub slot: PdsaSlot,
    /// Grows each time a late edit changes this day on this PC; the hub keeps the highest.
    pub revision: u64,
    /// [`AGGREGATE_SCHEMA`] of the desktop that made it.
    pub schema: u32,
    pub counts: DailyCounts,
}

/// The PDSA period a consultation belongs to (CSP R.6315-1), or `hors_pdsa` when an MMG also
/// opens outside the legal periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PdsaSlot {
    /// 20h–24h on weekdays (and the evening part of any night).
    Nuit,
    /// 0h–8h.
    MilieuDeNuit,
    /// 8h–20h on Sundays and public holidays.
    DimancheFerie,
    /// Saturday afternoon.
    SamediApresMidi,
    /// A "pont" day next to a public holiday.
    Pont,
    /// Opening hours outside the legal PDSA periods.
    HorsPdsa,
}

impl PdsaSlot {
    pub const ALL: [PdsaSlot; 6] = [
        PdsaSlot::Nuit,
        PdsaSlot::MilieuDeNuit,
        PdsaSlot::DimancheFerie,
        PdsaSlot::SamediApresMidi,
        PdsaSlot::Pont,
        PdsaSlot::HorsPdsa,
    ];

    /// The JSON (and database) spelling.
    pub fn code(self) -> &'static str {
        match self {
            PdsaSlot::Nuit => "nuit",
            PdsaSlot::MilieuDeNuit => "milieu_de_nuit",
            PdsaSlot::DimancheFerie => "dimanche_ferie",
            PdsaSlot::SamediApresMidi => "samedi_apres_midi",
            PdsaSlot::Pont => "pont",
            PdsaSlot::HorsPdsa => "hors_pdsa",
        }
    }

    /// The slot spelled `code`, if any.
    pub fn from_code(code: &str) -> Option<PdsaSlot> {
        PdsaSlot::ALL.into_iter().find(|slot| slot.code() == code)
    }
}

/// The indicators of one aggregate. Counts are numbers of consultations unless said otherwise.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCounts {
    #[serde(default)]
    pub consultations: u32,
    /// By hour of arrival, 0h to 23h.
    #[serde(default)]
    pub by_arrival_hour: [u32; 24],
    #[serde(default)]
    pub by_arrival_mode: ArrivalModeCounts,
    #[serde(default)]
    pub by_age_band: AgeBandCounts,
    #[serde(default)]
    pub by_sex: SexCounts,
    #[serde(default)]
    pub by_orientation: OrientationCounts,
    /// Consultations done at the patient's home (visites).
    #[serde(default)]
    pub home_visits: u32,
    /// CIM-10 chapter, as its code range (`J00-J99`) -> diagnoses in it.
    #[serde(default)]
    pub by_cim10_chapter: BTreeMap<String, u32>,
    /// CIM-10 category, as its three-character code (`J06`) -> diagnoses in it.
    #[serde(default)]
    pub by_cim10_category: BTreeMap<String, u32>,
    /// Minutes from arrival to the start of the consultation.
    #[serde(default)]
    pub waiting_minutes: MinuteHistogram,
    /// Minutes from the start to the end of the consultation.
    #[serde(default)]
    pub consultation_minutes: MinuteHistogram,
    /// Patients seen again by the same MMG within 72 hours.
    #[serde(default)]
    pub returns_within_72h: u32,
    /// INSEE code of the patient's commune (`44109`, `2A004`) -> consultations. A commune code
    /// is not a patient identifier.
    #[serde(default)]
    pub by_commune: BTreeMap<String, u32>,
    /// Opaque key the MMG's desktop gives each of its doctors -> consultations. Never a name
    /// nor an RPPS number.
    #[serde(default)]
    pub by_doctor: BTreeMap<String, u32>,
    /// Amounts received, in euro cents, by payment mode.
    #[serde(default)]
    pub amounts_cents: PaymentAmounts,
    /// Consultations with at least one diagnosis (principal or associated), by age class: the
    /// denominator of `by_syndrome`. Schema 2.
    #[serde(default)]
    pub with_diagnosis: SyndromicAgeCounts,
    /// Syndrome code (`ira`, `gastro_enterite`...: `appligarde_domain::syndromes`) ->
    /// consultations with at least one diagnosis (principal or associated) in it, by age class.
    /// Only syndromes with at least one consultation are present. Schema 2.
    #[serde(default)]
    pub by_syndrome: BTreeMap<String, SyndromicAgeCounts>,
}

/// Counts by the age classes of Santé publique France's syndromic surveillance (SOS Médecins,
/// OSCOUR: under 2, 2–14, 15–74, 75 and over), in full years on the day of arrival.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyndromicAgeCounts {
    #[serde(rename = "0-1")]
    pub under_2: u32,
    #[serde(rename = "2-14")]
    pub from_2_to_14: u32,
    #[serde(rename = "15-74")]
    pub from_15_to_74: u32,
    #[serde(rename = "75+")]
    pub from_75: u32,
    /// No birth date recorded.
    pub inconnu: u32,
}

impl SyndromicAgeCounts {
    /// The JSON keys, in the order of [`SyndromicAgeCounts::cells`].
    pub const KEYS: [&'static str; 5] = ["0-1", "2-14", "15-74", "75+", "inconnu"];

    /// The counts in the order of [`SyndromicAgeCounts::KEYS`].
    pub fn cells(&self) -> [u32; 5] {
        [
            self.under_2,
            self.from_2_to_14,
            self.from_15_to_74,
            self.from_75,
            self.inconnu,
        ]
    }

    /// The counts from cells in the order of [`SyndromicAgeCounts::KEYS`].
    pub fn from_cells([under_2, from_2_to_14, from_15_to_74, from_75, inconnu]: [u32; 5]) -> Self {
        SyndromicAgeCounts {
            under_2,
            from_2_to_14,
            from_15_to_74,
            from_75,
            inconnu,
        }
    }

    /// The sum of the cells.
    pub fn total(&self) -> u32 {
        self.cells().iter().fold(0u32, |a, b| a.saturating_add(*b))
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrivalModeCounts {
    pub regule_centre15: u32,
    pub regule_116117: u32,
    pub regule_sas: u32,
    pub spontane: u32,
    pub adresse_medecin: u32,
    pub adresse_pharmacien: u32,
    pub autre: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgeBandCounts {
    #[serde(rename = "0-2")]
    pub from_0_to_2: u32,
    #[serde(rename = "3-5")]
    pub from_3_to_5: u32,
    #[serde(rename = "6-15")]
    pub from_6_to_15: u32,
    #[serde(rename = "16-44")]
    pub from_16_to_44: u32,
    #[serde(rename = "45-64")]
    pub from_45_to_64: u32,
    #[serde(rename = "65-74")]
    pub from_65_to_74: u32,
    #[serde(rename = "75+")]
    pub from_75: u32,
    pub inconnu: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SexCounts {
    #[serde(rename = "F")]
    pub female: u32,
    #[serde(rename = "M")]
    pub male: u32,
    /// Indéterminé.
    #[serde(rename = "I")]
    pub undetermined: u32,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrientationCounts {
    pub retour_domicile: u32,
    pub medecin_traitant: u32,
    pub urgences: u32,
    pub hospitalisation: u32,
    pub samu_smur: u32,
    pub deces: u32,
    pub autre: u32,
}

/// Cents received by payment mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PaymentAmounts {
    pub especes: u64,
    pub cheque: u64,
    pub carte: u64,
    pub tiers_payant: u64,
    pub autre: u64,
}

/// Counts per duration bucket, bounds in [`MINUTE_BUCKET_BOUNDS`]; a JSON array of
/// [`MINUTE_BUCKETS`] numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MinuteHistogram(pub [u32; MINUTE_BUCKETS]);

impl MinuteHistogram {
    /// The bucket a duration of `minutes` falls into.
    pub fn bucket_of(minutes: u32) -> usize {
        MINUTE_BUCKET_BOUNDS
            .iter()
            .position(|&bound| minutes <= bound)
            .unwrap_or(MINUTE_BUCKET_BOUNDS.len())
    }
}

/// Which part of an aggregate breaks the rules that keep it free of personal data or
/// unusable by the hub; named by its JSON field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateDefect {
    /// A key of `by_cim10_chapter` is not a range like `J00-J99`.
    Cim10Chapter,
    /// A key of `by_cim10_category` is not a three-character category like `J06`.
    Cim10Category,
    /// A key of `by_commune` is not an INSEE commune code.
    Commune,
    /// A key of `by_doctor` is not an opaque key (1–64 of `A-Z a-z 0-9 _ -`).
    DoctorKey,
    /// `mmg_id` or `device_id` is empty or longer than 64 characters.
    Identifier,
    /// `date` is outside [`MIN_DATE_YEAR`]–[`MAX_DATE_YEAR`]: no out-of-hours clinic sent
    /// activity before 2000, and years like 0000 or 9999 are typing or clock faults.
    Date,
    /// A key of `by_syndrome` is not a syndrome code (1–32 of `a-z 0-9 _`).
    Syndrome,
}

/// Earliest year of a plausible activity date (aggregates, statistics queries).
pub const MIN_DATE_YEAR: i32 = 2000;
/// Latest year of a plausible activity date.
pub const MAX_DATE_YEAR: i32 = 2100;

/// Whether `date` is within [`MIN_DATE_YEAR`]–[`MAX_DATE_YEAR`] (both included).
pub fn is_plausible_date(date: NaiveDate) -> bool {
    use chrono::Datelike as _;
    (MIN_DATE_YEAR..=MAX_DATE_YEAR).contains(&date.year())
}

impl AggregateDefect {
    /// The JSON field at fault.
    pub fn field(self) -> &'static str {
        match self {
            AggregateDefect::Cim10Chapter => "by_cim10_chapter",
            AggregateDefect::Cim10Category => "by_cim10_category",
            AggregateDefect::Commune => "by_commune",
            AggregateDefect::DoctorKey => "by_doctor",
            AggregateDefect::Identifier => "mmg_id/device_id",
            AggregateDefect::Date => "date",
            AggregateDefect::Syndrome => "by_syndrome",
        }
    }
}

impl DailyAggregate {
    /// The first rule this aggregate breaks, if any.
    pub fn defect(&self) -> Option<AggregateDefect> {
        let id_ok = |id: &str| !id.is_empty() && id.len() <= 64;
        if !id_ok(&self.mmg_id) || !id_ok(&self.device_id) {
            return Some(AggregateDefect::Identifier);
        }
        if !is_plausible_date(self.date) {
            return Some(AggregateDefect::Date);
        }
        let c = &self.counts;
        if !c.by_cim10_chapter.keys().all(|k| is_cim10_chapter(k)) {
            return Some(AggregateDefect::Cim10Chapter);
        }
        if !c.by_cim10_category.keys().all(|k| is_cim10_category(k)) {
            return Some(AggregateDefect::Cim10Category);
        }
        if !c.by_commune.keys().all(|k| is_commune(k)) {
            return Some(AggregateDefect::Commune);
        }
        if !c.by_doctor.keys().all(|k| is_doctor_key(k)) {
            return Some(AggregateDefect::DoctorKey);
        }
        if !c.by_syndrome.keys().all(|k| is_syndrome_key(k)) {
            return Some(AggregateDefect::Syndrome);
        }
        None
    }
}

/// `J06`, `U07`: a letter and two digits.
fn is_cim10_category(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit()
}

/// `J00-J99`: two categories joined by a dash.
fn is_cim10_chapter(key: &str) -> bool {
    key.split_once('-')
        .is_some_and(|(from, to)| is_cim10_category(from) && is_cim10_category(to))
}

/// Five digits, or `2A`/`2B` and three digits (Corse).
fn is_commune(key: &str) -> bool {
    let b = key.as_bytes();
    b.len() == 5
        && (b[..2].iter().all(u8::is_ascii_digit) || b[..2] == *b"2A" || b[..2] == *b"2B")
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// `ira`, `gastro_enterite`: 1 to 32 of `a-z 0-9 _` (the rule of `appligarde_domain::syndromes`).
fn is_syndrome_key(key: &str) -> bool {
    (1..=32).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_doctor_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn sample() -> DailyAggregate {
        let mut counts = DailyCounts {
            consultations: 3,
            home_visits: 1,
            returns_within_72h: 1,
            ..DailyCounts::default()
        };
        counts.by_arrival_hour[20] = 2;
        counts.by_arrival_hour[21] = 1;
        counts.by_arrival_mode.regule_centre15 = 2;
        counts.by_arrival_mode.spontane = 1;
        counts.by_age_band.from_75 = 1;
        counts.by_age_band.from_0_to_2 = 2;
        counts.by_sex.female = 2;
        counts.by_sex.male = 1;
        counts.by_orientation.retour_domicile = 3;
        counts.by_cim10_chapter.insert("J00-J99".into(), 2);
        counts.by_cim10_category.insert("J06".into(), 2);
        counts.waiting_minutes.0[MinuteHistogram::bucket_of(12)] = 3;
        counts.consultation_minutes.0[MinuteHistogram::bucket_of(300)] = 3;
        counts.by_commune.insert("44109".into(), 3);
        counts.by_doctor.insert("d1".into(), 3);
        counts.amounts_cents.carte = 9000;
        counts.with_diagnosis.under_2 = 2;
        counts.with_diagnosis.from_75 = 1;
        counts.by_syndrome.insert(
            "bronchiolite".into(),
            SyndromicAgeCounts {
                under_2: 2,
                ..SyndromicAgeCounts::default()
            },
        );
        DailyAggregate {
            mmg_id: "m".into(),
            device_id: "d".into(),
            date: NaiveDate::from_ymd_opt(2026, 1, 3).unwrap(),
            slot: PdsaSlot::MilieuDeNuit,
            revision: 2,
            schema: AGGREGATE_SCHEMA,
            counts,
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn an_aggregate_has_exactly_the_documented_keys() {
        // The desktop and the hub of different versions agree on these names; none of them
        // can hold a name, a birth date, free text or a patient identifier.
        let value = serde_json::to_value(sample()).unwrap();
        assert_eq!(
            keys(&value),
            [
                "counts",
                "date",
                "device_id",
                "mmg_id",
                "revision",
                "schema",
                "slot"
            ]
        );
        assert_eq!(value["date"], json!("2026-01-03"));
        assert_eq!(value["slot"], json!("milieu_de_nuit"));
        let counts = &value["counts"];
        assert_eq!(
            keys(counts),
            [
                "amounts_cents",
                "by_age_band",
                "by_arrival_hour",
                "by_arrival_mode",
                "by_cim10_category",
                "by_cim10_chapter",
                "by_commune",
                "by_doctor",
                "by_orientation",
                "by_sex",
                "by_syndrome",
                "consultation_minutes",
                "consultations",
                "home_visits",
                "returns_within_72h",
                "waiting_minutes",
                "with_diagnosis",
            ]
        );
        let cases: [(&str, &[&str]); 6] = [
            (
                "by_arrival_mode",
                &[
                    "adresse_medecin",
                    "adresse_pharmacien",
                    "autre",
                    "regule_116117",
                    "regule_centre15",
                    "regule_sas",
                    "spontane",
                ],
            ),
            (
                "by_age_band",
                &[
                    "0-2", "16-44", "3-5", "45-64", "6-15", "65-74", "75+", "inconnu",
                ],
            ),
            ("by_sex", &["F", "I", "M"]),
            (
                "by_orientation",
                &[
                    "autre",
                    "deces",
                    "hospitalisation",
                    "medecin_traitant",
                    "retour_domicile",
                    "samu_smur",
                    "urgences",
                ],
            ),
            (
                "amounts_cents",
                &["autre", "carte", "cheque", "especes", "tiers_payant"],
            ),
            (
                "with_diagnosis",
                &["0-1", "15-74", "2-14", "75+", "inconnu"],
            ),
        ];
        for (field, expected) in cases {
            assert_eq!(keys(&counts[field]), expected, "keys of {field}");
        }
        assert_eq!(keys(&counts["by_syndrome"]), ["bronchiolite"]);
        assert_eq!(
            keys(&counts["by_syndrome"]["bronchiolite"]),
            ["0-1", "15-74", "2-14", "75+", "inconnu"]
        );
        assert_eq!(counts["by_arrival_hour"].as_array().unwrap().len(), 24);
        assert_eq!(
            counts["waiting_minutes"].as_array().unwrap().len(),
            MINUTE_BUCKETS,
            "a histogram is a plain array of bucket counts"
        );
    }

    #[test]
    fn an_aggregate_survives_a_round_trip() {
        let aggregate = sample();
        let text = serde_json::to_string(&aggregate).unwrap();
        let back: DailyAggregate = serde_json::from_str(&text).unwrap();
        assert_eq!(back, aggregate);
        // BTreeMaps make the text deterministic: the same aggregate always hashes the same.
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
    }

    #[test]
    fn an_older_aggregate_without_some_indicators_parses_with_zeros() {
        let value = json!({
            "mmg_id": "m", "device_id": "d", "date": "2026-01-03", "slot": "nuit",
            "revision": 1, "schema": 1, "counts": {"consultations": 4}
        });
        let aggregate: DailyAggregate = serde_json::from_value(value).unwrap();
        assert_eq!(aggregate.counts.consultations, 4);
        assert_eq!(aggregate.counts.by_sex, SexCounts::default());
        // A schema-1 aggregate has no syndromic indicators: zeros, no syndrome.
        assert_eq!(
            aggregate.counts.with_diagnosis,
            SyndromicAgeCounts::default()
        );
        assert!(aggregate.counts.by_syndrome.is_empty());
    }

    #[test]
    fn an_older_hub_reading_a_newer_aggregate_ignores_the_syndromes() {
        // What a hub of schema 1 parsed into: the same struct without the schema-2 fields. Serde
        // ignores unknown fields unless told otherwise; this keeps it so for `DailyCounts`.
        #[derive(Deserialize)]
        struct CountsV1 {
            consultations: u32,
        }
        let text = serde_json::to_string(&sample().counts).unwrap();
        let old: CountsV1 = serde_json::from_str(&text).unwrap();
        assert_eq!(old.consultations, 3);
    }

    #[test]
    fn slots_have_their_documented_codes() {
        for slot in PdsaSlot::ALL {
            assert_eq!(serde_json::to_value(slot).unwrap(), json!(slot.code()));
            assert_eq!(PdsaSlot::from_code(slot.code()), Some(slot));
        }
        assert_eq!(PdsaSlot::from_code("matin"), None);
    }

    #[test]
    fn minute_buckets_follow_their_bounds() {
        let cases = [
            (0, 0),
            (5, 0),
            (6, 1),
            (30, 4),
            (240, 10),
            (241, 11),
            (u32::MAX, 11),
        ];
        for (minutes, bucket) in cases {
            assert_eq!(MinuteHistogram::bucket_of(minutes), bucket, "{minutes} min");
        }
    }

    #[test]
    fn dates_outside_2000_to_2100_are_refused() {
        let cases = [
            ((1999, 12, 31), Some(AggregateDefect::Date)),
            ((2000, 1, 1), None),
            ((2100, 12, 31), None),
            ((2101, 1, 1), Some(AggregateDefect::Date)),
            ((0, 1, 1), Some(AggregateDefect::Date)),
            ((9999, 12, 31), Some(AggregateDefect::Date)),
        ];
        for ((y, m, d), expected) in cases {
            let mut aggregate = sample();
            aggregate.date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(aggregate.defect(), expected, "{y:04}-{m:02}-{d:02}");
        }
    }

    #[test]
    fn map_keys_that_could_carry_text_are_refused() {
        // (what is put in, the defect expected)
        type Edit = fn(&mut DailyCounts);
        let cases: [(&str, Edit, Option<AggregateDefect>); 11] = [
            (
                "text as syndrome",
                |c| {
                    c.by_syndrome
                        .insert("Grippe de Mme Dupont".into(), SyndromicAgeCounts::default());
                },
                Some(AggregateDefect::Syndrome),
            ),
            (
                "new syndrome code",
                |c| {
                    c.by_syndrome
                        .insert("covid_19".into(), SyndromicAgeCounts::default());
                },
                None,
            ),
            ("valid sample", |_| {}, None),
            (
                "Corse commune",
                |c| {
                    c.by_commune.insert("2A004".into(), 1);
                },
                None,
            ),
            (
                "name as commune",
                |c| {
                    c.by_commune.insert("Dupont".into(), 1);
                },
                Some(AggregateDefect::Commune),
            ),
            (
                "6-digit commune",
                |c| {
                    c.by_commune.insert("441090".into(), 1);
                },
                Some(AggregateDefect::Commune),
            ),
            (
                "text as category",
                |c| {
                    c.by_cim10_category.insert("grippe".into(), 1);
                },
                Some(AggregateDefect::Cim10Category),
            ),
            (
                "subcategory",
                |c| {
                    c.by_cim10_category.insert("J06.9".into(), 1);
                },
                Some(AggregateDefect::Cim10Category),
            ),
            (
                "bad chapter",
                |c| {
                    c.by_cim10_chapter.insert("J00".into(), 1);
                },
                Some(AggregateDefect::Cim10Chapter),
            ),
            (
                "name as doctor key",
                |c| {
                    c.by_doctor.insert("Dr Martin".into(), 1);
                },
                Some(AggregateDefect::DoctorKey),
            ),
            (
                "empty doctor key",
                |c| {
                    c.by_doctor.insert(String::new(), 1);
                },
                Some(AggregateDefect::DoctorKey),
            ),
        ];
        for (label, edit, expected) in cases {
            let mut aggregate = sample();
            edit(&mut aggregate.counts);
            assert_eq!(aggregate.defect(), expected, "{label}");
        }
        let mut no_id = sample();
        no_id.device_id.clear();
        assert_eq!(no_id.defect(), Some(AggregateDefect::Identifier));
    }
}
