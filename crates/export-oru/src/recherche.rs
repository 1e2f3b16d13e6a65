//! The pseudonymised research extract: one row per consultation, no direct identifier.
//!
//! - No name, no birth date, no free text (motif, notes, precisions): the age in years (top-coded
//!   at 90), the ISO week of arrival, the commune (INSEE code) only when at least `k` patients of
//!   the extract live there, else the département; the coded fields (arrival mode, CCMU, transport,
//!   coded reason, CIM-10 diagnoses, acts, orientation) and the waiting and consultation times.
//! - The patient is a pseudonym: HMAC-SHA256 of the patient's id under a key that stays on the PC
//!   (in the encrypted store), so the same patient has the same pseudonym in every extract of this
//!   MMG and no one without the key can link it back.
//! - Before anything is written, k-anonymity is checked on the quasi-identifiers (age, sex, place,
//!   period): every combination must be shared by at least `k` distinct patients (so at least `k`
//!   rows). Until it holds, the extract is generalised, one step at a time, in this order: ages by
//!   5 years, by 10 years, the département for every row, the month instead of the week, ages by 20
//!   years; the rows still in a smaller class are then left out and counted. What was done is
//!   returned ([`Rapport`]), in French too.

use crate::OruError;
use appligarde_store::extraction::Passage;
use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The default and the smallest `k` accepted.
pub const K_DEFAUT: u32 = 5;
pub const K_MIN: u32 = 2;
pub const K_MAX: u32 = 100;
/// Ages from this one up are written as one class (`90+`).
const AGE_PLAFOND: u32 = 90;

/// A cell of the extract.
#[derive(Debug, Clone, PartialEq)]
pub enum Valeur {
    Texte(String),
    Nombre(f64),
}

/// The extract, ready to be written as CSV or XLSX.
#[derive(Debug, Clone, PartialEq)]
pub struct Extrait {
    pub colonnes: Vec<&'static str>,
    pub lignes: Vec<Vec<Valeur>>,
    pub rapport: Rapport,
}

/// What the k-anonymity check found and what was generalised to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rapport {
    pub k: u32,
    /// Consultations of the period.
    pub consultations: u32,
    /// Rows written.
    pub lignes: u32,
    /// Rows left out because their class stayed smaller than `k`.
    pub lignes_supprimees: u32,
    /// The width of the age classes in years (1 = the age itself).
    pub tranche_age_ans: u32,
    /// Rows whose commune was replaced by its département (fewer than `k` patients there, or every
    /// row once that step was needed).
    pub communes_remplacees: u32,
    /// `semaine` (ISO week) or `mois`.
    pub periode: &'static str,
    /// The generalisation steps applied, in order (French).
    pub etapes: Vec<String>,
    /// The whole report in one French sentence or two.
    pub texte: String,
}

/// The 16 first bytes of HMAC-SHA256(key, patient id), in hex: the patient's pseudonym.
pub fn pseudonyme(cle: &[u8], patient_id: i64) -> Result<String, OruError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(cle)
        .map_err(|_| OruError::Invalide("Clé des pseudonymes illisible.".to_owned()))?;
    mac.update(format!("appligarde-patient:{patient_id}").as_bytes());
    let octets = mac.finalize().into_bytes();
    Ok(hex::encode(&octets[..16]))
}

/// Age in full years on `jour`.
fn age(naissance: NaiveDate, jour: NaiveDate) -> Option<u32> {
    jour.years_since(naissance)
}

/// The département of an INSEE commune code (or, without one, of a postcode).
fn departement(code_insee: &str, code_postal: &str) -> String {
    let code = if code_insee.trim().len() == 5 {
        code_insee.trim()
    } else {
        code_postal.trim()
    };
    if code.len() != 5 {
        return "inconnu".to_owned();
    }
    let n = if code.starts_with("97") || code.starts_with("98") {
        3
    } else {
        2
    };
    code.get(..n).unwrap_or("inconnu").to_owned()
}

/// One consultation before generalisation.
struct Brute {
    pseudonyme: String,
    age: Option<u32>,
    sexe: &'static str,
    commune: Option<String>,
    departement: String,
    semaine: String,
    mois: String,
    autres: Vec<Valeur>,
}

