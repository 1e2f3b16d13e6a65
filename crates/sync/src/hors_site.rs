//! Off-site copies of the backups (issue 27; ARCHITECTURE.md, "Off-site backups"): the queue of
//! backup files sent to the hub in each sync pass, resumed where a cut upload stopped (tus 1.0
//! core), and the restore of a new PC from the hub.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

use appligarde_api::ApiConfig;
use appligarde_api::sauvegarde::RestoreDto;
use appligarde_api::synchro::Poste;
use appligarde_protocol::{BackupCopy, BackupCreate, EnrollAnswer};
use appligarde_store::hors_site::CopieHorsSite;
use appligarde_store::recovery::RecoveryCode;
use appligarde_store::synchro::Inscription;
use chrono::NaiveDate;

use crate::{HubClient, SyncError, Synchroniseur};

/// Bytes per `PATCH`: what a cut costs at most to send again.
pub const TAILLE_MORCEAU: usize = 4 * 1024 * 1024;

impl Synchroniseur {
    /// Sends every queued backup file, oldest first; returns how many reached the hub whole.
    /// A file gone from its folder leaves the queue; any other fault stops here (the pass
    /// reports it; the next one resumes at the hub's offset).
    pub(crate) async fn envoyer_copies(
        &self,
        api: &dyn Poste,
        client: &HubClient,
        token: &str,
    ) -> Result<u32, SyncError> {
        let mut envoyees = 0;
        for copie in api.hors_site_a_envoyer()? {
            if !Path::new(&copie.chemin).is_file() {
                tracing::info!(
                    id = copie.id,
                    "queued backup file gone: dropped from the queue"
                );
                api.hors_site_retirer(copie.id)?;
                continue;
            }
            self.envoyer_copie(api, client, token, &copie).await?;
            api.hors_site_envoyee(copie.id)?;
            envoyees += 1;
            tracing::info!(id = copie.id, bytes = copie.octets, "off-site copy sent");
        }
        Ok(envoyees)
    }

    async fn envoyer_copie(
        &self,
        api: &dyn Poste,
        client: &HubClient,
        token: &str,
        copie: &CopieHorsSite,
    ) -> Result<(), SyncError> {
        let demande = BackupCreate {
            size: copie.octets,
            sha256: copie.sha256.clone(),
            taken_at: rfc3339(&copie.prise_le),
        };
        // A create for the same content finds the hub's upload again, with its offset.
        let upload = self
            .avec_essais(|| client.creer_copie(token, &demande))
            .await?;
        if copie.envoi_id.as_deref() != Some(upload.id.as_str()) {
            api.hors_site_noter_envoi(copie.id, &upload.id)?;
        }
        let mut offset = upload.offset;
        if upload.complete {
            return Ok(());
        }
        let id = upload.id.as_str();
        let mut fichier = std::fs::File::open(&copie.chemin).map_err(|e| lecture(copie, &e))?;
        while offset < copie.octets {
            let morceau =
                lire_morceau(&mut fichier, offset, copie).map_err(|e| lecture(copie, &e))?;
            let resultat = self
                .avec_essais(|| {
                    let morceau = morceau.clone();
                    async move {
                        match client.ajouter_copie(token, id, offset, morceau).await {
                            // Cut, or already there in part: the hub says where it stands.
                            Err(e) if e.transitoire() || conflit(&e) => {
                                let position = client.position_copie(token, id).await?;
                                if position == offset {
                                    Err(e)
                                } else {
                                    Ok(position)
                                }
                            }
                            other => other,
                        }
                    }
                })
                .await;
            offset = match resultat {
                Ok(position) => position,
                Err(e) => return Err(e),
            };
        }
        Ok(())
    }
}

fn conflit(e: &SyncError) -> bool {
    matches!(e, SyncError::Hub { status: 409, .. })
}

fn lecture(copie: &CopieHorsSite, e: &std::io::Error) -> SyncError {
    SyncError::Configuration(format!(
        "La sauvegarde {} n'a pas pu être lue pour sa copie hors site : {e}.",
        copie.chemin
    ))
}

