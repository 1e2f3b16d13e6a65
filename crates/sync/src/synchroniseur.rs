//! One sync pass and the enrollment, over [`HubClient`], with the store side in the API.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use appligarde_api::dto::MmgSettings;
use appligarde_api::synchro::{
    Hub, HubInscription, Poste, RestaurationHubDemande, RestaurationHubFaite, SyncRapport,
    SyncStatut,
};
use appligarde_api::{ApiConfig, ApiError};
use appligarde_protocol::{AggregateBatch, AggregateReceipt, DailyAggregate, MmgIdentityAnswer};
use appligarde_store::synchro::Inscription;

use crate::{Backoff, CoffreJeton, HubClient, SyncError};

/// Environment variable naming a PEM file of extra trusted root certificates (a private CA).
pub const VAR_CA: &str = "APPLIGARDE_HUB_CA";

/// How a [`Synchroniseur`] behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Extra trusted root certificates (PEM), on top of the usual web roots.
    pub racines_pem: Vec<Vec<u8>>,
    /// Attempts of one request while its fault is transient.
    pub essais_max: u32,
    /// Backoff between those attempts.
    pub attente_base: Duration,
    pub attente_max: Duration,
    /// Aggregates per batch (the hub accepts 1000 at most).
    pub taille_lot: usize,
    /// Seed of the jitter (tests); random when `None`.
    pub graine: Option<u64>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            racines_pem: Vec::new(),
            essais_max: 6,
            attente_base: Duration::from_millis(500),
            attente_max: Duration::from_secs(30),
            taille_lot: 500,
            graine: None,
        }
    }
}

impl Options {
    /// The defaults, plus the root certificates of the PEM file named by `APPLIGARDE_HUB_CA`.
    pub fn depuis_environnement() -> Result<Self, SyncError> {
        let mut options = Self::default();
        if let Some(path) = std::env::var_os(VAR_CA).filter(|v| !v.is_empty()) {
            let path = PathBuf::from(path);
            let pem = std::fs::read(&path).map_err(|e| {
                SyncError::Configuration(format!(
                    "Le certificat racine du hub ({VAR_CA}={}) est illisible : {e}.",
                    path.display()
                ))
            })?;
            options.racines_pem.push(pem);
        }
        Ok(options)
    }
}

/// The sync client of one data directory.
pub struct Synchroniseur {
    pub(crate) coffre: CoffreJeton,
    options: Options,
    /// One pass at a time (the background task and "Synchroniser maintenant").
    verrou: tokio::sync::Mutex<()>,
    /// Wakes the background task up (after an enrollment).
    pub(crate) reveil: tokio::sync::Notify,
    /// The enrollment made by a restore from the hub that failed afterwards (a mistyped
    /// recovery code...), keyed by hub address and code: retrying with the same code reuses it
    /// instead of spending a new code (`hors_site::Synchroniseur::restaurer_depuis_hub`).
    pub(crate) restauration_inscrite:
        std::sync::Mutex<Option<(String, String, appligarde_protocol::EnrollAnswer)>>,
}

impl std::fmt::Debug for Synchroniseur {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Synchroniseur")
            .field("jeton", &self.coffre.decrire())
            .finish_non_exhaustive()
    }
}

impl Synchroniseur {
    pub fn new(config: &ApiConfig, options: Options) -> Self {
        Self::with_coffre(CoffreJeton::pour(config), options)
    }

    pub fn with_coffre(coffre: CoffreJeton, options: Options) -> Self {
        Self {
            coffre,
            options,
            verrou: tokio::sync::Mutex::new(()),
            reveil: tokio::sync::Notify::new(),
            restauration_inscrite: std::sync::Mutex::new(None),
        }
    }

    /// Asks the background task to try now.
    pub fn reveiller(&self) {
        self.reveil.notify_one();
    }

    pub(crate) fn client(&self, url: &str) -> Result<HubClient, SyncError> {
        HubClient::new(url, &self.options.racines_pem)
    }

    fn backoff(&self) -> Backoff {
        match self.options.graine {
            Some(seed) => {
                Backoff::with_seed(self.options.attente_base, self.options.attente_max, seed)
            }
            None => Backoff::new(self.options.attente_base, self.options.attente_max),
        }
    }

