//! A patient of the MMG: the minimal identity the garde needs (DOMAIN.md "Privacy": minimum data),
//! its validation, and the name key that finds a returning patient before a duplicate is made.

use crate::{DomainError, garde::Sexe, luhn, mmg, texte};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A patient's identity and the few clinical notes that travel with them. Text fields are as typed;
/// [`Identite::normalisee`] trims them and upper-cases the names.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Identite {
    pub nom: String,
    /// Birth name, when different from the usual name (empty otherwise).
    pub nom_naissance: String,
    pub prenom: String,
    pub sexe: Sexe,
    pub date_naissance: NaiveDate,
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    pub telephone: String,
    /// The médecin traitant as free text (name, town).
    pub medecin_traitant: String,
    /// The RPPS number of the médecin traitant when chosen from the annuaire.
    pub medecin_traitant_rpps: Option<String>,
    pub poids_kg: Option<f64>,
    pub taille_cm: Option<f64>,
    pub allergies: String,
    pub antecedents: String,
}

// Patient identity never goes to logs, not even through `{:?}`.
impl std::fmt::Debug for Identite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identite(<redacted>)")
    }
}

/// Longest name, in characters.
const NOM_MAX: usize = 100;
/// Longest note (allergies, history), in characters.
const NOTE_MAX: usize = 2000;
/// The oldest birth date accepted.
fn naissance_min() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or_default()
}

