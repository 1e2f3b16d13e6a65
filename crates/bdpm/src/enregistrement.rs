//! The four files of a release, their layouts (read from the files themselves: tab-separated, no
//! header line; COMPO, GENER and CIP end each line with a tab) and one record type per file.
//! Columns beyond those read are ignored, so a release that adds columns at the end still reads;
//! a line with fewer columns, or a value that cannot be what its column holds, is an error that
//! names the file and the line.

use crate::erreur::{BdpmError, erreur_ligne};

pub const CIS: &str = "CIS_bdpm.txt";
pub const COMPO: &str = "CIS_COMPO_bdpm.txt";
pub const CIP: &str = "CIS_CIP_bdpm.txt";
pub const GENER: &str = "CIS_GENER_bdpm.txt";

/// `CIS_bdpm.txt`: one medicine (spécialité) per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specialite {
    /// Code identifiant de spécialité, 8 digits.
    pub cis: String,
    /// E.g. "DOLIPRANE 1000 mg, comprimé".
    pub denomination: String,
    pub forme: String,
    /// Routes, `;`-separated as published ("orale;rectale").
    pub voies: String,
    /// "Autorisation active", "Autorisation abrogée"...
    pub statut_amm: String,
    /// Column 7: "Commercialisée" (true) or "Non commercialisée".
    pub commercialise: bool,
    pub titulaires: String,
}

/// `CIS_COMPO_bdpm.txt`: one substance of one element of a medicine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composition {
    pub cis: String,
    /// "comprimé", "solution"...
    pub element: String,
    pub code_substance: String,
    /// The substance's name (DCI or salt), e.g. "PARACÉTAMOL".
    pub substance: String,
    /// E.g. "500 mg".
    pub dosage: String,
    /// What the strength is given for, e.g. "un comprimé".
    pub reference: String,
    /// Active substance (`SA`) or therapeutic fraction (`FT`, the active moiety of a salt).
    pub fraction_therapeutique: bool,
    /// Links an `FT` to the `SA` it is the moiety of.
    pub liaison: String,
}

/// `CIS_CIP_bdpm.txt`: one presentation (box) of a medicine, with its price and reimbursement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presentation {
    pub cis: String,
    pub cip7: String,
    /// E.g. "plaquette(s) PVC aluminium de 8 comprimé(s)".
    pub libelle: String,
    /// "Présentation active" or "Présentation abrogée".
    pub statut: String,
    /// "Déclaration de commercialisation", "Déclaration d'arrêt de commercialisation"...
    pub etat: String,
    /// CIP13, 13 digits.
    pub cip13: String,
    /// Reimbursement rate in percent (65 for "65%" or "65 %"), when reimbursed.
    pub taux_remboursement: Option<u8>,
    /// Price including the pharmacist's dispensing fee, in euro cents (column 11, else column
    /// 10 when only the price without fee is given), when the medicine has a public price.
    pub prix_centimes: Option<u64>,
}

impl Presentation {
    /// Active and declared marketed.
    pub fn commercialisee(&self) -> bool {
        self.statut == "Présentation active" && self.etat == "Déclaration de commercialisation"
    }
}

/// `CIS_GENER_bdpm.txt`: a medicine's place in a generic group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generique {
    pub groupe: u32,
    pub libelle: String,
    pub cis: String,
    /// 0 princeps, 1 generic, 2 generic by complementarity of posology, 4 substitutable.
    pub type_generique: u8,
    pub tri: u32,
}

fn champs<'a>(
    ligne: &'a str,
    fichier: &'static str,
    numero: u64,
    minimum: usize,
) -> Result<Vec<&'a str>, BdpmError> {
    let f: Vec<&str> = ligne.split('\t').collect();
    if f.len() < minimum {
        return Err(erreur_ligne(
            fichier,
            numero,
            format!(
                "{} colonne(s) séparée(s) par des tabulations, {minimum} attendues (ligne coupée ou fichier d'un autre format)",
                f.len()
            ),
        ));
    }
    Ok(f)
}

fn cis(valeur: &str, fichier: &'static str, numero: u64) -> Result<String, BdpmError> {
    let v = valeur.trim();
    if v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_owned())
    } else {
        Err(erreur_ligne(
            fichier,
            numero,
            format!("le code CIS « {} » n'a pas 8 chiffres", abreger(v)),
        ))
    }
}

fn abreger(v: &str) -> String {
    let mut s: String = v.chars().take(30).collect();
    if v.chars().count() > 30 {
        s.push('…');
    }
    s
}

fn texte(v: &str) -> String {
    v.trim().to_owned()
}

