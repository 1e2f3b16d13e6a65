//! Reading real-layout files: the shared sample, the older Latin-1 layout, broken lines.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{self, BufRead, Cursor, Read};

use appligarde_rpps::{
    ActiviteRpps, Filtre, ImportReport, Layout, MalformedLine, MalformedReason, RppsError,
    RppsReader, TextEncoding,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
const SAMPLE: &str = "PS_LibreAcces_Personne_activite_sample.txt";
const SHARED_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/rpps/PS_LibreAcces_Personne_activite_sample.txt"
);

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}{name}")).unwrap()
}

fn read_all(bytes: &[u8], filter: Filtre) -> (Vec<ActiviteRpps>, ImportReport) {
    let mut reader = RppsReader::with_filter(Cursor::new(bytes), filter).unwrap();
    let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(
        reader.bytes_read(),
        bytes.len() as u64,
        "the reader consumed the whole input"
    );
    (records, reader.into_report())
}

/// A naive oracle: the sample split by hand, column by header name.
fn naive_column(text: &str, column: &str) -> Vec<String> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('|').collect();
    let i = header.iter().position(|h| *h == column).unwrap();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').nth(i).unwrap().to_owned())
        .collect()
}

#[test]
fn the_crate_copy_of_the_sample_is_the_shared_one() {
    // The tests read the crate's copy; it must not drift from the reference in shared/.
    assert_eq!(data(SAMPLE), std::fs::read(SHARED_SAMPLE).unwrap());
}

#[test]
fn every_line_of_the_sample_parses() {
    let bytes = data(SAMPLE);
    let mut reader = RppsReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(reader.layout(), Layout::Current56);
    assert_eq!(reader.column_count(), 56);
    assert_eq!(
        reader.encoding(),
        Some(TextEncoding::Utf8),
        "header has accents"
    );
    let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
    let report = reader.report();
    assert_eq!(records.len(), 600, "600 data lines in the sample");
    assert_eq!(report.records, 600);
    assert_eq!(report.malformed_total, 0, "{report}");
    assert_eq!(report.blank_lines, 0);
    // Records come in file order, numbered as an editor numbers lines (header = 1).
    let numbers: Vec<u64> = records.iter().map(|r| r.ligne).collect();
    assert_eq!(numbers, (2..=601).collect::<Vec<u64>>());
    // The first line, field by field against the raw text.
    let first = &records[0];
    assert_eq!(first.rpps, "10181590836");
    assert_eq!(first.identification_nationale, "810181590836");
    assert_eq!(
        (first.nom.as_str(), first.prenom.as_str()),
        ("DESCHAMPS", "Léa")
    );
    assert_eq!(first.civilite.libelle, "Docteur");
    assert_eq!(first.site.savoir_faire.code, "SM54");
    assert_eq!(
        first.site.raison_sociale,
        "SCM MEDECINS ANCENIS-SAINT-GEREON"
    );
    assert_eq!(first.site.adresse.code_commune, "44003");
    assert_eq!(first.site.adresse.type_voie.libelle, "Avenue");
    assert_eq!(first.site.telephone, "0251819093");
    assert_eq!(first.site.fonction.libelle, "Remplaçant");
}

#[test]
fn counts_per_profession_and_departement_match_a_naive_split() {
    let bytes = data(SAMPLE);
    let text = std::str::from_utf8(&bytes).unwrap();
    let professions = naive_column(text, "Code profession");
    let departements = naive_column(text, "Code Département (structure)");
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (p, d) in professions.iter().zip(&departements) {
        *expected.entry((p.clone(), d.clone())).or_default() += 1;
    }

    let (records, _) = read_all(&bytes, Filtre::default());
    let mut counted: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &records {
        *counted
            .entry((r.profession.code.clone(), r.site.departement.code.clone()))
            .or_default() += 1;
    }
    assert_eq!(counted, expected);
    // Cross-checked with `awk -F'|' 'NR>1{print $10}' | sort | uniq -c`: 413 doctors.
    let doctors: usize = counted
        .iter()
        .filter(|((p, _), _)| p == "10")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(doctors, 413);
}

