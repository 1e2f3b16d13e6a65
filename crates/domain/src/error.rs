//! The domain's error types: [`DomainError`], the one every validation returns, and
//! [`CotationError`], the errors of the garde calendar, the tariff table and the cotation (shared by
//! `calendrier`, `tarifs` and `cotation`, so it sits below all three).

use chrono::{NaiveDate, NaiveDateTime};

/// A rule of the domain was broken by a value. `field` names the offending field (as the UI knows
/// it) so that the message can be shown next to it; `message` is French text for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DomainError {
    pub field: Option<String>,
    pub message: String,
}

impl DomainError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    pub fn general(message: impl Into<String>) -> Self {
        Self {
            field: None,
            message: message.into(),
        }
    }
}

/// Errors of the garde calendar, the tariff table and the cotation; every message is French text the
/// user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CotationError {
    /// The tariff table as a whole is unusable (empty, missing column).
    #[error("Table des tarifs : {message}")]
    TableInvalide { message: String },
    /// One line of the tariff table is malformed.
    #[error("Table des tarifs, ligne {ligne} : {message}")]
    LigneInvalide { ligne: usize, message: String },
    #[error(
        "Table des tarifs, ligne {ligne} : le montant « {valeur} » n'est pas valide ({raison})."
    )]
    MontantInvalide {
        ligne: usize,
        valeur: String,
        raison: String,
    },
    #[error(
        "Table des tarifs, ligne {ligne} : la date « {valeur} » de la colonne {colonne} n'est pas valide (format attendu AAAA-MM-JJ, par exemple 2024-12-22)."
    )]
    DateInvalide {
        ligne: usize,
        colonne: &'static str,
        valeur: String,
    },
    #[error(
        "Table des tarifs, lignes {ligne_a} et {ligne_b} : deux tarifs de {code} sont valables en même temps (le {}) ; corrigez les dates de validité.",
        date_fr(*.date)
    )]
    PeriodesChevauchantes {
        code: String,
        ligne_a: usize,
        ligne_b: usize,
        date: NaiveDate,
    },
    /// A wall-clock time skipped by the spring change to summer time.
    #[error(
        "L'heure saisie n'existe pas : le {} à {}, les horloges passent directement de 2 h à 3 h (passage à l'heure d'été). Vérifiez l'heure de la consultation.",
        date_fr(.date_heure.date()),
        .date_heure.format("%H:%M")
    )]
    HeureInexistante { date_heure: NaiveDateTime },
    #[error("La date de naissance est postérieure à la date de la consultation : vérifiez-la.")]
    NaissanceApresConsultation,
    /// The base act has no amount in the table on that date.
    #[error(
        "Le tarif de {code} n'est pas connu au {} dans la table des tarifs : chargez une table des tarifs qui le contient.",
        date_fr(*.date)
    )]
    TarifAbsent { code: String, date: NaiveDate },
}

impl From<CotationError> for DomainError {
    fn from(error: CotationError) -> Self {
        let field = match &error {
            CotationError::HeureInexistante { .. } => Some("date_heure"),
            CotationError::NaissanceApresConsultation => Some("date_naissance"),
            _ => None,
        };
        match field {
            Some(field) => DomainError::field(field, error.to_string()),
            None => DomainError::general(error.to_string()),
        }
    }
}

/// French date "22/12/2024".
pub(crate) fn date_fr(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}
