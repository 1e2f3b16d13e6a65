//! Small wire types shared by several modules and the crate root: the app's info, the MMG's
//! identity, a user, the demo options. Each module keeps its own DTOs; every DTO derives `TS`, and
//! `cargo xtask gen-types` writes `ui/src/lib/api/types.ts` from them ([`crate::bindings`]).

use appligarde_domain::mmg::MmgIdentity;
use appligarde_store::utilisateur::Utilisateur;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        AppInfo::decl(cfg),
        TableCount::decl(cfg),
        MmgSettings::decl(cfg),
        UtilisateurDto::decl(cfg),
        DemoOptions::decl(cfg),
        DemoSummary::decl(cfg),
    ]
}
