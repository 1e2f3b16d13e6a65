//! The API of Appligarde: the use cases the UI and the CLI call.
//!
//! What it is for: one function per use case, taking and returning wire types ([`dto`]), with errors
//! reduced to [`ApiError`] `{code, message}` (French message). The Tauri shell, the CLI and the
//! loopback HTTP server of the CLI (for browser tests) all go through [`Api::invoke`], so the three
//! can never disagree.
//!
//! What it must not depend on: no `tauri`, no HTTP framework. It owns the store and the clock.
//!
//! How to add a use case: write the method on [`Api`], its DTOs in [`dto`] (derive `TS`), then one
//! line in the `commands!` table below; run `cargo xtask gen-types` to refresh the TypeScript types
//! (a test fails while they are stale).

// Bottom: what every module may use.
mod clock;
pub mod commun;
pub mod dto;
mod error;
// One module per domain noun.
pub mod administration;
pub mod annuaire;
pub mod bdpm;
pub mod cim10;
pub mod compta;
pub mod consultation;
pub mod conventions;
pub mod cotation;
pub mod demo;
pub mod documents;
pub mod droits;
pub mod garde;
pub mod journal;
pub mod messagerie;
pub mod oru;
pub mod patient;
pub mod premier_demarrage;
pub mod reglages;
pub mod sauvegarde;
pub mod session;
pub mod statistiques;
pub mod synchro;
pub mod tarifs;
// Top: imports every module, imported by none.
pub mod bindings;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{ApiError, ErrorCode, FieldError};

use appligarde_store::{KeySource, Store, StoreError};
use dto::*;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// Where the desktop's data lives and how its key is found.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub data_dir: PathBuf,
    pub key: KeySource,
}

impl ApiConfig {
    /// The data directory and key source from explicit options, else the environment
    /// (`APPLIGARDE_DATA_DIR`, `APPLIGARDE_KEY_FILE`), else the OS defaults (the app-data directory and
    /// the OS keyring).
    pub fn resolve(data_dir: Option<PathBuf>, key_file: Option<PathBuf>) -> Result<Self, ApiError> {
        let env_path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let data_dir = match data_dir.or_else(|| env_path("APPLIGARDE_DATA_DIR")) {
            Some(dir) => dir,
            None => default_data_dir().ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Storage,
                    "Impossible de trouver le dossier de données de l'utilisateur ; indiquez-le avec --data-dir.",
                )
            })?,
        };
        let key = match key_file.or_else(|| env_path("APPLIGARDE_KEY_FILE")) {
            Some(path) => KeySource::File(path),
            None => KeySource::Keyring,
        };
        Ok(Self { data_dir, key })
    }
}

/// The OS app-data directory of Appligarde (e.g. `~/.local/share/fr.urml-pdl.appligarde` on Linux).
pub fn default_data_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".local/share")))
        .map(|base| base.join(APP_IDENTIFIER))
}

/// The application identifier, shared with `tauri.conf.json`.
pub const APP_IDENTIFIER: &str = "fr.urml-pdl.appligarde";

/// The open API of one data directory.
pub struct Api {
    store: Mutex<Store>,
    clock: Arc<dyn Clock>,
    session: Mutex<session::Session>,
    annuaire: annuaire::ImportEnFond,
    nomenclature: Arc<dyn appligarde_domain::consultation::Nomenclature + Send + Sync>,
    cim10: Arc<cim10::Cim10Actif>,
    /// The active release of the drug database, loaded when it changes.
    bdpm: bdpm::BdpmActive,
    /// The network side of the sync, plugged in by the shell and the CLI ([`synchro::Hub`]).
    hub: std::sync::OnceLock<Arc<dyn synchro::Hub>>,
    /// The folder of the shipped conventions and the versions the session is held to.
    conventions: conventions::Conventions,
}

