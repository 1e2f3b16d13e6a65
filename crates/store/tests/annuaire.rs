//! The annuaire in a real encrypted store: RPPS imports (sample, old Latin-1 layout, broken lines),
//! the re-import diff, failed imports that leave the annuaire intact, search, local entries and
//! duty doctors made from the annuaire.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, Cursor, Read};
use std::path::Path;

use appligarde_domain::{luhn, mmg::MmgIdentity};
use appligarde_rpps::Filtre;
use appligarde_store::annuaire::{
    self, Correspondant, EntreeLocale, ImportOptions, ImportPhase, ImportSummary,
    SourceCorrespondant, TypeLocal,
};
use appligarde_store::{KeySource, Store, StoreError, mmg};

const NOW: &str = "2026-03-01T10:00:00Z";

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/../rpps/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample() -> String {
    String::from_utf8(data("PS_LibreAcces_Personne_activite_sample.txt")).unwrap()
}

fn open(dir: &Path) -> Store {
    Store::open(&dir.join("data"), &KeySource::File(dir.join("key"))).unwrap()
}

fn set_mmg(store: &mut Store, departement: &str) {
    let identity = MmgIdentity {
        nom: "MMG de test".into(),
        departement: departement.into(),
        ..Default::default()
    };
    store
        .write(|tx| mmg::save_identity(tx, &identity, NOW))
        .unwrap();
}

fn import_with(
    store: &mut Store,
    bytes: &[u8],
    filtre: Filtre,
) -> Result<ImportSummary, StoreError> {
    let options = ImportOptions {
        fichier: "PS_LibreAcces_Personne_activite.txt",
        filtre,
        debut: NOW,
    };
    store.import_rpps(
        Cursor::new(bytes),
        Some(bytes.len() as u64),
        &options,
        &mut |_| {},
    )
}

fn import(store: &mut Store, bytes: &[u8]) -> ImportSummary {
    import_with(store, bytes, Filtre::default()).unwrap()
}

/// A file split into its header and data lines.
struct Fichier {
    header: String,
    lines: Vec<String>,
}

impl Fichier {
    fn parse(text: &str) -> Self {
        let mut it = text.lines();
        Self {
            header: it.next().unwrap().to_owned(),
            lines: it.map(str::to_owned).collect(),
        }
    }
    fn col(&self, name: &str) -> usize {
        self.header
            .split('|')
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("column {name}"))
    }
    fn field(&self, line: &str, name: &str) -> String {
        line.split('|').nth(self.col(name)).unwrap().to_owned()
    }
    fn rpps(&self, line: &str) -> String {
        self.field(line, "Identifiant PP")
    }
    fn with_field(&self, line: &str, name: &str, value: &str) -> String {
        let i = self.col(name);
        line.split('|')
            .enumerate()
            .map(|(j, f)| if j == i { value } else { f })
            .collect::<Vec<_>>()
            .join("|")
    }
    /// Lines per RPPS number, in file order.
    fn by_rpps(&self) -> BTreeMap<String, Vec<String>> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for l in &self.lines {
            map.entry(self.rpps(l)).or_default().push(l.clone());
        }
        map
    }
    fn bytes(&self) -> Vec<u8> {
        let mut out = self.header.clone();
        out.push('\n');
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out.into_bytes()
    }
}

/// An 11-digit RPPS number with a valid Luhn key, from a 10-digit body.
/// A new store in a temporary directory with the sample imported, and the sample parsed.
fn sample_imported() -> (tempfile::TempDir, Store, Fichier) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let text = sample();
    import(&mut store, text.as_bytes());
    (dir, store, Fichier::parse(&text))
}

fn rpps_from(body: u64) -> String {
    (0..10)
        .map(|k| format!("{body}{k}"))
        .find(|n| luhn::is_valid_rpps(n))
        .unwrap()
}

fn rpps_of(c: &Correspondant) -> Option<&str> {
    match &c.source {
        SourceCorrespondant::Rpps { rpps } => Some(rpps),
        SourceCorrespondant::Local { .. } => None,
    }
}

