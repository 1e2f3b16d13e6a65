//! Syndromic indicators: which syndromes a CIM-10 diagnosis belongs to, and the age classes
//! Santé publique France counts them in.
//!
//! The syndromes are data (`data/syndromes.tsv`, embedded): each one a set of CIM-10 codes with
//! its source (Santé publique France's published list for acute respiratory infections, the
//! FEDORU sub-chapters the ORUs use, or the CIM-10's own categories where no list was at hand, said
//! so on its line).
//!
//! How a stored code matches a list (the codes of a consultation may be more precise than the
//! list, or carry a PMSI extension): both are normalised ([`normaliser`]: upper case, letters and
//! digits only, so `J21.9`, `j21.9` and `J219` are one code, and `S72.0+0` is `S7200`); a listed
//! code covers itself and every code that extends it, unless the list also names some of its
//! sub-codes: then the list chose them, and the listed code covers only itself exactly. So FEDORU's
//! `A02 A020 A022 A028 A029` takes `A02.0` and `A02.9` but not `A02.1` (a salmonella sepsis, in
//! FEDORU's sepsis sub-chapter), and SPF's `U07.1 U07.10 U07.11 ...` takes `U07.11` but not
//! `U07.13`, which its list leaves out.
//!
//! Age classes: those of Santé publique France's SurSaUD bulletins for SOS Médecins and OSCOUR
//! (« moins de 2 ans », « 2-14 ans », « 15-74 ans », « 75 ans ou plus »; e.g. the « Bulletin
//! national d'information SOS Médecins du 16 décembre 2024», santepubliquefrance.fr, section
//! surveillance-syndromique-sursaud). The SPF definition at hand (IRA) names no class, only that
//! the denominator is taken « pour la même classe d'âge »: here, the consultations with at least one
//! diagnosis (« au moins un diagnostic médical codé ») in the same class.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// The data file, as kept in the repository.
pub const DONNEES: &str = include_str!("../data/syndromes.tsv");

/// One syndrome: its stable code, French label, source and codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syndrome {
    /// `ira`, `gastro_enterite`...: the key of the aggregate and of the hub's exports.
    pub code: String,
    pub libelle: String,
    pub source: String,
    /// The listed codes, normalised, ranges expanded.
    codes: BTreeSet<String>,
    /// The listed codes none of whose sub-codes is listed: they cover their extensions.
    feuilles: BTreeSet<String>,
}

impl Syndrome {
    /// Whether a diagnosis coded `code` (as stored) belongs to this syndrome.
    pub fn contient(&self, code: &str) -> bool {
        let code = normaliser(code);
        if code.is_empty() {
            return false;
        }
        if self.codes.contains(&code) {
            return true;
        }
        (1..code.len()).any(|n| code.get(..n).is_some_and(|p| self.feuilles.contains(p)))
    }

    /// The listed codes, normalised, ranges expanded.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.codes.iter().map(String::as_str)
    }
}

/// A CIM-10 code as compared: upper case, ASCII letters and digits only.
pub fn normaliser(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Whether `code` is shaped like a syndrome code: 1 to 32 of `a-z 0-9 _`.
pub fn est_code_syndrome(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The syndromes of the embedded data file, in its order.
pub fn syndromes() -> &'static [Syndrome] {
    static SYNDROMES: OnceLock<Vec<Syndrome>> = OnceLock::new();
    // The file is checked by a test; a broken line would leave the list empty rather than panic.
    SYNDROMES.get_or_init(|| analyser(DONNEES).unwrap_or_default())
}

/// The syndrome coded `code`, if it is known.
pub fn syndrome(code: &str) -> Option<&'static Syndrome> {
    syndromes().iter().find(|s| s.code == code)
}

/// The codes of the syndromes the diagnoses `codes` (one consultation's, principal and
/// associated) belong to, each once, in the data file's order.
pub fn syndromes_de<'a>(codes: impl IntoIterator<Item = &'a str> + Clone) -> Vec<&'static str> {
    syndromes()
        .iter()
        .filter(|s| codes.clone().into_iter().any(|c| s.contient(c)))
        .map(|s| s.code.as_str())
        .collect()
}

