//! Secure messaging (MSSanté), desktop side: the mailbox's settings, the outbox and its sender.
//!
//! A printed document is queued with its message built at once (`appligarde_messagerie`: MIME,
//! IHE XDM package, CDA level 1 around the PDF rendered again from the recorded input — the same
//! bytes as printed), its Message-ID made then and kept, in one transaction with its audit entry.
//! The sender ([`Api::messagerie_envoyer_file`] for "send now", [`Api::messagerie_envoyer_dus`]
//! for the background task) claims each message (`en_cours`, committed), submits it over TLS,
//! then records `envoye`, or `en_attente` with the French reason and the next try after an
//! exponential backoff with jitter, or `echec` when the server refused it for good. A sender
//! killed mid-send leaves a claim that is taken back after [`RECLAMATION`].
//!
//! Rights: the mailbox's settings are the MMG admin's; queuing needs a doctor; the outbox and
//! "send now" any logged-in user (they show addresses and statuses, no clinical content).

use std::time::Duration;

use appligarde_messagerie::{self as mss, Boite, IdentiteClient};
use appligarde_store::messagerie::{self as store_mss, NouvelEnvoi, Reglages};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::documents::{
    CourrierTexte, DocumentImprimeDto, MessagePret, document_pour_envoi, libelle_nature,
};
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};

/// The longest exchange with the server; a claim older than [`RECLAMATION`] is a dead sender's.
const DELAI_SMTP: Duration = Duration::from_secs(30);
const RECLAMATION: chrono::Duration = chrono::Duration::minutes(10);
/// Backoff after a temporary failure: from 30 s, doubling, up to an hour, ±20 % jitter.
const ATTENTE_MIN_S: i64 = 30;
const ATTENTE_MAX_S: i64 = 3600;
/// After this many tries a message still refused fails for good.
pub const ESSAIS_MAX: u32 = 20;
/// The submission port (RFC 6409) when none is given.
pub const PORT_SOUMISSION: u16 = 587;
/// MSSanté addresses are in this domain (DOMAIN.md).
pub const DOMAINE_MSSANTE: &str = ".mssante.fr";

/// The mailbox's settings as typed (`messagerie reglages`): the PKCS#12 file in base64 with its
/// password, and an extra certificate authority (PEM text) to trust.
#[derive(Clone, Serialize, Deserialize, TS)]
pub struct MessagerieReglagesSaisie {
    pub adresse: String,
    pub serveur: String,
    #[serde(default)]
    #[ts(optional)]
    pub port: Option<u16>,
    #[serde(default)]
    #[ts(optional)]
    pub certificat_base64: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub mot_de_passe_certificat: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub ca_pem: Option<String>,
}

// The certificate and its password never reach logs.
impl std::fmt::Debug for MessagerieReglagesSaisie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessagerieReglagesSaisie")
            .field("serveur", &self.serveur)
            .finish_non_exhaustive()
    }
}

/// The settings as shown: no secret, only what the certificate is.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MessagerieReglagesDto {
    pub adresse: String,
    pub serveur: String,
    pub port: u16,
    /// The client certificate's subject, None without one.
    pub certificat: Option<String>,
    /// Whether an extra certificate authority is trusted.
    pub ca: bool,
    pub modifie_le: String,
}

/// Send a printed document to an MSSanté address.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MessageEnvoi {
    pub document_id: i64,
    pub destinataire: String,
}

/// Which messages to list: all, or those of one document.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct MessagerieFileQuery {
    #[serde(default)]
    #[ts(optional)]
    pub document_id: Option<i64>,
}

/// One message of the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EnvoiDto {
    pub id: i64,
    pub document_id: i64,
    pub consultation_id: i64,
    pub destinataire: String,
    pub message_id: String,
    /// `en_attente`, `en_cours`, `envoye`, `echec`.
    pub statut: String,
    /// "en attente", "envoi en cours", "envoyé", "échec".
    pub statut_libelle: String,
    pub tentatives: u32,
    pub prochain_essai: String,
    /// The French reason of the last failure (empty when none).
    pub raison: String,
    pub cree_le: String,
    pub envoye_le: Option<String>,
}