pub fn specialite(ligne: &str, numero: u64) -> Result<Specialite, BdpmError> {
    let f = champs(ligne, CIS, numero, 12)?;
    let commercialise = match f[6].trim() {
        "Commercialisée" => true,
        "Non commercialisée" => false,
        autre => {
            return Err(erreur_ligne(
                CIS,
                numero,
                format!(
                    "l'état de commercialisation (7e colonne) vaut « {} », attendu « Commercialisée » ou « Non commercialisée »",
                    abreger(autre)
                ),
            ));
        }
    };
    let denomination = texte(f[1]);
    if denomination.is_empty() {
        return Err(erreur_ligne(
            CIS,
            numero,
            "la dénomination (2e colonne) est vide",
        ));
    }
    Ok(Specialite {
        cis: cis(f[0], CIS, numero)?,
        denomination,
        forme: texte(f[2]),
        voies: texte(f[3]),
        statut_amm: texte(f[4]),
        commercialise,
        titulaires: texte(f[10]),
    })
}

pub fn composition(ligne: &str, numero: u64) -> Result<Composition, BdpmError> {
    let f = champs(ligne, COMPO, numero, 8)?;
    let fraction_therapeutique = match f[6].trim() {
        "SA" => false,
        "FT" => true,
        autre => {
            return Err(erreur_ligne(
                COMPO,
                numero,
                format!(
                    "la nature du composant (7e colonne) vaut « {} », attendu « SA » ou « FT »",
                    abreger(autre)
                ),
            ));
        }
    };
    Ok(Composition {
        cis: cis(f[0], COMPO, numero)?,
        element: texte(f[1]),
        code_substance: texte(f[2]),
        substance: texte(f[3]),
        dosage: texte(f[4]),
        reference: texte(f[5]),
        fraction_therapeutique,
        liaison: texte(f[7]),
    })
}

pub fn presentation(ligne: &str, numero: u64) -> Result<Presentation, BdpmError> {
    let f = champs(ligne, CIP, numero, 12)?;
    let cip13 = f[6].trim();
    if cip13.len() != 13 || !cip13.bytes().all(|b| b.is_ascii_digit()) {
        return Err(erreur_ligne(
            CIP,
            numero,
            format!("le code CIP13 « {} » n'a pas 13 chiffres", abreger(cip13)),
        ));
    }
    let taux = f[8].trim();
    let taux_remboursement = if taux.is_empty() {
        None
    } else {
        let chiffres = taux.trim_end_matches('%').trim();
        match chiffres.parse::<u8>() {
            Ok(t) if t <= 100 && taux.ends_with('%') => Some(t),
            _ => {
                return Err(erreur_ligne(
                    CIP,
                    numero,
                    format!(
                        "le taux de remboursement (9e colonne) vaut « {} », attendu un pourcentage comme « 65% »",
                        abreger(taux)
                    ),
                ));
            }
        }
    };
    let prix = |colonne: usize| -> Result<Option<u64>, BdpmError> {
        prix_centimes(f[colonne]).map_err(|()| {
            erreur_ligne(
                CIP,
                numero,
                format!(
                    "le prix ({}e colonne) vaut « {} », attendu un montant en euros comme « 2,18 »",
                    colonne + 1,
                    abreger(f[colonne].trim())
                ),
            )
        })
    };
    let prix_centimes = match prix(10)? {
        Some(p) => Some(p),
        None => prix(9)?,
    };
    Ok(Presentation {
        cis: cis(f[0], CIP, numero)?,
        cip7: texte(f[1]),
        libelle: texte(f[2]),
        statut: texte(f[3]),
        etat: texte(f[4]),
        cip13: cip13.to_owned(),
        taux_remboursement,
        prix_centimes,
    })
}

