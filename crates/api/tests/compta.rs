//! Cotation and comptabilité of the garde through the API, over the demo MMG: the closing report of
//! a demo shift adds up to its payments, the CSV export reads back in a spreadsheet to the same
//! numbers, bad input gets French messages, closed accounts only take corrections, and a newer
//! tariff table prices the acts of its dates.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ApiError, ErrorCode, FixedClock, commun::Id, compta::*,
    consultation::ConsultationsQuery, cotation::CotationRequest, dto::DemoOptions,
    session::Connexion, tarifs::TarifsImport,
};
use appligarde_domain::tarifs::Montant;
use appligarde_store::KeySource;
use chrono::{TimeZone, Utc};
use std::sync::Arc;

/// The demo MMG on 20 November 2026, 22:30 in Paris, logged in as `role`.
fn demo(dir: &std::path::Path) -> Api {
    let config = ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    };
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    let api = Api::open_with_clock(&config, Arc::new(clock)).unwrap();
    api.demo_seed(DemoOptions {
        consultations: 60,
        seed: 2009,
    })
    .unwrap();
    api
}

fn login(api: &Api, role: &str) {
    let comptes = api.session_status().unwrap().comptes;
    let compte = comptes.iter().find(|c| c.role == role).unwrap();
    api.session_login(Connexion {
        utilisateur_id: compte.id,
        mot_de_passe: appligarde_api::demo::DEMO_MOT_DE_PASSE.into(),
    })
    .unwrap();
}

/// A past, closed demo shift with payments, and its accounts.
fn shift_with_payments(api: &Api) -> ComptaGardeDto {
    let current = api.compta_garde(GardeRef::default()).unwrap();
    let g = current
        .gardes
        .iter()
        .filter(|g| g.fermee && !g.cloturee && g.consultations >= 1)
        .map(|g| {
            api.compta_garde(GardeRef {
                garde_id: Some(g.id),
            })
            .unwrap()
        })
        .max_by_key(|c| c.bilan.regle_centimes)
        .unwrap();
    assert!(g.bilan.regle_centimes > 0, "the demo shift has payments");
    g
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cloture.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftotext reads the report");
    String::from_utf8(out.stdout)
        .unwrap()
        .replace('\u{a0}', " ")
}

fn euros(c: i64) -> String {
    Montant::from_centimes(c).to_string()
}

#[test]
fn the_closing_report_of_a_demo_shift_adds_up_to_its_payments() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    login(&api, "medecin");
    let g = shift_with_payments(&api);

    // The sum of every effective payment, consultation by consultation.
    let mut paid = 0;
    let mut by_mode = std::collections::BTreeMap::<String, i64>::new();
    let mut cheques = 0;
    for l in &g.lignes {
        let c = api
            .compta_consultation(Id {
                id: l.consultation_id,
            })
            .unwrap();
        for p in c
            .paiements
            .iter()
            .filter(|p| !p.annule && p.annule_id.is_none())
        {
            paid += p.montant_centimes;
            *by_mode.entry(p.mode.clone()).or_default() += p.montant_centimes;
            if p.mode == "cheque" {
                cheques += 1;
            }
        }
        assert_eq!(c.regle_centimes, l.regle_centimes);
    }
    let b = &g.bilan;
    assert_eq!(
        b.regle_centimes, paid,
        "the settled total is the sum of the payments"
    );
    assert_eq!(
        b.par_mode.iter().map(|t| t.montant_centimes).sum::<i64>(),
        paid,
        "the totals by mode add up to the payments"
    );
    for t in &b.par_mode {
        assert_eq!(
            t.montant_centimes,
            by_mode.get(&t.mode).copied().unwrap_or(0),
            "{}",
            t.mode
        );
    }
    assert_eq!(
        b.par_medecin.iter().map(|t| t.regle_centimes).sum::<i64>(),
        paid,
        "the totals by doctor add up to the payments"
    );
    assert_eq!(b.bordereau.len(), cheques);
    assert_eq!(
        b.attendu_centimes,
        g.lignes
            .iter()
            .filter_map(|l| l.attendu_centimes)
            .sum::<i64>()
    );

    // Closed, then printed: the report says the same numbers.
    let closed = api
        .compta_cloturer(GardeRef {
            garde_id: Some(g.garde.id),
        })
        .unwrap();
    assert!(closed.garde.cloturee && closed.cloture.is_some());
    assert_eq!(closed.bilan.regle_centimes, paid);
    let (nom, pdf) = api
        .compta_rapport_octets(&GardeRef {
            garde_id: Some(g.garde.id),
        })
        .unwrap();
    assert!(nom.starts_with("cloture-garde-") && nom.ends_with(".pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Clôture des comptes de la garde du"),
        "{text}"
    );
    assert!(text.contains("Comptes clôturés le"), "{text}");
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label:?} in:\n{text}"))
            .to_owned()
    };
    assert!(
        line("Total réglé, tous modes")
            .trim_end()
            .ends_with(&euros(paid)),
        "{}",
        line("Total réglé")
    );
    assert!(
        line("Montant attendu")
            .trim_end()
            .ends_with(&euros(b.attendu_centimes))
    );
    for t in &b.par_mode {
        let l = line(&t.libelle);
        assert!(
            l.trim_end().ends_with(&euros(t.montant_centimes)),
            "{}: {l}",
            t.libelle
        );
    }
    assert!(
        line("Total ").trim_end().ends_with(&euros(paid)),
        "{}",
        line("Total ")
    );
    assert!(text.contains("Bordereau de remise de chèques"));
    assert!(text.contains("Totaux par médecin"));
    // The same input prints the same bytes (a reprint is the same document).
    let (_, again) = api
        .compta_rapport_octets(&GardeRef {
            garde_id: Some(g.garde.id),
        })
        .unwrap();
    assert_eq!(again, pdf);
}

