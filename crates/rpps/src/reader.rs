//! The streaming reader of `PS_LibreAcces_Personne_activite`.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, ErrorKind};
use std::path::Path;

use appligarde_domain::luhn::is_valid_rpps;

use crate::columns::{Column, ColumnMap};
use crate::encoding::{TextEncoding, decode_latin1_into};
use crate::error::RppsError;
use crate::record::{ActiviteRpps, Adresse, CodeLibelle, Site};

/// How many malformed lines the report lists by number; the total is always counted.
pub const MAX_REPORTED_LINES: usize = 1000;

/// Longest line accepted, in bytes. Real lines are under 2 KiB; a longer one is malformed, and
/// the cap keeps a file without line breaks from filling the memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Which lines to keep. `None` keeps everything; `Some(list)` keeps lines whose code is in the
/// list (an empty list keeps nothing). Codes are compared exactly, after trimming the file's
/// value: professions by `Code profession` (`10` = Médecin), départements by
/// `Code Département (structure)` (`44`, `2A`, `974`...). A line whose département is blank is
/// dropped by a département filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtre {
    /// Profession codes to keep.
    pub professions: Option<Vec<String>>,
    /// Département codes to keep.
    pub departements: Option<Vec<String>>,
}

impl Filtre {
    /// True when a line with these codes passes the filter.
    pub fn accepts(&self, code_profession: &str, code_departement: &str) -> bool {
        fn within(list: Option<&Vec<String>>, value: &str) -> bool {
            list.is_none_or(|l| l.iter().any(|c| c == value))
        }
        within(self.professions.as_ref(), code_profession)
            && within(self.departements.as_ref(), code_departement)
    }
}

/// The column layout found in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The older 52-column extract.
    Legacy52,
    /// The newer 56-column extract (fonction and genre d'activité added at the end).
    Current56,
    /// Another number of columns; parsed by name all the same.
    Other(usize),
}

/// Why a line was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MalformedReason {
    /// The line does not have as many fields as the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the line.
        found: usize,
    },
    /// `Identifiant PP` is blank.
    MissingRpps,
    /// `Identifiant PP` is not 11 digits with a valid Luhn key.
    InvalidRpps,
    /// The line is not valid UTF-8 in a UTF-8 file.
    InvalidEncoding,
    /// The line is longer than [`MAX_LINE_BYTES`].
    TooLong,
}

impl fmt::Display for MalformedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MalformedReason::FieldCount { expected, found } => {
                write!(f, "{found} champs au lieu de {expected}")
            }
            MalformedReason::MissingRpps => f.write_str("numéro RPPS absent"),
            MalformedReason::InvalidRpps => {
                f.write_str("numéro RPPS invalide (11 chiffres dont une clé de contrôle attendus)")
            }
            MalformedReason::InvalidEncoding => {
                f.write_str("caractères illisibles (texte UTF-8 invalide)")
            }
            MalformedReason::TooLong => {
                write!(f, "ligne trop longue (plus de {MAX_LINE_BYTES} octets)")
            }
        }
    }
}

/// One line set aside, by number (1 is the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MalformedLine {
    /// Line number in the file, as a text editor counts them.
    pub line: u64,
    /// Why it was set aside.
    pub reason: MalformedReason,
}

/// What the reader did with the lines so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Non-blank lines after the header.
    pub data_lines: u64,
    /// Blank lines (ignored, not counted as malformed: they carry nothing to lose).
    pub blank_lines: u64,
    /// Activities yielded.
    pub records: u64,
    /// Well-formed lines dropped by the [`Filtre`].
    pub filtered_out: u64,
    /// All malformed lines.
    pub malformed_total: u64,
    /// The first [`MAX_REPORTED_LINES`] malformed lines, in file order.
    pub malformed: Vec<MalformedLine>,
}

impl ImportReport {
    fn set_aside(&mut self, line: u64, reason: MalformedReason) {
        self.malformed_total += 1;
        if self.malformed.len() < MAX_REPORTED_LINES {
            self.malformed.push(MalformedLine { line, reason });
        }
    }
}