/// Reads a syndromes file (see `data/syndromes.tsv`): `#` comments, a header line, then one
/// syndrome per line. The error names the line at fault.
pub fn analyser(texte: &str) -> Result<Vec<Syndrome>, String> {
    let mut out: Vec<Syndrome> = Vec::new();
    let mut entete = false;
    for (n, ligne) in texte.lines().enumerate() {
        let numero = n + 1;
        if ligne.trim().is_empty() || ligne.starts_with('#') {
            continue;
        }
        let champs: Vec<&str> = ligne.split('\t').collect();
        if !entete {
            if champs != ["code", "libelle", "codes", "source"] {
                return Err(format!("ligne {numero} : en-tête attendu"));
            }
            entete = true;
            continue;
        }
        let [code, libelle, liste, source] = champs[..] else {
            return Err(format!("ligne {numero} : quatre colonnes attendues"));
        };
        if !est_code_syndrome(code) || out.iter().any(|s| s.code == code) {
            return Err(format!(
                "ligne {numero} : code de syndrome « {code} » invalide ou répété"
            ));
        }
        if libelle.trim().is_empty() || source.trim().is_empty() {
            return Err(format!("ligne {numero} : libellé ou source manquant"));
        }
        let mut codes = BTreeSet::new();
        for item in liste.split_whitespace() {
            codes.extend(developper(item).ok_or_else(|| {
                format!("ligne {numero} : code CIM-10 ou intervalle « {item} » illisible")
            })?);
        }
        if codes.is_empty() {
            return Err(format!("ligne {numero} : aucun code"));
        }
        let feuilles = codes
            .iter()
            .filter(|c| {
                !codes
                    .iter()
                    .any(|autre| autre.len() > c.len() && autre.starts_with(c.as_str()))
            })
            .cloned()
            .collect();
        out.push(Syndrome {
            code: code.to_owned(),
            libelle: libelle.to_owned(),
            source: source.to_owned(),
            codes,
            feuilles,
        });
    }
    if !entete {
        return Err("en-tête manquant".to_owned());
    }
    Ok(out)
}

/// One listed item: a code (`J21.9`, `A099`) or a range of categories (`J09-J18`, same letter).
fn developper(item: &str) -> Option<Vec<String>> {
    let categorie = |c: &str| {
        let b = c.as_bytes();
        (b.len() == 3 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit))
            .then(|| (b[0], c[1..].parse::<u32>().ok()))
    };
    if let Some((de, a)) = item.split_once('-') {
        let (Some((l1, Some(n1))), Some((l2, Some(n2)))) = (categorie(de), categorie(a)) else {
            return None;
        };
        if l1 != l2 || n2 < n1 {
            return None;
        }
        return Some(
            (n1..=n2)
                .map(|n| format!("{}{n:02}", char::from(l1)))
                .collect(),
        );
    }
    let code = normaliser(item);
    let b = code.as_bytes();
    let forme = b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_digit()
        && (b[2].is_ascii_digit() || b[2].is_ascii_uppercase());
    // Only dots may be dropped: anything else is a typing error in the file.
    let propre = item.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    (forme && propre).then(|| vec![code])
}

/// The age classes of Santé publique France's syndromic surveillance (SOS Médecins, OSCOUR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ClasseAge {
    /// Under 2 years (0 and 1 full years).
    Moins2,
    De2a14,
    De15a74,
    De75EtPlus,
}

impl ClasseAge {
    pub const TOUTES: [ClasseAge; 4] = [
        ClasseAge::Moins2,
        ClasseAge::De2a14,
        ClasseAge::De15a74,
        ClasseAge::De75EtPlus,
    ];

    /// The class of someone born on `naissance`, on `le` (full years); `None` when born after.
    pub fn de(naissance: NaiveDate, le: NaiveDate) -> Option<ClasseAge> {
        Some(match le.years_since(naissance)? {
            0..=1 => ClasseAge::Moins2,
            2..=14 => ClasseAge::De2a14,
            15..=74 => ClasseAge::De15a74,
            _ => ClasseAge::De75EtPlus,
        })
    }

