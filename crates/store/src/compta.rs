//! Queries of the comptabilité tables (`tarif_version`, `cotation`, `cotation_acte`, `paiement`,
//! `cloture_compta`, migration 0004).
//!
//! - Tariff tables are versioned: the default table shipped with the program is stored on first use,
//!   each newer table (a file, or the hub) is a new version ([`importer_tarifs`], one transaction,
//!   validated before anything is written). The newest version is in force; each tariff keeps its
//!   own validity dates, so an act is always priced with the amount valid on its own date.
//! - The cotation of a consultation keeps the program's proposal and the acts the doctor chose.
//! - Payments are append-only; a correction is a new entry (a cancellation naming the wrong one,
//!   or a new payment).
//! - Once a shift's accounts are closed ([`cloturer_compta`]), its cotations are read-only and a
//!   payment is accepted only as a correction with its reason.
//!
//! Every change appends to the audit log in the same transaction, without amounts or names.

use crate::{Store, StoreError, audit};
use appligarde_domain::{
    DomainError,
    audit::Action,
    compta::{BilanCompta, LigneCompta, ModePaiement, PaiementLigne, PaiementValide, bilan},
    cotation::{Acte, Cotation},
    tarifs::{Montant, TARIFS_GARDE_CSV, TableTarifs},
};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

// ---------------------------------------------------------------------------------------------
// Tariff tables
// ---------------------------------------------------------------------------------------------

/// Where a tariff table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrigineTarifs {
    /// The table shipped with the program.
    Defaut,
    /// A file imported by the MMG (`appligarde-cli tarifs import`, the Comptabilité screen).
    Fichier,
    /// Pushed by the hub.
    Hub,
}

impl OrigineTarifs {
    pub fn code(self) -> &'static str {
        match self {
            OrigineTarifs::Defaut => "defaut",
            OrigineTarifs::Fichier => "fichier",
            OrigineTarifs::Hub => "hub",
        }
    }
}

/// One stored version of the tariff table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTarifs {
    pub id: i64,
    /// `defaut`, `fichier` or `hub`.
    pub origine: String,
    /// `initial`, `remplacement` or `complement`.
    pub mode: String,
    /// SHA-256 of the stored CSV text.
    pub empreinte: String,
    pub importee_le: String,
    pub importee_par: Option<i64>,
    pub table: TableTarifs,
}

fn empreinte(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn lire_version(conn: &Connection, sql_where: &str) -> Result<Option<VersionTarifs>, StoreError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT id, origine, mode, empreinte, csv, importee_le, importee_par FROM tarif_version {sql_where}"
            ),
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((id, origine, mode, empreinte, csv, importee_le, importee_par)) = row else {
        return Ok(None);
    };
    let table = TableTarifs::parse_csv(&csv)
        .map_err(|e| StoreError::Corrupt(format!("table des tarifs n° {id} illisible : {e}")))?;
    Ok(Some(VersionTarifs {
        id,
        origine,
        mode,
        empreinte,
        importee_le,
        importee_par,
        table,
    }))
}

fn inserer_version(
    tx: &Transaction<'_>,
    table: &TableTarifs,
    origine: OrigineTarifs,
    mode: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let csv = table.to_csv();
    tx.execute(
        "INSERT INTO tarif_version (origine, mode, empreinte, nb_tarifs, csv, importee_le, importee_par)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            origine.code(),
            mode,
            empreinte(&csv),
            table.tarifs().len() as i64,
            csv,
            now,
            acteur
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        acteur,
        Action::Creation,
        "tarif_version",
        Some(id),
        &format!(
            "{} tarif(s), {} ({})",
            table.tarifs().len(),
            mode,
            origine.code()
        ),
        now,
    )?;
    Ok(id)
}

/// The table in force; the default table is stored first if the store has none yet.
pub fn table_en_vigueur(tx: &Transaction<'_>, now: &str) -> Result<VersionTarifs, StoreError> {
    if let Some(v) = lire_version(tx, "ORDER BY id DESC LIMIT 1")? {
        return Ok(v);
    }
    let table = TableTarifs::parse_csv(TARIFS_GARDE_CSV)
        .map_err(|e| StoreError::Corrupt(format!("table des tarifs embarquée : {e}")))?;
    inserer_version(tx, &table, OrigineTarifs::Defaut, "initial", None, now)?;
    lire_version(tx, "ORDER BY id DESC LIMIT 1")?
        .ok_or_else(|| StoreError::NotFound("table des tarifs".into()))
}

