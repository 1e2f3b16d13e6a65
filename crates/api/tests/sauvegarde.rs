//! Data safety through the API: automatic backups (end of shift, daily) with their log, settings and
//! warnings; rekey; the recovery sheet; patient rights (export, retention and purge). Real encrypted
//! store, a clock the test moves.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, Clock, ErrorCode,
    consultation::ArriveeSaisie,
    droits::{PatientExportRequest, PurgeRequest},
    garde::GardeOuverture,
    patient::PatientSaisie,
    sauvegarde::{FicheRecuperationRequest, SauvegardeReglagesDto},
    session::{CompteSaisie, Connexion},
};
use appligarde_store::KeySource;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::path::Path;
use std::sync::{Arc, Mutex};

struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

impl TestClock {
    fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}

const MDP: &str = "correct horse battery";

struct Mmg {
    api: Api,
    clock: Arc<TestClock>,
    dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
}

fn compte(nom: &str, role: &str, rpps: Option<&str>) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: "Camille".into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: None,
        est_admin: false,
        mot_de_passe: Some(MDP.into()),
    }
}

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

/// Friday 20 November 2026, 22:30 in Paris: an admin and a doctor.
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(TestClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap(),
    )));
    let api = Api::open_with_clock(&config(dir.path()), clock.clone()).unwrap();
    let admin = api
        .compte_initial(compte("RENAUD", "admin", None))
        .unwrap()
        .utilisateur
        .unwrap()
        .id;
    let medecin = api
        .compte_creer(compte("DESCHAMPS", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    Mmg {
        api,
        clock,
        dir,
        admin,
        medecin,
    }
}

fn login(api: &Api, id: i64) {
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
}

fn reglages(destinations: &[&Path]) -> SauvegardeReglagesDto {
    SauvegardeReglagesDto {
        fin_de_garde: true,
        quotidienne: true,
        garder_quotidiennes: 14,
        garder_mensuelles: 12,
        conservation_annees: 20,
        destinations: destinations
            .iter()
            .map(|d| d.display().to_string())
            .collect(),
    }
}

fn backups_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".agbak"))
        .collect();
    v.sort();
    v
}

fn arrivee(api: &Api, nom: &str, naissance: &str, quand: &str) -> i64 {
    api.arrivee_enregistrer(ArriveeSaisie {
        patient_id: None,
        patient: Some(PatientSaisie {
            nom: nom.into(),
            prenom: "Anaïs".into(),
            sexe: "F".into(),
            date_naissance: naissance.into(),
            ..Default::default()
        }),
        confirmer_doublon: true,
        arrivee: quand.into(),
        mode_arrivee: "spontane".into(),
        mode_arrivee_precision: String::new(),
        lieu: "mmg".into(),
        motif: "Fièvre".into(),
    })
    .unwrap()
    .patient
    .id
}

#[test]
fn closing_a_shift_backs_up_to_every_folder_and_logs_what_could_not_be() {
    let m = mmg();
    let usb = m.dir.path().join("cle-usb");
    let partage = m.dir.path().join("partage");
    let absent = m.dir.path().join("cle-debranchee");
    std::fs::create_dir_all(&usb).unwrap();
    std::fs::create_dir_all(&partage).unwrap();
    login(&m.api, m.admin);
    let err = m
        .api
        .sauvegarde_reglages_save(SauvegardeReglagesDto {
            destinations: vec!["relatif/dossier".into()],
            ..reglages(&[])
        })
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Validation,
        "a relative folder is refused"
    );
    let etat = m.api.sauvegarde_etat().unwrap();
    assert!(
        etat.alerte.unwrap().contains("Aucun dossier"),
        "no folder yet: Paramètres says so"
    );
    m.api
        .sauvegarde_reglages_save(reglages(&[&usb, &partage, &absent]))
        .unwrap();

    login(&m.api, m.medecin);
    // An arrival before the shift: not part of it (a shift closes with none unfinished).
    arrivee(&m.api, "MARTIN", "1990-01-02", "2026-11-02T21:00");
    m.api
        .garde_ouvrir(GardeOuverture { medecins: vec![] })
        .unwrap();
    m.clock.advance(Duration::hours(10));
    login(&m.api, m.medecin);
    m.api.garde_fermer().unwrap();

    // 2026-11-21 08:30 in Paris: the file is named with the local date and time.
    let name = "appligarde-20261121-083000.agbak";
    assert_eq!(backups_in(&usb), [name]);
    assert_eq!(backups_in(&partage), [name]);
    assert!(
        !absent.exists(),
        "a missing folder is never created on the PC"
    );
    let etat = m.api.sauvegarde_etat().unwrap();
    let t = &etat.tentatives;
    assert_eq!(t.len(), 3, "one attempt per folder");
    assert!(t.iter().all(|t| t.declencheur == "fin_de_garde"));
    let ignoree = t
        .iter()
        .find(|t| t.destination.ends_with("cle-debranchee"))
        .unwrap();
    assert_eq!(ignoree.resultat, "ignoree");
    assert!(
        ignoree.message.contains("clé USB absente"),
        "{}",
        ignoree.message
    );
    assert_eq!(t.iter().filter(|t| t.resultat == "ok").count(), 2);
    assert!(
        etat.alerte.is_some_and(|a| a.contains("ignorée")),
        "the skipped backup shows as a warning"
    );
    assert!(etat.derniere_reussie.is_some());

    // The backup restores with the recovery code on a new PC and holds the arrival.
    let code = m.api.recovery_code_show();
    assert!(code.is_err(), "only the admin sees the code");
    login(&m.api, m.admin);
    let code = m.api.recovery_code_show().unwrap().code;
    let new_pc = m.dir.path().join("nouveau-pc");
    appligarde_api::sauvegarde::restore(&usb.join(name), &config(&new_pc), Some(&code), "r")
        .unwrap();
    let restored = Api::open(&config(&new_pc)).unwrap();
    let consultations = restored
        .app_info()
        .unwrap()
        .counts
        .into_iter()
        .find(|c| c.table == "consultation")
        .unwrap()
        .rows;
    assert_eq!(consultations, 1);
}

