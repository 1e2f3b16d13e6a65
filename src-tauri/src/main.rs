//! The Appligarde desktop shell (Tauri v2).
//!
//! It opens the API once at start-up and exposes one command, `invoke_api`, that forwards a command
//! name and its JSON arguments to `appligarde_api::Api::invoke`. No SQL, no business rule here: the
//! CLI and the browser tests go through the very same dispatcher. A second command,
//! `ouvrir_document`, opens a printed PDF (written by the API in `<data dir>/documents`) in the
//! system viewer, which offers printing.
//!
//! It also starts the background sync with the hub (`appligarde_sync::lancer_en_fond`), which
//! tries periodically and backs off while the network or the hub is away, and the secure
//! messaging sender (`Api::messagerie_envoyer_dus`), which delivers the MSSanté outbox whose next
//! tries are due (the backoff of each message is kept in the store).
//!
//! Options: `--data-dir DIR` / `APPLIGARDE_DATA_DIR`, `--key-file FILE` / `APPLIGARDE_KEY_FILE`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use appligarde_api::{Api, ApiConfig, ApiError};
use appligarde_sync::{Options, Synchroniseur};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How often the background sync tries while everything works.
const SYNC_PERIOD: Duration = Duration::from_secs(15 * 60);

/// How often the secure messaging sender looks for messages whose next try is due.
const MESSAGERIE_PERIOD: Duration = Duration::from_secs(30);

/// The API, or the French reason it could not be opened (shown by the UI instead of a crash).
struct Backend(Result<Arc<Api>, ApiError>);

/// Runs off the main thread (`async`): a command that talks to the hub must not freeze the window.
#[tauri::command(async)]
fn invoke_api(
    backend: tauri::State<'_, Backend>,
    command: String,
    args: serde_json::Value,
) -> Result<serde_json::Value, ApiError> {
    match &backend.0 {
        Ok(api) => api.invoke(&command, args),
        Err(e) => Err(e.clone()),
    }
}

/// The folder where printed documents are written (`<data dir>/documents`), if the store opened.
struct DossierDocuments(Option<PathBuf>);

/// Opens a printed PDF in the system viewer, which offers printing. Only a PDF of the documents
/// folder of the data directory is opened: the page cannot make the shell open anything else.
#[tauri::command]
fn ouvrir_document(
    dossier: tauri::State<'_, DossierDocuments>,
    chemin: String,
) -> Result<(), String> {
    let refus = || "Ce fichier n'est pas un document imprimé d'Appligarde.".to_owned();
    let dossier = dossier.0.as_ref().ok_or_else(refus)?;
    let dossier = dossier.canonicalize().map_err(|_| refus())?;
    let fichier = PathBuf::from(chemin).canonicalize().map_err(|_| refus())?;
    if !fichier.starts_with(&dossier) || fichier.extension().is_none_or(|e| e != "pdf") {
        return Err(refus());
    }
    #[cfg(target_os = "windows")]
    let mut commande = {
        let mut c = std::process::Command::new("explorer");
        c.arg(&fichier);
        c
    };
    #[cfg(target_os = "macos")]
    let mut commande = {
        let mut c = std::process::Command::new("open");
        c.arg(&fichier);
        c
    };
    #[cfg(not(any(target_os = "windows", target_os = "macos")))]
    let mut commande = {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(&fichier);
        c
    };
    commande.spawn().map(drop).map_err(|e| {
        tracing::error!(error = %e, "the system PDF viewer could not be started");
        format!(
            "La visionneuse PDF du système n'a pas pu être lancée ({e}) ; le document est dans {}.",
            dossier.display()
        )
    })
}

/// The value of `--name VALUE` or `--name=VALUE` among the process arguments.
fn arg_value(name: &str) -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == name {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = text
            .strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('='))
        {
            return Some(PathBuf::from(value));
        }
    }
    None
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("APPLIGARDE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = ApiConfig::resolve(arg_value("--data-dir"), arg_value("--key-file"));
    let documents = DossierDocuments(config.as_ref().ok().map(|c| c.data_dir.join("documents")));
    let backend = config.clone().and_then(|c| Api::open(&c)).map(Arc::new);
    if let Err(e) = &backend {
        tracing::error!(code = ?e.code, "the store could not be opened: {}", e.message);
    }
    let sync = match (&backend, &config) {
        (Ok(api), Ok(config)) => match Options::depuis_environnement() {
            Ok(options) => {
                let sync = Arc::new(Synchroniseur::new(config, options));
                api.brancher_hub(sync.clone());
                Some((api.clone(), sync))
            }
            Err(e) => {
                tracing::error!("the sync with the hub is off: {e}");
                None
            }
        },
        _ => None,
    };
    if let Ok(api) = &backend {
        let api = api.clone();
        // A plain thread: each pass blocks on SMTP (with its own timeout), never the window.
        let lance = std::thread::Builder::new()
            .name("messagerie".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(MESSAGERIE_PERIOD);
                    if let Err(e) = api.messagerie_envoyer_dus() {
                        tracing::warn!(code = ?e.code, "secure messaging pass failed: {}", e.message);
                    }
                }
            });
        if let Err(e) = lance {
            tracing::error!("the secure messaging sender could not start: {e}");
        }
    }
    let result = tauri::Builder::default()
        .setup(move |_app| {
            if let Some((api, sync)) = sync {
                tauri::async_runtime::spawn(async move {
                    // APPLIGARDE_SYNC_PERIODE_S shortens the rhythm (end-to-end tests).
                    let rythme = appligarde_sync::Rythme::depuis_environnement(SYNC_PERIOD);
                    let _ = appligarde_sync::lancer_en_fond_au_rythme(api, sync, rythme).await;
                });
            }
            Ok(())
        })
        .manage(Backend(backend))
        .manage(documents)
        .invoke_handler(tauri::generate_handler![invoke_api, ouvrir_document])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Appligarde n'a pas pu démarrer : {e}");
        std::process::exit(1);
    }
}
