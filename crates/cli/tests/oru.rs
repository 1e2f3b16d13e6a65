//! `appligarde-cli rpu export` and `recherche export` on a real encrypted demo store: the RPU file
//! validates against the OSCOUR schema kept in `crates/export-oru/data/oscour.xsd` (Debian's
//! xmllint) and holds as many passages as the Statistiques screen counts; the research extract
//! holds no name, birth date or note, and every combination of quasi-identifiers is shared by at
//! least k patients; refusals (non-admin, no FINESS, bad periods, unwritable file) leave no file.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig,
    consultation::{ConsultationCreation, ConsultationSaisie},
    dto::{DemoOptions, MmgSettings},
    patient::PatientSaisie,
    session::Connexion,
    statistiques::PeriodeStatistiques,
};
use appligarde_store::{KeySource, Store};
use chrono::{Duration, Local, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MDP: &str = appligarde_api::demo::DEMO_MOT_DE_PASSE;
const FINESS: &str = "440000289";

struct Demo {
    dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
    du: NaiveDate,
    au: NaiveDate,
}

fn config(dir: &Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

/// The demo MMG (150 consultations over the past year), with or without a FINESS number, and one
/// consultation of yesterday evening carrying every RPU field the MMG can record.
fn demo(finess: bool) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::open(&config(dir.path())).unwrap();
    api.demo_seed(DemoOptions {
        consultations: 150,
        seed: 2009,
    })
    .unwrap();
    let users = api.utilisateurs_list().unwrap();
    let id = |role: &str| users.iter().find(|u| u.role == role).unwrap().id;
    let (admin, medecin) = (id("admin"), id("medecin"));
    let login = |id: i64| {
        api.session_login(Connexion {
            utilisateur_id: id,
            mot_de_passe: MDP.into(),
        })
        .unwrap()
    };
    if finess {
        login(admin);
        let mut m: MmgSettings = api.mmg_get().unwrap();
        m.finess = FINESS.into();
        api.mmg_save(m).unwrap();
    }
    login(medecin);
    let hier = Local::now().date_naive() - Duration::days(1);
    api.consultation_creer(ConsultationCreation {
        patient: Some(PatientSaisie {
            nom: "QUÉNÉHERVÉ".into(),
            prenom: "Ysaline".into(),
            sexe: "F".into(),
            date_naissance: "1971-06-23".into(),
            code_postal: "44150".into(),
            commune: "Ancenis-Saint-Géréon".into(),
            ..Default::default()
        }),
        consultation: ConsultationSaisie {
            arrivee: format!("{hier}T21:00"),
            debut: Some(format!("{hier}T21:10")),
            fin: Some(format!("{hier}T21:40")),
            mode_arrivee: "regule_centre15".into(),
            motif: "Douleur thoracique depuis ce soir".into(),
            motif_code: Some("r074".into()),
            gravite: Some("ccmu2".into()),
            transport: Some("perso".into()),
            examen: "Auscultation libre, ECG sans sus-décalage.".into(),
            diagnostic_principal: Some("R07.4".into()),
            actes: vec!["G".into(), "DEQP003".into()],
            orientation: Some("urgences".into()),
            ..Default::default()
        },
        cloturer: true,
        ..Default::default()
    })
    .unwrap();
    let au = hier;
    Demo {
        dir,
        admin,
        medecin,
        du: au - Duration::days(364),
        au,
    }
}

impl Demo {
    fn cli(&self, utilisateur: i64, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_appligarde-cli"))
            .arg("--data-dir")
            .arg(self.dir.path().join("data"))
            .arg("--key-file")
            .arg(self.dir.path().join("key"))
            .args(args)
            .env("APPLIGARDE_MOT_DE_PASSE", MDP)
            .env("APPLIGARDE_UTILISATEUR", utilisateur.to_string())
            .output()
            .unwrap()
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn export(&self, utilisateur: i64, quoi: &str, du: &str, au: &str, out: &Path) -> Output {
        self.cli(
            utilisateur,
            &[
                quoi,
                "export",
                "--from",
                du,
                "--to",
                au,
                "--out",
                out.to_str().unwrap(),
            ],
        )
    }

    fn periode(&self) -> (String, String) {
        (self.du.to_string(), self.au.to_string())
    }

    /// The Statistiques screen's count of consultations for the period.
    fn consultations_statistiques(&self) -> u32 {
        let api = Api::open(&config(self.dir.path())).unwrap();
        api.session_login(Connexion {
            utilisateur_id: self.medecin,
            mot_de_passe: MDP.into(),
        })
        .unwrap();
        let (du, au) = self.periode();
        api.statistiques_tableau(PeriodeStatistiques { du, au })
            .unwrap()
            .consultations
    }

    fn store(&self) -> Store {
        Store::open(
            &self.dir.path().join("data"),
            &KeySource::File(self.dir.path().join("key")),
        )
        .unwrap()
    }

    fn exports_journalises(&self, objet: &str) -> i64 {
        self.store()
            .conn()
            .query_row(
                "SELECT count(*) FROM journal WHERE action = 'export' AND objet = ?1",
                [objet],
                |r| r.get(0),
            )
            .unwrap()
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

fn refuse(out: &Output, attendu: &str) {
    assert!(!out.status.success(), "must be refused");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("Erreur : ") && stderr.contains(attendu),
        "French error with « {attendu} »: {stderr}"
    );
}

/// Only the files the test expects in its folder: no partial or temporary file.
fn fichiers(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "data" && n != "key")
        .collect()
}

fn xsd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../export-oru/data/oscour.xsd")
}

#[test]
fn rpu_export_validates_against_the_oscour_schema_and_counts_equal_statistiques() {
    let d = demo(true);
    let (du, au) = d.periode();
    let fichier = d.out("rpu.xml");
    let out = d.export(d.admin, "rpu", &du, &au, &fichier);
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("résumé(s) de passage"), "{stdout}");
    // The demo records no CCMU: the export says so, in French.
    assert!(stdout.contains("gravité (CCMU)"), "{stdout}");

    let xmllint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(xsd())
        .arg(&fichier)
        .output()
        .unwrap();
    assert!(
        xmllint.status.success(),
        "xmllint: {}",
        String::from_utf8_lossy(&xmllint.stderr)
    );

    let xml = std::fs::read_to_string(&fichier).unwrap();
    let passages = xml.matches("<PATIENT>").count();
    assert!(passages > 100, "the demo year is in the file: {passages}");
    assert_eq!(
        u32::try_from(passages).unwrap(),
        d.consultations_statistiques(),
        "one PATIENT per consultation the Statistiques screen counts"
    );
    assert!(xml.contains(&format!("<FINESS>{FINESS}</FINESS>")));
    // The consultation with every recordable field.
    let hier = d.au.format("%d/%m/%Y").to_string();
    let patient = xml
        .split("<PATIENT>")
        .find(|p| p.contains(&format!("<ENTREE>{hier} 21:00</ENTREE>")) && p.contains("R07.4"))
        .unwrap();
    for attendu in [
        "<CP>44150</CP>",
        "<NAISSANCE>23/06/1971</NAISSANCE>",
        "<SEXE>F</SEXE>",
        "<MODE_ENTREE>8</MODE_ENTREE>",
        "<PROVENANCE>5</PROVENANCE>",
        "<TRANSPORT>PERSO</TRANSPORT>",
        "<MOTIF>R07.4</MOTIF>",
        "<GRAVITE>2</GRAVITE>",
        "<DP>R07.4</DP>",
        "<ACTE>DEQP003</ACTE>",
        &format!("<SORTIE>{hier} 21:40</SORTIE>"),
        "<MODE_SORTIE>7</MODE_SORTIE>",
        "<DESTINATION>1</DESTINATION>",
    ] {
        assert!(patient.contains(attendu), "{attendu} in {patient}");
    }
    assert!(!xml.contains("<ACTE>G</ACTE>"), "NGAP letters are not acts");
    for texte in [
        "QUÉNÉHERVÉ",
        "Ysaline",
        "Douleur thoracique",
        "sus-décalage",
    ] {
        assert!(!xml.contains(texte), "{texte} must not leave the MMG");
    }
    assert_eq!(
        d.exports_journalises("rpu"),
        1,
        "the export is in the journal"
    );
}

