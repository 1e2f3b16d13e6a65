//! The activity indicators of an MMG, defined once.
//!
//! Every indicator the Statistiques screen, the CPOM report and the daily aggregate sent to the
//! ADOPS show is listed in [`CATALOGUE`] with a one-line French definition, and computed here from
//! [`Fait`]s: one anonymous line per consultation (no name, no birth date, no free text). So every
//! MMG of a département counts the same way.
//!
//! Two layers:
//! - [`Comptes`]: the additive counts of a set of consultations (they add up day by day, slot by
//!   slot, PC by PC); the daily aggregate is a `Comptes` per date and PDSA slot.
//! - [`Tableau`]: the dashboard of a period: the counts, plus what does not add up (shares, medians
//!   and 90th percentiles of exact durations, series per day, weekday, month, hour, heat-map).

use crate::{
    calendrier::{PeriodePdsa, date_de_garde},
    consultation::Orientation,
    garde::{Lieu, ModeArrivee, Sexe},
    syndromes::{CASES_AGE, ClasseAge, syndromes_de},
};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One indicator: its code (stable, used by exports), its French name and definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Indicateur {
    pub code: &'static str,
    pub nom: &'static str,
    pub definition: &'static str,
}

/// Every indicator, in display order. A new indicator gets a line here and a field in [`Comptes`]
/// or [`Tableau`].
pub const CATALOGUE: &[Indicateur] = &[
    Indicateur {
        code: "consultations",
        nom: "Consultations",
        definition: "Nombre de patients enregistrés à leur arrivée (consultations sur place et visites), brouillons compris.",
    },
    Indicateur {
        code: "par_jour",
        nom: "Consultations par jour de garde",
        definition: "Consultations par date de garde : une garde va de 8 h à 8 h le lendemain, une arrivée à 2 h compte pour la veille.",
    },
    Indicateur {
        code: "par_periode",
        nom: "Consultations par période de PDSA",
        definition: "Consultations selon la période de permanence des soins de l'heure d'arrivée (nuit, milieu de nuit, dimanche ou férié, samedi après-midi, pont, hors PDSA).",
    },
    Indicateur {
        code: "par_heure",
        nom: "Consultations par heure d'arrivée",
        definition: "Consultations selon l'heure (0 h à 23 h) de l'arrivée du patient.",
    },
    Indicateur {
        code: "par_jour_semaine",
        nom: "Consultations par jour de la semaine",
        definition: "Consultations selon le jour de la semaine (calendaire) de l'arrivée du patient.",
    },
    Indicateur {
        code: "par_mois",
        nom: "Consultations par mois",
        definition: "Consultations selon le mois de la date de garde.",
    },
    Indicateur {
        code: "carte_chaleur",
        nom: "Arrivées par jour de la semaine et heure",
        definition: "Consultations selon le jour de la semaine et l'heure de l'arrivée du patient.",
    },
    Indicateur {
        code: "part_regules",
        nom: "Part des patients régulés",
        definition: "Consultations adressées par un médecin régulateur (Centre 15, 116 117 ou SAS), rapportées à toutes les consultations.",
    },
    Indicateur {
        code: "par_mode_arrivee",
        nom: "Mode d'arrivée",
        definition: "Consultations selon la façon dont le patient est venu (régulé Centre 15, 116 117, SAS, spontané, adressé par un médecin ou un pharmacien, autre), et leur part.",
    },
    Indicateur {
        code: "par_tranche_age",
        nom: "Tranche d'âge",
        definition: "Consultations selon l'âge en années révolues du patient le jour de son arrivée (0-2, 3-5, 6-15, 16-44, 45-64, 65-74, 75 ans et plus).",
    },
    Indicateur {
        code: "par_sexe",
        nom: "Sexe",
        definition: "Consultations selon le sexe du patient (féminin, masculin, indéterminé).",
    },
    Indicateur {
        code: "par_orientation",
        nom: "Orientation",
        definition: "Consultations selon l'orientation du patient à la sortie ; non renseignée tant que la consultation n'en a pas.",
    },
    Indicateur {
        code: "part_urgences_hospitalisation",
        nom: "Part adressée aux urgences ou hospitalisée",
        definition: "Consultations orientées vers les urgences, une hospitalisation ou le SAMU/SMUR, rapportées à toutes les consultations.",
    },
    Indicateur {
        code: "visites",
        nom: "Visites à domicile",
        definition: "Consultations faites au domicile du patient.",
    },
    Indicateur {
        code: "par_chapitre_cim10",
        nom: "Chapitres CIM-10",
        definition: "Consultations selon le chapitre CIM-10 de leur diagnostic principal ; sans diagnostic principal, elles ne sont pas comptées.",
    },
    Indicateur {
        code: "par_categorie_cim10",
        nom: "Diagnostics les plus fréquents",
        definition: "Consultations selon la catégorie CIM-10 (trois caractères, ex. J06) de leur diagnostic principal, les plus fréquentes d'abord.",
    },
    Indicateur {
        code: "par_chapitre_cim10_tous",
        nom: "Chapitres CIM-10, tous diagnostics",
        definition: "Consultations ayant au moins un diagnostic (principal ou associé) dans le chapitre CIM-10 ; une consultation compte une fois par chapitre.",
    },
    Indicateur {
        code: "par_categorie_cim10_tous",
        nom: "Diagnostics les plus fréquents, tous diagnostics",
        definition: "Consultations ayant au moins un diagnostic (principal ou associé) de la catégorie CIM-10, les plus fréquentes d'abord ; une consultation compte une fois par catégorie.",
    },
    Indicateur {
        code: "attente",
        nom: "Temps d'attente",
        definition: "Minutes entre l'arrivée et le début de la consultation (médiane et 90e centile), pour les consultations commencées.",
    },
    Indicateur {
        code: "duree",
        nom: "Durée de consultation",
        definition: "Minutes entre le début et la fin de la consultation (médiane et 90e centile), pour les consultations terminées.",
    },
    Indicateur {
        code: "retours_72h",
        nom: "Retours sous 72 heures",
        definition: "Consultations d'un patient déjà venu à la MMG dans les 72 heures précédant son arrivée.",
    },
    Indicateur {
        code: "par_commune",
        nom: "Commune de résidence",
        definition: "Consultations selon la commune de résidence du patient (nom et code INSEE) ; sans code INSEE, elles ne sont pas comptées.",
    },
    Indicateur {
        code: "par_medecin",
        nom: "Activité par médecin",
        definition: "Consultations selon le médecin qui les a prises en charge ; sans médecin, elles ne sont pas comptées.",
    },
    Indicateur {
        code: "montants",
        nom: "Montants encaissés par mode de paiement",
        definition: "Sommes reçues (en euros) pour les consultations de la période selon le mode de paiement (espèces, chèque, carte, tiers payant AMO, AMC, C2S ou AME), hors paiements annulés et non réglés.",
    },
];