#[test]
fn the_sample_becomes_one_practitioner_per_rpps_with_one_site_per_structure() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let text = sample();
    let file = Fichier::parse(&text);
    let people = file.by_rpps();

    let mut phases = Vec::new();
    let mut last_bytes = 0;
    let options = ImportOptions {
        fichier: "sample.txt",
        filtre: Filtre::default(),
        debut: NOW,
    };
    let bytes = text.as_bytes();
    let summary = store
        .import_rpps(
            Cursor::new(bytes),
            Some(bytes.len() as u64),
            &options,
            &mut |p| {
                assert!(p.octets_lus >= last_bytes, "progress never goes back");
                last_bytes = p.octets_lus;
                if phases.last() != Some(&p.phase) {
                    phases.push(p.phase);
                }
            },
        )
        .unwrap();
    assert_eq!(
        phases,
        [
            ImportPhase::Lecture,
            ImportPhase::Comparaison,
            ImportPhase::Index
        ],
        "the progress callback walks through the three phases in order"
    );
    assert_eq!(last_bytes, bytes.len() as u64, "the whole file was read");
    assert_eq!(summary.activites, file.lines.len() as u64);
    assert_eq!(summary.malformees, 0);
    assert_eq!(summary.colonnes, 56);
    assert_eq!(summary.encodage, "UTF-8");
    assert_eq!(
        summary.ajoutes,
        people.len() as u64,
        "one practitioner per distinct RPPS number"
    );
    assert_eq!(
        (summary.modifies, summary.inchanges, summary.desactives),
        (0, 0, 0)
    );
    assert_eq!(
        store.praticiens_count().unwrap(),
        (people.len() as u64, people.len() as u64)
    );

    // A practitioner with several lines is one person with their sites.
    let (multi, lines) = people.iter().find(|(_, l)| l.len() > 1).unwrap();
    let p = store.praticien(multi).unwrap().unwrap();
    assert_eq!(p.nom, file.field(&lines[0], "Nom d'exercice"));
    let communes: BTreeSet<String> = lines
        .iter()
        .map(|l| file.field(l, "Libellé commune (coord. structure)"))
        .collect();
    let stored: BTreeSet<String> = p.sites.iter().map(|s| s.commune.clone()).collect();
    assert_eq!(stored, communes, "each activity's structure is a site");
    assert!(p.sites.iter().all(|s| s.actif));

    // Importing the same file again changes nothing.
    let again = import(&mut store, bytes);
    assert_eq!(
        (
            again.ajoutes,
            again.modifies,
            again.desactives,
            again.inchanges
        ),
        (0, 0, 0, people.len() as u64),
        "a re-import of the same file finds every practitioner unchanged"
    );
    store.integrity_check().unwrap();
}

#[test]
fn two_activities_give_two_sites_and_general_practice_wins_the_specialty() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let summary = import(&mut store, &data("deux_activites.txt"));
    assert_eq!((summary.activites, summary.ajoutes), (3, 2));
    let p = store.praticien("10000000660").unwrap().unwrap();
    assert_eq!(
        (p.nom.as_str(), p.prenom.as_str()),
        ("BERNARD", "Anne-Cécile")
    );
    assert_eq!(
        p.specialite_code, "SM54",
        "SM54 is chosen although the first line says SM26"
    );
    let mut communes: Vec<&str> = p.sites.iter().map(|s| s.commune.as_str()).collect();
    communes.sort_unstable();
    assert_eq!(communes, ["NANTES", "SAINT-NAZAIRE"]);

    let again = import(&mut store, &data("deux_activites.txt"));
    assert_eq!(
        (again.modifies, again.inchanges),
        (0, 2),
        "lines of one practitioner spread in the file are the same practitioner on re-import"
    );
    assert_eq!(
        store
            .praticien("10000000660")
            .unwrap()
            .unwrap()
            .specialite_code,
        "SM54"
    );
}

