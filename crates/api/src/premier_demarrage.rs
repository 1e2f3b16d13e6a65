//! The first-start assistant of a new installation: the MMG's identity, the admin account, the
//! recovery code confirmed, a first verified backup, the hub enrollment (or "later").
//!
//! Its progress is derived from what is stored, so that a start interrupted at any step (crash,
//! power cut) resumes where it stopped: the identity row, an active account, a successful backup
//! in a chosen folder, the hub enrollment; the `premier_demarrage` row keeps only what leaves no
//! other trace (code confirmed, enrollment put off, assistant finished).

use crate::dto::MmgSettings;
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::DomainError;
use appligarde_store::premier_demarrage as store_pd;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The steps of the assistant, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EtapeDemarrage {
    Identite,
    Administrateur,
    CodeRecuperation,
    Sauvegarde,
    Inscription,
}

impl EtapeDemarrage {
    pub const TOUTES: [EtapeDemarrage; 5] = [
        Self::Identite,
        Self::Administrateur,
        Self::CodeRecuperation,
        Self::Sauvegarde,
        Self::Inscription,
    ];

    pub fn titre(self) -> &'static str {
        match self {
            Self::Identite => "Identité de la MMG",
            Self::Administrateur => "Compte administrateur et convention",
            Self::CodeRecuperation => "Code de récupération",
            Self::Sauvegarde => "Première sauvegarde",
            Self::Inscription => "Inscription au hub",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct EtapeEtat {
    pub etape: EtapeDemarrage,
    pub titre: String,
    pub faite: bool,
}

/// Where the first start stands.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PremierDemarrageEtat {
    /// True once every step is done (or for a database set up before the assistant, or the demo):
    /// the app then shows the login screen and the navigation.
    pub termine: bool,
    pub etapes: Vec<EtapeEtat>,
    /// The first step not done; `None` when finished.
    pub etape_courante: Option<EtapeDemarrage>,
    /// 1-based position of the current step ("Étape 2 sur 5"); 0 when finished.
    pub numero: u32,
    pub total: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConfirmationCode {
    /// The last group of four characters of the recovery code, typed from the sheet.
    pub dernier_groupe: String,
}

impl Api {
    /// The steps of the first start and the current one. Answers before any login; the first
    /// time every step is found done, the end of the assistant is recorded.
    pub fn premier_demarrage_etat(&self) -> Result<PremierDemarrageEtat, ApiError> {
        let store = self.store();
        let marqueurs = store.premier_demarrage()?;
        let total = EtapeDemarrage::TOUTES.len() as u32;
        if marqueurs.termine_le.is_some() {
            return Ok(PremierDemarrageEtat {
                termine: true,
                etapes: EtapeDemarrage::TOUTES
                    .iter()
                    .map(|&etape| EtapeEtat {
                        etape,
                        titre: etape.titre().to_owned(),
                        faite: true,
                    })
                    .collect(),
                etape_courante: None,
                numero: 0,
                total,
            });
        }
        let identite = store.mmg_identity()?.is_some();
        let comptes = store.a_des_comptes()?;
        let code = marqueurs.code_confirme_le.is_some();
        let sauvegarde = !store.sauvegarde_destinations()?.is_empty()
            && store.derniere_sauvegarde_reussie()?.is_some();
        let inscription =
            marqueurs.inscription_reportee_le.is_some() || store.hub_inscription()?.is_some();
        drop(store);
        // Step 2 is the admin account and the MMG's convention of use accepted by that admin.
        let administrateur = comptes && self.convention_mmg_acceptee()?;
        let mut store = self.store();
        let faites = [identite, administrateur, code, sauvegarde, inscription];
        // Steps in order: a later step never counts before an earlier one is done.
        let courante = faites.iter().position(|f| !f);
        if courante.is_none() {
            let now = self.clock.now_utc_text();
            store.write(|tx| store_pd::terminer(tx, &now))?;
            tracing::info!("first start finished");
        }
        Ok(PremierDemarrageEtat {
            termine: courante.is_none(),
            etapes: EtapeDemarrage::TOUTES
                .iter()
                .zip(faites)
                .enumerate()
                .map(|(i, (&etape, faite))| EtapeEtat {
                    etape,
                    titre: etape.titre().to_owned(),
                    faite: faite && courante.is_none_or(|c| i < c),
                })
                .collect(),
            etape_courante: courante.map(|c| EtapeDemarrage::TOUTES[c]),
            numero: courante.map_or(0, |c| c as u32 + 1),
            total,
        })
    }

    /// Step 1: the MMG's identity, typed before any account exists (afterwards it is changed by the
    /// admin in Paramètres).
    pub fn premier_demarrage_identite(
        &self,
        settings: MmgSettings,
    ) -> Result<PremierDemarrageEtat, ApiError> {
        if self.store().a_des_comptes()? {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "Le compte administrateur existe déjà : l'identité de la MMG se modifie dans Paramètres.",
            ));
        }
        let identity = settings.into_domain();
        if let Err(errors) = identity.validate() {
            return Err(ApiError::validation(errors));
        }
        let now = self.clock.now_utc_text();
        self.store().write(|tx| {
            appligarde_store::mmg::save_identity(tx, &identity, &now)?;
            appligarde_store::mmg::noter_modification(tx, None, &now)
        })?;
        tracing::info!("first start: MMG identity saved");
        self.premier_demarrage_etat()
    }