fn lire_morceau(
    fichier: &mut std::fs::File,
    offset: u64,
    copie: &CopieHorsSite,
) -> std::io::Result<Vec<u8>> {
    let reste = copie.octets.saturating_sub(offset);
    let taille = usize::try_from(reste)
        .unwrap_or(usize::MAX)
        .min(TAILLE_MORCEAU);
    let mut morceau = vec![0u8; taille];
    fichier.seek(SeekFrom::Start(offset))?;
    fichier.read_exact(&mut morceau)?;
    Ok(morceau)
}

/// The store's UTC text (`2026-12-07T19:00:00Z` or without the `Z`) as RFC 3339.
fn rfc3339(texte: &str) -> String {
    let texte = texte.trim();
    if texte.ends_with('Z') || texte.contains('+') {
        texte.to_owned()
    } else {
        format!("{texte}Z")
    }
}

/// What the restore of a new PC from the hub did.
#[derive(Debug, Clone)]
pub struct RestaurationHub {
    pub restauration: RestoreDto,
    /// The copy restored.
    pub copie: BackupCopy,
    /// The new enrollment, to record in the restored store (the token is saved already).
    pub inscription: Inscription,
    /// Devices the hub retired (the PC the copy came from).
    pub postes_retires: u64,
}

impl Synchroniseur {
    /// Restores the MMG on a new PC from its off-site copy at the hub `url`: the enrollment
    /// `code` (a fresh one from the URML) makes this PC a device of the MMG; the newest copy
    /// (of the UTC day `date` when given) is downloaded beside the data directory, its SHA-256
    /// checked before anything local is touched, then restored with the `recovery_code` by the
    /// ordinary restore (what was there is kept aside). Then the PC the copy came from is
    /// retired on the hub and the token saved; the caller records [`RestaurationHub::inscription`]
    /// in the restored store.
    pub async fn restaurer_depuis_hub(
        &self,
        config: &ApiConfig,
        url: &str,
        code: &str,
        recovery_code: &str,
        date: Option<NaiveDate>,
        stamp: &str,
    ) -> Result<RestaurationHub, SyncError> {
        // The recovery code's form is checked before the one-time enrollment code is spent.
        RecoveryCode::parse(recovery_code).map_err(|e| SyncError::Saisie {
            champ: "recovery_code",
            message: appligarde_api::ApiError::from(e).message,
        })?;
        let client = self.client(url)?;
        if code.trim().is_empty() {
            return Err(SyncError::Saisie {
                champ: "code",
                message: "Indiquez le code d'enrôlement à usage unique donné par l'URML."
                    .to_owned(),
            });
        }
        // A previous attempt with this code may have enrolled already and failed afterwards (a
        // mistyped recovery code): its enrollment is reused, the code is not asked again.
        let cle = (client.base().to_string(), code_normalise(code));
        let deja = {
            let mut garde = self
                .restauration_inscrite
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            match garde.take() {
                Some((url, code, answer))
                    if (url.as_str(), code.as_str()) == (cle.0.as_str(), cle.1.as_str()) =>
                {
                    Some(answer)
                }
                other => {
                    *garde = other;
                    None
                }
            }
        };
        let answer = match deja {
            Some(answer) => answer,
            None => client.inscrire(code, None).await.map_err(|e| match e {
                SyncError::Hub {
                    status: 400 | 401 | 404,
                    message,
                    ..
                } => SyncError::Saisie {
                    champ: "code",
                    message: format!(
                        "{message} Le code est peut-être déjà utilisé ou expiré : demandez-en un \
                     nouveau à l'URML."
                    ),
                },
                other => other,
            })?,
        };
        let resultat = self
            .restaurer_inscrit(&client, &answer, config, recovery_code, date, stamp)
            .await;
        if resultat.is_err() {
            *self
                .restauration_inscrite
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some((cle.0, cle.1, answer));
        }
        resultat
    }