    /// Runs `request` until it succeeds, fails for good, or `essais_max` transient faults.
    pub(crate) async fn avec_essais<T, F, Fut>(&self, mut request: F) -> Result<T, SyncError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SyncError>>,
    {
        let mut backoff = self.backoff();
        let mut essai = 1;
        loop {
            match request().await {
                Ok(value) => return Ok(value),
                Err(e) if e.transitoire() && essai < self.options.essais_max => {
                    let attente = backoff.suivant();
                    tracing::info!(essai, attente_ms = attente.as_millis() as u64, error = %e, "hub request retried");
                    tokio::time::sleep(attente).await;
                    essai += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The identity the URML recorded for the MMG of the one-time `code` at the hub `url`, for
    /// the first-start assistant; the code stays valid for [`Self::inscrire_async`]. Not retried:
    /// the admin is waiting in front of the screen.
    pub async fn identite_mmg_async(
        &self,
        url: &str,
        code: &str,
    ) -> Result<MmgIdentityAnswer, SyncError> {
        let client = self.client(url)?;
        if code.trim().is_empty() {
            return Err(code_manquant());
        }
        client.identite(code).await.map_err(erreur_de_code)
    }

    /// Exchanges the one-time `code` for a device token at the hub `url`: the token goes to the
    /// keyring (or the token file), the enrollment to the store. Not retried: a code is used
    /// once, and a lost answer means asking the URML for a new one.
    pub async fn inscrire_async(
        &self,
        api: &dyn Poste,
        url: &str,
        code: &str,
    ) -> Result<SyncStatut, SyncError> {
        let client = self.client(url)?;
        if code.trim().is_empty() {
            return Err(code_manquant());
        }
        let _guard = self.verrou.lock().await;
        // The device this store was before (lost token, reinstall, restored backup, new code):
        // the hub retires it and deletes what it sent, and recording the new enrollment below
        // forgets every acknowledgement, so every day goes again under the new device and the
        // hub's totals are exactly this store's.
        let precedent = api.synchro_inscription()?.map(|i| i.device_id);
        let answer = client
            .inscrire(code, precedent.as_deref())
            .await
            .map_err(erreur_de_code)?;
        self.coffre.ecrire(&answer.device_token)?;
        api.synchro_enregistrer_inscription(Inscription {
            hub_url: client.base().to_string(),
            mmg_id: answer.mmg_id.clone(),
            mmg_nom: answer.mmg_name.clone(),
            departement: answer.departement.clone(),
            device_id: answer.device_id.clone(),
            inscrit_le: String::new(),
        })?;
        drop(_guard);
        self.reveiller();
        let mut statut = api.sync_statut()?;
        statut.disponible = true;
        Ok(statut)
    }

    /// One push of the waiting days and one pull of the publications, recorded in the store
    /// (last attempt, last success or last French error). Never fails: the report says what
    /// moved and, when something went wrong, why.
    pub async fn synchroniser_async(&self, api: &dyn Poste) -> SyncRapport {
        let _guard = self.verrou.lock().await;
        let mut rapport = SyncRapport::default();
        let inscription = match api.synchro_inscription() {
            Ok(Some(inscription)) => Some(inscription),
            Ok(None) => {
                rapport.erreur = Some(
                    "Ce poste n'est pas inscrit auprès du hub : saisissez l'adresse et le code \
                     donnés par l'URML dans Paramètres › Synchronisation."
                        .to_owned(),
                );
                None
            }
            Err(e) => {
                rapport.erreur = Some(e.message);
                None
            }
        };
        if let Some(inscription) = inscription {
            if let Err(e) = api.synchro_noter_tentative() {
                tracing::warn!(error = %e, "sync attempt not recorded");
            }
            let outcome = self.passe(api, &inscription, &mut rapport).await;
            rapport.reussi = outcome.is_ok();
            rapport.erreur = outcome.err().map(|e| e.to_string());
            if let Err(e) = api.synchro_noter_resultat(rapport.erreur.as_deref()) {
                tracing::warn!(error = %e, "sync outcome not recorded");
            }
            match &rapport.erreur {
                None => tracing::info!(
                    agregats = rapport.agregats_envoyes,
                    references = rapport.references_appliquees.len(),
                    "sync done"
                ),
                Some(e) => tracing::warn!(error = %e, "sync failed"),
            }
        }
        match api.sync_statut() {
            Ok(mut statut) => {
                statut.disponible = true;
                rapport.statut = statut;
            }
            Err(e) => tracing::warn!(error = %e, "sync status unreadable"),
        }
        rapport
    }

    async fn passe(
        &self,
        api: &dyn Poste,
        inscription: &Inscription,
        rapport: &mut SyncRapport,
    ) -> Result<(), SyncError> {
        let token = self.coffre.lire()?.ok_or_else(|| {
            SyncError::NonInscrit(format!(
                "Le jeton de ce poste est introuvable ({}) : inscrivez de nouveau le poste avec \
                 un nouveau code de l'URML.",
                self.coffre.decrire()
            ))
        })?;
        let client = self.client(&inscription.hub_url)?;

        // Push: the waiting days, oldest first, batch after batch; each acknowledged batch is
        // recorded at once so that a failure later only resends what was not acknowledged.
        let a_envoyer = api.synchro_a_envoyer()?;
        let mut jours = BTreeSet::new();
        for lot in a_envoyer.chunks(self.options.taille_lot.clamp(1, 1000)) {
            let batch = AggregateBatch {
                aggregates: lot.to_vec(),
            };
            let receipt = self.avec_essais(|| client.envoyer(&token, &batch)).await?;
            let acquittes = verifier_recu(lot, &receipt)?;
            api.synchro_marquer_envoyes(&acquittes)?;
            rapport.lots += 1;
            for (a, outcome) in lot.iter().zip(&receipt.outcomes) {
                rapport.agregats_envoyes += 1;
                if outcome.status == appligarde_protocol::AggregateStatus::Ignored {
                    rapport.agregats_deja_recus += 1;
                }
                jours.insert(a.date);
            }
        }
        rapport.jours_envoyes = u32::try_from(jours.len()).unwrap_or(u32::MAX);

        // The versions of the conventions accepted here (a few rows, sent whole each time).
        let acceptances = appligarde_protocol::ConventionAcceptances {
            accepted: api.conventions_acceptees()?,
        };
        if !acceptances.accepted.is_empty() {
            self.avec_essais(|| client.envoyer_conventions(&token, &acceptances))
                .await?;
        }

        // Pull: the publications after the version applied here, one per answer.
        let mut since = api.synchro_reference_version()?;
        loop {
            let changes = self
                .avec_essais(|| client.references(&token, since))
                .await?;
            let mut publications = changes.publications;
            publications.sort_by_key(|p| p.version);
            let before = since;
            for publication in &publications {
                if publication.version <= since {
                    continue;
                }
                let applied = api.reference_appliquer(publication)?;
                rapport.references_appliquees.push(applied);
                since = publication.version;
            }
            if since >= changes.latest || since == before {
                break;
            }
        }

        // This PC's health report (ARCHITECTURE.md, "Fleet health"): after the push, so that it
        // counts what this pass sent; before the long off-site copies. An older hub without the
        // route answers 404: skipped.
        let sante = api.rapport_sante()?;
        if !self
            .avec_essais(|| client.envoyer_sante(&token, &sante))
            .await?
        {
            tracing::info!("the hub does not take health reports (older hub)");
        }

        // The backup files not copied to the hub yet (ARCHITECTURE.md, "Off-site backups").
        self.envoyer_copies(api, &client, &token).await?;
        Ok(())
    }
}

/// The (day, slot, revision) the hub acknowledged for `lot`, once the receipt is checked to
/// answer exactly this batch.
fn verifier_recu(
    lot: &[DailyAggregate],
    receipt: &AggregateReceipt,
) -> Result<Vec<(chrono::NaiveDate, appligarde_protocol::PdsaSlot, u64)>, SyncError> {
    let matches = receipt.outcomes.len() == lot.len()
        && lot
            .iter()
            .zip(&receipt.outcomes)
            .all(|(a, o)| a.date == o.date && a.slot == o.slot && a.revision == o.revision);
    if !matches {
        return Err(SyncError::Hub {
            status: 200,
            transitoire: true,
            message: "Le hub a répondu pour d'autres journées que celles envoyées ; nouvel essai \
                      automatique."
                .to_owned(),
        });
    }
    Ok(lot.iter().map(|a| (a.date, a.slot, a.revision)).collect())
}

/// Runs `future` to completion on a runtime of its own, in a thread of its own, so that the
/// synchronous API (Tauri commands, the CLI) can call the async client from anywhere, inside
/// a tokio runtime or not.
fn bloquer<F>(future: F) -> Result<F::Output, String>
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map(|runtime| runtime.block_on(future))
                    .map_err(|e| format!("le moteur de synchronisation n'a pas démarré : {e}"))
            })
            .join()
            .unwrap_or_else(|_| {
                Err("la synchronisation s'est arrêtée sur une erreur interne".to_owned())
            })
    })
}

