//! The small layout engine shared by every document: measured text, word
//! wrapping, blocks that are kept together, a page frame (header, optional
//! patient band, footer "Page n/N") repeated on every page, and the final
//! deterministic serialisation with printpdf.
//!
//! Two passes: `paginate` places the body blocks knowing only the size of the
//! frame; `render` then draws every page with the page count known.

use crate::DocumentError;
use printpdf::{
    Color, FontId, Greyscale, Line as PdfLine, LinePoint, Mm, Op, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, TextItem,
};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN_X: f32 = 48.0;
pub const MARGIN_TOP: f32 = 40.0;
pub const MARGIN_BOTTOM: f32 = 36.0;
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
/// Height reserved at the bottom of each page for the footer.
pub const FOOTER_H: f32 = 22.0;

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// Parsed once per process: parsing a 700 kB TTF costs more than a whole page.
static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
    let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
    Some(Fonts { regular, bold })
});

fn fonts() -> Result<&'static Fonts, DocumentError> {
    FONTS
        .as_ref()
        .ok_or_else(|| DocumentError::Pdf("police intégrée illisible".into()))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Weight {
    Regular,
    Bold,
}

impl Weight {
    fn font_id(self) -> FontId {
        // Fixed ids: printpdf's own ids are random and would make two renders differ.
        // Six capitals: printpdf uses them as the "XXXXXX+" subset tag of the font name.
        match self {
            Weight::Regular => FontId("DJVREG".into()),
            Weight::Bold => FontId("DJVBLD".into()),
        }
    }
}

/// Width of `text` in points.
pub fn text_width(text: &str, weight: Weight, size: f32) -> Result<f32, DocumentError> {
    let f = fonts()?;
    let font = match weight {
        Weight::Regular => &f.regular,
        Weight::Bold => &f.bold,
    };
    let upem = f32::from(font.units_per_em.max(1));
    let units: u32 = text
        .chars()
        .map(|c| {
            let gid = font.lookup_glyph_index(u32::from(c)).unwrap_or(0);
            u32::from(font.get_glyph_width(gid).unwrap_or(0))
        })
        .sum();
    Ok(units as f32 * size / upem)
}

/// One line of text placed relative to its block: `x` from the left margin.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    pub text: String,
    pub weight: Weight,
    pub size: f32,
    pub x: f32,
    /// Vertical space the line takes (baseline to baseline).
    pub height: f32,
}

/// A drawable element of a block.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Text(TextLine),
    /// Vertical gap.
    Space(f32),
    /// Horizontal rule across `width` starting at `x`, then a small gap.
    Rule {
        x: f32,
        width: f32,
    },
    /// Empty framed box (signature area) of the given size.
    Frame {
        x: f32,
        width: f32,
        height: f32,
    },
}

impl Item {
    pub fn height(&self) -> f32 {
        match self {
            Item::Text(t) => t.height,
            Item::Space(h) => *h,
            Item::Rule { .. } => 6.0,
            Item::Frame { height, .. } => *height,
        }
    }
}

/// A group of items. `keep_together` blocks move whole to the next page;
/// other blocks may break between items but keep their first `min_head`
/// items together (a title never ends a page alone).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    pub items: Vec<Item>,
    pub keep_together: bool,
    pub min_head: usize,
    /// Human label used in the "too long" error, e.g. "ligne 3".
    pub label: String,
}

impl Block {
    pub fn kept(label: impl Into<String>) -> Self {
        Self {
            items: Vec::new(),
            keep_together: true,
            min_head: 0,
            label: label.into(),
        }
    }

    pub fn flowing(min_head: usize) -> Self {
        Self {
            items: Vec::new(),
            keep_together: false,
            min_head,
            label: String::new(),
        }
    }

    pub fn height(&self) -> f32 {
        self.items.iter().map(Item::height).sum()
    }

    pub fn space(&mut self, h: f32) {
        self.items.push(Item::Space(h));
    }

    pub fn rule(&mut self) {
        self.items.push(Item::Rule {
            x: 0.0,
            width: CONTENT_W,
        });
    }

    /// One unwrapped line (callers keep it short: names, labels).
    pub fn line(&mut self, text: impl Into<String>, weight: Weight, size: f32, x: f32) {
        self.items.push(Item::Text(TextLine {
            text: text.into(),
            weight,
            size,
            x,
            height: size * 1.35,
        }));
    }

