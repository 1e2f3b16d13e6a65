//! The search of the annuaire as the user types: the query folded and split ([`Requete`]), what
//! its words stand for in `annuaire_mot` ([`Expansions`]), the tiers of FTS5 queries planned from
//! them ([`search_tiers`]), then [`Store::annuaire_search`] running them (see the [module
//! documentation](super)).

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::locales::{LOCAL_COLUMNS, TypeLocal, local_from_row};
use super::praticiens::{SitePraticien, site_columns, site_from_row};
use super::sql::label_sql;
use super::texte::{fold, fold_compact};
use crate::{Store, StoreError};

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
