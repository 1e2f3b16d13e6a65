//! Sync with the hub, desktop side, as far as the store goes: the enrollment, which days are
//! waiting to be sent, the outcome of the attempts (the status of Paramètres), and the
//! application of the reference data the URML publishes.
//!
//! The network is not here: the HTTP client lives in the `appligarde-sync` crate, which drives
//! the methods below and is plugged into the API as a [`Hub`] (by the desktop shell and the
//! CLI) so that the commands `hub_inscrire` and `sync_maintenant` reach it through
//! [`Api::invoke`] like every other command.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use appligarde_domain::DomainError;
use appligarde_protocol::{
    ConventionAcceptance, DailyAggregate, HealthReport, IntegrityCheck, PdsaSlot, Publication,
    ReferenceKind,
};
use appligarde_rpps::Filtre;
use appligarde_store::StoreError;
use appligarde_store::annuaire::{self as store_annuaire, EntreeLocale, ImportOptions, TypeLocal};
use appligarde_store::compta::{self, OrigineTarifs};
use appligarde_store::hors_site::{self as store_hors_site, CopieHorsSite};
use appligarde_store::synchro::{self as store_synchro, Inscription, ReferenceAppliquee};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto::MmgSettings;
use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};

/// How far back the queue looks for days to send (the statistics compute ten years at most).
const HORIZON_JOURS: i64 = 3650;
/// Two waiting days further apart than this are computed by separate calls, so that a late edit
/// of an old day does not make the sync recompute every day in between.
const ECART_MAX_JOURS: i64 = 31;

/// The network side of the sync, plugged in by the shell and the CLI ([`Api::brancher_hub`]).
pub trait Hub: Send + Sync {
    /// Exchanges a one-time code for a device token and records the enrollment.
    fn inscrire(&self, poste: &dyn Poste, demande: HubInscription) -> Result<SyncStatut, ApiError>;
    /// The MMG's identity the URML recorded for the one-time code, without spending it (the
    /// first-start assistant fills its first step with it).
    fn identite_mmg(&self, demande: HubInscription) -> Result<MmgSettings, ApiError>;
    /// Restores the MMG into `config`'s data directory (closed meanwhile) from its off-site copy
    /// on the hub, enrolling this PC with the one-time code and retiring the PC the copy came
    /// from; returns what was done and the enrollment to record in the restored store.
    fn restaurer_depuis_hub(
        &self,
        config: &crate::ApiConfig,
        demande: &RestaurationHubDemande,
    ) -> Result<(RestaurationHubFaite, Inscription), ApiError>;
    /// One push of the waiting days and one pull of the reference data.
    fn synchroniser(&self, poste: &dyn Poste) -> SyncRapport;
}

/// What the sync client needs of the desktop, and nothing more: the enrollment, the queue of days
/// to send and their acknowledgement, the record of each attempt, the application of a
/// reference publication, and the queue of backup files to copy to the hub. [`Api`] implements it; `appligarde-sync` sees only this.
///
/// The API calls the client through [`Hub`] (the commands `hub_inscrire`, `sync_maintenant`)
/// and the client calls back through `Poste`: the round trip is the shape of the use case (the
/// command starts an exchange whose steps each change the store), and each side knows the other
/// only by a trait.
pub trait Poste: Send + Sync {
    fn sync_statut(&self) -> Result<SyncStatut, ApiError>;
    fn synchro_inscription(&self) -> Result<Option<Inscription>, ApiError>;
    fn synchro_enregistrer_inscription(&self, inscription: Inscription) -> Result<(), ApiError>;
    fn synchro_a_envoyer(&self) -> Result<Vec<DailyAggregate>, ApiError>;
    fn synchro_marquer_envoyes(
        &self,
        envois: &[(NaiveDate, PdsaSlot, u64)],
    ) -> Result<(), ApiError>;
    fn synchro_noter_tentative(&self) -> Result<(), ApiError>;
    fn synchro_noter_resultat(&self, erreur: Option<&str>) -> Result<(), ApiError>;
    fn synchro_reference_version(&self) -> Result<u64, ApiError>;
    fn reference_appliquer(&self, p: &Publication) -> Result<ReferenceDto, ApiError>;
    /// The versions of the conventions accepted here and when (no name), sent at each sync.
    fn conventions_acceptees(&self) -> Result<Vec<ConventionAcceptance>, ApiError>;
    /// The backup files not copied to the hub yet, oldest first.
    fn hors_site_a_envoyer(&self) -> Result<Vec<CopieHorsSite>, ApiError>;
    /// Records the hub's upload id of a queued file, so that a later pass resumes it.
    fn hors_site_noter_envoi(&self, id: i64, envoi_id: &str) -> Result<(), ApiError>;
    /// The hub confirmed the copy whole and verified.
    fn hors_site_envoyee(&self, id: i64) -> Result<(), ApiError>;
    /// The file is gone from its folder: out of the queue.
    fn hors_site_retirer(&self, id: i64) -> Result<(), ApiError>;
    /// This PC's health report for the fleet page (versions, dates, a count; no patient data).
    fn rapport_sante(&self) -> Result<HealthReport, ApiError>;
}

