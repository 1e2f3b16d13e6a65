//! The audit journal as the admin reads it, the record of prints and exports, and the integrity
//! check of the database and of the journal's hash chain.

use crate::session::Besoin;
use crate::session::CompteDto;
use crate::{Api, ApiError};
use appligarde_domain::{DomainError, audit::Action};
use appligarde_store::audit;
use appligarde_store::audit::FiltreJournal;
use chrono::{NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct JournalQuery {
    pub objet: Option<String>,
    pub objet_id: Option<i64>,
    pub limite: Option<u32>,
    /// Only the entries of this user.
    #[serde(default)]
    #[ts(optional)]
    pub utilisateur_id: Option<i64>,
    /// Only this action (its code, e.g. `modification`).
    #[serde(default)]
    #[ts(optional)]
    pub action: Option<String>,
    /// From this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub du: Option<String>,
    /// To this local date (`YYYY-MM-DD`, included).
    #[serde(default)]
    #[ts(optional)]
    pub au: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JournalLigne {
    pub id: i64,
    pub horodatage: String,
    pub utilisateur: Option<String>,
    pub action: String,
    pub action_libelle: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    /// The record as the admin reads it: a user's name, « Consultation n° 12 ».
    pub objet_libelle: String,
    /// The details, with the codes of document kinds in words.
    pub details: String,
}

/// The record an entry is about, in words: a user by name, else its kind and number.
fn objet_libelle(objet: &str, id: Option<i64>, noms: &[(i64, String)]) -> String {
    if objet == "utilisateur"
        && let Some((_, nom)) = noms.iter().find(|(u, _)| Some(*u) == id)
    {
        return nom.clone();
    }
    let genre = match objet {
        "consultation" => "Consultation",
        "patient" => "Patient",
        "utilisateur" => "Utilisateur",
        "mmg" => "MMG",
        "garde" => "Garde",
        "document" => "Document",
        "bdpm_version" => "Base des médicaments, version",
        autre => autre,
    };
    match id {
        Some(n) => format!("{genre} n° {n}"),
        None => genre.to_owned(),
    }
}

/// Details as written by the store, with a document kind's code ("medecin_traitant (document 3)")
/// turned into its name ("Courrier au médecin traitant (document 3)").
fn details_lisibles(details: &str) -> String {
    const NATURES: [(&str, &str); 4] = [
        ("ordonnance", "Ordonnance"),
        ("medecin_traitant", "Courrier au médecin traitant"),
        ("urgences", "Adressage aux urgences"),
        ("certificat", "Certificat médical"),
    ];
    for (code, libelle) in NATURES {
        if let Some(reste) = details.strip_prefix(code)
            && reste.starts_with(" (document ")
        {
            return format!("{libelle}{reste}");
        }
    }
    details.to_owned()
}

/// A print or an export of clinical data, to record in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Diffusion {
    /// `impression` or `export`.
    pub action: String,
    pub objet: String,
    pub objet_id: Option<i64>,
    /// What was printed or exported (e.g. « ordonnance », « lettre », « RPU »): no clinical value.
    pub details: String,
}

/// The result of the integrity check of the database and of the audit chain.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Verification {
    pub ok: bool,
    pub base: String,
    pub journal: String,
    pub entrees_journal: u64,
}

/// An action of the audit log, for the filter.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ActionDto {
    pub code: String,
    pub libelle: String,
}

/// The choices of the audit log screen's filters.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct JournalFiltres {
    pub actions: Vec<ActionDto>,
    /// The kinds of record the log mentions (`consultation`, `patient`, `utilisateur`...).
    pub objets: Vec<String>,
    pub utilisateurs: Vec<CompteDto>,
}

/// The UTC text (as stored in the audit log) of local midnight at the start of `date` in Paris.
fn minuit_utc(date: NaiveDate) -> String {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    chrono_tz::Europe::Paris
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| local.and_utc())
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn date_filtre(field: &str, texte: Option<&str>) -> Result<Option<NaiveDate>, DomainError> {
    match texte.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                DomainError::field(
                    field,
                    format!("Date invalide : « {t} » (format AAAA-MM-JJ)."),
                )
            }),
    }
}