/// The indicator of code `code`.
pub fn indicateur(code: &str) -> Option<&'static Indicateur> {
    CATALOGUE.iter().find(|i| i.code == code)
}

// ---------------------------------------------------------------------------------------------
// Age bands
// ---------------------------------------------------------------------------------------------

/// Age bands of the statistics, in full years on the day of arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TrancheAge {
    De0a2,
    De3a5,
    De6a15,
    De16a44,
    De45a64,
    De65a74,
    De75EtPlus,
}

impl TrancheAge {
    pub const TOUTES: [TrancheAge; 7] = [
        TrancheAge::De0a2,
        TrancheAge::De3a5,
        TrancheAge::De6a15,
        TrancheAge::De16a44,
        TrancheAge::De45a64,
        TrancheAge::De65a74,
        TrancheAge::De75EtPlus,
    ];

    /// The band of someone born on `naissance`, on `le`; `None` when born after `le`.
    pub fn de(naissance: NaiveDate, le: NaiveDate) -> Option<TrancheAge> {
        let age = le.years_since(naissance)?;
        Some(match age {
            0..=2 => TrancheAge::De0a2,
            3..=5 => TrancheAge::De3a5,
            6..=15 => TrancheAge::De6a15,
            16..=44 => TrancheAge::De16a44,
            45..=64 => TrancheAge::De45a64,
            65..=74 => TrancheAge::De65a74,
            _ => TrancheAge::De75EtPlus,
        })
    }

