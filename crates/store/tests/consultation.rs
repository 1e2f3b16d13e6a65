//! The consultation record in the real encrypted store: the audit chain and its tamper detection,
//! append-only tables, one open shift at a time, versions of an amended consultation, and a database
//! of schema 1 upgraded with its patients findable.
#![allow(clippy::unwrap_used)]

use appligarde_domain::{
    audit::Action,
    consultation::{CodeConnu, Contenu, ContenuValide, Diagnostic, Nomenclature, Orientation},
    garde::{Lieu, ModeArrivee, Role, Sexe},
    patient::Identite,
};
use appligarde_store::{
    KeySource, LATEST_VERSION, Store, StoreError, audit, consultation, garde, patient, utilisateur,
};
use chrono::{NaiveDate, NaiveDateTime};
use std::path::Path;

/// Every code exists, with a made-up label: the store trusts validated content.
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

fn open(dir: &Path) -> Store {
    Store::open(&dir.join("data"), &KeySource::File(dir.join("key"))).unwrap()
}

fn t(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

const NOW: &str = "2026-11-20T22:00:00Z";

fn identite(nom: &str) -> Identite {
    Identite {
        nom: nom.into(),
        nom_naissance: String::new(),
        prenom: "Léa".into(),
        sexe: Sexe::F,
        date_naissance: NaiveDate::from_ymd_opt(1988, 5, 3).unwrap(),
        code_postal: String::new(),
        commune: String::new(),
        code_insee: String::new(),
        telephone: String::new(),
        medecin_traitant: String::new(),
        medecin_traitant_rpps: None,
        poids_kg: None,
        taille_cm: None,
        allergies: String::new(),
        antecedents: String::new(),
    }
}

fn contenu(medecin: i64) -> ContenuValide {
    let mut c = Contenu::arrivee(t(21, 0), ModeArrivee::Spontane, Lieu::Mmg, "Fièvre");
    c.medecin_id = Some(medecin);
    c.debut = Some(t(21, 10));
    c.fin = Some(t(21, 30));
    c.diagnostic_principal = Some(Diagnostic {
        code: "R50.9".into(),
        libelle: String::new(),
    });
    c.orientation = Some(Orientation::RetourDomicile);
    c.valider(t(22, 0), &ToutCode).unwrap()
}

/// A store with a doctor, a patient and `n` closed consultations.
fn seeded(dir: &Path, n: usize) -> (Store, i64, i64) {
    let mut store = open(dir);
    let (medecin, patient_id) = store
        .write(|tx| {
            let m = utilisateur::creer(
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
            )?;
            let p = patient::creer(tx, &identite("Martin"), t(22, 0).date(), Some(m), NOW)?;
            Ok((m, p))
        })
        .unwrap();
    for i in 0..n {
        store
            .write(|tx| {
                consultation::creer(
                    tx,
                    &format!("uid-{i}"),
                    patient_id,
                    None,
                    &contenu(medecin),
                    true,
                    Some(medecin),
                    NOW,
                )
            })
            .unwrap();
    }
    (store, medecin, patient_id)
}

#[test]
fn the_audit_chain_of_a_real_store_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 3);
    // user + patient + 3 × (creation + closing)
    assert_eq!(store.verifier_journal().unwrap(), 8);
    let lignes = store.journal(None, 100).unwrap();
    assert_eq!(
        lignes[0].action,
        Action::Cloture.code(),
        "most recent first"
    );
    assert_eq!(lignes[0].utilisateur.as_deref(), Some("Léa DESCHAMPS"));
}

#[test]
fn the_journal_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 1);
    for sql in [
        "UPDATE journal SET details = 'x' WHERE id = 1",
        "DELETE FROM journal WHERE id = 1",
        "DELETE FROM consultation_version",
    ] {
        let err = store.conn().execute(sql, []);
        let refused = match &err {
            Err(e) => e.to_string().contains("append-only"),
            Ok(n) => *n == 0 && sql.contains("consultation_version"),
        };
        assert!(refused, "{sql}: {err:?}");
    }
    store.verifier_journal().unwrap();
}

/// What someone holding the key could do: drop the triggers, then edit or remove an entry.
fn tamper(store: &Store, sql: &str) {
    store
        .conn()
        .execute_batch(&format!(
            "DROP TRIGGER journal_sans_modification; DROP TRIGGER journal_sans_suppression; {sql}"
        ))
        .unwrap();
}

