//! SMTP submission over TLS: STARTTLS required (a server that does not offer it gets nothing,
//! never a message in clear), the server's certificate verified against the system's roots plus
//! the mailbox's own authority (`ca_pem`), the client certificate presented when the mailbox has
//! one. A failure says in French what happened and whether a later try may succeed.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::IdentiteClient;

/// How to reach the mailbox's operator.
#[derive(Debug, Clone)]
pub struct Boite {
    /// The mailbox's address (the envelope's sender).
    pub adresse: String,
    pub serveur: String,
    /// 587 (submission) unless the operator says otherwise.
    pub port: u16,
    pub identite: Option<IdentiteClient>,
    /// Extra certificate authorities to trust (PEM), beside the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// The longest wait for one exchange with the server.
    pub delai: Duration,
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raison}")]
pub struct EchecEnvoi {
    /// True when a later try may succeed unchanged (network, server busy, 4xx, TLS set-up to
    /// fix): the message stays queued. False when the server refused it for good (5xx).
    pub temporaire: bool,
    /// French, for the outbox's status; never the message's content.
    pub raison: String,
}

impl EchecEnvoi {
    fn temporaire(raison: String) -> Self {
        Self {
            temporaire: true,
            raison,
        }
    }
}

/// The text of an error and of its sources (lettre nests the TLS cause).
fn chaine(e: &dyn std::error::Error) -> String {
    let mut texte = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        texte.push_str(" : ");
        texte.push_str(&s.to_string());
        source = s.source();
    }
    texte
}

impl Boite {
    fn transport(&self) -> Result<AsyncSmtpTransport<Tokio1Executor>, EchecEnvoi> {
        let config = |m: String| EchecEnvoi::temporaire(format!("Réglages de messagerie : {m}"));
        let mut tls = TlsParameters::builder(self.serveur.clone())
            .certificate_store(CertificateStore::Default);
        if let Some(ca) = &self.ca_pem {
            let ca = Certificate::from_pem(ca).map_err(|e| {
                config(format!(
                    "l'autorité de certification ajoutée est illisible ({e})"
                ))
            })?;
            tls = tls.add_root_certificate(ca);
        }
        if let Some(identite) = &self.identite {
            tls = tls.identify_with(identite.tls().map_err(|e| config(e.to_string()))?);
        }
        let tls = tls
            .build_rustls()
            .map_err(|e| config(format!("paramètres TLS ({})", chaine(&e))))?;
        Ok(
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(self.serveur.clone())
                .port(self.port)
                .tls(Tls::Required(tls))
                .timeout(Some(self.delai))
                .build(),
        )
    }

    /// Submits `message` (the bytes of [`crate::construire`]) to `a`, from the mailbox.
    pub async fn envoyer_async(&self, a: &str, message: &[u8]) -> Result<(), EchecEnvoi> {
        let adresse = |texte: &str| {
            texte.trim().parse::<Address>().map_err(|e| EchecEnvoi {
                temporaire: false,
                raison: format!("Adresse « {texte} » invalide : {e}"),
            })
        };
        let enveloppe =
            Envelope::new(Some(adresse(&self.adresse)?), vec![adresse(a)?]).map_err(|e| {
                EchecEnvoi {
                    temporaire: false,
                    raison: format!("Enveloppe invalide : {e}"),
                }
            })?;
        let transport = self.transport()?;
        transport
            .send_raw(&enveloppe, message)
            .await
            .map(drop)
            .map_err(|e| self.traduire(&e))
    }

    /// [`Boite::envoyer_async`] from synchronous code, on a thread of its own (so it may be called
    /// from inside or outside an async runtime).
    pub fn envoyer(&self, a: &str, message: &[u8]) -> Result<(), EchecEnvoi> {
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| {
                        EchecEnvoi::temporaire(format!("Envoi impossible sur ce poste : {e}"))
                    })?;
                rt.block_on(self.envoyer_async(a, message))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(EchecEnvoi::temporaire(
                    "L'envoi s'est interrompu sur une erreur interne.".into(),
                ))
            })
        })
    }

    fn traduire(&self, e: &lettre::transport::smtp::Error) -> EchecEnvoi {
        let detail = chaine(e);
        let serveur = format!("{}:{}", self.serveur, self.port);
        tracing::warn!(serveur = %serveur, erreur = %detail, "SMTP submission failed");
        let bas = detail.to_lowercase();
        if e.is_permanent() {
            let code = e.status().map(|c| c.to_string()).unwrap_or_default();
            return EchecEnvoi {
                temporaire: false,
                raison: format!("Le serveur {serveur} a refusé le message ({code}) : {detail}"),
            };
        }
        let raison = if e.is_transient() {
            let code = e.status().map(|c| c.to_string()).unwrap_or_default();
            format!(
                "Le serveur {serveur} a différé le message ({code}) : {detail}. Nouvel essai plus tard."
            )
        } else if bas.contains("starttls") {
            format!(
                "Le serveur {serveur} ne propose pas de connexion chiffrée (STARTTLS) : rien n'a été envoyé en clair. Vérifiez l'adresse du serveur."
            )
        } else if bas.contains("certificate") || bas.contains("certificat") {
            format!(
                "Le certificat du serveur {serveur} n'a pas pu être vérifié ({detail}) : rien n'a été envoyé. Vérifiez le serveur ou l'autorité de certification des réglages."
            )
        } else if e.is_tls() {
            format!(
                "Connexion chiffrée impossible avec {serveur} ({detail}) : rien n'a été envoyé."
            )
        } else if e.is_timeout() {
            format!("Le serveur {serveur} ne répond pas : le message reste en attente.")
        } else {
            format!(
                "Serveur de messagerie {serveur} injoignable ({detail}) : le message reste en attente."
            )
        };
        EchecEnvoi::temporaire(raison)
    }
}