    /// `0-2`, ..., `75+`: the label of tables and of the aggregate.
    pub fn libelle(self) -> &'static str {
        match self {
            TrancheAge::De0a2 => "0-2",
            TrancheAge::De3a5 => "3-5",
            TrancheAge::De6a15 => "6-15",
            TrancheAge::De16a44 => "16-44",
            TrancheAge::De45a64 => "45-64",
            TrancheAge::De65a74 => "65-74",
            TrancheAge::De75EtPlus => "75+",
        }
    }

    fn rang(self) -> usize {
        self as usize
    }
}

// ---------------------------------------------------------------------------------------------
// CIM-10 chapters
// ---------------------------------------------------------------------------------------------

/// The chapters of the CIM-10 (OMS numbering, used unchanged by the ATIH): first and last category
/// and a short French title.
pub const CHAPITRES_CIM10: &[(&str, &str, &str)] = &[
    ("A00", "B99", "Maladies infectieuses et parasitaires"),
    ("C00", "D48", "Tumeurs"),
    ("D50", "D89", "Sang et système immunitaire"),
    ("E00", "E90", "Maladies endocriniennes et métaboliques"),
    ("F00", "F99", "Troubles mentaux et du comportement"),
    ("G00", "G99", "Système nerveux"),
    ("H00", "H59", "Œil et annexes"),
    ("H60", "H95", "Oreille et apophyse mastoïde"),
    ("I00", "I99", "Appareil circulatoire"),
    ("J00", "J99", "Appareil respiratoire"),
    ("K00", "K93", "Appareil digestif"),
    ("L00", "L99", "Peau et tissu cellulaire sous-cutané"),
    ("M00", "M99", "Système ostéo-articulaire et muscles"),
    ("N00", "N99", "Appareil génito-urinaire"),
    ("O00", "O99", "Grossesse et accouchement"),
    ("P00", "P96", "Affections de la période périnatale"),
    ("Q00", "Q99", "Malformations congénitales"),
    ("R00", "R99", "Symptômes et signes non classés ailleurs"),
    ("S00", "T98", "Lésions traumatiques et empoisonnements"),
    ("U00", "U99", "Codes d'utilisation particulière"),
    ("V01", "Y98", "Causes externes"),
    ("Z00", "Z99", "Facteurs influant sur l'état de santé"),
];

/// The three-character category of a CIM-10 code (`J06.9` or `J069` -> `J06`), if it looks like one.
pub fn categorie_cim10(code: &str) -> Option<String> {
    let code: String = code
        .trim()
        .chars()
        .filter(|c| *c != '.')
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase();
    let b = code.as_bytes();
    (b.len() == 3 && b[0].is_ascii_uppercase() && b[1].is_ascii_digit() && b[2].is_ascii_digit())
        .then_some(code)
}

/// The chapter of a category, as `(first, last, title)`.
pub fn chapitre_cim10(
    categorie: &str,
) -> Option<&'static (&'static str, &'static str, &'static str)> {
    CHAPITRES_CIM10
        .iter()
        .find(|(de, a, _)| *de <= categorie && categorie <= *a)
}

/// `J00-J99`: the key of a chapter in counts.
pub fn cle_chapitre(chapitre: &(&str, &str, &str)) -> String {
    format!("{}-{}", chapitre.0, chapitre.1)
}

/// Is `code` an INSEE commune code (five digits, or `2A`/`2B` and three digits)?
pub fn est_code_insee(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && (b[..2].iter().all(u8::is_ascii_digit) || b[..2] == *b"2A" || b[..2] == *b"2B")
        && b[2..].iter().all(u8::is_ascii_digit)
}

// ---------------------------------------------------------------------------------------------
// Facts and counts
// ---------------------------------------------------------------------------------------------

/// Payment modes of the amounts received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ModePaiement {
    Especes,
    Cheque,
    Carte,
    TiersPayant,
    Autre,
}

impl ModePaiement {
    pub const TOUS: [ModePaiement; 5] = [
        ModePaiement::Especes,
        ModePaiement::Cheque,
        ModePaiement::Carte,
        ModePaiement::TiersPayant,
        ModePaiement::Autre,
    ];

