//! Reading code sets: the official ATIH file, its CSV form, and the compact embedded form.
//!
//! Every reader produces the same [`RawSet`]; `CodeSet::from_raw` then sorts, checks and indexes it.
//! Nothing here panics on a file from outside: every defect becomes a [`Cim10Error`] that names the
//! line.

use crate::Cim10Error;

/// The chapter/block table of the CIM-10 (from the ATIH 2019 table), converted by
/// `examples/convert.rs`: `chapter_first-chapter_last<TAB>chapter label<TAB>block_first-block_last<TAB>block label`.
pub(crate) const EMBEDDED_CHAPTERS: &str = include_str!("../data/chapitres_blocs.tsv");

/// First line of the compact form; bump the number when the layout changes.
pub(crate) const COMPACT_MAGIC: &str = "appligarde-cim10 compact 2";

/// A chapter of the CIM-10 (e.g. `J00-J99`, "Maladies de l'appareil respiratoire").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// First category of the chapter, e.g. `J00`.
    pub first: String,
    /// Last category of the chapter, e.g. `J99`.
    pub last: String,
    /// French label.
    pub label: String,
}

/// A block of categories inside a chapter (e.g. `J00-J06`, "Affections aiguës des voies
/// respiratoires supérieures").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// First category of the block, e.g. `J00`.
    pub first: String,
    /// Last category of the block, e.g. `J06`.
    pub last: String,
    /// French label.
    pub label: String,
    /// Index of the chapter in `CodeSet::chapters()`.
    pub chapter: usize,
}

impl Chapter {
    /// The range as printed in the nomenclature, e.g. `J00-J99`.
    pub fn range(&self) -> String {
        format!("{}-{}", self.first, self.last)
    }
}

impl Block {
    /// The range as printed in the nomenclature, e.g. `J00-J06`.
    pub fn range(&self) -> String {
        format!("{}-{}", self.first, self.last)
    }
}

/// Byte range in the text arena of a code set.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub fn get<'a>(&self, arena: &'a str) -> &'a str {
        let start = self.start as usize;
        arena.get(start..start + self.len as usize).unwrap_or("")
    }
}

pub(crate) const NONE16: u16 = u16::MAX;

/// One code as read, before sorting and indexing. Strings are spans in `RawSet::arena`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawCode {
    pub code: Span,
    pub ssr: Span,
    pub short: Span,
    pub long: Span,
    pub mco: u8,
    pub psy: u8,
    pub chapter: u16,
    pub block: u16,
    /// Line of the source file (1-based), for error messages.
    pub line: u32,
}

/// What every reader produces.
#[derive(Debug, Default)]
pub(crate) struct RawSet {
    pub version: String,
    pub arena: String,
    pub codes: Vec<RawCode>,
    pub chapters: Vec<Chapter>,
    pub blocks: Vec<Block>,
}

impl RawSet {
    fn push_str(&mut self, s: &str) -> Result<Span, Cim10Error> {
        let start = u32::try_from(self.arena.len()).map_err(|_| Cim10Error::TooLarge)?;
        let len = u32::try_from(s.len()).map_err(|_| Cim10Error::TooLarge)?;
        self.arena.push_str(s);
        Ok(Span { start, len })
    }
}

/// Decodes a file that is either UTF-8 (with or without BOM) or Windows-1252, as ATIH ships it.
/// Windows-1252 text with accents is never valid UTF-8, so trying UTF-8 first is safe.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252_char(b)).collect(),
    }
}

/// Windows-1252 differs from Latin-1 only in 0x80–0x9F; the five unassigned bytes map to the C1
/// control of the same value, as browsers do.
fn cp1252_char(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    if (0x80..0xA0).contains(&b) {
        HIGH[usize::from(b - 0x80)]
    } else {
        char::from(b)
    }
}

/// Normalises a code typed or read in any form (`j06.9`, ` J069 `) to its raw form (`J069`).
/// Returns `None` when it cannot be a CIM-10 code.
pub(crate) fn normalize_code(input: &str) -> Option<String> {
    let mut out = String::with_capacity(8);
    for c in input.chars() {
        match c {
            '.' | ' ' | '\t' => {}
            c if c.is_ascii_alphanumeric() || c == '+' => out.push(c.to_ascii_uppercase()),
            _ => return None,
        }
    }
    let mut chars = out.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_is_letter || out.len() > 10 {
        return None;
    }
    Some(out)
}

