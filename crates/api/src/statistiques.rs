//! Statistics of the MMG: the daily aggregates that leave the MMG, the dashboard of the
//! Statistiques screen and its exports, the CPOM report's figures.
//!
//! Every figure comes from `appligarde_domain::indicateurs` (one definition per indicator); this
//! module reads the facts from the store, converts the counts to the wire form
//! (`appligarde_protocol::DailyAggregate`) and to the DTOs of the screen.

use crate::{Api, ApiError, ErrorCode, session::Besoin};
use appligarde_documents::rapport::{RapportActivite, TableauRapport, rapport_activite_pdf};
use appligarde_domain::{
    calendrier::{CalendrierPdsa, PeriodePdsa},
    consultation::Orientation,
    garde::{ModeArrivee, Sexe},
    indicateurs::{
        self, CATALOGUE, CHAPITRES_CIM10, Comptes, Cumul, Fait, ModePaiement, Repartition, Tableau,
        TrancheAge, cle_chapitre, marquer_retours,
    },
};
use appligarde_protocol::{
    AGGREGATE_SCHEMA, AgeBandCounts, ArrivalModeCounts, DailyAggregate, DailyCounts,
    MinuteHistogram, OrientationCounts, PaymentAmounts, PdsaSlot, SexCounts,
};
use appligarde_store::statistiques::LigneCache;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use ts_rs::TS;

/// `mmg_id` and `device_id` of the aggregates made here: the hub names the MMG and the PC at
/// enrollment, and the sync replaces these before sending.
pub const IDENTIFIANT_LOCAL: &str = "local";

/// Longest period the statistics compute at once (a little more than ten years).
const JOURS_MAX: i64 = 3700;

/// The opaque key of a doctor in the aggregate: the local user number, never a name nor an RPPS.
pub fn cle_medecin(id: i64) -> String {
    format!("medecin-{id}")
}

fn slot(periode: PeriodePdsa) -> PdsaSlot {
    match periode {
        PeriodePdsa::Nuit => PdsaSlot::Nuit,
        PeriodePdsa::MilieuDeNuit => PdsaSlot::MilieuDeNuit,
        PeriodePdsa::DimancheFerie => PdsaSlot::DimancheFerie,
        PeriodePdsa::SamediApresMidi => PdsaSlot::SamediApresMidi,
        PeriodePdsa::Pont => PdsaSlot::Pont,
        PeriodePdsa::HorsPdsa => PdsaSlot::HorsPdsa,
    }
}

fn periode(slot: PdsaSlot) -> PeriodePdsa {
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
    }
}

fn erreur_periode(message: &str) -> ApiError {
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
/// then recomputed once.
const VERSION_CACHE: u32 = 1;

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

// ---------------------------------------------------------------------------------------------
// The dashboard of the Statistiques screen
// ---------------------------------------------------------------------------------------------

/// A period of garde dates, `YYYY-MM-DD`, both included.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct PeriodeStatistiques {
    pub du: String,
    pub au: String,
}

impl PeriodeStatistiques {
    pub fn dates(&self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        let lire = |field: &str, text: &str| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ApiError {
                field: Some(field.to_owned()),
                ..ApiError::new(
                    ErrorCode::Validation,
                    format!("Date illisible « {text} » : écrivez-la AAAA-MM-JJ."),
                )
            })
        };
        let du = lire("du", &self.du)?;
        let au = lire("au", &self.au)?;
        verifier_periode(du, au)?;
        Ok((du, au))
    }
}

/// One line of a table of the dashboard: a key, its French label, the count and its share of all
/// consultations of the period (percent, 0 when there are none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LigneStatistique {
    pub cle: String,
    pub libelle: String,
    pub nombre: u32,
    pub part: f64,
}

