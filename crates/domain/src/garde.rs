//! The people and records of a garde: users of the MMG, patients, consultations (first cut; the
//! consultation record issue completes them).

use serde::{Deserialize, Serialize};

/// Declares a closed set of values stored as short ASCII codes, with their French label.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database and sent over the wire.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The French label shown to users.
            pub fn libelle(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

code_enum!(
    /// What a user of the MMG may do.
    Role {
        Medecin => ("medecin", "Médecin"),
        Accueil => ("accueil", "Accueil"),
        Admin => ("admin", "Administrateur de la MMG"),
    }
);

code_enum!(
    Sexe {
        F => ("F", "Féminin"),
        M => ("M", "Masculin"),
        I => ("I", "Indéterminé"),
    }
);

code_enum!(
    /// How the patient came to the MMG; the regulated modes change the billing and are a key statistic.
    ModeArrivee {
        ReguleCentre15 => ("regule_centre15", "Régulé par le Centre 15"),
        Regule116117 => ("regule_116117", "Régulé par le 116 117"),
        ReguleSas => ("regule_sas", "Régulé par le SAS"),
        Spontane => ("spontane", "Spontané"),
        AdresseMedecin => ("adresse_medecin", "Adressé par un médecin"),
        AdressePharmacien => ("adresse_pharmacien", "Adressé par un pharmacien"),
        Autre => ("autre", "Autre"),
    }
);

impl ModeArrivee {
    /// True when a regulating doctor sent the patient (Centre 15, 116 117 or SAS).
    pub fn est_regule(self) -> bool {
        matches!(
            self,
            ModeArrivee::ReguleCentre15 | ModeArrivee::Regule116117 | ModeArrivee::ReguleSas
        )
    }
}

code_enum!(
    Lieu {
        Mmg => ("mmg", "À la maison médicale"),
        Domicile => ("domicile", "Visite à domicile"),
    }
);

code_enum!(
    /// The modified CCMU (Classification clinique des malades aux urgences), the RPU's `GRAVITE`:
    /// how serious the patient's state was judged after the first examination.
    Gravite {
        Ccmu1 => ("ccmu1", "CCMU 1 — état stable, aucun acte complémentaire"),
        CcmuP => ("ccmu_p", "CCMU P — problème psychiatrique ou psychologique dominant"),
        Ccmu2 => ("ccmu2", "CCMU 2 — état stable, acte complémentaire ou traitement"),
        Ccmu3 => ("ccmu3", "CCMU 3 — état susceptible de s'aggraver"),
        Ccmu4 => ("ccmu4", "CCMU 4 — pronostic vital engagé, sans réanimation"),
        Ccmu5 => ("ccmu5", "CCMU 5 — pronostic vital engagé, réanimation"),
        CcmuD => ("ccmu_d", "CCMU D — décédé à l'arrivée"),
    }
);

code_enum!(
    /// How the patient came (the RPU's `TRANSPORT`).
    Transport {
        Perso => ("perso", "Moyens personnels (à pied, voiture, taxi)"),
        Ambu => ("ambu", "Ambulance"),
        Vsab => ("vsab", "Pompiers (VSAV)"),
        Smur => ("smur", "SMUR"),
        Heli => ("heli", "Hélicoptère"),
        Fo => ("fo", "Forces de l'ordre"),
    }
);

code_enum!(
    StatutConsultation {
        Brouillon => ("brouillon", "En cours"),
        Cloturee => ("cloturee", "Clôturée"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for m in ModeArrivee::ALL {
            assert_eq!(
                ModeArrivee::from_code(m.code()),
                Some(*m),
                "{m:?} must parse back from its code"
            );
        }
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(*r));
        }
        for g in Gravite::ALL {
            assert_eq!(Gravite::from_code(g.code()), Some(*g));
        }
        for t in Transport::ALL {
            assert_eq!(Transport::from_code(t.code()), Some(*t));
        }
        assert_eq!(Sexe::from_code("X"), None, "unknown codes are refused");
    }

    #[test]
    fn regulated_modes() {
        let regules: Vec<_> = ModeArrivee::ALL.iter().filter(|m| m.est_regule()).collect();
        assert_eq!(
            regules.len(),
            3,
            "Centre 15, 116 117 and SAS are the regulation lines"
        );
    }
}
