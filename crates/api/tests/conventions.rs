//! The URML's "conventions utilisateurs" through `Api::invoke`, as the window calls it: patient
//! data stays closed until the MMG's admin accepted the MMG's convention of use and the user the
//! users' charter; a refusal keeps it closed and is journaled; a new version received at sync is
//! asked at the next login; a missing text is said clearly.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use appligarde_api::conventions::ConventionsEtat;
use appligarde_api::dto::DemoOptions;
use appligarde_api::journal::JournalQuery;
use appligarde_api::session::CompteSaisie;
use appligarde_api::{Api, ApiConfig, ApiError, ErrorCode, FixedClock};
use appligarde_protocol::{ConventionText, ConventionType, Publication, ReferenceKind};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

const MDP: &str = "correct horse battery";
const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../packaging/conventions");

fn open_with(dir: &Path, conventions: Option<PathBuf>) -> Api {
    let config = ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    };
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    let api = Api::open_with_clock(&config, Arc::new(clock)).unwrap();
    match conventions {
        Some(d) => api.with_conventions_dir(d),
        None => api,
    }
}

fn compte(nom: &str, role: &str, admin: bool) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: "Test".into(),
        role: role.into(),
        rpps: (role == "medecin").then(|| "10181590836".into()),
        specialite: None,
        est_admin: admin,
        mot_de_passe: Some(MDP.into()),
    }
}

/// An MMG with its admin (logged in) and a doctor; returns the doctor's id.
fn mmg(api: &Api) -> i64 {
    api.compte_initial(compte("RENAUD", "admin", true)).unwrap();
    api.compte_creer(compte("MARTIN", "medecin", false))
        .unwrap()
        .id
}

fn login(api: &Api, id: i64) {
    login_as(api, id, MDP);
}

fn login_as(api: &Api, id: i64, mot_de_passe: &str) {
    api.invoke(
        "session_login",
        json!({"utilisateur_id": id, "mot_de_passe": mot_de_passe}),
    )
    .unwrap();
}

fn admin_id(api: &Api) -> i64 {
    api.utilisateurs_list()
        .unwrap()
        .into_iter()
        .find(|u| u.role == "admin")
        .unwrap()
        .id
}

/// A command that reads patient data, as the Garde du jour's search sends it.
fn patients(api: &Api) -> Result<Value, ApiError> {
    api.invoke(
        "patients_rechercher",
        json!({"nom": "DUPONT", "prenom": "", "date_naissance": null}),
    )
}

fn refused(api: &Api) -> String {
    let error = patients(api).unwrap_err();
    assert_eq!(error.code, ErrorCode::ConventionNonAcceptee, "{error:?}");
    error.message
}

fn etat(api: &Api) -> ConventionsEtat {
    serde_json::from_value(api.invoke("conventions_etat", Value::Null).unwrap()).unwrap()
}

fn decide(
    api: &Api,
    command: &str,
    nature: &str,
    version: u32,
) -> Result<ConventionsEtat, ApiError> {
    api.invoke(command, json!({"nature": nature, "version": version}))
        .map(|v| serde_json::from_value(v).unwrap())
}

/// The journal's entries of one action, as (user id, object, version, details).
fn journal(api: &Api, action: &str) -> Vec<(Option<String>, String, Option<i64>, String)> {
    journal_as(api, action, MDP)
}

fn journal_as(
    api: &Api,
    action: &str,
    mot_de_passe: &str,
) -> Vec<(Option<String>, String, Option<i64>, String)> {
    let admin = admin_id(api);
    login_as(api, admin, mot_de_passe);
    let lines = api
        .journal_list(JournalQuery {
            objet: None,
            objet_id: None,
            limite: Some(500),
            utilisateur_id: None,
            action: Some(action.into()),
            du: None,
            au: None,
        })
        .unwrap();
    lines
        .into_iter()
        .map(|l| (l.utilisateur, l.objet, l.objet_id, l.details))
        .collect()
}

fn charte_publication(version: u32, publication: u64) -> Publication {
    Publication {
        version: publication,
        kind: ReferenceKind::Convention,
        published_at: "2026-11-20T08:00:00Z".into(),
        content: serde_json::to_string(&ConventionText {
            convention: ConventionType::Charte,
            version,
            text: format!(
                "CHARTE DES UTILISATEURS\nVersion {version}\nNouvelle règle : écran verrouillé."
            ),
        })
        .unwrap(),
    }
}

