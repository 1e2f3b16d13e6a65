//! The HTTP calls to the hub (reqwest + rustls). Certificate verification is always on: the
//! only knob is adding trusted root certificates (a private CA of the hosting provider, or a
//! test CA). Plain `http://` is accepted for loopback addresses only (tests, a hub on the same
//! machine); any other address must be `https://`.

use std::io::Write as _;
use std::time::Duration;

use appligarde_protocol::{
    AGGREGATES_PATH, AggregateBatch, AggregateReceipt, BACKUPS_PATH, BackupCreate, BackupList,
    BackupRestored, BackupUpload, CONVENTIONS_PATH, ConventionAcceptances, ENROLL_IDENTITY_PATH,
    ENROLL_PATH, EnrollAnswer, EnrollRequest, ErrorBody, HEALTH_PATH, Health, HealthReport,
    IdentityRequest, MmgIdentityAnswer, REFERENCE_BDPM_PARAM, REFERENCE_CONVENTIONS_PARAM,
    REFERENCE_PATH, ReferenceChanges, TUS_CONTENT_TYPE, TUS_VERSION,
};
use reqwest::header::{AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE};
use reqwest::{Certificate, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::SyncError;

/// How long to wait for a TCP/TLS connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one request may take end to end (a reference publication may be megabytes).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A client of one hub.
#[derive(Debug, Clone)]
pub struct HubClient {
    base: Url,
    http: reqwest::Client,
}

/// Checks the hub's address typed by the user: `https://host[:port][/prefix]`, or `http://`
/// on a loopback address.
pub fn adresse_hub(text: &str) -> Result<Url, SyncError> {
    let saisie = |message: String| SyncError::Saisie {
        champ: "url",
        message,
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(saisie(
            "Indiquez l'adresse du hub donnée par l'URML (par exemple https://hub.urml-pdl.fr)."
                .to_owned(),
        ));
    }
    let mut url = Url::parse(text).map_err(|_| {
        saisie(format!(
            "« {text} » n'est pas une adresse valide : elle doit commencer par https:// (par \
             exemple https://hub.urml-pdl.fr)."
        ))
    })?;
    let loopback = url.host_str().is_some_and(|host| {
        host.eq_ignore_ascii_case("localhost")
            || host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    });
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        _ => {
            return Err(saisie(format!(
                "L'adresse du hub doit commencer par https:// (connexion chiffrée) : « {text} » \
                 est refusée."
            )));
        }
    }
    if url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(saisie(format!(
            "« {text} » n'est pas l'adresse d'un hub : indiquez seulement https://nom-du-hub."
        )));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

impl HubClient {
    /// A client of the hub at `url` (checked by [`adresse_hub`]), trusting the system's web
    /// roots plus `racines_pem` (PEM certificates).
    pub fn new(url: &str, racines_pem: &[Vec<u8>]) -> Result<Self, SyncError> {
        let base = adresse_hub(url)?;
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .gzip(true)
            .user_agent(concat!("appligarde/", env!("CARGO_PKG_VERSION")));
        for pem in racines_pem {
            let certificate = Certificate::from_pem(pem).map_err(|e| {
                SyncError::Configuration(format!(
                    "Le certificat racine ajouté pour le hub est illisible ({e}) : donnez un \
                     fichier PEM."
                ))
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let http = builder.build().map_err(|e| {
            SyncError::Configuration(format!("Le client HTTPS n'a pas pu être préparé : {e}."))
        })?;
        Ok(Self { base, http })
    }

    /// The hub's address, normalised.
    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url, SyncError> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| SyncError::Configuration(format!("adresse du hub invalide : {e}")))
    }

    /// A `POST` of `body` as JSON to `path` with the device token.
    fn post_json<T: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        token: &str,
        body: &T,
    ) -> Result<reqwest::RequestBuilder, SyncError> {
        let body = serde_json::to_vec(body).map_err(|e| SyncError::Configuration(e.to_string()))?;
        Ok(self
            .http
            .post(self.url(path)?)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/json")
            .body(body))
    }

    /// `GET /healthz`: is the hub there (and its database)?
    pub async fn sante(&self) -> Result<Health, SyncError> {
        let request = self.http.get(self.url("/healthz")?);
        self.send(request).await
    }

    /// `POST /api/v1/enroll/identity`: the identity the URML recorded for the code's MMG; the
    /// code stays valid for the enrollment.
    pub async fn identite(&self, code: &str) -> Result<MmgIdentityAnswer, SyncError> {
        let body = serde_json::to_vec(&IdentityRequest {
            code: code.trim().to_owned(),
        })
        .map_err(|e| SyncError::Configuration(e.to_string()))?;
        let request = self
            .http
            .post(self.url(ENROLL_IDENTITY_PATH)?)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        self.send(request).await
    }

    /// `POST /api/v1/enroll`: the one-time code for a device token. `remplace` is the device
    /// this store was enrolled as before, if any: the hub retires it and forgets what it sent.
    pub async fn inscrire(
        &self,
        code: &str,
        remplace: Option<&str>,
    ) -> Result<EnrollAnswer, SyncError> {
        let body = serde_json::to_vec(&EnrollRequest {
            code: code.trim().to_owned(),
            replaces_device_id: remplace.map(str::to_owned),
        })
        .map_err(|e| SyncError::Configuration(e.to_string()))?;
        let request = self
            .http
            .post(self.url(ENROLL_PATH)?)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        self.send(request).await
    }

    /// `POST /api/v1/aggregates`: one batch, gzip-compressed.
    pub async fn envoyer(
        &self,
        token: &str,
        batch: &AggregateBatch,
    ) -> Result<AggregateReceipt, SyncError> {
        let request = self
            .http
            .post(self.url(AGGREGATES_PATH)?)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .body(gzip_json(batch)?);
        self.send(request).await
    }

    /// `GET /api/v1/reference?since=N&conventions=1&bdpm=1`: the next publication after version
    /// `since` (convention texts and drug database releases included: this desktop reads them).
    pub async fn references(&self, token: &str, since: u64) -> Result<ReferenceChanges, SyncError> {
        let mut url = self.url(REFERENCE_PATH)?;
        url.query_pairs_mut()
            .append_pair("since", &since.to_string())
            .append_pair(REFERENCE_CONVENTIONS_PARAM, "1")
            .append_pair(REFERENCE_BDPM_PARAM, "1");
        let request = self
            .http
            .get(url)
            .header(AUTHORIZATION, format!("Bearer {token}"));
        self.send(request).await
    }

    /// `POST /api/v1/conventions`: the versions accepted here (numbers and dates only).
    pub async fn envoyer_conventions(
        &self,
        token: &str,
        acceptances: &ConventionAcceptances,
    ) -> Result<(), SyncError> {
        let request = self.post_json(CONVENTIONS_PATH, token, acceptances)?;
        let response = request.send().await.map_err(|e| reseau(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| reseau(&e))?;
        if status.is_success() {
            return Ok(());
        }
        Err(erreur_hub(status, &bytes))
    }

    /// `POST /api/v1/sante`: this PC's health report. `Ok(false)` when the hub answers 404: an
    /// older hub that does not know the route (the sync goes on without it).
    pub async fn envoyer_sante(
        &self,
        token: &str,
        report: &HealthReport,
    ) -> Result<bool, SyncError> {
        let request = self.post_json(HEALTH_PATH, token, report)?;
        let response = request.send().await.map_err(|e| reseau(&e))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| reseau(&e))?;
        if status.is_success() {
            return Ok(true);
        }
        if status == StatusCode::NOT_FOUND {
            return Ok(false);
        }
        Err(erreur_hub(status, &bytes))
    }

    /// `POST /api/v1/backups`: the upload of an off-site copy (or the MMG's upload of the same
    /// content, with its offset).
    pub async fn creer_copie(
        &self,
        token: &str,
        demande: &BackupCreate,
    ) -> Result<BackupUpload, SyncError> {
        let request = self.post_json(BACKUPS_PATH, token, demande)?;
        self.send(request).await
    }

    /// `HEAD /api/v1/backups/{id}` (tus): the bytes the hub holds of an upload.
    pub async fn position_copie(&self, token: &str, id: &str) -> Result<u64, SyncError> {
        let response = self
            .http
            .head(self.url(&format!("{BACKUPS_PATH}/{id}"))?)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(TUS_RESUMABLE, TUS_VERSION)
            .send()
            .await
            .map_err(|e| reseau(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(erreur_hub(status, b""));
        }
        position(&response)
    }

    /// `PATCH /api/v1/backups/{id}` (tus): `octets` appended at `offset`; the hub's new offset.
    pub async fn ajouter_copie(
        &self,
        token: &str,
        id: &str,
        offset: u64,
        octets: Vec<u8>,
    ) -> Result<u64, SyncError> {
        let response = self
            .http
            .patch(self.url(&format!("{BACKUPS_PATH}/{id}"))?)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(TUS_RESUMABLE, TUS_VERSION)
            .header(CONTENT_TYPE, TUS_CONTENT_TYPE)
            .header(UPLOAD_OFFSET, offset)
            .body(octets)
            .send()
            .await
            .map_err(|e| reseau(&e))?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.bytes().await.map_err(|e| reseau(&e))?;
            return Err(erreur_hub(status, &bytes));
        }
        position(&response)
    }

    /// `GET /api/v1/backups`: the MMG's complete off-site copies, newest first.
    pub async fn copies(&self, token: &str) -> Result<BackupList, SyncError> {
        let request = self
            .http
            .get(self.url(BACKUPS_PATH)?)
            .header(AUTHORIZATION, format!("Bearer {token}"));
        self.send(request).await
    }

    /// `GET /api/v1/backups/{id}/content` into the new file `dest`; the SHA-256 of what was
    /// written (lowercase hexadecimal).
    pub async fn telecharger_copie(
        &self,
        token: &str,
        id: &str,
        dest: &std::path::Path,
    ) -> Result<String, SyncError> {
        use sha2::Digest as _;
        let mut response = self
            .http
            .get(self.url(&format!("{BACKUPS_PATH}/{id}/content"))?)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .timeout(DOWNLOAD_TIMEOUT)
            .send()
            .await
            .map_err(|e| reseau(&e))?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.bytes().await.map_err(|e| reseau(&e))?;
            return Err(erreur_hub(status, &bytes));
        }
        let ecriture = |e: std::io::Error| {
            SyncError::Configuration(format!(
                "La copie téléchargée n'a pas pu être écrite dans {} : {e}.",
                dest.display()
            ))
        };
        let mut file = std::fs::File::create(dest).map_err(ecriture)?;
        let mut hasher = sha2::Sha256::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| reseau(&e))? {
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(ecriture)?;
        }
        file.sync_all().map_err(ecriture)?;
        Ok(hex::encode(hasher.finalize()))
    }

    /// `POST /api/v1/backups/{id}/restored`: this PC restored the copy; the PC it came from is
    /// retired.
    pub async fn copie_restauree(
        &self,
        token: &str,
        id: &str,
    ) -> Result<BackupRestored, SyncError> {
        let request = self.post_json(
            &format!("{BACKUPS_PATH}/{id}/restored"),
            token,
            &serde_json::json!({}),
        )?;
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, SyncError> {
        let response = request.send().await.map_err(|e| reseau(&e))?;
        let status = response.status();
        // A body cut in the middle is a network fault like any other: the request is retried.
        let bytes = response.bytes().await.map_err(|e| reseau(&e))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|_| {
                SyncError::Reseau(
                    "La réponse du hub est arrivée incomplète ou illisible ; nouvel essai \
                     automatique."
                        .to_owned(),
                )
            });
        }
        Err(erreur_hub(status, &bytes))
    }
}