#[test]
fn rpu_export_refusals_are_french_and_leave_no_file() {
    let d = demo(false);
    let (du, au) = d.periode();
    let fichier = d.out("rpu.xml");
    refuse(&d.export(d.admin, "rpu", &du, &au, &fichier), "FINESS");
    refuse(
        &d.export(d.medecin, "rpu", &du, &au, &fichier),
        "administrat",
    );
    refuse(
        &d.export(d.admin, "rpu", &au, &du, &fichier),
        "avant son début",
    );
    let long = (d.au - Duration::days(400)).to_string();
    refuse(
        &d.export(d.admin, "rpu", &long, &au, &fichier),
        "trop longue",
    );
    // 151 consultations in a year never give classes of 100 patients: nothing to write.
    let k100 = d.out("k100.csv");
    refuse(
        &d.cli(
            d.admin,
            &[
                "recherche",
                "export",
                "--from",
                &du,
                "--to",
                &au,
                "--out",
                k100.to_str().unwrap(),
                "--k",
                "100",
            ],
        ),
        "ne peut être extraite",
    );
    assert_eq!(fichiers(d.dir.path()), BTreeSet::new(), "no file at all");
    assert_eq!(d.exports_journalises("rpu"), 0);
    assert_eq!(d.exports_journalises("recherche"), 0);
}

