//! The cotation engine: from the context of a consultation (time, day, regulation, age, visit) to the
//! NGAP acts, their amounts from the tariff table valid on the date, and a French explanation of each.
//!
//! Rules live here, in code, each with its source; amounts live in data ([`TableTarifs`]). A code
//! the rules call for but the table does not price on that date is never counted as zero: the base
//! act (G or VG) is an error, a majoration is listed in [`Cotation::avertissements`] and left out of
//! the total.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

pub use crate::error::CotationError;

use crate::calendrier::{CalendrierPdsa, PeriodePdsa, est_ferie, instant_paris};
use crate::error::date_fr;
use crate::tarifs::{Montant, TableTarifs};

/// Since the 2024 medical convention (effective 2024-12-22) the non-regulated majorations MN, MM and F
/// are only for a genuine emergency ("urgence avérée"); before, they applied to every act in their
/// hours (DOMAIN.md, billing table). This is a rule date, not a tariff, hence a constant.
pub const DATE_URGENCE_AVEREE: NaiveDate =
    NaiveDate::from_ymd_opt(2024, 12, 22).expect("2024-12-22 is a valid date");

/// Everything the rules need to know about one consultation.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContexteCotation {
    /// Wall-clock time of the act in metropolitan France (Europe/Paris).
    pub date_heure: NaiveDateTime,
    /// The MMG's département, for the Alsace-Moselle holidays.
    pub departement: String,
    /// The PDSA periods organised where the MMG is.
    #[serde(default)]
    pub calendrier: CalendrierPdsa,
    /// Sent by a regulating doctor (Centre 15, 116 117, SAS).
    #[serde(default)]
    pub regule: bool,
    /// The patient's date of birth; `None` when unknown (MEG is then not examined, with a warning).
    #[serde(default)]
    pub date_naissance: Option<NaiveDate>,
    /// A home visit rather than a consultation at the MMG.
    #[serde(default)]
    pub visite: bool,
    /// For a non-regulated patient: the doctor states a genuine emergency (needed for MN/MM/F since
    /// 2024-12-22).
    #[serde(default)]
    pub urgence_averee: bool,
}

impl ContexteCotation {
    /// A consultation at the MMG, not regulated, birth date unknown, default calendar.
    pub fn new(date_heure: NaiveDateTime, departement: &str) -> Self {
        Self {
            date_heure,
            departement: departement.to_owned(),
            calendrier: CalendrierPdsa::default(),
            regule: false,
            date_naissance: None,
            visite: false,
            urgence_averee: false,
        }
    }
}

impl fmt::Debug for ContexteCotation {
    /// The date of birth is patient data: it never appears in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContexteCotation")
            .field("date_heure", &self.date_heure)
            .field("departement", &self.departement)
            .field("calendrier", &self.calendrier)
            .field("regule", &self.regule)
            .field("date_naissance", &self.date_naissance.map(|_| "<masquée>"))
            .field("visite", &self.visite)
            .field("urgence_averee", &self.urgence_averee)
            .finish()
    }
}

/// One NGAP act of the cotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acte {
    pub code: String,
    pub libelle: String,
    pub montant_centimes: i64,
    /// One French line saying why this act applies.
    pub explication: String,
}

impl Acte {
    pub fn montant(&self) -> Montant {
        Montant::from_centimes(self.montant_centimes)
    }
}

/// The proposed cotation of one consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cotation {
    /// Base act first (G or VG), then MEG, then the PDSA majoration.
    pub actes: Vec<Acte>,
    /// Sum of the acts' amounts.
    pub total_centimes: i64,
    /// The PDSA period the consultation falls in.
    pub periode: PeriodePdsa,
    /// Things the doctor must check or do by hand (a code without an amount, an unknown birth date).
    pub avertissements: Vec<String>,
    /// Why a rule did or did not apply (holiday overridden by the night, emergency not stated...).
    pub notes: Vec<String>,
}

impl Cotation {
    pub fn total(&self) -> Montant {
        Montant::from_centimes(self.total_centimes)
    }

    /// The total in euros as a float, for the CLI's display only.
    pub fn total_eur(&self) -> f64 {
        self.total().euros_f64()
    }

    /// The codes in order, e.g. `["G", "MEG", "CRN"]`.
    pub fn codes(&self) -> Vec<&str> {
        self.actes.iter().map(|a| a.code.as_str()).collect()
    }

    /// One line such as "G + MEG + CRN = 77,50 €".
    pub fn resume(&self) -> String {
        format!("{} = {}", self.codes().join(" + "), self.total())
    }
}

