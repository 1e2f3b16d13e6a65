//! The annuaire des correspondants: practitioners imported from the national RPPS extract (tables
//! `praticien` and `praticien_site`), the MMG's own entries (`annuaire_local`), the search index
//! over both (`annuaire_recherche`, FTS5) and the history of imports (`import_rpps`).
//!
//! # Import
//! [`Store::import_rpps`] streams the file through [`appligarde_rpps::RppsReader`] and writes it in
//! ONE transaction: a failure at any point (unreadable header, read error in the middle) leaves the
//! annuaire as it was, and the failed attempt is recorded in `import_rpps`. Memory does not grow
//! with the file: nothing is kept per practitioner in memory; the diff is made in SQL. The file
//! is parsed on a second thread (with the fingerprints and address lines), handed over by lots of
//! `LOT` lines through a queue of four: the writing thread, the slower one, never waits for the
//! parser, and memory stays bounded. A lot keeps the fields the writer stores in one text, read
//! from the reader's buffer without a string per field ([`RppsReader::next_borrowed`]), and goes
//! back to the parser to be filled again: no allocation per line on either thread.
//!
//! - Each line upserts its practitioner by `rpps` and its site by `(rpps, site_key)`, stamping them
//!   with the import id (`vu_import_id`). The practitioner accumulates, in `empreinte_import`, the
//!   order-independent sum of the parser's activity fingerprints; at the end it is compared with
//!   the sum of the previous import (`empreinte`): equal means unchanged, so the search index of
//!   that practitioner is left alone.
//! - Rows the import did not see, within the import's filter only (a file filtered on 44 says
//!   nothing about 72), are marked inactive, never deleted: a site by its département and the
//!   practitioner's profession; a practitioner when no active site is left.
//!
//! # Search
//! [`Store::annuaire_search`] never asks FTS5 for a prefix: FTS5 gathers every entry of every key
//! a prefix matches before returning the first one, which costs tens of milliseconds for « ma »
//! in the whole country. Instead:
//! - the index holds typed keys (`n<name>`, `x<word>`, codes, and the same within each
//!   département: `d44nmartin`), see the migration `0002_annuaire.sql`;
//! - each word typed is looked up in `annuaire_mot` (a B-tree range) and becomes the few most
//!   frequent whole keys it starts, which FTS5 reads lazily and stops reading at the limit;
//! - up to six tiers run in order until enough entries are found: names starting with the first
//!   word in the MMG's département, any field in the département, every askable word in the
//!   département, then the same in the country;
//! - a word whose keys are too frequent to help (« le », one letter) is checked on the folded
//!   text of the entries the other words found, at most `TIER_SCAN_CAP` of them per tier;
//! - codes (specialties) are national keys: within the département they are ANDed with the
//!   département's key only when no other word of the tier already holds the entry to it (that
//!   key's list is long and slows the AND down tenfold);
//! - an entry has one name key per scope, so in the « name first » tiers the other words' names
//!   that are not the head's are left out: « julien roy » does not AND the names Julien and Roy
//!   (an empty AND that FTS5 finds only by walking both lists);
//! - the whole search runs in one read transaction (one lock, not one per statement) and its
//!   statements never bind a LIMIT or a LIKE pattern (either makes SQLite prepare them again).
//!
//! What a search costs is mostly the pages it reads for the first time: SQLCipher decrypts each
//! one, read from disk when the system has evicted it. So an import merges the index into one
//! segment at its end (FTS5 `optimize`, incremental merging off meanwhile): a key is one leaf of
//! the index to read, not one per segment.
//!
//! Text is folded by [`fold`] (lower case, no accents), when indexing and when searching, so
//! « Hélène » is found by « helene ». How to add a searchable field: add its words to the keys and
//! the text in `IndexEntry::insert`; they are counted in `annuaire_mot` there too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::ops::Range;
use std::path::Path;

use appligarde_domain::{DomainError, garde::Role, luhn, mmg::is_departement};
use appligarde_rpps::{
    ActiviteRpps, Adresse, CodeLibelle, Filtre, RppsError, RppsReader, activity_fingerprint,
    site_key,
};
use rusqlite::{OptionalExtension, Transaction, params};

use crate::{Store, StoreError, utilisateur};

/// Practitioner fingerprints are summed modulo 2^62 so that SQLite's 64-bit integers never
/// overflow (an overflow would turn them into floating-point numbers).
const FINGERPRINT_MODULUS: i64 = 1 << 62;

/// Page cache of the import's connection: enough to keep the B-tree pages being filled.
const IMPORT_CACHE_KIB: i64 = 32 * 1024;

/// How often (in records) the import reports its progress.
const PROGRESS_EVERY: u64 = 16 * 1024;

/// How many malformed lines are kept in the history (the reader keeps up to 1000).
const MALFORMED_KEPT: usize = 200;

// ---------------------------------------------------------------------------------------------
// Text folding
// ---------------------------------------------------------------------------------------------

/// Folds text for the search index and for queries: lower case, accents removed (`é` → `e`,
/// `œ` → `oe`), every character that is neither a letter nor a digit turned into a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`], appended to `out`.
fn fold_into(text: &str, out: &mut String) {
    fold_with(text, out, true);
}

/// [`fold`] without the spaces: `LE GOFF` → `legoff`, `D'ARTAGNAN` → `dartagnan`.
pub fn fold_compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_compact_into(text, &mut out);
    out
}

/// [`fold_compact`], appended to `out`.
fn fold_compact_into(text: &str, out: &mut String) {
    fold_with(text, out, false);
}

/// Appends the folded `text` to `out`; what is not a letter or a digit becomes a space, or
/// nothing when `spaces` is false.
fn fold_with(text: &str, out: &mut String, spaces: bool) {
    for c in text.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            _ if c.is_ascii() => {
                if spaces {
                    out.push(' ');
                }
            }
            _ => match fold_non_ascii(c) {
                Some(s) => out.push_str(s),
                None if c.is_alphanumeric() => out.extend(c.to_lowercase()),
                None => {
                    if spaces {
                        out.push(' ');
                    }
                }
            },
        }
    }
}

fn fold_non_ascii(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å'
        | 'Ā' | 'Ă' | 'Ą' => "a",
        'æ' | 'Æ' => "ae",
        'ç' | 'ć' | 'č' | 'Ç' | 'Ć' | 'Č' => "c",
        'ď' | 'đ' | 'Ď' | 'Đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę'
        | 'Ě' => "e",
        'ğ' | 'Ğ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => {
            "i"
        }
        'ł' | 'Ł' => "l",
        'ñ' | 'ń' | 'ň' | 'Ñ' | 'Ń' | 'Ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō'
        | 'Ő' => "o",
        'œ' | 'Œ' => "oe",
        'ř' | 'Ř' => "r",
        'ś' | 'ş' | 'š' | 'Ś' | 'Ş' | 'Š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'Ţ' | 'Ť' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => {
            "u"
        }
        'ý' | 'ÿ' | 'Ý' | 'Ÿ' => "y",
        'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

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