    /// A paragraph wrapped to `width` (from `x`); explicit newlines are kept.
    pub fn paragraph(
        &mut self,
        text: &str,
        weight: Weight,
        size: f32,
        x: f32,
        width: f32,
    ) -> Result<(), DocumentError> {
        for line in wrap(text, weight, size, width)? {
            self.line(line, weight, size, x);
        }
        Ok(())
    }
}

/// Greedy word wrap with measured widths. Words wider than the line are cut.
pub fn wrap(
    text: &str,
    weight: Weight,
    size: f32,
    width: f32,
) -> Result<Vec<String>, DocumentError> {
    let space = text_width(" ", weight, size)?;
    let mut out = Vec::new();
    for raw in text.lines() {
        let mut current = String::new();
        let mut current_w = 0.0_f32;
        // Break on ASCII spaces only: a no-break space (U+00A0) keeps a phone
        // number or "16,5 kg" on one line.
        for word in raw.split([' ', '\t']).filter(|w| !w.is_empty()) {
            let mut word = word.to_string();
            let mut w = text_width(&word, weight, size)?;
            // Cut words longer than a whole line.
            while w > width {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                    current_w = 0.0;
                }
                let mut head = String::new();
                let mut head_w = 0.0;
                let mut rest = String::new();
                for c in word.chars() {
                    let cw = text_width(c.encode_utf8(&mut [0; 4]), weight, size)?;
                    if rest.is_empty() && (head_w + cw <= width || head.is_empty()) {
                        head.push(c);
                        head_w += cw;
                    } else {
                        rest.push(c);
                    }
                }
                out.push(head);
                word = rest;
                w = text_width(&word, weight, size)?;
            }
            if word.is_empty() {
                continue;
            }
            if current.is_empty() {
                current = word;
                current_w = w;
            } else if current_w + space + w <= width {
                current.push(' ');
                current.push_str(&word);
                current_w += space + w;
            } else {
                out.push(std::mem::replace(&mut current, word));
                current_w = w;
            }
        }
        out.push(current);
    }
    // Drop trailing empty lines but keep a single empty line for empty input.
    while out.len() > 1 && out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    Ok(out)
}

/// Items placed on a page body: y is the distance from the top of the body area.
#[derive(Debug, Default)]
pub struct BodyPage {
    pub items: Vec<(f32, Item)>,
}

/// Places the blocks on pages whose body is `body_h` tall (first pass).
pub fn paginate(blocks: &[Block], body_h: f32) -> Result<Vec<BodyPage>, DocumentError> {
    let mut pages = vec![BodyPage::default()];
    let mut y = 0.0_f32;
    for block in blocks {
        let h = block.height();
        if y + h <= body_h {
            place(&mut pages, &mut y, &block.items);
            continue;
        }
        if block.keep_together {
            if h > body_h {
                return Err(DocumentError::BlocTropLong {
                    bloc: block.label.clone(),
                });
            }
            new_page(&mut pages, &mut y);
            place(&mut pages, &mut y, &block.items);
            continue;
        }
        // Flowing block: keep the head together, then break between items.
        let head = block.min_head.min(block.items.len());
        let head_h: f32 = block.items[..head].iter().map(Item::height).sum();
        if y > 0.0 && y + head_h > body_h {
            new_page(&mut pages, &mut y);
        }
        for item in &block.items {
            if y + item.height() > body_h && y > 0.0 {
                new_page(&mut pages, &mut y);
                if matches!(item, Item::Space(_)) {
                    continue; // no leading gap at the top of a page
                }
            }
            place(&mut pages, &mut y, std::slice::from_ref(item));
        }
    }
    Ok(pages)
}

fn new_page(pages: &mut Vec<BodyPage>, y: &mut f32) {
    pages.push(BodyPage::default());
    *y = 0.0;
}

fn place(pages: &mut [BodyPage], y: &mut f32, items: &[Item]) {
    if let Some(page) = pages.last_mut() {
        for item in items {
            page.items.push((*y, item.clone()));
            *y += item.height();
        }
    }
}

/// Appends the drawing operations of `item` whose top is at `top` (PDF y, from the bottom).
pub fn draw(ops: &mut Vec<Op>, left: f32, top: f32, item: &Item) {
    match item {
        Item::Text(t) => {
            if t.text.is_empty() {
                return;
            }
            // Baseline about 80 % down the line box (DejaVu ascent ~0.93 em).
            let baseline = top - t.size * 1.05;
            ops.push(Op::StartTextSection);
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(t.weight.font_id()),
                size: Pt(t.size),
            });
            ops.push(Op::SetTextCursor {
                pos: Point {
                    x: Pt(left + t.x),
                    y: Pt(baseline),
                },
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(t.text.clone())],
            });
            ops.push(Op::EndTextSection);
        }
        Item::Space(_) => {}
        Item::Rule { x, width } => {
            let y = top - 3.0;
            stroke(ops, &[(left + x, y), (left + x + width, y)], false, 0.6);
        }
        Item::Frame { x, width, height } => {
            let (x0, x1, y0, y1) = (left + x, left + x + width, top - height, top);
            stroke(ops, &[(x0, y1), (x1, y1), (x1, y0), (x0, y0)], true, 0.5);
        }
    }
}

