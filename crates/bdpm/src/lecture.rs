//! Reading one file of a release, in two streaming passes: the first hashes the bytes and finds
//! the encoding (valid UTF-8, else Windows-1252: one official download mixes both, so each file
//! is decided on its own), the second yields its lines decoded, without their end (CRLF or LF)
//! and without the byte order mark some UTF-8 files start with.

use std::io::{BufRead, Read};

use sha2::{Digest, Sha256};

use crate::erreur::BdpmError;

/// How a file's bytes are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encodage {
    /// The whole file is valid UTF-8 (a byte order mark, if any, is dropped).
    Utf8,
    /// Anything else: the ANSM's historical encoding.
    Windows1252,
}

/// What the first pass learns of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Examen {
    pub encodage: Encodage,
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    pub octets: u64,
}

/// First pass: hashes `r` and checks whether it is valid UTF-8, 64 KiB at a time.
pub fn examiner<R: Read>(mut r: R, fichier: &'static str) -> Result<Examen, BdpmError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    // Bytes of a UTF-8 sequence cut by the end of the previous chunk (at most 3).
    let mut reste: Vec<u8> = Vec::with_capacity(8);
    let mut utf8 = true;
    let mut octets = 0u64;
    loop {
        let n = match r.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(BdpmError::Lecture { fichier, source }),
        };
        let chunk = &buffer[..n];
        hasher.update(chunk);
        octets += n as u64;
        if utf8 {
            utf8 = valider_utf8(&mut reste, chunk);
        }
    }
    Ok(Examen {
        encodage: if utf8 && reste.is_empty() {
            Encodage::Utf8
        } else {
            Encodage::Windows1252
        },
        sha256: hasher.finalize().into(),
        octets,
    })
}

/// Validates `reste` + `chunk` as the continuation of a UTF-8 text; keeps in `reste` an
/// incomplete sequence at its end. False at the first invalid byte.
fn valider_utf8(reste: &mut Vec<u8>, chunk: &[u8]) -> bool {
    // Copies only when a sequence was cut by the previous chunk's end (rare with 64 KiB chunks).
    let joint;
    let donnees: &[u8] = if reste.is_empty() {
        chunk
    } else {
        joint = [reste.as_slice(), chunk].concat();
        &joint
    };
    let resultat = std::str::from_utf8(donnees);
    reste.clear();
    match resultat {
        Ok(_) => true,
        Err(e) if e.error_len().is_none() => {
            reste.extend_from_slice(&donnees[e.valid_up_to()..]);
            true
        }
        Err(_) => false,
    }
}

/// Second pass: the lines of a file, decoded, numbered from 1, blank lines skipped.
pub struct Lignes<R> {
    lecteur: R,
    fichier: &'static str,
    encodage: Encodage,
    numero: u64,
    octets: Vec<u8>,
}

impl<R: BufRead> Lignes<R> {
    pub fn new(lecteur: R, fichier: &'static str, encodage: Encodage) -> Self {
        Lignes {
            lecteur,
            fichier,
            encodage,
            numero: 0,
            octets: Vec::with_capacity(512),
        }
    }

    /// The next non-blank line and its number; `None` at the end of the file.
    pub fn suivante(&mut self) -> Option<Result<(u64, String), BdpmError>> {
        loop {
            self.octets.clear();
            let lu = match self.lecteur.read_until(b'\n', &mut self.octets) {
                Ok(0) => return None,
                Ok(n) => n,
                Err(source) => {
                    return Some(Err(BdpmError::Lecture {
                        fichier: self.fichier,
                        source,
                    }));
                }
            };
            self.numero += 1;
            let termine = self.octets.last() == Some(&b'\n');
            let mut corps = &self.octets[..lu];
            while let [debut @ .., b'\n' | b'\r'] = corps {
                corps = debut;
            }
            if self.numero == 1 {
                corps = corps.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(corps);
            }
            if corps.iter().all(|b| b.is_ascii_whitespace()) {
                if termine {
                    continue;
                }
                return None;
            }
            if !termine {
                return Some(Err(BdpmError::Tronque {
                    fichier: self.fichier,
                    ligne: self.numero,
                }));
            }
            let texte = match self.encodage {
                Encodage::Utf8 => String::from_utf8_lossy(corps).into_owned(),
                Encodage::Windows1252 => encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(corps)
                    .0
                    .into_owned(),
            };
            return Some(Ok((self.numero, texte)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examen(bytes: &[u8]) -> Encodage {
        examiner(bytes, "CIS_bdpm.txt").unwrap().encodage
    }

    /// A reader that hands out one byte per call, so that every UTF-8 sequence is cut.
    struct OctetParOctet<'a>(&'a [u8]);

    impl Read for OctetParOctet<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match self.0.split_first() {
                Some((b, rest)) if !buf.is_empty() => {
                    buf[0] = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn encoding_is_decided_per_file() {
        assert_eq!(examen("comprimé pelliculé\n".as_bytes()), Encodage::Utf8);
        assert_eq!(examen(b"comprim\xe9 pellicul\xe9\n"), Encodage::Windows1252);
        assert_eq!(examen(b"plain ascii\n"), Encodage::Utf8);
        // A UTF-8 sequence cut at the very end of the file is not UTF-8.
        assert_eq!(examen(b"comprim\xc3"), Encodage::Windows1252);
    }

    #[test]
    fn sequences_cut_between_reads_are_still_utf8() {
        let text = "Œstradiol, comprimé — 100 µg €\n".repeat(3);
        let e = examiner(OctetParOctet(text.as_bytes()), "CIS_bdpm.txt").unwrap();
        assert_eq!(e.encodage, Encodage::Utf8);
        assert_eq!(e.octets, text.len() as u64);
        let e = examiner(OctetParOctet(b"caf\xe9 cr\xe8me\n"), "CIS_bdpm.txt").unwrap();
        assert_eq!(e.encodage, Encodage::Windows1252);
    }

    fn lignes(bytes: &[u8], encodage: Encodage) -> Vec<Result<(u64, String), String>> {
        let mut l = Lignes::new(bytes, "CIS_bdpm.txt", encodage);
        let mut out = Vec::new();
        while let Some(r) = l.suivante() {
            let stop = r.is_err();
            out.push(r.map_err(|e| e.to_string()));
            if stop {
                break;
            }
        }
        out
    }

    #[test]
    fn line_ends_bom_and_blank_lines() {
        let got = lignes(b"\xEF\xBB\xBFa\tb\r\n\r\nc\td\t\n", Encodage::Utf8);
        assert_eq!(
            got,
            vec![Ok((1, "a\tb".to_owned())), Ok((3, "c\td\t".to_owned()))]
        );
        let got = lignes(b"cr\xe8me\r\n", Encodage::Windows1252);
        assert_eq!(got, vec![Ok((1, "crème".to_owned()))]);
    }

    #[test]
    fn an_unterminated_last_line_is_a_truncated_file() {
        let got = lignes(b"a\tb\nc\td", Encodage::Utf8);
        assert_eq!(got[0], Ok((1, "a\tb".to_owned())));
        let erreur = got[1].clone().unwrap_err();
        assert!(
            erreur.contains("tronqué") && erreur.contains("n° 2"),
            "{erreur}"
        );
    }
}
