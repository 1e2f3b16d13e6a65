//! The patient's record as a PDF (right of access): everything recorded about one patient, section by
//! section, as label/value lines. The caller (the API) turns its export into [`DossierPatientDoc`];
//! this module only lays it out.

use crate::DocumentError;
use crate::frame::{self, date_longue};
use crate::layout::{self, Block, CONTENT_W, Weight};
use chrono::NaiveDate;

/// One section (identity, one consultation, the audit entries…): a title and label/value lines.
#[derive(Clone, PartialEq)]
pub struct SectionDossier {
    pub titre: String,
    pub lignes: Vec<(String, String)>,
}

/// What the record PDF prints. It holds patient data: its `Debug` shows only the number of sections.
#[derive(Clone, PartialEq)]
pub struct DossierPatientDoc {
    /// Name of the MMG that keeps the record.
    pub mmg: String,
    /// How the patient is named on every page, e.g. "MARTIN Léa, née le 03/05/1958".
    pub patient: String,
    pub date: NaiveDate,
    pub sections: Vec<SectionDossier>,
}

impl std::fmt::Debug for DossierPatientDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DossierPatientDoc")
            .field("sections", &self.sections.len())
            .finish_non_exhaustive()
    }
}

/// The record as PDF bytes (deterministic: same input, same bytes).
pub fn dossier_patient_pdf(d: &DossierPatientDoc) -> Result<Vec<u8>, DocumentError> {
    frame::requis(&d.mmg, "le nom de la maison médicale de garde")?;
    frame::requis(&d.patient, "l'identité du patient")?;
    let mut entete = Block::kept("en-tête");
    entete.paragraph(&d.mmg, Weight::Bold, 12.0, 0.0, CONTENT_W)?;
    entete.paragraph(
        &format!(
            "Dossier de {} — édité le {} (droit d'accès du patient)",
            d.patient,
            date_longue(d.date)
        ),
        Weight::Regular,
        9.0,
        0.0,
        CONTENT_W,
    )?;
    entete.space(4.0);
    entete.rule();
    entete.space(8.0);
    let header = frame::placed(&entete);

    let label_w = CONTENT_W * 0.32;
    let mut body = Vec::new();
    for s in &d.sections {
        let mut titre = Block::flowing(2);
        titre.space(4.0);
        titre.paragraph(&s.titre, Weight::Bold, 11.0, 0.0, CONTENT_W)?;
        titre.space(2.0);
        body.push(titre);
        if s.lignes.is_empty() {
            let mut b = Block::flowing(1);
            b.line("(aucune donnée)", Weight::Regular, 9.5, 0.0);
            body.push(b);
        }
        for (label, valeur) in &s.lignes {
            // Label and first line of the value on the same line; a long value wraps under it.
            let mut b = Block::flowing(1);
            let value_lines = layout::wrap(
                if valeur.trim().is_empty() {
                    "—"
                } else {
                    valeur.trim()
                },
                Weight::Regular,
                9.5,
                CONTENT_W - label_w,
            )?;
            let labels = layout::wrap(label, Weight::Bold, 9.5, label_w - 6.0)?;
            for i in 0..value_lines.len().max(labels.len()) {
                if let Some(l) = labels.get(i) {
                    b.line(l.clone(), Weight::Bold, 9.5, 0.0);
                    if let Some(v) = value_lines.get(i) {
                        // Same baseline: the value item takes no extra height.
                        b.items.push(layout::Item::Text(layout::TextLine {
                            text: v.clone(),
                            weight: Weight::Regular,
                            size: 9.5,
                            x: label_w,
                            height: 0.0,
                        }));
                        let last = b.items.len() - 1;
                        b.items.swap(last - 1, last);
                    }
                } else if let Some(v) = value_lines.get(i) {
                    b.line(v.clone(), Weight::Regular, 9.5, label_w);
                }
            }
            body.push(b);
        }
    }
    let footer = format!("Dossier patient — {}", d.patient);
    let doc = frame::compose(
        "Dossier patient",
        d.date,
        header,
        (Vec::new(), 0.0),
        &footer,
        &body,
    )?;
    layout::save(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recuperation::tests::texte;

    fn dossier(consultations: usize) -> DossierPatientDoc {
        let mut sections = vec![SectionDossier {
            titre: "Identité".into(),
            lignes: vec![
                ("Nom".into(), "MARTIN".into()),
                ("Prénom".into(), "Léa".into()),
                ("Allergies".into(), "pénicilline ".repeat(30)),
            ],
        }];
        for i in 0..consultations {
            sections.push(SectionDossier {
                titre: format!("Consultation n° {}", i + 1),
                lignes: vec![
                    ("Arrivée".into(), "20/11/2026 20:00".into()),
                    ("Motif".into(), format!("Fièvre {i}")),
                ],
            });
        }
        sections.push(SectionDossier {
            titre: "Journal d'audit".into(),
            lignes: vec![],
        });
        DossierPatientDoc {
            mmg: "MMG de Montaigu".into(),
            patient: "MARTIN Léa, née le 03/05/1958".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            sections,
        }
    }

    #[test]
    fn every_section_and_value_is_printed_over_as_many_pages_as_needed() {
        let pdf = dossier_patient_pdf(&dossier(40)).unwrap();
        let text = texte(&pdf);
        for needle in [
            "MMG de Montaigu",
            "MARTIN Léa, née le 03/05/1958",
            "droit d'accès",
            "Identité",
            "Allergies",
            "Consultation n° 1",
            "Consultation n° 40",
            "Fièvre 39",
            "Journal d'audit",
            "(aucune donnée)",
            "Page 1/",
        ] {
            assert!(text.contains(needle), "« {needle} » missing");
        }
        assert!(
            !text.contains("Page 1/1 "),
            "40 consultations take more than one page"
        );
        assert!(
            !format!("{:?}", dossier(1)).contains("MARTIN"),
            "Debug hides the patient"
        );
    }
}
