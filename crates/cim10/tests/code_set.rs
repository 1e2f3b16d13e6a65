//! The code set: reading the ATIH and CSV files, lookups, and the search rules that are not a
//! matter of recall (usage, categories, external causes, withdrawn codes, highlighting).
#![allow(clippy::unwrap_used)]

use appligarde_cim10::{Cim10Error, CodeSet, SearchContext, parse_atih_multi, parse_csv};

/// A small `LIBCIM10MULTI.TXT` as ATIH ships it: Windows-1252, codes space-padded, CRLF.
fn atih_sample() -> Vec<u8> {
    let lines: [&[u8]; 8] = [
        b"J00     |0|NOOO|0|RHINOPHARYNGITE|Rhinopharyngite (aigu\xEB) [rhume banal]",
        b"J06     |3|NNNN|3|INFECT. AIG. DES VOIES RESP. SUP.|Infections aigu\xEBs des voies respiratoires sup\xE9rieures, \xE0 localisations multiples et non pr\xE9cis\xE9es",
        b"J060    |0|NOOO|0|LARYNGO-PHARYNGITE AIG.|Laryngo-pharyngite aigu\xEB",
        b"J069    |0|NOOO|0|INFECT. DES VOIES RESP. SUP., SAI|Infection des voies respiratoires sup\xE9rieures, sans pr\xE9cision",
        b"R51     |0|NONO|0|CEPHALEE|C\xE9phal\xE9e",
        b"A90     |3|NNNN|3|*** SU17 *** DENGUE|*** SU17 *** Dengue [dengue classique]",
        b"W19     |2|NNNN|5|CHUTE, SAI|Chute, sans pr\xE9cision",
        b"R53+1   |0|NOOO|0|MALAISE|Malaise",
    ];
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[test]
fn the_atih_file_is_read_with_its_accents_types_and_chapters() {
    let set = parse_atih_multi(&atih_sample(), "CIM-10 FR test").unwrap();
    assert_eq!(set.len(), 8);
    assert_eq!(
        set.version(),
        "CIM-10 FR test",
        "the version is the caller's"
    );
    let r51 = set.get("R51").unwrap();
    assert_eq!(r51.label(), "Céphalée", "0xE9 is é in Windows-1252");
    assert_eq!(r51.short_label(), "CEPHALEE");
    assert_eq!(r51.ssr_type(), "NONO");
    let j069 = set.get("j06.9").unwrap();
    assert_eq!(j069.raw_code(), "J069", "the space padding is gone");
    assert_eq!(j069.display_code(), "J06.9");
    assert_eq!(j069.category(), "J06");
    // Chapter and block come from the embedded table, by code range.
    assert_eq!(j069.chapter().unwrap().range(), "J00-J99");
    assert_eq!(j069.block().unwrap().range(), "J00-J06");
    assert_eq!(
        set.get("W19").unwrap().chapter().unwrap().range(),
        "V01-Y98"
    );
    // A "+" extension code keeps its form.
    assert_eq!(set.get("R53.+1").unwrap().display_code(), "R53.+1");
    assert_eq!(
        set.sub_codes("J06").len(),
        2,
        "J06.0 and J06.9 are sub-codes of J06"
    );
}

#[test]
fn an_atih_file_already_converted_to_utf8_is_read_too() {
    let utf8 = "R51     |0|NONO|0|CEPHALEE|Céphalée\n".as_bytes();
    let set = parse_atih_multi(utf8, "v").unwrap();
    assert_eq!(set.get("R51").unwrap().label(), "Céphalée");
}

#[test]
fn malformed_atih_lines_are_reported_in_french_with_their_line_number() {
    // Each case: (line 2 of the file, a word the message must hold). Never a panic.
    let cases: [(&[u8], &str); 5] = [
        (b"J00|0|NOOO|0|RHINO", "6 colonnes"),
        (b"123     |0|NOOO|0|X|Y", "code"),
        (b"J01     |7|NOOO|0|X|Y", "type MCO"),
        (b"J01     |0|NOOO|x|X|Y", "type PSY"),
        (b"J01     |0|NOOO|0||", "libell"),
    ];
    for (bad, needle) in cases {
        let mut file = b"R51     |0|NONO|0|CEPHALEE|C\xE9phal\xE9e\r\n".to_vec();
        file.extend_from_slice(bad);
        let err = parse_atih_multi(&file, "v").unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, Cim10Error::InvalidLine { line: 2, .. }),
            "{msg}"
        );
        assert!(msg.contains("ligne 2"), "{msg}");
        assert!(msg.contains(needle), "{needle:?} not in {msg}");
    }
}

