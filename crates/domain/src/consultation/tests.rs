//! Unit tests of `consultation` (private items included).

use super::*;
use chrono::NaiveDate;

/// A tiny nomenclature: J06.9 (valid), J06 (category), Z76.0 (not main), A00.0 (withdrawn).
struct Petite;

impl Nomenclature for Petite {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        let raw = code.trim().to_uppercase().replace('.', "");
        let (code, sous, principal, supprime) = match raw.as_str() {
            "J069" => ("J06.9", false, true, false),
            "J06" => ("J06", true, false, false),
            "Z760" => ("Z76.0", false, false, false),
            "A000" => ("A00.0", false, true, true),
            "R509" => ("R50.9", false, true, false),
            _ => return None,
        };
        Some(CodeConnu {
            code: code.into(),
            libelle: format!("libellé de {code}"),
            supprime,
            a_des_sous_codes: sous,
            principal_autorise: principal,
        })
    }
}

fn t(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 20)
        .unwrap()
        .and_hms_opt(h, m, 0)
        .unwrap()
}

fn contenu() -> Contenu {
    let mut c = Contenu::arrivee(t(21, 0), ModeArrivee::ReguleCentre15, Lieu::Mmg, " Fièvre ");
    c.medecin_id = Some(1);
    c.debut = Some(t(21, 20));
    c.fin = Some(t(21, 40));
    c.vitaux.temperature = Some(38.6);
    c.vitaux.ta_systolique = Some(125);
    c.vitaux.ta_diastolique = Some(80);
    c.diagnostic_principal = Some(Diagnostic {
        code: "j069".into(),
        libelle: String::new(),
    });
    c.diagnostics_associes = vec![Diagnostic {
        code: "r50.9".into(),
        libelle: String::new(),
    }];
    c.actes = vec![" g ".into(), "crn".into()];
    c.orientation = Some(Orientation::RetourDomicile);
    c
}

#[test]
fn a_complete_consultation_is_valid_and_closable() {
    let c = contenu().valider(t(22, 30), &Petite).unwrap();
    assert_eq!(c.motif, "Fièvre", "texts are trimmed");
    let principal = c.diagnostic_principal.as_ref().unwrap();
    assert_eq!(principal.code, "J06.9", "codes take their printed form");
    assert_eq!(
        principal.libelle, "libellé de J06.9",
        "the label comes from the nomenclature"
    );
    assert_eq!(c.actes, ["G", "CRN"]);
    assert!(c.valider_cloture().is_empty());
}

type Cas<T> = (&'static str, fn(&mut T), &'static str);

#[test]
fn each_vital_sign_out_of_range_is_refused_with_its_range() {
    let cases: &[Cas<SignesVitaux>] = &[
        (
            "temperature",
            |v| v.temperature = Some(48.0),
            "entre 30 et 43,5 °C",
        ),
        (
            "temperature",
            |v| v.temperature = Some(3.8),
            "valeur saisie : 3,8",
        ),
        (
            "ta_systolique",
            |v| v.ta_systolique = Some(400),
            "entre 50 et 280 mmHg",
        ),
        (
            "ta_diastolique",
            |v| v.ta_diastolique = Some(10),
            "entre 20 et 180",
        ),
        (
            "frequence_cardiaque",
            |v| v.frequence_cardiaque = Some(300),
            "entre 20 et 250",
        ),
        ("spo2", |v| v.spo2 = Some(101), "entre 50 et 100 %"),
        (
            "frequence_respiratoire",
            |v| v.frequence_respiratoire = Some(2),
            "entre 4 et 80",
        ),
        (
            "poids_kg",
            |v| v.poids_kg = Some(700.0),
            "Le poids doit être compris entre 0,3 et 350 kg",
        ),
        (
            "glycemie",
            |v| v.glycemie = Some(12.0),
            "entre 0,2 et 6 g/L",
        ),
        (
            "temperature",
            |v| v.temperature = Some(f64::NAN),
            "La température",
        ),
    ];
    for (field, set, expected) in cases {
        let mut c = contenu();
        set(&mut c.vitaux);
        let errors = c.valider(t(22, 30), &Petite).unwrap_err();
        assert_eq!(errors.len(), 1, "{field}: {errors:?}");
        assert_eq!(errors[0].field.as_deref(), Some(*field));
        assert!(
            errors[0].message.contains(expected),
            "{field}: {}",
            errors[0].message
        );
    }
}

#[test]
fn blood_pressure_needs_both_values_in_order() {
    let mut c = contenu();
    c.vitaux.ta_diastolique = Some(130);
    let errors = c.valider(t(22, 30), &Petite).unwrap_err();
    assert!(
        errors[0].message.contains("inversées"),
        "{}",
        errors[0].message
    );
    let mut c = contenu();
    c.vitaux.ta_diastolique = None;
    let errors = c.valider(t(22, 30), &Petite).unwrap_err();
    assert_eq!(errors[0].field.as_deref(), Some("ta_diastolique"));
}

