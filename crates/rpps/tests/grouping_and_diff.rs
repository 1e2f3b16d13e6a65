//! Practitioners with several activities, fingerprints, the re-import diff and the generator.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeSet, HashMap};
use std::io::Cursor;

use appligarde_domain::luhn::is_valid_rpps;
use appligarde_rpps::bench_support::generate_national_file;
use appligarde_rpps::{
    ActiviteRpps, DiffCounts, Filtre, Layout, PractitionerFingerprints, RppsReader, diff,
    diff_detail, group_practitioners, site_key,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");

fn data_text(name: &str) -> String {
    String::from_utf8(std::fs::read(format!("{DATA}{name}")).unwrap()).unwrap()
}

fn sample() -> String {
    data_text("PS_LibreAcces_Personne_activite_sample.txt")
}

fn parse(text: &str) -> Vec<ActiviteRpps> {
    let mut reader = RppsReader::new(Cursor::new(text.as_bytes())).unwrap();
    let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(reader.report().malformed_total, 0, "{}", reader.report());
    records
}

fn fingerprints(text: &str) -> HashMap<String, u64> {
    let mut fp = PractitionerFingerprints::new();
    for a in parse(text) {
        fp.add(&a);
    }
    fp.into_map()
}

/// The header and the data lines of a file.
fn split(text: &str) -> (&str, Vec<&str>) {
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    (header, lines.filter(|l| !l.is_empty()).collect())
}

fn join(header: &str, lines: &[String]) -> String {
    let mut out = format!("{header}\n");
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

fn column(header: &str, name: &str) -> usize {
    header.split('|').position(|h| h == name).unwrap()
}

fn set_field(line: &str, index: usize, value: &str) -> String {
    let mut fields: Vec<&str> = line.split('|').collect();
    fields[index] = value;
    fields.join("|")
}

/// A valid RPPS number from a 10-digit body, its key found by the domain's own check.
fn rpps_from(body: u64) -> String {
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|s| is_valid_rpps(s))
        .unwrap()
}

#[test]
fn a_practitioner_with_two_activities_becomes_one_praticien_with_two_sites() {
    let records = parse(&data_text("deux_activites.txt"));
    assert_eq!(records.len(), 3, "three lines, three activities");
    let praticiens = group_practitioners(records.clone());
    assert_eq!(praticiens.len(), 2, "BERNARD (two lines) and MOREAU");
    let bernard = praticiens.iter().find(|p| p.nom == "BERNARD").unwrap();
    assert_eq!(bernard.prenom, "Anne-Cécile");
    assert_eq!(bernard.sites.len(), 2, "lines 2 and 4 are two structures");
    let communes: BTreeSet<&str> = bernard
        .sites
        .iter()
        .map(|s| s.adresse.libelle_commune.as_str())
        .collect();
    assert_eq!(communes, BTreeSet::from(["NANTES", "SAINT-NAZAIRE"]));
    // SM26 comes first in the file, but médecine générale (SM54) is preferred as the specialty.
    assert_eq!(
        bernard.specialite.as_ref().map(|s| s.code.as_str()),
        Some("SM54")
    );
    let moreau = praticiens.iter().find(|p| p.nom == "MOREAU").unwrap();
    assert_eq!(moreau.sites.len(), 1);

    // The same activities in another order give the same practitioners.
    let mut reversed = records;
    reversed.reverse();
    assert_eq!(group_practitioners(reversed), praticiens);
}

#[test]
fn grouping_the_sample_gives_one_praticien_per_rpps_and_one_site_per_line() {
    let records = parse(&sample());
    let distinct: BTreeSet<&str> = records.iter().map(|r| r.rpps.as_str()).collect();
    let praticiens = group_practitioners(records.clone());
    assert_eq!(praticiens.len(), distinct.len());
    // Every line of the sample has its own structure, so no site is merged away.
    let sites: usize = praticiens.iter().map(|p| p.sites.len()).sum();
    assert_eq!(sites, records.len());
    for p in &praticiens {
        let keys: BTreeSet<u64> = p.sites.iter().map(site_key).collect();
        assert_eq!(
            keys.len(),
            p.sites.len(),
            "{}: site keys are distinct",
            p.rpps
        );
    }
}

#[test]
fn fingerprints_do_not_depend_on_the_order_of_lines() {
    let text = sample();
    let (header, lines) = split(&text);
    let mut reversed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    reversed.reverse();
    let forward = fingerprints(&text);
    let backward = fingerprints(&join(header, &reversed));
    assert_eq!(forward, backward);
    let distinct: BTreeSet<&str> = lines.iter().map(|l| l.split('|').nth(1).unwrap()).collect();
    assert_eq!(
        forward.len(),
        distinct.len(),
        "one fingerprint per practitioner"
    );
}

#[test]
fn a_reimport_counts_added_changed_unchanged_and_removed() {
    let text = sample();
    let (header, lines) = split(&text);
    let id = column(header, "Identifiant PP");
    let phone = column(header, "Téléphone (coord. structure)");
    let nom = column(header, "Nom d'exercice");
    let rpps_of = |l: &str| l.split('|').nth(id).unwrap().to_owned();

    let mut occurrences: HashMap<String, usize> = HashMap::new();
    for l in &lines {
        *occurrences.entry(rpps_of(l)).or_default() += 1;
    }
    let mut singles: Vec<String> = occurrences
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(r, _)| r.clone())
        .collect();
    singles.sort();
    let multi: String = occurrences
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(r, _)| r.clone())
        .min()
        .unwrap();
    // Five practitioners leave, one changes name, one changes the phone of one of its sites.
    let removed: Vec<String> = singles[..5].to_vec();
    let renamed = singles[5].clone();
    let mut phone_changed = false;

    let mut next: Vec<String> = Vec::new();
    for l in &lines {
        let r = rpps_of(l);
        if removed.contains(&r) {
            continue;
        }
        if r == renamed {
            next.push(set_field(l, nom, "NOUVEAU-NOM"));
        } else if r == multi && !phone_changed {
            phone_changed = true;
            next.push(set_field(l, phone, "0299999999"));
        } else {
            next.push((*l).to_owned());
        }
    }
    // Three newcomers, copied from a line with new RPPS numbers.
    let added: Vec<String> = (0..3).map(|i| rpps_from(1_999_999_000 + i)).collect();
    for r in &added {
        assert!(!occurrences.contains_key(r), "{r} is new");
        let line = set_field(lines[0], id, r);
        next.push(set_field(&line, id + 1, &format!("8{r}")));
    }
    // The national file comes in any order: shuffle by reversing.
    next.reverse();

    let old = fingerprints(&text);
    let new = fingerprints(&join(header, &next));
    let counts = diff(&old, &new);
    assert_eq!(
        counts,
        DiffCounts {
            added: 3,
            changed: 2,
            unchanged: old.len() - 5 - 2,
            removed: 5,
        }
    );
    let detail = diff_detail(&old, &new);
    let mut expected_changed = vec![renamed, multi];
    expected_changed.sort();
    assert_eq!(detail.changed, expected_changed);
    assert_eq!(detail.removed, removed);
    let mut expected_added = added;
    expected_added.sort();
    assert_eq!(detail.added, expected_added);

    // Importing the same file again changes nothing.
    assert_eq!(
        diff(&old, &fingerprints(&text)),
        DiffCounts {
            unchanged: old.len(),
            ..DiffCounts::default()
        }
    );
}