/// Reads the export as French Excel / LibreOffice do: BOM, `;`, quotes, decimal comma, CRLF.
fn spreadsheet(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("UTF-8 with BOM");
    assert!(text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'));
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|line| {
            let mut fields = vec![String::new()];
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                let cur = fields.last_mut().unwrap();
                match (quoted, c) {
                    (true, '"') if chars.peek() == Some(&'"') => {
                        chars.next();
                        cur.push('"');
                    }
                    (true, '"') => quoted = false,
                    (false, '"') if cur.is_empty() => quoted = true,
                    (false, ';') => fields.push(String::new()),
                    (_, c) => cur.push(c),
                }
            }
            fields
        })
        .collect()
}

fn number(cell: &str) -> i64 {
    let v: f64 = cell.replace(',', ".").parse().unwrap();
    (v * 100.0).round() as i64
}

#[test]
fn the_csv_export_reads_back_to_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    login(&api, "accueil");
    let q = ComptaExportQuery {
        du: "2025-11-01".into(),
        au: "2026-11-20".into(),
    };
    let (nom, csv) = api.compta_export_texte(&q).unwrap();
    assert_eq!(nom, "comptabilite-2025-11-01-2026-11-20.csv");
    let rows = spreadsheet(csv.as_bytes());
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|c| c == name).unwrap();
    let (montant, attendu, id) = (
        col("Montant (€)"),
        col("Attendu (€)"),
        col("N° consultation"),
    );
    assert!(rows.iter().all(|r| r.len() == header.len()));
    // "Saisi le" in Paris time, the French way ("20/11/2026 22:30"), not the stored UTC.
    let saisi = col("Saisi le");
    let saisies: Vec<&String> = rows[1..]
        .iter()
        .map(|r| &r[saisi])
        .filter(|t| !t.is_empty())
        .collect();
    assert!(!saisies.is_empty(), "the demo has payments");
    // The demo records its payments at the test clock's 21:30 UTC: 22:30 in Paris in November.
    assert!(
        saisies.iter().any(|t| t.as_str() == "20/11/2026 22:30"),
        "{saisies:?}"
    );
    for t in saisies {
        assert!(
            chrono::NaiveDateTime::parse_from_str(t, "%d/%m/%Y %H:%M").is_ok(),
            "« {t} » is a French local date and time"
        );
    }

    // The same numbers from the API, consultation by consultation.
    login(&api, "medecin");
    let all = api
        .consultations_list(ConsultationsQuery {
            du: q.du.clone(),
            au: q.au.clone(),
        })
        .unwrap();
    let (mut paid, mut expected) = (0, 0);
    for c in &all {
        let d = api.compta_consultation(Id { id: c.id }).unwrap();
        paid += d.regle_centimes;
        expected += d.attendu_centimes.unwrap_or(0);
        let lines: Vec<_> = rows[1..]
            .iter()
            .filter(|r| r[id] == c.id.to_string())
            .collect();
        assert!(!lines.is_empty(), "consultation {} is in the export", c.id);
        assert_eq!(
            lines.iter().map(|r| number(&r[montant])).sum::<i64>(),
            d.regle_centimes,
            "consultation {}",
            c.id
        );
    }
    assert!(
        paid > 0 && expected > paid,
        "the demo has payments and unpaid acts"
    );
    assert_eq!(
        rows[1..].iter().map(|r| number(&r[montant])).sum::<i64>(),
        paid
    );
    assert_eq!(
        rows[1..]
            .iter()
            .filter(|r| !r[attendu].is_empty())
            .map(|r| number(&r[attendu]))
            .sum::<i64>(),
        expected
    );
    // Base64 for the browser: the same bytes.
    let f = api.compta_export_csv(q).unwrap();
    assert_eq!(f.type_mime, "text/csv;charset=utf-8");
    assert!(f.contenu_base64.starts_with("77u/"), "base64 of the BOM");
}

