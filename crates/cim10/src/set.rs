//! [`CodeSet`]: the codes of one CIM-10 version, their chapters, and the search index over them.

use std::sync::OnceLock;

use crate::Cim10Error;
use crate::index::{Index, IndexDoc, to_u32};
use crate::normalize::phonetic;
use crate::scratch::ScratchPool;
use crate::source::{
    self, Block, Chapter, CompactLine, NONE16, RawSet, Span, normalize_code, read_atih_multi,
    read_compact, read_csv,
};
use crate::synonyms::{Expansion, Synonyms};

/// The compact form of the CIM-10 FR 2021, made by `examples/convert.rs`.
const EMBEDDED_SET: &[u8] = include_bytes!("../data/cim10fr_2021.tsv.z");

pub(crate) const NONE32: u32 = u32::MAX;

/// A code named by the synonym table is the doctor's meaning: it beats a label that merely holds
/// the typed word (1.0).
pub(crate) const SYNONYM_CODES_QUALITY: f32 = 1.5;
/// Words of the table stand in for a typed word (`visage` → `face`): close to, but below, the
/// typed word itself.
pub(crate) const SYNONYM_WORDS_QUALITY: f32 = 0.95;

pub(crate) const F_SUPPRIME: u8 = 1;
pub(crate) const F_EXTERNAL: u8 = 2;
pub(crate) const F_SANS_PRECISION: u8 = 4;
pub(crate) const F_CHRONIC: u8 = 8;
/// Named by the synonym table: a code GPs commonly use at the garde.
pub(crate) const F_COMMON: u8 = 16;
/// Rarely the answer at a GP garde unless asked for: pregnancy (O), perinatal (P) and congenital
/// (Q) chapters, amputations.
pub(crate) const F_RARE: u8 = 32;

/// One code, stored compactly: strings are spans in the arena of the set.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub code: Span,
    pub ssr: Span,
    pub short: Span,
    pub long: Span,
    pub mco: u8,
    pub psy: u8,
    pub flags: u8,
    pub chapter: u16,
    pub block: u16,
    /// Entries `index + 1 .. desc_end` are the sub-codes of this one (codes are sorted, so the
    /// sub-codes of `J06` are the entries right after it that start with `J06`).
    pub desc_end: u32,
    /// The precise sub-code to propose for a category (`J06` → `J06.9`), or `NONE32`.
    pub default_child: u32,
}

/// A synonym resolved against this set: the codes it leads to, best first.
#[derive(Debug, Clone)]
pub(crate) struct CompiledSynonym {
    pub key: Vec<String>,
    /// Sound keys of `key` (see `normalize::phonetic`).
    pub sound: Vec<String>,
    pub expression: String,
    /// (entry index, bonus) sorted by entry index.
    pub docs: Vec<(u32, f32)>,
    /// Base quality: codes named by the table are a stronger hint than words.
    pub base: f32,
    /// Vocabulary ranges of the expansion words, to highlight them.
    pub ranges: Vec<(u32, u32)>,
}

/// A CIM-10 code set with its search index. Build it once (about 30 ms for the full set in release)
/// and share it: every method takes `&self` and it is `Send + Sync`.
pub struct CodeSet {
    pub(crate) version: String,
    pub(crate) arena: String,
    pub(crate) entries: Vec<Entry>,
    pub(crate) chapters: Vec<Chapter>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) index: Index,
    pub(crate) synonyms: Vec<CompiledSynonym>,
    /// First word of each synonym, its sound key and the synonym's index, sorted by word.
    pub(crate) synonym_firsts: Vec<(Box<str>, Box<str>, u32)>,
    pub(crate) unknown_synonym_codes: Vec<String>,
    /// Per code: the `flags` of its entry, packed for the scoring loop.
    pub(crate) doc_flags: Vec<u8>,
    /// Per code: the part of its score that does not depend on the query.
    pub(crate) rank_base: Vec<f32>,
    /// The external causes (V01–Y98): codes `external.0 .. external.1`.
    pub(crate) external: (u32, u32),
    pub(crate) scratch: ScratchPool,
}

impl std::fmt::Debug for CodeSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeSet")
            .field("version", &self.version)
            .field("codes", &self.entries.len())
            .field("words", &self.index.vocab.len())
            .field("synonyms", &self.synonyms.len())
            .finish()
    }
}

/// A code of a [`CodeSet`], borrowed from it.
#[derive(Clone, Copy)]
pub struct Code<'a> {
    set: &'a CodeSet,
    idx: u32,
    entry: &'a Entry,
}