#[test]
fn impossible_times_are_refused() {
    let cases: &[Cas<Contenu>] = &[
        ("debut", |c| c.debut = Some(t(20, 0)), "précéder l'arrivée"),
        ("fin", |c| c.fin = Some(t(21, 10)), "précéder son début"),
        (
            "arrivee",
            |c| {
                c.arrivee = t(23, 50);
                c.debut = None;
                c.fin = None;
            },
            "futur",
        ),
        (
            "debut",
            |c| c.debut = None,
            "début de la consultation avant",
        ),
        (
            "fin",
            |c| c.fin = Some(t(21, 40) + Duration::days(2)),
            "futur",
        ),
    ];
    for (field, set, expected) in cases {
        let mut c = contenu();
        set(&mut c);
        let errors = c.valider(t(22, 30), &Petite).unwrap_err();
        assert_eq!(errors[0].field.as_deref(), Some(*field), "{errors:?}");
        assert!(
            errors[0].message.contains(expected),
            "{}",
            errors[0].message
        );
    }
    let mut c = contenu();
    c.arrivee = t(21, 0) - Duration::days(3);
    c.debut = Some(c.arrivee);
    let errors = c.valider(t(22, 30), &Petite).unwrap_err();
    assert!(
        errors[0].message.contains("24 heures"),
        "{}",
        errors[0].message
    );
}

#[test]
fn a_time_skipped_by_daylight_saving_is_refused() {
    let mut c = contenu();
    c.arrivee = NaiveDate::from_ymd_opt(2026, 3, 29)
        .unwrap()
        .and_hms_opt(2, 30, 0)
        .unwrap();
    c.debut = None;
    c.fin = None;
    let errors = c.valider(t(22, 30), &Petite).unwrap_err();
    assert_eq!(errors[0].field.as_deref(), Some("arrivee"));
}

#[test]
fn diagnosis_codes_are_checked_against_the_nomenclature() {
    let cases: &[(&str, bool, &str)] = &[
        ("X99.9", true, "n'existe pas"),
        ("J06", true, "catégorie"),
        ("Z76.0", true, "ne peut pas être diagnostic principal"),
        ("A00.0", false, "supprimé"),
        ("J06.9", false, "deux fois"),
    ];
    for (code, principal, expected) in cases {
        let mut c = contenu();
        let d = Diagnostic {
            code: (*code).into(),
            libelle: String::new(),
        };
        if *principal {
            c.diagnostic_principal = Some(d);
        } else {
            c.diagnostics_associes.push(d);
        }
        let errors = c.valider(t(22, 30), &Petite).unwrap_err();
        assert!(
            errors[0].message.contains(expected),
            "{code}: {}",
            errors[0].message
        );
    }
    let mut c = contenu();
    c.diagnostics_associes = vec![Diagnostic {
        code: "Z76.0".into(),
        libelle: String::new(),
    }];
    assert!(
        c.valider(t(22, 30), &Petite).is_ok(),
        "Z76.0 is fine as an associated diagnosis"
    );
}

#[test]
fn closing_needs_the_essentials() {
    let mut c = contenu();
    c.orientation = None;
    c.fin = None;
    c.motif.clear();
    let fields: Vec<_> = c
        .valider_cloture()
        .into_iter()
        .filter_map(|e| e.field)
        .collect();
    assert_eq!(fields, ["motif", "fin", "orientation"]);
    let mut c = contenu();
    c.orientation = Some(Orientation::Autre);
    assert_eq!(
        c.valider_cloture()[0].field.as_deref(),
        Some("orientation_precision")
    );
}

#[test]
fn changes_list_the_fields_that_differ() {
    let avant = contenu().valider(t(22, 30), &Petite).unwrap();
    let mut apres = avant.clone().into_inner();
    apres.conclusion = "Rhinopharyngite".into();
    apres.vitaux.temperature = Some(39.1);
    let diff = changements(&avant, &apres);
    let avant = avant.into_inner();
    let champs: Vec<_> = diff.iter().map(|c| c.champ.as_str()).collect();
    assert_eq!(champs, ["conclusion", "temperature"]);
    assert_eq!(diff[1].avant, "38,6");
    assert_eq!(diff[1].apres, "39,1");
    assert!(changements(&avant, &avant).is_empty());
}

#[test]
fn acts_must_be_codes() {
    let mut c = contenu();
    c.actes = vec!["G+MD".into()];
    let errors = c.valider(t(22, 30), &Petite).unwrap_err();
    assert_eq!(errors[0].field.as_deref(), Some("actes"));
}

#[test]
fn orientation_codes_round_trip() {
    for o in Orientation::ALL {
        assert_eq!(Orientation::from_code(o.code()), Some(*o));
    }
}

#[test]
fn the_coded_reason_is_checked_against_the_nomenclature_and_versions_list_the_rpu_fields() {
    let mut c = contenu();
    c.motif_code = Some(" r509 ".into());
    c.gravite = Some(Gravite::Ccmu2);
    c.transport = Some(Transport::Ambu);
    let valide = c.valider(t(22, 30), &Petite).unwrap();
    assert_eq!(
        valide.motif_code.as_deref(),
        Some("R50.9"),
        "the printed form"
    );
    for (code, attendu) in [("XYZ", "n'existe pas"), ("J06", "catégorie")] {
        let mut c = contenu();
        c.motif_code = Some(code.into());
        let erreurs = c.valider(t(22, 30), &Petite).unwrap_err();
        assert!(
            erreurs
                .iter()
                .any(|e| e.field.as_deref() == Some("motif_code") && e.message.contains(attendu)),
            "{code}: {erreurs:?}"
        );
    }
    let mut blanc = contenu();
    blanc.motif_code = Some("  ".into());
    assert_eq!(blanc.valider(t(22, 30), &Petite).unwrap().motif_code, None);
    let champs: Vec<_> = changements(&contenu(), &valide)
        .into_iter()
        .map(|c| c.champ)
        .collect();
    for champ in ["motif_code", "gravite", "transport"] {
        assert!(champs.iter().any(|c| c == champ), "{champ} in {champs:?}");
    }
}
