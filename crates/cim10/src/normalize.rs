//! Text folding shared by the index and the queries.
//!
//! Both sides go through the same steps, so a label and a query meet whatever the case, the accents,
//! the hyphens or the plural: fold each character to lower-case ASCII (`é` → `e`, `œ` → `oe`), cut
//! at anything that is not a letter or a digit, then strip a final plural mark ([`stem`]).

/// Words that carry no meaning for a search. They are not indexed, and a query word that is one of
/// them is optional (unless it is the word being typed, which may still become `dent` from `de`).
pub(crate) fn is_stopword(folded: &str) -> bool {
    matches!(
        folded,
        "a" | "au"
            | "aux"
            | "avec"
            | "ce"
            | "ces"
            | "chez"
            | "d"
            | "dans"
            | "de"
            | "des"
            | "du"
            | "en"
            | "et"
            | "l"
            | "la"
            | "le"
            | "les"
            | "ou"
            | "par"
            | "pour"
            | "sa"
            | "se"
            | "ses"
            | "son"
            | "sur"
            | "un"
            | "une"
            | "y"
    )
}

/// Label words (stemmed: `sans` → `san`) that do not make a label more specific: a label is not
/// penalised for them when we prefer the shortest label that covers the query.
pub(crate) fn is_filler(stemmed: &str) -> bool {
    matches!(
        stemmed,
        "san"
            | "precision"
            | "precise"
            | "precisee"
            | "autre"
            | "non"
            | "ailleur"
            | "classe"
            | "classee"
    )
}

// The character folding is the program's one table (`appligarde_domain::texte`); what this file
// adds on top (stopwords, filler words, plural stemming, sound keys) is CIM-10 label matching only.
pub(crate) use appligarde_domain::texte::{fold, fold_char};

/// Strips a final plural mark so that `otites`, `genoux` and `généraux` meet `otite`, `genou` and
/// `général`. Applied alike to labels and queries, so a rare wrong cut does no harm.
pub(crate) fn stem(word: &mut String) {
    let len = word.len();
    if len > 4 && word.ends_with("aux") {
        word.truncate(len - 3);
        word.push_str("al");
    } else if len > 3 && (word.ends_with('s') || word.ends_with('x')) {
        word.truncate(len - 1);
    }
}

/// A rough French sound key of a folded word, so that spelling by ear still meets the label:
/// `ph`→`f`, `th`→`t`, `rh`→`r`, `y`→`i`, `qu`/`ck`→`k`, doubled letters once
/// (`cefalee` = `céphalée`, `pielonefrite` = `pyélonéphrite`).
pub(crate) fn phonetic(word: &str) -> String {
    let b = word.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let (c, next) = (b[i], b.get(i + 1).copied());
        let (sound, used) = match (c, next) {
            (b'p', Some(b'h')) => (b'f', 2),
            (b't' | b'r', Some(b'h')) => (c, 2),
            (b'q', Some(b'u')) | (b'c', Some(b'k')) => (b'k', 2),
            (b'y', _) => (b'i', 1),
            _ => (c, 1),
        };
        if out.last() != Some(&sound) || sound.is_ascii_digit() {
            out.push(sound);
        }
        i += used;
    }
    String::from_utf8(out).unwrap_or_else(|_| word.to_string())
}

/// One word of a text, as the tokenizer hands it out.
pub(crate) struct Token<'a> {
    /// Folded form (lower-case ASCII), not stemmed.
    pub folded: &'a str,
    /// Byte range of the word in the original text.
    pub start: usize,
    pub end: usize,
    /// The word follows the previous one with a single hyphen in between (`gastro-entérite`).
    pub hyphen_joined: bool,
}

/// Calls `f` on every word of `text`, in order.
pub(crate) fn tokenize(text: &str, mut f: impl FnMut(Token<'_>)) {
    let mut buf = String::with_capacity(32);
    let mut start = 0;
    let mut end = 0;
    let mut in_word = false;
    let mut had_word = false;
    // Separator seen since the last word: 0 none, 1 exactly one hyphen, 2 anything else.
    let mut sep = 0u8;
    let mut joined = false;
    for (i, c) in text.char_indices() {
        if fold_char(c, &mut buf) {
            if !in_word {
                in_word = true;
                start = i;
                joined = had_word && sep == 1;
            }
            end = i + c.len_utf8();
        } else {
            if in_word {
                f(Token {
                    folded: &buf,
                    start,
                    end,
                    hyphen_joined: joined,
                });
                buf.clear();
                in_word = false;
                had_word = true;
                sep = 0;
            }
            sep = if sep == 0 && c == '-' { 1 } else { 2 };
        }
    }
    if in_word {
        f(Token {
            folded: &buf,
            start,
            end,
            hyphen_joined: joined,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        tokenize(text, |t| {
            let mut w = t.folded.to_string();
            stem(&mut w);
            out.push((w, t.hyphen_joined));
        });
        out
    }

    #[test]
    fn folding_removes_case_accents_and_plurals() {
        // Each case: (text, expected stemmed words) — the same word must come out whatever its spelling.
        let cases: &[(&str, &[&str])] = &[
            ("Gastro-Entérites", &["gastro", "enterite"]),
            ("ŒDÈME aigu", &["oedeme", "aigu"]),
            ("Lésions des genoux", &["lesion", "des", "genou"]),
            ("troubles généraux", &["trouble", "general"]),
            ("d'origine", &["d", "origine"]),
            ("J06.9", &["j06", "9"]),
        ];
        for (text, expected) in cases {
            let got: Vec<String> = words(text).into_iter().map(|(w, _)| w).collect();
            assert_eq!(&got, expected, "folding of {text:?}");
        }
    }

    #[test]
    fn spelling_by_ear_gives_the_same_sound_key() {
        // Each pair is a real misspelling and the label word it means.
        let pairs = [
            ("cefalee", "cephalee"),
            ("pielonefrite", "pyelonephrite"),
            ("rinofaringite", "rhinopharyngite"),
            ("otitte", "otite"),
        ];
        for (typed, label) in pairs {
            assert_eq!(phonetic(typed), phonetic(label), "{typed} / {label}");
        }
        assert_ne!(
            phonetic("otite"),
            phonetic("orite"),
            "different sounds stay different"
        );
    }

    #[test]
    fn hyphen_joins_are_detected_only_for_a_single_hyphen() {
        // "gastro-entérite" is one concept written in two parts; "otite - aiguë" is not a compound.
        let got = words("gastro-entérite otite - aiguë");
        let flags: Vec<bool> = got.iter().map(|(_, j)| *j).collect();
        assert_eq!(flags, vec![false, true, false, false]);
    }

    #[test]
    fn token_ranges_point_into_the_original_text() {
        // Highlighting relies on byte ranges of the original (accented) text.
        let text = "Céphalée aiguë";
        let mut ranges = Vec::new();
        tokenize(text, |t| ranges.push(&text[t.start..t.end]));
        assert_eq!(ranges, vec!["Céphalée", "aiguë"]);
    }
}
