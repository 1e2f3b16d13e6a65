//! `appligarde-cli ordonnance prescrire|pdf` and `appligarde-cli courrier pdf`.
//!
//! Documents hold patient data: like `consultation add`, these commands log in as a doctor of the
//! MMG (`--utilisateur ID`, password in `APPLIGARDE_MOT_DE_PASSE`), so that every print is recorded
//! with its author, its content hash and an entry in the audit log — exactly as from the app.

use crate::session::login;
use anyhow::Context;
use appligarde_api::{
    Api,
    commun::Id,
    documents::{
        CourrierDemande, DocumentImprimeDto, LigneDto, PrescriptionDto, nature_depuis_cli,
    },
    messagerie::CourrierEnvoi,
};
use clap::{Args, Subcommand};
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct Medecin {
    /// The id of the MMG doctor acting (see `appligarde-cli info`); the password is read from
    /// APPLIGARDE_MOT_DE_PASSE.
    #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
    id: i64,
}

#[derive(Subcommand)]
pub enum OrdonnanceCommand {
    /// Replaces the prescription lines of a consultation from a JSON array of lines (`-` for
    /// standard input): `[{"medicament": "...", "dci": "...", "dosage": "...", "forme": "...",
    /// "posologie": "...", "duree_ou_quantite": "...", "renouvellements": 0,
    /// "non_substituable": false, "mention_non_substituable": ""}]`.
    Prescrire {
        #[command(flatten)]
        user: Medecin,
        #[arg(long)]
        consultation: i64,
        #[arg(long)]
        json: String,
    },
    /// Prints the ordonnance of a consultation to a PDF file (recorded like a print from the app).
    Pdf {
        #[command(flatten)]
        user: Medecin,
        #[arg(long)]
        consultation: i64,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
        /// Prints `{"document": ID, "fichier": PATH}` (for a script that sends what it printed).
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum CourrierCommand {
    /// Prints a letter pre-filled from the consultation to a PDF file (recorded like a print from
    /// the app).
    Pdf {
        #[command(flatten)]
        user: Medecin,
        #[arg(long)]
        consultation: i64,
        /// `medecin-traitant`, `urgences` or `certificat`.
        #[arg(long = "type")]
        type_: String,
        /// The recipient's key in the annuaire (`rpps:NNNNNNNNNNN` or `local:N`, see
        /// `appligarde-cli annuaire search`); by default the patient's médecin traitant.
        #[arg(long)]
        destinataire: Option<String>,
        /// The PDF file to write.
        #[arg(long)]
        out: PathBuf,
        /// Prints `{"document": ID, "fichier": PATH}` (for a script that sends what it printed).
        #[arg(long)]
        json: bool,
        /// Also queues the letter for this MSSanté address, in the same transaction as its print
        /// record (`messagerie envoyer-file` or the app delivers it); `--json` then adds
        /// `"message_id"`.
        #[arg(long = "envoyer-a")]
        envoyer_a: Option<String>,
    },
}

fn lire(json: &str) -> anyhow::Result<String> {
    if json == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("lecture de l'entrée standard")?;
        Ok(s)
    } else {
        std::fs::read_to_string(json).with_context(|| format!("lecture de {json}"))
    }
}

/// Copies the printed PDF (already written in the data directory) to `out` and says where.
fn ecrire(printed: &DocumentImprimeDto, out: &Path, json: bool) -> anyhow::Result<()> {
    std::fs::copy(&printed.chemin, out)
        .with_context(|| format!("écriture du PDF dans {}", out.display()))?;
    if json {
        println!(
            "{}",
            serde_json::json!({"document": printed.document.id, "fichier": out.display().to_string()})
        );
        return Ok(());
    }
    println!(
        "{} enregistré (document {}, empreinte SHA-256 {}) : {}",
        printed.document.nature_libelle,
        printed.document.id,
        printed.document.empreinte,
        out.display()
    );
    Ok(())
}

pub fn run_ordonnance(api: Api, command: &OrdonnanceCommand) -> anyhow::Result<()> {
    match command {
        OrdonnanceCommand::Prescrire {
            user,
            consultation,
            json,
        } => {
            let lignes: Vec<LigneDto> = serde_json::from_str(&lire(json)?).with_context(|| {
                format!("le fichier {json} n'est pas une liste de lignes d'ordonnance JSON valide")
            })?;
            login(&api, user.id)?;
            let saved = api.prescription_save(PrescriptionDto {
                consultation_id: *consultation,
                lignes,
            })?;
            println!(
                "Prescription enregistrée : {} ligne(s).",
                saved.lignes.len()
            );
        }
        OrdonnanceCommand::Pdf {
            user,
            consultation,
            out,
            json,
        } => {
            login(&api, user.id)?;
            let printed = api.ordonnance_imprimer(Id { id: *consultation })?;
            ecrire(&printed, out, *json)?;
        }
    }
    Ok(())
}

pub fn run_courrier(api: Api, command: &CourrierCommand) -> anyhow::Result<()> {
    match command {
        CourrierCommand::Pdf {
            user,
            consultation,
            type_,
            destinataire,
            out,
            json,
            envoyer_a,
        } => {
            let nature = nature_depuis_cli(type_).with_context(|| {
                format!(
                    "type de courrier inconnu « {type_} » : medecin-traitant, urgences ou certificat"
                )
            })?;
            login(&api, user.id)?;
            let texte = api.courrier_preparer(CourrierDemande {
                consultation_id: *consultation,
                nature,
                destinataire_cle: destinataire.clone(),
            })?;
            let Some(adresse) = envoyer_a else {
                let printed = api.courrier_imprimer(texte)?;
                return ecrire(&printed, out, *json);
            };
            let envoye = api.courrier_imprimer_et_envoyer(CourrierEnvoi {
                courrier: texte,
                destinataire: adresse.clone(),
            })?;
            std::fs::copy(&envoye.imprime.chemin, out)
                .with_context(|| format!("écriture du PDF dans {}", out.display()))?;
            if *json {
                println!(
                    "{}",
                    serde_json::json!({
                        "document": envoye.imprime.document.id,
                        "fichier": out.display().to_string(),
                        "message_id": envoye.message.message_id,
                    })
                );
            } else {
                println!(
                    "{} enregistré (document {}) : {} ; message <{}> en attente d'envoi à {}",
                    envoye.imprime.document.nature_libelle,
                    envoye.imprime.document.id,
                    out.display(),
                    envoye.message.message_id,
                    envoye.message.destinataire
                );
            }
        }
    }
    Ok(())
}
