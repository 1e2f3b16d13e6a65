//! Statistics over a real encrypted store filled with the demo MMG: the daily aggregates carry no
//! patient data, add up to the dashboard and to a plain SQL count, and a late edit of a past day
//! raises that day's revision only.
#![allow(clippy::unwrap_used)]

use appligarde_api::{
    Api, ApiConfig, ErrorCode, FixedClock,
    commun::Id,
    consultation::{ConsultationsQuery, Rectification},
    dto::DemoOptions,
    statistiques::PeriodeStatistiques,
};
use appligarde_protocol::{DailyAggregate, DailyCounts};
use appligarde_store::{KeySource, Store};
use chrono::{NaiveDate, TimeZone, Utc};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

fn config(dir: &std::path::Path) -> ApiConfig {
    ApiConfig {
        data_dir: dir.join("data"),
        key: KeySource::File(dir.join("key")),
    }
}

/// The demo MMG with 80 consultations over the past year; Friday 20 November 2026, 22:30 in Paris.
fn demo(dir: &std::path::Path) -> Api {
    let clock = FixedClock(Utc.with_ymd_and_hms(2026, 11, 20, 21, 30, 0).unwrap());
    let api = Api::open_with_clock(&config(dir), Arc::new(clock)).unwrap();
    api.demo_seed(DemoOptions {
        consultations: 80,
        seed: 2009,
    })
    .unwrap();
    let comptes = api.session_status().unwrap().comptes;
    let doctor = comptes.iter().find(|c| c.role == "medecin").unwrap();
    api.session_login(appligarde_api::session::Connexion {
        utilisateur_id: doctor.id,
        mot_de_passe: appligarde_api::demo::DEMO_MOT_DE_PASSE.into(),
    })
    .unwrap();
    api
}