/// A count read from SQLite (which has no unsigned integers).
fn get_u64(r: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    Ok(u64::try_from(r.get::<_, i64>(idx)?).unwrap_or(0))
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

/// The label of a code of the vocabulary (`s`, `p` or `m` + the code), or the code itself.
fn label_sql(prefix: &str, column: &str) -> String {
    format!(
        "coalesce((SELECT libelle FROM annuaire_vocabulaire WHERE cle = '{prefix}' || lower({column})), {column})"
    )
}

impl Store {
    /// Imports an RPPS extract from a file. See the [module documentation](self).
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

/// Re-indexes the practitioners marked modified by import `cur`: removes their old entry (if
/// any) and indexes the active ones with the communes and départements of their active sites.
/// Returns how many practitioners were re-indexed.
fn index_changed_practitioners(tx: &Transaction<'_>, cur: i64) -> Result<u64, StoreError> {
    let mut delete = tx.prepare("DELETE FROM annuaire_recherche WHERE rowid = ?1")?;
    let mut insert = tx.prepare(INSERT_INDEX)?;
    let mut select = tx.prepare(
        "SELECT p.rpps, p.cree_import_id = ?1, p.actif, p.nom, p.prenom, p.specialite_code,
                p.profession_code, s.commune, s.departement
         FROM praticien p LEFT JOIN praticien_site s ON s.rpps = p.rpps AND s.actif = 1
         WHERE p.modifie_import_id = ?1
         ORDER BY p.rpps",
    )?;
    let labels: HashMap<String, String> = tx
        .prepare("SELECT cle, libelle_plie FROM annuaire_vocabulaire")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut rows = select.query([cur])?;
    // One entry, refilled for each practitioner (its buffers reused).
    let mut pending = PendingEntry {
        rpps: String::new(),
        rowid: 0,
        nouveau: false,
        actif: false,
        entry: IndexEntry {
            nom: String::new(),
            prenom: String::new(),
            libelles: String::new(),
            codes: Vec::with_capacity(2),
            sites: Vec::new(),
        },
    };
    let mut buffers = IndexBuffers::default();
    let mut written = 0u64;
    while let Some(r) = rows.next()? {
        let rpps = text_ref(r, 0)?;
        // A stored RPPS number is never empty: an empty one means no practitioner yet.
        if pending.rpps != rpps {
            if !pending.rpps.is_empty() {
                pending.write(&mut delete, &mut insert, &mut buffers)?;
                written += 1;
            }
            pending.rowid = rpps
                .parse::<i64>()
                .map_err(|_| StoreError::Corrupt(format!("numéro RPPS non numérique : {rpps}")))?;
            pending.rpps.clear();
            pending.rpps.push_str(rpps);
            pending.nouveau = r.get(1)?;
            pending.actif = r.get(2)?;
            let e = &mut pending.entry;
            e.nom.clear();
            e.nom.push_str(text_ref(r, 3)?);
            e.prenom.clear();
            e.prenom.push_str(text_ref(r, 4)?);
            e.libelles.clear();
            e.codes.clear();
            e.sites.clear();
            for (prefix, column) in [('s', 5), ('p', 6)] {
                let code = text_ref(r, column)?;
                if !code.is_empty() {
                    let mut key = String::with_capacity(code.len() + 1);
                    key.push(prefix);
                    fold_compact_into(code, &mut key);
                    if let Some(label) = labels.get(&key) {
                        e.libelles.push_str(label);
                    }
                    e.libelles.push(' ');
                    e.codes.push(key);
                }
            }
        }
        // The sites of the LEFT JOIN: NULL when the practitioner has no active site.
        if let (Some(c), Some(d)) = (text_or_null(r, 7)?, text_or_null(r, 8)?) {
            let sites = &mut pending.entry.sites;
            if !sites.iter().any(|(c2, d2)| c2 == c && d2 == d) {
                sites.push((c.to_owned(), d.to_owned()));
            }
        }
    }
    if !pending.rpps.is_empty() {
        pending.write(&mut delete, &mut insert, &mut buffers)?;
        written += 1;
    }
    write_counts(tx, buffers.counts)?;
    Ok(written)
}

/// A text column of a row, borrowed.
fn text_ref<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    Ok(r.get_ref(i)?.as_str().map_err(|e| conversion(i, e))?)
}

/// A text column of a row that may be NULL, borrowed.
fn text_or_null<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> Result<Option<&'r str>, StoreError> {
    Ok(r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| conversion(i, e))?)
}