/// Print a letter and send it: the letter's text (as for `courrier_imprimer`) and the MSSanté
/// address.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourrierEnvoi {
    pub courrier: CourrierTexte,
    pub destinataire: String,
}

/// The printed letter and its queued message.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CourrierEnvoye {
    pub imprime: DocumentImprimeDto,
    pub message: EnvoiDto,
}

/// A built message and the SHA-256 of the PDF inside.
struct MessageConstruit {
    pret: MessagePret,
    empreinte: String,
}

/// What one pass of the sender did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EnvoiRapport {
    pub envoyes: u32,
    pub en_attente: u32,
    pub echecs: u32,
    /// The messages this pass tried, in their new state.
    pub messages: Vec<EnvoiDto>,
}

fn statut_libelle(code: &str) -> &'static str {
    match code {
        "en_attente" => "en attente",
        "en_cours" => "envoi en cours",
        "envoye" => "envoyé",
        "echec" => "échec",
        _ => "inconnu",
    }
}

impl From<store_mss::Envoi> for EnvoiDto {
    fn from(e: store_mss::Envoi) -> Self {
        Self {
            id: e.id,
            document_id: e.document_id,
            consultation_id: e.consultation_id,
            destinataire: e.destinataire,
            message_id: e.message_id,
            statut_libelle: statut_libelle(&e.statut).to_owned(),
            statut: e.statut,
            tentatives: e.tentatives,
            prochain_essai: e.prochain_essai,
            raison: e.raison,
            cree_le: e.cree_le,
            envoye_le: e.envoye_le,
        }
    }
}

fn champ(nom: &str, message: impl Into<String>) -> ApiError {
    let mut e = ApiError::new(ErrorCode::Validation, message);
    e.field = Some(nom.to_owned());
    e
}

/// An MSSanté address: one `@`, a domain ending in `.mssante.fr`, no spaces.
fn adresse_mssante(texte: &str, nom_champ: &str) -> Result<String, ApiError> {
    let a = texte.trim().to_lowercase();
    let valide = a.split_once('@').is_some_and(|(local, domaine)| {
        !local.is_empty()
            && !domaine.contains('@')
            && domaine.ends_with(DOMAINE_MSSANTE)
            && domaine.len() > DOMAINE_MSSANTE.len()
            && !a.chars().any(|c| c.is_whitespace() || c.is_control())
    });
    if valide {
        Ok(a)
    } else {
        Err(champ(
            nom_champ,
            format!(
                "« {} » n'est pas une adresse de messagerie sécurisée de santé (elle doit se terminer par {DOMAINE_MSSANTE}).",
                texte.trim()
            ),
        ))
    }
}

fn texte_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The wait before try `tentatives + 1`: 30 s × 2^(n-1), at most an hour, ±20 % jitter.
fn attente(tentatives: u32) -> chrono::Duration {
    let base = ATTENTE_MIN_S
        .saturating_mul(1i64 << tentatives.saturating_sub(1).min(16))
        .min(ATTENTE_MAX_S);
    let jitter = rand::random_range(0.8..1.2);
    chrono::Duration::milliseconds((base as f64 * 1000.0 * jitter) as i64)
}

fn boite(r: &Reglages) -> Result<Boite, String> {
    let identite = match (&r.certificat, &r.mot_de_passe) {
        (Some(p12), mdp) => Some(
            IdentiteClient::depuis_pkcs12(p12, mdp.as_deref().unwrap_or(""))
                .map_err(|e| e.to_string())?,
        ),
        (None, _) => None,
    };
    Ok(Boite {
        adresse: r.adresse.clone(),
        serveur: r.serveur.clone(),
        port: r.port,
        identite,
        ca_pem: r.ca_pem.clone(),
        delai: DELAI_SMTP,
    })
}

