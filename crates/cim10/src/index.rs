//! The in-memory inverted index, built at load from the long labels.
//!
//! * `vocab`: every distinct label word (folded, stemmed), sorted, so that all words starting with
//!   a prefix form one contiguous range found by two binary searches.
//! * `postings`: for each word, the sorted list of codes whose label holds it.
//! * `doc_tokens`: for each code, the words of its label (forward index), to rank and highlight
//!   the few codes that are shown without re-reading the text.
//!
//! Hyphenated compounds are indexed both as their parts and joined (`gastro-entérite` gives
//! `gastro`, `enterite` and `gastroenterite`), so that either spelling in a query meets them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::normalize::{is_filler, is_stopword, phonetic, stem, tokenize};

/// A small, fast, non-cryptographic hasher (the FxHash mix) for interning words at load.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

pub(crate) const NO_TOKEN: u32 = u32::MAX;

/// One code to index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexDoc<'a> {
    /// Its long label; `None` for codes that must never be found (withdrawn ones).
    pub label: Option<&'a str>,
    /// An earlier code whose label is the first `len` bytes of this one, ending on a word boundary.
    pub parent: Option<(u32, usize)>,
}

/// Gives each distinct word an id, in order of first appearance.
#[derive(Default)]
struct Interner {
    ids: HashMap<Box<str>, u32, FxBuild>,
    words: Vec<Box<str>>,
    word: String,
    prev: String,
}