/// The error of a column that is not the text the store wrote.
fn conversion(i: usize, e: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

const INSERT_INDEX: &str =
    "INSERT INTO annuaire_recherche (rowid, cles, texte) VALUES (?1, ?2, ?3)";

struct PendingEntry {
    rpps: String,
    rowid: i64,
    nouveau: bool,
    actif: bool,
    entry: IndexEntry,
}

impl PendingEntry {
    fn write(
        &self,
        delete: &mut rusqlite::Statement<'_>,
        insert: &mut rusqlite::Statement<'_>,
        buffers: &mut IndexBuffers,
    ) -> Result<(), StoreError> {
        if !self.nouveau {
            delete.execute([self.rowid])?;
        }
        if self.actif {
            self.entry.insert(insert, self.rowid, buffers)?;
        }
        Ok(())
    }
}

/// What one entry of the search index is made of, before folding.
struct IndexEntry {
    nom: String,
    prenom: String,
    /// Folded labels found by the words typed (specialty and profession, or the local entry's
    /// type); in `texte` only: the keys carry their codes.
    libelles: String,
    /// Keys of codes, already folded: `ssm54`, `p10`, `turgences`.
    codes: Vec<String>,
    /// (commune, département) of each active site.
    sites: Vec<(String, String)>,
}

/// Reused buffers of the index writer.
#[derive(Default)]
struct IndexBuffers {
    /// The entry's keys.
    cles: String,
    /// The entry's folded text.
    texte: String,
    /// The words with an `x` key, each once, in `mots`.
    mots: String,
    words: Vec<Range<usize>>,
    /// (commune, département) of each site, folded, in `site_text`.
    sites: Vec<(Range<usize>, Range<usize>)>,
    site_text: String,
    /// The départements of the sites, each once, in `site_text`.
    departements: Vec<Range<usize>>,
    /// The words of one département, in `mots`.
    dep_words: Vec<Range<usize>>,
    /// Entries per national `n`/`x` key, written to `annuaire_mot` by [`write_counts`].
    counts: HashMap<String, i64>,
}

/// Adds the counted keys to `annuaire_mot`, in key order.
fn write_counts(tx: &Transaction<'_>, counts: HashMap<String, i64>) -> Result<(), StoreError> {
    let mut keys: Vec<(String, i64)> = counts.into_iter().collect();
    keys.sort_unstable();
    let mut upsert = tx.prepare(
        "INSERT INTO annuaire_mot (mot, nb) VALUES (?1, ?2)
         ON CONFLICT (mot) DO UPDATE SET nb = nb + excluded.nb",
    )?;
    for (mot, nb) in keys {
        upsert.execute(params![mot, nb])?;
    }
    Ok(())
}

impl IndexEntry {
    fn insert(
        &self,
        insert: &mut rusqlite::Statement<'_>,
        rowid: i64,
        b: &mut IndexBuffers,
    ) -> Result<(), StoreError> {
        self.build(b);
        insert.execute(params![rowid, b.cles, b.texte])?;
        Ok(())
    }

    /// Writes the entry's keys in `b.cles` and its text in `b.texte`, and counts its national keys.
    fn build(&self, b: &mut IndexBuffers) {
        // Everything is written into the reused buffers: an import builds two million entries.
        let IndexBuffers {
            cles,
            texte,
            mots,
            words,
            sites,
            site_text,
            departements,
            dep_words,
            counts,
        } = b;
        for buffer in [&mut *cles, &mut *texte, &mut *mots, &mut *site_text] {
            buffer.clear();
        }
        words.clear();
        sites.clear();
        departements.clear();
        fold_into(&self.nom, texte);
        let nom_end = texte.len();
        texte.push(' ');
        fold_into(&self.prenom, texte);
        // Words with an `x` key: a one-word name is already found by its `n` key.
        let nom = &texte[..nom_end];
        if nom.split_whitespace().nth(1).is_some() {
            for w in nom.split_whitespace() {
                push_unique(mots, words, w);
            }
        }
        for w in texte[nom_end + 1..].split_whitespace() {
            push_unique(mots, words, w);
        }
        let person_words = words.len();
        for (commune, dep) in &self.sites {
            let commune_start = site_text.len();
            fold_into(commune, site_text);
            let commune_end = site_text.len();
            for w in site_text[commune_start..commune_end].split_whitespace() {
                if push_unique(mots, words, w) {
                    texte.push(' ');
                    texte.push_str(w);
                }
            }
            fold_compact_into(dep, site_text);
            let d = commune_end..site_text.len();
            if !d.is_empty()
                && !departements
                    .iter()
                    .any(|x| site_text[x.clone()] == site_text[d.clone()])
            {
                departements.push(d.clone());
            }
            sites.push((commune_start..commune_end, d));
        }
        texte.push(' ');
        texte.push_str(&self.libelles);
        let nom = &texte[..nom_end];
        let has_name = nom.split_whitespace().next().is_some();
        if has_name {
            cles.push('n');
            nom.split_whitespace().for_each(|w| cles.push_str(w));
            count(counts, cles);
        }
        for w in words.iter() {
            cles.push(' ');
            let start = cles.len();
            cles.push('x');
            cles.push_str(&mots[w.clone()]);
            count(counts, &cles[start..]);
        }
        for c in &self.codes {
            cles.push(' ');
            cles.push_str(c);
        }
        // The same keys in each département, with the communes of that département only.
        for d in departements.iter() {
            let d_text = &site_text[d.clone()];
            if has_name {
                cles.push_str(" d");
                cles.push_str(d_text);
                cles.push('n');
                nom.split_whitespace().for_each(|w| cles.push_str(w));
            }
            // The person's words, then the words of the communes of this département (copied
            // after the others in `mots`, for this département only).
            let mots_len = mots.len();
            dep_words.clear();
            dep_words.extend(words[..person_words].iter().cloned());
            for (commune, cd) in sites.iter() {
                if site_text[cd.clone()] == *d_text {
                    for w in site_text[commune.clone()].split_whitespace() {
                        push_unique(mots, dep_words, w);
                    }
                }
            }
            for w in dep_words.iter() {
                cles.push_str(" d");
                cles.push_str(d_text);
                cles.push('x');
                cles.push_str(&mots[w.clone()]);
            }
            mots.truncate(mots_len);
            cles.push_str(" d");
            cles.push_str(d_text);
        }
    }
}

/// Adds one entry to the count of `key`.
fn count(counts: &mut HashMap<String, i64>, key: &str) {
    if let Some(n) = counts.get_mut(key) {
        *n += 1;
    } else {
        counts.insert(key.to_owned(), 1);
    }
}

/// Pushes `w` to the words (kept in `mots`) unless already there; true when pushed.
fn push_unique(mots: &mut String, words: &mut Vec<Range<usize>>, w: &str) -> bool {
    if words.iter().any(|x| mots[x.clone()] == *w) {
        false
    } else {
        let start = mots.len();
        mots.push_str(w);
        words.push(start..mots.len());
        true
    }
}

// ---------------------------------------------------------------------------------------------
// Practitioners
// ---------------------------------------------------------------------------------------------

/// A site of a practitioner, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitePraticien {
    pub site_key: i64,
    pub savoir_faire: String,
    pub mode_exercice: String,
    pub raison_sociale: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    pub departement: String,
    pub telephone: String,
    pub telephone2: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    pub actif: bool,
}

/// A practitioner of the RPPS with all their sites, active or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Praticien {
    pub rpps: String,
    pub nom: String,
    pub prenom: String,
    pub civilite: String,
    pub profession_code: String,
    pub profession: String,
    pub specialite_code: String,
    pub specialite: String,
    pub actif: bool,
    /// Active sites first, then by commune.
    pub sites: Vec<SitePraticien>,
}

/// Columns read by [`site_from_row`], labels looked up in the vocabulary.
fn site_columns() -> String {
    format!(
        "site_key, {}, {}, raison_sociale, adresse, code_postal, commune, code_insee, departement,
         telephone, telephone2, fax, email, mssante, actif",
        label_sql("s", "savoir_faire_code"),
        label_sql("m", "mode_exercice_code")
    )
}

fn site_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SitePraticien> {
    Ok(SitePraticien {
        site_key: r.get(0)?,
        savoir_faire: r.get(1)?,
        mode_exercice: r.get(2)?,
        raison_sociale: r.get(3)?,
        adresse: r.get(4)?,
        code_postal: r.get(5)?,
        commune: r.get(6)?,
        code_insee: r.get(7)?,
        departement: r.get(8)?,
        telephone: r.get(9)?,
        telephone2: r.get(10)?,
        fax: r.get(11)?,
        email: r.get(12)?,
        mssante: r.get(13)?,
        actif: r.get(14)?,
    })
}

fn praticien_in(conn: &rusqlite::Connection, rpps: &str) -> Result<Option<Praticien>, StoreError> {
    let found = conn
        .query_row(
            &format!(
                "SELECT rpps, nom, prenom, civilite, profession_code, {}, specialite_code, {},
                        actif
                 FROM praticien WHERE rpps = ?1",
                label_sql("p", "profession_code"),
                label_sql("s", "specialite_code")
            ),
            [rpps],
            |r| {
                Ok(Praticien {
                    rpps: r.get(0)?,
                    nom: r.get(1)?,
                    prenom: r.get(2)?,
                    civilite: r.get(3)?,
                    profession_code: r.get(4)?,
                    profession: r.get(5)?,
                    specialite_code: r.get(6)?,
                    specialite: r.get(7)?,
                    actif: r.get(8)?,
                    sites: Vec::new(),
                })
            },
        )
        .optional()?;
    let Some(mut p) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM praticien_site WHERE rpps = ?1 ORDER BY actif DESC, commune, site_key",
        site_columns()
    ))?;
    p.sites = stmt
        .query_map([rpps], site_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(Some(p))
}

impl Store {
    /// A practitioner by RPPS number, active or not (inactive ones stay: letters refer to them).
    pub fn praticien(&self, rpps: &str) -> Result<Option<Praticien>, StoreError> {
        praticien_in(self.conn(), rpps.trim())
    }

    /// Number of practitioners, active and all.
    pub fn praticiens_count(&self) -> Result<(u64, u64), StoreError> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(actif), 0), count(*) FROM praticien",
            [],
            |r| Ok((get_u64(r, 0)?, get_u64(r, 1)?)),
        )?)
    }
}