/// A French summary for the person who ran the import.
impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ligne(s) lue(s) : {} activité(s) retenue(s), {} hors du filtre",
            self.data_lines, self.records, self.filtered_out
        )?;
        if self.malformed_total == 0 {
            return f.write_str(", aucune ligne mal formée.");
        }
        write!(
            f,
            ", {} ligne(s) mal formée(s) ignorée(s)",
            self.malformed_total
        )?;
        const SHOWN: usize = 10;
        for (i, m) in self.malformed.iter().take(SHOWN).enumerate() {
            let sep = if i == 0 { " (" } else { ", " };
            write!(f, "{sep}ligne {} : {}", m.line, m.reason)?;
        }
        if self.malformed_total > SHOWN as u64 {
            f.write_str(", …")?;
        }
        f.write_str(").")
    }
}

enum LineRead {
    Eof,
    Line,
    TooLong,
}

/// Reads `PS_LibreAcces_Personne_activite` one activity at a time.
///
/// The header is read by [`RppsReader::new`]; then the reader is an iterator of activities. Memory
/// stays flat whatever the size of the file: one reused line buffer (at most [`MAX_LINE_BYTES`]),
/// one reused decoding buffer, and the report (at most [`MAX_REPORTED_LINES`] entries).
///
/// The iterator yields `Err` only when reading fails (then it ends); malformed lines are skipped
/// and recorded in [`RppsReader::report`]. Line endings may be LF or CRLF; the trailing `|` of
/// each line is optional; fields are trimmed of ASCII white space. See [`TextEncoding`] for how
/// the encoding is chosen.
#[derive(Debug)]
pub struct RppsReader<R> {
    inner: R,
    line: Vec<u8>,
    /// The text of the last line read, decoded.
    decoded: String,
    /// Where each known column's value is in `decoded`, for the last line parsed (trimmed).
    slots: [(u32, u32); Column::COUNT],
    map: ColumnMap,
    encoding: Option<TextEncoding>,
    filter: Filtre,
    report: ImportReport,
    bytes_read: u64,
    total_bytes: Option<u64>,
    line_no: u64,
    finished: bool,
}

impl RppsReader<BufReader<File>> {
    /// Opens a file and reads its header; [`RppsReader::total_bytes`] then gives its size.
    pub fn open(path: impl AsRef<Path>, filter: Filtre) -> Result<Self, RppsError> {
        let path = path.as_ref();
        let open_error = |source| RppsError::Open {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(open_error)?;
        let size = file.metadata().map_err(open_error)?.len();
        let mut reader = Self::with_filter(BufReader::with_capacity(1 << 16, file), filter)?;
        reader.total_bytes = Some(size);
        Ok(reader)
    }
}

impl<R: BufRead> RppsReader<R> {
    /// Reads the header of `inner` and keeps every line.
    pub fn new(inner: R) -> Result<Self, RppsError> {
        Self::with_filter(inner, Filtre::default())
    }

    /// Reads the header of `inner` and keeps the lines that pass `filter`.
    pub fn with_filter(inner: R, filter: Filtre) -> Result<Self, RppsError> {
        let mut reader = Self {
            inner,
            line: Vec::with_capacity(4096),
            decoded: String::with_capacity(4096),
            slots: [(0, 0); Column::COUNT],
            map: ColumnMap {
                by_index: Vec::new(),
                field_count: 0,
            },
            encoding: None,
            filter,
            report: ImportReport::default(),
            bytes_read: 0,
            total_bytes: None,
            line_no: 0,
            finished: false,
        };
        reader.read_header()?;
        Ok(reader)
    }

    fn read_header(&mut self) -> Result<(), RppsError> {
        loop {
            match self.read_line().map_err(RppsError::Read)? {
                LineRead::Eof => return Err(RppsError::EmptyFile),
                LineRead::TooLong => return Err(RppsError::HeaderTooLong(MAX_LINE_BYTES)),
                LineRead::Line => {}
            }
            self.line_no += 1;
            let mut start = 0;
            if self.line_no == 1 && self.line.starts_with(UTF8_BOM) {
                self.encoding = Some(TextEncoding::Utf8);
                start = UTF8_BOM.len();
            }
            let end = content_end(&self.line);
            let bytes = &self.line[start..end.max(start)];
            if is_blank(bytes) {
                continue;
            }
            if !decode(bytes, &mut self.encoding, &mut self.decoded) {
                return Err(RppsError::HeaderEncoding);
            }
            let text = self.decoded.as_str();
            let mut fields: Vec<&str> = text.split('|').collect();
            if fields.len() > 1 && fields.last().is_some_and(|f| f.trim().is_empty()) {
                fields.pop();
            }
            self.map = ColumnMap::from_header(fields.into_iter())
                .map_err(|columns| RppsError::MissingColumns { columns })?;
            return Ok(());
        }
    }

