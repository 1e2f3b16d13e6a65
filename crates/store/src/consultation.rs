//! Queries of the `consultation` table and its children (diagnoses, acts, versions).
//!
//! Life of a consultation: created at the patient's arrival (draft), saved again and again while it
//! is typed (autosave: a draft is overwritten in place), closed once, then only amended through a
//! recorded new version (`consultation_version` keeps the previous content, who, when, why, and what
//! changed). Every step appends to the audit log in the same transaction.

use crate::{Store, StoreError, audit};
use appligarde_domain::{
    DomainError,
    audit::Action,
    consultation::{
        Changement, Contenu, ContenuValide, Diagnostic, Orientation, SignesVitaux, changements,
    },
    garde::{Gravite, Lieu, ModeArrivee, StatutConsultation, Transport},
};
use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, Transaction};

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

fn fmt(t: NaiveDateTime) -> String {
    t.format(TIME_FORMAT).to_string()
}

fn parse(idx: usize, text: &str) -> rusqlite::Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, TIME_FORMAT).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// A draft's autosaves by the same user within this many minutes share one audit entry.
const REGROUPEMENT_BROUILLON_MIN: i64 = 15;

/// Creates a consultation (a draft, or closed at once when `cloturer`), attached to `garde_id`.
#[allow(clippy::too_many_arguments)]
pub fn creer(
    tx: &Transaction<'_>,
    uid: &str,
    patient_id: i64,
    garde_id: Option<i64>,
    contenu: &ContenuValide,
    cloturer: bool,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    if cloturer {
        refuser(contenu.valider_cloture())?;
    }
    let statut = if cloturer {
        StatutConsultation::Cloturee
    } else {
        StatutConsultation::Brouillon
    };
    let c: &Contenu = contenu;
    let v = &c.vitaux;
    tx.prepare_cached(
        "INSERT INTO consultation (uid, patient_id, medecin_id, arrivee, debut, fin, mode_arrivee, lieu, motif,
             statut, created_at, updated_at, garde_id, version, mode_arrivee_precision, anamnese, examen,
             conclusion, temperature, ta_systolique, ta_diastolique, frequence_cardiaque, spo2,
             frequence_respiratoire, poids_kg, glycemie, orientation, orientation_precision, cloturee_le,
             created_by, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12, 1, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
             ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?28)",
    )?
    .execute(rusqlite::params![
        uid,
        patient_id,
        c.medecin_id,
        fmt(c.arrivee),
        c.debut.map(fmt),
        c.fin.map(fmt),
        c.mode_arrivee.code(),
        c.lieu.code(),
        c.motif,
        statut.code(),
        now,
        garde_id,
        c.mode_arrivee_precision,
        c.anamnese,
        c.examen,
        c.conclusion,
        v.temperature,
        v.ta_systolique,
        v.ta_diastolique,
        v.frequence_cardiaque,
        v.spo2,
        v.frequence_respiratoire,
        v.poids_kg,
        v.glycemie,
        c.orientation.map(Orientation::code),
        c.orientation_precision,
        cloturer.then_some(now),
        acteur,
    ])
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, Some(msg))
            if f.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("FOREIGN") =>
        {
            StoreError::NotFound("patient, médecin ou garde de la consultation".to_owned())
        }
        other => other.into(),
    })?;
    let id = tx.last_insert_rowid();
    ecrire_rpu(tx, id, c)?;
    ecrire_enfants(tx, id, c)?;
    audit::append(
        tx,
        acteur,
        Action::Creation,
        "consultation",
        Some(id),
        "",
        now,
    )?;
    if cloturer {
        audit::append(
            tx,
            acteur,
            Action::Cloture,
            "consultation",
            Some(id),
            "",
            now,
        )?;
    }
    Ok(id)
}

