//! `appligarde-cli backup | restore | recovery-code | rekey | patient | retention`: data safety and
//! patient rights from the terminal.

use anyhow::Context;
use appligarde_api::droits::PurgeRequest;
use appligarde_api::sauvegarde::{FicheRecuperationRequest, SauvegardeRapport};
use appligarde_api::{Api, ApiConfig, sauvegarde};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::Subcommand;
use std::path::{Path, PathBuf};

pub fn backup(api: &Api, out: Option<&Path>, auto: bool, json: bool) -> anyhow::Result<()> {
    let Some(out) = out else {
        anyhow::ensure!(
            auto,
            "indiquez le dossier de la sauvegarde (--out DOSSIER) ou --auto pour la sauvegarde quotidienne"
        );
        // The daily backup to the folders chosen in Paramètres, when due (for a scheduled task).
        let rapport = api.sauvegarde_quotidienne()?;
        return print_rapport(&rapport, json);
    };
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

fn print_rapport(rapport: &SauvegardeRapport, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(rapport)?);
        return Ok(());
    }
    if rapport.tentatives.is_empty() {
        println!("La sauvegarde quotidienne est déjà faite aujourd'hui (ou désactivée).");
    }
    for t in &rapport.tentatives {
        match t.resultat.as_str() {
            "ok" => println!(
                "Sauvegarde écrite et vérifiée : {}/{}",
                t.destination, t.fichier
            ),
            "ignoree" => println!("Sauvegarde ignorée ({}) : {}", t.destination, t.message),
            _ => println!("Sauvegarde en échec ({}) : {}", t.destination, t.message),
        }
    }
    anyhow::ensure!(
        rapport.tentatives.iter().all(|t| t.resultat == "ok"),
        "au moins une sauvegarde n'a pas été écrite"
    );
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

pub fn recovery_code(api: &Api, json: bool, pdf: Option<&Path>) -> anyhow::Result<()> {
    let code = api.recovery_code_key_holder()?;
    if let Some(path) = pdf {
        let sheet = api.fiche_recuperation(FicheRecuperationRequest {
            code: code.code.clone(),
        })?;
        std::fs::write(path, decode_pdf(&sheet.contenu_base64)?)
            .with_context(|| format!("écriture de {}", path.display()))?;
        eprintln!("Fiche de récupération écrite : {}", path.display());
    }
    if json {
        println!("{}", serde_json::to_string(&code)?);
    } else {
        println!("Code de récupération : {}", code.code);
    }
    Ok(())
}

pub fn rekey(api: &Api, json: bool) -> anyhow::Result<()> {
    let done = api.cle_changer_key_holder()?;
    if json {
        println!("{}", serde_json::to_string(&done)?);
    } else {
        println!("{}", done.message);
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum PatientCommand {
    /// Everything recorded about one patient (right of access): a JSON file and a PDF.
    Export {
        #[arg(long)]
        id: i64,
        /// Folder to write the two files into.
        #[arg(long)]
        out: PathBuf,
    },
}

pub fn patient(api: &Api, command: &PatientCommand) -> anyhow::Result<()> {
    match command {
        PatientCommand::Export { id, out } => {
            let export = api.patient_export_key_holder(*id)?;
            std::fs::create_dir_all(out).with_context(|| format!("dossier {}", out.display()))?;
            let json = out.join(&export.nom_json);
            let pdf = out.join(&export.nom_pdf);
            std::fs::write(&json, &export.json)
                .with_context(|| format!("écriture de {}", json.display()))?;
            std::fs::write(&pdf, decode_pdf(&export.pdf_base64)?)
                .with_context(|| format!("écriture de {}", pdf.display()))?;
            println!("Dossier exporté : {} et {}", json.display(), pdf.display());
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Records past the retention period set in Paramètres.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Deletes records past the retention period (logged; the audit journal keeps its entries).
    Purge {
        /// Patient ids to purge (from `retention list`).
        #[arg(long = "id", required = true)]
        ids: Vec<i64>,
        #[arg(long)]
        json: bool,
    },
}

pub fn retention(api: &Api, command: &RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::List { json } => {
            let liste = api.retention_list_key_holder()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&liste)?);
            } else {
                println!(
                    "Dossiers sans passage depuis le {} (conservation {} ans) : {}",
                    liste.avant,
                    liste.conservation_annees,
                    liste.dossiers.len()
                );
                for d in &liste.dossiers {
                    println!(
                        "  n° {:<6} {} {} ({}), dernier passage {}, {} consultation(s)",
                        d.patient_id,
                        d.nom,
                        d.prenom,
                        d.date_naissance,
                        d.dernier_passage,
                        d.consultations
                    );
                }
            }
        }
        RetentionCommand::Purge { ids, json } => {
            let rapport = api.retention_purge_key_holder(PurgeRequest {
                patient_ids: ids.clone(),
            })?;
            if *json {
                println!("{}", serde_json::to_string(&rapport)?);
            } else {
                println!(
                    "{} dossier(s) supprimé(s) ({} ligne(s)) ; le journal d'audit garde la trace de la suppression.",
                    rapport.patients, rapport.lignes
                );
            }
        }
    }
    Ok(())
}

/// The PDF bytes of an answer (the API carries PDFs as standard base64, for the browser).
fn decode_pdf(base64: &str) -> anyhow::Result<Vec<u8>> {
    STANDARD.decode(base64).context("PDF mal encodé")
}
