//! NGAP tariffs as versioned data: amounts in integer cents, each valid over a period of dates.
//!
//! The default table ships inside the program (`data/tarifs_garde.csv`, a copy of the reference file
//! of shared/data/ngap/); a newer table can be loaded from text by the caller without a new release.
//! A consultation is always priced with the amount valid on its own date.
//!
//! Format (`;`-separated, UTF-8, one header line): `code;libelle;montant_eur;valide_du;valide_au;conditions;source`.
//! Columns are found by header name; `valide_au` empty means "still valid"; amounts are in euros with a
//! dot or a comma and at most two decimals; dates are `AAAA-MM-JJ` (or `JJ/MM/AAAA`, as a spreadsheet
//! writes them). Lines that are empty or start with `#` are ignored.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::CotationError;

/// The default tariff table, as embedded in the program.
pub const TARIFS_GARDE_CSV: &str = include_str!("../data/tarifs_garde.csv");

/// An amount of money in integer cents (never floats for money).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Montant(i64);

impl Montant {
    pub const ZERO: Montant = Montant(0);

    pub const fn from_centimes(centimes: i64) -> Self {
        Montant(centimes)
    }

    pub const fn centimes(self) -> i64 {
        self.0
    }

    /// The amount in euros as a float, for display and export only; never compute with it.
    pub fn euros_f64(self) -> f64 {
        // Exact for every amount below 2^53 cents, far above any garde.
        self.0 as f64 / 100.0
    }

    /// Parses an amount in euros written with a dot or a comma and at most two decimals ("30", "26.5",
    /// "19,06"). Negative amounts and other text are refused with a French reason.
    pub fn parse_euros(text: &str) -> Result<Montant, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("le montant est vide".into());
        }
        if text.starts_with('-') {
            return Err("un montant ne peut pas être négatif".into());
        }
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        // "30" has no decimals; "30." or "30,5x" are typing errors.
        let (euros, cents, cents_ok) = match text.split_once(['.', ',']) {
            Some((e, c)) => (e, c, digits(c)),
            None => (text, "", true),
        };
        if !digits(euros) || !cents_ok || euros.len() > 9 {
            return Err(
                "écrivez le montant en euros avec au plus deux décimales, par exemple 30.00".into(),
            );
        }
        if cents.len() > 2 {
            return Err("pas plus de deux décimales (centimes)".into());
        }
        let euros: i64 = euros.parse().map_err(|_| "montant trop grand".to_owned())?;
        let cents: i64 = match cents.len() {
            0 => 0,
            1 => {
                cents
                    .parse::<i64>()
                    .map_err(|_| "centimes invalides".to_owned())?
                    * 10
            }
            _ => cents.parse().map_err(|_| "centimes invalides".to_owned())?,
        };
        Ok(Montant(euros * 100 + cents))
    }
}

impl fmt::Display for Montant {
    /// French formatting: "30,00 €", "1 234,50 €", "-5,00 €" (plain spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let euros = (abs / 100).to_string();
        let mut grouped = String::with_capacity(euros.len() + euros.len() / 3);
        for (i, ch) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push(' ');
            }
            grouped.push(ch);
        }
        write!(f, "{sign}{grouped},{:02} €", abs % 100)
    }
}

impl Add for Montant {
    type Output = Montant;
    fn add(self, rhs: Montant) -> Montant {
        Montant(self.0 + rhs.0)
    }
}

impl Sum for Montant {
    fn sum<I: Iterator<Item = Montant>>(iter: I) -> Montant {
        iter.fold(Montant::ZERO, Add::add)
    }
}

/// One line of the table: the amount of a code over a validity period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tarif {
    pub code: String,
    pub libelle: String,
    pub montant: Montant,
    pub valide_du: NaiveDate,
    /// Last day of validity, included; `None` while still valid.
    pub valide_au: Option<NaiveDate>,
    /// Informative conditions from the file (the rules themselves are in the `cotation` module).
    pub conditions: String,
    pub source: String,
}

