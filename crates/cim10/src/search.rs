//! The search: a query becomes a plan (what each typed word may match), the plan is run over the
//! posting lists into per-code scores, and the best codes become [`Hit`]s.
//!
//! Ranking, most important first:
//! 1. a code typed in any form (`j06.9`, `J069`, `j06`) comes first, then its sub-codes;
//! 2. how many of the typed words a code matches (so a forgiving partial match still shows when
//!    nothing matches them all);
//! 3. how often this MMG used the code ([`SearchContext`]);
//! 4. clinical codes before external causes (V01–Y98), which a doctor reaches by code;
//! 5. match quality: exact word > synonym > prefix > typo, label head and short label matched,
//!    fewer words left over, "sans précision" codes, shorter codes.
//!
//! Categories that have sub-codes also bring their most likely precise code (the MMG's most used,
//! else the "sans précision" one) right beside them.

use crate::context::SearchContext;
use crate::fuzzy::{maybe_one, prefix_within_one, within_one};
use crate::index::to_u32;
use crate::normalize::{is_stopword, phonetic, stem, tokenize};
use crate::scratch::Scratch;
use crate::set::{CodeSet, F_CHRONIC, F_EXTERNAL, F_SUPPRIME, NONE32, display_code};
use crate::source::normalize_code;

/// At most this many words of a query are used (a bitmask per code tracks them).
const MAX_WORDS: usize = 15;
/// Longer queries are cut (nobody types a paragraph in a diagnosis field).
const MAX_QUERY_BYTES: usize = 200;

/// A chapter or block as shown beside a hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// e.g. `J00-J99`.
    pub range: String,
    pub label: String,
}

/// One proposed code.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Display form, with the dot: `J06.9`.
    pub code: String,
    /// Raw form, as stored in the files: `J069`.
    pub raw_code: String,
    /// Long label.
    pub label: String,
    /// Category (three characters): `J06`.
    pub category: String,
    pub chapter: Option<Section>,
    pub block: Option<Section>,
    /// Byte ranges of `label` that the query matched, sorted, not overlapping (for highlighting).
    pub matches: Vec<(usize, usize)>,
    /// The query was this code (or a prefix of it) in some form.
    pub matched_code: bool,
    /// The synonym of the table that led here (e.g. `OMA`), if any.
    pub synonym: Option<String>,
    /// Proposed as the precise code of this matched category (display form, e.g. `J06`).
    pub from_category: Option<String>,
    /// How often this MMG used the code (from the [`SearchContext`]).
    pub usage: u32,
    /// Allowed as main diagnosis (type MCO/HAD 0).
    pub valid_for_main_diagnosis: bool,
}

/// Mark (above the word bits) of a code reached through a code synonym: its label need not
/// resemble the query, so its length is not held against it.
const VIA_CODE_SYNONYM: u32 = 1 << 31;

/// A word whose label words appear in more codes than this is not run over its posting lists when
/// another typed word is far more selective: the codes of the selective words are checked for it
/// instead (`fausse c`: the codes with `fausse`, then which of them have a word in `c`).
const FILTER_VOLUME: usize = 4000;

/// Sort key of a candidate: bigger is better. Bits 60–63 matched words, 29–59 usage, 28
/// clinical (not an external cause), 0–27 quality.
fn make_key(coverage: u32, usage: u32, clinical: bool, quality: f32) -> u64 {
    let q = ((quality.clamp(-60.0, 60.0) + 64.0) * 1_000_000.0) as u64;
    (u64::from(coverage.min(15)) << 60)
        | (u64::from(usage.min(0x7FFF_FFFF)) << 29)
        | (u64::from(clinical) << 28)
        | q.min((1 << 28) - 1)
}

fn add_quality(key: u64, delta: f32) -> u64 {
    let q = (key & ((1 << 28) - 1)) as i64 + (delta * 1_000_000.0) as i64;
    (key & !((1 << 28) - 1)) | (q.clamp(0, (1 << 28) - 1) as u64)
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    key: u64,
    doc: u32,
    from_category: u32,
}

fn by_rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.key.cmp(&a.key).then(a.doc.cmp(&b.doc))
}

/// A word of the query.
#[derive(Debug)]
struct Word {
    folded: String,
    stemmed: String,
    required: bool,
}

