//! Wire types of the API: what crosses to the UI (as JSON) and to the CLI. They are the only
//! serde-facing types of the desktop; domain and store types are converted here, at the edge.
//! Each derives `TS`; `cargo xtask gen-types` writes `ui/src/lib/api/types.ts` from them.

use crate::{ApiError, ErrorCode, FieldError};
use appligarde_domain::mmg::MmgIdentity;
use appligarde_store::{consultation::ConsultationLigne, utilisateur::Utilisateur};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// ts-rs settings of the generated file: ids and counts are JavaScript numbers (they stay far below 2^53).
pub fn ts_config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub schema_version: u32,
    pub data_dir: String,
    pub database: String,
    /// Where the database key comes from (never the key).
    pub key: String,
    pub counts: Vec<TableCount>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TableCount {
    pub table: String,
    pub rows: i64,
}

/// The MMG's identity as edited in Paramètres. An empty `finess` means none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MmgSettings {
    pub nom: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub telephone: String,
    pub email: String,
    pub departement: String,
    pub finess: String,
}

impl MmgSettings {
    pub fn into_domain(self) -> MmgIdentity {
        MmgIdentity {
            nom: self.nom,
            adresse: self.adresse,
            code_postal: self.code_postal,
            commune: self.commune,
            telephone: self.telephone,
            email: self.email,
            departement: self.departement,
            finess: Some(self.finess),
        }
        .normalized()
    }
}