fn d(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

const DU: &str = "2025-06-01";
const AU: &str = "2026-12-31";

fn somme(aggregates: &[DailyAggregate]) -> DailyCounts {
    let mut total = DailyCounts::default();
    for a in aggregates {
        let c = &a.counts;
        total.consultations += c.consultations;
        for (t, x) in total.by_arrival_hour.iter_mut().zip(c.by_arrival_hour) {
            *t += x;
        }
        let m = &mut total.by_arrival_mode;
        m.regule_centre15 += c.by_arrival_mode.regule_centre15;
        m.regule_116117 += c.by_arrival_mode.regule_116117;
        m.regule_sas += c.by_arrival_mode.regule_sas;
        m.spontane += c.by_arrival_mode.spontane;
        m.adresse_medecin += c.by_arrival_mode.adresse_medecin;
        m.adresse_pharmacien += c.by_arrival_mode.adresse_pharmacien;
        m.autre += c.by_arrival_mode.autre;
        total.by_sex.female += c.by_sex.female;
        total.by_sex.male += c.by_sex.male;
        total.by_sex.undetermined += c.by_sex.undetermined;
        total.by_orientation.urgences += c.by_orientation.urgences;
        total.by_orientation.hospitalisation += c.by_orientation.hospitalisation;
        total.by_orientation.samu_smur += c.by_orientation.samu_smur;
        total.by_age_band.from_0_to_2 += c.by_age_band.from_0_to_2;
        total.by_age_band.from_75 += c.by_age_band.from_75;
        total.home_visits += c.home_visits;
        total.returns_within_72h += c.returns_within_72h;
        for (k, v) in &c.by_cim10_category {
            *total.by_cim10_category.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &c.by_doctor {
            *total.by_doctor.entry(k.clone()).or_default() += v;
        }
    }
    total
}

#[test]
fn the_aggregate_of_the_demo_carries_no_name_birth_date_nor_note() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let aggregates = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    assert!(!aggregates.is_empty());
    // What could identify a patient, as the demo wrote it.
    let rows = api
        .consultations_list(ConsultationsQuery {
            du: DU.into(),
            au: AU.into(),
        })
        .unwrap();
    let mut secrets: HashSet<String> = HashSet::new();
    for row in &rows {
        let detail = api.consultation_get(Id { id: row.id }).unwrap();
        let p = &detail.patient;
        let c = &detail.consultation;
        for text in [
            &p.nom,
            &p.prenom,
            &p.nom_naissance,
            &p.date_naissance,
            &p.telephone,
            &p.medecin_traitant,
            &p.allergies,
            &p.antecedents,
            &c.motif,
            &c.anamnese,
            &c.examen,
            &c.conclusion,
            &row.patient_naissance,
        ] {
            if text.trim().len() >= 3 {
                secrets.insert(text.trim().to_owned());
            }
        }
        // A patient number would only be a string key: `"12"`.
        secrets.insert(format!("\"{}\"", p.id));
    }
    assert!(secrets.len() > 100, "the demo gives many texts to look for");
    for a in &aggregates {
        assert_eq!(a.defect(), None, "every key is a code");
        // `date` is the garde date, a consultation date; everything else is checked as text.
        let counts = serde_json::to_string(&a.counts).unwrap();
        let ids = format!("{} {}", a.mmg_id, a.device_id);
        for secret in &secrets {
            assert!(
                !counts.contains(secret.as_str()) && !ids.contains(secret.as_str()),
                "the aggregate of {} leaks a patient's data",
                a.date
            );
        }
    }
}

#[test]
fn the_daily_aggregates_add_up_to_the_dashboard_and_to_sql() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let aggregates = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    let total = somme(&aggregates);
    let tableau = api
        .statistiques_tableau(PeriodeStatistiques {
            du: DU.into(),
            au: AU.into(),
        })
        .unwrap();
    assert_eq!(
        total.consultations, 80,
        "every demo consultation is counted once"
    );
    assert_eq!(tableau.consultations, total.consultations);
    let m = &total.by_arrival_mode;
    assert_eq!(
        tableau.regules,
        m.regule_centre15 + m.regule_116117 + m.regule_sas,
        "regulated patients"
    );
    let o = &total.by_orientation;
    assert_eq!(
        tableau.urgences_hospitalisation,
        o.urgences + o.hospitalisation + o.samu_smur
    );
    assert_eq!(tableau.visites, total.home_visits);
    assert_eq!(tableau.retours_72h, total.returns_within_72h);
    let heures: Vec<u32> = tableau.par_heure.iter().map(|l| l.nombre).collect();
    assert_eq!(heures, total.by_arrival_hour.to_vec());
    let sexe: Vec<u32> = tableau.par_sexe.iter().map(|l| l.nombre).collect();
    assert_eq!(
        sexe,
        [
            total.by_sex.female,
            total.by_sex.male,
            total.by_sex.undetermined
        ]
    );
    let ages: BTreeMap<&str, u32> = tableau
        .par_tranche_age
        .iter()
        .map(|l| (l.cle.as_str(), l.nombre))
        .collect();
    assert_eq!(ages["0-2"], total.by_age_band.from_0_to_2);
    assert_eq!(ages["75+"], total.by_age_band.from_75);
    let medecins: u32 = tableau.par_medecin.iter().map(|l| l.nombre).sum();
    assert_eq!(medecins, total.by_doctor.values().sum::<u32>());
    for l in &tableau.par_categorie {
        assert_eq!(
            Some(&l.nombre),
            total.by_cim10_category.get(&l.cle),
            "category {}",
            l.cle
        );
    }
    let par_jour: u32 = tableau.par_jour.iter().map(|l| l.nombre).sum();
    assert_eq!(
        par_jour, total.consultations,
        "the days partition the period"
    );

    // The same counts straight from the tables, with a plain GROUP BY.
    drop(api);
    let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
    let mut stmt = store
        .conn()
        .prepare("SELECT mode_arrivee, count(*) FROM consultation GROUP BY mode_arrivee")
        .unwrap();
    let sql: BTreeMap<String, u32> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let get = |k: &str| sql.get(k).copied().unwrap_or(0);
    assert_eq!(
        (
            m.regule_centre15,
            m.regule_116117,
            m.regule_sas,
            m.spontane,
            m.adresse_medecin,
            m.adresse_pharmacien,
            m.autre
        ),
        (
            get("regule_centre15"),
            get("regule_116117"),
            get("regule_sas"),
            get("spontane"),
            get("adresse_medecin"),
            get("adresse_pharmacien"),
            get("autre")
        ),
        "the aggregates count the arrival modes as SQL does"
    );
    let visites: u32 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM consultation WHERE lieu = 'domicile'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(total.home_visits, visites);
}

