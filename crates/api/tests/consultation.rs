//! The garde consultation record through the API, as the UI drives it: first start, users and roles,
//! login, lock and switch, the shift, an arrival, the draft, closing, amending as a new version, the
//! audit log. Real encrypted store, real CIM-10, a clock the test moves.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ApiError, Clock, ErrorCode,
    commun::Id,
    consultation::*,
    garde::GardeOuverture,
    journal::JournalQuery,
    patient::{PatientRecherche, PatientSaisie},
    reglages::PlageDto,
    session::{CompteSaisie, Connexion, Deverrouillage, SessionDto},
};
use appligarde_store::KeySource;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::{Arc, Mutex};

/// A clock the test moves forward.
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
    _dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
    accueil: i64,
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

/// A new MMG: its first admin, a doctor and a receptionist. Friday 20 November 2026, 22:30 in Paris.
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };
    let clock = Arc::new(TestClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap(),
    )));
    let api = Api::open_with_clock(&config, clock.clone()).unwrap();
    let status = api.session_status().unwrap();
    assert!(
        status.premier_demarrage,
        "a new store asks for its first admin"
    );
    assert!(status.utilisateur.is_none());
    let s = api.compte_initial(compte("RENAUD", "admin", None)).unwrap();
    let admin = s.utilisateur.unwrap().id;
    assert!(
        api.compte_initial(compte("AUTRE", "admin", None)).is_err(),
        "the first-admin door closes once an account exists"
    );
    let medecin = api
        .compte_creer(compte("DESCHAMPS", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    let accueil = api
        .compte_creer(compte("MORIN", "accueil", None))
        .unwrap()
        .id;
    Mmg {
        api,
        clock,
        _dir: dir,
        admin,
        medecin,
        accueil,
    }
}

fn login(api: &Api, id: i64) -> SessionDto {
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: MDP.into(),
    })
    .unwrap()
}

fn patient(nom: &str, naissance: &str) -> PatientSaisie {
    PatientSaisie {
        nom: nom.into(),
        prenom: "Anaïs".into(),
        sexe: "F".into(),
        date_naissance: naissance.into(),
        code_postal: "44150".into(),
        commune: "Ancenis-Saint-Géréon".into(),
        code_insee: "44003".into(),
        allergies: "Pénicilline".into(),
        ..Default::default()
    }
}

fn count(api: &Api, table: &str) -> i64 {
    api.app_info()
        .unwrap()
        .counts
        .iter()
        .find(|c| c.table == table)
        .unwrap()
        .rows
}

fn field(e: &ApiError) -> Vec<&str> {
    e.details.iter().map(|d| d.field.as_str()).collect()
}

