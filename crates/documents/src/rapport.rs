//! The activity report of an MMG for a year (the CPOM report to the ARS): a summary, tables of
//! figures, and the definition of every indicator used, so that the reader knows how each was
//! counted. The caller computes the figures (appligarde_domain::indicateurs); this module only
//! lays them out. No patient data ever comes in: only counts, shares and labels.

use crate::DocumentError;
use crate::frame::{self, date_longue};
use crate::layout::{self, Block, CONTENT_W, Weight};
use chrono::NaiveDate;

/// One table of the report: a title, column headings (the first is the label column) and rows of
/// already formatted cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableauRapport {
    pub titre: String,
    pub colonnes: Vec<String>,
    pub lignes: Vec<Vec<String>>,
}

/// What the activity report prints.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RapportActivite {
    /// "Rapport d'activité 2026".
    pub titre: String,
    /// Name of the MMG.
    pub mmg: String,
    /// "Période du 1er janvier au 31 décembre 2026 · département 44".
    pub sous_titre: String,
    /// The day the report is made (printed, and the PDF's date).
    pub date: NaiveDate,
    /// Key figures: (label, value).
    pub synthese: Vec<(String, String)>,
    pub tableaux: Vec<TableauRapport>,
    /// (indicator, one-line definition).
    pub definitions: Vec<(String, String)>,
    /// Notes printed under the tables (what is missing, how to read).
    pub notes: Vec<String>,
}

const TAILLE: f32 = 9.5;

/// Rows of a table kept together on a page.
const LIGNES_PAR_MORCEAU: usize = 30;

/// Where each column of a table starts (the label column takes what is left).
fn positions(n: usize) -> Vec<f32> {
    if n <= 1 {
        return vec![0.0];
    }
    let valeurs = (n - 1) as f32;
    let largeur = (CONTENT_W * 0.55 / valeurs).min(90.0);
    let debut = CONTENT_W - largeur * valeurs;
    std::iter::once(0.0)
        .chain((0..n - 1).map(|i| debut + largeur * i as f32))
        .collect()
}

/// One row: the label at the left, the values right-aligned in their columns.
fn ligne(
    bloc: &mut Block,
    cellules: &[String],
    positions: &[f32],
    weight: Weight,
) -> Result<(), DocumentError> {
    let n = positions.len();
    let largeur = if n > 1 {
        (CONTENT_W - positions[1]) / (n - 1) as f32
    } else {
        CONTENT_W
    };
    let hauteur = TAILLE * 1.35;
    for (i, texte) in cellules.iter().enumerate().take(n) {
        let x = if i == 0 {
            0.0
        } else {
            let w = layout::text_width(texte, weight, TAILLE)?;
            positions[i] + largeur - w - 4.0
        };
        bloc.items.push(layout::Item::Text(layout::TextLine {
            text: texte.clone(),
            weight,
            size: TAILLE,
            x,
            // All the cells of a row share one baseline: only the last one advances.
            height: if i + 1 == cellules.len().min(n) {
                hauteur
            } else {
                0.0
            },
        }));
    }
    Ok(())
}

