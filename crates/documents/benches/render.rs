#![allow(clippy::unwrap_used)]
//! Time to render an ordonnance and a letter to PDF, against the baseline of
//! headless Chromium printing the equivalent HTML page to PDF, in the same run.
//!
//! `cargo bench -p appligarde-documents --bench render`
//! (appends the markdown report to `$APPLIGARDE_BENCH_REPORT` when set).

use appligarde_documents::{Courrier, Ordonnance, Section, courrier_pdf, exemple, ordonnance_pdf};
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

const OURS_RUNS: usize = 200;
const CHROMIUM_RUNS: usize = 5;
const CHROMIUM: &str = "/usr/bin/chromium";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f();
        t.push(start.elapsed());
    }
    t.sort();
    (percentile(&t, 0.5), percentile(&t, 0.99))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const CSS: &str = "@page{size:A4;margin:14mm 17mm}body{font-family:'DejaVu Sans';font-size:10pt}\
header{display:flex;justify-content:space-between;border-bottom:1px solid #999}\
h1{text-align:center;font-size:15pt}.bloc{break-inside:avoid;margin-bottom:9pt}\
.sig{break-inside:avoid;margin-left:56%}.cadre{border:1px solid #999;height:62pt}\
thead{display:table-header-group}";

fn header_html(
    e: &appligarde_documents::Etablissement,
    p: &appligarde_documents::Prescripteur,
) -> String {
    format!(
        "<header><div><b>{}</b><br>{}<br>{} {} — France<br>Tél. : {}<br>E-mail : {}</div>\
         <div><b>Dr {} {}</b><br>{}<br>N° RPPS : {}<br>Tél. : {}<br>E-mail : {}</div></header>",
        esc(&e.nom),
        esc(&e.adresse),
        e.code_postal,
        esc(&e.commune),
        e.telephone,
        e.email,
        esc(&p.prenom),
        esc(&p.nom.to_uppercase()),
        esc(&p.titre),
        p.rpps,
        p.telephone,
        p.email
    )
}

/// The same ordonnance as HTML (header repeated through a table header group).
fn ordonnance_html(o: &Ordonnance) -> String {
    let p = &o.patient;
    let mut body = String::new();
    for (i, l) in o.lignes.iter().enumerate() {
        body.push_str(&format!(
            "<div class=bloc><b>{}. {} {}</b><br>DCI : {} — Forme : {}<br>{}<br>Durée / quantité : {}<br>{}{}</div>",
            i + 1, esc(&l.medicament), esc(&l.dosage), esc(&l.dci), esc(&l.forme), esc(&l.posologie),
            esc(&l.duree_ou_quantite),
            if l.renouvellements == 0 { "Non renouvelable".to_string() } else { format!("À renouveler {} fois", l.renouvellements) },
            if l.non_substituable { "<br><b>Non substituable</b>" } else { "" }
        ));
    }
    format!(
        "<!doctype html><meta charset=utf-8><style>{CSS}</style><table><thead><tr><td>{}\
         <h1>ORDONNANCE</h1><p style=text-align:right>Le {}</p><b>Patient : {} {}</b><br>Sexe — né(e) le {} — Poids : {:?} kg<hr>\
         </td></tr></thead><tbody><tr><td>{body}<div class=sig>Fait à {}<br><b>Dr {}</b><br>Signature :<div class=cadre></div></div></td></tr></tbody></table>",
        header_html(&o.etablissement, &o.prescripteur),
        o.date,
        esc(&p.nom),
        esc(&p.prenom),
        p.date_naissance,
        p.poids_kg,
        esc(&o.etablissement.commune),
        esc(&o.prescripteur.nom)
    )
}