impl std::fmt::Debug for Code<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("code", &self.raw_code())
            .field("label", &self.label())
            .field("supprime", &self.supprime())
            .finish()
    }
}

/// `J069` → `J06.9`; `B24+0` → `B24.+0`; `J00` stays `J00`.
pub fn display_code(raw: &str) -> String {
    match (raw.get(..3), raw.get(3..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => format!("{head}.{tail}"),
        _ => raw.to_string(),
    }
}

impl<'a> Code<'a> {
    /// The code as the files hold it, without dot: `J069`.
    pub fn raw_code(&self) -> &'a str {
        self.entry.code.get(&self.set.arena)
    }
    /// The code as printed: `J06.9`.
    pub fn display_code(&self) -> String {
        display_code(self.raw_code())
    }
    /// Its category (three characters): `J06`.
    pub fn category(&self) -> &'a str {
        let raw = self.raw_code();
        raw.get(..3).unwrap_or(raw)
    }
    /// The long label (official wording, with accents).
    pub fn label(&self) -> &'a str {
        self.entry.long.get(&self.set.arena)
    }
    /// The short label (upper case, abbreviated).
    pub fn short_label(&self) -> &'a str {
        self.entry.short.get(&self.set.arena)
    }
    /// Type MCO/HAD: 0 no restriction; 1 and 2 not allowed as main diagnosis; 3 a category that
    /// has sub-codes; 4 not allowed as main diagnosis only.
    pub fn mco_type(&self) -> u8 {
        self.entry.mco
    }
    /// Type SSR (e.g. `NOOO`), as the file gives it.
    pub fn ssr_type(&self) -> &'a str {
        self.entry.ssr.get(&self.set.arena)
    }
    /// Type PSY, as the file gives it.
    pub fn psy_type(&self) -> u8 {
        self.entry.psy
    }
    /// The code was withdrawn from the nomenclature (its label says `*** SUxx ***`): it is kept
    /// so that old records still resolve, but search never proposes it.
    pub fn supprime(&self) -> bool {
        self.entry.flags & F_SUPPRIME != 0
    }
    /// External causes (V01–Y98) describe how an injury happened, not a diagnosis.
    pub fn is_external_cause(&self) -> bool {
        self.entry.flags & F_EXTERNAL != 0
    }
    /// Allowed as the main diagnosis: type MCO/HAD 0 and not withdrawn.
    pub fn is_valid_for_main_diagnosis(&self) -> bool {
        self.entry.mco == 0 && !self.supprime()
    }
    /// Whether more precise codes exist below this one.
    pub fn has_sub_codes(&self) -> bool {
        let i = self.index();
        self.entry.desc_end > i + 1
    }
    /// Its chapter, when the chapter table covers it.
    pub fn chapter(&self) -> Option<&'a Chapter> {
        self.set.chapters.get(usize::from(self.entry.chapter))
    }
    /// Its block, when the chapter table covers it.
    pub fn block(&self) -> Option<&'a Block> {
        self.set.blocks.get(usize::from(self.entry.block))
    }
    fn index(&self) -> u32 {
        self.idx
    }
}

static EMBEDDED: OnceLock<Result<CodeSet, Cim10Error>> = OnceLock::new();

impl CodeSet {
    /// Loads the CIM-10 FR 2021 shipped in the program and builds its index. Each call builds a
    /// new set; most callers want [`CodeSet::embedded`].
    pub fn load_embedded() -> Result<CodeSet, Cim10Error> {
        CodeSet::from_compact(EMBEDDED_SET)
    }

    /// The embedded set, loaded once per process on first use.
    pub fn embedded() -> Result<&'static CodeSet, Cim10Error> {
        EMBEDDED
            .get_or_init(CodeSet::load_embedded)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Reads the compact form written by [`CodeSet::to_compact`].
    pub fn from_compact(bytes: &[u8]) -> Result<CodeSet, Cim10Error> {
        CodeSet::from_raw(read_compact(bytes)?)
    }

    /// Writes this set in the compact, zlib-compressed form that the program embeds.
    pub fn to_compact(&self) -> Vec<u8> {
        let lines = self.codes().map(|c| CompactLine {
            code: c.raw_code().to_string(),
            mco: c.mco_type(),
            ssr: c.ssr_type().to_string(),
            psy: c.psy_type(),
            chapter: c.entry.chapter,
            block: c.entry.block,
            short: c.short_label().to_string(),
            long: c.label().to_string(),
        });
        source::write_compact(&self.version, &self.chapters, &self.blocks, lines)
    }

