//! Queries of the `consultation` table.

use crate::{Store, StoreError};
use appligarde_domain::{
    DomainError,
    garde::{Lieu, ModeArrivee, StatutConsultation},
};
use chrono::NaiveDateTime;
use rusqlite::Transaction;

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

#[derive(Debug, Clone)]
pub struct NewConsultation<'a> {
    pub uid: &'a str,
    pub patient_id: i64,
    pub medecin_id: Option<i64>,
    pub arrivee: NaiveDateTime,
    pub debut: Option<NaiveDateTime>,
    pub fin: Option<NaiveDateTime>,
    pub mode_arrivee: ModeArrivee,
    pub lieu: Lieu,
    pub motif: &'a str,
    pub statut: StatutConsultation,
}

/// One line of a list of consultations: what the day list and the consultations screen show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationLigne {
    pub id: i64,
    pub arrivee: String,
    pub patient_nom: String,
    pub patient_prenom: String,
    pub patient_naissance: String,
    pub medecin: Option<String>,
    pub mode_arrivee: ModeArrivee,
    pub lieu: Lieu,
    pub motif: String,
    pub statut: StatutConsultation,
}

/// Adds a consultation; times must follow each other (arrival ≤ start ≤ end).
pub fn insert(tx: &Transaction<'_>, c: &NewConsultation<'_>, now: &str) -> Result<i64, StoreError> {
    if let Some(debut) = c.debut
        && debut < c.arrivee
    {
        return Err(DomainError::field(
            "debut",
            "Le début de la consultation ne peut pas précéder l'arrivée.",
        )
        .into());
    }
    if let Some(fin) = c.fin
        && fin < c.debut.unwrap_or(c.arrivee)
    {
        return Err(DomainError::field(
            "fin",
            "La fin de la consultation ne peut pas précéder son début.",
        )
        .into());
    }
    let fmt = |t: NaiveDateTime| t.format(TIME_FORMAT).to_string();
    tx.execute(
        "INSERT INTO consultation (uid, patient_id, medecin_id, arrivee, debut, fin, mode_arrivee, lieu, motif,
                                   statut, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        (
            c.uid,
            c.patient_id,
            c.medecin_id,
            fmt(c.arrivee),
            c.debut.map(fmt),
            c.fin.map(fmt),
            c.mode_arrivee.code(),
            c.lieu.code(),
            c.motif,
            c.statut.code(),
            now,
        ),
    )?;
    Ok(tx.last_insert_rowid())
}

impl Store {
    /// Consultations whose arrival is in `[from, to)`, most recent first.
    pub fn consultations_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<ConsultationLigne>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT c.id, c.arrivee, p.nom, p.prenom, p.date_naissance,
                    u.prenom || ' ' || u.nom, c.mode_arrivee, c.lieu, c.motif, c.statut
             FROM consultation c
             JOIN patient p ON p.id = c.patient_id
             LEFT JOIN utilisateur u ON u.id = c.medecin_id
             WHERE c.arrivee >= ?1 AND c.arrivee < ?2
             ORDER BY c.arrivee DESC, c.id DESC",
        )?;
        let rows = stmt.query_map(
            (
                from.format(TIME_FORMAT).to_string(),
                to.format(TIME_FORMAT).to_string(),
            ),
            |r| {
                let mode: String = r.get(6)?;
                let lieu: String = r.get(7)?;
                let statut: String = r.get(9)?;
                Ok(ConsultationLigne {
                    id: r.get(0)?,
                    arrivee: r.get(1)?,
                    patient_nom: r.get(2)?,
                    patient_prenom: r.get(3)?,
                    patient_naissance: r.get(4)?,
                    medecin: r.get(5)?,
                    // The CHECK constraints of the table only admit known codes.
                    mode_arrivee: ModeArrivee::from_code(&mode).unwrap_or(ModeArrivee::Autre),
                    lieu: Lieu::from_code(&lieu).unwrap_or(Lieu::Mmg),
                    motif: r.get(8)?,
                    statut: StatutConsultation::from_code(&statut)
                        .unwrap_or(StatutConsultation::Brouillon),
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