/// Imports a newer tariff table from its CSV text (same format as the shipped file), in the caller's
/// transaction: validated first (every error names the line, in French), then stored as a new
/// version. `remplacer`: the file is the whole new table; otherwise it extends the table in force
/// (see `TableTarifs::completer`). The hub pushes its tables through this same function.
pub fn importer_tarifs(
    tx: &Transaction<'_>,
    csv: &str,
    remplacer: bool,
    origine: OrigineTarifs,
    acteur: Option<i64>,
    now: &str,
) -> Result<VersionTarifs, StoreError> {
    let nouvelle = TableTarifs::parse_csv(csv).map_err(DomainError::from)?;
    let actuelle = table_en_vigueur(tx, now)?;
    let (table, mode) = if remplacer {
        (nouvelle, "remplacement")
    } else {
        (
            actuelle
                .table
                .completer(&nouvelle)
                .map_err(DomainError::from)?,
            "complement",
        )
    };
    if table == actuelle.table {
        return Err(DomainError::general(
            "Cette table des tarifs est déjà celle en vigueur : rien à importer.",
        )
        .into());
    }
    inserer_version(tx, &table, origine, mode, acteur, now)?;
    lire_version(tx, "ORDER BY id DESC LIMIT 1")?
        .ok_or_else(|| StoreError::NotFound("table des tarifs".into()))
}

/// One stored version as listed: (id, origine, mode, number of tariffs, imported on).
pub type LigneVersion = (i64, String, String, i64, String);

/// One consultation row of the accounts query.
type LigneBrute = (
    i64,
    String,
    String,
    Option<i64>,
    String,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// The table in force, without storing the default one (`None` before first use).
    pub fn tarifs_en_vigueur(&self) -> Result<Option<VersionTarifs>, StoreError> {
        lire_version(self.conn(), "ORDER BY id DESC LIMIT 1")
    }

    /// Imports a tariff table from CSV text in its own transaction (the entry point for the hub).
    pub fn importer_tarifs_csv(
        &mut self,
        csv: &str,
        remplacer: bool,
        origine: OrigineTarifs,
        acteur: Option<i64>,
        now: &str,
    ) -> Result<VersionTarifs, StoreError> {
        self.write(|tx| importer_tarifs(tx, csv, remplacer, origine, acteur, now))
    }

    /// Every stored version, newest first: (id, origine, mode, number of tariffs, imported on).
    pub fn versions_tarifs(&self) -> Result<Vec<LigneVersion>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT id, origine, mode, nb_tarifs, importee_le FROM tarif_version ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

// ---------------------------------------------------------------------------------------------
// Closed accounts
// ---------------------------------------------------------------------------------------------

/// The closing of a shift's accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClotureCompta {
    pub garde_id: i64,
    pub cloturee_le: String,
    pub cloturee_par: Option<i64>,
    /// The balance as it was when closed.
    pub rapport: BilanCompta,
}

