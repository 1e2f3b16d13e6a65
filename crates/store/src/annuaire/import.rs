//! The RPPS import: the file parsed on a second thread and handed over by lots, each line upserted
//! by the writing thread in one transaction, then the diff with the previous import, the index
//! of what changed and the history (see the [module documentation](super)).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use appligarde_domain::DomainError;
use appligarde_rpps::{
    ActiviteRpps, Adresse, CodeLibelle, Filtre, RppsError, RppsReader, activity_fingerprint,
    site_key,
};
use rusqlite::{Transaction, params};

use super::index::index_changed_practitioners;
use super::sql::get_u64;
use super::texte::{fold, fold_compact};
use crate::{Store, StoreError};

/// Practitioner fingerprints are summed modulo 2^62 so that SQLite's 64-bit integers never
/// overflow (an overflow would turn them into floating-point numbers).
const FINGERPRINT_MODULUS: i64 = 1 << 62;

/// Page cache of the import's connection: enough to keep the B-tree pages being filled.
const IMPORT_CACHE_KIB: i64 = 32 * 1024;

/// How often (in records) the import reports its progress.
const PROGRESS_EVERY: u64 = 16 * 1024;

/// How many malformed lines are kept in the history (the reader keeps up to 1000).
const MALFORMED_KEPT: usize = 200;

/// What is being done, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Reading and writing the lines of the file.
    Lecture,
    /// Comparing with the previous import, marking absent practitioners inactive.
    Comparaison,
    /// Updating the search index of the practitioners that changed.
    Index,
}

/// Progress of an import, given to the callback of [`Store::import_rpps`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    /// Bytes of the file read so far.
    pub octets_lus: u64,
    /// Size of the file, when known.
    pub octets_total: Option<u64>,
    /// Activities (lines kept by the filter) written so far.
    pub activites: u64,
}

/// What an import did, as recorded in `import_rpps`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub import_id: i64,
    /// UTF-8 or Latin-1.
    pub encodage: String,
    /// Columns of the header (52 or 56).
    pub colonnes: usize,
    /// Non-blank lines after the header.
    pub lignes: u64,
    /// Activities kept by the filter and written.
    pub activites: u64,
    /// Well-formed lines outside the filter.
    pub hors_filtre: u64,
    /// Malformed lines, set aside.
    pub malformees: u64,
    /// The first malformed lines: (line number, French reason).
    pub lignes_malformees: Vec<(u64, String)>,
    /// Practitioners seen for the first time.
    pub ajoutes: u64,
    /// Practitioners whose activities changed (reactivated ones included).
    pub modifies: u64,
    /// Practitioners seen again unchanged.
    pub inchanges: u64,
    /// Practitioners absent from the file (within the filter), now inactive.
    pub desactives: u64,
    /// Inactive practitioners found again in the file (also counted in `modifies`).
    pub reactives: u64,
    /// Active practitioners in the annuaire after the import.
    pub praticiens_actifs: u64,
}

/// One line of the import history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportHistorique {
    pub id: i64,
    pub debut: String,
    pub fin: Option<String>,
    pub fichier: String,
    pub filtre_professions: String,
    pub filtre_departements: String,
    /// `termine` or `echec`.
    pub statut: String,
    pub erreur: Option<String>,
    pub lignes: u64,
    pub activites: u64,
    pub malformees: u64,
    pub ajoutes: u64,
    pub modifies: u64,
    pub inchanges: u64,
    pub desactives: u64,
}

/// Who runs an import, on which file, when.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    /// The file name shown in the history (not read).
    pub fichier: &'a str,
    /// Which lines to keep.
    pub filtre: Filtre,
    /// UTC time of the start, ISO 8601.
    pub debut: &'a str,
}

/// Turns an error of the RPPS reader into the store's error: the message, French, is about the
/// file the user chose.
pub fn rpps_error(e: RppsError) -> StoreError {
    DomainError::field("fichier", e.to_string()).into()
}

fn join_codes(list: Option<&Vec<String>>) -> String {
    list.map(|l| l.join(",")).unwrap_or_default()
}

fn json_codes(list: Option<&Vec<String>>) -> Option<String> {
    list.map(|l| {
        let quoted: Vec<String> = l
            .iter()
            .map(|c| format!("\"{}\"", c.replace(['"', '\\'], "")))
            .collect();
        format!("[{}]", quoted.join(","))
    })
}