/// Adds a doctor of the annuaire as a user of the MMG (role `medecin`, no password: the
/// password is set by the user-management screens), created by `acteur` (for the audit log).
/// Returns the new user's id.
pub fn utilisateur_depuis_rpps(
    tx: &Transaction<'_>,
    rpps: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let rpps = rpps.trim();
    if !luhn::is_valid_rpps(rpps) {
        return Err(DomainError::field(
            "rpps",
            "Le numéro RPPS doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
        )
        .into());
    }
    let Some(p) = praticien_in(tx, rpps)? else {
        return Err(DomainError::field(
            "rpps",
            format!(
                "Le numéro RPPS {rpps} n'est pas dans l'annuaire ; importez d'abord le fichier RPPS de votre département."
            ),
        )
        .into());
    };
    if !p.actif {
        return Err(DomainError::field(
            "rpps",
            format!(
                "{} {} n'est plus dans le dernier fichier RPPS importé (praticien inactif).",
                p.prenom, p.nom
            ),
        )
        .into());
    }
    if p.profession_code != "10" {
        return Err(DomainError::field(
            "rpps",
            format!(
                "{} {} n'est pas médecin ({}) : seul un médecin peut être ajouté comme médecin de garde.",
                p.prenom, p.nom, p.profession
            ),
        )
        .into());
    }
    let deja: Option<i64> = tx
        .query_row("SELECT id FROM utilisateur WHERE rpps = ?1", [rpps], |r| {
            r.get(0)
        })
        .optional()?;
    if deja.is_some() {
        return Err(DomainError::field(
            "rpps",
            format!("{} {} est déjà un utilisateur de la MMG.", p.prenom, p.nom),
        )
        .into());
    }
    let specialite = (!p.specialite.is_empty()).then_some(p.specialite.as_str());
    utilisateur::creer(
        tx,
        &utilisateur::NewUtilisateur {
            nom: &p.nom,
            prenom: &p.prenom,
            role: Role::Medecin,
            rpps: Some(rpps),
            specialite,
        },
        false,
        None,
        acteur,
        now,
    )
}

// ---------------------------------------------------------------------------------------------
// Local entries
// ---------------------------------------------------------------------------------------------

/// What a local entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeLocal {
    Hopital,
    Urgences,
    Pharmacie,
    Laboratoire,
    Specialiste,
    Autre,
}

impl TypeLocal {
    pub const ALL: [TypeLocal; 6] = [
        TypeLocal::Hopital,
        TypeLocal::Urgences,
        TypeLocal::Pharmacie,
        TypeLocal::Laboratoire,
        TypeLocal::Specialiste,
        TypeLocal::Autre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TypeLocal::Hopital => "hopital",
            TypeLocal::Urgences => "urgences",
            TypeLocal::Pharmacie => "pharmacie",
            TypeLocal::Laboratoire => "laboratoire",
            TypeLocal::Specialiste => "specialiste",
            TypeLocal::Autre => "autre",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The French label, also indexed so that « pharmacie » finds pharmacies.
    pub fn libelle(self) -> &'static str {
        match self {
            TypeLocal::Hopital => "Hôpital",
            TypeLocal::Urgences => "Urgences",
            TypeLocal::Pharmacie => "Pharmacie",
            TypeLocal::Laboratoire => "Laboratoire",
            TypeLocal::Specialiste => "Spécialiste",
            TypeLocal::Autre => "Autre",
        }
    }
}

/// An entry the MMG adds itself. `id` is `None` for a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntreeLocale {
    pub id: Option<i64>,
    pub type_: TypeLocal,
    pub nom: String,
    pub prenom: String,
    pub rpps: Option<String>,
    pub specialite: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub departement: String,
    pub telephone: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    pub notes: String,
    pub actif: bool,
}

impl EntreeLocale {
    /// Trims every field and upper-cases the département.
    pub fn normalized(&self) -> Self {
        let t = |s: &str| s.trim().to_owned();
        Self {
            id: self.id,
            type_: self.type_,
            nom: t(&self.nom),
            prenom: t(&self.prenom),
            rpps: self
                .rpps
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            specialite: t(&self.specialite),
            adresse: t(&self.adresse),
            code_postal: t(&self.code_postal),
            commune: t(&self.commune),
            departement: t(&self.departement).to_uppercase(),
            telephone: t(&self.telephone),
            fax: t(&self.fax),
            email: t(&self.email),
            mssante: t(&self.mssante).to_lowercase(),
            notes: t(&self.notes),
            actif: self.actif,
        }
    }

    /// Every broken rule, by field (French messages).
    pub fn validate(&self) -> Result<(), Vec<DomainError>> {
        let mut errors = Vec::new();
        if self.nom.trim().is_empty() {
            errors.push(DomainError::field(
                "nom",
                "Le nom est obligatoire (nom du praticien ou de l'établissement).",
            ));
        }
        if let Some(rpps) = self
            .rpps
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            && !luhn::is_valid_rpps(rpps)
        {
            errors.push(DomainError::field(
                "rpps",
                "Le numéro RPPS doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
            ));
        }
        let cp = self.code_postal.trim();
        let cp_ok = cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit());
        if !cp.is_empty() && !cp_ok {
            errors.push(DomainError::field(
                "code_postal",
                "Le code postal doit comporter 5 chiffres.",
            ));
        }
        let dep = self.departement.trim().to_uppercase();
        if !dep.is_empty() && !is_departement(&dep) {
            errors.push(DomainError::field(
                "departement",
                "Le département doit être un code de département français (44, 2A, 974...).",
            ));
        }
        for (field, value, what) in [
            ("telephone", &self.telephone, "Le numéro de téléphone"),
            ("fax", &self.fax, "Le numéro de fax"),
        ] {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            let allowed = value
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()".contains(c));
            if !value.trim().is_empty() && (!allowed || !(10..=15).contains(&digits)) {
                errors.push(DomainError::field(
                    field,
                    format!("{what} doit comporter 10 chiffres (par exemple 02 40 00 00 00)."),
                ));
            }
        }
        let email = self.email.trim();
        if !email.is_empty() && !looks_like_email(email) {
            errors.push(DomainError::field(
                "email",
                "L'adresse e-mail n'est pas valide (exemple : accueil@clinique.fr).",
            ));
        }
        let mss = self.mssante.trim().to_lowercase();
        let mss_ok = looks_like_email(&mss) && mss.ends_with("mssante.fr");
        if !mss.is_empty() && !mss_ok {
            errors.push(DomainError::field(
                "mssante",
                "L'adresse MSSanté doit être une adresse de messagerie sécurisée de santé, se terminant par « mssante.fr » (exemple : prenom.nom@medecin.mssante.fr).",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

const LOCAL_COLUMNS: &str =
    "id, type, nom, prenom, rpps, specialite, adresse, code_postal, commune,
    departement, telephone, fax, email, mssante, notes, actif";

fn local_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntreeLocale> {
    let type_: String = r.get(1)?;
    Ok(EntreeLocale {
        id: r.get(0)?,
        type_: TypeLocal::from_code(&type_).unwrap_or(TypeLocal::Autre),
        nom: r.get(2)?,
        prenom: r.get(3)?,
        rpps: r.get(4)?,
        specialite: r.get(5)?,
        adresse: r.get(6)?,
        code_postal: r.get(7)?,
        commune: r.get(8)?,
        departement: r.get(9)?,
        telephone: r.get(10)?,
        fax: r.get(11)?,
        email: r.get(12)?,
        mssante: r.get(13)?,
        notes: r.get(14)?,
        actif: r.get(15)?,
    })
}

/// Creates or updates a local entry (validated) and its search index entry; returns it as saved.
pub fn save_entree_locale(
    tx: &Transaction<'_>,
    entree: &EntreeLocale,
    now: &str,
) -> Result<EntreeLocale, StoreError> {
    let e = entree.normalized();
    if let Err(mut errors) = e.validate() {
        return Err(errors.remove(0).into());
    }
    let values = params![
        e.type_.code(),
        e.nom,
        e.prenom,
        e.rpps,
        e.specialite,
        e.adresse,
        e.code_postal,
        e.commune,
        e.departement,
        e.telephone,
        e.fax,
        e.email,
        e.mssante,
        e.notes,
        e.actif,
        now,
    ];
    let id = match e.id {
        None => {
            tx.execute(
                "INSERT INTO annuaire_local (type, nom, prenom, rpps, specialite, adresse,
                     code_postal, commune, departement, telephone, fax, email, mssante, notes,
                     actif, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
                values,
            )?;
            tx.last_insert_rowid()
        }
        Some(id) => {
            let n = tx.execute(
                &format!(
                    "UPDATE annuaire_local SET type = ?1, nom = ?2, prenom = ?3, rpps = ?4,
                         specialite = ?5, adresse = ?6, code_postal = ?7, commune = ?8,
                         departement = ?9, telephone = ?10, fax = ?11, email = ?12,
                         mssante = ?13, notes = ?14, actif = ?15, updated_at = ?16
                     WHERE id = {id}"
                ),
                values,
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("entrée {id} de l'annuaire")));
            }
            tx.execute("DELETE FROM annuaire_recherche WHERE rowid = ?1", [-id])?;
            id
        }
    };
    if e.actif {
        let mut insert = tx.prepare(INSERT_INDEX)?;
        let mut buffers = IndexBuffers::default();
        IndexEntry {
            nom: e.nom.clone(),
            prenom: format!("{} {}", e.prenom, e.specialite),
            libelles: fold(e.type_.libelle()),
            codes: vec![format!("t{}", e.type_.code())],
            sites: vec![(e.commune.clone(), e.departement.clone())],
        }
        .insert(&mut insert, -id, &mut buffers)?;
        write_counts(tx, buffers.counts)?;
    }
    Ok(EntreeLocale { id: Some(id), ..e })
}

impl Store {
    /// A local entry by id.
    pub fn entree_locale(&self, id: i64) -> Result<Option<EntreeLocale>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {LOCAL_COLUMNS} FROM annuaire_local WHERE id = ?1"),
                [id],
                local_from_row,
            )
            .optional()?)
    }
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// Where an entry of the annuaire comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceCorrespondant {
    /// A practitioner of the RPPS file.
    Rpps { rpps: String },
    /// An entry added by the MMG.
    Local { id: i64, type_: TypeLocal },
}

