//! Backups, the recovery code, restores, rekey, a failed upgrade, and patient rights (export and
//! purge), on real encrypted stores on disk.
#![allow(clippy::unwrap_used)]

use appligarde_domain::consultation::{
    CodeConnu, Contenu, ContenuValide, Diagnostic, Nomenclature, Orientation,
};
use appligarde_domain::garde::{Lieu, ModeArrivee, Role, Sexe};
use appligarde_domain::mmg::MmgIdentity;
use appligarde_domain::patient::Identite;
use appligarde_store::backup::{Unlock, restore};
use appligarde_store::recovery::RecoveryCode;
use appligarde_store::{
    DB_FILE, KeySource, LATEST_VERSION, Store, StoreError, consultation, dossier, mmg, patient,
    sauvegarde, utilisateur,
};
use chrono::{NaiveDate, NaiveDateTime};
use std::path::Path;

/// Every code exists: the store trusts validated content.
struct ToutCode;

impl Nomenclature for ToutCode {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        Some(CodeConnu {
            code: code.to_uppercase(),
            libelle: format!("libellé {code}"),
            supprime: false,
            a_des_sous_codes: false,
            principal_autorise: true,
        })
    }
}

const NOW: &str = "2026-11-20T22:00:00Z";

fn t(d: &str, h: u32) -> NaiveDateTime {
    NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn identite(nom: &str) -> Identite {
    Identite {
        nom: nom.into(),
        nom_naissance: String::new(),
        prenom: "Léa".into(),
        sexe: Sexe::F,
        date_naissance: NaiveDate::from_ymd_opt(1958, 5, 3).unwrap(),
        code_postal: String::new(),
        commune: String::new(),
        code_insee: String::new(),
        telephone: String::new(),
        medecin_traitant: String::new(),
        medecin_traitant_rpps: None,
        poids_kg: None,
        taille_cm: None,
        allergies: "pénicilline".into(),
        antecedents: String::new(),
    }
}

fn contenu(medecin: i64, arrivee: NaiveDateTime, motif: &str) -> ContenuValide {
    let mut c = Contenu::arrivee(arrivee, ModeArrivee::Spontane, Lieu::Mmg, motif);
    c.medecin_id = Some(medecin);
    c.debut = Some(arrivee + chrono::Duration::minutes(10));
    c.fin = Some(arrivee + chrono::Duration::minutes(30));
    c.diagnostic_principal = Some(Diagnostic {
        code: "R50.9".into(),
        libelle: String::new(),
    });
    c.orientation = Some(Orientation::RetourDomicile);
    c.valider(arrivee + chrono::Duration::hours(1), &ToutCode)
        .unwrap()
}

fn medecin(store: &mut Store) -> i64 {
    store
        .write(|tx| {
            utilisateur::creer(
                tx,
                &utilisateur::NewUtilisateur {
                    nom: "DESCHAMPS",
                    prenom: "Léa",
                    role: Role::Medecin,
                    rpps: Some("10181590836"),
                    specialite: None,
                },
                false,
                Some("$argon2id$fake"),
                None,
                NOW,
            )
        })
        .unwrap()
}

/// A patient with `n` closed consultations arriving on `jour` (the first one amended once).
fn patient_avec(store: &mut Store, medecin: i64, nom: &str, jour: &str, n: usize) -> i64 {
    let p = store
        .write(|tx| {
            patient::creer(
                tx,
                &identite(nom),
                t("2026-11-20", 0).date(),
                Some(medecin),
                NOW,
            )
        })
        .unwrap();
    for i in 0..n {
        let uid = format!("{nom}-{i}");
        let id = store
            .write(|tx| {
                consultation::creer(
                    tx,
                    &uid,
                    p,
                    None,
                    &contenu(medecin, t(jour, 20), "Fièvre"),
                    true,
                    Some(medecin),
                    NOW,
                )
            })
            .unwrap();
        if i == 0 {
            store
                .write(|tx| {
                    consultation::rectifier(
                        tx,
                        id,
                        1,
                        &contenu(medecin, t(jour, 20), "Fièvre et toux"),
                        "motif complété",
                        medecin,
                        NOW,
                    )
                })
                .unwrap();
        }
    }
    p
}

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

/// Rows of one table in a dump.
fn rows_of(dump: &[String], table: &str) -> usize {
    dump.iter()
        .filter(|l| l.starts_with(&format!("{table}: ")))
        .count()
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
    let m = medecin(&mut store);
    patient_avec(&mut store, m, "Martin", "2026-11-20", 3);
    patient_avec(&mut store, m, "Durand", "2026-11-21", 2);
    let before = dump(&store);
    // What "every consultation, document and audit entry" covers here: the dump holds every row of
    // every table (documents too, in whatever table their migration adds).
    assert_eq!(rows_of(&before, "consultation"), 5);
    assert_eq!(rows_of(&before, "consultation_version"), 2);
    assert!(rows_of(&before, "journal") > 5 + 5 + 2 + 2);
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
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(new_pc.join("data").join("appligarde.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the restored database is its owner's only"
    );
    let restored = Store::open(&new_pc.join("data"), &new_key).unwrap();
    restored.integrity_check().unwrap();
    assert_eq!(dump(&restored), before, "every row is back, identical");
    assert_eq!(
        restored.verifier_journal().unwrap() as usize,
        rows_of(&before, "journal"),
        "the audit chain of the restored store is whole"
    );
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
    let mut store = seeded(dir.path());
    let m = medecin(&mut store);
    let p = patient_avec(&mut store, m, "Martin", "2026-11-20", 0);
    let data = dir.path().join("data");
    let key = KeySource::File(dir.path().join("key"));
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A second connection of the same store saves consultations continuously, as during a shift;
    // uid `w{n}` numbers them in commit order.
    let writer = {
        let (data, key, stop) = (data.clone(), key.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut w = Store::open(&data, &key).unwrap();
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 3_000 {
                w.write(|tx| {
                    consultation::creer(
                        tx,
                        &format!("w{n}"),
                        p,
                        None,
                        &contenu(m, t("2026-11-20", 20), "Fièvre"),
                        true,
                        Some(m),
                        NOW,
                    )
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
    let mut seen = Vec::new();
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
        let journal = r.verifier_journal().unwrap();
        let rows: u32 = r
            .conn()
            .query_row("SELECT count(*) FROM consultation", [], |x| x.get(0))
            .unwrap();
        let max: u32 = r
            .conn()
            .query_row(
                "SELECT coalesce(max(CAST(substr(uid, 2) AS INTEGER)) + 1, 0) FROM consultation",
                [],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(
            rows, max,
            "backup {i} holds a prefix of the committed consultations, without holes"
        );
        let closings: u32 = r
            .conn()
            .query_row(
                "SELECT count(*) FROM journal WHERE objet = 'consultation' AND action = 'cloture'",
                [],
                |x| x.get(0),
            )
            .unwrap();
        assert_eq!(
            closings, rows,
            "backup {i}: every consultation has its journal entry and no entry lacks its consultation"
        );
        assert!(journal > 0);
        assert!(rows <= written);
        seen.push(rows);
    }
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "successive backups never go back in time: {seen:?}"
    );
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

#[test]
fn after_a_rekey_the_old_key_no_longer_opens_and_the_recovery_code_still_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(dir.path());
    let m = medecin(&mut store);
    patient_avec(&mut store, m, "Martin", "2026-11-20", 2);
    let code = store.recovery_code().unwrap();
    let key_file = dir.path().join("key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let source = KeySource::File(key_file.clone());
    let before_backup = store.backup_to(&dir.path().join("b"), "avant").unwrap();
    let before = dump(&store);

    store.rekey(Some(m), NOW).unwrap();
    let new_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_key, old_key, "the key file holds the new key");
    assert_eq!(
        store.recovery_code().unwrap(),
        code,
        "the recovery code did not change"
    );
    let after_backup = store.backup_to(&dir.path().join("b"), "apres").unwrap();
    let last = store.journal(None, 1).unwrap();
    assert_eq!(
        last[0].objet, "cle_base",
        "the rekey is in the audit journal"
    );
    drop(store);

    // The old key, kept by someone, opens nothing any more.
    let old = dir.path().join("ancienne-cle");
    std::fs::write(&old, &old_key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let err = Store::open(&dir.path().join("data"), &KeySource::File(old)).unwrap_err();
    assert!(matches!(err, StoreError::WrongKey), "{err:?}");

    // The new key opens it, with every row as before plus the journal entry of the rekey.
    let reopened = Store::open(&dir.path().join("data"), &source).unwrap();
    reopened.integrity_check().unwrap();
    let after = dump(&reopened);
    assert_eq!(rows_of(&after, "journal"), rows_of(&before, "journal") + 1);
    assert_eq!(
        reopened.verifier_journal().unwrap() as usize,
        rows_of(&after, "journal")
    );
    drop(reopened);

    // The recovery code restores a backup made after the rekey, and one made before it.
    for (name, info) in [("apres", &after_backup), ("avant", &before_backup)] {
        let target = dir.path().join(format!("pc-{name}"));
        let k = KeySource::File(target.join("cle"));
        restore(
            &info.path,
            &target.join("data"),
            Unlock::Code(&code),
            &k,
            "r",
        )
        .unwrap();
        let r = Store::open(&target.join("data"), &k).unwrap();
        assert_eq!(
            rows_of(&dump(&r), "consultation"),
            2,
            "backup {name} restored with the code"
        );
    }
}

/// Applies migrations 1..=`upto` from the files in the repository, as the program would, onto a new
/// encrypted database: the state of a database made by an older version.
fn database_at(data: &Path, key_hex: &str, upto: u32) {
    use sha2::Digest;
    std::fs::create_dir_all(data).unwrap();
    let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{key_hex}'\"; PRAGMA journal_mode = WAL;"
    ))
    .unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
             checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;",
    )
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/desktop");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for (i, path) in files.iter().take(upto as usize).enumerate() {
        let sql = std::fs::read_to_string(path).unwrap();
        let stem = path.file_stem().unwrap().to_str().unwrap();
        let name = stem.split_once('_').unwrap().1;
        conn.execute_batch(&sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, ?3, 'x')",
            (
                i as i64 + 1,
                name,
                hex::encode(sha2::Sha256::digest(sql.as_bytes())),
            ),
        )
        .unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .unwrap();
    }
}

#[test]
fn a_failed_migration_leaves_the_previous_database_intact_and_usable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let key_hex = "ab".repeat(32);
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, &key_hex).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let source = KeySource::File(key_file);
    // A database of schema 8 with a patient, a consultation and their journal entries…
    database_at(&data, &key_hex, 8);
    {
        let mut store_8 = {
            // Written through a raw connection: the program of schema 8 is not this one.
            let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
            conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";"))
                .unwrap();
            conn
        };
        let tx = store_8.transaction().unwrap();
        tx.execute_batch(
            "INSERT INTO utilisateur (id, nom, prenom, role, created_at) VALUES (1, 'DESCHAMPS', 'Léa', 'medecin', 'x');
             INSERT INTO patient (id, nom, prenom, sexe, date_naissance, created_at) VALUES (1, 'MARTIN', 'Léa', 'F', '1958-05-03', 'x');
             INSERT INTO consultation (id, uid, patient_id, medecin_id, arrivee, mode_arrivee, motif, created_at, updated_at)
                 VALUES (1, 'u1', 1, 1, '2026-11-20T20:00', 'spontane', 'Fièvre', 'x', 'x');",
        )
        .unwrap();
        tx.commit().unwrap();
        // …and a table in the way of migration 9, which therefore fails half-way (its first CREATE).
        store_8
            .execute_batch("CREATE TABLE sauvegarde_destination (x INTEGER);")
            .unwrap();
    }
    let before_bytes = {
        let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";"))
            .unwrap();
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };

    let err = Store::open(&data, &source).unwrap_err();
    assert!(
        matches!(err, StoreError::MigrationFailed { version: 9, .. }),
        "the upgrade stops at migration 9: {err:?}"
    );
    assert!(
        err.to_string().contains("état précédent"),
        "French message: {err}"
    );

    // The database is as it was: schema 8, same schema objects, the data readable and writable.
    let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{key_hex}'\";"))
        .unwrap();
    let version: u32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 8, "the version did not move");
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(objects, before_bytes, "no half-created table or index");
    assert!(
        conn.prepare("SELECT * FROM sauvegarde_reglages").is_err(),
        "the first table of migration 9 was rolled back"
    );
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    conn.execute(
        "INSERT INTO consultation (id, uid, patient_id, arrivee, mode_arrivee, created_at, updated_at)
         VALUES (2, 'u2', 1, '2026-11-21T20:00', 'spontane', 'x', 'x')",
        [],
    )
    .unwrap();
    drop(conn);

    // A backup of the previous database was made before touching its schema.
    let before_upgrade: Vec<_> = std::fs::read_dir(data.join("avant-mise-a-jour"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        before_upgrade.len(),
        1,
        "one backup before the upgrade: {before_upgrade:?}"
    );

    // Once the obstacle is gone (the fixed version), the same database opens and upgrades with
    // everything in it, and is used normally.
    let conn = rusqlite::Connection::open(data.join(DB_FILE)).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{key_hex}'\"; DROP TABLE sauvegarde_destination;"
    ))
    .unwrap();
    drop(conn);
    let mut store = Store::open(&data, &source).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    let uids: Vec<String> = store
        .conn()
        .prepare("SELECT uid FROM consultation ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        uids,
        ["u1", "u2"],
        "the data written before and after the failure is there"
    );
    let p = store
        .write(|tx| {
            patient::creer(
                tx,
                &identite("Durand"),
                t("2026-11-22", 0).date(),
                Some(1),
                NOW,
            )
        })
        .unwrap();
    assert!(p > 1, "the upgraded store takes new records");
    store.integrity_check().unwrap();
    store.verifier_journal().unwrap();
}