/// Median and 90th percentile of durations, minutes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RepartitionDto {
    pub n: u32,
    pub mediane: Option<u32>,
    pub p90: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MontantDto {
    pub cle: String,
    pub libelle: String,
    pub centimes: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IndicateurDto {
    pub code: String,
    pub nom: String,
    pub definition: String,
}

/// The dashboard of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TableauStatistiques {
    pub du: String,
    pub au: String,
    pub consultations: u32,
    pub regules: u32,
    pub part_regules: f64,
    pub visites: u32,
    pub part_visites: f64,
    pub urgences_hospitalisation: u32,
    pub part_urgences_hospitalisation: f64,
    pub retours_72h: u32,
    pub part_retours_72h: f64,
    pub attente: RepartitionDto,
    pub duree: RepartitionDto,
    /// Every garde date of the period (`YYYY-MM-DD`).
    pub par_jour: Vec<LigneStatistique>,
    /// Every month of the period (`YYYY-MM`).
    pub par_mois: Vec<LigneStatistique>,
    pub par_periode: Vec<LigneStatistique>,
    /// 0 h to 23 h.
    pub par_heure: Vec<LigneStatistique>,
    /// Monday to Sunday.
    pub par_jour_semaine: Vec<LigneStatistique>,
    /// `[weekday Monday..Sunday][hour 0..23]`.
    pub carte_chaleur: Vec<Vec<u32>>,
    pub par_mode_arrivee: Vec<LigneStatistique>,
    pub par_tranche_age: Vec<LigneStatistique>,
    pub par_sexe: Vec<LigneStatistique>,
    pub par_orientation: Vec<LigneStatistique>,
    /// Chapters of the principal diagnosis.
    pub par_chapitre: Vec<LigneStatistique>,
    /// The most frequent categories of the principal diagnosis first (at most
    /// [`CATEGORIES_AFFICHEES`]).
    pub par_categorie: Vec<LigneStatistique>,
    /// Chapters of all diagnoses (principal and associated), a consultation once per chapter.
    pub par_chapitre_tous: Vec<LigneStatistique>,
    /// The most frequent categories of all diagnoses first (at most [`CATEGORIES_AFFICHEES`]).
    pub par_categorie_tous: Vec<LigneStatistique>,
    /// The most frequent communes first: key the INSEE code, label « Nantes (44109) » when the
    /// patients' records name it, else the code.
    pub par_commune: Vec<LigneStatistique>,
    pub par_medecin: Vec<LigneStatistique>,
    pub montants: Vec<MontantDto>,
    /// False when the store records no payment (the amounts are then zero).
    pub montants_disponibles: bool,
    pub indicateurs: Vec<IndicateurDto>,
    /// The shift the dashboard is restricted to (« samedi 21/11/2026 — après-midi »), if any.
    #[ts(optional)]
    pub garde: Option<String>,
}

/// One shift: a garde date (`YYYY-MM-DD`, 8 h to 8 h) and a PDSA slot code (`nuit`,
/// `milieu_de_nuit`, `dimanche_ferie`, `samedi_apres_midi`, `pont`, `hors_pdsa`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GardeStatistiques {
    pub date: String,
    pub periode: String,
}

/// A shift that had consultations, for the picker of the screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct GardeActive {
    pub date: String,
    pub periode: String,
    /// « samedi 21/11/2026 — après-midi ».
    pub libelle: String,
    pub consultations: u32,
}

const JOURS_MINUSCULES: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// The short French name of a slot within its garde day.
fn nom_court(p: PeriodePdsa) -> &'static str {
    match p {
        PeriodePdsa::Nuit => "nuit",
        PeriodePdsa::MilieuDeNuit => "milieu de nuit",
        PeriodePdsa::DimancheFerie => "journée (dimanche ou férié)",
        PeriodePdsa::SamediApresMidi => "après-midi",
        PeriodePdsa::Pont => "journée de pont",
        PeriodePdsa::HorsPdsa => "hors PDSA",
    }
}

/// The order of the slots within a garde day (8 h to 8 h): day slots, then the night.
fn ordre_dans_la_garde(p: PeriodePdsa) -> u8 {
    match p {
        PeriodePdsa::HorsPdsa => 0,
        PeriodePdsa::DimancheFerie | PeriodePdsa::SamediApresMidi | PeriodePdsa::Pont => 1,
        PeriodePdsa::Nuit => 2,
        PeriodePdsa::MilieuDeNuit => 3,
    }
}

/// « samedi 21/11/2026 — après-midi ».
pub fn libelle_garde(date: NaiveDate, p: PeriodePdsa) -> String {
    format!(
        "{} {} — {}",
        JOURS_MINUSCULES[date.weekday().num_days_from_monday() as usize],
        date.format("%d/%m/%Y"),
        nom_court(p)
    )
}

impl GardeStatistiques {
    pub fn lire(&self) -> Result<(NaiveDate, PeriodePdsa), ApiError> {
        let date =
            NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").map_err(|_| ApiError {
                field: Some("date".to_owned()),
                ..ApiError::new(
                    ErrorCode::Validation,
                    format!("Date illisible « {} » : écrivez-la AAAA-MM-JJ.", self.date),
                )
            })?;
        let p = lire_periode(&self.periode)?;
        Ok((date, p))
    }
}

fn lire_periode(code: &str) -> Result<PeriodePdsa, ApiError> {
    PdsaSlot::from_code(code.trim())
        .map(periode)
        .ok_or_else(|| ApiError {
            field: Some("periode".to_owned()),
            ..ApiError::new(
                ErrorCode::Validation,
                format!(
                    "Période de garde inconnue « {code} » : choisissez nuit, milieu de nuit, dimanche ou férié, samedi après-midi, pont ou hors PDSA."
                ),
            )
        })
}

/// Lines of the "most frequent" tables.
pub const CATEGORIES_AFFICHEES: usize = 15;

const JOURS_SEMAINE: [&str; 7] = [
    "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
];

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// "1234,50 €".
fn euros(centimes: i64) -> String {
    format!("{},{:02} €", centimes / 100, (centimes % 100).abs())
}

/// `n` out of `total`, in percent with one decimal.
pub fn part(n: u32, total: u32) -> f64 {
    if total == 0 {
        0.0
    } else {
        (f64::from(n) * 1000.0 / f64::from(total)).round() / 10.0
    }
}