#[test]
fn a_late_edit_raises_the_revision_of_its_day_only() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let avant = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    // A closed consultation of a past day.
    let rows = api
        .consultations_list(ConsultationsQuery {
            du: DU.into(),
            au: "2026-11-01".into(),
        })
        .unwrap();
    let row = rows.iter().find(|r| r.statut == "cloturee").unwrap();
    let detail = api.consultation_get(Id { id: row.id }).unwrap();
    let mut saisie = detail.consultation.clone();
    let nouvelle = if saisie.orientation.as_deref() == Some("urgences") {
        "retour_domicile"
    } else {
        "urgences"
    };
    saisie.orientation = Some(nouvelle.into());
    api.consultation_rectifier(Rectification {
        id: detail.id,
        version: detail.version,
        consultation: saisie,
        motif: "Orientation corrigée après appel des urgences".into(),
    })
    .unwrap();
    let apres = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    assert_eq!(avant.len(), apres.len(), "the same days and slots");
    let jour = d(&row.arrivee[..10]);
    // 8h to 8h: an arrival before 8:00 belongs to the day before.
    let heure: u32 = row.arrivee[11..13].parse().unwrap();
    let jour = if heure < 8 {
        jour.pred_opt().unwrap()
    } else {
        jour
    };
    let mut jours_changes = HashSet::new();
    for (a, b) in avant.iter().zip(&apres) {
        assert_eq!((a.date, a.slot), (b.date, b.slot));
        if a.date == jour {
            assert!(b.revision > a.revision, "the edited day's revision grows");
        } else {
            assert_eq!(b.revision, a.revision, "{} keeps its revision", a.date);
            assert_eq!(b.counts, a.counts, "{} keeps its counts", a.date);
        }
        if a.counts != b.counts {
            jours_changes.insert(a.date);
        }
    }
    assert_eq!(
        jours_changes,
        HashSet::from([jour]),
        "only the edited day's counts changed"
    );
    let urgences = |v: &[DailyAggregate]| -> u32 {
        v.iter()
            .filter(|a| a.date == jour)
            .map(|a| a.counts.by_orientation.urgences)
            .sum()
    };
    let delta = if nouvelle == "urgences" { 1 } else { -1 };
    assert_eq!(
        i64::from(urgences(&apres)) - i64::from(urgences(&avant)),
        delta,
        "the new orientation is counted"
    );
}

#[test]
fn a_reversed_period_is_refused_in_french_on_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let err = api
        .statistiques_tableau(PeriodeStatistiques {
            du: "2026-03-10".into(),
            au: "2026-03-01".into(),
        })
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field.as_deref(), Some("au"));
    assert!(err.message.contains("avant son début"), "{}", err.message);
    let err = api
        .statistiques_tableau(PeriodeStatistiques {
            du: "10/03/2026".into(),
            au: "2026-03-01".into(),
        })
        .unwrap_err();
    assert_eq!(
        err.field.as_deref(),
        Some("du"),
        "an unreadable date is named"
    );
}