impl Api {
    pub fn open(config: &ApiConfig) -> Result<Self, ApiError> {
        Self::open_with_clock(config, Arc::new(SystemClock))
    }

    pub fn open_with_clock(config: &ApiConfig, clock: Arc<dyn Clock>) -> Result<Self, ApiError> {
        let store = Store::open(&config.data_dir, &config.key)?;
        let cim10 = Arc::new(cim10::Cim10Actif::default());
        if let Err(e) = cim10.jeu(&store) {
            // The search reports it; the consultations are checked against the built-in set.
            tracing::error!(error = %e.message, "the active CIM-10 version cannot be loaded");
        }
        Ok(Self {
            store: Mutex::new(store),
            clock,
            session: Mutex::new(session::Session::default()),
            annuaire: annuaire::ImportEnFond::new(config),
            nomenclature: cim10.clone(),
            cim10,
            bdpm: bdpm::BdpmActive::default(),
            hub: std::sync::OnceLock::new(),
            conventions: conventions::Conventions::new(conventions::dossier_par_defaut()),
        })
    }

    /// Reads the shipped conventions from `dossier` instead of [`conventions::dossier_par_defaut`]
    /// (tests of a missing or newer text).
    pub fn with_conventions_dir(mut self, dossier: PathBuf) -> Self {
        self.conventions = conventions::Conventions::new(dossier);
        self
    }

    /// Replaces the diagnosis code set the consultations are checked against (the embedded CIM-10
    /// by default).
    pub fn with_nomenclature(
        mut self,
        nomenclature: Arc<dyn appligarde_domain::consultation::Nomenclature + Send + Sync>,
    ) -> Self {
        self.nomenclature = nomenclature;
        self
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll back),
        // so the store stays usable after a poisoned lock.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn app_info(&self) -> Result<AppInfo, ApiError> {
        let store = self.store();
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version: store.schema_version()?,
            data_dir: store.data_dir().display().to_string(),
            database: store.db_path().display().to_string(),
            key: store.key_description().to_owned(),
            counts: store
                .row_counts()?
                .into_iter()
                .map(|(table, rows)| TableCount {
                    table: table.to_owned(),
                    rows,
                })
                .collect(),
        })
    }

    pub fn mmg_get(&self) -> Result<MmgSettings, ApiError> {
        Ok(self
            .store()
            .mmg_identity()?
            .map(MmgSettings::from)
            .unwrap_or_default())
    }

    /// Saves the MMG's identity (the MMG admin only); the row and the audit log keep who did it.
    pub fn mmg_save(&self, settings: MmgSettings) -> Result<MmgSettings, ApiError> {
        let acteur = self.acteur(session::Besoin::Admin)?;
        let identity = settings.into_domain();
        if let Err(errors) = identity.validate() {
            return Err(ApiError::validation(errors));
        }
        let now = self.clock.now_utc_text();
        let saved = self.store().write(|tx| {
            let saved = appligarde_store::mmg::save_identity(tx, &identity, &now)?;
            appligarde_store::mmg::noter_modification(tx, Some(acteur.id), &now)?;
            Ok(saved)
        })?;
        tracing::info!("MMG identity saved");
        Ok(saved.into())
    }

    pub fn utilisateurs_list(&self) -> Result<Vec<UtilisateurDto>, ApiError> {
        Ok(self
            .store()
            .utilisateurs()?
            .into_iter()
            .map(UtilisateurDto::from)
            .collect())
    }

    /// Fills an empty store with the demo MMG (see [`demo`]).
    pub fn demo_seed(&self, options: DemoOptions) -> Result<DemoSummary, ApiError> {
        let now = self.clock.now_local();
        let stamp = self.clock.now_utc_text();
        let summary = {
            let mut store = self.store();
            demo::seed(&mut store, &options, now, &stamp)?
        };
        // Its accounts accept the shipped texts (journaled as the demo's): the demo opens on
        // patient data; the asking is shown by a new version or a new database.
        self.conventions_demo()?;
        Ok(summary)
    }

    /// Proposes the NGAP codes of an act; the MMG's département is used when the request has none.
    pub fn cotation_suggest(
        &self,
        mut request: cotation::CotationRequest,
    ) -> Result<cotation::CotationDto, ApiError> {
        if request
            .departement
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            request.departement = self.store().mmg_identity()?.map(|m| m.departement);
        }
        cotation::suggest_with(&request, &self.table_tarifs()?.table)
    }

    /// Runs a command by name with JSON arguments: the single entry point of the shell, the CLI and
    /// the loopback HTTP server.
    pub fn invoke(
        &self,
        command: &str,
        args: serde_json::Value,
    ) -> Result<serde_json::Value, ApiError> {
        dispatch(self, command, args)
    }

    /// The gate of [`Api::invoke`]: a command outside [`COMMANDES_SANS_SESSION`] needs a logged-in
    /// user and an unlocked screen (checked without counting as activity, so a polling screen does
    /// not keep a session open); one outside [`COMMANDES_SANS_CONVENTION`] also needs the current
    /// MMG convention accepted by an admin and the current charter by the user.
    fn ouvert_a(&self, command: &str) -> Result<(), ApiError> {
        if COMMANDES_SANS_SESSION.contains(&command) {
            return Ok(());
        }
        self.session_ouverte()?;
        if COMMANDES_SANS_CONVENTION.contains(&command) {
            return Ok(());
        }
        self.conventions_verifier()
    }
}

