//! `appligarde-cli rpps import FILE` and `appligarde-cli annuaire search QUERY`.
//!
//! The annuaire is public reference data (the national RPPS extract): these commands need no
//! login, only the database key. Output in French for people, JSON with `--json`.

use std::io::Write;
use std::path::PathBuf;

use appligarde_api::Api;
use appligarde_api::annuaire::{
    AnnuaireQuery, PhaseImport as ImportPhase, RppsImportRequest, RppsImportResult,
};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RppsCommand {
    /// Imports the RPPS extract `PS_LibreAcces_Personne_activite` (52 or 56 columns, UTF-8 or
    /// Latin-1) into the annuaire, in one transaction; prints what changed.
    Import {
        /// The file given by the URML.
        fichier: PathBuf,
        /// Only these départements (e.g. `44,49,85`); practitioners of others are left alone.
        #[arg(long, value_delimiter = ',')]
        departements: Vec<String>,
        /// Only these professions (e.g. `10` for médecins).
        #[arg(long, value_delimiter = ',')]
        professions: Vec<String>,
        /// The counts as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum AnnuaireCommand {
    /// Searches the annuaire as the UI does (name, first name, commune, specialty; the MMG's
    /// département first).
    Search {
        /// The words typed.
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limite: u32,
        /// A JSON array (`rpps`, `nom`, `prenom`, `commune`...).
        #[arg(long)]
        json: bool,
    },
}

pub fn run_rpps(api: Api, command: &RppsCommand) -> anyhow::Result<()> {
    let RppsCommand::Import {
        fichier,
        departements,
        professions,
        json,
    } = command;
    let request = RppsImportRequest {
        chemin: fichier.display().to_string(),
        departements: departements.clone(),
        professions: professions.clone(),
    };
    let mut last_percent = None;
    let quiet = *json;
    let result = api.rpps_import_file(request, &mut |p| {
        if quiet {
            return;
        }
        let percent = p
            .octets_total
            .filter(|t| *t > 0)
            .map(|t| (p.octets_lus.saturating_mul(100) / t).min(100));
        let step = match p.phase {
            ImportPhase::Lecture => percent.map(|pc| pc / 10 * 10),
            ImportPhase::Comparaison => Some(101),
            ImportPhase::Index => Some(102),
        };
        if step != last_percent {
            last_percent = step;
            let line = match (p.phase, step) {
                (ImportPhase::Lecture, Some(pc)) => {
                    format!("Lecture du fichier : {pc} % ({} activités)", p.activites)
                }
                (ImportPhase::Lecture, None) => format!("Lecture : {} activités", p.activites),
                (ImportPhase::Comparaison, _) => "Comparaison avec l'annuaire…".to_owned(),
                (ImportPhase::Index, _) => "Mise à jour de l'index de recherche…".to_owned(),
            };
            let _ = writeln!(std::io::stderr(), "{line}");
        }
    })?;
    if *json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print!("{}", summary(&result));
    }
    Ok(())
}

/// The French summary of an import.
fn summary(r: &RppsImportResult) -> String {
    let mut out = format!(
        "Import RPPS terminé en {:.1} s : {} ({}, {} colonnes).\n\
         {} ligne(s) lue(s) : {} activité(s) retenue(s), {} hors du filtre, {} mal formée(s).\n\
         Praticiens : {} ajouté(s), {} modifié(s) (dont {} réactivé(s)), {} inchangé(s), {} désactivé(s) (absents du fichier, conservés comme inactifs).\n\
         L'annuaire compte {} praticien(s) actif(s).\n",
        r.duree_ms as f64 / 1000.0,
        r.fichier,
        r.encodage,
        r.colonnes,
        r.lignes,
        r.activites,
        r.hors_filtre,
        r.malformees,
        r.ajoutes,
        r.modifies,
        r.reactives,
        r.inchanges,
        r.desactives,
        r.praticiens_actifs,
    );
    if !r.lignes_malformees.is_empty() {
        out.push_str("Lignes mises de côté :\n");
        for l in r.lignes_malformees.iter().take(20) {
            out.push_str(&format!("  ligne {} : {}\n", l.ligne, l.raison));
        }
        if r.malformees > 20 {
            out.push_str(&format!("  … et {} autre(s).\n", r.malformees - 20));
        }
    }
    out
}

pub fn run_annuaire(api: Api, command: &AnnuaireCommand) -> anyhow::Result<()> {
    let AnnuaireCommand::Search {
        query,
        limite,
        json,
    } = command;
    let found = api.annuaire_search(AnnuaireQuery {
        texte: query.clone(),
        limite: Some(*limite),
    })?;
    if *json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(());
    }
    if found.is_empty() {
        println!("Aucun correspondant ne correspond à « {query} ».");
    }
    for c in &found {
        let qui = [c.civilite.as_str(), c.prenom.as_str(), c.nom.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let quoi = if c.specialite.is_empty() {
            &c.profession
        } else {
            &c.specialite
        };
        let id = c
            .rpps
            .as_deref()
            .map(|r| format!("RPPS {r}"))
            .unwrap_or_else(|| "entrée de la MMG".to_owned());
        println!(
            "{qui} — {quoi} — {} {} — {} ({id})",
            c.code_postal,
            c.commune,
            if c.telephone.is_empty() {
                "tél. inconnu"
            } else {
                &c.telephone
            }
        );
    }
    Ok(())
}
