//! Queries of the secure messaging tables (migration 0014): the mailbox's settings
//! (`messagerie_reglages`, one row) and the outbox (`messagerie_envoi`).
//!
//! The outbox is a state machine driven by the API's sender: `en_attente` → [`reserver`] →
//! `en_cours` → [`noter_envoye`] (`envoye`) or [`noter_echec`] (back to `en_attente` with the
//! next try's time, or `echec` for good). Each step is its own committed transaction, so a sender
//! killed mid-send leaves the message `en_cours`; [`reprendre_interrompus`] puts such claims back
//! in the queue once they are older than the longest exchange. Queuing, sending and failing for
//! good append to the audit log in the same transaction.

use crate::{Store, StoreError, audit};
use appligarde_domain::audit::Action;
use rusqlite::{OptionalExtension, Transaction};

/// The mailbox's settings, secrets included (they live only in the encrypted store).
#[derive(Clone, PartialEq, Eq)]
pub struct Reglages {
    pub adresse: String,
    pub serveur: String,
    pub port: u16,
    /// The PKCS#12 file as given.
    pub certificat: Option<Vec<u8>>,
    pub mot_de_passe: Option<String>,
    pub ca_pem: Option<Vec<u8>>,
    pub oid_racine: String,
    pub modifie_le: String,
}

// The certificate and its password never reach logs.
impl std::fmt::Debug for Reglages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reglages")
            .field("serveur", &self.serveur)
            .field("port", &self.port)
            .field("certificat", &self.certificat.is_some())
            .finish_non_exhaustive()
    }
}

/// Saves the settings (replacing the previous ones) with an audit entry.
pub fn enregistrer_reglages(
    tx: &Transaction<'_>,
    r: &Reglages,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO messagerie_reglages (id, adresse, serveur, port, certificat, mot_de_passe, ca_pem,
             oid_racine, modifie_le, modifie_par)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET adresse = excluded.adresse, serveur = excluded.serveur,
             port = excluded.port, certificat = excluded.certificat,
             mot_de_passe = excluded.mot_de_passe, ca_pem = excluded.ca_pem,
             modifie_le = excluded.modifie_le, modifie_par = excluded.modifie_par",
    )?
    .execute(rusqlite::params![
        r.adresse,
        r.serveur,
        r.port,
        r.certificat,
        r.mot_de_passe,
        r.ca_pem,
        r.oid_racine,
        now,
        acteur,
    ])?;
    audit::append(
        tx,
        acteur,
        Action::Modification,
        "messagerie",
        None,
        "réglages de la messagerie sécurisée",
        now,
    )?;
    Ok(())
}

/// A message to queue: its exact bytes and Message-ID.
pub struct NouvelEnvoi<'a> {
    pub document_id: i64,
    pub destinataire: &'a str,
    pub message_id: &'a str,
    pub message: &'a [u8],
}

fn consultation_du_document(tx: &Transaction<'_>, document_id: i64) -> Result<i64, StoreError> {
    tx.prepare_cached("SELECT consultation_id FROM document_imprime WHERE id = ?1")?
        .query_row([document_id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("document {document_id}")))
}

/// Queues a message, due now, with an audit entry; returns its row id.
pub fn mettre_en_file(
    tx: &Transaction<'_>,
    e: &NouvelEnvoi<'_>,
    acteur: Option<i64>,
    now: &str,
) -> Result<i64, StoreError> {
    let consultation = consultation_du_document(tx, e.document_id)?;
    tx.prepare_cached(
        "INSERT INTO messagerie_envoi (document_id, destinataire, message_id, message, prochain_essai,
             cree_le, auteur_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        e.document_id,
        e.destinataire,
        e.message_id,
        e.message,
        now,
        acteur
    ])?;
    let id = tx.last_insert_rowid();
    audit::append(
        tx,
        acteur,
        Action::Export,
        "consultation",
        Some(consultation),
        &format!(
            "document {} mis en file pour la messagerie sécurisée (message {id})",
            e.document_id
        ),
        now,
    )?;
    Ok(id)
}

/// One row of the outbox, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envoi {
    pub id: i64,
    pub document_id: i64,
    pub consultation_id: i64,
    pub destinataire: String,
    pub message_id: String,
    pub statut: String,
    pub tentatives: u32,
    pub prochain_essai: String,
    pub raison: String,
    pub cree_le: String,
    pub envoye_le: Option<String>,
}

const COLONNES: &str =
    "e.id, e.document_id, d.consultation_id, e.destinataire, e.message_id, e.statut,
    e.tentatives, e.prochain_essai, e.raison, e.cree_le, e.envoye_le
    FROM messagerie_envoi e JOIN document_imprime d ON d.id = e.document_id";

fn ligne(r: &rusqlite::Row<'_>) -> rusqlite::Result<Envoi> {
    Ok(Envoi {
        id: r.get(0)?,
        document_id: r.get(1)?,
        consultation_id: r.get(2)?,
        destinataire: r.get(3)?,
        message_id: r.get(4)?,
        statut: r.get(5)?,
        tentatives: r.get(6)?,
        prochain_essai: r.get(7)?,
        raison: r.get(8)?,
        cree_le: r.get(9)?,
        envoye_le: r.get(10)?,
    })
}

