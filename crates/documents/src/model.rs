//! Input types of the documents: plain data the caller fills from its own
//! domain and store types. They hold patient data, so their `Debug` output is
//! redacted: a stray `{:?}` in a log line must not leak a name or a birth date.

use chrono::NaiveDate;
use std::fmt;

/// Sex as printed on the ordonnance (CSP R.5132-3 asks for it).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Sexe {
    Feminin,
    Masculin,
    /// Printed as "Non précisé" (undetermined or not given).
    Indetermine,
}

impl Sexe {
    /// The French label printed on documents.
    pub fn libelle(self) -> &'static str {
        match self {
            Sexe::Feminin => "Féminin",
            Sexe::Masculin => "Masculin",
            Sexe::Indetermine => "Non précisé",
        }
    }

    /// "Né" / "Née" / "Né(e)" for the birth-date line.
    pub fn ne(self) -> &'static str {
        match self {
            Sexe::Feminin => "Née",
            Sexe::Masculin => "Né",
            Sexe::Indetermine => "Né(e)",
        }
    }
}

/// The doctor who signs the document.
#[derive(Clone, PartialEq)]
pub struct Prescripteur {
    pub nom: String,
    pub prenom: String,
    /// Title or specialty, e.g. "Médecin généraliste".
    pub titre: String,
    /// 11-digit RPPS number.
    pub rpps: String,
    /// Professional phone, printed as given (e.g. "+33 4 78 00 00 00").
    pub telephone: String,
    pub email: String,
}

/// The maison médicale de garde where the document is made (professional address).
#[derive(Clone, PartialEq, Debug)]
pub struct Etablissement {
    pub nom: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub telephone: String,
    pub email: String,
}

/// The patient as printed on a document.
#[derive(Clone, PartialEq)]
pub struct PatientDoc {
    pub nom: String,
    pub prenom: String,
    pub sexe: Sexe,
    pub date_naissance: NaiveDate,
    /// Weight in kilograms; required on a child's ordonnance.
    pub poids_kg: Option<f64>,
    /// Height in centimetres, printed when given.
    pub taille_cm: Option<f64>,
}

/// One drug on an ordonnance. The block printed for it is never split across pages.
#[derive(Clone, PartialEq)]
pub struct LigneOrdonnance {
    /// Brand or product name (may equal the DCI for a generic prescription).
    pub medicament: String,
    /// Dénomination commune internationale (generic name).
    pub dci: String,
    /// Strength, e.g. "500 mg" or "2,4 %".
    pub dosage: String,
    /// Pharmaceutical form, e.g. "comprimé", "suspension buvable".
    pub forme: String,
    /// Posology in the doctor's words, e.g. "1 comprimé 3 fois par jour".
    pub posologie: String,
    /// Duration or quantity, e.g. "5 jours" or "1 boîte".
    pub duree_ou_quantite: String,
    /// Number of renewals (0 = not renewable).
    pub renouvellements: u8,
    /// Prints "Non substituable" under the drug.
    pub non_substituable: bool,
    /// The justification printed after "Non substituable" (MTE, EFG or CIF, or
    /// the doctor's words); empty prints the mention alone.
    pub mention_non_substituable: String,
}

impl LigneOrdonnance {
    /// The drug as the pharmacist reads it: its name, or its DCI, then its strength unless the name
    /// already carries one ("DOLIPRANE 500 mg" picked from the BDPM is not printed "DOLIPRANE
    /// 500 mg 500 mg"; "Doliprane" with "2,4 %" is "Doliprane 2,4 %").
    pub fn designation(&self) -> String {
        let nom = if self.medicament.trim().is_empty() {
            self.dci.trim()
        } else {
            self.medicament.trim()
        };
        let dosage = self.dosage.trim();
        if dosage.is_empty() || porte_un_dosage(nom) {
            nom.to_owned()
        } else {
            format!("{nom} {dosage}")
        }
    }
}

