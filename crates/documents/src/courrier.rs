//! Letters: médecin traitant, adressage aux urgences, certificat médical.
//! The `*Contenu::courrier` helpers pre-fill an editable [`Courrier`] from the
//! consultation; [`courrier_pdf`] prints whatever the doctor left in it.

use crate::DocumentError;
use crate::age::Age;
use crate::frame::{self, date_courte, decimal, insecable, requis};
use crate::layout::{self, Block, CONTENT_W, Weight};
use crate::model::{
    CertificatContenu, Constantes, Courrier, CourrierKind, Etablissement, MedecinTraitantContenu,
    PatientDoc, Prescripteur, Section, Sexe, UrgencesContenu,
};
use crate::ordonnance::valider_patient;
use chrono::NaiveDate;

/// "Mme" or "M." before an adult's name; nothing before a child's (a two-year-old is not "Mme").
fn civilite(p: &PatientDoc, date: NaiveDate) -> &'static str {
    if est_enfant(p, date) {
        return "";
    }
    match p.sexe {
        Sexe::Feminin => "Mme",
        Sexe::Masculin => "M.",
        Sexe::Indetermine => "",
    }
}

fn est_enfant(p: &PatientDoc, date: NaiveDate) -> bool {
    Age::au(p.date_naissance, date).is_ok_and(Age::est_enfant)
}

/// "votre patiente", "votre patient", or "votre patient(e)" when the sex is not known.
fn votre_patient(p: &PatientDoc) -> &'static str {
    match p.sexe {
        Sexe::Feminin => "votre patiente",
        Sexe::Masculin => "votre patient",
        Sexe::Indetermine => "votre patient(e)",
    }
}

fn section_si(sections: &mut Vec<Section>, titre: &str, texte: &str) {
    if !texte.trim().is_empty() {
        sections.push(Section::new(titre, texte.trim()));
    }
}

impl MedecinTraitantContenu {
    /// Pre-filled letter to the médecin traitant, editable before printing.
    pub fn courrier(
        &self,
        date: NaiveDate,
        prescripteur: &Prescripteur,
        etablissement: &Etablissement,
        patient: &PatientDoc,
    ) -> Courrier {
        let mut sections = vec![Section::new(
            "",
            format!(
                "J'ai vu ce jour en consultation à la maison médicale de garde {} {} {} {}.",
                votre_patient(patient),
                civilite(patient, date),
                patient.prenom,
                patient.nom.to_uppercase()
            )
            .replace("  ", " "),
        )];
        section_si(&mut sections, "Motif de consultation", &self.motif);
        section_si(&mut sections, "Examen clinique", &self.examen);
        let diagnostics: Vec<String> = self
            .diagnostics
            .iter()
            .map(|d| {
                if d.code.trim().is_empty() {
                    format!("• {}", d.libelle)
                } else {
                    format!("• {} ({})", d.libelle, d.code)
                }
            })
            .collect();
        section_si(&mut sections, "Diagnostic(s)", &diagnostics.join("\n"));
        section_si(
            &mut sections,
            "Traitement administré sur place",
            &self.traitement_administre,
        );
        section_si(
            &mut sections,
            "Traitement prescrit",
            &self.traitement_prescrit,
        );
        section_si(&mut sections, "Orientation", &self.orientation);
        section_si(&mut sections, "Conseils donnés", &self.conseils);
        Courrier {
            kind: CourrierKind::MedecinTraitant,
            date,
            prescripteur: prescripteur.clone(),
            etablissement: etablissement.clone(),
            patient: patient.clone(),
            destinataire: self.destinataire.clone(),
            salutation: "Cher confrère, chère consœur,".into(),
            sections,
            formule_finale: "Je vous prie de recevoir, cher confrère, chère consœur, l'expression de mes salutations confraternelles.".into(),
        }
    }
}

