//! Data safety as the UI and the CLI see it: the recovery code and its printable sheet, backups
//! (manual, at the end of a shift, daily) with their settings and log, restores, and rekey.

use crate::commun::Fichier;
use crate::session::Besoin;
use crate::{Api, ApiConfig, ApiError, ErrorCode};
use appligarde_domain::audit::Action;
use appligarde_store::audit;
use appligarde_store::backup::{self, Unlock};
use appligarde_store::hors_site;
use appligarde_store::recovery::RecoveryCode;
use appligarde_store::sauvegarde::{
    self as auto, Declencheur, Reglages, Resultat, Retention, Tentative,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RecoveryCodeDto {
    /// Groups of 4 characters separated by dashes.
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BackupRequest {
    /// The folder to write into (USB key, network share).
    pub dossier: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct BackupDto {
    pub fichier: String,
    pub octets: u64,
    pub schema_version: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RestoreDto {
    pub schema_version: u32,
    /// Where the data that was there before has been moved.
    pub copie_de_securite: Option<String>,
}

impl Api {
    /// The recovery code made at this start (new store), to show once; `None` afterwards.
    pub fn recovery_code_pending(&self) -> Result<Option<RecoveryCodeDto>, ApiError> {
        Ok(self
            .store()
            .take_new_recovery_code()
            .map(|c| RecoveryCodeDto { code: c.display() }))
    }

    /// Shows the recovery code again; in the app, to the MMG admin only. Logged in the audit journal.
    pub fn recovery_code_show(&self) -> Result<RecoveryCodeDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        self.recovery_code_for(Some(acteur.id))
    }

    /// Shows the recovery code to whoever holds the database key (the CLI, run with the key).
    pub fn recovery_code_key_holder(&self) -> Result<RecoveryCodeDto, ApiError> {
        self.recovery_code_for(None)
    }

    fn recovery_code_for(&self, acteur: Option<i64>) -> Result<RecoveryCodeDto, ApiError> {
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let code = store.recovery_code()?;
        store.write(|tx| {
            audit::append(
                tx,
                acteur,
                Action::Export,
                "code_recuperation",
                None,
                "affiché",
                &now,
            )
        })?;
        Ok(RecoveryCodeDto {
            code: code.display(),
        })
    }

    /// An online, encrypted, verified backup, by a logged-in user of the app, into one of the
    /// backup folders the admin chose (Paramètres): the window never writes anywhere else.
    pub fn backup_now(&self, request: BackupRequest) -> Result<BackupDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let dossier = dossier_de_sauvegarde(&request.dossier)?;
        let choisi = self
            .store()
            .sauvegarde_destinations()?
            .iter()
            .any(|d| Path::new(d.dossier.trim()) == dossier);
        if !choisi {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "dossier",
                "Ce dossier n'est pas un dossier de sauvegarde de la MMG : choisissez l'un de ceux \
                 que l'administrateur a ajoutés dans Paramètres.",
            )));
        }
        if !dossier.is_dir() {
            // Never created from here: a missing USB key would send the backup to the PC itself.
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "dossier",
                "Ce dossier de sauvegarde est introuvable : la clé USB est-elle branchée, le \
                 partage réseau connecté ?",
            )));
        }
        self.backup_for(Some(acteur.id), request)
    }

    /// The same backup for whoever holds the database key (the CLI, scheduled tasks).
    pub fn backup_key_holder(&self, request: BackupRequest) -> Result<BackupDto, ApiError> {
        self.backup_for(None, request)
    }

    fn backup_for(
        &self,
        acteur: Option<i64>,
        request: BackupRequest,
    ) -> Result<BackupDto, ApiError> {
        let dir = dossier_de_sauvegarde(&request.dossier)?;
        let stamp = self.clock.now_local().format("%Y%m%d-%H%M%S").to_string();
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let info = match store.backup_to(dir, &stamp) {
            Ok(info) => info,
            Err(e) => {
                drop(store);
                if matches!(e, appligarde_store::StoreError::Corrupt(_)) {
                    self.noter_verification("sauvegarde", false);
                }
                return Err(e.into());
            }
        };
        let name = info
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let hors_site = a_copier_hors_site(&store, &info.path, info.bytes)?;
        store.write(|tx| {
            if let Some((sha256, octets)) = &hors_site {
                hors_site::mettre_en_file(
                    tx,
                    &info.path.display().to_string(),
                    *octets,
                    sha256,
                    &now,
                )?;
            }
            audit::append(tx, acteur, Action::Export, "sauvegarde", None, &name, &now)?;
            // The copy passed its integrity check before it was kept.
            audit::append(
                tx,
                acteur,
                Action::Verification,
                "sauvegarde",
                None,
                audit::VERIFICATION_OK,
                &now,
            )
        })?;
        Ok(BackupDto {
            fichier: info.path.display().to_string(),
            octets: info.bytes,
            schema_version: info.schema_version,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SauvegardeReglagesDto {
    /// A backup when a shift is closed.
    pub fin_de_garde: bool,
    /// A backup once a day (checked at start and every hour while the app runs).
    pub quotidienne: bool,
    pub garder_quotidiennes: u32,
    pub garder_mensuelles: u32,
    /// Records of patients not seen for this many years are listed for purge.
    pub conservation_annees: u32,
    /// Folders every automatic backup goes to (USB key, network share): full paths.
    pub destinations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct TentativeDto {
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub horodatage: String,
    /// `fin_de_garde` | `quotidienne` | `manuelle`.
    pub declencheur: String,
    pub declencheur_libelle: String,
    pub destination: String,
    /// `ok` | `echec` | `ignoree`.
    pub resultat: String,
    pub fichier: String,
    pub octets: u64,
    /// Old backups deleted by the retention rule after this one.
    pub supprimees: u32,
    /// Why it failed or was skipped (French).
    pub message: String,
}

impl From<Tentative> for TentativeDto {
    fn from(t: Tentative) -> Self {
        Self {
            horodatage: t.horodatage,
            declencheur: t.declencheur.code().to_owned(),
            declencheur_libelle: t.declencheur.libelle().to_owned(),
            destination: t.destination,
            resultat: t.resultat.code().to_owned(),
            fichier: t.fichier,
            octets: t.octets,
            supprimees: t.supprimees,
            message: t.message,
        }
    }
}

/// What Paramètres shows: settings, the last attempts, and a warning when something is wrong.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SauvegardeEtat {
    pub reglages: SauvegardeReglagesDto,
    /// The 30 most recent attempts, newest first.
    pub tentatives: Vec<TentativeDto>,
    /// UTC time of the last successful backup.
    pub derniere_reussie: Option<String>,
    /// French warning to show prominently (last attempt failed or skipped, no backup for 2 days).
    pub alerte: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SauvegardeRapport {
    /// One attempt per folder (none when nothing was due).
    pub tentatives: Vec<TentativeDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FicheRecuperationRequest {
    /// The recovery code as shown (it is checked against the database: the sheet reveals nothing
    /// the caller does not already know).
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CleChangee {
    pub message: String,
}

/// The folder of a backup as typed: not empty, and no `..` in it (a backup goes where its folder
/// says, never climbs out of it).
fn dossier_de_sauvegarde(texte: &str) -> Result<&Path, ApiError> {
    let dir = Path::new(texte.trim());
    if dir.as_os_str().is_empty() {
        return Err(ApiError::from(appligarde_domain::DomainError::field(
            "dossier",
            "Indiquez le dossier de sauvegarde (clé USB, partage réseau).",
        )));
    }
    if dir
        .components()
        .any(|c| c == std::path::Component::ParentDir)
    {
        return Err(ApiError::from(appligarde_domain::DomainError::field(
            "dossier",
            "Le chemin du dossier de sauvegarde ne doit pas contenir « .. » : indiquez-le en entier.",
        )));
    }
    Ok(dir)
}

fn local_date_of_utc(text: &str) -> Option<chrono::NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono_tz::Europe::Paris).date_naive())
}

impl Api {
    fn sauvegarde_reglages_dto(&self) -> Result<SauvegardeReglagesDto, ApiError> {
        let store = self.store();
        let r = store.sauvegarde_reglages()?;
        Ok(SauvegardeReglagesDto {
            fin_de_garde: r.fin_de_garde,
            quotidienne: r.quotidienne,
            garder_quotidiennes: r.garder_quotidiennes,
            garder_mensuelles: r.garder_mensuelles,
            conservation_annees: r.conservation_annees,
            destinations: store
                .sauvegarde_destinations()?
                .into_iter()
                .map(|d| d.dossier)
                .collect(),
        })
    }

    fn sauvegarde_etat_sans_session(&self) -> Result<SauvegardeEtat, ApiError> {
        let reglages = self.sauvegarde_reglages_dto()?;
        let tentatives = self.store().sauvegarde_tentatives(30)?;
        let derniere_reussie = self.store().derniere_sauvegarde_reussie()?;
        let mut alerte = None;
        if reglages.destinations.is_empty() {
            alerte = Some(
                "Aucun dossier de sauvegarde n'est choisi : ajoutez une clé USB ou un partage réseau ci-dessous."
                    .to_owned(),
            );
        } else if let Some(t) = tentatives.first().filter(|t| t.resultat != Resultat::Ok) {
            alerte = Some(format!(
                "La dernière sauvegarde ({}) a {} : {}",
                t.declencheur.libelle().to_lowercase(),
                if t.resultat == Resultat::Echec {
                    "échoué"
                } else {
                    "été ignorée"
                },
                t.message
            ));
        } else {
            let ancienne = derniere_reussie
                .as_deref()
                .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
                .is_none_or(|d| {
                    self.clock.now() - d.with_timezone(&Utc) > chrono::Duration::days(2)
                });
            if ancienne {
                alerte = Some("Aucune sauvegarde réussie depuis plus de 2 jours.".to_owned());
            }
        }
        Ok(SauvegardeEtat {
            reglages,
            tentatives: tentatives.into_iter().map(TentativeDto::from).collect(),
            derniere_reussie,
            alerte,
        })
    }

    /// Settings, recent attempts and warnings, for Paramètres.
    pub fn sauvegarde_etat(&self) -> Result<SauvegardeEtat, ApiError> {
        self.acteur(Besoin::Connecte)?;
        self.sauvegarde_etat_sans_session()
    }

    /// Saves the backup and retention settings (MMG admin). Logged in the audit journal.
    pub fn sauvegarde_reglages_save(
        &self,
        dto: SauvegardeReglagesDto,
    ) -> Result<SauvegardeEtat, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let reglages = Reglages {
            fin_de_garde: dto.fin_de_garde,
            quotidienne: dto.quotidienne,
            garder_quotidiennes: dto.garder_quotidiennes,
            garder_mensuelles: dto.garder_mensuelles,
            conservation_annees: dto.conservation_annees,
        };
        if let Err(e) = reglages.valider() {
            return Err(ApiError::validation(vec![e]));
        }
        if dto
            .destinations
            .iter()
            .any(|d| dossier_de_sauvegarde(d).is_err() && !d.trim().is_empty())
        {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "destinations",
                "Le chemin d'un dossier de sauvegarde ne doit pas contenir « .. » : indiquez-le en entier.",
            )));
        }
        let now = self.clock.now_utc_text();
        self.store().write(|tx| {
            auto::enregistrer_reglages(tx, &reglages, Some(acteur.id), &now)?;
            auto::enregistrer_destinations(tx, &dto.destinations, Some(acteur.id), &now)?;
            audit::append(
                tx,
                Some(acteur.id),
                Action::Modification,
                "sauvegarde_reglages",
                None,
                "réglages des sauvegardes",
                &now,
            )
        })?;
        self.sauvegarde_etat_sans_session()
    }

    /// "Sauvegarder maintenant": a backup to every chosen folder, now.
    pub fn sauvegarde_maintenant(&self) -> Result<SauvegardeRapport, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        self.sauvegardes_auto(Declencheur::Manuelle, Some(acteur.id))
    }

    /// The daily backup, when it is due: at most one attempt per (local) day. Called when the app
    /// starts and every hour while it runs (and by a scheduled `appligarde-cli backup --auto`); it
    /// needs no login: it only writes encrypted files to the folders the admin chose.
    pub fn sauvegarde_quotidienne(&self) -> Result<SauvegardeRapport, ApiError> {
        let (reglages, derniere) = {
            let store = self.store();
            (
                store.sauvegarde_reglages()?,
                store.derniere_tentative(Declencheur::Quotidienne)?,
            )
        };
        let today = self.clock.now_local().date();
        if !reglages.quotidienne || derniere.as_deref().and_then(local_date_of_utc) == Some(today) {
            return Ok(SauvegardeRapport {
                tentatives: Vec::new(),
            });
        }
        self.sauvegardes_auto(Declencheur::Quotidienne, None)
    }

    /// The backup at the end of a shift (called when a shift is closed). Its outcome is logged, never
    /// an error for the caller: closing the shift must not fail because a USB key is missing.
    pub fn sauvegarde_fin_de_garde(&self, acteur: Option<i64>) {
        let due = self
            .store()
            .sauvegarde_reglages()
            .map(|r| r.fin_de_garde)
            .unwrap_or(true);
        if due && let Err(e) = self.sauvegardes_auto(Declencheur::FinDeGarde, acteur) {
            tracing::error!(error = %e.message, "end-of-shift backup could not be logged");
        }
    }

    /// One backup per chosen folder, each verified, then the retention rule in that folder; every
    /// attempt is logged (ok / failed / skipped with a French reason). The backup runs without
    /// holding the store: the app keeps working meanwhile.
    pub fn sauvegardes_auto(
        &self,
        declencheur: Declencheur,
        acteur: Option<i64>,
    ) -> Result<SauvegardeRapport, ApiError> {
        let (source, reglages, destinations) = {
            let store = self.store();
            (
                store.backup_source(),
                store.sauvegarde_reglages()?,
                store.sauvegarde_destinations()?,
            )
        };
        let stamp = self.clock.now_local().format("%Y%m%d-%H%M%S").to_string();
        let now = self.clock.now_utc_text();
        let regle = Retention {
            quotidiennes: reglages.garder_quotidiennes,
            mensuelles: reglages.garder_mensuelles,
        };
        let tentative = |destination: &str, resultat, message: String| Tentative {
            id: 0,
            horodatage: now.clone(),
            declencheur,
            destination: destination.to_owned(),
            resultat,
            fichier: String::new(),
            octets: 0,
            supprimees: 0,
            message,
        };
        let mut tentatives = Vec::new();
        let mut corrompue = false;
        if destinations.is_empty() {
            tentatives.push(tentative(
                "",
                Resultat::Ignoree,
                "aucun dossier de sauvegarde n'est choisi (Paramètres, Sauvegardes).".to_owned(),
            ));
        }
        for d in &destinations {
            let dir = Path::new(&d.dossier);
            let source = match &source {
                Ok(s) => s,
                Err(e) => {
                    tentatives.push(tentative(&d.dossier, Resultat::Echec, e.to_string()));
                    continue;
                }
            };
            if !dir.is_dir() {
                // Never create the folder: a missing USB key would send the backup to the PC itself.
                tentatives.push(tentative(
                    &d.dossier,
                    Resultat::Ignoree,
                    "dossier introuvable : clé USB absente ou partage réseau déconnecté ?"
                        .to_owned(),
                ));
                continue;
            }
            match source.backup_to(dir, &stamp) {
                Ok(info) => {
                    let mut t = tentative(&d.dossier, Resultat::Ok, String::new());
                    t.fichier = info
                        .path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    t.octets = info.bytes;
                    match auto::appliquer_retention(dir, regle) {
                        Ok(n) => t.supprimees = n,
                        Err(e) => t.message = format!("anciennes sauvegardes non supprimées : {e}"),
                    }
                    tentatives.push(t);
                }
                Err(e) => {
                    if matches!(e, appligarde_store::StoreError::Corrupt(_)) {
                        corrompue = true;
                    }
                    tentatives.push(tentative(&d.dossier, Resultat::Echec, e.to_string()))
                }
            }
        }
        // The first file written this time is also copied to the hub (when enrolled).
        let premier = tentatives
            .iter()
            .find(|t| t.resultat == Resultat::Ok)
            .map(|t| (Path::new(&t.destination).join(&t.fichier), t.octets));
        let mut store = self.store();
        let hors_site = match &premier {
            Some((chemin, octets)) => a_copier_hors_site(&store, chemin, *octets)?
                .map(|(sha256, octets)| (chemin.display().to_string(), sha256, octets)),
            None => None,
        };
        store.write(|tx| {
            if let Some((chemin, sha256, octets)) = &hors_site {
                hors_site::mettre_en_file(tx, chemin, *octets, sha256, &now)?;
            }
            let verifiee = tentatives.iter().any(|t| t.resultat == Resultat::Ok);
            if verifiee || corrompue {
                // Each copy passed (or failed) its integrity check before it was kept.
                audit::append(
                    tx,
                    acteur,
                    Action::Verification,
                    "sauvegarde",
                    None,
                    if corrompue {
                        audit::VERIFICATION_PROBLEME
                    } else {
                        audit::VERIFICATION_OK
                    },
                    &now,
                )?;
            }
            for t in &tentatives {
                auto::journaliser(tx, t)?;
                if t.resultat == Resultat::Ok {
                    audit::append(
                        tx,
                        acteur,
                        Action::Export,
                        "sauvegarde",
                        None,
                        &format!("{} ({})", t.fichier, declencheur.code()),
                        &now,
                    )?;
                }
            }
            Ok(())
        })?;
        drop(store);
        for t in &tentatives {
            match t.resultat {
                Resultat::Ok => {
                    tracing::info!(trigger = declencheur.code(), "automatic backup written")
                }
                _ => {
                    tracing::warn!(trigger = declencheur.code(), result = t.resultat.code(), reason = %t.message, "automatic backup not written")
                }
            }
        }
        Ok(SauvegardeRapport {
            tentatives: tentatives.into_iter().map(TentativeDto::from).collect(),
        })
    }

    /// Changes the database key (MMG admin); the recovery code stays the same. Logged.
    pub fn cle_changer(&self) -> Result<CleChangee, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        self.cle_changer_pour(Some(acteur.id))
    }

    /// The same for whoever holds the database key (the CLI).
    pub fn cle_changer_key_holder(&self) -> Result<CleChangee, ApiError> {
        self.cle_changer_pour(None)
    }

    fn cle_changer_pour(&self, acteur: Option<i64>) -> Result<CleChangee, ApiError> {
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        store.rekey(acteur, &now)?;
        Ok(CleChangee {
            message: format!(
                "La clé de la base a été changée ({}). Le code de récupération reste le même ; \
                 les sauvegardes déjà faites s'ouvrent toujours avec lui.",
                store.key_description()
            ),
        })
    }

    /// The printable recovery sheet (PDF) for a code the caller shows (checked against the database).
    pub fn fiche_recuperation(
        &self,
        request: FicheRecuperationRequest,
    ) -> Result<Fichier, ApiError> {
        let code = RecoveryCode::parse(&request.code)?;
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        if store.recovery_code()? != code {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "code",
                "Ce code de récupération n'est pas celui de cette base.",
            )));
        }
        let mmg = store
            .mmg_identity()?
            .map(|m| m.nom)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "Maison médicale de garde".to_owned());
        let date = self.clock.now_local().date();
        let pdf = appligarde_documents::recuperation::fiche_recuperation_pdf(
            &appligarde_documents::recuperation::FicheRecuperation {
                code: code.display(),
                mmg,
                date,
            },
        )
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        store.write(|tx| {
            audit::append(
                tx,
                None,
                Action::Impression,
                "code_recuperation",
                None,
                "fiche de récupération",
                &now,
            )
        })?;
        Ok(Fichier::pdf(
            format!("code-recuperation-{}.pdf", date.format("%Y%m%d")),
            &pdf,
        ))
    }
}