/// A raw code is valid when it is a letter, two digits, then up to five letters, digits or `+`.
fn is_valid_raw_code(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 3
        && b.len() <= 8
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && b[3..]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'+')
}

/// Splits `A00-B99` (with or without brackets) into its two ends.
fn parse_range(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_start_matches('[').trim_end_matches(']');
    let (a, b) = t.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.len() == 3 && b.len() == 3 && is_valid_raw_code(a) && is_valid_raw_code(b) && a <= b {
        Some((a.to_string(), b.to_string()))
    } else {
        None
    }
}

/// The embedded chapter/block table, sorted by first category.
pub(crate) fn embedded_chapters() -> Result<(Vec<Chapter>, Vec<Block>), Cim10Error> {
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut blocks: Vec<Block> = Vec::new();
    for (n, line) in EMBEDDED_CHAPTERS.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || Cim10Error::Embedded(format!("table des chapitres, ligne {}", n + 1));
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 4 {
            return Err(bad());
        }
        let (cf, cl) = parse_range(cols[0]).ok_or_else(bad)?;
        let (bf, bl) = parse_range(cols[2]).ok_or_else(bad)?;
        let chapter = match chapters.iter().position(|c| c.first == cf && c.last == cl) {
            Some(i) => i,
            None => {
                chapters.push(Chapter {
                    first: cf,
                    last: cl,
                    label: cols[1].to_string(),
                });
                chapters.len() - 1
            }
        };
        blocks.push(Block {
            first: bf,
            last: bl,
            label: cols[3].to_string(),
            chapter,
        });
    }
    blocks.sort_by(|a, b| a.first.cmp(&b.first));
    Ok((chapters, blocks))
}

/// Finds the block, then the chapter, that hold `code` (by its category, the first three characters).
/// A code outside every block still gets its chapter when one covers it.
pub(crate) fn locate(code: &str, chapters: &[Chapter], blocks: &[Block]) -> (u16, u16) {
    let cat = code.get(..3).unwrap_or(code);
    let i = blocks.partition_point(|b| b.first.as_str() <= cat);
    if i > 0 {
        let b = &blocks[i - 1];
        if cat <= b.last.as_str() {
            return (to_u16(b.chapter), to_u16(i - 1));
        }
    }
    let chapter = chapters
        .iter()
        .position(|c| c.first.as_str() <= cat && cat <= c.last.as_str())
        .map_or(NONE16, to_u16);
    (chapter, NONE16)
}

fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(NONE16)
}

fn line_error(line: usize, reason: impl Into<String>) -> Cim10Error {
    Cim10Error::InvalidLine {
        line,
        reason: reason.into(),
    }
}

fn check_code(line: usize, code: &str) -> Result<(), Cim10Error> {
    if is_valid_raw_code(code) {
        Ok(())
    } else {
        Err(line_error(
            line,
            format!(
                "code « {code} » invalide : une lettre suivie de deux chiffres est attendue (par exemple J069)"
            ),
        ))
    }
}

fn parse_digit(line: usize, what: &str, text: &str, max: u8) -> Result<u8, Cim10Error> {
    match text.trim().parse::<u8>() {
        Ok(v) if v <= max => Ok(v),
        _ => Err(line_error(
            line,
            format!(
                "{what} « {} » invalide : un chiffre de 0 à {max} est attendu",
                text.trim()
            ),
        )),
    }
}

