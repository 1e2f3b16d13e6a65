//! The versions of the public drug database (ANSM BDPM): a release of the official files
//! imported by the MMG admin (`appligarde-cli bdpm import DIR`) or received from the URML's hub
//! becomes the active one; the drug search uses it, else the extract built into the program.
//! Parsing is `appligarde-bdpm`'s, storage `appligarde_store::bdpm`'s.

use std::ops::Deref;
use std::path::Path;
use std::sync::{Arc, RwLock};

use appligarde_bdpm::Base;
use appligarde_documents::bdpm::{self as docs_bdpm, Medicament};
use appligarde_domain::audit::Action;
use appligarde_store::bdpm::{self as store_bdpm, EnregistrementBdpm, NouvelleVersionBdpm};
use appligarde_store::{Store, audit};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};

/// An import of a BDPM release downloaded from the ANSM.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BdpmImportRequest {
    /// The directory holding `CIS_bdpm.txt`, `CIS_COMPO_bdpm.txt`, `CIS_GENER_bdpm.txt` and,
    /// when published, `CIS_CIP_bdpm.txt`.
    pub dossier: String,
}

/// What an import found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BdpmImportResult {
    pub medicaments: u32,
    /// Medicines marketed ("Commercialisée").
    pub commercialises: u32,
    pub presentations: u32,
    /// Distinct substances of the compositions.
    pub substances: u32,
    pub groupes_generiques: u32,
    /// Whether the release had `CIS_CIP_bdpm.txt` (prices and reimbursement rates).
    pub avec_presentations: bool,
    /// `nouvelle` (now active), `reactivee` (imported before, active again) or `inchangee`
    /// (the active version already: nothing changed).
    pub changement: String,
    pub version_id: i64,
}

/// A version of the drug database known to this PC.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BdpmVersionDto {
    pub id: i64,
    /// `import` or `hub`.
    pub source: String,
    pub origine: String,
    pub medicaments: u32,
    pub commercialises: u32,
    pub presentations: u32,
    pub importe_le: String,
    pub active: bool,
}

fn n(v: impl TryInto<u32>) -> u32 {
    v.try_into().unwrap_or(u32::MAX)
}

fn version_dto(v: store_bdpm::VersionBdpm) -> BdpmVersionDto {
    BdpmVersionDto {
        id: v.id,
        source: v.source,
        origine: v.origine,
        medicaments: n(v.nb_medicaments),
        commercialises: n(v.nb_commercialises),
        presentations: n(v.nb_presentations),
        importe_le: v.importe_le,
        active: v.active,
    }
}

/// The medicines the search runs over: the built-in extract or the active imported release.
#[derive(Clone)]
pub enum Medicaments {
    Integres,
    Importes(Arc<Vec<Medicament>>),
}

impl Deref for Medicaments {
    type Target = [Medicament];
    fn deref(&self) -> &[Medicament] {
        match self {
            Medicaments::Integres => docs_bdpm::base(),
            Medicaments::Importes(m) => m,
        }
    }
}

impl Medicaments {
    /// Whether a release of the official files is in use (else the built-in extract, which
    /// holds marketed medicines only).
    pub fn importes(&self) -> bool {
        matches!(self, Medicaments::Importes(_))
    }
}

/// The active release of one store, loaded when the store's active version changes (an import
/// by the CLI or a publication is picked up at the next search).
#[derive(Default)]
pub struct BdpmActive {
    etat: RwLock<Option<(i64, Arc<Vec<Medicament>>)>>,
}

fn illisible(e: appligarde_bdpm::BdpmError) -> ApiError {
    tracing::error!(error = %e, "stored BDPM version unreadable");
    ApiError::new(
        ErrorCode::Storage,
        "La version active de la base des médicaments est illisible : importez à nouveau les \
         fichiers de l'ANSM (appligarde-cli bdpm import DOSSIER).",
    )
}

impl BdpmActive {
    pub fn medicaments(&self, store: &Store) -> Result<Medicaments, ApiError> {
        let Some(id) = store_bdpm::id_actif(store.conn())? else {
            return Ok(Medicaments::Integres);
        };
        if let Some((cached, m)) = self.etat.read().unwrap_or_else(|p| p.into_inner()).as_ref()
            && *cached == id
        {
            return Ok(Medicaments::Importes(m.clone()));
        }
        let (_, donnees) = store_bdpm::version_active(store.conn())?
            .ok_or_else(|| ApiError::internal("the active BDPM version vanished"))?;
        let base = Base::depuis_compacte(&donnees).map_err(illisible)?;
        let medicaments = Arc::new(docs_bdpm::depuis_base(&base));
        *self.etat.write().unwrap_or_else(|p| p.into_inner()) = Some((id, medicaments.clone()));
        Ok(Medicaments::Importes(medicaments))
    }
}

