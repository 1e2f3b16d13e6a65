//! The search index of the annuaire (`annuaire_recherche`, FTS5): the typed keys and the folded
//! text of one entry, the counts of `annuaire_mot`, and the re-indexing of the practitioners an
//! import changed. Everything is written into reused buffers: an import builds two million
//! entries.

use std::collections::HashMap;
use std::ops::Range;

use rusqlite::{Transaction, params};

use super::texte::{fold_compact_into, fold_into};
use crate::StoreError;

/// Re-indexes the practitioners marked modified by import `cur`: removes their old entry (if
/// any) and indexes the active ones with the communes and départements of their active sites.
/// Returns how many practitioners were re-indexed.
pub(super) fn index_changed_practitioners(
    tx: &Transaction<'_>,
    cur: i64,
) -> Result<u64, StoreError> {
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

pub(super) const INSERT_INDEX: &str =
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
pub(super) struct IndexEntry {
    pub(super) nom: String,
    pub(super) prenom: String,
    /// Folded labels found by the words typed (specialty and profession, or the local entry's
    /// type); in `texte` only: the keys carry their codes.
    pub(super) libelles: String,
    /// Keys of codes, already folded: `ssm54`, `p10`, `turgences`.
    pub(super) codes: Vec<String>,
    /// (commune, département) of each active site.
    pub(super) sites: Vec<(String, String)>,
}

/// Reused buffers of the index writer.
#[derive(Default)]
pub(super) struct IndexBuffers {
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
    pub(super) counts: HashMap<String, i64>,
}

/// Adds the counted keys to `annuaire_mot`, in key order.
pub(super) fn write_counts(
    tx: &Transaction<'_>,
    counts: HashMap<String, i64>,
) -> Result<(), StoreError> {
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
    pub(super) fn insert(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
