//! The syndromic indicators for the ORU (issue 24): per MMG and day, the consultations with at
//! least one diagnosis and those of each syndrome, by Santé publique France's age classes, summed
//! over the MMG's PCs and PDSA slots, ready to set beside the emergency departments' OSCOUR counts.
//!
//! - [`rebuild_days`]: the derived tables of migration 0010 (`oru_day`, `oru_indicator`) rebuilt
//!   from `daily_aggregate` for the days an upload (or a re-enrollment) touched, in its
//!   transaction;
//! - [`daily`]: `GET /api/v1/oru/daily` (JSON), for the URML and the coordinators of the
//!   département;
//! - [`csv`]: the same as a CSV for a French spreadsheet, one line per day × MMG × indicator.
//!
//! The syndromes' labels and sources come from `appligarde_domain::syndromes` (the desktops'
//! own data file); a code a newer desktop sends that this hub does not know is served with its
//! code as label.

use std::collections::{BTreeMap, BTreeSet};

use appligarde_domain::syndromes::{self, ClasseAge};
use appligarde_protocol::{AGGREGATE_SCHEMA, DailyCounts, SyndromicAgeCounts};
use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::GenericClient;

use crate::Error;
use crate::auth::User;

/// Longest period of one request, in days (a year).
pub const MAX_ORU_RANGE_DAYS: i64 = 366;

/// The aggregate schema that carries the syndromic indicators.
const SCHEMA_SYNDROMES: i32 = 2;
const _: () = assert!(AGGREGATE_SCHEMA >= SCHEMA_SYNDROMES as u32);

/// The indicator key of the denominator in `oru_indicator`.
const DENOMINATEUR: &str = "";

/// The sums of one MMG and day.
#[derive(Default)]
struct Jour {
    consultations: u32,
    older_aggregates: u32,
    indicateurs: BTreeMap<String, [u32; 5]>,
}

fn ajouter(total: &mut [u32; 5], cases: &SyndromicAgeCounts) {
    for (t, n) in total.iter_mut().zip(cases.cells()) {
        *t = t.saturating_add(n);
    }
}

