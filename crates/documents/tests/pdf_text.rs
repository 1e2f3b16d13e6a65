#![allow(clippy::unwrap_used)]
//! Reads the PDFs back with poppler's `pdftotext -layout` and checks the
//! mandatory mentions, the accents, the page frame and the pagination rules.

use appligarde_documents::{
    DocumentError, Ordonnance, courrier_pdf, exemple, ordonnance_pdf, valider_ordonnance,
};
use std::process::Command;

/// Text of each page of `pdf`, as laid out by pdftotext.
fn pages_text(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let info = Command::new("pdfinfo").arg(&path).output().unwrap();
    assert!(info.status.success(), "pdfinfo must accept the PDF");
    let info = String::from_utf8(info.stdout).unwrap();
    let n: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (1..=n)
        .map(|i| {
            let out = Command::new("pdftotext")
                .args([
                    "-layout",
                    "-enc",
                    "UTF-8",
                    "-f",
                    &i.to_string(),
                    "-l",
                    &i.to_string(),
                ])
                .arg(&path)
                .arg("-")
                .output()
                .unwrap();
            assert!(out.status.success(), "pdftotext must read page {i}");
            String::from_utf8(out.stdout).unwrap()
        })
        .collect()
}

/// Collapses runs of spaces so that a check does not depend on column layout.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn assert_contains_all(text: &str, needles: &[&str], what: &str) {
    let flat = squash(text);
    for n in needles {
        assert!(
            flat.contains(&squash(n)),
            "{what}: « {n} » missing from:\n{text}"
        );
    }
}

#[test]
fn child_ordonnance_carries_every_mandatory_mention_with_accents() {
    let o = exemple::ordonnance_enfant();
    let pages = pages_text(&ordonnance_pdf(&o).unwrap());
    assert_eq!(pages.len(), 1, "three drugs fit on one page");
    let t = &pages[0];
    // Prescriber (CSP R.5132-3): name, first name, title, RPPS, address with France, phone, e-mail.
    assert_contains_all(
        t,
        &[
            "Dr Hélène LEFÈVRE",
            "Médecin généraliste",
            "N° RPPS : 10101234567",
            "Maison médicale de garde du Val-de-Saône",
            "12 rue de l'Hôpital, bâtiment « Les Tilleuls »",
            "69250 Neuville-sur-Saône — France",
            "+33 4 78 91 00 00",
            "+33 6 12 34 56 78",
            "helene.lefevre@mmg-exemple.fr",
            "accueil@mmg-exemple.fr",
            "Le 23 novembre 2026",
            "Signature",
            "Fait à Neuville-sur-Saône, le 23 novembre 2026",
        ],
        "prescriber and date",
    );
    // Patient: name, first name, sex, birth date, age, weight, height.
    assert_contains_all(
        t,
        &[
            "Patient : BÉRANGER Léa-Françoise",
            "Sexe : Féminin",
            "Née le 12/03/2022 (4 ans)",
            "Poids : 16,5 kg",
            "Taille : 102 cm",
        ],
        "patient",
    );
    // Every drug: name, DCI, strength, form, posology, duration, renewals, non-substitution.
    for (i, l) in o.lignes.iter().enumerate() {
        assert_contains_all(
            t,
            &[
                &format!("{}. {} {}", i + 1, l.medicament, l.dosage),
                &format!("DCI : {}", l.dci),
                &format!("Forme : {}", l.forme),
                &l.duree_ou_quantite,
            ],
            &format!("drug {}", i + 1),
        );
        // The posology may wrap: check its first words.
        let start: String = l
            .posologie
            .split_whitespace()
            .take(5)
            .collect::<Vec<_>>()
            .join(" ");
        assert_contains_all(t, &[&start], "posology");
    }
    assert_contains_all(
        t,
        &[
            "Non renouvelable",
            "À renouveler 1 fois",
            "Non substituable",
        ],
        "renewals",
    );
    // Accents and typographic quotes survive the font embedding (é è à ç « »).
    for c in ['é', 'è', 'à', 'ç', '«', '»', 'É', 'Ô'] {
        let has = t.contains(c) || t.contains(&c.to_lowercase().to_string());
        assert!(has, "character {c} must be extracted intact");
    }
    assert!(t.contains("Page 1/1"), "footer with page count");
}

