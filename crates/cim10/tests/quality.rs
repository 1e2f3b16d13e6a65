//! Search quality over `tests/queries.tsv`: recall@1 and recall@5, per kind of query.
//!
//! Run with `-- --nocapture` to see the figures and every miss.
#![allow(clippy::unwrap_used)]

use appligarde_cim10::{CodeSet, SearchContext, display_code};

struct Case {
    query: String,
    expected: Vec<String>,
    kind: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("queries.tsv");
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(n, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                cols.len(),
                3,
                "queries.tsv line {}: query<TAB>codes<TAB>kind",
                n + 1
            );
            let expected: Vec<String> = cols[1]
                .split_whitespace()
                .map(|c| display_code(&c.to_uppercase().replace('.', "")))
                .collect();
            assert!(!expected.is_empty(), "queries.tsv line {}: no code", n + 1);
            Case {
                query: cols[0].to_string(),
                expected,
                kind: cols[2].trim().to_string(),
            }
        })
        .collect()
}

#[test]
fn the_expected_codes_exist_and_are_not_withdrawn() {
    // An expectation on a code that cannot be proposed would be a broken test line.
    let set = CodeSet::embedded().unwrap();
    for case in cases() {
        for code in &case.expected {
            let c = set.get(code);
            assert!(
                c.is_some_and(|c| !c.supprime()),
                "{:?}: {code} is not a live code",
                case.query
            );
        }
    }
}

#[test]
fn recall_on_the_query_file() {
    let set = CodeSet::embedded().unwrap();
    let ctx = SearchContext::new();
    let cases = cases();
    assert!(
        cases.len() >= 120,
        "the issue asks for at least 120 queries"
    );
    let mut at1 = 0;
    let mut at5 = 0;
    let mut by_kind: std::collections::BTreeMap<&str, (usize, usize, usize)> = Default::default();
    let mut misses = Vec::new();
    let mut code_failures = Vec::new();
    for case in &cases {
        let hits = set.search(&case.query, &ctx, 5);
        let codes: Vec<&str> = hits.iter().map(|h| h.code.as_str()).collect();
        let rank = codes
            .iter()
            .position(|c| case.expected.iter().any(|e| e == c));
        let entry = by_kind.entry(case.kind.as_str()).or_default();
        entry.0 += 1;
        if rank == Some(0) {
            at1 += 1;
            entry.1 += 1;
        }
        if rank.is_some() {
            at5 += 1;
            entry.2 += 1;
        } else {
            misses.push(format!(
                "  {:<28} attendu {:?}, obtenu {:?}",
                case.query, case.expected, codes
            ));
        }
        if case.kind == "code" && codes.first() != Some(&case.expected[0].as_str()) {
            code_failures.push(format!("{} -> {:?}", case.query, codes.first()));
        }
    }
    let n = cases.len() as f64;
    let (r1, r5) = (at1 as f64 / n, at5 as f64 / n);
    println!(
        "queries: {}  recall@1 = {:.3}  recall@5 = {:.3}",
        cases.len(),
        r1,
        r5
    );
    for (kind, (total, k1, k5)) in &by_kind {
        println!("  {kind:<9} {total:>3} queries  @1 {k1:>3}  @5 {k5:>3}");
    }
    if !misses.is_empty() {
        println!("missed in the top 5:\n{}", misses.join("\n"));
    }
    assert!(
        code_failures.is_empty(),
        "a code typed in any form must come first: {code_failures:?}"
    );
    assert!(r5 >= 0.95, "recall@5 {r5:.3} < 0.95");
}
