//! The garde clock: French public holidays (computed, never listed), the PDSA periods of
//! CSP R.6315-1 as configured by each MMG, the MMG's own opening slots, the legal time of Paris, and
//! the French names of the months ([`MOIS`], for every document and report that writes a date).
//!
//! Every function takes the local date-time as a parameter (wall-clock time in metropolitan France);
//! nothing here reads the clock. The PDSA rules are stated in wall-clock hours, so [`CalendrierPdsa::slot_of`]
//! works on a [`NaiveDateTime`]; only [`instant_paris`] deals with daylight-saving time.

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::CotationError;

// ---------------------------------------------------------------------------------------------
// Month names
// ---------------------------------------------------------------------------------------------

/// The French names of the months, January first, in lower case as a date writes them
/// ("23 novembre 2026", "mars 2026").
pub const MOIS: [&str; 12] = [
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

/// The French name of month `mois`, numbered as [`Datelike::month`] does (1 = janvier, 12 =
/// décembre); `None` outside 1..=12.
pub fn nom_du_mois(mois: u32) -> Option<&'static str> {
    let index = usize::try_from(mois.checked_sub(1)?).ok()?;
    MOIS.get(index).copied()
}

// ---------------------------------------------------------------------------------------------
// Public holidays
// ---------------------------------------------------------------------------------------------

/// The first and last years for which holidays are computed. The Gregorian computus only makes sense
/// from 1583; outside this range [`jours_feries`] is empty (the current list of holidays is applied to
/// every year of the range, without history: 8 May, for instance, is treated as a holiday in 1900 too).
pub const ANNEES_CALCULEES: std::ops::RangeInclusive<i32> = 1583..=9999;

