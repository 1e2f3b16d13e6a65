//! `appligarde-cli consultation add|list` and `appligarde-cli check`.
//!
//! Consultations are patient data: these commands log in as a user of the MMG (`--utilisateur ID`,
//! password in the environment variable `APPLIGARDE_MOT_DE_PASSE`), so that every record says who
//! created it and every export is in the audit log.

use crate::session::login;
use anyhow::Context;
use appligarde_api::{
    Api,
    consultation::{ConsultationCreation, ConsultationsQuery},
    journal::Verification,
};
use clap::{Args, Subcommand};
use std::io::Read;

#[derive(Subcommand)]
pub enum ConsultationCommand {
    /// Records a consultation from a JSON file (`-` for standard input); prints its id once committed.
    ///
    /// The JSON is a `ConsultationCreation`: `{"patient": {...} | "patient_id": N, "consultation":
    /// {...}, "cloturer": true, "uid": "..."}` (see ui/src/lib/api/types.ts).
    Add {
        #[command(flatten)]
        user: Utilisateur,
        /// The JSON file, or `-` for standard input.
        #[arg(long)]
        json: String,
    },
    /// Lists the consultations whose arrival falls between two dates (both included).
    List {
        #[command(flatten)]
        user: Utilisateur,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// The full records as JSON (an export, recorded in the audit log).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
pub struct Utilisateur {
    /// The id of the MMG user acting (see `appligarde-cli info`); its password is read from
    /// APPLIGARDE_MOT_DE_PASSE.
    #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
    id: i64,
}

pub fn run(api: Api, command: &ConsultationCommand) -> anyhow::Result<()> {
    match command {
        ConsultationCommand::Add { user, json } => {
            let text = if json == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("lecture de l'entrée standard")?;
                s
            } else {
                std::fs::read_to_string(json).with_context(|| format!("lecture de {json}"))?
            };
            let creation: ConsultationCreation =
                serde_json::from_str(&text).with_context(|| {
                    format!("le fichier {json} n'est pas une consultation JSON valide")
                })?;
            login(&api, user.id)?;
            let c = api.consultation_creer(creation)?;
            println!("{}", c.id);
        }
        ConsultationCommand::List {
            user,
            from,
            to,
            json,
        } => {
            login(&api, user.id)?;
            let query = ConsultationsQuery {
                du: from.clone(),
                au: to.clone(),
            };
            if *json {
                let all = api.consultations_exporter(query)?;
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for r in api.consultations_list(query)? {
                    println!(
                        "{:>7}  {}  {:<12} {} {}  {}  {}",
                        r.id,
                        r.arrivee.replace('T', " "),
                        r.etat_libelle,
                        r.patient_nom,
                        r.patient_prenom,
                        r.motif,
                        r.diagnostic.unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}

/// `check`: integrity of the database and of the audit chain. An error exit when either fails.
pub fn check(api: Api, json: bool) -> anyhow::Result<()> {
    let v: Verification = api.verifier()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!("{}", v.base);
        println!("{}", v.journal);
    }
    anyhow::ensure!(
        v.ok,
        "la vérification a trouvé un problème (voir ci-dessus)"
    );
    Ok(())
}
