//! Backups, the recovery code and restores, on real encrypted stores on disk.
#![allow(clippy::unwrap_used)]

use appligarde_domain::mmg::MmgIdentity;
use appligarde_store::backup::{Unlock, restore};
use appligarde_store::recovery::RecoveryCode;
use appligarde_store::{DB_FILE, KeySource, LATEST_VERSION, Store, StoreError, mmg};
use std::path::Path;

fn identity(nom: &str) -> MmgIdentity {
    MmgIdentity {
        nom: nom.into(),
        departement: "44".into(),
        ..Default::default()
    }
}

/// Every row of every user table, as text: what "identical" means for a restore.
fn dump(store: &Store) -> Vec<String> {
    let tables: Vec<String> = store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = store
            .conn()
            .prepare(&format!("SELECT * FROM {t} ORDER BY 1"))
            .unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect();
                Ok(format!("{t}: {}", cells.join(" | ")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn seeded(dir: &Path) -> Store {
    let mut store = Store::open(&dir.join("data"), &KeySource::File(dir.join("key"))).unwrap();
    store
        .write(|tx| mmg::save_identity(tx, &identity("MMG de Montaigu"), "2026-11-23T07:00:00Z"))
        .unwrap();
    store
}

#[test]
fn a_new_store_makes_a_recovery_code_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(dir.path());
    let code = store
        .take_new_recovery_code()
        .expect("a new store has a code to show");
    assert_eq!(store.take_new_recovery_code(), None, "shown once");
    assert_eq!(
        store.recovery_code().unwrap(),
        code,
        "someone who opens the database can see it again"
    );
    drop(store);
    let mut again = Store::open(
        &dir.path().join("data"),
        &KeySource::File(dir.path().join("key")),
    )
    .unwrap();
    assert_eq!(
        again.take_new_recovery_code(),
        None,
        "an existing store keeps its code"
    );
}

#[test]
fn restore_drill_on_a_new_pc_with_the_recovery_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(dir.path());
    let code = store.take_new_recovery_code().unwrap();
    let before = dump(&store);
    let usb = dir.path().join("cle-usb");
    let info = store.backup_to(&usb, "20261123-070000").unwrap();
    assert_eq!(info.schema_version, LATEST_VERSION);
    drop(store);

    // The PC is gone: its data directory and its key with it.
    std::fs::remove_dir_all(dir.path().join("data")).unwrap();
    std::fs::remove_file(dir.path().join("key")).unwrap();

    let new_pc = dir.path().join("nouveau-pc");
    let new_key = KeySource::File(new_pc.join("cle"));
    let typed = RecoveryCode::parse(&code.display().to_lowercase()).unwrap();
    let report = restore(
        &info.path,
        &new_pc.join("data"),
        Unlock::Code(&typed),
        &new_key,
        "20261124-090000",
    )
    .unwrap();
    assert_eq!(report.safety_copy, None, "nothing was there before");
    let restored = Store::open(&new_pc.join("data"), &new_key).unwrap();
    restored.integrity_check().unwrap();
    assert_eq!(dump(&restored), before, "every row is back, identical");
    assert_eq!(
        restored.recovery_code().unwrap(),
        code,
        "the same recovery code keeps working"
    );
}

#[test]
fn a_backup_cannot_be_read_without_the_key_or_the_code() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    let info = store.backup_to(&dir.path().join("b"), "x").unwrap();
    let bytes = std::fs::read(&info.path).unwrap();
    assert!(
        !bytes.windows(15).any(|w| w == b"SQLite format 3"),
        "no plaintext database inside"
    );
    assert!(
        !bytes.windows(7).any(|w| w == b"Montaig"),
        "no MMG name in clear"
    );
    let err = restore(
        &info.path,
        &dir.path().join("autre"),
        Unlock::Code(&RecoveryCode::generate()),
        &KeySource::File(dir.path().join("autre-cle")),
        "x",
    )
    .unwrap_err();
    assert!(
        matches!(err, StoreError::RecoveryCode(_)),
        "a wrong code is refused: {err:?}"
    );
    assert!(
        !dir.path().join("autre").join(DB_FILE).exists(),
        "nothing restored"
    );
}

#[test]
fn restoring_over_a_store_keeps_a_safety_copy() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(dir.path());
    let info = store.backup_to(&dir.path().join("b"), "1").unwrap();
    store
        .write(|tx| mmg::save_identity(tx, &identity("Nom modifié après la sauvegarde"), "t"))
        .unwrap();
    let key = store.recovery_file().unwrap();
    let code = store.recovery_code().unwrap();
    drop(store);
    let source = KeySource::File(dir.path().join("key"));
    let report = restore(
        &info.path,
        &dir.path().join("data"),
        Unlock::Code(&code),
        &source,
        "2",
    )
    .unwrap();
    let safety = report.safety_copy.expect("the previous data is kept aside");
    assert!(safety.join(DB_FILE).exists());
    assert!(
        dir.path().join("key.avant-restauration-2").exists(),
        "the previous key file is kept too"
    );
    let restored = Store::open(&dir.path().join("data"), &source).unwrap();
    assert_eq!(
        restored.mmg_identity().unwrap().unwrap().nom,
        "MMG de Montaigu"
    );
    assert_eq!(restored.recovery_file().unwrap(), key);
}

#[test]
fn a_backup_taken_while_writing_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    let data = dir.path().join("data");
    let key = KeySource::File(dir.path().join("key"));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A second connection of the same store writes continuously, as the app does during a shift.
    let writer = {
        let (data, key, stop) = (data.clone(), key.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut w = Store::open(&data, &key).unwrap();
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 5_000 {
                w.write(|tx| {
                    tx.execute(
                        "INSERT INTO utilisateur (nom, prenom, role, created_at) VALUES ('X', ?1, 'accueil', 't')",
                        [format!("p{n}")],
                    )?;
                    Ok(())
                })
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let mut infos = Vec::new();
    for i in 0..5 {
        infos.push(
            store
                .backup_to(&dir.path().join("b"), &format!("{i}"))
                .unwrap(),
        );
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    let code = store.recovery_code().unwrap();
    for (i, info) in infos.iter().enumerate() {
        let target = dir.path().join(format!("r{i}"));
        let k = KeySource::File(target.join("k"));
        restore(
            &info.path,
            &target.join("data"),
            Unlock::Code(&code),
            &k,
            "r",
        )
        .unwrap();
        let r = Store::open(&target.join("data"), &k).unwrap();
        r.integrity_check().unwrap();
        let rows: u32 = r
            .conn()
            .query_row("SELECT count(*) FROM utilisateur", [], |x| x.get(0))
            .unwrap();
        let max: u32 = r
            .conn()
            .query_row(
                "SELECT coalesce(max(CAST(substr(prenom, 2) AS INTEGER)) + 1, 0) FROM utilisateur",
                [],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(
            rows, max,
            "backup {i} holds a prefix of the committed rows, without holes"
        );
        assert!(rows <= written);
    }
    drop(store);
}

#[test]
fn a_backup_of_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded(dir.path());
    store
        .conn()
        .execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 1))
        .unwrap();
    let info = store.backup_to(&dir.path().join("b"), "1").unwrap();
    let code = store.recovery_code().unwrap();
    let err = restore(
        &info.path,
        &dir.path().join("neuf"),
        Unlock::Code(&code),
        &KeySource::File(dir.path().join("neuf-cle")),
        "1",
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::SchemaTooNew { .. }), "{err:?}");
}