fn ligne(
    cle: impl Into<String>,
    libelle: impl Into<String>,
    nombre: u32,
    total: u32,
) -> LigneStatistique {
    LigneStatistique {
        cle: cle.into(),
        libelle: libelle.into(),
        nombre,
        part: part(nombre, total),
    }
}

fn les_plus_frequents(lignes: &mut Vec<LigneStatistique>, garder: Option<usize>) {
    lignes.sort_by(|a, b| b.nombre.cmp(&a.nombre).then_with(|| a.cle.cmp(&b.cle)));
    if let Some(n) = garder {
        lignes.truncate(n);
    }
}

/// The label of a month `YYYY-MM`: "mars 2026".
pub fn libelle_mois(annee: i32, mois: u32) -> String {
    let nom = MOIS
        .get(mois.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?");
    format!("{nom} {annee}")
}

impl Api {
    /// The dashboard of the garde dates of a period, for a logged-in user (it names the doctors).
    pub fn statistiques_tableau(
        &self,
        periode: PeriodeStatistiques,
    ) -> Result<TableauStatistiques, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let (du, au) = periode.dates()?;
        self.tableau(du, au)
    }

    /// The dashboard of one shift (a garde date and a PDSA slot), for a logged-in user.
    pub fn statistiques_tableau_garde(
        &self,
        garde: GardeStatistiques,
    ) -> Result<TableauStatistiques, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let (date, p) = garde.lire()?;
        self.tableau_de(date, date, Some(p))
    }

    /// The shifts of a period that had consultations, the most recent first.
    pub fn statistiques_gardes(
        &self,
        periode: PeriodeStatistiques,
    ) -> Result<Vec<GardeActive>, ApiError> {
        self.acteur(Besoin::Connecte)?;
        let (du, au) = periode.dates()?;
        let cumuls = self.cumuls_statistiques(du, au)?;
        let mut gardes: Vec<(&(NaiveDate, PeriodePdsa), &Cumul)> = cumuls
            .jours
            .iter()
            .filter(|(_, c)| c.comptes.consultations > 0)
            .collect();
        // The most recent first: by garde date, then by the hour a slot starts within it.
        gardes.sort_by_key(|((date, p), _)| std::cmp::Reverse((*date, ordre_dans_la_garde(*p))));
        Ok(gardes
            .into_iter()
            .map(|((date, p), c)| GardeActive {
                date: date.format("%Y-%m-%d").to_string(),
                periode: slot(*p).code().to_owned(),
                libelle: libelle_garde(*date, *p),
                consultations: c.comptes.consultations,
            })
            .collect())
    }

    /// The dashboard without a session check, for the CLI report (no patient data in it). Read
    /// through the statistics cache.
    pub fn tableau(&self, du: NaiveDate, au: NaiveDate) -> Result<TableauStatistiques, ApiError> {
        self.tableau_de(du, au, None)
    }

    /// The dashboard of the garde dates `du..=au`, restricted to one PDSA slot if `garde` is
    /// given; from the statistics cache.
    pub fn tableau_de(
        &self,
        du: NaiveDate,
        au: NaiveDate,
        garde: Option<PeriodePdsa>,
    ) -> Result<TableauStatistiques, ApiError> {
        let cumuls = self.cumuls_statistiques(du, au)?;
        let tab = Tableau::depuis_cumuls(
            du,
            au,
            cumuls
                .jours
                .iter()
                .filter(|((_, p), _)| garde.is_none_or(|g| g == *p)),
        );
        self.habiller(du, au, &tab, garde)
    }

    /// The same dashboard computed straight from the consultations, without the cache: the
    /// reference the cache is tested against (and the cost the cache saves, in the bench).
    pub fn tableau_direct(
        &self,
        du: NaiveDate,
        au: NaiveDate,
        garde: Option<PeriodePdsa>,
    ) -> Result<TableauStatistiques, ApiError> {
        let donnees = self.donnees_statistiques(du, au)?;
        let faits: Vec<Fait> = match garde {
            Some(g) => donnees
                .faits
                .iter()
                .filter(|f| donnees.periode_de(f.arrivee) == g)
                .cloned()
                .collect(),
            None => donnees.faits.clone(),
        };
        let tab = Tableau::calculer(&faits, du, au, |t| donnees.periode_de(t));
        self.habiller(du, au, &tab, garde)
    }

    /// The DTO of a computed dashboard: doctors and communes named from the store.
    fn habiller(
        &self,
        du: NaiveDate,
        au: NaiveDate,
        tab: &Tableau,
        garde: Option<PeriodePdsa>,
    ) -> Result<TableauStatistiques, ApiError> {
        let store = self.store();
        let medecins: BTreeMap<i64, String> = store
            .tous_les_utilisateurs()?
            .into_iter()
            .map(|u| (u.id, format!("Dr {} {}", u.prenom, u.nom)))
            .collect();
        let mut codes: Vec<(&String, &u32)> = tab.total.par_commune.iter().collect();
        codes.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        let codes: Vec<&str> = codes
            .iter()
            .take(CATEGORIES_AFFICHEES)
            .map(|(k, _)| k.as_str())
            .collect();
        let communes = store.noms_communes(&codes)?;
        drop(store);
        let mut dto = tableau_dto(du, au, tab, &medecins, true);
        nommer_communes(&mut dto, &communes);
        dto.garde = garde.map(|g| libelle_garde(du, g));
        Ok(dto)
    }
}