/// The tus headers.
const TUS_RESUMABLE: &str = "tus-resumable";
const UPLOAD_OFFSET: &str = "upload-offset";
/// How long the download of one off-site copy may take (hundreds of MB over a slow line).
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(3600);

/// The `Upload-Offset` of a tus answer.
fn position(response: &reqwest::Response) -> Result<u64, SyncError> {
    response
        .headers()
        .get(UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            SyncError::Reseau(
                "La réponse du hub ne donne pas la position de l'envoi ; nouvel essai automatique."
                    .to_owned(),
            )
        })
}

fn gzip_json(value: &impl serde::Serialize) -> Result<Vec<u8>, SyncError> {
    let json = serde_json::to_vec(value).map_err(|e| SyncError::Configuration(e.to_string()))?;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 4),
        flate2::Compression::default(),
    );
    encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .map_err(|e| SyncError::Configuration(e.to_string()))
}

/// The French message of a request that got no usable answer.
fn reseau(e: &reqwest::Error) -> SyncError {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string().to_lowercase());
        chain.push(' ');
        source = s.source();
    }
    if chain.contains("certificate") || chain.contains("certificat") {
        return SyncError::Hub {
            status: 0,
            transitoire: false,
            message: "Le certificat du hub n'a pas pu être vérifié : la connexion a été refusée \
                      pour protéger les données. Vérifiez l'adresse du hub ou contactez l'URML."
                .to_owned(),
        };
    }
    if e.is_timeout() {
        return SyncError::Reseau(
            "Le hub n'a pas répondu à temps ; nouvel essai automatique.".to_owned(),
        );
    }
    if e.is_connect() {
        return SyncError::Reseau(
            "Le hub est injoignable : vérifiez la connexion Internet du poste ; nouvel essai \
             automatique."
                .to_owned(),
        );
    }
    SyncError::Reseau(
        "La connexion avec le hub a été interrompue ; nouvel essai automatique.".to_owned(),
    )
}