/// A shared desktop (the background task and the shell hold the [`Api`] in an `Arc`).
impl<P: Poste + ?Sized> Poste for Arc<P> {
    fn sync_statut(&self) -> Result<SyncStatut, ApiError> {
        (**self).sync_statut()
    }
    fn synchro_inscription(&self) -> Result<Option<Inscription>, ApiError> {
        (**self).synchro_inscription()
    }
    fn synchro_enregistrer_inscription(&self, inscription: Inscription) -> Result<(), ApiError> {
        (**self).synchro_enregistrer_inscription(inscription)
    }
    fn synchro_a_envoyer(&self) -> Result<Vec<DailyAggregate>, ApiError> {
        (**self).synchro_a_envoyer()
    }
    fn synchro_marquer_envoyes(
        &self,
        envois: &[(NaiveDate, PdsaSlot, u64)],
    ) -> Result<(), ApiError> {
        (**self).synchro_marquer_envoyes(envois)
    }
    fn synchro_noter_tentative(&self) -> Result<(), ApiError> {
        (**self).synchro_noter_tentative()
    }
    fn synchro_noter_resultat(&self, erreur: Option<&str>) -> Result<(), ApiError> {
        (**self).synchro_noter_resultat(erreur)
    }
    fn synchro_reference_version(&self) -> Result<u64, ApiError> {
        (**self).synchro_reference_version()
    }
    fn reference_appliquer(&self, p: &Publication) -> Result<ReferenceDto, ApiError> {
        (**self).reference_appliquer(p)
    }
    fn conventions_acceptees(&self) -> Result<Vec<ConventionAcceptance>, ApiError> {
        (**self).conventions_acceptees()
    }

    fn hors_site_a_envoyer(&self) -> Result<Vec<CopieHorsSite>, ApiError> {
        (**self).hors_site_a_envoyer()
    }
    fn hors_site_noter_envoi(&self, id: i64, envoi_id: &str) -> Result<(), ApiError> {
        (**self).hors_site_noter_envoi(id, envoi_id)
    }
    fn hors_site_envoyee(&self, id: i64) -> Result<(), ApiError> {
        (**self).hors_site_envoyee(id)
    }
    fn hors_site_retirer(&self, id: i64) -> Result<(), ApiError> {
        (**self).hors_site_retirer(id)
    }
    fn rapport_sante(&self) -> Result<HealthReport, ApiError> {
        (**self).rapport_sante()
    }
}

impl Poste for Api {
    fn sync_statut(&self) -> Result<SyncStatut, ApiError> {
        Api::sync_statut(self)
    }
    fn synchro_inscription(&self) -> Result<Option<Inscription>, ApiError> {
        Api::synchro_inscription(self)
    }
    fn synchro_enregistrer_inscription(&self, inscription: Inscription) -> Result<(), ApiError> {
        Api::synchro_enregistrer_inscription(self, inscription)
    }
    fn synchro_a_envoyer(&self) -> Result<Vec<DailyAggregate>, ApiError> {
        Api::synchro_a_envoyer(self)
    }
    fn synchro_marquer_envoyes(
        &self,
        envois: &[(NaiveDate, PdsaSlot, u64)],
    ) -> Result<(), ApiError> {
        Api::synchro_marquer_envoyes(self, envois)
    }
    fn synchro_noter_tentative(&self) -> Result<(), ApiError> {
        Api::synchro_noter_tentative(self)
    }
    fn synchro_noter_resultat(&self, erreur: Option<&str>) -> Result<(), ApiError> {
        Api::synchro_noter_resultat(self, erreur)
    }
    fn synchro_reference_version(&self) -> Result<u64, ApiError> {
        Api::synchro_reference_version(self)
    }
    fn reference_appliquer(&self, p: &Publication) -> Result<ReferenceDto, ApiError> {
        Api::reference_appliquer(self, p)
    }
    fn conventions_acceptees(&self) -> Result<Vec<ConventionAcceptance>, ApiError> {
        Api::conventions_acceptees(self)
    }