/// « Nantes (44109) »: the commune's name with its code, or the code alone.
pub fn libelle_commune(code: &str, nom: Option<&str>) -> String {
    match nom.map(str::trim).filter(|n| !n.is_empty()) {
        Some(nom) => format!("{nom} ({code})"),
        None => code.to_owned(),
    }
}

/// Names the communes of a dashboard (`noms`: INSEE code -> name).
pub fn nommer_communes(dto: &mut TableauStatistiques, noms: &BTreeMap<String, String>) {
    for l in &mut dto.par_commune {
        l.libelle = libelle_commune(&l.cle, noms.get(&l.cle).map(String::as_str));
    }
}

/// The DTO of a computed dashboard; `medecins` names the doctors (id -> label).
pub fn tableau_dto(
    du: NaiveDate,
    au: NaiveDate,
    tab: &Tableau,
    medecins: &BTreeMap<i64, String>,
    montants_disponibles: bool,
) -> TableauStatistiques {
    let c = &tab.total;
    let total = c.consultations;
    let repartition = |r: &Repartition| RepartitionDto {
        n: r.n,
        mediane: r.mediane,
        p90: r.p90,
    };
    let par_jour = tab
        .par_jour
        .iter()
        .map(|(d, n)| {
            ligne(
                d.format("%Y-%m-%d").to_string(),
                d.format("%d/%m/%Y").to_string(),
                *n,
                total,
            )
        })
        .collect();
    let par_mois = tab
        .par_mois
        .iter()
        .map(|((a, m), n)| ligne(format!("{a:04}-{m:02}"), libelle_mois(*a, *m), *n, total))
        .collect();
    let par_periode = PeriodePdsa::TOUTES
        .iter()
        .zip(tab.par_periode)
        .map(|(p, n)| ligne(slot(*p).code(), p.libelle(), n, total))
        .collect();
    let par_heure = c
        .par_heure
        .iter()
        .enumerate()
        .map(|(h, n)| ligne(format!("{h:02}"), format!("{h} h"), *n, total))
        .collect();
    let par_jour_semaine = JOURS_SEMAINE
        .iter()
        .zip(tab.par_jour_semaine)
        .enumerate()
        .map(|(i, (j, n))| ligne(format!("{}", i + 1), *j, n, total))
        .collect();
    let par_mode_arrivee = ModeArrivee::ALL
        .iter()
        .zip(c.par_mode_arrivee)
        .map(|(m, n)| ligne(m.code(), m.libelle(), n, total))
        .collect();
    let mut par_tranche_age: Vec<LigneStatistique> = TrancheAge::TOUTES
        .iter()
        .zip(c.par_tranche_age)
        .map(|(t, n)| {
            ligne(
                t.libelle(),
                format!("{} ans", t.libelle().replace('+', " et plus")),
                n,
                total,
            )
        })
        .collect();
    par_tranche_age.push(ligne("inconnu", "Âge inconnu", c.par_tranche_age[7], total));
    let par_sexe = Sexe::ALL
        .iter()
        .zip(c.par_sexe)
        .map(|(s, n)| ligne(s.code(), s.libelle(), n, total))
        .collect();
    let mut par_orientation: Vec<LigneStatistique> = Orientation::ALL
        .iter()
        .zip(c.par_orientation)
        .map(|(o, n)| ligne(o.code(), o.libelle(), n, total))
        .collect();
    par_orientation.push(ligne(
        "non_renseignee",
        "Non renseignée",
        c.par_orientation[7],
        total,
    ));
    let par_chapitre = CHAPITRES_CIM10
        .iter()
        .filter_map(|ch| {
            let cle = cle_chapitre(ch);
            let n = c.par_chapitre.get(&cle).copied().unwrap_or(0);
            (n > 0).then(|| ligne(cle.clone(), format!("{cle} · {}", ch.2), n, total))
        })
        .collect();
    let mut par_categorie: Vec<LigneStatistique> = c
        .par_categorie
        .iter()
        .map(|(k, n)| ligne(k.clone(), k.clone(), *n, total))
        .collect();
    les_plus_frequents(&mut par_categorie, Some(CATEGORIES_AFFICHEES));
    let par_chapitre_tous = CHAPITRES_CIM10
        .iter()
        .filter_map(|ch| {
            let cle = cle_chapitre(ch);
            let n = c.par_chapitre_tous.get(&cle).copied().unwrap_or(0);
            (n > 0).then(|| ligne(cle.clone(), format!("{cle} · {}", ch.2), n, total))
        })
        .collect();
    let mut par_categorie_tous: Vec<LigneStatistique> = c
        .par_categorie_tous
        .iter()
        .map(|(k, n)| ligne(k.clone(), k.clone(), *n, total))
        .collect();
    les_plus_frequents(&mut par_categorie_tous, Some(CATEGORIES_AFFICHEES));
    let mut par_commune: Vec<LigneStatistique> = c
        .par_commune
        .iter()
        .map(|(k, n)| ligne(k.clone(), k.clone(), *n, total))
        .collect();
    les_plus_frequents(&mut par_commune, Some(CATEGORIES_AFFICHEES));
    let mut par_medecin: Vec<LigneStatistique> = c
        .par_medecin
        .iter()
        .map(|(id, n)| {
            let nom = medecins
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("Médecin n° {id}"));
            ligne(cle_medecin(*id), nom, *n, total)
        })
        .collect();
    les_plus_frequents(&mut par_medecin, None);
    let montants = ModePaiement::TOUS
        .iter()
        .zip(c.montants)
        .map(|(m, cents)| MontantDto {
            cle: format!("{m:?}").to_lowercase(),
            libelle: m.libelle().to_owned(),
            centimes: i64::try_from(cents).unwrap_or(i64::MAX),
        })
        .collect();
    TableauStatistiques {
        du: du.format("%Y-%m-%d").to_string(),
        au: au.format("%Y-%m-%d").to_string(),
        consultations: total,
        regules: c.regules(),
        part_regules: part(c.regules(), total),
        visites: c.visites,
        part_visites: part(c.visites, total),
        urgences_hospitalisation: c.urgences_ou_hospitalisation(),
        part_urgences_hospitalisation: part(c.urgences_ou_hospitalisation(), total),
        retours_72h: c.retours_72h,
        part_retours_72h: part(c.retours_72h, total),
        attente: repartition(&tab.attente),
        duree: repartition(&tab.duree),
        par_jour,
        par_mois,
        par_periode,
        par_heure,
        par_jour_semaine,
        carte_chaleur: tab.carte_chaleur.iter().map(|h| h.to_vec()).collect(),
        par_mode_arrivee,
        par_tranche_age,
        par_sexe,
        par_orientation,
        par_chapitre,
        par_categorie,
        par_chapitre_tous,
        par_categorie_tous,
        par_commune,
        par_medecin,
        montants,
        montants_disponibles,
        garde: None,
        indicateurs: CATALOGUE
            .iter()
            .map(|i| IndicateurDto {
                code: i.code.to_owned(),
                nom: i.nom.to_owned(),
                definition: i.definition.to_owned(),
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Exports (CSV with French spreadsheet conventions, XLSX) and the CPOM report
// ---------------------------------------------------------------------------------------------

/// A cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cellule {
    Texte(String),
    Nombre(f64),
}

/// A table of the dashboard as exported: a name (sheet name), headings and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct TableExport {
    pub cle: &'static str,
    pub nom: String,
    pub colonnes: Vec<String>,
    pub lignes: Vec<Vec<Cellule>>,
}

fn table_lignes(
    cle: &'static str,
    nom: &str,
    premiere: &str,
    lignes: &[LigneStatistique],
) -> TableExport {
    TableExport {
        cle,
        nom: nom.to_owned(),
        colonnes: vec![
            premiere.to_owned(),
            "Consultations".to_owned(),
            "Part (%)".to_owned(),
        ],
        lignes: lignes
            .iter()
            .map(|l| {
                vec![
                    Cellule::Texte(l.libelle.clone()),
                    Cellule::Nombre(f64::from(l.nombre)),
                    Cellule::Nombre(l.part),
                ]
            })
            .collect(),
    }
}

fn minutes_texte(m: Option<u32>) -> Cellule {
    m.map_or(Cellule::Texte(String::new()), |m| {
        Cellule::Nombre(f64::from(m))
    })
}

/// Every table of the dashboard, in screen order.
pub fn tables_export(t: &TableauStatistiques) -> Vec<TableExport> {
    let n = |x: u32| Cellule::Nombre(f64::from(x));
    let synthese = TableExport {
        cle: "synthese",
        nom: "Synthèse".to_owned(),
        colonnes: vec!["Indicateur".into(), "Valeur".into(), "Part (%)".into()],
        lignes: vec![
            vec![
                Cellule::Texte("Période".into()),
                Cellule::Texte(match &t.garde {
                    Some(g) => format!("garde du {g}"),
                    None => format!("{} au {}", t.du, t.au),
                }),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Consultations".into()),
                n(t.consultations),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Patients régulés".into()),
                n(t.regules),
                Cellule::Nombre(t.part_regules),
            ],
            vec![
                Cellule::Texte("Visites à domicile".into()),
                n(t.visites),
                Cellule::Nombre(t.part_visites),
            ],
            vec![
                Cellule::Texte("Urgences, hospitalisation ou SAMU".into()),
                n(t.urgences_hospitalisation),
                Cellule::Nombre(t.part_urgences_hospitalisation),
            ],
            vec![
                Cellule::Texte("Retours sous 72 h".into()),
                n(t.retours_72h),
                Cellule::Nombre(t.part_retours_72h),
            ],
            vec![
                Cellule::Texte("Attente médiane (min)".into()),
                minutes_texte(t.attente.mediane),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Attente 90e centile (min)".into()),
                minutes_texte(t.attente.p90),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Durée médiane (min)".into()),
                minutes_texte(t.duree.mediane),
                Cellule::Texte(String::new()),
            ],
            vec![
                Cellule::Texte("Durée 90e centile (min)".into()),
                minutes_texte(t.duree.p90),
                Cellule::Texte(String::new()),
            ],
        ],
    };
    let mut heat = TableExport {
        cle: "carte_chaleur",
        nom: "Jour × heure".to_owned(),
        colonnes: std::iter::once("Jour".to_owned())
            .chain((0..24).map(|h| format!("{h} h")))
            .collect(),
        lignes: Vec::new(),
    };
    for (j, heures) in JOURS_SEMAINE.iter().zip(&t.carte_chaleur) {
        heat.lignes.push(
            std::iter::once(Cellule::Texte((*j).to_owned()))
                .chain(heures.iter().map(|x| n(*x)))
                .collect(),
        );
    }
    let montants = TableExport {
        cle: "montants",
        nom: "Montants".to_owned(),
        colonnes: vec!["Mode de paiement".into(), "Montant (€)".into()],
        lignes: t
            .montants
            .iter()
            .map(|m| {
                vec![
                    Cellule::Texte(m.libelle.clone()),
                    Cellule::Nombre(m.centimes as f64 / 100.0),
                ]
            })
            .collect(),
    };
    vec![
        synthese,
        table_lignes("par_mois", "Par mois", "Mois", &t.par_mois),
        table_lignes("par_jour", "Par jour", "Date de garde", &t.par_jour),
        table_lignes(
            "par_periode",
            "Par période",
            "Période de PDSA",
            &t.par_periode,
        ),
        table_lignes("par_heure", "Par heure", "Heure d'arrivée", &t.par_heure),
        table_lignes(
            "par_jour_semaine",
            "Par jour de semaine",
            "Jour",
            &t.par_jour_semaine,
        ),
        heat,
        table_lignes(
            "par_mode_arrivee",
            "Mode d'arrivée",
            "Mode d'arrivée",
            &t.par_mode_arrivee,
        ),
        table_lignes(
            "par_tranche_age",
            "Âge",
            "Tranche d'âge",
            &t.par_tranche_age,
        ),
        table_lignes("par_sexe", "Sexe", "Sexe", &t.par_sexe),
        table_lignes(
            "par_orientation",
            "Orientation",
            "Orientation",
            &t.par_orientation,
        ),
        table_lignes(
            "par_chapitre",
            "Chapitres CIM-10",
            "Chapitre",
            &t.par_chapitre,
        ),
        table_lignes(
            "par_categorie",
            "Diagnostics",
            "Catégorie CIM-10",
            &t.par_categorie,
        ),
        table_lignes(
            "par_chapitre_tous",
            "Chapitres, tous diagnostics",
            "Chapitre",
            &t.par_chapitre_tous,
        ),
        table_lignes(
            "par_categorie_tous",
            "Diagnostics, tous",
            "Catégorie CIM-10",
            &t.par_categorie_tous,
        ),
        table_lignes(
            "par_commune",
            "Communes",
            "Commune (code INSEE)",
            &t.par_commune,
        ),
        table_lignes("par_medecin", "Médecins", "Médecin", &t.par_medecin),
        montants,
    ]
}

/// A number the French way: decimal comma, no thousands separator (spreadsheets read it as a
/// number).
pub fn nombre_fr(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}").replace('.', ",")
    }
}

