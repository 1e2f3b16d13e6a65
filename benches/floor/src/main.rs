//! The floor of `cargo xtask bench start`: a Tauri v2 window of the same size, on the same Tauri and
//! WebKitGTK as the desktop app, showing an empty page and doing nothing else. The installed app's
//! start time and memory are reported as ratios against this window's, measured the same way
//! (`tests/package/start-bench.mjs`).

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("appligarde-bench-floor : la fenêtre n'a pas pu s'ouvrir : {error}");
        std::process::exit(1);
    }
}
