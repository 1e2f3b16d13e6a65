//! The embedded synonym table must stay consistent with the embedded code set.
#![allow(clippy::unwrap_used)]

use appligarde_cim10::{CodeSet, Expansion, Synonyms};

#[test]
fn every_code_of_the_synonym_table_exists_and_is_not_withdrawn() {
    // A synonym that points to a missing or withdrawn code would silently never help.
    let set = CodeSet::embedded().unwrap();
    assert!(
        set.unknown_synonym_codes().is_empty(),
        "unknown or withdrawn codes in data/synonymes.tsv: {:?}",
        set.unknown_synonym_codes()
    );
}

#[test]
fn every_word_expansion_finds_at_least_one_code() {
    // A word expansion that matches no label is a typo in the table.
    let set = CodeSet::embedded().unwrap();
    let table = Synonyms::embedded().unwrap();
    for s in table.iter() {
        if let Expansion::Words(words) = &s.expansion {
            let hits = set.search(&words.join(" "), &Default::default(), 1);
            assert!(
                !hits.is_empty(),
                "« {} » → {:?} finds nothing",
                s.expression,
                words
            );
        }
    }
}

#[test]
fn the_table_covers_the_common_garde_fields() {
    // The issue asks for 150+ entries; spot-check that each field of garde medicine is present.
    let table = Synonyms::embedded().unwrap();
    assert!(table.len() >= 150, "{} entries", table.len());
    let keys: Vec<String> = table.iter().map(|s| s.key.join(" ")).collect();
    for needed in [
        "oma",
        "gea",
        "hta",
        "iu",
        "angine",
        "mal tete",
        "rage dent",
        "rhino",
        "bronchio",
        "lumbago",
    ] {
        assert!(keys.iter().any(|k| k == needed), "missing synonym {needed}");
    }
}
