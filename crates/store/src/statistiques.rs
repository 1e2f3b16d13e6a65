//! Queries of the statistics: the anonymous facts of the consultations of a period and the
//! revision of each garde day (`statistique_jour`, kept by the triggers of migration 0007).
//!
//! The facts read here carry no name, no birth date and no free text: the age band is computed
//! in the query's row mapping and the birth date is dropped at once. Amounts come from the
//! payment entries of migration 0004 (`paiement`).

use crate::{Store, StoreError};
use appligarde_domain::{
    consultation::Orientation,
    garde::{Lieu, ModeArrivee, Sexe},
    indicateurs::{Fait, ModePaiement, TrancheAge},
    syndromes::ClasseAge,
};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};

/// One cached garde day of the statistics (table `statistique_cache`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneCache {
    pub date: NaiveDate,
    /// The `statistique_jour` revision the counts were computed at (0: the day had no row).
    pub revision: u64,
    /// What else the counts depend on (calendar, département, format), as the caller made it.
    pub contexte: String,
    /// The counts, serialized by the caller (JSON).
    pub comptes: String,
}

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

fn temps(text: Option<String>) -> Option<NaiveDateTime> {
    text.and_then(|t| NaiveDateTime::parse_from_str(&t, TIME_FORMAT).ok())
}

impl Store {
    /// The facts of the consultations whose arrival is in `du..au` (local times, `au` excluded).
    pub fn faits_statistiques(
        &self,
        du: NaiveDateTime,
        au: NaiveDateTime,
    ) -> Result<Vec<Fait>, StoreError> {
        faits(self.conn(), du, au)
    }

    /// The cached counts of the garde days of `du..=au` (migration 0011), as stored: see
    /// [`LigneCache`]. The caller checks the revision and the fingerprint.
    pub fn cache_statistiques(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Vec<LigneCache>, StoreError> {
        cache(self.conn(), du, au)
    }

    /// Writes (replaces) cached days, in one transaction.
    pub fn ecrire_cache_statistiques(&mut self, lignes: &[LigneCache]) -> Result<(), StoreError> {
        if lignes.is_empty() {
            return Ok(());
        }
        self.write(|tx| ecrire_cache(tx, lignes))
    }

    /// The name stored with the patients for each INSEE code of `codes` (the first in
    /// alphabetical order when patients' records disagree); codes without a name are left out.
    pub fn noms_communes(&self, codes: &[&str]) -> Result<BTreeMap<String, String>, StoreError> {
        noms_communes(self.conn(), codes)
    }

    /// The revision of each garde day of `du..=au` that ever had a consultation.
    pub fn revisions_statistiques(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<BTreeMap<NaiveDate, u64>, StoreError> {
        revisions(self.conn(), du, au)
    }
}

/// See [`Store::faits_statistiques`].
pub fn faits(
    conn: &Connection,
    du: NaiveDateTime,
    au: NaiveDateTime,
) -> Result<Vec<Fait>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.patient_id, c.arrivee, c.debut, c.fin, c.mode_arrivee, c.lieu, p.sexe,
                p.date_naissance, c.orientation, d.code, p.code_insee, c.medecin_id
         FROM consultation c
         JOIN patient p ON p.id = c.patient_id
         LEFT JOIN consultation_diagnostic d ON d.consultation_id = c.id AND d.principal = 1
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2",
    )?;
    let rows = stmt.query_map(
        (
            du.format(TIME_FORMAT).to_string(),
            au.format(TIME_FORMAT).to_string(),
        ),
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                (
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, String>(8)?,
                    r.get::<_, Option<String>>(9)?,
                    r.get::<_, Option<String>>(10)?,
                    r.get::<_, String>(11)?,
                    r.get::<_, Option<i64>>(12)?,
                ),
            ))
        },
    )?;
    let mut out = Vec::new();
    let mut rang_de: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let (
            id,
            (
                patient,
                arrivee,
                debut,
                fin,
                mode,
                lieu,
                sexe,
                naissance,
                orientation,
                diagnostic,
                commune,
                medecin,
            ),
        ) = row?;
        // A row the program did not write (unparsable arrival) cannot be placed in time: skipped
        // rather than failing the whole dashboard.
        let Some(arrivee) = temps(Some(arrivee)) else {
            continue;
        };
        let naissance = NaiveDate::parse_from_str(&naissance, "%Y-%m-%d").ok();
        let tranche_age = naissance.and_then(|n| TrancheAge::de(n, arrivee.date()));
        let classe_age = naissance.and_then(|n| ClasseAge::de(n, arrivee.date()));
        rang_de.insert(id, out.len());
        out.push(Fait {
            patient,
            arrivee,
            debut: temps(debut),
            fin: temps(fin),
            mode_arrivee: ModeArrivee::from_code(&mode).unwrap_or(ModeArrivee::Autre),
            lieu: Lieu::from_code(&lieu).unwrap_or(Lieu::Mmg),
            sexe: Sexe::from_code(&sexe).unwrap_or(Sexe::I),
            tranche_age,
            classe_age,
            orientation: orientation.as_deref().and_then(Orientation::from_code),
            diagnostic_principal: diagnostic,
            diagnostics_associes: Vec::new(),
            commune: (!commune.is_empty()).then_some(commune),
            medecin,
            retour_72h: false,
            montants: Vec::new(),
        });
    }
    // The associated diagnoses of these consultations.
    let mut stmt = conn.prepare_cached(
        "SELECT d.consultation_id, d.code
         FROM consultation_diagnostic d JOIN consultation c ON c.id = d.consultation_id
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2 AND d.principal <> 1
         ORDER BY d.consultation_id, d.rang",
    )?;
    let associes = stmt.query_map(
        (
            du.format(TIME_FORMAT).to_string(),
            au.format(TIME_FORMAT).to_string(),
        ),
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )?;
    for a in associes {
        let (id, code) = a?;
        if let Some(f) = rang_de.get(&id).and_then(|&i| out.get_mut(i)) {
            f.diagnostics_associes.push(code);
        }
    }
    // The amounts received for these consultations: payment entries that neither cancel another
    // nor were cancelled, "non réglé" left out.
    let mut stmt = conn.prepare_cached(
        "SELECT p.consultation_id, p.mode, sum(p.montant_centimes)
         FROM paiement p JOIN consultation c ON c.id = p.consultation_id
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2 AND p.mode <> 'non_regle' AND p.annule_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM paiement a WHERE a.annule_id = p.id)
         GROUP BY p.consultation_id, p.mode",
    )?;
    let paiements = stmt.query_map(
        (
            du.format(TIME_FORMAT).to_string(),
            au.format(TIME_FORMAT).to_string(),
        ),
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?;
    for p in paiements {
        let (id, mode, centimes) = p?;
        if let Some(f) = rang_de.get(&id).and_then(|&i| out.get_mut(i)) {
            f.montants.push((
                ModePaiement::depuis_code(&mode),
                u64::try_from(centimes).unwrap_or(0),
            ));
        }
    }
    Ok(out)
}

