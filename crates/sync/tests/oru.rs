//! The ORU's syndromic indicators end to end (issue 24): three real desktops (two PCs of one MMG,
//! one PC of another, same département) with consultations coded in CIM-10, synced by the real
//! client to the real hub binary on a real PostgreSQL. The hub's `GET /api/v1/oru/daily` equals
//! the sum of the desktops' daily aggregates, MMG by MMG and day by day, and each syndrome's
//! count equals a count made directly from the consultations' codes in the desktops' stores; a
//! late edit of a past day reaches the hub at the next sync; the CSV says the same.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use appligarde_domain::syndromes::{ClasseAge, syndromes};
use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

/// Codes the consultations get: syndromic ones (several syndromes each sometimes), others.
const CODES: [&str; 12] = [
    "J11.1", "J21.9", "A09.9", "J45.9", "T67.0", "J20.9", "U07.11", "B34.2", "S93.4", "R50.9",
    "I10", "J06.9",
];

/// (MMG id, day) or `("", day)` for the département -> indicator (`""`: the denominator) ->
/// counts by age class (0-1, 2-14, 15-74, 75+, unknown).
type Figures = BTreeMap<(String, NaiveDate), BTreeMap<String, [u32; 5]>>;

fn add(figures: &mut Figures, key: (String, NaiveDate), indicator: &str, cells: [u32; 5]) {
    let total = figures
        .entry(key)
        .or_default()
        .entry(indicator.to_owned())
        .or_default();
    for (t, n) in total.iter_mut().zip(cells) {
        *t += n;
    }
}

/// Consultations of January 2026 on `desktop`, with a baby among the patients, each with a
/// principal diagnosis (most of them) and up to two associated ones.
fn fill(desktop: &mut Desktop, rng: &mut StdRng) {
    let baby: i64 = desktop.write(|tx| {
        tx.execute(
            "INSERT INTO patient (nom, prenom, sexe, date_naissance, created_at, code_insee)
             VALUES ('BEBE', 'Test', 'F', '2025-06-01', '2026-01-01T00:00:00Z', '44109')",
            [],
        )?;
        Ok(tx.last_insert_rowid())
    });
    let mut times = Vec::new();
    for day in 1..=12 {
        for _ in 0..rng.random_range(1..5) {
            let hour = rng.random_range(0..24);
            times.push(
                NaiveDate::from_ymd_opt(2026, 1, day)
                    .unwrap()
                    .and_hms_opt(hour, rng.random_range(0..60), 0)
                    .unwrap(),
            );
        }
    }
    let ids = desktop.add_consultations(&times, rng);
    let mut rows = Vec::new();
    for id in ids {
        let to_baby = rng.random_bool(0.25);
        let mut codes: Vec<(&str, bool)> = Vec::new();
        if rng.random_bool(0.85) {
            codes.push((CODES[rng.random_range(0..CODES.len())], true));
        }
        for _ in 0..rng.random_range(0..3) {
            codes.push((CODES[rng.random_range(0..CODES.len())], false));
        }
        rows.push((id, to_baby, codes));
    }
    desktop.write(|tx| {
        for (id, to_baby, codes) in &rows {
            if *to_baby {
                tx.execute(
                    "UPDATE consultation SET patient_id = ?1 WHERE id = ?2",
                    (baby, id),
                )?;
            }
            for (rang, (code, principal)) in codes.iter().enumerate() {
                tx.execute(
                    "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal)
                     VALUES (?1, ?2, ?3, ?4)",
                    (id, rang as i64, code, principal),
                )?;
            }
        }
        Ok(())
    });
}

/// The desktops' daily aggregates of `from..=to`, summed per MMG and day over PCs and slots.
fn from_aggregates(desktops: &[(&str, &Desktop)], from: NaiveDate, to: NaiveDate) -> Figures {
    let mut out = Figures::new();
    for (mmg, desktop) in desktops {
        for a in desktop.api.agregats_quotidiens(from, to).unwrap() {
            if a.counts.consultations == 0 {
                continue;
            }
            let key = ((*mmg).to_owned(), a.date);
            add(&mut out, key.clone(), "", a.counts.with_diagnosis.cells());
            for (code, cells) in &a.counts.by_syndrome {
                add(&mut out, key.clone(), code, cells.cells());
            }
        }
    }
    out
}

