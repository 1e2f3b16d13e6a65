//! The cotation proposal as the UI and the CLI ask for it: a thin layer over
//! `appligarde_domain::cotation::proposer` that parses the user's text and reduces errors to French
//! `ApiError`s. It needs no store, so `appligarde-cli cotation suggest` works without a data directory.

use crate::ApiError;
use appligarde_domain::{
    DomainError,
    cotation::{ContexteCotation, Cotation, proposer},
    mmg::is_departement,
    tarifs::TableTarifs,
};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the doctor tells about the act. Times are local (Europe/Paris) `YYYY-MM-DDTHH:MM`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct CotationRequest {
    pub date_heure: String,
    /// The MMG's département (Alsace-Moselle holidays); none means the general French calendar.
    #[serde(default)]
    pub departement: Option<String>,
    #[serde(default)]
    pub regule: bool,
    /// The patient's date of birth `YYYY-MM-DD`, the exact way to decide "under 6".
    #[serde(default)]
    pub date_naissance: Option<String>,
    /// The patient's age in whole years, when the date of birth is not at hand.
    #[serde(default)]
    pub age_ans: Option<u32>,
    #[serde(default)]
    pub visite: bool,
    #[serde(default)]
    pub urgence_averee: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ActeDto {
    pub code: String,
    pub libelle: String,
    pub montant_centimes: i64,
    pub montant_eur: f64,
    pub explication: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CotationDto {
    /// The NGAP codes, in the order of `actes`.
    pub codes: Vec<String>,
    pub actes: Vec<ActeDto>,
    pub total_centimes: i64,
    pub total_eur: f64,
    /// "G + MEG + CRN = 77,50 €"
    pub resume: String,
    pub periode: String,
    pub periode_libelle: String,
    pub avertissements: Vec<String>,
    pub notes: Vec<String>,
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::from(DomainError::field(field, message))
}

fn parse_local(text: &str) -> Result<NaiveDateTime, ApiError> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .ok_or_else(|| {
            invalid(
                "date_heure",
                format!("Date et heure invalides : « {text} » (format attendu AAAA-MM-JJTHH:MM)."),
            )
        })
}

/// Proposes the NGAP codes of one act with the default tariff table.
pub fn suggest(request: &CotationRequest) -> Result<CotationDto, ApiError> {
    suggest_with(request, &TableTarifs::default_table())
}

/// Proposes the NGAP codes of one act with `table`.
pub fn suggest_with(
    request: &CotationRequest,
    table: &TableTarifs,
) -> Result<CotationDto, ApiError> {
    let date_heure = parse_local(&request.date_heure)?;
    let departement = request
        .departement
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .to_uppercase();
    if !departement.is_empty() && !is_departement(&departement) {
        return Err(invalid(
            "departement",
            format!("Département inconnu : « {departement} »."),
        ));
    }
    let date_naissance = match (&request.date_naissance, request.age_ans) {
        (Some(text), _) => Some(NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(
            |_| {
                invalid(
                    "date_naissance",
                    format!("Date de naissance invalide : « {text} » (AAAA-MM-JJ)."),
                )
            },
        )?),
        (None, Some(age)) => {
            if age > 130 {
                return Err(invalid("age_ans", format!("Âge invalide : {age} ans.")));
            }
            // Born exactly `age` years before the act: the age in whole years is `age`.
            Some(
                date_heure
                    .date()
                    .checked_sub_months(chrono::Months::new(age * 12))
                    .ok_or_else(|| invalid("age_ans", format!("Âge invalide : {age} ans.")))?,
            )
        }
        (None, None) => None,
    };
    let mut ctx = ContexteCotation::new(date_heure, &departement);
    ctx.regule = request.regule;
    ctx.date_naissance = date_naissance;
    ctx.visite = request.visite;
    ctx.urgence_averee = request.urgence_averee;
    let cotation = proposer(&ctx, table).map_err(|e| ApiError::from(DomainError::from(e)))?;
    Ok(cotation_dto(&cotation))
}

/// The wire form of a cotation of the domain.
pub fn cotation_dto(cotation: &Cotation) -> CotationDto {
    CotationDto {
        codes: cotation.codes().into_iter().map(str::to_owned).collect(),
        actes: cotation
            .actes
            .iter()
            .map(|a| ActeDto {
                code: a.code.clone(),
                libelle: a.libelle.clone(),
                montant_centimes: a.montant_centimes,
                montant_eur: a.montant_centimes as f64 / 100.0,
                explication: a.explication.clone(),
            })
            .collect(),
        total_centimes: cotation.total_centimes,
        total_eur: cotation.total_eur(),
        resume: cotation.resume(),
        periode: serde_json::to_value(cotation.periode)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        periode_libelle: cotation.periode.libelle().to_owned(),
        avertissements: cotation.avertissements.clone(),
        notes: cotation.notes.clone(),
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        CotationRequest::decl(cfg),
        ActeDto::decl(cfg),
        CotationDto::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn request(at: &str) -> CotationRequest {
        CotationRequest {
            date_heure: at.into(),
            ..Default::default()
        }
    }

    #[test]
    fn easter_monday_night_regulated_child() {
        // 2025-04-21 is Easter Monday; 23:40, regulated, 4 years old: G + MEG + CRN.
        let r = CotationRequest {
            regule: true,
            age_ans: Some(4),
            ..request("2025-04-21T23:40")
        };
        let c = suggest(&r).unwrap();
        assert_eq!(c.codes, ["G", "MEG", "CRN"]);
        assert_eq!(c.total_centimes, 3000 + 500 + 4250);
        assert!((c.total_eur - 77.5).abs() < 1e-9);
    }

    #[test]
    fn bad_input_is_a_french_validation_error() {
        let err = suggest(&request("2025-03-30T02:30")).unwrap_err();
        assert_eq!(
            err.code,
            ErrorCode::Validation,
            "the spring DST gap: {}",
            err.message
        );
        let err = suggest(&request("demain soir")).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("date_heure"));
        let err = suggest(&CotationRequest {
            departement: Some("99".into()),
            ..request("2025-04-21T23:40")
        })
        .unwrap_err();
        assert_eq!(err.field.as_deref(), Some("departement"));
    }
}
