//! The MMG admin's use cases through the API: only the admin may run them, every record keeps who
//! created and changed it, a forgotten password is replaced, the garde settings and the département
//! are saved together or not at all, and the audit log is filtered. Real encrypted store.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode, FixedClock,
    administration::ReglagesGardeSaisie,
    commun::Id,
    consultation::{ArriveeSaisie, ConsultationMaj},
    dto::MmgSettings,
    journal::JournalQuery,
    patient::{PatientModification, PatientSaisie},
    session::{CompteModification, CompteSaisie, Connexion, MotDePasseReinitialisation},
};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;

const MDP: &str = "mot-de-passe-solide";

struct Mmg {
    api: Api,
    _dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
    accueil: i64,
}

fn saisie(nom: &str, prenom: &str, role: &str, rpps: Option<&str>) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: prenom.into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: None,
        est_admin: false,
        mot_de_passe: Some(MDP.into()),
    }
}

/// A new MMG on Friday 20 November 2026 at 22:30 in Paris: its admin (logged in), a doctor and a
/// receptionist, and its identity in Loire-Atlantique.
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    let api = Api::open_with_clock(&config, Arc::new(clock)).unwrap();
    let admin = api
        .compte_initial(saisie("RENAUD", "Marc", "admin", None))
        .unwrap()
        .utilisateur
        .unwrap()
        .id;
    api.mmg_save(MmgSettings {
        nom: "MMG d'Ancenis".into(),
        departement: "44".into(),
        ..Default::default()
    })
    .unwrap();
    let medecin = api
        .compte_creer(saisie("DESCHAMPS", "Léa", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    let accueil = api
        .compte_creer(saisie("MORIN", "Claire", "accueil", None))
        .unwrap()
        .id;
    // Each account accepts the conventions (the admin first: the MMG's convention), then the
    // admin is logged in again.
    for id in [admin, medecin, accueil, admin] {
        login(&api, id, MDP).unwrap();
        accepter_conventions(&api);
    }
    Mmg {
        api,
        _dir: dir,
        admin,
        medecin,
        accueil,
    }
}

fn login(api: &Api, id: i64, mot_de_passe: &str) -> Result<(), appligarde_api::ApiError> {
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: mot_de_passe.into(),
    })
    .map(|_| ())
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

#[test]
fn only_the_admin_runs_the_admin_commands() {
    let m = mmg();
    let reglages = serde_json::to_value(m.api.reglages_garde_get().unwrap()).unwrap();
    // Every admin command with valid arguments: refused to a doctor and to reception.
    let commandes = [
        (
            "mmg_save",
            json!({"nom": "MMG pirate", "adresse": "", "code_postal": "44000",
            "commune": "", "telephone": "", "email": "", "departement": "44", "finess": ""}),
        ),
        ("comptes_list", json!(null)),
        (
            "compte_creer",
            serde_json::to_value(saisie("INTRUS", "Paul", "admin", None)).unwrap(),
        ),
        (
            "compte_mot_de_passe_reinitialiser",
            json!({"id": m.admin, "mot_de_passe": "nouveau-mot-de-passe"}),
        ),
        ("reglages_garde_get", json!(null)),
        (
            "reglages_garde_save",
            json!({"reglages": reglages["reglages"], "departement": "57"}),
        ),
        ("reglages_save", reglages["reglages"].clone()),
        (
            "journal_list",
            json!({"objet": null, "objet_id": null, "limite": 10}),
        ),
        ("journal_filtres", json!(null)),
        ("journal_verifier", json!(null)),
        ("utilisateur_depuis_rpps", json!({"rpps": "10181590836"})),
    ];
    for (qui, id) in [("médecin", m.medecin), ("accueil", m.accueil)] {
        login(&m.api, id, MDP).unwrap();
        for (commande, args) in &commandes {
            let err = m.api.invoke(commande, args.clone()).unwrap_err();
            assert_eq!(
                err.code,
                ErrorCode::Forbidden,
                "{commande} refused to {qui}: {}",
                err.message
            );
            assert!(err.message.contains("administrateur"), "{}", err.message);
        }
    }
    assert_eq!(
        m.api.mmg_get().unwrap().nom,
        "MMG d'Ancenis",
        "nothing was changed by the refused commands"
    );
    m.api.session_logout().unwrap();
    assert_eq!(
        m.api.comptes_list().unwrap_err().code,
        ErrorCode::Unauthenticated,
        "nobody logged in"
    );
    login(&m.api, m.admin, MDP).unwrap();
    for (commande, args) in commandes.iter().filter(|(c, _)| {
        // The admin may run them all; these two would change the test's accounts or need the annuaire.
        ![
            "compte_mot_de_passe_reinitialiser",
            "utilisateur_depuis_rpps",
        ]
        .contains(c)
    }) {
        m.api
            .invoke(commande, args.clone())
            .unwrap_or_else(|e| panic!("{commande} by the admin: {}", e.message));
    }
}