fn stroke(ops: &mut Vec<Op>, pts: &[(f32, f32)], closed: bool, thickness: f32) {
    ops.push(Op::SetOutlineColor {
        col: Color::Greyscale(Greyscale {
            percent: 0.35,
            icc_profile: None,
        }),
    });
    ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
    ops.push(Op::DrawLine {
        line: PdfLine {
            points: pts
                .iter()
                .map(|&(x, y)| LinePoint {
                    p: Point { x: Pt(x), y: Pt(y) },
                    bezier: false,
                })
                .collect(),
            is_closed: closed,
        },
    });
}

/// A fully laid-out document ready to serialise.
pub struct Composed {
    pub title: String,
    /// Creation date written in the PDF info dictionary (from the input, never the clock).
    pub date: chrono::NaiveDate,
    pub pages: Vec<Vec<Op>>,
    /// All printed text, used to derive the deterministic file identifier.
    pub fingerprint: Vec<u8>,
}

/// Characters shown with each weight, from the page operations.
fn used_chars(pages: &[Vec<Op>]) -> [std::collections::BTreeSet<char>; 2] {
    let mut used = [
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    ];
    let bold = Weight::Bold.font_id();
    let mut current = 0;
    for op in pages.iter().flatten() {
        match op {
            Op::SetFont {
                font: PdfFontHandle::External(id),
                ..
            } => current = usize::from(*id == bold),
            Op::ShowText { items } => {
                for item in items {
                    if let TextItem::Text(t) = item {
                        used[current].extend(t.chars());
                    }
                }
            }
            _ => {}
        }
    }
    used
}

/// A copy of `font` reduced to the glyphs of `chars` (plus .notdef), with the
/// character map and widths renumbered to match. The subset font program is
/// what printpdf embeds, so a one-page ordonnance weighs a few kilobytes
/// instead of 1.4 MB of DejaVu.
fn subset(
    font: &ParsedFont,
    chars: &std::collections::BTreeSet<char>,
    name: &str,
) -> Result<ParsedFont, DocumentError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use std::collections::BTreeMap;

    let mut ids: Vec<u16> = vec![0];
    let mut char_gid = Vec::new();
    for &c in chars {
        if let Some(gid) = font.lookup_glyph_index(u32::from(c)) {
            char_gid.push((c, gid));
            if !ids.contains(&gid) {
                ids.push(gid);
            }
        }
    }
    // allsorts needs sorted, unique ids with .notdef first; the new glyph id of
    // an original glyph is its position in `ids`.
    ids[1..].sort_unstable();
    let new_id: BTreeMap<u16, u16> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, &g)| u16::try_from(i).ok().map(|i| (g, i)))
        .collect();
    let err =
        |e: &dyn std::fmt::Display| DocumentError::Pdf(format!("sous-ensemble de police : {e}"));
    let scope = ReadScope::new(&font.original_bytes);
    let data = scope.read::<FontData<'_>>().map_err(|e| err(&e))?;
    let provider = data.table_provider(0).map_err(|e| err(&e))?;
    let bytes = allsorts::subset::subset(
        &provider,
        &ids,
        &allsorts::subset::SubsetProfile::Pdf,
        allsorts::subset::CmapTarget::Unicode,
    )
    .map_err(|e| err(&e))?;

    let mut out = font.clone();
    out.original_bytes = bytes;
    // "XXXXXX+Name": the PDF convention marking a subset font program.
    out.font_name = Some(name.to_string());
    out.codepoint_to_glyph = char_gid
        .iter()
        .filter_map(|&(c, g)| new_id.get(&g).map(|&n| (u32::from(c), n)))
        .collect();
    out.glyph_widths = new_id
        .iter()
        .map(|(&old, &new)| (new, font.get_glyph_width(old).unwrap_or(0)))
        .collect();
    Ok(out)
}