fn line_u32(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// Reads `LIBCIM10MULTI.TXT`: `code|mco|ssr|psy|short|long`, code without dot and space-padded.
pub(crate) fn read_atih_multi(bytes: &[u8], version: &str) -> Result<RawSet, Cim10Error> {
    let text = decode_text(bytes);
    let (chapters, blocks) = embedded_chapters()?;
    let mut set = RawSet {
        version: version.to_string(),
        arena: String::with_capacity(text.len()),
        codes: Vec::new(),
        chapters,
        blocks,
    };
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut cols: Vec<&str> = line.split('|').collect();
        // Some extractions end every line with a separator: an empty seventh column is harmless.
        if cols.len() == 7 && cols[6].trim().is_empty() {
            cols.pop();
        }
        if cols.len() != 6 {
            return Err(line_error(
                line_no,
                format!(
                    "6 colonnes séparées par « | » sont attendues (code|type MCO|type SSR|type PSY|libellé court|libellé long), {} trouvée(s)",
                    cols.len()
                ),
            ));
        }
        let code = cols[0].trim().to_ascii_uppercase().replace('.', "");
        check_code(line_no, &code)?;
        let mco = parse_digit(line_no, "type MCO/HAD", cols[1], 4)?;
        let psy = parse_digit(line_no, "type PSY", cols[3], 9)?;
        let ssr = cols[2].trim();
        if ssr.len() > 8 || !ssr.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(line_error(line_no, format!("type SSR « {ssr} » invalide")));
        }
        let short = cols[4].trim();
        let long = cols[5].trim();
        if long.is_empty() && short.is_empty() {
            return Err(line_error(
                line_no,
                format!("le code {code} n'a pas de libellé"),
            ));
        }
        let long = if long.is_empty() { short } else { long };
        let (chapter, block) = locate(&code, &set.chapters, &set.blocks);
        let raw = RawCode {
            code: set.push_str(&code)?,
            ssr: set.push_str(ssr)?,
            short: set.push_str(short)?,
            long: set.push_str(long)?,
            mco,
            psy,
            chapter,
            block,
            line: line_u32(line_no),
        };
        set.codes.push(raw);
    }
    Ok(set)
}

/// Splits one CSV line on `sep`, honouring double quotes (`"a;b"`, `""` inside quotes).
fn split_csv(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' && cur.is_empty() {
            quoted = true;
        } else if c == sep {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// Reads the CSV form: `;`-separated (`,` or tab also accepted), a header line naming the columns
/// `code`, `type_mco_had`, `type_ssr`, `type_psy`, `libelle_court`, `libelle_long` and, optionally,
/// `chapitre`, `libelle_chapitre`, `bloc`, `libelle_bloc`. Without chapter columns the embedded
/// table places each code.
pub(crate) fn read_csv(bytes: &[u8], version: &str) -> Result<RawSet, Cim10Error> {
    let text = decode_text(bytes);
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(Cim10Error::Empty);
    };
    let sep = [';', '\t', ',']
        .into_iter()
        .find(|s| header.contains(*s))
        .unwrap_or(';');
    let names: Vec<String> = split_csv(header, sep)
        .into_iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| names.iter().position(|n| n == name);
    let required = |name: &str| {
        col(name).ok_or_else(|| Cim10Error::CsvHeader {
            missing: name.to_string(),
        })
    };
    let c_code = required("code")?;
    let c_long = required("libelle_long")?;
    let c_short = col("libelle_court");
    let c_mco = required("type_mco_had")?;
    let c_ssr = col("type_ssr");
    let c_psy = col("type_psy");
    let c_chap = col("chapitre").zip(col("libelle_chapitre"));
    let c_bloc = col("bloc").zip(col("libelle_bloc"));

    // With chapter columns, the file's own chapters and labels are used; without, the embedded
    // table places each code.
    let (mut chapters, mut blocks) = if c_chap.is_some() && c_bloc.is_some() {
        (Vec::new(), Vec::new())
    } else {
        embedded_chapters()?
    };
    let mut set = RawSet {
        version: version.to_string(),
        arena: String::with_capacity(text.len() / 2),
        ..RawSet::default()
    };
    // Chapter and block of the previous line: consecutive codes nearly always share them.
    let mut last_place: Option<(String, String, u16, u16)> = None;
    for (n, line) in lines {
        let line_no = n + 1;
        let cols = split_csv(line, sep);
        if cols.len() < names.len() {
            return Err(line_error(
                line_no,
                format!(
                    "{} colonnes attendues d'après l'en-tête, {} trouvée(s)",
                    names.len(),
                    cols.len()
                ),
            ));
        }
        let code = cols[c_code].trim().to_ascii_uppercase().replace('.', "");
        check_code(line_no, &code)?;
        let mco = parse_digit(line_no, "type MCO/HAD", &cols[c_mco], 4)?;
        let psy = match c_psy {
            Some(c) => parse_digit(line_no, "type PSY", &cols[c], 9)?,
            None => 0,
        };
        let ssr = c_ssr.map_or("", |c| cols[c].trim());
        let long = cols[c_long].trim();
        let short = c_short.map_or("", |c| cols[c].trim());
        if long.is_empty() {
            return Err(line_error(
                line_no,
                format!("le code {code} n'a pas de libellé long"),
            ));
        }
        let (chapter, block) = match (c_chap, c_bloc) {
            (Some((cr, cl)), Some((br, bl))) => {
                let (chap_text, bloc_text) = (cols[cr].trim(), cols[br].trim());
                match &last_place {
                    Some((c, b, ci, bi)) if c == chap_text && b == bloc_text => (*ci, *bi),
                    _ => {
                        let place = place_from_columns(
                            line_no,
                            (chap_text, cols[cl].trim()),
                            (bloc_text, cols[bl].trim()),
                            &mut chapters,
                            &mut blocks,
                        )?;
                        last_place = Some((
                            chap_text.to_string(),
                            bloc_text.to_string(),
                            place.0,
                            place.1,
                        ));
                        place
                    }
                }
            }
            _ => locate(&code, &chapters, &blocks),
        };
        let raw = RawCode {
            code: set.push_str(&code)?,
            ssr: set.push_str(ssr)?,
            short: set.push_str(short)?,
            long: set.push_str(long)?,
            mco,
            psy,
            chapter,
            block,
            line: line_u32(line_no),
        };
        set.codes.push(raw);
    }
    set.chapters = chapters;
    set.blocks = blocks;
    Ok(set)
}

