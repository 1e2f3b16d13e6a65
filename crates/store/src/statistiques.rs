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
};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};

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
        let tranche_age = NaiveDate::parse_from_str(&naissance, "%Y-%m-%d")
            .ok()
            .and_then(|n| TrancheAge::de(n, arrivee.date()));
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
            orientation: orientation.as_deref().and_then(Orientation::from_code),
            diagnostic_principal: diagnostic,
            commune: (!commune.is_empty()).then_some(commune),
            medecin,
            retour_72h: false,
            montants: Vec::new(),
        });
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