    /// Reads one line into `self.line` (terminator included), without ever holding more than
    /// [`MAX_LINE_BYTES`]: the rest of a longer line is skipped.
    fn read_line(&mut self) -> io::Result<LineRead> {
        self.line.clear();
        let mut too_long = false;
        let mut total = 0usize;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                return Ok(match (total, too_long) {
                    (0, _) => LineRead::Eof,
                    (_, true) => LineRead::TooLong,
                    (_, false) => LineRead::Line,
                });
            }
            let (taken, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            if !too_long {
                if self.line.len() + taken > MAX_LINE_BYTES {
                    too_long = true;
                    self.line.clear();
                } else {
                    self.line.extend_from_slice(&available[..taken]);
                }
            }
            self.inner.consume(taken);
            total += taken;
            self.bytes_read += taken as u64;
            if complete {
                return Ok(if too_long {
                    LineRead::TooLong
                } else {
                    LineRead::Line
                });
            }
        }
    }

    /// Parses the line in `self.line` into `self.decoded` and `self.slots`: `Ok(false)` when the
    /// filter drops it.
    fn parse_line(&mut self) -> Result<bool, MalformedReason> {
        let end = content_end(&self.line);
        if !decode(&self.line[..end], &mut self.encoding, &mut self.decoded) {
            return Err(MalformedReason::InvalidEncoding);
        }
        let text = self.decoded.as_str();

        // One pass over the bytes: `|` is ASCII, so every cut falls on a character boundary in
        // UTF-8 text. Fields are short, so a plain loop beats a call to memchr per field.
        let mut slots = [(0u32, 0u32); Column::COUNT];
        let bytes = text.as_bytes();
        let mut found = 0usize;
        let mut start = 0usize;
        let last_blank = loop {
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'|')
                .map_or(bytes.len(), |p| start + p);
            // Trimming ASCII white space keeps the cuts on character boundaries.
            let raw = &bytes[start..end];
            let a = start + (raw.len() - raw.trim_ascii_start().len());
            let b = a + raw.trim_ascii().len();
            if let Some(Some(slot)) = self.map.by_index.get(found) {
                // A line is at most MAX_LINE_BYTES, twice that once decoded from Latin-1.
                slots[*slot] = (a as u32, b as u32);
            }
            found += 1;
            if end == bytes.len() {
                break a == b;
            }
            start = end + 1;
        };
        let expected = self.map.field_count;
        // The trailing `|` gives one more, empty, field; a line without it is accepted too.
        if found != expected && !(found == expected + 1 && last_blank) {
            let trailing_pipe = text.trim_end().ends_with('|');
            return Err(MalformedReason::FieldCount {
                expected,
                found: found - usize::from(trailing_pipe),
            });
        }

