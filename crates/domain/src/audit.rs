//! The audit log's hash chain (pure): every entry carries the SHA-256 of the previous entry and its
//! own, computed over an unambiguous encoding of its fields. Removing, inserting or editing an entry
//! changes a hash that a later entry (or the stored head) depends on, so [`Verification`] finds it.
//!
//! It proves that the log was not changed *without the key*: someone holding the database key could
//! recompute the whole chain. The chain is a tamper-evidence seal, not a signature.

use sha2::{Digest, Sha256};

/// The `hash_precedent` of the first entry.
pub const GENESE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Creation,
    Modification,
    Cloture,
    /// A recorded amendment of a closed record (a new version).
    Rectification,
    Impression,
    Export,
    Connexion,
    EchecConnexion,
    Deconnexion,
    Ouverture,
    Fermeture,
    /// A version of the MMG's convention of use or of the users' charter accepted.
    Acceptation,
    /// The same, refused.
    Refus,
    /// An integrity check of the database and of the audit chain (`appligarde-cli check`, or
    /// the verification of a backup copy); `details` is `ok` or `probleme`.
    Verification,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Creation,
        Action::Modification,
        Action::Cloture,
        Action::Rectification,
        Action::Impression,
        Action::Export,
        Action::Connexion,
        Action::EchecConnexion,
        Action::Deconnexion,
        Action::Ouverture,
        Action::Fermeture,
        Action::Acceptation,
        Action::Refus,
        Action::Verification,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Creation => "creation",
            Action::Modification => "modification",
            Action::Cloture => "cloture",
            Action::Rectification => "rectification",
            Action::Impression => "impression",
            Action::Export => "export",
            Action::Connexion => "connexion",
            Action::EchecConnexion => "echec_connexion",
            Action::Deconnexion => "deconnexion",
            Action::Ouverture => "ouverture",
            Action::Fermeture => "fermeture",
            Action::Acceptation => "acceptation",
            Action::Refus => "refus",
            Action::Verification => "verification",
        }
    }

    pub fn libelle(self) -> &'static str {
        match self {
            Action::Creation => "Création",
            Action::Modification => "Modification",
            Action::Cloture => "Clôture",
            Action::Rectification => "Rectification (nouvelle version)",
            Action::Impression => "Impression",
            Action::Export => "Export",
            Action::Connexion => "Connexion",
            Action::EchecConnexion => "Échec de connexion",
            Action::Deconnexion => "Déconnexion",
            Action::Ouverture => "Ouverture",
            Action::Fermeture => "Fermeture",
            Action::Acceptation => "Acceptation",
            Action::Refus => "Refus",
            Action::Verification => "Vérification d'intégrité",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.code() == code)
    }
}

/// The fields of one entry that its hash covers. `details` never holds clinical content: it names
/// what changed (field names, version numbers), not the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entree {
    pub id: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub horodatage: String,
    pub utilisateur_id: Option<i64>,
    pub action: String,
    /// The kind of record (`consultation`, `patient`, `utilisateur`, `garde`, `reglages`...).
    pub objet: String,
    pub objet_id: Option<i64>,
    pub details: String,
}

/// The hash of `entree` chained after `precedent` (hex SHA-256). Each field is written with its
/// length, so that no two different entries encode the same bytes.
pub fn empreinte(precedent: &str, entree: &Entree) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(b"appligarde-journal-v1");
    field(precedent.as_bytes());
    field(entree.id.to_string().as_bytes());
    field(entree.horodatage.as_bytes());
    field(
        entree
            .utilisateur_id
            .map(|u| u.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(entree.action.as_bytes());
    field(entree.objet.as_bytes());
    field(
        entree
            .objet_id
            .map(|u| u.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(entree.details.as_bytes());
    hex::encode(h.finalize())
}

/// Where and how the chain is broken. The `Display` is French, for `check` and the admin screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rupture {
    #[error(
        "Journal d'audit : l'entrée n° {id} a été modifiée (son empreinte ne correspond plus à son contenu)."
    )]
    EntreeModifiee { id: i64 },
    #[error(
        "Journal d'audit : une ou plusieurs entrées ont été supprimées ou insérées avant l'entrée n° {id} (le chaînage est rompu)."
    )]
    ChainageRompu { id: i64 },
    #[error(
        "Journal d'audit : la fin du journal a été supprimée ou modifiée (dernière entrée attendue n° {attendu}, trouvée {trouve})."
    )]
    FinTronquee { attendu: i64, trouve: String },
}