    pub(crate) fn from_raw(raw: RawSet) -> Result<CodeSet, Cim10Error> {
        let RawSet {
            version,
            arena,
            mut codes,
            chapters,
            blocks,
        } = raw;
        if codes.is_empty() {
            return Err(Cim10Error::Empty);
        }
        let key = |s: &Span| s.get(&arena);
        if !codes.windows(2).all(|w| key(&w[0].code) <= key(&w[1].code)) {
            codes.sort_by(|a, b| key(&a.code).cmp(key(&b.code)));
        }
        for w in codes.windows(2) {
            if key(&w[0].code) == key(&w[1].code) {
                return Err(Cim10Error::DuplicateCode {
                    code: display_code(key(&w[0].code)),
                    first: w[0].line as usize,
                    second: w[1].line as usize,
                });
            }
        }
        // One pass in code order: sub-code ranges (a stack of the open ancestors), flags, and
        // whether the label repeats the parent's (then only the rest is scanned and indexed:
        // most of the 26,000 external causes are "<parent label>, <place>, <activity>").
        let n = codes.len();
        let mut entries: Vec<Entry> = Vec::with_capacity(n);
        let mut shared: Vec<Option<(u32, usize)>> = Vec::with_capacity(n);
        let mut stack: Vec<usize> = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            let code = key(&c.code);
            while let Some(&top) = stack.last() {
                if code.starts_with(key(&entries[top].code)) {
                    break;
                }
                entries[top].desc_end = to_u32(i);
                stack.pop();
            }
            let long = key(&c.long);
            let parent = stack.last().and_then(|&p| {
                let pl = key(&entries[p].long);
                let boundary = long
                    .get(pl.len()..)
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|c| !c.is_alphanumeric());
                (boundary && long.starts_with(pl)).then_some((p, pl.len()))
            });
            let (mut flags, rest) = match parent {
                Some((p, len)) => (entries[p].flags & LABEL_FLAGS, &long[len..]),
                None => (0, long),
            };
            // Withdrawn codes are marked at the start of their labels ("*** SU14 *** ...").
            if rest.starts_with("*** SU") || key(&c.short).starts_with("*** SU") {
                flags |= F_SUPPRIME;
            }
            match code.as_bytes().first() {
                Some(b'V' | b'W' | b'X' | b'Y') => flags |= F_EXTERNAL,
                Some(b'O' | b'P' | b'Q') => flags |= F_RARE,
                _ => {}
            }
            entries.push(Entry {
                code: c.code,
                ssr: c.ssr,
                short: c.short,
                long: c.long,
                mco: c.mco,
                psy: c.psy,
                flags,
                chapter: if usize::from(c.chapter) < chapters.len() {
                    c.chapter
                } else {
                    NONE16
                },
                block: if usize::from(c.block) < blocks.len() {
                    c.block
                } else {
                    NONE16
                },
                desc_end: 0,
                default_child: NONE32,
            });
            shared.push(parent.map(|(p, len)| (to_u32(p), len)));
            stack.push(i);
        }
        for top in stack {
            entries[top].desc_end = to_u32(n);
        }
        let docs: Vec<IndexDoc<'_>> = entries
            .iter()
            .zip(&shared)
            .map(|(e, parent)| IndexDoc {
                label: (e.flags & F_SUPPRIME == 0).then(|| e.long.get(&arena)),
                // A withdrawn parent is not indexed: its words cannot be reused.
                parent: parent.filter(|(p, _)| entries[*p as usize].flags & F_SUPPRIME == 0),
            })
            .collect();
        let index = Index::build(&docs);
        drop(docs);
        word_flags(&index, &mut entries);
        for i in 0..n {
            entries[i].default_child = default_child(&entries, &arena, i);
        }
        let mut set = CodeSet {
            version,
            arena,
            entries,
            chapters,
            blocks,
            index,
            synonyms: Vec::new(),
            synonym_firsts: Vec::new(),
            unknown_synonym_codes: Vec::new(),
            doc_flags: Vec::new(),
            rank_base: Vec::new(),
            external: (0, 0),
            scratch: ScratchPool::default(),
        };
        set.set_synonyms(&Synonyms::embedded()?);
        Ok(set)
    }

    /// Replaces the synonym table (e.g. the embedded one extended by an MMG's own lines).
    /// Codes the table names that this version does not have (or has withdrawn) are ignored and
    /// listed by [`CodeSet::unknown_synonym_codes`].
    pub fn set_synonyms(&mut self, synonyms: &Synonyms) {
        let mut compiled = Vec::with_capacity(synonyms.len());
        let mut unknown = Vec::new();
        for s in synonyms.iter() {
            let (docs, base, ranges) = match &s.expansion {
                Expansion::Codes(codes) => {
                    let mut docs = Vec::with_capacity(codes.len());
                    for (rank, code) in codes.iter().enumerate() {
                        match self.find(code) {
                            Some(i) if self.entries[i as usize].flags & F_SUPPRIME == 0 => {
                                // Earlier codes of a line are the better guess.
                                docs.push((i, -0.1 * rank.min(5) as f32));
                            }
                            _ => unknown.push(display_code(code)),
                        }
                    }
                    (docs, SYNONYM_CODES_QUALITY, Vec::new())
                }
                Expansion::Words(words) => {
                    let ranges: Vec<(u32, u32)> =
                        words.iter().map(|w| self.index.prefix_range(w)).collect();
                    (self.docs_with_all(&ranges), SYNONYM_WORDS_QUALITY, ranges)
                }
            };
            let mut docs = docs;
            docs.sort_by_key(|d| d.0);
            docs.dedup_by_key(|d| d.0);
            compiled.push(CompiledSynonym {
                key: s.key.clone(),
                sound: s.key.iter().map(|k| phonetic(k)).collect(),
                expression: s.expression.clone(),
                docs,
                base,
                ranges,
            });
        }
        for e in &mut self.entries {
            e.flags &= !F_COMMON;
        }
        for s in &compiled {
            if s.ranges.is_empty() {
                for &(d, _) in &s.docs {
                    self.entries[d as usize].flags |= F_COMMON;
                }
            }
        }
        let mut firsts: Vec<(Box<str>, Box<str>, u32)> = compiled
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let first = s.key.first()?;
                Some((first.as_str().into(), phonetic(first).into(), to_u32(i)))
            })
            .collect();
        firsts.sort();
        self.synonym_firsts = firsts;
        self.synonyms = compiled;
        self.unknown_synonym_codes = unknown;
        self.prepare_ranking();
    }

    /// Packs what the scoring loop reads for every matched code, once per change of the set.
    fn prepare_ranking(&mut self) {
        self.doc_flags = self.entries.iter().map(|e| e.flags).collect();
        self.rank_base = self
            .entries
            .iter()
            .map(|e| {
                let mut q = 0.0;
                // "Sans précision" codes are what a GP usually means.
                if e.flags & F_SANS_PRECISION != 0 {
                    q += 0.05;
                }
                // Not allowed as main diagnosis (asterisk codes, external causes...).
                if e.mco == 1 || e.mco == 2 {
                    q -= 0.15;
                }
                if e.flags & F_COMMON != 0 {
                    q += 0.08;
                }
                if e.flags & F_RARE != 0 {
                    q -= 0.1;
                }
                // Shorter codes are more general.
                q - 0.01 * e.code.len.saturating_sub(3) as f32
            })
            .collect();
        let first = self.entries.iter().position(|e| e.flags & F_EXTERNAL != 0);
        let last = self.entries.iter().rposition(|e| e.flags & F_EXTERNAL != 0);
        self.external = match (first, last) {
            (Some(a), Some(b)) => (to_u32(a), to_u32(b + 1)),
            _ => (0, 0),
        };
    }

    /// Codes named by the synonym table that this set lacks or has withdrawn.
    pub fn unknown_synonym_codes(&self) -> &[String] {
        &self.unknown_synonym_codes
    }

    /// The codes whose label holds, for every range, a word of that range.
    fn docs_with_all(&self, ranges: &[(u32, u32)]) -> Vec<(u32, f32)> {
        let size =
            |r: &(u32, u32)| -> usize { (r.0..r.1).map(|id| self.index.postings(id).len()).sum() };
        let Some(rarest) = ranges.iter().min_by_key(|r| size(r)) else {
            return Vec::new();
        };
        let mut docs: Vec<u32> = (rarest.0..rarest.1)
            .flat_map(|id| self.index.postings(id).iter().copied())
            .collect();
        docs.sort_unstable();
        docs.dedup();
        docs.retain(|&d| {
            let toks = self.index.doc_tokens(d);
            ranges
                .iter()
                .all(|&(lo, hi)| toks.iter().any(|&t| t >= lo && t < hi))
        });
        docs.into_iter().map(|d| (d, 0.0)).collect()
    }

    /// Index of a code given in raw form.
    pub(crate) fn find(&self, raw: &str) -> Option<u32> {
        self.entries
            .binary_search_by(|e| e.code.get(&self.arena).cmp(raw))
            .ok()
            .map(to_u32)
    }

    pub(crate) fn code_at(&self, i: u32) -> Code<'_> {
        Code {
            set: self,
            idx: i,
            entry: &self.entries[i as usize],
        }
    }

    /// The version given when the set was made (e.g. `CIM-10 FR 2021`).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Number of codes, withdrawn ones included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Looks a code up in any form: `J06.9`, `j069`, ` J06.9 `. Withdrawn codes are found too.
    pub fn get(&self, code: &str) -> Option<Code<'_>> {
        let raw = normalize_code(code)?;
        self.find(&raw).map(|i| self.code_at(i))
    }

    /// Whether `code` (any form) exists, is not withdrawn and may be a main diagnosis.
    pub fn is_valid_for_main_diagnosis(&self, code: &str) -> bool {
        self.get(code)
            .is_some_and(|c| c.is_valid_for_main_diagnosis())
    }

    /// All codes, in code order.
    pub fn codes(&self) -> impl ExactSizeIterator<Item = Code<'_>> {
        (0..to_u32(self.entries.len())).map(|i| self.code_at(i))
    }

    /// The sub-codes of `code` (any form), in code order; empty when it has none.
    pub fn sub_codes(&self, code: &str) -> Vec<Code<'_>> {
        let Some(i) = normalize_code(code).and_then(|c| self.find(&c)) else {
            return Vec::new();
        };
        (i + 1..self.entries[i as usize].desc_end)
            .map(|j| self.code_at(j))
            .collect()
    }

    /// The chapters of the nomenclature.
    pub fn chapters(&self) -> &[Chapter] {
        &self.chapters
    }

    /// The blocks of the nomenclature, in code order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }
}

