//! `appligarde-cli messagerie reglages|envoyer|envoyer-file|file`: the MSSanté outbox from the
//! terminal, for scripts and tests.
//!
//! `reglages` is the MMG admin's (`--utilisateur`, password in `APPLIGARDE_MOT_DE_PASSE`; the
//! PKCS#12 password in `APPLIGARDE_MOT_DE_PASSE_CERTIFICAT`, never on the command line) and
//! `envoyer` a doctor's; `envoyer-file` and `file` are the database key holder's, like `backup`, so
//! that a scheduled task can deliver the queue.

use crate::session::login;
use anyhow::Context;
use appligarde_api::{
    Api,
    messagerie::{EnvoiDto, MessageEnvoi, MessagerieFileQuery, MessagerieReglagesSaisie},
};
use clap::Subcommand;
use std::path::PathBuf;

/// Environment variable holding the PKCS#12 file's password.
pub const VAR_MOT_DE_PASSE_CERTIFICAT: &str = "APPLIGARDE_MOT_DE_PASSE_CERTIFICAT";

#[derive(Subcommand)]
pub enum MessagerieCommand {
    /// Sets the MMG's MSSanté mailbox (admin): address, operator's submission server, client
    /// certificate (PKCS#12, password from APPLIGARDE_MOT_DE_PASSE_CERTIFICAT), extra authority.
    Reglages {
        /// The id of the MMG admin acting; the password is read from APPLIGARDE_MOT_DE_PASSE.
        #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
        utilisateur: i64,
        #[arg(long)]
        adresse: String,
        #[arg(long)]
        serveur: String,
        /// 587 by default.
        #[arg(long)]
        port: Option<u16>,
        /// The mailbox's client certificate and key (PKCS#12, `.p12`).
        #[arg(long)]
        certificat: Option<PathBuf>,
        /// A certificate authority to trust besides the system's (PEM).
        #[arg(long)]
        ca: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Queues a printed document for an MSSanté address (doctor); `envoyer-file` or the app's
    /// background sender delivers it.
    Envoyer {
        #[arg(long = "utilisateur", env = "APPLIGARDE_UTILISATEUR")]
        utilisateur: i64,
        /// The printed document's id (`courrier pdf --json` prints it).
        #[arg(long)]
        document: i64,
        /// The recipient's MSSanté address.
        #[arg(long = "a")]
        a: String,
        #[arg(long)]
        json: bool,
    },
    /// Delivers every waiting message now.
    EnvoyerFile {
        #[arg(long)]
        json: bool,
    },
    /// The outbox: each message with its Message-ID and status.
    File {
        /// Only the messages of this document.
        #[arg(long)]
        document: Option<i64>,
        #[arg(long)]
        json: bool,
    },
}

fn ligne(e: &EnvoiDto) -> String {
    let mut s = format!(
        "{:>4}  document {:<5} {:<14} {:<40} <{}>",
        e.id, e.document_id, e.statut_libelle, e.destinataire, e.message_id
    );
    if !e.raison.is_empty() {
        s.push_str(&format!("\n      {}", e.raison));
    }
    s
}

pub fn run(api: Api, command: &MessagerieCommand) -> anyhow::Result<()> {
    match command {
        MessagerieCommand::Reglages {
            utilisateur,
            adresse,
            serveur,
            port,
            certificat,
            ca,
            json,
        } => {
            let certificat_base64 = match certificat {
                Some(chemin) => Some(appligarde_api::commun::base64(
                    &std::fs::read(chemin)
                        .with_context(|| format!("lecture du certificat {}", chemin.display()))?,
                )),
                None => None,
            };
            let ca_pem = match ca {
                Some(chemin) => Some(std::fs::read_to_string(chemin).with_context(|| {
                    format!(
                        "lecture de l'autorité de certification {}",
                        chemin.display()
                    )
                })?),
                None => None,
            };
            let mot_de_passe_certificat = std::env::var(VAR_MOT_DE_PASSE_CERTIFICAT).ok();
            if certificat.is_some() && mot_de_passe_certificat.is_none() {
                anyhow::bail!(
                    "indiquez le mot de passe du certificat dans la variable d'environnement {VAR_MOT_DE_PASSE_CERTIFICAT}"
                );
            }
            login(&api, *utilisateur)?;
            let r = api.messagerie_reglages_save(MessagerieReglagesSaisie {
                adresse: adresse.clone(),
                serveur: serveur.clone(),
                port: *port,
                certificat_base64,
                mot_de_passe_certificat,
                ca_pem,
            })?;
            if *json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "Messagerie sécurisée : {} via {}:{}{}",
                    r.adresse,
                    r.serveur,
                    r.port,
                    r.certificat
                        .map(|c| format!(", certificat {c}"))
                        .unwrap_or_default()
                );
            }
        }
        MessagerieCommand::Envoyer {
            utilisateur,
            document,
            a,
            json,
        } => {
            login(&api, *utilisateur)?;
            let e = api.messagerie_envoyer(MessageEnvoi {
                document_id: *document,
                destinataire: a.clone(),
            })?;
            if *json {
                println!("{}", serde_json::to_string(&e)?);
            } else {
                println!("Message mis en file :\n{}", ligne(&e));
            }
        }
        MessagerieCommand::EnvoyerFile { json } => {
            let r = api.messagerie_envoyer_file_cle()?;
            if *json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "{} envoyé(s), {} en attente, {} en échec.",
                    r.envoyes, r.en_attente, r.echecs
                );
                for e in &r.messages {
                    println!("{}", ligne(e));
                }
            }
        }
        MessagerieCommand::File { document, json } => {
            let file = api.messagerie_file_cle(MessagerieFileQuery {
                document_id: *document,
            })?;
            if *json {
                println!("{}", serde_json::to_string(&file)?);
            } else if file.is_empty() {
                println!("Aucun message.");
            } else {
                for e in &file {
                    println!("{}", ligne(e));
                }
            }
        }
    }
    Ok(())
}