/// Where an item of the plan finds its codes.
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// The codes whose label holds this vocabulary word.
    Token(u32),
    /// Codes listed by a synonym (with a per-code bonus), sorted.
    Docs(&'a [(u32, f32)]),
    /// Codes `a..b` (a code prefix typed among words).
    Range(u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    src: Source<'a>,
    quality: f32,
    /// Query words this item satisfies.
    mask: u32,
    /// The codes come from a synonym that names codes.
    via_codes: bool,
}

/// Which codes a pass over the posting lists visits: external causes (V01–Y98) are a
/// contiguous range of codes, visited only when the clinical codes do not fill the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Clinical,
    External,
    All,
}

/// What a query means, ready to run.
#[derive(Debug, Default)]
struct Plan<'a> {
    words: Vec<Word>,
    items: Vec<Item<'a>>,
    required: u32,
    /// Per word: the label words that satisfy it alone, (vocabulary id, quality) sorted by id.
    tokens: Vec<Vec<(u32, f32)>>,
    /// Per word: how many (code, word) pairs its label words have.
    volume: Vec<usize>,
    /// Every vocabulary id that counts as matched (highlighting, label head), sorted.
    matched: Vec<u32>,
    /// Synonyms used, by index in the set.
    synonyms: Vec<usize>,
    /// The query asks for a chronic condition (otherwise acute ones come first: this is a garde).
    chronic: bool,
    /// Some word long enough for a typo was not tried with one.
    typos_left: bool,
}

impl Plan<'_> {
    fn matches_id(&self, id: u32) -> bool {
        self.matched.binary_search(&id).is_ok()
    }

    fn push_token(&mut self, p: usize, id: u32, quality: f32, mask: u32) {
        self.items.push(Item {
            src: Source::Token(id),
            quality,
            mask,
            via_codes: false,
        });
        self.matched.push(id);
        if mask.count_ones() == 1
            && let Some(t) = self.tokens.get_mut(p)
        {
            t.push((id, quality));
        }
    }
}

/// Quality of a vocabulary word matched by a typed word: whole word 1.0; a prefix a bit less,
/// and less the more of the word is left to type.
fn prefix_quality(typed: &str, word: &str) -> f32 {
    if typed.len() >= word.len() {
        1.0
    } else {
        0.75 + 0.2 * typed.len() as f32 / word.len() as f32
    }
}

fn truncate(query: &str) -> &str {
    if query.len() <= MAX_QUERY_BYTES {
        return query;
    }
    let mut end = MAX_QUERY_BYTES;
    while !query.is_char_boundary(end) {
        end -= 1;
    }
    &query[..end]
}

/// A letter and a digit, then digits (a code being typed: `j0`, `j06`, `J06.9`).
fn code_like(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1].is_ascii_digit()
        && (b.len() < 3 || b[2].is_ascii_digit())
}

impl CodeSet {
    /// Searches the codes for what a doctor typed. Case, accents, word order, plurals, hyphens,
    /// unfinished words, one typo in words of 5+ letters and GP shorthand (synonym table) are all
    /// forgiven; a code in any form comes first. Withdrawn codes are never proposed. An empty
    /// query returns the MMG's most used codes.
    pub fn search(&self, query: &str, ctx: &SearchContext, limit: usize) -> Vec<Hit> {
        if limit == 0 {
            return Vec::new();
        }
        let query = truncate(query);
        let mut scratch = self.scratch.take(self.entries.len());
        self.load_usage(&mut scratch, ctx);
        let hits = if query.trim().is_empty() {
            self.most_used(&scratch, limit)
        } else if let Some(hits) = self.search_code(query, &scratch, limit) {
            hits
        } else {
            self.search_text(query, &mut scratch, limit)
        };
        scratch.clear_usage();
        self.scratch.put(scratch);
        hits
    }

    fn load_usage(&self, scratch: &mut Scratch, ctx: &SearchContext) {
        for (code, &count) in &ctx.usage {
            if let Some(i) = self.find(code) {
                scratch.usage[i as usize] = count;
                scratch.used.push(i);
            }
        }
    }

    fn is_proposable(&self, doc: u32) -> bool {
        self.doc_flags
            .get(doc as usize)
            .is_some_and(|f| f & F_SUPPRIME == 0)
    }