#[test]
fn exports_follow_french_spreadsheet_conventions() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let export = |format: &str, table: Option<&str>| {
        let f = api
            .statistiques_exporter(appligarde_api::statistiques::ExportStatistiques {
                du: DU.into(),
                au: AU.into(),
                format: format.into(),
                table: table.map(str::to_owned),
                periode: None,
            })
            .unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&f.contenu_base64)
            .unwrap();
        (f, bytes)
    };
    let (fichier, csv) = export("csv", Some("par_mode_arrivee"));
    assert_eq!(
        fichier.nom_fichier,
        "statistiques-2025-06-01-2026-12-31-par-mode-arrivee.csv"
    );
    assert!(
        csv.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark for Excel"
    );
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "Mode d'arrivée;Consultations;Part (%)");
    assert!(
        lines[1].starts_with("Régulé par le Centre 15;"),
        "{}",
        lines[1]
    );
    assert!(
        lines.iter().skip(1).any(|l| l.contains(',')),
        "shares use a decimal comma: {text}"
    );
    assert!(!text.contains('.'), "no decimal point anywhere: {text}");
    let (_, tout) = export("csv", None);
    let tout = String::from_utf8(tout).unwrap();
    assert!(tout.contains("\r\nSynthèse\r\n") || tout.starts_with("\u{feff}Synthèse\r\n"));
    assert!(
        tout.contains("\r\n\r\nMédecins\r\n"),
        "tables are separated by an empty line"
    );
    let (fichier, xlsx) = export("xlsx", None);
    assert!(fichier.nom_fichier.ends_with(".xlsx"));
    assert_eq!(&xlsx[..2], b"PK", "an XLSX file is a zip archive");
    let err = api
        .statistiques_exporter(appligarde_api::statistiques::ExportStatistiques {
            du: DU.into(),
            au: AU.into(),
            format: "ods".into(),
            table: None,
            periode: None,
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("format"));
}

#[test]
fn the_cpom_report_is_a_pdf_with_the_months_and_the_regulated_share() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let pdf = api.rapport_cpom(2026).unwrap();
    let path = dir.path().join("rapport.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let tableau = api
        .statistiques_tableau(PeriodeStatistiques {
            du: "2026-01-01".into(),
            au: "2026-12-31".into(),
        })
        .unwrap();
    for needle in [
        "Rapport d'activité 2026".to_owned(),
        "Consultations par mois".to_owned(),
        "janvier 2026".to_owned(),
        "décembre 2026".to_owned(),
        format!("Consultations {}", tableau.consultations),
        format!(
            "Patients régulés (Centre 15, 116 117, SAS) {} (",
            tableau.regules
        ),
        "Définitions des indicateurs".to_owned(),
    ] {
        assert!(text.contains(&needle), "« {needle} » missing from: {text}");
    }
}

#[test]
fn payments_are_counted_by_mode_on_their_consultations_day_without_the_cancelled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let avant = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    let rows = api
        .consultations_list(ConsultationsQuery {
            du: DU.into(),
            au: "2026-11-01".into(),
        })
        .unwrap();
    let row = &rows[0];
    // What the Comptabilité screen writes (migration 0004): a card payment, a cash payment then
    // its cancellation, a "non réglé" entry, and a third-party payment of the Assurance Maladie.
    let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
    store
        .conn()
        .execute_batch(&format!(
            "INSERT INTO paiement (id, consultation_id, mode, montant_centimes, saisi_le) VALUES
               (9001, {id}, 'carte', 3000, '2026-11-20T21:00:00Z'),
               (9002, {id}, 'especes', 2000, '2026-11-20T21:00:00Z'),
               (9004, {id}, 'non_regle', 1500, '2026-11-20T21:00:00Z'),
               (9005, {id}, 'tiers_payant_amo', 1250, '2026-11-20T21:00:00Z');
             INSERT INTO paiement (id, consultation_id, mode, montant_centimes, annule_id, motif, saisi_le)
               VALUES (9003, {id}, 'especes', 2000, 9002, 'erreur', '2026-11-20T21:05:00Z');",
            id = row.id
        ))
        .unwrap();
    let apres = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    let heure: u32 = row.arrivee[11..13].parse().unwrap();
    let jour = d(&row.arrivee[..10]);
    let jour = if heure < 8 {
        jour.pred_opt().unwrap()
    } else {
        jour
    };
    let montants = |v: &[DailyAggregate]| {
        let mut m = (0, 0, 0, 0);
        for a in v.iter().filter(|a| a.date == jour) {
            m.0 += a.counts.amounts_cents.carte;
            m.1 += a.counts.amounts_cents.especes;
            m.2 += a.counts.amounts_cents.tiers_payant;
            m.3 += a.counts.amounts_cents.autre;
        }
        m
    };
    let (a, b) = (montants(&avant), montants(&apres));
    assert_eq!(
        (b.0 - a.0, b.1 - a.1, b.2 - a.2, b.3 - a.3),
        (3000, 0, 1250, 0),
        "card and third-party counted; cash cancelled; non réglé is no money"
    );
    for (x, y) in avant.iter().zip(&apres) {
        if x.date == jour {
            assert!(y.revision > x.revision, "a payment changes its day");
        } else {
            assert_eq!(y.revision, x.revision, "{} is untouched", x.date);
        }
    }
}