/// Plausible weight and height of a patient, from a premature newborn to the heaviest adults.
pub const POIDS_KG: (f64, f64) = (0.3, 350.0);
pub const TAILLE_CM: (f64, f64) = (20.0, 250.0);

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Identite {
    /// Trims every field, collapses inner spaces and upper-cases the names (French usage: NOM Prénom).
    pub fn normalisee(&self) -> Self {
        let opt = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Self {
            nom: collapse(&self.nom).to_uppercase(),
            nom_naissance: collapse(&self.nom_naissance).to_uppercase(),
            prenom: collapse(&self.prenom),
            sexe: self.sexe,
            date_naissance: self.date_naissance,
            code_postal: self.code_postal.trim().to_owned(),
            commune: collapse(&self.commune),
            code_insee: self.code_insee.trim().to_uppercase(),
            telephone: self.telephone.trim().to_owned(),
            medecin_traitant: collapse(&self.medecin_traitant),
            medecin_traitant_rpps: opt(&self.medecin_traitant_rpps),
            poids_kg: self.poids_kg,
            taille_cm: self.taille_cm,
            allergies: self.allergies.trim().to_owned(),
            antecedents: self.antecedents.trim().to_owned(),
        }
    }

    /// Every broken rule at once, each naming its field. `aujourdhui` is the local date.
    pub fn valider(&self, aujourdhui: NaiveDate) -> Result<(), Vec<DomainError>> {
        let mut errors = Vec::new();
        let mut err = |field: &str, message: &str| errors.push(DomainError::field(field, message));
        for (field, value, label) in [
            ("nom", &self.nom, "Le nom"),
            ("prenom", &self.prenom, "Le prénom"),
        ] {
            if value.trim().is_empty() {
                err(field, &format!("{label} du patient est obligatoire."));
            } else if value.chars().count() > NOM_MAX {
                err(
                    field,
                    &format!("{label} ne doit pas dépasser {NOM_MAX} caractères."),
                );
            }
        }
        if self.nom_naissance.chars().count() > NOM_MAX {
            err(
                "nom_naissance",
                &format!("Le nom de naissance ne doit pas dépasser {NOM_MAX} caractères."),
            );
        }
        if self.date_naissance > aujourdhui {
            err(
                "date_naissance",
                "La date de naissance ne peut pas être dans le futur.",
            );
        } else if self.date_naissance < naissance_min() {
            err(
                "date_naissance",
                "La date de naissance est antérieure à 1900 : vérifiez l'année.",
            );
        }
        let cp = self.code_postal.trim();
        let cp_ok = cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit());
        if !cp.is_empty() && !cp_ok {
            err("code_postal", "Le code postal doit comporter 5 chiffres.");
        }
        if !self.code_insee.trim().is_empty() && !est_code_insee(self.code_insee.trim()) {
            err(
                "code_insee",
                "Le code INSEE de la commune comporte 5 caractères (par exemple 44003, ou 2A004 en Corse).",
            );
        }
        let tel = self.telephone.trim();
        if !tel.is_empty() && !mmg::is_french_phone(tel) {
            err(
                "telephone",
                "Le téléphone doit être un numéro français à 10 chiffres (ou +33 suivi de 9 chiffres).",
            );
        }
        if let Some(rpps) = &self.medecin_traitant_rpps
            && !luhn::is_valid_rpps(rpps)
        {
            err(
                "medecin_traitant",
                "Le numéro RPPS du médecin traitant doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
            );
        }
        if let Some(p) = self.poids_kg
            && !(POIDS_KG.0..=POIDS_KG.1).contains(&p)
        {
            err(
                "poids_kg",
                "Le poids doit être compris entre 0,3 et 350 kg.",
            );
        }
        if let Some(t) = self.taille_cm
            && !(TAILLE_CM.0..=TAILLE_CM.1).contains(&t)
        {
            err(
                "taille_cm",
                "La taille doit être comprise entre 20 et 250 cm.",
            );
        }
        for (field, value, label) in [
            ("allergies", &self.allergies, "Les allergies"),
            ("antecedents", &self.antecedents, "Les antécédents"),
        ] {
            if value.chars().count() > NOTE_MAX {
                err(
                    field,
                    &format!(
                        "{label} ne doivent pas dépasser {NOTE_MAX} caractères (notes courtes)."
                    ),
                );
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A commune's INSEE code: 5 digits, or 2A/2B and 3 digits in Corsica.
pub fn est_code_insee(code: &str) -> bool {
    code.len() == 5
        && (code.bytes().all(|b| b.is_ascii_digit())
            || ((code.starts_with("2A") || code.starts_with("2B"))
                && code[2..].bytes().all(|b| b.is_ascii_digit())))
}

/// The search key of a name: upper case, without accents, hyphens and apostrophes as spaces, single
/// spaces. "Lefèvre-d'Orgeval" and "LEFEVRE D ORGEVAL" give the same key. The letters are folded
/// by the program's one table ([`texte::fold_char`]); the key's own rules (upper case, other
/// punctuation dropped rather than a space) stay here: the key is stored and compared as such.
pub fn cle_recherche(nom: &str) -> String {
    let mut out = String::with_capacity(nom.len());
    for c in nom.chars() {
        let start = out.len();
        if texte::fold_char(c, &mut out) {
            if out[start..].is_ascii() {
                out[start..].make_ascii_uppercase();
            } else {
                let folded = out.split_off(start);
                out.extend(folded.chars().flat_map(char::to_uppercase));
            }
        } else if matches!(c, '-' | '\'' | '’' | '.' | ',') || c.is_whitespace() {
            out.push(' ');
        }
    }
    collapse(&out)
}

/// True when two identities born the same day probably are the same person: the same name key
/// (usual or birth name, either way), or the same first name with names starting alike.
pub fn doublon_probable(a: &Identite, b: &Identite) -> bool {
    if a.date_naissance != b.date_naissance {
        return false;
    }
    let noms = |i: &Identite| {
        [cle_recherche(&i.nom), cle_recherche(&i.nom_naissance)]
            .into_iter()
            .filter(|k| !k.is_empty())
            .collect::<Vec<_>>()
    };
    let (na, nb) = (noms(a), noms(b));
    if na.iter().any(|x| nb.contains(x)) {
        return true;
    }
    let prefix = |k: &str| k.chars().take(3).collect::<String>();
    cle_recherche(&a.prenom) == cle_recherche(&b.prenom)
        && na.iter().any(|x| nb.iter().any(|y| prefix(x) == prefix(y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identite() -> Identite {
        Identite {
            nom: " lefèvre ".into(),
            nom_naissance: String::new(),
            prenom: " Anaïs ".into(),
            sexe: Sexe::F,
            date_naissance: NaiveDate::from_ymd_opt(1990, 4, 2).unwrap(),
            code_postal: "44150".into(),
            commune: "Ancenis-Saint-Géréon".into(),
            code_insee: "44003".into(),
            telephone: "06 12 34 56 78".into(),
            medecin_traitant: "Dr Martin, Ancenis".into(),
            medecin_traitant_rpps: None,
            poids_kg: Some(61.5),
            taille_cm: Some(168.0),
            allergies: "Pénicilline".into(),
            antecedents: String::new(),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
    }

    #[test]
    fn a_complete_identity_is_valid_and_normalised() {
        let i = identite().normalisee();
        assert_eq!(i.nom, "LEFÈVRE", "names are upper-cased, accents kept");
        assert_eq!(i.prenom, "Anaïs");
        assert_eq!(i.valider(today()), Ok(()));
    }

    #[test]
    fn each_bad_field_is_reported_in_french() {
        type Cas = (&'static str, fn(&mut Identite));
        let cases: &[Cas] = &[
            ("nom", |i| i.nom = " ".into()),
            ("prenom", |i| i.prenom = String::new()),
            ("date_naissance", |i| {
                i.date_naissance = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
            }),
            ("date_naissance", |i| {
                i.date_naissance = NaiveDate::from_ymd_opt(1890, 1, 1).unwrap()
            }),
            ("code_postal", |i| i.code_postal = "4415".into()),
            ("code_insee", |i| i.code_insee = "4A003".into()),
            ("telephone", |i| i.telephone = "12 34".into()),
            ("medecin_traitant", |i| {
                i.medecin_traitant_rpps = Some("10181590837".into())
            }),
            ("poids_kg", |i| i.poids_kg = Some(0.0)),
            ("taille_cm", |i| i.taille_cm = Some(400.0)),
        ];
        for (field, break_it) in cases {
            let mut i = identite();
            break_it(&mut i);
            let errors = i.normalisee().valider(today()).unwrap_err();
            assert_eq!(errors.len(), 1, "{field}: one broken rule, got {errors:?}");
            assert_eq!(errors[0].field.as_deref(), Some(*field));
            assert!(
                errors[0].message.ends_with('.') && errors[0].message.len() > 20,
                "a sentence: {}",
                errors[0].message
            );
        }
    }

    #[test]
    fn insee_codes_of_corsica_are_accepted() {
        assert!(est_code_insee("2A004"));
        assert!(est_code_insee("44109"));
        assert!(!est_code_insee("2C004"));
    }

    #[test]
    fn search_keys_ignore_accents_case_and_punctuation() {
        assert_eq!(cle_recherche("Lefèvre-d'Orgeval"), "LEFEVRE D ORGEVAL");
        assert_eq!(cle_recherche("  LEFEVRE   D ORGEVAL "), "LEFEVRE D ORGEVAL");
        assert_eq!(cle_recherche("Cœur"), "COEUR");
    }

    #[test]
    fn duplicates_are_found_by_birth_name_too() {
        let a = identite().normalisee();
        let mut b = identite();
        b.nom = "Durand".into();
        b.nom_naissance = "Lefevre".into();
        assert!(doublon_probable(&a, &b.normalisee()), "birth name matches");
        let mut c = identite();
        c.date_naissance = NaiveDate::from_ymd_opt(1990, 4, 3).unwrap();
        assert!(
            !doublon_probable(&a, &c),
            "another birth date is another person"
        );
        let mut d = identite();
        d.nom = "Petit".into();
        d.prenom = "Léa".into();
        assert!(!doublon_probable(&a, &d), "another name and first name");
    }
}