    /// The precise code to propose beside category `doc`: the most used here, else the default.
    fn best_child(&self, doc: u32, scratch: &Scratch) -> u32 {
        let e = &self.entries[doc as usize];
        if !scratch.used.is_empty() {
            let mut best = (0u32, NONE32);
            for c in doc + 1..e.desc_end {
                let ce = &self.entries[c as usize];
                let u = scratch.usage[c as usize];
                if u > best.0 && ce.flags & F_SUPPRIME == 0 && ce.mco != 3 {
                    best = (u, c);
                }
            }
            if best.1 != NONE32 {
                return best.1;
            }
        }
        e.default_child
    }

    fn most_used(&self, scratch: &Scratch, limit: usize) -> Vec<Hit> {
        let mut used: Vec<u32> = scratch
            .used
            .iter()
            .copied()
            .filter(|&d| self.is_proposable(d))
            .collect();
        used.sort_by(|&a, &b| {
            scratch.usage[b as usize]
                .cmp(&scratch.usage[a as usize])
                .then(a.cmp(&b))
        });
        used.truncate(limit);
        used.into_iter()
            .map(|d| self.hit(d, scratch, false, NONE32, None, Vec::new()))
            .collect()
    }

    /// The query is a code (or the start of one) in some form.
    fn search_code(&self, query: &str, scratch: &Scratch, limit: usize) -> Option<Vec<Hit>> {
        let raw = normalize_code(query)?;
        if !code_like(&raw) {
            return None;
        }
        // A code that does not exist (J06.99) falls back to its closest existing parent.
        let mut prefix = raw.as_str();
        let (lo, hi) = loop {
            let range = self.code_range(prefix);
            if range.0 < range.1 {
                break range;
            }
            if prefix.len() <= 3 {
                return None;
            }
            prefix = &prefix[..prefix.len() - 1];
        };
        let mut out: Vec<u32> = Vec::with_capacity(limit);
        let exact = self.find(prefix).filter(|&i| self.is_proposable(i));
        if let Some(i) = exact {
            out.push(i);
            let child = self.best_child(i, scratch);
            if child != NONE32 && self.is_proposable(child) {
                out.push(child);
            }
        }
        let mut rest: Vec<u32> = (lo..hi)
            .filter(|&d| self.is_proposable(d) && !out.contains(&d))
            .collect();
        let rank = |d: &u32| {
            let e = &self.entries[*d as usize];
            (
                std::cmp::Reverse(scratch.usage[*d as usize]),
                e.code.len,
                *d,
            )
        };
        let keep = limit.saturating_sub(out.len());
        if rest.len() > keep && keep > 0 {
            rest.select_nth_unstable_by_key(keep - 1, rank);
            rest.truncate(keep);
        }
        rest.sort_by_key(rank);
        out.extend(rest);
        out.truncate(limit);
        Some(
            out.into_iter()
                .map(|d| {
                    let from = match exact {
                        Some(p) if p != d && self.entries[p as usize].default_child == d => p,
                        _ => NONE32,
                    };
                    self.hit(d, scratch, true, from, None, Vec::new())
                })
                .collect(),
        )
    }

    /// Entries whose raw code starts with `prefix`.
    fn code_range(&self, prefix: &str) -> (u32, u32) {
        let lo = self
            .entries
            .partition_point(|e| e.code.get(&self.arena) < prefix);
        let len =
            self.entries[lo..].partition_point(|e| e.code.get(&self.arena).starts_with(prefix));
        (to_u32(lo), to_u32(lo + len))
    }

