//! The URML's "conventions utilisateurs" end to end, with the real hub binary on a real
//! PostgreSQL: a new version of the users' charter published with `appligarde-hub admin publish
//! convention` reaches an enrolled desktop at sync; the next login there asks for it; the
//! acceptance goes up at the next sync (versions and dates only) and the fleet view
//! (`GET /api/v1/parc`) shows it, every MMG for the URML, one département's for a coordinator.
//! A desktop that does not ask for conventions (an older one) never sees them.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use appligarde_api::ErrorCode;
use appligarde_api::session::CompteSaisie;
use chrono::NaiveDateTime;
use common::*;
use serde_json::{Value, json};

const MDP: &str = "correct horse battery";

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

/// The desktop's admin, created and logged in; their id.
fn admin(desktop: &Desktop) -> i64 {
    desktop
        .api
        .compte_initial(CompteSaisie {
            nom: "RENAUD".into(),
            prenom: "Marc".into(),
            role: "admin".into(),
            rpps: None,
            specialite: None,
            est_admin: true,
            mot_de_passe: Some(MDP.into()),
        })
        .unwrap()
        .utilisateur
        .unwrap()
        .id
}

fn accept(desktop: &Desktop, nature: &str, version: u32) {
    desktop
        .api
        .invoke(
            "convention_accepter",
            json!({"nature": nature, "version": version}),
        )
        .unwrap();
}

/// A command that reads patient data, through the window's gate.
fn patients(desktop: &Desktop) -> Result<Value, appligarde_api::ApiError> {
    desktop.api.invoke(
        "patients_rechercher",
        json!({"nom": "PATIENT", "prenom": "", "date_naissance": null}),
    )
}

fn sync(desktop: &Desktop) -> Value {
    let rapport = desktop.api.invoke("sync_maintenant", Value::Null).unwrap();
    assert_eq!(rapport["reussi"], true, "{rapport}");
    rapport
}

