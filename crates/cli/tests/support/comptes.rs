//! The accounts the CLI tests create: every one with the same password, a doctor with an RPPS
//! number and the general practice specialty.

use appligarde_api::session::CompteSaisie;

pub const MDP: &str = "mot de passe de garde";

/// An account of `role` (`admin` is the MMG admin), a doctor when `rpps` is given.
pub fn compte(nom: &str, role: &str, rpps: Option<&str>) -> CompteSaisie {
    CompteSaisie {
        nom: nom.into(),
        prenom: "Hélène".into(),
        role: role.into(),
        rpps: rpps.map(str::to_owned),
        specialite: rpps.map(|_| "Médecin généraliste".to_owned()),
        est_admin: role == "admin",
        mot_de_passe: Some(MDP.into()),
    }
}