    pub fn libelle(self) -> &'static str {
        match self {
            ModePaiement::Especes => "Espèces",
            ModePaiement::Cheque => "Chèque",
            ModePaiement::Carte => "Carte bancaire",
            ModePaiement::TiersPayant => "Tiers payant",
            ModePaiement::Autre => "Autre",
        }
    }

    /// The mode of a stored payment code (migration 0004: `especes`, `cheque`, `carte`,
    /// `tiers_payant_amo`, `tiers_payant_amc`, `c2s_ame`); unknown codes are `Autre`.
    pub fn depuis_code(code: &str) -> ModePaiement {
        match code {
            "especes" => ModePaiement::Especes,
            "cheque" => ModePaiement::Cheque,
            "carte" => ModePaiement::Carte,
            // The Assurance Maladie, a complementary insurer or the State (C2S, AME) pays.
            "tiers_payant_amo" | "tiers_payant_amc" | "c2s_ame" => ModePaiement::TiersPayant,
            _ => ModePaiement::Autre,
        }
    }
}

/// What the indicators need of one consultation. Holds no name, no birth date, no free text:
/// `patient` is an opaque local number used only to find returns within 72 hours, and it never
/// leaves this computation.
#[derive(Debug, Clone, PartialEq)]
pub struct Fait {
    pub patient: i64,
    pub arrivee: NaiveDateTime,
    pub debut: Option<NaiveDateTime>,
    pub fin: Option<NaiveDateTime>,
    pub mode_arrivee: ModeArrivee,
    pub lieu: Lieu,
    pub sexe: Sexe,
    pub tranche_age: Option<TrancheAge>,
    /// The age class of the syndromic indicators (Santé publique France's), same day of arrival.
    pub classe_age: Option<ClasseAge>,
    pub orientation: Option<Orientation>,
    /// The CIM-10 code of the principal diagnosis, as stored.
    pub diagnostic_principal: Option<String>,
    /// The CIM-10 codes of the associated diagnoses, as stored (the principal one left out).
    pub diagnostics_associes: Vec<String>,
    /// INSEE code of the patient's commune, when known.
    pub commune: Option<String>,
    /// The local id of the doctor who saw the patient.
    pub medecin: Option<i64>,
    /// Set by [`marquer_retours`].
    pub retour_72h: bool,
    /// Cents received for this consultation, by mode.
    pub montants: Vec<(ModePaiement, u64)>,
}

/// The window of a return: a patient seen again within this time after an earlier arrival.
pub const DELAI_RETOUR: Duration = Duration::hours(72);

/// Marks the facts whose patient arrived at the MMG within [`DELAI_RETOUR`] before (strictly
/// earlier arrival, at most 72 h before). `faits` must include the consultations of the 72 hours
/// before the period counted.
pub fn marquer_retours(faits: &mut [Fait]) {
    let mut ordre: Vec<usize> = (0..faits.len()).collect();
    ordre.sort_by_key(|&i| (faits[i].patient, faits[i].arrivee));
    let mut precedent: Option<(i64, NaiveDateTime)> = None;
    for i in ordre {
        let f = &mut faits[i];
        f.retour_72h = precedent.is_some_and(|(patient, arrivee)| {
            patient == f.patient && arrivee < f.arrivee && f.arrivee - arrivee <= DELAI_RETOUR
        });
        precedent = Some((f.patient, f.arrivee));
    }
}

/// Upper bounds (inclusive, minutes) of the duration histogram; the last bucket holds the rest.
/// The same as the wire aggregate's, so that histograms add up everywhere.
pub const BORNES_MINUTES: [u32; 11] = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240];

/// The histogram bucket of a duration.
pub fn case_minutes(minutes: u32) -> usize {
    BORNES_MINUTES
        .iter()
        .position(|&b| minutes <= b)
        .unwrap_or(BORNES_MINUTES.len())
}

fn minutes(de: NaiveDateTime, a: NaiveDateTime) -> Option<u32> {
    u32::try_from((a - de).num_minutes()).ok()
}

