//! The consultations of a period as plain rows for the exports to the ORU and to research
//! (`appligarde-oru`): one [`Passage`] per consultation, with the patient's fields those exports
//! may use (never the name, the notes or the free texts), its diagnoses and acts.

use crate::{Store, StoreError};
use appligarde_domain::{
    consultation::Orientation,
    garde::{Gravite, Lieu, ModeArrivee, Sexe, StatutConsultation, Transport},
};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Transaction};
use std::collections::HashMap;

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// One consultation as the exports read it. Its `Debug` shows the id only.
#[derive(Clone, PartialEq)]
pub struct Passage {
    pub consultation_id: i64,
    pub patient_id: i64,
    pub statut: StatutConsultation,
    /// The patient's postcode, commune name and INSEE code, as recorded (may be empty).
    pub code_postal: String,
    pub commune: String,
    pub code_insee: String,
    /// `None` when the stored date is unreadable.
    pub date_naissance: Option<NaiveDate>,
    pub sexe: Sexe,
    pub arrivee: NaiveDateTime,
    pub debut: Option<NaiveDateTime>,
    pub fin: Option<NaiveDateTime>,
    pub mode_arrivee: ModeArrivee,
    pub lieu: Lieu,
    pub motif_code: Option<String>,
    pub gravite: Option<Gravite>,
    pub transport: Option<Transport>,
    pub diagnostic_principal: Option<String>,
    pub diagnostics_associes: Vec<String>,
    pub actes: Vec<String>,
    pub orientation: Option<Orientation>,
}

impl std::fmt::Debug for Passage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passage")
            .field("consultation_id", &self.consultation_id)
            .finish_non_exhaustive()
    }
}

fn temps(text: Option<String>) -> Option<NaiveDateTime> {
    text.and_then(|t| NaiveDateTime::parse_from_str(&t, TIME_FORMAT).ok())
}

impl Store {
    /// The consultations whose arrival is in `du..au` (local times, `au` excluded), by arrival.
    pub fn passages(
        &self,
        du: NaiveDateTime,
        au: NaiveDateTime,
    ) -> Result<Vec<Passage>, StoreError> {
        passages(self.conn(), du, au)
    }
}

/// See [`Store::passages`]. A row whose arrival the program cannot read is skipped, as the
/// statistics do (`statistiques::faits`), so that both count the same consultations.
pub fn passages(
    conn: &Connection,
    du: NaiveDateTime,
    au: NaiveDateTime,
) -> Result<Vec<Passage>, StoreError> {
    let bornes = (
        du.format(TIME_FORMAT).to_string(),
        au.format(TIME_FORMAT).to_string(),
    );
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.patient_id, c.statut, p.code_postal, p.commune, p.code_insee, p.date_naissance,
                p.sexe, c.arrivee, c.debut, c.fin, c.mode_arrivee, c.lieu, c.motif_code, c.gravite,
                c.transport, c.orientation
         FROM consultation c JOIN patient p ON p.id = c.patient_id
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2
         ORDER BY c.arrivee, c.id",
    )?;
    let rows = stmt.query_map((&bornes.0, &bornes.1), |r| {
        let statut: String = r.get(2)?;
        let naissance: String = r.get(6)?;
        let sexe: String = r.get(7)?;
        let mode: String = r.get(11)?;
        let lieu: String = r.get(12)?;
        let gravite: Option<String> = r.get(14)?;
        let transport: Option<String> = r.get(15)?;
        let orientation: Option<String> = r.get(16)?;
        Ok((
            temps(Some(r.get(8)?)),
            Passage {
                consultation_id: r.get(0)?,
                patient_id: r.get(1)?,
                statut: StatutConsultation::from_code(&statut)
                    .unwrap_or(StatutConsultation::Brouillon),
                code_postal: r.get(3)?,
                commune: r.get(4)?,
                code_insee: r.get(5)?,
                date_naissance: NaiveDate::parse_from_str(&naissance, "%Y-%m-%d").ok(),
                sexe: Sexe::from_code(&sexe).unwrap_or(Sexe::I),
                arrivee: NaiveDateTime::default(),
                debut: temps(r.get(9)?),
                fin: temps(r.get(10)?),
                mode_arrivee: ModeArrivee::from_code(&mode).unwrap_or(ModeArrivee::Autre),
                lieu: Lieu::from_code(&lieu).unwrap_or(Lieu::Mmg),
                motif_code: r.get(13)?,
                gravite: gravite.as_deref().and_then(Gravite::from_code),
                transport: transport.as_deref().and_then(Transport::from_code),
                diagnostic_principal: None,
                diagnostics_associes: Vec::new(),
                actes: Vec::new(),
                orientation: orientation.as_deref().and_then(Orientation::from_code),
            },
        ))
    })?;
    let mut out = Vec::new();
    let mut rang_de: HashMap<i64, usize> = HashMap::new();
    for row in rows {
        let (arrivee, mut passage) = row?;
        let Some(arrivee) = arrivee else { continue };
        passage.arrivee = arrivee;
        rang_de.insert(passage.consultation_id, out.len());
        out.push(passage);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT d.consultation_id, d.code, d.principal
         FROM consultation_diagnostic d JOIN consultation c ON c.id = d.consultation_id
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2
         ORDER BY d.consultation_id, d.rang",
    )?;
    let diagnostics = stmt.query_map((&bornes.0, &bornes.1), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    for d in diagnostics {
        let (id, code, principal) = d?;
        if let Some(p) = rang_de.get(&id).and_then(|&i| out.get_mut(i)) {
            if principal == 1 {
                p.diagnostic_principal = Some(code);
            } else {
                p.diagnostics_associes.push(code);
            }
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT a.consultation_id, a.code
         FROM consultation_acte a JOIN consultation c ON c.id = a.consultation_id
         WHERE c.arrivee >= ?1 AND c.arrivee < ?2
         ORDER BY a.consultation_id, a.rang",
    )?;
    let actes = stmt.query_map((&bornes.0, &bornes.1), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })?;
    for a in actes {
        let (id, code) = a?;
        if let Some(p) = rang_de.get(&id).and_then(|&i| out.get_mut(i)) {
            p.actes.push(code);
        }
    }
    Ok(out)
}

/// The secret key of the research extract's pseudonyms (migration 0017): the stored one, or
/// `nouvelle` stored now when there is none yet (in the caller's transaction).
pub fn cle_recherche(
    tx: &Transaction<'_>,
    nouvelle: &[u8; 32],
    now: &str,
) -> Result<Vec<u8>, StoreError> {
    tx.prepare_cached(
        "INSERT INTO recherche_cle (id, cle, created_at) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute((&nouvelle[..], now))?;
    let cle: Option<Vec<u8>> = tx
        .prepare_cached("SELECT cle FROM recherche_cle WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    cle.ok_or_else(|| StoreError::NotFound("clé des pseudonymes de recherche".to_owned()))
}