/// The département's figures per day counted straight from the desktops' tables: each
/// consultation's codes, its patient's birth date, its arrival (a garde day runs 8h to 8h).
fn from_consultations(desktops: &[&Desktop]) -> Figures {
    let mut out = Figures::new();
    for desktop in desktops {
        let lines: Vec<(i64, String, String, String)> = desktop.write(|tx| {
            let mut stmt = tx.prepare(
                "SELECT c.id, c.arrivee, p.date_naissance, d.code
                 FROM consultation c JOIN patient p ON p.id = c.patient_id
                 JOIN consultation_diagnostic d ON d.consultation_id = c.id",
            )?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        });
        let mut consultations: BTreeMap<i64, (NaiveDate, usize, Vec<String>)> = BTreeMap::new();
        for (id, arrivee, naissance, code) in lines {
            let arrivee = NaiveDateTime::parse_from_str(&arrivee, "%Y-%m-%dT%H:%M:%S").unwrap();
            let day = (arrivee - chrono::Duration::hours(8)).date();
            let naissance = NaiveDate::parse_from_str(&naissance, "%Y-%m-%d").unwrap();
            let class = ClasseAge::de(naissance, arrivee.date()).map_or(4, ClasseAge::rang);
            consultations
                .entry(id)
                .or_insert((day, class, Vec::new()))
                .2
                .push(code);
        }
        for (day, class, codes) in consultations.values() {
            let mut cells = [0; 5];
            cells[*class] = 1;
            let key = (String::new(), *day);
            add(&mut out, key.clone(), "", cells);
            for s in syndromes() {
                if codes.iter().any(|c| s.contient(c)) {
                    add(&mut out, key.clone(), &s.code, cells);
                }
            }
        }
    }
    out
}

fn cells(value: &Value) -> [u32; 5] {
    ["0-1", "2-14", "15-74", "75+", "inconnu"].map(|k| value[k].as_u64().unwrap() as u32)
}