impl Store {
    pub fn messagerie_reglages(&self) -> Result<Option<Reglages>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT adresse, serveur, port, certificat, mot_de_passe, ca_pem, oid_racine, modifie_le
                 FROM messagerie_reglages WHERE id = 1",
                [],
                |r| {
                    Ok(Reglages {
                        adresse: r.get(0)?,
                        serveur: r.get(1)?,
                        port: r.get(2)?,
                        certificat: r.get(3)?,
                        mot_de_passe: r.get(4)?,
                        ca_pem: r.get(5)?,
                        oid_racine: r.get(6)?,
                        modifie_le: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// The outbox, newest first; only the messages of `document_id` when given.
    pub fn messagerie_file(&self, document_id: Option<i64>) -> Result<Vec<Envoi>, StoreError> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {COLONNES} WHERE ?1 IS NULL OR e.document_id = ?1 ORDER BY e.id DESC"
        ))?;
        let rows = stmt.query_map([document_id], ligne)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn messagerie_envoi(&self, id: i64) -> Result<Option<Envoi>, StoreError> {
        Ok(self
            .conn()
            .query_row(&format!("SELECT {COLONNES} WHERE e.id = ?1"), [id], ligne)
            .optional()?)
    }

    /// The queued message's exact bytes.
    pub fn messagerie_message(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT message FROM messagerie_envoi WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The ids of the messages waiting whose next try is due at `now` (all waiting ones when
    /// `now` is None: "send now"), oldest first.
    pub fn messagerie_a_envoyer(&self, now: Option<&str>) -> Result<Vec<i64>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM messagerie_envoi
             WHERE statut = 'en_attente' AND (?1 IS NULL OR prochain_essai <= ?1) ORDER BY id",
        )?;
        let rows = stmt.query_map([now], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Puts back in the queue the claims made before `avant` (their sender died mid-send); returns
/// how many.
pub fn reprendre_interrompus(tx: &Transaction<'_>, avant: &str) -> Result<usize, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE messagerie_envoi SET statut = 'en_attente', en_cours_depuis = NULL,
                 raison = 'Envoi interrompu : nouvel essai.'
             WHERE statut = 'en_cours' AND en_cours_depuis < ?1",
        )?
        .execute([avant])?)
}

/// Claims a waiting message for one send (counting the try); false when another sender has it
/// or it is no longer waiting.
pub fn reserver(tx: &Transaction<'_>, id: i64, now: &str) -> Result<bool, StoreError> {
    Ok(tx
        .prepare_cached(
            "UPDATE messagerie_envoi SET statut = 'en_cours', en_cours_depuis = ?2,
                 tentatives = tentatives + 1
             WHERE id = ?1 AND statut = 'en_attente'",
        )?
        .execute(rusqlite::params![id, now])?
        == 1)
}

fn audit_envoi(
    tx: &Transaction<'_>,
    id: i64,
    acteur: Option<i64>,
    details: &str,
    now: &str,
) -> Result<(), StoreError> {
    let (document, consultation): (i64, i64) = tx
        .prepare_cached(
            "SELECT e.document_id, d.consultation_id FROM messagerie_envoi e
             JOIN document_imprime d ON d.id = e.document_id WHERE e.id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    audit::append(
        tx,
        acteur,
        Action::Export,
        "consultation",
        Some(consultation),
        &format!("document {document} {details} (message {id})"),
        now,
    )?;
    Ok(())
}

/// The server took the message.
pub fn noter_envoye(
    tx: &Transaction<'_>,
    id: i64,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    tx.prepare_cached(
        "UPDATE messagerie_envoi SET statut = 'envoye', envoye_le = ?2, en_cours_depuis = NULL,
             raison = '' WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, now])?;
    audit_envoi(tx, id, acteur, "envoyé par messagerie sécurisée", now)
}

/// The try failed: back to the queue until `prochain_essai`, or `echec` for good when
/// `prochain_essai` is None.
pub fn noter_echec(
    tx: &Transaction<'_>,
    id: i64,
    raison: &str,
    prochain_essai: Option<&str>,
    acteur: Option<i64>,
    now: &str,
) -> Result<(), StoreError> {
    match prochain_essai {
        Some(quand) => {
            tx.prepare_cached(
                "UPDATE messagerie_envoi SET statut = 'en_attente', en_cours_depuis = NULL,
                     raison = ?2, prochain_essai = ?3 WHERE id = ?1",
            )?
            .execute(rusqlite::params![id, raison, quand])?;
            Ok(())
        }
        None => {
            tx.prepare_cached(
                "UPDATE messagerie_envoi SET statut = 'echec', en_cours_depuis = NULL, raison = ?2
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![id, raison])?;
            audit_envoi(tx, id, acteur, "non envoyé par messagerie sécurisée", now)
        }
    }
}