    /// The restore once this PC is a device of the MMG (`answer`): the copy chosen, downloaded,
    /// checked and restored, the old PC retired, the token saved.
    #[allow(clippy::too_many_arguments)]
    async fn restaurer_inscrit(
        &self,
        client: &HubClient,
        answer: &EnrollAnswer,
        config: &ApiConfig,
        recovery_code: &str,
        date: Option<NaiveDate>,
        stamp: &str,
    ) -> Result<RestaurationHub, SyncError> {
        let token = answer.device_token.clone();
        let liste = self.avec_essais(|| client.copies(&token)).await?;
        let copie = liste
            .copies
            .into_iter()
            .find(|c| {
                date.is_none_or(|d| c.taken_at.get(..10) == Some(&d.format("%Y-%m-%d").to_string()))
            })
            .ok_or_else(|| SyncError::Saisie {
                champ: "date",
                message: match date {
                    None => format!(
                        "Le hub n'a aucune copie hors site de la MMG « {} » (celle de ce code \
                         d'enrôlement) : vérifiez que le code est bien celui de votre MMG.",
                        answer.mmg_name
                    ),
                    Some(d) => format!(
                        "Le hub n'a aucune copie hors site de la MMG « {} » datée du {} : \
                         relancez sans --date pour la plus récente.",
                        answer.mmg_name,
                        d.format("%d/%m/%Y")
                    ),
                },
            })?;
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            SyncError::Configuration(format!(
                "Le dossier de données {} n'a pas pu être créé : {e}.",
                config.data_dir.display()
            ))
        })?;
        let temporaire = config
            .data_dir
            .join(format!(".copie-hors-site-{}.agbak", copie.id));
        let resultat = self
            .telecharger_et_restaurer(
                client,
                &token,
                &copie,
                &temporaire,
                config,
                recovery_code,
                stamp,
                &answer.mmg_name,
            )
            .await;
        let _ = std::fs::remove_file(&temporaire);
        let restauration = resultat?;
        let retire = self
            .avec_essais(|| client.copie_restauree(&token, &copie.id))
            .await?;
        self.coffre.ecrire(&token)?;
        Ok(RestaurationHub {
            restauration,
            copie,
            inscription: Inscription {
                hub_url: client.base().to_string(),
                mmg_id: answer.mmg_id.clone(),
                mmg_nom: answer.mmg_name.clone(),
                departement: answer.departement.clone(),
                device_id: answer.device_id.clone(),
                inscrit_le: String::new(),
            },
            postes_retires: retire.devices_retired,
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn telecharger_et_restaurer(
        &self,
        client: &HubClient,
        token: &str,
        copie: &BackupCopy,
        temporaire: &Path,
        config: &ApiConfig,
        recovery_code: &str,
        stamp: &str,
        mmg: &str,
    ) -> Result<RestoreDto, SyncError> {
        let empreinte = self
            .avec_essais(|| client.telecharger_copie(token, &copie.id, temporaire))
            .await?;
        if empreinte != copie.sha256 {
            return Err(SyncError::Hub {
                status: 0,
                transitoire: false,
                message: "La copie téléchargée du hub ne correspond pas à son empreinte SHA-256 \
                          (copie altérée sur le hub ou pendant le transfert) : elle est refusée \
                          et rien n'a été remplacé sur ce poste. Réessayez, ou choisissez une \
                          autre date avec --date."
                    .to_owned(),
            });
        }
        appligarde_api::sauvegarde::restore(temporaire, config, Some(recovery_code), stamp).map_err(
            |e| {
                if e.code == appligarde_api::ErrorCode::Key {
                    SyncError::Saisie {
                        champ: "recovery_code",
                        message: format!(
                            "{}. La copie est celle de la MMG « {mmg} » (celle du code \
                             d'enrôlement) : vérifiez le code de récupération et que le code \
                             d'enrôlement est bien celui de votre MMG. Rien n'a été remplacé sur \
                             ce poste.",
                            e.message.trim_end_matches(['.', ' '])
                        ),
                    }
                } else {
                    SyncError::Api(e)
                }
            },
        )
    }
}

/// An enrollment code as the hub compares it: letters and digits, upper case.
fn code_normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