impl Tarif {
    /// True when the tariff applies on `date`.
    pub fn valide_le(&self, date: NaiveDate) -> bool {
        self.valide_du <= date && self.valide_au.is_none_or(|fin| date <= fin)
    }
}

/// A table of tariffs, checked: no two periods of the same code overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTarifs {
    tarifs: Vec<Tarif>,
}

static TABLE_PAR_DEFAUT: LazyLock<TableTarifs> = LazyLock::new(|| {
    // The embedded file is part of the program and a test parses it: a failure here is a build defect,
    // never a user's input.
    TableTarifs::parse_csv(TARIFS_GARDE_CSV).expect("la table des tarifs embarquée est valide")
});

impl TableTarifs {
    /// The table shipped with the program.
    pub fn default_table() -> TableTarifs {
        TABLE_PAR_DEFAUT.clone()
    }

    /// Every tariff, sorted by code then start date.
    pub fn tarifs(&self) -> &[Tarif] {
        &self.tarifs
    }

    /// The tariff of `code` valid on `date`.
    pub fn tarif(&self, code: &str, date: NaiveDate) -> Option<&Tarif> {
        self.tarifs
            .iter()
            .find(|t| t.code.eq_ignore_ascii_case(code) && t.valide_le(date))
    }

    /// The amount of `code` valid on `date`; `None` when the table has none (never a silent zero).
    pub fn montant(&self, code: &str, date: NaiveDate) -> Option<Montant> {
        self.tarif(code, date).map(|t| t.montant)
    }