#[test]
fn the_old_latin1_crlf_layout_keeps_its_accents_and_is_found_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    set_mmg(&mut store, "44");
    let summary = import(&mut store, &data("ancien_52_latin1_crlf.txt"));
    assert_eq!(summary.encodage, "Latin-1");
    assert_eq!(summary.colonnes, 52);
    assert_eq!(
        (summary.activites, summary.ajoutes, summary.malformees),
        (5, 5, 0)
    );

    let found = store.annuaire_search("lefevre", Some("44"), 20).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].nom, "LEFÈVRE",
        "stored as written, found without accents"
    );
    assert_eq!(found[0].prenom, "Hélène");

    let gereon = store
        .annuaire_search("saint-géréon", Some("44"), 20)
        .unwrap();
    assert!(
        gereon.iter().any(|c| c.commune == "ANCENIS-SAINT-GÉRÉON"),
        "a commune typed with or without accents and hyphen is found: {gereon:?}"
    );
    let laetitia = store.annuaire_search("laetitia", None, 20).unwrap();
    assert_eq!(laetitia.len(), 1, "æ folds to ae: {laetitia:?}");
    assert_eq!(laetitia[0].prenom, "Lætitia");
    let rpps = rpps_of(&found[0]).unwrap();
    let p = store.praticien(rpps).unwrap().unwrap();
    assert!(
        p.sites
            .iter()
            .all(|s| !s.adresse.contains('\r') && !s.commune.contains('\r')),
        "CRLF leaves no carriage return in stored fields"
    );
}

#[test]
fn broken_lines_are_reported_by_number_and_the_good_ones_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let summary = import(&mut store, &data("lignes_cassees.txt"));
    let numbers: Vec<u64> = summary.lignes_malformees.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        numbers,
        [3, 4, 6, 7, 9, 10, 12],
        "as described in the data README"
    );
    assert_eq!(summary.malformees, 7);
    assert_eq!((summary.activites, summary.ajoutes), (3, 3));
    assert!(
        summary.lignes_malformees[1].1.contains("RPPS invalide"),
        "reasons are French: {:?}",
        summary.lignes_malformees
    );
    for rpps in ["10000000884", "10000000991", "10000001015"] {
        assert!(store.praticien(rpps).unwrap().is_some(), "{rpps} imported");
    }
    let history = store.imports_rpps(10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].statut.as_str(), history[0].malformees),
        ("termine", 7)
    );
}

/// The sample, modified: 3 practitioners removed, 2 with a new phone number, 1 new, and one
/// site of a multi-site practitioner removed.
struct Modified {
    bytes: Vec<u8>,
    removed: Vec<String>,
    phone_changed: Vec<String>,
    added: String,
    lost_site: String,
}

fn modified_sample(file: &Fichier) -> Modified {
    let people = file.by_rpps();
    let singles: Vec<&String> = people
        .iter()
        .filter(|(_, l)| l.len() == 1)
        .map(|(r, _)| r)
        .collect();
    let removed: Vec<String> = singles[..3].iter().map(|r| (*r).clone()).collect();
    let phone_changed: Vec<String> = singles[3..5].iter().map(|r| (*r).clone()).collect();
    let lost_site = people
        .iter()
        .find(|(_, l)| l.len() >= 2)
        .map(|(r, _)| r.clone())
        .unwrap();
    let added = rpps_from(9_876_543_210);
    assert!(!people.contains_key(&added));

    let mut lines = Vec::new();
    let mut dropped_site = false;
    for l in &file.lines {
        let r = file.rpps(l);
        if removed.contains(&r) {
            continue;
        }
        if r == lost_site && !dropped_site {
            dropped_site = true;
            continue;
        }
        if phone_changed.contains(&r) {
            lines.push(file.with_field(l, "Téléphone (coord. structure)", "0240000000"));
        } else {
            lines.push(l.clone());
        }
    }
    let template = &file.lines[0];
    let new_line = file.with_field(
        &file.with_field(template, "Identifiant PP", &added),
        "Nom d'exercice",
        "NOUVELLE-ARRIVÉE",
    );
    lines.push(file.with_field(
        &new_line,
        "Identification nationale PP",
        &format!("8{added}"),
    ));
    let out = Fichier {
        header: file.header.clone(),
        lines,
    };
    Modified {
        bytes: out.bytes(),
        removed,
        phone_changed,
        added,
        lost_site,
    }
}

