//! The money of a garde: validation of a payment as typed, the closing balance, the CSV export read
//! back the way a French spreadsheet reads it, and the extension of the tariff table.

use appligarde_domain::compta::{
    COLONNES_CSV, LigneCompta, ModePaiement, PaiementLigne, bilan, export_csv, valider_paiement,
};
use appligarde_domain::tarifs::{Montant, TARIFS_GARDE_CSV, TableTarifs};
use rstest::rstest;

use crate::{d, dt};

/// Bad input: each row is (mode, amount, cheque number, bank) -> the field blamed and a piece of
/// its French message.
#[rstest]
#[case("especes", "-30", "", "", "montant", "ne peut pas être négatif")]
#[case("carte", "-0,01", "", "", "montant", "ne peut pas être négatif")]
#[case(
    "cheque",
    "30",
    "",
    "Crédit Mutuel",
    "cheque_numero",
    "numéro du chèque est obligatoire"
)]
#[case(
    "cheque",
    "30",
    "  ",
    "Crédit Mutuel",
    "cheque_numero",
    "numéro du chèque est obligatoire"
)]
#[case("cheque", "30", "1234567", "", "cheque_banque", "banque du chèque")]
#[case("especes", "trente", "", "", "montant", "Montant invalide")]
#[case("especes", "30,005", "", "", "montant", "deux décimales")]
#[case("especes", "0", "", "", "montant", "non réglé")]
#[case("non_regle", "30", "", "", "montant", "n'a pas de montant")]
#[case("bitcoin", "30", "", "", "mode", "mode de paiement")]
fn bad_payments_are_refused_in_french(
    #[case] mode: &str,
    #[case] montant: &str,
    #[case] numero: &str,
    #[case] banque: &str,
    #[case] field: &str,
    #[case] message: &str,
) {
    let errors = valider_paiement(mode, montant, numero, banque, "").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|e| e.field.as_deref() == Some(field) && e.message.contains(message)),
        "{mode} {montant:?}: {errors:?}"
    );
}

#[rstest]
#[case("especes", "30", 3000)]
#[case("carte", "26,50", 2650)]
#[case("cheque", "77.5", 7750)]
#[case("tiers_payant_amo", "21", 2100)]
#[case("c2s_ame", "30,00", 3000)]
#[case("non_regle", "", 0)]
#[case("non_regle", "0", 0)]
fn good_payments_are_accepted(#[case] mode: &str, #[case] montant: &str, #[case] cents: i64) {
    let p = valider_paiement(mode, montant, " 0012345 ", "La Poste", "M. Durand").unwrap();
    assert_eq!(p.montant, Montant::from_centimes(cents));
    assert_eq!(p.mode.code(), mode);
    // Cheque details are kept for a cheque only, trimmed.
    if p.mode == ModePaiement::Cheque {
        assert_eq!(p.cheque_numero, "0012345");
    } else {
        assert!(p.cheque_numero.is_empty() && p.cheque_banque.is_empty());
    }
}

fn paiement(id: i64, mode: ModePaiement, cents: i64) -> PaiementLigne {
    PaiementLigne {
        id,
        mode,
        montant: Montant::from_centimes(cents),
        cheque_numero: if mode == ModePaiement::Cheque {
            format!("CHQ{id}")
        } else {
            String::new()
        },
        cheque_banque: if mode == ModePaiement::Cheque {
            "Banque; \"Populaire\"".into()
        } else {
            String::new()
        },
        cheque_emetteur: String::new(),
        annule_id: None,
        motif: String::new(),
        apres_cloture: false,
        saisi_le: "2025-03-11T21:00:00Z".into(),
    }
}

fn ligne(
    id: i64,
    medecin: &str,
    attendu: Option<i64>,
    paiements: Vec<PaiementLigne>,
) -> LigneCompta {
    LigneCompta {
        consultation_id: id,
        arrivee: dt("2025-03-11 21:00") + chrono::Duration::minutes(id * 10),
        patient: format!("PATIENT{id} Prénom"),
        medecin_id: Some(if medecin == "A" { 1 } else { 2 }),
        medecin: format!("Dr {medecin}"),
        attendu: attendu.map(Montant::from_centimes),
        codes: vec!["G".into(), "CRN".into()],
        paiements,
    }
}

