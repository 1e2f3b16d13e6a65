//! The Appligarde desktop shell (Tauri v2).
//!
//! It opens the API once at start-up and exposes one command, `invoke_api`, that forwards a command
//! name and its JSON arguments to `appligarde_api::Api::invoke`. No SQL, no business rule here: the
//! CLI and the browser tests go through the very same dispatcher.
//!
//! Options: `--data-dir DIR` / `APPLIGARDE_DATA_DIR`, `--key-file FILE` / `APPLIGARDE_KEY_FILE`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use appligarde_api::{Api, ApiConfig, ApiError};
use std::path::PathBuf;

/// The API, or the French reason it could not be opened (shown by the UI instead of a crash).
struct Backend(Result<Api, ApiError>);

#[tauri::command]
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
    let backend = ApiConfig::resolve(arg_value("--data-dir"), arg_value("--key-file"))
        .and_then(|c| Api::open(&c));
    if let Err(e) = &backend {
        tracing::error!(code = ?e.code, "the store could not be opened: {}", e.message);
    }
    let result = tauri::Builder::default()
        .manage(Backend(backend))
        .invoke_handler(tauri::generate_handler![invoke_api])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Appligarde n'a pas pu démarrer : {e}");
        std::process::exit(1);
    }
}