/// When this PC is enrolled with a hub, the SHA-256 and size of the backup file just written at
/// `chemin`, to queue it for the hub (ARCHITECTURE.md, "Off-site backups"); `None` otherwise.
fn a_copier_hors_site(
    store: &appligarde_store::Store,
    chemin: &Path,
    octets: u64,
) -> Result<Option<(String, u64)>, ApiError> {
    if store.hub_inscription()?.is_none() {
        return Ok(None);
    }
    let sha256 = empreinte_fichier(chemin).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!(
                "La sauvegarde {} n'a pas pu être relue pour sa copie hors site : {e}.",
                chemin.display()
            ),
        )
    })?;
    Ok(Some((sha256, octets)))
}

/// The SHA-256 of a file, lowercase hexadecimal, read in a stream.
pub fn empreinte_fichier(chemin: &Path) -> std::io::Result<String> {
    use sha2::Digest as _;
    let mut fichier = std::fs::File::open(chemin)?;
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut fichier, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// Restores a backup into the data directory of `config` (which need not exist or open), unlocking
/// it with the recovery code, or with the key of `config` when no code is given.
pub fn restore(
    file: &Path,
    config: &ApiConfig,
    recovery_code: Option<&str>,
    stamp: &str,
) -> Result<RestoreDto, ApiError> {
    if !file.is_file() {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("Fichier de sauvegarde introuvable : {}", file.display()),
        ));
    }
    let report = match recovery_code {
        Some(text) => {
            let code = RecoveryCode::parse(text)?;
            backup::restore(
                file,
                &config.data_dir,
                Unlock::Code(&code),
                &config.key,
                stamp,
            )?
        }
        None => {
            // Same PC: the current store (opened with its key) knows its recovery code, which unlocks
            // its own backups. A store that cannot open needs the code typed by the user.
            let code =
                appligarde_store::Store::open(&config.data_dir, &config.key)?.recovery_code()?;
            backup::restore(
                file,
                &config.data_dir,
                Unlock::Code(&code),
                &config.key,
                stamp,
            )?
        }
    };
    Ok(RestoreDto {
        schema_version: report.schema_version,
        copie_de_securite: report.safety_copy.map(|p| p.display().to_string()),
    })
}

/// The TypeScript declarations of this module's wire types.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        RecoveryCodeDto::decl(cfg),
        BackupRequest::decl(cfg),
        BackupDto::decl(cfg),
        RestoreDto::decl(cfg),
        SauvegardeReglagesDto::decl(cfg),
        TentativeDto::decl(cfg),
        SauvegardeEtat::decl(cfg),
        SauvegardeRapport::decl(cfg),
        FicheRecuperationRequest::decl(cfg),
        CleChangee::decl(cfg),
    ]
}