    fn hors_site_a_envoyer(&self) -> Result<Vec<CopieHorsSite>, ApiError> {
        Ok(self.store().hors_site_en_attente()?)
    }
    fn hors_site_noter_envoi(&self, id: i64, envoi_id: &str) -> Result<(), ApiError> {
        self.store()
            .write(|tx| store_hors_site::noter_envoi(tx, id, envoi_id))?;
        Ok(())
    }
    fn hors_site_envoyee(&self, id: i64) -> Result<(), ApiError> {
        let now = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_hors_site::marquer_envoyee(tx, id, &now))?;
        Ok(())
    }
    fn hors_site_retirer(&self, id: i64) -> Result<(), ApiError> {
        self.store().write(|tx| store_hors_site::retirer(tx, id))?;
        Ok(())
    }
    fn rapport_sante(&self) -> Result<HealthReport, ApiError> {
        Api::rapport_sante(self)
    }
}

/// `hub_inscrire`: the hub's address and the one-time code the URML gave.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct HubInscription {
    /// `https://hub.example.fr` (plain `http://` only for 127.0.0.1 and tests).
    pub url: String,
    pub code: String,
}

/// A new PC restored from the MMG's off-site copy (the first-start assistant's « Restaurer la
/// MMG depuis l'hébergeur », `appligarde-cli restore --depuis-hub`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RestaurationHubDemande {
    pub url: String,
    /// A fresh one-time enrollment code from the URML.
    pub code: String,
    /// The MMG's recovery code, from its printed sheet.
    pub code_recuperation: String,
    /// The UTC day (`AAAA-MM-JJ`) of the copy to restore; the newest when absent.
    #[ts(optional)]
    #[serde(default)]
    pub date: Option<String>,
}

/// What the restore from the hub did.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RestaurationHubFaite {
    pub mmg_nom: String,
    /// When the restored backup was made (UTC, ISO 8601).
    pub copie_prise_le: String,
    pub octets: u64,
    /// PCs the hub retired (the one the copy came from).
    pub postes_retires: u64,
    /// Where the data present before were put aside, if there were any.
    #[ts(optional)]
    pub copie_de_securite: Option<String>,
}

/// The truthful status of the sync, for Paramètres.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatut {
    /// False when this program was started without the network side (then only the status is
    /// shown).
    pub disponible: bool,
    pub inscrit: bool,
    pub hub_url: Option<String>,
    pub mmg_nom: Option<String>,
    pub departement: Option<String>,
    pub poste: Option<String>,
    pub inscrit_le: Option<String>,
    /// UTC, ISO 8601.
    pub derniere_tentative: Option<String>,
    /// UTC, ISO 8601: the last attempt that sent everything and applied everything.
    pub dernier_succes: Option<String>,
    /// French, as shown; absent after a success.
    pub derniere_erreur: Option<String>,
    pub echecs_consecutifs: u32,
    /// Garde days whose latest figures the hub has not acknowledged yet.
    pub jours_en_attente: u32,
    /// The highest reference publication applied here (0: none).
    pub reference_version: u64,
    pub references: Vec<ReferenceDto>,
}

/// One reference publication applied here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReferenceDto {
    pub version: u64,
    /// `rpps`, `annuaire`, `tarifs`, `cim10` or `convention`.
    pub nature: String,
    pub publiee_le: String,
    pub appliquee_le: String,
    /// French summary (what changed, or why it was refused).
    pub resume: String,
}

/// What one `sync_maintenant` moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncRapport {
    pub reussi: bool,
    /// Aggregates (day × slot) the hub acknowledged.
    pub agregats_envoyes: u32,
    /// Of which the hub already had (a retry after a lost answer).
    pub agregats_deja_recus: u32,
    /// Distinct garde days sent.
    pub jours_envoyes: u32,
    pub lots: u32,
    pub references_appliquees: Vec<ReferenceDto>,
    /// French, when `reussi` is false.
    pub erreur: Option<String>,
    pub statut: SyncStatut,
}