/// The commands a logged-in user reaches before the conventions are accepted (see
/// [`conventions`]): the conventions screen, their own password, the first-start assistant's
/// steps after the admin account (recovery code, backup, hub enrollment) and the sync (which
/// brings new texts). None reads a patient's record; every other command is refused with the
/// French reason (`convention_non_acceptee`), whatever its own rule.
pub const COMMANDES_SANS_CONVENTION: &[&str] = &[
    "conventions_etat",
    "convention_accepter",
    "convention_refuser",
    "app_info",
    "mot_de_passe_changer",
    "premier_demarrage_code_confirmer",
    "premier_demarrage_inscription_reporter",
    "recovery_code_show",
    "fiche_recuperation",
    "sauvegarde_etat",
    "sauvegarde_reglages_save",
    "sauvegarde_maintenant",
    "sync_statut",
    "sync_maintenant",
    "hub_inscrire",
];

/// The commands that answer without a logged-in user (nobody logged in, or the screen locked):
/// what the login screen and the start of the app need, nothing that reads the MMG's records. Every
/// other command is refused by [`Api::invoke`] until someone logs in, whatever its own rule: the
/// window, the loopback server and any future front get the same gate.
pub const COMMANDES_SANS_SESSION: &[&str] = &[
    // The login, lock and switch-user screen, and the first admin of a new installation.
    "session_status",
    "session_login",
    "session_unlock",
    "session_lock",
    "session_logout",
    "compte_initial",
    // The first-start assistant: where it stands, and the MMG's identity typed before any account
    // exists (refused once one does).
    "premier_demarrage_etat",
    "premier_demarrage_identite",
    // ... or read from the hub with the MMG's enrollment code (refused once an account exists).
    "premier_demarrage_identite_hub",
    // ... or the MMG restored on this new PC from its off-site copy (refused once an account exists).
    "premier_demarrage_restaurer_hub",
    // The MMG's name in the navigation bar.
    "mmg_get",
    // A new database's recovery code, shown once at the first start.
    "recovery_code_pending",
    // The daily backup, due even while nobody is logged in: it takes no argument and writes only
    // into the folders the admin chose.
    "sauvegarde_quotidienne",
];