/// Appends the street lines of an address (complements, number and street, distribution
/// mention), separated by line breaks, blank parts left out; the city line is not included.
fn push_adresse_lignes(ad: &Adresse<&str>, out: &mut String) {
    /// Appends `part`, after `sep` unless it is the first of what was appended since `since`.
    fn push_part(out: &mut String, since: usize, part: &str, sep: char) {
        if part.is_empty() {
            return;
        }
        if out.len() > since {
            out.push(sep);
        }
        out.push_str(part);
    }
    let indice = match ad.indice_repetition {
        "B" => "bis",
        "T" => "ter",
        "Q" => "quater",
        other => other,
    };
    let type_voie = if ad.type_voie.libelle.is_empty() {
        ad.type_voie.code
    } else {
        ad.type_voie.libelle
    };
    let debut = out.len();
    push_part(out, debut, ad.complement_destinataire, '\n');
    push_part(out, debut, ad.complement_point_geo, '\n');
    let voie = [ad.numero_voie, indice, type_voie, ad.libelle_voie];
    if voie.iter().any(|p| !p.is_empty()) {
        if out.len() > debut {
            out.push('\n');
        }
        let ligne = out.len();
        for part in voie {
            push_part(out, ligne, part, ' ');
        }
    }
    push_part(out, debut, ad.mention_distribution, '\n');
}

/// Upsert of a practitioner, once per line. On the first line of this import (`vu_import_id`
/// differs) the specialty is reset and the fingerprint sum restarts; on the next lines the best
/// specialty is kept (SM54 first, then by code) and the fingerprints add up.
const UPSERT_PRATICIEN: &str = "
INSERT INTO praticien (rpps, nom, prenom, civilite, profession_code, specialite_code, actif,
                       empreinte, empreinte_import, cree_import_id, modifie_import_id, vu_import_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7, ?8, ?8, ?8)
ON CONFLICT (rpps) DO UPDATE SET
    nom = excluded.nom, prenom = excluded.prenom, civilite = excluded.civilite,
    profession_code = excluded.profession_code,
    specialite_code = CASE WHEN praticien.vu_import_id <> excluded.vu_import_id
            OR (excluded.specialite_code <> '' AND (praticien.specialite_code = ''
                OR (excluded.specialite_code <> 'SM54', excluded.specialite_code)
                 < (praticien.specialite_code <> 'SM54', praticien.specialite_code)))
        THEN excluded.specialite_code ELSE praticien.specialite_code END,
    empreinte_import = CASE WHEN praticien.vu_import_id = excluded.vu_import_id
        THEN (praticien.empreinte_import + excluded.empreinte_import) % 4611686018427387904
        ELSE excluded.empreinte_import END,
    empreinte = CASE WHEN praticien.cree_import_id = excluded.cree_import_id
        THEN (praticien.empreinte_import + excluded.empreinte_import) % 4611686018427387904
        ELSE praticien.empreinte END,
    vu_import_id = excluded.vu_import_id";

/// Upsert of a site, once per line: the last line of a site wins; `actif` is restored at the end.
const UPSERT_SITE: &str = "
INSERT INTO praticien_site (rpps, site_key, savoir_faire_code, mode_exercice_code, raison_sociale,
                            adresse, code_postal, commune, code_insee, departement, telephone,
                            telephone2, fax, email, actif, vu_import_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?15)
ON CONFLICT (rpps, site_key) DO UPDATE SET
    savoir_faire_code = excluded.savoir_faire_code,
    mode_exercice_code = excluded.mode_exercice_code, raison_sociale = excluded.raison_sociale,
    adresse = excluded.adresse, code_postal = excluded.code_postal, commune = excluded.commune,
    code_insee = excluded.code_insee, departement = excluded.departement,
    telephone = excluded.telephone, telephone2 = excluded.telephone2, fax = excluded.fax,
    email = excluded.email, actif = 1, vu_import_id = excluded.vu_import_id";

