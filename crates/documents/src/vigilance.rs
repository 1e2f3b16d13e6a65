//! The prescription's safety nets, run before an ordonnance prints: warnings the doctor reads and may
//! overrule, never a refusal (the printing rules that refuse are in `ordonnance::valider_ordonnance`).
//!
//! - a solid oral form (gélule, comprimé to swallow) for a child under 6 (risk of choking);
//! - the same substance (DCI) on two lines (overdose);
//! - a daily dose above the maximum for the weight or for anyone (`data/doses_maximales.tsv`);
//! - a drug of a class the patient is noted allergic to (`data/classes_allergie.tsv`).
//!
//! A line is plain text ([`LigneOrdonnance`]): its substances come from its DCI field (as a BDPM pick
//! fills it, `dci + dci`, strengths `dosage / dosage`), else from a known substance named in its
//! free text. The daily dose is read from the posology only when it is unambiguous ("1 comprimé
//! 3 fois par jour", "250 mg matin et soir", "5 ml toutes les 8 heures"); otherwise no dose warning
//! is made up. Pure functions, no IO; the tables are embedded.

use crate::age::Age;
use crate::model::{LigneOrdonnance, Ordonnance};
use appligarde_domain::texte::fold;
use std::sync::LazyLock;

/// Below this age (years), gélules and comprimés to swallow are flagged.
pub const AGE_FORME_SOLIDE_ANS: u32 = 6;

/// One warning: what it is about, the lines concerned (0-based) and the French sentence shown.
#[derive(Clone, PartialEq, Debug)]
pub struct Alerte {
    pub code: CodeAlerte,
    pub lignes: Vec<usize>,
    pub message: String,
}

/// The kind of a warning.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CodeAlerte {
    /// A solid form to swallow for a young child.
    FormeAge,
    /// The same substance on two lines.
    DciEnDouble,
    /// A daily dose above a maximum.
    DoseMaximale,
    /// A drug of a class the patient is allergic to.
    Allergie,
}

impl CodeAlerte {
    /// The stable code of the wire and of the audit journal.
    pub fn code(self) -> &'static str {
        match self {
            CodeAlerte::FormeAge => "forme_age",
            CodeAlerte::DciEnDouble => "dci_en_double",
            CodeAlerte::DoseMaximale => "dose_maximale",
            CodeAlerte::Allergie => "allergie",
        }
    }
}

/// Every warning for `ordonnance`, whose patient's allergies field reads `allergies` (free text;
/// empty when never asked). In line order, then by kind.
pub fn alertes(ordonnance: &Ordonnance, allergies: &str) -> Vec<Alerte> {
    let substances: Vec<Vec<Substance>> = ordonnance.lignes.iter().map(substances).collect();
    let mut out = Vec::new();
    if let Ok(age) = Age::au(ordonnance.patient.date_naissance, ordonnance.date)
        && age.annees() < AGE_FORME_SOLIDE_ANS
    {
        for (i, ligne) in ordonnance.lignes.iter().enumerate() {
            if let Some(forme) = forme_solide(ligne) {
                out.push(Alerte {
                    code: CodeAlerte::FormeAge,
                    lignes: vec![i],
                    message: format!(
                        "{} : {forme} avant {AGE_FORME_SOLIDE_ANS} ans (risque de fausse route) ; \
                         préférez une forme buvable.",
                        nom(ligne)
                    ),
                });
            }
        }
    }
    for (i, a) in substances.iter().enumerate() {
        for (j, b) in substances.iter().enumerate().skip(i + 1) {
            if let Some(commune) = a.iter().find(|s| b.iter().any(|t| t.racine == s.racine)) {
                out.push(Alerte {
                    code: CodeAlerte::DciEnDouble,
                    lignes: vec![i, j],
                    message: format!(
                        "{} prescrit deux fois (lignes {} et {}) : risque de surdosage.",
                        majuscule(&commune.nom),
                        i + 1,
                        j + 1
                    ),
                });
            }
        }
    }
    for (i, ligne) in ordonnance.lignes.iter().enumerate() {
        if let Some(message) = dose_excessive(ligne, &substances[i], ordonnance.patient.poids_kg) {
            out.push(Alerte {
                code: CodeAlerte::DoseMaximale,
                lignes: vec![i],
                message,
            });
        }
    }
    let classes = classes_allergiques(allergies);
    for (i, ligne) in ordonnance.lignes.iter().enumerate() {
        for classe in &classes {
            if let Some(s) = substances[i]
                .iter()
                .find(|s| classe.substances.contains(&s.racine))
            {
                out.push(Alerte {
                    code: CodeAlerte::Allergie,
                    lignes: vec![i],
                    message: format!(
                        "{} ({}) : allergie notée au dossier « {} » (classe des {}).",
                        nom(ligne),
                        s.nom,
                        allergies.trim(),
                        classe.nom
                    ),
                });
            }
        }
    }
    out.sort_by_key(|a| a.lignes.first().copied());
    out
}

