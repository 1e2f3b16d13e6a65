//! `appligarde-cli compta export` (the accounts of a period as a CSV file for French spreadsheets)
//! and `appligarde-cli tarifs import|show` (the tariff table as versioned data).
//!
//! The export holds patient names: like `consultation list`, it logs in as a user of the MMG
//! (`--utilisateur ID`, password in `APPLIGARDE_MOT_DE_PASSE`) and is recorded in the audit log. The
//! tariff import is the MMG operator's task at the terminal (no patient data): it needs no login.

use crate::session::login;
use anyhow::Context;
use appligarde_api::{
    Api,
    compta::{ComptaExportQuery, OrigineTarifs},
    tarifs::TarifsDto,
};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ComptaCommand {
    /// Writes the payments of the consultations arrived between two dates (both included) to a
    /// CSV file for French Excel / LibreOffice (`;`, decimal comma, UTF-8 with BOM).
    Export {
        #[command(flatten)]
        user: Utilisateur,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// The CSV file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum TarifsCommand {
    /// Imports a newer tariff table (CSV, same format as the shipped tarifs_garde.csv).
    Import {
        file: PathBuf,
        /// The file is the whole new table (by default it extends the table in force: for each code
        /// it contains, its periods take over from their first date).
        #[arg(long)]
        remplacer: bool,
        #[arg(long)]
        json: bool,
    },
    /// Shows the tariff table in force.
    Show {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct Utilisateur {
    /// The id of the MMG user acting; its password is read from APPLIGARDE_MOT_DE_PASSE.
    #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
    pub id: i64,
}

pub fn run_compta(api: Api, command: &ComptaCommand) -> anyhow::Result<()> {
    let ComptaCommand::Export {
        user,
        from,
        to,
        out,
    } = command;
    login(&api, user.id)?;
    let (_, texte) = api.compta_export_texte(&ComptaExportQuery {
        du: from.clone(),
        au: to.clone(),
    })?;
    std::fs::write(out, texte.as_bytes())
        .with_context(|| format!("écriture de {}", out.display()))?;
    let lignes = texte.lines().count().saturating_sub(1);
    println!(
        "Export comptable écrit : {} ({lignes} ligne(s)).",
        out.display()
    );
    Ok(())
}

fn afficher(t: &TarifsDto) {
    println!(
        "Table des tarifs n° {} ({}, {}), {} tarif(s) :",
        t.version.id, t.version.origine, t.version.mode, t.version.nb_tarifs
    );
    for tarif in &t.tarifs {
        println!(
            "  {:<4} {:>4},{:02} €  du {} au {}  {}",
            tarif.code,
            tarif.montant_centimes / 100,
            tarif.montant_centimes % 100,
            tarif.valide_du,
            tarif.valide_au.as_deref().unwrap_or("…"),
            tarif.libelle
        );
    }
}

pub fn run_tarifs(api: Api, command: &TarifsCommand) -> anyhow::Result<()> {
    let (tarifs, json) = match command {
        TarifsCommand::Import {
            file,
            remplacer,
            json,
        } => {
            let bytes =
                std::fs::read(file).with_context(|| format!("lecture de {}", file.display()))?;
            let csv = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "le fichier {} n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »",
                    file.display()
                )
            })?;
            let t = api.tarifs_importer_depuis(&csv, *remplacer, OrigineTarifs::Fichier, None)?;
            if !json {
                println!("Table des tarifs importée.");
            }
            (t, *json)
        }
        TarifsCommand::Show { json } => (api.tarifs_en_vigueur()?, *json),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&tarifs)?);
    } else {
        afficher(&tarifs);
    }
    Ok(())
}