/// The enrollment code left empty.
fn code_manquant() -> SyncError {
    SyncError::Saisie {
        champ: "code",
        message: "Indiquez le code d'inscription à usage unique donné par l'URML.".to_owned(),
    }
}

/// A refused code or an unreachable hub, said next to the field the admin must correct.
fn erreur_de_code(e: SyncError) -> SyncError {
    match e {
        SyncError::Hub {
            status: 401 | 400 | 404,
            message,
            ..
        } => SyncError::Saisie {
            champ: "code",
            message: format!(
                "{message} Le code est peut-être déjà utilisé ou expiré : demandez-en un \
                 nouveau à l'URML."
            ),
        },
        SyncError::Reseau(message) => SyncError::Saisie {
            champ: "url",
            message: format!("{message} Vérifiez aussi l'adresse du hub."),
        },
        other => other,
    }
}

impl Hub for Synchroniseur {
    fn inscrire(&self, api: &dyn Poste, demande: HubInscription) -> Result<SyncStatut, ApiError> {
        bloquer(self.inscrire_async(api, &demande.url, &demande.code))
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)
    }

    fn identite_mmg(&self, demande: HubInscription) -> Result<MmgSettings, ApiError> {
        let identite = bloquer(self.identite_mmg_async(&demande.url, &demande.code))
            .map_err(ApiError::internal)?
            .map_err(ApiError::from)?;
        Ok(MmgSettings {
            nom: identite.mmg_name,
            adresse: identite.adresse,
            code_postal: identite.code_postal,
            commune: identite.commune,
            telephone: identite.telephone,
            email: identite.email,
            departement: identite.departement,
            finess: identite.finess,
        })
    }

    fn restaurer_depuis_hub(
        &self,
        config: &ApiConfig,
        demande: &RestaurationHubDemande,
    ) -> Result<(RestaurationHubFaite, Inscription), ApiError> {
        let date = match demande.date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => Some(chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                ApiError::new(
                    appligarde_api::ErrorCode::Validation,
                    "La date de la copie doit être une date réelle, ou rester vide pour la plus \
                     récente.",
                )
            })?),
        };
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S").to_string();
        let fait = bloquer(Synchroniseur::restaurer_depuis_hub(
            self,
            config,
            &demande.url,
            &demande.code,
            &demande.code_recuperation,
            date,
            &stamp,
        ))
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)?;
        Ok((
            RestaurationHubFaite {
                mmg_nom: fait.inscription.mmg_nom.clone(),
                copie_prise_le: fait.copie.taken_at.clone(),
                octets: fait.copie.size,
                postes_retires: fait.postes_retires,
                copie_de_securite: fait.restauration.copie_de_securite.clone(),
            },
            fait.inscription,
        ))
    }

    fn synchroniser(&self, api: &dyn Poste) -> SyncRapport {
        bloquer(self.synchroniser_async(api)).unwrap_or_else(|e| SyncRapport {
            erreur: Some(format!("La synchronisation n'a pas pu se faire : {e}.")),
            ..SyncRapport::default()
        })
    }
}