impl Store {
    /// Imports an RPPS extract from a file. See the [module documentation](super).
    pub fn import_rpps_file(
        &mut self,
        path: &Path,
        options: &ImportOptions<'_>,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<ImportSummary, StoreError> {
        let open = |e| {
            rpps_error(RppsError::Open {
                path: path.to_owned(),
                source: e,
            })
        };
        let file = File::open(path).map_err(open)?;
        let size = file.metadata().map_err(open)?.len();
        self.import_rpps(
            BufReader::with_capacity(1 << 16, file),
            Some(size),
            options,
            progress,
        )
    }

    /// Imports an RPPS extract read from `source` (`total_bytes`, when known, drives the
    /// progress). On failure nothing of the annuaire changes and the failed attempt is recorded.
    pub fn import_rpps<R: BufRead + Send>(
        &mut self,
        source: R,
        total_bytes: Option<u64>,
        options: &ImportOptions<'_>,
        progress: &mut dyn FnMut(&ImportProgress),
    ) -> Result<ImportSummary, StoreError> {
        let previous_cache: i64 = self
            .conn()
            .query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn()
            .execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        let result = self.write(|tx| import_in(tx, source, total_bytes, options, progress));
        self.conn()
            .execute_batch(&format!("PRAGMA cache_size = {previous_cache}"))?;
        match result {
            Ok(summary) => {
                tracing::info!(
                    import_id = summary.import_id,
                    activites = summary.activites,
                    ajoutes = summary.ajoutes,
                    modifies = summary.modifies,
                    desactives = summary.desactives,
                    malformees = summary.malformees,
                    "RPPS import done"
                );
                Ok(summary)
            }
            Err(e) => {
                tracing::warn!(error = %e, "RPPS import failed, annuaire unchanged");
                let message = e.to_string();
                // Best effort: the failure itself must not hide the reason of the failure.
                let recorded = self.write(|tx| {
                    tx.execute(
                        "INSERT INTO import_rpps (debut, fin, fichier, filtre_professions,
                             filtre_departements, statut, erreur)
                         VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?2, ?3, ?4, 'echec', ?5)",
                        params![
                            options.debut,
                            options.fichier,
                            join_codes(options.filtre.professions.as_ref()),
                            join_codes(options.filtre.departements.as_ref()),
                            message
                        ],
                    )?;
                    Ok(())
                });
                if let Err(record_error) = recorded {
                    tracing::warn!(error = %record_error, "failed RPPS import not recorded");
                }
                Err(e)
            }
        }
    }

    /// The import history, most recent first.
    pub fn imports_rpps(&self, limit: usize) -> Result<Vec<ImportHistorique>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, debut, fin, fichier, filtre_professions, filtre_departements, statut, erreur,
                    lignes, retenues, malformees, ajoutes, modifies, inchanges, desactives
             FROM import_rpps WHERE statut <> 'en_cours' ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(ImportHistorique {
                id: r.get(0)?,
                debut: r.get(1)?,
                fin: r.get(2)?,
                fichier: r.get(3)?,
                filtre_professions: r.get(4)?,
                filtre_departements: r.get(5)?,
                statut: r.get(6)?,
                erreur: r.get(7)?,
                lignes: get_u64(r, 8)?,
                activites: get_u64(r, 9)?,
                malformees: get_u64(r, 10)?,
                ajoutes: get_u64(r, 11)?,
                modifies: get_u64(r, 12)?,
                inchanges: get_u64(r, 13)?,
                desactives: get_u64(r, 14)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Lines parsed per lot sent from the parsing thread to the writing one.
const LOT: usize = 512;

/// Lots on their way from the parsing thread to the writing one.
const LOTS_EN_ROUTE: usize = 4;

/// The fields of a line the writer stores, in their order in a line of a [`Lot`].
#[derive(Debug, Clone, Copy)]
enum Champ {
    Rpps,
    Nom,
    Prenom,
    Civilite,
    Profession,
    SavoirFaire,
    ModeExercice,
    RaisonSociale,
    /// The street lines ([`push_adresse_lignes`]).
    Adresse,
    CodePostal,
    Commune,
    CodeInsee,
    Departement,
    Telephone,
    Telephone2,
    Fax,
    Email,
}

impl Champ {
    /// Every field, in their order in a line of a lot.
    const TOUS: [Champ; 17] = [
        Champ::Rpps,
        Champ::Nom,
        Champ::Prenom,
        Champ::Civilite,
        Champ::Profession,
        Champ::SavoirFaire,
        Champ::ModeExercice,
        Champ::RaisonSociale,
        Champ::Adresse,
        Champ::CodePostal,
        Champ::Commune,
        Champ::CodeInsee,
        Champ::Departement,
        Champ::Telephone,
        Champ::Telephone2,
        Champ::Fax,
        Champ::Email,
    ];
}

const CHAMPS: usize = Champ::TOUS.len();

/// A parsed line as the writer needs it: where its fields are in the lot's text, and what the
/// parsing thread computed.
struct LignePreparee {
    /// Start of each field in [`Lot::texte`], then the end of the last one.
    bornes: [u32; CHAMPS + 1],
    empreinte: i64,
    site: i64,
}

/// A lot of parsed lines, in file order, their fields in one text: the parsing thread fills it,
/// the writing one reads it and sends it back to be filled again, so that a line costs no
/// allocation (a string per field, allocated on one thread and freed on the other, made up a
/// third of the import's time). `erreur` ends the file (a read error, not a malformed line:
/// those are counted by the reader and skipped).
struct Lot {
    texte: String,
    lignes: Vec<LignePreparee>,
    erreur: Option<RppsError>,
    /// Bytes of the file read when the lot was made (progress).
    octets: u64,
}

impl Lot {
    fn new() -> Self {
        Self {
            texte: String::with_capacity(LOT * 256),
            lignes: Vec::with_capacity(LOT),
            erreur: None,
            octets: 0,
        }
    }

    fn clear(&mut self) {
        self.texte.clear();
        self.lignes.clear();
        self.erreur = None;
    }

    /// Adds a line: the fields the writer stores, the fingerprint, the site key.
    fn push(&mut self, a: &ActiviteRpps<&str>) {
        let empreinte = ((activity_fingerprint(a) >> 2) as i64) % FINGERPRINT_MODULUS;
        let site = site_key(&a.site) as i64;
        let s = &a.site;
        let mut bornes = [0u32; CHAMPS + 1];
        // A lot holds at most LOT lines of at most twice MAX_LINE_BYTES each: far below 4 GiB.
        for champ in Champ::TOUS {
            bornes[champ as usize] = self.texte.len() as u32;
            let valeur = match champ {
                Champ::Rpps => a.rpps,
                Champ::Nom => a.nom,
                Champ::Prenom => a.prenom,
                Champ::Civilite => a.civilite.libelle,
                Champ::Profession => a.profession.code,
                Champ::SavoirFaire => s.savoir_faire.code,
                Champ::ModeExercice => s.mode_exercice.code,
                Champ::RaisonSociale => s.raison_sociale,
                Champ::Adresse => {
                    push_adresse_lignes(&s.adresse, &mut self.texte);
                    continue;
                }
                Champ::CodePostal => s.adresse.code_postal,
                Champ::Commune => s.adresse.libelle_commune,
                Champ::CodeInsee => s.adresse.code_commune,
                Champ::Departement => s.departement.code,
                Champ::Telephone => s.telephone,
                Champ::Telephone2 => s.telephone2,
                Champ::Fax => s.telecopie,
                Champ::Email => s.email,
            };
            self.texte.push_str(valeur);
        }
        bornes[CHAMPS] = self.texte.len() as u32;
        self.lignes.push(LignePreparee {
            bornes,
            empreinte,
            site,
        });
    }

    /// A field of line `ligne`.
    fn champ(&self, ligne: &LignePreparee, champ: Champ) -> &str {
        let i = champ as usize;
        let (debut, fin) = (ligne.bornes[i] as usize, ligne.bornes[i + 1] as usize);
        self.texte.get(debut..fin).unwrap_or_default()
    }
}

/// Labels of the savoir-faire, profession and mode codes met (a few dozen).
type Vocabulaire = [BTreeMap<String, String>; 3];

/// Records the labels of the codes of a line not met yet.
fn note_vocabulaire(vocabulaire: &mut Vocabulaire, a: &ActiviteRpps<&str>) {
    for (i, cl) in [&a.site.savoir_faire, &a.profession, &a.site.mode_exercice]
        .into_iter()
        .enumerate()
    {
        let CodeLibelle { code, libelle } = *cl;
        if !code.is_empty() && !vocabulaire[i].contains_key(code) {
            vocabulaire[i].insert(code.to_owned(), libelle.to_owned());
        }
    }
}

fn import_in<R: BufRead + Send>(
    tx: &Transaction<'_>,
    source: R,
    total_bytes: Option<u64>,
    options: &ImportOptions<'_>,
    progress: &mut dyn FnMut(&ImportProgress),
) -> Result<ImportSummary, StoreError> {
    let filtre = &options.filtre;
    let mut reader = RppsReader::with_filter(source, filtre.clone()).map_err(rpps_error)?;
    tx.execute(
        "INSERT INTO import_rpps (debut, fichier, filtre_professions, filtre_departements, statut)
         VALUES (?1, ?2, ?3, ?4, 'en_cours')",
        params![
            options.debut,
            options.fichier,
            join_codes(filtre.professions.as_ref()),
            join_codes(filtre.departements.as_ref()),
        ],
    )?;
    let cur = tx.last_insert_rowid();
    let had_data: bool =
        tx.query_row("SELECT EXISTS (SELECT 1 FROM praticien)", [], |r| r.get(0))?;

    // 1. Stream the lines.
    let mut report_progress = |phase, reader_bytes, activites| {
        progress(&ImportProgress {
            phase,
            octets_lus: reader_bytes,
            octets_total: total_bytes,
            activites,
        });
    };
    report_progress(ImportPhase::Lecture, reader.bytes_read(), 0);
    // The file is parsed on a second thread (the parse, the fingerprints, the address lines and
    // the labels of the codes) while this one writes: lines go by lots through a short queue,
    // in file order, and the lots come back to be filled again. A read error ends the lots;
    // dropping the queue stops the parser.
    let (reader, vocabulaire) = std::thread::scope(
        |scope| -> Result<(RppsReader<R>, Vocabulaire), StoreError> {
            let (envoi, lots) = std::sync::mpsc::sync_channel::<Lot>(LOTS_EN_ROUTE);
            let (renvoi, vides) = std::sync::mpsc::sync_channel::<Lot>(LOTS_EN_ROUTE + 2);
            let parser = scope.spawn(move || {
                let mut vocabulaire = Vocabulaire::default();
                loop {
                    let mut lot = vides.try_recv().unwrap_or_else(|_| Lot::new());
                    while lot.lignes.len() < LOT {
                        match reader.next_borrowed() {
                            None => break,
                            Some(Ok(a)) => {
                                note_vocabulaire(&mut vocabulaire, &a);
                                lot.push(&a);
                            }
                            Some(Err(e)) => {
                                lot.erreur = Some(e);
                                break;
                            }
                        }
                    }
                    let fin = lot.lignes.len() < LOT || lot.erreur.is_some();
                    lot.octets = reader.bytes_read();
                    if envoi.send(lot).is_err() || fin {
                        break;
                    }
                }
                (reader, vocabulaire)
            });
            let mut upsert_praticien = tx.prepare(UPSERT_PRATICIEN)?;
            let mut upsert_site = tx.prepare(UPSERT_SITE)?;
            let mut activites = 0u64;
            let mut octets_lus = 0;
            for mut lot in lots.iter() {
                octets_lus = lot.octets;
                for l in &lot.lignes {
                    let c = |champ| lot.champ(l, champ);
                    upsert_praticien.execute(params![
                        c(Champ::Rpps),
                        c(Champ::Nom),
                        c(Champ::Prenom),
                        c(Champ::Civilite),
                        c(Champ::Profession),
                        c(Champ::SavoirFaire),
                        l.empreinte,
                        cur,
                    ])?;
                    upsert_site.execute(params![
                        c(Champ::Rpps),
                        l.site,
                        c(Champ::SavoirFaire),
                        c(Champ::ModeExercice),
                        c(Champ::RaisonSociale),
                        c(Champ::Adresse),
                        c(Champ::CodePostal),
                        c(Champ::Commune),
                        c(Champ::CodeInsee),
                        c(Champ::Departement),
                        c(Champ::Telephone),
                        c(Champ::Telephone2),
                        c(Champ::Fax),
                        c(Champ::Email),
                        cur,
                    ])?;
                    activites += 1;
                    if activites.is_multiple_of(PROGRESS_EVERY) {
                        report_progress(ImportPhase::Lecture, octets_lus, activites);
                    }
                }
                if let Some(e) = lot.erreur.take() {
                    return Err(rpps_error(e));
                }
                lot.clear();
                // The parser makes a new lot when none comes back in time.
                let _ = renvoi.try_send(lot);
            }
            drop(lots);
            report_progress(ImportPhase::Comparaison, octets_lus, activites);
            // The parser cannot panic on any input (it is fuzzed); if it ever did, the panic
            // goes on.
            parser
                .join()
                .map_err(|panique| std::panic::resume_unwind(panique))
        },
    )?;
    let report = reader.report().clone();
    let encodage = reader.encoding().map(|e| e.to_string()).unwrap_or_default();
    let colonnes = reader.column_count();
    let octets = reader.bytes_read();

    // 2. Compare with what was there. A practitioner new in this import already has its full
    // fingerprint (the upsert keeps it up to date), so a first import has nothing to compare.
    let (ajoutes, reactives, modifies_vus, inchanges): (u64, u64, u64, u64) = if had_data {
        let counts = tx.query_row(
            "SELECT coalesce(sum(cree_import_id = ?1), 0),
                    coalesce(sum(cree_import_id <> ?1 AND actif = 0), 0),
                    coalesce(sum(cree_import_id <> ?1 AND actif = 1 AND empreinte <> empreinte_import), 0),
                    coalesce(sum(cree_import_id <> ?1 AND actif = 1 AND empreinte = empreinte_import), 0)
             FROM praticien WHERE vu_import_id = ?1",
            [cur],
            |r| {
                Ok((
                    get_u64(r, 0)?,
                    get_u64(r, 1)?,
                    get_u64(r, 2)?,
                    get_u64(r, 3)?,
                ))
            },
        )?;
        tx.execute(
            "UPDATE praticien SET empreinte = empreinte_import, actif = 1, modifie_import_id = ?1
             WHERE vu_import_id = ?1 AND cree_import_id <> ?1
               AND (empreinte <> empreinte_import OR actif = 0)",
            [cur],
        )?;
        counts
    } else {
        let n = tx.query_row("SELECT count(*) FROM praticien", [], |r| get_u64(r, 0))?;
        (n, 0, 0, 0)
    };
    let professions = json_codes(filtre.professions.as_ref());
    let departements = json_codes(filtre.departements.as_ref());
    let (mut desactives, mut modifies_absents) = (0u64, 0u64);
    if had_data {
        // Sites not seen, within the filter: their practitioner changed (its index must follow).
        let scope = "actif = 1 AND vu_import_id <> ?1
             AND (?2 IS NULL OR departement IN (SELECT value FROM json_each(?2)))
             AND (?3 IS NULL OR rpps IN (SELECT rpps FROM praticien
                                         WHERE profession_code IN (SELECT value FROM json_each(?3))))";
        modifies_absents = tx.execute(
            &format!(
                "UPDATE praticien SET modifie_import_id = ?1
                 WHERE vu_import_id <> ?1 AND modifie_import_id <> ?1
                   AND rpps IN (SELECT rpps FROM praticien_site WHERE {scope})"
            ),
            params![cur, departements, professions],
        )? as u64;
        tx.execute(
            &format!("UPDATE praticien_site SET actif = 0 WHERE {scope}"),
            params![cur, departements, professions],
        )?;
        // Practitioners not seen with no active site left are inactive (kept, never deleted).
        desactives = tx.execute(
            "UPDATE praticien SET actif = 0, modifie_import_id = ?1
             WHERE actif = 1 AND vu_import_id <> ?1
               AND NOT EXISTS (SELECT 1 FROM praticien_site s
                               WHERE s.rpps = praticien.rpps AND s.actif = 1)",
            [cur],
        )? as u64;
    }

    // 3. Refresh the search index of what changed.
    {
        let mut vocab = tx.prepare(
            "INSERT INTO annuaire_vocabulaire (cle, libelle, libelle_plie) VALUES (?1, ?2, ?3)
             ON CONFLICT (cle) DO UPDATE SET libelle = excluded.libelle,
                 libelle_plie = excluded.libelle_plie",
        )?;
        let all = vocabulaire[0]
            .iter()
            .map(|e| ("s", e))
            .chain(vocabulaire[1].iter().map(|e| ("p", e)))
            .chain(vocabulaire[2].iter().map(|e| ("m", e)));
        for (prefix, (code, libelle)) in all {
            let libelle = if libelle.is_empty() { code } else { libelle };
            vocab.execute(params![
                format!("{prefix}{}", fold_compact(code)),
                libelle,
                fold(libelle)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ])?;
        }
    }
    report_progress(ImportPhase::Index, octets, report.records);
    // The index is written in several segments (one per full pending-terms buffer), then merged
    // into one: a key of a search is then one leaf to read instead of one per segment, and pages
    // a search reads for the first time are most of its cost (SQLCipher decrypts each one, from
    // disk when the system has evicted it). No merging on the way: the final one does it all.
    tx.execute_batch(
        "INSERT INTO annuaire_recherche (annuaire_recherche, rank) VALUES ('automerge', 0)",
    )?;
    if index_changed_practitioners(tx, cur)? > 0 {
        tx.execute_batch(
            "INSERT INTO annuaire_recherche (annuaire_recherche) VALUES ('optimize')",
        )?;
    }
    tx.execute_batch(
        "INSERT INTO annuaire_recherche (annuaire_recherche, rank) VALUES ('automerge', 4)",
    )?;

    let praticiens_actifs: u64 =
        tx.query_row("SELECT count(*) FROM praticien WHERE actif = 1", [], |r| {
            get_u64(r, 0)
        })?;
    let lignes_malformees: Vec<(u64, String)> = report
        .malformed
        .iter()
        .take(MALFORMED_KEPT)
        .map(|m| (m.line, m.reason.to_string()))
        .collect();
    let summary = ImportSummary {
        import_id: cur,
        encodage,
        colonnes,
        lignes: report.data_lines,
        activites: report.records,
        hors_filtre: report.filtered_out,
        malformees: report.malformed_total,
        lignes_malformees,
        ajoutes,
        modifies: reactives + modifies_vus + modifies_absents.saturating_sub(desactives),
        inchanges,
        desactives,
        reactives,
        praticiens_actifs,
    };
    tx.execute(
        "UPDATE import_rpps SET fin = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), statut = 'termine',
             encodage = ?2, colonnes = ?3, lignes = ?4, retenues = ?5, hors_filtre = ?6,
             malformees = ?7, lignes_malformees = ?8, ajoutes = ?9, modifies = ?10,
             inchanges = ?11, desactives = ?12, reactives = ?13
         WHERE id = ?1",
        params![
            cur,
            summary.encodage,
            summary.colonnes as i64,
            summary.lignes as i64,
            summary.activites as i64,
            summary.hors_filtre as i64,
            summary.malformees as i64,
            summary
                .lignes_malformees
                .iter()
                .map(|(n, r)| format!("{n}: {r}"))
                .collect::<Vec<_>>()
                .join("\n"),
            summary.ajoutes as i64,
            summary.modifies as i64,
            summary.inchanges as i64,
            summary.desactives as i64,
            summary.reactives as i64,
        ],
    )?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lines_leave_out_blank_parts() {
        let lines = |ad: Adresse<&str>| {
            let mut out = String::from("before");
            push_adresse_lignes(&ad, &mut out);
            out.strip_prefix("before").unwrap_or_default().to_owned()
        };
        let street = Adresse {
            numero_voie: "12",
            indice_repetition: "B",
            type_voie: CodeLibelle {
                code: "R",
                libelle: "Rue",
            },
            libelle_voie: "DES LILAS",
            ..Adresse::default()
        };
        assert_eq!(lines(street.clone()), "12 bis Rue DES LILAS");
        assert_eq!(
            lines(Adresse {
                complement_destinataire: "CABINET MEDICAL",
                mention_distribution: "BP 12",
                type_voie: CodeLibelle {
                    code: "AV",
                    libelle: "",
                },
                indice_repetition: "",
                ..street.clone()
            }),
            "CABINET MEDICAL\n12 AV DES LILAS\nBP 12"
        );
        assert_eq!(
            lines(Adresse {
                complement_point_geo: "BATIMENT A",
                mention_distribution: "LIEU-DIT LA FORET",
                ..Adresse::default()
            }),
            "BATIMENT A\nLIEU-DIT LA FORET"
        );
        assert_eq!(lines(Adresse::default()), "");
    }
}