#[test]
fn an_edited_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 3);
    tamper(
        &store,
        "UPDATE journal SET utilisateur_id = NULL WHERE id = 4",
    );
    let err = store.verifier_journal().unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)));
    assert!(
        err.to_string().contains("n° 4 a été modifiée"),
        "the edited entry is named: {err}"
    );
}

#[test]
fn a_deleted_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 3);
    tamper(&store, "DELETE FROM journal WHERE id = 5");
    let err = store.verifier_journal().unwrap_err();
    assert!(
        err.to_string().contains("avant l'entrée n° 6"),
        "the gap is found at the next entry: {err}"
    );
}

#[test]
fn a_deleted_last_entry_is_detected_through_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 3);
    tamper(
        &store,
        "DELETE FROM journal WHERE id = (SELECT max(id) FROM journal)",
    );
    let err = store.verifier_journal().unwrap_err();
    assert!(err.to_string().contains("fin du journal"), "{err}");
}

#[test]
fn a_rehashed_edit_still_breaks_the_chain() {
    // Recomputing the edited entry's own hash is not enough: the next entry points to the old one.
    let dir = tempfile::tempdir().unwrap();
    let (store, _, _) = seeded(dir.path(), 3);
    let (horodatage, precedent): (String, String) = store
        .conn()
        .query_row(
            "SELECT horodatage, hash_precedent FROM journal WHERE id = 3",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let forged = appligarde_domain::audit::empreinte(
        &precedent,
        &appligarde_domain::audit::Entree {
            id: 3,
            horodatage,
            utilisateur_id: None,
            action: "creation".into(),
            objet: "consultation".into(),
            objet_id: Some(1),
            details: String::new(),
        },
    );
    tamper(
        &store,
        &format!("UPDATE journal SET utilisateur_id = NULL, hash = '{forged}' WHERE id = 3"),
    );
    let err = store.verifier_journal().unwrap_err();
    assert!(err.to_string().contains("avant l'entrée n° 4"), "{err}");
}

#[test]
fn only_one_shift_is_open_and_it_closes_without_drafts() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, medecin, patient_id) = seeded(dir.path(), 0);
    let jour = t(22, 0).date();
    let id = store
        .write(|tx| garde::ouvrir(tx, jour, &[medecin], t(20, 0), medecin, NOW))
        .unwrap();
    let err = store
        .write(|tx| garde::ouvrir(tx, jour, &[medecin], t(20, 5), medecin, NOW))
        .unwrap_err();
    assert!(err.to_string().contains("encore ouverte"), "{err}");
    let draft = Contenu::arrivee(t(21, 0), ModeArrivee::Spontane, Lieu::Mmg, "Toux")
        .valider(t(22, 0), &ToutCode)
        .unwrap();
    let c = store
        .write(|tx| {
            consultation::creer(
                tx,
                "d1",
                patient_id,
                Some(id),
                &draft,
                false,
                Some(medecin),
                NOW,
            )
        })
        .unwrap();
    let err = store
        .write(|tx| garde::fermer(tx, id, t(23, 0), medecin, NOW))
        .unwrap_err();
    assert!(err.to_string().contains("pas clôturées"), "{err}");
    store
        .write(|tx| consultation::cloturer(tx, c, &contenu(medecin), Some(medecin), NOW))
        .unwrap();
    store
        .write(|tx| garde::fermer(tx, id, t(23, 0), medecin, NOW))
        .unwrap();
    assert!(store.garde_ouverte().unwrap().is_none());
}

#[test]
fn an_amendment_keeps_the_previous_version_and_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, medecin, _) = seeded(dir.path(), 1);
    let mut new = contenu(medecin).into_inner();
    new.conclusion = "Fièvre isolée".into();
    new.vitaux.temperature = Some(38.2);
    let new = new.valider(t(22, 0), &ToutCode).unwrap();
    let v = store
        .write(|tx| consultation::rectifier(tx, 1, 1, &new, "Oubli", medecin, NOW))
        .unwrap();
    assert_eq!(v, 2);
    let fiche = store.consultation(1).unwrap().unwrap();
    assert_eq!(fiche.version, 2);
    assert_eq!(fiche.contenu.conclusion, "Fièvre isolée");
    let versions = store.versions(1).unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(
        versions[0].contenu.conclusion, "",
        "the first version is kept whole"
    );
    let champs: Vec<_> = versions[0]
        .changements
        .iter()
        .map(|c| c.champ.as_str())
        .collect();
    assert_eq!(champs, ["conclusion", "temperature"]);
    // A refused amendment changes nothing.
    let err = store
        .write(|tx| consultation::rectifier(tx, 1, 2, &new, "Rien", medecin, NOW))
        .unwrap_err();
    assert!(err.to_string().contains("Aucune modification"), "{err}");
    assert_eq!(store.versions(1).unwrap().len(), 1);
}