/// The additive counts of a set of consultations. Adding the `Comptes` of two disjoint sets gives
/// the `Comptes` of their union.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Comptes {
    pub consultations: u32,
    pub par_heure: [u32; 24],
    /// Indexed like [`ModeArrivee::ALL`].
    pub par_mode_arrivee: [u32; 7],
    /// Indexed like [`TrancheAge::TOUTES`], then unknown age.
    pub par_tranche_age: [u32; 8],
    /// F, M, I.
    pub par_sexe: [u32; 3],
    /// Indexed like [`Orientation::ALL`], then not given.
    pub par_orientation: [u32; 8],
    pub visites: u32,
    /// `J00-J99` -> consultations.
    pub par_chapitre: BTreeMap<String, u32>,
    /// `J06` -> consultations.
    pub par_categorie: BTreeMap<String, u32>,
    pub attente: [u32; 12],
    pub duree: [u32; 12],
    pub retours_72h: u32,
    pub par_commune: BTreeMap<String, u32>,
    pub par_medecin: BTreeMap<i64, u32>,
    /// Cents, indexed like [`ModePaiement::TOUS`].
    pub montants: [u64; 5],
    /// `J00-J99` -> consultations with at least one diagnosis (principal or associated) in it.
    pub par_chapitre_tous: BTreeMap<String, u32>,
    /// `J06` -> consultations with at least one diagnosis (principal or associated) of it.
    pub par_categorie_tous: BTreeMap<String, u32>,
    /// Consultations with at least one diagnosis (principal or associated), by age class
    /// (indexed like [`ClasseAge::TOUTES`], then unknown age): the denominator of the syndromes.
    pub avec_diagnostic: [u32; CASES_AGE],
    /// Syndrome code (`crate::syndromes`) -> consultations with at least one diagnosis in it
    /// (principal or associated), by age class like `avec_diagnostic`.
    pub par_syndrome: BTreeMap<String, [u32; CASES_AGE]>,
}

fn rang<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|a| a == x).unwrap_or(0)
}

impl Comptes {
    /// Counts one more consultation.
    pub fn ajouter(&mut self, f: &Fait) {
        self.consultations += 1;
        self.par_heure[f.arrivee.hour() as usize] += 1;
        self.par_mode_arrivee[rang(ModeArrivee::ALL, &f.mode_arrivee)] += 1;
        self.par_tranche_age[f.tranche_age.map_or(7, TrancheAge::rang)] += 1;
        self.par_sexe[rang(Sexe::ALL, &f.sexe)] += 1;
        self.par_orientation[f.orientation.map_or(7, |o| rang(Orientation::ALL, &o))] += 1;
        if f.lieu == Lieu::Domicile {
            self.visites += 1;
        }
        if let Some(categorie) = f.diagnostic_principal.as_deref().and_then(categorie_cim10) {
            if let Some(chapitre) = chapitre_cim10(&categorie) {
                *self.par_chapitre.entry(cle_chapitre(chapitre)).or_default() += 1;
            }
            *self.par_categorie.entry(categorie).or_default() += 1;
        }
        // Every diagnosis counts once per consultation in each category and chapter it falls in.
        let mut categories: Vec<String> = f
            .diagnostic_principal
            .iter()
            .chain(&f.diagnostics_associes)
            .filter_map(|code| categorie_cim10(code))
            .collect();
        categories.sort_unstable();
        categories.dedup();
        let mut chapitres: Vec<String> = categories
            .iter()
            .filter_map(|c| chapitre_cim10(c).map(cle_chapitre))
            .collect();
        chapitres.sort_unstable();
        chapitres.dedup();
        for chapitre in chapitres {
            *self.par_chapitre_tous.entry(chapitre).or_default() += 1;
        }
        for categorie in categories {
            *self.par_categorie_tous.entry(categorie).or_default() += 1;
        }
        let codes = f
            .diagnostic_principal
            .iter()
            .chain(&f.diagnostics_associes)
            .map(String::as_str)
            .filter(|c| !c.trim().is_empty());
        if codes.clone().next().is_some() {
            let age = f.classe_age.map_or(CASES_AGE - 1, ClasseAge::rang);
            self.avec_diagnostic[age] += 1;
            for syndrome in syndromes_de(codes) {
                self.par_syndrome.entry(syndrome.to_owned()).or_default()[age] += 1;
            }
        }
        if let Some(m) = f.debut.and_then(|d| minutes(f.arrivee, d)) {
            self.attente[case_minutes(m)] += 1;
        }
        if let Some(m) = f.debut.zip(f.fin).and_then(|(d, e)| minutes(d, e)) {
            self.duree[case_minutes(m)] += 1;
        }
        if f.retour_72h {
            self.retours_72h += 1;
        }
        if let Some(commune) = f.commune.as_deref().filter(|c| est_code_insee(c)) {
            *self.par_commune.entry(commune.to_owned()).or_default() += 1;
        }
        if let Some(medecin) = f.medecin {
            *self.par_medecin.entry(medecin).or_default() += 1;
        }
        for (mode, cents) in &f.montants {
            self.montants[rang(&ModePaiement::TOUS, mode)] += cents;
        }
    }

