//! The first-start assistant through the API: its steps derived from the store, in order, and the
//! same step found again after the process stops at any point (the Api dropped, the store reopened).
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode,
    dto::{DemoOptions, MmgSettings},
    premier_demarrage::{ConfirmationCode, EtapeDemarrage, PremierDemarrageEtat},
    sauvegarde::SauvegardeReglagesDto,
    session::{CompteSaisie, Connexion},
    synchro::{Hub, HubInscription, Poste, SyncRapport, SyncStatut},
};
use appligarde_store::{KeySource, synchro::Inscription};
use std::path::Path;
use std::sync::Arc;

const MDP: &str = "correct horse battery";

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

fn ouvrir(dir: &Path) -> Api {
    Api::open(&config(dir)).unwrap()
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

fn identite() -> MmgSettings {
    MmgSettings {
        nom: "MMG du Pays de Retz".into(),
        adresse: "3 rue du Port".into(),
        code_postal: "44210".into(),
        commune: "Pornic".into(),
        telephone: "02 40 82 00 00".into(),
        email: "mmg.retz@example.fr".into(),
        departement: "44".into(),
        finess: String::new(),
    }
}

fn admin() -> CompteSaisie {
    CompteSaisie {
        nom: "RENAUD".into(),
        prenom: "Marc".into(),
        role: "admin".into(),
        rpps: None,
        specialite: None,
        est_admin: true,
        mot_de_passe: Some(MDP.into()),
    }
}

fn reglages(dossier: &Path) -> SauvegardeReglagesDto {
    SauvegardeReglagesDto {
        fin_de_garde: true,
        quotidienne: true,
        garder_quotidiennes: 14,
        garder_mensuelles: 12,
        conservation_annees: 20,
        destinations: vec![dossier.display().to_string()],
    }
}

/// The state as the window reads it: through the gate, nobody logged in.
fn etat(api: &Api) -> PremierDemarrageEtat {
    serde_json::from_value(
        api.invoke("premier_demarrage_etat", serde_json::Value::Null)
            .unwrap(),
    )
    .unwrap()
}

fn courante(api: &Api) -> Option<EtapeDemarrage> {
    etat(api).etape_courante
}

/// Drops the Api (the process stops), reopens the store, and checks the assistant is at `attendue`.
fn reprise(dir: &Path, api: Api, attendue: Option<EtapeDemarrage>) -> Api {
    drop(api);
    let api = ouvrir(dir);
    assert_eq!(courante(&api), attendue, "the same step after a restart");
    api
}

fn connecter_admin(api: &Api) {
    let id = api.session_status().unwrap().comptes[0].id;
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
}

fn dernier_groupe(api: &Api) -> String {
    let code = api.recovery_code_show().unwrap().code;
    code.rsplit('-').next().unwrap().to_owned()
}

#[test]
fn the_assistant_walks_five_steps_and_resumes_after_a_stop_at_each() {
    let dir = tempfile::tempdir().unwrap();
    let dossier = dir.path().join("cle-usb");
    std::fs::create_dir(&dossier).unwrap();
    let api = ouvrir(dir.path());

    let e = etat(&api);
    assert!(!e.termine);
    assert_eq!((e.numero, e.total), (1, 5), "Étape 1 sur 5");
    assert_eq!(e.etape_courante, Some(EtapeDemarrage::Identite));
    assert!(e.etapes.iter().all(|s| !s.faite));
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Identite));

    // 1. The identity, typed before any account exists (through the gate, nobody logged in).
    let e: PremierDemarrageEtat = serde_json::from_value(
        api.invoke(
            "premier_demarrage_identite",
            serde_json::to_value(identite()).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(e.etape_courante, Some(EtapeDemarrage::Administrateur));
    assert_eq!(e.numero, 2);
    assert!(e.etapes[0].faite && !e.etapes[1].faite);
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Administrateur));
    assert_eq!(api.mmg_get().unwrap().nom, "MMG du Pays de Retz");

    // 2. The admin account, then the MMG's convention of use accepted by that admin (issue 21):
    // the step stays until then, also after a stop.
    api.compte_initial(admin()).unwrap();
    assert_eq!(courante(&api), Some(EtapeDemarrage::Administrateur));
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Administrateur));
    connecter_admin(&api);
    accepter_conventions(&api);
    assert_eq!(courante(&api), Some(EtapeDemarrage::CodeRecuperation));
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::CodeRecuperation));
    // The identity step is closed now: Paramètres changes it, as the admin.
    let refus = api.premier_demarrage_identite(identite()).unwrap_err();
    assert_eq!(refus.code, ErrorCode::Forbidden);

    // 3. The recovery code: the remaining steps need the admin logged in.
    let refus = api
        .invoke(
            "premier_demarrage_code_confirmer",
            serde_json::json!({ "dernier_groupe": "AAAA" }),
        )
        .unwrap_err();
    assert_eq!(refus.code, ErrorCode::Unauthenticated, "{}", refus.message);
    connecter_admin(&api);
    let groupe = dernier_groupe(&api);
    let faux = if groupe == "AAAA" { "BBBB" } else { "AAAA" };
    let refus = api
        .premier_demarrage_code_confirmer(ConfirmationCode {
            dernier_groupe: faux.into(),
        })
        .unwrap_err();
    assert_eq!(refus.code, ErrorCode::Validation);
    assert!(
        refus.message.contains("dernier groupe"),
        "{}",
        refus.message
    );
    assert_eq!(courante(&api), Some(EtapeDemarrage::CodeRecuperation));
    // Typed in lower case with spaces, as read from a sheet.
    let e = api
        .premier_demarrage_code_confirmer(ConfirmationCode {
            dernier_groupe: format!(" {} ", groupe.to_lowercase()),
        })
        .unwrap();
    assert_eq!(e.etape_courante, Some(EtapeDemarrage::Sauvegarde));
    assert_eq!(e.numero, 4);
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Sauvegarde));

    // 4. A backup folder chosen, then a first backup written and verified. A folder alone is
    // not enough, and a failed backup (the USB key unplugged) leaves the step to do.
    connecter_admin(&api);
    let absent = dir.path().join("cle-debranchee");
    api.sauvegarde_reglages_save(reglages(&absent)).unwrap();
    let rapport = api.sauvegarde_maintenant().unwrap();
    assert!(rapport.tentatives.iter().all(|t| t.resultat != "ok"));
    assert_eq!(courante(&api), Some(EtapeDemarrage::Sauvegarde));
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Sauvegarde));
    connecter_admin(&api);
    api.sauvegarde_reglages_save(reglages(&dossier)).unwrap();
    assert_eq!(
        courante(&api),
        Some(EtapeDemarrage::Sauvegarde),
        "a folder without a backup"
    );
    let rapport = api.sauvegarde_maintenant().unwrap();
    assert_eq!(rapport.tentatives.len(), 1);
    assert_eq!(
        rapport.tentatives[0].resultat, "ok",
        "{}",
        rapport.tentatives[0].message
    );
    assert_eq!(std::fs::read_dir(&dossier).unwrap().count(), 1);
    assert_eq!(courante(&api), Some(EtapeDemarrage::Inscription));
    let api = reprise(dir.path(), api, Some(EtapeDemarrage::Inscription));

    // 5. The hub enrollment, put off.
    connecter_admin(&api);
    let e = api.premier_demarrage_inscription_reporter().unwrap();
    assert!(e.termine);
    assert_eq!(e.etape_courante, None);
    assert!(e.etapes.iter().all(|s| s.faite));
    let api = reprise(dir.path(), api, None);

    // Finished for good: removing the backup folder later does not bring the assistant back.
    connecter_admin(&api);
    let mut sans = reglages(&dossier);
    sans.destinations.clear();
    api.sauvegarde_reglages_save(sans).unwrap();
    assert!(etat(&api).termine);
}