/// The name a warning gives a line: the medicine and its strength, as the pharmacist reads it.
fn nom(ligne: &LigneOrdonnance) -> String {
    ligne.designation()
}

fn majuscule(texte: &str) -> String {
    let mut chars = texte.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// Pads folded text with spaces, so that `contains(" mot ")` finds whole words only.
fn mots(texte: &str) -> String {
    let mut f = String::with_capacity(texte.len() + 2);
    f.push(' ');
    f.push_str(&fold(texte));
    f.push(' ');
    // Runs of spaces made by punctuation become one, so that " mot " matches after a comma.
    f.split_whitespace().fold(String::from(" "), |mut acc, w| {
        acc.push_str(w);
        acc.push(' ');
        acc
    })
}

/// A substance of a line: its folded key, its name as written (lower case, with accents), and its
/// root: the substance of the tables it names, salts and hydrates aside ("chlorhydrate de
/// tramadol", "amoxicilline anhydre" and "acétylsalicylique (acide)" are tramadol, amoxicilline
/// and acide acétylsalicylique), else its key without those words.
#[derive(Clone, Debug)]
struct Substance {
    cle: String,
    nom: String,
    racine: String,
}

/// Words of a BDPM substance name that say its salt or hydrate, not the molecule.
const SELS: [&str; 16] = [
    "anhydre",
    "base",
    "trihydrate",
    "trihydratee",
    "dihydrate",
    "dihydratee",
    "monohydrate",
    "monohydratee",
    "hemihydrate",
    "hemihydratee",
    "sodique",
    "disodique",
    "potassique",
    "chlorhydrate",
    "phosphate",
    "de",
];

impl Substance {
    fn new(nom: &str) -> Self {
        let nom = nom
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let cle = plie(&nom);
        Substance {
            racine: cle.clone(),
            cle,
            nom,
        }
    }

    /// A substance of a prescription line, its root found among the tables' substances.
    fn de_ligne(nom: &str) -> Self {
        let mut s = Substance::new(nom);
        s.racine = match SUBSTANCES_CONNUES.iter().find(|k| contient(&s.cle, &k.cle)) {
            Some(k) => k.cle.clone(),
            None => s
                .cle
                .split(' ')
                .filter(|w| !SELS.contains(w))
                .collect::<Vec<_>>()
                .join(" "),
        };
        s
    }
}

/// Whether every word of `cle` is a word of `texte` (both folded), in any order.
fn contient(texte: &str, cle: &str) -> bool {
    let mots: Vec<&str> = texte.split(' ').collect();
    !cle.is_empty() && cle.split(' ').all(|k| mots.contains(&k))
}

/// The substances of a line: its DCI field, else a known substance named in its text.
fn substances(ligne: &LigneOrdonnance) -> Vec<Substance> {
    let dci: Vec<Substance> = ligne
        .dci
        .split('+')
        .map(Substance::de_ligne)
        .filter(|s| !s.cle.is_empty())
        .collect();
    if !dci.is_empty() {
        return dci;
    }
    let texte = plie(&ligne.medicament);
    SUBSTANCES_CONNUES
        .iter()
        .filter(|s| contient(&texte, &s.cle))
        .cloned()
        .collect()
}

/// The solid form to swallow of a line, with its agreement ("gélule déconseillée"), or None (liquids, suppositories,
/// dispersible and effervescent tablets, lyophilisats...).
fn forme_solide(ligne: &LigneOrdonnance) -> Option<&'static str> {
    let texte = mots(&format!("{} {}", ligne.forme, ligne.medicament));
    const A_DISSOUDRE: [&str; 6] = [
        "dispersible",
        "orodispersible",
        "effervescent",
        "lyophilisat",
        "soluble",
        "suspension",
    ];
    if A_DISSOUDRE.iter().any(|m| texte.contains(m)) {
        return None;
    }
    if texte.contains(" gelule") {
        Some("gélule déconseillée")
    } else if texte.contains(" capsule") {
        Some("capsule déconseillée")
    } else if texte.contains(" comprime") || texte.contains(" cp ") {
        Some("comprimé déconseillé")
    } else {
        None
    }
}

