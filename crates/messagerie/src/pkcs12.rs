//! The mailbox's client certificate, read from a PKCS#12 file (`.p12`, what MSSanté operators
//! deliver for an application or organisational mailbox).

use base64::Engine;

use crate::Erreur;

/// The leaf certificate (DER) and its private key (PKCS#8, PEM), as TLS presents them. Only the
/// leaf is sent: the operator's server knows its own authority.
#[derive(Clone)]
pub struct IdentiteClient {
    certificat_der: Vec<u8>,
    cle_pem: String,
    sujet: String,
}

// The key never reaches logs.
impl std::fmt::Debug for IdentiteClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentiteClient")
            .field("sujet", &self.sujet)
            .finish_non_exhaustive()
    }
}

impl IdentiteClient {
    /// Reads the first key and its certificate from a PKCS#12 file protected by `mot_de_passe`.
    pub fn depuis_pkcs12(octets: &[u8], mot_de_passe: &str) -> Result<Self, Erreur> {
        let magasin = p12_keystore::KeyStore::from_pkcs12(octets, mot_de_passe).map_err(|e| {
            Erreur::Certificat(match e {
                p12_keystore::error::Error::MacError(_) => {
                    "mot de passe incorrect ou fichier PKCS#12 altéré".to_owned()
                }
                autre => format!("fichier PKCS#12 illisible ({autre})"),
            })
        })?;
        let (_, chaine) = magasin.private_key_chain().ok_or_else(|| {
            Erreur::Certificat("le fichier PKCS#12 ne contient pas de clé privée".into())
        })?;
        let feuille = chaine.chain().first().ok_or_else(|| {
            Erreur::Certificat("le fichier PKCS#12 ne contient pas de certificat".into())
        })?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(chaine.key());
        let mut cle_pem = String::from("-----BEGIN PRIVATE KEY-----\n");
        for ligne in b64.as_bytes().chunks(64) {
            cle_pem.push_str(&String::from_utf8_lossy(ligne));
            cle_pem.push('\n');
        }
        cle_pem.push_str("-----END PRIVATE KEY-----\n");
        Ok(Self {
            certificat_der: feuille.as_der().to_vec(),
            cle_pem,
            sujet: feuille.subject().to_owned(),
        })
    }

    /// The certificate's subject (for the settings screen; not secret).
    pub fn sujet(&self) -> &str {
        &self.sujet
    }

    pub(crate) fn tls(&self) -> Result<lettre::transport::smtp::client::Identity, Erreur> {
        // lettre's rustls backend takes the certificate in DER (despite the name) and the key in PEM.
        lettre::transport::smtp::client::Identity::from_pem(
            &self.certificat_der,
            self.cle_pem.as_bytes(),
        )
        .map_err(|e| Erreur::Certificat(format!("clé privée inutilisable ({e})")))
    }
}
