//! Drug search over the public drug database (ANSM BDPM), by brand name or by
//! DCI, accent-insensitive, with form and strength, to pre-fill an ordonnance
//! line (free text stays possible: a [`LigneOrdonnance`] is plain text).
//!
//! The program ships a compact extract, `data/bdpm.tsv.gz`, made by
//! [`convertir`] from the official files (marketed medicines with an active
//! authorisation only); regenerate it with
//! `APPLIGARDE_UPDATE_BDPM=1 cargo test -p appligarde-documents --test bdpm`.
//! Line format: `CIS \t denomination \t form \t routes \t DCI|strength;DCI|strength`.
//!
//! A release of the official files imported by the MMG (`appligarde-bdpm`, stored by the
//! desktop) replaces the extract: [`depuis_base`] makes its medicines, marketed or not, with
//! their presentations (price and reimbursement rate when the release has them).

use crate::model::LigneOrdonnance;
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::LazyLock;

const DATA_GZ: &[u8] = include_bytes!("../data/bdpm.tsv.gz");

/// One medicine of the BDPM.
#[derive(Clone, PartialEq, Debug)]
pub struct Medicament {
    /// Code identifiant de spécialité.
    pub cis: String,
    /// Full denomination, e.g. "DOLIPRANE 1000 mg, comprimé".
    pub denomination: String,
    /// Pharmaceutical form, e.g. "comprimé pelliculé sécable".
    pub forme: String,
    /// Routes, e.g. "orale".
    pub voies: String,
    /// Active substances (DCI) with their strength.
    pub substances: Vec<Substance>,
    /// Marketed ("Commercialisée" in the release); a medicine no longer marketed is still found,
    /// marked, and never offered by a template.
    pub commercialise: bool,
    /// Its marketed presentations (boxes), with price and rate when known; empty for the
    /// built-in extract and for a release without `CIS_CIP_bdpm.txt`.
    pub presentations: Vec<PresentationMedicament>,
    /// Folded search text (name + DCI), internal.
    cle: String,
}

/// A box of a medicine, as the search shows it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PresentationMedicament {
    pub cip13: String,
    pub libelle: String,
    /// Price including the dispensing fee, in euro cents.
    pub prix_centimes: Option<u64>,
    /// Reimbursement rate in percent.
    pub taux_remboursement: Option<u8>,
}

#[derive(Clone, PartialEq, Debug)]
pub struct Substance {
    pub dci: String,
    pub dosage: String,
}

impl Medicament {
    /// The brand part of the denomination (before the comma): "DOLIPRANE 1000 mg".
    pub fn nom(&self) -> &str {
        self.denomination
            .split_once(',')
            .map_or(self.denomination.as_str(), |(n, _)| n)
            .trim()
    }

    /// An ordonnance line pre-filled from the database; the doctor completes
    /// posology and duration.
    pub fn ligne(&self) -> LigneOrdonnance {
        let dci = self
            .substances
            .iter()
            .map(|s| s.dci.to_lowercase())
            .collect::<Vec<_>>()
            .join(" + ");
        let dosage = self
            .substances
            .iter()
            .map(|s| s.dosage.clone())
            .collect::<Vec<_>>()
            .join(" / ");
        LigneOrdonnance {
            medicament: self.nom().to_string(),
            dci,
            dosage,
            forme: self.forme.clone(),
            posologie: String::new(),
            duree_ou_quantite: String::new(),
            renouvellements: 0,
            non_substituable: false,
            mention_non_substituable: String::new(),
        }
    }
}

/// Lowercase, without accents or punctuation: "Kétoprofène" -> "ketoprofene" (the program's
/// one folding, [`appligarde_domain::texte::fold`]).
pub fn plier(s: &str) -> String {
    appligarde_domain::texte::fold(s)
}

/// Repairs text that was UTF-8 encoded twice (as in the 2019 CIS_bdpm.txt:
/// "comprimÃ©"): if every char fits in a byte and those bytes are UTF-8, decode them.
fn reparer(s: &str) -> String {
    if s.chars().all(|c| (c as u32) < 256) {
        let bytes: Vec<u8> = s.chars().map(|c| c as u8).collect();
        if let Ok(fixed) = String::from_utf8(bytes) {
            return fixed;
        }
    }
    s.to_string()
}