/// One entry of the annuaire as a search shows it: the person or place and one address (for a
/// practitioner, the active site in the MMG's département when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correspondant {
    pub source: SourceCorrespondant,
    pub nom: String,
    pub prenom: String,
    pub civilite: String,
    pub profession: String,
    pub specialite: String,
    pub raison_sociale: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub departement: String,
    pub telephone: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    /// Other active sites of a practitioner, beyond the one shown.
    pub autres_sites: u32,
    pub actif: bool,
}

/// Largest number of results a search returns.
pub const SEARCH_MAX: usize = 100;

/// Rows of one tier's query read at most before giving up on it.
const TIER_SCAN_CAP: usize = 60;

/// How many whole keys a word being typed stands for: the most frequent keys it starts.
const EXPANSION_MAX: usize = 8;

/// The keys of `annuaire_mot` starting with `?1`: at most 4000 are read before choosing the most
/// frequent. The limit is written in the SQL: a bound LIMIT makes SQLite prepare the statement
/// again for every new value.
const EXPANSION_SQL: &str =
    "SELECT mot, nb FROM annuaire_mot WHERE mot >= ?1 AND mot < ?1 || char(1114111) LIMIT 4000";

/// A word whose keys hold more entries than this in the whole country (a one-letter word, « le »)
/// is not given to FTS5 with selective words: proving that nothing else matches would make it
/// seek in every one of its keys for every candidate. It is only checked on the text.
const POIDS_MAX: i64 = 20_000;

/// Above this many entries, a word is never asked of the index, even when the cheaper tiers found
/// too few: it is only checked on the text.
const POIDS_COMPLET: i64 = 100_000;

/// A query, folded and split once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requete {
    /// Every folded word typed.
    tokens: Vec<String>,
    /// The first word typed without spaces nor punctuation (`d'Art` → `dart`), as a name prefix.
    nom: String,
    /// How many of the last `tokens` come from words after the first one.
    rest: usize,
}

impl Requete {
    pub(crate) fn parse(query: &str) -> Option<Self> {
        let words: Vec<&str> = query
            .split_whitespace()
            .filter(|w| !fold_compact(w).is_empty())
            .collect();
        let (first, others) = words.split_first()?;
        let split = |w: &&str| {
            fold(w)
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        let tokens: Vec<String> = words.iter().flat_map(split).collect();
        let rest = others.iter().flat_map(split).count();
        Some(Self {
            tokens,
            nom: fold_compact(first),
            rest,
        })
    }

    fn rest(&self) -> &[String] {
        &self.tokens[self.tokens.len() - self.rest..]
    }
}

/// What the words typed stand for, looked up before building the tiers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Expansions {
    /// Names (compact, without the `n`) the first word starts.
    pub(crate) noms: Vec<String>,
    /// For each token: the `x` words and `n` names it starts, without their letter.
    pub(crate) mots: Vec<(Vec<String>, Vec<String>)>,
    /// For each token: about how many entries of the country its keys hold (from
    /// `annuaire_mot`), to leave the unselective ones to the check on the text.
    pub(crate) poids: Vec<i64>,
    /// For each token: the codes whose label has a word starting with it (`cardio` → `ssm04`).
    pub(crate) codes: Vec<Vec<String>>,
}

/// One step of a search: the FTS5 query that proposes entries, and the words each entry must
/// also contain (checked against its folded text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tier {
    pub(crate) fts: String,
    pub(crate) filter: Vec<String>,
}

/// `"a" OR "b"...`, each key prefixed by `d` (a département key or nothing); `None` when empty.
fn any_of(d: &str, keys: impl Iterator<Item = String>) -> Option<String> {
    let parts: Vec<String> = keys.map(|k| format!("\"{d}{k}\"")).collect();
    (!parts.is_empty()).then(|| parts.join(" OR "))
}

