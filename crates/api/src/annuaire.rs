//! The annuaire des correspondants as the UI and the CLI see it: RPPS imports (in the background
//! for the UI, with a progress the UI polls), search, practitioners, the MMG's own entries, and
//! duty doctors' accounts made from the annuaire.
//!
//! Rights: reading the annuaire needs no session (it is public reference data: the national RPPS
//! extract and the MMG's list of hospitals and pharmacies; no patient data). Adding or changing a
//! local entry needs a logged-in user; importing the RPPS file and creating users need the MMG
//! admin. The CLI, run by whoever holds the database key, imports and searches without a session
//! through [`Api::rpps_import_file`] and [`Api::annuaire_search`].
//!
//! A background import opens its own connection to the store: while it writes (one transaction,
//! up to a minute for the whole country), the UI keeps reading; another write waits for it.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use appligarde_rpps::Filtre;
use appligarde_store::annuaire::{
    self as store_annuaire, Correspondant, EntreeLocale, ImportHistorique, ImportOptions,
    ImportPhase, ImportProgress, ImportSummary, Praticien, SitePraticien, SourceCorrespondant,
    TypeLocal,
};
use appligarde_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::UtilisateurDto;

use crate::session::Besoin;
use crate::{Api, ApiConfig, ApiError, ErrorCode};
/// The progress of an import, as [`Api::rpps_import_file`] reports it.
pub use appligarde_store::annuaire::{ImportPhase as PhaseImport, ImportProgress as ProgresImport};

/// Results a search returns when the UI does not say.
const LIMITE_PAR_DEFAUT: u32 = 20;

/// What to import: a file of the machine, optionally filtered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct RppsImportRequest {
    /// Path of `PS_LibreAcces_Personne_activite` (as typed or picked).
    pub chemin: String,
    /// Département codes to keep (`44`, `2A`, `974`); empty = the whole country.
    #[serde(default)]
    pub departements: Vec<String>,
    /// Profession codes to keep (`10` = médecin); empty = every profession.
    #[serde(default)]
    pub professions: Vec<String>,
}

/// A line of the file set aside, with its number and why (French).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LigneMalformee {
    pub ligne: u64,
    pub raison: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RppsImportResult {
    pub import_id: i64,
    pub fichier: String,
    /// `UTF-8` or `Latin-1`.
    pub encodage: String,
    /// 52 (older layout) or 56.
    pub colonnes: u32,
    /// Non-blank lines after the header.
    pub lignes: u64,
    /// Activities kept by the filter and imported.
    pub activites: u64,
    pub hors_filtre: u64,
    /// Malformed lines, set aside (the first ones in `lignes_malformees`).
    pub malformees: u64,
    pub lignes_malformees: Vec<LigneMalformee>,
    /// Practitioners new to the annuaire.
    pub ajoutes: u64,
    /// Practitioners whose activities changed (reactivated ones included).
    pub modifies: u64,
    pub inchanges: u64,
    /// Practitioners absent from the file (within its filter), kept as inactive.
    pub desactives: u64,
    /// Inactive practitioners found again.
    pub reactives: u64,
    /// Active practitioners in the annuaire after the import.
    pub praticiens_actifs: u64,
    pub duree_ms: u64,
}

impl RppsImportResult {
    fn from_summary(s: ImportSummary, fichier: String, duree_ms: u64) -> Self {
        Self {
            import_id: s.import_id,
            fichier,
            encodage: s.encodage,
            colonnes: u32::try_from(s.colonnes).unwrap_or(u32::MAX),
            lignes: s.lignes,
            activites: s.activites,
            hors_filtre: s.hors_filtre,
            malformees: s.malformees,
            lignes_malformees: s
                .lignes_malformees
                .into_iter()
                .map(|(ligne, raison)| LigneMalformee { ligne, raison })
                .collect(),
            ajoutes: s.ajoutes,
            modifies: s.modifies,
            inchanges: s.inchanges,
            desactives: s.desactives,
            reactives: s.reactives,
            praticiens_actifs: s.praticiens_actifs,
            duree_ms,
        }
    }
}

/// Where the background import stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EtatImport {
    /// No import since the program started.
    #[default]
    Aucun,
    EnCours,
    Termine,
    Echec,
}