/// Finds (or adds) the chapter and block named by the CSV columns.
fn place_from_columns(
    line: usize,
    (chap, chap_label): (&str, &str),
    (bloc, bloc_label): (&str, &str),
    chapters: &mut Vec<Chapter>,
    blocks: &mut Vec<Block>,
) -> Result<(u16, u16), Cim10Error> {
    let (cf, cl) = parse_range(chap).ok_or_else(|| {
        line_error(
            line,
            format!("chapitre « {chap} » invalide (forme attendue : [A00-B99])"),
        )
    })?;
    let (bf, bl) = parse_range(bloc).ok_or_else(|| {
        line_error(
            line,
            format!("bloc « {bloc} » invalide (forme attendue : [A00-A09])"),
        )
    })?;
    let ci = match chapters.iter().position(|c| c.first == cf && c.last == cl) {
        Some(i) => i,
        None => {
            chapters.push(Chapter {
                first: cf,
                last: cl,
                label: chap_label.to_string(),
            });
            chapters.len() - 1
        }
    };
    let bi = match blocks.iter().position(|b| b.first == bf && b.last == bl) {
        Some(i) => i,
        None => {
            // Appended, not inserted: codes already read keep their block index.
            blocks.push(Block {
                first: bf,
                last: bl,
                label: bloc_label.to_string(),
                chapter: ci,
            });
            blocks.len() - 1
        }
    };
    Ok((to_u16(ci), to_u16(bi)))
}