/// The dashboard and the aggregates read through the cache equal the ones computed straight from
/// the consultations: for the whole period, a month, one shift.
fn assert_cache_fidele(api: &Api, etape: &str) {
    use appligarde_domain::calendrier::PeriodePdsa;
    for (du, au, garde) in [
        (DU, AU, None),
        ("2026-10-01", "2026-11-30", None),
        (DU, AU, Some(PeriodePdsa::Nuit)),
        (
            "2026-11-14",
            "2026-11-14",
            Some(PeriodePdsa::SamediApresMidi),
        ),
    ] {
        let cache = api.tableau_de(d(du), d(au), garde).unwrap();
        let direct = api.tableau_direct(d(du), d(au), garde).unwrap();
        assert_eq!(
            cache, direct,
            "{etape}: the cached dashboard of {du}..{au} ({garde:?}) is the direct one"
        );
    }
    assert_eq!(
        api.agregats_quotidiens(d(DU), d(AU)).unwrap(),
        api.agregats_quotidiens_direct(d(DU), d(AU)).unwrap(),
        "{etape}: the cached daily aggregates are the direct ones"
    );
}

#[test]
fn the_cache_never_shows_stale_counts_after_inserts_edits_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    assert_cache_fidele(&api, "cold cache");
    let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
    let cached: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM statistique_cache", [], |r| r.get(0))
        .unwrap();
    assert!(cached > 500, "every day of the period is cached: {cached}");
    assert_cache_fidele(&api, "warm cache");

    let rows = api
        .consultations_list(ConsultationsQuery {
            du: DU.into(),
            au: "2026-11-01".into(),
        })
        .unwrap();
    let premiere = rows.iter().find(|r| r.statut == "cloturee").unwrap();
    let detail = api.consultation_get(Id { id: premiere.id }).unwrap();

    // A late edit through the API (orientation and diagnoses rewritten).
    let mut saisie = detail.consultation.clone();
    saisie.orientation = Some(
        if saisie.orientation.as_deref() == Some("urgences") {
            "retour_domicile"
        } else {
            "urgences"
        }
        .into(),
    );
    api.consultation_rectifier(Rectification {
        id: detail.id,
        version: detail.version,
        consultation: saisie,
        motif: "Orientation corrigée".into(),
    })
    .unwrap();
    assert_cache_fidele(&api, "late edit of a consultation");

    let id = rows[1].id;
    let autre = rows[2].id;
    let patient = api.consultation_get(Id { id }).unwrap().patient.id;
    let edits = [
        (
            "principal diagnosis changed in place",
            format!(
                "UPDATE consultation_diagnostic SET code = 'A09' WHERE consultation_id = {id} AND principal = 1"
            ),
        ),
        (
            "associated diagnosis added",
            format!(
                "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal) VALUES ({autre}, 7, 'R05', 0)"
            ),
        ),
        (
            "principal diagnosis removed",
            format!("DELETE FROM consultation_diagnostic WHERE consultation_id = {autre} AND principal = 1"),
        ),
        (
            "patient's sex, birth date and commune changed",
            format!(
                "UPDATE patient SET sexe = CASE sexe WHEN 'F' THEN 'M' ELSE 'F' END, date_naissance = '1931-02-03',
                 code_insee = '49007', commune = 'Angers' WHERE id = {patient}"
            ),
        ),
        (
            "payment recorded",
            format!(
                "INSERT INTO paiement (id, consultation_id, mode, montant_centimes, saisi_le)
                 VALUES (9101, {id}, 'carte', 2650, '2026-11-20T21:00:00Z')"
            ),
        ),
        (
            "consultation inserted on a past day, 20 hours before another one of the same patient",
            format!(
                "INSERT INTO consultation (uid, patient_id, medecin_id, arrivee, mode_arrivee, lieu, statut,
                     created_at, updated_at)
                 SELECT 'tardive', patient_id, medecin_id,
                        strftime('%Y-%m-%dT%H:%M:%S', arrivee, '-20 hours'), 'regule_sas', 'domicile',
                        'cloturee', '2026-11-20T21:00:00Z', '2026-11-20T21:00:00Z'
                 FROM consultation WHERE id = {autre}"
            ),
        ),
        (
            "consultation deleted",
            format!(
                "PRAGMA foreign_keys = OFF; DELETE FROM consultation WHERE id = {}; PRAGMA foreign_keys = ON;",
                rows[3].id
            ),
        ),
        (
            "département changed (other holidays)",
            "UPDATE mmg SET departement = '57'".to_owned(),
        ),
    ];
    for (etape, sql) in edits {
        store.conn().execute_batch(&sql).unwrap();
        assert_cache_fidele(&api, etape);
    }
}

