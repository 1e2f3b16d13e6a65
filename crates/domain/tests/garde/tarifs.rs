//! The tariff table: versioned data, integer cents, French errors with line numbers.

use appligarde_domain::cotation::CotationError;
use appligarde_domain::tarifs::{Montant, TARIFS_GARDE_CSV, TableTarifs};
use rstest::rstest;

use crate::d;

const HEADER: &str = "code;libelle;montant_eur;valide_du;valide_au;conditions;source";

/// The amounts of the reference table (shared/data/ngap/tarifs_garde.csv, DOMAIN.md billing table),
/// at and around each change of value.
#[rstest]
#[case("G", "2017-04-30", None)]
#[case("G", "2017-05-01", Some(2500))]
#[case("G", "2023-10-31", Some(2500))]
#[case("G", "2023-11-01", Some(2650))]
#[case("G", "2024-12-21", Some(2650))]
#[case("G", "2024-12-22", Some(3000))]
#[case("G", "2031-01-01", Some(3000))]
#[case("VG", "2024-12-21", None)] // earlier value unconfirmed: absent, not guessed
#[case("VG", "2024-12-22", Some(3000))]
#[case("MEG", "2025-01-01", Some(500))]
#[case("CRN", "2025-01-01", Some(4250))]
#[case("CRM", "2025-01-01", Some(5150))]
#[case("CRD", "2025-01-01", Some(2650))]
#[case("CRS", "2025-01-01", Some(2650))]
#[case("VRN", "2025-01-01", Some(4600))]
#[case("VRM", "2025-01-01", Some(5950))]
#[case("VRD", "2025-01-01", None)] // amount unconfirmed
#[case("VRS", "2025-01-01", None)] // amount unconfirmed
#[case("MN", "2025-01-01", Some(3500))]
#[case("MM", "2025-01-01", Some(4000))]
#[case("F", "2025-01-01", Some(1906))]
#[case("g", "2025-01-01", Some(3000))] // codes are matched without regard to case
fn default_table_amounts(#[case] code: &str, #[case] date: &str, #[case] cents: Option<i64>) {
    let table = TableTarifs::default_table();
    assert_eq!(
        table.montant(code, d(date)),
        cents.map(Montant::from_centimes),
        "{code} on {date}"
    );
}

#[test]
fn embedded_table_is_the_reference_file() {
    // The program ships a copy; this catches a reference update that was not copied in.
    let shared = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/ngap/tarifs_garde.csv"
    ))
    .unwrap();
    assert_eq!(
        TableTarifs::parse_csv(&shared).unwrap(),
        TableTarifs::default_table()
    );
    assert_eq!(
        TableTarifs::default_table().tarifs().len(),
        14,
        "14 lines in the reference table"
    );
    assert_eq!(
        TableTarifs::parse_csv(TARIFS_GARDE_CSV).unwrap(),
        TableTarifs::default_table()
    );
}

#[test]
fn a_table_from_a_spreadsheet_is_accepted() {
    // Columns in another order, CRLF, a BOM, a comment, quotes, comma decimals and French dates.
    let text = "\u{feff}valide_du;code;montant_eur;libelle;valide_au\r\n\
                # tarifs locaux\r\n\
                01/01/2026;G;\"32,00\";\"Consultation; tarif 2026\";\r\n\
                2024-12-22;G;30;Consultation;31/12/2025\r\n\
                \r\n";
    let table = TableTarifs::parse_csv(text).unwrap();
    assert_eq!(
        table.montant("G", d("2025-12-31")),
        Some(Montant::from_centimes(3000))
    );
    assert_eq!(
        table.montant("G", d("2026-01-01")),
        Some(Montant::from_centimes(3200))
    );
    assert_eq!(
        table.tarif("G", d("2026-01-01")).unwrap().libelle,
        "Consultation; tarif 2026"
    );
    assert_eq!(
        table.tarifs()[0].valide_du,
        d("2024-12-22"),
        "sorted by code then date"
    );
}

