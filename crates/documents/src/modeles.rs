//! Ordonnances types: prescription templates per situation, whose pediatric
//! lines carry a dosing rule; [`OrdonnanceType::appliquer`] computes the doses
//! from the child's weight and returns them for display before printing.
//!
//! Templates are plain data: the built-in ones ([`modeles_integres`]) are a
//! starting point the MMG edits (persisting edited templates is the store's job).
//! Placeholders in `posologie`: `{mg_par_prise}`, `{ml_par_prise}`,
//! `{prises}`, `{mg_par_jour}`.

use crate::DocumentError;
use crate::frame::decimal;
use crate::model::LigneOrdonnance;
use crate::posologie::{Dose, RegleDose, dose};

/// One line of a template.
#[derive(Clone, PartialEq, Debug)]
pub struct LigneType {
    /// The line as printed, `posologie` possibly holding placeholders.
    pub ligne: LigneOrdonnance,
    /// Weight-based rule (pediatric lines), with the concentration in mg/mL
    /// for liquid forms (`{ml_par_prise}`).
    pub regle: Option<(RegleDose, Option<f64>)>,
}

/// A template: name of the situation and its lines.
#[derive(Clone, PartialEq, Debug)]
pub struct OrdonnanceType {
    pub nom: String,
    pub lignes: Vec<LigneType>,
}

/// A computed dose shown to the doctor before printing.
#[derive(Clone, PartialEq, Debug)]
pub struct DoseAffichee {
    /// Drug of the line (name and strength).
    pub medicament: String,
    pub dose: Dose,
    /// French sentence, e.g. "paracétamol : 247,5 mg par prise × 4 / jour (990 mg/jour) — 15 mg/kg/prise ; plafonnée".
    pub resume: String,
}

impl OrdonnanceType {
    /// Lines with doses computed for `poids_kg`, and the doses to show.
    /// A template with weight-based lines needs the weight.
    pub fn appliquer(
        &self,
        poids_kg: Option<f64>,
    ) -> Result<(Vec<LigneOrdonnance>, Vec<DoseAffichee>), DocumentError> {
        let mut lignes = Vec::with_capacity(self.lignes.len());
        let mut doses = Vec::new();
        for l in &self.lignes {
            let mut ligne = l.ligne.clone();
            if let Some((regle, mg_par_ml)) = &l.regle {
                let kg = poids_kg.ok_or(DocumentError::PoidsPourDose)?;
                let d = dose(kg, regle)?;
                let ml = mg_par_ml
                    .filter(|c| *c > 0.0)
                    .map(|c| (d.mg_par_prise / c * 10.0).floor() / 10.0);
                ligne.posologie = ligne
                    .posologie
                    .replace("{mg_par_prise}", &decimal(d.mg_par_prise))
                    .replace("{mg_par_jour}", &decimal(d.mg_par_jour))
                    .replace("{prises}", &d.prises_par_jour.to_string())
                    .replace("{ml_par_prise}", &ml.map(decimal).unwrap_or_default());
                let mut resume = format!(
                    "{} : {} mg par prise × {} / jour ({} mg/jour) — règle {} mg/kg/jour",
                    ligne.dci,
                    decimal(d.mg_par_prise),
                    d.prises_par_jour,
                    decimal(d.mg_par_jour),
                    decimal(regle.mg_par_kg_par_jour)
                );
                if let Some(ml) = ml {
                    resume.push_str(&format!(", soit {} mL par prise", decimal(ml)));
                }
                if d.plafonnee {
                    resume.push_str(" ; dose plafonnée au maximum");
                }
                doses.push(DoseAffichee {
                    medicament: format!("{} {}", ligne.medicament, ligne.dosage),
                    dose: d,
                    resume,
                });
            }
            lignes.push(ligne);
        }
        Ok((lignes, doses))
    }
}

fn ligne(
    t: (&str, &str, &str, &str, &str, &str),
    regle: Option<(RegleDose, Option<f64>)>,
) -> LigneType {
    let (medicament, dci, dosage, forme, posologie, duree) = t;
    LigneType {
        ligne: LigneOrdonnance {
            medicament: medicament.into(),
            dci: dci.into(),
            dosage: dosage.into(),
            forme: forme.into(),
            posologie: posologie.into(),
            duree_ou_quantite: duree.into(),
            renouvellements: 0,
            non_substituable: false,
            mention_non_substituable: String::new(),
        },
        regle,
    }
}