fn constantes(c: &Constantes) -> String {
    let mut v = Vec::new();
    if let Some(t) = &c.tension {
        v.push(format!("TA : {t} mmHg"));
    }
    if let Some(fc) = c.frequence_cardiaque {
        v.push(format!("FC : {fc} /min"));
    }
    if let Some(t) = c.temperature {
        v.push(format!("T° : {} °C", decimal(t)));
    }
    if let Some(s) = c.saturation {
        v.push(format!("SpO2 : {s} %"));
    }
    if let Some(fr) = c.frequence_respiratoire {
        v.push(format!("FR : {fr} /min"));
    }
    if let Some(g) = &c.glycemie {
        v.push(format!("Glycémie capillaire : {g}"));
    }
    if let Some(e) = c.eva_douleur {
        v.push(format!("EVA douleur : {e}/10"));
    }
    v.iter()
        .map(|c| insecable(c))
        .collect::<Vec<_>>()
        .join("  —  ")
}

impl UrgencesContenu {
    /// Pre-filled referral to the emergency department, editable before printing.
    pub fn courrier(
        &self,
        date: NaiveDate,
        prescripteur: &Prescripteur,
        etablissement: &Etablissement,
        patient: &PatientDoc,
    ) -> Courrier {
        let mut sections = Vec::new();
        section_si(&mut sections, "Motif d'adressage", &self.motif);
        section_si(&mut sections, "Constantes", &constantes(&self.constantes));
        section_si(&mut sections, "Examen clinique", &self.examen);
        let traitements = if self.traitements_donnes.trim().is_empty() {
            "Aucun traitement administré avant le transfert."
        } else {
            self.traitements_donnes.trim()
        };
        section_si(&mut sections, "Traitements déjà administrés", traitements);
        // Empty means never asked: the letter must not pass that off as "no allergy".
        let allergies = if self.allergies.trim().is_empty() {
            "Non renseignées."
        } else {
            self.allergies.trim()
        };
        section_si(&mut sections, "Allergies", allergies);
        section_si(
            &mut sections,
            "Médecin à joindre",
            &format!(
                "Dr {} {}, joignable au {} (maison médicale de garde : {}).",
                prescripteur.prenom,
                prescripteur.nom.to_uppercase(),
                insecable(&prescripteur.telephone),
                insecable(&etablissement.telephone)
            ),
        );
        Courrier {
            kind: CourrierKind::Urgences,
            date,
            prescripteur: prescripteur.clone(),
            etablissement: etablissement.clone(),
            patient: patient.clone(),
            destinataire: if self.destinataire.trim().is_empty() {
                "Service des urgences".into()
            } else {
                self.destinataire.clone()
            },
            salutation: "Cher confrère, chère consœur,".into(),
            sections,
            formule_finale: "Je vous remercie de votre prise en charge. Bien confraternellement."
                .into(),
        }
    }
}

impl CertificatContenu {
    /// Pre-filled certificate, editable before printing.
    pub fn courrier(
        &self,
        date: NaiveDate,
        prescripteur: &Prescripteur,
        etablissement: &Etablissement,
        patient: &PatientDoc,
    ) -> Courrier {
        let intro = format!(
            "Je soussigné(e), Dr {} {}, certifie avoir examiné ce jour {} {} {}, {} le {}.",
            prescripteur.prenom,
            prescripteur.nom.to_uppercase(),
            if est_enfant(patient, date) {
                "l'enfant"
            } else {
                civilite(patient, date)
            },
            patient.prenom,
            patient.nom.to_uppercase(),
            patient.sexe.ne().to_lowercase(),
            date_courte(patient.date_naissance)
        )
        .replace("  ", " ");
        let mut sections = vec![Section::new("", intro)];
        section_si(&mut sections, "", &self.texte);
        Courrier {
            kind: CourrierKind::Certificat,
            date,
            prescripteur: prescripteur.clone(),
            etablissement: etablissement.clone(),
            patient: patient.clone(),
            destinataire: String::new(),
            salutation: String::new(),
            sections,
            formule_finale: "Certificat établi à la demande de l'intéressé(e) et remis en main propre pour faire valoir ce que de droit.".into(),
        }
    }
}

