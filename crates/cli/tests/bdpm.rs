//! `appligarde-cli bdpm import|search` on a real encrypted store with the official releases at
//! hand: the complete 2017 one, then the 2019 extract (no CIS_CIP file): counts, the medicines
//! withdrawn or no longer marketed, prices and rates, the same files again changing nothing, a
//! broken file refused in French with the active version untouched, a non-admin refused.
#![allow(clippy::unwrap_used)]

use appligarde_api::{Api, ApiConfig};
use appligarde_store::KeySource;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "support/comptes.rs"]
mod comptes;
use comptes::{MDP, compte};

fn donnees() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm")
}

struct Mmg {
    dir: tempfile::TempDir,
    admin: i64,
    medecin: i64,
}

fn mmg() -> Mmg {
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
    let medecin = api
        .compte_creer(compte("GÉRARD", "medecin", Some("10181590836")))
        .unwrap()
        .id;
    Mmg {
        dir,
        admin,
        medecin,
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
            .env_remove("APPLIGARDE_UTILISATEUR")
            .output()
            .unwrap()
    }

    fn import(&self, dossier: &Path, utilisateur: i64) -> Output {
        self.cli(&[
            "bdpm",
            "import",
            dossier.to_str().unwrap(),
            "--utilisateur",
            &utilisateur.to_string(),
            "--json",
        ])
    }

    fn import_ok(&self, dossier: &Path) -> Value {
        let out = self.import(dossier, self.admin);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn search(&self, query: &str) -> Vec<Value> {
        let out = self.cli(&["bdpm", "search", query, "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn par_cis<'a>(hits: &'a [Value], cis: &str) -> Option<&'a Value> {
    hits.iter().find(|h| h["cis"] == cis)
}

#[test]
fn the_2017_release_then_the_2019_extract() {
    let m = mmg();
    // Before any import: the built-in extract (marketed medicines, no presentations).
    let avant = m.search("doliprane");
    assert!(!avant.is_empty());
    assert!(avant.iter().all(|h| h["commercialise"] == true));

    let r = m.import_ok(&donnees().join("2017-03"));
    assert_eq!(r["medicaments"], 14_442);
    assert_eq!(r["commercialises"], 11_950);
    assert_eq!(r["presentations"], 20_083);
    assert_eq!(r["changement"], "nouvelle");
    assert!(r["substances"].as_u64().unwrap() > 1000);
    assert!(r["groupes_generiques"].as_u64().unwrap() > 1000);

    let hits = m.search("acadione");
    let acadione = par_cis(&hits, "63185053").unwrap();
    assert_eq!(acadione["commercialise"], true);
    let boite = &acadione["presentations"][0];
    assert_eq!(boite["cip13"], "3400932939077");
    assert_eq!(boite["prix_eur"], 57.68);
    assert_eq!(boite["taux_remboursement"], "65%");
    let hits = m.search("benerva");
    let benerva = par_cis(&hits, "62974206").unwrap();
    assert_eq!(benerva["commercialise"], true);
    assert_eq!(
        benerva["presentations"][0]["prix_eur"],
        Value::Null,
        "no public price in 2017"
    );
    assert_eq!(
        benerva["presentations"][0]["taux_remboursement"],
        Value::Null
    );

    // The 2019 extract: BENERVA 100 mg/1 ml is gone, ACADIONE no longer marketed.
    let r = m.import_ok(&donnees());
    assert_eq!(r["medicaments"], 14_728);
    assert_eq!(r["commercialises"], 12_494);
    assert_eq!(r["presentations"], 0);
    assert_eq!(r["avec_presentations"], false);
    assert_eq!(r["changement"], "nouvelle");
    let hits = m.search("benerva");
    assert!(par_cis(&hits, "62974206").is_none(), "{hits:?}");
    assert!(par_cis(&hits, "66676755").is_some(), "{hits:?}");
    let hits = m.search("acadione");
    let acadione = par_cis(&hits, "63185053").unwrap();
    assert_eq!(acadione["commercialise"], false);
    assert_eq!(acadione["presentations"], Value::Array(vec![]));

    // The same files again: nothing changes (no new version, nothing journaled).
    let r = m.import_ok(&donnees());
    assert_eq!(r["changement"], "inchangee");
    let text = m.cli(&[
        "bdpm",
        "import",
        donnees().to_str().unwrap(),
        "--utilisateur",
        &m.admin.to_string(),
    ]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("rien n'a changé"), "{stdout}");
    assert!(stdout.contains("CIS_CIP_bdpm.txt est absent"), "{stdout}");
}

#[test]
fn a_broken_release_is_refused_and_the_active_version_stays() {
    let m = mmg();
    m.import_ok(&donnees());
    let casse = tempfile::tempdir().unwrap();
    for f in ["CIS_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_GENER_bdpm.txt"] {
        std::fs::copy(donnees().join(f), casse.path().join(f)).unwrap();
    }
    // Line 3 of the compositions loses its last columns.
    let compo = std::fs::read_to_string(casse.path().join("CIS_COMPO_bdpm.txt")).unwrap();
    let mut lignes: Vec<String> = compo.split_inclusive('\n').map(str::to_owned).collect();
    lignes[2] = lignes[2].split('\t').take(4).collect::<Vec<_>>().join("\t") + "\r\n";
    std::fs::write(casse.path().join("CIS_COMPO_bdpm.txt"), lignes.concat()).unwrap();
    let out = m.import(casse.path(), m.admin);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Fichier CIS_COMPO_bdpm.txt, ligne 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Aucune donnée n'a été remplacée"),
        "{stderr}"
    );
    // An empty directory.
    let vide = tempfile::tempdir().unwrap();
    let out = m.import(vide.path(), m.admin);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("CIS_bdpm.txt est absent"), "{stderr}");
    // The 2019 version is still the one searched: ACADIONE not marketed.
    let hits = m.search("acadione");
    assert_eq!(par_cis(&hits, "63185053").unwrap()["commercialise"], false);
    // The same files again are still recognised as the active version.
    assert_eq!(m.import_ok(&donnees())["changement"], "inchangee");
}

#[test]
fn only_the_mmg_admin_imports() {
    let m = mmg();
    let out = m.import(&donnees(), m.medecin);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Erreur"), "{stderr}");
    assert!(
        stderr.to_lowercase().contains("administrat"),
        "a French refusal naming the admin: {stderr}"
    );
}