    /// Synonyms whose first word may be `typed`: the same word, a word it starts (being typed),
    /// or, with `typos` and from 5 letters on, a word one typo or one spelling by ear away.
    /// Sorted by table order.
    fn synonym_candidates(&self, typed: &str, sound: &str, typos: bool) -> Vec<usize> {
        let firsts = &self.synonym_firsts;
        let lo = firsts.partition_point(|(k, _, _)| &**k < typed);
        let mut out: Vec<usize> = firsts[lo..]
            .iter()
            .take_while(|(k, _, _)| k.starts_with(typed))
            .filter(|(k, _, _)| typed.len() >= 3 || &**k == typed)
            .map(|&(_, _, si)| si as usize)
            .collect();
        if typos && typed.len() >= 5 {
            let (tb, sb) = (typed.as_bytes(), sound.as_bytes());
            for (k, ksound, si) in firsts {
                let (kb, ks) = (k.as_bytes(), ksound.as_bytes());
                if (!maybe_one(tb, kb) && !maybe_one(sb, ks)) || k.starts_with(typed) {
                    continue;
                }
                if within_one(tb, kb) || prefix_within_one(tb, kb) || sb == ks {
                    out.push(*si as usize);
                }
            }
        }
        out.sort_unstable();
        out
    }

    fn plan(&self, query: &str, fuzzy_all: bool) -> Plan<'_> {
        let mut all: Vec<String> = Vec::new();
        tokenize(query, |t| all.push(t.folded.to_string()));
        let last = all.len().saturating_sub(1);
        let any_required = all.iter().any(|w| !is_stopword(w));
        let mut words: Vec<Word> = all
            .into_iter()
            .enumerate()
            .filter_map(|(i, folded)| {
                let stop = is_stopword(&folded);
                // A stopword is dropped, unless it is the word being typed (`de` may become
                // `dent`) or the query has nothing else.
                if stop && any_required && i != last {
                    return None;
                }
                let mut stemmed = folded.clone();
                stem(&mut stemmed);
                Some(Word {
                    folded,
                    stemmed,
                    required: !stop || !any_required,
                })
            })
            .collect();
        words.truncate(MAX_WORDS);
        let sounds: Vec<String> = words.iter().map(|w| phonetic(&w.stemmed)).collect();
        let mut plan = Plan {
            tokens: vec![Vec::new(); words.len()],
            ..Plan::default()
        };
        for (p, w) in words.iter().enumerate() {
            let bit = 1u32 << p;
            if w.required {
                plan.required |= bit;
            }
            let (lo, hi) = self.index.prefix_range(&w.stemmed);
            for id in lo..hi {
                plan.push_token(p, id, prefix_quality(&w.stemmed, self.index.word(id)), bit);
            }
            if let Some(raw) = normalize_code(&w.folded).filter(|r| r.len() >= 3 && code_like(r)) {
                let (a, b) = self.code_range(&raw);
                if a < b {
                    plan.items.push(Item {
                        src: Source::Range(a, b),
                        quality: 1.2,
                        mask: bit,
                        via_codes: false,
                    });
                }
            }
            let mut synonym_found = false;
            let mut synonym_exact = false;
            // Typos are looked for only in words that start no label word (or on the retry).
            for si in self.synonym_candidates(&w.stemmed, &sounds[p], fuzzy_all || lo == hi) {
                let syn = &self.synonyms[si];
                let k = syn.key.len();
                if p + k > words.len() {
                    continue;
                }
                let mut factor = 1.0f32;
                for (j, key) in syn.key.iter().enumerate() {
                    let typed = &words[p + j].stemmed;
                    if typed == key {
                        continue;
                    }
                    let is_last_key_word = j + 1 == k;
                    let min_prefix = if is_last_key_word { 3 } else { 4 };
                    if typed.len() >= min_prefix && key.starts_with(typed.as_str()) {
                        factor = factor.min(0.8);
                    } else if typed.len() >= 5
                        && (sounds[p + j] == syn.sound[j]
                            || within_one(typed.as_bytes(), key.as_bytes())
                            || (is_last_key_word
                                && prefix_within_one(typed.as_bytes(), key.as_bytes())))
                    {
                        factor = factor.min(0.75);
                    } else {
                        factor = 0.0;
                        break;
                    }
                }
                if factor == 0.0 || syn.docs.is_empty() {
                    continue;
                }
                synonym_found = true;
                synonym_exact |= factor == 1.0;
                let mask = ((1u32 << k) - 1) << p;
                plan.items.push(Item {
                    src: Source::Docs(&syn.docs),
                    quality: syn.base * factor,
                    mask,
                    via_codes: syn.ranges.is_empty(),
                });
                for &(a, b) in &syn.ranges {
                    plan.matched.extend(a..b);
                }
                plan.synonyms.push(si);
            }
            // A derived form the labels do not use (`migraineuse`, `amygdalien`): its longest
            // prefix that starts label words, down to 60% of it (5 letters at least).
            if lo == hi && !synonym_found && w.stemmed.len() >= 7 {
                let min = (w.stemmed.len() * 3).div_ceil(5).max(5);
                let mut cut = w.stemmed.len() - 1;
                while cut >= min {
                    if w.stemmed.is_char_boundary(cut) {
                        let (a, b) = self.index.prefix_range(&w.stemmed[..cut]);
                        if a < b {
                            for id in a..b {
                                plan.push_token(p, id, 0.6, bit);
                            }
                            break;
                        }
                    }
                    cut -= 1;
                }
            }
            // One typo (or a spelling by ear) in a word of 5 letters or more.
            let try_typos = w.folded.len() >= 5 && (fuzzy_all || (lo == hi && !synonym_found));
            // A complete known word is not retried with a typo when nothing matches every word.
            let known = self.index.exact(&w.stemmed).is_some() || synonym_exact;
            if w.folded.len() >= 5 && !try_typos && !known {
                plan.typos_left = true;
            }
            if try_typos {
                let typed = w.stemmed.as_bytes();
                let sound = sounds[p].as_bytes();
                for (id, word) in self.index.vocab.iter().enumerate() {
                    let wb = word.as_bytes();
                    let wsound = self.index.phonetic[id].as_bytes();
                    // Every test below needs the word (or its sound) to be at most one letter
                    // shorter than what was typed.
                    if wb.len() + 1 < typed.len() && wsound.len() + 1 < sound.len() {
                        continue;
                    }
                    if !maybe_one(typed, wb) && !maybe_one(sound, wsound) {
                        continue;
                    }
                    let q = if within_one(typed, wb) || (sound == wsound && typed != wb) {
                        0.7
                    } else if prefix_within_one(typed, wb)
                        || (wsound.starts_with(sound) && !wb.starts_with(typed))
                        || within_one(sound, wsound)
                    {
                        0.55
                    } else if prefix_within_one(sound, wsound) {
                        0.5
                    } else {
                        continue;
                    };
                    plan.push_token(p, to_u32(id), q, bit);
                }
            }
        }
        // Two typed words may be one label word (`gastro enterite` → `gastroentérite`).
        for p in 0..words.len().saturating_sub(1) {
            let mut joined = String::with_capacity(32);
            joined.push_str(&words[p].folded);
            joined.push_str(&words[p + 1].folded);
            stem(&mut joined);
            if joined.len() < 6 {
                continue;
            }
            let (lo, hi) = self.index.prefix_range(&joined);
            for id in lo..hi {
                plan.push_token(
                    p,
                    id,
                    prefix_quality(&joined, self.index.word(id)),
                    0b11 << p,
                );
            }
        }
        for t in &mut plan.tokens {
            // Best quality first, then one entry per id.
            t.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            t.dedup_by_key(|x| x.0);
        }
        plan.volume = plan
            .tokens
            .iter()
            .map(|t| t.iter().map(|&(id, _)| self.index.postings(id).len()).sum())
            .collect();
        plan.matched.sort_unstable();
        plan.matched.dedup();
        plan.chronic = words.iter().any(|w| w.stemmed.starts_with("chron"));
        plan.words = words;
        // Better items first: the first item to satisfy a word for a code sets its quality.
        plan.items.sort_by(|a, b| b.quality.total_cmp(&a.quality));
        plan
    }

    /// Applies the items of the plan to the codes of `part`, leaving out the label words of the
    /// words in the `skip` mask (non-selective words checked afterwards by `filter_pass`).
    fn apply_items(&self, plan: &Plan<'_>, scratch: &mut Scratch, part: Part, skip: u32) {
        let (ext_lo, ext_hi) = self.external;
        for item in &plan.items {
            match item.src {
                Source::Token(id) => {
                    if item.mask.count_ones() == 1 && item.mask & skip != 0 {
                        continue;
                    }
                    let ps = self.index.postings(id);
                    let (a, b) = if part == Part::All {
                        (ps.len(), ps.len())
                    } else {
                        (
                            ps.partition_point(|&d| d < ext_lo),
                            ps.partition_point(|&d| d < ext_hi),
                        )
                    };
                    let slices: [&[u32]; 2] = match part {
                        Part::All => [ps, &[]],
                        Part::Clinical => [&ps[..a], &ps[b..]],
                        Part::External => [&ps[a..b], &[]],
                    };
                    for slice in slices {
                        for &d in slice {
                            scratch.apply(d, item.mask, item.quality);
                        }
                    }
                }
                // Short lists: applied whole with the clinical part.
                Source::Docs(docs) if part != Part::External => {
                    for &(d, bonus) in docs {
                        scratch.apply(d, item.mask, item.quality + bonus);
                        if item.via_codes
                            && let Some(m) = scratch.mask.get_mut(d as usize)
                        {
                            *m |= VIA_CODE_SYNONYM;
                        }
                    }
                }
                Source::Range(a, b) if part != Part::External => {
                    for d in a..b {
                        scratch.apply(d, item.mask, item.quality);
                    }
                }
                _ => {}
            }
        }
    }

    /// Gives word `p` to the touched codes (from `from` on) whose label holds one of its words.
    fn filter_pass(&self, plan: &Plan<'_>, scratch: &mut Scratch, p: usize, from: usize) {
        let tokens = &plan.tokens[p];
        for i in from..scratch.touched.len() {
            let d = scratch.touched[i];
            let best = self
                .index
                .doc_tokens(d)
                .iter()
                .filter_map(|t| {
                    tokens
                        .binary_search_by_key(t, |x| x.0)
                        .ok()
                        .map(|k| tokens[k].1)
                })
                .fold(0.0f32, f32::max);
            if best > 0.0 {
                scratch.apply(d, 1 << p, best);
            }
        }
    }

    /// Matches one code against the whole plan (used codes outside the visited part).
    fn match_doc(&self, plan: &Plan<'_>, scratch: &mut Scratch, d: u32) {
        let words = self.index.doc_tokens(d);
        for item in &plan.items {
            let hit = match item.src {
                Source::Token(id) => words.contains(&id).then_some(item.quality),
                Source::Docs(docs) => docs
                    .binary_search_by_key(&d, |x| x.0)
                    .ok()
                    .map(|k| item.quality + docs[k].1),
                Source::Range(a, b) => (a..b).contains(&d).then_some(item.quality),
            };
            if let Some(q) = hit {
                scratch.apply(d, item.mask, q);
            }
        }
    }

    /// Codes that match every required word.
    fn full_count(&self, plan: &Plan<'_>, scratch: &Scratch) -> usize {
        scratch
            .touched
            .iter()
            .filter(|&&d| {
                scratch.mask[d as usize] & plan.required == plan.required && self.is_proposable(d)
            })
            .count()
    }

    /// Runs the plan: clinical codes first; external causes only when the clinical codes do not
    /// fill the answer with codes that match every word (they would rank below them anyway).
    fn run(&self, plan: &Plan<'_>, scratch: &mut Scratch, limit: usize) {
        let required: Vec<usize> = (0..plan.words.len())
            .filter(|&p| plan.required & (1 << p) != 0)
            .collect();
        // Words far less selective than the most selective one are checked on its codes
        // instead of being run over their own posting lists.
        let lightest = required.iter().copied().min_by_key(|&p| plan.volume[p]);
        let filtered: Vec<usize> = match lightest {
            Some(l) => required
                .iter()
                .copied()
                .filter(|&p| {
                    p != l && plan.volume[p] > FILTER_VOLUME && plan.volume[l] * 4 < plan.volume[p]
                })
                .collect(),
            None => Vec::new(),
        };
        // Optional words (a stopword being typed) only add to codes the others found.
        let optional: Vec<usize> = (0..plan.words.len())
            .filter(|&p| plan.required & (1 << p) == 0)
            .collect();
        let filtered: Vec<usize> = filtered.into_iter().chain(optional).collect();
        let skip = filtered.iter().fold(0u32, |m, &p| m | (1 << p));
        self.apply_items(plan, scratch, Part::Clinical, skip);
        for &p in &filtered {
            self.filter_pass(plan, scratch, p, 0);
        }
        if self.full_count(plan, scratch) >= limit {
            let used: Vec<u32> = scratch
                .used
                .iter()
                .copied()
                .filter(|&d| self.doc_flags[d as usize] & F_EXTERNAL != 0)
                .collect();
            for d in used {
                self.match_doc(plan, scratch, d);
            }
            return;
        }
        let before = scratch.touched.len();
        self.apply_items(plan, scratch, Part::External, skip);
        for &p in &filtered {
            self.filter_pass(plan, scratch, p, before);
        }
        // The selective words matched nothing at all: the heavy words are all there is.
        if skip != 0 && scratch.touched.is_empty() {
            self.apply_items(plan, scratch, Part::All, 0);
        }
    }

    /// Scores every touched code and keeps the best `keep`.
    fn first_cut(&self, plan: &Plan<'_>, scratch: &Scratch, keep: usize) -> (Vec<Candidate>, u32) {
        let mut cands: Vec<Candidate> = Vec::with_capacity(scratch.touched.len().min(4096));
        let mut best_cov = 0;
        let chronic_penalty = if plan.chronic { 0.0 } else { 0.1 };
        for &d in &scratch.touched {
            let i = d as usize;
            let flags = self.doc_flags[i];
            if flags & F_SUPPRIME != 0 {
                continue;
            }
            let m = scratch.mask[i];
            let cov = (m & plan.required).count_ones();
            if cov == 0 {
                continue;
            }
            best_cov = best_cov.max(cov);
            let extra = if m & VIA_CODE_SYNONYM != 0 {
                0
            } else {
                (i32::from(self.index.ntok[i]) - (m & !VIA_CODE_SYNONYM).count_ones() as i32).max(0)
            };
            let mut q = scratch.qual[i] - 0.04 * extra as f32 + self.rank_base[i];
            if flags & F_CHRONIC != 0 {
                q -= chronic_penalty;
            }
            let key = make_key(cov, scratch.usage[i], flags & F_EXTERNAL == 0, q);
            cands.push(Candidate {
                key,
                doc: d,
                from_category: NONE32,
            });
        }
        if cands.len() > keep {
            cands.select_nth_unstable_by(keep - 1, by_rank);
            cands.truncate(keep);
        }
        (cands, best_cov)
    }

    fn search_text(&self, query: &str, scratch: &mut Scratch, limit: usize) -> Vec<Hit> {
        let keep = (limit * 3).max(15);
        let mut plan = self.plan(query, false);
        if plan.words.is_empty() {
            return Vec::new();
        }
        self.run(&plan, scratch, limit);
        let (mut cands, best_cov) = self.first_cut(&plan, scratch, keep);
        scratch.clear_matches();
        // Nothing matches every word: maybe a typo in a word that also matched something else.
        if best_cov < plan.required.count_ones() && plan.typos_left {
            let retry = self.plan(query, true);
            if retry.items.len() > plan.items.len() {
                self.run(&retry, scratch, limit);
                let (c, cov) = self.first_cut(&retry, scratch, keep);
                scratch.clear_matches();
                if cov >= best_cov {
                    cands = c;
                    plan = retry;
                }
            }
        }
        self.refine(&plan, &mut cands, scratch);
        cands.sort_by(by_rank);
        let mut seen: Vec<u32> = Vec::with_capacity(limit);
        let mut hits = Vec::with_capacity(limit);
        for c in cands {
            if seen.contains(&c.doc) {
                continue;
            }
            seen.push(c.doc);
            let synonym = plan
                .synonyms
                .iter()
                .map(|&si| &self.synonyms[si])
                .find(|s| s.docs.binary_search_by_key(&c.doc, |d| d.0).is_ok())
                .map(|s| s.expression.clone());
            let matches = self.highlight(c.doc, &plan);
            hits.push(self.hit(c.doc, scratch, false, c.from_category, synonym, matches));
            if hits.len() == limit {
                break;
            }
        }
        hits
    }

    /// Second look at the few best candidates: label head, short label, and the precise code of
    /// matched categories.
    fn refine(&self, plan: &Plan<'_>, cands: &mut Vec<Candidate>, scratch: &Scratch) {
        let required: Vec<&Word> = plan.words.iter().filter(|w| w.required).collect();
        let mut in_short = vec![false; required.len()];
        let mut word = String::with_capacity(32);
        for c in cands.iter_mut() {
            let mut bonus = 0.0;
            if let Some(&first) = self.index.doc_tokens(c.doc).first()
                && plan.matches_id(first)
            {
                bonus += 0.15;
            }
            // Words of the query found in the short label (abbreviated: `MOY.` for `moyenne`).
            in_short.fill(false);
            let short = self.entries[c.doc as usize].short.get(&self.arena);
            tokenize(short, |t| {
                word.clear();
                word.push_str(t.folded);
                stem(&mut word);
                if word.len() < 2 {
                    return;
                }
                for (k, w) in required.iter().enumerate() {
                    if word.starts_with(w.stemmed.as_str())
                        || (word.len() >= 3 && w.stemmed.starts_with(word.as_str()))
                    {
                        in_short[k] = true;
                    }
                }
            });
            if !required.is_empty() {
                let n = in_short.iter().filter(|&&b| b).count();
                bonus += 0.1 * n as f32 / required.len() as f32;
            }
            c.key = add_quality(c.key, bonus);
        }
        let mut extra = Vec::new();
        for c in cands.iter_mut() {
            let e = &self.entries[c.doc as usize];
            if e.desc_end <= c.doc + 1 {
                continue;
            }
            let child = self.best_child(c.doc, scratch);
            if child == NONE32 || !self.is_proposable(child) {
                continue;
            }
            // A category that cannot be coded gives way to its precise code; a codable one keeps
            // its place and has its precise code right after it.
            let child_key = if e.mco == 3 {
                let k = add_quality(c.key, 0.000_002);
                c.key = add_quality(c.key, -0.000_001);
                k
            } else {
                add_quality(c.key, -0.000_001)
            };
            extra.push(Candidate {
                key: child_key,
                doc: child,
                from_category: c.doc,
            });
        }
        for x in extra {
            match cands.iter_mut().find(|c| c.doc == x.doc) {
                Some(c) if c.key >= x.key => {}
                Some(c) => *c = x,
                None => cands.push(x),
            }
        }
    }

    /// Byte ranges of the label of `doc` that the plan matched.
    fn highlight(&self, doc: u32, plan: &Plan<'_>) -> Vec<(usize, usize)> {
        let label = self.entries[doc as usize].long.get(&self.arena);
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut word = String::with_capacity(32);
        let mut prev = String::with_capacity(32);
        let mut prev_start: Option<usize> = None;
        tokenize(label, |t| {
            if is_stopword(t.folded) {
                prev_start = None;
                return;
            }
            word.clear();
            word.push_str(t.folded);
            stem(&mut word);
            if self
                .index
                .exact(&word)
                .is_some_and(|id| plan.matches_id(id))
            {
                out.push((t.start, t.end));
            }
            if let (true, Some(start)) = (t.hyphen_joined, prev_start) {
                word.clear();
                word.push_str(&prev);
                word.push_str(t.folded);
                stem(&mut word);
                if self
                    .index
                    .exact(&word)
                    .is_some_and(|id| plan.matches_id(id))
                {
                    out.push((start, t.end));
                }
            }
            prev.clear();
            prev.push_str(t.folded);
            prev_start = Some(t.start);
        });
        out.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
        for (a, b) in out {
            match merged.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        merged
    }

    fn hit(
        &self,
        doc: u32,
        scratch: &Scratch,
        matched_code: bool,
        from_category: u32,
        synonym: Option<String>,
        matches: Vec<(usize, usize)>,
    ) -> Hit {
        let code = self.code_at(doc);
        Hit {
            code: code.display_code(),
            raw_code: code.raw_code().to_string(),
            label: code.label().to_string(),
            category: code.category().to_string(),
            chapter: code.chapter().map(|c| Section {
                range: c.range(),
                label: c.label.clone(),
            }),
            block: code.block().map(|b| Section {
                range: b.range(),
                label: b.label.clone(),
            }),
            matches,
            matched_code,
            synonym,
            from_category: (from_category != NONE32)
                .then(|| display_code(self.code_at(from_category).raw_code())),
            usage: scratch.usage.get(doc as usize).copied().unwrap_or(0),
            valid_for_main_diagnosis: code.is_valid_for_main_diagnosis(),
        }
    }
}
