//! The daily aggregates that leave the MMG (counts only, `appligarde_protocol::DailyAggregate`), and
//! the per-day statistics cache both the aggregates and the dashboard read.

use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::{
    calendrier::{CalendrierPdsa, PeriodePdsa},
    indicateurs::{self, Comptes, Cumul, Fait, marquer_retours},
};
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AgeBandCounts, ArrivalModeCounts, DailyAggregate, DailyCounts,
    MinuteHistogram, OrientationCounts, PaymentAmounts, PdsaSlot, SexCounts, SyndromicAgeCounts,
};
use appligarde_store::statistiques::LigneCache;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use std::collections::{BTreeMap, BTreeSet};

/// `mmg_id` and `device_id` of the aggregates made here: the hub names the MMG and the PC at
/// enrollment, and the sync replaces these before sending.
pub const IDENTIFIANT_LOCAL: &str = "local";

/// Longest period the statistics compute at once (a little more than ten years).
const JOURS_MAX: i64 = 3700;

/// The opaque key of a doctor in the aggregate: the local user number, never a name nor an RPPS.
pub fn cle_medecin(id: i64) -> String {
    format!("medecin-{id}")
}

pub(crate) fn slot(periode: PeriodePdsa) -> PdsaSlot {
    match periode {
        PeriodePdsa::Nuit => PdsaSlot::Nuit,
        PeriodePdsa::MilieuDeNuit => PdsaSlot::MilieuDeNuit,
        PeriodePdsa::DimancheFerie => PdsaSlot::DimancheFerie,
        PeriodePdsa::SamediApresMidi => PdsaSlot::SamediApresMidi,
        PeriodePdsa::Pont => PdsaSlot::Pont,
        PeriodePdsa::HorsPdsa => PdsaSlot::HorsPdsa,
    }
}

pub(crate) fn periode(slot: PdsaSlot) -> PeriodePdsa {
    match slot {
        PdsaSlot::Nuit => PeriodePdsa::Nuit,
        PdsaSlot::MilieuDeNuit => PeriodePdsa::MilieuDeNuit,
        PdsaSlot::DimancheFerie => PeriodePdsa::DimancheFerie,
        PdsaSlot::SamediApresMidi => PeriodePdsa::SamediApresMidi,
        PdsaSlot::Pont => PeriodePdsa::Pont,
        PdsaSlot::HorsPdsa => PeriodePdsa::HorsPdsa,
    }
}

/// The wire form of the counts of the domain.
pub fn vers_protocole(c: &Comptes) -> DailyCounts {
    let [
        regule_centre15,
        regule_116117,
        regule_sas,
        spontane,
        adresse_medecin,
        adresse_pharmacien,
        autre,
    ] = c.par_mode_arrivee;
    let [a0, a3, a6, a16, a45, a65, a75, inconnu] = c.par_tranche_age;
    let [female, male, undetermined] = c.par_sexe;
    let [
        retour,
        traitant,
        urgences,
        hospitalisation,
        samu,
        deces,
        autre_o,
        _non_renseignee,
    ] = c.par_orientation;
    let [especes, cheque, carte, tiers_payant, autre_p] = c.montants;
    DailyCounts {
        consultations: c.consultations,
        by_arrival_hour: c.par_heure,
        by_arrival_mode: ArrivalModeCounts {
            regule_centre15,
            regule_116117,
            regule_sas,
            spontane,
            adresse_medecin,
            adresse_pharmacien,
            autre,
        },
        by_age_band: AgeBandCounts {
            from_0_to_2: a0,
            from_3_to_5: a3,
            from_6_to_15: a6,
            from_16_to_44: a16,
            from_45_to_64: a45,
            from_65_to_74: a65,
            from_75: a75,
            inconnu,
        },
        by_sex: SexCounts {
            female,
            male,
            undetermined,
        },
        by_orientation: OrientationCounts {
            retour_domicile: retour,
            medecin_traitant: traitant,
            urgences,
            hospitalisation,
            samu_smur: samu,
            deces,
            autre: autre_o,
        },
        home_visits: c.visites,
        by_cim10_chapter: c.par_chapitre.clone(),
        by_cim10_category: c.par_categorie.clone(),
        waiting_minutes: MinuteHistogram(c.attente),
        consultation_minutes: MinuteHistogram(c.duree),
        returns_within_72h: c.retours_72h,
        by_commune: c.par_commune.clone(),
        by_doctor: c
            .par_medecin
            .iter()
            .map(|(id, n)| (cle_medecin(*id), *n))
            .collect(),
        amounts_cents: PaymentAmounts {
            especes,
            cheque,
            carte,
            tiers_payant,
            autre: autre_p,
        },
        with_diagnosis: SyndromicAgeCounts::from_cells(c.avec_diagnostic),
        by_syndrome: c
            .par_syndrome
            .iter()
            .map(|(code, cases)| (code.clone(), SyndromicAgeCounts::from_cells(*cases)))
            .collect(),
    }
}