/// The background import, as the UI polls it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RppsImportStatus {
    pub etat: EtatImport,
    pub fichier: Option<String>,
    /// `lecture`, `comparaison` or `index` while running.
    pub phase: Option<String>,
    pub octets_lus: u64,
    pub octets_total: Option<u64>,
    pub activites: u64,
    pub resultat: Option<RppsImportResult>,
    /// The French reason of a failure (the annuaire was left as it was).
    pub erreur: Option<String>,
}

/// A search as the user types.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct AnnuaireQuery {
    pub texte: String,
    /// At most this many results (20 by default, 100 at most).
    #[serde(default)]
    #[ts(optional)]
    pub limite: Option<u32>,
}

/// One entry of the annuaire in a list: a practitioner with one of their addresses (in the MMG's
/// département when they have one there), or a local entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CorrespondantDto {
    /// `rpps:<number>` or `local:<id>`: unique in a list.
    pub cle: String,
    /// `rpps` or `local`.
    pub source: String,
    pub rpps: Option<String>,
    pub local_id: Option<i64>,
    /// The kind of a local entry (`hopital`, `urgences`, `pharmacie`, `laboratoire`,
    /// `specialiste`, `autre`).
    pub type_local: Option<String>,
    pub nom: String,
    pub prenom: String,
    pub civilite: String,
    pub profession: String,
    pub specialite: String,
    pub raison_sociale: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub departement: String,
    pub telephone: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    /// Other active addresses of the practitioner.
    pub autres_sites: u32,
    pub actif: bool,
}

impl From<Correspondant> for CorrespondantDto {
    fn from(c: Correspondant) -> Self {
        let (cle, source, rpps, local_id, type_local) = match c.source {
            SourceCorrespondant::Rpps { rpps } => {
                (format!("rpps:{rpps}"), "rpps", Some(rpps), None, None)
            }
            SourceCorrespondant::Local { id, type_ } => (
                format!("local:{id}"),
                "local",
                None,
                Some(id),
                Some(type_.code().to_owned()),
            ),
        };
        Self {
            cle,
            source: source.to_owned(),
            rpps,
            local_id,
            type_local,
            nom: c.nom,
            prenom: c.prenom,
            civilite: c.civilite,
            profession: c.profession,
            specialite: c.specialite,
            raison_sociale: c.raison_sociale,
            adresse: c.adresse,
            code_postal: c.code_postal,
            commune: c.commune,
            departement: c.departement,
            telephone: c.telephone,
            fax: c.fax,
            email: c.email,
            mssante: c.mssante,
            autres_sites: c.autres_sites,
            actif: c.actif,
        }
    }
}

/// An RPPS number, as an argument.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RppsArg {
    pub rpps: String,
}

/// The id of a local entry, as an argument.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EntreeLocaleId {
    pub id: i64,
}

/// A site (structure, address) of a practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SiteDto {
    pub savoir_faire: String,
    pub mode_exercice: String,
    pub raison_sociale: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub departement: String,
    pub telephone: String,
    pub telephone2: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    /// False when the last import no longer listed this site.
    pub actif: bool,
}

impl From<SitePraticien> for SiteDto {
    fn from(s: SitePraticien) -> Self {
        Self {
            savoir_faire: s.savoir_faire,
            mode_exercice: s.mode_exercice,
            raison_sociale: s.raison_sociale,
            adresse: s.adresse,
            code_postal: s.code_postal,
            commune: s.commune,
            departement: s.departement,
            telephone: s.telephone,
            telephone2: s.telephone2,
            fax: s.fax,
            email: s.email,
            mssante: s.mssante,
            actif: s.actif,
        }
    }
}

/// A practitioner of the RPPS with all their sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PraticienDto {
    pub rpps: String,
    pub nom: String,
    pub prenom: String,
    pub civilite: String,
    pub profession: String,
    pub specialite: String,
    /// False when the last import covering them no longer listed them.
    pub actif: bool,
    /// Active sites first.
    pub sites: Vec<SiteDto>,
}

impl From<Praticien> for PraticienDto {
    fn from(p: Praticien) -> Self {
        Self {
            rpps: p.rpps,
            nom: p.nom,
            prenom: p.prenom,
            civilite: p.civilite,
            profession: p.profession,
            specialite: p.specialite,
            actif: p.actif,
            sites: p.sites.into_iter().map(SiteDto::from).collect(),
        }
    }
}

