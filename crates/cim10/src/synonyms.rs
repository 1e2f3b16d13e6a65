//! The table of what GPs type that the labels do not say (`OMA`, `GEA`, `rage de dent`...).
//!
//! It is data, not code: `data/synonymes.tsv`, one line per synonym, `expression<TAB>expansion`,
//! where the expansion is either CIM-10 codes (`H66.0 H66.9`, best first) or words that must all be
//! found in a label (`otite moyenne aiguë`). See the header of that file to extend it.

use crate::Cim10Error;
use crate::normalize::{fold, is_stopword, stem};
use crate::source::normalize_code;

/// The synonym table embedded in the program.
pub(crate) const EMBEDDED_SYNONYMS: &str = include_str!("../data/synonymes.tsv");

/// What a synonym stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// Codes (raw form, e.g. `H660`), best first.
    Codes(Vec<String>),
    /// Words (folded and stemmed) that must all be found in a label, each as a word or a prefix.
    Words(Vec<String>),
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    /// The expression as written in the table (e.g. `mal de tête`).
    pub expression: String,
    /// Its meaningful words, folded and stemmed (e.g. `["mal", "tete"]`).
    pub key: Vec<String>,
    /// What it stands for.
    pub expansion: Expansion,
}

/// A parsed synonym table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    entries: Vec<Synonym>,
}

/// Folds, drops stopwords and stems: the form in which keys and query words meet.
pub(crate) fn key_words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .filter(|w| !is_stopword(w))
        .map(|w| {
            let mut s = w.to_string();
            stem(&mut s);
            s
        })
        .collect()
}

/// Whether a word of an expansion is a code (`J06.9`, `i10`) rather than a word.
fn as_code(word: &str) -> Option<String> {
    let code = normalize_code(word)?;
    let b = code.as_bytes();
    (b.len() >= 3 && b[1].is_ascii_digit() && b[2].is_ascii_digit()).then_some(code)
}

impl Synonyms {
    /// Parses a table: `expression<TAB>expansion` per line, `#` starts a comment line.
    pub fn parse(text: &str) -> Result<Synonyms, Cim10Error> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let err = |reason: &str| Cim10Error::Synonym {
                line: line_no,
                reason: reason.to_string(),
            };
            let Some((expr, exp)) = line.split_once('\t') else {
                return Err(err(
                    "une tabulation doit séparer l'expression de son équivalent (codes ou mots)",
                ));
            };
            let key = key_words(expr);
            if key.is_empty() {
                return Err(err("l'expression ne contient aucun mot utile"));
            }
            let items: Vec<&str> = exp
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() {
                return Err(err("l'équivalent est vide"));
            }
            let codes: Vec<Option<String>> = items.iter().map(|w| as_code(w)).collect();
            let expansion = if codes.iter().all(Option::is_some) {
                Expansion::Codes(codes.into_iter().flatten().collect())
            } else if codes.iter().any(Option::is_some) {
                return Err(err(
                    "l'équivalent mélange des codes et des mots : mettez-les sur deux lignes",
                ));
            } else {
                let words = key_words(exp);
                if words.is_empty() {
                    return Err(err("l'équivalent ne contient aucun mot utile"));
                }
                Expansion::Words(words)
            };
            entries.push(Synonym {
                expression: expr.trim().to_string(),
                key,
                expansion,
            });
        }
        Ok(Synonyms { entries })
    }

    /// The table shipped with the program (`data/synonymes.tsv`).
    pub fn embedded() -> Result<Synonyms, Cim10Error> {
        Synonyms::parse(EMBEDDED_SYNONYMS)
    }

    /// Adds the lines of `other` (e.g. an MMG's own table) after these.
    pub fn extend(&mut self, other: Synonyms) {
        self.entries.extend(other.entries);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Synonym> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_code_or_word_expansions() {
        let table = "# comment\noma\tH66.0 H66.9\nmal de tête\tcéphalée\n\n";
        let syn = Synonyms::parse(table).expect("valid table");
        let entries: Vec<&Synonym> = syn.iter().collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key, vec!["oma"]);
        assert_eq!(
            entries[0].expansion,
            Expansion::Codes(vec!["H660".into(), "H669".into()])
        );
        assert_eq!(entries[1].key, vec!["mal", "tete"], "stopword 'de' dropped");
        assert_eq!(
            entries[1].expansion,
            Expansion::Words(vec!["cephalee".into()])
        );
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        // Each case: a table with one bad line (at line 2) and a word the French message must hold.
        let cases = [
            ("ok\tJ00\nsans tabulation", "tabulation"),
            ("ok\tJ00\nde\tJ00", "aucun mot"),
            ("ok\tJ00\noma\tH66.0 otite", "mélange"),
            ("ok\tJ00\noma\t  ", "vide"),
        ];
        for (table, needle) in cases {
            let err = Synonyms::parse(table).expect_err(table);
            let msg = err.to_string();
            assert!(msg.contains("ligne 2"), "{msg}");
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn the_embedded_table_parses_and_is_large_enough() {
        // The issue asks for 150+ entries covering the common garde diagnoses.
        let syn = Synonyms::embedded().expect("embedded table parses");
        assert!(syn.len() >= 150, "only {} synonyms", syn.len());
    }
}