#[test]
fn patient_data_waits_for_the_mmg_convention_then_for_each_users_charter() {
    let dir = tempfile::tempdir().unwrap();
    let api = open_with(dir.path(), None);
    let medecin = mmg(&api);

    // The admin, just logged in: the MMG's convention of the package first.
    let message = refused(&api);
    assert!(
        message.contains("convention d'utilisation de la MMG (version 1)"),
        "{message}"
    );
    let e = etat(&api);
    assert!(!e.a_jour);
    assert_eq!(e.conventions[0].nature, "mmg");
    assert!(e.conventions[0].peut_decider);
    let texte = e.conventions[0].texte.clone().unwrap();
    assert!(texte.starts_with("CONVENTION D'UTILISATION"), "{texte}");
    assert_eq!(e.conventions[1].nature, "charte");
    assert!(
        e.conventions[1]
            .texte
            .as_deref()
            .unwrap()
            .contains("Compte personnel"),
        "the shipped charter's text"
    );
    // A version other than the one shown is refused.
    assert_eq!(
        decide(&api, "convention_accepter", "mmg", 2)
            .unwrap_err()
            .code,
        ErrorCode::Validation
    );

    let e = decide(&api, "convention_accepter", "mmg", 1).unwrap();
    assert!(e.conventions[0].acceptee);
    assert!(
        e.motif
            .as_deref()
            .unwrap()
            .contains("charte des utilisateurs (version 1)")
    );
    let message = refused(&api);
    assert!(message.contains("Acceptez la charte"), "{message}");
    let e = decide(&api, "convention_accepter", "charte", 1).unwrap();
    assert!(e.a_jour && e.motif.is_none(), "{e:?}");
    patients(&api).expect("both texts accepted: patient data is open");

    // The doctor: the MMG's convention is the admin's, the charter is theirs.
    login(&api, medecin);
    let message = refused(&api);
    assert!(message.contains("Acceptez la charte"), "{message}");
    let e = etat(&api);
    assert!(e.conventions[0].acceptee && e.conventions[0].texte.is_none());
    assert!(!e.conventions[0].peut_decider);
    assert_eq!(
        decide(&api, "convention_accepter", "mmg", 1)
            .unwrap_err()
            .code,
        ErrorCode::Forbidden,
        "only an admin decides on the MMG's convention"
    );
    // Refusing keeps patient data closed, with the reason; logging out still works.
    let e = decide(&api, "convention_refuser", "charte", 1).unwrap();
    assert!(!e.a_jour && e.conventions[1].refusee);
    let message = refused(&api);
    assert!(
        message.contains("Vous avez refusé la charte des utilisateurs (version 1)"),
        "{message}"
    );
    for command in ["consultations_list", "garde_du_jour", "annuaire_search"] {
        let args = match command {
            "consultations_list" => json!({"du": "2026-01-01", "au": "2026-12-31"}),
            "annuaire_search" => json!({"texte": "du"}),
            _ => Value::Null,
        };
        assert_eq!(
            api.invoke(command, args).unwrap_err().code,
            ErrorCode::ConventionNonAcceptee,
            "{command}"
        );
    }
    api.invoke("session_logout", Value::Null).unwrap();

    // Each decision is in the audit journal: who, which text, which version.
    let acceptations = journal(&api, "acceptation");
    assert_eq!(acceptations.len(), 2, "{acceptations:?}");
    assert!(
        acceptations
            .iter()
            .any(|(_, objet, v, d)| objet == "convention_mmg"
                && *v == Some(1)
                && d.contains("version 1"))
    );
    let refus = journal(&api, "refus");
    assert_eq!(refus.len(), 1, "{refus:?}");
    let (qui, objet, version, _) = &refus[0];
    assert_eq!((objet.as_str(), *version), ("charte", Some(1)));
    assert!(qui.as_deref().unwrap().contains("MARTIN"), "{qui:?}");

    // The doctor changes their mind at the next login.
    login(&api, medecin);
    refused(&api);
    decide(&api, "convention_accepter", "charte", 1).unwrap();
    patients(&api).unwrap();
}

#[test]
fn an_mmg_convention_not_accepted_closes_patient_data_for_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let api = open_with(dir.path(), None);
    let medecin = mmg(&api);
    decide(&api, "convention_accepter", "charte", 1).unwrap();
    let e = decide(&api, "convention_refuser", "mmg", 1).unwrap();
    assert!(
        e.motif
            .as_deref()
            .unwrap()
            .contains("pour tous les utilisateurs"),
        "{e:?}"
    );
    refused(&api);

    login(&api, medecin);
    decide(&api, "convention_accepter", "charte", 1).unwrap();
    let message = refused(&api);
    assert!(
        message.contains("n'a pas encore été acceptée par l'administrateur"),
        "{message}"
    );
    let refus = journal(&api, "refus");
    assert_eq!(refus.len(), 1);
    assert_eq!(refus[0].1, "convention_mmg");
}

