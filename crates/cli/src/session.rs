//! The login of the commands that touch patient data, as a user of the MMG: the id comes from
//! `--utilisateur` (each command's own argument type), the password from the environment variable
//! `APPLIGARDE_MOT_DE_PASSE`, never from the command line.

use anyhow::Context;
use appligarde_api::{Api, session::Connexion};

/// Logs in as the user `utilisateur_id` with the password in `APPLIGARDE_MOT_DE_PASSE`.
pub fn login(api: &Api, utilisateur_id: i64) -> anyhow::Result<()> {
    let mot_de_passe = std::env::var("APPLIGARDE_MOT_DE_PASSE").context(
        "indiquez le mot de passe de l'utilisateur dans la variable d'environnement APPLIGARDE_MOT_DE_PASSE",
    )?;
    api.session_login(Connexion {
        utilisateur_id,
        mot_de_passe,
    })?;
    Ok(())
}
