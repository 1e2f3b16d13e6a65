//! CIM-10 coding as the UI and the CLI see it: the active code set (the one built into
//! `appligarde-cim10`, or an ATIH file imported into the store), its search ranked by this MMG's
//! usage, the favourite and recent codes of the doctor and of the MMG, and the import of a new
//! version. Hits carry highlight ranges in UTF-16 units (what JavaScript strings index).

use std::ops::Deref;
use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::session::Besoin;
use crate::{Api, ApiError, ErrorCode};
use appligarde_cim10::{Cim10Error, CodeSet, Hit, SearchContext};
use appligarde_domain::DomainError;
use appligarde_domain::consultation::{CodeConnu, Nomenclature};
use appligarde_store::Store;
use appligarde_store::cim10 as store_cim10;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

// ---------------------------------------------------------------------------------------------
// Wire types
// ---------------------------------------------------------------------------------------------

/// Which diagnosis the code is for: the picker only proposes codes allowed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Cim10Role {
    /// The main diagnosis: type MCO 0 only.
    Principal,
    /// An associated diagnosis: any precise code (not a category that has sub-codes).
    Associe,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10Query {
    pub query: String,
    /// At most this many hits (1 to 100; 10 when absent).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only the codes that can be recorded for this diagnosis; every hit when absent.
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<Cim10Role>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10Hit {
    /// Display form with the dot, e.g. `J06.9`.
    pub code: String,
    /// Raw form as in the ATIH files, e.g. `J069`.
    pub raw_code: String,
    pub label: String,
    /// Chapter range, e.g. `J00-J99`, and its label.
    pub chapter: String,
    pub chapter_label: String,
    /// Matched parts of `label` as `[start, end)` in UTF-16 code units, for highlighting.
    pub highlights: Vec<[u32; 2]>,
    /// The GP synonym that led to this code (e.g. `OMA`), if any.
    pub synonym: Option<String>,
    /// Allowed as the main diagnosis.
    pub valid_for_main_diagnosis: bool,
    /// A precise code that can be recorded (not a category that has sub-codes).
    #[serde(default)]
    pub codable: bool,
    /// A favourite of the doctor or of the MMG.
    #[serde(default)]
    pub favori: bool,
}

/// A code shown before anything is typed (favourite or recent).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10CodeDto {
    pub code: String,
    pub raw_code: String,
    pub label: String,
    pub chapter: String,
    pub chapter_label: String,
    pub valid_for_main_diagnosis: bool,
    pub codable: bool,
    pub favori_medecin: bool,
    pub favori_mmg: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct Cim10SuggestionsQuery {
    /// At most this many codes per list (1 to 50; 10 when absent).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only the codes allowed for this diagnosis.
    #[serde(default)]
    #[ts(optional)]
    pub role: Option<Cim10Role>,
}

/// What the diagnosis picker shows before anything is typed. Codes withdrawn from the active
/// version are left out.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10Suggestions {
    /// The active version of the code set, e.g. `CIM-10 FR 2021`.
    pub version: String,
    pub favoris_medecin: Vec<Cim10CodeDto>,
    pub favoris_mmg: Vec<Cim10CodeDto>,
    pub recents_medecin: Vec<Cim10CodeDto>,
    pub recents_mmg: Vec<Cim10CodeDto>,
}

/// Whose favourites.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Cim10Portee {
    /// The logged-in doctor's own.
    Medecin,
    /// The whole MMG's (every doctor sees them).
    Mmg,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10Favori {
    /// Any form: `J06.9`, `j069`.
    pub code: String,
    pub portee: Cim10Portee,
}