        let get = |c: Column| cut(text, slots[c.slot()]);
        if !self
            .filter
            .accepts(get(Column::CodeProfession), get(Column::CodeDepartement))
        {
            return Ok(false);
        }
        let rpps = get(Column::IdentifiantPp);
        if rpps.is_empty() {
            return Err(MalformedReason::MissingRpps);
        }
        if !is_valid_rpps(rpps) {
            return Err(MalformedReason::InvalidRpps);
        }
        self.slots = slots;
        Ok(true)
    }

    /// The activity of the last line parsed, borrowing its text.
    fn current(&self) -> ActiviteRpps<&str> {
        let get = |c: Column| cut(&self.decoded, self.slots[c.slot()]);
        let pair = |code: Column, libelle: Column| CodeLibelle {
            code: get(code),
            libelle: get(libelle),
        };
        ActiviteRpps {
            ligne: self.line_no,
            type_identifiant: get(Column::TypeIdentifiant),
            rpps: get(Column::IdentifiantPp),
            identification_nationale: get(Column::IdentificationNationale),
            civilite: pair(
                Column::CodeCiviliteExercice,
                Column::LibelleCiviliteExercice,
            ),
            nom: get(Column::Nom),
            prenom: get(Column::Prenom),
            profession: pair(Column::CodeProfession, Column::LibelleProfession),
            site: Site {
                savoir_faire: pair(Column::CodeSavoirFaire, Column::LibelleSavoirFaire),
                mode_exercice: pair(Column::CodeModeExercice, Column::LibelleModeExercice),
                fonction: pair(Column::CodeFonction, Column::LibelleFonction),
                identifiant_structure: get(Column::IdentifiantStructure),
                siret: get(Column::Siret),
                finess: get(Column::Finess),
                raison_sociale: get(Column::RaisonSociale),
                enseigne: get(Column::Enseigne),
                adresse: Adresse {
                    numero_voie: get(Column::NumeroVoie),
                    indice_repetition: get(Column::IndiceRepetition),
                    type_voie: pair(Column::CodeTypeVoie, Column::LibelleTypeVoie),
                    libelle_voie: get(Column::LibelleVoie),
                    complement_destinataire: get(Column::ComplementDestinataire),
                    complement_point_geo: get(Column::ComplementPointGeo),
                    mention_distribution: get(Column::MentionDistribution),
                    bureau_cedex: get(Column::BureauCedex),
                    code_postal: get(Column::CodePostal),
                    code_commune: get(Column::CodeCommune),
                    libelle_commune: get(Column::LibelleCommune),
                },
                telephone: get(Column::Telephone),
                telephone2: get(Column::Telephone2),
                telecopie: get(Column::Telecopie),
                email: get(Column::Email),
                departement: pair(Column::CodeDepartement, Column::LibelleDepartement),
            },
        }
    }

    /// The next activity, borrowing its text from the reader (valid until the next call): what
    /// the iterator yields, without allocating a string per field. `None` at the end; `Err`
    /// only when reading fails (then it ends).
    pub fn next_borrowed(&mut self) -> Option<Result<ActiviteRpps<&str>, RppsError>> {
        match self.advance()? {
            Ok(()) => Some(Ok(self.current())),
            Err(e) => Some(Err(e)),
        }
    }

    /// Reads lines up to the next one kept: `Some(Ok(()))` when `self.slots` holds it.
    fn advance(&mut self) -> Option<Result<(), RppsError>> {
        while !self.finished {
            let read = match self.read_line() {
                Ok(read) => read,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(RppsError::Read(e)));
                }
            };
            match read {
                LineRead::Eof => self.finished = true,
                LineRead::TooLong => {
                    self.line_no += 1;
                    self.report.data_lines += 1;
                    self.report
                        .set_aside(self.line_no, MalformedReason::TooLong);
                }
                LineRead::Line => {
                    self.line_no += 1;
                    if is_blank(&self.line) {
                        self.report.blank_lines += 1;
                        continue;
                    }
                    self.report.data_lines += 1;
                    match self.parse_line() {
                        Ok(true) => {
                            self.report.records += 1;
                            return Some(Ok(()));
                        }
                        Ok(false) => self.report.filtered_out += 1,
                        Err(reason) => self.report.set_aside(self.line_no, reason),
                    }
                }
            }
        }
        None
    }

    /// Bytes consumed so far, header included: with the file size, a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Size of the file when opened with [`RppsReader::open`].
    pub fn total_bytes(&self) -> Option<u64> {
        self.total_bytes
    }

    /// Number of the last line read (1 is the header).
    pub fn line_number(&self) -> u64 {
        self.line_no
    }

    /// The encoding decided so far (`None` while every byte read was ASCII).
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// Number of columns in the header (the trailing `|` not counted).
    pub fn column_count(&self) -> usize {
        self.map.field_count
    }

    /// The layout of the header.
    pub fn layout(&self) -> Layout {
        match self.map.field_count {
            52 => Layout::Legacy52,
            56 => Layout::Current56,
            n => Layout::Other(n),
        }
    }

    /// What happened to the lines read so far.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// The final report, once the iterator is drained.
    pub fn into_report(self) -> ImportReport {
        self.report
    }
}

impl<R: BufRead> Iterator for RppsReader<R> {
    type Item = Result<ActiviteRpps, RppsError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_borrowed().map(|r| r.map(|a| a.to_owned_record()))
    }
}

/// A field of a line, by its place in the line's text.
fn cut(text: &str, (start, end): (u32, u32)) -> &str {
    text.get(start as usize..end as usize).unwrap_or("")
}