#[test]
fn a_new_version_received_at_sync_is_asked_at_the_next_login() {
    let dir = tempfile::tempdir().unwrap();
    let api = open_with(dir.path(), None);
    let medecin = mmg(&api);
    decide(&api, "convention_accepter", "mmg", 1).unwrap();
    decide(&api, "convention_accepter", "charte", 1).unwrap();
    login(&api, medecin);
    decide(&api, "convention_accepter", "charte", 1).unwrap();
    patients(&api).unwrap();

    // Version 2 of the charter arrives while the doctor works: not asked in this session.
    let applied = api.reference_appliquer(&charte_publication(2, 7)).unwrap();
    assert_eq!(applied.nature, "convention");
    assert!(applied.resume.contains("version 2"), "{}", applied.resume);
    patients(&api).expect("the session goes on under the version it started with");

    // The next login asks for it, with its text.
    login(&api, medecin);
    let message = refused(&api);
    assert!(
        message.contains("charte des utilisateurs (version 2)"),
        "{message}"
    );
    let e = etat(&api);
    assert_eq!(e.conventions[1].version, 2);
    assert!(
        e.conventions[1]
            .texte
            .as_deref()
            .unwrap()
            .contains("Version 2")
    );
    decide(&api, "convention_accepter", "charte", 2).unwrap();
    patients(&api).unwrap();

    // What goes to the hub: versions and first dates, no one.
    let sent = api.conventions_acceptees().unwrap();
    let versions: Vec<(ConventionType, u32)> =
        sent.iter().map(|a| (a.convention, a.version)).collect();
    assert_eq!(
        versions,
        vec![
            (ConventionType::Charte, 1),
            (ConventionType::Charte, 2),
            (ConventionType::Mmg, 1),
        ]
    );
    assert!(sent.iter().all(|a| a.accepted_at == "2026-11-20T21:30:00Z"));
}

#[test]
fn a_missing_or_unreadable_text_is_said_clearly_and_patient_data_stays_closed() {
    let dir = tempfile::tempdir().unwrap();
    // No folder at all.
    let api = open_with(dir.path(), Some(dir.path().join("absent")));
    mmg(&api);
    let message = refused(&api);
    assert!(message.contains("introuvable ou illisible"), "{message}");
    assert!(message.contains("absent"), "the folder is named: {message}");
    assert_eq!(
        api.invoke("conventions_etat", Value::Null)
            .unwrap_err()
            .code,
        ErrorCode::ConventionNonAcceptee
    );
    drop(api);

    // The MMG's convention is there, the charter's file cannot be read.
    let textes = dir.path().join("textes");
    std::fs::create_dir_all(textes.join("charte-v1.txt")).unwrap();
    std::fs::copy(
        Path::new(SHIPPED).join("convention-mmg-v1.txt"),
        textes.join("convention-mmg-v1.txt"),
    )
    .unwrap();
    let api = open_with(dir.path(), Some(textes));
    login(&api, admin_id(&api));
    let error = api.invoke("conventions_etat", Value::Null).unwrap_err();
    assert!(
        error.message.contains("la charte des utilisateurs"),
        "{error:?}"
    );
    assert!(error.message.contains("charte-v1.txt"), "{error:?}");
    let error = decide(&api, "convention_accepter", "charte", 1).unwrap_err();
    assert_eq!(error.code, ErrorCode::ConventionNonAcceptee, "{error:?}");
    refused(&api);
}

#[test]
fn the_demo_accounts_accept_the_shipped_texts_as_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let api = open_with(dir.path(), None);
    api.demo_seed(DemoOptions {
        consultations: 3,
        seed: 1,
    })
    .unwrap();
    let comptes = api.utilisateurs_list().unwrap();
    let demo = appligarde_api::demo::DEMO_MOT_DE_PASSE;
    for u in &comptes {
        login_as(&api, u.id, demo);
        patients(&api).unwrap_or_else(|e| panic!("{}: {e:?}", u.nom));
    }
    let acceptations = journal_as(&api, "acceptation", demo);
    assert_eq!(acceptations.len(), comptes.len() + 1, "{acceptations:?}");
    assert!(
        acceptations
            .iter()
            .all(|(_, _, _, d)| d.ends_with("(jeu de démonstration)"))
    );
    // Seeding again adds consultations, not acceptances.
    api.demo_seed(DemoOptions {
        consultations: 1,
        seed: 2,
    })
    .unwrap();
    assert_eq!(
        journal_as(&api, "acceptation", demo).len(),
        comptes.len() + 1
    );
}