fn field_error(e: &ApiError) -> (&str, &str) {
    (e.field.as_deref().unwrap_or(""), e.message.as_str())
}

#[test]
fn bad_input_gets_a_clear_french_message() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    login(&api, "medecin");
    // A time that does not exist on the spring daylight-saving night.
    let err = api
        .cotation_suggest(CotationRequest {
            date_heure: "2026-03-29T02:30".into(),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    let (field, message) = field_error(&err);
    assert_eq!(field, "date_heure");
    assert!(
        message.contains("n'existe pas") && message.contains("heure d'été"),
        "{message}"
    );

    let g = shift_with_payments(&api);
    let cid = g.lignes[0].consultation_id;
    let before = api
        .compta_consultation(Id { id: cid })
        .unwrap()
        .paiements
        .len();
    // A negative amount.
    let err = api
        .paiement_enregistrer(PaiementSaisie {
            consultation_id: cid,
            mode: "especes".into(),
            montant: "-30,00".into(),
            ..Default::default()
        })
        .unwrap_err();
    let (field, message) = field_error(&err);
    assert_eq!(field, "montant");
    assert!(message.contains("ne peut pas être négatif"), "{message}");
    // A cheque without number.
    let err = api
        .paiement_enregistrer(PaiementSaisie {
            consultation_id: cid,
            mode: "cheque".into(),
            montant: "30".into(),
            cheque_banque: "Crédit Mutuel".into(),
            ..Default::default()
        })
        .unwrap_err();
    let (field, message) = field_error(&err);
    assert_eq!(field, "cheque_numero");
    assert!(
        message.contains("numéro du chèque est obligatoire"),
        "{message}"
    );
    assert_eq!(
        api.compta_consultation(Id { id: cid })
            .unwrap()
            .paiements
            .len(),
        before,
        "nothing was recorded"
    );
    // An act the table does not price needs its amount.
    let err = api
        .cotation_choisir(CotationChoix {
            consultation_id: cid,
            actes: vec![
                ActeChoisi {
                    code: "G".into(),
                    montant: String::new(),
                },
                ActeChoisi {
                    code: "DEQP003".into(),
                    montant: String::new(),
                },
            ],
            motif: String::new(),
        })
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("actes.1.montant"),
        "{}",
        err.message
    );
    assert!(err.message.contains("saisissez-le"));
}