/// Declares the commands of the API once: generates the dispatcher and the TypeScript `Commands` map.
macro_rules! commands {
    ($($name:ident ( $($arg:ty)? ) -> $ret:ty;)+) => {
        fn dispatch(api: &Api, command: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
            match command {
                $(stringify!($name) => {
                    let value: $ret = commands!(@call api, $name, args $(, $arg)?)?;
                    serde_json::to_value(value).map_err(ApiError::internal)
                })+
                other => Err(ApiError::new(ErrorCode::UnknownCommand, format!("Commande inconnue : {other}"))),
            }
        }

        /// The TypeScript map `command name -> { args, result }` used by the UI's backend module.
        pub fn commands_typescript() -> String {
            use ts_rs::TS;
            let cfg = commun::ts_config();
            let mut out = String::from("export interface Commands {\n");
            $(
                let args: String = commands!(@ts_args cfg $(, $arg)?);
                out.push_str(&format!(
                    "  {}: {{ args: {}; result: {} }};\n",
                    stringify!($name),
                    args,
                    <$ret as TS>::name(&cfg)
                ));
            )+
            out.push_str("}\n");
            out
        }

        /// Every command name, for documentation and the HTTP server's allow-list.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),+];
    };
    (@call $api:ident, $name:ident, $args:ident) => {{
        let _ = $args;
        $api.ouvert_a(stringify!($name))?;
        $api.$name()
    }};
    (@call $api:ident, $name:ident, $args:ident, $arg:ty) => {{
        let parsed: $arg = serde_json::from_value($args).map_err(ApiError::bad_arguments)?;
        $api.ouvert_a(stringify!($name))?;
        $api.$name(parsed)
    }};
    (@ts_args $cfg:ident) => { "null".to_owned() };
    (@ts_args $cfg:ident, $arg:ty) => { <$arg as TS>::name(&$cfg) };
}

