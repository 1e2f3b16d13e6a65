//! One-typo matching (Damerau: one substitution, insertion, deletion or swap of two neighbours).
//!
//! The vocabulary of the labels is small (about 6,600 words), so a scan with these O(n) checks is
//! cheaper than any automaton and needs no index of its own.

// Plain loops rather than slice comparisons: the slices are a few bytes long, and a library
// `memcmp` call per test costs more than the test (the whole vocabulary is scanned).

#[inline]
fn lcp(a: &[u8], b: &[u8]) -> usize {
    let mut i = 0;
    while i < a.len() && i < b.len() && a[i] == b[i] {
        i += 1;
    }
    i
}

#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && lcp(a, b) == a.len()
}

#[inline]
fn starts(word: &[u8], prefix: &[u8]) -> bool {
    word.len() >= prefix.len() && lcp(word, prefix) == prefix.len()
}

#[inline]
fn tail(s: &[u8], from: usize) -> &[u8] {
    s.get(from..).unwrap_or(&[])
}

/// A quick necessary condition for `within_one(q, w)` and `prefix_within_one(q, w)` when `q` has
/// 5 bytes or more: one edit leaves either the first two bytes alone, or two bytes just after it
/// in place (shifted by at most one). Rejects most of the vocabulary in a few comparisons.
#[inline]
pub(crate) fn maybe_one(q: &[u8], w: &[u8]) -> bool {
    if q.len() < 5 {
        return true;
    }
    // Two bytes as one number; 0xFFFF (never two UTF-8 bytes) past the end.
    #[inline]
    fn pair(s: &[u8], at: usize) -> u16 {
        if at + 1 < s.len() {
            (u16::from(s[at]) << 8) | u16::from(s[at + 1])
        } else {
            0xFFFF
        }
    }
    if pair(q, 0) == pair(w, 0) {
        return true;
    }
    let (a, b) = (pair(q, 2), pair(q, 3));
    a == pair(w, 1)
        || a == pair(w, 2)
        || a == pair(w, 3)
        || b == pair(w, 2)
        || b == pair(w, 3)
        || b == pair(w, 4)
}

/// True when `q` and `w` differ by exactly one edit.
pub(crate) fn within_one(q: &[u8], w: &[u8]) -> bool {
    if q.len().abs_diff(w.len()) > 1 {
        return false;
    }
    let i = lcp(q, w);
    if i == q.len() && i == w.len() {
        return false;
    }
    let (qr, wr) = (&q[i..], &w[i..]);
    (!qr.is_empty() && !wr.is_empty() && same(tail(qr, 1), tail(wr, 1)))
        || (!qr.is_empty() && same(tail(qr, 1), wr))
        || (!wr.is_empty() && same(qr, tail(wr, 1)))
        || (qr.len() >= 2
            && wr.len() >= 2
            && qr[0] == wr[1]
            && qr[1] == wr[0]
            && same(tail(qr, 2), tail(wr, 2)))
}

/// True when some prefix of `w` is one edit away from `q` (the word being typed has one typo), and
/// `w` does not simply start with `q`.
pub(crate) fn prefix_within_one(q: &[u8], w: &[u8]) -> bool {
    if w.len() + 1 < q.len() {
        return false;
    }
    let i = lcp(q, w);
    if i == q.len() {
        return false;
    }
    let (qr, wr) = (&q[i..], &w[i..]);
    (!wr.is_empty() && starts(tail(wr, 1), tail(qr, 1)))
        || starts(wr, tail(qr, 1))
        || (!wr.is_empty() && starts(tail(wr, 1), qr))
        || (qr.len() >= 2
            && wr.len() >= 2
            && qr[0] == wr[1]
            && qr[1] == wr[0]
            && starts(tail(wr, 2), tail(qr, 2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_is_accepted_two_are_not() {
        let cases = [
            ("rhinopharingite", "rhinopharyngite", true), // substitution
            ("bronchiolite", "bronchiolitte", true),      // insertion in w
            ("pneumopatie", "pneumopathie", true),        // deletion
            ("cpehalee", "cephalee", true),               // swap
            ("otite", "otite", false),                    // same word: not a typo match
            ("cephalee", "cefalea", false),               // two edits
            ("zona", "zonas", true),
        ];
        for (q, w, ok) in cases {
            assert_eq!(within_one(q.as_bytes(), w.as_bytes()), ok, "{q} / {w}");
        }
    }

    #[test]
    fn the_quick_filter_never_rejects_a_one_edit_pair() {
        // Every one-edit variant of a word (at every position, every kind) must pass the filter.
        let word = b"bronchiolite";
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for i in 0..word.len() {
            let mut v = word.to_vec();
            v[i] = b'x';
            variants.push(v); // substitution
            let mut v = word.to_vec();
            v.remove(i);
            variants.push(v); // deletion
            let mut v = word.to_vec();
            v.insert(i, b'x');
            variants.push(v); // insertion
            if i + 1 < word.len() {
                let mut v = word.to_vec();
                v.swap(i, i + 1);
                variants.push(v); // transposition
            }
        }
        for v in &variants {
            assert!(within_one(v, word), "{}", String::from_utf8_lossy(v));
            assert!(maybe_one(v, word), "{}", String::from_utf8_lossy(v));
            // The same typo in a word still being typed.
            let typed = &v[..v.len().min(8)];
            assert!(maybe_one(typed, word), "{}", String::from_utf8_lossy(typed));
        }
        assert!(
            !maybe_one(b"otite", b"bronchiolite"),
            "unrelated words are rejected"
        );
    }

    #[test]
    fn typo_in_a_word_being_typed() {
        let cases = [
            ("rhinophari", "rhinopharyngite", true),
            ("bronchiollit", "bronchiolite", true),
            ("pneumpoa", "pneumopathie", true),
            ("otite", "otite", false), // a plain prefix is not a typo
            ("lombalgei", "lombalgie", true),
            ("xyzab", "otite", false),
        ];
        for (q, w, ok) in cases {
            assert_eq!(
                prefix_within_one(q.as_bytes(), w.as_bytes()),
                ok,
                "{q} / {w}"
            );
        }
    }
}
