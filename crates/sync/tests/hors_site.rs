//! Off-site copies (issue 27) with the real desktop API and sync client against the real hub
//! binary: a backup queued and sent by `sync`, the restore drill on a new PC (new data
//! directory, no key) from the hub, and its faults: a copy altered on the hub, a wrong recovery
//! code, an enrollment code of another MMG.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use appligarde_api::dto::DemoOptions;
use appligarde_api::sauvegarde::BackupRequest;
use appligarde_api::synchro::HubInscription;
use appligarde_api::{Api, ApiConfig};
use appligarde_store::{KeySource, Store};
use appligarde_sync::Synchroniseur;
use chrono::NaiveDate;
use common::{Hub, Proxy, create_mmg, enroll_code, fixed_clock, fresh_database, test_options};

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("cle.hex")),
    }
}

/// Every row of `table`, as text, sorted.
fn rows(store: &Store, table: &str) -> Vec<String> {
    let conn = store.conn();
    let mut statement = conn.prepare(&format!("SELECT * FROM {table}")).unwrap();
    let columns = statement.column_count();
    let mut lines: Vec<String> = statement
        .query_map([], |row| {
            let mut line = Vec::new();
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i)?;
                line.push(format!("{value:?}"));
            }
            Ok(line.join("|"))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    lines.sort();
    lines
}

/// Every file under `dir`, read.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

