//! CIM-10 versions, the version stamped on diagnoses, usage counts, favourites and recent codes
//! (migration 0006), on a real encrypted store.
#![allow(clippy::unwrap_used)]

use appligarde_store::cim10::{self, Enregistrement, NouvelleVersion, SourceCim10};
use appligarde_store::{KeySource, Store, StoreError};

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &dir.path().join("data"),
        &KeySource::File(dir.path().join("key")),
    )
    .unwrap();
    (dir, store)
}

/// A doctor, a patient and consultation `id` by `medecin` at `arrivee`, with `codes` as diagnoses
/// (first one main), written the way the consultation module writes them (delete, insert).
fn consultation(store: &mut Store, id: i64, medecin: i64, arrivee: &str, codes: &[&str]) {
    store
        .write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO utilisateur (id, nom, prenom, role, created_at)
                 VALUES (?1, 'Dr', 'X', 'medecin', '2026-01-01')",
                [medecin],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO patient (id, nom, prenom, sexe, date_naissance, created_at)
                 VALUES (1, 'P', 'Q', 'F', '2000-01-01', '2026-01-01')",
                [],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO consultation (id, uid, patient_id, medecin_id, arrivee,
                     mode_arrivee, created_at, updated_at)
                 VALUES (?1, 'u' || ?1, 1, ?2, ?3, 'spontane', ?3, ?3)",
                rusqlite::params![id, medecin, arrivee],
            )?;
            tx.execute(
                "DELETE FROM consultation_diagnostic WHERE consultation_id = ?1",
                [id],
            )?;
            for (rang, code) in codes.iter().enumerate() {
                tx.execute(
                    "INSERT INTO consultation_diagnostic (consultation_id, rang, code, libelle, principal)
                     VALUES (?1, ?2, ?3, '', ?4)",
                    rusqlite::params![id, rang as i64, code, rang == 0],
                )?;
            }
            Ok(())
        })
        .unwrap();
}

fn nouvelle<'a>(version: &'a str, empreinte: &'a str) -> NouvelleVersion<'a> {
    NouvelleVersion {
        version,
        source: SourceCim10::Atih,
        fichier: "LIBCIM10MULTI.TXT",
        empreinte,
        nb_codes: 3,
        nb_supprimes: 1,
        donnees: b"compact",
        importe_le: "2026-11-23T08:00:00Z",
    }
}

#[test]
fn the_built_in_set_is_active_until_a_file_is_imported() {
    let (_dir, mut store) = open();
    let (active, donnees) = cim10::version_active(store.conn()).unwrap().unwrap();
    assert_eq!(
        active.version, "CIM-10 FR 2021",
        "a new store codes with the built-in set"
    );
    assert_eq!(active.source, SourceCim10::Integree);
    assert!(
        donnees.is_none(),
        "the built-in set has no data in the store"
    );

    let r = store
        .write(|tx| cim10::enregistrer_version(tx, &nouvelle("CIM-10 FR 2025", "aa")))
        .unwrap();
    assert_eq!(r, Enregistrement::Nouvelle);
    let (active, donnees) = cim10::version_active(store.conn()).unwrap().unwrap();
    assert_eq!(
        active.version, "CIM-10 FR 2025",
        "the imported version becomes active"
    );
    assert_eq!(donnees.as_deref(), Some(&b"compact"[..]));
    let all = cim10::versions(store.conn()).unwrap();
    assert_eq!(all.len(), 2, "the built-in version is kept");
    assert_eq!(
        all.iter().filter(|v| v.active).count(),
        1,
        "exactly one active"
    );

    // The same file again: reactivated, nothing added. Another file under the same name: refused.
    store
        .write(|tx| {
            let first = cim10::versions(tx)?[0].id;
            cim10::activer(tx, first)
        })
        .unwrap();
    let r = store
        .write(|tx| cim10::enregistrer_version(tx, &nouvelle("CIM-10 FR 2025", "aa")))
        .unwrap();
    assert_eq!(r, Enregistrement::DejaConnue);
    assert_eq!(cim10::versions(store.conn()).unwrap().len(), 2);
    assert_eq!(
        cim10::version_active(store.conn())
            .unwrap()
            .unwrap()
            .0
            .version,
        "CIM-10 FR 2025"
    );
    let err = store
        .write(|tx| cim10::enregistrer_version(tx, &nouvelle("CIM-10 FR 2025", "bb")))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid(ref d) if d.field.as_deref() == Some("version")),
        "a different file under a used name is refused on the version field: {err}"
    );
}