#[test]
fn an_invalid_identity_is_refused_and_nothing_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let api = ouvrir(dir.path());
    let mut sans_nom = identite();
    sans_nom.nom = "  ".into();
    let refus = api.premier_demarrage_identite(sans_nom).unwrap_err();
    assert_eq!(refus.code, ErrorCode::Validation);
    assert!(refus.details.iter().any(|d| d.field == "nom"), "{refus:?}");
    assert_eq!(courante(&api), Some(EtapeDemarrage::Identite));
    assert_eq!(api.mmg_get().unwrap(), MmgSettings::default());
}

#[test]
fn an_admin_made_before_the_identity_still_gets_the_identity_step_first() {
    // An admin created before the identity (an older window, the CLI): the assistant asks for the
    // identity first, as the admin, through Paramètres' mmg_save.
    let dir = tempfile::tempdir().unwrap();
    let api = ouvrir(dir.path());
    api.compte_initial(admin()).unwrap();
    accepter_conventions(&api);
    let e = etat(&api);
    assert_eq!(e.etape_courante, Some(EtapeDemarrage::Identite));
    assert!(
        !e.etapes[1].faite,
        "no step after the current one counts as done"
    );
    api.mmg_save(identite()).unwrap();
    assert_eq!(courante(&api), Some(EtapeDemarrage::CodeRecuperation));
}