pub fn cloture(conn: &Connection, garde_id: i64) -> Result<Option<ClotureCompta>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT cloturee_le, cloturee_par, rapport FROM cloture_compta WHERE garde_id = ?1",
        )?
        .query_row([garde_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    row.map(|(le, par, rapport)| {
        Ok(ClotureCompta {
            garde_id,
            cloturee_le: le,
            cloturee_par: par,
            rapport: serde_json::from_str(&rapport).map_err(|e| {
                StoreError::Corrupt(format!("clôture des comptes de la garde {garde_id} : {e}"))
            })?,
        })
    })
    .transpose()
}

/// The shift of a consultation and, when its accounts are closed, the date of that shift.
fn garde_cloturee(
    conn: &Connection,
    consultation_id: i64,
) -> Result<(Option<i64>, Option<NaiveDate>), StoreError> {
    let row: Option<(Option<i64>, Option<String>)> = conn
        .prepare_cached(
            "SELECT c.garde_id, g.date_garde FROM consultation c
             LEFT JOIN cloture_compta k ON k.garde_id = c.garde_id
             LEFT JOIN garde g ON g.id = k.garde_id
             WHERE c.id = ?1",
        )?
        .query_row([consultation_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((garde, date)) = row else {
        return Err(StoreError::NotFound(format!(
            "consultation {consultation_id}"
        )));
    };
    Ok((
        garde,
        date.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
    ))
}

fn refuser_si_cloturee(conn: &Connection, consultation_id: i64) -> Result<(), StoreError> {
    if let (_, Some(date)) = garde_cloturee(conn, consultation_id)? {
        return Err(DomainError::general(format!(
            "Les comptes de la garde du {} sont clôturés : la cotation ne peut plus être modifiée (une différence se corrige par un règlement ou une annulation, avec son motif).",
            date.format("%d/%m/%Y")
        ))
        .into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Cotation of a consultation
// ---------------------------------------------------------------------------------------------

/// The cotation kept with a consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CotationEnregistree {
    pub consultation_id: i64,
    pub tarif_version_id: i64,
    /// What the program proposed, with its explanations.
    pub proposition: Cotation,
    /// The acts kept (the proposal until the doctor changes it).
    pub actes: Vec<Acte>,
    pub total: Montant,
    /// The doctor changed the proposal.
    pub modifiee: bool,
    pub motif: String,
    pub proposee_le: String,
    pub choisie_le: Option<String>,
    pub choisie_par: Option<i64>,
}

fn ecrire_actes(tx: &Transaction<'_>, id: i64, actes: &[Acte]) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM cotation_acte WHERE consultation_id = ?1")?
        .execute([id])?;
    let mut stmt = tx.prepare_cached(
        "INSERT INTO cotation_acte (consultation_id, rang, code, libelle, montant_centimes, explication)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (rang, a) in actes.iter().enumerate() {
        stmt.execute(rusqlite::params![
            id,
            rang as i64,
            a.code,
            a.libelle,
            a.montant_centimes,
            a.explication
        ])?;
    }
    Ok(())
}

/// Stores the program's proposal for a consultation; the kept acts become the proposal again.
pub fn enregistrer_proposition(
    tx: &Transaction<'_>,
    consultation_id: i64,
    tarif_version_id: i64,
    proposition: &Cotation,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    refuser_si_cloturee(tx, consultation_id)?;
    let json = serde_json::to_string(proposition)
        .map_err(|e| StoreError::Corrupt(format!("proposition de cotation : {e}")))?;
    tx.execute(
        "INSERT INTO cotation (consultation_id, tarif_version_id, proposition, proposition_total,
             total_centimes, modifiee, motif, proposee_le, proposee_par, choisie_le, choisie_par)
         VALUES (?1, ?2, ?3, ?4, ?4, 0, '', ?5, ?6, NULL, NULL)
         ON CONFLICT (consultation_id) DO UPDATE SET tarif_version_id = excluded.tarif_version_id,
             proposition = excluded.proposition, proposition_total = excluded.proposition_total,
             total_centimes = excluded.total_centimes, modifiee = 0, motif = '',
             proposee_le = excluded.proposee_le, proposee_par = excluded.proposee_par,
             choisie_le = NULL, choisie_par = NULL",
        rusqlite::params![
            consultation_id,
            tarif_version_id,
            json,
            proposition.total_centimes,
            now,
            acteur
        ],
    )?;
    ecrire_actes(tx, consultation_id, &proposition.actes)?;
    audit::append(
        tx,
        acteur,
        Action::Creation,
        "cotation",
        Some(consultation_id),
        &format!("proposition {}", proposition.codes().join("+")),
        now,
    )?;
    Ok(())
}

/// Stores the acts the doctor kept (after a proposal). `motif` says why, when they differ.
pub fn enregistrer_choix(
    tx: &Transaction<'_>,
    consultation_id: i64,
    actes: &[Acte],
    motif: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    refuser_si_cloturee(tx, consultation_id)?;
    let proposition = cotation(tx, consultation_id)?.ok_or_else(|| {
        DomainError::general(
            "Cette consultation n'a pas encore de proposition de cotation : demandez-la d'abord.",
        )
    })?;
    if actes.is_empty() {
        return Err(DomainError::field("actes", "Gardez au moins un acte (G ou VG).").into());
    }
    let total: i64 = actes.iter().map(|a| a.montant_centimes).sum();
    let modifiee = proposition
        .proposition
        .actes
        .iter()
        .map(|a| (&a.code, a.montant_centimes))
        .ne(actes.iter().map(|a| (&a.code, a.montant_centimes)));
    tx.execute(
        "UPDATE cotation SET total_centimes = ?1, modifiee = ?2, motif = ?3, choisie_le = ?4, choisie_par = ?5
         WHERE consultation_id = ?6",
        rusqlite::params![total, modifiee, motif.trim(), now, acteur, consultation_id],
    )?;
    ecrire_actes(tx, consultation_id, actes)?;
    let codes: Vec<&str> = actes.iter().map(|a| a.code.as_str()).collect();
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "cotation",
        Some(consultation_id),
        &format!(
            "{} {}",
            if modifiee { "modifiée" } else { "validée" },
            codes.join("+")
        ),
        now,
    )?;
    Ok(())
}

/// The cotation kept with a consultation, if any.
pub fn cotation(
    conn: &Connection,
    consultation_id: i64,
) -> Result<Option<CotationEnregistree>, StoreError> {
    type Row = (
        i64,
        String,
        i64,
        bool,
        String,
        String,
        Option<String>,
        Option<i64>,
    );
    let row: Option<Row> = conn
        .prepare_cached(
            "SELECT tarif_version_id, proposition, total_centimes, modifiee, motif, proposee_le,
                    choisie_le, choisie_par
             FROM cotation WHERE consultation_id = ?1",
        )?
        .query_row([consultation_id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .optional()?;
    let Some((version, json, total, modifiee, motif, proposee_le, choisie_le, choisie_par)) = row
    else {
        return Ok(None);
    };
    let proposition: Cotation = serde_json::from_str(&json).map_err(|e| {
        StoreError::Corrupt(format!(
            "cotation de la consultation {consultation_id} : {e}"
        ))
    })?;
    let actes = conn
        .prepare_cached(
            "SELECT code, libelle, montant_centimes, explication FROM cotation_acte
             WHERE consultation_id = ?1 ORDER BY rang",
        )?
        .query_map([consultation_id], |r| {
            Ok(Acte {
                code: r.get(0)?,
                libelle: r.get(1)?,
                montant_centimes: r.get(2)?,
                explication: r.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(CotationEnregistree {
        consultation_id,
        tarif_version_id: version,
        proposition,
        actes,
        total: Montant::from_centimes(total),
        modifiee,
        motif,
        proposee_le,
        choisie_le,
        choisie_par,
    }))
}

// ---------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------

/// Adds a payment to a consultation. After the shift's accounts are closed, only as a correction:
/// `motif` is then required and the entry is marked `apres_cloture`.
pub fn ajouter_paiement(
    tx: &Transaction<'_>,
    consultation_id: i64,
    p: &PaiementValide,
    motif: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let (_, cloturee) = garde_cloturee(tx, consultation_id)?;
    if let Some(date) = cloturee
        && motif.trim().is_empty()
    {
        return Err(DomainError::field(
            "motif",
            format!(
                "Les comptes de la garde du {} sont clôturés : ce règlement sera enregistré comme une correction ; indiquez son motif.",
                date.format("%d/%m/%Y")
            ),
        )
        .into());
    }
    tx.prepare_cached(
        "INSERT INTO paiement (consultation_id, mode, montant_centimes, cheque_numero, cheque_banque,
             cheque_emetteur, motif, apres_cloture, saisi_le, saisi_par)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        consultation_id,
        p.mode.code(),
        p.montant.centimes(),
        p.cheque_numero,
        p.cheque_banque,
        p.cheque_emetteur,
        motif.trim(),
        cloturee.is_some(),
        now,
        acteur
    ])?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        acteur,
        Action::Creation,
        "paiement",
        Some(id),
        &format!("consultation {consultation_id}, {}", p.mode.code()),
        now,
    )?;
    Ok(id)
}

/// Cancels a payment entry by a new entry naming it (the correction of a mistake). `motif` is
/// required. Returns the consultation id.
pub fn annuler_paiement(
    tx: &Transaction<'_>,
    paiement_id: i64,
    motif: &str,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    if motif.trim().is_empty() {
        return Err(DomainError::field(
            "motif",
            "Indiquez le motif de l'annulation (par exemple « erreur de montant »).",
        )
        .into());
    }
    let row: Option<(i64, String, i64, Option<i64>, bool)> = tx
        .query_row(
            "SELECT consultation_id, mode, montant_centimes, annule_id,
                    EXISTS (SELECT 1 FROM paiement a WHERE a.annule_id = p.id)
             FROM paiement p WHERE id = ?1",
            [paiement_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((consultation_id, mode, montant, annule, deja)) = row else {
        return Err(StoreError::NotFound(format!("règlement {paiement_id}")));
    };
    if annule.is_some() {
        return Err(DomainError::general(
            "Cette écriture est déjà une annulation : saisissez plutôt un nouveau règlement.",
        )
        .into());
    }
    if deja {
        return Err(DomainError::general("Ce règlement est déjà annulé.").into());
    }
    let (_, cloturee) = garde_cloturee(tx, consultation_id)?;
    tx.execute(
        "INSERT INTO paiement (consultation_id, mode, montant_centimes, annule_id, motif, apres_cloture,
             saisi_le, saisi_par)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            consultation_id,
            mode,
            montant,
            paiement_id,
            motif.trim(),
            cloturee.is_some(),
            now,
            acteur
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        acteur,
        Action::Rectification,
        "paiement",
        Some(id),
        &format!("annule le règlement {paiement_id}"),
        now,
    )?;
    Ok(consultation_id)
}

fn lire_paiement(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, PaiementLigne)> {
    let mode: String = r.get(2)?;
    Ok((
        r.get(0)?,
        PaiementLigne {
            id: r.get(1)?,
            // The CHECK constraint of the table only admits known codes.
            mode: ModePaiement::from_code(&mode).unwrap_or(ModePaiement::NonRegle),
            montant: Montant::from_centimes(r.get(3)?),
            cheque_numero: r.get(4)?,
            cheque_banque: r.get(5)?,
            cheque_emetteur: r.get(6)?,
            annule_id: r.get(7)?,
            motif: r.get(8)?,
            apres_cloture: r.get(9)?,
            saisi_le: r.get(10)?,
        },
    ))
}

const PAIEMENT_SELECT: &str =
    "SELECT p.consultation_id, p.id, p.mode, p.montant_centimes, p.cheque_numero,
        p.cheque_banque, p.cheque_emetteur, p.annule_id, p.motif, p.apres_cloture, p.saisi_le
     FROM paiement p";

/// The payment entries of a consultation, in the order they were made.
pub fn paiements(
    conn: &Connection,
    consultation_id: i64,
) -> Result<Vec<PaiementLigne>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "{PAIEMENT_SELECT} WHERE p.consultation_id = ?1 ORDER BY p.id"
    ))?;
    let rows = stmt.query_map([consultation_id], lire_paiement)?;
    Ok(rows.map(|r| r.map(|(_, p)| p)).collect::<Result<_, _>>()?)
}

// ---------------------------------------------------------------------------------------------
// Accounts of a shift, of a period
// ---------------------------------------------------------------------------------------------

const LIGNE_SELECT: &str = "SELECT c.id, c.arrivee, p.nom || ' ' || p.prenom, c.medecin_id,
        COALESCE(u.prenom || ' ' || u.nom, ''), k.total_centimes,
        (SELECT group_concat(a.code, ' ') FROM (SELECT code FROM cotation_acte a
            WHERE a.consultation_id = c.id ORDER BY a.rang) a)
     FROM consultation c
     JOIN patient p ON p.id = c.patient_id
     LEFT JOIN utilisateur u ON u.id = c.medecin_id
     LEFT JOIN cotation k ON k.consultation_id = c.id";

fn lignes(
    conn: &Connection,
    sql_where: &str,
    params: impl rusqlite::Params + Clone,
) -> Result<Vec<LigneCompta>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "{LIGNE_SELECT} WHERE {sql_where} ORDER BY c.arrivee, c.id"
    ))?;
    let rows: Vec<LigneBrute> = stmt
        .query_map(params.clone(), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, arrivee, patient, medecin_id, medecin, total, codes) in rows {
        out.push(LigneCompta {
            consultation_id: id,
            arrivee: NaiveDateTime::parse_from_str(&arrivee, TIME_FORMAT).map_err(|_| {
                StoreError::Corrupt(format!("consultation {id} : heure d'arrivée illisible"))
            })?,
            patient,
            medecin_id,
            medecin,
            attendu: total.map(Montant::from_centimes),
            codes: codes
                .map(|c| c.split(' ').map(str::to_owned).collect())
                .unwrap_or_default(),
            paiements: paiements(conn, id)?,
        });
    }
    Ok(out)
}

