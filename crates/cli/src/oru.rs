//! `appligarde-cli rpu export` (the résumés de passage of a period as an OSCOUR XML file for the
//! ORU) and `appligarde-cli recherche export` (the pseudonymised, k-anonymous research extract, CSV
//! or XLSX by the file's extension). Both are the MMG admin's (`--utilisateur ID`, password in
//! `APPLIGARDE_MOT_DE_PASSE`), recorded in the audit journal, and written in one atomic step: a
//! refused or failed export leaves no file.

use crate::compta::Utilisateur;
use crate::session::login;
use appligarde_api::{
    Api,
    oru::{ExportOru, ExportOruDemande},
};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RpuCommand {
    /// Writes one RPU per consultation of the garde dates FROM..=TO (at most 366 days) to an OSCOUR
    /// XML file, for the ORU under the MMG's convention with it. Needs the MMG's FINESS number.
    Export {
        #[command(flatten)]
        user: Utilisateur,
        /// First garde date, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last garde date, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// The XML file to write.
        #[arg(long)]
        out: PathBuf,
        /// The result as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum RechercheCommand {
    /// Writes the pseudonymised research extract of the garde dates FROM..=TO (at most 366 days):
    /// CSV for French spreadsheets, or XLSX when the file ends in .xlsx.
    Export {
        #[command(flatten)]
        user: Utilisateur,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        /// The file to write (.csv or .xlsx).
        #[arg(long)]
        out: PathBuf,
        /// Every combination of age, sex, place and period is shared by at least k patients (2 at
        /// least).
        #[arg(long, default_value_t = 5)]
        k: u32,
        #[arg(long)]
        json: bool,
    },
}

fn afficher(resultat: &ExportOru, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(resultat)?);
    } else {
        println!("{}", resultat.message);
        println!("Fichier écrit : {}", resultat.nom_fichier);
    }
    Ok(())
}

pub fn run_rpu(api: Api, command: &RpuCommand) -> anyhow::Result<()> {
    let RpuCommand::Export {
        user,
        from,
        to,
        out,
        json,
    } = command;
    login(&api, user.id)?;
    let demande = ExportOruDemande {
        du: from.clone(),
        au: to.clone(),
        ..Default::default()
    };
    afficher(&api.rpu_exporter_vers(&demande, out)?, *json)
}

pub fn run_recherche(api: Api, command: &RechercheCommand) -> anyhow::Result<()> {
    let RechercheCommand::Export {
        user,
        from,
        to,
        out,
        k,
        json,
    } = command;
    let format = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => "xlsx",
        Some(e) if e.eq_ignore_ascii_case("csv") => "csv",
        _ => anyhow::bail!(
            "le fichier de l'extrait doit se terminer par .csv ou .xlsx : {}",
            out.display()
        ),
    };
    login(&api, user.id)?;
    let demande = ExportOruDemande {
        du: from.clone(),
        au: to.clone(),
        format: Some(format.to_owned()),
        k: Some(*k),
    };
    afficher(&api.recherche_exporter_vers(&demande, out)?, *json)
}