/// A shift with every kind of entry: cash, cheques, card, tiers payant, an unpaid one, a cancelled
/// payment, an overpaid one and one not priced.
fn shift() -> Vec<LigneCompta> {
    let mut annulation = paiement(7, ModePaiement::Especes, 3000);
    annulation.annule_id = Some(6);
    annulation.motif = "erreur de mode".into();
    vec![
        ligne(
            1,
            "A",
            Some(7250),
            vec![paiement(1, ModePaiement::Especes, 7250)],
        ),
        ligne(
            2,
            "A",
            Some(7250),
            vec![paiement(2, ModePaiement::Cheque, 7250)],
        ),
        ligne(
            3,
            "B",
            Some(3000),
            vec![paiement(3, ModePaiement::Carte, 3000)],
        ),
        ligne(
            4,
            "B",
            Some(7750),
            vec![
                paiement(4, ModePaiement::TiersPayantAmo, 5425),
                paiement(5, ModePaiement::Cheque, 2325),
            ],
        ),
        // Paid in cash by mistake, cancelled, then paid by card.
        ligne(
            5,
            "A",
            Some(3000),
            vec![
                paiement(6, ModePaiement::Especes, 3000),
                annulation,
                paiement(8, ModePaiement::Carte, 3000),
            ],
        ),
        ligne(
            6,
            "B",
            Some(8150),
            vec![paiement(9, ModePaiement::NonRegle, 0)],
        ),
        ligne(
            7,
            "A",
            Some(3000),
            vec![paiement(10, ModePaiement::Especes, 5000)],
        ),
        ligne(8, "B", None, vec![]),
    ]
}

#[test]
fn the_balance_adds_up_to_the_sum_of_the_payments() {
    let lignes = shift();
    let b = bilan(&lignes);
    // The effective payments, computed by hand: 6 was cancelled by 7.
    let effective = 7250 + 7250 + 3000 + 5425 + 2325 + 3000 + 5000;
    assert_eq!(b.regle.centimes(), effective);
    assert_eq!(
        b.par_mode.iter().map(|t| t.montant.centimes()).sum::<i64>(),
        effective,
        "totals by mode add up to the settled total"
    );
    assert_eq!(
        b.par_medecin
            .iter()
            .map(|t| t.regle.centimes())
            .sum::<i64>(),
        effective,
        "totals by doctor add up to the settled total"
    );
    assert_eq!(b.par_mode.len(), 7, "every mode is listed, zeros included");
    let mode = |m: ModePaiement| {
        b.par_mode
            .iter()
            .find(|t| t.mode == m)
            .unwrap()
            .montant
            .centimes()
    };
    assert_eq!(mode(ModePaiement::Especes), 7250 + 5000);
    assert_eq!(mode(ModePaiement::Cheque), 7250 + 2325);
    assert_eq!(mode(ModePaiement::Carte), 3000 + 3000);
    assert_eq!(mode(ModePaiement::TiersPayantAmo), 5425);
    assert_eq!(b.encaisse_mmg.centimes(), effective - 5425);
    assert_eq!(b.tiers.centimes(), 5425);
    assert_eq!(
        b.attendu.centimes(),
        7250 + 7250 + 3000 + 7750 + 3000 + 8150 + 3000
    );
    assert_eq!(
        b.ecart.centimes(),
        b.regle.centimes() - b.attendu.centimes()
    );
    // Bordereau: the two cheques, their total.
    assert_eq!(b.bordereau.len(), 2);
    assert_eq!(b.total_cheques.centimes(), 7250 + 2325);
    // Unpaid: consultation 6 (nothing received) and 8 (not priced); overpaid: 7.
    let ids = |v: &[appligarde_domain::compta::EcartConsultation]| {
        v.iter().map(|e| e.consultation_id).collect::<Vec<_>>()
    };
    assert_eq!(ids(&b.impayes), [6, 8]);
    assert_eq!(b.impayes[0].reste.centimes(), 8150);
    assert_eq!(ids(&b.trop_percus), [7]);
    assert_eq!(b.trop_percus[0].reste.centimes(), -2000);
    assert_eq!(b.non_cotees, 1);
    assert_eq!(b.corrections, 1, "one cancellation entry");
    assert_eq!(b.consultations, 8);
}