#[test]
fn every_record_keeps_who_created_and_who_changed_it() {
    let m = mmg();
    let api = &m.api;

    // Users: the admin created both; a change names its author.
    api.compte_modifier(CompteModification {
        id: m.accueil,
        compte: CompteSaisie {
            mot_de_passe: None,
            ..saisie("MORIN-LEROY", "Claire", "accueil", None)
        },
        actif: true,
    })
    .unwrap();
    let comptes = api.comptes_list().unwrap();
    let accueil = comptes.iter().find(|c| c.id == m.accueil).unwrap();
    assert_eq!(accueil.cree_par.as_deref(), Some("Marc RENAUD"));
    assert_eq!(accueil.modifie_par.as_deref(), Some("Marc RENAUD"));
    assert_eq!(accueil.cree_le, "2026-11-20T21:30:00Z");
    let admin = comptes.iter().find(|c| c.id == m.admin).unwrap();
    assert_eq!(
        admin.cree_par, None,
        "the first admin is made by the installation itself"
    );

    // Patients and consultations: reception registers the arrival, the doctor changes both.
    login(api, m.accueil, MDP).unwrap();
    let arrivee = api
        .arrivee_enregistrer(ArriveeSaisie {
            patient: Some(PatientSaisie {
                nom: "Fenêtre".into(),
                prenom: "Noé".into(),
                sexe: "M".into(),
                date_naissance: "2019-06-06".into(),
                code_postal: "44150".into(),
                commune: "Ancenis-Saint-Géréon".into(),
                ..Default::default()
            }),
            mode_arrivee: "spontane".into(),
            lieu: "mmg".into(),
            motif: "Otalgie".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(arrivee.cree_par.as_deref(), Some("Claire MORIN-LEROY"));
    assert_eq!(
        arrivee.patient.cree_par.as_deref(),
        Some("Claire MORIN-LEROY")
    );

    login(api, m.medecin, MDP).unwrap();
    let mut patient = PatientSaisie {
        nom: "Fenêtre".into(),
        prenom: "Noé".into(),
        sexe: "M".into(),
        date_naissance: "2019-06-06".into(),
        code_postal: "44150".into(),
        commune: "Ancenis-Saint-Géréon".into(),
        ..Default::default()
    };
    patient.allergies = "Amoxicilline".into();
    let p = api
        .patient_modifier(PatientModification {
            id: arrivee.patient.id,
            patient,
        })
        .unwrap();
    assert_eq!(p.cree_par.as_deref(), Some("Claire MORIN-LEROY"));
    assert_eq!(p.modifie_par.as_deref(), Some("Léa DESCHAMPS"));
    let c = api.consultation_commencer(Id { id: arrivee.id }).unwrap();
    let c = api
        .consultation_enregistrer(ConsultationMaj {
            id: c.id,
            consultation: c.consultation,
        })
        .unwrap();
    assert_eq!(c.cree_par.as_deref(), Some("Claire MORIN-LEROY"));
    assert_eq!(c.modifie_par.as_deref(), Some("Léa DESCHAMPS"));

    // The MMG's identity: its change is in the audit log with its author.
    login(api, m.admin, MDP).unwrap();
    let lignes = api
        .journal_list(JournalQuery {
            objet: Some("mmg".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(lignes.len(), 1, "one change of the identity so far");
    assert_eq!(lignes[0].utilisateur.as_deref(), Some("Marc RENAUD"));
}

#[test]
fn the_admin_gives_a_new_password_to_a_user_who_forgot_it() {
    let m = mmg();
    let api = &m.api;
    // The doctor tries too many times and is made to wait.
    for _ in 0..5 {
        assert!(login(api, m.medecin, "je-ne-sais-plus").is_err());
    }
    let attente = login(api, m.medecin, MDP).unwrap_err();
    assert!(attente.message.contains("attendez"), "{}", attente.message);

    login(api, m.admin, MDP).unwrap();
    let err = api
        .compte_mot_de_passe_reinitialiser(MotDePasseReinitialisation {
            id: m.medecin,
            mot_de_passe: "court".into(),
        })
        .unwrap_err();
    assert_eq!(err.details[0].field, "mot_de_passe", "too short");
    api.compte_mot_de_passe_reinitialiser(MotDePasseReinitialisation {
        id: m.medecin,
        mot_de_passe: "nouveau-mot-de-passe".into(),
    })
    .unwrap();
    assert!(
        login(api, m.medecin, MDP).is_err(),
        "the old password is gone"
    );
    login(api, m.medecin, "nouveau-mot-de-passe")
        .expect("the new password works at once, the failed attempts are forgotten");

    // A deactivated account gets no password and cannot log in.
    login(api, m.admin, MDP).unwrap();
    let compte = api
        .comptes_list()
        .unwrap()
        .into_iter()
        .find(|c| c.id == m.accueil)
        .unwrap();
    api.compte_modifier(CompteModification {
        id: m.accueil,
        compte: CompteSaisie {
            nom: compte.nom,
            prenom: compte.prenom,
            role: compte.role,
            rpps: None,
            specialite: None,
            est_admin: false,
            mot_de_passe: None,
        },
        actif: false,
    })
    .unwrap();
    assert!(login(api, m.accueil, MDP).is_err(), "deactivated");
    login(api, m.admin, MDP).unwrap();
    let err = api
        .compte_mot_de_passe_reinitialiser(MotDePasseReinitialisation {
            id: m.accueil,
            mot_de_passe: "nouveau-mot-de-passe".into(),
        })
        .unwrap_err();
    assert!(err.message.contains("désactivé"), "{}", err.message);
    assert!(
        !api.session_status()
            .unwrap()
            .comptes
            .iter()
            .any(|c| c.id == m.accueil),
        "a deactivated user is not offered at login"
    );
}

#[test]
fn garde_settings_and_departement_are_saved_together_or_not_at_all() {
    let m = mmg();
    let api = &m.api;
    let avant = api.reglages_garde_get().unwrap();
    assert_eq!(avant.departement, "44");
    assert!(!avant.alsace_moselle);
    assert_eq!(
        avant.jours_feries.len(),
        11,
        "the eleven national holidays of 2026"
    );
    assert_eq!(
        avant.creneaux_legaux.lundi[0].debut, "20:00",
        "the legal PDSA night is the default slot"
    );

    // A wrong département and a wrong idle time: both named, nothing saved.
    let mut reglages = avant.reglages.clone();
    reglages.verrouillage_minutes = 0;
    let err = api
        .reglages_garde_save(ReglagesGardeSaisie {
            reglages: reglages.clone(),
            departement: "57".into(),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("verrouillage_minutes"));
    reglages.verrouillage_minutes = 5;
    let err = api
        .reglages_garde_save(ReglagesGardeSaisie {
            reglages: reglages.clone(),
            departement: "99".into(),
        })
        .unwrap_err();
    assert_eq!(err.details[0].field, "departement");
    let inchange = api.reglages_garde_get().unwrap();
    assert_eq!(
        (
            inchange.departement.as_str(),
            inchange.reglages.verrouillage_minutes
        ),
        ("44", 10),
        "a refused save leaves both as they were"
    );

    // Moselle: Good Friday and 26 December are holidays too.
    let apres = api
        .reglages_garde_save(ReglagesGardeSaisie {
            reglages,
            departement: " 57 ".into(),
        })
        .unwrap();
    assert!(apres.alsace_moselle);
    assert_eq!(apres.departement, "57");
    assert_eq!(apres.reglages.verrouillage_minutes, 5);
    let noms: Vec<_> = apres.jours_feries.iter().map(|j| j.nom.as_str()).collect();
    assert!(noms.contains(&"Vendredi saint") && noms.contains(&"Saint-Étienne"));
    assert!(apres.jours_feries.iter().any(|j| j.date == "2026-04-03"));
    assert_eq!(
        api.mmg_get().unwrap().departement,
        "57",
        "the identity follows"
    );
    assert_eq!(api.session_status().unwrap().verrouillage_minutes, 5);
}

#[test]
fn the_audit_log_is_filtered_by_user_action_record_and_local_day() {
    let m = mmg();
    let api = &m.api;
    login(api, m.medecin, MDP).unwrap();
    assert!(login(api, m.accueil, "faux-mot-de-passe").is_err());
    login(api, m.admin, MDP).unwrap();

    let tout = api.journal_list(JournalQuery::default()).unwrap();
    assert!(tout.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    let du_medecin = api
        .journal_list(JournalQuery {
            utilisateur_id: Some(m.medecin),
            ..Default::default()
        })
        .unwrap();
    assert!(!du_medecin.is_empty());
    assert!(
        du_medecin
            .iter()
            .all(|l| l.utilisateur.as_deref() == Some("Léa DESCHAMPS"))
    );
    let echecs = api
        .journal_list(JournalQuery {
            action: Some("echec_connexion".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(echecs.len(), 1);
    assert_eq!(echecs[0].objet_id, Some(m.accueil));
    assert_eq!(echecs[0].action_libelle, "Échec de connexion");
    let creations = api
        .journal_list(JournalQuery {
            objet: Some("utilisateur".into()),
            action: Some("creation".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        creations.len(),
        3,
        "the admin, the doctor, the receptionist"
    );

    // 22:30 in Paris on 20 November is 21:30 UTC: in the local day of the 20th, not of the 21st.
    let jour = |du: &str, au: &str| {
        api.journal_list(JournalQuery {
            du: Some(du.into()),
            au: Some(au.into()),
            ..Default::default()
        })
        .unwrap()
        .len()
    };
    assert_eq!(jour("2026-11-20", "2026-11-20"), tout.len());
    assert_eq!(jour("2026-11-21", "2026-11-30"), 0);
    let err = api
        .journal_list(JournalQuery {
            du: Some("2026-11-21".into()),
            au: Some("2026-11-20".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.details[0].field, "au");

    let filtres = api.journal_filtres().unwrap();
    assert!(filtres.objets.contains(&"utilisateur".to_owned()));
    assert!(filtres.objets.contains(&"mmg".to_owned()));
    assert_eq!(filtres.utilisateurs.len(), 3);
    assert!(filtres.actions.iter().any(|a| a.code == "rectification"));
    assert!(api.journal_verifier().unwrap().ok, "the chain is intact");
}

/// 20 wrong passwords for one user at once (as through `serve`, one thread per request): at most
/// the limit (5) are checked and journaled, the others are refused unchecked, and the lock holds
/// against the right password too (issue 28, item 3).
#[test]
fn parallel_wrong_passwords_check_at_most_the_limit() {
    const PARALLELES: usize = 20;
    let m = mmg();
    let api = &m.api;
    let depart = std::sync::Barrier::new(PARALLELES);
    let erreurs: Vec<appligarde_api::ApiError> = std::thread::scope(|s| {
        let fils: Vec<_> = (0..PARALLELES)
            .map(|_| {
                s.spawn(|| {
                    depart.wait();
                    login(api, m.medecin, "peut-etre-celui-ci").unwrap_err()
                })
            })
            .collect();
        fils.into_iter().map(|f| f.join().unwrap()).collect()
    });
    let verifies = erreurs
        .iter()
        .filter(|e| e.message.contains("Mot de passe incorrect"))
        .count();
    let refuses = erreurs
        .iter()
        .filter(|e| e.message.contains("Trop d'essais"))
        .count();
    assert_eq!((verifies, refuses), (5, PARALLELES - 5), "{erreurs:?}");
    let attente = login(api, m.medecin, MDP).unwrap_err();
    assert!(
        attente.message.contains("Trop d'essais"),
        "{}",
        attente.message
    );

    // The admin (still logged in: the failures changed no session) reads 5 failures, no more.
    let echecs = api
        .journal_list(JournalQuery {
            action: Some("echec_connexion".into()),
            objet_id: Some(m.medecin),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(echecs.len(), 5);
}