#[test]
fn a_shift_shows_only_its_consultations_and_a_day_all_its_shifts() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let gardes = api
        .statistiques_gardes(PeriodeStatistiques {
            du: DU.into(),
            au: AU.into(),
        })
        .unwrap();
    assert!(gardes.len() > 10, "the demo has many shifts");
    assert!(
        gardes.windows(2).all(|w| w[0].date >= w[1].date),
        "the most recent first"
    );
    let total: u32 = gardes.iter().map(|g| g.consultations).sum();
    assert_eq!(total, 80, "the shifts partition the consultations");
    let g = &gardes[0];
    let tableau = api
        .statistiques_tableau_garde(appligarde_api::statistiques::GardeStatistiques {
            date: g.date.clone(),
            periode: g.periode.clone(),
        })
        .unwrap();
    assert_eq!(tableau.consultations, g.consultations);
    assert_eq!(tableau.garde.as_deref(), Some(g.libelle.as_str()));
    let par_periode: Vec<(&str, u32)> = tableau
        .par_periode
        .iter()
        .filter(|l| l.nombre > 0)
        .map(|l| (l.cle.as_str(), l.nombre))
        .collect();
    assert_eq!(
        par_periode,
        [(g.periode.as_str(), g.consultations)],
        "a shift counts only its own slot"
    );
    let jour = api
        .statistiques_tableau(PeriodeStatistiques {
            du: g.date.clone(),
            au: g.date.clone(),
        })
        .unwrap();
    let du_jour: u32 = gardes
        .iter()
        .filter(|x| x.date == g.date)
        .map(|x| x.consultations)
        .sum();
    assert_eq!(jour.consultations, du_jour, "a day holds all its shifts");
    assert_eq!(jour.garde, None);
    let err = api
        .statistiques_tableau_garde(appligarde_api::statistiques::GardeStatistiques {
            date: g.date.clone(),
            periode: "apres_midi".into(),
        })
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("periode"), "{}", err.message);
}

