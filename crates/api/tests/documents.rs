//! The ordonnance and the letters through the API, as the UI drives them: drug search, templates
//! with pediatric doses, prescription lines, printing recorded with its hash and audit entry, a
//! reprint giving the same bytes, letters pre-filled and edited, a child without weight refused.
//! Real encrypted store, real BDPM and CIM-10, a fixed clock.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode, FixedClock,
    commun::Id,
    consultation::*,
    documents::*,
    dto::MmgSettings,
    patient::PatientSaisie,
    session::{CompteSaisie, Connexion},
};
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use std::sync::Arc;

const MDP: &str = "correct horse battery";

struct Mmg {
    api: Api,
    dir: tempfile::TempDir,
    medecin: i64,
    accueil: i64,
}

fn compte(nom: &str, role: &str, rpps: Option<&str>, specialite: Option<&str>) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: "Camille".into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: specialite.map(str::to_owned),
        est_admin: false,
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

/// An MMG with its identity, a doctor and a receptionist; Friday 20 November 2026, 22:30 in Paris.
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let config = ApiConfig {
        data_dir: dir.path().join("data"),
        key: KeySource::File(dir.path().join("key")),
    };
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap(),
    ));
    let api = Api::open_with_clock(&config, clock).unwrap();
    let admin = api
        .compte_initial(CompteSaisie {
            est_admin: true,
            ..compte("RENAUD", "admin", None, None)
        })
        .unwrap()
        .utilisateur
        .unwrap()
        .id;
    let _ = admin;
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
        .compte_creer(compte(
            "DESCHAMPS",
            "medecin",
            Some("10181590836"),
            Some("Médecin généraliste"),
        ))
        .unwrap()
        .id;
    let accueil = api
        .compte_creer(compte("MORIN", "accueil", None, None))
        .unwrap()
        .id;
    Mmg {
        api,
        dir,
        medecin,
        accueil,
    }
}