const PARACETAMOL_ENFANT: RegleDose = RegleDose {
    mg_par_kg_par_jour: 60.0,
    prises_par_jour: 4,
    max_mg_par_prise: 1000.0,
    max_mg_par_jour: 3000.0,
};

const AMOXICILLINE_ENFANT: RegleDose = RegleDose {
    mg_par_kg_par_jour: 50.0,
    prises_par_jour: 2,
    max_mg_par_prise: 1500.0,
    max_mg_par_jour: 3000.0,
};

/// Built-in templates (starting points; the doctor checks every line).
pub fn modeles_integres() -> Vec<OrdonnanceType> {
    vec![
        OrdonnanceType {
            nom: "Fièvre de l'enfant".into(),
            lignes: vec![ligne(
                (
                    "Paracétamol",
                    "paracétamol",
                    "2,4 %",
                    "suspension buvable",
                    "{mg_par_prise} mg par prise ({ml_par_prise} mL), toutes les 6 heures si fièvre mal tolérée ou douleur, {prises} prises par jour au maximum.",
                    "3 jours",
                ),
                Some((PARACETAMOL_ENFANT, Some(24.0))),
            )],
        },
        OrdonnanceType {
            nom: "Angine de l'enfant (TDR positif)".into(),
            lignes: vec![
                ligne(
                    (
                        "Amoxicilline",
                        "amoxicilline",
                        "250 mg/5 mL",
                        "poudre pour suspension buvable",
                        "{mg_par_prise} mg ({ml_par_prise} mL) matin et soir.",
                        "6 jours",
                    ),
                    Some((AMOXICILLINE_ENFANT, Some(50.0))),
                ),
                ligne(
                    (
                        "Paracétamol",
                        "paracétamol",
                        "2,4 %",
                        "suspension buvable",
                        "{mg_par_prise} mg par prise ({ml_par_prise} mL) toutes les 6 heures si douleur ou fièvre.",
                        "3 jours",
                    ),
                    Some((PARACETAMOL_ENFANT, Some(24.0))),
                ),
            ],
        },
        OrdonnanceType {
            nom: "Gastro-entérite de l'enfant".into(),
            lignes: vec![ligne(
                (
                    "Soluté de réhydratation orale",
                    "",
                    "",
                    "poudre pour solution buvable",
                    "1 sachet dans 200 mL d'eau ; proposer par petites quantités après chaque selle liquide.",
                    "1 boîte",
                ),
                None,
            )],
        },
        OrdonnanceType {
            nom: "Colique néphrétique de l'adulte".into(),
            lignes: vec![
                ligne(
                    (
                        "Kétoprofène",
                        "kétoprofène",
                        "100 mg",
                        "comprimé à libération prolongée",
                        "1 comprimé matin et soir au cours du repas.",
                        "3 jours",
                    ),
                    None,
                ),
                ligne(
                    (
                        "Paracétamol",
                        "paracétamol",
                        "1 000 mg",
                        "comprimé",
                        "1 comprimé toutes les 6 heures si douleur, sans dépasser 3 comprimés par jour.",
                        "5 jours",
                    ),
                    None,
                ),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_fever_template_computes_the_dose_from_the_weight() {
        let fievre = &modeles_integres()[0];
        // (kg, text expected in the posology): 15 mg/kg per dose, 24 mg/mL.
        let cases = [
            (10.0, "150 mg par prise (6,2 mL)"),
            (16.5, "247,5 mg par prise (10,3 mL)"),
            (70.0, "750 mg par prise (31,2 mL)"),
        ];
        for (kg, expected) in cases {
            let (lignes, doses) = fievre.appliquer(Some(kg)).unwrap();
            assert!(
                lignes[0].posologie.contains(expected),
                "{kg} kg: {}",
                lignes[0].posologie
            );
            assert!(!lignes[0].posologie.contains('{'), "no placeholder left");
            assert_eq!(doses.len(), 1, "the computed dose is shown");
            assert!(doses[0].resume.contains("mg/jour"), "{}", doses[0].resume);
        }
        assert_eq!(
            fievre.appliquer(None).unwrap_err(),
            DocumentError::PoidsPourDose,
            "weight needed"
        );
    }

    #[test]
    fn adult_templates_need_no_weight() {
        let colique = modeles_integres()
            .into_iter()
            .find(|m| m.nom.starts_with("Colique"))
            .unwrap();
        let (lignes, doses) = colique.appliquer(None).unwrap();
        assert_eq!(lignes.len(), 2);
        assert!(doses.is_empty(), "no weight-based line");
    }
}
