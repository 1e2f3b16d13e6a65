//! What every page shares: header (MMG + prescriber), optional band (the
//! patient on an ordonnance), footer "Page n/N"; and French formatting helpers.

use crate::DocumentError;
use crate::layout::{
    self, Block, BodyPage, CONTENT_W, Composed, FOOTER_H, Item, MARGIN_BOTTOM, MARGIN_TOP,
    MARGIN_X, PAGE_H, TextLine, Weight,
};
use crate::model::{Etablissement, Prescripteur};
use appligarde_domain::calendrier::nom_du_mois;
use chrono::{Datelike, NaiveDate};

/// Replaces spaces with no-break spaces so that the wrap never splits it
/// (phone numbers, "16,5 kg", "TA : 95/60 mmHg").
pub fn insecable(s: &str) -> String {
    s.replace(' ', "\u{a0}")
}

/// Items placed in a fixed area: (y from the top of the area, item).
pub type Placed = Vec<(f32, Item)>;

/// "23 novembre 2026".
pub fn date_longue(d: NaiveDate) -> String {
    let mois = nom_du_mois(d.month()).unwrap_or("");
    format!("{} {} {}", d.day(), mois, d.year())
}

/// "23/11/2026".
pub fn date_courte(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// French decimal: 16.0 -> "16", 16.5 -> "16,5", 3.25 -> "3,25".
pub fn decimal(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

/// Stacks wrapped lines in a column; returns the items and the height used.
fn column(
    lines: &[(String, Weight, f32)],
    x: f32,
    width: f32,
) -> Result<(Placed, f32), DocumentError> {
    let mut placed = Vec::new();
    let mut y = 0.0;
    for (text, weight, size) in lines {
        if text.is_empty() {
            continue;
        }
        for l in layout::wrap(text, *weight, *size, width)? {
            let item = Item::Text(TextLine {
                text: l,
                weight: *weight,
                size: *size,
                x,
                height: size * 1.35,
            });
            y += size * 1.35;
            placed.push((y - size * 1.35, item));
        }
    }
    Ok((placed, y))
}

/// The header printed on every page: MMG on the left, prescriber on the right.
pub fn header(e: &Etablissement, p: &Prescripteur) -> Result<(Placed, f32), DocumentError> {
    // The MMG's name spans the page; address (left) and prescriber (right) below.
    let (mut top, top_h) = column(&[(e.nom.clone(), Weight::Bold, 12.0)], 0.0, CONTENT_W)?;
    let left_w = CONTENT_W * 0.48;
    let right_x = CONTENT_W * 0.52;
    let (left, lh) = column(
        &[
            (e.adresse.clone(), Weight::Regular, 9.0),
            (
                format!("{} {} — France", e.code_postal, e.commune),
                Weight::Regular,
                9.0,
            ),
            (
                format!("Tél. : {}", insecable(&e.telephone)),
                Weight::Regular,
                9.0,
            ),
            (format!("E-mail : {}", e.email), Weight::Regular, 9.0),
        ],
        0.0,
        left_w,
    )?;
    let (right, rh) = column(
        &[
            (
                format!("Dr {} {}", p.prenom, p.nom.to_uppercase()),
                Weight::Bold,
                10.5,
            ),
            (p.titre.clone(), Weight::Regular, 9.0),
            (format!("N° RPPS : {}", p.rpps), Weight::Regular, 9.0),
            (
                format!("Tél. : {}", insecable(&p.telephone)),
                Weight::Regular,
                9.0,
            ),
            (format!("E-mail : {}", p.email), Weight::Regular, 9.0),
        ],
        right_x,
        CONTENT_W - right_x,
    )?;
    let y0 = top_h + 3.0;
    top.extend(left.into_iter().chain(right).map(|(y, i)| (y + y0, i)));
    let h = y0 + lh.max(rh) + 4.0;
    top.push((
        h,
        Item::Rule {
            x: 0.0,
            width: CONTENT_W,
        },
    ));
    Ok((top, h + 10.0))
}

/// Turns a block into placed items from y = 0.
pub fn placed(block: &Block) -> (Placed, f32) {
    let mut y = 0.0;
    let mut out = Vec::new();
    for item in &block.items {
        out.push((y, item.clone()));
        y += item.height();
    }
    (out, y)
}

/// Paginates the body under the header and band, then renders every page with
/// the footer "`footer_left` … Page n/N".
pub fn compose(
    title: &str,
    date: NaiveDate,
    header: (Placed, f32),
    band: (Placed, f32),
    footer_left: &str,
    body: &[Block],
) -> Result<Composed, DocumentError> {
    let (header, header_h) = header;
    let (band, band_h) = band;
    let body_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM - FOOTER_H - header_h - band_h;
    let pages: Vec<BodyPage> = layout::paginate(body, body_h)?;
    let n = pages.len();
    let top = PAGE_H - MARGIN_TOP;
    let mut fingerprint = Vec::new();
    let mut out = Vec::with_capacity(n);
    for (i, page) in pages.iter().enumerate() {
        let mut ops = Vec::new();
        let mut put = |y0: f32, items: &Placed| {
            for (y, item) in items {
                if let Item::Text(t) = item {
                    fingerprint.extend_from_slice(t.text.as_bytes());
                    fingerprint.push(b'\n');
                }
                layout::draw(&mut ops, MARGIN_X, y0 - y, item);
            }
        };
        put(top, &header);
        put(top - header_h, &band);
        put(top - header_h - band_h, &page.items);
        let page_label = format!("Page {}/{}", i + 1, n);
        let size = 8.0;
        let w = layout::text_width(&page_label, Weight::Regular, size)?;
        let footer: Placed = vec![
            (
                0.0,
                Item::Rule {
                    x: 0.0,
                    width: CONTENT_W,
                },
            ),
            (
                6.0,
                Item::Text(TextLine {
                    text: footer_left.to_string(),
                    weight: Weight::Regular,
                    size,
                    x: 0.0,
                    height: size * 1.35,
                }),
            ),
            (
                6.0,
                Item::Text(TextLine {
                    text: page_label,
                    weight: Weight::Regular,
                    size,
                    x: CONTENT_W - w,
                    height: size * 1.35,
                }),
            ),
        ];
        put(MARGIN_BOTTOM + FOOTER_H, &footer);
        out.push(ops);
    }
    Ok(Composed {
        title: title.to_string(),
        date,
        pages: out,
        fingerprint,
    })
}

/// Signature area for the last page: place, date, name, an empty frame.
/// `lieu_date`: (commune, date) printed as "Fait à …, le …" (letters already
/// carry it at the top and pass `None`).
pub fn signature(
    lieu_date: Option<(&str, NaiveDate)>,
    p: &Prescripteur,
) -> Result<Block, DocumentError> {
    let x = CONTENT_W * 0.52;
    let mut b = Block::kept("signature");
    b.space(14.0);
    if let Some((commune, date)) = lieu_date {
        b.paragraph(
            &format!("Fait à {}, le {}", commune, date_longue(date)),
            Weight::Regular,
            10.0,
            x,
            CONTENT_W - x,
        )?;
    }
    b.paragraph(
        &format!("Dr {} {}", p.prenom, p.nom.to_uppercase()),
        Weight::Bold,
        10.0,
        x,
        CONTENT_W - x,
    )?;
    b.line("Signature :", Weight::Regular, 9.0, x);
    b.items.push(Item::Frame {
        x,
        width: CONTENT_W - x,
        height: 62.0,
    });
    Ok(b)
}

/// Refuses an empty mandatory field with its French name.
pub fn requis(value: &str, champ: &'static str) -> Result<(), DocumentError> {
    if value.trim().is_empty() {
        Err(DocumentError::ChampManquant { champ })
    } else {
        Ok(())
    }
}

/// Mandatory identity of the prescriber and the MMG (shared by every document).
pub fn valider_entete(e: &Etablissement, p: &Prescripteur) -> Result<(), DocumentError> {
    requis(&p.nom, "le nom du prescripteur")?;
    requis(&p.prenom, "le prénom du prescripteur")?;
    requis(&p.titre, "le titre ou la spécialité du prescripteur")?;
    requis(&p.rpps, "le numéro RPPS du prescripteur")?;
    if p.rpps.len() != 11 || !p.rpps.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DocumentError::RppsInvalide);
    }
    requis(&p.telephone, "le téléphone du prescripteur")?;
    requis(&p.email, "l'adresse e-mail du prescripteur")?;
    requis(&e.nom, "le nom de la maison médicale de garde")?;
    requis(&e.adresse, "l'adresse de la maison médicale de garde")?;
    requis(
        &e.code_postal,
        "le code postal de la maison médicale de garde",
    )?;
    requis(&e.commune, "la commune de la maison médicale de garde")?;
    Ok(())
}
