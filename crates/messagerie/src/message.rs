//! The MIME message: a plain-text French body and the XDM package as `IHE_XDM.ZIP`, with the ANS
//! headers `X-MSS-CODECDA` (the code of each CDA document in the package) and `X-MSS-INS` (`O`
//! when the documents carry the patient's INS, `N` otherwise).

use std::collections::BTreeSet;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use crate::{Envoi, Erreur, xdm};

/// A new Message-ID (without angle brackets) in the sender's domain: made once when the message
/// is queued and kept, so that a retry is the same message for every server and mail client.
pub fn nouveau_message_id(adresse_expediteur: &str) -> String {
    let domaine = adresse_expediteur
        .rsplit_once('@')
        .map(|(_, d)| d)
        .filter(|d| !d.is_empty())
        .unwrap_or("appligarde.invalid");
    format!("{:032x}.appligarde@{domaine}", rand::random::<u128>())
}

fn boite(adresse: &str, champ: &str) -> Result<Mailbox, Erreur> {
    adresse
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| Erreur::Construction(format!("adresse {champ} « {adresse} » invalide : {e}")))
}

fn entete(nom: &'static str, valeur: String) -> Result<HeaderValue, Erreur> {
    let nom = HeaderName::new_from_ascii_str(nom);
    Ok(HeaderValue::new(nom, valeur))
}

/// The message as it goes on the wire (RFC 5322 bytes, CRLF line ends).
pub fn construire(envoi: &Envoi) -> Result<Vec<u8>, Erreur> {
    if envoi.documents.is_empty() {
        return Err(Erreur::Construction("aucun document à envoyer".into()));
    }
    let paquet = xdm::paquet(envoi)?;
    let codes: BTreeSet<&str> = envoi.documents.iter().map(|d| d.nature.loinc().0).collect();
    let codes: Vec<&str> = codes.into_iter().collect();
    let ins = if envoi.patient.ins.is_some() {
        "O"
    } else {
        "N"
    };
    let message = lettre::Message::builder()
        .from(boite(&envoi.de, "de l'expéditeur")?)
        .to(boite(&envoi.a, "du destinataire")?)
        .subject(envoi.sujet.clone())
        .date(envoi.date.into())
        .message_id(Some(format!("<{}>", envoi.message_id)))
        .user_agent(concat!("Appligarde ", env!("CARGO_PKG_VERSION")).to_owned())
        .raw_header(entete("X-MSS-CODECDA", codes.join(","))?)
        .raw_header(entete("X-MSS-INS", ins.to_owned())?)
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(envoi.corps.clone()))
                .singlepart(
                    Attachment::new(xdm::NOM_PAQUET.to_owned()).body(
                        paquet,
                        ContentType::parse("application/zip")
                            .map_err(|e| Erreur::Construction(format!("type MIME : {e}")))?,
                    ),
                ),
        )
        .map_err(|e| Erreur::Construction(e.to_string()))?;
    Ok(message.formatted())
}