/// End of the line's content: without the `\n` or `\r\n` terminator.
fn content_end(line: &[u8]) -> usize {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
    }
    if end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    end
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Decodes a line in the file's encoding into `out`, deciding the encoding on the first
/// non-ASCII line. False when a UTF-8 file's line is not valid UTF-8.
fn decode(bytes: &[u8], encoding: &mut Option<TextEncoding>, out: &mut String) -> bool {
    out.clear();
    match encoding {
        Some(TextEncoding::Latin1) if !bytes.is_ascii() => decode_latin1_into(bytes, out),
        Some(_) => match std::str::from_utf8(bytes) {
            Ok(text) => out.push_str(text),
            Err(_) => return false,
        },
        None => match std::str::from_utf8(bytes) {
            Ok(text) => {
                if !text.is_ascii() {
                    *encoding = Some(TextEncoding::Utf8);
                }
                out.push_str(text);
            }
            Err(_) => {
                *encoding = Some(TextEncoding::Latin1);
                decode_latin1_into(bytes, out);
            }
        },
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_table() {
        let some = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        let cases = [
            // (professions, départements, line's profession, line's département, kept)
            (None, None, "10", "44", true),
            (some(&["10"]), None, "10", "85", true),
            (some(&["10"]), None, "21", "85", false),
            (None, some(&["44", "85"]), "60", "85", true),
            (None, some(&["44", "85"]), "60", "49", false),
            (None, some(&["44"]), "10", "", false),
            (some(&["10"]), some(&["44"]), "10", "44", true),
            (some(&["10"]), some(&["44"]), "10", "72", false),
            (some(&[]), None, "10", "44", false),
        ];
        for (professions, departements, p, d, kept) in cases {
            let f = Filtre {
                professions,
                departements,
            };
            assert_eq!(f.accepts(p, d), kept, "{f:?} on ({p}, {d})");
        }
    }

    #[test]
    fn line_terminators_are_stripped() {
        let cases: [(&[u8], usize); 5] = [
            (b"a|b|\r\n", 4),
            (b"a|b|\n", 4),
            (b"a|b|", 4),
            (b"\r\n", 0),
            (b"", 0),
        ];
        for (line, end) in cases {
            assert_eq!(content_end(line), end, "{line:?}");
        }
    }

    #[test]
    fn report_summary_lists_the_first_bad_lines_in_french() {
        let mut r = ImportReport {
            data_lines: 5,
            records: 3,
            ..ImportReport::default()
        };
        r.set_aside(4, MalformedReason::InvalidRpps);
        r.set_aside(
            6,
            MalformedReason::FieldCount {
                expected: 56,
                found: 12,
            },
        );
        let text = r.to_string();
        assert!(text.contains("2 ligne(s) mal formée(s)"), "{text}");
        assert!(text.contains("ligne 4 : numéro RPPS invalide"), "{text}");
        assert!(text.contains("ligne 6 : 12 champs au lieu de 56"), "{text}");
    }

    #[test]
    fn report_keeps_only_the_first_line_numbers_but_counts_all() {
        let mut r = ImportReport::default();
        for line in 0..(MAX_REPORTED_LINES as u64 + 50) {
            r.set_aside(line + 2, MalformedReason::MissingRpps);
        }
        assert_eq!(r.malformed_total, MAX_REPORTED_LINES as u64 + 50);
        assert_eq!(r.malformed.len(), MAX_REPORTED_LINES);
        assert_eq!(r.malformed.first().map(|m| m.line), Some(2));
    }

    #[test]
    fn a_line_without_end_does_not_fill_the_memory() {
        // A header, then 4 MiB without a line break: the reader must skip it with a bounded
        // buffer and report one over-long line.
        let header = crate::bench_support::HEADER_56;
        let mut input = format!("{header}\n").into_bytes();
        input.extend(std::iter::repeat_n(b'x', 4 << 20));
        let mut reader = RppsReader::new(io::Cursor::new(&input)).expect("valid header");
        assert!(reader.next().is_none(), "nothing to yield");
        assert!(
            reader.line.capacity() <= 2 * MAX_LINE_BYTES,
            "line buffer grew to {}",
            reader.line.capacity()
        );
        assert_eq!(
            reader.report().malformed[0].reason,
            MalformedReason::TooLong
        );
        assert_eq!(reader.bytes_read(), input.len() as u64);
    }
}