#[test]
fn filters_keep_only_the_asked_professions_and_departements() {
    let bytes = data(SAMPLE);
    let text = std::str::from_utf8(&bytes).unwrap();
    let professions = naive_column(text, "Code profession");
    let departements = naive_column(text, "Code Département (structure)");
    let cases: [(&[&str], &[&str]); 4] = [
        (&["10"], &["44"]),
        (&["10", "60"], &["85", "49"]),
        (&["21"], &[]),
        (&[], &["72"]),
    ];
    for (profs, deps) in cases {
        let as_filter =
            |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| (*s).to_owned()).collect());
        let filter = Filtre {
            professions: as_filter(profs),
            departements: as_filter(deps),
        };
        let expected = professions
            .iter()
            .zip(&departements)
            .filter(|(p, d)| {
                (profs.is_empty() || profs.contains(&p.as_str()))
                    && (deps.is_empty() || deps.contains(&d.as_str()))
            })
            .count();
        let (records, report) = read_all(&bytes, filter.clone());
        assert_eq!(records.len(), expected, "{filter:?}");
        assert!(expected > 0, "the case {filter:?} should select something");
        assert_eq!(
            report.records + report.filtered_out,
            600,
            "every line is either kept or filtered"
        );
        for r in &records {
            assert!(
                filter.accepts(&r.profession.code, &r.site.departement.code),
                "{filter:?} let through line {}",
                r.ligne
            );
        }
    }
}

#[test]
fn the_older_latin1_crlf_layout_gives_accented_names() {
    let bytes = data("ancien_52_latin1_crlf.txt");
    let mut reader = RppsReader::new(Cursor::new(&bytes)).unwrap();
    assert_eq!(reader.layout(), Layout::Legacy52);
    assert_eq!(reader.encoding(), Some(TextEncoding::Latin1));
    let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
    assert_eq!(reader.report().malformed_total, 0, "{}", reader.report());
    let prenoms: Vec<&str> = records.iter().map(|r| r.prenom.as_str()).collect();
    assert_eq!(
        prenoms,
        ["Hélène", "Géréon", "Françoise", "Lætitia", "Maëlle"]
    );
    let noms: Vec<&str> = records.iter().map(|r| r.nom.as_str()).collect();
    assert_eq!(noms, ["LEFÈVRE", "DUPRÉ", "NOËL", "L'HÔTE", "GARÇON"]);
    assert_eq!(
        records[0].site.adresse.libelle_commune,
        "ANCENIS-SAINT-GÉRÉON"
    );
    // Byte 0x8C is Œ in Windows-1252, the superset of Latin-1 the reader uses.
    assert_eq!(
        records[2].site.raison_sociale,
        "CENTRE DE SANTÉ SŒUR JEANNE"
    );
    assert_eq!(records[3].site.departement.libelle, "Vendée");
    for r in &records {
        // The 52-column layout has no fonction: left blank, not an error.
        assert!(r.site.fonction.is_empty(), "line {}", r.ligne);
        // CRLF must not leave a carriage return in any field.
        assert!(!format!("{r:?}").contains("\\r"), "line {}", r.ligne);
        assert!(appligarde_domain::luhn::is_valid_rpps(&r.rpps));
    }
}