impl Interner {
    fn intern(&mut self, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(w) {
            return id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(NO_TOKEN);
        self.words.push(w.into());
        self.ids.insert(w.into(), id);
        id
    }

    /// Appends to `out` the ids of the words of `text` not already in it (hyphenated compounds
    /// also joined), and returns how many meaningful words it has and the bracket depth at its
    /// end. Words in brackets qualify the label ("(aiguë)", "[rhume banal]"): they do not count.
    fn read(&mut self, text: &str, out: &mut Vec<u32>) -> (u32, i32) {
        let start = out.len();
        let mut count = 0u32;
        let mut depth = 0i32;
        let mut last_end = 0;
        let track = |from: usize, to: usize, depth: &mut i32| {
            for c in text.get(from..to).unwrap_or("").bytes() {
                match c {
                    b'(' | b'[' => *depth += 1,
                    b')' | b']' => *depth = (*depth - 1).max(0),
                    _ => {}
                }
            }
        };
        self.prev.clear();
        let mut word = std::mem::take(&mut self.word);
        let mut prev = std::mem::take(&mut self.prev);
        tokenize(text, |t| {
            track(last_end, t.start, &mut depth);
            last_end = t.end;
            let stop = is_stopword(t.folded);
            if !stop {
                word.clear();
                word.push_str(t.folded);
                stem(&mut word);
                if !is_filler(&word) && depth == 0 {
                    count += 1;
                }
                let id = self.intern(&word);
                if !out[start..].contains(&id) {
                    out.push(id);
                }
                if t.hyphen_joined && !prev.is_empty() {
                    word.clear();
                    word.push_str(&prev);
                    word.push_str(t.folded);
                    stem(&mut word);
                    let id = self.intern(&word);
                    if !out[start..].contains(&id) {
                        out.push(id);
                    }
                }
            }
            prev.clear();
            if !stop {
                prev.push_str(t.folded);
            }
        });
        track(last_end, text.len(), &mut depth);
        self.word = word;
        self.prev = prev;
        (count, depth)
    }
}

#[derive(Debug, Default)]
pub(crate) struct Index {
    pub vocab: Vec<Box<str>>,
    /// Sound key of each vocabulary word (see `normalize::phonetic`), for typo matching.
    pub phonetic: Vec<Box<str>>,
    pub post_off: Vec<u32>,
    pub postings: Vec<u32>,
    pub doc_off: Vec<u32>,
    pub doc_tokens: Vec<u32>,
    /// Number of meaningful words of each label (stopwords and fillers like "sans précision"
    /// left out): the fewer, the closer a label is to what was typed.
    pub ntok: Vec<u8>,
    /// Id of each word, for exact lookups (highlighting reads every word of the shown labels).
    pub by_word: HashMap<Box<str>, u32, FxBuild>,
}

impl Index {
    /// Builds the index over `docs` (one per code, in code order).
    pub fn build(docs: &[IndexDoc<'_>]) -> Index {
        let n = docs.len();
        let mut interner = Interner::default();
        let mut doc_off = Vec::with_capacity(n + 1);
        let mut doc_tokens: Vec<u32> = Vec::with_capacity(n * 12);
        let mut ntok = Vec::with_capacity(n);
        // Bracket depth at the end of each label (a child may reuse a label that ends at depth 0).
        let mut end_depth: Vec<i32> = Vec::with_capacity(n);
        // The additions of sub-codes repeat a lot (", domicile", ", en pratiquant un sport"):
        // each distinct one is read once.
        let mut memo: HashMap<&str, (Vec<u32>, u32, i32), FxBuild> = HashMap::default();
        let mut words: Vec<u32> = Vec::with_capacity(64);
        doc_off.push(0u32);

        for doc in docs {
            let doc_start = doc_tokens.len();
            let mut count = 0u32;
            let mut depth = 0i32;
            if let Some(label) = doc.label {
                let parent = doc.parent.filter(|&(p, len)| {
                    (p as usize) < ntok.len()
                        && end_depth[p as usize] == 0
                        && label.is_char_boundary(len)
                });
                match parent {
                    // Most sub-codes repeat their parent's label and add to it: reuse the
                    // parent's words and read only the addition.
                    Some((p, len)) => {
                        let p = p as usize;
                        let (a, b) = (doc_off[p] as usize, doc_off[p + 1] as usize);
                        doc_tokens.extend_from_within(a..b);
                        let rest = &label[len..];
                        let (ids, c, d) = memo.entry(rest).or_insert_with(|| {
                            let mut ids = Vec::new();
                            let (c, d) = interner.read(rest, &mut ids);
                            (ids, c, d)
                        });
                        for &id in ids.iter() {
                            if !doc_tokens[doc_start..].contains(&id) {
                                doc_tokens.push(id);
                            }
                        }
                        count = u32::from(ntok[p]) + *c;
                        depth = *d;
                    }
                    None => {
                        words.clear();
                        let (c, d) = interner.read(label, &mut words);
                        doc_tokens.extend_from_slice(&words);
                        count = c;
                        depth = d;
                    }
                }
            }
            end_depth.push(depth);
            ntok.push(u8::try_from(count).unwrap_or(u8::MAX));
            doc_off.push(u32::try_from(doc_tokens.len()).unwrap_or(u32::MAX));
        }
        let Interner {
            words,
            ids: mut by_word,
            ..
        } = interner;

        // Sort the vocabulary and renumber the words in sorted order.
        let mut order: Vec<u32> = (0..u32::try_from(words.len()).unwrap_or(0)).collect();
        order.sort_unstable_by(|&a, &b| words[a as usize].cmp(&words[b as usize]));
        let mut remap = vec![0u32; words.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old as usize] = u32::try_from(new).unwrap_or(NO_TOKEN);
        }
        for t in &mut doc_tokens {
            *t = remap[*t as usize];
        }
        for id in by_word.values_mut() {
            *id = remap[*id as usize];
        }
        let mut slots: Vec<Option<Box<str>>> = words.into_iter().map(Some).collect();
        let vocab: Vec<Box<str>> = order
            .iter()
            .map(|&old| slots[old as usize].take().unwrap_or_default())
            .collect();

        // Postings by counting sort: docs come out in increasing order.
        let mut post_off = vec![0u32; vocab.len() + 1];
        for &t in &doc_tokens {
            post_off[t as usize + 1] += 1;
        }
        for i in 1..post_off.len() {
            post_off[i] += post_off[i - 1];
        }
        let mut fill = post_off.clone();
        let mut postings = vec![0u32; doc_tokens.len()];
        for d in 0..n {
            let (a, b) = (doc_off[d] as usize, doc_off[d + 1] as usize);
            for &t in &doc_tokens[a..b] {
                let slot = &mut fill[t as usize];
                postings[*slot as usize] = u32::try_from(d).unwrap_or(u32::MAX);
                *slot += 1;
            }
        }
        let phonetic = vocab.iter().map(|w| phonetic(w).into()).collect();
        Index {
            vocab,
            phonetic,
            post_off,
            postings,
            doc_off,
            doc_tokens,
            ntok,
            by_word,
        }
    }

