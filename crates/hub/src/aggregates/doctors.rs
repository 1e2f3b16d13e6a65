//! One MMG's activity per doctor, under the opaque keys its desktop gives them (never a name).

use std::collections::{BTreeMap, BTreeSet};

use appligarde_protocol::PdsaSlot;
use chrono::NaiveDate;
use serde::Serialize;
use tokio_postgres::Client;

use super::read::may_read_or_forbidden;
use super::totals::parse_row;
use crate::Error;
use crate::auth::{Role, User};

/// The JSON answer of `GET /api/v1/stats/doctors` (`DoctorStats` in `openapi.yaml`): the
/// activity of each doctor of one MMG, under the opaque keys its desktop gives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorStats {
    pub mmg_id: String,
    pub mmg_name: String,
    pub departement: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// All the MMG's consultations of the period, with or without a doctor.
    pub consultations: u32,
    /// By label order (« Médecin 1 », « Médecin 2 »...).
    pub doctors: Vec<DoctorRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorRow {
    /// The desktop's opaque key (`medecin-3`): the MMG's local user number, never a name.
    pub key: String,
    /// « Médecin 3 ».
    pub label: String,
    pub consultations: u32,
    /// Shifts (date and slot) in which this doctor saw at least one patient.
    pub shifts: u32,
    /// Consultations per slot code.
    pub by_slot: BTreeMap<String, u32>,
    /// Consultations per month (`AAAA-MM`).
    pub by_month: BTreeMap<String, u32>,
}

/// The French label of a doctor key: « Médecin 3 » for `medecin-3`, « Médecin d1 » otherwise.
pub fn doctor_label(key: &str) -> String {
    match key.strip_prefix("medecin-") {
        Some(number) if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            format!("Médecin {}", number.trim_start_matches('0').max("0"))
        }
        _ => format!("Médecin {key}"),
    }
}

/// Sort key of a doctor: by number when the key has one, then by key.
fn doctor_order(key: &str) -> (u64, String) {
    let number = key
        .strip_prefix("medecin-")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    (number, key.to_owned())
}

/// The activity per doctor of the MMG `mmg_id` from `from` to `to` (inclusive), summed over its
/// PCs. Refused unless `user` may read the MMG's département; an unknown MMG is refused the
/// same way (a coordinator cannot tell it from another département's), except for an URML
/// administrator, who is told it does not exist.
pub async fn doctor_stats(
    client: &Client,
    user: &User,
    mmg_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DoctorStats, Error> {
    let mmg = client
        .query_opt(
            "SELECT name, departement FROM organisation \
             WHERE kind = 'mmg' AND id = $1::text::uuid",
            &[&mmg_id],
        )
        .await?;
    let Some(mmg) = mmg else {
        return Err(if user.role == Role::UrmlAdmin {
            Error::BadRequest("aucune MMG n'a cet identifiant (paramètre « mmg »)".to_owned())
        } else {
            Error::Forbidden("vous n'avez accès qu'aux MMG des départements de votre ADOPS")
        });
    };
    let departement: String = mmg.get(1);
    may_read_or_forbidden(user, &departement)?;
    let rows = client
        .query(
            "SELECT day, slot, counts::text FROM daily_aggregate \
             WHERE mmg_id = $1::text::uuid AND day BETWEEN $2 AND $3",
            &[&mmg_id, &from, &to],
        )
        .await?;
    let mut consultations = 0u32;
    let mut doctors: BTreeMap<String, (DoctorRow, BTreeSet<(NaiveDate, PdsaSlot)>)> =
        BTreeMap::new();
    for row in &rows {
        let date: NaiveDate = row.get(0);
        let (slot, counts) = parse_row(row.get(1), row.get(2))?;
        consultations = consultations.saturating_add(counts.consultations);
        let month = date.format("%Y-%m").to_string();
        for (key, n) in &counts.by_doctor {
            let (doctor, shifts) = doctors.entry(key.clone()).or_insert_with(|| {
                (
                    DoctorRow {
                        key: key.clone(),
                        label: doctor_label(key),
                        consultations: 0,
                        shifts: 0,
                        by_slot: BTreeMap::new(),
                        by_month: BTreeMap::new(),
                    },
                    BTreeSet::new(),
                )
            });
            doctor.consultations = doctor.consultations.saturating_add(*n);
            let cell = doctor.by_slot.entry(slot.code().to_owned()).or_default();
            *cell = cell.saturating_add(*n);
            let cell = doctor.by_month.entry(month.clone()).or_default();
            *cell = cell.saturating_add(*n);
            if *n > 0 {
                shifts.insert((date, slot));
            }
        }
    }
    let mut doctors: Vec<DoctorRow> = doctors
        .into_values()
        .map(|(mut doctor, shifts)| {
            doctor.shifts = shifts.len() as u32;
            doctor
        })
        .collect();
    doctors.sort_by_key(|d| doctor_order(&d.key));
    Ok(DoctorStats {
        mmg_id: mmg_id.to_owned(),
        mmg_name: mmg.get(0),
        departement,
        from,
        to,
        consultations,
        doctors,
    })
}