/// Proposes the cotation of a consultation, priced with the table valid on its date.
///
/// Rules (NGAP and DOMAIN.md "Billing at the garde"):
/// 1. base act G (consultation) or VG (home visit);
/// 2. MEG when the patient is under 6 on the day (the day before the 6th birthday yes, on it no);
/// 3. regulated patient in PDSA hours: CRN/VRN (20h–0h, 6h–8h), CRM/VRM (0h–6h), CRD/VRD (Sunday or
///    holiday 8h–20h), CRS/VRS (Saturday afternoon, pont day, per calendar);
/// 4. non-regulated patient: MN (20h–0h, 6h–8h), MM (0h–6h), F (Sunday or holiday 8h–20h); since
///    2024-12-22 only when an emergency is stated ([`DATE_URGENCE_AVEREE`]);
/// 5. outside PDSA hours, no PDSA majoration.
pub fn proposer(ctx: &ContexteCotation, table: &TableTarifs) -> Result<Cotation, CotationError> {
    let when = ctx.date_heure;
    let date = when.date();
    let mut builder = Builder {
        table,
        date,
        actes: Vec::new(),
        avertissements: Vec::new(),
        notes: Vec::new(),
    };

    if instant_paris(when)?.ambigu {
        builder.notes.push(format!(
            "Le {} à {} existe deux fois (passage à l'heure d'hiver) : la première occurrence (heure d'été) est retenue ; la cotation est la même dans les deux cas.",
            date_fr(date),
            when.format("%H:%M")
        ));
    }
    let age = match ctx.date_naissance {
        Some(naissance) if naissance > date => {
            return Err(CotationError::NaissanceApresConsultation);
        }
        Some(naissance) => Some(age_revolu(naissance, date)),
        None => None,
    };
    let periode = ctx.calendrier.slot_of(when, &ctx.departement);
    let ferie = est_ferie(date, &ctx.departement);

    // 1. Base act (NGAP: G consultation, VG visit; DOMAIN.md: G = VG = 30 € since 2024-12-22).
    // Uncertain: VG before 2024-12-22 is not in the reference table ("valeur antérieure à vérifier");
    // a visit before that date is then refused with TarifAbsent rather than priced with a guess.
    let (base, quoi) = if ctx.visite {
        ("VG", "visite à domicile")
    } else {
        ("G", "consultation")
    };
    let tarif = table
        .tarif(base, date)
        .ok_or_else(|| CotationError::TarifAbsent {
            code: base.into(),
            date,
        })?;
    builder.push_priced(
        base,
        tarif.libelle.clone(),
        tarif.montant,
        format!(
            "{base} : {quoi} de médecine générale, tarif en vigueur le {}",
            date_fr(date)
        ),
    );

    // 2. MEG (NGAP, convention 2016): child under 6 on the day of the act. Applied to G and VG alike.
    match age {
        Some(age) if age < 6 => builder.push(
            "MEG",
            format!("MEG : enfant de moins de 6 ans ({} le jour de la consultation)", age_fr(age)),
        ),
        Some(_) => {}
        None => builder.avertissements.push(
            "Date de naissance inconnue : la majoration enfant de moins de 6 ans (MEG) n'a pas pu être examinée.".into(),
        ),
    }

    // 3./4./5. PDSA majoration.
    let heures_nuit = if when.hour() < 8 {
        "entre 6 h et 8 h"
    } else {
        "entre 20 h et minuit"
    };
    let jour = match ferie {
        Some(nom) => format!("un jour férié ({nom})"),
        None => "un dimanche".to_owned(),
    };
    if let (Some(nom), PeriodePdsa::Nuit | PeriodePdsa::MilieuDeNuit) = (ferie, periode) {
        builder.notes.push(format!(
            "{nom} est un jour férié, mais de 20 h à 8 h c'est la majoration de nuit qui s'applique."
        ));
    }
    if ctx.regule {
        // NGAP PDSA majorations for regulated patients (CR* consultation, VR* visit); not cumulative
        // with MN/MM/F. Uncertain: VRD and VRS amounts are not confirmed, so the reference table has
        // none and they end up as warnings unless a newer table prices them.
        let (c, v) = if ctx.visite {
            ("V", "visite régulée")
        } else {
            ("C", "consultation régulée")
        };
        match periode {
            PeriodePdsa::Nuit => builder.push(&format!("{c}RN"), format!("{c}RN : {v} {heures_nuit}")),
            PeriodePdsa::MilieuDeNuit => builder.push(&format!("{c}RM"), format!("{c}RM : {v} entre minuit et 6 h")),
            PeriodePdsa::DimancheFerie => {
                builder.push(&format!("{c}RD"), format!("{c}RD : {v} {jour} entre 8 h et 20 h"))
            }
            PeriodePdsa::SamediApresMidi => builder.push(
                &format!("{c}RS"),
                format!("{c}RS : {v} le samedi après-midi (à partir de {} h)", ctx.calendrier.debut_samedi.heure()),
            ),
            PeriodePdsa::Pont => {
                let pourquoi = ctx.calendrier.jour_de_pont(date, &ctx.departement).map_or("jour de pont", |p| p.libelle());
                builder.push(&format!("{c}RS"), format!("{c}RS : {v} un jour de pont ({pourquoi}) entre 8 h et 20 h"))
            }
            PeriodePdsa::HorsPdsa => builder
                .notes
                .push("Patient régulé hors des horaires de permanence des soins : pas de majoration PDSA.".into()),
        }
    } else {
        // NGAP non-regulated majorations of night, mid-night, Sunday and holiday.
        let majoration = match periode {
            PeriodePdsa::Nuit => Some((
                "MN",
                format!("majoration de nuit hors régulation, {heures_nuit}"),
            )),
            PeriodePdsa::MilieuDeNuit => Some((
                "MM",
                "majoration de milieu de nuit hors régulation, entre minuit et 6 h".to_owned(),
            )),
            PeriodePdsa::DimancheFerie => Some((
                "F",
                format!("majoration hors régulation {jour} entre 8 h et 20 h"),
            )),
            PeriodePdsa::SamediApresMidi | PeriodePdsa::Pont => {
                // DOMAIN.md lists F for Sundays and holidays only; whether F also covers Saturday
                // afternoon and pont days for a non-regulated patient is not confirmed, so none is
                // proposed and the note says so.
                builder.notes.push(
                    "Samedi après-midi ou jour de pont hors régulation : aucune majoration proposée (CRS n'existe que pour un patient régulé).".into(),
                );
                None
            }
            PeriodePdsa::HorsPdsa => None,
        };
        if let Some((code, texte)) = majoration {
            if date < DATE_URGENCE_AVEREE {
                builder.push(code, format!("{code} : {texte} (règle antérieure au 22/12/2024, sans condition d'urgence)"));
            } else if ctx.urgence_averee {
                builder.push(code, format!("{code} : {texte}, urgence avérée"));
            } else {
                builder.notes.push(format!(
                    "{code} non proposée : depuis le 22/12/2024, les majorations hors régulation sont réservées aux urgences avérées ; cochez « urgence avérée » si c'est le cas."
                ));
            }
        }
    }

    Ok(builder.finish(periode))
}

