//! The first-start assistant fills the MMG's identity from the hub with the enrollment code the
//! URML gave (issue 21), against the real hub binary on a real PostgreSQL: the identity the URML
//! recorded with `appligarde-hub admin mmg-identity` arrives through the window's gate before any
//! account exists, the same code then enrolls the PC at the last step, and a wrong code or an
//! unreachable hub is said next to the field to correct.
//!
//! Needs `APPLIGARDE_TEST_DATABASE_URL` (set by `cargo xtask test`).

#![allow(clippy::unwrap_used)]

mod common;

use appligarde_api::ErrorCode;
use appligarde_api::dto::MmgSettings;
use appligarde_api::session::CompteSaisie;
use chrono::NaiveDateTime;
use common::*;
use serde_json::json;

fn at(date: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_assistant_reads_the_identity_with_the_code_and_enrolls_with_it() {
    let database = fresh_database("identite").await;
    let hub = Hub::start(&database);
    let mmg = create_mmg(&hub, "44", "MMG du Pays de Retz");
    hub.admin(&[
        "mmg-identity",
        "--mmg",
        &mmg,
        "--adresse",
        "3 place de la Mairie",
        "--code-postal",
        "44270",
        "--commune",
        "Machecoul-Saint-Même",
        "--telephone",
        "0240000000",
        "--email",
        "mmg.retz@example.fr",
        "--finess",
        "440012342",
        "--json",
    ]);
    let code = enroll_code(&hub, &mmg);
    let desktop = Desktop::new(at("2026-12-07 18:00"), 7);
    let api = desktop.api.clone();
    let url = hub.url();

    // Through the window's dispatcher, before any login: the gate lets it through.
    let lu = {
        let (api, url, code) = (api.clone(), url.clone(), code.clone());
        tokio::task::spawn_blocking(move || {
            api.invoke(
                "premier_demarrage_identite_hub",
                json!({"url": url, "code": code}),
            )
        })
        .await
        .unwrap()
        .unwrap()
    };
    let identite: MmgSettings = serde_json::from_value(lu).unwrap();
    assert_eq!(identite.nom, "MMG du Pays de Retz");
    assert_eq!(identite.departement, "44");
    assert_eq!(identite.adresse, "3 place de la Mairie");
    assert_eq!(identite.code_postal, "44270");
    assert_eq!(identite.commune, "Machecoul-Saint-Même");
    assert_eq!(identite.telephone, "0240000000");
    assert_eq!(identite.email, "mmg.retz@example.fr");
    assert_eq!(identite.finess, "440012342");

    // Wrong code, unreachable hub: French messages on the field to correct; nothing saved.
    let (api2, url2) = (api.clone(), url.clone());
    let faux = tokio::task::spawn_blocking(move || {
        api2.premier_demarrage_identite_hub(appligarde_api::synchro::HubInscription {
            url: url2,
            code: "ZZZZ-ZZZZ-ZZZZ-ZZZZ".into(),
        })
    })
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(faux.field.as_deref(), Some("code"), "{faux:?}");
    assert!(
        faux.message.contains("demandez-en un nouveau"),
        "{}",
        faux.message
    );
    let (api2, code2) = (api.clone(), code.clone());
    let injoignable = tokio::task::spawn_blocking(move || {
        api2.premier_demarrage_identite_hub(appligarde_api::synchro::HubInscription {
            url: "http://127.0.0.1:9".into(),
            code: code2,
        })
    })
    .await
    .unwrap()
    .unwrap_err();
    assert_eq!(injoignable.field.as_deref(), Some("url"), "{injoignable:?}");
    assert_eq!(api.mmg_get().unwrap().nom, "", "nothing was saved");

    // The admin checks the form and goes on; the same code enrolls the PC at the last step.
    let (api2, identite2) = (api.clone(), identite.clone());
    tokio::task::spawn_blocking(move || api2.premier_demarrage_identite(identite2))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(api.mmg_get().unwrap().finess, "440012342");
    let (api2, url2, code2) = (api.clone(), url.clone(), code.clone());
    tokio::task::spawn_blocking(move || {
        api2.compte_initial(CompteSaisie {
            nom: "RENAUD".into(),
            prenom: "Marc".into(),
            role: "admin".into(),
            rpps: None,
            specialite: None,
            est_admin: true,
            mot_de_passe: Some("correct horse battery".into()),
        })
        .unwrap();
        // Once an account exists, the identity is the admin's to change in Paramètres.
        let refus = api2
            .premier_demarrage_identite_hub(appligarde_api::synchro::HubInscription {
                url: url2.clone(),
                code: code2.clone(),
            })
            .unwrap_err();
        assert_eq!(refus.code, ErrorCode::Forbidden);
        let statut = api2
            .hub_inscrire_key_holder(appligarde_api::synchro::HubInscription {
                url: url2,
                code: code2,
            })
            .unwrap();
        assert!(statut.inscrit, "{statut:?}");
    })
    .await
    .unwrap();
    let inscription = api.synchro_inscription().unwrap().unwrap();
    assert_eq!(inscription.mmg_id, mmg);
}