/// Writes the compact form (see `data/README.md`), zlib-compressed.
///
/// A label that repeats the label of its parent code and adds to it (most external causes:
/// "Chute d'un lit" → "Chute d'un lit, domicile") is written `^` + the addition, which halves the
/// text to decompress at load.
pub(crate) fn write_compact(
    version: &str,
    chapters: &[Chapter],
    blocks: &[Block],
    codes: impl Iterator<Item = CompactLine>,
) -> Vec<u8> {
    let mut out = String::new();
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    out.push_str(COMPACT_MAGIC);
    out.push('\n');
    out.push_str(&format!("v\t{}\n", clean(version)));
    for c in chapters {
        out.push_str(&format!(
            "h\t{}\t{}\t{}\n",
            c.first,
            c.last,
            clean(&c.label)
        ));
    }
    for b in blocks {
        let label = clean(&b.label);
        out.push_str(&format!(
            "b\t{}\t{}\t{label}\t{}\n",
            b.first, b.last, b.chapter
        ));
    }
    let idx = |i: u16| {
        if i == NONE16 {
            "-".to_string()
        } else {
            i.to_string()
        }
    };
    // Open ancestors of the current code: (code, short, long).
    let mut stack: Vec<(String, String, String)> = Vec::new();
    for c in codes {
        while stack
            .last()
            .is_some_and(|(code, _, _)| !c.code.starts_with(code.as_str()))
        {
            stack.pop();
        }
        let (short, long) = (clean(&c.short), clean(&c.long));
        let (short_out, long_out) = match stack.last() {
            Some((_, ps, pl)) => (shared(ps, &short), shared(pl, &long)),
            None => (short.clone(), long.clone()),
        };
        out.push_str(&format!(
            "c\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{short_out}\t{long_out}\n",
            c.code,
            c.mco,
            c.ssr,
            c.psy,
            c.code.get(..3).unwrap_or(&c.code),
            idx(c.chapter),
            idx(c.block),
        ));
        stack.push((c.code, short, long));
    }
    miniz_oxide::deflate::compress_to_vec_zlib(out.as_bytes(), 10)
}

/// `^rest` when `label` is `parent` followed by `rest` at a word boundary, else `label`.
fn shared(parent: &str, label: &str) -> String {
    match label.strip_prefix(parent) {
        Some(rest)
            if !parent.is_empty()
                && !label.starts_with('^')
                && rest.chars().next().is_some_and(|c| !c.is_alphanumeric()) =>
        {
            format!("^{rest}")
        }
        _ => label.to_string(),
    }
}

/// One code as written to the compact form.
pub(crate) struct CompactLine {
    pub code: String,
    pub mco: u8,
    pub ssr: String,
    pub psy: u8,
    pub chapter: u16,
    pub block: u16,
    pub short: String,
    pub long: String,
}

