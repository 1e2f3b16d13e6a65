//! `appligarde-cli hub enroll --url URL --code CODE`, `hub status` and `sync` (one push of the
//! waiting days and one pull of the reference data, printing what moved).

use std::sync::Arc;

use appligarde_api::synchro::{HubInscription, SyncRapport, SyncStatut};
use appligarde_api::{Api, ApiConfig};
use appligarde_sync::{Options, Synchroniseur};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum HubCommand {
    /// Inscrit ce poste auprès du hub avec le code à usage unique donné par l'URML.
    Enroll {
        /// Adresse du hub (https://...).
        #[arg(long)]
        url: String,
        /// Code d'inscription à usage unique.
        #[arg(long)]
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// État de la synchronisation : dernier succès, journées en attente, dernière erreur.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// Plugs the sync client into `api` (the certificate of `APPLIGARDE_HUB_CA` is trusted too).
pub fn brancher(cli: &crate::Cli, api: &Api) -> anyhow::Result<()> {
    let config = ApiConfig::resolve(cli.data_dir.clone(), cli.key_file.clone())?;
    let options = Options::depuis_environnement().map_err(appligarde_api::ApiError::from)?;
    api.brancher_hub(Arc::new(Synchroniseur::new(&config, options)));
    Ok(())
}

fn opened(cli: &crate::Cli) -> anyhow::Result<Api> {
    let api = crate::open(cli)?;
    brancher(cli, &api)?;
    Ok(api)
}

pub fn hub(cli: &crate::Cli, command: &HubCommand) -> anyhow::Result<()> {
    let api = opened(cli)?;
    match command {
        HubCommand::Enroll { url, code, json } => {
            let statut = api.hub_inscrire_key_holder(HubInscription {
                url: url.clone(),
                code: code.clone(),
            })?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&statut)?);
            } else {
                println!(
                    "Poste inscrit auprès du hub {} pour la MMG « {} » (poste {}).",
                    statut.hub_url.as_deref().unwrap_or("?"),
                    statut.mmg_nom.as_deref().unwrap_or("?"),
                    statut.poste.as_deref().unwrap_or("?")
                );
            }
        }
        HubCommand::Status { json } => {
            let statut = api.sync_statut()?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&statut)?);
            } else {
                print_statut(&statut);
            }
        }
    }
    Ok(())
}

/// `sync`: exit code 1 when the sync did not complete (the report says why).
pub fn sync(cli: &crate::Cli, json: bool) -> anyhow::Result<bool> {
    let api = opened(cli)?;
    let rapport = api.sync_maintenant_key_holder()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&rapport)?);
    } else {
        print_rapport(&rapport);
    }
    Ok(rapport.reussi)
}

fn print_rapport(r: &SyncRapport) {
    println!(
        "Envoyé : {} agrégats ({} journées, {} lots ; {} déjà reçus par le hub).",
        r.agregats_envoyes, r.jours_envoyes, r.lots, r.agregats_deja_recus
    );
    if r.references_appliquees.is_empty() {
        println!("Reçu : aucune nouvelle donnée de référence.");
    }
    for reference in &r.references_appliquees {
        println!(
            "Reçu : publication n° {} ({}) : {}",
            reference.version, reference.nature, reference.resume
        );
    }
    if let Some(erreur) = &r.erreur {
        println!("Synchronisation incomplète : {erreur}");
    }
    print_statut(&r.statut);
}

fn print_statut(s: &SyncStatut) {
    if !s.inscrit {
        println!(
            "Ce poste n'est inscrit auprès d'aucun hub (appligarde-cli hub enroll --url URL --code CODE)."
        );
        return;
    }
    println!(
        "Hub : {} — MMG « {} » ({}), poste {}",
        s.hub_url.as_deref().unwrap_or("?"),
        s.mmg_nom.as_deref().unwrap_or("?"),
        s.departement.as_deref().unwrap_or("?"),
        s.poste.as_deref().unwrap_or("?")
    );
    println!(
        "Dernier succès : {}",
        s.dernier_succes.as_deref().unwrap_or("jamais")
    );
    println!("Journées en attente d'envoi : {}", s.jours_en_attente);
    println!("Données de référence : version {}", s.reference_version);
    if let Some(erreur) = &s.derniere_erreur {
        println!(
            "Dernière erreur ({} échec(s) de suite) : {erreur}",
            s.echecs_consecutifs
        );
    }
}

/// `restore --depuis-hub`: a new PC restored from the MMG's off-site copy (see
/// `Synchroniseur::restaurer_depuis_hub`), then its enrollment recorded in the restored store.
pub fn restaurer_depuis_hub(
    config: &ApiConfig,
    url: &str,
    code: &str,
    recovery_code: &str,
    date: Option<chrono::NaiveDate>,
    json: bool,
) -> anyhow::Result<()> {
    let options = Options::depuis_environnement().map_err(appligarde_api::ApiError::from)?;
    let synchroniseur = Synchroniseur::new(config, options);
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fait = runtime
        .block_on(synchroniseur.restaurer_depuis_hub(
            config,
            url,
            code,
            recovery_code,
            date,
            &stamp,
        ))
        .map_err(appligarde_api::ApiError::from)?;
    let api = Api::open(config)?;
    api.synchro_enregistrer_inscription(fait.inscription.clone())?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "restauration": fait.restauration,
                "copie": {"id": fait.copie.id, "prise_le": fait.copie.taken_at, "octets": fait.copie.size},
                "poste": fait.inscription.device_id,
                "postes_retires": fait.postes_retires,
            }))?
        );
    } else {
        println!(
            "Copie hors site du {} ({} octets) vérifiée et restaurée dans {} ; ce poste est \
             inscrit pour la MMG « {} » et l'ancien poste a été retiré du hub ({}).",
            fait.copie.taken_at,
            fait.copie.size,
            config.data_dir.display(),
            fait.inscription.mmg_nom,
            fait.postes_retires
        );
        if let Some(copy) = &fait.restauration.copie_de_securite {
            println!("Les données présentes auparavant ont été mises de côté dans {copy}.");
        }
    }
    Ok(())
}