#[test]
fn duplicate_and_empty_files_are_refused() {
    let dup = b"R51     |0|NONO|0|A|A\nR51     |0|NONO|0|B|B\n";
    let err = parse_atih_multi(dup, "v").unwrap_err();
    assert_eq!(
        err,
        Cim10Error::DuplicateCode {
            code: "R51".into(),
            first: 1,
            second: 2
        }
    );
    assert_eq!(
        parse_atih_multi(b"\r\n\r\n", "v").unwrap_err(),
        Cim10Error::Empty
    );
}

#[test]
fn the_csv_form_is_read_with_its_own_chapter_columns() {
    let csv = "code;type_mco_had;type_ssr;type_psy;libelle_court;libelle_long;categorie;chapitre;libelle_chapitre;bloc;libelle_bloc\n\
               R51;0;NONO;0;CEPHALEE;Céphalée;R51;[R00-R99];Symptômes;[R50-R69];Symptômes généraux\n\
               J00;0;NOOO;0;RHINO;\"Rhinopharyngite; aiguë\";J00;[J00-J99];Respiratoire;[J00-J06];Voies supérieures\n";
    let set = parse_csv(csv.as_bytes(), "csv").unwrap();
    assert_eq!(set.len(), 2);
    assert_eq!(
        set.get("J00").unwrap().label(),
        "Rhinopharyngite; aiguë",
        "quoted ; kept"
    );
    assert_eq!(
        set.get("R51").unwrap().block().unwrap().label,
        "Symptômes généraux"
    );
    let missing = parse_csv(b"code;libelle_long\nR51;x\n", "v").unwrap_err();
    assert!(matches!(missing, Cim10Error::CsvHeader { .. }), "{missing}");
    let short = parse_csv(b"code;type_mco_had;libelle_long\nR51;0\n", "v").unwrap_err();
    assert!(short.to_string().contains("ligne 2"), "{short}");
}

#[test]
fn the_embedded_set_is_the_2021_nomenclature_and_round_trips() {
    let set = CodeSet::embedded().unwrap();
    assert_eq!(set.len(), 42_880, "the 2021 file has 42,880 codes");
    // External causes are the chapter V01–Y98 (27,097 codes, 26,536 of them of MCO type 2).
    let external = set.codes().filter(|c| c.is_external_cause()).count();
    let in_chapter = set
        .codes()
        .filter(|c| c.chapter().is_some_and(|ch| ch.range() == "V01-Y98"))
        .count();
    assert_eq!(
        external, in_chapter,
        "external causes are exactly chapter V01-Y98"
    );
    assert_eq!(external, 27_097);
    assert!(
        set.codes()
            .all(|c| c.chapter().is_some() && c.block().is_some())
    );
    let back = CodeSet::from_compact(&set.to_compact()).unwrap();
    assert_eq!(back.len(), set.len());
    assert!(
        set.codes()
            .zip(back.codes())
            .all(|(a, b)| a.label() == b.label())
    );
}

#[test]
fn withdrawn_codes_are_found_by_code_but_never_proposed() {
    let set = parse_atih_multi(&atih_sample(), "v").unwrap();
    let dengue = set.get("A90").unwrap();
    assert!(dengue.supprime(), "*** SU17 *** marks a withdrawn code");
    assert!(!set.is_valid_for_main_diagnosis("A90"));
    let ctx = SearchContext::new();
    for query in ["dengue", "A90", "a90"] {
        let hits = set.search(query, &ctx, 10);
        assert!(
            hits.iter().all(|h| h.raw_code != "A90"),
            "{query}: {hits:?}"
        );
    }
    // The same holds on the real set.
    let real = CodeSet::embedded().unwrap();
    assert!(
        real.get("I84").unwrap().supprime(),
        "I84 hemorrhoids moved to K64 (SU14)"
    );
    assert!(
        real.search("hémorroïdes", &ctx, 20)
            .iter()
            .all(|h| h.category != "I84")
    );
}

#[test]
fn main_diagnosis_validity_follows_the_mco_type() {
    let set = CodeSet::embedded().unwrap();
    // (code, allowed as main diagnosis): 0 yes; 3 category; 2 external cause; 1 not as DP.
    let cases = [
        ("J06.9", true),
        ("J06", false),
        ("W19", false),
        ("T14.0", false),
        ("Z99.99", false), // unknown code
    ];
    for (code, ok) in cases {
        assert_eq!(set.is_valid_for_main_diagnosis(code), ok, "{code}");
    }
}

