//! `appligarde-hub`: command line of the hub server. Everything but argument parsing and the log
//! subscriber lives in the library.

use std::net::SocketAddr;
use std::process::ExitCode;

use std::io::BufRead as _;

use appligarde_hub::auth::Role;
use appligarde_hub::{Error, reference};
use clap::{Parser, Subcommand, ValueEnum};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Serveur hub d'Appligarde (hébergeur agréé) : reçoit les données des maisons médicales de garde.
#[derive(Parser)]
#[command(name = "appligarde-hub", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Applique les migrations en attente à la base de données, puis s'arrête.
    Migrate {
        /// Adresse de la base PostgreSQL (postgres://utilisateur@hôte:port/base).
        #[arg(long, env = "APPLIGARDE_HUB_DATABASE_URL", hide_env_values = true)]
        database_url: String,
    },
    /// Applique les migrations puis sert l'API HTTP jusqu'à SIGTERM ou Ctrl-C.
    Serve {
        /// Adresse de la base PostgreSQL (postgres://utilisateur@hôte:port/base).
        #[arg(long, env = "APPLIGARDE_HUB_DATABASE_URL", hide_env_values = true)]
        database_url: String,
        /// Adresse d'écoute HTTP (port 0 : un port libre, affiché au démarrage).
        #[arg(long, env = "APPLIGARDE_HUB_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Dossier des copies hors site des sauvegardes des MMG (fichiers chiffrés par les
        /// postes, illisibles par le hub). Sans lui, le hub refuse les copies hors site.
        #[arg(long, env = "APPLIGARDE_HUB_SAUVEGARDES")]
        sauvegardes: Option<std::path::PathBuf>,
        /// Place accordée à chaque MMG pour ses copies hors site, en Mo.
        #[arg(long, env = "APPLIGARDE_HUB_QUOTA_MO", default_value_t = appligarde_hub::offsite::DEFAULT_QUOTA_MB)]
        quota_mo: u64,
    },
    /// Administration : MMG, codes d'enrôlement des postes, utilisateurs, région, publications.
    Admin {
        /// Adresse de la base PostgreSQL (postgres://utilisateur@hôte:port/base).
        #[arg(
            long,
            env = "APPLIGARDE_HUB_DATABASE_URL",
            hide_env_values = true,
            global = true
        )]
        database_url: Option<String>,
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Crée une MMG (et l'ADOPS de son département, et l'URML, s'ils n'existent pas).
    CreateMmg {
        /// Code INSEE du département (44, 2A, 974...).
        #[arg(long)]
        departement: String,
        /// Nom de la MMG.
        #[arg(long)]
        name: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Enregistre l'identité d'une MMG (adresse, téléphone, FINESS...), que l'assistant du
    /// premier démarrage d'un nouveau poste reprend avec son code d'enrôlement. Un champ omis
    /// garde sa valeur ; une valeur vide l'efface.
    MmgIdentity {
        /// Identifiant de la MMG (donné par create-mmg).
        #[arg(long)]
        mmg: String,
        #[arg(long)]
        adresse: Option<String>,
        #[arg(long)]
        code_postal: Option<String>,
        #[arg(long)]
        commune: Option<String>,
        #[arg(long)]
        telephone: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Numéro FINESS de l'établissement (9 caractères).
        #[arg(long)]
        finess: Option<String>,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Crée un code d'enrôlement à usage unique pour un poste d'une MMG.
    EnrollCode {
        /// Identifiant de la MMG (donné par create-mmg).
        #[arg(long)]
        mmg: String,
        /// Durée de validité du code, en jours.
        #[arg(long, default_value_t = appligarde_hub::admin::ENROLLMENT_CODE_DAYS)]
        days: i64,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Crée un utilisateur ; le mot de passe est lu sur l'entrée standard (une ligne).
    CreateUser {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Rôle : coordinator (les MMG de ses départements) ou urml-admin (tout).
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Départements d'un coordinateur, séparés par des virgules (44,49).
        #[arg(long, value_delimiter = ',')]
        departements: Vec<String>,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Désactive un utilisateur : son mot de passe n'ouvre plus rien, ses sessions sont fermées.
    DisableUser {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Réactive un utilisateur désactivé.
    EnableUser {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Change le mot de passe d'un utilisateur (lu sur l'entrée standard, une ligne), ferme ses
    /// sessions et lève la limitation de ses connexions.
    ResetPassword {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Ferme toutes les sessions d'un utilisateur (ordinateur perdu ou volé).
    RevokeSessions {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lève la limitation des tentatives de connexion d'un identifiant, depuis toutes les adresses.
    ClearThrottle {
        /// Identifiant de connexion.
        #[arg(long)]
        login: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Affiche le journal des commandes sur les comptes (les plus récentes d'abord).
    Journal {
        /// Nombre de lignes au plus.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Retire un poste : son jeton est refusé aussitôt (401) ; ce qu'il a envoyé reste compté.
    RetireDevice {
        /// Identifiant du poste (voir « admin list »).
        #[arg(long)]
        device: String,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Liste les ADOPS par département, leurs MMG et leurs postes enrôlés.
    List {
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Place un poste sur un canal de mise à jour : pilote (reçoit les versions en premier) ou
    /// stable (par défaut).
    SetChannel {
        /// Identifiant du poste (donné par « admin list »).
        #[arg(long)]
        device: String,
        /// Canal : pilote ou stable.
        #[arg(long, value_enum)]
        canal: CanalArg,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
    /// Définit les départements de la région (ceux que garde une publication RPPS).
    SetRegion {
        /// Départements séparés par des virgules (44,49,53,72,85).
        #[arg(long, value_delimiter = ',', required = true)]
        departements: Vec<String>,
    },
    /// Publie une nouvelle version d'un fichier de référence pour tous les postes enrôlés.
    Publish {
        /// Nature du fichier.
        #[arg(value_enum)]
        kind: KindArg,
        /// Chemin du fichier (du dossier des fichiers de l'ANSM pour « bdpm »).
        file: std::path::PathBuf,
        /// Pour un texte (« convention ») : la convention d'utilisation de la MMG (mmg) ou la
        /// charte des utilisateurs (charte).
        #[arg(long = "type", value_enum)]
        convention: Option<ConventionArg>,
        /// Pour un texte (« convention ») : son numéro de version (1, 2, ...), plus grand que
        /// celui de la version publiée avant.
        #[arg(long = "version")]
        text_version: Option<u32>,
        /// Affiche le résultat en JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ConventionArg {
    /// La convention d'utilisation entre l'URML et la MMG (acceptée par l'administrateur).
    Mmg,
    /// La charte des utilisateurs (acceptée par chaque utilisateur).
    Charte,
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    /// L'extrait RPPS national (PS_LibreAcces_Personne_activite), réduit aux départements de la
    /// région.
    Rpps,
    /// L'annuaire des correspondants (tableau JSON).
    Annuaire,
    /// La table des tarifs (CSV « ; » comme tarifs_garde.csv).
    Tarifs,
    /// Une version de la CIM-10 (CSV « ; »).
    Cim10,
    /// Un texte en français (UTF-8) : la convention d'utilisation de la MMG ou la charte des
    /// utilisateurs (--type mmg|charte --version N).
    Convention,
    /// Une version de la base des médicaments : le DOSSIER des fichiers de l'ANSM
    /// (CIS_bdpm.txt, CIS_COMPO_bdpm.txt, CIS_GENER_bdpm.txt, et CIS_CIP_bdpm.txt s'il est
    /// publié).
    Bdpm,
}

#[derive(Clone, Copy, ValueEnum)]
enum CanalArg {
    /// Les postes pilotes reçoivent les nouvelles versions en premier.
    Pilote,
    /// Le canal par défaut.
    Stable,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Coordinator,
    UrmlAdmin,
}

#[tokio::main]
async fn main() -> ExitCode {
    // JSON lines on stderr; stdout is kept for the few lines scripts read ("listening on ...").
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let report = error.report();
            tracing::error!(error = %report, "appligarde-hub stopped on an error");
            eprintln!("appligarde-hub : {report}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Error> {
    match command {
        Command::Migrate { database_url } => {
            let pool = appligarde_hub::pool(&database_url)?;
            migrate(&pool).await?;
            Ok(())
        }
        Command::Serve {
            database_url,
            listen,
            sauvegardes,
            quota_mo,
        } => {
            let pool = appligarde_hub::pool(&database_url)?;
            migrate(&pool).await?;
            let mut state = appligarde_hub::AppState::new(pool);
            match sauvegardes {
                Some(dir) => {
                    std::fs::create_dir_all(&dir)?;
                    tracing::info!(dir = %dir.display(), quota_mo, "off-site copies kept");
                    state = state.with_offsite(appligarde_hub::offsite::OffsiteConfig {
                        dir,
                        quota_bytes: quota_mo.saturating_mul(1_000_000),
                    });
                }
                None => tracing::warn!(
                    "no APPLIGARDE_HUB_SAUVEGARDES: off-site copies of backups are refused"
                ),
            }
            let listener = TcpListener::bind(listen).await?;
            let address = listener.local_addr()?;
            tracing::info!(%address, "listening");
            println!("listening on {address}");
            appligarde_hub::serve_state(state, listener).await
        }
        Command::Admin {
            database_url,
            command,
        } => admin(database_url, command).await,
    }
}

async fn admin(database_url: Option<String>, command: AdminCommand) -> Result<(), Error> {
    let database_url = database_url.ok_or_else(|| {
        Error::InvalidInput(
            "indiquez la base avec --database-url (ou APPLIGARDE_HUB_DATABASE_URL)".to_owned(),
        )
    })?;
    let pool = appligarde_hub::pool(&database_url)?;
    migrate(&pool).await?;
    let mut client = pool.get().await?;
    match command {
        AdminCommand::CreateMmg {
            departement,
            name,
            json,
        } => {
            let mmg = appligarde_hub::admin::create_mmg(&mut client, &departement, &name).await?;
            if json {
                print_json(&mmg)?;
            } else {
                println!(
                    "MMG « {} » créée dans le département {} : identifiant {}",
                    mmg.name, mmg.departement, mmg.id
                );
            }
        }
        AdminCommand::MmgIdentity {
            mmg,
            adresse,
            code_postal,
            commune,
            telephone,
            email,
            finess,
            json,
        } => {
            let change = appligarde_hub::identite::IdentityChange {
                adresse,
                code_postal,
                commune,
                telephone,
                email,
                finess,
            };
            let identity =
                appligarde_hub::identite::set_identity(&mut client, &mmg, change).await?;
            if json {
                print_json(&identity)?;
            } else {
                println!(
                    "Identité de la MMG « {} » enregistrée : {}, {} {}, téléphone {}, FINESS {}",
                    identity.mmg_name,
                    identity.adresse,
                    identity.code_postal,
                    identity.commune,
                    identity.telephone,
                    identity.finess
                );
            }
        }
        AdminCommand::EnrollCode { mmg, days, json } => {
            let code = appligarde_hub::admin::create_enrollment_code(&client, &mmg, days).await?;
            if json {
                print_json(&code)?;
            } else {
                println!(
                    "Code d'enrôlement (à usage unique, valable jusqu'au {}) : {}",
                    code.expires_at.format("%d/%m/%Y %H:%M UTC"),
                    code.code
                );
            }
        }
        AdminCommand::CreateUser {
            login,
            role,
            departements,
            json,
        } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let role = match role {
                RoleArg::Coordinator => Role::Coordinator,
                RoleArg::UrmlAdmin => Role::UrmlAdmin,
            };
            let user = appligarde_hub::admin::create_user(
                &mut client,
                &login,
                role,
                &departements,
                password,
            )
            .await?;
            if json {
                print_json(&user)?;
            } else {
                println!("Utilisateur « {} » ({}) créé", user.login, user.role);
            }
        }
        AdminCommand::DisableUser { login, json } => {
            let change =
                appligarde_hub::admin::set_user_disabled(&mut client, &login, true).await?;
            print_change(&change, json)?;
        }
        AdminCommand::EnableUser { login, json } => {
            let change =
                appligarde_hub::admin::set_user_disabled(&mut client, &login, false).await?;
            print_change(&change, json)?;
        }
        AdminCommand::ResetPassword { login, json } => {
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let change =
                appligarde_hub::admin::reset_password(&mut client, &login, password).await?;
            print_change(&change, json)?;
        }
        AdminCommand::RevokeSessions { login, json } => {
            let change = appligarde_hub::admin::revoke_sessions(&mut client, &login).await?;
            print_change(&change, json)?;
        }
        AdminCommand::ClearThrottle { login, json } => {
            let change = appligarde_hub::admin::clear_throttle(&mut client, &login).await?;
            print_change(&change, json)?;
        }
        AdminCommand::Journal { limit, json } => {
            let entries = appligarde_hub::admin::journal_entries(&client, limit.max(1)).await?;
            if json {
                print_json(&entries)?;
            } else if entries.is_empty() {
                println!("Journal vide : aucune commande sur les comptes.");
            } else {
                for entry in &entries {
                    println!(
                        "{} — {} — {} — {}",
                        entry.at.format("%d/%m/%Y %H:%M:%S UTC"),
                        entry.action,
                        entry.subject,
                        entry.detail
                    );
                }
            }
        }
        AdminCommand::List { json } => {
            let listing = appligarde_hub::admin::list_organisations(&client).await?;
            if json {
                print_json(&listing)?;
            } else if listing.is_empty() {
                println!("Aucune MMG : créez-en une avec « admin create-mmg ».");
            } else {
                for adops in &listing {
                    println!("{} (département {})", adops.name, adops.departement);
                    for mmg in &adops.mmgs {
                        println!("  {} — {} — {} poste(s)", mmg.name, mmg.id, mmg.devices);
                        for device in &mmg.device_list {
                            let contact = device.last_seen_at.map_or_else(
                                || "jamais".to_owned(),
                                |t| t.format("%d/%m/%Y %H:%M UTC").to_string(),
                            );
                            let etat = match (&device.revoked_at, device.revoked_reason.as_deref())
                            {
                                (None, _) => "actif".to_owned(),
                                (Some(t), Some("reenrolled")) => format!(
                                    "remplacé par une nouvelle inscription le {}",
                                    t.format("%d/%m/%Y")
                                ),
                                (Some(t), _) => format!("retiré le {}", t.format("%d/%m/%Y")),
                            };
                            println!(
                                "    poste {} — inscrit le {} — dernier contact : {} — {}",
                                device.id,
                                device.enrolled_at.format("%d/%m/%Y"),
                                contact,
                                etat
                            );
                        }
                    }
                }
            }
        }
        AdminCommand::RetireDevice { device, json } => {
            let retired = appligarde_hub::admin::retire_device(&client, &device).await?;
            if json {
                print_json(&retired)?;
            } else if retired.changed {
                println!(
                    "Poste {} retiré : son jeton est refusé désormais. Pour le réinscrire, créez \
                     un code avec « admin enroll-code --mmg {} ».",
                    retired.id, retired.mmg_id
                );
            } else {
                println!(
                    "Le poste {} était déjà retiré (le {}).",
                    retired.id,
                    retired.revoked_at.format("%d/%m/%Y %H:%M UTC")
                );
            }
        }
        AdminCommand::SetChannel {
            device,
            canal,
            json,
        } => {
            let canal = match canal {
                CanalArg::Pilote => "pilote",
                CanalArg::Stable => "stable",
            };
            let change = appligarde_hub::sante::set_channel(&client, &device, canal).await?;
            if json {
                print_json(&change)?;
            } else if change.previous == change.canal {
                println!(
                    "Le poste {} était déjà sur le canal {}.",
                    change.device_id, change.canal
                );
            } else {
                println!(
                    "Poste {} : canal {} (avant : {}).",
                    change.device_id, change.canal, change.previous
                );
            }
        }
        AdminCommand::SetRegion { departements } => {
            let codes = reference::set_region(&mut client, &departements).await?;
            println!("Région du hub : départements {}", codes.join(", "));
        }
        AdminCommand::Publish {
            kind,
            file,
            convention,
            text_version,
            json,
        } => {
            let texte = match (kind, convention, text_version) {
                (KindArg::Convention, Some(convention), Some(version)) => Some((
                    match convention {
                        ConventionArg::Mmg => appligarde_protocol::ConventionType::Mmg,
                        ConventionArg::Charte => appligarde_protocol::ConventionType::Charte,
                    },
                    version,
                )),
                (KindArg::Convention, _, _) => {
                    return Err(Error::InvalidInput(
                        "un texte se publie avec son type et sa version : « admin publish \
                         convention --type mmg|charte --version N FICHIER.txt »"
                            .to_owned(),
                    ));
                }
                (_, None, None) => None,
                _ => {
                    return Err(Error::InvalidInput(
                        "--type et --version ne servent qu'à la publication d'un texte \
                         (convention)"
                            .to_owned(),
                    ));
                }
            };
            let region = reference::region(&client).await?;
            let prepared = tokio::task::spawn_blocking(move || match kind {
                KindArg::Rpps => reference::prepare_rpps_file(&file, &region),
                KindArg::Bdpm => reference::prepare_bdpm(&file),
                other => {
                    let bytes = std::fs::read(&file).map_err(|error| {
                        Error::InvalidInput(format!(
                            "impossible de lire « {} » ({error}) : vérifiez le chemin et les droits",
                            file.display()
                        ))
                    })?;
                    match (other, texte) {
                        (KindArg::Annuaire, _) => reference::prepare_annuaire(bytes),
                        (KindArg::Tarifs, _) => reference::prepare_tarifs(bytes),
                        (KindArg::Convention, Some((convention, version))) => {
                            reference::prepare_convention(convention, version, bytes)
                        }
                        (KindArg::Cim10, _) => reference::prepare_cim10(bytes),
                        // Checked above: an RPPS file is read as a stream, a text has its type.
                        (KindArg::Rpps | KindArg::Bdpm | KindArg::Convention, _) => Err(Error::InvalidInput(
                            "publication incohérente : recommencez".to_owned(),
                        )),
                    }
                }
            })
            .await??;
            let published = reference::publish(&mut client, &prepared).await?;
            if json {
                print_json(&published)?;
            } else {
                println!(
                    "Version {} publiée ({}, {} octets). {}",
                    published.version,
                    published.kind.code(),
                    published.bytes,
                    published.summary
                );
            }
        }
    }
    Ok(())
}

/// Prints what an account command did, in French or in JSON.
fn print_change(change: &appligarde_hub::admin::AccountChange, json: bool) -> Result<(), Error> {
    if json {
        return print_json(change);
    }
    let what = match change.action.as_str() {
        "disable-user" => "désactivé",
        "enable-user" => "réactivé",
        "reset-password" => "mot de passe changé",
        "revoke-sessions" => "sessions fermées",
        _ => "limitation des connexions levée",
    };
    println!(
        "Utilisateur « {} » : {what} ({} session(s) fermée(s), {} limitation(s) levée(s)). \
         Action inscrite au journal.",
        change.login, change.sessions_revoked, change.throttle_cleared
    );
    Ok(())
}

fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let text = serde_json::to_string(value).map_err(|error| Error::Internal(Box::new(error)))?;
    println!("{text}");
    Ok(())
}

async fn migrate(pool: &deadpool_postgres::Pool) -> Result<(), Error> {
    let mut client = pool.get().await?;
    let report = appligarde_hub::migrate(&mut client).await?;
    tracing::info!(
        applied = ?report.applied,
        schema_version = report.schema_version,
        "database schema up to date"
    );
    let rebuilt = appligarde_hub::aggregates::rebuild_missing_months(&client).await?;
    if rebuilt > 0 {
        tracing::info!(months = rebuilt, "monthly aggregates rebuilt");
    }
    Ok(())
}