impl Api {
    /// The mailbox's settings (admin), without secrets; None before they are set.
    pub fn messagerie_reglages_get(&self) -> Result<Option<MessagerieReglagesDto>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let Some(r) = self.store().messagerie_reglages()? else {
            return Ok(None);
        };
        Ok(Some(self.messagerie_reglages_dto(&r)))
    }

    fn messagerie_reglages_dto(&self, r: &Reglages) -> MessagerieReglagesDto {
        MessagerieReglagesDto {
            adresse: r.adresse.clone(),
            serveur: r.serveur.clone(),
            port: r.port,
            certificat: boite(r)
                .ok()
                .and_then(|b| b.identite.map(|i| i.sujet().to_owned())),
            ca: r.ca_pem.is_some(),
            modifie_le: r.modifie_le.clone(),
        }
    }

    /// Saves the mailbox's settings (admin). The certificate is read with its password before
    /// anything is saved, so a wrong password is said now, not at the first send.
    pub fn messagerie_reglages_save(
        &self,
        s: MessagerieReglagesSaisie,
    ) -> Result<MessagerieReglagesDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let adresse = adresse_mssante(&s.adresse, "adresse")?;
        let serveur = s.serveur.trim().to_owned();
        if serveur.is_empty()
            || serveur
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '/')
        {
            return Err(champ(
                "serveur",
                "Indiquez le nom du serveur de messagerie de l'opérateur (par exemple smtp.operateur.fr).",
            ));
        }
        let port = s.port.unwrap_or(PORT_SOUMISSION);
        if port == 0 {
            return Err(champ(
                "port",
                "Le port du serveur doit être entre 1 et 65535.",
            ));
        }
        let certificat = match s.certificat_base64.as_deref().map(str::trim) {
            Some(b64) if !b64.is_empty() => {
                Some(crate::commun::base64_decoder(b64).map_err(|_| {
                    champ(
                        "certificat",
                        "Le certificat n'est pas un fichier PKCS#12 lisible.",
                    )
                })?)
            }
            _ => None,
        };
        let mot_de_passe = s.mot_de_passe_certificat.clone().filter(|m| !m.is_empty());
        if let Some(p12) = &certificat {
            IdentiteClient::depuis_pkcs12(p12, mot_de_passe.as_deref().unwrap_or(""))
                .map_err(|e| champ("certificat", e.to_string()))?;
        }
        let ca_pem = s
            .ca_pem
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.as_bytes().to_vec());
        if let Some(ca) = &ca_pem
            && !String::from_utf8_lossy(ca).contains("-----BEGIN CERTIFICATE-----")
        {
            return Err(champ(
                "ca",
                "L'autorité de certification doit être un certificat au format PEM (-----BEGIN CERTIFICATE-----).",
            ));
        }
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let oid_racine = store
            .messagerie_reglages()?
            .map(|r| r.oid_racine)
            .unwrap_or_else(mss::nouvel_oid);
        let reglages = Reglages {
            adresse,
            serveur,
            port,
            certificat,
            mot_de_passe,
            ca_pem,
            oid_racine,
            modifie_le: now.clone(),
        };
        store.write(|tx| store_mss::enregistrer_reglages(tx, &reglages, Some(acteur.id), &now))?;
        drop(store);
        tracing::info!(port, "secure messaging settings saved");
        Ok(self.messagerie_reglages_dto(&reglages))
    }

    /// Queues a printed document for an MSSanté address (doctors): the message is built now,
    /// with its Message-ID, and sent by the next pass of the sender.
    pub fn messagerie_envoyer(&self, m: MessageEnvoi) -> Result<EnvoiDto, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let destinataire = adresse_mssante(&m.destinataire, "destinataire")?;
        let reglages = self.messagerie_reglages_requis()?;
        let store = self.store();
        let doc = store
            .document_imprime(m.document_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Document introuvable."))?;
        let fiche = store
            .consultation(doc.consultation_id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Consultation introuvable."))?;
        drop(store);
        let maintenant = self.clock.now();
        let imprime: DateTime<FixedOffset> =
            DateTime::parse_from_rfc3339(&doc.imprime_le).unwrap_or_else(|_| maintenant.into());
        let message = self.messagerie_construire(
            &reglages,
            &doc.entree_json,
            fiche.patient_id,
            imprime,
            &destinataire,
        )?;
        if message.empreinte != doc.empreinte {
            tracing::error!(
                document = doc.id,
                "the re-rendered document differs from the printed one"
            );
            return Err(ApiError::new(
                ErrorCode::Internal,
                "Ce document ne peut plus être reproduit à l'identique : réimprimez-le avant de l'envoyer.",
            ));
        }
        let now = texte_utc(maintenant);
        let mut store = self.store();
        let id = store.write(|tx| {
            store_mss::mettre_en_file(
                tx,
                &NouvelEnvoi {
                    document_id: doc.id,
                    destinataire: &destinataire,
                    message_id: &message.pret.message_id,
                    message: &message.pret.octets,
                },
                Some(acteur.id),
                &now,
            )
        })?;
        let ligne = store
            .messagerie_envoi(id)?
            .ok_or_else(|| ApiError::internal("queued message not found"))?;
        drop(store);
        tracing::info!(message = id, document = doc.id, "secure message queued");
        Ok(ligne.into())
    }

    /// Prints a letter and queues it for an MSSanté address in the same transaction (doctors):
    /// the letter is never recorded as sent without its message, nor the message without it. A
    /// wrong address or missing settings refuse both before anything is written.
    pub fn courrier_imprimer_et_envoyer(
        &self,
        c: CourrierEnvoi,
    ) -> Result<CourrierEnvoye, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let destinataire = adresse_mssante(&c.destinataire, "destinataire")?;
        let reglages = self.messagerie_reglages_requis()?;
        let prepare = self.courrier_prepare(c.courrier, &acteur)?;
        let message = self.messagerie_construire(
            &reglages,
            &prepare.entree_json,
            prepare.patient_id,
            self.clock.now().into(),
            &destinataire,
        )?;
        let imprime = self.courrier_imprimer_prepare(&prepare, Some(&message.pret), &acteur)?;
        let ligne = self
            .store()
            .messagerie_file(Some(imprime.document.id))?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal("queued message not found"))?;
        tracing::info!(
            message = ligne.id,
            document = imprime.document.id,
            "letter printed and queued"
        );
        Ok(CourrierEnvoye {
            imprime,
            message: ligne.into(),
        })
    }

    fn messagerie_reglages_requis(&self) -> Result<Reglages, ApiError> {
        self.store().messagerie_reglages()?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::Validation,
                "La messagerie sécurisée n'est pas configurée : l'administrateur de la MMG doit d'abord renseigner la boîte aux lettres.",
            )
        })
    }

    /// The message of a document from its recorded input: MIME, XDM, CDA around the PDF rendered
    /// again, a new Message-ID.
    fn messagerie_construire(
        &self,
        reglages: &Reglages,
        entree_json: &str,
        patient_id: i64,
        imprime: DateTime<FixedOffset>,
        destinataire: &str,
    ) -> Result<MessageConstruit, ApiError> {
        let d = document_pour_envoi(entree_json)?;
        let empreinte = appligarde_documents::empreinte(&d.pdf);
        let titre = libelle_nature(d.nature);
        let nature = match d.nature {
            "ordonnance" => mss::NatureDocument::Ordonnance,
            "urgences" => mss::NatureDocument::AdressageUrgences,
            "certificat" => mss::NatureDocument::Certificat,
            _ => mss::NatureDocument::CourrierMedecinTraitant,
        };
        let docteur = format!("Dr {} {}", d.medecin_prenom, d.medecin_nom);
        let message_id = mss::nouveau_message_id(&reglages.adresse);
        let envoi = mss::Envoi {
            message_id: message_id.clone(),
            de: reglages.adresse.clone(),
            a: destinataire.to_owned(),
            sujet: format!("{titre} — {}", d.mmg_nom),
            corps: format!(
                "Bonjour,\r\n\r\nVeuillez trouver ci-joint : {titre}, établi le {} à la maison médicale de garde {} par {docteur}.\r\n\r\nLe document est joint au format IHE XDM (IHE_XDM.ZIP), lisible par votre logiciel de messagerie sécurisée de santé ; l'identité du patient figure dans le document.\r\n\r\nBien confraternellement,\r\n{docteur}\r\n{}\r\n",
                d.date.format("%d/%m/%Y"),
                d.mmg_nom,
                d.mmg_nom
            ),
            date: self.clock.now().into(),
            oid_racine: reglages.oid_racine.clone(),
            lot_id: mss::nouvel_oid(),
            patient: mss::Patient {
                id_local: patient_id.to_string(),
                nom: d.patient_nom.to_uppercase(),
                prenoms: d.patient_prenom.clone(),
                sexe: match d.patient_sexe.as_str() {
                    "F" => mss::Sexe::Feminin,
                    "M" => mss::Sexe::Masculin,
                    _ => mss::Sexe::Inconnu,
                },
                date_naissance: d.patient_naissance,
                // The patient record has no qualified INS yet (issue 25, later step).
                ins: None,
            },
            auteur: mss::Auteur {
                rpps: d.medecin_rpps.clone(),
                nom: d.medecin_nom.clone(),
                prenom: d.medecin_prenom.clone(),
                specialite: d.medecin_titre.clone(),
                structure: d.mmg_nom.clone(),
            },
            documents: vec![mss::DocumentPdf {
                id_unique: mss::nouvel_oid(),
                titre: titre.to_owned(),
                nature,
                cree_le: imprime,
                pdf: d.pdf,
            }],
        };
        let octets = mss::construire(&envoi).map_err(|e| {
            tracing::error!(error = %e, "the secure message could not be built");
            ApiError::new(ErrorCode::Internal, e.to_string())
        })?;
        Ok(MessageConstruit {
            pret: MessagePret {
                destinataire: destinataire.to_owned(),
                message_id,
                octets,
            },
            empreinte,
        })
    }

    /// The outbox, newest first (any logged-in user).
    pub fn messagerie_file(&self, q: MessagerieFileQuery) -> Result<Vec<EnvoiDto>, ApiError> {
        self.acteur(Besoin::Connecte)?;
        self.messagerie_file_cle(q)
    }

    /// The outbox for whoever holds the database key (the CLI's `messagerie file`).
    pub fn messagerie_file_cle(&self, q: MessagerieFileQuery) -> Result<Vec<EnvoiDto>, ApiError> {
        Ok(self
            .store()
            .messagerie_file(q.document_id)?
            .into_iter()
            .map(EnvoiDto::from)
            .collect())
    }

    /// "Send now": every waiting message, whatever its next try's time (any logged-in user).
    pub fn messagerie_envoyer_file(&self) -> Result<EnvoiRapport, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        self.messagerie_passe(true, Some(acteur.id))
    }

    /// The background sender's pass: the waiting messages whose next try is due. Called by the
    /// shell's task, not through `invoke`; it acts for no user.
    pub fn messagerie_envoyer_dus(&self) -> Result<EnvoiRapport, ApiError> {
        self.messagerie_passe(false, None)
    }

    /// "Send now" for whoever holds the database key (the CLI's `messagerie envoyer-file`).
    pub fn messagerie_envoyer_file_cle(&self) -> Result<EnvoiRapport, ApiError> {
        self.messagerie_passe(true, None)
    }

    fn messagerie_passe(&self, tout: bool, acteur: Option<i64>) -> Result<EnvoiRapport, ApiError> {
        let maintenant = self.clock.now();
        let now = texte_utc(maintenant);
        let mut store = self.store();
        let reprises = store.write(|tx| {
            store_mss::reprendre_interrompus(tx, &texte_utc(maintenant - RECLAMATION))
        })?;
        if reprises > 0 {
            tracing::warn!(reprises, "interrupted sends put back in the queue");
        }
        let ids = store.messagerie_a_envoyer((!tout).then_some(now.as_str()))?;
        let reglages = store.messagerie_reglages()?;
        drop(store);
        let mut rapport = EnvoiRapport {
            envoyes: 0,
            en_attente: 0,
            echecs: 0,
            messages: Vec::new(),
        };
        if ids.is_empty() {
            return Ok(rapport);
        }
        let boite = match reglages.as_ref().map(boite) {
            Some(Ok(b)) => Ok(b),
            Some(Err(e)) => Err(format!("Réglages de messagerie : {e}")),
            None => Err("La messagerie sécurisée n'est pas configurée.".to_owned()),
        };
        for id in ids {
            let ligne = self.messagerie_un(id, &boite, acteur)?;
            if let Some(l) = ligne {
                match l.statut.as_str() {
                    "envoye" => rapport.envoyes += 1,
                    "echec" => rapport.echecs += 1,
                    _ => rapport.en_attente += 1,
                }
                rapport.messages.push(l);
            }
        }
        tracing::info!(
            envoyes = rapport.envoyes,
            en_attente = rapport.en_attente,
            echecs = rapport.echecs,
            "secure messaging pass"
        );
        Ok(rapport)
    }

    /// One message through the state machine; None when another sender has it.
    fn messagerie_un(
        &self,
        id: i64,
        boite: &Result<Boite, String>,
        acteur: Option<i64>,
    ) -> Result<Option<EnvoiDto>, ApiError> {
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        if !store.write(|tx| store_mss::reserver(tx, id, &now))? {
            return Ok(None);
        }
        let ligne = store
            .messagerie_envoi(id)?
            .ok_or_else(|| ApiError::internal("claimed message not found"))?;
        let message = store
            .messagerie_message(id)?
            .ok_or_else(|| ApiError::internal("claimed message has no bytes"))?;
        drop(store);
        // The store's lock is not held while the network works.
        let resultat = match boite {
            Ok(b) => b.envoyer(&ligne.destinataire, &message),
            Err(raison) => Err(mss::EchecEnvoi {
                temporaire: true,
                raison: raison.clone(),
            }),
        };
        let fin = self.clock.now();
        let fin_texte = texte_utc(fin);
        let mut store = self.store();
        store.write(|tx| match &resultat {
            Ok(()) => store_mss::noter_envoye(tx, id, acteur, &fin_texte),
            Err(e) if e.temporaire && ligne.tentatives < ESSAIS_MAX => {
                let prochain = texte_utc(fin + attente(ligne.tentatives));
                store_mss::noter_echec(tx, id, &e.raison, Some(&prochain), acteur, &fin_texte)
            }
            Err(e) => {
                let raison = if e.temporaire {
                    format!("Abandon après {} essais : {}", ligne.tentatives, e.raison)
                } else {
                    e.raison.clone()
                };
                store_mss::noter_echec(tx, id, &raison, None, acteur, &fin_texte)
            }
        })?;
        let ligne = store
            .messagerie_envoi(id)?
            .ok_or_else(|| ApiError::internal("sent message not found"))?;
        Ok(Some(ligne.into()))
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        MessagerieReglagesSaisie::decl(cfg),
        MessagerieReglagesDto::decl(cfg),
        MessageEnvoi::decl(cfg),
        MessagerieFileQuery::decl(cfg),
        EnvoiDto::decl(cfg),
        EnvoiRapport::decl(cfg),
        CourrierEnvoi::decl(cfg),
        CourrierEnvoye::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_mssante_addresses_are_accepted() {
        assert_eq!(
            adresse_mssante(" Urgences@CHU-Nantes.MSSante.fr ", "a").unwrap_or_default(),
            "urgences@chu-nantes.mssante.fr",
            "trimmed and lower-cased"
        );
        for refusee in [
            "medecin@gmail.com",
            "@x.mssante.fr",
            "a@.mssante.fr",
            "a@b@c.mssante.fr",
            "a b@c.mssante.fr",
            "mssante.fr",
        ] {
            let e = adresse_mssante(refusee, "destinataire").err();
            assert!(
                e.as_ref()
                    .is_some_and(|e| e.message.contains(".mssante.fr")),
                "{refusee} must be refused with the domain named: {e:?}"
            );
        }
    }

    #[test]
    fn backoff_doubles_up_to_an_hour_with_jitter() {
        for (tentatives, base) in [(1, 30), (2, 60), (3, 120), (8, 3600), (40, 3600)] {
            let s = attente(tentatives).num_milliseconds() as f64 / 1000.0;
            assert!(
                (base as f64 * 0.8..=base as f64 * 1.2).contains(&s),
                "try {tentatives}: {s} s not within 20 % of {base} s"
            );
        }
    }

    #[test]
    fn utc_text_sorts_like_time() {
        let a = Utc.with_ymd_and_hms(2026, 12, 7, 9, 5, 0).single();
        let b = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).single();
        let (Some(a), Some(b)) = (a, b) else {
            panic!("valid dates");
        };
        assert!(
            texte_utc(a) < texte_utc(b),
            "the queue compares times as text"
        );
    }
}