/// The consultations of a shift with their expected amounts and payments (drafts included).
pub fn lignes_garde(conn: &Connection, garde_id: i64) -> Result<Vec<LigneCompta>, StoreError> {
    lignes(conn, "c.garde_id = ?1", [garde_id])
}

/// The consultations arrived in `[from, to)` (local time), for an export over a period.
pub fn lignes_periode(
    conn: &Connection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<LigneCompta>, StoreError> {
    lignes(
        conn,
        "c.arrivee >= ?1 AND c.arrivee < ?2",
        [
            from.format(TIME_FORMAT).to_string(),
            to.format(TIME_FORMAT).to_string(),
        ],
    )
}

/// Closes the accounts of a (closed) shift: stores the balance as it is now; afterwards the shift's
/// cotations are read-only and payments are only corrections.
pub fn cloturer_compta(
    tx: &Transaction<'_>,
    garde_id: i64,
    acteur: Option<i64>,
    now: &str,
) -> Result<BilanCompta, StoreError> {
    let (date_garde, fermee): (String, bool) = tx
        .query_row(
            "SELECT date_garde, fermee_le IS NOT NULL FROM garde WHERE id = ?1",
            [garde_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("garde {garde_id}")))?;
    let date = NaiveDate::parse_from_str(&date_garde, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or(date_garde);
    if !fermee {
        return Err(DomainError::general(format!(
            "La garde du {date} est encore ouverte : fermez la garde avant de clôturer ses comptes."
        ))
        .into());
    }
    if cloture(tx, garde_id)?.is_some() {
        return Err(DomainError::general(format!(
            "Les comptes de la garde du {date} sont déjà clôturés."
        ))
        .into());
    }
    let rapport = bilan(&lignes_garde(tx, garde_id)?);
    let json = serde_json::to_string(&rapport)
        .map_err(|e| StoreError::Corrupt(format!("bilan de la garde : {e}")))?;
    tx.execute(
        "INSERT INTO cloture_compta (garde_id, cloturee_le, cloturee_par, attendu, regle, rapport)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        rusqlite::params![
            garde_id,
            now,
            acteur,
            rapport.attendu.centimes(),
            rapport.regle.centimes(),
            json
        ],
    )?;
    audit::append(
        tx,
        acteur,
        Action::Cloture,
        "compta_garde",
        Some(garde_id),
        &format!("{} consultation(s)", rapport.consultations),
        now,
    )?;
    Ok(rapport)
}

/// A shift as the Comptabilité screen lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GardeCompta {
    pub id: i64,
    pub date_garde: NaiveDate,
    pub fermee: bool,
    pub cloturee: bool,
    pub consultations: i64,
}

impl Store {
    /// The most recent shifts (newest first), with whether their accounts are closed.
    pub fn gardes_compta(&self, limite: u32) -> Result<Vec<GardeCompta>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT g.id, g.date_garde, g.fermee_le IS NOT NULL,
                    EXISTS (SELECT 1 FROM cloture_compta k WHERE k.garde_id = g.id),
                    (SELECT count(*) FROM consultation c WHERE c.garde_id = g.id)
             FROM garde g ORDER BY g.date_garde DESC, g.id DESC LIMIT ?1",
        )?;
        let rows: Vec<(i64, String, bool, bool, i64)> = stmt
            .query_map([limite], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, date, fermee, cloturee, consultations)| {
                Ok(GardeCompta {
                    id,
                    date_garde: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                        .map_err(|_| StoreError::Corrupt(format!("garde {id} : date illisible")))?,
                    fermee,
                    cloturee,
                    consultations,
                })
            })
            .collect()
    }
}