/// An entry the MMG adds itself (hospital, emergency department, pharmacy, laboratory,
/// specialist not in the RPPS file...). `id` is absent for a new one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntreeLocaleDto {
    #[serde(default)]
    pub id: Option<i64>,
    /// `hopital`, `urgences`, `pharmacie`, `laboratoire`, `specialiste` or `autre`.
    pub type_local: String,
    pub nom: String,
    #[serde(default)]
    pub prenom: String,
    /// Empty when none.
    #[serde(default)]
    pub rpps: String,
    #[serde(default)]
    pub specialite: String,
    #[serde(default)]
    pub adresse: String,
    #[serde(default)]
    pub code_postal: String,
    #[serde(default)]
    pub commune: String,
    #[serde(default)]
    pub departement: String,
    #[serde(default)]
    pub telephone: String,
    #[serde(default)]
    pub fax: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub mssante: String,
    #[serde(default)]
    pub notes: String,
    pub actif: bool,
}

impl EntreeLocaleDto {
    fn into_store(self) -> Result<EntreeLocale, ApiError> {
        let type_ = TypeLocal::from_code(self.type_local.trim()).ok_or_else(|| {
            let mut e = ApiError::new(
                ErrorCode::Validation,
                "Choisissez le type de l'entrée : hôpital, urgences, pharmacie, laboratoire, spécialiste ou autre.",
            );
            e.field = Some("type_local".to_owned());
            e
        })?;
        Ok(EntreeLocale {
            id: self.id,
            type_,
            nom: self.nom,
            prenom: self.prenom,
            rpps: Some(self.rpps).filter(|r| !r.trim().is_empty()),
            specialite: self.specialite,
            adresse: self.adresse,
            code_postal: self.code_postal,
            commune: self.commune,
            departement: self.departement,
            telephone: self.telephone,
            fax: self.fax,
            email: self.email,
            mssante: self.mssante,
            notes: self.notes,
            actif: self.actif,
        })
    }
}

impl From<EntreeLocale> for EntreeLocaleDto {
    fn from(e: EntreeLocale) -> Self {
        Self {
            id: e.id,
            type_local: e.type_.code().to_owned(),
            nom: e.nom,
            prenom: e.prenom,
            rpps: e.rpps.unwrap_or_default(),
            specialite: e.specialite,
            adresse: e.adresse,
            code_postal: e.code_postal,
            commune: e.commune,
            departement: e.departement,
            telephone: e.telephone,
            fax: e.fax,
            email: e.email,
            mssante: e.mssante,
            notes: e.notes,
            actif: e.actif,
        }
    }
}

/// One past import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportHistoriqueDto {
    pub id: i64,
    pub debut: String,
    pub fin: Option<String>,
    pub fichier: String,
    pub filtre_professions: String,
    pub filtre_departements: String,
    /// `termine` or `echec`.
    pub statut: String,
    pub erreur: Option<String>,
    pub lignes: u64,
    pub activites: u64,
    pub malformees: u64,
    pub ajoutes: u64,
    pub modifies: u64,
    pub inchanges: u64,
    pub desactives: u64,
}

impl From<ImportHistorique> for ImportHistoriqueDto {
    fn from(h: ImportHistorique) -> Self {
        Self {
            id: h.id,
            debut: h.debut,
            fin: h.fin,
            fichier: h.fichier,
            filtre_professions: h.filtre_professions,
            filtre_departements: h.filtre_departements,
            statut: h.statut,
            erreur: h.erreur,
            lignes: h.lignes,
            activites: h.activites,
            malformees: h.malformees,
            ajoutes: h.ajoutes,
            modifies: h.modifies,
            inchanges: h.inchanges,
            desactives: h.desactives,
        }
    }
}

/// The annuaire at a glance, for the top of its screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AnnuaireInfo {
    pub praticiens_actifs: u64,
    pub praticiens_total: u64,
    /// The MMG's département, whose entries come first in a search.
    pub departement_mmg: Option<String>,
    /// The last imports, most recent first.
    pub imports: Vec<ImportHistoriqueDto>,
}

/// The state of the background import, held by the [`Api`].
pub(crate) struct ImportEnFond {
    config: ApiConfig,
    statut: Arc<Mutex<RppsImportStatus>>,
}

impl ImportEnFond {
    pub(crate) fn new(config: &ApiConfig) -> Self {
        Self {
            config: config.clone(),
            statut: Arc::new(Mutex::new(RppsImportStatus::default())),
        }
    }

    fn statut(&self) -> RppsImportStatus {
        lock(&self.statut).clone()
    }
}