#[test]
fn the_generator_writes_a_valid_national_file() {
    let mut bytes = Vec::new();
    let stats = generate_national_file(&mut bytes, 20_000, 1).unwrap();
    assert_eq!(stats.lines, 20_000);
    assert_eq!(stats.bytes, bytes.len() as u64);

    let mut reader = RppsReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(
        reader.layout(),
        Layout::Current56,
        "the real 56-column header"
    );
    let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(reader.report().malformed_total, 0, "{}", reader.report());
    assert_eq!(records.len(), 20_000);

    let mut lines_of: HashMap<&str, Vec<u64>> = HashMap::new();
    for r in &records {
        lines_of.entry(r.rpps.as_str()).or_default().push(r.ligne);
    }
    assert_eq!(lines_of.len() as u64, stats.practitioners);
    let multi = lines_of.values().filter(|v| v.len() > 1).count() as u64;
    assert_eq!(multi, stats.multi_activity);
    let share = multi as f64 / stats.practitioners as f64;
    assert!(
        (0.07..=0.13).contains(&share),
        "about 10 % multi-activity: {share}"
    );
    let scattered = lines_of
        .values()
        .filter(|v| v.windows(2).any(|w| w[1] != w[0] + 1))
        .count();
    assert!(scattered > 0, "some practitioners' lines are not adjacent");
    let departements: BTreeSet<&str> = records
        .iter()
        .map(|r| r.site.departement.code.as_str())
        .collect();
    assert!(departements.len() > 30, "national spread: {departements:?}");
    assert!(
        records.iter().any(|r| r.prenom.contains('é')),
        "accented first names"
    );

    // A département filter on the generated file keeps only that département.
    let filter = Filtre {
        departements: Some(vec!["44".into()]),
        ..Filtre::default()
    };
    let kept: Vec<ActiviteRpps> = RppsReader::with_filter(Cursor::new(&bytes), filter)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = records
        .iter()
        .filter(|r| r.site.departement.code == "44")
        .count();
    assert_eq!(kept.len(), expected);
    assert!(expected > 0);
}

#[test]
fn the_generator_is_deterministic_for_a_seed() {
    let run = |seed| {
        let mut out = Vec::new();
        generate_national_file(&mut out, 2_000, seed).unwrap();
        out
    };
    assert_eq!(run(42), run(42), "same seed, same file");
    assert_ne!(run(42), run(43), "another seed, another file");
}
