//! The drug database's versions through the API: the 2017 release then the 2019 extract
//! imported by the MMG admin (journaled), the search following, the ordonnances types whose drug
//! disappeared or is no longer marketed listed for the admin and never offered when applied; the
//! same files again change nothing; a broken release changes nothing either.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode,
    bdpm::BdpmImportRequest,
    consultation::*,
    documents::*,
    dto::MmgSettings,
    journal::JournalQuery,
    patient::PatientSaisie,
    session::{CompteSaisie, Connexion},
};
use appligarde_store::KeySource;
use std::path::{Path, PathBuf};

const MDP: &str = "correct horse battery";

fn donnees() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm")
}

fn compte(nom: &str, role: &str, rpps: Option<&str>) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: "Camille".into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: rpps.map(|_| "Médecin généraliste".to_owned()),
        est_admin: role == "admin",
        mot_de_passe: Some(MDP.into()),
    }
}

fn login(api: &Api, id: i64) {
    api.session_login(Connexion {
        utilisateur_id: id,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
}

fn import(
    api: &Api,
    dossier: &Path,
) -> Result<appligarde_api::bdpm::BdpmImportResult, appligarde_api::ApiError> {
    api.bdpm_import(BdpmImportRequest {
        dossier: dossier.display().to_string(),
    })
}

fn ligne_type(medicament: &str, cis: Option<&str>) -> LigneTypeDto {
    LigneTypeDto {
        ligne: LigneDto {
            medicament: medicament.into(),
            posologie: "1 par jour".into(),
            duree_ou_quantite: "5 jours".into(),
            cis: cis.map(str::to_owned),
            ..Default::default()
        },
        regle: None,
    }
}

fn recherche(api: &Api, texte: &str) -> Vec<MedicamentDto> {
    api.medicaments_rechercher(MedicamentQuery {
        texte: texte.into(),
        limite: Some(50),
    })
    .unwrap()
}

#[test]
fn a_release_then_the_next_one_updates_search_and_templates() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    })
    .unwrap();
    let admin = api
        .compte_initial(compte("RENAUD", "admin", None))
        .unwrap()
        .utilisateur
        .unwrap()
        .id;
    api.mmg_save(MmgSettings {
        nom: "Maison médicale de garde d'Ancenis".into(),
        adresse: "12 rue de l'Hôpital".into(),
        code_postal: "44150".into(),
        commune: "Ancenis-Saint-Géréon".into(),
        telephone: "+33 2 40 00 00 00".into(),
        email: "mmg.ancenis@example.fr".into(),
        departement: "44".into(),
        finess: String::new(),
    })
    .unwrap();
    let medecin = api
        .compte_creer(compte("DESCHAMPS", "medecin", Some("10181590836")))
        .unwrap()
        .id;

    let r = import(&api, &donnees().join("2017-03")).unwrap();
    assert_eq!(
        (r.medicaments, r.commercialises, r.presentations),
        (14_442, 11_950, 20_083)
    );
    assert_eq!(r.changement, "nouvelle");

    // A doctor's template with two drugs of 2017 chosen from the search, and a free-text line.
    login(&api, medecin);
    let benerva = recherche(&api, "benerva 100 mg");
    let benerva = benerva.iter().find(|m| m.cis == "62974206").unwrap();
    assert!(benerva.commercialise);
    let acadione = &recherche(&api, "acadione")[0];
    assert_eq!(acadione.presentations[0].prix_eur, Some(57.68));
    assert_eq!(
        acadione.presentations[0].taux_remboursement.as_deref(),
        Some("65%")
    );
    let modele = api
        .ordonnance_type_save(OrdonnanceTypeDto {
            id: None,
            nom: "Carence en vitamine B1".into(),
            lignes: vec![
                ligne_type("BENERVA 100 mg/1 ml", Some("62974206")),
                ligne_type("ACADIONE 250 mg", Some("63185053")),
                ligne_type("Hydratation", None),
            ],
        })
        .unwrap();
    login(&api, admin);
    assert_eq!(api.ordonnances_types_a_revoir().unwrap(), vec![]);

    let r = import(&api, &donnees()).unwrap();
    assert_eq!(
        (r.medicaments, r.commercialises, r.presentations),
        (14_728, 12_494, 0)
    );
    assert!(!r.avec_presentations);
    assert!(
        recherche(&api, "benerva")
            .iter()
            .all(|m| m.cis != "62974206")
    );
    let acadione = recherche(&api, "acadione");
    assert!(!acadione[0].commercialise);

    // The admin sees the template to review, with each drug and why.
    let a_revoir = api.ordonnances_types_a_revoir().unwrap();
    assert_eq!(a_revoir.len(), 1);
    assert_eq!(a_revoir[0].id, modele.id.unwrap());
    let raisons: Vec<(&str, &str)> = a_revoir[0]
        .lignes
        .iter()
        .map(|l| (l.cis.as_str(), l.raison.as_str()))
        .collect();
    assert_eq!(
        raisons,
        vec![("62974206", "retire"), ("63185053", "non_commercialise")]
    );
    assert!(
        a_revoir[0].lignes[1]
            .message
            .contains("n'est plus commercialisé")
    );

    // Applied to a consultation, the template offers only the free-text line.
    login(&api, medecin);
    let consultation = api
        .consultation_creer(ConsultationCreation {
            patient: Some(PatientSaisie {
                nom: "Béranger".into(),
                prenom: "Léa".into(),
                sexe: "F".into(),
                date_naissance: "1970-03-02".into(),
                ..Default::default()
            }),
            consultation: ConsultationSaisie {
                arrivee: "2026-11-20T21:00".into(),
                mode_arrivee: "spontane".into(),
                motif: "Asthénie".into(),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap()
        .id;
    let applique = api
        .ordonnance_type_appliquer(ApplicationType {
            consultation_id: consultation,
            ordonnance_type_id: modele.id.unwrap(),
            poids_kg: Some(60.0),
        })
        .unwrap();
    let offerts: Vec<&str> = applique
        .lignes
        .iter()
        .map(|l| l.medicament.as_str())
        .collect();
    assert_eq!(offerts, vec!["Hydratation"]);
    assert_eq!(applique.ecartees.len(), 2, "{:?}", applique.ecartees);
    assert_eq!(
        api.ordonnances_types_a_revoir().unwrap_err().code,
        ErrorCode::Forbidden,
        "the review list is the admin's"
    );
    assert_eq!(
        import(&api, &donnees()).unwrap_err().code,
        ErrorCode::Forbidden,
        "a doctor does not import"
    );

    // The same files again: nothing changes, nothing journaled; each new version was.
    login(&api, admin);
    let versions = api.bdpm_versions().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[1].active && !versions[0].active);
    assert_eq!(import(&api, &donnees()).unwrap().changement, "inchangee");
    assert_eq!(api.bdpm_versions().unwrap().len(), 2);
    let journal = api
        .journal_list(JournalQuery {
            objet: Some("bdpm_version".into()),
            objet_id: None,
            limite: Some(10),
            utilisateur_id: None,
            action: None,
            du: None,
            au: None,
        })
        .unwrap();
    assert_eq!(journal.len(), 2, "{journal:?}");
    assert!(journal.iter().all(|l| l.action == "creation"));
    assert!(
        journal
            .iter()
            .any(|l| l.details.contains("14728 médicaments"))
    );
    // Back to the 2017 files: that version is active again (journaled as a change).
    assert_eq!(
        import(&api, &donnees().join("2017-03")).unwrap().changement,
        "reactivee"
    );
    assert!(recherche(&api, "acadione")[0].commercialise);

    // A broken release: French error, the active version untouched.
    let casse = tempfile::tempdir().unwrap();
    for f in ["CIS_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_GENER_bdpm.txt"] {
        std::fs::copy(donnees().join(f), casse.path().join(f)).unwrap();
    }
    let octets = std::fs::read(casse.path().join("CIS_bdpm.txt")).unwrap();
    std::fs::write(
        casse.path().join("CIS_bdpm.txt"),
        &octets[..octets.len() - 40],
    )
    .unwrap();
    let err = import(&api, casse.path()).unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert!(err.message.contains("CIS_bdpm.txt"), "{}", err.message);
    let actives: Vec<_> = api
        .bdpm_versions()
        .unwrap()
        .into_iter()
        .filter(|v| v.active)
        .collect();
    assert_eq!(actives.len(), 1);
    assert_eq!(
        actives[0].medicaments, 14_442,
        "the 2017 version is still active"
    );
}