/// The report as PDF bytes (deterministic: the same figures give the same file).
pub fn rapport_activite_pdf(r: &RapportActivite) -> Result<Vec<u8>, DocumentError> {
    frame::requis(&r.mmg, "le nom de la maison médicale de garde")?;
    frame::requis(&r.titre, "le titre du rapport")?;
    let mut entete = Block::kept("en-tête");
    entete.paragraph(&r.mmg, Weight::Bold, 12.0, 0.0, CONTENT_W)?;
    entete.line(
        format!("Édité le {}", date_longue(r.date)),
        Weight::Regular,
        9.0,
        0.0,
    );
    entete.space(4.0);
    entete.rule();
    entete.space(8.0);
    let header = frame::placed(&entete);

    let mut blocs = Vec::new();
    let mut titre = Block::kept("titre");
    titre.paragraph(&r.titre, Weight::Bold, 16.0, 0.0, CONTENT_W)?;
    titre.paragraph(&r.sous_titre, Weight::Regular, 10.0, 0.0, CONTENT_W)?;
    titre.space(10.0);
    blocs.push(titre);

    if !r.synthese.is_empty() {
        let mut synthese = Block::kept("synthèse");
        synthese.line("Synthèse", Weight::Bold, 12.0, 0.0);
        synthese.space(2.0);
        let pos = positions(2);
        for (libelle, valeur) in &r.synthese {
            ligne(
                &mut synthese,
                &[libelle.clone(), valeur.clone()],
                &pos,
                Weight::Regular,
            )?;
        }
        synthese.space(10.0);
        blocs.push(synthese);
    }

    for t in &r.tableaux {
        let pos = positions(t.colonnes.len());
        // Each piece of a table is kept on one page, so that a row is never split; a long table
        // continues in pieces, each with its title and header.
        let morceaux: Vec<&[Vec<String>]> = if t.lignes.is_empty() {
            vec![&[]]
        } else {
            t.lignes.chunks(LIGNES_PAR_MORCEAU).collect()
        };
        for (i, morceau) in morceaux.into_iter().enumerate() {
            let titre = if i == 0 {
                t.titre.clone()
            } else {
                format!("{} (suite)", t.titre)
            };
            let mut bloc = Block::kept(titre.clone());
            bloc.line(titre, Weight::Bold, 12.0, 0.0);
            bloc.space(2.0);
            ligne(&mut bloc, &t.colonnes, &pos, Weight::Bold)?;
            bloc.rule();
            for l in morceau {
                let gras = if l.first().is_some_and(|c| c == "Total") {
                    Weight::Bold
                } else {
                    Weight::Regular
                };
                ligne(&mut bloc, l, &pos, gras)?;
            }
            bloc.space(10.0);
            blocs.push(bloc);
        }
    }

    if !r.notes.is_empty() {
        let mut notes = Block::flowing(1);
        for n in &r.notes {
            notes.paragraph(n, Weight::Regular, 9.0, 0.0, CONTENT_W)?;
            notes.space(3.0);
        }
        notes.space(6.0);
        blocs.push(notes);
    }

    if !r.definitions.is_empty() {
        let mut definitions = Block::flowing(2);
        definitions.line("Définitions des indicateurs", Weight::Bold, 12.0, 0.0);
        definitions.space(2.0);
        for (nom, definition) in &r.definitions {
            definitions.paragraph(
                &format!("{nom} : {definition}"),
                Weight::Regular,
                8.5,
                0.0,
                CONTENT_W,
            )?;
            definitions.space(2.0);
        }
        blocs.push(definitions);
    }

    let footer = format!("Appligarde — {} — {}", r.titre, r.mmg);
    let doc = frame::compose(&r.titre, r.date, header, (Vec::new(), 0.0), &footer, &blocs)?;
    layout::save(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text as laid out on the page (`pdftotext -layout`: a table row stays one line), words
    /// separated by single spaces.
    fn texte(pdf: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rapport.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout", "-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        assert!(out.status.success(), "pdftotext reads the PDF");
        String::from_utf8(out.stdout)
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn rapport() -> RapportActivite {
        RapportActivite {
            titre: "Rapport d'activité 2026".into(),
            mmg: "MMG de Montaigu".into(),
            sous_titre: "Du 1er janvier au 31 décembre 2026".into(),
            date: NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
            synthese: vec![
                ("Consultations".into(), "4 321".into()),
                ("Patients régulés".into(), "1 234 (28,6 %)".into()),
            ],
            tableaux: vec![TableauRapport {
                titre: "Consultations par mois".into(),
                colonnes: vec!["Mois".into(), "Consultations".into(), "Régulés".into()],
                lignes: (1..=12)
                    .map(|m| vec![format!("mois {m}"), format!("{}", m * 10), format!("{m}")])
                    .chain(std::iter::once(vec![
                        "Total".into(),
                        "780".into(),
                        "78".into(),
                    ]))
                    .collect(),
            }],
            definitions: vec![(
                "Part des patients régulés".into(),
                "Consultations adressées par un médecin régulateur.".into(),
            )],
            notes: vec!["Les montants ne sont pas encore suivis.".into()],
        }
    }

    #[test]
    fn the_report_prints_its_figures_tables_and_definitions() {
        let pdf = rapport_activite_pdf(&rapport()).unwrap();
        let text = texte(&pdf);
        for needle in [
            "MMG de Montaigu",
            "Rapport d'activité 2026",
            "15 janvier 2027",
            "Consultations par mois",
            "mois 12 120 12",
            "Total 780 78",
            "Patients régulés 1 234 (28,6 %)",
            "Définitions des indicateurs",
            "Part des patients régulés : Consultations adressées par un médecin régulateur.",
            "Les montants ne sont pas encore suivis.",
        ] {
            assert!(text.contains(needle), "« {needle} » missing from: {text}");
        }
        assert_eq!(
            rapport_activite_pdf(&rapport()).unwrap(),
            pdf,
            "deterministic"
        );
    }

    #[test]
    fn a_report_without_mmg_is_refused() {
        let mut r = rapport();
        r.mmg.clear();
        assert!(matches!(
            rapport_activite_pdf(&r),
            Err(DocumentError::ChampManquant { .. })
        ));
    }
}