/// Reads the compact form into a fresh arena (labels written `^rest` are rebuilt from their
/// parent's).
pub(crate) fn read_compact(bytes: &[u8]) -> Result<RawSet, Cim10Error> {
    let bad = |what: String| Cim10Error::Embedded(what);
    let raw = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(bytes, 64 << 20)
        .map_err(|e| bad(format!("décompression impossible : {e:?}")))?;
    let text = std::str::from_utf8(&raw).map_err(|_| bad("texte non UTF-8".to_string()))?;
    let mut set = RawSet {
        arena: String::with_capacity(text.len() * 2),
        codes: Vec::with_capacity(text.len() / 60),
        ..RawSet::default()
    };
    let mut lines = text.split('\n').enumerate();
    match lines.next() {
        Some((_, l)) if l == COMPACT_MAGIC => {}
        _ => return Err(bad("en-tête inconnu".to_string())),
    }
    let index = |s: &str, max: usize, n: usize| -> Result<u16, Cim10Error> {
        if s == "-" {
            return Ok(NONE16);
        }
        match s.parse::<usize>() {
            Ok(i) if i < max => Ok(to_u16(i)),
            _ => Err(bad(format!("ligne {} : indice « {s} » invalide", n + 1))),
        }
    };
    // Open ancestors: (code, short, long) spans in the arena.
    let mut stack: Vec<(Span, Span, Span)> = Vec::new();
    for (n, line) in lines {
        if line.is_empty() {
            continue;
        }
        let mut f = line.split('\t');
        let tag = f.next().unwrap_or("");
        // At most 9 fields; a 10th makes the count wrong, which is reported below.
        let mut cols = [""; 9];
        let mut count = 0;
        for part in f {
            if count == cols.len() {
                count += 1;
                break;
            }
            cols[count] = part;
            count += 1;
        }
        let malformed = || bad(format!("ligne {} mal formée", n + 1));
        match (tag, count) {
            ("v", 1) => set.version = cols[0].to_string(),
            ("h", 3) => set.chapters.push(Chapter {
                first: cols[0].to_string(),
                last: cols[1].to_string(),
                label: cols[2].to_string(),
            }),
            ("b", 4) => {
                let chapter = usize::from(index(cols[3], set.chapters.len(), n)?);
                set.blocks.push(Block {
                    first: cols[0].to_string(),
                    last: cols[1].to_string(),
                    label: cols[2].to_string(),
                    chapter,
                });
            }
            ("c", 9) => {
                let code = cols[0];
                if !is_valid_raw_code(code) || code.get(..3) != Some(cols[4]) {
                    return Err(malformed());
                }
                while stack
                    .last()
                    .is_some_and(|(c, _, _)| !code.starts_with(c.get(&set.arena)))
                {
                    stack.pop();
                }
                let parent = stack.last().copied();
                let code_span = set.push_str(code)?;
                let mut label = |field: &str, from: Option<Span>| -> Result<Span, Cim10Error> {
                    match (field.strip_prefix('^'), from) {
                        (Some(rest), Some(p)) => {
                            let start = set.arena.len();
                            set.arena
                                .extend_from_within(p.start as usize..(p.start + p.len) as usize);
                            set.arena.push_str(rest);
                            Ok(Span {
                                start: u32::try_from(start).map_err(|_| Cim10Error::TooLarge)?,
                                len: u32::try_from(set.arena.len() - start)
                                    .map_err(|_| Cim10Error::TooLarge)?,
                            })
                        }
                        (Some(_), None) => Err(malformed()),
                        (None, _) => set.push_str(field),
                    }
                };
                let short = label(cols[7], parent.map(|p| p.1))?;
                let long = label(cols[8], parent.map(|p| p.2))?;
                let raw = RawCode {
                    code: code_span,
                    mco: cols[1].parse().map_err(|_| malformed())?,
                    ssr: set.push_str(cols[2])?,
                    psy: cols[3].parse().map_err(|_| malformed())?,
                    chapter: index(cols[5], set.chapters.len(), n)?,
                    block: index(cols[6], set.blocks.len(), n)?,
                    short,
                    long,
                    line: line_u32(n + 1),
                };
                set.codes.push(raw);
                stack.push((code_span, short, long));
            }
            _ => return Err(malformed()),
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_decode_to_the_right_letters() {
        // 0xE9 is é in Latin-1 and Windows-1252; 0x9C is œ only in Windows-1252; 0x80 is €.
        let bytes = b"C\xE9phal\xE9e, \x9Cd\xE8me \x80";
        assert_eq!(decode_text(bytes), "Céphalée, œdème €");
    }

    #[test]
    fn utf8_with_bom_is_read_as_utf8() {
        // A UTF-8 file must not be re-decoded as Windows-1252 (that would give "Ã©").
        let bytes = "\u{FEFF}Céphalée".as_bytes();
        assert_eq!(decode_text(bytes), "Céphalée");
    }

    #[test]
    fn codes_are_normalised_from_any_form() {
        // What a doctor types and what the files hold must meet in one raw form.
        let cases = [
            ("j06.9", Some("J069")),
            (" J069 ", Some("J069")),
            ("b24.+0", Some("B24+0")),
            ("otite", Some("OTITE")),
            ("é12", None),
            ("12", None),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_code(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn raw_code_validation() {
        let cases = [
            ("J06", true),
            ("J069", true),
            ("B24+0", true),
            ("U0710", true),
            ("J6", false),
            ("j069", false),
            ("JJ06", false),
            ("J06.9", false),
        ];
        for (code, ok) in cases {
            assert_eq!(is_valid_raw_code(code), ok, "{code}");
        }
    }

    #[test]
    fn embedded_table_places_codes_in_their_block() {
        // J06 is in block J00-J06 of chapter J00-J99; S93 in S90-S99 of chapter S00-T98.
        let (chapters, blocks) = embedded_chapters().expect("embedded table");
        let cases = [
            ("J069", "J00-J99", "J00-J06"),
            ("S934", "S00-T98", "S90-S99"),
        ];
        for (code, chap, bloc) in cases {
            let (c, b) = locate(code, &chapters, &blocks);
            assert_eq!(chapters[usize::from(c)].range(), chap, "{code}");
            assert_eq!(blocks[usize::from(b)].range(), bloc, "{code}");
        }
    }

    #[test]
    fn csv_quotes_are_honoured() {
        assert_eq!(
            split_csv(r#"A00;"a;b";"say ""hi""";"#, ';'),
            vec!["A00", "a;b", "say \"hi\"", ""]
        );
    }
}