#[test]
fn the_daily_backup_runs_once_a_day_and_a_failure_is_visible() {
    let m = mmg();
    let usb = m.dir.path().join("cle-usb");
    std::fs::create_dir_all(&usb).unwrap();
    login(&m.api, m.admin);
    m.api.sauvegarde_reglages_save(reglages(&[&usb])).unwrap();

    let first = m.api.sauvegarde_quotidienne().unwrap();
    assert_eq!(first.tentatives.len(), 1);
    assert_eq!(first.tentatives[0].resultat, "ok");
    m.clock.advance(Duration::hours(1));
    assert!(
        m.api
            .sauvegarde_quotidienne()
            .unwrap()
            .tentatives
            .is_empty(),
        "an hour later, same day: nothing is due"
    );
    // Next day, something in the folder is in the way of the new file (23:30 in Paris): the backup
    // fails, visibly.
    m.clock.advance(Duration::hours(24));
    let obstacle = usb.join("appligarde-20261121-233000.agbak");
    std::fs::create_dir_all(obstacle.join("dossier")).unwrap();
    let second = m.api.sauvegarde_quotidienne().unwrap();
    assert_eq!(second.tentatives.len(), 1, "due again the next day");
    assert_eq!(
        second.tentatives[0].resultat, "echec",
        "a read-only folder cannot take it"
    );
    assert!(
        second.tentatives[0]
            .message
            .contains("Sauvegarde impossible")
    );
    login(&m.api, m.admin);
    let etat = m.api.sauvegarde_etat().unwrap();
    assert!(
        etat.alerte.unwrap().contains("échoué"),
        "the failure shows in Paramètres"
    );
    // "Sauvegarder maintenant", a minute later, works: the folder itself is fine.
    m.clock.advance(Duration::minutes(1));
    login(&m.api, m.admin);
    let now = m.api.sauvegarde_maintenant().unwrap();
    assert_eq!(now.tentatives[0].resultat, "ok");
    assert_eq!(m.api.sauvegarde_etat().unwrap().alerte, None);
}

#[test]
fn rekey_keeps_the_recovery_code_and_the_sheet_prints_only_the_right_code() {
    let m = mmg();
    login(&m.api, m.medecin);
    assert_eq!(m.api.cle_changer().unwrap_err().code, ErrorCode::Forbidden);
    login(&m.api, m.admin);
    let code = m.api.recovery_code_show().unwrap().code;
    let key_file = m.dir.path().join("key");
    let before = std::fs::read_to_string(&key_file).unwrap();
    m.api.cle_changer().unwrap();
    assert_ne!(std::fs::read_to_string(&key_file).unwrap(), before);
    assert_eq!(m.api.recovery_code_show().unwrap().code, code);

    let err = m
        .api
        .fiche_recuperation(FicheRecuperationRequest {
            code: "0000-0000-0000-0000-0000-0000-0000-0000".into(),
        })
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("code"),
        "another code is refused"
    );
    let pdf = m
        .api
        .fiche_recuperation(FicheRecuperationRequest { code: code.clone() })
        .unwrap();
    assert!(pdf.nom_fichier.ends_with(".pdf"));
    assert!(pdf.contenu_base64.starts_with("JVBERi"), "base64 of %PDF");
}

