//! The ordonnance: validation of the mandatory mentions (CSP R.5132-3) and
//! its layout (patient band on every page, one unsplittable block per drug).

use crate::DocumentError;
use crate::age::Age;
use crate::frame::{self, Placed, date_courte, date_longue, decimal, requis};
use crate::layout::{self, Block, CONTENT_W, Weight};
use crate::model::{LigneOrdonnance, Ordonnance, PatientDoc};

/// Checks every mandatory mention; the same checks run before rendering, so
/// the UI can call this to show the French message before printing.
pub fn valider_ordonnance(o: &Ordonnance) -> Result<Age, DocumentError> {
    frame::valider_entete(&o.etablissement, &o.prescripteur)?;
    requis(
        &o.etablissement.telephone,
        "le téléphone de la maison médicale de garde",
    )?;
    let age = valider_patient(&o.patient, o.date)?;
    if age.est_enfant() && o.patient.poids_kg.is_none() {
        return Err(DocumentError::PoidsEnfantManquant { age: age.libelle() });
    }
    if o.lignes.is_empty() {
        return Err(DocumentError::OrdonnanceVide);
    }
    for (i, l) in o.lignes.iter().enumerate() {
        let numero = i + 1;
        let manque = |champ| DocumentError::LigneIncomplete { numero, champ };
        if l.medicament.trim().is_empty() && l.dci.trim().is_empty() {
            return Err(manque("indiquez le médicament ou sa DCI"));
        }
        if l.posologie.trim().is_empty() {
            return Err(manque("indiquez la posologie"));
        }
        if l.duree_ou_quantite.trim().is_empty() {
            return Err(manque(
                "indiquez la durée du traitement ou le nombre de boîtes",
            ));
        }
    }
    Ok(age)
}

/// Patient identity, weight and height plausibility; returns the age at `date`.
pub(crate) fn valider_patient(
    p: &PatientDoc,
    date: chrono::NaiveDate,
) -> Result<Age, DocumentError> {
    requis(&p.nom, "le nom du patient")?;
    requis(&p.prenom, "le prénom du patient")?;
    let age = Age::au(p.date_naissance, date)?;
    if let Some(kg) = p.poids_kg
        && !(kg > 0.2 && kg <= 400.0)
    {
        return Err(DocumentError::PoidsInvalide {
            valeur: decimal(kg),
        });
    }
    if let Some(cm) = p.taille_cm
        && !(20.0..=260.0).contains(&cm)
    {
        return Err(DocumentError::TailleInvalide {
            valeur: decimal(cm),
        });
    }
    Ok(age)
}

/// Renders the ordonnance to PDF bytes (deterministic: same input, same bytes).
pub fn ordonnance_pdf(o: &Ordonnance) -> Result<Vec<u8>, DocumentError> {
    let age = valider_ordonnance(o)?;
    let header = frame::header(&o.etablissement, &o.prescripteur)?;
    let band = bande_patient(o, age)?;
    let mut body = Vec::with_capacity(o.lignes.len() + 1);
    for (i, l) in o.lignes.iter().enumerate() {
        body.push(bloc_medicament(i + 1, l)?);
    }
    body.push(frame::signature(
        Some((&o.etablissement.commune, o.date)),
        &o.prescripteur,
    )?);
    let footer = format!("Ordonnance du {}", date_courte(o.date));
    let doc = frame::compose("Ordonnance", o.date, header, band, &footer, &body)?;
    layout::save(doc)
}

/// The title, the date and the patient, repeated on every page.
fn bande_patient(o: &Ordonnance, age: Age) -> Result<(Placed, f32), DocumentError> {
    let p = &o.patient;
    let mut b = Block::kept("patient");
    let titre = "ORDONNANCE";
    let w = layout::text_width(titre, Weight::Bold, 15.0)?;
    b.line(titre, Weight::Bold, 15.0, (CONTENT_W - w) / 2.0);
    let date = format!("Le {}", date_longue(o.date));
    let w = layout::text_width(&date, Weight::Regular, 10.0)?;
    b.line(date, Weight::Regular, 10.0, CONTENT_W - w);
    b.paragraph(
        &format!("Patient : {} {}", p.nom.to_uppercase(), p.prenom),
        Weight::Bold,
        11.0,
        0.0,
        CONTENT_W,
    )?;
    let mut infos = vec![
        format!("Sexe : {}", p.sexe.libelle()),
        format!(
            "{} le {} ({})",
            p.sexe.ne(),
            date_courte(p.date_naissance),
            age.libelle()
        ),
    ];
    if let Some(kg) = p.poids_kg {
        infos.push(format!("Poids : {}\u{a0}kg", decimal(kg)));
    }
    if let Some(cm) = p.taille_cm {
        infos.push(format!("Taille : {}\u{a0}cm", decimal(cm)));
    }
    b.paragraph(&infos.join("  —  "), Weight::Regular, 10.0, 0.0, CONTENT_W)?;
    b.space(2.0);
    b.rule();
    b.space(6.0);
    Ok(frame::placed(&b))
}

/// One drug: never split across pages.
fn bloc_medicament(numero: usize, l: &LigneOrdonnance) -> Result<Block, DocumentError> {
    let mut b = Block::kept(format!("ligne {numero}"));
    let indent = 16.0;
    let width = CONTENT_W - indent;
    let titre = format!("{numero}. {}", l.designation());
    b.paragraph(&titre, Weight::Bold, 11.0, 0.0, CONTENT_W)?;
    let mut details = Vec::new();
    if !l.dci.trim().is_empty() {
        details.push(format!("DCI : {}", l.dci.trim()));
    }
    if !l.forme.trim().is_empty() {
        details.push(format!("Forme : {}", l.forme.trim()));
    }
    if !details.is_empty() {
        b.paragraph(&details.join("  —  "), Weight::Regular, 9.5, indent, width)?;
    }
    b.paragraph(l.posologie.trim(), Weight::Regular, 10.0, indent, width)?;
    b.paragraph(
        &format!("Durée / quantité : {}", l.duree_ou_quantite.trim()),
        Weight::Regular,
        10.0,
        indent,
        width,
    )?;
    let renouvellement = match l.renouvellements {
        0 => "Non renouvelable".to_string(),
        1 => "À renouveler 1 fois".to_string(),
        n => format!("À renouveler {n} fois"),
    };
    b.line(renouvellement, Weight::Regular, 10.0, indent);
    if l.non_substituable {
        let mention = l.mention_non_substituable.trim();
        if mention.is_empty() {
            b.line("Non substituable", Weight::Bold, 10.0, indent);
        } else {
            b.paragraph(
                &format!("Non substituable ({mention})"),
                Weight::Bold,
                10.0,
                indent,
                width,
            )?;
        }
    }
    b.space(9.0);
    Ok(b)
}