fn consultation(api: &Api, naissance: &str, poids_kg: Option<f64>) -> i64 {
    api.consultation_creer(ConsultationCreation {
        patient: Some(PatientSaisie {
            nom: "Béranger".into(),
            prenom: "Léa".into(),
            sexe: "F".into(),
            date_naissance: naissance.into(),
            allergies: "Pénicilline".into(),
            medecin_traitant: "Dr Hélène Moreau".into(),
            ..Default::default()
        }),
        consultation: ConsultationSaisie {
            arrivee: "2026-11-20T21:00".into(),
            mode_arrivee: "spontane".into(),
            motif: "Fièvre à 39 °C depuis deux jours".into(),
            examen: "Tympans congestifs, pas de raideur méningée.".into(),
            temperature: Some(39.2),
            frequence_cardiaque: Some(118),
            spo2: Some(98),
            poids_kg,
            diagnostic_principal: Some("J06.9".into()),
            orientation: Some("retour_domicile".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
    .id
}

fn ligne(medicament: &str) -> LigneDto {
    LigneDto {
        medicament: medicament.into(),
        dci: "paracétamol".into(),
        dosage: "1 000 mg".into(),
        forme: "comprimé".into(),
        posologie: "1 comprimé toutes les 6 heures si douleur".into(),
        duree_ou_quantite: "5 jours".into(),
        ..Default::default()
    }
}

fn pdf(d: &DocumentImprimeDto) -> Vec<u8> {
    std::fs::read(&d.chemin).unwrap()
}

#[test]
fn an_ordonnance_is_recorded_audited_and_reprinted_identically() {
    let m = mmg();
    login(&m.api, m.medecin);
    let id = consultation(&m.api, "1980-03-12", None);
    let mut l = ligne("Doliprane");
    l.non_substituable = true;
    l.mention_non_substituable = "MTE".into();
    let saved = m
        .api
        .prescription_save(PrescriptionDto {
            consultation_id: id,
            lignes: vec![l, LigneDto::default()],
        })
        .unwrap();
    assert_eq!(saved.lignes.len(), 1, "the blank line is dropped");
    assert_eq!(saved.lignes[0].mention_non_substituable, "MTE");

    let apercu = m.api.ordonnance_apercu(Id { id }).unwrap();
    assert_eq!(apercu.erreur, None, "an adult ordonnance is ready");
    assert!(!apercu.enfant);
    assert!(apercu.alertes.is_empty(), "{:?}", apercu.alertes);

    let printed = m.api.ordonnance_imprimer(Id { id }).unwrap();
    let bytes = pdf(&printed);
    assert!(bytes.starts_with(b"%PDF-"), "the file written is a PDF");
    assert!(
        printed.chemin.contains("/documents/"),
        "written in the documents folder of the data directory: {}",
        printed.chemin
    );
    assert_eq!(
        appligarde_documents::empreinte(&bytes),
        printed.document.empreinte,
        "the recorded hash is the hash of the file"
    );
    assert_eq!(printed.pdf_base64.len(), bytes.len().div_ceil(3) * 4);

    let listed = m.api.documents_list(Id { id }).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].nature, "ordonnance");
    assert_eq!(listed[0].auteur.as_deref(), Some("Camille DESCHAMPS"));
    assert_eq!(listed[0].imprime_le, "2026-11-20T21:30:00Z");

    let again = m
        .api
        .document_reimprimer(Id {
            id: printed.document.id,
        })
        .unwrap();
    assert!(again.identique, "a reprint renders the same bytes");
    assert_eq!(again.document.empreinte, printed.document.empreinte);
    assert_eq!(pdf(&again), bytes, "byte for byte");
    assert_eq!(again.document.reimpression_de, Some(printed.document.id));

    // The audit log is read through the store (its screen is the admin's).
    let store = appligarde_store::Store::open(
        &m.dir.path().join("data"),
        &KeySource::File(m.dir.path().join("key")),
    )
    .unwrap();
    let impressions: Vec<_> = store
        .journal(Some(("consultation", id)), 50)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "impression")
        .collect();
    assert_eq!(impressions.len(), 2, "print and reprint are both audited");
    assert!(impressions[0].details.contains("réimpression"));
    store.verifier_journal().unwrap();
}

#[test]
fn the_safety_nets_warn_before_printing_and_do_not_block_it() {
    let m = mmg();
    login(&m.api, m.medecin);
    // Two years old, 12 kg, noted allergic to penicillin.
    let id = consultation(&m.api, "2024-10-01", Some(12.0));
    let gelule = LigneDto {
        medicament: "DOLIPRANE 500 mg".into(),
        dci: "paracétamol".into(),
        dosage: "500 mg".into(),
        forme: "gélule".into(),
        posologie: "1 gélule 4 fois par jour".into(),
        duree_ou_quantite: "3 jours".into(),
        ..Default::default()
    };
    let sirop = LigneDto {
        medicament: "DOLIPRANE 2,4 %".into(),
        dci: "paracétamol".into(),
        dosage: "2,4 %".into(),
        forme: "suspension buvable".into(),
        posologie: "7,5 ml 4 fois par jour".into(),
        duree_ou_quantite: "3 jours".into(),
        ..Default::default()
    };
    let amoxicilline = LigneDto {
        medicament: "CLAMOXYL 250 mg/5 ml".into(),
        dci: "amoxicilline".into(),
        dosage: "250 mg/5 ml".into(),
        forme: "poudre pour suspension buvable".into(),
        posologie: "6 ml 3 fois par jour".into(),
        duree_ou_quantite: "6 jours".into(),
        ..Default::default()
    };
    let enregistrer = |lignes: Vec<LigneDto>| {
        m.api
            .prescription_save(PrescriptionDto {
                consultation_id: id,
                lignes,
            })
            .unwrap();
        m.api.ordonnance_apercu(Id { id }).unwrap()
    };
    let apercu = enregistrer(vec![gelule, sirop.clone(), amoxicilline.clone()]);
    let codes: Vec<(&str, &[u32])> = apercu
        .alertes
        .iter()
        .map(|a| (a.code.as_str(), a.lignes.as_slice()))
        .collect();
    assert_eq!(
        codes,
        [
            ("forme_age", &[0][..]),
            ("dci_en_double", &[0, 1][..]),
            ("dose_maximale", &[0][..]),
            ("allergie", &[2][..]),
        ],
        "{:#?}",
        apercu.alertes
    );
    assert!(
        apercu.alertes[2].message.contains(
            "2\u{202f}000 mg de paracétamol par jour, au-dessus du maximum de 960 mg pour 12 kg"
        ),
        "{}",
        apercu.alertes[2].message
    );
    assert!(apercu.alertes[3].message.contains("Pénicilline"));
    assert_eq!(apercu.erreur, None, "warnings do not stop the print");
    // The doctor may print anyway.
    m.api.ordonnance_imprimer(Id { id }).unwrap();

    // Corrected: the syrup alone at 15 mg/kg, no penicillin: nothing to say.
    let mut macrolide = amoxicilline;
    macrolide.medicament = "JOSACINE 250 mg/5 ml".into();
    macrolide.dci = "josamycine".into();
    let apercu = enregistrer(vec![sirop, macrolide]);
    assert!(apercu.alertes.is_empty(), "{:#?}", apercu.alertes);
}

#[test]
fn a_child_without_weight_is_refused_and_a_template_computes_the_dose() {
    let m = mmg();
    login(&m.api, m.medecin);
    let id = consultation(&m.api, "2022-06-01", None);
    m.api
        .prescription_save(PrescriptionDto {
            consultation_id: id,
            lignes: vec![ligne("Doliprane")],
        })
        .unwrap();
    let err = m.api.ordonnance_imprimer(Id { id }).unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field.as_deref(), Some("poids_kg"));
    assert!(
        err.message.contains("poids est obligatoire") && err.message.contains("enfant"),
        "clear French reason: {}",
        err.message
    );
    assert!(
        m.api.documents_list(Id { id }).unwrap().is_empty(),
        "nothing recorded for a refused print"
    );
    let apercu = m.api.ordonnance_apercu(Id { id }).unwrap();
    assert!(apercu.enfant);
    assert_eq!(apercu.erreur_champ.as_deref(), Some("poids_kg"));

    let types = m.api.ordonnances_types_list().unwrap();
    let fievre = types
        .iter()
        .find(|t| t.nom == "Fièvre de l'enfant")
        .expect("built-in templates are seeded");
    let err = m
        .api
        .ordonnance_type_appliquer(ApplicationType {
            consultation_id: id,
            ordonnance_type_id: fievre.id.unwrap(),
            poids_kg: None,
        })
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("poids_kg"),
        "a dose needs a weight"
    );
    let applique = m
        .api
        .ordonnance_type_appliquer(ApplicationType {
            consultation_id: id,
            ordonnance_type_id: fievre.id.unwrap(),
            poids_kg: Some(16.5),
        })
        .unwrap();
    // 60 mg/kg/day in 4 doses: 15 mg/kg per dose = 247.5 mg, 10.3 mL of a 24 mg/mL suspension.
    assert_eq!(applique.doses.len(), 1);
    assert_eq!(applique.doses[0].mg_par_prise, 247.5);
    assert!(applique.lignes[0].posologie.contains("247,5 mg"));
    assert!(applique.lignes[0].posologie.contains("10,3 mL"));
}