fn champ_csv(texte: &str) -> String {
    if texte.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", texte.replace('"', "\"\""))
    } else {
        texte.to_owned()
    }
}

/// The tables as one CSV file for a French spreadsheet: UTF-8 with a byte-order mark, `;` between
/// fields, decimal comma, CRLF line ends; each table starts with its name and is followed by an
/// empty line.
pub fn csv(tables: &[TableExport]) -> String {
    let mut out = String::from("\u{feff}");
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if tables.len() > 1 {
            out.push_str(&champ_csv(&t.nom));
            out.push_str("\r\n");
        }
        let entete: Vec<String> = t.colonnes.iter().map(|c| champ_csv(c)).collect();
        out.push_str(&entete.join(";"));
        out.push_str("\r\n");
        for l in &t.lignes {
            let champs: Vec<String> = l
                .iter()
                .map(|c| match c {
                    Cellule::Texte(s) => champ_csv(s),
                    Cellule::Nombre(x) => nombre_fr(*x),
                })
                .collect();
            out.push_str(&champs.join(";"));
            out.push_str("\r\n");
        }
    }
    out
}

/// The tables as an XLSX workbook, one sheet per table.
pub fn xlsx(tables: &[TableExport]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let erreur = |e: rust_xlsxwriter::XlsxError| {
        ApiError::internal(format!("Le classeur XLSX n'a pas pu être écrit : {e}"))
    };
    let mut classeur = Workbook::new();
    let gras = Format::new().set_bold();
    for t in tables {
        let feuille = classeur.add_worksheet();
        // Sheet names: at most 31 characters, none of : \ / ? * [ ].
        let nom: String = t
            .nom
            .chars()
            .filter(|c| !matches!(c, ':' | '\\' | '/' | '?' | '*' | '[' | ']'))
            .take(31)
            .collect();
        feuille.set_name(&nom).map_err(erreur)?;
        for (col, titre) in t.colonnes.iter().enumerate() {
            let col = u16::try_from(col).unwrap_or(u16::MAX);
            feuille
                .write_string_with_format(0, col, titre, &gras)
                .map_err(erreur)?;
        }
        for (ligne, cellules) in t.lignes.iter().enumerate() {
            let ligne = u32::try_from(ligne + 1).unwrap_or(u32::MAX);
            for (col, c) in cellules.iter().enumerate() {
                let col = u16::try_from(col).unwrap_or(u16::MAX);
                match c {
                    Cellule::Texte(s) => feuille.write_string(ligne, col, s),
                    Cellule::Nombre(x) => feuille.write_number(ligne, col, *x),
                }
                .map_err(erreur)?;
            }
        }
        feuille.set_column_width(0, 34).map_err(erreur)?;
    }
    classeur.save_to_buffer().map_err(erreur)
}

