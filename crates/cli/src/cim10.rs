//! `appligarde-cli cim10 search` (the diagnosis search of the consultation form, from the
//! terminal), `cim10 import` (a new yearly version of the code set) and `cim10 versions`.

use std::path::PathBuf;

use appligarde_api::cim10::{Cim10Hit, Cim10ImportRequest, Cim10Query, search};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum Cim10Command {
    /// Searches the CIM-10 code set as a GP types (acronyms, typos, codes in any form); best first.
    /// With a data directory (--data-dir or APPLIGARDE_DATA_DIR), searches its active version
    /// ranked by its usage; else the version built into the program.
    Search {
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Imports the yearly ATIH file `LIBCIM10MULTI.TXT` (or its CSV form) as a new version of the
    /// code set, which becomes the active one.
    Import {
        /// The file published by the ATIH.
        fichier: PathBuf,
        /// Name of the version, e.g. "CIM-10 FR 2025" (else made from the file name and the date).
        #[arg(long)]
        version: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The versions of the code set known to the database, and the active one.
    Versions {
        #[arg(long)]
        json: bool,
    },
}

/// Whether a data directory was named (then the search uses its active version and usage).
fn store_named(cli: &crate::Cli) -> bool {
    cli.data_dir.is_some() || std::env::var_os("APPLIGARDE_DATA_DIR").is_some_and(|v| !v.is_empty())
}

fn print_hits(query: &str, hits: &[Cim10Hit], json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(hits)?);
    } else if hits.is_empty() {
        println!("Aucun code ne correspond à « {query} ».");
    } else {
        for h in hits {
            println!("{:<8} {}", h.code, h.label);
        }
    }
    Ok(())
}

pub fn run(cli: &crate::Cli, command: &Cim10Command) -> anyhow::Result<()> {
    match command {
        Cim10Command::Search { query, limit, json } => {
            let q = Cim10Query {
                query: query.clone(),
                limit: Some(*limit),
                role: None,
            };
            let hits = if store_named(cli) {
                crate::open(cli)?.cim10_search(q)?
            } else {
                search(&q, &Default::default())?
            };
            print_hits(query, &hits, *json)?;
        }
        Cim10Command::Import {
            fichier,
            version,
            json,
        } => {
            let api = crate::open(cli)?;
            let result = api.cim10_import_file(Cim10ImportRequest {
                chemin: fichier.display().to_string(),
                version: version.clone(),
            })?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&result)?);
            } else {
                let v = &result.version;
                if result.deja_importee {
                    println!(
                        "Ce fichier avait déjà été importé : la version « {} » est de nouveau active.",
                        v.version
                    );
                } else {
                    println!("Version « {} » importée et active.", v.version);
                }
                println!(
                    "{} codes, dont {} supprimés de la nomenclature (gardés pour les anciens dossiers, jamais proposés).",
                    v.nb_codes, v.nb_supprimes
                );
            }
        }
        Cim10Command::Versions { json } => {
            let versions = crate::open(cli)?.cim10_versions()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&versions)?);
            } else {
                for v in &versions {
                    println!(
                        "{} {:<40} {:>6} codes  {}",
                        if v.active { "*" } else { " " },
                        v.version,
                        v.nb_codes,
                        if v.source == "integree" {
                            "intégrée au programme".to_owned()
                        } else {
                            format!("{} importé le {}", v.fichier, v.importe_le)
                        }
                    );
                }
            }
        }
    }
    Ok(())
}