/// Converts the official `CIS_bdpm.txt` and `CIS_COMPO_bdpm.txt` contents
/// into the compact extract (deterministic: sorted by CIS).
pub fn convertir(cis_bdpm: &str, cis_compo: &str) -> String {
    // Substances per CIS and link number; a "FT" (therapeutic fraction, the
    // active moiety) replaces the "SA" (the salt) it is linked to.
    let mut compo: BTreeMap<&str, BTreeMap<String, (bool, String, String)>> = BTreeMap::new();
    for line in cis_compo.lines() {
        let f: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if f.len() < 8 {
            continue;
        }
        let cis = f[0].trim_start_matches('\u{feff}');
        let ft = f[6] == "FT";
        let key = format!("{}-{}", f[7], f[2]);
        let link = if f[7].is_empty() {
            key
        } else {
            f[7].to_string()
        };
        let entry = compo.entry(cis).or_default();
        let replace = match entry.get(&link) {
            None => true,
            Some((was_ft, _, _)) => ft && !was_ft,
        };
        if replace {
            entry.insert(link, (ft, reparer(f[3].trim()), reparer(f[4].trim())));
        }
    }
    let mut lines = BTreeMap::new();
    for line in cis_bdpm.lines() {
        let f: Vec<String> = line
            .trim_end_matches('\r')
            .split('\t')
            .map(|c| reparer(c).trim().to_string())
            .collect();
        if f.len() < 7 {
            continue;
        }
        let cis = f[0].trim_start_matches('\u{feff}').to_string();
        if f[4] != "Autorisation active" || f[6] != "Commercialisée" {
            continue;
        }
        let substances = compo
            .get(cis.as_str())
            .map(|m| {
                m.values()
                    .map(|(_, dci, dosage)| format!("{dci}|{dosage}"))
                    .collect::<Vec<_>>()
                    .join(";")
            })
            .unwrap_or_default();
        let clean = |s: &str| s.replace(['\t', '\n'], " ");
        lines.insert(
            cis.clone(),
            format!(
                "{cis}\t{}\t{}\t{}\t{}",
                clean(&f[1]),
                clean(&f[2]),
                clean(&f[3]),
                substances
            ),
        );
    }
    let mut out = String::new();
    for l in lines.values() {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Parses the compact extract (skips malformed lines).
pub fn lire(tsv: &str) -> Vec<Medicament> {
    tsv.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 5 {
                return None;
            }
            let substances: Vec<Substance> = f[4]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let (dci, dosage) = s.split_once('|').unwrap_or((s, ""));
                    Substance {
                        dci: dci.to_string(),
                        dosage: dosage.to_string(),
                    }
                })
                .collect();
            Some(Medicament::nouveau(
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                f[3].to_string(),
                substances,
                // The extract keeps the marketed medicines only.
                true,
                Vec::new(),
            ))
        })
        .collect()
}