#[test]
fn communes_are_named_with_their_code_and_all_diagnoses_have_their_table() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
    // A commune code that no patient names keeps its bare code.
    store
        .conn()
        .execute_batch(
            "UPDATE patient SET code_insee = '85191', commune = '' WHERE id = (SELECT min(id) FROM patient)",
        )
        .unwrap();
    let noms: BTreeMap<String, String> = store
        .conn()
        .prepare("SELECT code_insee, commune FROM patient WHERE commune <> ''")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let tableau = api
        .statistiques_tableau(PeriodeStatistiques {
            du: DU.into(),
            au: AU.into(),
        })
        .unwrap();
    assert!(!tableau.par_commune.is_empty());
    for l in &tableau.par_commune {
        let attendu = match noms.get(&l.cle) {
            Some(nom) => format!("{nom} ({})", l.cle),
            None => l.cle.clone(),
        };
        assert_eq!(l.libelle, attendu, "commune {}", l.cle);
    }
    assert!(
        tableau.par_commune.iter().any(|l| l.libelle == "85191"),
        "an unnamed code falls back to the code alone"
    );
    // The aggregate that leaves the MMG keeps codes only.
    for a in api.agregats_quotidiens(d(DU), d(AU)).unwrap() {
        for k in a.counts.by_commune.keys() {
            assert!(
                k.chars().all(|c| c.is_ascii_alphanumeric()) && k.len() == 5,
                "{k}"
            );
        }
    }
    let principal: u32 = tableau.par_chapitre.iter().map(|l| l.nombre).sum();
    let tous: u32 = tableau.par_chapitre_tous.iter().map(|l| l.nombre).sum();
    assert!(
        tous >= principal,
        "all diagnoses count at least the principal ones ({tous} < {principal})"
    );
}

/// Syndrome code -> counts by age class (0-1, 2-14, 15-74, 75+, unknown), summed over aggregates;
/// the denominator under the key `""`.
fn syndromes_des_agregats(aggregates: &[DailyAggregate]) -> BTreeMap<String, [u32; 5]> {
    let mut out: BTreeMap<String, [u32; 5]> = BTreeMap::new();
    for a in aggregates {
        let lignes = std::iter::once((String::new(), a.counts.with_diagnosis))
            .chain(a.counts.by_syndrome.iter().map(|(k, v)| (k.clone(), *v)));
        for (cle, cases) in lignes {
            let total = out.entry(cle).or_default();
            for (t, x) in total.iter_mut().zip(cases.cells()) {
                *t += x;
            }
        }
    }
    out.retain(|_, cases| cases.iter().any(|n| *n > 0));
    out
}

/// The same counts made straight from the tables: every diagnosis code of every consultation,
/// the patient's birth date and the arrival, classified one consultation at a time.
fn syndromes_des_consultations(store: &Store) -> BTreeMap<String, [u32; 5]> {
    use appligarde_domain::syndromes::syndromes;
    let mut stmt = store
        .conn()
        .prepare(
            "SELECT c.id, substr(c.arrivee, 1, 10), p.date_naissance, d.code
             FROM consultation c JOIN patient p ON p.id = c.patient_id
             JOIN consultation_diagnostic d ON d.consultation_id = c.id",
        )
        .unwrap();
    let mut par_consultation: BTreeMap<i64, (usize, Vec<String>)> = BTreeMap::new();
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, arrivee, naissance, code) = row.unwrap();
        // Full years on the day of arrival, in Santé publique France's classes.
        let age = d(&arrivee).years_since(d(&naissance));
        let classe = match age {
            Some(0..=1) => 0,
            Some(2..=14) => 1,
            Some(15..=74) => 2,
            Some(_) => 3,
            None => 4,
        };
        par_consultation
            .entry(id)
            .or_insert((classe, Vec::new()))
            .1
            .push(code);
    }
    let mut out: BTreeMap<String, [u32; 5]> = BTreeMap::new();
    for (classe, codes) in par_consultation.values() {
        out.entry(String::new()).or_default()[*classe] += 1;
        for s in syndromes() {
            if codes.iter().any(|c| s.contient(c)) {
                out.entry(s.code.clone()).or_default()[*classe] += 1;
            }
        }
    }
    out
}