async fn get(hub: &Hub, path: &str, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", hub.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// A coordinator of `departement`'s session token.
async fn coordinator_token(hub: &Hub, departement: &str) -> String {
    let login = format!("coord{:08x}", rand::random::<u32>());
    admin_cli(
        hub,
        &[
            "create-user",
            "--login",
            &login,
            "--role",
            "coordinator",
            "--departements",
            departement,
            "--json",
        ],
    );
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/api/v1/login", hub.url()))
        .json(&json!({"login": login, "password": "un mot de passe assez long"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

fn admin_cli(hub: &Hub, args: &[&str]) -> Value {
    common::admin(
        &hub.database_url,
        args,
        Some("un mot de passe assez long\n"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_charter_reaches_the_desktop_is_asked_at_the_next_login_and_shows_in_the_fleet() {
    let database = fresh_database("sync_conventions").await;
    let hub = Hub::start(&database);
    let nantes = create_mmg(&hub, "44", "MMG Nantes");
    let angers = create_mmg(&hub, "49", "MMG Angers");
    let now = at("2026-03-01 20:00");
    let desktops = [Desktop::new(now, 1), Desktop::new(now, 2)];
    desktops[0]
        .enroll(&hub.url(), &enroll_code(&hub, &nantes))
        .await;
    desktops[1]
        .enroll(&hub.url(), &enroll_code(&hub, &angers))
        .await;

    // Nantes accepts the shipped texts; Angers only the MMG's convention so far.
    let admin_nantes = admin(&desktops[0]);
    accept(&desktops[0], "mmg", 1);
    accept(&desktops[0], "charte", 1);
    patients(&desktops[0]).unwrap();
    admin(&desktops[1]);
    accept(&desktops[1], "mmg", 1);
    for d in &desktops {
        sync(d);
    }

    // The URML publishes version 2 of the charter.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("charte-v2.txt");
    std::fs::write(
        &file,
        "CHARTE DES UTILISATEURS\nVersion 2\nJe verrouille l'écran avant de quitter le poste.\n",
    )
    .unwrap();
    let published = hub.admin(&[
        "publish",
        "convention",
        "--type",
        "charte",
        "--version",
        "2",
        file.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(published["kind"], "convention", "{published}");
    let publication = published["version"].as_u64().unwrap();

    // A desktop that does not read conventions (an older one) neither gets it nor waits for it.
    let token = desktops[0].token().unwrap();
    let old = get(&hub, "/api/v1/reference?since=0", &token).await;
    assert!(old["latest"].as_u64().unwrap() < publication, "{old}");
    let new = get(
        &hub,
        &format!("/api/v1/reference?since={}&conventions=1", publication - 1),
        &token,
    )
    .await;
    assert_eq!(new["publications"][0]["kind"], "convention", "{new}");

    // It reaches Nantes at sync; the session in progress goes on.
    let rapport = sync(&desktops[0]);
    let natures: Vec<&str> = rapport["references_appliquees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["nature"].as_str().unwrap())
        .collect();
    assert_eq!(natures, ["convention"], "{rapport}");
    patients(&desktops[0]).unwrap();

    // The next login asks for version 2, with the published text.
    desktops[0]
        .api
        .invoke(
            "session_login",
            json!({"utilisateur_id": admin_nantes, "mot_de_passe": MDP}),
        )
        .unwrap();
    let refused = patients(&desktops[0]).unwrap_err();
    assert_eq!(refused.code, ErrorCode::ConventionNonAcceptee);
    assert!(
        refused
            .message
            .contains("charte des utilisateurs (version 2)"),
        "{}",
        refused.message
    );
    let etat = desktops[0]
        .api
        .invoke("conventions_etat", Value::Null)
        .unwrap();
    assert!(
        etat["conventions"][1]["texte"]
            .as_str()
            .unwrap()
            .contains("Je verrouille l'écran"),
        "{etat}"
    );
    accept(&desktops[0], "charte", 2);
    patients(&desktops[0]).unwrap();

    // The acceptance goes up at the next sync, and the fleet view shows it.
    sync(&desktops[0]);
    let urml = admin_token(&hub).await;
    let parc = get(&hub, "/api/v1/parc", &urml).await;
    assert_eq!(
        parc["published"],
        json!({"mmg": null, "charte": 2}),
        "{parc}"
    );
    let mmgs = parc["mmgs"].as_array().unwrap();
    assert_eq!(mmgs.len(), 2, "{parc}");
    let (nantes_row, angers_row) = (&mmgs[0], &mmgs[1]);
    assert_eq!(nantes_row["id"], nantes.as_str());
    assert_eq!(nantes_row["charte"]["version"], 2);
    assert_eq!(nantes_row["mmg"]["version"], 1);
    assert_eq!(nantes_row["charte"]["accepted_at"], "2026-03-01T19:00:00Z");
    assert_eq!(nantes_row["up_to_date"], true);
    assert_eq!(nantes_row["devices"], 1);
    assert_eq!(angers_row["id"], angers.as_str());
    assert_eq!(angers_row["mmg"]["version"], 1);
    assert_eq!(angers_row["charte"], Value::Null);
    assert_eq!(angers_row["up_to_date"], false);
    let text = parc.to_string();
    assert!(
        !text.contains("RENAUD") && !text.contains("Marc"),
        "no name reaches the hub: {text}"
    );

    // A coordinator of Maine-et-Loire sees Angers only.
    let coordinator = coordinator_token(&hub, "49").await;
    let parc = get(&hub, "/api/v1/parc", &coordinator).await;
    let ids: Vec<&str> = parc["mmgs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [angers.as_str()], "{parc}");

    // A version is published once: the same number again is refused.
    let again = std::process::Command::new(hub_binary())
        .args([
            "admin",
            "publish",
            "convention",
            "--type",
            "charte",
            "--version",
            "2",
        ])
        .arg(&file)
        .arg("--database-url")
        .arg(&hub.database_url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("déjà publiée"), "{stderr}");
}