#[test]
fn broken_lines_are_counted_with_their_numbers_and_good_lines_still_parse() {
    let bytes = data("lignes_cassees.txt");
    let (records, report) = read_all(&bytes, Filtre::default());
    let good: Vec<(u64, &str)> = records.iter().map(|r| (r.ligne, r.rpps.as_str())).collect();
    assert_eq!(
        good,
        [(2, "10000000884"), (11, "10000000991"), (13, "10000001015")],
        "lines 2, 11 (no trailing pipe) and 13 (no final newline) are good"
    );
    assert_eq!(records[1].prenom, "Noël");
    let expected = [
        (
            3,
            MalformedReason::FieldCount {
                expected: 56,
                found: 20,
            },
        ),
        (4, MalformedReason::InvalidRpps),
        (6, MalformedReason::InvalidEncoding),
        (7, MalformedReason::MissingRpps),
        (
            9,
            MalformedReason::FieldCount {
                expected: 56,
                found: 58,
            },
        ),
        (10, MalformedReason::InvalidRpps),
        (12, MalformedReason::InvalidEncoding),
    ]
    .map(|(line, reason)| MalformedLine { line, reason });
    assert_eq!(report.malformed, expected);
    assert_eq!(report.malformed_total, 7);
    assert_eq!(
        report.blank_lines, 2,
        "line 5 is empty, line 8 holds spaces"
    );
    assert_eq!(report.data_lines, 10, "12 lines after the header, 2 blank");
    assert_eq!(report.records, 3);
    let summary = report.to_string();
    assert!(
        summary.contains("7 ligne(s) mal formée(s)")
            && summary.contains("ligne 4 : numéro RPPS invalide"),
        "French summary names the lines: {summary}"
    );
}

#[test]
fn a_header_without_required_columns_is_a_clear_french_error() {
    let sample = data(SAMPLE);
    let text = std::str::from_utf8(&sample).unwrap();
    let renamed = text.replacen("|Identifiant PP|", "|Identifiant|", 1);
    let err = RppsReader::new(Cursor::new(renamed.as_bytes())).unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(&err, RppsError::MissingColumns { columns } if columns == &["Identifiant PP"]),
        "{err:?}"
    );
    assert!(
        message.contains("Identifiant PP") && message.contains("PS_LibreAcces_Personne_activite"),
        "{message}"
    );

    // A semicolon-separated export (e.g. saved again by a spreadsheet) has no usable column.
    let semicolons = text.lines().next().unwrap().replace('|', ";");
    let err = RppsReader::new(Cursor::new(semicolons.as_bytes())).unwrap_err();
    assert!(matches!(err, RppsError::MissingColumns { .. }), "{err:?}");
    assert!(err.to_string().contains("séparées par « | »"), "{err}");

    let err = RppsReader::new(Cursor::new(b"\n\n")).unwrap_err();
    assert!(matches!(err, RppsError::EmptyFile), "{err:?}");
    assert!(err.to_string().contains("vide"), "{err}");
}

#[test]
fn columns_are_found_by_name_whatever_their_order() {
    let sample = data(SAMPLE);
    let text = std::str::from_utf8(&sample).unwrap();
    // Reverse the fields of every line (the header included): same records expected.
    let reversed: String = text
        .lines()
        .map(|l| {
            let mut fields: Vec<&str> = l.trim_end_matches('|').split('|').collect();
            fields.reverse();
            format!("{}|\n", fields.join("|"))
        })
        .collect();
    let (original, _) = read_all(&sample, Filtre::default());
    let (permuted, report) = read_all(reversed.as_bytes(), Filtre::default());
    assert_eq!(report.malformed_total, 0, "{report}");
    assert_eq!(permuted, original);
}

#[test]
fn a_bom_and_crlf_endings_change_nothing() {
    let sample = data(SAMPLE);
    let text = std::str::from_utf8(&sample).unwrap();
    let mut variant = b"\xEF\xBB\xBF".to_vec();
    variant.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    let (original, _) = read_all(&sample, Filtre::default());
    let (with_bom, report) = read_all(&variant, Filtre::default());
    assert_eq!(report.malformed_total, 0, "{report}");
    assert_eq!(with_bom, original);
}

#[test]
fn bytes_read_grows_up_to_the_file_size() {
    let path = format!("{DATA}{SAMPLE}");
    let size = std::fs::metadata(&path).unwrap().len();
    let mut reader = RppsReader::open(&path, Filtre::default()).unwrap();
    assert_eq!(reader.total_bytes(), Some(size));
    let header_bytes = reader.bytes_read();
    assert!(header_bytes > 0 && header_bytes < size, "header only read");
    let mut last = header_bytes;
    while let Some(r) = reader.next() {
        r.unwrap();
        assert!(reader.bytes_read() > last, "progress moves at every record");
        last = reader.bytes_read();
    }
    assert_eq!(last, size, "100 % at the end");
}