#[test]
fn the_retention_rule_deletes_old_backups_of_a_folder_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("cle-usb");
    std::fs::create_dir_all(&folder).unwrap();
    // 40 daily backups from 2026-10-01, and a file of the user.
    for d in 0..40u64 {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + chrono::Days::new(d);
        std::fs::write(
            folder.join(format!("appligarde-{}-070000.agbak", day.format("%Y%m%d"))),
            b"x",
        )
        .unwrap();
    }
    std::fs::write(folder.join("notes.txt"), b"mes notes").unwrap();
    let deleted = sauvegarde::appliquer_retention(
        &folder,
        sauvegarde::Retention {
            quotidiennes: 14,
            mensuelles: 12,
        },
    )
    .unwrap();
    let mut left: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    // Kept: the last 14 days (2026-10-27 .. 2026-11-09) and the last of October (2026-10-31, already
    // one of the 14): 14 backups and the user's file.
    assert_eq!(deleted, 26);
    assert_eq!(left.len(), 15);
    assert_eq!(left[0], "appligarde-20261027-070000.agbak");
    assert!(
        left.contains(&"notes.txt".to_owned()),
        "files of the user stay"
    );
}

#[test]
fn a_patient_record_is_exported_whole_and_purged_without_breaking_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = seeded(dir.path());
    let m = medecin(&mut store);
    let ancien = patient_avec(&mut store, m, "Ancien", "2001-03-04", 2);
    let recent = patient_avec(&mut store, m, "Recent", "2026-11-20", 1);

    let export = store.dossier_patient(ancien).unwrap();
    assert_eq!(export.tables["patient"].len(), 1);
    assert_eq!(export.tables["consultation"].len(), 2, "both consultations");
    assert_eq!(
        export.tables["consultation_version"].len(),
        1,
        "the amended version"
    );
    assert!(
        export.tables["consultation_diagnostic"].len() >= 2,
        "the diagnoses come along through their foreign key"
    );
    assert!(
        export
            .journal
            .iter()
            .all(|l| ["patient", "consultation"].contains(&l["objet"].as_str().unwrap())),
        "only entries about this patient's records"
    );
    assert_eq!(
        export.journal.len(),
        1 + 2 * 2 + 1,
        "creation of the patient, creation and closing of each consultation, the amendment"
    );
    let json = export.to_json().to_string();
    assert!(!json.contains("Recent"), "nothing of another patient");

    let expires = store.dossiers_expires("2006-11-20").unwrap();
    assert_eq!(
        expires.iter().map(|d| d.patient_id).collect::<Vec<_>>(),
        [ancien],
        "only the patient not seen for 20 years"
    );
    assert_eq!(expires[0].dernier_passage, "2001-03-04");
    let err = store
        .write(|tx| dossier::purger(tx, &[recent], "2006-11-20", Some(m), NOW))
        .unwrap_err();
    assert!(err.to_string().contains("durée de conservation"), "{err}");

    let journal_before = store.verifier_journal().unwrap();
    let deleted = store
        .write(|tx| dossier::purger(tx, &[ancien], "2006-11-20", Some(m), NOW))
        .unwrap();
    assert!(
        deleted >= 1 + 2 + 1 + 2,
        "patient, consultations, version, diagnoses: {deleted}"
    );
    assert!(matches!(
        store.dossier_patient(ancien),
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        store.dossier_patient(recent).unwrap().tables["consultation"].len(),
        1
    );
    assert_eq!(
        store.verifier_journal().unwrap(),
        journal_before + 1,
        "the chain stays valid: old entries kept, one entry for the purge"
    );
    let appended = store
        .write(|tx| {
            tx.execute(
                "DELETE FROM consultation_version WHERE consultation_id IN (SELECT id FROM consultation)",
                [],
            )
            .map_err(StoreError::from)
        });
    assert!(
        appended.is_err(),
        "the append-only guard is back after the purge"
    );
    store.integrity_check().unwrap();
}