/// Whether a drug name states a strength: a number followed by a unit ("500 mg", "2,4 %",
/// "125 mg/5 ml", "100 000 UI"); a number alone ("VITAMINE D3") is not one.
fn porte_un_dosage(nom: &str) -> bool {
    const UNITES: [&str; 9] = [
        "mg",
        "g",
        "ml",
        "%",
        "ui",
        "µg",
        "mcg",
        "microgrammes",
        "pour",
    ];
    let mots: Vec<String> = nom
        .split_whitespace()
        .map(str::to_lowercase)
        .flat_map(|w| {
            // "500mg" and "2,4%" are a number and a unit.
            let coupe = w
                .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
                .filter(|&i| i > 0);
            match coupe {
                Some(i) => vec![w[..i].to_owned(), w[i..].to_owned()],
                None => vec![w],
            }
        })
        .collect();
    mots.windows(2).any(|p| {
        p[0].starts_with(|c: char| c.is_ascii_digit())
            && UNITES
                .iter()
                .any(|u| p[1] == *u || p[1].starts_with(&format!("{u}/")))
    })
}

/// A prescription as printed.
#[derive(Clone, PartialEq, Debug)]
pub struct Ordonnance {
    /// Date of the prescription: printed, used for the age, and the PDF creation date.
    pub date: NaiveDate,
    pub prescripteur: Prescripteur,
    pub etablissement: Etablissement,
    pub patient: PatientDoc,
    pub lignes: Vec<LigneOrdonnance>,
}

/// The three letters the MMG prints.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CourrierKind {
    /// Letter to the patient's médecin traitant after the consultation.
    MedecinTraitant,
    /// Adressage aux urgences (referral to the emergency department).
    Urgences,
    /// A simple certificat médical.
    Certificat,
}

impl CourrierKind {
    /// The title printed at the top of the body.
    pub fn titre(self) -> &'static str {
        match self {
            CourrierKind::MedecinTraitant => "Courrier au médecin traitant",
            CourrierKind::Urgences => "Adressage aux urgences",
            CourrierKind::Certificat => "Certificat médical",
        }
    }
}

/// One titled section of a letter body ("Motif", "Examen clinique"...).
/// An empty `titre` prints the text as a plain paragraph.
#[derive(Clone, PartialEq)]
pub struct Section {
    pub titre: String,
    pub texte: String,
}

impl Section {
    pub fn new(titre: impl Into<String>, texte: impl Into<String>) -> Self {
        Self {
            titre: titre.into(),
            texte: texte.into(),
        }
    }
}

/// A letter as printed: everything is editable text, pre-filled by the
/// `*Contenu::courrier` helpers from the consultation.
#[derive(Clone, PartialEq)]
pub struct Courrier {
    pub kind: CourrierKind,
    pub date: NaiveDate,
    pub prescripteur: Prescripteur,
    pub etablissement: Etablissement,
    pub patient: PatientDoc,
    /// Addressee block, one line per line ("Dr Jean Martin\n12 rue ...");
    /// empty for a certificate handed to the patient.
    pub destinataire: String,
    /// Opening line, e.g. "Cher confrère, chère consœur,"; may be empty.
    pub salutation: String,
    pub sections: Vec<Section>,
    /// Closing sentence before the signature; may be empty.
    pub formule_finale: String,
}

/// Diagnosis printed with its code and label.
#[derive(Clone, PartialEq)]
pub struct Diagnostic {
    /// CIM-10 code, e.g. "J03.9"; may be empty.
    pub code: String,
    pub libelle: String,
}

/// Letter to the médecin traitant, pre-filled from the consultation.
#[derive(Clone, PartialEq, Default)]
pub struct MedecinTraitantContenu {
    pub destinataire: String,
    pub motif: String,
    pub examen: String,
    pub diagnostics: Vec<Diagnostic>,
    pub traitement_administre: String,
    pub traitement_prescrit: String,
    pub orientation: String,
    pub conseils: String,
}