struct Builder<'a> {
    table: &'a TableTarifs,
    date: NaiveDate,
    actes: Vec<Acte>,
    avertissements: Vec<String>,
    notes: Vec<String>,
}

impl Builder<'_> {
    fn push_priced(&mut self, code: &str, libelle: String, montant: Montant, explication: String) {
        self.actes.push(Acte {
            code: code.to_owned(),
            libelle,
            montant_centimes: montant.centimes(),
            explication,
        });
    }

    /// Adds `code` priced from the table; a code the table does not price on the date becomes a
    /// warning, never a zero.
    fn push(&mut self, code: &str, explication: String) {
        match self.table.tarif(code, self.date) {
            Some(tarif) => self.push_priced(code, tarif.libelle.clone(), tarif.montant, explication),
            None => self.avertissements.push(format!(
                "{explication} — mais la table des tarifs n'a pas de montant pour {code} au {} ; non compté dans le total : à vérifier et à coter à la main.",
                date_fr(self.date)
            )),
        }
    }

    fn finish(self, periode: PeriodePdsa) -> Cotation {
        let total: Montant = self.actes.iter().map(Acte::montant).sum();
        Cotation {
            actes: self.actes,
            total_centimes: total.centimes(),
            periode,
            avertissements: self.avertissements,
            notes: self.notes,
        }
    }
}

/// Age in completed years on `date`. A child born on 29 February turns a year older on 1 March in a
/// common year (on 28 February the anniversary has not come yet).
pub fn age_revolu(naissance: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = date.year() - naissance.year();
    if (date.month(), date.day()) < (naissance.month(), naissance.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

fn age_fr(age: u32) -> String {
    match age {
        0 => "moins d'un an".into(),
        1 => "1 an".into(),
        n => format!("{n} ans"),
    }
}