#[test]
fn the_doctor_changes_the_proposal_then_closed_accounts_take_only_corrections() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    login(&api, "medecin");
    let g = shift_with_payments(&api);
    let cid = g.lignes[0].consultation_id;
    let d = api
        .cotation_proposer(CotationProposition {
            consultation_id: cid,
            urgence_averee: false,
        })
        .unwrap();
    let c = d.cotation.unwrap();
    assert!(!c.modifiee);
    assert_eq!(c.actes[0].code, c.proposition.codes[0]);
    assert!(
        c.proposition
            .actes
            .iter()
            .all(|a| !a.explication.is_empty())
    );
    // The doctor adds an ECG with its amount: kept with the consultation, marked as changed.
    let mut actes: Vec<ActeChoisi> = c
        .actes
        .iter()
        .map(|a| ActeChoisi {
            code: a.code.clone(),
            montant: String::new(),
        })
        .collect();
    actes.push(ActeChoisi {
        code: "deqp003".into(),
        montant: "14,52".into(),
    });
    let d = api
        .cotation_choisir(CotationChoix {
            consultation_id: cid,
            actes,
            motif: "ECG réalisé".into(),
        })
        .unwrap();
    let kept = d.cotation.unwrap();
    assert!(kept.modifiee);
    assert_eq!(kept.total_centimes, c.total_centimes + 1452);
    assert_eq!(kept.actes.last().unwrap().code, "DEQP003");
    assert_eq!(d.attendu_centimes, Some(c.total_centimes + 1452));

    // The open shift's accounts cannot be closed before the shift.
    let open = api.compta_garde(GardeRef::default()).unwrap();
    assert!(!open.garde.fermee);
    let err = api.compta_cloturer(GardeRef::default()).unwrap_err();
    assert!(err.message.contains("fermez la garde"), "{}", err.message);

    api.compta_cloturer(GardeRef {
        garde_id: Some(g.garde.id),
    })
    .unwrap();
    let err = api
        .cotation_proposer(CotationProposition {
            consultation_id: cid,
            urgence_averee: false,
        })
        .unwrap_err();
    assert!(err.message.contains("sont clôturés"), "{}", err.message);
    let err = api
        .compta_cloturer(GardeRef {
            garde_id: Some(g.garde.id),
        })
        .unwrap_err();
    assert!(err.message.contains("déjà clôturés"));
    // A payment now is a correction, with its reason.
    let saisie = PaiementSaisie {
        consultation_id: cid,
        mode: "cheque".into(),
        montant: "14,52".into(),
        cheque_numero: "7654321".into(),
        cheque_banque: "CIC".into(),
        ..Default::default()
    };
    let err = api.paiement_enregistrer(saisie.clone()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("motif"), "{}", err.message);
    let d = api
        .paiement_enregistrer(PaiementSaisie {
            motif: "ECG réglé après la clôture".into(),
            ..saisie
        })
        .unwrap();
    let p = d.paiements.last().unwrap();
    assert!(p.apres_cloture);
    // A wrong entry is cancelled by a new one; the settled amount goes back.
    let before = d.regle_centimes;
    let d = api
        .paiement_annuler(PaiementAnnulation {
            paiement_id: p.id,
            motif: "chèque rendu".into(),
        })
        .unwrap();
    assert_eq!(d.regle_centimes, before - 1452);
    assert!(d.paiements.iter().any(|x| x.id == p.id && x.annule));
    let err = api
        .paiement_annuler(PaiementAnnulation {
            paiement_id: p.id,
            motif: "encore".into(),
        })
        .unwrap_err();
    assert!(err.message.contains("déjà annulé"));
    let after = api
        .compta_garde(GardeRef {
            garde_id: Some(g.garde.id),
        })
        .unwrap();
    assert_eq!(
        after.bilan.corrections, 2,
        "the late payment and its cancellation"
    );
}

#[test]
fn a_newer_tariff_table_prices_the_acts_of_its_dates() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    login(&api, "medecin");
    let before = api.tarifs_get().unwrap();
    assert_eq!(
        before.versions.len(),
        1,
        "the default table, stored on first use"
    );
    let csv = "code;libelle;montant_eur;valide_du;valide_au;conditions;source\n\
               G;Consultation au cabinet par le médecin généraliste;32,00;2026-11-01;;;test\n";
    let err = api
        .tarifs_importer(TarifsImport {
            csv: csv.into(),
            remplacer: false,
        })
        .unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::Forbidden,
        "the MMG admin imports tables"
    );
    api.session_logout().unwrap();
    login(&api, "admin");
    // A malformed table: refused line by line in French, nothing stored.
    let err = api
        .tarifs_importer(TarifsImport {
            csv: csv.replace("32,00", "-32,00"),
            remplacer: false,
        })
        .unwrap_err();
    assert!(
        err.message.contains("ligne 2") && err.message.contains("négatif"),
        "{}",
        err.message
    );
    assert_eq!(api.tarifs_get().unwrap().versions.len(), 1);
    let after = api
        .tarifs_importer(TarifsImport {
            csv: csv.into(),
            remplacer: false,
        })
        .unwrap();
    assert_eq!(after.versions.len(), 2);
    assert_eq!(after.version.mode, "complement");
    let g = |date: &str| {
        api.cotation_suggest(CotationRequest {
            date_heure: format!("{date}T10:00"),
            ..Default::default()
        })
        .unwrap()
        .actes[0]
            .montant_centimes
    };
    assert_eq!(g("2026-10-31"), 3000, "the day before: old amount");
    assert_eq!(g("2026-11-01"), 3200, "from its date: the new amount");
    assert_eq!(g("2024-12-21"), 2650, "history kept");
    assert_eq!(g("2024-12-22"), 3000);
}