#[test]
fn a_reimport_counts_added_changed_removed_and_keeps_the_removed_as_inactive() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    set_mmg(&mut store, "44");
    let text = sample();
    let file = Fichier::parse(&text);
    let total = file.by_rpps().len() as u64;
    import(&mut store, text.as_bytes());

    let m = modified_sample(&file);
    let summary = import(&mut store, &m.bytes);
    assert_eq!(summary.ajoutes, 1, "one new RPPS number");
    assert_eq!(
        summary.modifies, 3,
        "two new phone numbers and one practitioner who lost a site"
    );
    assert_eq!(
        summary.desactives, 3,
        "three practitioners absent from the new file"
    );
    assert_eq!(summary.inchanges, total - 3 - 3);
    assert_eq!(summary.praticiens_actifs, total - 3 + 1);

    for rpps in &m.removed {
        let p = store.praticien(rpps).unwrap().expect("never deleted");
        assert!(!p.actif, "{rpps} absent from the file is inactive");
        assert!(
            !p.sites.is_empty(),
            "its addresses are kept for the letters"
        );
        let found = store.annuaire_search(&p.nom, None, 100).unwrap();
        assert!(
            found.iter().all(|c| rpps_of(c) != Some(rpps.as_str())),
            "an inactive practitioner is not proposed by the search"
        );
    }
    for rpps in &m.phone_changed {
        let p = store.praticien(rpps).unwrap().unwrap();
        assert_eq!(p.sites[0].telephone, "0240000000");
    }
    let lost = store.praticien(&m.lost_site).unwrap().unwrap();
    assert!(lost.actif);
    assert_eq!(
        lost.sites.iter().filter(|s| !s.actif).count(),
        1,
        "the site missing from the new file is inactive"
    );
    let newcomer = store.annuaire_search("nouvelle arrivee", None, 20).unwrap();
    assert_eq!(
        newcomer.len(),
        1,
        "the new practitioner is searchable: {newcomer:?}"
    );
    assert_eq!(rpps_of(&newcomer[0]), Some(m.added.as_str()));

    // Back to the original file: the removed come back, the newcomer leaves.
    let back = import(&mut store, text.as_bytes());
    assert_eq!(back.ajoutes, 0);
    assert_eq!(back.reactives, 3);
    assert_eq!(back.desactives, 1);
    assert_eq!(
        back.modifies,
        3 + 3,
        "three reactivated, three changed back"
    );
    assert!(store.praticien(&m.removed[0]).unwrap().unwrap().actif);
    assert!(!store.praticien(&m.added).unwrap().unwrap().actif);
    let history = store.imports_rpps(10).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(
        history[1].desactives, 3,
        "the history keeps each import's counts"
    );
    store.integrity_check().unwrap();
}

#[test]
fn a_departement_filtered_import_leaves_the_other_departements_alone() {
    let (_dir, mut store, file) = sample_imported();
    let dep = |l: &String| file.field(l, "Code Département (structure)");

    // A 44 practitioner with a single line disappears from a 44-only file.
    let gone = file
        .by_rpps()
        .into_iter()
        .find(|(_, l)| l.len() == 1 && dep(&l[0]) == "44")
        .map(|(r, _)| r)
        .unwrap();
    let only_44 = Fichier {
        header: file.header.clone(),
        lines: file
            .lines
            .iter()
            .filter(|l| dep(l) == "44" && file.rpps(l) != gone)
            .cloned()
            .collect(),
    };
    let filtre = Filtre {
        professions: None,
        departements: Some(vec!["44".into()]),
    };
    // The whole sample minus `gone`, filtered on 44: the lines of other départements are outside
    // the filter, and must not make their practitioners inactive.
    let mut whole = file.lines.clone();
    whole.retain(|l| file.rpps(l) != gone);
    let whole = Fichier {
        header: file.header.clone(),
        lines: whole,
    };
    let summary = import_with(&mut store, &whole.bytes(), filtre.clone()).unwrap();
    assert_eq!(summary.activites, only_44.lines.len() as u64);
    assert_eq!(
        summary.desactives, 1,
        "only the 44 practitioner missing from the file"
    );
    assert_eq!(summary.ajoutes, 0);
    assert!(!store.praticien(&gone).unwrap().unwrap().actif);
    let (actifs, tous) = store.praticiens_count().unwrap();
    assert_eq!(actifs, tous - 1, "every other département is untouched");
}

