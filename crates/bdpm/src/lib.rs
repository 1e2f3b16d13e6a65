//! `appligarde-bdpm`: the public drug database of the ANSM (BDPM) as it is downloaded, read in a
//! streaming way (one line at a time, never a whole file in memory): `CIS_bdpm.txt` (the
//! medicines), `CIS_COMPO_bdpm.txt` (their substances), `CIS_CIP_bdpm.txt` (their presentations:
//! CIP13, price, reimbursement rate) and `CIS_GENER_bdpm.txt` (generic groups).
//!
//! - Each file's encoding is decided on its own ([`lecture`]): valid UTF-8, else Windows-1252.
//!   Lines end with CRLF or LF; trailing tabs and extra columns are ignored.
//! - **A bad line is fatal.** A line with missing columns, an impossible value (a CIS that is not
//!   8 digits, an unknown marketing state...), a last line without its end (a cut download) or an
//!   empty file stops the reading with a French [`BdpmError`] naming the file and the line. A
//!   partial release would make every medicine it lost look withdrawn; the caller keeps the
//!   version it had.
//! - `CIS_CIP_bdpm.txt` may be missing (some republished extracts lack it): the release then has
//!   no presentation, no price and no rate, and [`Base::avec_presentations`] says so. The three
//!   other files are required.
//! - [`Base::empreinte`] identifies a release (the same files give the same fingerprint), and
//!   [`Base::vers_compacte`] / [`Base::depuis_compacte`] give the gzip form the desktop stores
//!   and the hub publishes: the same four layouts, in UTF-8, read back by the same parsers.
//!
//! No store, no API: the desktop's store and the hub call this crate.

mod enregistrement;
mod erreur;
pub mod lecture;

use std::collections::{BTreeSet, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

pub use enregistrement::{
    CIP, CIS, COMPO, Composition, GENER, Generique, Presentation, Specialite, format_prix,
};
pub use erreur::BdpmError;
pub use lecture::Encodage;

use lecture::Lignes;

/// A release read whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Base {
    /// SHA-256 (hex) over the files of the release, each named with its own hash: the same
    /// files give the same fingerprint, whatever the directory.
    pub empreinte: String,
    /// Sorted by CIS, each CIS once.
    pub specialites: Vec<Specialite>,
    pub compositions: Vec<Composition>,
    pub presentations: Vec<Presentation>,
    pub generiques: Vec<Generique>,
    /// Whether the release had a `CIS_CIP_bdpm.txt`.
    pub avec_presentations: bool,
}

/// What a release holds, as the CLI prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comptes {
    pub medicaments: u64,
    /// Medicines whose marketing state is "Commercialisée".
    pub commercialises: u64,
    pub presentations: u64,
    /// Distinct substance codes of the compositions.
    pub substances: u64,
    /// Distinct generic group ids.
    pub groupes_generiques: u64,
}

impl Base {
    pub fn comptes(&self) -> Comptes {
        let substances: HashSet<&str> = self
            .compositions
            .iter()
            .map(|c| c.code_substance.as_str())
            .collect();
        let groupes: HashSet<u32> = self.generiques.iter().map(|g| g.groupe).collect();
        Comptes {
            medicaments: self.specialites.len() as u64,
            commercialises: self.specialites.iter().filter(|s| s.commercialise).count() as u64,
            presentations: self.presentations.len() as u64,
            substances: substances.len() as u64,
            groupes_generiques: groupes.len() as u64,
        }
    }

    /// The medicine `cis`, if the release has it.
    pub fn specialite(&self, cis: &str) -> Option<&Specialite> {
        self.specialites
            .binary_search_by(|s| s.cis.as_str().cmp(cis))
            .ok()
            .map(|i| &self.specialites[i])
    }

