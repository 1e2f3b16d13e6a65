//! The dashboard of the Statistiques screen: the figures of a period or of one garde, each from
//! `appligarde_domain::indicateurs`.

use super::agregats::{cle_medecin, periode, slot, verifier_periode};
use crate::{Api, ApiError, ErrorCode, session::Besoin};
use appligarde_domain::{
    calendrier::PeriodePdsa,
    consultation::Orientation,
    garde::{ModeArrivee, Sexe},
    indicateurs::{
        CATALOGUE, CHAPITRES_CIM10, Cumul, Fait, ModePaiement, Repartition, Tableau, TrancheAge,
        cle_chapitre,
    },
};
use appligarde_protocol::PdsaSlot;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

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

pub(crate) const JOURS_SEMAINE: [&str; 7] = [
    "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
];

/// "1234,50 €".
pub(crate) fn euros(centimes: i64) -> String {
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
    let nom = appligarde_domain::calendrier::MOIS
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
