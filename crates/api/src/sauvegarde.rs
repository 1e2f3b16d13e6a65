//! Data safety as the UI and the CLI see it: the recovery code, backups, restores.

use crate::{Api, ApiConfig, ApiError, ErrorCode};
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

    /// Shows the recovery code again (to someone who could open the database).
    pub fn recovery_code_show(&self) -> Result<RecoveryCodeDto, ApiError> {
        let code = self.store().recovery_code()?;
        tracing::info!("recovery code shown");
        Ok(RecoveryCodeDto {
            code: code.display(),
        })
    }

    /// An online, encrypted, verified backup into a folder.
    pub fn backup_now(&self, request: BackupRequest) -> Result<BackupDto, ApiError> {
        let dir = request.dossier.trim();
        if dir.is_empty() {
            return Err(ApiError::from(appligarde_domain::DomainError::field(
                "dossier",
                "Indiquez le dossier de sauvegarde (clé USB, partage réseau).",
            )));
        }
        let stamp = self.clock.now().format("%Y%m%d-%H%M%S").to_string();
        let info = self.store().backup_to(Path::new(dir), &stamp)?;
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