    /// `0-1`, `2-14`, `15-74`, `75+`: the key of the aggregate (full years, both ends included,
    /// like the other age bands).
    pub fn cle(self) -> &'static str {
        match self {
            ClasseAge::Moins2 => "0-1",
            ClasseAge::De2a14 => "2-14",
            ClasseAge::De15a74 => "15-74",
            ClasseAge::De75EtPlus => "75+",
        }
    }

    /// The French label of SPF's bulletins.
    pub fn libelle(self) -> &'static str {
        match self {
            ClasseAge::Moins2 => "moins de 2 ans",
            ClasseAge::De2a14 => "2-14 ans",
            ClasseAge::De15a74 => "15-74 ans",
            ClasseAge::De75EtPlus => "75 ans ou plus",
        }
    }

    /// Index in [`ClasseAge::TOUTES`]; the count arrays add the unknown age at index 4.
    pub fn rang(self) -> usize {
        self as usize
    }
}

/// Number of cells of a count per age class: the four classes, then the unknown age.
pub const CASES_AGE: usize = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_file_reads_and_names_a_source_for_each_syndrome() {
        let liste = analyser(DONNEES).expect("data/syndromes.tsv");
        let codes: Vec<&str> = liste.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "ira",
                "grippe",
                "bronchiolite",
                "bronchite_bronchiolite",
                "gastro_enterite",
                "asthme",
                "chaleur"
            ]
        );
        assert_eq!(syndromes().len(), liste.len());
        for s in &liste {
            assert!(
                s.source.starts_with("SPF")
                    || s.source.starts_with("FEDORU")
                    || s.source.starts_with("CIM-10"),
                "{}: {}",
                s.code,
                s.source
            );
        }
        // SPF's IRA list: 12 items, two ranges of 10 and 3 categories.
        assert_eq!(
            syndrome("ira").map(|s| s.codes().count()),
            Some(10 + 10 + 3)
        );
        assert_eq!(
            syndrome("gastro_enterite").map(|s| s.codes().count()),
            Some(91),
            "the FEDORU sub-chapter has 91 codes"
        );
    }

    #[test]
    fn a_code_matches_by_the_documented_prefix_rule() {
        // (syndrome, stored code, expected)
        let cas = [
            // SPF IRA: ranges cover their categories and every sub-code.
            ("ira", "J09", true),
            ("ira", "J18.9", true),
            ("ira", "J11.1", true),
            ("ira", "J19", false),
            ("ira", "J21.9", true),
            ("ira", "J23", false),
            ("ira", "J00", false),
            // A listed leaf covers a more precise code or a PMSI extension.
            ("ira", "B34.2", true),
            ("ira", "B34.20", true),
            ("ira", "B34.1", false),
            ("ira", "B34", false),
            // U07.1 is listed with some of its sub-codes: only those (and itself) count.
            ("ira", "U07.1", true),
            ("ira", "U07.11", true),
            ("ira", "U07.13", false),
            ("ira", "U07.2", false),
            // Normalisation: case, dot, spaces, `+` of an extension.
            ("ira", "j18.9", true),
            ("ira", " J189 ", true),
            ("ira", "J18.9+1", true),
            ("ira", "", false),
            ("ira", "J", false),
            // FEDORU gastro: A02 is listed with chosen sub-codes, A02.1 (sepsis) left out.
            ("gastro_enterite", "A02.0", true),
            ("gastro_enterite", "A02.1", false),
            ("gastro_enterite", "A02", true),
            ("gastro_enterite", "A09.9", true),
            ("gastro_enterite", "A09.0", true),
            ("gastro_enterite", "K52.9", true),
            ("gastro_enterite", "K51.9", false),
            // FEDORU asthma: J45 and its sub-codes, J46 (a leaf) and its extensions.
            ("asthme", "J45.9", true),
            ("asthme", "J45.90", true),
            ("asthme", "J46", true),
            ("asthme", "J44.9", false),
            ("grippe", "J11.1", true),
            ("grippe", "J12.9", false),
            ("bronchiolite", "J21.9", true),
            ("bronchiolite", "J20.9", false),
            ("bronchite_bronchiolite", "J20.9", true),
            ("bronchite_bronchiolite", "A37.0", true),
            ("chaleur", "T67.0", true),
            ("chaleur", "X30.0", true),
            ("chaleur", "L55.9", false),
        ];
        for (code_syndrome, code, attendu) in cas {
            let s = syndrome(code_syndrome).expect(code_syndrome);
            assert_eq!(s.contient(code), attendu, "{code_syndrome} / {code:?}");
        }
    }

    #[test]
    fn a_consultation_gets_each_syndrome_once() {
        assert_eq!(
            syndromes_de(["J11.1", "J10.0"]),
            ["ira", "grippe"],
            "two influenza codes: IRA and influenza once each"
        );
        assert_eq!(
            syndromes_de(["J21.9", "A09.9"]),
            [
                "ira",
                "bronchiolite",
                "bronchite_bronchiolite",
                "gastro_enterite"
            ]
        );
        assert!(syndromes_de(["S93.4"]).is_empty());
        assert!(syndromes_de([]).is_empty());
    }

    #[test]
    fn malformed_files_are_refused_with_their_line() {
        let entete = "code\tlibelle\tcodes\tsource\n";
        let cas = [
            ("", "en-tête manquant"),
            ("code\tlibelle\n", "ligne 1 : en-tête attendu"),
            ("x\tX\tJ00\n", "ligne 2 : quatre colonnes"),
            ("Grippe\tX\tJ00\tS\n", "ligne 2 : code de syndrome"),
            ("a\tA\tJ00\tS\na\tA\tJ01\tS\n", "ligne 3 : code de syndrome"),
            ("a\t\tJ00\tS\n", "ligne 2 : libellé ou source"),
            ("a\tA\t\tS\n", "ligne 2 : aucun code"),
            ("a\tA\tJ18-J09\tS\n", "ligne 2 : code CIM-10 ou intervalle"),
            ("a\tA\tJ09-K18\tS\n", "ligne 2 : code CIM-10 ou intervalle"),
            ("a\tA\tgrippe\tS\n", "ligne 2 : code CIM-10 ou intervalle"),
            ("a\tA\tJ18,9\tS\n", "ligne 2 : code CIM-10 ou intervalle"),
        ];
        for (corps, attendu) in cas {
            let texte = if corps.is_empty() || corps.starts_with("code") {
                corps.to_owned()
            } else {
                format!("{entete}{corps}")
            };
            let erreur = analyser(&texte).expect_err(corps);
            assert!(erreur.starts_with(attendu), "{corps:?}: {erreur}");
        }
        let bon = analyser(&format!("# note\n{entete}a\tA\tJ09-J11 B34.2\tS\n")).unwrap();
        assert_eq!(
            bon[0].codes().collect::<Vec<_>>(),
            ["B342", "J09", "J10", "J11"]
        );
    }

    #[test]
    fn age_classes_follow_spf_bounds() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let cas = [
            ("2026-03-06", Some(ClasseAge::Moins2)),
            ("2024-03-07", Some(ClasseAge::Moins2)),
            ("2024-03-06", Some(ClasseAge::De2a14)),
            ("2011-03-07", Some(ClasseAge::De2a14)),
            ("2011-03-06", Some(ClasseAge::De15a74)),
            ("1951-03-07", Some(ClasseAge::De15a74)),
            ("1951-03-06", Some(ClasseAge::De75EtPlus)),
            ("2026-03-07", None),
        ];
        for (naissance, attendu) in cas {
            assert_eq!(
                ClasseAge::de(d(naissance), d("2026-03-06")),
                attendu,
                "{naissance}"
            );
        }
        let cles: Vec<&str> = ClasseAge::TOUTES.iter().map(|c| c.cle()).collect();
        assert_eq!(cles, ["0-1", "2-14", "15-74", "75+"]);
    }
}