#[test]
fn audit_entries_never_exist_without_their_change() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, medecin, _) = seeded(dir.path(), 0);
    let before = store.verifier_journal().unwrap();
    let err = store.write(|tx| {
        audit::append(
            tx,
            Some(medecin),
            Action::Creation,
            "consultation",
            Some(99),
            "",
            NOW,
        )?;
        // The change itself fails: a patient that does not exist.
        consultation::creer(
            tx,
            "x",
            424242,
            None,
            &contenu(medecin),
            true,
            Some(medecin),
            NOW,
        )
    });
    assert!(err.is_err());
    assert_eq!(
        store.verifier_journal().unwrap(),
        before,
        "the entry rolled back with its change"
    );
}

#[test]
fn a_schema_1_database_is_upgraded_and_its_patients_found() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let key = "cd".repeat(32);
    std::fs::write(dir.path().join("key"), &key).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        // Schema 1 exactly as released, with a patient written by the first version.
        let conn = rusqlite::Connection::open(data.join(appligarde_store::DB_FILE)).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
            .unwrap();
        conn.execute_batch(include_str!("../../../migrations/desktop/0001_init.sql"))
            .unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                 checksum TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;",
        )
        .unwrap();
        use sha2::Digest;
        let sum = hex::encode(sha2::Sha256::digest(
            include_str!("../../../migrations/desktop/0001_init.sql").as_bytes(),
        ));
        conn.execute(
            "INSERT INTO schema_migrations VALUES (1, 'init', ?1, 'x')",
            [sum],
        )
        .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO patient (nom, prenom, sexe, date_naissance, created_at)
             VALUES ('LEFÈVRE', 'Zoé', 'F', '2001-02-03', 'x');",
        )
        .unwrap();
    }
    let store = open(dir.path());
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    let found = store.rechercher_patients("lefevre", "", None, 10).unwrap();
    assert_eq!(
        found.len(),
        1,
        "the search key of an old patient is filled on open"
    );
    assert_eq!(found[0].identite.prenom, "Zoé");
    store.integrity_check().unwrap();
    store.verifier_journal().unwrap();
}

#[test]
fn a_search_key_made_before_its_letters_were_folded_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = open(dir.path());
        store
            .write(|tx| patient::creer(tx, &identite("Łukasiewicz"), t(22, 0).date(), None, NOW))
            .unwrap();
        // The key as the folding table of the first versions made it: `Ł` was kept; and the
        // database as schema 11 left it, before migration 0012 (and without what later
        // migrations add).
        store
            .conn()
            .execute_batch(
                "UPDATE patient SET nom_recherche = 'ŁUKASIEWICZ';
                 DROP TABLE premier_demarrage;
                 DROP TABLE messagerie_envoi;
                 DROP TABLE messagerie_reglages;
                 DROP TABLE convention_decision;
                 DROP TABLE convention_texte;
                 DROP TABLE sauvegarde_hors_site; -- migration 0016, after schema 11 too
                 DROP TABLE recherche_cle; -- migration 0017, after schema 11 too
                 ALTER TABLE consultation DROP COLUMN motif_code;
                 ALTER TABLE consultation DROP COLUMN gravite;
                 ALTER TABLE consultation DROP COLUMN transport;
                 DROP TABLE bdpm_version; -- migration 0018, likewise
                 DELETE FROM schema_migrations WHERE version >= 12;
                 PRAGMA user_version = 11;",
            )
            .unwrap();
        assert!(
            store
                .rechercher_patients("lukasiewicz", "", None, 10)
                .unwrap()
                .is_empty()
        );
    }
    let store = open(dir.path());
    let found = store
        .rechercher_patients("Lukasiewicz", "", None, 10)
        .unwrap();
    assert_eq!(
        found.len(),
        1,
        "the old key is rebuilt on the upgrade to schema 12"
    );
    assert_eq!(
        store
            .rechercher_patients("ŁUKA", "", None, 10)
            .unwrap()
            .len(),
        1,
        "typed with its letter or without, the same key"
    );
}