    /// Adds the counts of another, disjoint set of consultations.
    pub fn fusionner(&mut self, autre: &Comptes) {
        fn somme<const N: usize, T: Copy + std::ops::AddAssign>(a: &mut [T; N], b: &[T; N]) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += *y;
            }
        }
        fn somme_map<K: Ord + Clone>(a: &mut BTreeMap<K, u32>, b: &BTreeMap<K, u32>) {
            for (k, v) in b {
                *a.entry(k.clone()).or_default() += v;
            }
        }
        self.consultations += autre.consultations;
        somme(&mut self.par_heure, &autre.par_heure);
        somme(&mut self.par_mode_arrivee, &autre.par_mode_arrivee);
        somme(&mut self.par_tranche_age, &autre.par_tranche_age);
        somme(&mut self.par_sexe, &autre.par_sexe);
        somme(&mut self.par_orientation, &autre.par_orientation);
        self.visites += autre.visites;
        somme_map(&mut self.par_chapitre, &autre.par_chapitre);
        somme_map(&mut self.par_categorie, &autre.par_categorie);
        somme(&mut self.attente, &autre.attente);
        somme(&mut self.duree, &autre.duree);
        self.retours_72h += autre.retours_72h;
        somme_map(&mut self.par_commune, &autre.par_commune);
        somme_map(&mut self.par_medecin, &autre.par_medecin);
        somme(&mut self.montants, &autre.montants);
        somme_map(&mut self.par_chapitre_tous, &autre.par_chapitre_tous);
        somme_map(&mut self.par_categorie_tous, &autre.par_categorie_tous);
        somme(&mut self.avec_diagnostic, &autre.avec_diagnostic);
        for (syndrome, cases) in &autre.par_syndrome {
            somme(
                self.par_syndrome.entry(syndrome.clone()).or_default(),
                cases,
            );
        }
    }

    /// Consultations sent by a regulating doctor (Centre 15, 116 117, SAS).
    pub fn regules(&self) -> u32 {
        ModeArrivee::ALL
            .iter()
            .zip(self.par_mode_arrivee)
            .filter(|(m, _)| m.est_regule())
            .map(|(_, n)| n)
            .sum()
    }

    /// Consultations sent to the emergency department, hospitalised or taken by the SAMU/SMUR.
    pub fn urgences_ou_hospitalisation(&self) -> u32 {
        Orientation::ALL
            .iter()
            .zip(self.par_orientation)
            .filter(|(o, _)| {
                matches!(
                    o,
                    Orientation::Urgences | Orientation::Hospitalisation | Orientation::SamuSmur
                )
            })
            .map(|(_, n)| n)
            .sum()
    }
}

/// The day and PDSA slot a consultation is counted in: the garde date (8h to 8h) and the period of
/// its arrival.
pub fn jour_et_periode(
    arrivee: NaiveDateTime,
    periode_de: impl Fn(NaiveDateTime) -> PeriodePdsa,
) -> (NaiveDate, PeriodePdsa) {
    (date_de_garde(arrivee), periode_de(arrivee))
}

/// The counts of each (garde date, PDSA slot) that has at least one consultation.
pub fn comptes_quotidiens(
    faits: &[Fait],
    periode_de: impl Fn(NaiveDateTime) -> PeriodePdsa,
) -> BTreeMap<(NaiveDate, PeriodePdsa), Comptes> {
    let mut out: BTreeMap<(NaiveDate, PeriodePdsa), Comptes> = BTreeMap::new();
    for f in faits {
        out.entry(jour_et_periode(f.arrivee, &periode_de))
            .or_default()
            .ajouter(f);
    }
    out
}

