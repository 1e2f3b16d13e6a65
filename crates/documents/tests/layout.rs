#![allow(clippy::unwrap_used)]
//! Layout check: renders every page with poppler (`pdftoppm -r 50 -png`) and
//! compares it with the committed pictures in `tests/references/`.
//!
//! Regenerate after an intended layout change (then LOOK at the pictures):
//! `APPLIGARDE_UPDATE_REFERENCES=1 cargo test -p appligarde-documents --test layout`

use appligarde_documents::{courrier_pdf, exemple, ordonnance_pdf};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Mean absolute grey difference allowed (0-255 scale). Text moved by a single
/// line, or a missing block, is far above it; anti-aliasing noise between
/// poppler versions is far below.
const MAX_MEAN_DIFF: f64 = 1.5;
/// Share of pixels allowed to differ strongly (> 96 grey levels).
const MAX_STRONG_SHARE: f64 = 0.004;

fn references() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/references")
}

/// Renders `pdf` to PNG pages; returns them in page order.
fn render_pages(pdf: &[u8], dir: &Path, name: &str) -> Vec<PathBuf> {
    let src = dir.join(format!("{name}.pdf"));
    std::fs::write(&src, pdf).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "50", "-png"])
        .arg(&src)
        .arg(dir.join(name))
        .status()
        .unwrap();
    assert!(status.success(), "pdftoppm must render {name}");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let f = p.file_name().unwrap().to_string_lossy().to_string();
            f.starts_with(&format!("{name}-")) && f.ends_with(".png")
        })
        .collect();
    // pdftoppm pads page numbers to the width of the page count: sort by number.
    pages.sort_by_key(|p| {
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        stem.rsplit('-').next().unwrap().parse::<u32>().unwrap()
    });
    pages
}

/// Greyscale pixels and size of a PNG.
fn grey(path: &Path) -> (u32, u32, Vec<u8>) {
    let mut decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(channels)
        .map(|c| {
            if channels >= 3 {
                ((u32::from(c[0]) * 299 + u32::from(c[1]) * 587 + u32::from(c[2]) * 114) / 1000)
                    as u8
            } else {
                c[0]
            }
        })
        .collect();
    (info.width, info.height, px)
}

fn check(name: &str, pdf: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let pages = render_pages(pdf, dir.path(), name);
    assert!(!pages.is_empty(), "{name}: at least one page");
    let update = std::env::var_os("APPLIGARDE_UPDATE_REFERENCES").is_some();
    let refs = references();
    if update {
        std::fs::create_dir_all(&refs).unwrap();
        // Drop stale pages of this document, then write the new ones.
        for e in std::fs::read_dir(&refs).unwrap() {
            let p = e.unwrap().path();
            if p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-p"))
            {
                std::fs::remove_file(p).unwrap();
            }
        }
    }
    for (i, page) in pages.iter().enumerate() {
        let reference = refs.join(format!("{name}-p{}.png", i + 1));
        if update {
            std::fs::copy(page, &reference).unwrap();
            continue;
        }
        assert!(
            reference.exists(),
            "{name}: no reference {} (page count changed?). Regenerate with APPLIGARDE_UPDATE_REFERENCES=1 and look at the pictures.",
            reference.display()
        );
        let (w, h, got) = grey(page);
        let (rw, rh, want) = grey(&reference);
        assert_eq!(
            (w, h),
            (rw, rh),
            "{name} page {}: A4 at 50 dpi, same size",
            i + 1
        );
        let total: u64 = got
            .iter()
            .zip(&want)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        let strong = got
            .iter()
            .zip(&want)
            .filter(|(a, b)| a.abs_diff(**b) > 96)
            .count();
        let n = got.len() as f64;
        let mean = total as f64 / n;
        let share = strong as f64 / n;
        assert!(
            mean < MAX_MEAN_DIFF && share < MAX_STRONG_SHARE,
            "{name} page {}: differs from its reference (mean {mean:.3}, strong share {share:.4}); \
             if the change is intended, regenerate with APPLIGARDE_UPDATE_REFERENCES=1 and look at the pictures",
            i + 1
        );
    }
    if !update {
        let extra = refs.join(format!("{name}-p{}.png", pages.len() + 1));
        assert!(!extra.exists(), "{name}: fewer pages than the references");
    }
}

#[test]
fn ordonnance_enfant_matches_reference() {
    check(
        "ordonnance-enfant",
        &ordonnance_pdf(&exemple::ordonnance_enfant()).unwrap(),
    );
}

#[test]
fn ordonnance_quinze_lignes_matches_reference() {
    check(
        "ordonnance-15-lignes",
        &ordonnance_pdf(&exemple::ordonnance_longue(15)).unwrap(),
    );
}

#[test]
fn letters_match_references() {
    check(
        "courrier-medecin-traitant",
        &courrier_pdf(&exemple::courrier_medecin_traitant()).unwrap(),
    );
    check(
        "courrier-urgences",
        &courrier_pdf(&exemple::courrier_urgences()).unwrap(),
    );
    check("certificat", &courrier_pdf(&exemple::certificat()).unwrap());
}

#[test]
fn a_layout_change_is_detected() {
    // Guards the guard: shifting the prescription by one drug line must exceed the tolerance.
    let dir = tempfile::tempdir().unwrap();
    let mut o = exemple::ordonnance_enfant();
    o.lignes.remove(0);
    let moved = render_pages(&ordonnance_pdf(&o).unwrap(), dir.path(), "moved");
    let (_, _, got) = grey(&moved[0]);
    let reference = references().join("ordonnance-enfant-p1.png");
    if !reference.exists() {
        // The reference test above reports the missing file with instructions.
        return;
    }
    let (_, _, want) = grey(&reference);
    let total: u64 = got
        .iter()
        .zip(&want)
        .map(|(a, b)| u64::from(a.abs_diff(*b)))
        .sum();
    let mean = total as f64 / got.len() as f64;
    assert!(
        mean >= MAX_MEAN_DIFF,
        "a removed drug must be caught (mean {mean:.3})"
    );
}