fn refuser(errors: Vec<DomainError>) -> Result<(), StoreError> {
    match errors.into_iter().next() {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// The fields of migration 0017 (what the RPU export needs: coded reason, CCMU, transport).
fn ecrire_rpu(tx: &Transaction<'_>, id: i64, c: &Contenu) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE consultation SET motif_code = ?1, gravite = ?2, transport = ?3 WHERE id = ?4",
    )?
    .execute(rusqlite::params![
        c.motif_code,
        c.gravite.map(Gravite::code),
        c.transport.map(Transport::code),
        id
    ])?;
    Ok(())
}

fn ecrire_enfants(tx: &Transaction<'_>, id: i64, c: &Contenu) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM consultation_diagnostic WHERE consultation_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM consultation_acte WHERE consultation_id = ?1")?
        .execute([id])?;
    let mut diag = tx.prepare_cached(
        "INSERT INTO consultation_diagnostic (consultation_id, rang, code, libelle, principal)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let principal = c.diagnostic_principal.iter().map(|d| (d, true));
    let associes = c.diagnostics_associes.iter().map(|d| (d, false));
    for (rang, (d, p)) in principal.chain(associes).enumerate() {
        diag.execute((id, rang as i64, &d.code, &d.libelle, p))?;
    }
    let mut acte = tx.prepare_cached(
        "INSERT INTO consultation_acte (consultation_id, rang, code) VALUES (?1, ?2, ?3)",
    )?;
    for (rang, code) in c.actes.iter().enumerate() {
        acte.execute((id, rang as i64, code))?;
    }
    Ok(())
}

fn ecrire_contenu(
    tx: &Transaction<'_>,
    id: i64,
    c: &Contenu,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let v = &c.vitaux;
    tx.prepare_cached(
        "UPDATE consultation SET medecin_id = ?1, arrivee = ?2, debut = ?3, fin = ?4, mode_arrivee = ?5,
             lieu = ?6, motif = ?7, mode_arrivee_precision = ?8, anamnese = ?9, examen = ?10, conclusion = ?11,
             temperature = ?12, ta_systolique = ?13, ta_diastolique = ?14, frequence_cardiaque = ?15,
             spo2 = ?16, frequence_respiratoire = ?17, poids_kg = ?18, glycemie = ?19, orientation = ?20,
             orientation_precision = ?21, updated_at = ?22, updated_by = ?23
         WHERE id = ?24",
    )?
    .execute(rusqlite::params![
        c.medecin_id,
        fmt(c.arrivee),
        c.debut.map(fmt),
        c.fin.map(fmt),
        c.mode_arrivee.code(),
        c.lieu.code(),
        c.motif,
        c.mode_arrivee_precision,
        c.anamnese,
        c.examen,
        c.conclusion,
        v.temperature,
        v.ta_systolique,
        v.ta_diastolique,
        v.frequence_cardiaque,
        v.spo2,
        v.frequence_respiratoire,
        v.poids_kg,
        v.glycemie,
        c.orientation.map(Orientation::code),
        c.orientation_precision,
        now,
        acteur,
        id,
    ])?;
    ecrire_rpu(tx, id, c)?;
    ecrire_enfants(tx, id, c)
}

/// The state of a consultation needed before changing it: (status, version).
fn etat(tx: &Transaction<'_>, id: i64) -> Result<(StatutConsultation, i64), StoreError> {
    let (statut, version): (String, i64) = tx
        .prepare_cached("SELECT statut, version FROM consultation WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("consultation {id}")))?;
    Ok((
        StatutConsultation::from_code(&statut).unwrap_or(StatutConsultation::Cloturee),
        version,
    ))
}

fn cloturee() -> StoreError {
    DomainError::general(
        "Cette consultation est clôturée : elle ne peut plus être modifiée que par une rectification \
         (nouvelle version, avec son motif).",
    )
    .into()
}

/// What the form needs back after an autosave: the row's version and last change, and who created
/// and last changed it (« Prénom NOM »), read in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnTete {
    pub version: i64,
    pub updated_at: String,
    pub cree_par: Option<String>,
    pub modifie_par: Option<String>,
}

/// The [`EnTete`] of a consultation.
pub fn en_tete(conn: &rusqlite::Connection, id: i64) -> Result<EnTete, StoreError> {
    conn.prepare_cached(
        "SELECT c.version, c.updated_at,
                (SELECT u.prenom || ' ' || u.nom FROM utilisateur u WHERE u.id = c.created_by),
                (SELECT u.prenom || ' ' || u.nom FROM utilisateur u WHERE u.id = c.updated_by)
         FROM consultation c WHERE c.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(EnTete {
            version: r.get(0)?,
            updated_at: r.get(1)?,
            cree_par: r.get(2)?,
            modifie_par: r.get(3)?,
        })
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("consultation {id}")))
}

/// Saves a draft in place (autosave). Refused once the consultation is closed. Successive autosaves
/// by the same user are recorded as one audit entry per quarter of an hour.
pub fn enregistrer_brouillon(
    tx: &Transaction<'_>,
    id: i64,
    contenu: &ContenuValide,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let (statut, _) = etat(tx, id)?;
    if statut != StatutConsultation::Brouillon {
        return Err(cloturee());
    }
    ecrire_contenu(tx, id, contenu, acteur, now)?;
    let recente =
        audit::derniere_sur(tx, "consultation", id)?.is_some_and(|(action, par, quand)| {
            action == Action::Modification.code()
                && par == acteur
                && minutes_entre(&quand, now).is_some_and(|m| m < REGROUPEMENT_BROUILLON_MIN)
        });
    if !recente {
        audit::append(
            tx,
            acteur,
            Action::Modification,
            "consultation",
            Some(id),
            "brouillon",
            now,
        )?;
    }
    Ok(())
}

fn minutes_entre(avant: &str, apres: &str) -> Option<i64> {
    let p = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").ok();
    Some((p(apres)? - p(avant)?).num_minutes())
}

/// Saves and closes a draft. Closing needs the essentials (see `Contenu::valider_cloture`).
pub fn cloturer(
    tx: &Transaction<'_>,
    id: i64,
    contenu: &ContenuValide,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    let (statut, _) = etat(tx, id)?;
    if statut != StatutConsultation::Brouillon {
        return Err(DomainError::general("Cette consultation est déjà clôturée.").into());
    }
    refuser(contenu.valider_cloture())?;
    ecrire_contenu(tx, id, contenu, acteur, now)?;
    tx.execute(
        "UPDATE consultation SET statut = 'cloturee', cloturee_le = ?1 WHERE id = ?2",
        (now, id),
    )?;
    audit::append(
        tx,
        acteur,
        Action::Cloture,
        "consultation",
        Some(id),
        "",
        now,
    )?;
    Ok(())
}

/// Amends a closed consultation as a new version: keeps the previous content in
/// `consultation_version` with what changed, who, when and why. `version_lue` is the version the user
/// amended; a consultation amended meanwhile by someone else is refused rather than overwritten.
/// Returns the new version number.
#[allow(clippy::too_many_arguments)]
pub fn rectifier(
    tx: &Transaction<'_>,
    id: i64,
    version_lue: i64,
    contenu: &ContenuValide,
    motif: &str,
    acteur: i64,
    now: &str,
) -> Result<i64, StoreError> {
    let (statut, version) = etat(tx, id)?;
    if statut != StatutConsultation::Cloturee {
        return Err(DomainError::general(
            "Cette consultation est un brouillon : modifiez-la directement, sans rectification.",
        )
        .into());
    }
    if version != version_lue {
        return Err(DomainError::general(format!(
            "Cette consultation a été rectifiée entre-temps (version {version}) : rouvrez-la pour voir la dernière version avant de la modifier."
        ))
        .into());
    }
    let motif = motif.trim();
    if motif.is_empty() {
        return Err(DomainError::field(
            "motif_rectification",
            "Indiquez le motif de la rectification (par exemple : erreur de saisie, résultat reçu).",
        )
        .into());
    }
    refuser(contenu.valider_cloture())?;
    let avant = lire_contenu(tx, id)?;
    let diff: Vec<Changement> = changements(&avant, contenu);
    if diff.is_empty() {
        return Err(DomainError::general(
            "Aucune modification : la consultation est identique à sa version actuelle.",
        )
        .into());
    }
    let snapshot = serde_json::to_string(&avant).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let diff_json = serde_json::to_string(&diff).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(
        "INSERT INTO consultation_version (consultation_id, version, contenu, changements, motif, modifiee_le, modifiee_par)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (id, version, snapshot, diff_json, motif, now, acteur),
    )?;
    ecrire_contenu(tx, id, contenu, Some(acteur), now)?;
    tx.execute(
        "UPDATE consultation SET version = version + 1 WHERE id = ?1",
        [id],
    )?;
    let champs: Vec<&str> = diff.iter().map(|c| c.champ.as_str()).collect();
    audit::append(
        tx,
        Some(acteur),
        Action::Rectification,
        "consultation",
        Some(id),
        &format!("version {} : {}", version + 1, champs.join(", ")),
        now,
    )?;
    Ok(version + 1)
}

/// A stored consultation with everything a form shows.
#[derive(Clone, PartialEq)]
pub struct Fiche {
    pub id: i64,
    pub uid: String,
    pub patient_id: i64,
    pub garde_id: Option<i64>,
    pub statut: StatutConsultation,
    pub version: i64,
    pub contenu: Contenu,
    pub created_at: String,
    pub updated_at: String,
    pub cloturee_le: Option<String>,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
}

impl std::fmt::Debug for Fiche {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fiche")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

const COLONNES: &str = "id, uid, patient_id, garde_id, statut, version, medecin_id, arrivee, debut, fin,
    mode_arrivee, mode_arrivee_precision, lieu, motif, anamnese, examen, conclusion, temperature,
    ta_systolique, ta_diastolique, frequence_cardiaque, spo2, frequence_respiratoire, poids_kg, glycemie,
    orientation, orientation_precision, created_at, updated_at, cloturee_le, created_by, updated_by,
    motif_code, gravite, transport";

fn lire_fiche(conn: &Connection, id: i64) -> Result<Option<Fiche>, StoreError> {
    let fiche = conn
        .prepare_cached(&format!(
            "SELECT {COLONNES} FROM consultation WHERE id = ?1"
        ))?
        .query_row([id], |r| {
            let statut: String = r.get(4)?;
            let mode: String = r.get(10)?;
            let lieu: String = r.get(12)?;
            let orientation: Option<String> = r.get(25)?;
            let arrivee: String = r.get(7)?;
            let debut: Option<String> = r.get(8)?;
            let fin: Option<String> = r.get(9)?;
            Ok(Fiche {
                id: r.get(0)?,
                uid: r.get(1)?,
                patient_id: r.get(2)?,
                garde_id: r.get(3)?,
                // The CHECK constraints of the table only admit known codes.
                statut: StatutConsultation::from_code(&statut)
                    .unwrap_or(StatutConsultation::Brouillon),
                version: r.get(5)?,
                contenu: Contenu {
                    medecin_id: r.get(6)?,
                    arrivee: parse(7, &arrivee)?,
                    debut: debut.map(|t| parse(8, &t)).transpose()?,
                    fin: fin.map(|t| parse(9, &t)).transpose()?,
                    mode_arrivee: ModeArrivee::from_code(&mode).unwrap_or(ModeArrivee::Autre),
                    mode_arrivee_precision: r.get(11)?,
                    lieu: Lieu::from_code(&lieu).unwrap_or(Lieu::Mmg),
                    motif: r.get(13)?,
                    anamnese: r.get(14)?,
                    examen: r.get(15)?,
                    conclusion: r.get(16)?,
                    vitaux: SignesVitaux {
                        temperature: r.get(17)?,
                        ta_systolique: r.get(18)?,
                        ta_diastolique: r.get(19)?,
                        frequence_cardiaque: r.get(20)?,
                        spo2: r.get(21)?,
                        frequence_respiratoire: r.get(22)?,
                        poids_kg: r.get(23)?,
                        glycemie: r.get(24)?,
                    },
                    diagnostic_principal: None,
                    diagnostics_associes: Vec::new(),
                    actes: Vec::new(),
                    orientation: orientation.as_deref().and_then(Orientation::from_code),
                    orientation_precision: r.get(26)?,
                    motif_code: r.get(32)?,
                    gravite: r
                        .get::<_, Option<String>>(33)?
                        .as_deref()
                        .and_then(Gravite::from_code),
                    transport: r
                        .get::<_, Option<String>>(34)?
                        .as_deref()
                        .and_then(Transport::from_code),
                },
                created_at: r.get(27)?,
                updated_at: r.get(28)?,
                cloturee_le: r.get(29)?,
                created_by: r.get(30)?,
                updated_by: r.get(31)?,
            })
        })
        .optional()?;
    let Some(mut fiche) = fiche else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT code, libelle, principal FROM consultation_diagnostic WHERE consultation_id = ?1 ORDER BY rang",
    )?;
    let diags: Vec<(Diagnostic, bool)> = stmt
        .query_map([id], |r| {
            Ok((
                Diagnostic {
                    code: r.get(0)?,
                    libelle: r.get(1)?,
                },
                r.get(2)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    for (d, principal) in diags {
        if principal {
            fiche.contenu.diagnostic_principal = Some(d);
        } else {
            fiche.contenu.diagnostics_associes.push(d);
        }
    }
    fiche.contenu.actes = conn
        .prepare_cached(
            "SELECT code FROM consultation_acte WHERE consultation_id = ?1 ORDER BY rang",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(fiche))
}

fn lire_contenu(tx: &Transaction<'_>, id: i64) -> Result<Contenu, StoreError> {
    lire_fiche(tx, id)?
        .map(|f| f.contenu)
        .ok_or_else(|| StoreError::NotFound(format!("consultation {id}")))
}

/// One recorded amendment.
#[derive(Clone, PartialEq)]
pub struct Version {
    /// The version this content was (the amendment made `version + 1`).
    pub version: i64,
    pub contenu: Contenu,
    pub changements: Vec<Changement>,
    pub motif: String,
    pub modifiee_le: String,
    pub modifiee_par: i64,
}

impl std::fmt::Debug for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Version")
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
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
    pub patient_id: i64,
    pub debut: Option<String>,
    pub fin: Option<String>,
    pub garde_id: Option<i64>,
    pub version: i64,
    /// Code of the main diagnosis.
    pub diagnostic: Option<String>,
    pub orientation: Option<Orientation>,
}

const LIGNE_SELECT: &str = "SELECT c.id, c.arrivee, p.nom, p.prenom, p.date_naissance,
        u.prenom || ' ' || u.nom, c.mode_arrivee, c.lieu, c.motif, c.statut, c.patient_id, c.debut, c.fin,
        c.garde_id, c.version,
        (SELECT d.code FROM consultation_diagnostic d WHERE d.consultation_id = c.id AND d.principal = 1),
        c.orientation
     FROM consultation c
     JOIN patient p ON p.id = c.patient_id
     LEFT JOIN utilisateur u ON u.id = c.medecin_id";

fn lire_ligne(r: &rusqlite::Row<'_>) -> rusqlite::Result<ConsultationLigne> {
    let mode: String = r.get(6)?;
    let lieu: String = r.get(7)?;
    let statut: String = r.get(9)?;
    let orientation: Option<String> = r.get(16)?;
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
        statut: StatutConsultation::from_code(&statut).unwrap_or(StatutConsultation::Brouillon),
        patient_id: r.get(10)?,
        debut: r.get(11)?,
        fin: r.get(12)?,
        garde_id: r.get(13)?,
        version: r.get(14)?,
        diagnostic: r.get(15)?,
        orientation: orientation.as_deref().and_then(Orientation::from_code),
    })
}

impl Store {
    /// Consultations whose arrival is in `[from, to)`, most recent first.
    pub fn consultations_between(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
    ) -> Result<Vec<ConsultationLigne>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{LIGNE_SELECT} WHERE c.arrivee >= ?1 AND c.arrivee < ?2 ORDER BY c.arrivee DESC, c.id DESC"
        ))?;
        let rows = stmt.query_map((fmt(from), fmt(to)), lire_ligne)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The day list of a garde: consultations arrived in `[from, to)` and those attached to the shift
    /// `garde_id` (a draft begun before 8:00 stays in the list of its shift), by arrival.
    pub fn consultations_de_garde(
        &self,
        from: NaiveDateTime,
        to: NaiveDateTime,
        garde_id: Option<i64>,
    ) -> Result<Vec<ConsultationLigne>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{LIGNE_SELECT} WHERE (c.arrivee >= ?1 AND c.arrivee < ?2) OR c.garde_id = ?3
             ORDER BY c.arrivee, c.id"
        ))?;
        let rows = stmt.query_map((fmt(from), fmt(to), garde_id.unwrap_or(-1)), lire_ligne)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A patient's consultations, most recent first.
    pub fn consultations_du_patient(
        &self,
        patient_id: i64,
    ) -> Result<Vec<ConsultationLigne>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "{LIGNE_SELECT} WHERE c.patient_id = ?1 ORDER BY c.arrivee DESC, c.id DESC"
        ))?;
        let rows = stmt.query_map([patient_id], lire_ligne)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn consultation(&self, id: i64) -> Result<Option<Fiche>, StoreError> {
        lire_fiche(self.conn(), id)
    }

    /// The id of the consultation with this client-made uid, if it was committed.
    pub fn consultation_par_uid(&self, uid: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT id FROM consultation WHERE uid = ?1", [uid], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The recorded amendments of a consultation, oldest first.
    pub fn versions(&self, id: i64) -> Result<Vec<Version>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT version, contenu, changements, motif, modifiee_le, modifiee_par
             FROM consultation_version WHERE consultation_id = ?1 ORDER BY version",
        )?;
        let rows: Vec<(i64, String, String, String, String, i64)> = stmt
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(version, contenu, diff, motif, le, par)| {
                let bad = |e: serde_json::Error| {
                    StoreError::Corrupt(format!(
                        "version {version} de la consultation {id} illisible : {e}"
                    ))
                };
                Ok(Version {
                    version,
                    contenu: serde_json::from_str(&contenu).map_err(bad)?,
                    changements: serde_json::from_str(&diff).map_err(bad)?,
                    motif,
                    modifiee_le: le,
                    modifiee_par: par,
                })
            })
            .collect()
    }
}