/// Flags that depend on the label text (inherited by a sub-code whose label repeats its parent's).
const LABEL_FLAGS: u8 = F_SUPPRIME;

/// Flags read from the indexed words of each label (cheaper than scanning the text again).
fn word_flags(index: &Index, entries: &mut [Entry]) {
    let id = |w: &str| index.exact(w).unwrap_or(crate::index::NO_TOKEN);
    let (san, precision, non, precise, precisee) = (
        id("san"),
        id("precision"),
        id("non"),
        id("precise"),
        id("precisee"),
    );
    let (chronique, amputation) = (id("chronique"), id("amputation"));
    for (d, e) in entries.iter_mut().enumerate() {
        let words = index.doc_tokens(to_u32(d));
        let has = |w: u32| words.contains(&w);
        if (has(san) && has(precision)) || (has(non) && (has(precise) || has(precisee))) {
            e.flags |= F_SANS_PRECISION;
        }
        if has(chronique) {
            e.flags |= F_CHRONIC;
        }
        if has(amputation) {
            e.flags |= F_RARE;
        }
    }
}

/// Picks the sub-code a doctor most likely means by a category: the "sans précision" one (ending
/// in 9), descending through categories that cannot be coded themselves.
fn default_child(entries: &[Entry], arena: &str, i: usize) -> u32 {
    let end = entries[i].desc_end as usize;
    let mut best: Option<(u8, usize)> = None;
    let mut j = i + 1;
    while j < end {
        let e = &entries[j];
        if e.flags & F_SUPPRIME == 0 {
            let code = e.code.get(arena);
            let mut score = 0u8;
            if code.ends_with('9') {
                score += 2;
            }
            if e.flags & F_SANS_PRECISION != 0 {
                score += 1;
            }
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, j));
            }
        }
        j = (e.desc_end as usize).max(j + 1);
    }
    match best {
        Some((_, j)) if entries[j].mco == 3 && entries[j].desc_end as usize > j + 1 => {
            match default_child(entries, arena, j) {
                NONE32 => to_u32(j),
                deeper => deeper,
            }
        }
        Some((_, j)) => to_u32(j),
        None => NONE32,
    }
}

/// Parses the official ATIH file `LIBCIM10MULTI.TXT` (pipe-separated, Windows-1252 or UTF-8) into
/// a new code set; chapters and blocks come from the embedded chapter table. `version` is free text
/// (e.g. `CIM-10 FR 2025`). A malformed line stops the import with its line number.
pub fn parse_atih_multi(bytes: &[u8], version: &str) -> Result<CodeSet, Cim10Error> {
    CodeSet::from_raw(read_atih_multi(bytes, version)?)
}

/// Parses the CSV form (`;`-separated UTF-8 with a header naming the columns, as in
/// `cim10fr_atih_2021.csv`) into a new code set.
pub fn parse_csv(bytes: &[u8], version: &str) -> Result<CodeSet, Cim10Error> {
    CodeSet::from_raw(read_csv(bytes, version)?)
}
