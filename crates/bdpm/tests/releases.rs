//! The official releases at hand (`../shared/data/bdpm`): the complete 2017 one in Windows-1252
//! and the 2019 extract in UTF-8 without `CIS_CIP_bdpm.txt`, read whole; and broken copies of
//! them refused with the file and line named.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use appligarde_bdpm::{Base, BdpmError, CIP, CIS, COMPO, GENER, lire_dossier};

fn donnees() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bdpm")
}

fn copie(depuis: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in [CIS, COMPO, CIP, GENER] {
        if depuis.join(f).exists() {
            std::fs::copy(depuis.join(f), dir.path().join(f)).unwrap();
        }
    }
    dir
}

fn erreur(dossier: &Path) -> String {
    match lire_dossier(dossier) {
        Ok(_) => panic!("{} accepted", dossier.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_2017_release_is_read_whole() {
    let base = lire_dossier(&donnees().join("2017-03")).unwrap();
    let c = base.comptes();
    assert_eq!(c.medicaments, 14_442);
    assert_eq!(c.commercialises, 11_950);
    assert_eq!(c.presentations, 20_083);
    assert!(base.avec_presentations);
    assert_eq!(base.compositions.len(), 27_023);
    assert_eq!(base.generiques.len(), 8_516);
    assert!(c.substances > 1000 && c.substances < 27_023, "{c:?}");
    assert!(
        c.groupes_generiques > 1000 && c.groupes_generiques < 8_516,
        "{c:?}"
    );
    // Windows-1252 decoded: accents intact.
    let a313 = base.specialite("61266250").unwrap();
    assert_eq!(a313.denomination, "A 313 200 000 UI POUR CENT, pommade");
    assert_eq!(a313.voies, "cutanée");
    assert!(a313.commercialise);
    // Price with the dispensing fee and rate, "15 %" normalised.
    let p = base
        .presentations
        .iter()
        .find(|p| p.cip13 == "3400933208639")
        .unwrap();
    assert_eq!(
        (p.prix_centimes, p.taux_remboursement),
        (Some(877), Some(15))
    );
    assert!(p.libelle.contains("polypropylène"), "{}", p.libelle);
}

#[test]
fn the_2019_extract_has_no_presentation_file_and_says_so() {
    let base = lire_dossier(&donnees()).unwrap();
    let c = base.comptes();
    assert_eq!(c.medicaments, 14_728);
    assert_eq!(c.commercialises, 12_494);
    assert_eq!(c.presentations, 0);
    assert!(!base.avec_presentations);
    // UTF-8 with a byte order mark on the first line: the first CIS is read as digits.
    assert!(base.specialite("61266250").is_some());
    assert!(
        base.specialite("62974206").is_none(),
        "BENERVA left in 2019"
    );
    assert!(
        !base.specialite("63185053").unwrap().commercialise,
        "ACADIONE stopped"
    );
}

#[test]
fn the_fingerprint_follows_the_bytes_not_the_directory() {
    let a = lire_dossier(&donnees().join("2017-03")).unwrap();
    let copy = copie(&donnees().join("2017-03"));
    let b = lire_dossier(copy.path()).unwrap();
    assert_eq!(a.empreinte, b.empreinte);
    assert_eq!(a.empreinte.len(), 64);
    let c = lire_dossier(&donnees()).unwrap();
    assert_ne!(a.empreinte, c.empreinte);
}

#[test]
fn the_compact_form_reads_back_to_the_same_base() {
    for dossier in [donnees().join("2017-03"), donnees()] {
        let base = lire_dossier(&dossier).unwrap();
        let compacte = base.vers_compacte();
        assert!(
            compacte.len() < 4_000_000,
            "compact form of {}: {} bytes",
            dossier.display(),
            compacte.len()
        );
        assert_eq!(Base::depuis_compacte(&compacte).unwrap(), base);
    }
    let base = lire_dossier(&donnees().join("2017-03")).unwrap();
    let compacte = base.vers_compacte();
    let coupee = &compacte[..compacte.len() / 2];
    assert!(matches!(
        Base::depuis_compacte(coupee),
        Err(BdpmError::Compacte(_))
    ));
    assert!(Base::depuis_compacte(b"not gzip at all").is_err());
}

/// Replaces line `n` (1-based) of `fichier` in `dir` with `f(line)` (bytes, line end kept).
fn modifier_ligne(dir: &Path, fichier: &str, n: usize, f: impl Fn(&[u8]) -> Vec<u8>) {
    let octets = std::fs::read(dir.join(fichier)).unwrap();
    let mut lignes: Vec<Vec<u8>> = octets
        .split_inclusive(|b| *b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    lignes[n - 1] = f(&lignes[n - 1]);
    std::fs::write(dir.join(fichier), lignes.concat()).unwrap();
}

#[test]
fn missing_columns_name_the_file_and_the_line() {
    let dir = copie(&donnees().join("2017-03"));
    modifier_ligne(dir.path(), COMPO, 500, |l| {
        let champs: Vec<&[u8]> = l.split(|b| *b == b'\t').take(5).collect();
        let mut out = champs.join(&b'\t');
        out.extend_from_slice(b"\r\n");
        out
    });
    let message = erreur(dir.path());
    assert!(
        message.contains("CIS_COMPO_bdpm.txt, ligne 500"),
        "{message}"
    );
    assert!(message.contains("5 colonne(s)"), "{message}");
}

#[test]
fn a_line_broken_in_two_is_refused() {
    let dir = copie(&donnees().join("2017-03"));
    // A stray line end in the middle of the denomination.
    modifier_ligne(dir.path(), CIS, 42, |l| {
        let pos = l.iter().position(|b| *b == b',').unwrap();
        [&l[..pos], b"\r\n".as_slice(), &l[pos..]].concat()
    });
    let message = erreur(dir.path());
    assert!(message.contains("CIS_bdpm.txt, ligne 42"), "{message}");
}

#[test]
fn a_truncated_download_is_refused() {
    let dir = copie(&donnees().join("2017-03"));
    let chemin = dir.path().join(CIP);
    let octets = std::fs::read(&chemin).unwrap();
    // Cut inside a line (the last complete one ends before this point).
    let coupe = octets.len() * 2 / 3;
    std::fs::write(&chemin, &octets[..coupe]).unwrap();
    let message = erreur(dir.path());
    assert!(message.contains("CIS_CIP_bdpm.txt"), "{message}");
    assert!(
        message.contains("tronqué") || message.contains("colonne"),
        "{message}"
    );
}

#[test]
fn an_empty_directory_or_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let message = erreur(dir.path());
    assert!(message.contains("CIS_bdpm.txt est absent"), "{message}");
    let dir = copie(&donnees());
    std::fs::write(dir.path().join(GENER), b"").unwrap();
    let message = erreur(dir.path());
    assert!(message.contains("CIS_GENER_bdpm.txt est vide"), "{message}");
    let message = erreur(&dir.path().join("absent"));
    assert!(
        message.contains("Impossible de lire le dossier"),
        "{message}"
    );
}
