//! Text folding of the annuaire, for the index and the queries alike: the program's one folding
//! ([`appligarde_domain::texte`]), and the compact form of the name keys and codes.

use appligarde_domain::texte::fold_char;

/// Folds text for the search index and for queries: lower case, accents removed (`é` → `e`,
/// `œ` → `oe`), every character that is neither a letter nor a digit turned into a space.
pub use appligarde_domain::texte::fold;
// `fold`, appended to `out`.
pub(super) use appligarde_domain::texte::fold_into;

/// [`fold`] without the spaces: `LE GOFF` → `legoff`, `D'ARTAGNAN` → `dartagnan`. The annuaire's
/// own layer: a name key or a code is one word.
pub fn fold_compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_compact_into(text, &mut out);
    out
}

/// [`fold_compact`], appended to `out`.
pub(super) fn fold_compact_into(text: &str, out: &mut String) {
    for c in text.chars() {
        fold_char(c, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_accents_and_punctuation() {
        // (input, folded): what the index stores and what a query is compared with.
        let cases = [
            ("Hélène", "helene"),
            ("ANCENIS-SAINT-GÉRÉON", "ancenis saint gereon"),
            ("D'ARTAGNAN", "d artagnan"),
            ("Œuvre Cœur", "oeuvre coeur"),
            ("Médecine générale", "medecine generale"),
            ("  44  ", "  44  "),
            ("Çà et là", "ca et la"),
        ];
        for (input, folded) in cases {
            assert_eq!(fold(input), folded, "fold({input:?})");
        }
        assert_eq!(fold_compact("LE GOFF"), "legoff");
        assert_eq!(fold_compact("D'Artagnan"), "dartagnan");
    }
}
