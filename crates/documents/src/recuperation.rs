//! The recovery sheet: the recovery code of the database printed on paper, with the MMG, the date and
//! what to do with it, to keep in a safe place apart from the PC.

use crate::DocumentError;
use crate::frame::{self, date_longue};
use crate::layout::{self, Block, CONTENT_W, Weight};
use chrono::NaiveDate;

/// What the recovery sheet prints. Its `Debug` never shows the code.
#[derive(Clone, PartialEq)]
pub struct FicheRecuperation {
    /// The code as shown by the program (groups of 4 separated by dashes).
    pub code: String,
    /// Name of the MMG (the data controller's site).
    pub mmg: String,
    pub date: NaiveDate,
}

impl std::fmt::Debug for FicheRecuperation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FicheRecuperation")
            .field("mmg", &self.mmg)
            .field("date", &self.date)
            .finish_non_exhaustive()
    }
}

const INSTRUCTIONS: &[&str] = &[
    "Ce code permet d'ouvrir la base de données d'Appligarde et ses sauvegardes sur un autre ordinateur, \
     par exemple si ce poste est volé, tombe en panne ou est remplacé.",
    "Conservez cette feuille en lieu sûr, à l'écart de l'ordinateur (coffre, bureau de l'association) : \
     toute personne qui a ce code et une sauvegarde peut lire les dossiers des patients.",
    "Pour restaurer : installez Appligarde sur le nouveau poste, puis lancez \
     « appligarde-cli restore FICHIER.agbak --recovery-code CODE » avec le fichier de sauvegarde \
     (clé USB, partage réseau) et le code ci-dessus.",
    "Le code reste le même si la clé de la base est changée. Ne l'envoyez pas par courriel et ne le \
     photographiez pas. En cas de perte de cette feuille, un administrateur peut réafficher le code \
     dans Paramètres et imprimer une nouvelle feuille.",
];

/// The recovery sheet as PDF bytes (one page, deterministic).
pub fn fiche_recuperation_pdf(fiche: &FicheRecuperation) -> Result<Vec<u8>, DocumentError> {
    frame::requis(&fiche.code, "le code de récupération")?;
    frame::requis(&fiche.mmg, "le nom de la maison médicale de garde")?;
    let mut entete = Block::kept("en-tête");
    entete.paragraph(&fiche.mmg, Weight::Bold, 12.0, 0.0, CONTENT_W)?;
    entete.line(
        format!("Édité le {}", date_longue(fiche.date)),
        Weight::Regular,
        9.0,
        0.0,
    );
    entete.space(4.0);
    entete.rule();
    entete.space(10.0);
    let header = frame::placed(&entete);

    let mut titre = Block::kept("titre");
    titre.paragraph(
        "Code de récupération de la base Appligarde",
        Weight::Bold,
        16.0,
        0.0,
        CONTENT_W,
    )?;
    titre.space(18.0);
    titre.paragraph(&fiche.code, Weight::Bold, 18.0, 0.0, CONTENT_W)?;
    titre.space(18.0);
    let mut corps = Block::flowing(1);
    for paragraphe in INSTRUCTIONS {
        corps.paragraph(paragraphe, Weight::Regular, 10.5, 0.0, CONTENT_W)?;
        corps.space(8.0);
    }
    let mut signature = Block::kept("conservation");
    signature.space(12.0);
    signature.line(
        "Feuille rangée par : ______________________________",
        Weight::Regular,
        10.0,
        0.0,
    );
    signature.space(6.0);
    signature.line(
        "Lieu de conservation : ___________________________",
        Weight::Regular,
        10.0,
        0.0,
    );
    let footer = format!("Appligarde — code de récupération — {}", fiche.mmg);
    let doc = frame::compose(
        "Code de récupération",
        fiche.date,
        header,
        (Vec::new(), 0.0),
        &footer,
        &[titre, corps, signature],
    )?;
    layout::save(doc)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The text of a PDF as pdftotext reads it, words separated by single spaces.
    pub(crate) fn texte(pdf: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.pdf");
        std::fs::write(&path, pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
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

    fn fiche() -> FicheRecuperation {
        FicheRecuperation {
            code: "K7QH-3M9X-ABCD-EFGH-JKMN-PQRS-TVWX-YZ01".into(),
            mmg: "MMG de Montaigu".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        }
    }

    #[test]
    fn the_sheet_carries_the_code_the_mmg_the_date_and_the_instructions() {
        let pdf = fiche_recuperation_pdf(&fiche()).unwrap();
        let text = texte(&pdf);
        for needle in [
            "K7QH-3M9X-ABCD-EFGH-JKMN-PQRS-TVWX-YZ01",
            "MMG de Montaigu",
            "23 novembre 2026",
            "Code de récupération de la base Appligarde",
            "appligarde-cli restore",
            "Conservez cette feuille en lieu sûr",
        ] {
            assert!(text.contains(needle), "« {needle} » missing from: {text}");
        }
        assert_eq!(
            fiche_recuperation_pdf(&fiche()).unwrap(),
            pdf,
            "deterministic: a reprint is the same file"
        );
        assert!(
            !format!("{:?}", fiche()).contains("K7QH"),
            "Debug hides the code"
        );
    }

    #[test]
    fn a_sheet_without_code_is_refused() {
        let mut f = fiche();
        f.code.clear();
        assert!(matches!(
            fiche_recuperation_pdf(&f),
            Err(DocumentError::ChampManquant { .. })
        ));
    }
}