#[test]
fn an_export_to_a_missing_folder_fails_whole() {
    let d = demo(true);
    let (du, au) = d.periode();
    let fichier = d.out("absent").join("rpu.xml");
    refuse(
        &d.export(d.admin, "rpu", &du, &au, &fichier),
        "n'a pas pu être écrit",
    );
    assert!(!d.out("absent").exists());
    assert_eq!(fichiers(d.dir.path()), BTreeSet::new());
    assert_eq!(
        d.exports_journalises("rpu"),
        0,
        "nothing exported, nothing journaled"
    );
}

/// The CSV's rows as fields (BOM and CRLF removed).
fn lignes_csv(texte: &str) -> Vec<Vec<String>> {
    texte
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(';').map(str::to_owned).collect())
        .collect()
}

/// Names, first names, birth dates (both formats) and the free texts of the store.
fn interdits(d: &Demo) -> BTreeSet<String> {
    let mut interdits: BTreeSet<String> = BTreeSet::new();
    let store = d.store();
    let conn = store.conn();
    let mut stmt = conn
        .prepare("SELECT nom, prenom, date_naissance FROM patient")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (nom, prenom, naissance) = row.unwrap();
        let date = NaiveDate::parse_from_str(&naissance, "%Y-%m-%d").unwrap();
        interdits.insert(nom);
        interdits.insert(prenom);
        interdits.insert(naissance);
        interdits.insert(date.format("%d/%m/%Y").to_string());
    }
    let mut stmt = conn
        .prepare("SELECT motif, anamnese, examen, conclusion FROM consultation")
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            Ok([
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ])
        })
        .unwrap();
    for row in rows {
        interdits.extend(row.unwrap().into_iter().filter(|t| t.chars().count() > 3));
    }
    interdits
}