/// The counts of one garde date and PDSA slot that the dashboard needs, all additive: the
/// [`Comptes`] plus the exact histograms (minute -> consultations) of waiting times and lengths,
/// from which medians and 90th percentiles are exact. The statistics cache stores one per date
/// and slot; merging those of a period gives its dashboard ([`Tableau::depuis_cumuls`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cumul {
    pub comptes: Comptes,
    /// Minutes of waiting -> consultations.
    pub attente: BTreeMap<u32, u32>,
    /// Minutes of consultation -> consultations.
    pub duree: BTreeMap<u32, u32>,
}

impl Cumul {
    /// Counts one more consultation.
    pub fn ajouter(&mut self, f: &Fait) {
        self.comptes.ajouter(f);
        if let Some(m) = f.debut.and_then(|d| minutes(f.arrivee, d)) {
            *self.attente.entry(m).or_default() += 1;
        }
        if let Some(m) = f.debut.zip(f.fin).and_then(|(d, e)| minutes(d, e)) {
            *self.duree.entry(m).or_default() += 1;
        }
    }

    /// Adds the counts of another, disjoint set of consultations.
    pub fn fusionner(&mut self, autre: &Cumul) {
        self.comptes.fusionner(&autre.comptes);
        for (m, n) in &autre.attente {
            *self.attente.entry(*m).or_default() += n;
        }
        for (m, n) in &autre.duree {
            *self.duree.entry(*m).or_default() += n;
        }
    }
}

/// The [`Cumul`] of each (garde date, PDSA slot) that has at least one consultation.
pub fn cumuls_quotidiens(
    faits: &[Fait],
    periode_de: impl Fn(NaiveDateTime) -> PeriodePdsa,
) -> BTreeMap<(NaiveDate, PeriodePdsa), Cumul> {
    let mut out: BTreeMap<(NaiveDate, PeriodePdsa), Cumul> = BTreeMap::new();
    for f in faits {
        out.entry(jour_et_periode(f.arrivee, &periode_de))
            .or_default()
            .ajouter(f);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The dashboard
// ---------------------------------------------------------------------------------------------

/// Median and 90th percentile of exact durations, in minutes (nearest-rank method).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Repartition {
    /// Durations counted.
    pub n: u32,
    pub mediane: Option<u32>,
    pub p90: Option<u32>,
}

impl Repartition {
    /// The same as [`Repartition::de`] from a histogram (value -> how many times).
    pub fn de_histogramme(histogramme: &BTreeMap<u32, u32>) -> Repartition {
        let n: u64 = histogramme.values().map(|&c| u64::from(c)).sum();
        let rang = |p: u64| -> Option<u32> {
            if n == 0 {
                return None;
            }
            let r = (p * n).div_ceil(100).max(1);
            let mut vus = 0u64;
            for (&valeur, &c) in histogramme {
                vus += u64::from(c);
                if vus >= r {
                    return Some(valeur);
                }
            }
            None
        };
        Repartition {
            n: u32::try_from(n).unwrap_or(u32::MAX),
            mediane: rang(50),
            p90: rang(90),
        }
    }

    /// Nearest-rank percentiles: the value of rank ceil(p × n) in the sorted list.
    pub fn de(mut valeurs: Vec<u32>) -> Repartition {
        valeurs.sort_unstable();
        let n = valeurs.len();
        let rang = |p: usize| -> Option<u32> {
            if n == 0 {
                return None;
            }
            let r = (p * n).div_ceil(100).max(1);
            valeurs.get(r - 1).copied()
        };
        Repartition {
            n: u32::try_from(n).unwrap_or(u32::MAX),
            mediane: rang(50),
            p90: rang(90),
        }
    }
}

/// The dashboard of a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tableau {
    /// The additive counts of the whole period.
    pub total: Comptes,
    /// Garde date -> consultations (every date of the period, zero included).
    pub par_jour: BTreeMap<NaiveDate, u32>,
    /// Indexed like [`PeriodePdsa::TOUTES`].
    pub par_periode: [u32; 6],
    /// Monday = 0 .. Sunday = 6, weekday of the arrival.
    pub par_jour_semaine: [u32; 7],
    /// `(year, month)` of the garde date -> consultations (every month of the period).
    pub par_mois: BTreeMap<(i32, u32), u32>,
    /// `[weekday][hour]` of the arrival.
    pub carte_chaleur: [[u32; 24]; 7],
    pub attente: Repartition,
    pub duree: Repartition,
}

