//! The closing report of a shift's accounts ("clôture de caisse de la garde"): totals by payment
//! mode and by doctor, the bordereau de remise de chèques, the unpaid consultations and the
//! differences between expected and received amounts.
//!
//! Input is a plain struct filled by the caller (amounts in integer cents, labels already French);
//! rendering is deterministic like every document of this crate.

use crate::DocumentError;
use crate::frame::{self, Placed, date_courte, date_longue, insecable};
use crate::layout::{self, Block, CONTENT_W, Item, TextLine, Weight};
use crate::model::Etablissement;
use chrono::NaiveDate;

/// Totals of one payment mode.
#[derive(Clone, Debug, PartialEq)]
pub struct TotalModeDoc {
    pub libelle: String,
    pub nombre: u32,
    pub centimes: i64,
}

/// Totals of one doctor.
#[derive(Clone, Debug, PartialEq)]
pub struct TotalMedecinDoc {
    pub medecin: String,
    pub consultations: u32,
    pub attendu: i64,
    pub regle: i64,
    pub encaisse_mmg: i64,
}

/// One cheque of the bordereau.
#[derive(Clone, Debug, PartialEq)]
pub struct ChequeDoc {
    pub numero: String,
    pub banque: String,
    pub emetteur: String,
    pub centimes: i64,
}

/// A consultation with a difference between expected and settled amounts.
#[derive(Clone, PartialEq)]
pub struct EcartDoc {
    /// "21:40"
    pub heure: String,
    pub patient: String,
    pub medecin: String,
    /// `None`: not priced yet.
    pub attendu: Option<i64>,
    pub regle: i64,
    pub reste: i64,
}

impl std::fmt::Debug for EcartDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EcartDoc")
            .field("heure", &self.heure)
            .finish_non_exhaustive()
    }
}

/// Everything the closing report prints.
#[derive(Clone, Debug, PartialEq)]
pub struct ClotureCaisse {
    pub etablissement: Etablissement,
    pub date_garde: NaiveDate,
    /// Date of the document (the closing day, or the day it is printed for a provisional report).
    pub date: NaiveDate,
    /// "Clôturés le 23/11/2026 à 08:12 par Dr Yann LE GALL"; `None` for a provisional report.
    pub cloture: Option<String>,
    pub medecins_de_garde: Vec<String>,
    pub consultations: u32,
    pub non_cotees: u32,
    pub corrections: u32,
    pub par_mode: Vec<TotalModeDoc>,
    pub par_medecin: Vec<TotalMedecinDoc>,
    pub bordereau: Vec<ChequeDoc>,
    pub impayes: Vec<EcartDoc>,
    pub trop_percus: Vec<EcartDoc>,
    pub attendu: i64,
    pub regle: i64,
    pub encaisse_mmg: i64,
    pub tiers: i64,
}