/// One generalisation step: its French name and what it changes.
type Etape = (&'static str, fn(&mut Niveau));

/// The generalisation state.
#[derive(Clone, Copy)]
struct Niveau {
    tranche: u32,
    tout_departement: bool,
    mois: bool,
}

impl Niveau {
    fn age(&self, age: Option<u32>) -> String {
        match age {
            None => "inconnu".to_owned(),
            Some(a) if a >= AGE_PLAFOND => format!("{AGE_PLAFOND}+"),
            Some(a) if self.tranche == 1 => a.to_string(),
            Some(a) => {
                let debut = a / self.tranche * self.tranche;
                let fin = (debut + self.tranche - 1).min(AGE_PLAFOND - 1);
                format!("{debut}-{fin}")
            }
        }
    }

    fn lieu(&self, b: &Brute) -> (String, String) {
        match (&b.commune, self.tout_departement) {
            (Some(c), false) => (c.clone(), b.departement.clone()),
            _ => (String::new(), b.departement.clone()),
        }
    }

    fn periode<'a>(&self, b: &'a Brute) -> &'a str {
        if self.mois { &b.mois } else { &b.semaine }
    }

    fn classe(&self, b: &Brute) -> (String, &'static str, String, String) {
        let (commune, dep) = self.lieu(b);
        (
            self.age(b.age),
            b.sexe,
            if commune.is_empty() {
                format!("d{dep}")
            } else {
                commune
            },
            self.periode(b).to_owned(),
        )
    }

    /// The rows whose class has fewer than `k` distinct patients.
    fn trop_petites(&self, brutes: &[Brute], k: u32) -> BTreeSet<usize> {
        let mut classes: HashMap<(String, &'static str, String, String), BTreeSet<&str>> =
            HashMap::new();
        for b in brutes {
            classes
                .entry(self.classe(b))
                .or_default()
                .insert(&b.pseudonyme);
        }
        brutes
            .iter()
            .enumerate()
            .filter(|(_, b)| classes.get(&self.classe(b)).map_or(0, BTreeSet::len) < k as usize)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Checks `k`: at least 2 (5 by default), at most 100.
pub fn verifier_k(k: u32) -> Result<(), OruError> {
    if k < K_MIN {
        return Err(OruError::Invalide(format!(
            "k doit valoir au moins {K_MIN} : avec k = {k}, un patient pourrait être seul dans sa combinaison d'âge, de sexe, de lieu et de semaine (la valeur recommandée est {K_DEFAUT})."
        )));
    }
    if k > K_MAX {
        return Err(OruError::Invalide(format!(
            "k ne peut pas dépasser {K_MAX}."
        )));
    }
    Ok(())
}

pub const COLONNES: [&str; 17] = [
    "pseudonyme_patient",
    "age_ans",
    "sexe",
    "commune_insee",
    "departement",
    "semaine_ou_mois",
    "mode_arrivee",
    "lieu",
    "gravite_ccmu",
    "transport",
    "motif_cim10",
    "diagnostic_principal",
    "diagnostics_associes",
    "actes",
    "orientation",
    "attente_min",
    "duree_min",
];

/// The extract of `passages` under `k`, pseudonyms made with `cle`.
pub fn extrait(passages: &[Passage], cle: &[u8], k: u32) -> Result<Extrait, OruError> {
    verifier_k(k)?;
    let texte = |s: &str| Valeur::Texte(s.to_owned());
    let minutes = |a: Option<chrono::NaiveDateTime>, b: Option<chrono::NaiveDateTime>| match (a, b)
    {
        (Some(a), Some(b)) if b >= a => Valeur::Nombre((b - a).num_minutes() as f64),
        _ => Valeur::Texte(String::new()),
    };
    let mut brutes = Vec::with_capacity(passages.len());
    for p in passages {
        let jour = p.arrivee.date();
        let semaine = jour.iso_week();
        brutes.push(Brute {
            pseudonyme: pseudonyme(cle, p.patient_id)?,
            age: p.date_naissance.and_then(|n| age(n, jour)),
            sexe: p.sexe.code(),
            commune: Some(p.code_insee.trim().to_owned()).filter(|c| c.len() == 5),
            departement: departement(&p.code_insee, &p.code_postal),
            semaine: format!("{}-S{:02}", semaine.year(), semaine.week()),
            mois: format!("{}-{:02}", jour.year(), jour.month()),
            autres: vec![
                texte(p.mode_arrivee.code()),
                texte(p.lieu.code()),
                texte(p.gravite.map(crate::rpu::gravite).unwrap_or_default()),
                texte(p.transport.map(|t| t.code()).unwrap_or_default()),
                texte(p.motif_code.as_deref().unwrap_or_default()),
                texte(p.diagnostic_principal.as_deref().unwrap_or_default()),
                texte(&p.diagnostics_associes.join(" ")),
                texte(&p.actes.join(" ")),
                texte(p.orientation.map(|o| o.code()).unwrap_or_default()),
                minutes(Some(p.arrivee), p.debut),
                minutes(p.debut, p.fin),
            ],
        });
    }
    // A commune is kept only when at least k patients of the extract live there.
    let mut patients_par_commune: HashMap<String, BTreeSet<String>> = HashMap::new();
    for b in &brutes {
        if let Some(c) = &b.commune {
            patients_par_commune
                .entry(c.clone())
                .or_default()
                .insert(b.pseudonyme.clone());
        }
    }
    let mut communes_remplacees = 0u32;
    for b in &mut brutes {
        if let Some(c) = &b.commune
            && patients_par_commune.get(c).map_or(0, BTreeSet::len) < k as usize
        {
            b.commune = None;
            communes_remplacees += 1;
        }
    }
    let mut etapes = Vec::new();
    if communes_remplacees > 0 {
        etapes.push(format!(
            "commune remplacée par le département pour {communes_remplacees} consultation(s) (moins de {k} patients dans la commune)"
        ));
    }
    let mut niveau = Niveau {
        tranche: 1,
        tout_departement: false,
        mois: false,
    };
    let pas: [Etape; 5] = [
        ("âges par tranches de 5 ans", |n| n.tranche = 5),
        ("âges par tranches de 10 ans", |n| n.tranche = 10),
        (
            "département au lieu de la commune pour toutes les consultations",
            |n| n.tout_departement = true,
        ),
        ("mois au lieu de la semaine", |n| n.mois = true),
        ("âges par tranches de 20 ans", |n| n.tranche = 20),
    ];
    let mut petites = niveau.trop_petites(&brutes, k);
    for (libelle, appliquer) in pas {
        if petites.is_empty() {
            break;
        }
        appliquer(&mut niveau);
        etapes.push(libelle.to_owned());
        petites = niveau.trop_petites(&brutes, k);
    }
    if niveau.tout_departement {
        communes_remplacees = u32::try_from(brutes.len()).unwrap_or(u32::MAX);
    }
    let supprimees = u32::try_from(petites.len()).unwrap_or(u32::MAX);
    if supprimees > 0 {
        etapes.push(format!(
            "{supprimees} consultation(s) retirée(s) : leur combinaison restait partagée par moins de {k} patients"
        ));
    }
    let mut lignes: Vec<(String, String, Vec<Valeur>)> = brutes
        .iter()
        .enumerate()
        .filter(|(i, _)| !petites.contains(i))
        .map(|(_, b)| {
            let (commune, dep) = niveau.lieu(b);
            let periode = niveau.periode(b).to_owned();
            let mut ligne = vec![
                texte(&b.pseudonyme),
                Valeur::Texte(niveau.age(b.age)),
                texte(b.sexe),
                Valeur::Texte(commune),
                Valeur::Texte(dep),
                Valeur::Texte(periode.clone()),
            ];
            ligne.extend(b.autres.iter().cloned());
            (periode, b.pseudonyme.clone(), ligne)
        })
        .collect();
    // Ordered by period then pseudonym: the order of arrivals within a week is not given away.
    lignes.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let n = u32::try_from(lignes.len()).unwrap_or(u32::MAX);
    let consultations = u32::try_from(passages.len()).unwrap_or(u32::MAX);
    let texte = if etapes.is_empty() {
        format!(
            "{n} consultation(s) extraite(s). Chaque combinaison d'âge, de sexe, de lieu et de semaine est partagée par au moins {k} patients sans généralisation."
        )
    } else {
        format!(
            "{n} consultation(s) extraite(s) sur {consultations}. Pour que chaque combinaison d'âge, de sexe, de lieu et de période soit partagée par au moins {k} patients : {}.",
            etapes.join(" ; ")
        )
    };
    Ok(Extrait {
        colonnes: COLONNES.to_vec(),
        lignes: lignes.into_iter().map(|(_, _, l)| l).collect(),
        rapport: Rapport {
            k,
            consultations,
            lignes: n,
            lignes_supprimees: supprimees,
            tranche_age_ans: niveau.tranche,
            communes_remplacees,
            periode: if niveau.mois { "mois" } else { "semaine" },
            etapes,
            texte,
        },
    })
}

/// The quasi-identifier columns of a written row (age, sex, commune or département, period).
pub fn quasi_identifiants(ligne: &[Valeur]) -> Option<[String; 4]> {
    let t = |i: usize| match ligne.get(i) {
        Some(Valeur::Texte(s)) => Some(s.clone()),
        _ => None,
    };
    let lieu = match (t(3)?, t(4)?) {
        (c, d) if c.is_empty() => format!("d{d}"),
        (c, _) => c,
    };
    Some([t(1)?, t(2)?, lieu, t(5)?])
}

/// Every class of quasi-identifiers of the written rows with its number of distinct patients.
pub fn classes(lignes: &[Vec<Valeur>]) -> BTreeMap<[String; 4], usize> {
    let mut classes: BTreeMap<[String; 4], BTreeSet<String>> = BTreeMap::new();
    for l in lignes {
        if let (Some(q), Some(Valeur::Texte(p))) = (quasi_identifiants(l), l.first()) {
            classes.entry(q).or_default().insert(p.clone());
        }
    }
    classes.into_iter().map(|(q, p)| (q, p.len())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use appligarde_domain::garde::{Lieu, ModeArrivee, Sexe, StatutConsultation};
    use chrono::NaiveDateTime;

    fn passage(patient: i64, naissance: &str, insee: &str, jour: &str) -> Passage {
        Passage {
            consultation_id: patient,
            patient_id: patient,
            statut: StatutConsultation::Cloturee,
            code_postal: String::new(),
            commune: "Nom de commune".into(),
            code_insee: insee.into(),
            date_naissance: NaiveDate::parse_from_str(naissance, "%Y-%m-%d").ok(),
            sexe: if patient % 2 == 0 { Sexe::F } else { Sexe::M },
            arrivee: NaiveDateTime::parse_from_str(&format!("{jour}T20:00"), "%Y-%m-%dT%H:%M")
                .unwrap(),
            debut: None,
            fin: None,
            mode_arrivee: ModeArrivee::Spontane,
            lieu: Lieu::Mmg,
            motif_code: None,
            gravite: None,
            transport: None,
            diagnostic_principal: Some("J06.9".into()),
            diagnostics_associes: Vec::new(),
            actes: Vec::new(),
            orientation: None,
        }
    }

    #[test]
    fn the_pseudonym_is_stable_and_keyed() {
        let a = pseudonyme(&[1; 32], 42).unwrap();
        assert_eq!(a, pseudonyme(&[1; 32], 42).unwrap());
        assert_ne!(a, pseudonyme(&[2; 32], 42).unwrap(), "another key");
        assert_ne!(a, pseudonyme(&[1; 32], 43).unwrap(), "another patient");
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn k_below_two_is_refused() {
        assert!(extrait(&[], &[0; 32], 1).is_err());
        assert!(extrait(&[], &[0; 32], 0).is_err());
        assert!(extrait(&[], &[0; 32], 2).is_ok());
    }

    #[test]
    fn generalises_until_every_class_holds_k_patients() {
        // 40 patients of two communes, ages spread over 50 years, two weeks of one month.
        let mut passages = Vec::new();
        for i in 0..40 {
            let naissance = format!("{}-03-01", 1950 + i);
            let insee = if i % 3 == 0 { "44003" } else { "44109" };
            let jour = if i % 2 == 0 {
                "2026-11-02"
            } else {
                "2026-11-12"
            };
            passages.push(passage(i, &naissance, insee, jour));
        }
        let e = extrait(&passages, &[7; 32], 5).unwrap();
        assert!(!e.rapport.etapes.is_empty(), "ages by year are unique here");
        for (classe, patients) in classes(&e.lignes) {
            assert!(patients >= 5, "{classe:?} has {patients} patients");
        }
        assert_eq!(
            e.rapport.lignes + e.rapport.lignes_supprimees,
            e.rapport.consultations
        );
        assert!(e.rapport.texte.contains("au moins 5 patients"));
    }

    #[test]
    fn rows_of_a_lone_patient_are_left_out_and_counted() {
        let mut passages: Vec<Passage> = (0..10)
            .map(|i| passage(2 * i, "1980-01-01", "44109", "2026-11-02"))
            .collect();
        // One patient of another département, coming five times: never k distinct patients.
        for _ in 0..5 {
            passages.push(passage(1, "1930-01-01", "75056", "2026-11-03"));
        }
        let e = extrait(&passages, &[7; 32], 5).unwrap();
        assert_eq!(e.rapport.lignes_supprimees, 5);
        assert_eq!(e.lignes.len(), 10);
        assert!(e.rapport.texte.contains("retirée"));
    }
}