/// Easter Sunday of `year` by the Gregorian computus (the "anonymous" Meeus/Jones/Butcher algorithm).
/// `None` outside [`ANNEES_CALCULEES`].
pub fn paques(year: i32) -> Option<NaiveDate> {
    if !ANNEES_CALCULEES.contains(&year) {
        return None;
    }
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n / 31).ok()?;
    let day = u32::try_from(n % 31 + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// True for the three départements of Alsace-Moselle (Bas-Rhin 67, Haut-Rhin 68, Moselle 57), which keep
/// two more public holidays (local law, Code du travail L.3134-13; DOMAIN.md "French public holidays").
pub fn est_alsace_moselle(departement: &str) -> bool {
    matches!(departement.trim(), "57" | "67" | "68")
}

/// The public holidays of `year` in `departement`, sorted by date, with their French names.
///
/// Source: Code du travail L.3133-1 (the eleven national holidays), L.3134-13 (Alsace-Moselle: Good
/// Friday and 26 December); summarised in DOMAIN.md "French public holidays". Overseas départements
/// have more holidays (abolition of slavery...) that are not computed yet.
pub fn jours_feries(year: i32, departement: &str) -> Vec<(NaiveDate, &'static str)> {
    let Some(easter) = paques(year) else {
        return Vec::new();
    };
    let fixed: [(u32, u32, &'static str); 8] = [
        (1, 1, "Jour de l'an"),
        (5, 1, "Fête du Travail"),
        (5, 8, "Victoire 1945"),
        (7, 14, "Fête nationale"),
        (8, 15, "Assomption"),
        (11, 1, "Toussaint"),
        (11, 11, "Armistice 1918"),
        (12, 25, "Noël"),
    ];
    let mut days: Vec<(NaiveDate, &'static str)> = fixed
        .iter()
        .filter_map(|&(m, d, name)| NaiveDate::from_ymd_opt(year, m, d).map(|date| (date, name)))
        .collect();
    let after_easter =
        |n: u64, name: &'static str| easter.checked_add_days(Days::new(n)).map(|d| (d, name));
    days.extend(after_easter(1, "Lundi de Pâques"));
    days.extend(after_easter(39, "Ascension"));
    days.extend(after_easter(50, "Lundi de Pentecôte"));
    if est_alsace_moselle(departement) {
        days.extend(
            easter
                .checked_sub_days(Days::new(2))
                .map(|d| (d, "Vendredi saint")),
        );
        days.extend(NaiveDate::from_ymd_opt(year, 12, 26).map(|d| (d, "Saint-Étienne")));
    }
    days.sort_by_key(|&(date, _)| date);
    days
}

/// The French name of the public holiday on `date` in `departement`, if it is one.
pub fn est_ferie(date: NaiveDate, departement: &str) -> Option<&'static str> {
    jours_feries(date.year(), departement)
        .into_iter()
        .find(|&(d, _)| d == date)
        .map(|(_, name)| name)
}

// ---------------------------------------------------------------------------------------------
// PDSA periods
// ---------------------------------------------------------------------------------------------

/// The PDSA period a local date-time falls in (CSP R.6315-1, DOMAIN.md "The garde clock").
///
/// A night belongs to the garde: 23:59 is [`PeriodePdsa::Nuit`] and 00:00 is
/// [`PeriodePdsa::MilieuDeNuit`], both PDSA. The split of the night follows the NGAP majorations
/// (CRN 20h–0h and 6h–8h, CRM 0h–6h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodePdsa {
    /// 20h–24h and 6h–8h, every day.
    Nuit,
    /// 0h–6h, every day.
    MilieuDeNuit,
    /// Sundays and public holidays, 8h–20h.
    DimancheFerie,
    /// Saturday from 12h (or 14h, per calendar) to 20h, when the calendar organises it.
    SamediApresMidi,
    /// A "pont" day, 8h–20h: Monday before a holiday, Friday or Saturday after one, per calendar.
    Pont,
    /// Outside PDSA hours: the doctors' ordinary opening hours.
    HorsPdsa,
}

impl PeriodePdsa {
    /// Every period, in display order (for statistics tables).
    pub const TOUTES: [PeriodePdsa; 6] = [
        PeriodePdsa::Nuit,
        PeriodePdsa::MilieuDeNuit,
        PeriodePdsa::DimancheFerie,
        PeriodePdsa::SamediApresMidi,
        PeriodePdsa::Pont,
        PeriodePdsa::HorsPdsa,
    ];

    /// True for every period but [`PeriodePdsa::HorsPdsa`].
    pub fn est_pdsa(self) -> bool {
        self != PeriodePdsa::HorsPdsa
    }

    /// French label for screens and statistics.
    pub fn libelle(self) -> &'static str {
        match self {
            PeriodePdsa::Nuit => "Nuit (20 h – minuit, 6 h – 8 h)",
            PeriodePdsa::MilieuDeNuit => "Milieu de nuit (minuit – 6 h)",
            PeriodePdsa::DimancheFerie => "Dimanche ou jour férié (8 h – 20 h)",
            PeriodePdsa::SamediApresMidi => "Samedi après-midi",
            PeriodePdsa::Pont => "Jour de pont (8 h – 20 h)",
            PeriodePdsa::HorsPdsa => "Hors permanence des soins",
        }
    }
}

/// When the Saturday-afternoon PDSA period starts (CSP R.6315-1 says "à partir de midi"; some
/// départements start at 14h, DOMAIN.md "The garde clock").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebutSamedi {
    #[default]
    Midi,
    QuatorzeHeures,
}

impl DebutSamedi {
    /// The starting hour (12 or 14).
    pub fn heure(self) -> u32 {
        match self {
            DebutSamedi::Midi => 12,
            DebutSamedi::QuatorzeHeures => 14,
        }
    }
}

/// Why a day is a "pont" (bridge) day of the PDSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JourPont {
    /// The Monday before a public holiday (a Tuesday).
    LundiVeilleFerie,
    /// The Friday after a public holiday (a Thursday: Ascension...).
    VendrediLendemainFerie,
    /// The Saturday after a public holiday (a Friday).
    SamediLendemainFerie,
}

impl JourPont {
    /// French wording for explanations ("lundi veille de jour férié").
    pub fn libelle(self) -> &'static str {
        match self {
            JourPont::LundiVeilleFerie => "lundi veille de jour férié",
            JourPont::VendrediLendemainFerie => "vendredi lendemain de jour férié",
            JourPont::SamediLendemainFerie => "samedi lendemain de jour férié",
        }
    }
}