/// The whole keys token `i` may match, within a département (`dep`) or in the whole country.
/// Codes are national keys: within a département they are restricted to it by an AND with its
/// key, unless `ancre` says another group of the same AND already holds the entry to the
/// département (the big département key would then only slow the AND down).
///
/// `head`: the names of the AND's head (a group of names only), when there is one. An entry has
/// one name key per scope, so a name of this group outside the head's can never match beside
/// it: it is left out, and the group is `None` when nothing else is left (the AND is empty; FTS5
/// would have walked both lists to find it so).
fn word_group(
    x: &Expansions,
    i: usize,
    dep: Option<&str>,
    ancre: bool,
    head: Option<&[String]>,
) -> Option<String> {
    let d = dep.map(|d| format!("d{d}")).unwrap_or_default();
    let (words, names) = x.mots.get(i)?;
    let mut parts: Vec<String> = Vec::new();
    parts.extend(any_of(&d, words.iter().map(|w| format!("x{w}"))));
    parts.extend(any_of(
        &d,
        names
            .iter()
            .filter(|n| head.is_none_or(|h| h.contains(n)))
            .map(|n| format!("n{n}")),
    ));
    if let Some(codes) = any_of("", x.codes.get(i).into_iter().flatten().cloned()) {
        parts.push(if dep.is_some() && !ancre {
            format!("(\"{d}\" AND ({codes}))")
        } else {
            codes
        });
    }
    (!parts.is_empty()).then(|| format!("({})", parts.join(" OR ")))
}

/// True when every key of token `i`'s group is a key of the scope (no national code in it), so
/// that the group alone holds an entry to the département.
fn group_is_scoped(x: &Expansions, i: usize) -> bool {
    x.codes.get(i).is_none_or(Vec::is_empty)
        && x.mots
            .get(i)
            .is_some_and(|(w, n)| !w.is_empty() || !n.is_empty())
}

/// The tiers of a search, most relevant first: names starting with the first word in the
/// département, any field in the département, then the same in the whole country. Every key is
/// a whole term (FTS5 reads whole terms lazily, and stops at the LIMIT).
pub(crate) fn search_tiers(req: &Requete, departement: Option<&str>, x: &Expansions) -> Vec<Tier> {
    let n = req.tokens.len();
    let first_rest = n - req.rest;
    let mut tiers = Vec::new();
    // A tier's groups, and whether they ask every word of `filter` of the index: then an entry
    // they find has every word already (a key of a word is a word of its text, or the whole name
    // for the name keys, which the « name first » tiers accept as well), and its text is not read.
    let mut push = |groups: Option<(Vec<String>, bool)>, filter: &[String]| {
        if let Some((groups, tous)) = groups.filter(|(g, _)| !g.is_empty()) {
            tiers.push(Tier {
                fts: groups.join(" AND "),
                filter: if tous { Vec::new() } else { filter.to_vec() },
            });
        }
    };
    let dep = departement.map(fold_compact).filter(|d| !d.is_empty());
    let scopes = match dep.as_deref() {
        Some(d) => vec![Some(d), None],
        None => vec![None],
    };
    for scope in scopes {
        let d = scope.map(|d| format!("d{d}")).unwrap_or_default();
        let head = any_of(&d, x.noms.iter().map(|n| format!("n{n}"))).map(|h| format!("({h})"));
        // Words whose keys are too frequent to help are checked on the text only, unless nothing
        // else is left. A word standing for one key is always asked: one term is read lazily.
        let selective = |i: &usize| {
            let terms = x.mots.get(*i).map_or(0, |(w, n)| w.len() + n.len())
                + x.codes.get(*i).map_or(0, Vec::len);
            terms <= 1 || x.poids.get(*i).is_none_or(|p| *p <= POIDS_MAX)
        };
        // The groups of the tokens `chosen` among `of`, AND-ed in one tier (`with_head`: after
        // the names' head, which holds entries to the scope), and whether every token of `of` is
        // asked; `None` when one of them can match nothing.
        let words = |chosen: Vec<usize>, of: usize, with_head: bool| {
            let ancre = with_head || chosen.iter().any(|&i| group_is_scoped(x, i));
            let head = with_head.then_some(x.noms.as_slice());
            let tous = chosen.len() == of;
            chosen
                .into_iter()
                .map(|i| word_group(x, i, scope, ancre, head))
                .collect::<Option<Vec<String>>>()
                .map(|groups| (groups, tous))
        };
        // The selective tokens of `indexes`; with `keep_one`, the least frequent one when none is.
        let chosen = |indexes: Vec<usize>, keep_one: bool| -> Vec<usize> {
            let mut chosen: Vec<usize> = indexes.iter().copied().filter(selective).collect();
            if chosen.is_empty() && keep_one {
                chosen.extend(
                    indexes
                        .iter()
                        .copied()
                        .min_by_key(|i| x.poids.get(*i).copied().unwrap_or(0)),
                );
            }
            chosen
        };
        let by_name = head.and_then(|h| {
            let (rest, tous) = words(chosen((first_rest..n).collect(), false), req.rest, true)?;
            Some((std::iter::once(h).chain(rest).collect(), tous))
        });
        push(by_name, req.rest());
        push(words(chosen((0..n).collect(), true), n, false), &req.tokens);
        // The tiers above read at most TIER_SCAN_CAP entries each: when a frequent word was left
        // to the text check (« françois fabre »: every Fabre, then the François among them), the
        // few entries with both may lie beyond. So, only when those tiers found too few, every
        // word is asked of the index (an AND that skips through the frequent word's keys).
        // Words of very many entries (« le », « m ») stay on the text: their AND would cost more
        // than the whole search should.
        let askable =
            |i: &usize| selective(i) || x.poids.get(*i).is_none_or(|p| *p <= POIDS_COMPLET);
        push(
            words((0..n).filter(askable).collect(), n, false),
            &req.tokens,
        );
    }
    tiers.dedup_by(|a, b| a.fts == b.fts);
    tiers
}