    /// Range of vocabulary ids of the words that start with `prefix`.
    pub fn prefix_range(&self, prefix: &str) -> (u32, u32) {
        let lo = self.vocab.partition_point(|w| &**w < prefix);
        let len = self.vocab[lo..].partition_point(|w| w.starts_with(prefix));
        (to_u32(lo), to_u32(lo + len))
    }

    /// Id of exactly `word`, if it is in the vocabulary.
    pub fn exact(&self, word: &str) -> Option<u32> {
        self.by_word.get(word).copied()
    }

    pub fn postings(&self, id: u32) -> &[u32] {
        let i = id as usize;
        match (self.post_off.get(i), self.post_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.postings[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn doc_tokens(&self, doc: u32) -> &[u32] {
        let i = doc as usize;
        match (self.doc_off.get(i), self.doc_off.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.doc_tokens[a as usize..b as usize],
            _ => &[],
        }
    }

    pub fn word(&self, id: u32) -> &str {
        self.vocab.get(id as usize).map_or("", |w| w)
    }
}

pub(crate) fn to_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(labels: &[&str]) -> Index {
        let docs: Vec<IndexDoc<'_>> = labels
            .iter()
            .map(|l| IndexDoc {
                label: Some(*l),
                parent: None,
            })
            .collect();
        Index::build(&docs)
    }

    #[test]
    fn postings_list_the_codes_that_hold_each_word() {
        let idx = build(&["Otite moyenne aiguë", "Otite externe", "Gastro-entérites"]);
        let otite = idx.exact("otite").expect("otite is indexed");
        assert_eq!(
            idx.postings(otite),
            &[0, 1],
            "both otitis labels hold 'otite'"
        );
        // The compound is reachable whole and by its parts.
        for w in ["gastro", "enterite", "gastroenterite"] {
            let id = idx.exact(w).unwrap_or_else(|| panic!("{w} is indexed"));
            assert_eq!(idx.postings(id), &[2], "{w}");
        }
    }

    #[test]
    fn a_sub_code_reusing_its_parent_label_is_indexed_like_a_full_label() {
        // The shortcut must give exactly what reading the whole label gives.
        let labels = ["Chute (d'un lit)", "Chute (d'un lit), domicile, en dormant"];
        let plain = build(&labels);
        let docs = [
            IndexDoc {
                label: Some(labels[0]),
                parent: None,
            },
            IndexDoc {
                label: Some(labels[1]),
                parent: Some((0, labels[0].len())),
            },
        ];
        let shared = Index::build(&docs);
        assert_eq!(plain.vocab, shared.vocab);
        assert_eq!(plain.ntok, shared.ntok);
        let words = |idx: &Index, d: u32| -> Vec<String> {
            let mut w: Vec<String> = idx
                .doc_tokens(d)
                .iter()
                .map(|&t| idx.word(t).to_string())
                .collect();
            w.sort();
            w
        };
        assert_eq!(words(&plain, 1), words(&shared, 1));
    }

    #[test]
    fn prefix_range_covers_exactly_the_words_with_that_prefix() {
        let idx = build(&["Otite moyenne", "Ostéite", "Oreillons", "Moyen"]);
        let (lo, hi) = idx.prefix_range("o");
        let words: Vec<&str> = (lo..hi).map(|i| idx.word(i)).collect();
        assert_eq!(words, vec!["oreillon", "osteite", "otite"]);
        let (lo, hi) = idx.prefix_range("moy");
        assert_eq!(hi - lo, 2, "moyen and moyenne");
        let (lo, hi) = idx.prefix_range("zzz");
        assert_eq!(lo, hi, "nothing starts with zzz");
    }

    #[test]
    fn stopwords_are_not_indexed_and_fillers_do_not_count() {
        let idx = build(&[
            "Otite de l'oreille, sans précision",
            "Rhinopharyngite (aiguë) [rhume banal]",
        ]);
        assert!(idx.exact("de").is_none(), "stopwords are not indexed");
        assert!(
            idx.exact("san").is_some(),
            "fillers (here sans) are still searchable"
        );
        assert_eq!(
            idx.ntok[0], 2,
            "only otite and oreille count as meaningful words"
        );
        assert_eq!(idx.ntok[1], 1, "bracketed qualifiers do not count");
        assert!(
            idx.exact("rhume").is_some(),
            "bracketed words are still searchable"
        );
    }
}