#[test]
fn templates_are_edited_by_doctors_and_persist() {
    let m = mmg();
    login(&m.api, m.medecin);
    let n = m.api.ordonnances_types_list().unwrap().len();
    assert!(n >= 4, "the built-in templates are there");
    let saved = m
        .api
        .ordonnance_type_save(OrdonnanceTypeDto {
            id: None,
            nom: "Lombalgie aiguë".into(),
            lignes: vec![LigneTypeDto {
                ligne: ligne("Paracétamol"),
                regle: None,
            }],
        })
        .unwrap();
    let again = m.api.ordonnances_types_list().unwrap();
    assert_eq!(again.len(), n + 1, "the seed is not inserted twice");
    let duplicate = m.api.ordonnance_type_save(OrdonnanceTypeDto {
        id: None,
        ..saved.clone()
    });
    assert_eq!(
        duplicate.unwrap_err().field.as_deref(),
        Some("nom"),
        "two templates cannot share a name"
    );
    m.api
        .ordonnance_type_retirer(Id {
            id: saved.id.unwrap(),
        })
        .unwrap();
    assert_eq!(m.api.ordonnances_types_list().unwrap().len(), n);

    login(&m.api, m.accueil);
    assert_eq!(
        m.api
            .ordonnance_type_save(OrdonnanceTypeDto { id: None, ..saved })
            .unwrap_err()
            .code,
        ErrorCode::Forbidden,
        "reception does not edit prescriptions"
    );
    assert_eq!(
        m.api.ordonnance_imprimer(Id { id: 1 }).unwrap_err().code,
        ErrorCode::Forbidden
    );
}