/// What to export: a period, a format (`csv` or `xlsx`) and optionally one table (its `cle`).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportStatistiques {
    pub du: String,
    pub au: String,
    pub format: String,
    #[serde(default)]
    #[ts(optional)]
    pub table: Option<String>,
    /// A PDSA slot code: then `du` must equal `au` and only that shift is exported.
    #[serde(default)]
    #[ts(optional)]
    pub periode: Option<String>,
}

/// An exported file, its bytes in base64 for the UI to save.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FichierExporte {
    pub nom: String,
    pub type_mime: String,
    pub base64: String,
}

impl Api {
    /// The dashboard of a period as a CSV or XLSX file.
    pub fn statistiques_exporter(
        &self,
        demande: ExportStatistiques,
    ) -> Result<FichierExporte, ApiError> {
        use base64::Engine;
        let tableau = match demande.periode.as_deref().filter(|p| !p.is_empty()) {
            None => self.statistiques_tableau(PeriodeStatistiques {
                du: demande.du.clone(),
                au: demande.au.clone(),
            })?,
            Some(p) => {
                if demande.du.trim() != demande.au.trim() {
                    return Err(erreur_periode(
                        "Une garde tient sur une seule date de garde : choisissez la même date de début et de fin.",
                    ));
                }
                self.statistiques_tableau_garde(GardeStatistiques {
                    date: demande.du.clone(),
                    periode: p.to_owned(),
                })?
            }
        };
        let mut tables = tables_export(&tableau);
        if let Some(cle) = demande.table.as_deref().filter(|c| !c.is_empty()) {
            tables.retain(|t| t.cle == cle);
            if tables.is_empty() {
                return Err(ApiError {
                    field: Some("table".to_owned()),
                    ..ApiError::new(ErrorCode::Validation, format!("Tableau inconnu : {cle}."))
                });
            }
        }
        let mut suffixe = demande
            .periode
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("-{}", p.trim().replace('_', "-")))
            .unwrap_or_default();
        suffixe.push_str(
            &demande
                .table
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(|c| format!("-{}", c.replace('_', "-")))
                .unwrap_or_default(),
        );
        let base = format!("statistiques-{}-{}{suffixe}", tableau.du, tableau.au);
        let (octets, nom, type_mime) = match demande.format.as_str() {
            "csv" => (
                csv(&tables).into_bytes(),
                format!("{base}.csv"),
                "text/csv;charset=utf-8",
            ),
            "xlsx" => (
                xlsx(&tables)?,
                format!("{base}.xlsx"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            autre => {
                return Err(ApiError {
                    field: Some("format".to_owned()),
                    ..ApiError::new(
                        ErrorCode::Validation,
                        format!("Format d'export inconnu « {autre} » : choisissez csv ou xlsx."),
                    )
                });
            }
        };
        Ok(FichierExporte {
            nom,
            type_mime: type_mime.to_owned(),
            base64: base64::engine::general_purpose::STANDARD.encode(octets),
        })
    }

    /// The CPOM activity report of a civil year as PDF bytes: consultations per month, number and
    /// share of regulated patients, PDSA periods, arrival modes, ages, orientations, diagnoses,
    /// amounts, and the definition of each indicator. Holds no patient data.
    pub fn rapport_cpom(&self, annee: i32) -> Result<Vec<u8>, ApiError> {
        let (Some(du), Some(au)) = (
            NaiveDate::from_ymd_opt(annee, 1, 1),
            NaiveDate::from_ymd_opt(annee, 12, 31),
        ) else {
            return Err(ApiError {
                field: Some("annee".to_owned()),
                ..ApiError::new(ErrorCode::Validation, format!("Année invalide : {annee}."))
            });
        };
        let cumuls = self.cumuls_statistiques(du, au)?;
        let dto = self.tableau_de(du, au, None)?;
        let mmg = self.store().mmg_identity()?;
        let (nom, departement) = mmg
            .map(|m| (m.nom, m.departement))
            .unwrap_or_else(|| ("Maison médicale de garde".to_owned(), String::new()));
        let entier = |x: u32| x.to_string();
        let pourcent = |x: f64| format!("{} %", nombre_fr(x));
        let avec_part = |n: u32, p: f64| format!("{n} ({})", pourcent(p));
        let minutes = |m: Option<u32>| m.map_or("—".to_owned(), |m| format!("{m} min"));
        let mut mois = Vec::new();
        let (mut t_c, mut t_r, mut t_v) = (0, 0, 0);
        for m in 1..=12 {
            let (Some(debut), Some(fin)) = (
                NaiveDate::from_ymd_opt(annee, m, 1),
                NaiveDate::from_ymd_opt(if m == 12 { annee + 1 } else { annee }, m % 12 + 1, 1)
                    .and_then(|d| d.pred_opt()),
            ) else {
                continue;
            };
            let c = Tableau::depuis_cumuls(debut, fin, &cumuls.jours).total;
            t_c += c.consultations;
            t_r += c.regules();
            t_v += c.visites;
            mois.push(vec![
                libelle_mois(annee, m),
                entier(c.consultations),
                entier(c.regules()),
                pourcent(part(c.regules(), c.consultations)),
                entier(c.visites),
            ]);
        }
        mois.push(vec![
            "Total".to_owned(),
            entier(t_c),
            entier(t_r),
            pourcent(part(t_r, t_c)),
            entier(t_v),
        ]);
        let simple = |titre: &str, premiere: &str, lignes: &[LigneStatistique]| TableauRapport {
            titre: titre.to_owned(),
            colonnes: vec![
                premiere.to_owned(),
                "Consultations".to_owned(),
                "Part".to_owned(),
            ],
            lignes: lignes
                .iter()
                .map(|l| vec![l.libelle.clone(), entier(l.nombre), pourcent(l.part)])
                .collect(),
        };
        let rapport = RapportActivite {
            titre: format!("Rapport d'activité {annee}"),
            mmg: nom,
            sous_titre: format!(
                "Du 1er janvier au 31 décembre {annee}{} · indicateurs du CPOM de la permanence des soins",
                if departement.is_empty() {
                    String::new()
                } else {
                    format!(" · département {departement}")
                }
            ),
            date: self.clock.now_local().date(),
            synthese: vec![
                ("Consultations".into(), entier(dto.consultations)),
                ("Patients régulés (Centre 15, 116 117, SAS)".into(), avec_part(dto.regules, dto.part_regules)),
                ("Visites à domicile".into(), avec_part(dto.visites, dto.part_visites)),
                ("Adressés aux urgences, hospitalisés ou SAMU".into(), avec_part(dto.urgences_hospitalisation, dto.part_urgences_hospitalisation)),
                ("Retours sous 72 heures".into(), avec_part(dto.retours_72h, dto.part_retours_72h)),
                ("Attente : médiane / 90e centile".into(), format!("{} / {}", minutes(dto.attente.mediane), minutes(dto.attente.p90))),
                ("Durée : médiane / 90e centile".into(), format!("{} / {}", minutes(dto.duree.mediane), minutes(dto.duree.p90))),
            ],
            tableaux: vec![
                TableauRapport {
                    titre: "Consultations par mois".into(),
                    colonnes: vec!["Mois".into(), "Consultations".into(), "Régulés".into(), "Part régulés".into(), "Visites".into()],
                    lignes: mois,
                },
                simple("Par période de permanence des soins", "Période", &dto.par_periode),
                simple("Par mode d'arrivée", "Mode d'arrivée", &dto.par_mode_arrivee),
                simple("Par tranche d'âge", "Tranche d'âge", &dto.par_tranche_age),
                simple("Par sexe", "Sexe", &dto.par_sexe),
                simple("Orientation à la sortie", "Orientation", &dto.par_orientation),
                simple("Chapitres CIM-10 du diagnostic principal", "Chapitre", &dto.par_chapitre),
                simple("Activité par médecin", "Médecin", &dto.par_medecin),
                TableauRapport {
                    titre: "Montants reçus par mode de paiement".into(),
                    colonnes: vec!["Mode de paiement".into(), "Montant".into()],
                    lignes: dto
                        .montants
                        .iter()
                        .map(|m| vec![m.libelle.clone(), euros(m.centimes)])
                        .collect(),
                },
            ],
            definitions: CATALOGUE
                .iter()
                .map(|i| (i.nom.to_owned(), i.definition.to_owned()))
                .collect(),
            notes: vec![
                "Petits effectifs conservés tels quels : ce rapport est destiné à l'ARS et à l'ADOPS, pas à une publication.".to_owned(),
            ],
        };
        rapport_activite_pdf(&rapport)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
    }
}

pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        PeriodeStatistiques::decl(cfg),
        LigneStatistique::decl(cfg),
        RepartitionDto::decl(cfg),
        MontantDto::decl(cfg),
        IndicateurDto::decl(cfg),
        TableauStatistiques::decl(cfg),
        ExportStatistiques::decl(cfg),
        FichierExporte::decl(cfg),
        GardeStatistiques::decl(cfg),
        GardeActive::decl(cfg),
    ]
}