fn entier(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Recomputes the rows of `mmg_id` for `days` from its daily rows (deletes those of days without
/// any). Runs inside the caller's transaction.
pub async fn rebuild_days(
    client: &impl GenericClient,
    mmg_id: &str,
    days: &BTreeSet<NaiveDate>,
) -> Result<(), Error> {
    if days.is_empty() {
        return Ok(());
    }
    let liste: Vec<NaiveDate> = days.iter().copied().collect();
    client
        .execute(
            "DELETE FROM oru_day WHERE mmg_id = $1::text::uuid AND day = ANY($2)",
            &[&mmg_id, &liste],
        )
        .await?;
    // A row without the indicators: sent by a desktop of schema 1, or by a newer desktop to an
    // older hub, which stored the counts it knew (no `with_diagnosis` key).
    let rows = client
        .query(
            "SELECT day, schema < $3 OR NOT counts ? 'with_diagnosis', counts::text \
             FROM daily_aggregate WHERE mmg_id = $1::text::uuid AND day = ANY($2)",
            &[&mmg_id, &liste, &SCHEMA_SYNDROMES],
        )
        .await?;
    let mut jours: BTreeMap<NaiveDate, Jour> = BTreeMap::new();
    for row in rows {
        let day: NaiveDate = row.get(0);
        let without_indicators: bool = row.get(1);
        let text: String = row.get(2);
        let counts: DailyCounts =
            serde_json::from_str(&text).map_err(|error| Error::Internal(Box::new(error)))?;
        let jour = jours.entry(day).or_default();
        jour.consultations = jour.consultations.saturating_add(counts.consultations);
        if without_indicators && counts.consultations > 0 {
            jour.older_aggregates += 1;
        }
        ajouter(
            jour.indicateurs.entry(DENOMINATEUR.to_owned()).or_default(),
            &counts.with_diagnosis,
        );
        for (code, cases) in &counts.by_syndrome {
            ajouter(jour.indicateurs.entry(code.clone()).or_default(), cases);
        }
    }
    let days: Vec<NaiveDate> = jours.keys().copied().collect();
    let consultations: Vec<i32> = jours.values().map(|j| entier(j.consultations)).collect();
    let older: Vec<i32> = jours.values().map(|j| entier(j.older_aggregates)).collect();
    client
        .execute(
            "INSERT INTO oru_day (mmg_id, day, consultations, older_aggregates) \
             SELECT $1::text::uuid, t.day, t.consultations, t.older \
             FROM unnest($2::date[], $3::int4[], $4::int4[]) AS t(day, consultations, older)",
            &[&mmg_id, &days, &consultations, &older],
        )
        .await?;
    let mut i_days = Vec::new();
    let mut i_codes = Vec::new();
    let mut cells: [Vec<i32>; 5] = Default::default();
    for (day, jour) in &jours {
        for (code, cases) in &jour.indicateurs {
            // The denominator row is kept even at zero (a day without diagnoses); a syndrome
            // only when counted.
            if code != DENOMINATEUR && cases.iter().all(|n| *n == 0) {
                continue;
            }
            i_days.push(*day);
            i_codes.push(code.as_str());
            for (column, n) in cells.iter_mut().zip(cases) {
                column.push(entier(*n));
            }
        }
    }
    client
        .execute(
            "INSERT INTO oru_indicator (mmg_id, day, indicator, age_0_1, age_2_14, age_15_74, \
                 age_75, age_unknown) \
             SELECT $1::text::uuid, t.day, t.indicator, t.a0, t.a2, t.a15, t.a75, t.au \
             FROM unnest($2::date[], $3::text[], $4::int4[], $5::int4[], $6::int4[], \
                         $7::int4[], $8::int4[]) AS t(day, indicator, a0, a2, a15, a75, au)",
            &[
                &mmg_id, &i_days, &i_codes, &cells[0], &cells[1], &cells[2], &cells[3], &cells[4],
            ],
        )
        .await?;
    Ok(())
}

/// An age class as the answer names it.
#[derive(Debug, Clone, Serialize)]
pub struct AgeClass {
    /// `0-1`, `2-14`, `15-74`, `75+`, `inconnu`: the keys of every count.
    pub key: &'static str,
    pub label: &'static str,
}

/// A syndrome as the answer names it.
#[derive(Debug, Clone, Serialize)]
pub struct SyndromeInfo {
    pub code: String,
    pub label: String,
    pub source: String,
}

/// The indicators of one MMG on one day.
#[derive(Debug, Clone, Serialize)]
pub struct OruRow {
    pub day: NaiveDate,
    pub mmg_id: String,
    pub mmg_name: String,
    /// Every consultation of the day.
    pub consultations: u32,
    /// False when a PC of the MMG sent this day with a desktop older than the syndromic
    /// indicators (aggregate schema 1): the counts below then miss its consultations.
    pub complete: bool,
    /// Consultations with at least one diagnosis (principal or associated): the denominator.
    pub with_diagnosis: SyndromicAgeCounts,
    /// Syndrome code -> consultations with a diagnosis in it; syndromes at zero are left out.
    pub syndromes: BTreeMap<String, SyndromicAgeCounts>,
}

/// The indicators of the département on one day (the sum of its MMGs' rows).
#[derive(Debug, Clone, Serialize)]
pub struct OruDayTotal {
    pub day: NaiveDate,
    /// MMGs with a row that day.
    pub mmgs: u32,
    pub consultations: u32,
    pub complete: bool,
    pub with_diagnosis: SyndromicAgeCounts,
    pub syndromes: BTreeMap<String, SyndromicAgeCounts>,
}

/// The answer of `GET /api/v1/oru/daily`.
#[derive(Debug, Clone, Serialize)]
pub struct OruDaily {
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub age_classes: Vec<AgeClass>,
    /// The syndromes this hub knows, then any other code found in the rows.
    pub syndromes: Vec<SyndromeInfo>,
    /// One row per day and MMG with consultations, by day then MMG name.
    pub rows: Vec<OruRow>,
    /// One row per day with consultations in the département.
    pub days: Vec<OruDayTotal>,
}

fn classes() -> Vec<AgeClass> {
    let mut out: Vec<AgeClass> = ClasseAge::TOUTES
        .iter()
        .map(|c| AgeClass {
            key: c.cle(),
            label: c.libelle(),
        })
        .collect();
    out.push(AgeClass {
        key: "inconnu",
        label: "âge inconnu",
    });
    out
}

fn additionner(total: &mut SyndromicAgeCounts, more: &SyndromicAgeCounts) {
    let mut cells = total.cells();
    for (t, n) in cells.iter_mut().zip(more.cells()) {
        *t = t.saturating_add(n);
    }
    *total = SyndromicAgeCounts::from_cells(cells);
}

/// The indicators of the MMGs of `departement` from `from` to `to` (inclusive). Refused unless
/// `user` may read that département.
pub async fn daily(
    client: &impl GenericClient,
    user: &User,
    departement: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<OruDaily, Error> {
    if !user.may_read(departement) {
        return Err(Error::Forbidden(
            "vous n'avez accès qu'aux MMG des départements de votre ADOPS",
        ));
    }
    let rows = client
        .query(
            "SELECT d.day, o.id::text, o.name, d.consultations, d.older_aggregates, \
                    i.indicator, i.age_0_1, i.age_2_14, i.age_15_74, i.age_75, i.age_unknown \
             FROM oru_day d JOIN organisation o ON o.id = d.mmg_id \
             LEFT JOIN oru_indicator i ON i.mmg_id = d.mmg_id AND i.day = d.day \
             WHERE o.kind = 'mmg' AND o.departement = $1 AND d.day BETWEEN $2 AND $3 \
               AND d.consultations > 0 \
             ORDER BY d.day, o.name, o.id, i.indicator",
            &[&departement, &from, &to],
        )
        .await?;
    let mut out: Vec<OruRow> = Vec::new();
    for row in rows {
        let day: NaiveDate = row.get(0);
        let mmg_id: String = row.get(1);
        let nouvelle = !out
            .last()
            .is_some_and(|r| r.day == day && r.mmg_id == mmg_id);
        if nouvelle {
            let consultations: i32 = row.get(3);
            let older: i32 = row.get(4);
            out.push(OruRow {
                day,
                mmg_id,
                mmg_name: row.get(2),
                consultations: u32::try_from(consultations).unwrap_or(0),
                complete: older == 0,
                with_diagnosis: SyndromicAgeCounts::default(),
                syndromes: BTreeMap::new(),
            });
        }
        let Some(indicator) = row.get::<_, Option<String>>(5) else {
            continue;
        };
        let cell = |i: usize| u32::try_from(row.get::<_, i32>(i)).unwrap_or(0);
        let cases = SyndromicAgeCounts::from_cells([cell(6), cell(7), cell(8), cell(9), cell(10)]);
        if let Some(current) = out.last_mut() {
            if indicator == DENOMINATEUR {
                current.with_diagnosis = cases;
            } else {
                current.syndromes.insert(indicator, cases);
            }
        }
    }
    let mut days: Vec<OruDayTotal> = Vec::new();
    for row in &out {
        if days.last().is_none_or(|d| d.day != row.day) {
            days.push(OruDayTotal {
                day: row.day,
                mmgs: 0,
                consultations: 0,
                complete: true,
                with_diagnosis: SyndromicAgeCounts::default(),
                syndromes: BTreeMap::new(),
            });
        }
        if let Some(total) = days.last_mut() {
            total.mmgs += 1;
            total.consultations = total.consultations.saturating_add(row.consultations);
            total.complete &= row.complete;
            additionner(&mut total.with_diagnosis, &row.with_diagnosis);
            for (code, cases) in &row.syndromes {
                additionner(total.syndromes.entry(code.clone()).or_default(), cases);
            }
        }
    }
    let mut infos: Vec<SyndromeInfo> = syndromes::syndromes()
        .iter()
        .map(|s| SyndromeInfo {
            code: s.code.clone(),
            label: s.libelle.clone(),
            source: s.source.clone(),
        })
        .collect();
    let inconnus: BTreeSet<&String> = out
        .iter()
        .flat_map(|r| r.syndromes.keys())
        .filter(|code| syndromes::syndrome(code).is_none())
        .collect();
    for code in inconnus {
        infos.push(SyndromeInfo {
            code: code.clone(),
            label: code.clone(),
            source: "syndrome inconnu de ce hub (envoyé par un poste plus récent)".to_owned(),
        });
    }
    Ok(OruDaily {
        departement: departement.to_owned(),
        from,
        to,
        age_classes: classes(),
        syndromes: infos,
        rows: out,
        days,
    })
}

/// A text field for a French spreadsheet: quoted when it holds `;`, a quote or a line break;
/// a leading `=`, `+`, `-` or `@` is neutralised so that a name is never run as a formula.
fn champ(texte: &str) -> String {
    let texte = if texte.starts_with(['=', '+', '-', '@']) {
        format!("'{texte}")
    } else {
        texte.to_owned()
    };
    if texte.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", texte.replace('"', "\"\""))
    } else {
        texte
    }
}

/// The answer as one CSV file for a French spreadsheet (UTF-8 with a byte-order mark, `;`
/// between fields, CRLF, like the desktop's exports): per day and MMG, the line
/// `avec_diagnostic` (the denominator), then one line per syndrome this hub knows (zeros
/// included, so every day × MMG has the same lines) and per other code received.
pub fn csv(answer: &OruDaily) -> String {
    let mut out = String::from("\u{feff}");
    let mut entete = vec![
        "departement",
        "date",
        "mmg_id",
        "mmg",
        "consultations",
        "complet",
        "indicateur",
        "libelle",
    ];
    let colonnes_age = [
        "moins_2_ans",
        "2_14_ans",
        "15_74_ans",
        "75_ans_et_plus",
        "age_inconnu",
    ];
    entete.extend(colonnes_age);
    entete.push("total");
    out.push_str(&entete.join(";"));
    out.push_str("\r\n");
    let zero = SyndromicAgeCounts::default();
    for row in &answer.rows {
        let lignes = std::iter::once((
            "avec_diagnostic",
            "Consultations avec au moins un diagnostic",
            &row.with_diagnosis,
        ))
        .chain(answer.syndromes.iter().map(|s| {
            (
                s.code.as_str(),
                s.label.as_str(),
                row.syndromes.get(&s.code).unwrap_or(&zero),
            )
        }));
        for (code, libelle, cases) in lignes {
            let mut champs = vec![
                champ(&answer.departement),
                row.day.format("%Y-%m-%d").to_string(),
                row.mmg_id.clone(),
                champ(&row.mmg_name),
                row.consultations.to_string(),
                if row.complete { "oui" } else { "non" }.to_owned(),
                champ(code),
                champ(libelle),
            ];
            champs.extend(cases.cells().iter().map(u32::to_string));
            champs.push(cases.total().to_string());
            out.push_str(&champs.join(";"));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_fields_are_quoted_and_never_formulas() {
        let cases = [
            ("MMG de Nantes", "MMG de Nantes"),
            ("MMG; Sud", "\"MMG; Sud\""),
            ("La \"Maison\"", "\"La \"\"Maison\"\"\""),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("-1", "'-1"),
        ];
        for (texte, attendu) in cases {
            assert_eq!(champ(texte), attendu, "{texte}");
        }
    }

    #[test]
    fn the_csv_has_a_bom_a_header_and_one_line_per_indicator_of_each_row() {
        let mut syndromes = BTreeMap::new();
        syndromes.insert(
            "ira".to_owned(),
            SyndromicAgeCounts::from_cells([1, 0, 2, 0, 0]),
        );
        let answer = OruDaily {
            departement: "44".into(),
            from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            age_classes: classes(),
            syndromes: vec![
                SyndromeInfo {
                    code: "ira".into(),
                    label: "Infection respiratoire aiguë".into(),
                    source: "SPF".into(),
                },
                SyndromeInfo {
                    code: "asthme".into(),
                    label: "Asthme".into(),
                    source: "FEDORU".into(),
                },
            ],
            rows: vec![OruRow {
                day: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
                mmg_id: "m".into(),
                mmg_name: "MMG; Nord".into(),
                consultations: 9,
                complete: true,
                with_diagnosis: SyndromicAgeCounts::from_cells([1, 2, 3, 1, 0]),
                syndromes,
            }],
            days: Vec::new(),
        };
        let text = csv(&answer);
        let lignes: Vec<&str> = text.split("\r\n").collect();
        assert!(lignes[0].starts_with("\u{feff}departement;date;mmg_id;mmg;"));
        assert_eq!(
            &lignes[1..],
            [
                "44;2026-01-01;m;\"MMG; Nord\";9;oui;avec_diagnostic;Consultations avec au moins \
                 un diagnostic;1;2;3;1;0;7",
                "44;2026-01-01;m;\"MMG; Nord\";9;oui;ira;Infection respiratoire aiguë;1;0;2;0;0;3",
                "44;2026-01-01;m;\"MMG; Nord\";9;oui;asthme;Asthme;0;0;0;0;0;0",
                "",
            ]
        );
    }
}