/// The PDSA periods an MMG's département organises, beyond the legal ones (every night 20h–8h,
/// Sundays and holidays 8h–20h, which cannot be switched off).
///
/// Source: CSP R.6315-1 — "en fonction des besoins de la population", the ARS may add Saturday from
/// noon, the Monday before a holiday, and the Friday and Saturday after one (DOMAIN.md). The
/// `Default` is the widest legal calendar: Saturday from 12h and every pont.
///
/// Interpretation (uncertain): "le vendredi et le samedi lorsqu'ils suivent un jour férié" is read as
/// the day *immediately* after the holiday; so the Saturday after Ascension (a Thursday) is an ordinary
/// Saturday, whose afternoon is covered by `samedi_apres_midi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct CalendrierPdsa {
    /// Saturday afternoon is a PDSA period.
    pub samedi_apres_midi: bool,
    /// When the Saturday afternoon starts.
    pub debut_samedi: DebutSamedi,
    /// The Monday before a public holiday is a PDSA day (8h–20h).
    pub lundi_veille_ferie: bool,
    /// The Friday after a public holiday is a PDSA day (8h–20h).
    pub vendredi_lendemain_ferie: bool,
    /// The Saturday after a public holiday is a PDSA day (8h–20h).
    pub samedi_lendemain_ferie: bool,
}

impl Default for CalendrierPdsa {
    fn default() -> Self {
        Self {
            samedi_apres_midi: true,
            debut_samedi: DebutSamedi::Midi,
            lundi_veille_ferie: true,
            vendredi_lendemain_ferie: true,
            samedi_lendemain_ferie: true,
        }
    }
}

impl CalendrierPdsa {
    /// The calendar with only the periods the law imposes everywhere: nights, Sundays and holidays.
    pub fn legal_minimum() -> Self {
        Self {
            samedi_apres_midi: false,
            debut_samedi: DebutSamedi::Midi,
            lundi_veille_ferie: false,
            vendredi_lendemain_ferie: false,
            samedi_lendemain_ferie: false,
        }
    }

    /// Whether `date` is a pont day of this calendar, and why. A public holiday is never a pont.
    pub fn jour_de_pont(&self, date: NaiveDate, departement: &str) -> Option<JourPont> {
        if est_ferie(date, departement).is_some() {
            return None;
        }
        let ferie_a = |d: Option<NaiveDate>| d.and_then(|d| est_ferie(d, departement)).is_some();
        match date.weekday() {
            Weekday::Mon if self.lundi_veille_ferie && ferie_a(date.succ_opt()) => {
                Some(JourPont::LundiVeilleFerie)
            }
            Weekday::Fri if self.vendredi_lendemain_ferie && ferie_a(date.pred_opt()) => {
                Some(JourPont::VendrediLendemainFerie)
            }
            Weekday::Sat if self.samedi_lendemain_ferie && ferie_a(date.pred_opt()) => {
                Some(JourPont::SamediLendemainFerie)
            }
            _ => None,
        }
    }

    /// The PDSA period of a local (Paris wall-clock) date-time. This is the slot statistics count
    /// consultations in.
    ///
    /// Rules, in order (CSP R.6315-1; night split from NGAP CRN/CRM; DOMAIN.md "The garde clock"):
    /// 0h–6h milieu de nuit, 6h–8h and 20h–24h nuit, every day; 8h–20h: Sunday or public holiday,
    /// then pont day (per calendar), then Saturday from 12h/14h (per calendar), else outside PDSA.
    pub fn slot_of(&self, local: NaiveDateTime, departement: &str) -> PeriodePdsa {
        let hour = local.hour();
        if hour < 6 {
            return PeriodePdsa::MilieuDeNuit;
        }
        if !(8..20).contains(&hour) {
            return PeriodePdsa::Nuit;
        }
        let date = local.date();
        if date.weekday() == Weekday::Sun || est_ferie(date, departement).is_some() {
            PeriodePdsa::DimancheFerie
        } else if self.jour_de_pont(date, departement).is_some() {
            PeriodePdsa::Pont
        } else if date.weekday() == Weekday::Sat
            && self.samedi_apres_midi
            && hour >= self.debut_samedi.heure()
        {
            PeriodePdsa::SamediApresMidi
        } else {
            PeriodePdsa::HorsPdsa
        }
    }

