//! `appligarde-cli stats daily|report`: the daily aggregates (what the hub receives) and the CPOM
//! activity report of a year. Neither holds patient data, so neither needs a login.

use anyhow::Context;
use appligarde_api::Api;
use chrono::NaiveDate;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum StatsCommand {
    /// The daily aggregates (counts per garde date and PDSA slot, with their revision) of a period.
    Daily {
        /// First garde date, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last garde date, YYYY-MM-DD (included).
        #[arg(long)]
        to: String,
        /// The aggregates as JSON (what the hub receives), else a short table.
        #[arg(long)]
        json: bool,
    },
    /// The activity report of a civil year (CPOM indicators) as a PDF file.
    Report {
        /// The year, e.g. 2026.
        #[arg(long)]
        year: i32,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
    },
}

fn date(text: &str, option: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").with_context(|| {
        format!("date illisible pour {option} : « {text} » (écrivez-la AAAA-MM-JJ)")
    })
}

pub fn run(api: Api, command: &StatsCommand) -> anyhow::Result<()> {
    match command {
        StatsCommand::Daily { from, to, json } => {
            let aggregates = api.agregats_quotidiens(date(from, "--from")?, date(to, "--to")?)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&aggregates)?);
            } else {
                println!(
                    "{:<12} {:<18} {:>9} {:>13}",
                    "Date", "Période", "Révision", "Consultations"
                );
                for a in aggregates.iter().filter(|a| a.counts.consultations > 0) {
                    println!(
                        "{:<12} {:<18} {:>9} {:>13}",
                        a.date.to_string(),
                        a.slot.code(),
                        a.revision,
                        a.counts.consultations
                    );
                }
            }
        }
        StatsCommand::Report { year, out } => {
            let pdf = api.rapport_cpom(*year)?;
            std::fs::write(out, &pdf)
                .with_context(|| format!("impossible d'écrire {}", out.display()))?;
            eprintln!("Rapport d'activité {year} écrit dans {}", out.display());
        }
    }
    Ok(())
}
