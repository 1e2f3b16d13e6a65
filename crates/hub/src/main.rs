//! `appligarde-hub`: command line of the hub server. Everything but argument parsing and the log
//! subscriber lives in the library.

use std::net::SocketAddr;
use std::process::ExitCode;

use appligarde_hub::Error;
use clap::{Parser, Subcommand};
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
    },
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
        } => {
            let pool = appligarde_hub::pool(&database_url)?;
            migrate(&pool).await?;
            let listener = TcpListener::bind(listen).await?;
            let address = listener.local_addr()?;
            tracing::info!(%address, "listening");
            println!("listening on {address}");
            appligarde_hub::serve(pool, listener).await
        }
    }
}

async fn migrate(pool: &deadpool_postgres::Pool) -> Result<(), Error> {
    let mut client = pool.get().await?;
    let report = appligarde_hub::migrate(&mut client).await?;
    tracing::info!(
        applied = ?report.applied,
        schema_version = report.schema_version,
        "database schema up to date"
    );
    Ok(())
}