    /// What kind of day `date` is for the opening slots: holiday, Sunday, pont, or a weekday.
    pub fn type_de_jour(&self, date: NaiveDate, departement: &str) -> TypeDeJour {
        if est_ferie(date, departement).is_some() {
            TypeDeJour::Ferie
        } else if date.weekday() == Weekday::Sun {
            TypeDeJour::Dimanche
        } else if self.jour_de_pont(date, departement).is_some() {
            TypeDeJour::Pont
        } else {
            TypeDeJour::Semaine(date.weekday())
        }
    }
}

/// The day a night belongs to: a garde runs from 8h to 8h the next morning, so 00:30 on Saturday is
/// part of Friday's garde (DOMAIN.md "The garde clock": the night 20h–8h is one period).
pub fn date_de_garde(local: NaiveDateTime) -> NaiveDate {
    if local.hour() < 8 {
        local.date().pred_opt().unwrap_or(local.date())
    } else {
        local.date()
    }
}

// ---------------------------------------------------------------------------------------------
// Opening slots of the MMG
// ---------------------------------------------------------------------------------------------

/// The kind of day that selects a set of opening slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeDeJour {
    /// Monday to Saturday, not a holiday nor a pont.
    Semaine(Weekday),
    Dimanche,
    Ferie,
    Pont,
}

/// One opening slot, attached to the day it starts on. If `fin` is not after `debut`, the slot runs
/// past midnight into the next day: 20:00–00:00 ends at midnight, 20:00–08:00 ends at 8h the next
/// morning, and 08:00–08:00 lasts 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Plage {
    pub debut: NaiveTime,
    pub fin: NaiveTime,
}

impl Plage {
    /// A slot from whole hour `debut` to whole hour `fin` (0–24; 24 means midnight). `None` when an
    /// hour is out of range.
    pub fn heures(debut: u32, fin: u32) -> Option<Plage> {
        let t = |h: u32| match h {
            24 => Some(NaiveTime::MIN),
            _ => NaiveTime::from_hms_opt(h, 0, 0),
        };
        Some(Plage {
            debut: t(debut)?,
            fin: t(fin)?,
        })
    }

    fn passe_minuit(&self) -> bool {
        self.fin <= self.debut
    }

    /// True when `time`, on the day the slot starts, is inside it.
    fn contient_jour_meme(&self, time: NaiveTime) -> bool {
        if self.passe_minuit() {
            time >= self.debut
        } else {
            self.debut <= time && time < self.fin
        }
    }

    /// True when `time`, on the day after the slot starts, is inside it.
    fn contient_lendemain(&self, time: NaiveTime) -> bool {
        self.passe_minuit() && time < self.fin
    }
}

/// When the MMG is open, per kind of day: each ADOPS sets its own hours (DOMAIN.md "The garde
/// clock": e.g. 20h–24h on weekdays, 12h–24h on Saturdays, 8h–24h on Sundays). Holidays and pont days
/// (as the [`CalendrierPdsa`] defines them) use their own slots instead of their weekday's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreneauxOuverture {
    pub lundi: Vec<Plage>,
    pub mardi: Vec<Plage>,
    pub mercredi: Vec<Plage>,
    pub jeudi: Vec<Plage>,
    pub vendredi: Vec<Plage>,
    pub samedi: Vec<Plage>,
    pub dimanche: Vec<Plage>,
    pub ferie: Vec<Plage>,
    pub pont: Vec<Plage>,
}

impl Default for CreneauxOuverture {
    /// Open during every legal PDSA period of the default calendar.
    fn default() -> Self {
        Self::periodes_legales(&CalendrierPdsa::default())
    }
}

impl CreneauxOuverture {
    /// Open exactly during the PDSA periods of `calendrier`: weeknights 20h–8h, Saturday from 12h or
    /// 14h (or 20h if the calendar has no Saturday afternoon) to Sunday 8h, Sundays, holidays and pont
    /// days 8h–8h.
    pub fn periodes_legales(calendrier: &CalendrierPdsa) -> Self {
        let slot = |debut, fin| Plage::heures(debut, fin).into_iter().collect::<Vec<_>>();
        let samedi_debut = if calendrier.samedi_apres_midi {
            calendrier.debut_samedi.heure()
        } else {
            20
        };
        Self {
            lundi: slot(20, 8),
            mardi: slot(20, 8),
            mercredi: slot(20, 8),
            jeudi: slot(20, 8),
            vendredi: slot(20, 8),
            samedi: slot(samedi_debut, 8),
            dimanche: slot(8, 8),
            ferie: slot(8, 8),
            pont: slot(8, 8),
        }
    }