#[test]
fn usage_of_the_mmg_ranks_its_codes_first() {
    let set = CodeSet::embedded().unwrap();
    let plain = set.search("otite", &SearchContext::new(), 5);
    assert_ne!(plain[0].code, "H65.9", "without usage H65.9 is not first");
    let ctx = SearchContext::with_usage([("h65.9", 12)]);
    let hits = set.search("otite", &ctx, 5);
    assert_eq!(
        hits[0].code, "H65.9",
        "the MMG's most used matching code comes first"
    );
    assert_eq!(hits[0].usage, 12);
    // An empty query proposes the most used codes.
    let ctx = SearchContext::with_usage([("J00", 3), ("R50.9", 9)]);
    let codes: Vec<String> = set
        .search("  ", &ctx, 5)
        .into_iter()
        .map(|h| h.code)
        .collect();
    assert_eq!(codes, vec!["R50.9", "J00"]);
}

#[test]
fn a_category_brings_its_precise_code() {
    let set = CodeSet::embedded().unwrap();
    let hits = set.search("J06", &SearchContext::new(), 5);
    assert_eq!(hits[0].code, "J06", "the typed code first");
    assert_eq!(hits[1].code, "J06.9", "then its 'sans précision' sub-code");
    assert_eq!(hits[1].from_category.as_deref(), Some("J06"));
    // With usage, the MMG's most used sub-code is proposed instead.
    let ctx = SearchContext::with_usage([("J06.0", 4)]);
    let hits = set.search("J06", &ctx, 5);
    assert_eq!(hits[1].code, "J06.0");
}

#[test]
fn external_causes_do_not_crowd_out_clinical_codes() {
    let set = CodeSet::embedded().unwrap();
    let ctx = SearchContext::new();
    for query in ["chute", "plaie", "brûlure", "morsure"] {
        let hits = set.search(query, &ctx, 5);
        assert!(
            !hits[0].code.starts_with(['V', 'W', 'X', 'Y']),
            "{query}: {hits:?}"
        );
    }
    // ... but a code query reaches them.
    assert_eq!(set.search("w19", &ctx, 5)[0].code, "W19");
}

#[test]
fn matches_are_byte_ranges_of_the_label() {
    let set = CodeSet::embedded().unwrap();
    let hits = set.search("gastro entérite", &SearchContext::new(), 5);
    let hit = hits.iter().find(|h| h.code == "K52.9").unwrap();
    let marked: Vec<&str> = hit.matches.iter().map(|&(a, b)| &hit.label[a..b]).collect();
    assert_eq!(
        marked,
        vec!["Gastro-entérite"],
        "the whole compound is highlighted"
    );
    let hit = &set.search("otite moy", &SearchContext::new(), 1)[0];
    let marked: Vec<&str> = hit.matches.iter().map(|&(a, b)| &hit.label[a..b]).collect();
    assert_eq!(marked, vec!["Otite", "moyenne"]);
}

#[test]
fn odd_queries_never_panic_and_stay_bounded() {
    let set = CodeSet::embedded().unwrap();
    let ctx = SearchContext::new();
    let long = "otite ".repeat(200);
    for query in [
        "",
        "  ",
        "é",
        "*** SU",
        "+",
        ".",
        "'",
        "z99.99.99",
        "0",
        &long,
        "ééééé",
        "a b c d e f g h i j k l m n o p q r s",
    ] {
        let hits = set.search(query, &ctx, 5);
        assert!(hits.len() <= 5, "{query:?}");
    }
    assert!(set.search("otite", &ctx, 0).is_empty());
}

#[test]
fn a_code_set_can_be_shared_between_threads() {
    // The desktop keeps one set in its state and searches from several commands at once.
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CodeSet>();
    let set = CodeSet::embedded().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| std::thread::spawn(move || set.search("otite moy", &SearchContext::new(), 5)))
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap()[0].code, "H66.9");
    }
}

#[test]
fn an_mmg_can_extend_the_synonym_table() {
    let mut set = parse_atih_multi(&atih_sample(), "v").unwrap();
    assert!(set.search("bobo tete", &SearchContext::new(), 5).is_empty());
    let mut table = appligarde_cim10::Synonyms::embedded().unwrap();
    table.extend(appligarde_cim10::Synonyms::parse("bobo tête\tR51\n").unwrap());
    set.set_synonyms(&table);
    let hits = set.search("bobo tete", &SearchContext::new(), 5);
    assert_eq!(hits[0].code, "R51");
    assert_eq!(hits[0].synonym.as_deref(), Some("bobo tête"));
    // Codes of the table that this small set lacks are listed, not fatal.
    assert!(set.unknown_synonym_codes().iter().any(|c| c == "H66.0"));
}