impl Medicament {
    /// A medicine with its search key.
    pub fn nouveau(
        cis: String,
        denomination: String,
        forme: String,
        voies: String,
        substances: Vec<Substance>,
        commercialise: bool,
        presentations: Vec<PresentationMedicament>,
    ) -> Medicament {
        let dcis: Vec<&str> = substances.iter().map(|s| s.dci.as_str()).collect();
        let cle = format!(" {} | {} ", plier(&denomination), plier(&dcis.join(" ")));
        Medicament {
            cis,
            denomination,
            forme,
            voies,
            substances,
            commercialise,
            presentations,
            cle: cle.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

/// The medicines of an imported release, in CIS order: every medicine of `CIS_bdpm.txt`
/// (marketed or not), its substances as the extract has them (a therapeutic fraction `FT`
/// replaces the salt `SA` it is linked to) and its marketed presentations.
pub fn depuis_base(base: &appligarde_bdpm::Base) -> Vec<Medicament> {
    // Substances per CIS and link, in file order of the links.
    let mut compo: BTreeMap<&str, BTreeMap<String, (bool, &str, &str)>> = BTreeMap::new();
    for c in &base.compositions {
        let lien = if c.liaison.is_empty() {
            format!("-{}", c.code_substance)
        } else {
            c.liaison.clone()
        };
        let entry = compo.entry(c.cis.as_str()).or_default();
        let remplacer = match entry.get(&lien) {
            None => true,
            Some((etait_ft, _, _)) => c.fraction_therapeutique && !etait_ft,
        };
        if remplacer {
            entry.insert(
                lien,
                (
                    c.fraction_therapeutique,
                    c.substance.as_str(),
                    c.dosage.as_str(),
                ),
            );
        }
    }
    let mut boites: BTreeMap<&str, Vec<PresentationMedicament>> = BTreeMap::new();
    for p in base.presentations.iter().filter(|p| p.commercialisee()) {
        boites
            .entry(p.cis.as_str())
            .or_default()
            .push(PresentationMedicament {
                cip13: p.cip13.clone(),
                libelle: p.libelle.clone(),
                prix_centimes: p.prix_centimes,
                taux_remboursement: p.taux_remboursement,
            });
    }
    base.specialites
        .iter()
        .map(|s| {
            let substances = compo
                .get(s.cis.as_str())
                .map(|m| {
                    m.values()
                        .map(|(_, dci, dosage)| Substance {
                            dci: (*dci).to_owned(),
                            dosage: (*dosage).to_owned(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Medicament::nouveau(
                s.cis.clone(),
                s.denomination.clone(),
                s.forme.clone(),
                s.voies.clone(),
                substances,
                s.commercialise,
                boites.remove(s.cis.as_str()).unwrap_or_default(),
            )
        })
        .collect()
}

/// The medicine `cis` of `medicaments` (sorted by CIS, as [`base`] and [`depuis_base`] give them).
pub fn par_cis<'a>(medicaments: &'a [Medicament], cis: &str) -> Option<&'a Medicament> {
    medicaments
        .binary_search_by(|m| m.cis.as_str().cmp(cis))
        .ok()
        .map(|i| &medicaments[i])
}

static BASE: LazyLock<Vec<Medicament>> = LazyLock::new(|| {
    let mut text = String::new();
    let ok = flate2::read::GzDecoder::new(DATA_GZ)
        .read_to_string(&mut text)
        .is_ok();
    if ok { lire(&text) } else { Vec::new() }
});

/// The embedded database (decompressed on first use).
pub fn base() -> &'static [Medicament] {
    &BASE
}

/// Searches `medicaments` by brand or DCI: every word of the query must
/// start a word of the name or of a DCI (accents and case ignored). Marketed
/// medicines come first, then brand matches, then shorter names; at most
/// `limite` results.
pub fn rechercher<'a>(
    medicaments: &'a [Medicament],
    requete: &str,
    limite: usize,
) -> Vec<&'a Medicament> {
    let mots: Vec<String> = plier(requete)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if mots.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(bool, u8, usize, &Medicament)> = medicaments
        .iter()
        .filter_map(|m| {
            let nom = m.cle.split_once(" | ").map_or(m.cle.as_str(), |(n, _)| n);
            let starts = |hay: &str, w: &str| hay.split(' ').any(|t| t.starts_with(w));
            if !mots.iter().all(|w| starts(&m.cle, w)) {
                return None;
            }
            // 0: the name starts with the first word; 1: all words in the name; 2: via the DCI.
            let rang = if nom.starts_with(mots[0].as_str()) {
                0
            } else if mots.iter().all(|w| starts(nom, w)) {
                1
            } else {
                2
            };
            Some((!m.commercialise, rang, m.denomination.len(), m))
        })
        .collect();
    hits.sort_by(|a, b| {
        (a.0, a.1, a.2, &a.3.denomination).cmp(&(b.0, b.1, b.2, &b.3.denomination))
    });
    hits.into_iter()
        .take(limite)
        .map(|(_, _, _, m)| m)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_accents_case_and_punctuation() {
        let cases = [
            ("Kétoprofène", "ketoprofene"),
            ("PARACÉTAMOL", "paracetamol"),
            ("Œstradiol", "oestradiol"),
            (
                "amoxicilline/acide clavulanique",
                "amoxicilline acide clavulanique",
            ),
        ];
        for (input, folded) in cases {
            assert_eq!(plier(input), folded, "fold of {input}");
        }
    }

    #[test]
    fn double_encoded_text_is_repaired() {
        assert_eq!(reparer("comprimÃ© pelliculÃ©"), "comprimé pelliculé");
        assert_eq!(reparer("comprimé"), "comprimé", "correct text untouched");
    }
}