    /// The compact form: the four layouts in UTF-8 behind section lines, gzip-compressed.
    pub fn vers_compacte(&self) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut texte = String::with_capacity(1 << 16);
        let vider = |texte: &mut String, gz: &mut flate2::write::GzEncoder<Vec<u8>>| {
            // Writing into a Vec cannot fail.
            let _ = gz.write_all(texte.as_bytes());
            texte.clear();
        };
        texte.push_str(&format!("{ENTETE}{}\n", self.empreinte));
        texte.push_str(&format!("{SECTION}{CIS}\n"));
        for s in &self.specialites {
            texte.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t\t{}\t\t\t\t{}\t\n",
                s.cis,
                s.denomination,
                s.forme,
                s.voies,
                s.statut_amm,
                if s.commercialise {
                    "Commercialisée"
                } else {
                    "Non commercialisée"
                },
                s.titulaires
            ));
            if texte.len() > 1 << 16 {
                vider(&mut texte, &mut gz);
            }
        }
        texte.push_str(&format!("{SECTION}{COMPO}\n"));
        for c in &self.compositions {
            texte.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t\n",
                c.cis,
                c.element,
                c.code_substance,
                c.substance,
                c.dosage,
                c.reference,
                if c.fraction_therapeutique { "FT" } else { "SA" },
                c.liaison
            ));
            if texte.len() > 1 << 16 {
                vider(&mut texte, &mut gz);
            }
        }
        if self.avec_presentations {
            texte.push_str(&format!("{SECTION}{CIP}\n"));
            for p in &self.presentations {
                texte.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t\t{}\t\t{}\t\t{}\t\t\n",
                    p.cis,
                    p.cip7,
                    p.libelle,
                    p.statut,
                    p.etat,
                    p.cip13,
                    p.taux_remboursement
                        .map(|t| format!("{t}%"))
                        .unwrap_or_default(),
                    p.prix_centimes.map(format_prix).unwrap_or_default(),
                ));
                if texte.len() > 1 << 16 {
                    vider(&mut texte, &mut gz);
                }
            }
        }
        texte.push_str(&format!("{SECTION}{GENER}\n"));
        for g in &self.generiques {
            texte.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}\t\n",
                g.groupe, g.libelle, g.cis, g.type_generique, g.tri
            ));
            if texte.len() > 1 << 16 {
                vider(&mut texte, &mut gz);
            }
        }
        texte.push_str(FIN);
        texte.push('\n');
        vider(&mut texte, &mut gz);
        gz.finish().unwrap_or_default()
    }

    /// Reads back [`Base::vers_compacte`] (checked as a download would be: every line through
    /// the same parsers, the gzip checksum, the end marker).
    pub fn depuis_compacte(octets: &[u8]) -> Result<Base, BdpmError> {
        let illisible = |m: &str| BdpmError::Compacte(m.to_owned());
        let mut lignes = BufReader::new(flate2::read::GzDecoder::new(octets)).lines();
        let mut suivante = || -> Result<Option<String>, BdpmError> {
            lignes
                .next()
                .transpose()
                .map_err(|e| BdpmError::Compacte(e.to_string()))
        };
        let entete = suivante()?.ok_or_else(|| illisible("vide"))?;
        let empreinte = entete
            .strip_prefix(ENTETE)
            .ok_or_else(|| illisible("en-tête absent"))?
            .to_owned();
        let mut base = Base {
            empreinte,
            ..Base::default()
        };
        let mut section: Option<&'static str> = None;
        let mut numero = 0u64;
        let mut fini = false;
        while let Some(ligne) = suivante()? {
            if fini {
                return Err(illisible("lignes après la fin"));
            }
            if ligne == FIN {
                fini = true;
                continue;
            }
            if let Some(nom) = ligne.strip_prefix(SECTION) {
                section = [CIS, COMPO, CIP, GENER].into_iter().find(|f| *f == nom);
                if section.is_none() {
                    return Err(illisible("section inconnue"));
                }
                base.avec_presentations |= section == Some(CIP);
                numero = 0;
                continue;
            }
            numero += 1;
            match section {
                Some(CIS) => base
                    .specialites
                    .push(enregistrement::specialite(&ligne, numero)?),
                Some(COMPO) => base
                    .compositions
                    .push(enregistrement::composition(&ligne, numero)?),
                Some(CIP) => base
                    .presentations
                    .push(enregistrement::presentation(&ligne, numero)?),
                Some(_) => base
                    .generiques
                    .push(enregistrement::generique(&ligne, numero)?),
                None => return Err(illisible("ligne hors section")),
            }
        }
        if !fini {
            return Err(illisible("fin absente"));
        }
        verifier_specialites(&mut base.specialites)?;
        Ok(base)
    }
}

const ENTETE: &str = "#BDPM appligarde 1 ";
const SECTION: &str = "#FICHIER ";
const FIN: &str = "#FIN";

/// Sorts by CIS; a CIS twice is an error (the file is not a BDPM release).
fn verifier_specialites(specialites: &mut [Specialite]) -> Result<(), BdpmError> {
    specialites.sort_by(|a, b| a.cis.cmp(&b.cis));
    if let Some(w) = specialites.windows(2).find(|w| w[0].cis == w[1].cis) {
        return Err(BdpmError::Ligne {
            fichier: CIS,
            ligne: 0,
            message: format!("le code CIS {} apparaît deux fois", w[0].cis),
        });
    }
    if specialites.is_empty() {
        return Err(BdpmError::Vide { fichier: CIS });
    }
    Ok(())
}

