//! CIM-10 coding through the API: importing a yearly ATIH file as the active version, the version
//! recorded on diagnoses, withdrawn codes never proposed, the MMG's usage ranking, favourites and
//! recent codes. Real encrypted store, a fixed clock.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode, FixedClock,
    cim10::{Cim10Favori, Cim10ImportRequest, Cim10Portee, Cim10Query, Cim10Role},
    consultation::{ConsultationCreation, ConsultationSaisie},
    patient::PatientSaisie,
    session::{CompteSaisie, Connexion},
};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use std::path::Path;
use std::sync::Arc;

const MDP: &str = "correct horse battery";

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

/// Friday 20 November 2026, 22:30 in Paris.
fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap(),
    ))
}

/// A new MMG with a logged-in doctor; returns the API and the doctor's id.
fn mmg(dir: &Path) -> (Api, i64) {
    let api = Api::open_with_clock(&config(dir), clock()).unwrap();
    let compte = |nom: &str, role: &str, rpps: Option<&str>| CompteSaisie {
        nom: nom.into(),
        prenom: "Camille".into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: None,
        est_admin: false,
        mot_de_passe: Some(MDP.into()),
    };
    api.compte_initial(compte("RENAUD", "admin", None)).unwrap();
    let medecin = api
        .compte_creer(compte("DESCHAMPS", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    login(&api, medecin);
    (api, medecin)
}

fn login(api: &Api, id: i64) {
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
}

/// A closed consultation of a new patient coded with `principal`; returns its id.
fn consultation(
    api: &Api,
    medecin: i64,
    n: usize,
    principal: &str,
) -> Result<i64, appligarde_api::ApiError> {
    api.consultation_creer(ConsultationCreation {
        uid: Some(format!("c{n}")),
        patient: Some(PatientSaisie {
            nom: format!("Patient{n}"),
            prenom: "Anaïs".into(),
            sexe: "F".into(),
            // Distinct birth dates: no possible duplicate of another test patient.
            date_naissance: format!("{}-01-01", 1940 + n),
            ..Default::default()
        }),
        consultation: ConsultationSaisie {
            arrivee: format!("2026-11-20T{:02}:00", 20 + n % 3),
            medecin_id: Some(medecin),
            mode_arrivee: "spontane".into(),
            motif: "Fièvre".into(),
            diagnostic_principal: Some(principal.into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .map(|c| c.id)
}

fn query(q: &str, role: Option<Cim10Role>) -> Cim10Query {
    Cim10Query {
        query: q.into(),
        limit: Some(10),
        role,
    }
}

/// A small yearly file as the ATIH publishes it: Windows-1252, CRLF, pipe-separated.
fn atih_file(dir: &Path) -> std::path::PathBuf {
    let lines: [&[u8]; 6] = [
        b"J00     |0|NOOO|0|RHINOPHARYNGITE|Rhinopharyngite (aigu\xEB) [rhume banal]",
        b"J06     |3|NNNN|3|INFECT. AIG. DES VOIES RESP. SUP.|Infections aigu\xEBs des voies respiratoires sup\xE9rieures",
        b"J069    |0|NOOO|0|INFECT. DES VOIES RESP. SUP., SAI|Infection des voies respiratoires sup\xE9rieures, sans pr\xE9cision",
        b"H669    |0|NOOO|0|OTITE MOYENNE, SAI|Otite moyenne, sans pr\xE9cision",
        b"R51     |0|NONO|0|CEPHALEE|C\xE9phal\xE9e quinquennale",
        b"A90     |3|NNNN|3|*** SU14 *** DENGUE|*** SU14 *** Dengue [dengue classique]",
    ];
    let path = dir.join("LIBCIM10MULTI.TXT");
    std::fs::write(&path, lines.join(&b"\r\n"[..])).unwrap();
    path
}

#[test]
fn an_imported_file_becomes_the_active_version_and_diagnoses_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let (api, medecin) = mmg(dir.path());
    let before = consultation(&api, medecin, 1, "J06.9").unwrap();
    assert_eq!(
        api.cim10_versions_du_dossier(before).unwrap(),
        [("J06.9".to_string(), Some("CIM-10 FR 2021".to_string()))],
        "coded with the built-in set"
    );
    consultation(&api, medecin, 2, "R10.4").expect("R10.4 is in the built-in set");

    let file = atih_file(dir.path());
    let r = api
        .cim10_import_file(Cim10ImportRequest {
            chemin: file.display().to_string(),
            version: Some("CIM-10 FR 2026 (essai)".into()),
        })
        .unwrap();
    assert!(!r.deja_importee);
    assert_eq!(r.version.version, "CIM-10 FR 2026 (essai)");
    assert_eq!(r.version.source, "atih");
    assert_eq!((r.version.nb_codes, r.version.nb_supprimes), (6, 1));
    assert!(r.version.active);

    // The search uses the imported set: its own wording, its codes only.
    let hits = api.cim10_search(query("cephalee", None)).unwrap();
    assert_eq!(hits[0].code, "R51");
    assert_eq!(
        hits[0].label, "Céphalée quinquennale",
        "the label of the imported file (decoded from Windows-1252), not the built-in one"
    );
    assert!(
        api.cim10_search(query("abdominale", None))
            .unwrap()
            .is_empty(),
        "codes absent from the active version are not proposed"
    );
    // A withdrawn code is kept (old records) but never proposed.
    assert!(
        api.cim10_search(query("dengue", None))
            .unwrap()
            .iter()
            .all(|h| h.code != "A90"),
        "a *** SUxx *** code is not proposed"
    );
    assert!(
        api.cim10_search(query("A90", None))
            .unwrap()
            .iter()
            .all(|h| h.code != "A90"),
        "not even by its code"
    );

    // New diagnoses are checked against the active set and record it.
    let after = consultation(&api, medecin, 3, "H66.9").unwrap();
    assert_eq!(
        api.cim10_versions_du_dossier(after).unwrap(),
        [(
            "H66.9".to_string(),
            Some("CIM-10 FR 2026 (essai)".to_string())
        )]
    );
    let err = consultation(&api, medecin, 4, "R10.4").unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Validation,
        "R10.4 is not in the active version: refused"
    );
    assert_eq!(
        api.cim10_versions_du_dossier(before).unwrap()[0]
            .1
            .as_deref(),
        Some("CIM-10 FR 2021"),
        "a consultation coded before the import keeps its version"
    );

    // The same file again: nothing new; another process opening the store sees the active version.
    let again = api
        .cim10_import_file(Cim10ImportRequest {
            chemin: file.display().to_string(),
            version: Some("CIM-10 FR 2026 (essai)".into()),
        })
        .unwrap();
    assert!(again.deja_importee);
    drop(api);
    let api = Api::open_with_clock(&config(dir.path()), clock()).unwrap();
    let versions = api.cim10_versions().unwrap();
    assert_eq!(versions.len(), 2, "built-in and imported: {versions:?}");
    assert_eq!(versions[0].version, "CIM-10 FR 2021");
    assert!(versions[0].nb_codes > 40_000 && !versions[0].active);
    assert!(versions[1].active);
    assert_eq!(
        api.cim10_search(query("cephalee", None)).unwrap()[0].label,
        "Céphalée quinquennale",
        "the active version is persisted"
    );
}

#[test]
fn a_malformed_file_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (api, _) = mmg(dir.path());
    let path = dir.path().join("LIBCIM10MULTI.TXT");
    std::fs::write(&path, b"J00     |0|NOOO|0|RHINO\r\nJ01     |7|NOOO|0|X|Y").unwrap();
    let err = api
        .cim10_import_file(Cim10ImportRequest {
            chemin: path.display().to_string(),
            version: None,
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field.as_deref(), Some("fichier"));
    assert!(
        err.message.contains("ligne 1"),
        "the line is named: {}",
        err.message
    );
    let versions = api.cim10_versions().unwrap();
    assert_eq!(versions.len(), 1, "nothing recorded");
    assert!(versions[0].active, "the built-in set stays active");
    let missing = api
        .cim10_import_file(Cim10ImportRequest {
            chemin: dir.path().join("absent.txt").display().to_string(),
            version: None,
        })
        .unwrap_err();
    assert_eq!(missing.field.as_deref(), Some("fichier"));
}

#[test]
fn the_csv_form_is_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let (api, _) = mmg(dir.path());
    // The header of the CSV form shipped in shared/data (same columns).
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/cim10/cim10fr_atih_2021.csv"
    );
    let text = std::fs::read_to_string(shared).unwrap();
    let small: String = text.lines().take(200).map(|l| format!("{l}\n")).collect();
    let path = dir.path().join("cim10.csv");
    std::fs::write(&path, small).unwrap();
    let r = api
        .cim10_import_file(Cim10ImportRequest {
            chemin: path.display().to_string(),
            version: None,
        })
        .unwrap();
    assert_eq!(r.version.source, "csv");
    assert_eq!(r.version.nb_codes, 199, "every line but the header");
    assert!(
        r.version.version.contains("cim10.csv") && r.version.version.contains("20/11/2026"),
        "a default name tells the file and the day: {}",
        r.version.version
    );
}

#[test]
fn usage_favourites_and_recents_rank_and_fill_the_picker() {
    let dir = tempfile::tempdir().unwrap();
    let (api, medecin) = mmg(dir.path());

    // A code that is not first for « rhino » becomes first once this MMG uses it.
    let hits = api
        .cim10_search(query("rhino", Some(Cim10Role::Principal)))
        .unwrap();
    assert!(hits.len() >= 3, "{hits:?}");
    let usual = hits
        .iter()
        .skip(1)
        .find(|h| h.valid_for_main_diagnosis)
        .unwrap()
        .code
        .clone();
    for n in 0..3 {
        consultation(&api, medecin, n, &usual).unwrap();
    }
    let hits = api
        .cim10_search(query("rhino", Some(Cim10Role::Principal)))
        .unwrap();
    assert_eq!(
        hits[0].code, usual,
        "the MMG's most used code leads among equal matches"
    );

    // The role keeps out what cannot be recorded there.
    let cat = api.cim10_search(query("J06", None)).unwrap();
    assert!(cat.iter().any(|h| h.code == "J06" && !h.codable));
    let principal = api
        .cim10_search(query("J06", Some(Cim10Role::Principal)))
        .unwrap();
    assert!(
        !principal.is_empty() && principal.iter().all(|h| h.valid_for_main_diagnosis),
        "only codes allowed as main diagnosis: {principal:?}"
    );

    // Recents before typing; favourites toggle per doctor and per MMG.
    let s = api.cim10_suggestions(Default::default()).unwrap();
    assert_eq!(s.version, "CIM-10 FR 2021");
    assert_eq!(s.recents_medecin[0].code, usual);
    assert_eq!(s.recents_mmg[0].code, usual);
    assert!(s.favoris_medecin.is_empty() && s.favoris_mmg.is_empty());
    let s = api
        .cim10_favori_basculer(Cim10Favori {
            code: "h669".into(),
            portee: Cim10Portee::Medecin,
        })
        .unwrap();
    assert_eq!(s.favoris_medecin[0].code, "H66.9", "any form of the code");
    assert!(s.favoris_medecin[0].favori_medecin);
    let s = api
        .cim10_favori_basculer(Cim10Favori {
            code: "R51".into(),
            portee: Cim10Portee::Mmg,
        })
        .unwrap();
    assert_eq!(s.favoris_mmg.len(), 1);
    assert!(
        api.cim10_search(query("otite moyenne", None))
            .unwrap()
            .iter()
            .any(|h| h.code == "H66.9" && h.favori),
        "favourites are starred in the results"
    );
    let s = api
        .cim10_favori_basculer(Cim10Favori {
            code: "H66.9".into(),
            portee: Cim10Portee::Medecin,
        })
        .unwrap();
    assert!(s.favoris_medecin.is_empty(), "toggled off");
    let err = api
        .cim10_favori_basculer(Cim10Favori {
            code: "A90".into(),
            portee: Cim10Portee::Medecin,
        })
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("code"),
        "a withdrawn code cannot become a favourite"
    );

    api.session_logout().unwrap();
    assert_eq!(
        api.cim10_suggestions(Default::default()).unwrap_err().code,
        ErrorCode::Unauthenticated,
        "suggestions need a logged-in doctor"
    );
}