/// Renders a letter to PDF bytes (deterministic: same input, same bytes).
pub fn courrier_pdf(c: &Courrier) -> Result<Vec<u8>, DocumentError> {
    frame::valider_entete(&c.etablissement, &c.prescripteur)?;
    let age = valider_patient(&c.patient, c.date)?;
    if c.sections.iter().all(|s| s.texte.trim().is_empty()) {
        return Err(DocumentError::CourrierVide);
    }
    requis(
        &c.etablissement.telephone,
        "le téléphone de la maison médicale de garde",
    )?;

    let header = frame::header(&c.etablissement, &c.prescripteur)?;
    let mut body = Vec::new();

    // Addressee and date, then title and patient: kept together on page 1.
    let mut entree = Block::kept("en-tête du courrier");
    let x = CONTENT_W * 0.56;
    if !c.destinataire.trim().is_empty() {
        for l in c.destinataire.lines() {
            entree.paragraph(l, Weight::Regular, 10.0, x, CONTENT_W - x)?;
        }
        entree.space(8.0);
    }
    entree.paragraph(
        &format!(
            "{}, le {}",
            c.etablissement.commune,
            frame::date_longue(c.date)
        ),
        Weight::Regular,
        10.0,
        x,
        CONTENT_W - x,
    )?;
    entree.space(14.0);
    let titre = c.kind.titre().to_uppercase();
    let w = layout::text_width(&titre, Weight::Bold, 14.0)?;
    entree.line(titre, Weight::Bold, 14.0, (CONTENT_W - w) / 2.0);
    entree.space(6.0);
    let p = &c.patient;
    let mut concerne = format!(
        "Concerne : {} {} {}, {} le {} ({})",
        civilite(p, c.date),
        p.nom.to_uppercase(),
        p.prenom,
        p.sexe.ne().to_lowercase(),
        date_courte(p.date_naissance),
        age.libelle()
    )
    .replace("  ", " ");
    // The weight matters to the colleague (doses), not on a certificate.
    if let (Some(kg), false) = (p.poids_kg, c.kind == CourrierKind::Certificat) {
        concerne.push_str(&format!(", {}\u{a0}kg", decimal(kg)));
    }
    entree.paragraph(&concerne, Weight::Bold, 10.0, 0.0, CONTENT_W)?;
    entree.space(10.0);
    if !c.salutation.trim().is_empty() {
        entree.paragraph(c.salutation.trim(), Weight::Regular, 10.0, 0.0, CONTENT_W)?;
        entree.space(6.0);
    }
    body.push(entree);

    for s in &c.sections {
        if s.texte.trim().is_empty() {
            continue;
        }
        // A title never ends a page alone: keep it with the first two lines.
        let mut b = Block::flowing(if s.titre.is_empty() { 1 } else { 3 });
        if !s.titre.trim().is_empty() {
            b.paragraph(s.titre.trim(), Weight::Bold, 10.5, 0.0, CONTENT_W)?;
        }
        b.paragraph(s.texte.trim(), Weight::Regular, 10.0, 0.0, CONTENT_W)?;
        b.space(8.0);
        body.push(b);
    }
    if !c.formule_finale.trim().is_empty() {
        let mut b = Block::flowing(2);
        b.paragraph(
            c.formule_finale.trim(),
            Weight::Regular,
            10.0,
            0.0,
            CONTENT_W,
        )?;
        body.push(b);
    }
    body.push(frame::signature(None, &c.prescripteur)?);

    let footer = format!(
        "{} — {} {} — {}",
        c.kind.titre(),
        p.nom.to_uppercase(),
        p.prenom,
        date_courte(c.date)
    );
    let band = (Vec::new(), 0.0);
    let doc = frame::compose(c.kind.titre(), c.date, header, band, &footer, &body)?;
    layout::save(doc)
}
