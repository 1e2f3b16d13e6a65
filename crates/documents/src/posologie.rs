//! Pediatric dose from the weight (mg/kg/day split in doses, capped by a
//! maximum), shown to the doctor before printing. Pure arithmetic, no IO.

use crate::DocumentError;

/// A dosing rule of a template, e.g. paracétamol 60 mg/kg/day in 4 doses,
/// at most 1 000 mg per dose and 3 000 mg per day.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct RegleDose {
    pub mg_par_kg_par_jour: f64,
    pub prises_par_jour: u32,
    /// Maximum per dose in mg (0 = none).
    pub max_mg_par_prise: f64,
    /// Maximum per day in mg (0 = none).
    pub max_mg_par_jour: f64,
}

/// The computed dose, with whether a maximum capped it.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Dose {
    pub mg_par_prise: f64,
    pub mg_par_jour: f64,
    pub prises_par_jour: u32,
    /// True when a maximum reduced the weight-based dose.
    pub plafonnee: bool,
}

/// Dose for `poids_kg` under `regle`, rounded down to 0.1 mg.
pub fn dose(poids_kg: f64, regle: &RegleDose) -> Result<Dose, DocumentError> {
    if !(poids_kg.is_finite() && poids_kg > 0.0) {
        return Err(DocumentError::PoidsPourDose);
    }
    if regle.prises_par_jour == 0
        || !regle.mg_par_kg_par_jour.is_finite()
        || regle.mg_par_kg_par_jour <= 0.0
    {
        return Err(DocumentError::RegleDose);
    }
    let n = f64::from(regle.prises_par_jour);
    let mut jour = poids_kg * regle.mg_par_kg_par_jour;
    let mut plafonnee = false;
    if regle.max_mg_par_jour > 0.0 && jour > regle.max_mg_par_jour {
        jour = regle.max_mg_par_jour;
        plafonnee = true;
    }
    let mut prise = jour / n;
    if regle.max_mg_par_prise > 0.0 && prise > regle.max_mg_par_prise {
        prise = regle.max_mg_par_prise;
        plafonnee = true;
    }
    let prise = (prise * 10.0).floor() / 10.0;
    Ok(Dose {
        mg_par_prise: prise,
        mg_par_jour: prise * n,
        prises_par_jour: regle.prises_par_jour,
        plafonnee,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARACETAMOL: RegleDose = RegleDose {
        mg_par_kg_par_jour: 60.0,
        prises_par_jour: 4,
        max_mg_par_prise: 1000.0,
        max_mg_par_jour: 3000.0,
    };

    #[test]
    fn paracetamol_by_weight_table() {
        // (kg, mg per dose, capped?) — 15 mg/kg per dose until the caps.
        let cases = [
            (10.0, 150.0, false),
            (16.5, 247.5, false),
            (40.0, 600.0, false),
            (70.0, 750.0, true),
        ];
        for (kg, mg, capped) in cases {
            let d = dose(kg, &PARACETAMOL).unwrap();
            assert_eq!(d.mg_par_prise, mg, "dose for {kg} kg");
            assert_eq!(d.plafonnee, capped, "cap for {kg} kg");
            assert!(
                d.mg_par_jour <= PARACETAMOL.max_mg_par_jour,
                "daily max for {kg} kg"
            );
        }
    }

    #[test]
    fn bad_weight_or_rule_is_refused() {
        assert_eq!(dose(0.0, &PARACETAMOL), Err(DocumentError::PoidsPourDose));
        assert_eq!(
            dose(f64::NAN, &PARACETAMOL),
            Err(DocumentError::PoidsPourDose)
        );
        let bad = RegleDose {
            prises_par_jour: 0,
            ..PARACETAMOL
        };
        assert_eq!(dose(10.0, &bad), Err(DocumentError::RegleDose));
    }
}