/// A busier year: 3,000 more consultations of 600 patients of three communes (two
/// départements), inserted in one transaction (the demo's 150 alone are too sparse for k = 5).
fn ajouter_une_annee_chargee(d: &Demo) {
    let mut store = d.store();
    let (du, au) = (d.du, d.au);
    store
        .write(|tx| {
            let mut x: u64 = 0x2017;
            let mut suivant = move |n: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % n
            };
            let communes = [
                ("44150", "Ancenis-Saint-Géréon", "44003"),
                ("44000", "Nantes", "44109"),
                ("49000", "Angers", "49007"),
            ];
            let premier: i64 =
                tx.query_row("SELECT coalesce(max(id), 0) FROM patient", [], |r| r.get(0))?;
            for i in 0..600 {
                let (cp, commune, insee) = communes[(i % 3) as usize];
                let naissance = au - Duration::days(i64::try_from(suivant(90 * 365)).unwrap());
                tx.execute(
                    "INSERT INTO patient (nom, prenom, sexe, date_naissance, code_postal, commune,
                         code_insee, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '2026-01-01T00:00:00Z')",
                    (
                        format!("PATIENTCHARGE{i}"),
                        format!("Prénomcharge{i}"),
                        if i % 2 == 0 { "F" } else { "M" },
                        naissance.to_string(),
                        cp,
                        commune,
                        insee,
                    ),
                )?;
            }
            for c in 0..3000 {
                let patient = premier + 1 + i64::try_from(suivant(600)).unwrap();
                let jour = du + Duration::days(i64::try_from(suivant(365)).unwrap());
                let arrivee = format!("{jour}T{:02}:{:02}:00", 20 + suivant(3), suivant(60));
                tx.execute(
                    "INSERT INTO consultation (uid, patient_id, arrivee, mode_arrivee, statut,
                         anamnese, created_at, updated_at)
                     VALUES (?1, ?2, ?3, 'spontane', 'cloturee', ?4, ?3, ?3)",
                    (
                        format!("charge-{c}"),
                        patient,
                        arrivee,
                        format!("Note libre numéro {c} du médecin"),
                    ),
                )?;
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn the_research_extract_holds_no_identity_and_is_k_anonymous() {
    let d = demo(false);
    ajouter_une_annee_chargee(&d);
    let (du, au) = d.periode();
    let csv = d.out("recherche.csv");
    let out = d.export(d.admin, "recherche", &du, &au, &csv);
    ok(&out);
    let octets = std::fs::read(&csv).unwrap();
    assert!(octets.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with its BOM");
    let texte = String::from_utf8(octets).unwrap();
    let lignes = lignes_csv(&texte);
    let entete = &lignes[0];
    assert_eq!(entete[0], "pseudonyme_patient");
    let donnees = &lignes[1..];
    assert!(
        donnees.len() > 2500,
        "most consultations are kept: {}",
        donnees.len()
    );

    // What the store knows of the patients and the consultations never appears.
    let interdits = interdits(&d);
    assert!(interdits.len() > 100);
    for interdit in &interdits {
        assert!(
            !texte.contains(interdit.as_str()),
            "« {interdit} » found in the extract"
        );
    }

    // Every combination of age, sex, place and period is shared by at least 5 patients.
    let mut classes: BTreeMap<Vec<String>, BTreeSet<String>> = BTreeMap::new();
    for l in donnees {
        let lieu = if l[3].is_empty() {
            format!("d{}", l[4])
        } else {
            l[3].clone()
        };
        classes
            .entry(vec![l[1].clone(), l[2].clone(), lieu, l[5].clone()])
            .or_default()
            .insert(l[0].clone());
    }
    for (classe, patients) in &classes {
        let lignes = donnees
            .iter()
            .filter(|l| {
                let lieu = if l[3].is_empty() {
                    format!("d{}", l[4])
                } else {
                    l[3].clone()
                };
                [&l[1], &l[2], &lieu, &l[5]] == [&classe[0], &classe[1], &classe[2], &classe[3]]
            })
            .count();
        assert!(
            patients.len() >= 5 && lignes >= 5,
            "{classe:?}: {} patients",
            patients.len()
        );
    }

    // The JSON result says what was generalised; a second extract gives the same pseudonyms.
    let json = d.cli(
        d.admin,
        &[
            "recherche",
            "export",
            "--from",
            &du,
            "--to",
            &au,
            "--out",
            d.out("recherche.xlsx").to_str().unwrap(),
            "--json",
        ],
    );
    ok(&json);
    let resultat: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let rapport = &resultat["rapport"];
    assert_eq!(rapport["k"], 5);
    assert_eq!(
        rapport["lignes"].as_u64().unwrap() + rapport["lignes_supprimees"].as_u64().unwrap(),
        rapport["consultations"].as_u64().unwrap()
    );
    assert_eq!(
        rapport["lignes"].as_u64().unwrap(),
        u64::try_from(donnees.len()).unwrap()
    );
    assert!(
        resultat["message"]
            .as_str()
            .unwrap()
            .contains("au moins 5 patients")
    );
    assert!(
        std::fs::read(d.out("recherche.xlsx"))
            .unwrap()
            .starts_with(b"PK")
    );
    let again = d.out("encore.csv");
    ok(&d.export(d.admin, "recherche", &du, &au, &again));
    let pseudos =
        |t: &str| -> BTreeSet<String> { lignes_csv(t)[1..].iter().map(|l| l[0].clone()).collect() };
    assert_eq!(
        pseudos(&texte),
        pseudos(&std::fs::read_to_string(&again).unwrap()),
        "the same key, the same pseudonyms"
    );
    assert_eq!(d.exports_journalises("recherche"), 3);

    // k below 2 and non-admins are refused, without a file.
    let refusé = d.out("refus.csv");
    refuse(
        &d.cli(
            d.admin,
            &[
                "recherche",
                "export",
                "--from",
                &du,
                "--to",
                &au,
                "--out",
                refusé.to_str().unwrap(),
                "--k",
                "1",
            ],
        ),
        "au moins 2",
    );
    refuse(
        &d.export(d.medecin, "recherche", &du, &au, &refusé),
        "administrat",
    );
    assert!(!refusé.exists());
}