/// The keys of `annuaire_mot` starting with `prefix`, the most frequent first (the exact key
/// first of all), without their first letter.
fn expand(conn: &rusqlite::Connection, prefix: &str) -> Result<(Vec<String>, i64), StoreError> {
    let mut stmt = conn.prepare_cached(EXPANSION_SQL)?;
    let mut found: Vec<(String, i64)> = stmt
        .query_map([prefix], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    found.sort_by_key(|(mot, nb)| std::cmp::Reverse((mot == prefix, *nb)));
    found.truncate(EXPANSION_MAX);
    let poids = found.iter().map(|(_, nb)| nb).sum();
    Ok((
        found.into_iter().map(|(k, _)| k[1..].to_owned()).collect(),
        poids,
    ))
}

/// True when every word of `filter` starts a word of `texte`.
fn matches_all(texte: &str, filter: &[String]) -> bool {
    filter
        .iter()
        .all(|t| texte.split(' ').any(|w| w.starts_with(t.as_str())))
}

impl Store {
    /// Searches the annuaire as the user types: by name, first name, commune, specialty (or the
    /// kind of a local entry), accent-insensitive, each word a prefix. Entries of `departement`
    /// (the MMG's) come first, names starting with the first word first; at most `limit`
    /// results (capped at [`SEARCH_MAX`]). Only active entries are found.
    pub fn annuaire_search(
        &self,
        query: &str,
        departement: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Correspondant>, StoreError> {
        let limit = limit.clamp(1, SEARCH_MAX);
        let Some(req) = Requete::parse(query) else {
            return Ok(Vec::new());
        };
        let conn = self.conn();
        // One read transaction for the whole search: one snapshot, and one lock instead of one
        // per statement (a search runs dozens). Inside a caller's transaction, that one is used.
        let _snapshot = if conn.is_autocommit() {
            Some(conn.unchecked_transaction()?)
        } else {
            None
        };
        // `instr`, not `LIKE ?1`: a bound LIKE pattern makes SQLite prepare the statement again
        // for every new value.
        let mut vocab = conn.prepare_cached(
            "SELECT cle FROM annuaire_vocabulaire
             WHERE substr(cle, 1, 1) IN ('s', 'p', 't') AND instr(' ' || libelle_plie, ?1) > 0",
        )?;
        let mut x = Expansions::default();
        for t in &req.tokens {
            let (mots, p1) = expand(conn, &format!("x{t}"))?;
            let (noms, p2) = expand(conn, &format!("n{t}"))?;
            x.mots.push((mots, noms));
            x.poids.push(p1 + p2);
            x.codes.push(
                vocab
                    .query_map([format!(" {t}")], |r| r.get(0))?
                    .collect::<Result<_, _>>()?,
            );
        }
        // Names the first word starts: the first token's when it is the whole first word.
        x.noms = match (req.tokens.first(), x.mots.first()) {
            (Some(t), Some((_, noms))) if *t == req.nom => noms.clone(),
            _ => expand(conn, &format!("n{}", req.nom))?.0,
        };
        let mut with_text = conn.prepare_cached(
            "SELECT rowid, texte FROM annuaire_recherche WHERE annuaire_recherche MATCH ?1",
        )?;
        // Without the text, FTS5 does not read the entry's row (a page, often never read yet).
        let mut rowids_only = conn.prepare_cached(
            "SELECT rowid FROM annuaire_recherche WHERE annuaire_recherche MATCH ?1",
        )?;
        let mut hits: Vec<(usize, i64)> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for (tier, step) in search_tiers(&req, departement, &x).iter().enumerate() {
            if hits.len() >= limit {
                break;
            }
            let check = !step.filter.is_empty();
            let stmt = if check {
                &mut with_text
            } else {
                &mut rowids_only
            };
            let mut rows = stmt.query([&step.fts])?;
            let mut scanned = 0;
            while let Some(r) = rows.next()? {
                scanned += 1;
                if scanned > TIER_SCAN_CAP {
                    break;
                }
                let rowid: i64 = r.get(0)?;
                if seen.contains(&rowid) {
                    continue;
                }
                if !check || matches_all(&r.get::<_, String>(1)?, &step.filter) {
                    seen.insert(rowid);
                    hits.push((tier, rowid));
                    if hits.len() >= limit {
                        break;
                    }
                }
            }
        }
        let mut found = Vec::with_capacity(hits.len());
        for (tier, rowid) in hits {
            if let Some(c) = correspondant(conn, rowid, departement)? {
                found.push((tier, fold(&c.nom), fold(&c.prenom), c));
            }
        }
        found.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
        Ok(found.into_iter().map(|(_, _, _, c)| c).collect())
    }
}

fn correspondant(
    conn: &rusqlite::Connection,
    rowid: i64,
    departement: Option<&str>,
) -> Result<Option<Correspondant>, StoreError> {
    if rowid < 0 {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {LOCAL_COLUMNS} FROM annuaire_local WHERE id = ?1"
        ))?;
        let e = stmt.query_row([-rowid], local_from_row).optional()?;
        return Ok(e.map(|e| Correspondant {
            source: SourceCorrespondant::Local {
                id: -rowid,
                type_: e.type_,
            },
            nom: e.nom,
            prenom: e.prenom,
            civilite: String::new(),
            profession: e.type_.libelle().to_owned(),
            specialite: e.specialite,
            raison_sociale: String::new(),
            adresse: e.adresse,
            code_postal: e.code_postal,
            commune: e.commune,
            departement: e.departement,
            telephone: e.telephone,
            fax: e.fax,
            email: e.email,
            mssante: e.mssante,
            autres_sites: 0,
            actif: e.actif,
        }));
    }
    let rpps = format!("{rowid:011}");
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT nom, prenom, civilite, {}, {}, actif FROM praticien WHERE rpps = ?1",
        label_sql("p", "profession_code"),
        label_sql("s", "specialite_code")
    ))?;
    let person = stmt
        .query_row([&rpps], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
            ))
        })
        .optional()?;
    let Some((nom, prenom, civilite, profession, specialite, actif)) = person else {
        return Ok(None);
    };
    let mut sites_stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM praticien_site WHERE rpps = ?1 AND actif = 1
         ORDER BY departement = ?2 DESC, site_key LIMIT 8",
        site_columns()
    ))?;
    let sites: Vec<SitePraticien> = sites_stmt
        .query_map(params![rpps, departement.unwrap_or("")], site_from_row)?
        .collect::<Result<_, _>>()?;
    let autres_sites = sites.len().saturating_sub(1) as u32;
    let site = sites.into_iter().next();
    let s = site.unwrap_or(SitePraticien {
        site_key: 0,
        savoir_faire: String::new(),
        mode_exercice: String::new(),
        raison_sociale: String::new(),
        adresse: String::new(),
        code_postal: String::new(),
        commune: String::new(),
        code_insee: String::new(),
        departement: String::new(),
        telephone: String::new(),
        telephone2: String::new(),
        fax: String::new(),
        email: String::new(),
        mssante: String::new(),
        actif: false,
    });
    Ok(Some(Correspondant {
        source: SourceCorrespondant::Rpps { rpps },
        nom,
        prenom,
        civilite,
        profession,
        specialite,
        raison_sociale: s.raison_sociale,
        adresse: s.adresse,
        code_postal: s.code_postal,
        commune: s.commune,
        departement: s.departement,
        telephone: s.telephone,
        fax: s.fax,
        email: s.email,
        mssante: s.mssante,
        autres_sites,
        actif,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_accents_and_punctuation() {
        // (input, folded): what the index stores and what a query is compared with.
        let cases = [
            ("Hélène", "helene"),
            ("ANCENIS-SAINT-GÉRÉON", "ancenis saint gereon"),
            ("D'ARTAGNAN", "d artagnan"),
            ("Œuvre Cœur", "oeuvre coeur"),
            ("Médecine générale", "medecine generale"),
            ("  44  ", "  44  "),
            ("Çà et là", "ca et la"),
        ];
        for (input, folded) in cases {
            assert_eq!(fold(input), folded, "fold({input:?})");
        }
        assert_eq!(fold_compact("LE GOFF"), "legoff");
        assert_eq!(fold_compact("D'Artagnan"), "dartagnan");
    }

    #[test]
    fn an_index_entry_has_its_keys_in_each_departement_and_its_words_once() {
        let entry = IndexEntry {
            nom: "LE GOFF".into(),
            prenom: "Jean-Noël".into(),
            libelles: "medecine generale medecin ".into(),
            codes: vec!["ssm54".into(), "p10".into()],
            sites: vec![
                ("SAINT-HERBLAIN".into(), "44".into()),
                ("Nantes".into(), "44".into()),
                ("Cholet".into(), "49".into()),
                ("Saint-Jean".into(), "49".into()),
            ],
        };
        let mut b = IndexBuffers::default();
        entry.build(&mut b);
        assert_eq!(
            b.cles,
            "nlegoff xle xgoff xjean xnoel xsaint xherblain xnantes xcholet ssm54 p10 \
             d44nlegoff d44xle d44xgoff d44xjean d44xnoel d44xsaint d44xherblain d44xnantes d44 \
             d49nlegoff d49xle d49xgoff d49xjean d49xnoel d49xcholet d49xsaint d49"
        );
        assert_eq!(
            b.texte,
            "le goff jean noel saint herblain nantes cholet medecine generale medecin "
        );
        let mut counts: Vec<(&str, i64)> = b.counts.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        counts.sort_unstable();
        assert_eq!(
            counts,
            [
                "nlegoff",
                "xcholet",
                "xgoff",
                "xherblain",
                "xjean",
                "xle",
                "xnantes",
                "xnoel",
                "xsaint"
            ]
            .map(|k| (k, 1))
        );
        // A second entry reuses the buffers: nothing of the first is left but the counts.
        IndexEntry {
            nom: "Martin".into(),
            prenom: String::new(),
            libelles: String::new(),
            codes: Vec::new(),
            sites: vec![("Nantes".into(), "44".into())],
        }
        .build(&mut b);
        assert_eq!(b.cles, "nmartin xnantes d44nmartin d44xnantes d44");
        assert_eq!(b.texte, "martin  nantes ");
        assert_eq!(b.counts.get("xnantes"), Some(&2));
        assert_eq!(b.counts.get("nmartin"), Some(&1));
    }

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

    #[test]
    fn search_tiers_put_the_departement_and_the_name_first() {
        let req = Requete::parse("Dupont nan").unwrap();
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let x = Expansions {
            noms: strings(&["dupont", "dupontel"]),
            mots: vec![
                (strings(&["dupontine"]), strings(&["dupont", "dupontel"])),
                (strings(&["nantes"]), Vec::new()),
            ],
            codes: vec![Vec::new(), strings(&["ssm54"])],
            poids: vec![120, 3000],
        };
        let tiers = search_tiers(&req, Some("44"), &x);
        let got: Vec<(String, Vec<String>)> = tiers
            .iter()
            .map(|t| (t.fts.clone(), t.filter.clone()))
            .collect();
        // The code needs no département key: the name's group holds the entry to 44.
        let nan_44 = "(\"d44xnantes\" OR \"ssm54\")";
        let nom_44 = "(\"d44ndupont\" OR \"d44ndupontel\")";
        let dupont_44 = "(\"d44xdupontine\" OR \"d44ndupont\" OR \"d44ndupontel\")";
        let nan = "(\"xnantes\" OR \"ssm54\")";
        let nom = "(\"ndupont\" OR \"ndupontel\")";
        let dupont = "(\"xdupontine\" OR \"ndupont\" OR \"ndupontel\")";
        assert_eq!(
            got,
            vec![
                (format!("{nom_44} AND {nan_44}"), Vec::new()),
                (format!("{dupont_44} AND {nan_44}"), Vec::new()),
                (format!("{nom} AND {nan}"), Vec::new()),
                (format!("{dupont} AND {nan}"), Vec::new()),
            ],
            "name in the département, anything in the département, then the same in the country; \
             every key is a whole term, and every word is asked of the index: no text to check"
        );
        // A word too frequent to help is only checked on the text.
        let frequent = Expansions {
            poids: vec![120, 900_000],
            ..x.clone()
        };
        let tiers = search_tiers(&req, Some("44"), &frequent);
        assert_eq!(
            (tiers[0].fts.as_str(), tiers[0].filter.clone()),
            (nom_44, strings(&["nan"])),
            "« nan » would be too frequent: the name alone is asked, « nan » checked on the text"
        );
        let fts = |tiers: &[Tier]| -> Vec<String> { tiers.iter().map(|t| t.fts.clone()).collect() };
        assert_eq!(
            fts(&tiers),
            vec![nom_44, dupont_44, nom, dupont],
            "a word of very many entries is never asked of the index"
        );
        let common = Expansions {
            poids: vec![120, 50_000],
            ..x.clone()
        };
        assert_eq!(
            fts(&search_tiers(&req, Some("44"), &common)),
            vec![
                nom_44.to_owned(),
                dupont_44.to_owned(),
                format!("{dupont_44} AND {nan_44}"),
                nom.to_owned(),
                dupont.to_owned(),
                format!("{dupont} AND {nan}"),
            ],
            "a frequent word (a common first name) is left to the text in the cheap tiers, then \
             asked of the index when they find too few, before leaving the département"
        );
        // Alone, a word's codes are restricted to the département by its key.
        let seul = Expansions {
            noms: Vec::new(),
            mots: vec![(strings(&["nantes"]), Vec::new())],
            codes: vec![strings(&["ssm54"])],
            poids: vec![3000],
        };
        assert_eq!(
            fts(&search_tiers(
                &Requete::parse("nan").unwrap(),
                Some("44"),
                &seul
            )),
            vec![
                "(\"d44xnantes\" OR (\"d44\" AND (\"ssm54\")))".to_owned(),
                nan.to_owned(),
            ],
            "a code with nothing else of the département in the AND keeps the département key"
        );
        let unknown = Expansions {
            noms: Vec::new(),
            mots: vec![(Vec::new(), Vec::new())],
            codes: vec![Vec::new()],
            poids: vec![0],
        };
        assert!(
            search_tiers(&Requete::parse("zzz").unwrap(), Some("44"), &unknown).is_empty(),
            "a word that starts no key searches nothing"
        );
        assert_eq!(
            Requete::parse("  - ' "),
            None,
            "nothing typed, nothing searched"
        );
        let odd = Requete::parse("\"*) OR d'Art").unwrap();
        assert_eq!(
            (odd.nom.as_str(), odd.tokens.clone()),
            ("or", strings(&["or", "d", "art"])),
            "FTS5 syntax typed by the user is folded away, never passed through"
        );
        assert!(matches_all(
            "dupont marie nantes",
            &["ma".into(), "nan".into()]
        ));
        assert!(
            !matches_all("dupont marie nantes", &["ant".into()]),
            "prefixes of words only"
        );
    }

    #[test]
    fn name_first_tiers_leave_out_names_that_cannot_be_beside_the_head() {
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let fts = |query: &str, x: &Expansions| -> Vec<String> {
            search_tiers(&Requete::parse(query).unwrap(), None, x)
                .into_iter()
                .map(|t| t.fts)
                .collect()
        };
        // « julien roy »: Julien is a first name and a name; Roy and Royer are names only.
        let x = Expansions {
            noms: strings(&["julien"]),
            mots: vec![
                (strings(&["julien"]), strings(&["julien"])),
                (Vec::new(), strings(&["roy", "royer"])),
            ],
            codes: vec![Vec::new(), Vec::new()],
            poids: vec![3000, 2000],
        };
        assert_eq!(
            fts("julien roy", &x),
            vec!["(\"xjulien\" OR \"njulien\") AND (\"nroy\" OR \"nroyer\")".to_owned()],
            "an entry has one name: « name Julien » with « name Roy » can match nothing, so that \
             tier is not asked (FTS5 would walk both lists to find so)"
        );
        // « julien ju »: beside the name Julien, the words and the same name are kept.
        let ju = Expansions {
            mots: vec![
                x.mots[0].clone(),
                (strings(&["juliette"]), strings(&["julien", "jumel"])),
            ],
            ..x.clone()
        };
        assert_eq!(
            fts("julien ju", &ju),
            vec![
                "(\"njulien\") AND (\"xjuliette\" OR \"njulien\")".to_owned(),
                "(\"xjulien\" OR \"njulien\") AND (\"xjuliette\" OR \"njulien\" OR \"njumel\")"
                    .to_owned(),
            ],
            "a word, or the head's own name (one word may start both), is kept; other names are \
             left out"
        );
    }
}
