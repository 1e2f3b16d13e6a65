//! `appligarde-cli bdpm import DIR` (a release of the ANSM's drug database files becomes the
//! active version; MMG admin, journaled) and `bdpm search QUERY` (the ordonnance screen's drug
//! search over the active version, with marketing state, prices and rates).

use std::path::PathBuf;

use appligarde_api::bdpm::BdpmImportRequest;
use appligarde_api::documents::MedicamentQuery;
use clap::Subcommand;
use serde::Serialize;

use crate::session::login;

#[derive(Subcommand)]
pub enum BdpmCommand {
    /// Imports the files downloaded from the ANSM (CIS_bdpm.txt, CIS_COMPO_bdpm.txt,
    /// CIS_GENER_bdpm.txt and, when published, CIS_CIP_bdpm.txt) as the active version. MMG
    /// admin: the password is read from APPLIGARDE_MOT_DE_PASSE.
    Import {
        /// The directory holding the files.
        dossier: PathBuf,
        /// The id of the MMG admin acting.
        #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
        utilisateur: i64,
        #[arg(long)]
        json: bool,
    },
    /// Searches the active drug database by brand or DCI, as the ordonnance screen does.
    Search {
        query: String,
        #[arg(long, default_value_t = 15)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct PresentationJson {
    cip13: String,
    libelle: String,
    prix_eur: Option<f64>,
    taux_remboursement: Option<String>,
}

#[derive(Serialize)]
struct MedicamentJson {
    cis: String,
    denomination: String,
    commercialise: bool,
    presentations: Vec<PresentationJson>,
}

pub fn run(cli: &crate::Cli, command: &BdpmCommand) -> anyhow::Result<()> {
    match command {
        BdpmCommand::Import {
            dossier,
            utilisateur,
            json,
        } => {
            let api = crate::open(cli)?;
            login(&api, *utilisateur)?;
            let r = api.bdpm_import(BdpmImportRequest {
                dossier: dossier.display().to_string(),
            })?;
            if *json {
                let counts = serde_json::json!({
                    "medicaments": r.medicaments,
                    "commercialises": r.commercialises,
                    "presentations": r.presentations,
                    "substances": r.substances,
                    "groupes_generiques": r.groupes_generiques,
                    "avec_presentations": r.avec_presentations,
                    "changement": r.changement,
                });
                println!("{}", serde_json::to_string_pretty(&counts)?);
            } else {
                match r.changement.as_str() {
                    "inchangee" => println!(
                        "Ces fichiers sont déjà la version active de la base des médicaments : rien n'a changé."
                    ),
                    "reactivee" => println!(
                        "Ces fichiers avaient déjà été importés : cette version est de nouveau active."
                    ),
                    _ => {
                        println!("Nouvelle version de la base des médicaments importée et active.")
                    }
                }
                println!(
                    "{} médicaments dont {} commercialisés, {} présentations, {} substances, {} groupes génériques.",
                    r.medicaments,
                    r.commercialises,
                    r.presentations,
                    r.substances,
                    r.groupes_generiques
                );
                if !r.avec_presentations {
                    println!(
                        "Le fichier CIS_CIP_bdpm.txt est absent : ni prix ni taux de remboursement dans cette version."
                    );
                }
            }
        }
        BdpmCommand::Search { query, limit, json } => {
            let api = crate::open(cli)?;
            let trouves = api.medicaments_rechercher(MedicamentQuery {
                texte: query.clone(),
                limite: Some(*limit),
            })?;
            if *json {
                let sortie: Vec<MedicamentJson> = trouves
                    .into_iter()
                    .map(|m| MedicamentJson {
                        cis: m.cis,
                        denomination: m.denomination,
                        commercialise: m.commercialise,
                        presentations: m
                            .presentations
                            .into_iter()
                            .map(|p| PresentationJson {
                                cip13: p.cip13,
                                libelle: p.libelle,
                                prix_eur: p.prix_eur,
                                taux_remboursement: p.taux_remboursement,
                            })
                            .collect(),
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&sortie)?);
            } else if trouves.is_empty() {
                println!("Aucun médicament ne correspond à « {query} ».");
            } else {
                for m in &trouves {
                    let marque = if m.commercialise {
                        ""
                    } else {
                        "  [plus commercialisé]"
                    };
                    println!("{}  {}{marque}", m.cis, m.denomination);
                    for p in &m.presentations {
                        let prix = p
                            .prix_eur
                            .map(|e| format!("{e:.2} €").replace('.', ","))
                            .unwrap_or_else(|| "prix non connu".to_owned());
                        let taux = p
                            .taux_remboursement
                            .as_deref()
                            .map(|t| format!("remboursé à {t}"))
                            .unwrap_or_else(|| "non remboursé".to_owned());
                        println!("    CIP {}  {}  {prix}, {taux}", p.cip13, p.libelle);
                    }
                }
            }
        }
    }
    Ok(())
}