#[test]
fn a_demo_mmg_counts_as_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let api = ouvrir(dir.path());
    api.demo_seed(DemoOptions {
        consultations: 0,
        seed: 7,
    })
    .unwrap();
    let e = etat(&api);
    assert!(e.termine);
    assert_eq!(e.numero, 0);
    let api = reprise(dir.path(), api, None);
    assert!(etat(&api).termine);
}

/// A hub that enrolls every code (the real client is tested in `appligarde-sync`).
struct HubAccueillant;

impl Hub for HubAccueillant {
    fn inscrire(
        &self,
        poste: &dyn Poste,
        demande: HubInscription,
    ) -> Result<SyncStatut, appligarde_api::ApiError> {
        poste.synchro_enregistrer_inscription(Inscription {
            hub_url: demande.url,
            mmg_id: "mmg-1".into(),
            mmg_nom: "MMG du Pays de Retz".into(),
            departement: "44".into(),
            device_id: "poste-1".into(),
            inscrit_le: "2026-12-07T18:00:00Z".into(),
        })?;
        poste.sync_statut()
    }

    fn identite_mmg(
        &self,
        _demande: HubInscription,
    ) -> Result<appligarde_api::dto::MmgSettings, appligarde_api::ApiError> {
        Ok(identite())
    }

    fn restaurer_depuis_hub(
        &self,
        _config: &appligarde_api::ApiConfig,
        _demande: &appligarde_api::synchro::RestaurationHubDemande,
    ) -> Result<
        (appligarde_api::synchro::RestaurationHubFaite, Inscription),
        appligarde_api::ApiError,
    > {
        Err(appligarde_api::ApiError::new(
            appligarde_api::ErrorCode::Internal,
            "pas de copie hors site dans ce test (le vrai client est testé dans appligarde-sync)",
        ))
    }

    fn synchroniser(&self, _poste: &dyn Poste) -> SyncRapport {
        SyncRapport::default()
    }
}

#[test]
fn enrolling_with_the_hub_finishes_the_assistant_as_putting_it_off_does() {
    let dir = tempfile::tempdir().unwrap();
    let dossier = dir.path().join("cle-usb");
    std::fs::create_dir(&dossier).unwrap();
    let api = ouvrir(dir.path());
    api.premier_demarrage_identite(identite()).unwrap();
    api.compte_initial(admin()).unwrap();
    accepter_conventions(&api);
    let groupe = dernier_groupe(&api);
    api.premier_demarrage_code_confirmer(ConfirmationCode {
        dernier_groupe: groupe,
    })
    .unwrap();
    api.sauvegarde_reglages_save(reglages(&dossier)).unwrap();
    api.sauvegarde_maintenant().unwrap();
    assert_eq!(courante(&api), Some(EtapeDemarrage::Inscription));
    api.brancher_hub(Arc::new(HubAccueillant));
    api.hub_inscrire(HubInscription {
        url: "http://127.0.0.1:9".into(),
        code: "CODE".into(),
    })
    .unwrap();
    let e = etat(&api);
    assert!(e.termine, "{e:?}");
    reprise(dir.path(), api, None);
}

#[test]
fn a_database_with_accounts_from_before_the_assistant_counts_as_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let api = ouvrir(dir.path());
    api.compte_initial(admin()).unwrap();
    drop(api);
    // The database as schema 12 left it: accounts, no assistant row.
    {
        let config = config(dir.path());
        let store = appligarde_store::Store::open(&config.data_dir, &config.key).unwrap();
        store
            .conn()
            .execute_batch(
                "DROP TABLE premier_demarrage;
                 DROP TABLE messagerie_envoi;
                 DROP TABLE messagerie_reglages;
                 DROP TABLE convention_decision;
                 DROP TABLE convention_texte;
                 DROP TABLE sauvegarde_hors_site; -- migration 0016, after schema 12 too
                 DROP TABLE recherche_cle; -- migration 0017, after schema 12 too
                 ALTER TABLE consultation DROP COLUMN motif_code;
                 ALTER TABLE consultation DROP COLUMN gravite;
                 ALTER TABLE consultation DROP COLUMN transport;
                 DROP TABLE bdpm_version; -- migration 0018, likewise
                 DELETE FROM schema_migrations WHERE version >= 13;
                 PRAGMA user_version = 12;",
            )
            .unwrap();
    }
    let api = ouvrir(dir.path());
    assert!(
        etat(&api).termine,
        "an MMG already in use never sees the assistant"
    );

    // A new database (no account yet) gets it.
    let neuf = tempfile::tempdir().unwrap();
    assert!(!etat(&ouvrir(neuf.path())).termine);
}
