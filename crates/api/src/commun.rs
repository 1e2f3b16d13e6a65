//! What every module of the API shares, and nothing else: ids, local date and time parsing, the one
//! exported-file DTO, base64 (through the `base64` crate), the reduction of domain and document
//! errors, the ts-rs settings. It imports no other module of the crate (but `error`), so any module
//! may use it.

use crate::error::{ApiError, ErrorCode};
use appligarde_documents::DocumentError;
use appligarde_domain::DomainError;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// ts-rs settings of the generated file: ids and counts are JavaScript numbers (they stay far below 2^53).
pub fn ts_config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

/// A file the API hands over for the user to save or open (a PDF, a CSV, a spreadsheet).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Fichier {
    pub nom_fichier: String,
    pub type_mime: String,
    /// The bytes, in standard base64 (RFC 4648, with padding).
    pub contenu_base64: String,
}

impl Fichier {
    pub fn new(nom_fichier: impl Into<String>, type_mime: &str, octets: &[u8]) -> Self {
        Self {
            nom_fichier: nom_fichier.into(),
            type_mime: type_mime.to_owned(),
            contenu_base64: base64(octets),
        }
    }

    /// A PDF document.
    pub fn pdf(nom_fichier: impl Into<String>, octets: &[u8]) -> Self {
        Self::new(nom_fichier, "application/pdf", octets)
    }
}

/// Bytes from standard base64 (RFC 4648, padding optional): files sent by the CLI and the UI.
pub fn base64_decoder(texte: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD
        .decode(texte.trim().trim_end_matches('='))
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(texte.trim()))
}

/// Standard base64 (RFC 4648, with padding): bytes for the browser and the CLI.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A local date-time as typed (`YYYY-MM-DDTHH:MM`, seconds optional, a space instead of `T` too).
pub fn parse_heure(field: &str, text: &str) -> Result<NaiveDateTime, DomainError> {
    let t = text.trim().replace(' ', "T");
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&t, f).ok())
        .ok_or_else(|| {
            DomainError::field(
                field,
                format!("Date et heure invalides : « {text} » (format attendu JJ/MM/AAAA HH:MM)."),
            )
        })
}

pub(crate) fn parse_date(field: &str, text: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        DomainError::field(
            field,
            format!("Date invalide : « {text} » (une date qui existe, au format AAAA-MM-JJ)."),
        )
    })
}

/// A row id, as the UI sends it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
pub struct Id {
    pub id: i64,
}

pub(crate) fn validation(errors: Vec<DomainError>) -> ApiError {
    ApiError::validation(errors)
}

/// The local date-time as the API writes it (`YYYY-MM-DDTHH:MM`).
pub(crate) fn heure_texte(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// A document error as the UI shows it: a validation message next to the field it is about.
pub fn erreur_document(e: DocumentError) -> ApiError {
    let champ = match &e {
        DocumentError::PoidsEnfantManquant { .. }
        | DocumentError::PoidsInvalide { .. }
        | DocumentError::PoidsPourDose => Some("poids_kg"),
        DocumentError::TailleInvalide { .. } => Some("taille_cm"),
        DocumentError::RppsInvalide => Some("rpps"),
        DocumentError::OrdonnanceVide | DocumentError::LigneIncomplete { .. } => {
            Some("prescription")
        }
        DocumentError::CourrierVide | DocumentError::BlocTropLong { .. } => Some("courrier"),
        DocumentError::DateNaissanceFuture => Some("date_naissance"),
        DocumentError::ChampManquant { .. } | DocumentError::RegleDose => None,
        DocumentError::Pdf(_) => return ApiError::internal(e),
    };
    let mut err = ApiError::new(ErrorCode::Validation, e.to_string());
    err.field = champ.map(str::to_owned);
    err
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![Id::decl(cfg), Fichier::decl(cfg)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 §10 test vectors.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in cases {
            assert_eq!(base64(input.as_bytes()), expected, "base64 of {input:?}");
        }
    }
}