impl From<MmgIdentity> for MmgSettings {
    fn from(m: MmgIdentity) -> Self {
        Self {
            nom: m.nom,
            adresse: m.adresse,
            code_postal: m.code_postal,
            commune: m.commune,
            telephone: m.telephone,
            email: m.email,
            departement: m.departement,
            finess: m.finess.unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct UtilisateurDto {
    pub id: i64,
    pub nom: String,
    pub prenom: String,
    /// `medecin`, `accueil` or `admin`.
    pub role: String,
    pub role_libelle: String,
    pub rpps: Option<String>,
    pub specialite: Option<String>,
}

impl From<Utilisateur> for UtilisateurDto {
    fn from(u: Utilisateur) -> Self {
        Self {
            id: u.id,
            nom: u.nom,
            prenom: u.prenom,
            role: u.role.code().to_owned(),
            role_libelle: u.role.libelle().to_owned(),
            rpps: u.rpps,
            specialite: u.specialite,
        }
    }
}

/// A period of local dates, both included, as `YYYY-MM-DD`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationsQuery {
    pub du: String,
    pub au: String,
}

impl ConsultationsQuery {
    /// The half-open range of local date-times `[du 00:00, au+1 00:00)`.
    pub fn bounds(&self) -> Result<(chrono::NaiveDateTime, chrono::NaiveDateTime), ApiError> {
        let parse = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ApiError {
                code: ErrorCode::Validation,
                message: format!("Date invalide : « {text} » (format attendu AAAA-MM-JJ)."),
                field: Some(field.to_owned()),
                details: vec![FieldError {
                    field: field.to_owned(),
                    message: "Date invalide.".to_owned(),
                }],
            })
        };
        let du = parse("du", &self.du)?;
        let au = parse("au", &self.au)?;
        if au < du {
            return Err(ApiError {
                code: ErrorCode::Validation,
                message: "La date de fin précède la date de début.".to_owned(),
                field: Some("au".to_owned()),
                details: Vec::new(),
            });
        }
        let start = du.and_hms_opt(0, 0, 0).unwrap_or_default();
        let end = au
            .succ_opt()
            .unwrap_or(au)
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        Ok((start, end))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConsultationRow {
    pub id: i64,
    /// Local arrival time, `YYYY-MM-DDTHH:MM:SS`.
    pub arrivee: String,
    pub patient_nom: String,
    pub patient_prenom: String,
    pub patient_naissance: String,
    pub medecin: Option<String>,
    pub mode_arrivee: String,
    pub mode_arrivee_libelle: String,
    pub regule: bool,
    pub lieu_libelle: String,
    pub motif: String,
    pub statut: String,
    pub statut_libelle: String,
    pub patient_id: i64,
    pub debut: Option<String>,
    pub fin: Option<String>,
    /// `attente` (waiting room), `en_cours` (in consultation) or `terminee` (closed).
    pub etat: String,
    pub etat_libelle: String,
    /// Code of the main diagnosis (doctors only).
    pub diagnostic: Option<String>,
    pub orientation_libelle: Option<String>,
    pub version: i64,
}

impl From<ConsultationLigne> for ConsultationRow {
    fn from(c: ConsultationLigne) -> Self {
        Self {
            id: c.id,
            arrivee: c.arrivee,
            patient_nom: c.patient_nom,
            patient_prenom: c.patient_prenom,
            patient_naissance: c.patient_naissance,
            medecin: c.medecin,
            mode_arrivee: c.mode_arrivee.code().to_owned(),
            mode_arrivee_libelle: c.mode_arrivee.libelle().to_owned(),
            regule: c.mode_arrivee.est_regule(),
            lieu_libelle: c.lieu.libelle().to_owned(),
            motif: c.motif,
            statut: c.statut.code().to_owned(),
            statut_libelle: c.statut.libelle().to_owned(),
            etat: crate::consultation::etat(c.statut, c.debut.is_some())
                .0
                .to_owned(),
            etat_libelle: crate::consultation::etat(c.statut, c.debut.is_some())
                .1
                .to_owned(),
            patient_id: c.patient_id,
            debut: c.debut,
            fin: c.fin,
            diagnostic: c.diagnostic,
            orientation_libelle: c.orientation.map(|o| o.libelle().to_owned()),
            version: c.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeDuJour {
    /// Start of the garde day shown (local time, `YYYY-MM-DDTHH:MM`).
    pub debut: String,
    pub consultations: Vec<ConsultationRow>,
    /// The open shift, if any.
    pub garde: Option<crate::consultation::GardeDto>,
    pub situation: crate::consultation::SituationDto,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DemoOptions {
    pub consultations: u32,
    pub seed: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DemoSummary {
    pub utilisateurs: u32,
    pub patients: u32,
    pub consultations: u32,
}

/// The whole generated TypeScript file: every DTO, the error type and the command map.
pub fn typescript_file() -> String {
    let cfg = ts_config();
    let decls: [String; 15] = [
        AppInfo::decl(&cfg),
        TableCount::decl(&cfg),
        MmgSettings::decl(&cfg),
        UtilisateurDto::decl(&cfg),
        ConsultationsQuery::decl(&cfg),
        ConsultationRow::decl(&cfg),
        GardeDuJour::decl(&cfg),
        DemoOptions::decl(&cfg),
        DemoSummary::decl(&cfg),
        ErrorCode::decl(&cfg),
        ApiError::decl(&cfg),
        FieldError::decl(&cfg),
        crate::cotation::CotationRequest::decl(&cfg),
        crate::cotation::ActeDto::decl(&cfg),
        crate::cotation::CotationDto::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust API by `cargo xtask gen-types`; do not edit.\n\
         // A test of appligarde-api fails while this file is stale.\n\n",
    );
    let decls = decls
        .into_iter()
        .chain(crate::session::ts_decls(&cfg))
        .chain(crate::consultation::ts_decls(&cfg))
        .chain(crate::compta::ts_decls(&cfg))
        .chain(crate::administration::ts_decls(&cfg))
        .chain(crate::sauvegarde::ts_decls(&cfg))
        .chain(crate::droits::ts_decls(&cfg))
        .chain(crate::cim10::ts_decls(&cfg))
        .chain(crate::annuaire::ts_decls(&cfg))
        .chain(crate::statistiques::ts_decls(&cfg))
        .chain(crate::synchro::ts_decls(&cfg))
        .chain(crate::documents::ts_decls(&cfg));
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str(&crate::commands_typescript());
    out
}