/// Checks a chain entry by entry, in id order, in constant memory.
#[derive(Debug)]
pub struct Verification {
    precedent: String,
    dernier: Option<i64>,
    pub entrees: u64,
}

impl Default for Verification {
    fn default() -> Self {
        Self {
            precedent: GENESE.to_owned(),
            dernier: None,
            entrees: 0,
        }
    }
}

impl Verification {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next entry with the two hashes stored beside it.
    pub fn suivante(
        &mut self,
        entree: &Entree,
        hash_precedent: &str,
        hash: &str,
    ) -> Result<(), Rupture> {
        if hash_precedent != self.precedent {
            return Err(Rupture::ChainageRompu { id: entree.id });
        }
        if empreinte(hash_precedent, entree) != hash {
            return Err(Rupture::EntreeModifiee { id: entree.id });
        }
        self.precedent = hash.to_owned();
        self.dernier = Some(entree.id);
        self.entrees += 1;
        Ok(())
    }

    /// Ends the walk against the stored head (`None` when nothing was ever written).
    pub fn terminer(self, tete: Option<(i64, &str)>) -> Result<u64, Rupture> {
        match (tete, self.dernier) {
            (None, None) => Ok(self.entrees),
            (Some((id, hash)), Some(dernier)) if id == dernier && hash == self.precedent => {
                Ok(self.entrees)
            }
            (Some((id, _)), dernier) => Err(Rupture::FinTronquee {
                attendu: id,
                trouve: dernier.map_or_else(|| "aucune".to_owned(), |d| format!("n° {d}")),
            }),
            (None, Some(dernier)) => Err(Rupture::FinTronquee {
                attendu: 0,
                trouve: format!("n° {dernier}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entree(id: i64, details: &str) -> Entree {
        Entree {
            id,
            horodatage: "2026-11-20T21:30:00Z".into(),
            utilisateur_id: Some(1),
            action: "creation".into(),
            objet: "consultation".into(),
            objet_id: Some(id * 10),
            details: details.into(),
        }
    }

    fn chain(n: i64) -> Vec<(Entree, String, String)> {
        let mut prev = GENESE.to_owned();
        (1..=n)
            .map(|id| {
                let e = entree(id, "");
                let h = empreinte(&prev, &e);
                let out = (e, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn verify(
        rows: &[(Entree, String, String)],
        head: Option<(i64, &str)>,
    ) -> Result<u64, Rupture> {
        let mut v = Verification::new();
        for (e, p, h) in rows {
            v.suivante(e, p, h)?;
        }
        v.terminer(head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let rows = chain(5);
        let head = (5, rows[4].2.as_str());
        assert_eq!(verify(&rows, Some(head)), Ok(5));
        assert_eq!(verify(&[], None), Ok(0), "an empty log is intact");
    }

    #[test]
    fn an_edited_entry_is_found() {
        let mut rows = chain(5);
        let head = (5, rows[4].2.clone());
        rows[2].0.details = "autre".into();
        assert_eq!(
            verify(&rows, Some((head.0, &head.1))),
            Err(Rupture::EntreeModifiee { id: 3 }),
            "the third entry's content no longer matches its hash"
        );
    }

    #[test]
    fn a_removed_entry_is_found() {
        let mut rows = chain(5);
        let head = (5, rows[4].2.clone());
        rows.remove(1);
        assert_eq!(
            verify(&rows, Some((head.0, &head.1))),
            Err(Rupture::ChainageRompu { id: 3 }),
            "entry 3 points to entry 2's hash, which is gone"
        );
    }

    #[test]
    fn a_cut_tail_is_found_through_the_head() {
        let mut rows = chain(5);
        let head = (5, rows[4].2.clone());
        rows.truncate(3);
        assert!(matches!(
            verify(&rows, Some((head.0, &head.1))),
            Err(Rupture::FinTronquee { attendu: 5, .. })
        ));
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let a = Entree {
            objet: "ab".into(),
            details: "c".into(),
            ..entree(1, "")
        };
        let b = Entree {
            objet: "a".into(),
            details: "bc".into(),
            ..entree(1, "")
        };
        assert_ne!(
            empreinte(GENESE, &a),
            empreinte(GENESE, &b),
            "length-prefixed fields make the encoding unambiguous"
        );
    }

    #[test]
    fn action_codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::from_code(a.code()), Some(*a));
        }
    }
}