commands! {
    app_info() -> AppInfo;
    mmg_get() -> MmgSettings;
    mmg_save(MmgSettings) -> MmgSettings;
    utilisateurs_list() -> Vec<UtilisateurDto>;
    consultations_list(consultation::ConsultationsQuery) -> Vec<consultation::ConsultationRow>;
    garde_du_jour() -> garde::GardeDuJour;
    cotation_suggest(cotation::CotationRequest) -> cotation::CotationDto;
    tarifs_get() -> tarifs::TarifsDto;
    tarifs_importer(tarifs::TarifsImport) -> tarifs::TarifsDto;
    compta_consultation(commun::Id) -> compta::ComptaConsultationDto;
    cotation_proposer(compta::CotationProposition) -> compta::ComptaConsultationDto;
    cotation_choisir(compta::CotationChoix) -> compta::ComptaConsultationDto;
    paiement_enregistrer(compta::PaiementSaisie) -> compta::ComptaConsultationDto;
    paiement_annuler(compta::PaiementAnnulation) -> compta::ComptaConsultationDto;
    modes_paiement() -> Vec<compta::TotalModeDto>;
    compta_garde(compta::GardeRef) -> compta::ComptaGardeDto;
    compta_cloturer(compta::GardeRef) -> compta::ComptaGardeDto;
    compta_rapport_pdf(compta::GardeRef) -> commun::Fichier;
    compta_export_csv(compta::ComptaExportQuery) -> commun::Fichier;
    cim10_search(cim10::Cim10Query) -> Vec<cim10::Cim10Hit>;
    cim10_suggestions(cim10::Cim10SuggestionsQuery) -> cim10::Cim10Suggestions;
    cim10_favori_basculer(cim10::Cim10Favori) -> cim10::Cim10Suggestions;
    cim10_versions() -> Vec<cim10::Cim10VersionDto>;
    recovery_code_pending() -> Option<sauvegarde::RecoveryCodeDto>;
    recovery_code_show() -> sauvegarde::RecoveryCodeDto;
    backup_now(sauvegarde::BackupRequest) -> sauvegarde::BackupDto;
    sauvegarde_etat() -> sauvegarde::SauvegardeEtat;
    sauvegarde_reglages_save(sauvegarde::SauvegardeReglagesDto) -> sauvegarde::SauvegardeEtat;
    sauvegarde_maintenant() -> sauvegarde::SauvegardeRapport;
    sauvegarde_quotidienne() -> sauvegarde::SauvegardeRapport;
    fiche_recuperation(sauvegarde::FicheRecuperationRequest) -> commun::Fichier;
    cle_changer() -> sauvegarde::CleChangee;
    patient_export(droits::PatientExportRequest) -> droits::PatientExportDto;
    retention_list() -> droits::RetentionListe;
    retention_purge(droits::PurgeRequest) -> droits::PurgeRapport;
    session_status() -> session::SessionDto;
    session_login(session::Connexion) -> session::SessionDto;
    session_unlock(session::Deverrouillage) -> session::SessionDto;
    session_lock() -> session::SessionDto;
    session_logout() -> session::SessionDto;
    compte_initial(session::CompteSaisie) -> session::SessionDto;
    premier_demarrage_etat() -> premier_demarrage::PremierDemarrageEtat;
    premier_demarrage_identite(MmgSettings) -> premier_demarrage::PremierDemarrageEtat;
    premier_demarrage_identite_hub(synchro::HubInscription) -> MmgSettings;
    premier_demarrage_restaurer_hub(synchro::RestaurationHubDemande) -> synchro::RestaurationHubFaite;
    premier_demarrage_code_confirmer(premier_demarrage::ConfirmationCode) -> premier_demarrage::PremierDemarrageEtat;
    premier_demarrage_inscription_reporter() -> premier_demarrage::PremierDemarrageEtat;
    conventions_etat() -> conventions::ConventionsEtat;
    convention_accepter(conventions::ConventionDecision) -> conventions::ConventionsEtat;
    convention_refuser(conventions::ConventionDecision) -> conventions::ConventionsEtat;
    comptes_list() -> Vec<session::CompteDto>;
    compte_mot_de_passe_reinitialiser(session::MotDePasseReinitialisation) -> session::CompteDto;
    reglages_garde_get() -> administration::ReglagesGarde;
    reglages_garde_save(administration::ReglagesGardeSaisie) -> administration::ReglagesGarde;
    journal_filtres() -> journal::JournalFiltres;
    compte_creer(session::CompteSaisie) -> session::CompteDto;
    compte_modifier(session::CompteModification) -> session::CompteDto;
    mot_de_passe_changer(session::ChangementMotDePasse) -> session::SessionDto;
    reglages_get() -> reglages::ReglagesDto;
    reglages_save(reglages::ReglagesDto) -> reglages::ReglagesDto;
    garde_ouvrir(garde::GardeOuverture) -> garde::GardeDto;
    garde_fermer() -> garde::GardeDto;
    patient_get(commun::Id) -> patient::PatientDto;
    patients_rechercher(patient::PatientRecherche) -> Vec<patient::PatientDto>;
    patients_doublons(patient::PatientSaisie) -> Vec<patient::PatientDto>;
    patient_creer(patient::PatientCreation) -> patient::PatientDto;
    patient_modifier(patient::PatientModification) -> patient::PatientDto;
    consultations_du_patient(commun::Id) -> Vec<consultation::ConsultationRow>;
    consultation_get(commun::Id) -> consultation::ConsultationDetail;
    arrivee_enregistrer(consultation::ArriveeSaisie) -> consultation::ConsultationDetail;
    consultation_creer(consultation::ConsultationCreation) -> consultation::ConsultationDetail;
    consultation_commencer(commun::Id) -> consultation::ConsultationDetail;
    consultation_enregistrer(consultation::ConsultationMaj) -> consultation::BrouillonEnregistre;
    consultation_cloturer(consultation::ConsultationMaj) -> consultation::ConsultationDetail;
    consultation_rectifier(consultation::Rectification) -> consultation::ConsultationDetail;
    journal_list(journal::JournalQuery) -> Vec<journal::JournalLigne>;
    journal_diffusion(journal::Diffusion) -> ();
    journal_verifier() -> journal::Verification;
    rpps_import_start(annuaire::RppsImportRequest) -> annuaire::RppsImportStatus;
    rpps_import_status() -> annuaire::RppsImportStatus;
    annuaire_info() -> annuaire::AnnuaireInfo;
    annuaire_search(annuaire::AnnuaireQuery) -> Vec<annuaire::CorrespondantDto>;
    annuaire_praticien(annuaire::RppsArg) -> annuaire::PraticienDto;
    annuaire_local_get(annuaire::EntreeLocaleId) -> annuaire::EntreeLocaleDto;
    annuaire_local_save(annuaire::EntreeLocaleDto) -> annuaire::EntreeLocaleDto;
    utilisateur_depuis_rpps(annuaire::RppsArg) -> UtilisateurDto;
    statistiques_tableau(statistiques::PeriodeStatistiques) -> statistiques::TableauStatistiques;
    statistiques_exporter(statistiques::ExportStatistiques) -> commun::Fichier;
    rpu_exporter(oru::ExportOruDemande) -> oru::ExportOru;
    recherche_exporter(oru::ExportOruDemande) -> oru::ExportOru;
    statistiques_tableau_garde(statistiques::GardeStatistiques) -> statistiques::TableauStatistiques;
    statistiques_gardes(statistiques::PeriodeStatistiques) -> Vec<statistiques::GardeActive>;
    sync_statut() -> synchro::SyncStatut;
    hub_inscrire(synchro::HubInscription) -> synchro::SyncStatut;
    sync_maintenant() -> synchro::SyncRapport;
    medicaments_rechercher(documents::MedicamentQuery) -> Vec<documents::MedicamentDto>;
    bdpm_import(bdpm::BdpmImportRequest) -> bdpm::BdpmImportResult;
    bdpm_versions() -> Vec<bdpm::BdpmVersionDto>;
    ordonnances_types_a_revoir() -> Vec<documents::TypeARevoirDto>;
    ordonnances_types_list() -> Vec<documents::OrdonnanceTypeDto>;
    ordonnance_type_save(documents::OrdonnanceTypeDto) -> documents::OrdonnanceTypeDto;
    ordonnance_type_retirer(commun::Id) -> ();
    ordonnance_type_appliquer(documents::ApplicationType) -> documents::TypeApplique;
    prescription_get(commun::Id) -> documents::PrescriptionDto;
    prescription_save(documents::PrescriptionDto) -> documents::PrescriptionDto;
    ordonnance_apercu(commun::Id) -> documents::OrdonnanceApercu;
    ordonnance_imprimer(commun::Id) -> documents::DocumentImprimeDto;
    courrier_preparer(documents::CourrierDemande) -> documents::CourrierTexte;
    courrier_imprimer(documents::CourrierTexte) -> documents::DocumentImprimeDto;
    documents_list(commun::Id) -> Vec<documents::DocumentDto>;
    document_reimprimer(commun::Id) -> documents::DocumentImprimeDto;
    messagerie_reglages_get() -> Option<messagerie::MessagerieReglagesDto>;
    messagerie_reglages_save(messagerie::MessagerieReglagesSaisie) -> messagerie::MessagerieReglagesDto;
    messagerie_envoyer(messagerie::MessageEnvoi) -> messagerie::EnvoiDto;
    courrier_imprimer_et_envoyer(messagerie::CourrierEnvoi) -> messagerie::CourrierEnvoye;
    messagerie_file(messagerie::MessagerieFileQuery) -> Vec<messagerie::EnvoiDto>;
    messagerie_envoyer_file() -> messagerie::EnvoiRapport;
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        error::from_store(e)
    }
}