#[test]
fn each_syndrome_of_the_aggregates_equals_a_count_from_the_consultations_codes() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    // An associated diagnosis counts like a principal one: add a gastro-enteritis to a closed
    // consultation whose principal diagnosis is not one.
    let rows = api
        .consultations_list(ConsultationsQuery {
            du: DU.into(),
            au: "2026-11-01".into(),
        })
        .unwrap();
    let row = rows
        .iter()
        .find(|r| {
            r.statut == "cloturee" && r.diagnostic.as_deref().is_some_and(|c| !c.starts_with('A'))
        })
        .unwrap();
    let detail = api.consultation_get(Id { id: row.id }).unwrap();
    let mut saisie = detail.consultation.clone();
    saisie.diagnostics_associes.push("A09.9".into());
    api.consultation_rectifier(Rectification {
        id: detail.id,
        version: detail.version,
        consultation: saisie,
        motif: "Gastro-entérite associée".into(),
    })
    .unwrap();

    let par_agregats = syndromes_des_agregats(&api.agregats_quotidiens(d(DU), d(AU)).unwrap());
    let direct = syndromes_des_agregats(&api.agregats_quotidiens_direct(d(DU), d(AU)).unwrap());
    assert_eq!(
        par_agregats, direct,
        "the cached aggregates equal the uncached ones"
    );
    drop(api);
    let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
    let sql = syndromes_des_consultations(&store);
    assert_eq!(
        par_agregats, sql,
        "each syndrome equals a count from the codes"
    );
    // The demo's winter scenarios make these non-zero, so the comparison is not of empty maps.
    let total = |k: &str| sql.get(k).map_or(0, |c| c.iter().sum::<u32>());
    assert!(total("") > 0 && total("ira") > 0 && total("gastro_enterite") > 0);
    let avec_diagnostic: u32 = store
        .conn()
        .query_row(
            "SELECT count(DISTINCT consultation_id) FROM consultation_diagnostic",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(total(""), avec_diagnostic, "the denominator");
}

#[test]
fn an_associated_diagnosis_changed_in_the_store_sends_its_day_again() {
    let dir = tempfile::tempdir().unwrap();
    let api = demo(dir.path());
    let avant = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    drop(api);
    // Another writer (or a program without the delete-and-insert of the app) adds an associated
    // diagnosis: migration 0011's trigger bumps the day's revision.
    let (id, arrivee): (i64, String) = {
        let store = Store::open(&dir.path().join("data"), &config(dir.path()).key).unwrap();
        let row = store
            .conn()
            .query_row(
                "SELECT id, arrivee FROM consultation WHERE substr(arrivee, 12, 2) >= '08'
                 ORDER BY arrivee LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        store
            .conn()
            .execute(
                "INSERT INTO consultation_diagnostic (consultation_id, rang, code, principal)
                 VALUES (?1, 90, 'T67.0', 0)",
                [row.0],
            )
            .unwrap();
        row
    };
    let api = Api::open(&config(dir.path())).unwrap();
    let apres = api.agregats_quotidiens(d(DU), d(AU)).unwrap();
    let jour = d(&arrivee[..10]);
    let revision = |v: &[DailyAggregate]| v.iter().find(|a| a.date == jour).unwrap().revision;
    assert!(
        revision(&apres) > revision(&avant),
        "consultation {id}'s day is sent again"
    );
    let chaleur: u32 = apres
        .iter()
        .filter(|a| a.date == jour)
        .filter_map(|a| a.counts.by_syndrome.get("chaleur"))
        .map(|c| c.total())
        .sum();
    assert_eq!(chaleur, 1, "the heat-related illness is counted on its day");
}
