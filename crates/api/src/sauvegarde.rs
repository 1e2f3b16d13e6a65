//! Data safety as the UI and the CLI see it: the recovery code, backups, restores.

use crate::session::Besoin;
use crate::{Api, ApiConfig, ApiError, ErrorCode};
use appligarde_domain::audit::Action;
use appligarde_store::audit;
use appligarde_store::backup::{self, Unlock};
use appligarde_store::recovery::RecoveryCode;
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

    /// An online, encrypted, verified backup into a folder, by a logged-in user of the app.
    pub fn backup_now(&self, request: BackupRequest) -> Result<BackupDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
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
        let dir = request.dossier.trim();
        if dir.is_empty() {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "dossier",
                "Indiquez le dossier de sauvegarde (clé USB, partage réseau).",
            )));
        }
        let stamp = self.clock.now().format("%Y%m%d-%H%M%S").to_string();
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let info = store.backup_to(Path::new(dir), &stamp)?;
        let name = info
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        store.write(|tx| {
            audit::append(tx, acteur, Action::Export, "sauvegarde", None, &name, &now)
        })?;
        Ok(BackupDto {
            fichier: info.path.display().to_string(),
            octets: info.bytes,
            schema_version: info.schema_version,
        })
    }
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
    ]
}
