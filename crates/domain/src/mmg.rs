//! The MMG (maison médicale de garde) itself: its identity, as printed on every ordonnance and letter.

use crate::DomainError;
use serde::{Deserialize, Serialize};

/// The identity of the MMG. Every field is trimmed text as typed in Paramètres; [`MmgIdentity::validate`]
/// says whether it is usable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmgIdentity {
    pub nom: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub telephone: String,
    pub email: String,
    pub departement: String,
    /// FINESS number of the establishment, when the MMG has one.
    pub finess: Option<String>,
}

impl MmgIdentity {
    /// Returns the identity with every field trimmed and empty optional fields turned into `None`.
    pub fn normalized(&self) -> Self {
        let t = |s: &str| s.trim().to_owned();
        Self {
            nom: t(&self.nom),
            adresse: t(&self.adresse),
            code_postal: t(&self.code_postal),
            commune: t(&self.commune),
            telephone: t(&self.telephone),
            email: t(&self.email),
            departement: t(&self.departement).to_uppercase(),
            finess: self
                .finess
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }

    /// Checks every rule; returns all the broken ones so the UI can mark each field at once.
    pub fn validate(&self) -> Result<(), Vec<DomainError>> {
        let mut errors = Vec::new();
        if self.nom.trim().is_empty() {
            errors.push(DomainError::field(
                "nom",
                "Le nom de la maison médicale de garde est obligatoire.",
            ));
        } else if self.nom.chars().count() > 120 {
            errors.push(DomainError::field(
                "nom",
                "Le nom ne doit pas dépasser 120 caractères.",
            ));
        }
        let cp = self.code_postal.trim();
        if !(cp.is_empty() || is_postcode(cp)) {
            errors.push(DomainError::field(
                "code_postal",
                "Le code postal doit comporter 5 chiffres.",
            ));
        }
        if !is_departement(&self.departement.trim().to_uppercase()) {
            errors.push(DomainError::field(
                "departement",
                "Le département doit être un code valide (par exemple 44, 2A ou 974).",
            ));
        }
        let tel = self.telephone.trim();
        if !tel.is_empty() && !is_french_phone(tel) {
            errors.push(DomainError::field(
                "telephone",
                "Le téléphone doit être un numéro français à 10 chiffres (ou +33 suivi de 9 chiffres).",
            ));
        }
        let email = self.email.trim();
        if !email.is_empty() && !is_plausible_email(email) {
            errors.push(DomainError::field(
                "email",
                "L'adresse e-mail n'est pas valide.",
            ));
        }
        let finess = self.finess.as_deref().map(str::trim).unwrap_or_default();
        if !finess.is_empty()
            && let Err(message) = verifier_finess(finess)
        {
            errors.push(DomainError::field("finess", message));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// True for the code of a French département: 01–95 (without 20), 2A, 2B, 971–976.
pub fn is_departement(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) => {
            matches!(code.parse::<u8>(), Ok(n) if (1..=95).contains(&n) && n != 20)
        }
        _ if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => {
            matches!(code.parse::<u16>(), Ok(n) if (971..=976).contains(&n))
        }
        _ => false,
    }
}

/// True for a French phone number written with optional spaces, dots or dashes.
pub fn is_french_phone(phone: &str) -> bool {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if let Some(rest) = compact.strip_prefix("+33") {
        rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_digit()) && !rest.starts_with('0')
    } else {
        compact.len() == 10
            && compact.starts_with('0')
            && compact.bytes().all(|b| b.is_ascii_digit())
    }
}

fn is_plausible_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_postcode(cp: &str) -> bool {
    cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a FINESS number: 9 characters, digits (or 2A/2B in front for Corsica), the last one a
/// Luhn key over the 9 digits (as every published FINESS carries, e.g. 750712184). The key of a
/// Corsican number (letters in front) is not checked: its rule is not established here.
pub fn verifier_finess(finess: &str) -> Result<(), &'static str> {
    let corse = finess.starts_with("2A") || finess.starts_with("2B");
    let chiffres = if corse { finess.get(2..) } else { Some(finess) };
    if finess.len() != 9 || !chiffres.is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit())) {
        return Err("Le numéro FINESS doit comporter 9 caractères (chiffres, ou 2A/2B en tête).");
    }
    if !corse && !crate::luhn::is_valid(finess) {
        return Err(
            "Le numéro FINESS n'est pas valide : sa clé (le dernier chiffre) ne correspond pas. Vérifiez-le sur l'arrêté ou la fiche FINESS de la structure.",
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> MmgIdentity {
        MmgIdentity {
            nom: "MMG d'Ancenis".into(),
            adresse: "1 rue de l'Hôpital".into(),
            code_postal: "44150".into(),
            commune: "Ancenis-Saint-Géréon".into(),
            telephone: "02 40 00 00 00".into(),
            email: "mmg.ancenis@example.fr".into(),
            departement: "44".into(),
            finess: None,
        }
    }

    #[test]
    fn a_complete_identity_is_valid() {
        assert_eq!(valid().validate(), Ok(()));
    }

    #[test]
    fn each_broken_field_is_named() {
        let broken = MmgIdentity {
            nom: "  ".into(),
            code_postal: "4415".into(),
            departement: "20".into(),
            telephone: "12345".into(),
            email: "pas-un-mail".into(),
            finess: Some("12".into()),
            ..valid()
        };
        let fields: Vec<_> = broken
            .validate()
            .unwrap_err()
            .into_iter()
            .filter_map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "nom",
                "code_postal",
                "departement",
                "telephone",
                "email",
                "finess"
            ]
        );
    }

    #[test]
    fn finess_numbers_carry_a_luhn_key() {
        // Published numbers: AP-HP's legal entity, two emergency departments of the Haut-Rhin.
        for ok in ["750712184", "680000684", "680000973", "2A0000014"] {
            assert_eq!(verifier_finess(ok), Ok(()), "{ok} is a FINESS number");
        }
        for bad in [
            "750712185",
            "68000068",
            "6800006840",
            "68000068X",
            "2C0000014",
            "",
        ] {
            assert!(
                verifier_finess(bad).is_err(),
                "{bad} is not a FINESS number"
            );
        }
    }

    #[test]
    fn departement_codes() {
        for ok in ["01", "44", "2A", "2B", "95", "971", "976"] {
            assert!(is_departement(ok), "{ok} is a département");
        }
        for bad in ["00", "20", "96", "970", "977", "4", "ABC", ""] {
            assert!(!is_departement(bad), "{bad} is not a département");
        }
    }

    #[test]
    fn phones() {
        assert!(is_french_phone("+33 2 40 00 00 00"));
        assert!(is_french_phone("02.40.00.00.00"));
        assert!(!is_french_phone("+33 02 40 00 00 00"), "no 0 after +33");
        assert!(!is_french_phone("2400000000"), "must start with 0");
    }
}