/// "1 234,50 €" with no-break spaces (never split by the wrap).
pub fn euros(centimes: i64) -> String {
    let sign = if centimes < 0 { "-" } else { "" };
    let abs = centimes.unsigned_abs();
    let e = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in e.chars().enumerate() {
        if i > 0 && (e.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped},{:02}\u{a0}€", abs % 100)
}

const SIZE: f32 = 9.0;

/// A table row: every cell on the same line. A cell is (text, x, right-aligned width): with a
/// width, the text ends at `x + width`.
fn row(
    b: &mut Block,
    cells: &[(&str, f32, Option<f32>)],
    weight: Weight,
) -> Result<(), DocumentError> {
    let n = cells.len();
    for (i, (text, x, right)) in cells.iter().enumerate() {
        let x = match right {
            Some(w) => x + w - layout::text_width(text, weight, SIZE)?,
            None => *x,
        };
        b.items.push(Item::Text(TextLine {
            text: (*text).to_owned(),
            weight,
            size: SIZE,
            x,
            // Only the last cell moves down: the others share its line.
            height: if i + 1 == n { SIZE * 1.45 } else { 0.0 },
        }));
    }
    Ok(())
}

/// Cuts a cell to `width` points (names in narrow columns), with an ellipsis.
fn fit(text: &str, width: f32) -> Result<String, DocumentError> {
    if layout::text_width(text, Weight::Regular, SIZE)? <= width {
        return Ok(text.to_owned());
    }
    let mut out = String::new();
    for c in text.chars() {
        let next = format!("{out}{c}…");
        if layout::text_width(&next, Weight::Regular, SIZE)? > width {
            break;
        }
        out.push(c);
    }
    Ok(format!("{out}…"))
}

fn titre(texte: &str) -> Result<Block, DocumentError> {
    let mut b = Block::kept(texte);
    b.space(10.0);
    b.paragraph(texte, Weight::Bold, 11.0, 0.0, CONTENT_W)?;
    b.rule();
    Ok(b)
}

fn vide(texte: &str) -> Result<Block, DocumentError> {
    let mut b = Block::kept(texte);
    b.paragraph(texte, Weight::Regular, SIZE, 0.0, CONTENT_W)?;
    Ok(b)
}

/// Renders the closing report to PDF bytes (deterministic: same input, same bytes).
pub fn cloture_pdf(c: &ClotureCaisse) -> Result<Vec<u8>, DocumentError> {
    frame::requis(
        &c.etablissement.nom,
        "le nom de la maison médicale de garde",
    )?;

    // Header: the MMG, the title and the shift, on every page.
    let mut h = Block::kept("en-tête");
    h.paragraph(&c.etablissement.nom, Weight::Bold, 12.0, 0.0, CONTENT_W)?;
    let adresse = format!(
        "{} — {} {}",
        c.etablissement.adresse, c.etablissement.code_postal, c.etablissement.commune
    );
    h.paragraph(
        adresse.trim_matches([' ', '—']),
        Weight::Regular,
        9.0,
        0.0,
        CONTENT_W,
    )?;
    h.space(4.0);
    h.paragraph(
        &format!(
            "Clôture des comptes de la garde du {}",
            date_longue(c.date_garde)
        ),
        Weight::Bold,
        13.0,
        0.0,
        CONTENT_W,
    )?;
    h.paragraph(
        c.cloture
            .as_deref()
            .unwrap_or("État provisoire : les comptes de cette garde ne sont pas encore clôturés."),
        Weight::Regular,
        9.0,
        0.0,
        CONTENT_W,
    )?;
    if !c.medecins_de_garde.is_empty() {
        h.paragraph(
            &format!("Médecin(s) de garde : {}", c.medecins_de_garde.join(", ")),
            Weight::Regular,
            9.0,
            0.0,
            CONTENT_W,
        )?;
    }
    h.rule();
    let (mut header, header_h): (Placed, f32) = frame::placed(&h);
    header.shrink_to_fit();

    let mut body = Vec::new();
    let right = CONTENT_W;

    // Summary.
    let mut s = Block::kept("synthèse");
    s.space(4.0);
    let synthese = [
        ("Consultations de la garde", c.consultations.to_string()),
        ("Montant attendu (cotations)", euros(c.attendu)),
        ("Total réglé, tous modes", euros(c.regle)),
        (
            "dont encaissé à la MMG (espèces, chèques, carte)",
            euros(c.encaisse_mmg),
        ),
        (
            "dont à recevoir des caisses (tiers payant, C2S/AME)",
            euros(c.tiers),
        ),
        ("Écart réglé − attendu", euros(c.regle - c.attendu)),
        ("Consultations non cotées", c.non_cotees.to_string()),
        ("Écritures de correction", c.corrections.to_string()),
    ];
    for (label, value) in &synthese {
        row(
            &mut s,
            &[(label, 0.0, None), (value, 0.0, Some(right))],
            Weight::Regular,
        )?;
    }
    body.push(s);

    // Totals by mode.
    body.push(titre("Totaux par mode de paiement")?);
    let mut m = Block::kept("totaux par mode");
    row(
        &mut m,
        &[
            ("Mode", 0.0, None),
            ("Nombre", 0.0, Some(300.0)),
            ("Montant", 0.0, Some(right)),
        ],
        Weight::Bold,
    )?;
    for t in &c.par_mode {
        row(
            &mut m,
            &[
                (&t.libelle, 0.0, None),
                (&t.nombre.to_string(), 0.0, Some(300.0)),
                (&euros(t.centimes), 0.0, Some(right)),
            ],
            Weight::Regular,
        )?;
    }
    let total_modes: i64 = c.par_mode.iter().map(|t| t.centimes).sum();
    let nombre: u32 = c.par_mode.iter().map(|t| t.nombre).sum();
    row(
        &mut m,
        &[
            ("Total", 0.0, None),
            (&nombre.to_string(), 0.0, Some(300.0)),
            (&euros(total_modes), 0.0, Some(right)),
        ],
        Weight::Bold,
    )?;
    body.push(m);

    // Totals by doctor.
    body.push(titre("Totaux par médecin")?);
    let mut d = Block::flowing(2);
    let cols = [0.0, 230.0, 300.0, 380.0, right];
    row(
        &mut d,
        &[
            ("Médecin", cols[0], None),
            ("Consult.", 0.0, Some(cols[1] + 40.0)),
            ("Attendu", 0.0, Some(cols[3] - 10.0)),
            ("Réglé", 0.0, Some(cols[3] + 60.0)),
            ("Encaissé MMG", 0.0, Some(cols[4])),
        ],
        Weight::Bold,
    )?;
    for t in &c.par_medecin {
        row(
            &mut d,
            &[
                (&fit(&t.medecin, 220.0)?, cols[0], None),
                (&t.consultations.to_string(), 0.0, Some(cols[1] + 40.0)),
                (&euros(t.attendu), 0.0, Some(cols[3] - 10.0)),
                (&euros(t.regle), 0.0, Some(cols[3] + 60.0)),
                (&euros(t.encaisse_mmg), 0.0, Some(cols[4])),
            ],
            Weight::Regular,
        )?;
    }
    body.push(d);

    // The bordereau de remise de chèques.
    body.push(titre("Bordereau de remise de chèques")?);
    if c.bordereau.is_empty() {
        body.push(vide("Aucun chèque pour cette garde.")?);
    } else {
        let mut b = Block::flowing(2);
        row(
            &mut b,
            &[
                ("N°", 0.0, None),
                ("N° du chèque", 30.0, None),
                ("Banque", 130.0, None),
                ("Émetteur", 260.0, None),
                ("Montant", 0.0, Some(right)),
            ],
            Weight::Bold,
        )?;
        for (i, ch) in c.bordereau.iter().enumerate() {
            row(
                &mut b,
                &[
                    (&(i + 1).to_string(), 0.0, None),
                    (&fit(&ch.numero, 95.0)?, 30.0, None),
                    (&fit(&ch.banque, 125.0)?, 130.0, None),
                    (&fit(&ch.emetteur, 160.0)?, 260.0, None),
                    (&euros(ch.centimes), 0.0, Some(right)),
                ],
                Weight::Regular,
            )?;
        }
        let total: i64 = c.bordereau.iter().map(|ch| ch.centimes).sum();
        row(
            &mut b,
            &[
                (
                    &format!(
                        "{} chèque(s), total à remettre en banque",
                        c.bordereau.len()
                    ),
                    0.0,
                    None,
                ),
                (&euros(total), 0.0, Some(right)),
            ],
            Weight::Bold,
        )?;
        body.push(b);
    }

    // Unpaid and overpaid consultations.
    for (texte, lignes, rien) in [
        (
            "Consultations non réglées ou non cotées",
            &c.impayes,
            "Aucune consultation impayée.",
        ),
        (
            "Consultations réglées au-delà du montant attendu",
            &c.trop_percus,
            "Aucun trop-perçu.",
        ),
    ] {
        body.push(titre(texte)?);
        if lignes.is_empty() {
            body.push(vide(rien)?);
            continue;
        }
        let mut b = Block::flowing(2);
        row(
            &mut b,
            &[
                ("Heure", 0.0, None),
                ("Patient", 40.0, None),
                ("Médecin", 180.0, None),
                ("Attendu", 0.0, Some(370.0)),
                ("Réglé", 0.0, Some(430.0)),
                ("Reste dû", 0.0, Some(right)),
            ],
            Weight::Bold,
        )?;
        for l in lignes.iter() {
            row(
                &mut b,
                &[
                    (&l.heure, 0.0, None),
                    (&fit(&l.patient, 135.0)?, 40.0, None),
                    (&fit(&l.medecin, 110.0)?, 180.0, None),
                    (
                        &l.attendu.map_or_else(|| "non cotée".to_owned(), euros),
                        0.0,
                        Some(370.0),
                    ),
                    (&euros(l.regle), 0.0, Some(430.0)),
                    (&euros(l.reste), 0.0, Some(right)),
                ],
                Weight::Regular,
            )?;
        }
        body.push(b);
    }

    let mut sig = Block::kept("signature");
    sig.space(16.0);
    sig.paragraph(
        &format!(
            "Fait à {}, le {}. Signature :",
            c.etablissement.commune,
            date_longue(c.date)
        ),
        Weight::Regular,
        9.0,
        CONTENT_W * 0.5,
        CONTENT_W * 0.5,
    )?;
    sig.items.push(Item::Frame {
        x: CONTENT_W * 0.5,
        width: CONTENT_W * 0.5,
        height: 50.0,
    });
    body.push(sig);

    let footer = insecable(&format!(
        "Clôture des comptes — garde du {}",
        date_courte(c.date_garde)
    ));
    let doc = frame::compose(
        "Clôture des comptes de la garde",
        c.date,
        (header, header_h),
        (Vec::new(), 0.0),
        &footer,
        &body,
    )?;
    layout::save(doc)
}