    /// The slots that start on a kind of day.
    pub fn plages(&self, jour: TypeDeJour) -> &[Plage] {
        match jour {
            TypeDeJour::Semaine(Weekday::Mon) => &self.lundi,
            TypeDeJour::Semaine(Weekday::Tue) => &self.mardi,
            TypeDeJour::Semaine(Weekday::Wed) => &self.mercredi,
            TypeDeJour::Semaine(Weekday::Thu) => &self.jeudi,
            TypeDeJour::Semaine(Weekday::Fri) => &self.vendredi,
            TypeDeJour::Semaine(Weekday::Sat) => &self.samedi,
            TypeDeJour::Semaine(Weekday::Sun) | TypeDeJour::Dimanche => &self.dimanche,
            TypeDeJour::Ferie => &self.ferie,
            TypeDeJour::Pont => &self.pont,
        }
    }

    /// True when the MMG is open at a local date-time: inside a slot that starts that day, or inside
    /// one that started the day before and runs past midnight.
    pub fn est_ouverte(
        &self,
        local: NaiveDateTime,
        departement: &str,
        calendrier: &CalendrierPdsa,
    ) -> bool {
        let date = local.date();
        let time = local.time();
        let today = self.plages(calendrier.type_de_jour(date, departement));
        if today.iter().any(|p| p.contient_jour_meme(time)) {
            return true;
        }
        date.pred_opt().is_some_and(|veille| {
            self.plages(calendrier.type_de_jour(veille, departement))
                .iter()
                .any(|p| p.contient_lendemain(time))
        })
    }
}

/// Where a local date-time stands for an MMG: its PDSA period, whether the MMG is open, and the
/// public holiday of that day if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SituationGarde {
    pub periode: PeriodePdsa,
    pub ouverte: bool,
    pub jour_ferie: Option<&'static str>,
}

/// The PDSA period of `local` and whether the MMG is open then.
pub fn situer(
    local: NaiveDateTime,
    departement: &str,
    calendrier: &CalendrierPdsa,
    creneaux: &CreneauxOuverture,
) -> SituationGarde {
    SituationGarde {
        periode: calendrier.slot_of(local, departement),
        ouverte: creneaux.est_ouverte(local, departement, calendrier),
        jour_ferie: est_ferie(local.date(), departement),
    }
}

// ---------------------------------------------------------------------------------------------
// Legal time
// ---------------------------------------------------------------------------------------------

/// A local date-time placed on the time line of Europe/Paris.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstantParis {
    pub instant: DateTime<Tz>,
    /// True when the wall-clock time happened twice (the autumn night) and the first one was taken.
    pub ambigu: bool,
}

/// Places a wall-clock time of metropolitan France on the time line.
///
/// A time skipped by the spring change (e.g. 2025-03-30 02:30) never existed: that is an input error,
/// reported in French. A time repeated by the autumn change (e.g. 2025-10-26 02:30) is accepted and
/// the *earlier* occurrence (summer time, UTC+2) is taken: the entry was most likely typed during the
/// first pass, and the PDSA period and the cotation are the same for both occurrences anyway.
pub fn instant_paris(local: NaiveDateTime) -> Result<InstantParis, CotationError> {
    match chrono_tz::Europe::Paris.from_local_datetime(&local) {
        LocalResult::Single(instant) => Ok(InstantParis {
            instant,
            ambigu: false,
        }),
        LocalResult::Ambiguous(earlier, _later) => Ok(InstantParis {
            instant: earlier,
            ambigu: true,
        }),
        LocalResult::None => Err(CotationError::HeureInexistante { date_heure: local }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_names_are_numbered_from_one() {
        assert_eq!(nom_du_mois(1), Some("janvier"));
        assert_eq!(nom_du_mois(8), Some("août"));
        assert_eq!(nom_du_mois(12), Some("décembre"));
        assert_eq!(nom_du_mois(0), None);
        assert_eq!(nom_du_mois(13), None);
    }
}