/// The French error of files the parser refused (nothing recorded).
fn refusee(e: appligarde_bdpm::BdpmError) -> ApiError {
    ApiError::new(ErrorCode::Validation, e.to_string())
}

impl Api {
    /// The medicines the drug search and the templates see now.
    pub(crate) fn bdpm_medicaments(&self) -> Result<Medicaments, ApiError> {
        self.bdpm.medicaments(&self.store())
    }

    /// Imports a release of the official BDPM files from a directory of this PC (MMG admin; the
    /// version and its counts go into the audit journal). The release becomes the active one;
    /// the same files again change nothing; a bad file changes nothing either (French error
    /// naming the file and the line).
    pub fn bdpm_import(&self, request: BdpmImportRequest) -> Result<BdpmImportResult, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let dossier = Path::new(request.dossier.trim());
        let base = appligarde_bdpm::lire_dossier(dossier).map_err(refusee)?;
        self.bdpm_enregistrer(
            &base,
            "import",
            &dossier.display().to_string(),
            Some(acteur.id),
        )
    }

    /// Records a release read (or received) whole, as the active version, journaled.
    pub(crate) fn bdpm_enregistrer(
        &self,
        base: &Base,
        source: &str,
        origine: &str,
        acteur: Option<i64>,
    ) -> Result<BdpmImportResult, ApiError> {
        let c = base.comptes();
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let donnees = base.vers_compacte();
        let now = self.clock.now_utc_text();
        let enregistrement = self.store().write(|tx| {
            let e = store_bdpm::enregistrer_version(
                tx,
                &NouvelleVersionBdpm {
                    source,
                    origine,
                    empreinte: &base.empreinte,
                    nb_medicaments: i(c.medicaments),
                    nb_commercialises: i(c.commercialises),
                    nb_presentations: i(c.presentations),
                    nb_substances: i(c.substances),
                    nb_groupes: i(c.groupes_generiques),
                    avec_presentations: base.avec_presentations,
                    donnees: &donnees,
                    importe_le: &now,
                },
            )?;
            let details = format!(
                "base des médicaments ({source}) : {} médicaments dont {} commercialisés, \
                 {} présentations",
                c.medicaments, c.commercialises, c.presentations
            );
            let (action, id) = match e {
                EnregistrementBdpm::Nouvelle(id) => (Some(Action::Creation), id),
                EnregistrementBdpm::Reactivee(id) => (Some(Action::Modification), id),
                EnregistrementBdpm::Inchangee(id) => (None, id),
            };
            if let Some(action) = action {
                audit::append(tx, acteur, action, "bdpm_version", Some(id), &details, &now)?;
            }
            Ok(e)
        })?;
        let (changement, version_id) = match enregistrement {
            EnregistrementBdpm::Nouvelle(id) => ("nouvelle", id),
            EnregistrementBdpm::Reactivee(id) => ("reactivee", id),
            EnregistrementBdpm::Inchangee(id) => ("inchangee", id),
        };
        tracing::info!(
            changement,
            medicaments = c.medicaments,
            "BDPM version recorded"
        );
        Ok(BdpmImportResult {
            medicaments: n(c.medicaments),
            commercialises: n(c.commercialises),
            presentations: n(c.presentations),
            substances: n(c.substances),
            groupes_generiques: n(c.groupes_generiques),
            avec_presentations: base.avec_presentations,
            changement: changement.to_owned(),
            version_id,
        })
    }

    /// The versions of the drug database on this PC, oldest first (MMG admin).
    pub fn bdpm_versions(&self) -> Result<Vec<BdpmVersionDto>, ApiError> {
        self.acteur(Besoin::Admin)?;
        Ok(store_bdpm::versions(self.store().conn())?
            .into_iter()
            .map(version_dto)
            .collect())
    }
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        BdpmImportRequest::decl(cfg),
        BdpmImportResult::decl(cfg),
        BdpmVersionDto::decl(cfg),
    ]
}