#[test]
fn fifteen_drugs_repeat_the_frame_and_never_split_a_drug() {
    let o = exemple::ordonnance_longue(15);
    let pages = pages_text(&ordonnance_pdf(&o).unwrap());
    let n = pages.len();
    assert!(n >= 2, "15 drugs cannot fit on one A4 page (got {n})");
    for (i, t) in pages.iter().enumerate() {
        // Header and patient band on every page, and "Page n/N".
        assert_contains_all(
            t,
            &[
                "Maison médicale de garde du Val-de-Saône",
                "Dr Hélène LEFÈVRE",
                "N° RPPS : 10101234567",
                "ORDONNANCE",
                "Patient : DŒUF Jérôme",
                "Né le 30/06/1959 (67 ans)",
                &format!("Page {}/{}", i + 1, n),
            ],
            &format!("frame of page {}", i + 1),
        );
        assert!(!squash(t).is_empty(), "no empty page");
    }
    // Each drug block is whole on the page where it starts: its title, its
    // posology's last words and its duration are on the same page.
    for (k, l) in o.lignes.iter().enumerate() {
        let title = format!("{}. {} {}", k + 1, l.medicament, l.dosage);
        // Titles start their line ("1. " must not match "11. ").
        let starts = |p: &String| p.lines().any(|l| squash(l).starts_with(&title));
        let on: Vec<usize> = (0..n).filter(|&p| starts(&pages[p])).collect();
        assert_eq!(on.len(), 1, "drug {} printed exactly once", k + 1);
        let page = squash(&pages[on[0]]);
        let at = page.find(&format!(" {title}")).unwrap();
        let rest = &page[at..];
        let words: Vec<&str> = l.posologie.split_whitespace().collect();
        let tail = words[words.len() - 3..].join(" ");
        assert!(
            rest.contains(&tail),
            "drug {} posology end « {tail} » on the same page",
            k + 1
        );
        assert!(
            rest.contains(&format!("Durée / quantité : {}", l.duree_ou_quantite)),
            "drug {} duration on the same page",
            k + 1
        );
    }
    // The signature area is on the last page only.
    let last = pages.last().unwrap();
    assert!(last.contains("Signature"), "signature on the last page");
    assert!(
        pages[..n - 1].iter().all(|p| !p.contains("Signature")),
        "signature only on the last page"
    );
}