/// Serialises with embedded, subset fonts and no clock- or random-derived bytes.
pub fn save(doc: Composed) -> Result<Vec<u8>, DocumentError> {
    let f = fonts()?;
    let [regular_chars, bold_chars] = used_chars(&doc.pages);
    let mut pdf = PdfDocument::new(&doc.title);
    pdf.resources.fonts.map.insert(
        Weight::Regular.font_id(),
        printpdf::PdfFont::new(subset(&f.regular, &regular_chars, "DJVREG+DejaVuSans")?),
    );
    pdf.resources.fonts.map.insert(
        Weight::Bold.font_id(),
        printpdf::PdfFont::new(subset(&f.bold, &bold_chars, "DJVBLD+DejaVuSans-Bold")?),
    );
    let ts = doc
        .date
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0);
    let date = printpdf::DateTime::from_unix_timestamp(ts)
        .map_err(|e| DocumentError::Pdf(e.to_string()))?;
    let info = &mut pdf.metadata.info;
    info.creation_date = date;
    info.modification_date = date;
    info.metadata_date = date;
    info.creator = "Appligarde".into();
    info.producer = "Appligarde (printpdf)".into();

    let pages = doc
        .pages
        .into_iter()
        .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
        .collect();
    pdf.with_pages(pages);

    let opts = PdfSaveOptions {
        optimize: true,
        // Already subset above (printpdf's own subsetter needs `text_layout`).
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut lo = pdf.to_lopdf_document(&opts, &mut warnings);
    // printpdf fills /ID with random strings; derive it from the content instead
    // so that a reprint is byte-identical.
    let digest = Sha256::digest(&doc.fingerprint);
    let id = hex::encode(&digest[..16]).into_bytes();
    lo.trailer.set(
        "ID",
        lopdf::Object::Array(vec![
            lopdf::Object::String(id.clone(), lopdf::StringFormat::Hexadecimal),
            lopdf::Object::String(id, lopdf::StringFormat::Hexadecimal),
        ]),
    );
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out)
        .map_err(|e| DocumentError::Pdf(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_no_break_spaces() {
        // (text, width in pt): every line must fit, and no word may be lost.
        let cases = [
            (
                "1 comprimé matin, midi et soir pendant le repas, sans dépasser 3 par jour.",
                120.0,
            ),
            (
                "Appeler le +33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78 en cas de besoin.",
                90.0,
            ),
            ("Anticonstitutionnellementextraordinairementlong", 60.0),
            ("Ligne un\nLigne deux", 400.0),
        ];
        for (text, width) in cases {
            let lines = wrap(text, Weight::Regular, 10.0, width).unwrap();
            for l in &lines {
                let w = text_width(l, Weight::Regular, 10.0).unwrap();
                assert!(w <= width + 0.01, "« {l} » ({w} pt) exceeds {width} pt");
            }
            let rejoined: String = lines
                .concat()
                .chars()
                .filter(|c| *c != ' ' && *c != '\n')
                .collect();
            let original: String = text.chars().filter(|c| *c != ' ' && *c != '\n').collect();
            assert_eq!(rejoined, original, "no character lost for « {text} »");
        }
        let phone = wrap(
            "Appeler le +33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            Weight::Regular,
            10.0,
            120.0,
        )
        .unwrap();
        assert!(
            phone
                .iter()
                .any(|l| l.contains("+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78")),
            "{phone:?}"
        );
        assert_eq!(
            wrap("Ligne un\nLigne deux", Weight::Regular, 10.0, 400.0)
                .unwrap()
                .len(),
            2,
            "newlines kept"
        );
    }

    fn block(lines: usize, kept: bool) -> Block {
        let mut b = if kept {
            Block::kept("ligne 1")
        } else {
            Block::flowing(2)
        };
        for i in 0..lines {
            b.line(format!("l{i}"), Weight::Regular, 10.0, 0.0);
        }
        b
    }

    #[test]
    fn kept_blocks_move_whole_and_flowing_blocks_break() {
        let line_h = 13.5;
        let body = line_h * 10.0;
        // 6 + 6 kept lines: the second block goes whole to page 2.
        let pages = paginate(&[block(6, true), block(6, true)], body).unwrap();
        assert_eq!(pages.len(), 2, "kept block moved to the next page");
        assert_eq!(pages[0].items.len(), 6, "page 1 holds only the first block");
        // 6 + 6 flowing lines: the second block breaks after 4 lines.
        let pages = paginate(&[block(6, true), block(6, false)], body).unwrap();
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].items.len(), 10, "flowing block fills page 1");
        // A kept block taller than a page is refused rather than split silently.
        let err = paginate(&[block(11, true)], body).unwrap_err();
        assert!(err.to_string().contains("trop long"), "{err}");
    }
}