#[test]
fn diagnoses_record_the_version_active_when_they_were_saved() {
    let (_dir, mut store) = open();
    consultation(&mut store, 1, 1, "2026-11-01T20:00", &["J06.9", "R50.9"]);
    store
        .write(|tx| cim10::enregistrer_version(tx, &nouvelle("CIM-10 FR 2025", "aa")))
        .unwrap();
    consultation(&mut store, 2, 1, "2026-11-02T20:00", &["H66.9"]);
    let v1 = cim10::versions_des_diagnostics(store.conn(), 1).unwrap();
    let v2 = cim10::versions_des_diagnostics(store.conn(), 2).unwrap();
    assert_eq!(
        v1,
        vec![
            ("J06.9".to_string(), Some("CIM-10 FR 2021".to_string())),
            ("R50.9".to_string(), Some("CIM-10 FR 2021".to_string()))
        ],
        "coded before the import: stamped with the built-in version, unchanged by the import"
    );
    assert_eq!(
        v2,
        vec![("H66.9".to_string(), Some("CIM-10 FR 2025".to_string()))],
        "coded after the import: stamped with the imported version"
    );
    // Saved again (amended) after the import: re-checked and re-stamped.
    consultation(&mut store, 1, 1, "2026-11-01T20:00", &["J06.9"]);
    assert_eq!(
        cim10::versions_des_diagnostics(store.conn(), 1).unwrap()[0]
            .1
            .as_deref(),
        Some("CIM-10 FR 2025")
    );
}

#[test]
fn usage_counts_follow_every_save_and_recents_come_latest_first() {
    let (_dir, mut store) = open();
    consultation(&mut store, 1, 1, "2026-11-01T20:00", &["J06.9", "R50.9"]);
    consultation(&mut store, 2, 1, "2026-11-02T20:00", &["J069"]);
    consultation(&mut store, 3, 2, "2026-11-03T20:00", &["H66.9"]);
    // Autosave rewrites the diagnoses: counts must not grow.
    consultation(&mut store, 3, 2, "2026-11-03T20:00", &["H66.9"]);
    let mut usage = cim10::usage(store.conn()).unwrap();
    usage.sort();
    assert_eq!(
        usage,
        vec![
            ("H669".to_string(), 1),
            ("J069".to_string(), 2),
            ("R509".to_string(), 1)
        ],
        "one count per diagnosis, codes in raw form whatever the typed form"
    );
    consultation(&mut store, 1, 1, "2026-11-01T20:00", &["R50.9"]);
    let usage = cim10::usage(store.conn()).unwrap();
    assert!(
        usage.contains(&("J069".to_string(), 1)),
        "a diagnosis removed by a later save no longer counts: {usage:?}"
    );

    assert_eq!(
        cim10::recents(store.conn(), Some(1), 10).unwrap(),
        vec!["J069".to_string(), "R509".to_string()],
        "doctor 1's codes, latest consultation first"
    );
    assert_eq!(
        cim10::recents(store.conn(), None, 10).unwrap(),
        vec!["H669".to_string(), "J069".to_string(), "R509".to_string()],
        "the MMG's codes: every doctor's"
    );
    assert_eq!(cim10::recents(store.conn(), None, 1).unwrap().len(), 1);
}

#[test]
fn favourites_toggle_per_doctor_and_per_mmg() {
    let (_dir, mut store) = open();
    consultation(&mut store, 1, 1, "2026-11-01T20:00", &[]);
    let now = "2026-11-23T08:00:00Z";
    assert!(
        store
            .write(|tx| cim10::basculer_favori(tx, Some(1), "J069", now))
            .unwrap()
    );
    assert!(
        store
            .write(|tx| cim10::basculer_favori(tx, None, "H669", now))
            .unwrap()
    );
    assert!(
        store
            .write(|tx| cim10::basculer_favori(tx, None, "J069", now))
            .unwrap()
    );
    assert_eq!(cim10::favoris(store.conn(), Some(1)).unwrap(), vec!["J069"]);
    assert_eq!(
        cim10::favoris(store.conn(), None).unwrap(),
        vec!["J069", "H669"],
        "the MMG's own list, latest added first, apart from the doctor's"
    );
    assert!(
        !store
            .write(|tx| cim10::basculer_favori(tx, Some(1), "J069", now))
            .unwrap(),
        "toggling again removes it"
    );
    assert!(cim10::favoris(store.conn(), Some(1)).unwrap().is_empty());
    assert_eq!(cim10::favoris(store.conn(), None).unwrap().len(), 2);
}