/// See [`Store::revisions_statistiques`].
pub fn revisions(
    conn: &Connection,
    du: NaiveDate,
    au: NaiveDate,
) -> Result<BTreeMap<NaiveDate, u64>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT date_garde, revision FROM statistique_jour WHERE date_garde >= ?1 AND date_garde <= ?2",
    )?;
    let rows = stmt.query_map(
        (
            du.format("%Y-%m-%d").to_string(),
            au.format("%Y-%m-%d").to_string(),
        ),
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (date, revision) = row?;
        if let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            out.insert(date, u64::try_from(revision).unwrap_or(0));
        }
    }
    Ok(out)
}

/// See [`Store::cache_statistiques`].
pub fn cache(
    conn: &Connection,
    du: NaiveDate,
    au: NaiveDate,
) -> Result<Vec<LigneCache>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT date_garde, revision, contexte, comptes FROM statistique_cache
         WHERE date_garde >= ?1 AND date_garde <= ?2",
    )?;
    let rows = stmt.query_map(
        (
            du.format("%Y-%m-%d").to_string(),
            au.format("%Y-%m-%d").to_string(),
        ),
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (date, revision, contexte, comptes) = row?;
        // A row this program did not write is ignored: the day is then recomputed.
        if let Ok(date) = NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            out.push(LigneCache {
                date,
                revision: u64::try_from(revision).unwrap_or(0),
                contexte,
                comptes,
            });
        }
    }
    Ok(out)
}

/// See [`Store::ecrire_cache_statistiques`].
pub fn ecrire_cache(conn: &Connection, lignes: &[LigneCache]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO statistique_cache (date_garde, revision, contexte, comptes)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (date_garde) DO UPDATE
         SET revision = excluded.revision, contexte = excluded.contexte, comptes = excluded.comptes",
    )?;
    for l in lignes {
        stmt.execute((
            l.date.format("%Y-%m-%d").to_string(),
            i64::try_from(l.revision).unwrap_or(i64::MAX),
            &l.contexte,
            &l.comptes,
        ))?;
    }
    Ok(())
}

/// See [`Store::noms_communes`].
pub fn noms_communes(
    conn: &Connection,
    codes: &[&str],
) -> Result<BTreeMap<String, String>, StoreError> {
    // One seek in the (code_insee, commune) index of migration 0011: counting the spellings
    // would read every patient of the commune, tens of thousands in a big town.
    let mut stmt = conn.prepare_cached(
        "SELECT commune FROM patient WHERE code_insee = ?1 AND commune > ' '
         ORDER BY commune LIMIT 1",
    )?;
    let mut out = BTreeMap::new();
    for code in codes {
        let nom: Option<String> = stmt
            .query_map([code], |r| r.get::<_, String>(0))?
            .next()
            .transpose()?;
        if let Some(nom) = nom {
            out.insert((*code).to_owned(), nom.trim().to_owned());
        }
    }
    Ok(out)
}