/// An entry of a published annuaire: the shape of the local entries of the API
/// (`EntreeLocaleDto`), every field but the name optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct EntreePubliee {
    /// A stable key given by the URML; else the RPPS number; else type, name and commune.
    cle: String,
    #[serde(alias = "type")]
    type_local: String,
    nom: String,
    prenom: String,
    rpps: Option<String>,
    specialite: String,
    adresse: String,
    code_postal: String,
    commune: String,
    departement: String,
    telephone: String,
    fax: String,
    email: String,
    mssante: String,
    notes: String,
}

impl EntreePubliee {
    fn cle(&self) -> String {
        if !self.cle.trim().is_empty() {
            return format!("c:{}", self.cle.trim());
        }
        if let Some(rpps) = self
            .rpps
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            return format!("r:{rpps}");
        }
        format!(
            "n:{}|{}|{}|{}",
            self.type_local.trim(),
            store_annuaire::fold(&self.nom),
            store_annuaire::fold(&self.prenom),
            store_annuaire::fold(&self.commune)
        )
    }

    fn vers_store(&self, id: Option<i64>, numero: usize) -> Result<EntreeLocale, DomainError> {
        let type_ = TypeLocal::from_code(self.type_local.trim()).ok_or_else(|| {
            DomainError::general(format!(
                "l'entrée n° {numero} a un type inconnu « {} »",
                self.type_local
            ))
        })?;
        Ok(EntreeLocale {
            id,
            type_,
            nom: self.nom.clone(),
            prenom: self.prenom.clone(),
            rpps: self.rpps.clone().filter(|r| !r.trim().is_empty()),
            specialite: self.specialite.clone(),
            adresse: self.adresse.clone(),
            code_postal: self.code_postal.clone(),
            commune: self.commune.clone(),
            departement: self.departement.clone(),
            telephone: self.telephone.clone(),
            fax: self.fax.clone(),
            email: self.email.clone(),
            mssante: self.mssante.clone(),
            notes: self.notes.clone(),
            actif: true,
        })
    }
}

fn reference_dto(r: ReferenceAppliquee) -> ReferenceDto {
    ReferenceDto {
        version: r.version,
        nature: r.nature,
        publiee_le: r.publiee_le,
        appliquee_le: r.appliquee_le,
        resume: r.resume,
    }
}

/// A publication the desktop cannot apply (bad content): recorded as refused, so that the next
/// ones still come.
fn refusee(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Invalid(d) => Some(d.message.clone()),
        _ => None,
    }
}

impl Api {
    /// Plugs in the network side of the sync (once; later calls are ignored).
    pub fn brancher_hub(&self, hub: Arc<dyn Hub>) {
        if self.hub.set(hub).is_err() {
            tracing::warn!("the hub link was already plugged in");
        }
    }

    /// The status of the sync, as Paramètres shows it.
    pub fn sync_statut(&self) -> Result<SyncStatut, ApiError> {
        let today = self.clock.now_local().date();
        let store = self.store();
        let inscription = store.hub_inscription()?;
        let etat = store.sync_etat()?;
        let references = store.references_appliquees(5)?;
        drop(store);
        let jours_en_attente = if inscription.is_some() {
            u32::try_from(self.synchro_jours_en_attente(today)?.len()).unwrap_or(u32::MAX)
        } else {
            0
        };
        Ok(SyncStatut {
            disponible: self.hub.get().is_some(),
            inscrit: inscription.is_some(),
            hub_url: inscription.as_ref().map(|i| i.hub_url.clone()),
            mmg_nom: inscription.as_ref().map(|i| i.mmg_nom.clone()),
            departement: inscription.as_ref().map(|i| i.departement.clone()),
            poste: inscription.as_ref().map(|i| i.device_id.clone()),
            inscrit_le: inscription.map(|i| i.inscrit_le),
            derniere_tentative: etat.derniere_tentative,
            dernier_succes: etat.dernier_succes,
            derniere_erreur: etat.derniere_erreur,
            echecs_consecutifs: etat.echecs_consecutifs,
            jours_en_attente,
            reference_version: etat.reference_version,
            references: references.into_iter().map(reference_dto).collect(),
        })
    }