impl Tableau {
    /// The dashboard of the garde dates `du..=au` from the facts (facts outside are ignored;
    /// returns must already be marked).
    pub fn calculer(
        faits: &[Fait],
        du: NaiveDate,
        au: NaiveDate,
        periode_de: impl Fn(NaiveDateTime) -> PeriodePdsa,
    ) -> Tableau {
        let mut t = Tableau::default();
        let mut jour = du;
        while jour <= au {
            t.par_jour.insert(jour, 0);
            t.par_mois.insert((jour.year(), jour.month()), 0);
            match jour.succ_opt() {
                Some(next) => jour = next,
                None => break,
            }
        }
        let mut attentes = Vec::new();
        let mut durees = Vec::new();
        for f in faits {
            let (date, periode) = jour_et_periode(f.arrivee, &periode_de);
            if date < du || date > au {
                continue;
            }
            t.total.ajouter(f);
            *t.par_jour.entry(date).or_default() += 1;
            *t.par_mois.entry((date.year(), date.month())).or_default() += 1;
            t.par_periode[rang(&PeriodePdsa::TOUTES, &periode)] += 1;
            let jour_semaine = f.arrivee.weekday().num_days_from_monday() as usize;
            t.par_jour_semaine[jour_semaine] += 1;
            t.carte_chaleur[jour_semaine][f.arrivee.hour() as usize] += 1;
            if let Some(m) = f.debut.and_then(|d| minutes(f.arrivee, d)) {
                attentes.push(m);
            }
            if let Some(m) = f.debut.zip(f.fin).and_then(|(d, e)| minutes(d, e)) {
                durees.push(m);
            }
        }
        t.attente = Repartition::de(attentes);
        t.duree = Repartition::de(durees);
        t
    }
}

impl Tableau {
    /// The dashboard of the garde dates `du..=au` from the [`Cumul`]s of their (date, slot)
    /// pairs (pairs outside are ignored): the same as [`Tableau::calculer`] on the facts they
    /// were made of. The weekday of an arrival follows from its garde date and hour: from 8 h it
    /// is the garde date, before 8 h the day after.
    pub fn depuis_cumuls<'a>(
        du: NaiveDate,
        au: NaiveDate,
        cumuls: impl IntoIterator<Item = (&'a (NaiveDate, PeriodePdsa), &'a Cumul)>,
    ) -> Tableau {
        let mut t = Tableau::default();
        let mut jour = du;
        while jour <= au {
            t.par_jour.insert(jour, 0);
            t.par_mois.insert((jour.year(), jour.month()), 0);
            match jour.succ_opt() {
                Some(next) => jour = next,
                None => break,
            }
        }
        let mut attente: BTreeMap<u32, u32> = BTreeMap::new();
        let mut duree: BTreeMap<u32, u32> = BTreeMap::new();
        for ((date, periode), c) in cumuls {
            if *date < du || *date > au || c.comptes.consultations == 0 {
                continue;
            }
            let n = c.comptes.consultations;
            t.total.fusionner(&c.comptes);
            *t.par_jour.entry(*date).or_default() += n;
            *t.par_mois.entry((date.year(), date.month())).or_default() += n;
            t.par_periode[rang(&PeriodePdsa::TOUTES, periode)] += n;
            let soir = date.weekday().num_days_from_monday() as usize;
            let matin = (soir + 1) % 7;
            for (heure, &k) in c.comptes.par_heure.iter().enumerate() {
                let jour_semaine = if heure < 8 { matin } else { soir };
                t.par_jour_semaine[jour_semaine] += k;
                t.carte_chaleur[jour_semaine][heure] += k;
            }
            for (m, k) in &c.attente {
                *attente.entry(*m).or_default() += k;
            }
            for (m, k) in &c.duree {
                *duree.entry(*m).or_default() += k;
            }
        }
        t.attente = Repartition::de_histogramme(&attente);
        t.duree = Repartition::de_histogramme(&duree);
        t
    }
}

#[cfg(test)]
mod tests;