fn lock(m: &Mutex<RppsImportStatus>) -> std::sync::MutexGuard<'_, RppsImportStatus> {
    // A panic in the import thread leaves a status to read, never a half-written annuaire.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn phase_code(phase: ImportPhase) -> &'static str {
    match phase {
        ImportPhase::Lecture => "lecture",
        ImportPhase::Comparaison => "comparaison",
        ImportPhase::Index => "index",
    }
}

fn codes(list: &[String]) -> Option<Vec<String>> {
    let kept: Vec<String> = list
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    (!kept.is_empty()).then_some(kept)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn chemin_invalide(message: String) -> ApiError {
    let mut e = ApiError::new(ErrorCode::Validation, message);
    e.field = Some("chemin".to_owned());
    e
}

/// Checks the request before anything is started: a readable file.
fn checked_path(request: &RppsImportRequest) -> Result<std::path::PathBuf, ApiError> {
    let chemin = request.chemin.trim();
    if chemin.is_empty() {
        return Err(chemin_invalide(
            "Indiquez le chemin du fichier RPPS (PS_LibreAcces_Personne_activite).".to_owned(),
        ));
    }
    let path = std::path::PathBuf::from(chemin);
    if !path.is_file() {
        return Err(chemin_invalide(format!(
            "Le fichier « {chemin} » est introuvable. Vérifiez le chemin (par exemple /home/mmg/PS_LibreAcces_Personne_activite.txt)."
        )));
    }
    Ok(path)
}

/// Runs one import on `store`, timing it.
fn run_import(
    store: &mut Store,
    path: &Path,
    request: &RppsImportRequest,
    debut: &str,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<RppsImportResult, StoreError> {
    let fichier = file_name(path);
    let options = ImportOptions {
        fichier: &fichier,
        filtre: Filtre {
            professions: codes(&request.professions),
            departements: codes(&request.departements),
        },
        debut,
    };
    let t = Instant::now();
    let summary = store.import_rpps_file(path, &options, progress)?;
    let duree_ms = u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(RppsImportResult::from_summary(summary, fichier, duree_ms))
}

impl Api {
    /// Imports an RPPS file now, in this thread, reporting progress (the CLI). No session: whoever
    /// runs the CLI holds the database key.
    pub fn rpps_import_file(
        &self,
        request: RppsImportRequest,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<RppsImportResult, ApiError> {
        let path = checked_path(&request)?;
        let debut = self.clock.now_utc_text();
        let mut store = self.store();
        Ok(run_import(&mut store, &path, &request, &debut, progress)?)
    }

    /// Starts an import in the background (the MMG admin); the UI follows it with
    /// [`Api::rpps_import_status`].
    pub fn rpps_import_start(
        &self,
        request: RppsImportRequest,
    ) -> Result<RppsImportStatus, ApiError> {
        self.acteur(Besoin::Admin)?;
        let path = checked_path(&request)?;
        let fond = &self.annuaire;
        {
            let mut statut = lock(&fond.statut);
            if statut.etat == EtatImport::EnCours {
                return Err(ApiError::new(
                    ErrorCode::Validation,
                    "Un import du fichier RPPS est déjà en cours ; attendez qu'il se termine.",
                ));
            }
            *statut = RppsImportStatus {
                etat: EtatImport::EnCours,
                fichier: Some(file_name(&path)),
                phase: Some(phase_code(ImportPhase::Lecture).to_owned()),
                ..RppsImportStatus::default()
            };
        }
        let statut = Arc::clone(&fond.statut);
        let config = fond.config.clone();
        let debut = self.clock.now_utc_text();
        let spawned = std::thread::Builder::new()
            .name("import-rpps".to_owned())
            .spawn(move || {
                let outcome = Store::open(&config.data_dir, &config.key).and_then(|mut store| {
                    run_import(&mut store, &path, &request, &debut, &mut |p| {
                        let mut s = lock(&statut);
                        s.phase = Some(phase_code(p.phase).to_owned());
                        s.octets_lus = p.octets_lus;
                        s.octets_total = p.octets_total;
                        s.activites = p.activites;
                    })
                });
                let mut s = lock(&statut);
                s.phase = None;
                match outcome {
                    Ok(result) => {
                        s.etat = EtatImport::Termine;
                        s.activites = result.activites;
                        s.resultat = Some(result);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "background RPPS import failed");
                        s.etat = EtatImport::Echec;
                        s.erreur = Some(e.to_string());
                    }
                }
            });
        if let Err(e) = spawned {
            let mut s = lock(&self.annuaire.statut);
            s.etat = EtatImport::Echec;
            s.erreur = Some("L'import n'a pas pu démarrer ; réessayez.".to_owned());
            return Err(ApiError::internal(e));
        }
        Ok(self.annuaire.statut())
    }

    /// Where the background import stands.
    pub fn rpps_import_status(&self) -> Result<RppsImportStatus, ApiError> {
        Ok(self.annuaire.statut())
    }

    /// Counts, the MMG's département and the last imports.
    pub fn annuaire_info(&self) -> Result<AnnuaireInfo, ApiError> {
        let store = self.store();
        let (praticiens_actifs, praticiens_total) = store.praticiens_count()?;
        Ok(AnnuaireInfo {
            praticiens_actifs,
            praticiens_total,
            departement_mmg: store.mmg_identity()?.map(|m| m.departement),
            imports: store
                .imports_rpps(10)?
                .into_iter()
                .map(ImportHistoriqueDto::from)
                .collect(),
        })
    }

    /// Searches the annuaire as the user types (the MMG's département first).
    pub fn annuaire_search(&self, query: AnnuaireQuery) -> Result<Vec<CorrespondantDto>, ApiError> {
        let store = self.store();
        let departement = store.mmg_identity()?.map(|m| m.departement);
        let limite = query.limite.unwrap_or(LIMITE_PAR_DEFAUT) as usize;
        Ok(store
            .annuaire_search(&query.texte, departement.as_deref(), limite)?
            .into_iter()
            .map(CorrespondantDto::from)
            .collect())
    }

    /// A practitioner by RPPS number, active or not.
    pub fn annuaire_praticien(&self, arg: RppsArg) -> Result<PraticienDto, ApiError> {
        self.store()
            .praticien(&arg.rpps)?
            .map(PraticienDto::from)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "Aucun praticien de numéro RPPS {} dans l'annuaire.",
                        arg.rpps.trim()
                    ),
                )
            })
    }

    /// A local entry by id.
    pub fn annuaire_local_get(&self, arg: EntreeLocaleId) -> Result<EntreeLocaleDto, ApiError> {
        self.store()
            .entree_locale(arg.id)?
            .map(EntreeLocaleDto::from)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "Cette entrée de l'annuaire n'existe pas (ou plus).",
                )
            })
    }

    /// Creates or changes a local entry (any logged-in user of the MMG).
    pub fn annuaire_local_save(
        &self,
        entree: EntreeLocaleDto,
    ) -> Result<EntreeLocaleDto, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let entree = entree.into_store()?;
        if let Err(errors) = entree.normalized().validate() {
            return Err(ApiError::validation(errors));
        }
        let now = self.clock.now_utc_text();
        let saved = self
            .store()
            .write(|tx| store_annuaire::save_entree_locale(tx, &entree, &now))?;
        Ok(saved.into())
    }

    /// Makes a duty doctor's account from a GP of the annuaire (the MMG admin): a `medecin` user
    /// with the name, first name, RPPS number and specialty of the annuaire, without a password
    /// (set it in the users' screen).
    pub fn utilisateur_depuis_rpps(&self, arg: RppsArg) -> Result<UtilisateurDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let id = store.write(|tx| {
            store_annuaire::utilisateur_depuis_rpps(tx, &arg.rpps, Some(acteur.id), &now)
        })?;
        tracing::info!(utilisateur = id, "duty doctor created from the annuaire");
        store
            .utilisateurs()?
            .into_iter()
            .find(|u| u.id == id)
            .map(UtilisateurDto::from)
            .ok_or_else(|| ApiError::internal("the new user cannot be read back"))
    }
}

/// The TypeScript declarations of this module's wire types.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        RppsImportRequest::decl(cfg),
        LigneMalformee::decl(cfg),
        RppsImportResult::decl(cfg),
        EtatImport::decl(cfg),
        RppsImportStatus::decl(cfg),
        AnnuaireQuery::decl(cfg),
        CorrespondantDto::decl(cfg),
        RppsArg::decl(cfg),
        EntreeLocaleId::decl(cfg),
        SiteDto::decl(cfg),
        PraticienDto::decl(cfg),
        EntreeLocaleDto::decl(cfg),
        ImportHistoriqueDto::decl(cfg),
        AnnuaireInfo::decl(cfg),
    ]
}