/// The hub's answer as [`Figures`]: its rows per MMG and day, and its day totals under `""`.
fn from_hub(answer: &Value) -> (Figures, Figures) {
    let (mut rows, mut days) = (Figures::new(), Figures::new());
    for (list, out, mmg) in [
        (&answer["rows"], &mut rows, true),
        (&answer["days"], &mut days, false),
    ] {
        for row in list.as_array().unwrap() {
            let day = NaiveDate::parse_from_str(row["day"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            let who = if mmg {
                row["mmg_id"].as_str().unwrap().to_owned()
            } else {
                String::new()
            };
            let key = (who, day);
            add(out, key.clone(), "", cells(&row["with_diagnosis"]));
            for (code, value) in row["syndromes"].as_object().unwrap() {
                add(out, key.clone(), code, cells(value));
            }
        }
    }
    (rows, days)
}

/// Drops the all-zero indicators, so that "absent" and "zero" compare equal.
fn nonzero(mut figures: Figures) -> Figures {
    for indicators in figures.values_mut() {
        indicators.retain(|_, c| c.iter().any(|n| *n > 0));
    }
    figures.retain(|_, i| !i.is_empty());
    figures
}

async fn fetch(hub: &Hub, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_syndromic_indicators_equal_the_desktops_and_the_consultations_codes() {
    let database = fresh_database("sync_oru").await;
    let hub = Hub::start(&database);
    let token = admin_token(&hub).await;
    let nantes = create_mmg(&hub, "44", "MMG Nantes");
    let nazaire = create_mmg(&hub, "44", "MMG Saint-Nazaire");
    let now = at("2026-01-20 21:00");
    let mut rng = StdRng::seed_from_u64(24);
    let mut desktops = Vec::new();
    for (i, mmg) in [&nantes, &nantes, &nazaire].into_iter().enumerate() {
        let mut desktop = Desktop::new(now, 240 + i as u64);
        fill(&mut desktop, &mut rng);
        desktop.enroll(&hub.url(), &enroll_code(&hub, mmg)).await;
        let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
        assert!(rapport.reussi, "{:?}", rapport.erreur);
        desktops.push((mmg.as_str(), desktop));
    }
    let (from, to) = (
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
        NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    );
    let query = format!("?departement=44&from={from}&to={to}");

    for step in ["after the first sync", "after a late edit"] {
        let pairs: Vec<(&str, &Desktop)> = desktops.iter().map(|(m, d)| (*m, d)).collect();
        let expected_rows = nonzero(from_aggregates(&pairs, from, to));
        let direct = nonzero(from_consultations(
            &desktops.iter().map(|(_, d)| d).collect::<Vec<_>>(),
        ));
        let response = fetch(&hub, &token, &format!("/api/v1/oru/daily{query}")).await;
        assert_eq!(response.status(), 200, "{step}");
        let answer: Value = response.json().await.unwrap();
        let (rows, days) = from_hub(&answer);
        assert_eq!(
            nonzero(rows),
            expected_rows,
            "{step}: the hub's rows are the sums of the desktops' aggregates per MMG and day"
        );
        assert_eq!(
            nonzero(days),
            direct,
            "{step}: each syndrome per day equals a count from the consultations' codes"
        );
        // Not a comparison of empty maps: the codes make several syndromes and a baby count.
        let total = |code: &str| -> [u32; 5] {
            let mut t = [0; 5];
            for indicators in direct.values() {
                for (x, n) in t
                    .iter_mut()
                    .zip(indicators.get(code).copied().unwrap_or_default())
                {
                    *x += n;
                }
            }
            t
        };
        assert!(total("ira")[0] > 0, "{step}: IRA under 2 years");
        for code in ["", "ira", "grippe", "gastro_enterite", "asthme", "chaleur"] {
            assert!(total(code).iter().sum::<u32>() > 0, "{step}: {code}");
        }
        assert!(
            answer["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["complete"] == true),
            "{step}: every PC sent schema 2"
        );

        // The CSV: the same rows, one line per indicator.
        let response = fetch(&hub, &token, &format!("/api/v1/oru/daily.csv{query}")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/csv; charset=utf-8"
        );
        let text = response.text().await.unwrap();
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        assert!(lines[0].starts_with("\u{feff}departement;date;mmg_id;mmg;"));
        let syndromes = answer["syndromes"].as_array().unwrap().len();
        let rows = answer["rows"].as_array().unwrap();
        assert_eq!(lines.len(), 1 + rows.len() * (1 + syndromes));
        let mut csv_ira = 0;
        for line in &lines[1..] {
            let fields: Vec<&str> = line.split(';').collect();
            if fields[6] == "ira" {
                csv_ira += fields.last().unwrap().parse::<u32>().unwrap();
            }
        }
        assert_eq!(csv_ira, total("ira").iter().sum::<u32>(), "{step}: CSV");

        if step == "after a late edit" {
            break;
        }
        // A late edit on the second PC of Nantes: an associated heat-related illness on its
        // first consultation, then a sync sends that day again.
        let (_, desktop) = &desktops[1];
        desktop.write(|tx| {
            tx.execute(
                "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal)
                 SELECT min(id), 50, 'T67.1', 0 FROM consultation",
                [],
            )?;
            Ok(())
        });
        let rapport = desktop.sync.synchroniser_async(&desktop.api).await;
        assert!(rapport.reussi, "{:?}", rapport.erreur);
        assert!(rapport.agregats_envoyes > 0, "the edited day is sent again");
    }

    // A device token or no valid session: refused (the access rules are tested in the hub's
    // own tests).
    let response = fetch(&hub, "pas-un-jeton", &format!("/api/v1/oru/daily{query}")).await;
    assert_eq!(response.status(), 401);
}