/// Reads CSV text the way French Excel / LibreOffice do with these settings: BOM for UTF-8, `;`
/// separator, double quotes, decimal comma.
fn tableur(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 BOM first");
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "CRLF line ends only"
    );
    let mut rows = Vec::new();
    for line in text.split("\r\n").filter(|l| !l.is_empty()) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                (true, '"') => quoted = false,
                (false, '"') if cur.is_empty() => quoted = true,
                (false, ';') => fields.push(std::mem::take(&mut cur)),
                (_, c) => cur.push(c),
            }
        }
        fields.push(cur);
        rows.push(fields);
    }
    rows
}

/// A number cell as a French spreadsheet reads it ("1234,50" -> 1234.50), in cents.
fn nombre(cell: &str) -> Option<i64> {
    if cell.is_empty() {
        return None;
    }
    assert!(!cell.contains('.'), "a dot is not a French decimal: {cell}");
    let v: f64 = cell.replace(',', ".").parse().unwrap();
    Some((v * 100.0).round() as i64)
}

#[test]
fn the_csv_reads_back_to_the_same_numbers() {
    let lignes = shift();
    let b = bilan(&lignes);
    let csv = export_csv(&lignes);
    let rows = tableur(csv.as_bytes());
    assert_eq!(rows[0], COLONNES_CSV, "header line");
    assert!(
        rows.iter().all(|r| r.len() == COLONNES_CSV.len()),
        "same width everywhere"
    );
    let col = |name: &str| COLONNES_CSV.iter().position(|c| *c == name).unwrap();
    let (i_montant, i_attendu) = (col("Montant (€)"), col("Attendu (€)"));
    let settled: i64 = rows[1..].iter().filter_map(|r| nombre(&r[i_montant])).sum();
    let expected: i64 = rows[1..].iter().filter_map(|r| nombre(&r[i_attendu])).sum();
    assert_eq!(
        settled,
        b.regle.centimes(),
        "the Montant column sums to the settled total"
    );
    assert_eq!(
        expected,
        b.attendu.centimes(),
        "the Attendu column sums to the expected total"
    );
    // The bank with a separator and quotes survives the round trip.
    assert!(
        rows.iter()
            .any(|r| r[col("Banque")] == "Banque; \"Populaire\"")
    );
    // The cancellation is a negative line naming the cancelled entry.
    let annul = rows
        .iter()
        .find(|r| r[col("Écriture")].starts_with("annulation"))
        .unwrap();
    assert_eq!(annul[i_montant], "-30,00");
    assert_eq!(annul[col("Écriture")], "annulation du règlement n° 6");
    assert_eq!(rows[1][col("Date")], "11/03/2025");
    assert_eq!(rows[1][col("Heure")], "21:10");
}

#[test]
fn a_partial_table_extends_the_table_in_force() {
    let base = TableTarifs::default_table();
    let ajout = TableTarifs::parse_csv(
        "code;libelle;montant_eur;valide_du;valide_au;conditions;source\n\
         G;Consultation;32,00;2026-01-01;;;test\n\
         VRD;Majoration PDSA régulée visite dimanche et jour férié;30.00;2025-01-01;;;test\n",
    )
    .unwrap();
    let t = base.completer(&ajout).unwrap();
    // G: the 30,00 period now ends the day before the new amount.
    assert_eq!(
        t.montant("G", d("2025-12-31")),
        Some(Montant::from_centimes(3000))
    );
    assert_eq!(
        t.montant("G", d("2026-01-01")),
        Some(Montant::from_centimes(3200))
    );
    assert_eq!(
        t.montant("G", d("2024-12-21")),
        Some(Montant::from_centimes(2650)),
        "history kept"
    );
    assert_eq!(
        t.montant("VRD", d("2025-03-09")),
        Some(Montant::from_centimes(3000))
    );
    assert_eq!(
        t.montant("MEG", d("2025-03-09")),
        base.montant("MEG", d("2025-03-09"))
    );
    // The stored text reads back to the same table.
    assert_eq!(TableTarifs::parse_csv(&t.to_csv()).unwrap(), t);
    assert_eq!(TableTarifs::parse_csv(&base.to_csv()).unwrap(), base);
    assert_eq!(
        TableTarifs::parse_csv(TARIFS_GARDE_CSV)
            .unwrap()
            .tarifs()
            .len(),
        base.tarifs().len()
    );
}