#[test]
fn users_need_a_valid_rpps_and_roles_limit_what_they_do() {
    let m = mmg();
    let err = m
        .api
        .compte_creer(compte("MARTIN", "medecin", Some("10181590837")))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field.as_deref(), Some("rpps"));
    assert!(err.message.contains("clé de contrôle"), "{}", err.message);
    let err = m.api.compte_creer(compte("COURT", "accueil", None));
    assert!(err.is_ok(), "a receptionist needs no RPPS");
    let mut short = compte("X", "accueil", None);
    short.mot_de_passe = Some("abc".into());
    let err = m.api.compte_creer(short).unwrap_err();
    assert!(err.message.contains("au moins 8"), "{}", err.message);

    login(&m.api, m.accueil);
    assert_eq!(
        m.api.comptes_list().unwrap_err().code,
        ErrorCode::Forbidden,
        "only the admin manages users"
    );
    assert_eq!(
        m.api
            .garde_ouvrir(GardeOuverture { medecins: vec![] })
            .unwrap_err()
            .code,
        ErrorCode::Forbidden,
        "reception does not open a shift"
    );
    let err = m
        .api
        .session_login(Connexion {
            utilisateur_id: m.medecin,
            mot_de_passe: "faux mot de passe".into(),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(
        m.api.session_status().unwrap().utilisateur.unwrap().id,
        m.accueil,
        "a failed switch keeps the current user"
    );
}

#[test]
fn the_screen_locks_after_the_idle_time_and_unlocks_with_the_same_password() {
    let m = mmg();
    login(&m.api, m.medecin);
    assert!(m.api.garde_du_jour().is_ok());
    m.clock.advance(Duration::minutes(9));
    assert!(
        m.api.garde_du_jour().is_ok(),
        "9 idle minutes < 10: still open"
    );
    m.clock.advance(Duration::minutes(11));
    assert_eq!(m.api.garde_du_jour().unwrap_err().code, ErrorCode::Locked);
    let status = m.api.session_status().unwrap();
    assert!(status.verrouillee);
    assert_eq!(
        status.utilisateur.unwrap().id,
        m.medecin,
        "the lock screen names the user"
    );
    let err = m
        .api
        .session_unlock(Deverrouillage {
            mot_de_passe: "pas le bon".into(),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthenticated);
    assert_eq!(m.api.garde_du_jour().unwrap_err().code, ErrorCode::Locked);
    m.api
        .session_unlock(Deverrouillage {
            mot_de_passe: MDP.into(),
        })
        .unwrap();
    assert!(m.api.garde_du_jour().is_ok());
    m.api.session_lock().unwrap();
    assert_eq!(m.api.garde_du_jour().unwrap_err().code, ErrorCode::Locked);
    // Quick switch: another user logs in over the locked session.
    login(&m.api, m.accueil);
    assert!(m.api.garde_du_jour().is_ok());
    m.api.session_logout().unwrap();
    assert_eq!(
        m.api.garde_du_jour().unwrap_err().code,
        ErrorCode::Unauthenticated
    );
}

#[test]
fn five_wrong_passwords_make_the_user_wait() {
    let m = mmg();
    for _ in 0..5 {
        assert!(
            m.api
                .session_login(Connexion {
                    utilisateur_id: m.medecin,
                    mot_de_passe: "mauvais!".into(),
                })
                .is_err()
        );
    }
    let err = m
        .api
        .session_login(Connexion {
            utilisateur_id: m.medecin,
            mot_de_passe: MDP.into(),
        })
        .unwrap_err();
    assert!(err.message.contains("attendez"), "{}", err.message);
    m.clock.advance(Duration::seconds(61));
    login(&m.api, m.medecin);
}

#[test]
fn a_garde_from_arrival_to_amended_consultation() {
    let m = mmg();
    let api = &m.api;

    // Reception registers an arrival. A birth date in the future saves nothing.
    login(api, m.accueil);
    let mut arrivee = ArriveeSaisie {
        patient: Some(patient("Lefèvre", "2027-01-01")),
        mode_arrivee: "regule_centre15".into(),
        motif: "Fièvre et toux".into(),
        ..Default::default()
    };
    let err = api.arrivee_enregistrer(arrivee.clone()).unwrap_err();
    assert_eq!(field(&err), ["date_naissance"]);
    assert_eq!(
        (count(api, "patient"), count(api, "consultation")),
        (0, 0),
        "nothing half-saved"
    );
    arrivee.patient = Some(patient("Lefèvre", "1990-04-02"));
    let c = api.arrivee_enregistrer(arrivee.clone()).unwrap();
    assert_eq!(c.etat, "attente");
    assert!(c.clinique_masquee, "reception sees no clinical notes");
    assert_eq!(c.patient.allergies, "", "allergies are clinical");
    assert_eq!(
        c.cree_par.as_deref(),
        Some("Camille MORIN"),
        "who created the record"
    );
    assert_eq!(c.consultation.arrivee, "2026-11-20T22:30");

    // The same patient again: found by name without accents, and a duplicate is refused.
    let found = api
        .patients_rechercher(PatientRecherche {
            nom: "lefevre".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].nom, "LEFÈVRE");
    let err = api.arrivee_enregistrer(arrivee.clone()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("doublon"), "{}", err.message);
    assert_eq!(count(api, "patient"), 1);
    assert_eq!(
        api.consultation_enregistrer(ConsultationMaj {
            id: c.id,
            consultation: c.consultation.clone(),
        })
        .unwrap_err()
        .code,
        ErrorCode::Forbidden,
        "reception cannot write clinical notes"
    );

    // The doctor switches in, opens the shift, takes the patient in.
    login(api, m.medecin);
    let garde = api
        .garde_ouvrir(GardeOuverture { medecins: vec![] })
        .unwrap();
    assert_eq!(garde.date_garde, "2026-11-20");
    let jour = api.garde_du_jour().unwrap();
    assert_eq!(jour.garde.as_ref().unwrap().id, garde.id);
    assert_eq!(jour.situation.periode, "Nuit", "22:30 is the PDSA night");
    assert!(jour.situation.ouverte);
    assert_eq!(jour.consultations.len(), 1);
    assert_eq!(jour.consultations[0].etat, "attente");

    m.clock.advance(Duration::minutes(10));
    let c = api.consultation_commencer(Id { id: c.id }).unwrap();
    assert_eq!(c.etat, "en_cours");
    assert!(!c.clinique_masquee);
    assert_eq!(c.patient.allergies, "Pénicilline");

    // Autosave with out-of-range vitals and an unknown code: refused, the saved draft kept.
    let mut saisie = c.consultation.clone();
    saisie.anamnese = "Toux depuis 3 jours".into();
    saisie.temperature = Some(48.0);
    saisie.diagnostic_principal = Some("J06.7".into());
    let err = api
        .consultation_enregistrer(ConsultationMaj {
            id: c.id,
            consultation: saisie.clone(),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(field(&err), ["temperature", "diagnostic_principal"]);
    assert!(err.details[0].message.contains("entre 30 et 43,5 °C"));
    assert!(err.details[1].message.contains("n'existe pas"));
    let kept = api.consultation_get(Id { id: c.id }).unwrap();
    assert_eq!(
        kept.consultation.anamnese, "",
        "the refused autosave changed nothing"
    );

    saisie.temperature = Some(38.6);
    saisie.diagnostic_principal = Some("j069".into());
    saisie.actes = vec!["G".into(), "CRN".into()];
    let c = api
        .consultation_enregistrer(ConsultationMaj {
            id: c.id,
            consultation: saisie.clone(),
        })
        .unwrap();
    assert_eq!(c.diagnostics[0].code, "J06.9");
    assert_eq!(
        c.diagnostics[0].libelle, "Infection des voies respiratoires supérieures, sans précision",
        "the label comes from the CIM-10"
    );

    // Closing needs an orientation; then the end time is now.
    m.clock.advance(Duration::minutes(9));
    let err = api
        .consultation_cloturer(ConsultationMaj {
            id: c.id,
            consultation: saisie.clone(),
        })
        .unwrap_err();
    assert_eq!(field(&err), ["orientation"], "{err:?}");
    saisie.orientation = Some("retour_domicile".into());
    let c = api
        .consultation_cloturer(ConsultationMaj {
            id: c.id,
            consultation: saisie.clone(),
        })
        .unwrap();
    assert_eq!(
        (c.statut.as_str(), c.etat.as_str()),
        ("cloturee", "terminee")
    );
    assert_eq!(c.consultation.fin.as_deref(), Some("2026-11-20T22:49"));
    assert_eq!(c.modifie_par.as_deref(), Some("Camille DESCHAMPS"));

    // A closed consultation is never overwritten silently.
    let err = api
        .consultation_enregistrer(ConsultationMaj {
            id: c.id,
            consultation: saisie.clone(),
        })
        .unwrap_err();
    assert!(err.message.contains("rectification"), "{}", err.message);
    let mut amended = c.consultation.clone();
    amended.conclusion = "Rhinopharyngite, contrôle si fièvre > 3 jours".into();
    let err = api
        .consultation_rectifier(Rectification {
            id: c.id,
            version: 1,
            consultation: amended.clone(),
            motif: " ".into(),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("motif_rectification"));
    let c2 = api
        .consultation_rectifier(Rectification {
            id: c.id,
            version: 1,
            consultation: amended.clone(),
            motif: "Conclusion complétée".into(),
        })
        .unwrap();
    assert_eq!(c2.version, 2);
    assert_eq!(c2.versions.len(), 1);
    let v = &c2.versions[0];
    assert_eq!((v.version, v.motif.as_str()), (1, "Conclusion complétée"));
    assert_eq!(v.modifiee_par, "Camille DESCHAMPS");
    assert_eq!(v.changements.len(), 1);
    assert_eq!(v.changements[0].champ, "conclusion");
    assert_eq!(v.changements[0].avant, "");
    let err = api
        .consultation_rectifier(Rectification {
            id: c.id,
            version: 1,
            consultation: amended,
            motif: "encore".into(),
        })
        .unwrap_err();
    assert!(
        err.message.contains("entre-temps"),
        "a stale version is refused: {}",
        err.message
    );

    // The day list and the patient's history show it; the shift closes.
    let jour = api.garde_du_jour().unwrap();
    assert_eq!(jour.consultations[0].etat, "terminee");
    assert_eq!(jour.consultations[0].diagnostic.as_deref(), Some("J06.9"));
    let histoire = api
        .consultations_du_patient(Id { id: c.patient.id })
        .unwrap();
    assert_eq!(histoire.len(), 1);
    assert_eq!(histoire[0].version, 2);
    api.garde_fermer().unwrap();
    assert!(api.garde_du_jour().unwrap().garde.is_none());

    // The admin reads the audit log: who created, closed and amended, and the chain is intact.
    login(api, m.admin);
    let journal = api
        .journal_list(JournalQuery {
            objet: Some("consultation".into()),
            objet_id: Some(c.id),
            ..Default::default()
        })
        .unwrap();
    let actions: Vec<_> = journal.iter().rev().map(|l| l.action.as_str()).collect();
    assert_eq!(
        actions,
        ["creation", "modification", "cloture", "rectification"],
        "the autosaves are one entry; each step is recorded"
    );
    assert_eq!(journal[0].details, "version 2 : conclusion");
    assert_eq!(journal[0].utilisateur.as_deref(), Some("Camille DESCHAMPS"));
    let v = api.journal_verifier().unwrap();
    assert!(v.ok, "{v:?}");
    assert!(v.entrees_journal > 10);
}

#[test]
fn a_whole_consultation_at_once_is_validated_together_and_idempotent() {
    let m = mmg();
    login(&m.api, m.medecin);
    let mut creation = ConsultationCreation {
        uid: Some("a1b2".into()),
        patient: Some(patient("Durand", "1950-13-01")),
        consultation: ConsultationSaisie {
            arrivee: "2026-11-20T21:00".into(),
            debut: Some("2026-11-20T21:10".into()),
            fin: Some("2026-11-20T21:05".into()),
            mode_arrivee: "spontane".into(),
            motif: "Chute".into(),
            spo2: Some(120),
            orientation: Some("retour_domicile".into()),
            ..Default::default()
        },
        cloturer: true,
        ..Default::default()
    };
    let err = m.api.consultation_creer(creation.clone()).unwrap_err();
    assert_eq!(
        field(&err),
        ["date_naissance", "fin", "spo2"],
        "patient and consultation errors come together"
    );
    assert_eq!(count(&m.api, "patient"), 0);
    creation.patient = Some(patient("Durand", "1950-12-01"));
    creation.consultation.fin = Some("2026-11-20T21:25".into());
    creation.consultation.spo2 = Some(97);
    let c = m.api.consultation_creer(creation.clone()).unwrap();
    assert_eq!(c.statut, "cloturee");
    assert_eq!(c.medecin.as_deref(), Some("Camille DESCHAMPS"));
    let again = m.api.consultation_creer(creation).unwrap();
    assert_eq!(again.id, c.id, "the same uid is the same consultation");
    assert_eq!(count(&m.api, "consultation"), 1);
}

#[test]
fn settings_of_the_garde_are_the_admins() {
    let m = mmg();
    let mut r = m.api.reglages_get().unwrap();
    assert_eq!(r.verrouillage_minutes, 10);
    assert!(!r.creneaux_personnalises);
    assert_eq!(
        r.creneaux.lundi[0].debut, "20:00",
        "legal PDSA night by default"
    );
    r.verrouillage_minutes = 3;
    r.creneaux_personnalises = true;
    r.creneaux.lundi = vec![PlageDto {
        debut: "20:00".into(),
        fin: "24:00".into(),
    }];
    let saved = m.api.reglages_save(r.clone()).unwrap();
    assert_eq!(saved.creneaux.lundi[0].fin, "00:00");
    assert_eq!(saved.verrouillage_minutes, 3);
    r.verrouillage_minutes = 0;
    let err = m.api.reglages_save(r).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("verrouillage_minutes"));
    login(&m.api, m.medecin);
    m.clock.advance(Duration::minutes(4));
    assert_eq!(
        m.api.garde_du_jour().unwrap_err().code,
        ErrorCode::Locked,
        "the new idle time applies"
    );
}

#[test]
fn a_doctor_who_joins_the_open_shift_is_listed_among_its_doctors() {
    let m = mmg();
    let api = &m.api;
    let second = api
        .compte_creer(compte("LE GALL", "medecin", Some("10003456786")))
        .unwrap()
        .id;
    login(api, m.medecin);
    let garde = api
        .garde_ouvrir(GardeOuverture { medecins: vec![] })
        .unwrap();
    let noms = |g: &appligarde_api::garde::GardeDto| -> Vec<String> {
        g.medecins.iter().map(|c| c.nom.clone()).collect()
    };
    assert_eq!(noms(&garde), ["DESCHAMPS"]);
    let c = api
        .consultation_creer(ConsultationCreation {
            patient: Some(patient("Tardif", "1990-01-01")),
            consultation: ConsultationSaisie {
                arrivee: "2026-11-20T22:00".into(),
                mode_arrivee: "spontane".into(),
                motif: "Toux".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
    // The second doctor arrives later and takes the patient in.
    login(api, second);
    api.consultation_commencer(Id { id: c.id }).unwrap();
    let jour = api.garde_du_jour().unwrap();
    let g = jour.garde.unwrap();
    assert_eq!(g.id, garde.id);
    assert_eq!(
        noms(&g),
        ["DESCHAMPS", "LE GALL"],
        "the doctor who joined is listed"
    );
    // Taking another patient does not list them twice.
    login(api, m.medecin);
    api.consultation_commencer(Id { id: c.id }).unwrap();
    assert_eq!(noms(&api.garde_du_jour().unwrap().garde.unwrap()).len(), 2);
}
