//! `appligarde-cli ordonnance prescrire|pdf` and `courrier pdf` on a real encrypted store: the PDFs
//! are read back with pdftotext (every mandatory mention, French accents intact), each print is
//! recorded with its hash, and a child without weight is refused in French.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig,
    consultation::{ConsultationCreation, ConsultationSaisie},
    dto::MmgSettings,
    patient::PatientSaisie,
    session::Connexion,
};
use appligarde_store::{KeySource, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/comptes.rs"]
mod comptes;
use comptes::{MDP, compte};

struct Mmg {
    dir: tempfile::TempDir,
    medecin: i64,
    adulte: i64,
    enfant: i64,
}

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

fn consultation(api: &Api, nom: &str, naissance: &str, poids: Option<f64>) -> i64 {
    api.consultation_creer(ConsultationCreation {
        patient: Some(PatientSaisie {
            nom: nom.into(),
            prenom: "Zoé".into(),
            sexe: "F".into(),
            date_naissance: naissance.into(),
            allergies: "Pénicilline".into(),
            medecin_traitant: "Dr François Lefèvre".into(),
            taille_cm: Some(162.0),
            ..Default::default()
        }),
        consultation: ConsultationSaisie {
            arrivee: "2026-11-20T21:00".into(),
            mode_arrivee: "spontane".into(),
            motif: "Douleur lombaire aiguë après effort".into(),
            examen: "Contracture paravertébrale, pas de déficit.".into(),
            temperature: Some(37.1),
            ta_systolique: Some(132),
            ta_diastolique: Some(81),
            frequence_cardiaque: Some(76),
            spo2: Some(99),
            poids_kg: poids,
            diagnostic_principal: Some("M54.5".into()),
            orientation: Some("retour_domicile".into()),
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap()
    .id
}

/// A store with the MMG's identity, a doctor, an adult's and a child's consultation (no weight).
fn mmg() -> Mmg {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&config(dir.path())).unwrap();
    api.compte_initial(compte("RENAUD", "admin", None)).unwrap();
    api.mmg_save(MmgSettings {
        nom: "Maison médicale de garde des Mauges".into(),
        adresse: "3 place de l'Église".into(),
        code_postal: "49600".into(),
        commune: "Beaupréau-en-Mauges".into(),
        telephone: "+33 2 41 00 00 00".into(),
        email: "garde@mmg-mauges.example.fr".into(),
        departement: "49".into(),
        finess: String::new(),
    })
    .unwrap();
    let medecin = api
        .compte_creer(compte("GÉRARD", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    api.session_login(Connexion {
        utilisateur_id: medecin,
        mot_de_passe: MDP.into(),
    })
    .unwrap();
    let adulte = consultation(&api, "Béranger", "1979-02-14", Some(71.5));
    let enfant = consultation(&api, "Noël", "2023-01-10", None);
    Mmg {
        dir,
        medecin,
        adulte,
        enfant,
    }
}

impl Mmg {
    fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--key-file")
            .arg(self.dir.path().join("key"))
            .args(args)
            .env("APPLIGARDE_MOT_DE_PASSE", MDP)
            .env("APPLIGARDE_UTILISATEUR", self.medecin.to_string())
            .output()
            .unwrap()
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn prescrire(&self, consultation: i64, lignes: &serde_json::Value) -> Output {
        let path = self.out(&format!("lignes-{consultation}.json"));
        std::fs::write(&path, lignes.to_string()).unwrap();
        self.cli(&[
            "ordonnance",
            "prescrire",
            "--consultation",
            &consultation.to_string(),
            "--json",
            path.to_str().unwrap(),
        ])
    }
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// All pages' text (pdftotext -layout), spaces collapsed so that checks ignore columns.
fn texte(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext must read {}",
        pdf.display()
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn contient_tout(texte: &str, attendus: &[&str], quoi: &str) {
    for a in attendus {
        assert!(texte.contains(a), "{quoi}: « {a} » missing from:\n{texte}");
    }
}

fn lignes() -> serde_json::Value {
    serde_json::json!([
        {
            "medicament": "Kétoprofène",
            "dci": "kétoprofène",
            "dosage": "100 mg",
            "forme": "comprimé à libération prolongée",
            "posologie": "1 comprimé matin et soir au cours du repas",
            "duree_ou_quantite": "5 jours",
            "renouvellements": 0
        },
        {
            "medicament": "Lévothyrox",
            "dci": "lévothyroxine sodique",
            "dosage": "75 µg",
            "forme": "comprimé sécable",
            "posologie": "1 comprimé le matin à jeun",
            "duree_ou_quantite": "1 boîte",
            "renouvellements": 2,
            "non_substituable": true,
            "mention_non_substituable": "MTE"
        }
    ])
}

#[test]
fn ordonnance_pdf_has_every_mandatory_mention_and_is_recorded() {
    let m = mmg();
    ok(&m.prescrire(m.adulte, &lignes()));
    let pdf = m.out("ordonnance.pdf");
    let out = m.cli(&[
        "ordonnance",
        "pdf",
        "--consultation",
        &m.adulte.to_string(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    ok(&out);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let t = texte(&pdf);
    contient_tout(
        &t,
        &[
            // Prescriber: name, title/specialty, RPPS, professional address with France, phone, e-mail.
            "Hélène GÉRARD",
            "Médecin généraliste",
            "10181590836",
            "Maison médicale de garde des Mauges",
            "3 place de l'Église",
            "49600 Beaupréau-en-Mauges — France",
            "+33 2 41 00 00 00",
            "garde@mmg-mauges.example.fr",
            // Date (below), patient identity, sex, birth date, weight and height.
            "Fait à Beaupréau-en-Mauges, le ",
            "BÉRANGER",
            "Zoé",
            "Féminin",
            "14/02/1979",
            "71,5 kg",
            "162 cm",
            // Each drug: name, DCI, strength, form, posology, duration, renewals, non-substitution.
            "Kétoprofène 100 mg",
            "DCI : kétoprofène",
            "comprimé à libération prolongée",
            "1 comprimé matin et soir au cours du repas",
            "5 jours",
            "Non renouvelable",
            "Lévothyrox 75 µg",
            "lévothyroxine sodique",
            "À renouveler 2 fois",
            "Non substituable (MTE)",
            "Page 1/1",
        ],
        "ordonnance",
    );
    // The CLI prints with the real clock: the date is today in Paris (within a day of UTC).
    let today = chrono::Utc::now().date_naive();
    assert!(
        [-1, 0, 1].iter().any(|d| {
            let day = today + chrono::Duration::days(*d);
            t.contains(&format!("Ordonnance du {}", day.format("%d/%m/%Y")))
        }),
        "dated today: {t}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("enregistré"),
        "the CLI says the print is recorded"
    );

    // The print is recorded with the hash of exactly these bytes, and in the audit log.
    let store = Store::open(&m.dir.path().join("data"), &config(m.dir.path()).key).unwrap();
    let docs = store.documents_de_consultation(m.adulte).unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].nature, "ordonnance");
    assert_eq!(docs[0].auteur_id, Some(m.medecin));
    assert_eq!(docs[0].empreinte, appligarde_documents::empreinte(&bytes));
    let journal = store.journal(Some(("consultation", m.adulte)), 20).unwrap();
    assert!(
        journal.iter().any(|e| e.action == "impression"),
        "the print is in the audit log"
    );
}

#[test]
fn letters_are_prefilled_from_the_consultation() {
    let m = mmg();
    ok(&m.prescrire(m.adulte, &lignes()));
    let mt = m.out("medecin-traitant.pdf");
    ok(&m.cli(&[
        "courrier",
        "pdf",
        "--consultation",
        &m.adulte.to_string(),
        "--type",
        "medecin-traitant",
        "--out",
        mt.to_str().unwrap(),
    ]));
    contient_tout(
        &texte(&mt),
        &[
            "Courrier au médecin traitant",
            "Dr François Lefèvre",
            "Motif de consultation",
            "Douleur lombaire aiguë après effort",
            "Contracture paravertébrale",
            "(M54.5)",
            "Traitement prescrit",
            "Kétoprofène 100 mg",
            "Retour à domicile",
            "10181590836",
            "Cher confrère, chère consœur,",
        ],
        "letter to the médecin traitant",
    );

    let urg = m.out("urgences.pdf");
    ok(&m.cli(&[
        "courrier",
        "pdf",
        "--consultation",
        &m.adulte.to_string(),
        "--type",
        "urgences",
        "--out",
        urg.to_str().unwrap(),
    ]));
    contient_tout(
        &texte(&urg),
        &[
            "Adressage aux urgences",
            "Service des urgences",
            "Motif d'adressage",
            "TA : 132/81 mmHg",
            "FC : 76 /min",
            "T° : 37,1 °C",
            "SpO2 : 99 %",
            "Traitements déjà administrés",
            "Allergies",
            "Pénicilline",
            "joignable au +33 2 41 00 00 00",
        ],
        "referral to the emergency department",
    );

    let bad = m.cli(&[
        "courrier",
        "pdf",
        "--consultation",
        &m.adulte.to_string(),
        "--type",
        "pharmacie",
        "--out",
        m.out("x.pdf").to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("type de courrier inconnu"));
    let store = Store::open(&m.dir.path().join("data"), &config(m.dir.path()).key).unwrap();
    let natures: Vec<String> = store
        .documents_de_consultation(m.adulte)
        .unwrap()
        .into_iter()
        .map(|d| d.nature)
        .collect();
    assert_eq!(
        natures,
        ["medecin_traitant", "urgences"],
        "both recorded, in order"
    );
}

#[test]
fn a_child_without_weight_is_refused_in_french_and_nothing_is_written() {
    let m = mmg();
    ok(&m.prescrire(m.enfant, &lignes()));
    let pdf = m.out("enfant.pdf");
    let out = m.cli(&[
        "ordonnance",
        "pdf",
        "--consultation",
        &m.enfant.to_string(),
        "--out",
        pdf.to_str().unwrap(),
    ]);
    assert!(
        !out.status.success(),
        "a child's ordonnance needs the weight"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Erreur : Le poids est obligatoire sur l'ordonnance d'un enfant"),
        "clear French message: {stderr}"
    );
    assert!(!pdf.exists(), "no PDF for a refused ordonnance");
    let store = Store::open(&m.dir.path().join("data"), &config(m.dir.path()).key).unwrap();
    assert!(
        store
            .documents_de_consultation(m.enfant)
            .unwrap()
            .is_empty()
    );
}