/// The warning for a line whose daily dose (when it can be read) is above a maximum.
fn dose_excessive(
    ligne: &LigneOrdonnance,
    substances: &[Substance],
    poids_kg: Option<f64>,
) -> Option<String> {
    let (quantite, unite) = quantite_par_prise(&ligne.posologie)?;
    let prises = prises_par_jour(&ligne.posologie)?;
    let dosages: Vec<&str> = ligne.dosage.split(" / ").collect();
    for (k, substance) in substances.iter().enumerate() {
        let Some(max) = DOSES.iter().find(|d| d.dci == substance.racine) else {
            continue;
        };
        // A dose typed in mg is the first substance's (how a combination is prescribed).
        let mg_par_prise = match unite {
            Unite::Mg if k == 0 => quantite,
            Unite::Mg => continue,
            Unite::Forme => quantite * mg_par_unite(dosages.get(k).copied().unwrap_or(""))?,
            Unite::Ml => quantite * mg_par_ml(dosages.get(k).copied().unwrap_or(""))?,
        };
        let par_jour = mg_par_prise * prises;
        let par_poids = poids_kg
            .filter(|p| p.is_finite() && *p > 0.0 && max.mg_par_kg_par_jour > 0.0)
            .map(|p| (p * max.mg_par_kg_par_jour, p));
        let limite = match (par_poids, max.mg_par_jour > 0.0) {
            (Some((kg, p)), true) if kg < max.mg_par_jour => Some((kg, Some(p))),
            (Some((kg, p)), false) => Some((kg, Some(p))),
            (_, true) => Some((max.mg_par_jour, None)),
            (None, false) => None,
        };
        let Some((limite, poids)) = limite else {
            continue;
        };
        if par_jour > limite * (1.0 + 1e-9) {
            let pour = match poids {
                Some(p) => format!(
                    " pour {} kg ({} mg/kg/j)",
                    nombre(p),
                    nombre(max.mg_par_kg_par_jour)
                ),
                None => String::new(),
            };
            return Some(format!(
                "{} : {} mg de {} par jour, au-dessus du maximum de {} mg{pour}.",
                nom(ligne),
                nombre(par_jour),
                substance.nom,
                nombre(limite)
            ));
        }
    }
    None
}