/// Gives `good` bytes, then fails like a removed USB key.
struct FailingAfter {
    inner: Cursor<Vec<u8>>,
    good: usize,
}

impl Read for FailingAfter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.fill_buf()?.len().min(buf.len());
        buf[..n].copy_from_slice(&self.inner.get_ref()[self.inner.position() as usize..][..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for FailingAfter {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let pos = self.inner.position() as usize;
        if pos >= self.good {
            return Err(io::Error::other("clé USB retirée"));
        }
        let end = self.good.min(self.inner.get_ref().len());
        Ok(&self.inner.get_ref()[pos..end])
    }
    fn consume(&mut self, n: usize) {
        self.inner.set_position(self.inner.position() + n as u64);
    }
}

#[test]
fn an_import_that_fails_midway_leaves_the_previous_annuaire_intact() {
    let (_dir, mut store, file) = sample_imported();
    let before = store.praticiens_count().unwrap();
    let m = modified_sample(&file);

    // 1. A read error in the last part of the modified file, after many lines were written.
    let source = FailingAfter {
        good: m.bytes.len() - 200,
        inner: Cursor::new(m.bytes.clone()),
    };
    let options = ImportOptions {
        fichier: "coupe.txt",
        filtre: Filtre::default(),
        debut: NOW,
    };
    let err = store
        .import_rpps(source, None, &options, &mut |_| {})
        .unwrap_err();
    assert!(err.to_string().contains("Relancez l'import"), "{err}");
    assert_eq!(
        store.praticiens_count().unwrap(),
        before,
        "nothing added nor deactivated"
    );
    assert!(store.praticien(&m.added).unwrap().is_none());
    for rpps in &m.phone_changed {
        let p = store.praticien(rpps).unwrap().unwrap();
        assert_ne!(
            p.sites[0].telephone, "0240000000",
            "lines written before the failure were rolled back"
        );
    }

    // 2. A header without a required column.
    let broken = sample().replacen("|Identifiant PP|", "|Identifiant|", 1);
    let err = import_with(&mut store, broken.as_bytes(), Filtre::default()).unwrap_err();
    assert!(err.to_string().contains("Identifiant PP"), "{err}");
    assert_eq!(store.praticiens_count().unwrap(), before);

    // The failures are in the history, with their reason; the search still works.
    let history = store.imports_rpps(10).unwrap();
    let statuts: Vec<&str> = history.iter().map(|h| h.statut.as_str()).collect();
    assert_eq!(statuts, ["echec", "echec", "termine"]);
    assert!(
        history[0]
            .erreur
            .as_deref()
            .unwrap()
            .contains("Identifiant PP")
    );
    let first = &file.lines[0];
    let nom = file.field(first, "Nom d'exercice");
    assert!(!store.annuaire_search(&nom, None, 20).unwrap().is_empty());
    store.integrity_check().unwrap();

    // A later good import works normally.
    let summary = import(&mut store, &m.bytes);
    assert_eq!((summary.ajoutes, summary.desactives), (1, 3));
}

#[test]
fn search_puts_the_mmg_departement_first_and_every_hit_matches_every_word() {
    let (_dir, store, file) = sample_imported();

    // A name present in 44 and elsewhere.
    let by_nom: BTreeMap<String, BTreeSet<String>> =
        file.lines.iter().fold(BTreeMap::new(), |mut m, l| {
            m.entry(file.field(l, "Nom d'exercice"))
                .or_default()
                .insert(file.field(l, "Code Département (structure)"));
            m
        });
    let (nom, _) = by_nom
        .iter()
        .find(|(_, deps)| deps.contains("44") && deps.len() > 1)
        .unwrap();
    let prefix: String = annuaire::fold(nom).chars().take(3).collect();
    let hits = store.annuaire_search(&prefix, Some("44"), 20).unwrap();
    assert!(!hits.is_empty());
    let in_44: Vec<bool> = hits.iter().map(|c| c.departement == "44").collect();
    assert!(
        in_44.windows(2).all(|w| w[0] >= w[1]),
        "département 44 first: {in_44:?}"
    );
    assert!(in_44[0]);
    for c in &hits {
        let text = annuaire::fold(&format!(
            "{} {} {} {} {}",
            c.nom, c.prenom, c.commune, c.specialite, c.profession
        ));
        assert!(
            text.split_whitespace().any(|w| w.starts_with(&prefix)),
            "{prefix} is a prefix of a word of {c:?}"
        );
    }
    let limited = store.annuaire_search(&prefix, Some("44"), 2).unwrap();
    assert!(limited.len() <= 2);

    // Two words: a first name and a commune narrow to the lines that have both.
    let line = &file.lines[0];
    let (prenom, commune) = (
        file.field(line, "Prénom d'exercice"),
        file.field(line, "Libellé commune (coord. structure)"),
    );
    let query = format!("{} {}", annuaire::fold(&prenom), annuaire::fold(&commune));
    let hits = store.annuaire_search(&query, None, 50).unwrap();
    assert!(
        hits.iter()
            .any(|c| rpps_of(c) == Some(file.rpps(line).as_str())),
        "{query} finds the first line's practitioner"
    );
    let by_specialty = store
        .annuaire_search("médecine générale", Some("44"), 20)
        .unwrap();
    assert!(
        by_specialty
            .iter()
            .all(|c| annuaire::fold(&c.specialite).contains("medecine generale")),
        "{by_specialty:?}"
    );
    assert_eq!(by_specialty.len(), 20, "the sample has more than 20 GPs");
    assert!(
        store
            .annuaire_search("   ", Some("44"), 20)
            .unwrap()
            .is_empty()
    );
    assert!(
        store.annuaire_search("\" OR *", None, 20).is_ok(),
        "FTS5 syntax typed by the user is not an error"
    );
}

#[test]
fn a_first_name_and_a_name_find_the_practitioner_in_either_order_and_as_typed() {
    let (_dir, store, file) = sample_imported();
    let mut checked = 0;
    for line in file.lines.iter().step_by(7).take(40) {
        let (nom, prenom) = (
            annuaire::fold(&file.field(line, "Nom d'exercice")),
            annuaire::fold(&file.field(line, "Prénom d'exercice")),
        );
        if nom.is_empty() || prenom.is_empty() {
            continue;
        }
        let rpps = file.rpps(line);
        let typed = |w: &str| w.chars().take(3).collect::<String>();
        for query in [
            format!("{prenom} {nom}"),
            format!("{nom} {prenom}"),
            format!("{prenom} {}", typed(&nom)),
            format!("{nom} {}", typed(&prenom)),
        ] {
            let hits = store.annuaire_search(&query, None, 100).unwrap();
            assert!(
                hits.iter().any(|c| rpps_of(c) == Some(rpps.as_str())),
                "« {query} » finds {rpps}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "{checked} practitioners checked");
}

fn hopital() -> EntreeLocale {
    EntreeLocale {
        id: None,
        type_: TypeLocal::Urgences,
        nom: "CHU de Nantes — Urgences adultes".into(),
        prenom: String::new(),
        rpps: None,
        specialite: String::new(),
        adresse: "1 place Alexis-Ricordeau".into(),
        code_postal: "44000".into(),
        commune: "Nantes".into(),
        departement: "44".into(),
        telephone: "02 40 08 33 33".into(),
        fax: String::new(),
        email: String::new(),
        mssante: "urgences@chu-nantes.mssante.fr".into(),
        notes: String::new(),
        actif: true,
    }
}

#[test]
fn local_entries_are_validated_searchable_and_editable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(dir.path());
    let saved = store
        .write(|tx| annuaire::save_entree_locale(tx, &hopital(), NOW))
        .unwrap();
    let id = saved.id.unwrap();
    assert_eq!(store.entree_locale(id).unwrap().unwrap(), saved);

    let found = store
        .annuaire_search("urgences nantes", Some("44"), 20)
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].source,
        SourceCorrespondant::Local {
            id,
            type_: TypeLocal::Urgences
        }
    );
    assert_eq!(found[0].mssante, "urgences@chu-nantes.mssante.fr");
    assert_eq!(store.annuaire_search("chu", None, 20).unwrap().len(), 1);

    // Each broken rule is reported on its field, nothing saved.
    let table = [
        (
            "nom",
            EntreeLocale {
                nom: " ".into(),
                ..hopital()
            },
        ),
        (
            "rpps",
            EntreeLocale {
                rpps: Some("12345678901".into()),
                ..hopital()
            },
        ),
        (
            "code_postal",
            EntreeLocale {
                code_postal: "4400".into(),
                ..hopital()
            },
        ),
        (
            "departement",
            EntreeLocale {
                departement: "99".into(),
                ..hopital()
            },
        ),
        (
            "telephone",
            EntreeLocale {
                telephone: "02 40".into(),
                ..hopital()
            },
        ),
        (
            "email",
            EntreeLocale {
                email: "accueil-at-chu".into(),
                ..hopital()
            },
        ),
        (
            "mssante",
            EntreeLocale {
                mssante: "urgences@chu-nantes.fr".into(),
                ..hopital()
            },
        ),
    ];
    for (field, entree) in table {
        let err = store
            .write(|tx| annuaire::save_entree_locale(tx, &entree, NOW))
            .unwrap_err();
        match err {
            StoreError::Invalid(e) => assert_eq!(e.field.as_deref(), Some(field), "{e}"),
            other => panic!("{field}: {other:?}"),
        }
    }

    // Renamed: found under the new name only; deactivated: not found any more.
    let renamed = EntreeLocale {
        id: Some(id),
        nom: "Hôpital Saint-Jacques".into(),
        type_: TypeLocal::Hopital,
        ..hopital()
    };
    store
        .write(|tx| annuaire::save_entree_locale(tx, &renamed, NOW))
        .unwrap();
    assert!(store.annuaire_search("chu", None, 20).unwrap().is_empty());
    assert_eq!(
        store
            .annuaire_search("hopital jacq", None, 20)
            .unwrap()
            .len(),
        1
    );
    let off = EntreeLocale {
        actif: false,
        ..renamed
    };
    store
        .write(|tx| annuaire::save_entree_locale(tx, &off, NOW))
        .unwrap();
    assert!(
        store
            .annuaire_search("hopital", None, 20)
            .unwrap()
            .is_empty()
    );
    assert!(
        !store.entree_locale(id).unwrap().unwrap().actif,
        "kept, inactive"
    );
    let missing = EntreeLocale {
        id: Some(id + 100),
        ..hopital()
    };
    assert!(matches!(
        store.write(|tx| annuaire::save_entree_locale(tx, &missing, NOW)),
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn a_duty_doctor_account_is_made_from_the_annuaire() {
    let (_dir, mut store, file) = sample_imported();
    let prof = |l: &String| file.field(l, "Code profession");
    let doctor = file.lines.iter().find(|l| prof(l) == "10").unwrap();
    let other = file.lines.iter().find(|l| prof(l) != "10").unwrap();
    let rpps = file.rpps(doctor);

    let id = store
        .write(|tx| annuaire::utilisateur_depuis_rpps(tx, &rpps, None, NOW))
        .unwrap();
    let users = store.utilisateurs().unwrap();
    let user = users.iter().find(|u| u.id == id).unwrap();
    assert_eq!(user.nom, file.field(doctor, "Nom d'exercice"));
    assert_eq!(user.prenom, file.field(doctor, "Prénom d'exercice"));
    assert_eq!(user.rpps.as_deref(), Some(rpps.as_str()));
    assert_eq!(user.role, appligarde_domain::garde::Role::Medecin);

    let refusals = [
        (rpps.clone(), "déjà un utilisateur"),
        (file.rpps(other), "n'est pas médecin"),
        (rpps_from(9_999_999_999), "n'est pas dans l'annuaire"),
        ("123".to_owned(), "11 chiffres"),
    ];
    for (number, why) in refusals {
        let err = store
            .write(|tx| annuaire::utilisateur_depuis_rpps(tx, &number, None, NOW))
            .unwrap_err();
        assert!(err.to_string().contains(why), "{number}: {err}");
    }
}