    /// `hub_inscrire`: enrolls this PC with a hub (through the plugged-in [`Hub`]). The MMG admin
    /// decides where its figures go.
    pub fn hub_inscrire(&self, demande: HubInscription) -> Result<SyncStatut, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.hub_inscrire_key_holder(demande)
    }

    /// The same for whoever holds the database key (the CLI).
    pub fn hub_inscrire_key_holder(&self, demande: HubInscription) -> Result<SyncStatut, ApiError> {
        let hub = self.hub.get().cloned().ok_or_else(hors_ligne)?;
        hub.inscrire(self, demande)
    }

    /// `sync_maintenant`: one push and one pull now (through the plugged-in [`Hub`]), for any
    /// user logged in.
    pub fn sync_maintenant(&self) -> Result<SyncRapport, ApiError> {
        self.acteur(Besoin::Connecte)?;
        self.sync_maintenant_key_holder()
    }

    /// The same for whoever holds the database key (the CLI).
    pub fn sync_maintenant_key_holder(&self) -> Result<SyncRapport, ApiError> {
        let hub = self.hub.get().cloned().ok_or_else(hors_ligne)?;
        Ok(hub.synchroniser(self))
    }

    /// The enrollment of this PC, if any.
    pub fn synchro_inscription(&self) -> Result<Option<Inscription>, ApiError> {
        Ok(self.store().hub_inscription()?)
    }

    /// Records a new enrollment (every day will be sent again under the new PC).
    pub fn synchro_enregistrer_inscription(
        &self,
        mut inscription: Inscription,
    ) -> Result<(), ApiError> {
        inscription.inscrit_le = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_synchro::enregistrer_inscription(tx, &inscription))?;
        tracing::info!(device_id = %inscription.device_id, "enrolled with the hub");
        Ok(())
    }

    /// The garde days up to `au` whose revision is above what the hub acknowledged.
    pub fn synchro_jours_en_attente(&self, au: NaiveDate) -> Result<Vec<NaiveDate>, ApiError> {
        let du = au - Duration::days(HORIZON_JOURS);
        let store = self.store();
        let revisions = store.revisions_statistiques(du, au)?;
        let envois = store.sync_envois()?;
        drop(store);
        Ok(jours_en_attente(&revisions, &envois))
    }

    /// The aggregates waiting to be sent (up to today), named with the MMG and the PC of the
    /// enrollment, oldest first.
    /// This PC's health report (ARCHITECTURE.md, "Fleet health"): the program's version, the
    /// database's schema, the last backup written, the last integrity check recorded and the
    /// days waiting to be sent. Stored times are UTC text (`2026-11-23T07:00:00Z`): RFC 3339.
    pub fn rapport_sante(&self) -> Result<HealthReport, ApiError> {
        let (schema_version, last_backup_at, verification) = {
            let store = self.store();
            (
                store.schema_version()?,
                store.derniere_sauvegarde_ecrite()?,
                store.derniere_verification()?,
            )
        };
        let pending_days = if self.synchro_inscription()?.is_some() {
            let jours = self.synchro_jours_en_attente(self.clock.now_local().date())?;
            u32::try_from(jours.len()).unwrap_or(u32::MAX)
        } else {
            0
        };
        Ok(HealthReport {
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
            schema_version,
            last_backup_at,
            last_integrity_check: verification.map(|(at, ok)| IntegrityCheck { at, ok }),
            pending_days,
        })
    }

    pub fn synchro_a_envoyer(&self) -> Result<Vec<DailyAggregate>, ApiError> {
        let Some(inscription) = self.synchro_inscription()? else {
            return Ok(Vec::new());
        };
        let jours = self.synchro_jours_en_attente(self.clock.now_local().date())?;
        let envois = self.store().sync_envois()?;
        let attendus: BTreeSet<NaiveDate> = jours.iter().copied().collect();
        let mut out = Vec::new();
        for (du, fin) in plages(&jours) {
            for mut a in self.agregats_quotidiens(du, fin)? {
                if !attendus.contains(&a.date) {
                    continue;
                }
                let envoye = envois
                    .get(&(
                        a.date.format("%Y-%m-%d").to_string(),
                        a.slot.code().to_owned(),
                    ))
                    .copied()
                    .unwrap_or(0);
                if a.revision <= envoye {
                    continue;
                }
                a.mmg_id.clone_from(&inscription.mmg_id);
                a.device_id.clone_from(&inscription.device_id);
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Records that the hub acknowledged these (day, slot, revision).
    pub fn synchro_marquer_envoyes(
        &self,
        envois: &[(NaiveDate, PdsaSlot, u64)],
    ) -> Result<(), ApiError> {
        let now = self.clock.now_utc_text();
        let lignes: Vec<(String, String, u64)> = envois
            .iter()
            .map(|(d, s, r)| (d.format("%Y-%m-%d").to_string(), s.code().to_owned(), *r))
            .collect();
        self.store()
            .write(|tx| store_synchro::marquer_envoyes(tx, &lignes, &now))?;
        Ok(())
    }

    /// Records the start of an attempt.
    pub fn synchro_noter_tentative(&self) -> Result<(), ApiError> {
        let now = self.clock.now_utc_text();
        self.store()
            .write(|tx| store_synchro::noter_tentative(tx, &now))?;
        Ok(())
    }

    /// Records the outcome of an attempt: `None` for a complete success, else the French error.
    pub fn synchro_noter_resultat(&self, erreur: Option<&str>) -> Result<(), ApiError> {
        let now = self.clock.now_utc_text();
        self.store().write(|tx| match erreur {
            None => store_synchro::noter_succes(tx, &now),
            Some(message) => store_synchro::noter_erreur(tx, message),
        })?;
        Ok(())
    }

    /// The highest reference version applied here.
    pub fn synchro_reference_version(&self) -> Result<u64, ApiError> {
        Ok(self.store().sync_etat()?.reference_version)
    }

    /// Applies one publication of the URML and records it (its kind's own transaction: the RPPS
    /// import and the CIM-10 import record their own). Content this desktop refuses (malformed)
    /// is a French `validation` error: nothing is changed, the reference version stays below
    /// it, and the next sync asks for it again (the sync stops there, so no later publication
    /// jumps over it). A storage failure is an error too, tried again the same way.
    pub fn reference_appliquer(&self, p: &Publication) -> Result<ReferenceDto, ApiError> {
        let now = self.clock.now_utc_text();
        let mut trace = ReferenceAppliquee {
            version: p.version,
            nature: p.kind.code().to_owned(),
            publiee_le: p.published_at.clone(),
            appliquee_le: now.clone(),
            resume: String::new(),
        };
        let resultat: Result<String, StoreError> = match p.kind {
            ReferenceKind::Rpps => self.appliquer_rpps(p, &now),
            ReferenceKind::Annuaire => self.appliquer_annuaire(p, &now),
            ReferenceKind::Tarifs => self.store().write(|tx| {
                // The same table again (published twice) is not an error: nothing to do.
                let publiee = appligarde_domain::tarifs::TableTarifs::parse_csv(&p.content)
                    .map_err(DomainError::from)?;
                if compta::table_en_vigueur(tx, &now)?.table == publiee {
                    return Ok("table des tarifs déjà en vigueur".to_owned());
                }
                compta::importer_tarifs(tx, &p.content, true, OrigineTarifs::Hub, None, &now)
                    .map(|v| format!("table des tarifs n° {} en vigueur", v.id))
            }),
            ReferenceKind::Cim10 => return self.appliquer_cim10(p, trace),
            ReferenceKind::Convention => self.appliquer_convention(p, &now),
            ReferenceKind::Bdpm => return self.appliquer_bdpm(p, trace),
        };
        trace.resume = match resultat {
            Ok(resume) => resume,
            Err(e) => match refusee(&e) {
                Some(message) => return Err(publication_refusee(p, &message)),
                None => return Err(e.into()),
            },
        };
        self.store()
            .write(|tx| store_synchro::noter_reference(tx, &trace))?;
        tracing::info!(
            version = p.version,
            kind = p.kind.code(),
            "reference applied"
        );
        Ok(reference_dto(trace))
    }

    fn appliquer_rpps(&self, p: &Publication, now: &str) -> Result<String, StoreError> {
        let fichier = format!("publication URML n° {}", p.version);
        let options = ImportOptions {
            fichier: &fichier,
            filtre: Filtre::default(),
            debut: now,
        };
        let summary = self.store().import_rpps(
            p.content.as_bytes(),
            Some(p.content.len() as u64),
            &options,
            &mut |_| {},
        )?;
        Ok(format!(
            "RPPS : {} activités, {} ajoutées, {} modifiées, {} retirées",
            summary.activites, summary.ajoutes, summary.modifies, summary.desactives
        ))
    }

    fn appliquer_annuaire(&self, p: &Publication, now: &str) -> Result<String, StoreError> {
        let entrees: Vec<EntreePubliee> = serde_json::from_str(&p.content).map_err(|e| {
            DomainError::general(format!(
                "l'annuaire publié n'est pas un tableau JSON d'entrées valide (ligne {}, colonne {})",
                e.line(),
                e.column()
            ))
        })?;
        let mut store = self.store();
        // Entries published before and absent now are retired (kept, inactive).
        let anciennes: Vec<EntreeLocale> = {
            let liens = store.write(store_synchro::entrees_publiees)?;
            let gardees: BTreeSet<String> = entrees.iter().map(EntreePubliee::cle).collect();
            let mut out = Vec::new();
            for (cle, id) in liens {
                if !gardees.contains(&cle)
                    && let Some(e) = store.entree_locale(id)?
                    && e.actif
                {
                    out.push(e);
                }
            }
            out
        };
        let (mut ajoutees, mut mises_a_jour) = (0usize, 0usize);
        let retirees = anciennes.len();
        store.write(|tx| {
            let mut vues = HashMap::new();
            for (index, publiee) in entrees.iter().enumerate() {
                let cle = publiee.cle();
                if vues.insert(cle.clone(), index).is_some() {
                    continue;
                }
                let id = store_synchro::entree_publiee(tx, &cle)?;
                let entree = publiee.vers_store(id, index + 1)?;
                let sauvee = store_annuaire::save_entree_locale(tx, &entree, now)?;
                if let Some(nouvel_id) = sauvee.id {
                    store_synchro::lier_entree_publiee(tx, &cle, nouvel_id)?;
                }
                if id.is_some() {
                    mises_a_jour += 1;
                } else {
                    ajoutees += 1;
                }
            }
            for mut ancienne in anciennes {
                ancienne.actif = false;
                store_annuaire::save_entree_locale(tx, &ancienne, now)?;
            }
            Ok(())
        })?;
        Ok(format!(
            "annuaire : {ajoutees} entrées ajoutées, {mises_a_jour} mises à jour, {retirees} retirées"
        ))
    }

    /// A release of the drug database: its compact form, read back by `appligarde-bdpm` (a
    /// damaged one is refused and nothing changes), becomes the active version, journaled as
    /// the hub's; the same release again changes nothing.
    fn appliquer_bdpm(
        &self,
        p: &Publication,
        mut trace: ReferenceAppliquee,
    ) -> Result<ReferenceDto, ApiError> {
        use base64::Engine as _;
        let octets = base64::engine::general_purpose::STANDARD
            .decode(p.content.trim())
            .map_err(|_| publication_refusee(p, "son contenu n'est pas du base64 valide"))?;
        let base = appligarde_bdpm::Base::depuis_compacte(&octets)
            .map_err(|e| publication_refusee(p, &e.to_string()))?;
        let resultat = self.bdpm_enregistrer(
            &base,
            "hub",
            &format!("publication URML n° {}", p.version),
            None,
        )?;
        trace.resume = match resultat.changement.as_str() {
            "inchangee" => "base des médicaments déjà active".to_owned(),
            _ => format!(
                "base des médicaments active : {} médicaments dont {} commercialisés",
                resultat.medicaments, resultat.commercialises
            ),
        };
        self.store()
            .write(|tx| store_synchro::noter_reference(tx, &trace))?;
        Ok(reference_dto(trace))
    }

    fn appliquer_cim10(
        &self,
        p: &Publication,
        mut trace: ReferenceAppliquee,
    ) -> Result<ReferenceDto, ApiError> {
        // The CIM-10 import reads a file: the publication is written beside the database for
        // the time of the import.
        let dossier = self.store().data_dir().to_owned();
        let chemin = dossier.join(format!("publication-cim10-{}.csv", p.version));
        std::fs::write(&chemin, p.content.as_bytes()).map_err(|e| {
            ApiError::new(
                ErrorCode::Storage,
                format!(
                    "La CIM-10 publiée n'a pas pu être écrite dans {} : {e}.",
                    dossier.display()
                ),
            )
        })?;
        let resultat = self.cim10_import_file(crate::cim10::Cim10ImportRequest {
            chemin: chemin.display().to_string(),
            version: Some(format!("CIM-10 publiée par l'URML (n° {})", p.version)),
        });
        if let Err(e) = std::fs::remove_file(&chemin) {
            tracing::warn!(error = %e, "temporary CIM-10 file not removed");
        }
        trace.resume = match resultat {
            Ok(r) => format!("CIM-10 « {} » active", r.version.version),
            Err(e) if e.code == ErrorCode::Validation => {
                return Err(publication_refusee(p, &e.message));
            }
            Err(e) => return Err(e),
        };
        self.store()
            .write(|tx| store_synchro::noter_reference(tx, &trace))?;
        Ok(reference_dto(trace))
    }
}

/// The French error of a publication this desktop refuses: nothing changed, asked again later.
fn publication_refusee(p: &Publication, raison: &str) -> ApiError {
    let nature = match p.kind {
        ReferenceKind::Rpps => "l'extrait RPPS",
        ReferenceKind::Annuaire => "l'annuaire",
        ReferenceKind::Tarifs => "la table des tarifs",
        ReferenceKind::Cim10 => "la CIM-10",
        ReferenceKind::Convention => "un texte des conventions utilisateurs",
        ReferenceKind::Bdpm => "la base des médicaments",
    };
    let raison = raison.trim_end_matches(['.', ' ']);
    ApiError::new(
        ErrorCode::Validation,
        format!(
            "La publication n° {} de l'URML ({nature}) est refusée par ce poste : {raison}. Les \
             données de ce poste sont inchangées ; elle sera redemandée à la prochaine \
             synchronisation. Signalez-le à l'URML si le message persiste.",
            p.version
        ),
    )
}

fn hors_ligne() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        "La synchronisation avec le hub n'est pas disponible dans ce programme.",
    )
}

