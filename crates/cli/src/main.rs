//! `appligarde-cli`: the Appligarde API from the terminal, over the same store as the desktop.
//!
//! Every command opens the store of `--data-dir` (or `APPLIGARDE_DATA_DIR`, else the OS app-data
//! directory) with `--key-file` (or `APPLIGARDE_KEY_FILE`, else the OS keyring) and calls
//! `appligarde_api`. Output for machines with `--json`, for people otherwise (French).

mod annuaire;
mod bdpm;
mod cim10;
mod compta;
mod consultation;
mod cotation;
mod documents;
mod messagerie;
mod oru;
mod sauvegarde;
mod serve;
mod session;
mod statistiques;
mod synchro;

use anyhow::Context;
use appligarde_api::{Api, ApiConfig, ApiError, dto::DemoOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "appligarde-cli",
    version,
    about = "Appligarde en ligne de commande"
)]
struct Cli {
    /// Data directory (else APPLIGARDE_DATA_DIR, else the OS app-data directory).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Key file of the database, 64 hex characters (else APPLIGARDE_KEY_FILE, else the OS keyring).
    /// The environment is read by `ApiConfig::resolve`, where an empty variable counts as unset.
    #[arg(long, global = true)]
    key_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Schema version, data paths and row counts.
    Info {
        #[arg(long)]
        json: bool,
    },
    /// The public drug database (ANSM BDPM): import a release, search it.
    Bdpm {
        #[command(subcommand)]
        command: bdpm::BdpmCommand,
    },
    /// CIM-10 diagnosis codes.
    Cim10 {
        #[command(subcommand)]
        command: cim10::Cim10Command,
    },
    /// Consultations: record one from JSON, list a period.
    Consultation {
        #[command(subcommand)]
        command: consultation::ConsultationCommand,
    },
    /// Ordonnances: set a consultation's prescription lines, print it to PDF (recorded).
    Ordonnance {
        #[command(subcommand)]
        command: documents::OrdonnanceCommand,
    },
    /// Letters (médecin traitant, urgences, certificat) pre-filled from a consultation, to PDF.
    Courrier {
        #[command(subcommand)]
        command: documents::CourrierCommand,
    },
    /// Secure messaging (MSSanté): the mailbox, the outbox, sending printed documents.
    Messagerie {
        #[command(subcommand)]
        command: messagerie::MessagerieCommand,
    },
    /// Integrity of the database and of the audit chain (exit code 1 when broken).
    Check {
        #[arg(long)]
        json: bool,
    },
    /// RPPS extract (the national list of practitioners).
    Rpps {
        #[command(subcommand)]
        command: annuaire::RppsCommand,
    },
    /// Annuaire des correspondants.
    Annuaire {
        #[command(subcommand)]
        command: annuaire::AnnuaireCommand,
    },
    /// Cotation (NGAP codes) of an act.
    Cotation {
        #[command(subcommand)]
        command: cotation::CotationCommand,
    },
    /// Comptabilité of the garde: CSV export of the payments of a period.
    Compta {
        #[command(subcommand)]
        command: compta::ComptaCommand,
    },
    /// The NGAP tariff table (versioned data): show it, import a newer one.
    Tarifs {
        #[command(subcommand)]
        command: compta::TarifsCommand,
    },
    /// An online, encrypted, verified backup of the store into a folder (`--out`), or the daily
    /// backup to the folders chosen in Paramètres when it is due (`--auto`, for a scheduled task).
    Backup {
        #[arg(long, required_unless_present = "auto")]
        out: Option<PathBuf>,
        #[arg(long)]
        auto: bool,
        #[arg(long)]
        json: bool,
    },
    /// Restores a backup into the data directory (what was there is kept aside first), from a
    /// file or, with `--depuis-hub`, from the MMG's off-site copy at the hub (a new PC).
    Restore {
        #[arg(required_unless_present = "depuis_hub", conflicts_with = "depuis_hub")]
        file: Option<PathBuf>,
        /// The recovery code (needed on a new PC or when the keyring is gone).
        #[arg(long, required_if_eq("depuis_hub", "true"))]
        recovery_code: Option<String>,
        /// Restores the MMG's newest off-site copy from the hub (enrolls this PC with `--code`;
        /// the PC the copy came from is retired).
        #[arg(long, requires_all = ["url", "code"])]
        depuis_hub: bool,
        /// The hub's address (https://...).
        #[arg(long)]
        url: Option<String>,
        /// A fresh one-time enrollment code of the MMG, from the URML.
        #[arg(long)]
        code: Option<String>,
        /// The copy of that day (AAAA-MM-JJ, UTC) instead of the newest.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Shows the recovery code of the store again (and writes its printable sheet with `--pdf`).
    RecoveryCode {
        #[arg(long)]
        json: bool,
        /// Also writes the printable recovery sheet (PDF) to this file.
        #[arg(long)]
        pdf: Option<PathBuf>,
    },
    /// Changes the database key (the recovery code stays the same); logged.
    Rekey {
        #[arg(long)]
        json: bool,
    },
    /// Patient rights: export everything recorded about one patient.
    Patient {
        #[command(subcommand)]
        command: sauvegarde::PatientCommand,
    },
    /// Retention of records: list those past the period, purge them.
    Retention {
        #[command(subcommand)]
        command: sauvegarde::RetentionCommand,
    },
    /// Statistics: the daily aggregates sent to the hub, the CPOM activity report.
    Stats {
        #[command(subcommand)]
        command: statistiques::StatsCommand,
    },
    /// The résumés de passage (RPU) for the ORU, as an OSCOUR XML file (MMG admin).
    Rpu {
        #[command(subcommand)]
        command: oru::RpuCommand,
    },
    /// The pseudonymised research extract, CSV or XLSX (MMG admin).
    Recherche {
        #[command(subcommand)]
        command: oru::RechercheCommand,
    },
    /// Demo data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// The hub of the URML: enrollment of this PC, sync status.
    Hub {
        #[command(subcommand)]
        command: synchro::HubCommand,
    },
    /// One sync with the hub now: sends the waiting days, applies the new reference data, prints
    /// what moved (exit code 1 when it did not complete).
    Sync {
        #[arg(long)]
        json: bool,
    },
    /// Serves the front-end and the API over HTTP on the loopback interface only (development and
    /// browser tests). Prints the URL to open, with its one-time access token.
    Serve {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
        /// Folder of the built front-end (ui/dist).
        #[arg(long)]
        ui: PathBuf,
    },
}

#[derive(Subcommand)]
enum DemoCommand {
    /// Fills an empty store with a demo MMG, its doctors, patients and consultations.
    Seed {
        #[arg(long, default_value_t = 60)]
        consultations: u32,
        #[arg(long, default_value_t = 2009)]
        seed: u64,
        #[arg(long)]
        json: bool,
        /// Prints `consultation ID UID` as soon as each consultation is committed.
        #[arg(long)]
        verbose: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("APPLIGARDE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match e.downcast_ref::<ApiError>() {
                Some(api) => eprintln!("Erreur : {}", api.message),
                None => eprintln!("Erreur : {e:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn open(cli: &Cli) -> anyhow::Result<Api> {
    let config = ApiConfig::resolve(cli.data_dir.clone(), cli.key_file.clone())?;
    let api = Api::open(&config)?;
    if let Some(code) = api.recovery_code_pending()? {
        // A new database: its recovery code is shown once; stderr keeps stdout for machines.
        eprintln!(
            "Nouvelle base de données. Code de récupération (à noter et conserver à part, il permet de \
             l'ouvrir sur un autre poste) : {}",
            code.code
        );
    }
    Ok(api)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Info { json } => {
            let info = open(&cli)?.app_info()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                println!("Appligarde {}", info.version);
                println!("Version du schéma : {}", info.schema_version);
                println!("Dossier de données : {}", info.data_dir);
                println!("Base de données : {}", info.database);
                println!("Clé : {}", info.key);
                for c in &info.counts {
                    println!("  {:<14} {:>8} ligne(s)", c.table, c.rows);
                }
            }
        }
        Command::Bdpm { command } => bdpm::run(&cli, command)?,
        Command::Cim10 { command } => cim10::run(&cli, command)?,
        Command::Hub { command } => synchro::hub(&cli, command)?,
        Command::Sync { json } => {
            if !synchro::sync(&cli, *json)? {
                std::process::exit(1);
            }
        }
        Command::Backup { out, auto, json } => {
            sauvegarde::backup(&open(&cli)?, out.as_deref(), *auto, *json)?
        }
        Command::Restore {
            file,
            recovery_code,
            depuis_hub,
            url,
            code,
            date,
            json,
        } => {
            let config = ApiConfig::resolve(cli.data_dir.clone(), cli.key_file.clone())?;
            match (file, depuis_hub) {
                (Some(file), false) => {
                    sauvegarde::restore(&config, file, recovery_code.as_deref(), *json)?
                }
                _ => synchro::restaurer_depuis_hub(
                    &config,
                    url.as_deref().unwrap_or_default(),
                    code.as_deref().unwrap_or_default(),
                    recovery_code.as_deref().unwrap_or_default(),
                    *date,
                    *json,
                )?,
            }
        }
        Command::RecoveryCode { json, pdf } => {
            sauvegarde::recovery_code(&open(&cli)?, *json, pdf.as_deref())?
        }
        Command::Rekey { json } => sauvegarde::rekey(&open(&cli)?, *json)?,
        Command::Patient { command } => sauvegarde::patient(&open(&cli)?, command)?,
        Command::Retention { command } => sauvegarde::retention(&open(&cli)?, command)?,
        Command::Consultation { command } => consultation::run(open(&cli)?, command)?,
        Command::Ordonnance { command } => documents::run_ordonnance(open(&cli)?, command)?,
        Command::Courrier { command } => documents::run_courrier(open(&cli)?, command)?,
        Command::Messagerie { command } => messagerie::run(open(&cli)?, command)?,
        Command::Check { json } => consultation::check(open(&cli)?, *json)?,
        Command::Cotation { command } => cotation::run(command)?,
        Command::Compta { command } => compta::run_compta(open(&cli)?, command)?,
        Command::Tarifs { command } => compta::run_tarifs(open(&cli)?, command)?,
        Command::Rpps { command } => annuaire::run_rpps(open(&cli)?, command)?,
        Command::Annuaire { command } => annuaire::run_annuaire(open(&cli)?, command)?,
        Command::Stats { command } => statistiques::run(open(&cli)?, command)?,
        Command::Rpu { command } => oru::run_rpu(open(&cli)?, command)?,
        Command::Recherche { command } => oru::run_recherche(open(&cli)?, command)?,
        Command::Demo {
            command:
                DemoCommand::Seed {
                    consultations,
                    seed,
                    json,
                    verbose,
                },
        } => {
            let options = DemoOptions {
                consultations: *consultations,
                seed: *seed,
            };
            let summary = if *verbose {
                // One line per committed consultation: stdout is line-buffered, so a line is out
                // before the next transaction starts.
                open(&cli)?.demo_seed_avec(options, &mut |id, uid| {
                    println!("consultation {id} {uid}");
                })?
            } else {
                open(&cli)?.demo_seed(options)?
            };
            if *json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!(
                    "Démonstration installée : {} utilisateurs, {} patients, {} consultations.",
                    summary.utilisateurs, summary.patients, summary.consultations
                );
            }
        }
        Command::Serve { listen, ui } => {
            anyhow::ensure!(
                listen.ip().is_loopback(),
                "le serveur n'écoute que sur l'interface locale (127.0.0.1)"
            );
            let api = open(&cli)?;
            synchro::brancher(&cli, &api)?;
            let runtime = tokio::runtime::Runtime::new().context("démarrage du serveur")?;
            runtime.block_on(serve::run(api, *listen, ui.clone()))?;
        }
    }
    Ok(())
}
