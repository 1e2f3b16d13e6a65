//! The audit journal as the admin reads it, the record of prints and exports, and the integrity
//! check of the database and of the journal's hash chain.

use crate::session::Besoin;
use crate::{Api, ApiError};
use appligarde_domain::{
    DomainError,
    audit::Action,
};
use appligarde_store::audit;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct JournalQuery {
    pub objet: Option<String>,
    pub objet_id: Option<i64>,
    pub limite: Option<u32>,
    /// Only the entries of this user.
    #[serde(default)]
    #[ts(optional)]
    pub utilisateur_id: Option<i64>,
    /// Only this action (its code, e.g. `modification`).
    #[serde(default)]
    #[ts(optional)]
    pub action: Option<String>,
    /// From this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub du: Option<String>,
    /// To this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub au: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JournalLigne {
    pub id: i64,
    pub horodatage: String,
    pub utilisateur: Option<String>,
    pub action: String,
    pub action_libelle: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    pub details: String,
}

/// A print or an export of clinical data, to record in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Diffusion {
    /// `impression` or `export`.
    pub action: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    /// What was printed or exported (e.g. « ordonnance », « lettre », « RPU »): no clinical value.
    pub details: String,
}

/// The result of the integrity check of the database and of the audit chain.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Verification {
    pub ok: bool,
    pub base: String,
    pub journal: String,
    pub entrees_journal: u64,
}

impl Api {

    pub fn journal_list(&self, q: JournalQuery) -> Result<Vec<JournalLigne>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let filtre = crate::administration::filtre_journal(&q)?;
        let lignes = self
            .store()
            .journal_filtre(&filtre, q.limite.unwrap_or(200).min(5000))?;
        Ok(lignes
            .into_iter()
            .map(|l| JournalLigne {
                id: l.id,
                horodatage: l.horodatage,
                utilisateur: l.utilisateur,
                action_libelle: Action::from_code(&l.action)
                    .map(|a| a.libelle().to_owned())
                    .unwrap_or_else(|| l.action.clone()),
                action: l.action,
                objet: l.objet,
                objet_id: l.objet_id,
                details: l.details,
            })
            .collect())
    }

    /// Records a print or an export of clinical data (the documents call it when they print).
    pub fn journal_diffusion(&self, d: Diffusion) -> Result<(), ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let action = match d.action.as_str() {
            "impression" => Action::Impression,
            "export" => Action::Export,
            _ => {
                return Err(ApiError::validation(vec![DomainError::field(
                    "action",
                    "L'action doit être « impression » ou « export ».",
                )]));
            }
        };
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            audit::append(
                tx,
                Some(acteur.id),
                action,
                &d.objet,
                d.objet_id,
                &d.details,
                &stamp,
            )
        })?;
        Ok(())
    }

    /// The integrity check of the database (SQLite) and of the audit chain. Needs no login: it shows
    /// no patient data.
    pub fn verifier(&self) -> Result<Verification, ApiError> {
        let store = self.store();
        let base = store.integrity_check();
        let fk: Vec<String> = store
            .conn()
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| ApiError::from(appligarde_store::StoreError::from(e)))?;
        let journal = store.verifier_journal();
        let base_text = match (&base, fk.is_empty()) {
            (Ok(()), true) => "Base de données intègre.".to_owned(),
            (Ok(()), false) => format!(
                "Références cassées dans la base (tables : {}).",
                fk.join(", ")
            ),
            (Err(e), _) => e.to_string(),
        };
        let (journal_text, n) = match &journal {
            Ok(n) => (format!("Journal d'audit intact ({n} entrées)."), *n),
            Err(e) => (e.to_string(), 0),
        };
        Ok(Verification {
            ok: base.is_ok() && fk.is_empty() && journal.is_ok(),
            base: base_text,
            journal: journal_text,
            entrees_journal: n,
        })
    }

    /// Same as [`Api::verifier`], for the admin screen (logged-in admin only).
    pub fn journal_verifier(&self) -> Result<Verification, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.verifier()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        JournalQuery::decl(cfg),
        JournalLigne::decl(cfg),
        Diffusion::decl(cfg),
        Verification::decl(cfg),
    ]
}
