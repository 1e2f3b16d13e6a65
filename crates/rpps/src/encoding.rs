//! Text encoding of an RPPS extract: UTF-8 in recent files, Latin-1 in older ones.

/// The encoding the reader decided for a file.
///
/// The decision is taken once per file, from the first line that holds a non-ASCII byte (in
/// practice the header, whose names carry accents): if that line is valid UTF-8 the whole file is
/// read as UTF-8, otherwise as Latin-1. A UTF-8 byte-order mark decides UTF-8 at once. Deciding per
/// file rather than per line keeps a damaged line of a UTF-8 file from being silently read as
/// Latin-1 mojibake: it is reported as malformed instead. The price: a UTF-8 file whose *first*
/// non-ASCII line is damaged would be read as Latin-1; the header nearly always decides first,
/// since its names carry accents (`Libellé`, `Prénom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8; a line that is not valid UTF-8 is malformed.
    Utf8,
    /// ISO-8859-1, decoded as Windows-1252 (its superset used by French Windows tools, which
    /// gives `Œ`, `œ`, `’`, `€` for bytes 0x80–0x9F). Every byte decodes.
    Latin1,
}

impl std::fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Latin1 => "Latin-1",
        })
    }
}

/// Windows-1252 code points for bytes 0x80–0x9F; the five bytes it leaves undefined map to the
/// C1 control of the same value, as the WHATWG encoding standard does.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{0081}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{008D}', '\u{017D}', '\u{008F}',
    '\u{0090}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}', '\u{009D}', '\u{017E}', '\u{0178}',
];

/// Decodes Latin-1 (as Windows-1252) bytes, appending to `out`.
pub(crate) fn decode_latin1_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        let c = match b {
            0x00..=0x7F => char::from(b),
            0x80..=0x9F => CP1252_HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        };
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_bytes_decode_to_french_letters() {
        // "Hélène Œuvre ’" in Windows-1252: é=E9, è=E8, Œ=8C, ’=92.
        let bytes = b"H\xe9l\xe8ne \x8cuvre \x92";
        let mut out = String::new();
        decode_latin1_into(bytes, &mut out);
        assert_eq!(out, "Hélène Œuvre ’");
    }
}