/// The days whose revision is above the lowest revision acknowledged for one of its slots.
fn jours_en_attente(
    revisions: &BTreeMap<NaiveDate, u64>,
    envois: &HashMap<(String, String), u64>,
) -> Vec<NaiveDate> {
    revisions
        .iter()
        .filter(|(jour, revision)| {
            let texte = jour.format("%Y-%m-%d").to_string();
            PdsaSlot::ALL.iter().any(|s| {
                envois
                    .get(&(texte.clone(), s.code().to_owned()))
                    .is_none_or(|envoye| envoye < revision)
            })
        })
        .map(|(jour, _)| *jour)
        .collect()
}

/// Sorted days grouped into ranges whose inner gaps are at most [`ECART_MAX_JOURS`].
fn plages(jours: &[NaiveDate]) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for &jour in jours {
        match out.last_mut() {
            Some((_, fin)) if (jour - *fin).num_days() <= ECART_MAX_JOURS => *fin = jour,
            _ => out.push((jour, jour)),
        }
    }
    out
}

/// The TypeScript declarations of this module's wire types.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        HubInscription::decl(cfg),
        RestaurationHubDemande::decl(cfg),
        RestaurationHubFaite::decl(cfg),
        SyncStatut::decl(cfg),
        ReferenceDto::decl(cfg),
        SyncRapport::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, day).unwrap()
    }

    #[test]
    fn a_day_waits_until_every_slot_is_acknowledged_at_its_revision() {
        let revisions = BTreeMap::from([(d(1), 2), (d(2), 1), (d(3), 5)]);
        let mut envois = HashMap::new();
        for s in PdsaSlot::ALL {
            // Day 1 fully acknowledged at revision 2, day 3 only at revision 4.
            envois.insert(("2026-01-01".to_owned(), s.code().to_owned()), 2);
            envois.insert(("2026-01-03".to_owned(), s.code().to_owned()), 4);
        }
        // Day 2 has one slot only: the others are still owed.
        envois.insert(("2026-01-02".to_owned(), "nuit".to_owned()), 1);
        assert_eq!(
            jours_en_attente(&revisions, &envois),
            vec![d(2), d(3)],
            "day 2 misses slots, day 3 has a newer revision than acknowledged"
        );
    }

    #[test]
    fn distant_days_are_computed_in_separate_ranges() {
        let old = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let cases = [
            (vec![], vec![]),
            (vec![d(1), d(2), d(20)], vec![(d(1), d(20))]),
            (vec![old, d(1), d(5)], vec![(old, old), (d(1), d(5))]),
        ];
        for (jours, attendu) in cases {
            assert_eq!(plages(&jours), attendu, "ranges of {jours:?}");
        }
    }
}