/// Vital signs for the referral letter, each printed only when given.
#[derive(Clone, PartialEq, Default)]
pub struct Constantes {
    pub tension: Option<String>,
    pub frequence_cardiaque: Option<u16>,
    pub temperature: Option<f64>,
    pub saturation: Option<u8>,
    pub frequence_respiratoire: Option<u16>,
    pub glycemie: Option<String>,
    pub eva_douleur: Option<u8>,
}

/// Referral to the emergency department, pre-filled from the consultation.
#[derive(Clone, PartialEq, Default)]
pub struct UrgencesContenu {
    pub destinataire: String,
    pub motif: String,
    pub constantes: Constantes,
    pub examen: String,
    pub traitements_donnes: String,
    /// As noted on the patient record; empty means never asked, printed "Non renseignées."
    pub allergies: String,
}

/// A simple medical certificate.
#[derive(Clone, PartialEq, Default)]
pub struct CertificatContenu {
    /// What the doctor certifies, e.g. "que l'état de santé de ... contre-indique ...".
    pub texte: String,
}

macro_rules! redacted_debug {
    ($t:ty, $name:literal) => {
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!($name, " { <redacted> }"))
            }
        }
    };
}

redacted_debug!(PatientDoc, "PatientDoc");
redacted_debug!(Prescripteur, "Prescripteur");
redacted_debug!(LigneOrdonnance, "LigneOrdonnance");
redacted_debug!(Section, "Section");
redacted_debug!(Courrier, "Courrier");
redacted_debug!(Diagnostic, "Diagnostic");
redacted_debug!(MedecinTraitantContenu, "MedecinTraitantContenu");
redacted_debug!(Constantes, "Constantes");
redacted_debug!(UrgencesContenu, "UrgencesContenu");
redacted_debug!(CertificatContenu, "CertificatContenu");

#[cfg(test)]
mod tests {
    #[test]
    fn a_line_is_named_with_its_strength_once() {
        let ligne = |medicament: &str, dci: &str, dosage: &str| super::LigneOrdonnance {
            medicament: medicament.into(),
            dci: dci.into(),
            dosage: dosage.into(),
            forme: String::new(),
            posologie: String::new(),
            duree_ou_quantite: String::new(),
            renouvellements: 0,
            non_substituable: false,
            mention_non_substituable: String::new(),
        };
        let cas = [
            (
                ("DOLIPRANE 500 mg", "paracétamol", "500 mg"),
                "DOLIPRANE 500 mg",
            ),
            (
                ("PARACETAMOL EG 500 mg", "paracétamol", "500,0 mg"),
                "PARACETAMOL EG 500 mg",
            ),
            (
                ("CLAMOXYL 125 mg/5 ml", "amoxicilline", "125,00 mg"),
                "CLAMOXYL 125 mg/5 ml",
            ),
            (("DOLIPRANE 2,4%", "paracétamol", "2,4 %"), "DOLIPRANE 2,4%"),
            (
                ("DOLIPRANE 2,4 POUR CENT", "paracétamol", "2,40 g"),
                "DOLIPRANE 2,4 POUR CENT",
            ),
            (("Doliprane", "paracétamol", "2,4 %"), "Doliprane 2,4 %"),
            (
                ("VITAMINE D3 BON", "cholécalciférol", "200 000 UI"),
                "VITAMINE D3 BON 200 000 UI",
            ),
            (("", "amoxicilline", "1 g"), "amoxicilline 1 g"),
            (("Glace locale", "", ""), "Glace locale"),
        ];
        for ((m, d, s), attendu) in cas {
            assert_eq!(ligne(m, d, s).designation(), attendu);
        }
    }

    #[test]
    fn debug_output_never_shows_patient_data() {
        let o = crate::exemple::ordonnance_enfant();
        let c = crate::exemple::courrier_urgences();
        for dump in [format!("{o:?}"), format!("{c:?}")] {
            for secret in [
                "Béranger",
                "Léa",
                "2022",
                "Doliprane",
                "pénicilline",
                "Fièvre",
            ] {
                assert!(!dump.contains(secret), "« {secret} » leaked in {dump}");
            }
        }
    }
}