/// An import of the yearly ATIH file (`LIBCIM10MULTI.TXT`, or its CSV form).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10ImportRequest {
    /// Path of the file on this computer.
    pub chemin: String,
    /// The name of the version, e.g. `CIM-10 FR 2025`; made from the file name and date when absent.
    #[serde(default)]
    #[ts(optional)]
    pub version: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10VersionDto {
    pub version: String,
    /// `integree`, `atih` or `csv`.
    pub source: String,
    pub fichier: String,
    pub nb_codes: u32,
    pub nb_supprimes: u32,
    pub importe_le: String,
    pub active: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10ImportResult {
    pub version: Cim10VersionDto,
    /// The same file had been imported under this name already: it was only made active again.
    pub deja_importee: bool,
}

// ---------------------------------------------------------------------------------------------
// The active code set
// ---------------------------------------------------------------------------------------------

/// The code set in use: the built-in one, or a version imported into the store.
#[derive(Clone)]
pub enum Jeu {
    Integre(&'static CodeSet),
    Importe(Arc<CodeSet>),
}

impl Deref for Jeu {
    type Target = CodeSet;
    fn deref(&self) -> &CodeSet {
        match self {
            Jeu::Integre(set) => set,
            Jeu::Importe(set) => set,
        }
    }
}

/// The active code set of one store, shared by the search and the consultation's checks (as the
/// domain's [`Nomenclature`]). It follows the store's active version: a version imported by
/// another process (the CLI) is picked up at the next search.
#[derive(Default)]
pub struct Cim10Actif {
    /// (id of the active version in `cim10_version`, its set when imported). `None` until known.
    etat: RwLock<Option<(i64, Option<Arc<CodeSet>>)>>,
}

/// The code set shipped with the program, loaded once.
pub fn code_set() -> Result<&'static CodeSet, ApiError> {
    CodeSet::embedded().map_err(|e| {
        tracing::error!(error = %e, "embedded CIM-10 code set unreadable");
        ApiError::new(
            ErrorCode::Internal,
            "La nomenclature CIM-10 intégrée au programme est illisible.",
        )
    })
}

fn illisible(e: Cim10Error) -> ApiError {
    tracing::error!(error = %e, "stored CIM-10 version unreadable");
    ApiError::new(
        ErrorCode::Storage,
        "La version active de la CIM-10 enregistrée dans la base est illisible : importez à \
         nouveau le fichier de l'ATIH (appligarde-cli cim10 import).",
    )
}

impl Cim10Actif {
    /// The active set of `store`, loading it when the store's active version changed.
    pub fn jeu(&self, store: &Store) -> Result<Jeu, ApiError> {
        let id: i64 = store
            .conn()
            .prepare_cached("SELECT id FROM cim10_version WHERE active = 1")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(appligarde_store::StoreError::from)?;
        if let Some((cached, set)) = self.lire().as_ref()
            && *cached == id
        {
            return match set {
                Some(set) => Ok(Jeu::Importe(set.clone())),
                None => Ok(Jeu::Integre(code_set()?)),
            };
        }
        let set = match store_cim10::version_active(store.conn())? {
            Some((_, Some(donnees))) => Some(Arc::new(
                CodeSet::from_compact(&donnees).map_err(illisible)?,
            )),
            _ => None,
        };
        self.remplacer(id, set.clone());
        match set {
            Some(set) => Ok(Jeu::Importe(set)),
            None => Ok(Jeu::Integre(code_set()?)),
        }
    }

    /// The set last loaded (the built-in one before any search).
    fn courant(&self) -> Result<Jeu, Cim10Error> {
        match self.lire().as_ref().and_then(|(_, set)| set.clone()) {
            Some(set) => Ok(Jeu::Importe(set)),
            None => CodeSet::embedded().map(Jeu::Integre),
        }
    }

    fn lire(&self) -> std::sync::RwLockReadGuard<'_, Option<(i64, Option<Arc<CodeSet>>)>> {
        // The lock only guards a pointer swap: a poisoned lock still holds a coherent value.
        self.etat.read().unwrap_or_else(|p| p.into_inner())
    }

    fn remplacer(&self, id: i64, set: Option<Arc<CodeSet>>) {
        *self.etat.write().unwrap_or_else(|p| p.into_inner()) = Some((id, set));
    }
}