/// "2,18" → 218; "1,234,56" or "1 234,56" → 123456 (the ANSM writes thousands with a comma
/// too: the last comma is the decimal one); "" → None.
fn prix_centimes(v: &str) -> Result<Option<u64>, ()> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let (entiers, decimales) = v.rsplit_once([',', '.']).unwrap_or((v, ""));
    let entiers: String = entiers
        .chars()
        .filter(|c| !matches!(c, ',' | '.' | ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let chiffres = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !chiffres(&entiers) || !(decimales.is_empty() || chiffres(decimales)) || decimales.len() > 2
    {
        return Err(());
    }
    let euros: u64 = entiers.parse().map_err(|_| ())?;
    let centimes: u64 = match decimales.len() {
        0 => 0,
        1 => decimales.parse::<u64>().map_err(|_| ())? * 10,
        _ => decimales.parse().map_err(|_| ())?,
    };
    euros
        .checked_mul(100)
        .and_then(|e| e.checked_add(centimes))
        .map(Some)
        .ok_or(())
}

/// Formats cents as the ANSM does, "1234,56".
pub fn format_prix(centimes: u64) -> String {
    format!("{},{:02}", centimes / 100, centimes % 100)
}

pub fn generique(ligne: &str, numero: u64) -> Result<Generique, BdpmError> {
    let f = champs(ligne, GENER, numero, 5)?;
    let nombre = |colonne: usize, quoi: &str| -> Result<u32, BdpmError> {
        f[colonne].trim().parse::<u32>().map_err(|_| {
            erreur_ligne(
                GENER,
                numero,
                format!(
                    "{quoi} ({}e colonne) vaut « {} », attendu un nombre",
                    colonne + 1,
                    abreger(f[colonne].trim())
                ),
            )
        })
    };
    let groupe = nombre(0, "l'identifiant du groupe générique")?;
    let type_generique = nombre(3, "le type de générique")?;
    let type_generique = match u8::try_from(type_generique) {
        Ok(t @ (0 | 1 | 2 | 4)) => t,
        _ => {
            return Err(erreur_ligne(
                GENER,
                numero,
                format!("le type de générique vaut {type_generique}, attendu 0, 1, 2 ou 4"),
            ));
        }
    };
    Ok(Generique {
        groupe,
        libelle: texte(f[1]),
        cis: cis(f[2], GENER, numero)?,
        type_generique,
        tri: nombre(4, "le numéro de tri")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_as_the_ansm_writes_them() {
        let cases = [
            ("2,18", Some(218)),
            ("45,40", Some(4540)),
            ("5,611,64", Some(561_164)),
            ("1 234,5", Some(123_450)),
            ("12", Some(1200)),
            ("", None),
        ];
        for (texte, attendu) in cases {
            assert_eq!(prix_centimes(texte), Ok(attendu), "{texte}");
        }
        for faux in ["abc", "1,234", "-3,00", ",50", "12,3x"] {
            assert_eq!(prix_centimes(faux), Err(()), "{faux}");
        }
        assert_eq!(format_prix(561_164), "5611,64");
        assert_eq!(prix_centimes(&format_prix(561_164)), Ok(Some(561_164)));
    }

    #[test]
    fn a_presentation_line_of_2017() {
        let ligne = "60002504\t3320863\ttube(s) polypropylène de 30 comprimé(s)\tPrésentation active\tDéclaration de commercialisation\t03/12/2003\t3400933208639\toui\t15 %\t7,75\t8,77\t1,02\t";
        let p = presentation(ligne, 3).unwrap();
        assert_eq!(p.cis, "60002504");
        assert_eq!(p.cip13, "3400933208639");
        assert_eq!(p.taux_remboursement, Some(15));
        assert_eq!(
            p.prix_centimes,
            Some(877),
            "the price with the dispensing fee"
        );
        assert!(p.commercialisee());
    }

    #[test]
    fn bad_values_name_the_column() {
        type Analyse = fn(&str, u64) -> Result<(), BdpmError>;
        let cases: [(Analyse, &str, &str); 6] = [
            (
                |l, n| specialite(l, n).map(drop),
                "6126625\tA\tf\tv\ta\tp\tCommercialisée\td\t\t\tt\tNon",
                "8 chiffres",
            ),
            (
                |l, n| specialite(l, n).map(drop),
                "61266250\tA\tf\tv\ta\tp\tPeut-être\td\t\t\tt\tNon",
                "7e colonne",
            ),
            (
                |l, n| specialite(l, n).map(drop),
                "61266250\tA\tf\tv",
                "4 colonne(s)",
            ),
            (
                |l, n| composition(l, n).map(drop),
                "60002283\tc\t42215\tX\t1 mg\tun\tXX\t1\t",
                "SA",
            ),
            (
                |l, n| presentation(l, n).map(drop),
                "60002283\t1\tl\ts\te\td\t3400949497294\toui\tbeaucoup\t1,00\t2,00\t1,00\t",
                "9e colonne",
            ),
            (
                |l, n| generique(l, n).map(drop),
                "1\tlib\t65383183\t7\t1\t",
                "0, 1, 2 ou 4",
            ),
        ];
        for (analyser, ligne, attendu) in cases {
            let message = analyser(ligne, 7).unwrap_err().to_string();
            assert!(message.contains("ligne 7"), "{message}");
            assert!(message.contains(attendu), "{ligne}: {message}");
        }
    }
}