/// The store's criteria from the screen's query: local dates become UTC bounds, empty texts mean
/// any, an unknown action is refused.
pub(crate) fn filtre_journal(q: &JournalQuery) -> Result<FiltreJournal, ApiError> {
    let mut errors = Vec::new();
    let du = date_filtre("du", q.du.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let au = date_filtre("au", q.au.as_deref()).unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if let (Some(du), Some(au)) = (du, au)
        && au < du
    {
        errors.push(DomainError::field(
            "au",
            "La date de fin est avant la date de début.",
        ));
    }
    let action = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = action
        && Action::from_code(a).is_none()
    {
        errors.push(DomainError::field(
            "action",
            format!("Action inconnue dans le journal : « {a} »."),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let objet = q
        .objet
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned);
    Ok(FiltreJournal {
        utilisateur_id: q.utilisateur_id,
        action: action.map(str::to_owned),
        objet_id: objet.as_ref().and(q.objet_id),
        objet,
        depuis: du.map(minuit_utc),
        avant: au.and_then(|d| d.succ_opt()).map(minuit_utc),
    })
}

impl Api {
    /// The choices of the audit log's filters (admin).
    pub fn journal_filtres(&self) -> Result<JournalFiltres, ApiError> {
        self.acteur(Besoin::Admin)?;
        let store = self.store();
        Ok(JournalFiltres {
            actions: Action::ALL
                .iter()
                .map(|a| ActionDto {
                    code: a.code().to_owned(),
                    libelle: a.libelle().to_owned(),
                })
                .collect(),
            objets: store.journal_objets()?,
            utilisateurs: store
                .tous_les_utilisateurs()?
                .into_iter()
                .map(CompteDto::from)
                .collect(),
        })
    }

    pub fn journal_list(&self, q: JournalQuery) -> Result<Vec<JournalLigne>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let filtre = filtre_journal(&q)?;
        let store = self.store();
        let lignes = store.journal_filtre(&filtre, q.limite.unwrap_or(200).min(5000))?;
        let noms: Vec<(i64, String)> = store
            .tous_les_utilisateurs()?
            .into_iter()
            .map(|u| (u.id, format!("{} {}", u.prenom, u.nom.to_uppercase())))
            .collect();
        drop(store);
        Ok(lignes
            .into_iter()
            .map(|l| JournalLigne {
                objet_libelle: objet_libelle(&l.objet, l.objet_id, &noms),
                id: l.id,
                horodatage: l.horodatage,
                utilisateur: l.utilisateur,
                action_libelle: Action::from_code(&l.action)
                    .map(|a| a.libelle().to_owned())
                    .unwrap_or_else(|| l.action.clone()),
                action: l.action,
                objet: l.objet,
                objet_id: l.objet_id,
                details: details_lisibles(&l.details),
            })
            .collect())
    }

    /// Records a print or an export of clinical data (the documents call it when they print).
    pub fn journal_diffusion(&self, d: Diffusion) -> Result<(), ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let action = match d.action.as_str() {
            "impression" => Action::Impression,
            "export" => Action::Export,
            _ => {
                return Err(ApiError::validation(vec![DomainError::field(
                    "action",
                    "L'action doit être « impression » ou « export ».",
                )]));
            }
        };
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            audit::append(
                tx,
                Some(acteur.id),
                action,
                &d.objet,
                d.objet_id,
                &d.details,
                &stamp,
            )
        })?;
        Ok(())
    }

    /// Records an integrity check in the audit log (the fleet health report sends the last one).
    /// Best effort: a database too damaged to take the entry only loses the record, and the
    /// check's own answer still says what is wrong.
    pub(crate) fn noter_verification(&self, objet: &str, ok: bool) {
        let details = if ok {
            appligarde_store::audit::VERIFICATION_OK
        } else {
            appligarde_store::audit::VERIFICATION_PROBLEME
        };
        let now = self.clock.now_utc_text();
        let written = self.store().write(|tx| {
            appligarde_store::audit::append(
                tx,
                None,
                appligarde_domain::audit::Action::Verification,
                objet,
                None,
                details,
                &now,
            )
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "integrity check not recorded");
        }
    }

    /// The integrity check of the database (SQLite) and of the audit chain, recorded in the
    /// audit log. Needs no login: it shows no patient data.
    pub fn verifier(&self) -> Result<Verification, ApiError> {
        let store = self.store();
        let base = store.integrity_check();
        let fk: Vec<String> = store
            .conn()
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| ApiError::from(appligarde_store::StoreError::from(e)))?;
        let journal = store.verifier_journal();
        let base_text = match (&base, fk.is_empty()) {
            (Ok(()), true) => "Base de données intègre.".to_owned(),
            (Ok(()), false) => format!(
                "Références cassées dans la base (tables : {}).",
                fk.join(", ")
            ),
            (Err(e), _) => e.to_string(),
        };
        let (journal_text, n) = match &journal {
            Ok(n) => (format!("Journal d'audit intact ({n} entrées)."), *n),
            Err(e) => (e.to_string(), 0),
        };
        let ok = base.is_ok() && fk.is_empty() && journal.is_ok();
        drop(store);
        self.noter_verification("base", ok);
        Ok(Verification {
            ok,
            base: base_text,
            journal: journal_text,
            entrees_journal: n,
        })
    }

    /// Same as [`Api::verifier`], for the admin screen (logged-in admin only).
    pub fn journal_verifier(&self) -> Result<Verification, ApiError> {
        self.acteur(Besoin::Admin)?;
        self.verifier()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        JournalQuery::decl(cfg),
        JournalLigne::decl(cfg),
        Diffusion::decl(cfg),
        Verification::decl(cfg),
        ActionDto::decl(cfg),
        JournalFiltres::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_in_words_a_user_by_name_a_document_by_its_kind() {
        let noms = vec![(5, "Claire MORIN".to_owned())];
        assert_eq!(objet_libelle("utilisateur", Some(5), &noms), "Claire MORIN");
        assert_eq!(
            objet_libelle("utilisateur", Some(9), &noms),
            "Utilisateur n° 9"
        );
        assert_eq!(
            objet_libelle("consultation", Some(12), &noms),
            "Consultation n° 12"
        );
        assert_eq!(objet_libelle("mmg", None, &noms), "MMG");
        assert_eq!(
            details_lisibles("medecin_traitant (document 3, réimpression du document 2)"),
            "Courrier au médecin traitant (document 3, réimpression du document 2)"
        );
        assert_eq!(
            details_lisibles("urgences (document 4)"),
            "Adressage aux urgences (document 4)"
        );
        assert_eq!(
            details_lisibles("ordonnance type modifiée"),
            "ordonnance type modifiée"
        );
    }

    #[test]
    fn local_dates_become_utc_bounds_of_the_paris_day() {
        // Winter (UTC+1) and summer (UTC+2): the log stores UTC, the admin thinks in Paris days.
        for (jour, attendu) in [
            ("2026-11-20", "2026-11-19T23:00:00Z"),
            ("2026-07-14", "2026-07-13T22:00:00Z"),
        ] {
            let d = NaiveDate::parse_from_str(jour, "%Y-%m-%d").unwrap();
            assert_eq!(minuit_utc(d), attendu, "{jour}");
        }
    }

    #[test]
    fn the_journal_query_is_checked_before_reaching_the_store() {
        let q = JournalQuery {
            du: Some("2026-11-20".into()),
            au: Some("2026-11-20".into()),
            action: Some(" connexion ".into()),
            objet: Some("".into()),
            objet_id: Some(4),
            ..JournalQuery::default()
        };
        let f = filtre_journal(&q).unwrap();
        assert_eq!(f.depuis.as_deref(), Some("2026-11-19T23:00:00Z"));
        assert_eq!(
            f.avant.as_deref(),
            Some("2026-11-20T23:00:00Z"),
            "the end day is included"
        );
        assert_eq!(f.action.as_deref(), Some("connexion"));
        assert_eq!(
            (f.objet, f.objet_id),
            (None, None),
            "an id without a kind of record means nothing"
        );

        let bad = JournalQuery {
            du: Some("2026-02-30".into()),
            action: Some("effacement".into()),
            ..JournalQuery::default()
        };
        let e = filtre_journal(&bad).unwrap_err();
        let fields: Vec<_> = e.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["du", "action"], "every wrong criterion is named");

        let reversed = JournalQuery {
            du: Some("2026-11-21".into()),
            au: Some("2026-11-20".into()),
            ..JournalQuery::default()
        };
        assert_eq!(
            filtre_journal(&reversed).unwrap_err().details[0].field,
            "au"
        );
    }
}
