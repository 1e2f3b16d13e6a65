//! Queries of the garde settings (`reglages_garde`, `creneau_ouverture`) and of the shifts (`garde`,
//! `garde_medecin`).

use crate::{Store, StoreError, audit};
use appligarde_domain::{
    DomainError,
    audit::Action,
    calendrier::{CalendrierPdsa, CreneauxOuverture, DebutSamedi, Plage},
};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::{OptionalExtension, Transaction};

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// The MMG's garde settings. Without a saved row: every legal PDSA period, open during all of them,
/// screen locked after 10 idle minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Reglages {
    pub calendrier: CalendrierPdsa,
    pub creneaux: CreneauxOuverture,
    /// False while the slots follow the legal periods of the calendar.
    pub creneaux_personnalises: bool,
    pub verrouillage_minutes: u32,
}

impl Default for Reglages {
    fn default() -> Self {
        let calendrier = CalendrierPdsa::default();
        Self {
            creneaux: CreneauxOuverture::periodes_legales(&calendrier),
            calendrier,
            creneaux_personnalises: false,
            verrouillage_minutes: 10,
        }
    }
}

/// The day kinds of the `creneau_ouverture` table, with the matching field of [`CreneauxOuverture`].
fn jours(c: &mut CreneauxOuverture) -> [(&'static str, &mut Vec<Plage>); 9] {
    [
        ("lundi", &mut c.lundi),
        ("mardi", &mut c.mardi),
        ("mercredi", &mut c.mercredi),
        ("jeudi", &mut c.jeudi),
        ("vendredi", &mut c.vendredi),
        ("samedi", &mut c.samedi),
        ("dimanche", &mut c.dimanche),
        ("ferie", &mut c.ferie),
        ("pont", &mut c.pont),
    ]
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

impl Store {
    pub fn reglages(&self) -> Result<Reglages, StoreError> {
        let row = self
            .conn()
            .query_row(
                "SELECT samedi_apres_midi, debut_samedi, lundi_veille_ferie, vendredi_lendemain_ferie,
                        samedi_lendemain_ferie, verrouillage_minutes, creneaux_personnalises
                 FROM reglages_garde WHERE id = 1",
                [],
                |r| {
                    Ok((
                        CalendrierPdsa {
                            samedi_apres_midi: r.get(0)?,
                            debut_samedi: if r.get::<_, i64>(1)? == 14 {
                                DebutSamedi::QuatorzeHeures
                            } else {
                                DebutSamedi::Midi
                            },
                            lundi_veille_ferie: r.get(2)?,
                            vendredi_lendemain_ferie: r.get(3)?,
                            samedi_lendemain_ferie: r.get(4)?,
                        },
                        r.get::<_, u32>(5)?,
                        r.get::<_, bool>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((calendrier, verrouillage_minutes, personnalises)) = row else {
            return Ok(Reglages::default());
        };
        let mut creneaux = CreneauxOuverture::periodes_legales(&calendrier);
        if personnalises {
            let mut stmt = self
                .conn()
                .prepare("SELECT jour, debut, fin FROM creneau_ouverture ORDER BY jour, debut")?;
            let lignes: Vec<(String, String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()?;
            for (_, plages) in jours(&mut creneaux) {
                plages.clear();
            }
            for (jour, debut, fin) in lignes {
                let parse = |s: &str| NaiveTime::parse_from_str(s, "%H:%M");
                let (Ok(debut), Ok(fin)) = (parse(&debut), parse(&fin)) else {
                    return Err(StoreError::Corrupt(format!(
                        "créneau d'ouverture illisible ({jour} {debut}–{fin})"
                    )));
                };
                if let Some((_, plages)) =
                    jours(&mut creneaux).into_iter().find(|(j, _)| *j == jour)
                {
                    plages.push(Plage { debut, fin });
                }
            }
        }
        Ok(Reglages {
            calendrier,
            creneaux,
            creneaux_personnalises: personnalises,
            verrouillage_minutes,
        })
    }
}

/// Saves the settings; when the slots are not personalised they are not stored (they follow the
/// calendar's legal periods).
pub fn enregistrer_reglages(
    tx: &Transaction<'_>,
    reglages: &Reglages,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    if !(1..=240).contains(&reglages.verrouillage_minutes) {
        return Err(DomainError::field(
            "verrouillage_minutes",
            "Le délai de verrouillage doit être compris entre 1 et 240 minutes.",
        )
        .into());
    }
    let c = &reglages.calendrier;
    tx.execute(
        "INSERT INTO reglages_garde (id, samedi_apres_midi, debut_samedi, lundi_veille_ferie,
             vendredi_lendemain_ferie, samedi_lendemain_ferie, verrouillage_minutes, creneaux_personnalises,
             updated_at, updated_by)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET samedi_apres_midi = excluded.samedi_apres_midi,
             debut_samedi = excluded.debut_samedi, lundi_veille_ferie = excluded.lundi_veille_ferie,
             vendredi_lendemain_ferie = excluded.vendredi_lendemain_ferie,
             samedi_lendemain_ferie = excluded.samedi_lendemain_ferie,
             verrouillage_minutes = excluded.verrouillage_minutes,
             creneaux_personnalises = excluded.creneaux_personnalises,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        (
            c.samedi_apres_midi,
            c.debut_samedi.heure(),
            c.lundi_veille_ferie,
            c.vendredi_lendemain_ferie,
            c.samedi_lendemain_ferie,
            reglages.verrouillage_minutes,
            reglages.creneaux_personnalises,
            now,
            acteur,
        ),
    )?;
    tx.execute("DELETE FROM creneau_ouverture", [])?;
    if reglages.creneaux_personnalises {
        let mut creneaux = reglages.creneaux.clone();
        for (jour, plages) in jours(&mut creneaux) {
            for p in plages.iter() {
                tx.execute(
                    "INSERT INTO creneau_ouverture (jour, debut, fin) VALUES (?1, ?2, ?3)",
                    (jour, hhmm(p.debut), hhmm(p.fin)),
                )
                .map_err(|e| match e {
                    rusqlite::Error::SqliteFailure(f, _)
                        if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                    {
                        StoreError::Invalid(DomainError::field(
                            "creneaux",
                            format!(
                                "Deux créneaux du {jour} commencent à {} : fusionnez-les.",
                                hhmm(p.debut)
                            ),
                        ))
                    }
                    other => other.into(),
                })?;
            }
        }
    }
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "reglages",
        Some(1),
        "réglages de garde",
        now,
    )?;
    Ok(())
}

/// A garde shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Garde {
    pub id: i64,
    pub date_garde: NaiveDate,
    pub ouverte_le: NaiveDateTime,
    pub ouverte_par: i64,
    pub fermee_le: Option<NaiveDateTime>,
    pub fermee_par: Option<i64>,
    /// The doctors on duty (user ids).
    pub medecins: Vec<i64>,
}

fn lire_garde(
    conn: &rusqlite::Connection,
    sql_where: &str,
    param: i64,
) -> Result<Option<Garde>, StoreError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT id, date_garde, ouverte_le, ouverte_par, fermee_le, fermee_par FROM garde {sql_where}"
            ),
            [param],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )
        .optional()?;
    let Some((id, date, ouverte, par, fermee, fermee_par)) = row else {
        return Ok(None);
    };
    let bad = |what: &str| StoreError::Corrupt(format!("garde {id} : {what} illisible"));
    let medecins = conn
        .prepare_cached(
            "SELECT utilisateur_id FROM garde_medecin WHERE garde_id = ?1 ORDER BY rowid",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(Garde {
        id,
        date_garde: NaiveDate::parse_from_str(&date, "%Y-%m-%d").map_err(|_| bad("date"))?,
        ouverte_le: NaiveDateTime::parse_from_str(&ouverte, TIME_FORMAT)
            .map_err(|_| bad("heure d'ouverture"))?,
        ouverte_par: par,
        fermee_le: fermee
            .map(|f| NaiveDateTime::parse_from_str(&f, TIME_FORMAT))
            .transpose()
            .map_err(|_| bad("heure de fermeture"))?,
        fermee_par,
        medecins,
    }))
}

impl Store {
    /// The shift currently open, if any.
    pub fn garde_ouverte(&self) -> Result<Option<Garde>, StoreError> {
        lire_garde(self.conn(), "WHERE fermee_le IS NULL AND ?1 = ?1", 0)
    }

    pub fn garde(&self, id: i64) -> Result<Option<Garde>, StoreError> {
        lire_garde(self.conn(), "WHERE id = ?1", id)
    }
}

/// The open shift inside a transaction (for the consultations created in it).
pub fn garde_ouverte(tx: &Transaction<'_>) -> Result<Option<Garde>, StoreError> {
    lire_garde(tx, "WHERE fermee_le IS NULL AND ?1 = ?1", 0)
}

/// Opens a shift for `date_garde` with the doctors on duty. Refused while another one is open.
pub fn ouvrir(
    tx: &Transaction<'_>,
    date_garde: NaiveDate,
    medecins: &[i64],
    ouverte_le: NaiveDateTime,
    acteur: i64,
    now: &str,
) -> Result<i64, StoreError> {
    if let Some(g) = garde_ouverte(tx)? {
        return Err(DomainError::general(format!(
            "La garde du {} est encore ouverte : fermez-la avant d'en ouvrir une autre.",
            g.date_garde.format("%d/%m/%Y")
        ))
        .into());
    }
    if medecins.is_empty() {
        return Err(
            DomainError::field("medecins", "Indiquez au moins un médecin de garde.").into(),
        );
    }
    tx.execute(
        "INSERT INTO garde (date_garde, ouverte_le, ouverte_par) VALUES (?1, ?2, ?3)",
        (
            date_garde.format("%Y-%m-%d").to_string(),
            ouverte_le.format(TIME_FORMAT).to_string(),
            acteur,
        ),
    )?;
    let id = tx.last_insert_rowid();
    for m in medecins {
        let role: Option<String> = tx
            .query_row(
                "SELECT role FROM utilisateur WHERE id = ?1 AND actif = 1",
                [m],
                |r| r.get(0),
            )
            .optional()?;
        if role.as_deref() != Some("medecin") {
            return Err(DomainError::field(
                "medecins",
                "Seul un médecin actif de la MMG peut être de garde.",
            )
            .into());
        }
        tx.execute(
            "INSERT OR IGNORE INTO garde_medecin (garde_id, utilisateur_id) VALUES (?1, ?2)",
            (id, m),
        )?;
    }
    audit::append(
        tx,
        Some(acteur),
        Action::Ouverture,
        "garde",
        Some(id),
        "",
        now,
    )?;
    Ok(id)
}

/// Closes the open shift. Refused while one of its consultations is still a draft, so that nothing is
/// left behind unfinished.
pub fn fermer(
    tx: &Transaction<'_>,
    id: i64,
    fermee_le: NaiveDateTime,
    acteur: i64,
    now: &str,
) -> Result<(), StoreError> {
    let brouillons: i64 = tx.query_row(
        "SELECT count(*) FROM consultation WHERE garde_id = ?1 AND statut = 'brouillon'",
        [id],
        |r| r.get(0),
    )?;
    if brouillons > 0 {
        return Err(DomainError::general(format!(
            "{brouillons} consultation(s) de cette garde ne sont pas clôturées : clôturez-les avant de fermer la garde."
        ))
        .into());
    }
    let changed = tx.execute(
        "UPDATE garde SET fermee_le = ?1, fermee_par = ?2 WHERE id = ?3 AND fermee_le IS NULL",
        (fermee_le.format(TIME_FORMAT).to_string(), acteur, id),
    )?;
    if changed == 0 {
        return Err(StoreError::NotFound("garde ouverte".to_owned()));
    }
    audit::append(
        tx,
        Some(acteur),
        Action::Fermeture,
        "garde",
        Some(id),
        "",
        now,
    )?;
    Ok(())
}

/// Adds a doctor to the doctors on duty of a shift (a second doctor arriving later).
pub fn ajouter_medecin(
    tx: &Transaction<'_>,
    garde_id: i64,
    medecin: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO garde_medecin (garde_id, utilisateur_id) VALUES (?1, ?2)",
        (garde_id, medecin),
    )?;
    Ok(())
}

/// The closed shift of a past garde day, made if absent (imports of past activity, the demo).
pub fn garde_passee(
    tx: &Transaction<'_>,
    date_garde: NaiveDate,
    medecin: i64,
    ouverte_le: NaiveDateTime,
    fermee_le: NaiveDateTime,
    now: &str,
) -> Result<i64, StoreError> {
    let date = date_garde.format("%Y-%m-%d").to_string();
    if let Some(id) = tx
        .prepare_cached(
            "SELECT id FROM garde WHERE date_garde = ?1 AND fermee_le IS NOT NULL LIMIT 1",
        )?
        .query_row([&date], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO garde (date_garde, ouverte_le, ouverte_par, fermee_le, fermee_par) VALUES (?1, ?2, ?3, ?4, ?3)",
        (&date, ouverte_le.format(TIME_FORMAT).to_string(), medecin, fermee_le.format(TIME_FORMAT).to_string()),
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO garde_medecin (garde_id, utilisateur_id) VALUES (?1, ?2)",
        (id, medecin),
    )?;
    audit::append(
        tx,
        Some(medecin),
        Action::Creation,
        "garde",
        Some(id),
        "garde passée",
        now,
    )?;
    Ok(id)
}