/// A French number: "1 200", "7,5".
fn nombre(v: f64) -> String {
    let arrondi = (v * 10.0).round() / 10.0;
    if arrondi.fract() == 0.0 && arrondi.abs() < 1e15 {
        let entier = format!("{}", arrondi.abs() as u64);
        let mut groupes = Vec::new();
        let bytes = entier.as_bytes();
        let mut fin = bytes.len();
        while fin > 3 {
            groupes.push(&entier[fin - 3..fin]);
            fin -= 3;
        }
        groupes.push(&entier[..fin]);
        groupes.reverse();
        let signe = if arrondi < 0.0 { "-" } else { "" };
        format!("{signe}{}", groupes.join("\u{202f}"))
    } else {
        format!("{arrondi:.1}").replace('.', ",")
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Unite {
    Mg,
    Ml,
    /// One unit of the form: a comprimé, a gélule, a sachet...
    Forme,
}

/// A number written in a posology: "2", "1,5", "1/2", "un", "une", "deux", "demi".
fn quantite(mot: &str) -> Option<f64> {
    match mot {
        "un" | "une" => return Some(1.0),
        "deux" => return Some(2.0),
        "trois" => return Some(3.0),
        "quatre" => return Some(4.0),
        "demi" => return Some(0.5),
        _ => {}
    }
    if let Some((n, d)) = mot.split_once('/') {
        let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
        return (d > 0.0).then(|| n / d);
    }
    mot.replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// Words of a posology, lower case without accents, with "1/2" and "1,5" kept whole.
fn mots_posologie(posologie: &str) -> Vec<String> {
    posologie
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';')
        .flat_map(|w| {
            // "3x/j", "x3" and "500mg" are split between their digits and their letters.
            let mut parts = Vec::new();
            let mut courant = String::new();
            let mut chiffre = None;
            for c in w.chars() {
                let est_chiffre = c.is_ascii_digit()
                    || ((c == ',' || c == '/' || c == '.') && chiffre == Some(true));
                if chiffre.is_some_and(|d| d != est_chiffre) && !courant.is_empty() {
                    parts.push(std::mem::take(&mut courant));
                }
                chiffre = Some(est_chiffre);
                courant.push(c);
            }
            if !courant.is_empty() {
                parts.push(courant);
            }
            parts
        })
        .flat_map(|w| {
            let w = w.trim_matches(|c: char| c == ',' || c == '.' || c == '/');
            if w.chars().any(|c| c.is_ascii_digit()) {
                vec![w.to_owned()]
            } else {
                fold(w).split_whitespace().map(str::to_owned).collect()
            }
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The quantity of one intake and its unit: the first number followed by a unit word.
fn quantite_par_prise(posologie: &str) -> Option<(f64, Unite)> {
    let mots = mots_posologie(posologie);
    let (i, q) = mots
        .iter()
        .enumerate()
        .find_map(|(i, m)| quantite(m).map(|q| (i, q)))?;
    // "1/2 comprimé", "un demi comprimé".
    let (q, suivant) = match mots.get(i + 1).map(String::as_str) {
        Some("demi") => (q * 0.5, mots.get(i + 2)),
        _ => (q, mots.get(i + 1)),
    };
    let unite = match suivant.map(String::as_str)? {
        "mg" => Unite::Mg,
        "g" => return Some((q * 1000.0, Unite::Mg)),
        "ml" => Unite::Ml,
        u if [
            "comprime",
            "comprimes",
            "cp",
            "gelule",
            "gelules",
            "sachet",
            "sachets",
            "capsule",
            "capsules",
            "suppositoire",
            "suppositoires",
        ]
        .contains(&u) =>
        {
            Unite::Forme
        }
        _ => return None,
    };
    Some((q, unite))
}

/// How many intakes a day the posology says, when it says it plainly.
fn prises_par_jour(posologie: &str) -> Option<f64> {
    let mots = mots_posologie(posologie);
    let mot = |i: usize| mots.get(i).map(String::as_str);
    for (i, m) in mots.iter().enumerate() {
        let Some(n) = quantite(m) else { continue };
        // "3 fois par jour", "3 fois/jour", "3 x/j", "3 prises par jour".
        if matches!(mot(i + 1), Some("fois" | "x" | "prises" | "prise"))
            && matches!(
                (mot(i + 2), mot(i + 3)),
                (Some("par"), Some("jour" | "j" | "24"))
                    | (Some("jour" | "j"), _)
                    | (Some("par" | "en"), Some("24h"))
            )
        {
            return Some(n);
        }
        // "toutes les 6 heures", "toutes les 6 h".
        if i >= 2
            && mot(i - 2) == Some("toutes")
            && mot(i - 1) == Some("les")
            && matches!(mot(i + 1), Some("heures" | "h" | "heure"))
            && n > 0.0
        {
            return Some((24.0 / n).floor());
        }
    }
    // "matin, midi et soir", "matin et soir", "le soir", "au coucher".
    let moments = ["matin", "midi", "soir", "coucher"]
        .iter()
        .filter(|m| mots.iter().any(|w| w == *m))
        .count();
    if moments > 0 {
        return Some(moments as f64);
    }
    // "2 comprimés par jour": the quantity is the day's.
    if mots.windows(2).any(|w| w[0] == "par" && w[1] == "jour") {
        return Some(1.0);
    }
    None
}

/// The mg in one unit of a solid form from its strength: "500 mg", "1 g", "1 000 mg".
fn mg_par_unite(dosage: &str) -> Option<f64> {
    let d = dosage
        .trim()
        .to_lowercase()
        .replace(['\u{a0}', '\u{202f}'], " ");
    if d.contains('/') || d.contains('%') {
        return None;
    }
    let (nombre, unite) = nombre_et_unite(&d)?;
    match unite.as_str() {
        "mg" => Some(nombre),
        "g" => Some(nombre * 1000.0),
        _ => None,
    }
}

/// The mg in one ml of a liquid from its strength: "24 mg/ml", "250 mg/5 ml", "2,4 %".
fn mg_par_ml(dosage: &str) -> Option<f64> {
    let d = dosage
        .trim()
        .to_lowercase()
        .replace(['\u{a0}', '\u{202f}'], " ");
    if let Some(pourcent) = d.strip_suffix('%') {
        // A percentage is grams per 100 ml: 2,4 % = 24 mg/ml.
        return quantite(&pourcent.trim().replace(' ', "")).map(|p| p * 10.0);
    }
    let (masse, volume) = d.split_once('/')?;
    let (mg, unite) = nombre_et_unite(masse.trim())?;
    let mg = match unite.as_str() {
        "mg" => mg,
        "g" => mg * 1000.0,
        _ => return None,
    };
    let volume = volume.trim();
    let ml = match volume.strip_suffix("ml").map(str::trim) {
        Some("") => 1.0,
        Some(n) => quantite(&n.replace(' ', ""))?,
        None => return None,
    };
    Some(mg / ml)
}

/// "1 000 mg" → (1000, "mg").
fn nombre_et_unite(texte: &str) -> Option<(f64, String)> {
    let chiffres: String = texte
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.' || *c == ' ')
        .collect();
    let unite = texte[chiffres.len()..].trim().to_owned();
    let n = quantite(&chiffres.replace(' ', ""))?;
    Some((n, unite))
}

/// One maximum of `data/doses_maximales.tsv`.
struct DoseMaximale {
    dci: String,
    mg_par_kg_par_jour: f64,
    mg_par_jour: f64,
}

/// One class of `data/classes_allergie.tsv`.
struct ClasseAllergie {
    nom: String,
    /// Folded words naming the class, and its folded substances.
    mots: Vec<String>,
    substances: Vec<String>,
}

fn lignes_de_donnees(texte: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    texte
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

fn plie(texte: &str) -> String {
    fold(texte).split_whitespace().collect::<Vec<_>>().join(" ")
}

static DOSES: LazyLock<Vec<DoseMaximale>> = LazyLock::new(|| {
    lignes_de_donnees(include_str!("../data/doses_maximales.tsv"))
        .filter_map(|c| {
            Some(DoseMaximale {
                dci: plie(c.first()?),
                mg_par_kg_par_jour: c.get(1)?.trim().parse().ok()?,
                mg_par_jour: c.get(2)?.trim().parse().ok()?,
            })
        })
        .collect()
});

static CLASSES: LazyLock<Vec<ClasseAllergie>> = LazyLock::new(|| {
    lignes_de_donnees(include_str!("../data/classes_allergie.tsv"))
        .filter_map(|c| {
            let liste = |s: &str| s.split(',').map(plie).filter(|s| !s.is_empty()).collect();
            Some(ClasseAllergie {
                nom: c.first()?.trim().to_owned(),
                mots: liste(c.get(1)?),
                substances: liste(c.get(2)?),
            })
        })
        .collect()
});

/// Every substance the tables know: what a free-text line is searched for.
static SUBSTANCES_CONNUES: LazyLock<Vec<Substance>> = LazyLock::new(|| {
    let doses = lignes_de_donnees(include_str!("../data/doses_maximales.tsv"))
        .filter_map(|c| c.first().map(|n| Substance::new(n)));
    let classes = lignes_de_donnees(include_str!("../data/classes_allergie.tsv"))
        .filter_map(|c| {
            c.get(2)
                .map(|l| l.split(',').map(Substance::new).collect::<Vec<_>>())
        })
        .flatten();
    let mut toutes: Vec<Substance> = doses.chain(classes).filter(|s| !s.cle.is_empty()).collect();
    toutes.sort_by(|a, b| a.cle.cmp(&b.cle));
    toutes.dedup_by(|a, b| a.cle == b.cle);
    toutes
});

/// The classes the allergies field names, by a word of the class or one of its substances.
fn classes_allergiques(allergies: &str) -> Vec<&'static ClasseAllergie> {
    let texte = mots(allergies);
    if texte.trim().is_empty() {
        return Vec::new();
    }
    CLASSES
        .iter()
        .filter(|c| {
            c.mots
                .iter()
                .chain(&c.substances)
                .any(|m| texte.contains(&format!(" {m} ")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Etablissement, PatientDoc, Prescripteur, Sexe};
    use chrono::NaiveDate;

    fn ligne(
        medicament: &str,
        dci: &str,
        dosage: &str,
        forme: &str,
        posologie: &str,
    ) -> LigneOrdonnance {
        LigneOrdonnance {
            medicament: medicament.into(),
            dci: dci.into(),
            dosage: dosage.into(),
            forme: forme.into(),
            posologie: posologie.into(),
            duree_ou_quantite: "5 jours".into(),
            renouvellements: 0,
            non_substituable: false,
            mention_non_substituable: String::new(),
        }
    }

    fn ordonnance(
        naissance: (i32, u32, u32),
        poids: Option<f64>,
        lignes: Vec<LigneOrdonnance>,
    ) -> Ordonnance {
        Ordonnance {
            date: NaiveDate::from_ymd_opt(2026, 12, 6).unwrap(),
            prescripteur: Prescripteur {
                nom: "DUPONT".into(),
                prenom: "Anne".into(),
                titre: "Médecin généraliste".into(),
                rpps: "10003456789".into(),
                telephone: String::new(),
                email: String::new(),
            },
            etablissement: Etablissement {
                nom: "MMG".into(),
                adresse: String::new(),
                code_postal: "35000".into(),
                commune: "Rennes".into(),
                telephone: String::new(),
                email: String::new(),
            },
            patient: PatientDoc {
                nom: "MARTIN".into(),
                prenom: "Léo".into(),
                sexe: Sexe::Masculin,
                date_naissance: NaiveDate::from_ymd_opt(naissance.0, naissance.1, naissance.2)
                    .unwrap(),
                poids_kg: poids,
                taille_cm: None,
            },
            lignes,
        }
    }

    fn codes(a: &[Alerte]) -> Vec<(&'static str, Vec<usize>)> {
        a.iter()
            .map(|a| (a.code.code(), a.lignes.clone()))
            .collect()
    }

    #[test]
    fn the_tables_are_read_whole() {
        assert_eq!(DOSES.len(), 8);
        assert_eq!(CLASSES.len(), 7);
        let connue = |cle: &str| SUBSTANCES_CONNUES.iter().any(|s| s.cle == cle);
        assert!(connue("paracetamol") && connue("acide acetylsalicylique"));
    }

    #[test]
    fn a_correct_ordonnance_for_a_child_raises_nothing() {
        // 4 years, 16 kg: paracetamol suspension 15 mg/kg 4 times a day, amoxicillin 80 mg/kg/day.
        let o = ordonnance(
            (2022, 3, 12),
            Some(16.0),
            vec![
                ligne(
                    "DOLIPRANE 2,4 %",
                    "paracétamol",
                    "2,4 %",
                    "suspension buvable",
                    "10 ml 4 fois par jour",
                ),
                ligne(
                    "CLAMOXYL 250 mg/5 ml",
                    "amoxicilline",
                    "250 mg/5 ml",
                    "poudre pour suspension buvable",
                    "8 ml 3 fois par jour",
                ),
            ],
        );
        assert_eq!(alertes(&o, "Aucune allergie connue"), vec![]);
    }

    #[test]
    fn a_gelule_for_a_two_year_old_is_flagged_and_a_syrup_is_not() {
        let o = ordonnance(
            (2024, 10, 1),
            Some(12.0),
            vec![
                ligne(
                    "DOLIPRANE 500 mg",
                    "paracétamol",
                    "500 mg",
                    "gélule",
                    "1 gélule le soir",
                ),
                ligne(
                    "ADVILMED 20 mg/ml",
                    "ibuprofène",
                    "20 mg/ml",
                    "suspension buvable",
                    "1 dose-poids 3 fois par jour",
                ),
                ligne(
                    "SMECTA 3 g",
                    "diosmectite",
                    "3 g",
                    "poudre pour suspension buvable en sachet",
                    "1 sachet matin et soir",
                ),
            ],
        );
        let a = alertes(&o, "");
        assert_eq!(codes(&a), vec![("forme_age", vec![0])]);
        assert_eq!(
            a[0].message,
            "DOLIPRANE 500 mg : gélule déconseillée avant 6 ans (risque de fausse route) ; préférez une forme buvable."
        );
        // At 6 the same line is fine.
        let grand = ordonnance((2020, 12, 6), Some(22.0), o.lignes.clone());
        assert!(
            codes(&alertes(&grand, ""))
                .iter()
                .all(|(c, _)| *c != "forme_age")
        );
        // A dispersible tablet dissolves: not flagged.
        let dispersible = ordonnance(
            (2024, 10, 1),
            Some(12.0),
            vec![ligne(
                "AMOXICILLINE 500 mg",
                "amoxicilline",
                "500 mg",
                "comprimé dispersible",
                "1 comprimé matin et soir",
            )],
        );
        assert_eq!(alertes(&dispersible, ""), vec![]);
    }

    #[test]
    fn the_same_dci_on_two_lines_is_flagged_even_written_freely() {
        let o = ordonnance(
            (1980, 1, 1),
            Some(70.0),
            vec![
                ligne(
                    "DOLIPRANE 1000 mg",
                    "paracétamol",
                    "1000 mg",
                    "comprimé",
                    "1 comprimé 3 fois par jour",
                ),
                ligne(
                    "IBUPROFENE 400 mg",
                    "ibuprofène",
                    "400 mg",
                    "comprimé",
                    "1 comprimé 3 fois par jour",
                ),
                // Free text, no DCI field: the substance is read from the name.
                ligne("Paracétamol codéine", "", "", "", "2 comprimés par jour"),
            ],
        );
        let a = alertes(&o, "");
        assert_eq!(codes(&a), vec![("dci_en_double", vec![0, 2])]);
        assert_eq!(
            a[0].message,
            "Paracétamol prescrit deux fois (lignes 1 et 3) : risque de surdosage."
        );
    }

    #[test]
    fn a_daily_dose_above_the_maximum_for_the_weight_is_flagged() {
        // 12 kg: paracetamol 80 mg/kg/day = 960 mg; 250 mg 4 times = 1 000 mg.
        let o = ordonnance(
            (2023, 6, 1),
            Some(12.0),
            vec![ligne(
                "DOLIPRANE 2,4 %",
                "paracétamol",
                "2,4 %",
                "suspension buvable",
                "250 mg 4 fois par jour",
            )],
        );
        let a = alertes(&o, "");
        assert_eq!(codes(&a), vec![("dose_maximale", vec![0])]);
        assert_eq!(
            a[0].message,
            "DOLIPRANE 2,4 % : 1\u{202f}000 mg de paracétamol par jour, au-dessus du maximum de 960 mg pour 12 kg (80 mg/kg/j)."
        );
        // The same in ml: 2,4 % is 24 mg/ml; 10,5 ml every 6 hours = 4 × 252 mg.
        let ml = ordonnance(
            (2023, 6, 1),
            Some(12.0),
            vec![ligne(
                "DOLIPRANE 2,4 %",
                "paracétamol",
                "2,4 %",
                "suspension buvable",
                "10,5 ml toutes les 6 heures",
            )],
        );
        assert_eq!(codes(&alertes(&ml, "")), vec![("dose_maximale", vec![0])]);
        // 240 mg 4 times is 960 mg: at the maximum, not above.
        let juste = ordonnance(
            (2023, 6, 1),
            Some(12.0),
            vec![ligne(
                "DOLIPRANE 2,4 %",
                "paracétamol",
                "2,4 %",
                "suspension buvable",
                "240 mg 4 fois par jour",
            )],
        );
        assert_eq!(alertes(&juste, ""), vec![]);
    }

    #[test]
    fn an_adult_dose_is_held_to_the_daily_maximum_whatever_the_weight() {
        let o = ordonnance(
            (1970, 1, 1),
            Some(90.0),
            vec![
                ligne(
                    "DOLIPRANE 1000 mg",
                    "paracétamol",
                    "1000 mg",
                    "comprimé",
                    "1 comprimé toutes les 4 heures",
                ),
                ligne(
                    "ADVIL 400 mg",
                    "ibuprofène",
                    "400 mg",
                    "comprimé enrobé",
                    "1 cp matin, midi et soir",
                ),
                ligne(
                    "AUGMENTIN 1 g/125 mg",
                    "amoxicilline + acide clavulanique",
                    "1 g / 125 mg",
                    "poudre pour suspension buvable en sachet",
                    "1 sachet 3 fois par jour",
                ),
            ],
        );
        let a = alertes(&o, "");
        // 6 × 1 000 mg of paracetamol is above 4 g; 1 200 mg of ibuprofen and 3 g of amoxicillin are not.
        assert_eq!(codes(&a), vec![("dose_maximale", vec![0])]);
        assert!(
            a[0].message.contains(
                "6\u{202f}000 mg de paracétamol par jour, au-dessus du maximum de 4\u{202f}000 mg."
            ),
            "{}",
            a[0].message
        );
    }

    #[test]
    fn an_unreadable_posology_makes_up_no_dose_warning() {
        for posologie in [
            "selon douleur",
            "1 dose-poids 4 fois par jour",
            "",
            "2 comprimés si fièvre",
        ] {
            let o = ordonnance(
                (2023, 6, 1),
                Some(12.0),
                vec![ligne(
                    "DOLIPRANE 2,4 %",
                    "paracétamol",
                    "2,4 %",
                    "suspension buvable",
                    posologie,
                )],
            );
            assert_eq!(alertes(&o, ""), vec![], "{posologie}");
        }
    }

    #[test]
    fn a_drug_of_a_class_the_patient_is_allergic_to_is_flagged() {
        let o = ordonnance(
            (1990, 5, 5),
            Some(60.0),
            vec![
                ligne(
                    "CLAMOXYL 1 g",
                    "amoxicilline",
                    "1 g",
                    "comprimé dispersible",
                    "1 comprimé matin et soir",
                ),
                ligne(
                    "ZITHROMAX 250 mg",
                    "azithromycine",
                    "250 mg",
                    "comprimé",
                    "2 comprimés le 1er jour",
                ),
            ],
        );
        let a = alertes(&o, "Allergie à la pénicilline (urticaire)");
        assert_eq!(codes(&a), vec![("allergie", vec![0])]);
        assert_eq!(
            a[0].message,
            "CLAMOXYL 1 g (amoxicilline) : allergie notée au dossier « Allergie à la pénicilline (urticaire) » (classe des pénicillines)."
        );
        // A substance named in the field flags its whole class.
        assert_eq!(
            codes(&alertes(&o, "amoxicilline")),
            vec![("allergie", vec![0])]
        );
        // Aspirin allergy flags the other NSAIDs.
        let ains = ordonnance(
            (1990, 5, 5),
            Some(60.0),
            vec![ligne(
                "ADVIL 200 mg",
                "ibuprofène",
                "200 mg",
                "comprimé",
                "1 cp 3 fois par jour",
            )],
        );
        assert_eq!(
            codes(&alertes(&ains, "Aspirine : asthme")),
            vec![("allergie", vec![0])]
        );
        // Nothing noted, or none known: nothing flagged.
        assert_eq!(alertes(&o, ""), vec![]);
        assert_eq!(alertes(&o, "Aucune allergie connue"), vec![]);
    }

    #[test]
    fn bdpm_salts_and_word_orders_are_the_same_substance() {
        // As the BDPM names them, and as a BDPM pick fills a line (lower case).
        let o = ordonnance(
            (1985, 1, 1),
            Some(70.0),
            vec![
                ligne(
                    "CLAMOXYL 500 mg",
                    "amoxicilline anhydre",
                    "500 mg",
                    "gélule",
                    "1 gélule 3 fois par jour",
                ),
                ligne(
                    "AMOXICILLINE BIOGARAN 1 g",
                    "amoxicilline trihydratée",
                    "1 g",
                    "comprimé dispersible",
                    "1 comprimé matin et soir",
                ),
                ligne(
                    "ASPIRINE UPSA 1000 mg",
                    "acétylsalicylique (acide)",
                    "1000 mg",
                    "comprimé effervescent",
                    "1 comprimé 4 fois par jour",
                ),
                ligne(
                    "TOPALGIC 50 mg",
                    "chlorhydrate de tramadol",
                    "50 mg",
                    "gélule",
                    "2 gélules toutes les 4 heures",
                ),
            ],
        );
        let a = alertes(&o, "");
        assert_eq!(
            codes(&a),
            vec![
                ("dci_en_double", vec![0, 1]),
                ("dose_maximale", vec![2]),
                ("dose_maximale", vec![3])
            ],
            "{a:#?}"
        );
        assert!(
            a[0].message
                .starts_with("Amoxicilline anhydre prescrit deux fois"),
            "{}",
            a[0].message
        );
        // Methylprednisolone is not prednisolone.
        let m = ordonnance(
            (1985, 1, 1),
            Some(70.0),
            vec![
                ligne(
                    "SOLUPRED 20 mg",
                    "prednisolone (métasulfobenzoate sodique de)",
                    "20 mg",
                    "comprimé orodispersible",
                    "3 comprimés le matin",
                ),
                ligne(
                    "MEDROL 16 mg",
                    "méthylprednisolone",
                    "16 mg",
                    "comprimé",
                    "1 comprimé le matin",
                ),
            ],
        );
        assert_eq!(alertes(&m, ""), vec![]);
    }

    #[test]
    fn posologies_are_read_as_doctors_write_them() {
        type Lu = (Option<(f64, Unite)>, Option<f64>);
        let cas: [(&str, Lu); 9] = [
            (
                "1 comprimé 3 fois par jour",
                (Some((1.0, Unite::Forme)), Some(3.0)),
            ),
            (
                "1/2 comprimé matin et soir",
                (Some((0.5, Unite::Forme)), Some(2.0)),
            ),
            (
                "250 mg toutes les 8 heures",
                (Some((250.0, Unite::Mg)), Some(3.0)),
            ),
            ("5 ml 3x/j", (Some((5.0, Unite::Ml)), Some(3.0))),
            ("une gélule le soir", (Some((1.0, Unite::Forme)), Some(1.0))),
            ("2 sachets par jour", (Some((2.0, Unite::Forme)), Some(1.0))),
            (
                "1 g 4 fois par jour",
                (Some((1000.0, Unite::Mg)), Some(4.0)),
            ),
            (
                "1,5 ml 2 prises par jour",
                (Some((1.5, Unite::Ml)), Some(2.0)),
            ),
            ("1 dose-poids toutes les 6 h", (None, Some(4.0))),
        ];
        for (texte, (q, p)) in cas {
            assert_eq!(quantite_par_prise(texte), q, "{texte}");
            assert_eq!(prises_par_jour(texte), p, "{texte}");
        }
        assert_eq!(mg_par_ml("250 mg/5 ml"), Some(50.0));
        assert_eq!(mg_par_ml("2,4 %"), Some(24.0));
        assert_eq!(mg_par_ml("20 mg/ml"), Some(20.0));
        assert_eq!(mg_par_unite("1 000 mg"), Some(1000.0));
        assert_eq!(mg_par_unite("1 g"), Some(1000.0));
        assert_eq!(mg_par_unite("250 mg/5 ml"), None);
    }
}