#[test]
fn a_patient_record_is_exported_and_old_records_purged_by_the_admin() {
    let m = mmg();
    login(&m.api, m.medecin);
    m.api
        .garde_ouvrir(GardeOuverture { medecins: vec![] })
        .unwrap();
    let ancien = arrivee(&m.api, "ANCIEN", "1940-01-02", "2001-03-04T21:00");
    let recent = arrivee(&m.api, "RECENT", "1990-01-02", "");
    assert_eq!(
        m.api
            .patient_export(PatientExportRequest { patient_id: ancien })
            .unwrap_err()
            .code,
        ErrorCode::Forbidden,
        "the right of access is answered by the admin"
    );
    login(&m.api, m.admin);
    let export = m
        .api
        .patient_export(PatientExportRequest { patient_id: ancien })
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&export.json).unwrap();
    assert_eq!(json["tables"]["patient"][0]["nom"], "ANCIEN");
    assert_eq!(json["tables"]["consultation"].as_array().unwrap().len(), 1);
    assert!(
        !export.json.contains("RECENT"),
        "nothing of another patient"
    );
    assert!(export.pdf_base64.starts_with("JVBERi"));
    let journal = m.api.retention_list().unwrap();
    assert_eq!(journal.conservation_annees, 20);
    assert_eq!(journal.avant, "2006-11-20");
    assert_eq!(
        journal
            .dossiers
            .iter()
            .map(|d| d.patient_id)
            .collect::<Vec<_>>(),
        [ancien]
    );
    let err = m
        .api
        .retention_purge(PurgeRequest {
            patient_ids: vec![recent],
        })
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Validation,
        "a recent record is never purged"
    );
    let rapport = m
        .api
        .retention_purge(PurgeRequest {
            patient_ids: vec![ancien],
        })
        .unwrap();
    assert_eq!(rapport.patients, 1);
    assert!(m.api.retention_list().unwrap().dossiers.is_empty());
    assert_eq!(
        m.api
            .patient_export(PatientExportRequest { patient_id: ancien })
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let verification = m.api.journal_verifier().unwrap();
    assert!(
        verification.ok,
        "the audit chain is still whole after the purge"
    );
}

#[test]
fn the_health_report_has_the_last_backup_and_the_last_integrity_check_recorded() {
    let m = mmg();
    let nothing = m.api.rapport_sante().unwrap();
    assert_eq!(nothing.app_version, env!("CARGO_PKG_VERSION"));
    assert!(nothing.schema_version > 0);
    assert_eq!(nothing.last_backup_at, None);
    assert_eq!(nothing.last_integrity_check, None);
    assert_eq!(nothing.pending_days, 0, "not enrolled: nothing waits");

    // A backup: written, its copy verified, both recorded (21:30 UTC on the test clock).
    let usb = m.dir.path().join("cle-usb");
    std::fs::create_dir_all(&usb).unwrap();
    login(&m.api, m.admin);
    m.api.sauvegarde_reglages_save(reglages(&[&usb])).unwrap();
    assert_eq!(
        m.api.sauvegarde_quotidienne().unwrap().tentatives[0].resultat,
        "ok"
    );
    let after_backup = m.api.rapport_sante().unwrap();
    assert_eq!(
        after_backup.last_backup_at.as_deref(),
        Some("2026-11-20T21:30:00Z")
    );
    let check = after_backup.last_integrity_check.unwrap();
    assert_eq!(
        (check.at.as_str(), check.ok),
        ("2026-11-20T21:30:00Z", true)
    );

    // `appligarde-cli check` an hour later: recorded too.
    m.clock.advance(Duration::hours(1));
    assert!(m.api.verifier().unwrap().ok);
    let check = m.api.rapport_sante().unwrap().last_integrity_check.unwrap();
    assert_eq!(
        (check.at.as_str(), check.ok),
        ("2026-11-20T22:30:00Z", true)
    );

    // Another program cuts the audit chain's head: the next check finds it, and says so.
    let mut other =
        appligarde_store::Store::open(&config(m.dir.path()).data_dir, &config(m.dir.path()).key)
            .unwrap();
    other
        .write(|tx| {
            tx.execute("UPDATE journal_tete SET hash = 'altere' WHERE id = 1", [])?;
            Ok(())
        })
        .unwrap();
    drop(other);
    m.clock.advance(Duration::hours(1));
    assert!(!m.api.verifier().unwrap().ok);
    let report = m.api.rapport_sante().unwrap();
    let check = report.last_integrity_check.unwrap();
    assert_eq!(
        (check.at.as_str(), check.ok),
        ("2026-11-20T23:30:00Z", false)
    );
    assert_eq!(
        report.last_backup_at.as_deref(),
        Some("2026-11-20T21:30:00Z"),
        "the last backup is still the one of 21:30"
    );

    // A backup now: its copy fails the verification, nothing is kept, and the problem is recorded.
    m.clock.advance(Duration::hours(1));
    login(&m.api, m.admin);
    assert_eq!(
        m.api.sauvegarde_maintenant().unwrap().tentatives[0].resultat,
        "echec"
    );
    let report = m.api.rapport_sante().unwrap();
    let check = report.last_integrity_check.unwrap();
    assert_eq!(
        (check.at.as_str(), check.ok),
        ("2026-11-21T00:30:00Z", false)
    );
    assert_eq!(
        report.last_backup_at.as_deref(),
        Some("2026-11-20T21:30:00Z")
    );
}
