//! The MMG's identity as the URML records it (`admin mmg-identity`, migration 0009) and its
//! reading by a new installation with its enrollment code (`POST /api/v1/enroll/identity`),
//! so that the first-start assistant fills the identity instead of the admin typing it.
//!
//! Reading does not spend the code: the assistant enrolls with the same code at its last step.
//! The endpoint answers an unknown, used or expired code exactly as the enrollment does, and is
//! throttled per address like it (in `http`). What it returns is what the URML would print on a
//! letter to the MMG: no person, no patient.

use appligarde_domain::mmg::MmgIdentity;
use appligarde_protocol::MmgIdentityAnswer;
use serde::Deserialize;
use tokio_postgres::Client;

use crate::Error;
use crate::auth::secret_hash;
use crate::ids::{is_uuid, normalize_code};

/// What `admin mmg-identity` changes: each field given replaces the recorded one (an empty
/// string clears it); a field not given keeps its value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IdentityChange {
    pub adresse: Option<String>,
    pub code_postal: Option<String>,
    pub commune: Option<String>,
    pub telephone: Option<String>,
    pub email: Option<String>,
    pub finess: Option<String>,
}

const SELECT_IDENTITY: &str = "SELECT o.name, o.departement, \
        coalesce(i.adresse, ''), coalesce(i.code_postal, ''), coalesce(i.commune, ''), \
        coalesce(i.telephone, ''), coalesce(i.email, ''), coalesce(i.finess, '') \
     FROM organisation o LEFT JOIN mmg_identite i ON i.mmg_id = o.id";

fn answer(row: &tokio_postgres::Row) -> MmgIdentityAnswer {
    MmgIdentityAnswer {
        mmg_name: row.get(0),
        departement: row.get(1),
        adresse: row.get(2),
        code_postal: row.get(3),
        commune: row.get(4),
        telephone: row.get(5),
        email: row.get(6),
        finess: row.get(7),
    }
}

/// The identity recorded for the MMG `mmg_id`.
pub async fn identity(client: &Client, mmg_id: &str) -> Result<MmgIdentityAnswer, Error> {
    let unknown = || Error::InvalidInput(format!("aucune MMG n'a l'identifiant « {mmg_id} »"));
    if !is_uuid(mmg_id) {
        return Err(unknown());
    }
    let row = client
        .query_opt(
            &format!("{SELECT_IDENTITY} WHERE o.id = $1::text::uuid AND o.kind = 'mmg'"),
            &[&mmg_id],
        )
        .await?
        .ok_or_else(unknown)?;
    Ok(answer(&row))
}

/// Records the identity of the MMG `mmg_id` after checking it with the desktop's own rules
/// (so that the assistant never receives what it would refuse), and journals the change.
pub async fn set_identity(
    client: &mut Client,
    mmg_id: &str,
    change: IdentityChange,
) -> Result<MmgIdentityAnswer, Error> {
    let current = identity(client, mmg_id).await?;
    let pick = |new: Option<String>, old: String| new.map_or(old, |v| v.trim().to_owned());
    let next = MmgIdentityAnswer {
        mmg_name: current.mmg_name,
        departement: current.departement,
        adresse: pick(change.adresse, current.adresse),
        code_postal: pick(change.code_postal, current.code_postal),
        commune: pick(change.commune, current.commune),
        telephone: pick(change.telephone, current.telephone),
        email: pick(change.email, current.email),
        finess: pick(change.finess, current.finess).to_uppercase(),
    };
    let domain = MmgIdentity {
        nom: next.mmg_name.clone(),
        adresse: next.adresse.clone(),
        code_postal: next.code_postal.clone(),
        commune: next.commune.clone(),
        telephone: next.telephone.clone(),
        email: next.email.clone(),
        departement: next.departement.clone(),
        finess: Some(next.finess.clone()),
    };
    if let Err(errors) = domain.validate() {
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        return Err(Error::InvalidInput(messages.join(" ")));
    }
    if [&next.adresse, &next.commune, &next.telephone, &next.email]
        .iter()
        .any(|v| v.chars().any(char::is_control) || v.chars().count() > 200)
    {
        return Err(Error::InvalidInput(
            "un champ de l'identité contient un caractère de contrôle ou dépasse 200 caractères"
                .to_owned(),
        ));
    }
    let tx = client.transaction().await?;
    tx.execute(
        "INSERT INTO mmg_identite (mmg_id, adresse, code_postal, commune, telephone, email, finess) \
         VALUES ($1::text::uuid, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (mmg_id) DO UPDATE SET adresse = $2, code_postal = $3, commune = $4, \
             telephone = $5, email = $6, finess = $7, updated_at = now()",
        &[
            &mmg_id,
            &next.adresse,
            &next.code_postal,
            &next.commune,
            &next.telephone,
            &next.email,
            &next.finess,
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO admin_journal (action, subject, detail) VALUES ('mmg-identity', $1, $2)",
        &[
            &mmg_id,
            &format!("identité de « {} » enregistrée", next.mmg_name),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// The identity of the MMG a valid enrollment `code` belongs to, without spending the code.
/// An unknown, used or expired code is [`Error::InvalidEnrollmentCode`], as for the enrollment.
pub async fn identity_for_code(client: &Client, code: &str) -> Result<MmgIdentityAnswer, Error> {
    let code = normalize_code(code);
    if code.is_empty() || code.len() > 64 {
        return Err(Error::InvalidEnrollmentCode);
    }
    let row = client
        .query_opt(
            &format!(
                "{SELECT_IDENTITY} JOIN enrollment_code c ON c.mmg_id = o.id \
                 WHERE c.code_hash = $1 AND c.used_at IS NULL AND c.expires_at > now()"
            ),
            &[&secret_hash(&code)],
        )
        .await?
        .ok_or(Error::InvalidEnrollmentCode)?;
    Ok(answer(&row))
}