fn courrier_html(c: &Courrier) -> String {
    let sections: String = c
        .sections
        .iter()
        .map(|Section { titre, texte }| {
            format!(
                "<p><b>{}</b><br>{}</p>",
                esc(titre),
                esc(texte).replace('\n', "<br>")
            )
        })
        .collect();
    format!(
        "<!doctype html><meta charset=utf-8><style>{CSS}</style>{}<p style=margin-left:56%>{}<br><br>{}, le {}</p>\
         <h1>{}</h1><b>Concerne : {} {}</b><p>{}</p>{sections}<p>{}</p><div class=sig><b>Dr {}</b><br>Signature :<div class=cadre></div></div>",
        header_html(&c.etablissement, &c.prescripteur),
        esc(&c.destinataire).replace('\n', "<br>"),
        esc(&c.etablissement.commune),
        c.date,
        c.kind.titre(),
        esc(&c.patient.nom),
        esc(&c.patient.prenom),
        esc(&c.salutation),
        esc(&c.formule_finale),
        esc(&c.prescripteur.nom)
    )
}

/// One cold headless-Chromium print of `html` to PDF (fresh profile each time).
fn chromium_print(html: &str) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("doc.html");
    let out = dir.path().join("out.pdf");
    std::fs::write(&src, html).unwrap();
    let status = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--print-to-pdf={}", out.display()))
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .arg(format!("file://{}", src.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "chromium must print");
    std::fs::metadata(&out)
        .map(|m| m.len() as usize)
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let ordonnance = exemple::ordonnance_enfant();
    let longue = exemple::ordonnance_longue(15);
    let courrier = exemple::courrier_medecin_traitant();
    let chromium = std::path::Path::new(CHROMIUM).exists();

    // Warm-up: the fonts are parsed once per process.
    let sizes = [
        ordonnance_pdf(&ordonnance).unwrap().len(),
        ordonnance_pdf(&longue).unwrap().len(),
        courrier_pdf(&courrier).unwrap().len(),
    ];

    type Case<'a> = (&'a str, Box<dyn Fn() + 'a>, String, usize);
    let cases: Vec<Case> = vec![
        (
            "Ordonnance (3 lignes, 1 page)",
            Box::new(|| {
                ordonnance_pdf(&ordonnance).unwrap();
            }),
            ordonnance_html(&ordonnance),
            sizes[0],
        ),
        (
            "Ordonnance (15 lignes, 3 pages)",
            Box::new(|| {
                ordonnance_pdf(&longue).unwrap();
            }),
            ordonnance_html(&longue),
            sizes[1],
        ),
        (
            "Courrier au médecin traitant (1 page)",
            Box::new(|| {
                courrier_pdf(&courrier).unwrap();
            }),
            courrier_html(&courrier),
            sizes[2],
        ),
    ];

    let mut md = String::from("## appligarde-documents: PDF rendering vs headless Chromium\n\n");
    md.push_str(&format!(
        "printpdf render: {OURS_RUNS} runs per document; baseline: `chromium --headless --print-to-pdf` of the equivalent HTML, {CHROMIUM_RUNS} cold runs.\n\n"
    ));
    md.push_str("| document | ours p50 | ours p99 | PDF size | Chromium p50 | Chromium p99 | ratio (p50) | target (<20 ms, ≥20×) |\n|---|---|---|---|---|---|---|---|\n");
    for (name, f, html, size) in &cases {
        let (p50, p99) = measure(OURS_RUNS, f);
        let (c50, c99, ratio) = if chromium {
            let (c50, c99) = measure(CHROMIUM_RUNS, || {
                chromium_print(html);
            });
            (
                format!("{:.0} ms", ms(c50)),
                format!("{:.0} ms", ms(c99)),
                ms(c50) / ms(p50),
            )
        } else {
            ("n/a".into(), "n/a".into(), f64::NAN)
        };
        let ok = ms(p50) < 20.0 && ratio >= 20.0;
        md.push_str(&format!(
            "| {name} | {:.2} ms | {:.2} ms | {:.1} kB | {c50} | {c99} | {ratio:.0}× | {} |\n",
            ms(p50),
            ms(p99),
            *size as f64 / 1024.0,
            if ok { "met" } else { "NOT met" }
        ));
    }
    if !chromium {
        md.push_str("\nChromium not found at /usr/bin/chromium: baseline skipped.\n");
    }
    print!("{md}");
    if let Some(path) = std::env::var_os("APPLIGARDE_BENCH_REPORT") {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        writeln!(f, "{md}").unwrap();
    }
}