/// The French error of a hub's error answer (its own message when it sent one).
fn erreur_hub(status: StatusCode, bytes: &[u8]) -> SyncError {
    let hub_message = serde_json::from_slice::<ErrorBody>(bytes)
        .ok()
        .map(|b| b.message);
    let transitoire = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
    let message = match status {
        StatusCode::UNAUTHORIZED => format!(
            "Le hub ne reconnaît pas ce poste ({}) : inscrivez-le de nouveau dans Paramètres › \
             Synchronisation avec un nouveau code de l'URML.",
            hub_message.as_deref().unwrap_or("jeton refusé")
        ),
        _ if transitoire => format!(
            "Le hub est momentanément indisponible (erreur {}) ; nouvel essai automatique.",
            status.as_u16()
        ),
        _ => format!(
            "Le hub a refusé la demande (erreur {}) : {}",
            status.as_u16(),
            hub_message.as_deref().unwrap_or("sans explication")
        ),
    };
    SyncError::Hub {
        status: status.as_u16(),
        transitoire,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_addresses_are_accepted() {
        let cases = [
            ("https://hub.urml-pdl.fr", Some("https://hub.urml-pdl.fr/")),
            (
                "  https://hub.example:8443/hub  ",
                Some("https://hub.example:8443/hub/"),
            ),
            ("http://127.0.0.1:4000", Some("http://127.0.0.1:4000/")),
            ("http://localhost:4000/", Some("http://localhost:4000/")),
            ("http://[::1]:4000", Some("http://[::1]:4000/")),
            ("http://hub.urml-pdl.fr", None),
            ("ftp://hub.urml-pdl.fr", None),
            ("hub.urml-pdl.fr", None),
            ("", None),
            ("https://hub.urml-pdl.fr/?x=1", None),
        ];
        for (text, expected) in cases {
            match (adresse_hub(text), expected) {
                (Ok(url), Some(want)) => assert_eq!(url.as_str(), want, "{text}"),
                (Err(SyncError::Saisie { champ, message }), None) => {
                    assert_eq!(
                        champ, "url",
                        "{text}: the error is shown next to the address"
                    );
                    assert!(!message.is_empty());
                }
                (other, _) => panic!("{text}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn server_errors_are_transient_and_client_errors_are_not() {
        let body = br#"{"code":"forbidden","message":"Interdit ici."}"#;
        let cases = [
            (StatusCode::INTERNAL_SERVER_ERROR, true),
            (StatusCode::BAD_GATEWAY, true),
            (StatusCode::SERVICE_UNAVAILABLE, true),
            (StatusCode::TOO_MANY_REQUESTS, true),
            (StatusCode::BAD_REQUEST, false),
            (StatusCode::UNAUTHORIZED, false),
            (StatusCode::FORBIDDEN, false),
        ];
        for (status, transient) in cases {
            let error = erreur_hub(status, body);
            assert_eq!(error.transitoire(), transient, "{status}");
        }
        assert!(
            erreur_hub(StatusCode::FORBIDDEN, body)
                .to_string()
                .contains("Interdit ici."),
            "the hub's French message is passed on"
        );
        assert!(
            erreur_hub(StatusCode::UNAUTHORIZED, b"")
                .to_string()
                .contains("inscrivez-le de nouveau"),
            "a refused token says what to do"
        );
    }

    #[test]
    fn batches_are_gzip_compressed_json() {
        use std::io::Read as _;
        let batch = AggregateBatch {
            aggregates: Vec::new(),
        };
        let body = gzip_json(&batch).unwrap();
        assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip magic number");
        let mut text = String::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, r#"{"aggregates":[]}"#);
    }
}