/// `restore --depuis-hub` on a new PC in `dir`: the CLI's steps (restore, then the enrollment
/// recorded in the restored store).
async fn restore_from_hub(
    dir: &Path,
    hub: &Hub,
    code: &str,
    recovery: &str,
) -> Result<appligarde_sync::RestaurationHub, String> {
    let config = config(dir);
    let sync = Synchroniseur::new(&config, test_options(7));
    let fait = sync
        .restaurer_depuis_hub(&config, &hub.url(), code, recovery, None, "20261207-210000")
        .await
        .map_err(|e| e.to_string())?;
    let api = Api::open(&config).unwrap();
    api.synchro_enregistrer_inscription(fait.inscription.clone())
        .unwrap();
    Ok(fait)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_pc_restores_the_mmg_from_its_off_site_copy_and_faults_are_refused_in_french() {
    let database = fresh_database("hors_site").await;
    let backups_dir = tempfile::tempdir().unwrap();
    let hub = Hub::start_with(
        &database,
        &["--sauvegardes", backups_dir.path().to_str().unwrap()],
    );
    let mmg = create_mmg(&hub, "44", "MMG d'Ancenis");
    let other_mmg = create_mmg(&hub, "49", "MMG de Cholet");

    // The MMG's PC: a small demo MMG, enrolled, a backup written with `backup --out`.
    let source_dir = tempfile::tempdir().unwrap();
    let source = config(source_dir.path());
    let now = NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(20, 0, 0)
        .unwrap();
    let api = Arc::new(Api::open_with_clock(&source, fixed_clock(now)).unwrap());
    let sync = Arc::new(Synchroniseur::new(&source, test_options(1)));
    api.brancher_hub(sync.clone());
    api.demo_seed(DemoOptions {
        consultations: 40,
        seed: 27,
    })
    .unwrap();
    api.hub_inscrire_key_holder(HubInscription {
        url: hub.url(),
        code: enroll_code(&hub, &mmg),
    })
    .unwrap();
    // What the backup holds: every table of interest as it is when the backup is taken (the
    // backup's own audit entry comes after it).
    const TABLES: [&str; 7] = [
        "consultation",
        "consultation_version",
        "consultation_diagnostic",
        "consultation_acte",
        "document_imprime",
        "journal",
        "patient",
    ];
    let store = Store::open(&source.data_dir, &source.key).unwrap();
    let snapshot: Vec<Vec<String>> = TABLES.iter().map(|t| rows(&store, t)).collect();
    assert!(!snapshot[0].is_empty(), "the demo has consultations");
    let out = source_dir.path().join("cle-usb");
    std::fs::create_dir_all(&out).unwrap();
    api.backup_key_holder(BackupRequest {
        dossier: out.display().to_string(),
    })
    .unwrap();
    use appligarde_api::synchro::Poste as _;
    assert_eq!(
        api.hors_site_a_envoyer().unwrap().len(),
        1,
        "the backup is queued"
    );
    let report = api.sync_maintenant_key_holder().unwrap();
    assert!(report.reussi, "{:?}", report.erreur);
    assert!(api.hors_site_a_envoyer().unwrap().is_empty(), "and sent");
    let recovery = api.recovery_code_key_holder().unwrap().code;

    // What the hub holds: no patient's name in its bytes, no key material in its database.
    let patient_names: Vec<String> = {
        let conn = store.conn();
        let mut st = conn.prepare("SELECT nom, prenom FROM patient").unwrap();
        st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
            .flat_map(|r| {
                let (nom, prenom) = r.unwrap();
                [nom, prenom]
            })
            .filter(|n| n.len() >= 4)
            .collect()
    };
    assert!(!patient_names.is_empty(), "the demo has patients");
    let stored = files_under(backups_dir.path());
    assert_eq!(stored.len(), 1, "one copy on the hub");
    for (path, bytes) in &stored {
        for name in &patient_names {
            assert!(
                !bytes.windows(name.len()).any(|w| w == name.as_bytes()),
                "{} must not contain a patient's name",
                path.display()
            );
        }
    }
    let key_hex = std::fs::read_to_string(source_dir.path().join("cle.hex"))
        .unwrap()
        .trim()
        .to_lowercase();
    let recovery_plain = recovery.replace('-', "").to_lowercase();
    let (db, connection) = tokio_postgres::connect(&database, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let tables = db
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap();
    for table in tables {
        let table: String = table.get(0);
        let text: String = db
            .query_one(
                &format!("SELECT coalesce(string_agg(t::text, ' '), '') FROM \"{table}\" t"),
                &[],
            )
            .await
            .unwrap()
            .get(0);
        let text = text.to_lowercase().replace('-', "");
        assert!(!text.contains(&key_hex), "no database key in table {table}");
        assert!(
            !text.contains(&recovery_plain),
            "no recovery code in table {table}"
        );
    }

    // A copy altered on the hub (one byte): refused at restore, nothing local written.
    let (hub_file, original) = &stored[0];
    let mut altered = original.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    std::fs::write(hub_file, &altered).unwrap();
    let tampered_pc = tempfile::tempdir().unwrap();
    let error = restore_from_hub(
        tampered_pc.path(),
        &hub,
        &enroll_code(&hub, &mmg),
        &recovery,
    )
    .await
    .unwrap_err();
    assert!(error.contains("empreinte"), "{error}");
    assert!(
        !config(tampered_pc.path())
            .data_dir
            .join("appligarde.db")
            .exists(),
        "nothing restored from an altered copy"
    );
    std::fs::write(hub_file, original).unwrap();

    // A wrong recovery code, an enrollment code of another MMG: French errors, nothing written.
    let wrong_pc = tempfile::tempdir().unwrap();
    let wrong_code = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH";
    let error = restore_from_hub(wrong_pc.path(), &hub, &enroll_code(&hub, &mmg), wrong_code)
        .await
        .unwrap_err();
    assert!(error.contains("récupération"), "{error}");
    assert!(
        !config(wrong_pc.path())
            .data_dir
            .join("appligarde.db")
            .exists()
    );
    let error = restore_from_hub(
        wrong_pc.path(),
        &hub,
        &enroll_code(&hub, &other_mmg),
        &recovery,
    )
    .await
    .unwrap_err();
    assert!(
        error.contains("MMG de Cholet"),
        "names the code's MMG: {error}"
    );

    // The drill: a new PC, a new data directory without key, restored from the hub.
    let new_pc = tempfile::tempdir().unwrap();
    let fait = restore_from_hub(new_pc.path(), &hub, &enroll_code(&hub, &mmg), &recovery)
        .await
        .unwrap();
    assert_eq!(fait.postes_retires, 1, "the old PC is retired");
    let restored =
        Store::open(&config(new_pc.path()).data_dir, &config(new_pc.path()).key).unwrap();
    for (table, expected) in TABLES.iter().zip(&snapshot) {
        let got = rows(&restored, table);
        assert!(
            got == *expected,
            "{table}: {} rows restored, {} in the source when the backup was taken; they must be \
             identical",
            got.len(),
            expected.len()
        );
    }
    restored.verifier_journal().unwrap();
    // The old PC's token is refused from now on; the new PC syncs.
    let old = api.sync_maintenant_key_holder().unwrap();
    assert!(!old.reussi, "the old PC is retired");
    let new_api = Arc::new(Api::open(&config(new_pc.path())).unwrap());
    new_api.brancher_hub(Arc::new(Synchroniseur::new(
        &config(new_pc.path()),
        test_options(3),
    )));
    let report = new_api.sync_maintenant_key_holder().unwrap();
    assert!(report.reussi, "{:?}", report.erreur);

    // The same from the first-start assistant: a new PC whose window is open on its new, empty
    // store restores through the window's dispatcher, before any account exists.
    let window_pc = tempfile::tempdir().unwrap();
    let window = Arc::new(Api::open(&config(window_pc.path())).unwrap());
    window.brancher_hub(Arc::new(Synchroniseur::new(
        &config(window_pc.path()),
        test_options(4),
    )));
    assert!(!window.premier_demarrage_etat().unwrap().termine);
    let demande = |code: String, recuperation: &str| serde_json::json!({"url": hub.url(), "code": code, "code_recuperation": recuperation});
    let invoke = |args: serde_json::Value| {
        let window = window.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                window.invoke("premier_demarrage_restaurer_hub", args)
            })
            .await
            .unwrap()
        }
    };
    // A mistyped recovery code: refused in French after the copy was downloaded; the retry with
    // the same enrollment code reuses the enrollment instead of asking the URML for a new code.
    let code_neuf = enroll_code(&hub, &mmg);
    let refus = invoke(demande(code_neuf.clone(), wrong_code))
        .await
        .unwrap_err();
    assert!(refus.message.contains("récupération"), "{refus:?}");
    assert!(
        !window.premier_demarrage_etat().unwrap().termine,
        "still the new, empty installation"
    );
    let faite = invoke(demande(code_neuf, &recovery)).await.unwrap();
    assert_eq!(faite["mmg_nom"], "MMG d'Ancenis");
    assert_eq!(
        faite["postes_retires"], 1,
        "the PC restored before is retired"
    );
    // The open window now works on the restored MMG: the assistant is over, the MMG's users
    // log in as before, and the consultations are those of the copy.
    assert!(window.premier_demarrage_etat().unwrap().termine);
    let admin = window
        .session_status()
        .unwrap()
        .comptes
        .into_iter()
        .find(|u| u.est_admin)
        .expect("the restored MMG's admin is offered at login");
    window
        .invoke(
            "session_login",
            serde_json::json!({"utilisateur_id": admin.id, "mot_de_passe": appligarde_api::demo::DEMO_MOT_DE_PASSE}),
        )
        .unwrap();
    let restored = Store::open(
        &config(window_pc.path()).data_dir,
        &config(window_pc.path()).key,
    )
    .unwrap();
    assert!(
        rows(&restored, "consultation") == snapshot[0],
        "the copy's consultations"
    );
    restored.verifier_journal().unwrap();
    let statut = window.sync_statut().unwrap();
    assert!(
        statut.inscrit,
        "the enrollment is recorded in the restored store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_sent_over_a_faulty_line_reach_the_hub_whole() {
    let database = fresh_database("hors_site_pannes").await;
    let backups_dir = tempfile::tempdir().unwrap();
    let hub = Hub::start_with(
        &database,
        &["--sauvegardes", backups_dir.path().to_str().unwrap()],
    );
    let proxy = Proxy::start(hub.address, 2027).await;
    let mmg = create_mmg(&hub, "44", "MMG d'Ancenis");
    let dir = tempfile::tempdir().unwrap();
    let source = config(dir.path());
    let now = NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(20, 0, 0)
        .unwrap();
    let api = Arc::new(Api::open_with_clock(&source, fixed_clock(now)).unwrap());
    api.brancher_hub(Arc::new(Synchroniseur::new(&source, test_options(5))));
    api.demo_seed(DemoOptions {
        consultations: 10,
        seed: 5,
    })
    .unwrap();
    api.hub_inscrire_key_holder(HubInscription {
        url: proxy.url(),
        code: enroll_code(&hub, &mmg),
    })
    .unwrap();
    // Three backups (three folders: the fixed clock names them alike), queued.
    let mut expected = Vec::new();
    for i in 0..3 {
        let out = dir.path().join(format!("cle-{i}"));
        std::fs::create_dir_all(&out).unwrap();
        let info = api
            .backup_key_holder(BackupRequest {
                dossier: out.display().to_string(),
            })
            .unwrap();
        expected
            .push(appligarde_api::sauvegarde::empreinte_fichier(Path::new(&info.fichier)).unwrap());
    }
    // Requests dropped, duplicated, delayed, answered 500 or cut: every pass resumes where the
    // last stopped, until the queue is empty.
    use appligarde_api::synchro::Poste as _;
    assert_eq!(
        api.hors_site_a_envoyer().unwrap().len(),
        3,
        "three backups queued"
    );
    proxy.set_faults(true);
    let mut passes = 0;
    while !api.hors_site_a_envoyer().unwrap().is_empty() {
        passes += 1;
        assert!(passes <= 30, "the queue empties within 30 passes");
        let _ = api.sync_maintenant_key_holder().unwrap();
    }
    // Each was confirmed by the hub, which checks the SHA-256 of what arrived.
    let store = Store::open(&source.data_dir, &source.key).unwrap();
    let confirmed: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM sauvegarde_hors_site WHERE envoyee_le IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(confirmed, 3, "the three backups reached the hub whole");
    // The three were taken at the same time: the retention rule keeps the last one only.
    let stored: Vec<String> = files_under(backups_dir.path())
        .iter()
        .map(|(_, bytes)| {
            use sha2::Digest as _;
            hex::encode(sha2::Sha256::digest(bytes))
        })
        .collect();
    assert_eq!(
        stored,
        vec![expected[2].clone()],
        "one copy per day, the newest, as sent"
    );
}
