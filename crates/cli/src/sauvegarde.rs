//! `appligarde-cli backup | restore | recovery-code`: data safety from the terminal.

use appligarde_api::{Api, ApiConfig, sauvegarde};
use std::path::Path;

pub fn backup(api: &Api, out: &Path, json: bool) -> anyhow::Result<()> {
    let info = api.backup_key_holder(sauvegarde::BackupRequest {
        dossier: out.display().to_string(),
    })?;
    if json {
        println!("{}", serde_json::to_string_pretty(&info)?);
    } else {
        println!(
            "Sauvegarde écrite et vérifiée : {} ({} octets)",
            info.fichier, info.octets
        );
    }
    Ok(())
}

pub fn restore(
    config: &ApiConfig,
    file: &Path,
    code: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let report = sauvegarde::restore(file, config, code, &stamp)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "Sauvegarde restaurée (schéma {}) dans {}.",
            report.schema_version,
            config.data_dir.display()
        );
        if let Some(copy) = &report.copie_de_securite {
            println!("Les données présentes auparavant ont été mises de côté dans {copy}.");
        }
    }
    Ok(())
}

pub fn recovery_code(api: &Api, json: bool) -> anyhow::Result<()> {
    let code = api.recovery_code_key_holder()?;
    if json {
        println!("{}", serde_json::to_string(&code)?);
    } else {
        println!("Code de récupération : {}", code.code);
    }
    Ok(())
}
