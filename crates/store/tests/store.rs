//! The encrypted store, opened for real on disk: encryption, keys, migrations, refusals.
#![allow(clippy::unwrap_used)]

use appligarde_domain::mmg::MmgIdentity;
use appligarde_store::{DB_FILE, KeySource, LATEST_VERSION, Store, StoreError, mmg};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn key_file(dir: &Path) -> KeySource {
    KeySource::File(dir.join("key"))
}

fn identity(nom: &str) -> MmgIdentity {
    MmgIdentity {
        nom: nom.into(),
        departement: "44".into(),
        ..Default::default()
    }
}

fn sha(path: &Path) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn the_database_file_is_encrypted_and_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let mut store = Store::open(&data, &key_file(dir.path())).unwrap();
        store
            .write(|tx| mmg::save_identity(tx, &identity("MMG Secrète"), "2026-01-01T00:00:00Z"))
            .unwrap();
    }
    let bytes = std::fs::read(data.join(DB_FILE)).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "an encrypted file has no plaintext SQLite header"
    );
    assert!(
        !bytes.windows(b"Secr".len()).any(|w| w == b"Secr"),
        "the MMG name must not appear in clear in the file"
    );

    // Plain SQLite, without a key, cannot read it.
    let plain = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    let err = plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("not a database"),
        "without the key SQLite sees no database: {err}"
    );

    // Another key is refused with a clear error.
    let other = dir.path().join("other-key");
    std::fs::write(&other, "ab".repeat(32)).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = Store::open(&data, &KeySource::File(other)).unwrap_err();
    assert!(
        matches!(err, StoreError::WrongKey),
        "wrong key must be reported as such, got {err:?}"
    );

    // With the key: integrity ok and the data is back.
    let store = Store::open(&data, &key_file(dir.path())).unwrap();
    store.integrity_check().unwrap();
    assert_eq!(store.mmg_identity().unwrap().unwrap().nom, "MMG Secrète");
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
}

#[test]
fn a_key_file_is_created_private_and_refused_when_others_can_read_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    drop(Store::open(&dir.path().join("data"), &KeySource::File(key.clone())).unwrap());
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a new key file is readable by its owner only");
    let text = std::fs::read_to_string(&key).unwrap();
    assert_eq!(
        text.trim().len(),
        64,
        "the key is 64 hexadecimal characters"
    );

    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open(&dir.path().join("data"), &KeySource::File(key.clone())).unwrap_err();
    assert!(
        matches!(err, StoreError::KeyFilePermissions { .. }),
        "got {err:?}"
    );
    assert!(
        err.to_string().contains("chmod 600"),
        "the message says how to fix it: {err}"
    );
}

#[test]
fn an_existing_database_without_its_key_file_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(Store::open(&data, &key_file(dir.path())).unwrap());
    let before = sha(&data.join(DB_FILE));
    std::fs::remove_file(dir.path().join("key")).unwrap();
    let err = Store::open(&data, &key_file(dir.path())).unwrap_err();
    assert!(matches!(err, StoreError::KeyMissing { .. }), "got {err:?}");
    assert!(
        !dir.path().join("key").exists(),
        "no new key is made for an existing database"
    );
    assert_eq!(
        sha(&data.join(DB_FILE)),
        before,
        "the database is untouched"
    );
}

#[test]
fn a_malformed_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, "pas une clé").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = Store::open(&dir.path().join("data"), &KeySource::File(key)).unwrap_err();
    assert!(
        err.to_string().contains("64 caractères hexadécimaux"),
        "got {err}"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = Store::open(&data, &key_file(dir.path())).unwrap();
        store
            .conn()
            .execute_batch(&format!("PRAGMA user_version = {}", LATEST_VERSION + 7))
            .unwrap();
        // Fold the WAL into the main file so that the file is complete on its own.
        store
            .conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .unwrap();
    }
    let before = sha(&data.join(DB_FILE));
    let err = Store::open(&data, &key_file(dir.path())).unwrap_err();
    match &err {
        StoreError::SchemaTooNew { found, supported } => {
            assert_eq!((*found, *supported), (LATEST_VERSION + 7, LATEST_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert!(
        err.to_string().contains("version plus récente"),
        "French message: {err}"
    );
    assert_eq!(
        sha(&data.join(DB_FILE)),
        before,
        "the refused database is byte for byte the same"
    );
}

#[test]
fn an_edited_released_migration_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = Store::open(&data, &key_file(dir.path())).unwrap();
        store
            .conn()
            .execute(
                "UPDATE schema_migrations SET checksum = 'x' WHERE version = 1",
                [],
            )
            .unwrap();
    }
    let err = Store::open(&data, &key_file(dir.path())).unwrap_err();
    assert!(
        matches!(err, StoreError::MigrationChanged { version: 1 }),
        "got {err:?}"
    );
}

#[test]
fn pragmas_for_clinical_data_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("data"), &key_file(dir.path())).unwrap();
    let q = |p: &str| {
        store
            .conn()
            .query_row(&format!("PRAGMA {p}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .unwrap()
    };
    assert_eq!(
        q("journal_mode"),
        rusqlite::types::Value::Text("wal".into())
    );
    assert_eq!(q("foreign_keys"), rusqlite::types::Value::Integer(1));
    assert_eq!(
        q("synchronous"),
        rusqlite::types::Value::Integer(2),
        "2 = FULL"
    );
}

#[test]
fn invalid_identity_is_refused_and_the_saved_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("data"), &key_file(dir.path())).unwrap();
    store
        .write(|tx| mmg::save_identity(tx, &identity("MMG de Bouaye"), "t"))
        .unwrap();
    let err = store
        .write(|tx| mmg::save_identity(tx, &identity("  "), "t"))
        .unwrap_err();
    assert!(err.to_string().contains("obligatoire"), "got {err}");
    assert_eq!(
        store.mmg_identity().unwrap().unwrap().nom,
        "MMG de Bouaye",
        "the previous identity is kept"
    );
}