/// A streaming reader of one file: its records, in file order.
pub struct Lecteur<R, T> {
    lignes: Lignes<R>,
    analyser: fn(&str, u64) -> Result<T, BdpmError>,
}

impl<R: BufRead, T> Iterator for Lecteur<R, T> {
    type Item = Result<T, BdpmError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (numero, ligne) = match self.lignes.suivante()? {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        Some((self.analyser)(&ligne, numero))
    }
}

impl<R: BufRead> Lecteur<R, Specialite> {
    pub fn specialites(r: R, encodage: Encodage) -> Self {
        Lecteur {
            lignes: Lignes::new(r, CIS, encodage),
            analyser: enregistrement::specialite,
        }
    }
}

impl<R: BufRead> Lecteur<R, Composition> {
    pub fn compositions(r: R, encodage: Encodage) -> Self {
        Lecteur {
            lignes: Lignes::new(r, COMPO, encodage),
            analyser: enregistrement::composition,
        }
    }
}

impl<R: BufRead> Lecteur<R, Presentation> {
    pub fn presentations(r: R, encodage: Encodage) -> Self {
        Lecteur {
            lignes: Lignes::new(r, CIP, encodage),
            analyser: enregistrement::presentation,
        }
    }
}

impl<R: BufRead> Lecteur<R, Generique> {
    pub fn generiques(r: R, encodage: Encodage) -> Self {
        Lecteur {
            lignes: Lignes::new(r, GENER, encodage),
            analyser: enregistrement::generique,
        }
    }
}

fn ouvrir(chemin: &Path, fichier: &'static str) -> Result<BufReader<File>, BdpmError> {
    File::open(chemin)
        .map(|f| BufReader::with_capacity(1 << 16, f))
        .map_err(|source| BdpmError::Lecture { fichier, source })
}

/// Reads a file of `dossier` in two passes (hash and encoding, then records).
fn lire_fichier<T>(
    dossier: &Path,
    fichier: &'static str,
    lecteur: fn(BufReader<File>, Encodage) -> Lecteur<BufReader<File>, T>,
    empreinte: &mut Sha256,
) -> Result<Vec<T>, BdpmError> {
    let chemin = dossier.join(fichier);
    let examen = lecture::examiner(ouvrir(&chemin, fichier)?, fichier)?;
    empreinte.update(format!("{fichier} {}\n", hex::encode(examen.sha256)).as_bytes());
    let records = lecteur(ouvrir(&chemin, fichier)?, examen.encodage)
        .collect::<Result<Vec<T>, BdpmError>>()?;
    if records.is_empty() {
        return Err(BdpmError::Vide { fichier });
    }
    Ok(records)
}

/// Reads the release in `dossier` (the files named as the ANSM publishes them; other files
/// ignored). Fails, with nothing returned, at the first problem.
pub fn lire_dossier(dossier: &Path) -> Result<Base, BdpmError> {
    let presents: BTreeSet<String> = std::fs::read_dir(dossier)
        .map_err(|source| BdpmError::Dossier {
            dossier: dossier.to_owned(),
            source,
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    for fichier in [CIS, COMPO, GENER] {
        if !presents.contains(fichier) {
            return Err(BdpmError::FichierAbsent {
                dossier: dossier.to_owned(),
                fichier,
            });
        }
    }
    let mut empreinte = Sha256::new();
    let mut specialites = lire_fichier(dossier, CIS, Lecteur::specialites, &mut empreinte)?;
    verifier_specialites(&mut specialites)?;
    let compositions = lire_fichier(dossier, COMPO, Lecteur::compositions, &mut empreinte)?;
    let avec_presentations = presents.contains(CIP);
    let presentations = if avec_presentations {
        lire_fichier(dossier, CIP, Lecteur::presentations, &mut empreinte)?
    } else {
        Vec::new()
    };
    let generiques = lire_fichier(dossier, GENER, Lecteur::generiques, &mut empreinte)?;
    Ok(Base {
        empreinte: hex::encode(empreinte.finalize()),
        specialites,
        compositions,
        presentations,
        generiques,
        avec_presentations,
    })
}

/// The baseline of the import bench: the same files read with a plain line split (no decoding,
/// no checks, nothing kept); returns the number of fields seen.
pub fn lecture_brute(dossier: &Path) -> std::io::Result<u64> {
    let mut champs = 0u64;
    for fichier in [CIS, COMPO, CIP, GENER] {
        let chemin = dossier.join(fichier);
        if !chemin.exists() {
            continue;
        }
        let mut octets = Vec::new();
        File::open(chemin)?.read_to_end(&mut octets)?;
        for ligne in octets.split(|b| *b == b'\n') {
            champs += ligne.split(|b| *b == b'\t').count() as u64;
        }
    }
    Ok(champs)
}