#[test]
fn a_missing_file_is_a_french_error_naming_it() {
    let err = RppsReader::open("/nonexistent/rpps.txt", Filtre::default()).unwrap_err();
    assert!(matches!(err, RppsError::Open { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("Impossible d'ouvrir le fichier RPPS « /nonexistent/rpps.txt »"),
        "{err}"
    );
}

/// Gives the header, then fails.
struct FailingAfterHeader {
    inner: Cursor<Vec<u8>>,
}

impl Read for FailingAfterHeader {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        unreachable!("read through BufRead")
    }
}

impl BufRead for FailingAfterHeader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.inner.position() as usize >= self.inner.get_ref().len() {
            return Err(io::Error::other("clé USB retirée"));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.inner.consume(n);
    }
}

#[test]
fn a_read_error_is_yielded_once_then_the_iteration_ends() {
    let sample = data(SAMPLE);
    let header_end = sample.iter().position(|&b| b == b'\n').unwrap() + 1;
    let source = FailingAfterHeader {
        inner: Cursor::new(sample[..header_end].to_vec()),
    };
    let mut reader = RppsReader::new(source).unwrap();
    let err = reader.next().unwrap().unwrap_err();
    assert!(matches!(err, RppsError::Read(_)), "{err:?}");
    assert!(err.to_string().contains("Relancez l'import"), "{err}");
    assert!(reader.next().is_none(), "no retry loop on a failing source");
}

#[test]
fn tiny_read_buffers_give_the_same_result() {
    // Chunk boundaries then fall inside the BOM, CRLF pairs, UTF-8 sequences and fields: the
    // line assembly must not depend on them (the fuzz target checks the same on random input).
    let sample = data(SAMPLE);
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&sample[..20_000]);
    let mut inputs: Vec<(&str, Vec<u8>)> = [
        "ancien_52_latin1_crlf.txt",
        "lignes_cassees.txt",
        "deux_activites.txt",
    ]
    .map(|name| (name, data(name)))
    .into();
    inputs.push(("sample with BOM", with_bom));
    for (name, input) in &inputs {
        let (expected, expected_report) = read_all(input, Filtre::default());
        assert!(!expected.is_empty(), "{name} has records to compare");
        for capacity in [1, 2, 3, 7, 64] {
            let source = io::BufReader::with_capacity(capacity, Cursor::new(input));
            let mut reader = RppsReader::new(source).unwrap();
            let records: Vec<ActiviteRpps> = reader.by_ref().map(Result::unwrap).collect();
            assert_eq!(records, expected, "{name}, buffer of {capacity}");
            assert_eq!(
                reader.report(),
                &expected_report,
                "{name}, buffer of {capacity}"
            );
        }
    }
}

#[test]
fn fingerprints_and_site_keys_keep_the_values_stores_have_saved() {
    // Stores keep these hashes from one import to the next: a change in how lines are read must
    // not move them, or every practitioner would look changed. Both ways of reading agree.
    let mut owned = (0u64, 0u64);
    let mut borrowed = (0u64, 0u64);
    for name in [SAMPLE, "ancien_52_latin1_crlf.txt"] {
        let bytes = data(name);
        for a in RppsReader::new(Cursor::new(&bytes)).unwrap() {
            let a = a.unwrap();
            owned.0 = owned
                .0
                .wrapping_add(appligarde_rpps::activity_fingerprint(&a));
            owned.1 = owned.1.wrapping_add(appligarde_rpps::site_key(&a.site));
        }
        let mut reader = RppsReader::new(Cursor::new(&bytes)).unwrap();
        while let Some(a) = reader.next_borrowed() {
            let a = a.unwrap();
            borrowed.0 = borrowed
                .0
                .wrapping_add(appligarde_rpps::activity_fingerprint(&a));
            borrowed.1 = borrowed.1.wrapping_add(appligarde_rpps::site_key(&a.site));
        }
    }
    // Computed by the reader as it was when these hashes were first stored (version 1).
    assert_eq!(
        owned,
        (5_364_468_718_958_706_632, 3_552_909_474_732_407_187)
    );
    assert_eq!(owned, borrowed);
}