    /// Reads a table from its CSV text (see the module header for the format). Every error names the
    /// line and says what to fix, in French.
    pub fn parse_csv(text: &str) -> Result<TableTarifs, CotationError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));

        let (header_line, header) = lines.next().ok_or_else(|| CotationError::TableInvalide {
            message: "le fichier est vide : il faut une ligne d'en-tête puis une ligne par tarif."
                .into(),
        })?;
        let columns = split_ligne(header).map_err(|message| CotationError::LigneInvalide {
            ligne: header_line,
            message,
        })?;
        let columns: Vec<String> = columns.iter().map(|c| c.trim().to_lowercase()).collect();
        let find = |name: &str| columns.iter().position(|c| c == name);
        let required = |name: &'static str| {
            find(name).ok_or_else(|| CotationError::TableInvalide {
                message: format!(
                    "la colonne « {name} » manque dans l'en-tête (attendu : code;libelle;montant_eur;valide_du;valide_au;conditions;source)."
                ),
            })
        };
        let i_code = required("code")?;
        let i_libelle = required("libelle")?;
        let i_montant = required("montant_eur")?;
        let i_du = required("valide_du")?;
        let i_au = find("valide_au");
        let i_conditions = find("conditions");
        let i_source = find("source");

        let mut rows: Vec<(usize, Tarif)> = Vec::new();
        for (ligne, line) in lines {
            let fields = split_ligne(line)
                .map_err(|message| CotationError::LigneInvalide { ligne, message })?;
            if fields.len() != columns.len() {
                return Err(CotationError::LigneInvalide {
                    ligne,
                    message: format!(
                        "{} colonne(s) au lieu de {} (le séparateur attendu est « ; »).",
                        fields.len(),
                        columns.len()
                    ),
                });
            }
            let field = |i: usize| fields[i].trim();
            let code = field(i_code).to_uppercase();
            if code.is_empty() || code.len() > 8 || !code.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(CotationError::LigneInvalide {
                    ligne,
                    message: format!(
                        "le code « {} » n'est pas un code NGAP (lettres et chiffres, par exemple G ou CRN).",
                        field(i_code)
                    ),
                });
            }
            let libelle = field(i_libelle).to_owned();
            if libelle.is_empty() {
                return Err(CotationError::LigneInvalide {
                    ligne,
                    message: format!("le libellé de {code} est vide."),
                });
            }
            let montant = Montant::parse_euros(field(i_montant)).map_err(|raison| {
                CotationError::MontantInvalide {
                    ligne,
                    valeur: field(i_montant).to_owned(),
                    raison,
                }
            })?;
            if montant == Montant::ZERO {
                return Err(CotationError::MontantInvalide {
                    ligne,
                    valeur: field(i_montant).to_owned(),
                    raison:
                        "un tarif nul n'est pas accepté ; retirez la ligne si l'acte n'est pas coté"
                            .into(),
                });
            }
            let valide_du = parse_date(field(i_du)).ok_or_else(|| CotationError::DateInvalide {
                ligne,
                colonne: "valide_du",
                valeur: field(i_du).to_owned(),
            })?;
            let valide_au = match i_au.map(field).filter(|s| !s.is_empty()) {
                None => None,
                Some(text) => {
                    Some(parse_date(text).ok_or_else(|| CotationError::DateInvalide {
                        ligne,
                        colonne: "valide_au",
                        valeur: text.to_owned(),
                    })?)
                }
            };
            if valide_au.is_some_and(|fin| fin < valide_du) {
                return Err(CotationError::LigneInvalide {
                    ligne,
                    message: format!("la fin de validité de {code} précède son début."),
                });
            }
            let optional = |i: Option<usize>| i.map(|i| field(i).to_owned()).unwrap_or_default();
            rows.push((
                ligne,
                Tarif {
                    code,
                    libelle,
                    montant,
                    valide_du,
                    valide_au,
                    conditions: optional(i_conditions),
                    source: optional(i_source),
                },
            ));
        }
        if rows.is_empty() {
            return Err(CotationError::TableInvalide {
                message: "aucun tarif après la ligne d'en-tête.".into(),
            });
        }
        Self::construire(rows)
    }

    /// Checks and sorts numbered rows (line numbers are for the error messages).
    fn construire(mut rows: Vec<(usize, Tarif)>) -> Result<TableTarifs, CotationError> {
        rows.sort_by(|(_, a), (_, b)| a.code.cmp(&b.code).then(a.valide_du.cmp(&b.valide_du)));
        for pair in rows.windows(2) {
            let ((ligne_a, a), (ligne_b, b)) = (&pair[0], &pair[1]);
            if a.code == b.code && a.valide_au.is_none_or(|fin| fin >= b.valide_du) {
                return Err(CotationError::PeriodesChevauchantes {
                    code: a.code.clone(),
                    ligne_a: *ligne_a.min(ligne_b),
                    ligne_b: *ligne_a.max(ligne_b),
                    date: b.valide_du,
                });
            }
        }
        Ok(TableTarifs {
            tarifs: rows.into_iter().map(|(_, t)| t).collect(),
        })
    }
}

impl TableTarifs {
    /// The table as CSV text in the format of the shipped file (`;`, UTF-8, `\n`), so that a stored
    /// table reads back with [`TableTarifs::parse_csv`] to the same table.
    pub fn to_csv(&self) -> String {
        let quote = |s: &str| {
            if s.contains([';', '"', '\n', '\r']) {
                format!("\"{}\"", s.replace('"', "\"\"").replace(['\n', '\r'], " "))
            } else {
                s.to_owned()
            }
        };
        let mut out =
            String::from("code;libelle;montant_eur;valide_du;valide_au;conditions;source\n");
        for t in &self.tarifs {
            let c = t.montant.centimes();
            out.push_str(&format!(
                "{};{};{}.{:02};{};{};{};{}\n",
                t.code,
                quote(&t.libelle),
                c / 100,
                c % 100,
                t.valide_du.format("%Y-%m-%d"),
                t.valide_au
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                quote(&t.conditions),
                quote(&t.source),
            ));
        }
        out
    }