/// Every malformed table is refused with a French message naming the line (or the column).
#[rstest]
#[case::wrong_column_count(
    format!("{HEADER}\nG;Consultation;30.00;2024-12-22;;;\nMEG;Enfant;5.00;2017-05-01\n"),
    &["ligne 3", "4 colonne(s) au lieu de 7", "« ; »"]
)]
#[case::negative_amount(
    format!("{HEADER}\nG;Consultation;-30.00;2024-12-22;;;\n"),
    &["ligne 2", "« -30.00 »", "ne peut pas être négatif"]
)]
#[case::amount_not_a_number(
    format!("{HEADER}\nG;Consultation;trente;2024-12-22;;;\n"),
    &["ligne 2", "« trente »", "deux décimales"]
)]
#[case::too_many_decimals(format!("{HEADER}\nG;Consultation;30.001;2024-12-22;;;\n"), &["ligne 2", "deux décimales"])]
#[case::zero_amount(format!("{HEADER}\nG;Consultation;0.00;2024-12-22;;;\n"), &["ligne 2", "tarif nul"])]
#[case::bad_start_date(
    format!("{HEADER}\nG;Consultation;30.00;2024-13-01;;;\n"),
    &["ligne 2", "« 2024-13-01 »", "valide_du", "AAAA-MM-JJ"]
)]
#[case::bad_end_date(format!("{HEADER}\nG;Consultation;30.00;2024-12-22;demain;;\n"), &["ligne 2", "valide_au", "« demain »"])]
#[case::end_before_start(
    format!("{HEADER}\nG;Consultation;30.00;2024-12-22;2024-01-01;;\n"),
    &["ligne 2", "précède son début"]
)]
#[case::overlapping_periods(
    format!("{HEADER}\nG;Consultation;26.50;2023-11-01;2024-12-22;;\nMEG;Enfant;5.00;2017-05-01;;;\nG;Consultation;30.00;2024-12-22;;;\n"),
    &["lignes 2 et 4", "deux tarifs de G", "22/12/2024", "dates de validité"]
)]
#[case::two_open_periods(
    format!("{HEADER}\nCRN;Nuit;42.50;2017-05-01;;;\nCRN;Nuit;45.00;2026-01-01;;;\n"),
    &["lignes 2 et 3", "deux tarifs de CRN"]
)]
#[case::bad_code(format!("{HEADER}\nG 2;Consultation;30.00;2024-12-22;;;\n"), &["ligne 2", "« G 2 »", "code NGAP"])]
#[case::empty_label(format!("{HEADER}\nG;;30.00;2024-12-22;;;\n"), &["ligne 2", "libellé"])]
#[case::unclosed_quote(format!("{HEADER}\nG;\"Consultation;30.00;2024-12-22;;;\n"), &["ligne 2", "guillemet"])]
#[case::missing_column("code;libelle;montant;valide_du\nG;C;30;2024-12-22\n".to_owned(), &["colonne « montant_eur » manque"])]
#[case::empty_file("\n\n".to_owned(), &["fichier est vide"])]
#[case::header_only(format!("{HEADER}\n"), &["aucun tarif"])]
fn malformed_tables_are_refused_in_french(#[case] text: String, #[case] expected: &[&str]) {
    let err = TableTarifs::parse_csv(&text).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("Table des tarifs"), "{message}");
    for part in expected {
        assert!(message.contains(part), "« {part} » missing from: {message}");
    }
}

#[test]
fn overlap_error_is_structured_for_the_ui() {
    let text = format!("{HEADER}\nF;F;19.06;2017-05-01;;;\nF;F;20.00;2025-01-01;;;\n");
    assert_eq!(
        TableTarifs::parse_csv(&text),
        Err(CotationError::PeriodesChevauchantes {
            code: "F".into(),
            ligne_a: 2,
            ligne_b: 3,
            date: d("2025-01-01")
        })
    );
}

#[test]
fn adjacent_periods_do_not_overlap() {
    let text = format!("{HEADER}\nG;C;26.50;2023-11-01;2024-12-21;;\nG;C;30.00;2024-12-22;;;\n");
    let table = TableTarifs::parse_csv(&text).unwrap();
    assert_eq!(
        table.montant("G", d("2024-12-21")),
        Some(Montant::from_centimes(2650))
    );
    assert_eq!(
        table.montant("G", d("2024-12-22")),
        Some(Montant::from_centimes(3000))
    );
}