impl Nomenclature for Cim10Actif {
    fn consulter(&self, code: &str) -> Option<CodeConnu> {
        let set = match self.courant() {
            Ok(set) => set,
            Err(e) => {
                tracing::error!(error = %e, "the CIM-10 code set cannot be read");
                return None;
            }
        };
        let c = set.get(code)?;
        Some(CodeConnu {
            code: c.display_code(),
            libelle: c.label().to_owned(),
            supprime: c.supprime(),
            // Type 3 of the ATIH file: a category to be made precise (J06 → J06.9).
            a_des_sous_codes: c.mco_type() == 3,
            principal_autorise: c.is_valid_for_main_diagnosis(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

fn utf16_offset(text: &str, byte: usize) -> u32 {
    let byte = byte.min(text.len());
    // Byte offsets from the search always fall on character boundaries; `get` guards anyway.
    text.get(..byte)
        .map(|s| s.encode_utf16().count() as u32)
        .unwrap_or(0)
}

fn hit_dto(set: &CodeSet, h: Hit) -> Cim10Hit {
    let highlights = h
        .matches
        .iter()
        .map(|&(a, b)| [utf16_offset(&h.label, a), utf16_offset(&h.label, b)])
        .collect();
    let codable = set
        .get(&h.raw_code)
        .is_some_and(|c| c.mco_type() != 3 && !c.supprime());
    let (chapter, chapter_label) = h.chapter.map(|c| (c.range, c.label)).unwrap_or_default();
    Cim10Hit {
        code: h.code,
        raw_code: h.raw_code,
        label: h.label,
        chapter,
        chapter_label,
        highlights,
        synonym: h.synonym,
        valid_for_main_diagnosis: h.valid_for_main_diagnosis,
        codable,
        favori: false,
    }
}

fn accepte(role: Option<Cim10Role>, codable: bool, principal: bool) -> bool {
    match role {
        None => true,
        Some(Cim10Role::Principal) => principal,
        Some(Cim10Role::Associe) => codable,
    }
}

/// Searches `set`, best first, ranked with `usage`; only the codes allowed for `role`.
pub fn search_in(set: &CodeSet, query: &Cim10Query, usage: &SearchContext) -> Vec<Cim10Hit> {
    let limit = query.limit.unwrap_or(10).clamp(1, 100) as usize;
    // Categories are left out for a role: ask for more so that the list stays full.
    let ask = if query.role.is_some() {
        limit * 2
    } else {
        limit
    };
    set.search(&query.query, usage, ask)
        .into_iter()
        .map(|h| hit_dto(set, h))
        .filter(|h| accepte(query.role, h.codable, h.valid_for_main_diagnosis))
        .take(limit)
        .collect()
}

/// Searches the built-in code set, best first (the CLI without a data directory).
pub fn search(query: &Cim10Query, usage: &SearchContext) -> Result<Vec<Cim10Hit>, ApiError> {
    Ok(search_in(code_set()?, query, usage))
}

fn code_dto(set: &CodeSet, raw: &str) -> Option<Cim10CodeDto> {
    let c = set.get(raw)?;
    if c.supprime() {
        return None;
    }
    let (chapter, chapter_label) = c
        .chapter()
        .map(|ch| (ch.range(), ch.label.clone()))
        .unwrap_or_default();
    Some(Cim10CodeDto {
        code: c.display_code(),
        raw_code: c.raw_code().to_owned(),
        label: c.label().to_owned(),
        chapter,
        chapter_label,
        valid_for_main_diagnosis: c.is_valid_for_main_diagnosis(),
        codable: c.mco_type() != 3,
        favori_medecin: false,
        favori_mmg: false,
    })
}

fn raw(set: &CodeSet, code: &str) -> Option<String> {
    set.get(code).map(|c| c.raw_code().to_owned())
}

fn fichier_invalide(message: String) -> ApiError {
    ApiError::from(DomainError::field("fichier", message))
}

/// Largest file accepted (the ATIH file is about 5 MB).
const TAILLE_MAX: u64 = 64 * 1024 * 1024;

fn version_dto(v: store_cim10::VersionCim10) -> Cim10VersionDto {
    let (nb_codes, nb_supprimes) = if v.source == store_cim10::SourceCim10::Integree {
        code_set()
            .map(|s| (s.len(), s.codes().filter(|c| c.supprime()).count()))
            .unwrap_or_default()
    } else {
        (
            usize::try_from(v.nb_codes).unwrap_or(0),
            usize::try_from(v.nb_supprimes).unwrap_or(0),
        )
    };
    Cim10VersionDto {
        version: v.version,
        source: v.source.code().to_owned(),
        fichier: v.fichier,
        nb_codes: u32::try_from(nb_codes).unwrap_or(u32::MAX),
        nb_supprimes: u32::try_from(nb_supprimes).unwrap_or(u32::MAX),
        importe_le: v.importe_le,
        active: v.active,
    }
}

impl Api {
    /// Searches the active CIM-10 code set, this MMG's most used codes first among equal matches.
    pub fn cim10_search(&self, query: Cim10Query) -> Result<Vec<Cim10Hit>, ApiError> {
        // Asked before the store is locked (the session reads the settings from it).
        let medecin = self.session_utilisateur();
        let store = self.store();
        let set = self.cim10.jeu(&store)?;
        let usage = SearchContext::with_usage(store_cim10::usage(store.conn())?);
        let mut hits = search_in(&set, &query, &usage);
        if !hits.is_empty() {
            // The favourites of the logged-in doctor and of the MMG get a star (none without a
            // session: the CLI).
            let mut favoris = store_cim10::favoris(store.conn(), None)?;
            if let Some(id) = medecin {
                favoris.extend(store_cim10::favoris(store.conn(), Some(id))?);
            }
            for h in &mut hits {
                h.favori = favoris.contains(&h.raw_code);
            }
        }
        Ok(hits)
    }

    /// The favourite and recent codes of the logged-in doctor and of the MMG (picker, empty field).
    pub fn cim10_suggestions(
        &self,
        query: Cim10SuggestionsQuery,
    ) -> Result<Cim10Suggestions, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let limit = query.limit.unwrap_or(10).clamp(1, 50) as usize;
        let store = self.store();
        let set = self.cim10.jeu(&store)?;
        let conn = store.conn();
        let fav_medecin = store_cim10::favoris(conn, Some(acteur.id))?;
        let fav_mmg = store_cim10::favoris(conn, None)?;
        // Recent codes are read a few more than shown: withdrawn or filtered ones are skipped.
        let recents_medecin = store_cim10::recents(conn, Some(acteur.id), limit * 2)?;
        let recents_mmg = store_cim10::recents(conn, None, limit * 2)?;
        let liste = |codes: &[String]| -> Vec<Cim10CodeDto> {
            codes
                .iter()
                .filter_map(|c| code_dto(&set, c))
                .filter(|c| accepte(query.role, c.codable, c.valid_for_main_diagnosis))
                .map(|mut c| {
                    c.favori_medecin = fav_medecin.contains(&c.raw_code);
                    c.favori_mmg = fav_mmg.contains(&c.raw_code);
                    c
                })
                .take(limit)
                .collect()
        };
        Ok(Cim10Suggestions {
            version: set.version().to_owned(),
            favoris_medecin: liste(&fav_medecin),
            favoris_mmg: liste(&fav_mmg),
            recents_medecin: liste(&recents_medecin),
            recents_mmg: liste(&recents_mmg),
        })
    }

    /// Adds a code to the favourites of the doctor or of the MMG, or removes it; returns the lists.
    pub fn cim10_favori_basculer(&self, favori: Cim10Favori) -> Result<Cim10Suggestions, ApiError> {
        let acteur = self.acteur(Besoin::Medecin)?;
        let now = self.clock.now_utc_text();
        {
            let mut store = self.store();
            let set = self.cim10.jeu(&store)?;
            let code = raw(&set, &favori.code)
                .filter(|c| set.get(c).is_some_and(|c| !c.supprime()))
                .ok_or_else(|| {
                    ApiError::from(DomainError::field(
                        "code",
                        format!(
                            "« {} » n'est pas un code de la CIM-10 en vigueur ({}).",
                            favori.code,
                            set.version()
                        ),
                    ))
                })?;
            let utilisateur = match favori.portee {
                Cim10Portee::Medecin => Some(acteur.id),
                Cim10Portee::Mmg => None,
            };
            store.write(|tx| store_cim10::basculer_favori(tx, utilisateur, &code, &now))?;
        }
        self.cim10_suggestions(Cim10SuggestionsQuery::default())
    }

    /// The versions of the code set the store knows, oldest first.
    pub fn cim10_versions(&self) -> Result<Vec<Cim10VersionDto>, ApiError> {
        Ok(store_cim10::versions(self.store().conn())?
            .into_iter()
            .map(version_dto)
            .collect())
    }

    /// Imports the yearly ATIH file (`LIBCIM10MULTI.TXT`, pipe-separated, Windows-1252) or its CSV
    /// form as a new version of the code set, which becomes the active one. Nothing is recorded
    /// when the file is malformed. Used by the CLI (which holds the database key: no login).
    pub fn cim10_import_file(
        &self,
        request: Cim10ImportRequest,
    ) -> Result<Cim10ImportResult, ApiError> {
        let path = Path::new(&request.chemin);
        let lisible = |e: std::io::Error| {
            fichier_invalide(format!(
                "Le fichier {} est illisible : {e}.",
                path.display()
            ))
        };
        let taille = std::fs::metadata(path).map_err(lisible)?.len();
        if taille > TAILLE_MAX {
            return Err(fichier_invalide(format!(
                "Le fichier {} est trop volumineux pour être une CIM-10 de l'ATIH ({} Mo).",
                path.display(),
                taille / 1024 / 1024
            )));
        }
        let bytes = std::fs::read(path).map_err(lisible)?;
        let nom = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let version = match request.version.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => format!(
                "CIM-10 FR ({nom}, importée le {})",
                self.clock.now_local().format("%d/%m/%Y")
            ),
        };
        if version.chars().count() > 100 {
            return Err(ApiError::from(DomainError::field(
                "version",
                "Le nom de la version ne doit pas dépasser 100 caractères.",
            )));
        }
        let source = format_du_fichier(&bytes);
        let set = match source {
            store_cim10::SourceCim10::Csv => appligarde_cim10::parse_csv(&bytes, &version),
            _ => appligarde_cim10::parse_atih_multi(&bytes, &version),
        }
        .map_err(|e| fichier_invalide(e.to_string()))?;
        let nb_supprimes = set.codes().filter(|c| c.supprime()).count();
        let donnees = set.to_compact();
        let empreinte = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        let importe_le = self.clock.now_utc_text();
        let nb_codes = i64::try_from(set.len()).unwrap_or(i64::MAX);
        let nb_supprimes = i64::try_from(nb_supprimes).unwrap_or(i64::MAX);
        let mut store = self.store();
        let enregistrement = store.write(|tx| {
            store_cim10::enregistrer_version(
                tx,
                &store_cim10::NouvelleVersion {
                    version: &version,
                    source,
                    fichier: &nom,
                    empreinte: &empreinte,
                    nb_codes,
                    nb_supprimes,
                    donnees: &donnees,
                    importe_le: &importe_le,
                },
            )
        })?;
        // The next search reloads the set from the store (the same bytes it will read later).
        let active = store_cim10::version_active(store.conn())?
            .map(|(v, _)| v)
            .ok_or_else(|| ApiError::internal("no active CIM-10 version after an import"))?;
        drop(store);
        tracing::info!(version = %active.version, codes = nb_codes, "CIM-10 version imported");
        Ok(Cim10ImportResult {
            version: version_dto(active),
            deja_importee: enregistrement == store_cim10::Enregistrement::DejaConnue,
        })
    }

    /// The code of each diagnosis of a consultation, by rank, and the version of the code set it
    /// was coded with (`None` only for rows written before the version was recorded).
    pub fn cim10_versions_du_dossier(
        &self,
        consultation_id: i64,
    ) -> Result<Vec<(String, Option<String>)>, ApiError> {
        self.acteur(Besoin::Medecin)?;
        Ok(store_cim10::versions_des_diagnostics(
            self.store().conn(),
            consultation_id,
        )?)
    }

    /// The id of the logged-in user, if any (no error: the search works without a session).
    fn session_utilisateur(&self) -> Option<i64> {
        self.acteur(Besoin::Connecte).ok().map(|a| a.id)
    }
}

/// The CSV form has a `;`-separated header line; the ATIH file is pipe-separated without header.
fn format_du_fichier(bytes: &[u8]) -> store_cim10::SourceCim10 {
    let premiere = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let pipes = premiere.iter().filter(|b| **b == b'|').count();
    let points_virgules = premiere.iter().filter(|b| **b == b';').count();
    if points_virgules > pipes {
        store_cim10::SourceCim10::Csv
    } else {
        store_cim10::SourceCim10::Atih
    }
}

/// The TypeScript declarations of this module's wire types.
pub(crate) fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        Cim10Role::decl(cfg),
        Cim10Query::decl(cfg),
        Cim10Hit::decl(cfg),
        Cim10CodeDto::decl(cfg),
        Cim10SuggestionsQuery::decl(cfg),
        Cim10Suggestions::decl(cfg),
        Cim10Portee::decl(cfg),
        Cim10Favori::decl(cfg),
        Cim10ImportRequest::decl(cfg),
        Cim10VersionDto::decl(cfg),
        Cim10ImportResult::decl(cfg),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_are_in_utf16_units() {
        // "é" is two bytes in UTF-8 but one unit in UTF-16.
        assert_eq!(utf16_offset("Céphalée", 3), 2);
        assert_eq!(utf16_offset("Céphalée", "Céphalée".len()), 8);
    }

    #[test]
    fn gp_words_find_their_codes() {
        let hits = search(
            &Cim10Query {
                query: "rhinopharingite".into(),
                limit: Some(5),
                role: None,
            },
            &SearchContext::new(),
        )
        .unwrap();
        assert!(
            hits.iter().any(|h| h.code == "J00"),
            "one typo is forgiven: {hits:?}"
        );
        let hits = search(
            &Cim10Query {
                query: "j069".into(),
                limit: Some(5),
                role: None,
            },
            &SearchContext::new(),
        )
        .unwrap();
        assert_eq!(hits[0].code, "J06.9", "a code in any form comes first");
        let first = &hits[0];
        for [a, b] in &first.highlights {
            assert!(a < b && (*b as usize) <= first.label.encode_utf16().count());
        }
    }
}