    /// This table extended by `ajout` (a partial newer table, e.g. pushed by the hub).
    ///
    /// For every code present in `ajout`, the new periods take over from the earliest date they
    /// start on: older periods of that code starting on or after that date are dropped, and one
    /// running over that date is closed the day before. Codes absent from `ajout` are kept as they
    /// are. So a file with the single line `G;…;32.00;2026-01-01;;;` closes the current G on
    /// 2025-12-31 and adds the new amount.
    pub fn completer(&self, ajout: &TableTarifs) -> Result<TableTarifs, CotationError> {
        let mut rows: Vec<Tarif> = Vec::new();
        for t in &self.tarifs {
            let debut_nouveau = ajout
                .tarifs
                .iter()
                .filter(|n| n.code == t.code)
                .map(|n| n.valide_du)
                .min();
            match debut_nouveau {
                None => rows.push(t.clone()),
                Some(debut) if t.valide_du >= debut => {}
                Some(debut) => {
                    let veille = debut.pred_opt().unwrap_or(debut);
                    let mut t = t.clone();
                    if t.valide_au.is_none_or(|fin| fin >= debut) {
                        t.valide_au = Some(veille);
                    }
                    rows.push(t);
                }
            }
        }
        rows.extend(ajout.tarifs.iter().cloned());
        Self::construire(
            rows.into_iter()
                .enumerate()
                .map(|(i, t)| (i + 2, t))
                .collect(),
        )
    }
}

/// `AAAA-MM-JJ`, or `JJ/MM/AAAA` as a French spreadsheet writes it.
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// Splits one `;`-separated line, honouring double quotes as a spreadsheet writes them (`"a;b"`,
/// `"dit ""non"""`). A field cannot span lines.
fn split_ligne(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(ch) = chars.next() {
        if quoted {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    current.push('"');
                } else {
                    quoted = false;
                }
            } else {
                current.push(ch);
            }
        } else if ch == '"' && at_field_start {
            quoted = true;
            at_field_start = false;
        } else if ch == ';' {
            fields.push(std::mem::take(&mut current));
            at_field_start = true;
        } else {
            current.push(ch);
            if !ch.is_whitespace() {
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err("guillemet « \" » non fermé.".into());
    }
    fields.push(current);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly_in_cents() {
        // Cents are built from the digits, never through a float, so 19.06 is exactly 1906.
        for (text, cents) in [
            ("30", 3000),
            ("26.5", 2650),
            ("19,06", 1906),
            ("0.01", 1),
            (" 42.50 ", 4250),
        ] {
            assert_eq!(
                Montant::parse_euros(text),
                Ok(Montant::from_centimes(cents)),
                "{text}"
            );
        }
    }

    #[test]
    fn bad_amounts_are_refused_in_french() {
        assert_eq!(
            Montant::parse_euros("-5.00"),
            Err("un montant ne peut pas être négatif".to_owned())
        );
        assert!(
            Montant::parse_euros("30.005")
                .unwrap_err()
                .contains("deux décimales")
        );
        for text in ["", "trente", "30.", "3e1", "1.2.3", "€30"] {
            assert!(
                Montant::parse_euros(text).is_err(),
                "{text:?} must be refused"
            );
        }
    }

    #[test]
    fn french_formatting() {
        for (cents, text) in [
            (3000, "30,00 €"),
            (1906, "19,06 €"),
            (5, "0,05 €"),
            (123_450, "1 234,50 €"),
            (-500, "-5,00 €"),
            (0, "0,00 €"),
        ] {
            assert_eq!(Montant::from_centimes(cents).to_string(), text);
        }
    }

    #[test]
    fn quoted_fields_keep_separators_and_quotes() {
        assert_eq!(
            split_ligne(r#"G;"a;b";"dit ""non""";"#).unwrap(),
            vec!["G", "a;b", "dit \"non\"", ""]
        );
        assert!(split_ligne(r#"G;"ouvert"#).is_err());
    }

    #[test]
    fn both_date_formats() {
        let expected = NaiveDate::from_ymd_opt(2024, 12, 22);
        assert_eq!(parse_date("2024-12-22"), expected);
        assert_eq!(parse_date("22/12/2024"), expected);
        assert_eq!(parse_date("2024-13-01"), None);
    }
}