    /// Step 1 from the hub: the identity the URML recorded for the MMG of the enrollment code,
    /// to fill the step's form (nothing is saved: the admin checks it and goes on). The code is
    /// not spent; the last step enrolls with it. Before any account exists only, as step 1.
    pub fn premier_demarrage_identite_hub(
        &self,
        demande: crate::synchro::HubInscription,
    ) -> Result<MmgSettings, ApiError> {
        if self.store().a_des_comptes()? {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "Le compte administrateur existe déjà : l'identité de la MMG se modifie dans Paramètres.",
            ));
        }
        let hub = self.hub.get().cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "La liaison avec le hub n'est pas disponible sur ce poste : saisissez l'identité de la MMG.",
            )
        })?;
        let identite = hub.identite_mmg(demande)?;
        tracing::info!("first start: MMG identity read from the hub");
        Ok(identite)
    }

    /// Instead of setting up a new MMG: this new PC takes the place of the MMG's lost one, from
    /// its off-site copy on the hub (a fresh enrollment code from the URML and the MMG's recovery
    /// code). Only on a new installation (no account yet): its empty database is replaced by the
    /// copy, checked whole before anything local is touched; the assistant is then finished
    /// (the restored MMG has its accounts) and the users log in as before.
    pub fn premier_demarrage_restaurer_hub(
        &self,
        demande: crate::synchro::RestaurationHubDemande,
    ) -> Result<crate::synchro::RestaurationHubFaite, ApiError> {
        if self.store().a_des_comptes()? {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "Ce poste a déjà des comptes : la restauration depuis l'hébergeur se fait sur un \
                 poste neuf, au premier démarrage (ou avec appligarde-cli restore --depuis-hub).",
            ));
        }
        let date_illisible = demande
            .date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err());
        if date_illisible {
            return Err(ApiError::validation(vec![DomainError::field(
                "date",
                "La date de la copie doit être une date réelle (JJ/MM/AAAA), ou rester vide \
                 pour la plus récente.",
            )]));
        }
        let hub = self.hub.get().cloned().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Internal,
                "La liaison avec le hub n'est pas disponible sur ce poste.",
            )
        })?;
        let mut store = self.store();
        let (faite, inscription) = store.fermee_pendant(|data_dir, key| {
            let config = crate::ApiConfig {
                data_dir: data_dir.to_owned(),
                key: key.clone(),
            };
            hub.restaurer_depuis_hub(&config, &demande)
        })??;
        if let Err(e) = self.cim10.jeu(&store) {
            tracing::error!(error = %e.message, "the restored CIM-10 version cannot be loaded");
        }
        drop(store);
        self.synchro_enregistrer_inscription(inscription)?;
        tracing::info!(
            retired = faite.postes_retires,
            "first start: the MMG restored from its off-site copy"
        );
        Ok(faite)
    }

    /// Step 3: the admin proves having the recovery code by typing its last group from the sheet.
    pub fn premier_demarrage_code_confirmer(
        &self,
        confirmation: ConfirmationCode,
    ) -> Result<PremierDemarrageEtat, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let code = self.store().recovery_code()?.display();
        let attendu = code.rsplit('-').next().unwrap_or_default();
        let saisi: String = confirmation
            .dernier_groupe
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        if saisi.is_empty() || saisi != attendu {
            return Err(ApiError::validation(vec![DomainError::field(
                "dernier_groupe",
                "Ce n'est pas le dernier groupe du code : relisez la fiche imprimée ou notée.",
            )]));
        }
        let now = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_pd::confirmer_code(tx, acteur.id, &now))?;
        self.premier_demarrage_etat()
    }

    /// Step 5 put off ("Plus tard"): the enrollment stays available in Paramètres.
    pub fn premier_demarrage_inscription_reporter(&self) -> Result<PremierDemarrageEtat, ApiError> {
        self.acteur(Besoin::Admin)?;
        let now = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_pd::reporter_inscription(tx, &now))?;
        self.premier_demarrage_etat()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        EtapeDemarrage::decl(cfg),
        EtapeEtat::decl(cfg),
        PremierDemarrageEtat::decl(cfg),
        ConfirmationCode::decl(cfg),
    ]
}
