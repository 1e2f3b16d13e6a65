//! The annuaire through the API, as the UI calls it: a background RPPS import followed by polling,
//! search through `invoke`, rights, local entries and duty doctors made from the annuaire.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use appligarde_api::annuaire::{EtatImport, RppsImportRequest, RppsImportStatus};
use appligarde_api::session::CompteSaisie;
use appligarde_api::{Api, ApiConfig, ErrorCode, FixedClock};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

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

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../rpps/tests/data/PS_LibreAcces_Personne_activite_sample.txt"
);

fn open(dir: &std::path::Path) -> Api {
    let config = ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    };
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    Api::open_with_clock(&config, Arc::new(clock)).unwrap()
}

fn admin(api: &Api) {
    api.compte_initial(CompteSaisie {
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
    api.mmg_save(appligarde_api::dto::MmgSettings {
        nom: "MMG d'Ancenis".into(),
        departement: "44".into(),
        ..Default::default()
    })
    .unwrap();
}

/// Polls the background import as the UI does, until it ends (a generous deadline, so that a
/// slow machine fails loudly rather than hangs).
fn wait_for_import(api: &Api) -> RppsImportStatus {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = api.rpps_import_status().unwrap();
        if status.etat != EtatImport::EnCours {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the import never ended: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn sample_lines() -> Vec<String> {
    std::fs::read_to_string(SAMPLE)
        .unwrap()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_background_import_is_followed_to_its_end_then_searched_through_invoke() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    admin(&api);

    let started = api
        .invoke(
            "rpps_import_start",
            json!({ "chemin": SAMPLE, "departements": ["44"] }),
        )
        .unwrap();
    assert!(
        started["etat"] == "en_cours" || started["etat"] == "termine",
        "{started}"
    );
    let status = wait_for_import(&api);
    assert_eq!(status.etat, EtatImport::Termine, "{status:?}");
    let result = status.resultat.unwrap();
    let in_44 = sample_lines()
        .iter()
        .filter(|l| l.split('|').nth(44) == Some("44"))
        .count() as u64;
    assert_eq!(result.activites, in_44, "only the lines of 44 are kept");
    assert_eq!(result.hors_filtre + in_44, sample_lines().len() as u64);
    assert_eq!(result.desactives, 0);
    assert_eq!(
        status.octets_total,
        Some(std::fs::metadata(SAMPLE).unwrap().len())
    );

    let info = api.invoke("annuaire_info", Value::Null).unwrap();
    assert_eq!(info["imports"][0]["statut"], "termine");
    assert_eq!(info["departement_mmg"], "44");

    // The first practitioner of 44 in the file, found by two letters of his name.
    let line = sample_lines()
        .into_iter()
        .find(|l| l.split('|').nth(44) == Some("44"))
        .unwrap();
    let fields: Vec<&str> = line.split('|').collect();
    let (rpps, nom) = (fields[1], fields[7]);
    let found = api
        .invoke(
            "annuaire_search",
            json!({ "texte": &nom[..2], "limite": 100 }),
        )
        .unwrap();
    let hit = found
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rpps"] == rpps)
        .unwrap_or_else(|| panic!("{rpps} among {found}"));
    assert_eq!(hit["nom"], nom);
    assert_eq!(hit["cle"], format!("rpps:{rpps}"));
    assert_eq!(hit["departement"], "44");

    let praticien = api
        .invoke("annuaire_praticien", json!({ "rpps": rpps }))
        .unwrap();
    assert_eq!(praticien["actif"], true);
    assert!(!praticien["sites"].as_array().unwrap().is_empty());
    let missing = api
        .invoke("annuaire_praticien", json!({ "rpps": "10000000000" }))
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
}

#[test]
fn importing_and_making_users_need_the_admin_while_reading_needs_a_login_in_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    let refused = api
        .rpps_import_start(RppsImportRequest {
            chemin: SAMPLE.into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        refused.code,
        ErrorCode::Unauthenticated,
        "nobody is logged in: no import"
    );
    // Before a login, the window (`invoke`) answers only the login commands (issue 28, item 8);
    // whoever holds the database key (the CLI) reads the annuaire, public reference data.
    assert_eq!(
        api.invoke("annuaire_search", json!({ "texte": "du" }))
            .unwrap_err()
            .code,
        ErrorCode::Unauthenticated,
        "nobody is logged in: the window reads nothing"
    );
    assert!(
        api.annuaire_search(appligarde_api::annuaire::AnnuaireQuery {
            texte: "du".into(),
            limite: None,
        })
        .is_ok(),
        "the annuaire is public reference data"
    );

    admin(&api);
    let bad_path = api
        .rpps_import_start(RppsImportRequest {
            chemin: "/nulle/part/rpps.txt".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        (bad_path.code, bad_path.field.as_deref()),
        (ErrorCode::Validation, Some("chemin"))
    );
    assert!(
        bad_path.message.contains("introuvable"),
        "{}",
        bad_path.message
    );
    assert_eq!(
        api.rpps_import_status().unwrap().etat,
        EtatImport::Aucun,
        "a refused start leaves no import behind"
    );

    api.rpps_import_file(
        RppsImportRequest {
            chemin: SAMPLE.into(),
            professions: vec!["10".into()],
            ..Default::default()
        },
        &mut |_| {},
    )
    .unwrap();
    let doctor = sample_lines()
        .into_iter()
        .find(|l| l.split('|').nth(9) == Some("10"))
        .unwrap();
    let rpps = doctor.split('|').nth(1).unwrap().to_owned();
    let user = api
        .invoke("utilisateur_depuis_rpps", json!({ "rpps": rpps }))
        .unwrap();
    assert_eq!(user["role"], "medecin");
    assert_eq!(user["rpps"], rpps.as_str());
    assert_eq!(user["nom"], doctor.split('|').nth(7).unwrap());
    let again = api
        .invoke("utilisateur_depuis_rpps", json!({ "rpps": rpps }))
        .unwrap_err();
    assert_eq!(
        (again.code, again.field.as_deref()),
        (ErrorCode::Validation, Some("rpps"))
    );
}

#[test]
fn local_entries_are_saved_by_a_logged_in_user_with_errors_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let api = open(dir.path());
    let entry = json!({
        "type_local": "pharmacie",
        "nom": "Pharmacie du Château",
        "commune": "Ancenis-Saint-Géréon",
        "code_postal": "44150",
        "departement": "44",
        "telephone": "02 40 83 00 00",
        "actif": true
    });
    let anonymous = api
        .invoke("annuaire_local_save", entry.clone())
        .unwrap_err();
    assert_eq!(anonymous.code, ErrorCode::Unauthenticated);

    admin(&api);
    let saved = api.invoke("annuaire_local_save", entry.clone()).unwrap();
    let id = saved["id"].as_i64().unwrap();
    let found = api
        .invoke("annuaire_search", json!({ "texte": "pharmacie chateau" }))
        .unwrap();
    assert_eq!(found[0]["cle"], format!("local:{id}"));
    assert_eq!(found[0]["type_local"], "pharmacie");

    let mut wrong = entry;
    wrong["nom"] = json!("");
    wrong["type_local"] = json!("boulangerie");
    let err = api
        .invoke("annuaire_local_save", wrong.clone())
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("type_local"));
    wrong["type_local"] = json!("pharmacie");
    wrong["mssante"] = json!("pharmacie@gmail.com");
    let err = api.invoke("annuaire_local_save", wrong).unwrap_err();
    let fields: Vec<&str> = err.details.iter().map(|d| d.field.as_str()).collect();
    assert_eq!(fields, ["nom", "mssante"], "every broken rule, by field");

    let back = api
        .invoke("annuaire_local_get", json!({ "id": id }))
        .unwrap();
    assert_eq!(back["nom"], "Pharmacie du Château", "nothing half-saved");
}