#[test]
fn letters_are_prefilled_then_printed_with_the_edited_text() {
    let m = mmg();
    login(&m.api, m.medecin);
    let id = consultation(&m.api, "1980-03-12", Some(64.0));
    m.api
        .prescription_save(PrescriptionDto {
            consultation_id: id,
            lignes: vec![ligne("Doliprane")],
        })
        .unwrap();
    let mt = m
        .api
        .courrier_preparer(CourrierDemande {
            consultation_id: id,
            nature: NatureCourrier::MedecinTraitant,
            destinataire_cle: None,
        })
        .unwrap();
    assert_eq!(
        mt.destinataire, "Dr Hélène Moreau",
        "the record's médecin traitant"
    );
    let tout: String = mt
        .sections
        .iter()
        .map(|s| format!("{}: {}\n", s.titre, s.texte))
        .collect();
    for attendu in [
        "Fièvre à 39 °C",
        "Tympans congestifs",
        "(J06.9)",
        "Doliprane 1 000 mg",
        "Retour à domicile",
    ] {
        assert!(tout.contains(attendu), "« {attendu} » pre-filled in {tout}");
    }
    let mut edite = mt.clone();
    edite.sections.push(SectionDto {
        titre: "Conseils donnés".into(),
        texte: "Revoir si fièvre au-delà de 72 heures.".into(),
    });
    let printed = m.api.courrier_imprimer(edite).unwrap();
    assert_eq!(printed.document.nature, "medecin_traitant");
    assert_eq!(printed.document.destinataire, "Dr Hélène Moreau");

    let urg = m
        .api
        .courrier_preparer(CourrierDemande {
            consultation_id: id,
            nature: NatureCourrier::Urgences,
            destinataire_cle: None,
        })
        .unwrap();
    let tout: String = urg
        .sections
        .iter()
        // Non-breaking spaces keep "FC : 118 /min" together on paper; compare with plain spaces.
        .map(|s| s.texte.replace(['\u{a0}', '\u{202f}'], " ") + "\n")
        .collect();
    for attendu in ["FC : 118", "SpO2 : 98", "Pénicilline", "+33 2 40 00 00 00"] {
        assert!(
            tout.contains(attendu),
            "« {attendu} » in the referral: {tout}"
        );
    }
    let bad = m.api.courrier_preparer(CourrierDemande {
        consultation_id: id,
        nature: NatureCourrier::Urgences,
        destinataire_cle: Some("inconnu:1".into()),
    });
    assert_eq!(bad.unwrap_err().field.as_deref(), Some("destinataire"));

    let vide = CourrierTexte {
        sections: Vec::new(),
        ..urg
    };
    let err = m.api.courrier_imprimer(vide).unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation, "{}", err.message);
    assert_eq!(m.api.documents_list(Id { id }).unwrap().len(), 1);
}

#[test]
fn the_drug_search_needs_no_session_and_prefills_a_line() {
    let m = mmg();
    let hits = m
        .api
        .medicaments_rechercher(MedicamentQuery {
            texte: "ketoprofene".into(),
            limite: Some(5),
        })
        .unwrap();
    assert!(!hits.is_empty() && hits.len() <= 5);
    assert!(
        hits.iter().all(|h| h.ligne.dci.contains("kétoprofène")),
        "found by DCI without accents"
    );
    assert!(
        hits[0].ligne.cis.is_some(),
        "the BDPM code comes with the line"
    );
}