pub(crate) fn erreur_periode(message: &str) -> ApiError {
    ApiError {
        field: Some("au".to_owned()),
        ..ApiError::new(ErrorCode::Validation, message)
    }
}

/// Checks a period of garde dates.
pub fn verifier_periode(du: NaiveDate, au: NaiveDate) -> Result<(), ApiError> {
    if au < du {
        return Err(erreur_periode(
            "La fin de la période est avant son début : choisissez une date de fin postérieure.",
        ));
    }
    if (au - du).num_days() > JOURS_MAX {
        return Err(erreur_periode(
            "La période est trop longue (dix ans au plus) : choisissez une période plus courte.",
        ));
    }
    Ok(())
}

/// What the statistics of a period are computed from.
pub(crate) struct Donnees {
    /// Facts of the garde dates `du..=au`, returns marked (the 72 hours before were read too).
    pub faits: Vec<Fait>,
    pub calendrier: CalendrierPdsa,
    pub departement: String,
}

impl Donnees {
    pub fn periode_de(&self, t: NaiveDateTime) -> PeriodePdsa {
        self.calendrier.slot_of(t, &self.departement)
    }
}

impl Api {
    /// The facts of the garde dates `du..=au` (8h on `du` to 8h the day after `au`), with the
    /// returns within 72 hours marked.
    pub(crate) fn donnees_statistiques(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Donnees, ApiError> {
        verifier_periode(du, au)?;
        let huit = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
        let debut = du.and_time(huit);
        let fin = au.and_time(huit) + Duration::days(1);
        let store = self.store();
        let reglages = store.reglages()?;
        let departement = store
            .mmg_identity()?
            .map(|m| m.departement)
            .unwrap_or_default();
        let mut faits = store.faits_statistiques(debut - indicateurs::DELAI_RETOUR, fin)?;
        drop(store);
        marquer_retours(&mut faits);
        faits.retain(|f| f.arrivee >= debut);
        Ok(Donnees {
            faits,
            calendrier: reglages.calendrier,
            departement,
        })
    }

    /// The [`Cumul`] of every (garde date, PDSA slot) of `du..=au` that has consultations, and
    /// the revision of every day that has a `statistique_jour` row.
    ///
    /// Read from the statistics cache (migration 0011): a cached day is used only when it was
    /// computed at the day's current revision and with the current settings fingerprint
    /// ([`contexte_cache`]); the other days are recomputed from the consultations, by runs of
    /// consecutive days, and written back. The revision is read before the facts, under the same
    /// lock, so a cached day can never be newer than its stamp.
    pub(crate) fn cumuls_statistiques(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Cumuls, ApiError> {
        verifier_periode(du, au)?;
        let mut store = self.store();
        let reglages = store.reglages()?;
        let departement = store
            .mmg_identity()?
            .map(|m| m.departement)
            .unwrap_or_default();
        let contexte = contexte_cache(&reglages.calendrier, &departement);
        let revisions = store.revisions_statistiques(du, au)?;
        let revision = |date: &NaiveDate| revisions.get(date).copied().unwrap_or(0);
        let mut jours: BTreeMap<(NaiveDate, PeriodePdsa), Cumul> = BTreeMap::new();
        let mut a_jour: BTreeSet<NaiveDate> = BTreeSet::new();
        for ligne in store.cache_statistiques(du, au)? {
            if ligne.contexte != contexte || ligne.revision != revision(&ligne.date) {
                continue;
            }
            // A row that does not parse (older format) is recomputed like a stale one.
            let Ok(par_periode) =
                serde_json::from_str::<BTreeMap<PeriodePdsa, Cumul>>(&ligne.comptes)
            else {
                continue;
            };
            for (p, c) in par_periode {
                jours.insert((ligne.date, p), c);
            }
            a_jour.insert(ligne.date);
        }
        let periode_de = |t: NaiveDateTime| reglages.calendrier.slot_of(t, &departement);
        let huit = NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default();
        let mut a_ecrire: Vec<LigneCache> = Vec::new();
        let mut jour = du;
        while jour <= au {
            if a_jour.contains(&jour) {
                jour = match jour.succ_opt() {
                    Some(j) => j,
                    None => break,
                };
                continue;
            }
            // The run of days to recompute: `jour..=fin`.
            let mut fin = jour;
            while fin < au {
                match fin.succ_opt() {
                    Some(j) if !a_jour.contains(&j) => fin = j,
                    _ => break,
                }
            }
            let debut_t = jour.and_time(huit);
            let fin_t = fin.and_time(huit) + Duration::days(1);
            let mut faits = store.faits_statistiques(debut_t - indicateurs::DELAI_RETOUR, fin_t)?;
            marquer_retours(&mut faits);
            faits.retain(|f| f.arrivee >= debut_t);
            let cumuls = indicateurs::cumuls_quotidiens(&faits, periode_de);
            let mut d = jour;
            while d <= fin {
                let par_periode: BTreeMap<PeriodePdsa, &Cumul> = cumuls
                    .range((d, PeriodePdsa::Nuit)..=(d, PeriodePdsa::HorsPdsa))
                    .map(|((_, p), c)| (*p, c))
                    .collect();
                if let Ok(comptes) = serde_json::to_string(&par_periode) {
                    a_ecrire.push(LigneCache {
                        date: d,
                        revision: revision(&d),
                        contexte: contexte.clone(),
                        comptes,
                    });
                }
                d = match d.succ_opt() {
                    Some(j) => j,
                    None => break,
                };
            }
            jours.extend(cumuls);
            jour = match fin.succ_opt() {
                Some(j) => j,
                None => break,
            };
        }
        // The cache only saves time: a failure to write it (read-only database, full disk) must
        // not deny the statistics, which are already computed.
        if let Err(e) = store.ecrire_cache_statistiques(&a_ecrire) {
            tracing::warn!(jours = a_ecrire.len(), erreur = %e, "cache des statistiques non écrit");
        }
        Ok(Cumuls { jours, revisions })
    }

    /// The daily aggregates of the garde dates `du..=au`: for every date that ever had a
    /// consultation, one aggregate per PDSA slot (zero counts included, so that a consultation
    /// moved out of a slot by a late edit empties that slot at the hub too), with the day's
    /// revision. Needs no login: an aggregate holds no patient data. Uses the statistics cache.
    pub fn agregats_quotidiens(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Vec<DailyAggregate>, ApiError> {
        let cumuls = self.cumuls_statistiques(du, au)?;
        let mut jours: BTreeMap<NaiveDate, u64> = cumuls.revisions;
        for (date, _) in cumuls.jours.keys() {
            // A day counted but without a revision row cannot come from this program's writes;
            // revision 1 still lets the hub take it.
            jours.entry(*date).or_insert(1);
        }
        let mut out = Vec::with_capacity(jours.len() * PdsaSlot::ALL.len());
        for (date, revision) in jours {
            for s in PdsaSlot::ALL {
                let counts = cumuls
                    .jours
                    .get(&(date, periode(s)))
                    .map(|c| vers_protocole(&c.comptes))
                    .unwrap_or_default();
                out.push(DailyAggregate {
                    mmg_id: IDENTIFIANT_LOCAL.to_owned(),
                    device_id: IDENTIFIANT_LOCAL.to_owned(),
                    date,
                    slot: s,
                    revision,
                    schema: AGGREGATE_SCHEMA,
                    counts,
                });
            }
        }
        Ok(out)
    }

    /// The daily aggregates computed straight from the consultations, without the cache: the
    /// reference the cache is tested against.
    pub fn agregats_quotidiens_direct(
        &self,
        du: NaiveDate,
        au: NaiveDate,
    ) -> Result<Vec<DailyAggregate>, ApiError> {
        let donnees = self.donnees_statistiques(du, au)?;
        let revisions = self.store().revisions_statistiques(du, au)?;
        let mut comptes =
            indicateurs::comptes_quotidiens(&donnees.faits, |t| donnees.periode_de(t));
        let mut jours: BTreeMap<NaiveDate, u64> = revisions;
        for (date, _) in comptes.keys() {
            jours.entry(*date).or_insert(1);
        }
        let mut out = Vec::with_capacity(jours.len() * PdsaSlot::ALL.len());
        for (date, revision) in jours {
            for s in PdsaSlot::ALL {
                let counts = comptes
                    .remove(&(date, periode(s)))
                    .map(|c| vers_protocole(&c))
                    .unwrap_or_default();
                out.push(DailyAggregate {
                    mmg_id: IDENTIFIANT_LOCAL.to_owned(),
                    device_id: IDENTIFIANT_LOCAL.to_owned(),
                    date,
                    slot: s,
                    revision,
                    schema: AGGREGATE_SCHEMA,
                    counts,
                });
            }
        }
        Ok(out)
    }
}

/// Bumped whenever the cached form or the definition of a count changes: every cached day is
/// then recomputed once. 2: the syndromic indicators (and their age classes) were added.
const VERSION_CACHE: u32 = 2;

/// The fingerprint of what the cached counts depend on besides the day's consultations: the
/// PDSA calendar and the département (holidays) that place an arrival in a slot, and the format.
pub fn contexte_cache(calendrier: &CalendrierPdsa, departement: &str) -> String {
    use sha2::{Digest, Sha256};
    let texte = format!(
        "v{VERSION_CACHE};{departement};{}",
        serde_json::to_string(calendrier).unwrap_or_default()
    );
    hex::encode(&Sha256::digest(texte.as_bytes())[..16])
}

/// The cumulated counts of a period, per garde date and PDSA slot.
pub(crate) struct Cumuls {
    /// Only the (date, slot) pairs that have consultations.
    pub jours: BTreeMap<(NaiveDate, PeriodePdsa), Cumul>,
    /// The revision of each day that has a `statistique_jour` row.
    pub revisions: BTreeMap<NaiveDate, u64>,
}