#[test]
fn child_without_weight_is_refused_in_french() {
    let mut o = exemple::ordonnance_enfant();
    o.patient.poids_kg = None;
    let err = ordonnance_pdf(&o).unwrap_err();
    assert!(
        matches!(err, DocumentError::PoidsEnfantManquant { .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.contains("poids est obligatoire"), "{msg}");
    assert!(msg.contains("enfant"), "{msg}");
    assert!(msg.contains("4 ans"), "the message gives the age: {msg}");
    // An adult without weight is fine (weight only "when needed").
    let mut adult = exemple::ordonnance_longue(2);
    adult.patient.poids_kg = None;
    assert!(ordonnance_pdf(&adult).is_ok(), "an adult needs no weight");
}

#[test]
fn invalid_ordonnances_are_refused_with_a_french_reason() {
    type Edit = fn(&mut Ordonnance);
    let cases: [(Edit, &str); 8] = [
        (|o| o.prescripteur.rpps = String::new(), "numéro RPPS"),
        (|o| o.prescripteur.rpps = "1234".into(), "11 chiffres"),
        (
            |o| o.prescripteur.titre = " ".into(),
            "titre ou la spécialité",
        ),
        (|o| o.etablissement.adresse = String::new(), "adresse"),
        (|o| o.lignes.clear(), "aucun médicament"),
        (|o| o.lignes[1].posologie = String::new(), "Ligne 2"),
        (|o| o.patient.poids_kg = Some(-3.0), "poids"),
        (
            |o| o.patient.date_naissance = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            "date de naissance",
        ),
    ];
    for (edit, expected) in cases {
        let mut o = exemple::ordonnance_enfant();
        edit(&mut o);
        let err = valider_ordonnance(&o).unwrap_err().to_string();
        assert!(
            err.contains(expected),
            "expected « {expected} » in « {err} »"
        );
        assert_eq!(
            ordonnance_pdf(&o).unwrap_err().to_string(),
            err,
            "render refuses too"
        );
    }
}

#[test]
fn rendering_is_deterministic() {
    let o = exemple::ordonnance_longue(15);
    let a = ordonnance_pdf(&o).unwrap();
    // Render other documents in between: no process-global counter may leak in.
    let _ = courrier_pdf(&exemple::courrier_urgences()).unwrap();
    let b = ordonnance_pdf(&o).unwrap();
    assert_eq!(a, b, "same ordonnance, byte-identical PDF");
    assert_eq!(
        appligarde_documents::empreinte(&a),
        appligarde_documents::empreinte(&b),
        "a reprint has the recorded hash"
    );
    assert_eq!(appligarde_documents::empreinte(&a).len(), 64, "SHA-256 hex");
    let c1 = courrier_pdf(&exemple::certificat()).unwrap();
    let c2 = courrier_pdf(&exemple::certificat()).unwrap();
    assert_eq!(c1, c2, "same letter, byte-identical PDF");
    let mut other = o.clone();
    other.lignes[0].posologie.push_str(" Une de plus.");
    assert_ne!(
        ordonnance_pdf(&other).unwrap(),
        a,
        "different content, different bytes"
    );
    // The PDF dates come from the document date, not from the clock.
    let s = String::from_utf8_lossy(&a);
    assert!(
        s.contains("D:20261123000000"),
        "creation date is the ordonnance date"
    );
}

#[test]
fn fonts_are_embedded_and_subset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.pdf");
    let pdf = ordonnance_pdf(&exemple::ordonnance_enfant()).unwrap();
    std::fs::write(&path, &pdf).unwrap();
    let out = Command::new("pdffonts").arg(&path).output().unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let fonts: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(fonts.len(), 2, "regular and bold:\n{out}");
    for f in fonts {
        let cols: Vec<&str> = f.split_whitespace().collect();
        // Columns: name type encoding emb sub uni object ID.
        let n = cols.len();
        assert_eq!(cols[n - 5], "yes", "embedded: {f}");
        assert_eq!(cols[n - 4], "yes", "subset: {f}");
        assert_eq!(
            cols[n - 3],
            "yes",
            "with a Unicode map (copy-paste works): {f}"
        );
    }
    assert!(
        pdf.len() < 120_000,
        "subsetting keeps the file small ({} bytes)",
        pdf.len()
    );
}

#[test]
fn letter_to_medecin_traitant_has_every_section() {
    let c = exemple::courrier_medecin_traitant();
    let pages = pages_text(&courrier_pdf(&c).unwrap());
    let t = pages.join("\n");
    assert_contains_all(
        &t,
        &[
            "COURRIER AU MÉDECIN TRAITANT",
            "Dr François Müller",
            "Neuville-sur-Saône, le 23 novembre 2026",
            "Concerne : M. DŒUF Jérôme, né le 30/06/1959 (67 ans), 82 kg",
            "Cher confrère, chère consœur,",
            "Motif de consultation",
            "Examen clinique",
            "Diagnostic(s)",
            "Colique néphrétique droite non compliquée (N23)",
            "Traitement administré sur place",
            "Traitement prescrit",
            "Orientation",
            "Conseils donnés",
            "salutations confraternelles",
            "Dr Hélène LEFÈVRE",
            "N° RPPS : 10101234567",
            "Signature",
        ],
        "letter to the GP",
    );
    assert!(t.contains('œ'), "œ ligature intact");
}

#[test]
fn referral_to_emergency_has_vitals_allergies_and_phone() {
    let t = pages_text(&courrier_pdf(&exemple::courrier_urgences()).unwrap()).join("\n");
    assert_contains_all(
        &t,
        &[
            "ADRESSAGE AUX URGENCES",
            "Service des urgences pédiatriques",
            "Motif d'adressage",
            "TA : 95/60 mmHg",
            "FC : 148 /min",
            "T° : 39,8 °C",
            "SpO2 : 97 %",
            "Traitements déjà administrés",
            "Paracétamol 240 mg",
            "Allergies",
            "Allergie à la pénicilline",
            "joignable au +33 6 12 34 56 78",
            "Concerne : BÉRANGER Léa-Françoise, née le 12/03/2022 (4 ans), 16,5 kg",
        ],
        "referral",
    );
}

#[test]
fn a_referral_whose_allergies_were_never_asked_says_so() {
    let mut contenu = exemple::urgences_contenu();
    contenu.allergies = "  ".into();
    let lettre = exemple::courrier_urgences_avec(contenu);
    let t = pages_text(&courrier_pdf(&lettre).unwrap()).join("\n");
    assert_contains_all(&t, &["Allergies", "Non renseignées."], "referral");
    assert!(
        !t.contains("Aucune allergie"),
        "never asked is not none: {t}"
    );
}

#[test]
fn certificate_and_edited_letter_print_what_the_doctor_left() {
    let mut c = exemple::certificat();
    c.sections[1].texte =
        "Texte modifié à la main : aptitude retrouvée à compter du 1er décembre.".into();
    let t = pages_text(&courrier_pdf(&c).unwrap()).join("\n");
    assert_contains_all(
        &t,
        &[
            "CERTIFICAT MÉDICAL",
            "Je soussigné(e), Dr Hélène LEFÈVRE, certifie avoir examiné ce jour M. Jérôme DŒUF",
            "Texte modifié à la main",
            "faire valoir ce que de droit",
        ],
        "certificate",
    );
    assert!(
        !t.contains("contre-indique"),
        "the edited text replaced the pre-filled one"
    );
    c.sections.iter_mut().for_each(|s| s.texte.clear());
    let err = courrier_pdf(&c).unwrap_err().to_string();
    assert!(err.contains("vide"), "{err}");
}

#[test]
fn long_letter_flows_over_pages_with_the_header_on_each() {
    let mut c = exemple::courrier_medecin_traitant();
    let para = "Évolution favorable sous traitement, à réévaluer. ".repeat(40);
    for s in &mut c.sections {
        s.texte = format!("{}\n{}", s.texte, para);
    }
    let pages = pages_text(&courrier_pdf(&c).unwrap());
    let n = pages.len();
    assert!(n >= 2, "a long letter needs several pages (got {n})");
    for (i, t) in pages.iter().enumerate() {
        assert_contains_all(
            t,
            &["N° RPPS : 10101234567", &format!("Page {}/{}", i + 1, n)],
            &format!("letter page {}", i + 1),
        );
        // A section title is never the last text line of a page.
        let last = t
            .lines()
            .rev()
            .filter(|l| !l.trim().is_empty())
            .nth(1)
            .unwrap_or("");
        for s in &c.sections {
            assert_ne!(
                last.trim(),
                s.titre,
                "title « {} » alone at the bottom of page {}",
                s.titre,
                i + 1
            );
        }
    }
}

#[test]
fn unusual_text_never_panics_and_long_names_wrap() {
    let mut o = exemple::ordonnance_enfant();
    // Emoji and CJK are not in DejaVu Sans; tabs, CR and control characters come from copy-paste.
    o.lignes[0].posologie = "Matin 🙂 et soir\t中文\r\n\u{7}ligne suivante".into();
    o.patient.nom = "De La Fontaine-Saint-Exupéry-Montmorency-Laval-Beauharnais".repeat(2);
    o.etablissement.commune = "Saint-Remy-en-Bouzemont-Saint-Genest-et-Isson".into();
    let pages = pages_text(&ordonnance_pdf(&o).unwrap());
    let t = squash(&pages.join("\n"));
    assert!(
        t.contains("Matin"),
        "the readable part of the posology is printed"
    );
    assert!(
        t.contains("ligne suivante"),
        "text after the newline is printed"
    );
    // Nothing is drawn past the right margin: pdftotext lines stay within the page width.
    for l in pages[0].lines() {
        assert!(
            l.chars().count() < 140,
            "line too wide (text off the page?): {l}"
        );
    }
}

#[test]
fn a_drug_block_taller_than_a_page_is_refused() {
    let mut o = exemple::ordonnance_enfant();
    o.lignes[2].posologie = "Une phrase de posologie beaucoup trop longue. ".repeat(200);
    let err = ordonnance_pdf(&o).unwrap_err();
    assert_eq!(
        err,
        DocumentError::BlocTropLong {
            bloc: "ligne 3".into()
        },
        "{err}"
    );
    assert!(err.to_string().contains("raccourcissez"), "{err}");
}

#[test]
fn a_template_applied_to_a_child_prints_the_computed_dose() {
    let modele = appligarde_documents::modeles::modeles_integres()
        .into_iter()
        .find(|m| m.nom.starts_with("Angine"))
        .unwrap();
    let mut o = exemple::ordonnance_enfant();
    let (lignes, doses) = modele.appliquer(o.patient.poids_kg).unwrap();
    assert_eq!(
        doses.len(),
        2,
        "both pediatric lines show their dose before printing"
    );
    o.lignes = lignes;
    let t = squash(&pages_text(&ordonnance_pdf(&o).unwrap()).join("\n"));
    // 16,5 kg × 50 mg/kg/day in 2 doses = 412,5 mg = 8,2 mL of 250 mg/5 mL.
    assert!(t.contains("412,5 mg (8,2 mL) matin et soir"), "{t}");
}

#[test]
fn non_substitution_prints_its_justification() {
    // Since 2020 a "non substituable" line carries its reason (MTE, EFG, CIF).
    let mut o = exemple::ordonnance_enfant();
    o.lignes[0].non_substituable = true;
    o.lignes[0].mention_non_substituable = "EFG".into();
    let text = pages_text(&ordonnance_pdf(&o).unwrap()).join("\n");
    assert_contains_all(&text, &["Non substituable (EFG)"], "mention");
    o.lignes[0].non_substituable = false;
    let text = pages_text(&ordonnance_pdf(&o).unwrap()).join("\n");
    assert!(
        !text.contains("(EFG)"),
        "the mention is printed only with non substituable"
    );
}

#[test]
fn a_drug_picked_with_its_strength_prints_it_once() {
    let mut o = exemple::ordonnance_enfant();
    o.lignes[0].medicament = "DOLIPRANE 2,4 %".into();
    o.lignes[0].dosage = "2,4 %".into();
    let t = pages_text(&ordonnance_pdf(&o).unwrap()).join("\n");
    assert!(t.contains("1. DOLIPRANE 2,4 %"), "{t}");
    assert!(
        !t.contains("2,4 % 2,4 %"),
        "the strength is not repeated: {t}"
    );
    // A name without a strength still gets it.
    assert!(t.contains("2. Amoxicilline Biogaran 250 mg/5 mL"), "{t}");
}

#[test]
fn letters_agree_with_the_patients_sex_and_call_a_child_by_name() {
    let o = exemple::ordonnance_enfant();
    let certificat = appligarde_documents::CertificatContenu {
        texte: "Apte à la reprise de la crèche.".into(),
    }
    .courrier(o.date, &o.prescripteur, &o.etablissement, &o.patient);
    // Words joined with single spaces: a sentence may wrap over two lines.
    let mots = |pdf: Vec<u8>| {
        pages_text(&pdf)
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let t = mots(courrier_pdf(&certificat).unwrap());
    assert!(
        t.contains(
            "certifie avoir examiné ce jour l'enfant Léa-Françoise BÉRANGER, née le 12/03/2022"
        ),
        "{t}"
    );
    assert!(!t.contains("Mme"), "a four-year-old is not « Mme »: {t}");

    let lettre = appligarde_documents::MedecinTraitantContenu {
        destinataire: "Dr Hélène Moreau".into(),
        motif: "Fièvre".into(),
        examen: String::new(),
        diagnostics: Vec::new(),
        traitement_administre: String::new(),
        traitement_prescrit: String::new(),
        orientation: String::new(),
        conseils: String::new(),
    }
    .courrier(o.date, &o.prescripteur, &o.etablissement, &o.patient);
    let t = mots(courrier_pdf(&lettre).unwrap());
    assert!(t.contains("votre patiente Léa-Françoise BÉRANGER"), "{t}");
    assert!(!t.contains("patient(e)"), "{t}");
}
