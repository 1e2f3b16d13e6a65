//! The API over a real encrypted store: what the UI and the CLI rely on.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode, FixedClock, consultation::ConsultationsQuery, dto::*,
};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;

fn open(dir: &std::path::Path) -> Api {
    let config = ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    };
    // 22:30 in Paris on a Friday in November (UTC+1).
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    Api::open_with_clock(&config, Arc::new(clock)).unwrap()
}

/// The logged-in user accepts, through the window's commands, every convention text they decide on
/// (the MMG's convention of use for an admin, the users' charter for everyone): patient data waits
/// for them (issue 21).
fn accepter_conventions(api: &Api) {
    let etat = api
        .invoke("conventions_etat", serde_json::Value::Null)
        .unwrap();
    for c in etat["conventions"].as_array().unwrap() {
        if c["peut_decider"] == true && c["acceptee"] == false {
            api.invoke(
                "convention_accepter",
                serde_json::json!({"nature": c["nature"], "version": c["version"]}),
            )
            .unwrap();
        }
    }
}

/// The first admin of a new store, logged in: only the MMG admin may change the MMG's identity.
fn admin(api: &Api) {
    api.compte_initial(appligarde_api::session::CompteSaisie {
        nom: "RENAUD".into(),
        prenom: "Marc".into(),
        role: "admin".into(),
        rpps: None,
        specialite: None,
        est_admin: true,
        mot_de_passe: Some("mot-de-passe-admin".into()),
    })
    .unwrap();
    accepter_conventions(api);
}

#[test]
fn settings_round_trip_through_invoke() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    assert_eq!(
        api.invoke(
            "mmg_save",
            json!({"nom": "MMG", "adresse": "", "code_postal": "44830", "commune": "",
                   "telephone": "", "email": "", "departement": "44", "finess": ""})
        )
        .unwrap_err()
        .code,
        ErrorCode::Unauthenticated,
        "only the logged-in MMG admin changes the identity"
    );
    admin(&api);
    let empty: MmgSettings =
        serde_json::from_value(api.invoke("mmg_get", json!(null)).unwrap()).unwrap();
    assert_eq!(
        empty,
        MmgSettings::default(),
        "a new store has no identity yet"
    );

    let saved = api
        .invoke(
            "mmg_save",
            json!({"nom": " MMG de Bouaye ", "adresse": "", "code_postal": "44830", "commune": "Bouaye",
                   "telephone": "02 40 00 00 00", "email": "", "departement": "44", "finess": ""}),
        )
        .unwrap();
    assert_eq!(saved["nom"], "MMG de Bouaye", "names are trimmed");
    drop(api);
    let api = open(dir.path());
    let again = api.mmg_get().unwrap();
    assert_eq!(again.nom, "MMG de Bouaye", "the identity survives a reopen");
}

#[test]
fn validation_errors_name_every_field_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    admin(&api);
    let err = api
        .invoke(
            "mmg_save",
            json!({"nom": "", "adresse": "", "code_postal": "12", "commune": "", "telephone": "",
                                   "email": "", "departement": "99", "finess": ""}),
        )
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    let fields: Vec<_> = err.details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["nom", "code_postal", "departement"]);
    assert!(
        err.message.contains("obligatoire"),
        "French message: {}",
        err.message
    );
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(
        json["code"], "validation",
        "the UI receives {{code, message}}"
    );
}

#[test]
fn unknown_commands_and_bad_arguments_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    assert_eq!(
        api.invoke("drop_everything", json!(null)).unwrap_err().code,
        ErrorCode::UnknownCommand
    );
    assert_eq!(
        api.invoke("mmg_save", json!({"nom": 3})).unwrap_err().code,
        ErrorCode::BadArguments
    );
    // Past the gate of `invoke` (a logged-in user), the arguments are checked by the use case.
    admin(&api);
    let err = api
        .invoke(
            "consultations_list",
            json!({"du": "2026-02-30", "au": "2026-03-01"}),
        )
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Validation,
        "an impossible date is a validation error"
    );
}

/// Logs in as the first demo doctor: clinical data needs a logged-in user.
fn login_demo(api: &Api) {
    let comptes = api.session_status().unwrap().comptes;
    let doctor = comptes.iter().find(|c| c.role == "medecin").unwrap();
    api.session_login(appligarde_api::session::Connexion {
        utilisateur_id: doctor.id,
        mot_de_passe: appligarde_api::demo::DEMO_MOT_DE_PASSE.into(),
    })
    .unwrap();
}

#[test]
fn the_demo_fills_an_empty_store_grows_itself_and_refuses_a_real_mmg() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    let summary = api
        .demo_seed(DemoOptions {
            consultations: 40,
            seed: 7,
        })
        .unwrap();
    assert_eq!(summary.consultations, 40);
    assert_eq!(
        api.garde_du_jour().unwrap_err().code,
        ErrorCode::Unauthenticated,
        "the day list needs a logged-in user"
    );
    login_demo(&api);
    let garde = api.garde_du_jour().unwrap();
    assert_eq!(
        garde.debut, "2026-11-20T08:00",
        "at 22:30 the garde day started at 8:00"
    );
    assert_eq!(
        garde.consultations.len(),
        5,
        "the demo puts 5 consultations in the current garde"
    );
    let all = api
        .consultations_list(ConsultationsQuery {
            du: "2025-01-01".into(),
            au: "2026-12-31".into(),
        })
        .unwrap();
    assert_eq!(all.len(), 40);
    let doctors = api.utilisateurs_list().unwrap();
    assert_eq!(doctors.iter().filter(|u| u.role == "medecin").count(), 3);
    let again = api
        .demo_seed(DemoOptions {
            consultations: 3,
            seed: 1,
        })
        .unwrap();
    assert_eq!(
        (again.utilisateurs, again.consultations),
        (0, 3),
        "seeding the demo MMG again adds consultations, not users"
    );

    // A store with a real MMG is never mixed with invented patients.
    let real = tempfile::tempdir().unwrap();
    let api = open(real.path());
    admin(&api);
    api.mmg_save(MmgSettings {
        nom: "MMG de Bouaye".into(),
        departement: "44".into(),
        ..Default::default()
    })
    .unwrap();
    let err = api
        .demo_seed(DemoOptions {
            consultations: 1,
            seed: 1,
        })
        .unwrap_err();
    assert!(
        err.message.contains("base vide"),
        "a real MMG is refused: {}",
        err.message
    );
    let info = api.app_info().unwrap();
    let n = info
        .counts
        .iter()
        .find(|c| c.table == "consultation")
        .unwrap()
        .rows;
    assert_eq!(n, 0, "the refused seed added nothing");
}

#[test]
fn the_demo_is_varied_enough_to_look_real() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    api.demo_seed(DemoOptions {
        consultations: 60,
        seed: 2009,
    })
    .unwrap();
    login_demo(&api);
    let all = api
        .consultations_list(ConsultationsQuery {
            du: "2025-01-01".into(),
            au: "2026-12-31".into(),
        })
        .unwrap();
    let motifs: std::collections::HashSet<_> = all.iter().map(|c| c.motif.as_str()).collect();
    let modes: std::collections::HashSet<_> = all.iter().map(|c| c.mode_arrivee.as_str()).collect();
    assert!(
        motifs.len() >= 10,
        "60 consultations use most of the 14 motifs, got {}",
        motifs.len()
    );
    assert!(
        modes.len() >= 5,
        "regulated and non-regulated arrival modes appear, got {modes:?}"
    );
    assert!(all.iter().any(|c| c.regule) && all.iter().any(|c| !c.regule));
}
