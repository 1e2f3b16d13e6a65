//! The URML's "conventions utilisateurs": the MMG's convention of use (accepted by the MMG's
//! admin, for the whole MMG) and the users' charter (accepted by each user), versioned texts.
//!
//! - **Where the texts come from.** The first versions ship with the package as plain text files
//!   `convention-mmg-vN.txt` and `charte-vN.txt` in one folder ([`dossier_par_defaut`]); later
//!   ones arrive at sync as reference publications (`synchro.rs` calls
//!   [`Api::appliquer_convention`]) and are kept in the store. The current version of a text is
//!   the highest one known (files or store); the text accepted or refused is kept in the store
//!   word for word.
//! - **The gate.** [`Api::invoke`] refuses every command outside
//!   [`crate::COMMANDES_SANS_CONVENTION`] (`convention_non_acceptee`, with the French reason)
//!   until the current MMG convention was accepted by an admin and the current charter by the
//!   logged-in user. The versions a session is held to are fixed at its first check: a version
//!   received by a sync during a session is asked at the next login.
//! - **Traceability.** Each acceptance and refusal is a row of `convention_decision` and an entry
//!   of the audit journal (who, which text, which version, when). The hub learns only which
//!   versions were accepted and when ([`Api::conventions_acceptees`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use appligarde_domain::DomainError;
use appligarde_domain::audit::Action;
use appligarde_protocol::{ConventionAcceptance, ConventionText, ConventionType, Publication};
use appligarde_store::convention::{self as store_convention, Origine};
use appligarde_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::session::{Besoin, SessionCourante};
use crate::{Api, ApiError, ErrorCode};

/// Environment variable naming the folder of the shipped texts (tests, unusual installs).
pub const VAR_DOSSIER: &str = "APPLIGARDE_CONVENTIONS_DIR";
/// The folder of the installed package, relative to the folder above the executable's
/// (`/usr/bin/appligarde` → `/usr/share/appligarde/conventions`).
const DOSSIER_INSTALLE: &str = "share/appligarde/conventions";
/// The folder of the repository, for `cargo xtask run` and the tests.
const DOSSIER_SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../packaging/conventions");

/// The folder of the shipped texts: `APPLIGARDE_CONVENTIONS_DIR` when set; else the installed
/// package's (beside the executable, then `/usr/share/appligarde/conventions`); else the
/// repository's `packaging/conventions` (a build run from its sources).
pub fn dossier_par_defaut() -> PathBuf {
    if let Some(dir) = std::env::var_os(VAR_DOSSIER).filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let a_cote = std::env::current_exe().ok().and_then(|exe| {
        exe.parent()
            .and_then(Path::parent)
            .map(|prefix| prefix.join(DOSSIER_INSTALLE))
    });
    let candidats = a_cote
        .into_iter()
        .chain([PathBuf::from("/usr").join(DOSSIER_INSTALLE)]);
    for dossier in candidats {
        if dossier.is_dir() {
            return dossier;
        }
    }
    PathBuf::from(DOSSIER_SOURCES)
}

/// The file name prefix of a text (`charte-v1.txt`).
fn prefixe(t: ConventionType) -> &'static str {
    match t {
        ConventionType::Mmg => "convention-mmg",
        ConventionType::Charte => "charte",
    }
}

fn titre(t: ConventionType) -> &'static str {
    match t {
        ConventionType::Mmg => "Convention d'utilisation de la MMG",
        ConventionType::Charte => "Charte des utilisateurs",
    }
}

/// The versions a session is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Exigees {
    mmg: u32,
    charte: u32,
}

impl Exigees {
    fn de(self, t: ConventionType) -> u32 {
        match t {
            ConventionType::Mmg => self.mmg,
            ConventionType::Charte => self.charte,
        }
    }
}

/// The conventions' state held by the [`Api`].
pub(crate) struct Conventions {
    dossier: PathBuf,
    /// The versions required of the session numbered `.0`, fixed at its first check.
    epinglees: Mutex<Option<(u64, Exigees)>>,
}

impl Conventions {
    pub(crate) fn new(dossier: PathBuf) -> Self {
        Self {
            dossier,
            epinglees: Mutex::new(None),
        }
    }

    /// The shipped versions of `t`, highest last: `Err` with a French reason when the folder
    /// cannot be read.
    fn versions_livrees(&self, t: ConventionType) -> Result<Vec<u32>, String> {
        let entries = std::fs::read_dir(&self.dossier).map_err(|e| {
            format!(
                "le dossier des textes « {} » est illisible : {e}",
                self.dossier.display()
            )
        })?;
        let debut = format!("{}-v", prefixe(t));
        let mut versions: Vec<u32> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let nom = e.file_name().into_string().ok()?;
                nom.strip_prefix(&debut)?
                    .strip_suffix(".txt")?
                    .parse::<u32>()
                    .ok()
                    .filter(|v| *v > 0)
            })
            .collect();
        versions.sort_unstable();
        Ok(versions)
    }

    fn fichier(&self, t: ConventionType, version: u32) -> PathBuf {
        self.dossier.join(format!("{}-v{version}.txt", prefixe(t)))
    }
}

/// A text the app cannot find or read: said clearly, and patient data stays closed.
fn texte_indisponible(t: ConventionType, detail: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ConventionNonAcceptee,
        format!(
            "Le texte de {} est introuvable ou illisible ({detail}). L'accès aux dossiers des \
             patients reste fermé tant qu'une version n'a pas été acceptée : réinstallez \
             Appligarde ou synchronisez le poste avec le hub de l'URML.",
            t.libelle()
        ),
    )
}

/// One text as the conventions screen shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConventionDto {
    /// `mmg` (the MMG's convention of use) or `charte` (the users' charter).
    pub nature: String,
    pub titre: String,
    pub version: u32,
    /// The text; `None` when this user does not decide on it (the MMG's convention for a user
    /// who is not an admin).
    pub texte: Option<String>,
    pub acceptee: bool,
    /// This user refused this version (and has not accepted it since).
    pub refusee: bool,
    /// This user may accept or refuse it (the MMG's convention: admins only).
    pub peut_decider: bool,
}

/// Where the logged-in user stands with the conventions.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConventionsEtat {
    /// Both texts accepted: patient data is open.
    pub a_jour: bool,
    /// Why patient data is closed (French), when it is.
    pub motif: Option<String>,
    /// The MMG's convention, then the charter.
    pub conventions: Vec<ConventionDto>,
}

/// `convention_accepter` / `convention_refuser`: the text and the version shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ConventionDecision {
    /// `mmg` or `charte`.
    pub nature: String,
    pub version: u32,
}

/// Where one session stands (no text read).
struct Situation {
    exigees: Exigees,
    mmg_acceptee: bool,
    mmg_refusee: bool,
    charte_acceptee: bool,
    charte_refusee: bool,
}

impl Situation {
    fn motif(&self, s: &SessionCourante) -> Option<String> {
        let (v, w) = (self.exigees.mmg, self.exigees.charte);
        if !self.mmg_acceptee {
            return Some(if !s.est_admin {
                format!(
                    "La convention d'utilisation de la MMG (version {v}) n'a pas encore été \
                     acceptée par l'administrateur de la MMG : l'accès aux dossiers des patients \
                     reste fermé jusque-là. Demandez-lui de se connecter pour la lire et \
                     l'accepter."
                )
            } else if self.mmg_refusee {
                format!(
                    "Vous avez refusé la convention d'utilisation de la MMG (version {v}) : \
                     l'accès aux dossiers des patients reste fermé pour tous les utilisateurs de \
                     la MMG tant qu'elle n'est pas acceptée."
                )
            } else {
                format!(
                    "Acceptez la convention d'utilisation de la MMG (version {v}) : l'accès aux \
                     dossiers des patients reste fermé jusque-là, pour tous les utilisateurs."
                )
            });
        }
        if !self.charte_acceptee {
            return Some(if self.charte_refusee {
                format!(
                    "Vous avez refusé la charte des utilisateurs (version {w}) : l'accès aux \
                     dossiers des patients vous reste fermé. Vous pouvez vous déconnecter, \
                     changer d'utilisateur, ou relire la charte et l'accepter."
                )
            } else {
                format!(
                    "Acceptez la charte des utilisateurs (version {w}) pour accéder aux dossiers \
                     des patients."
                )
            });
        }
        None
    }
}

fn nature(code: &str) -> Result<ConventionType, ApiError> {
    ConventionType::from_code(code).ok_or_else(|| {
        ApiError::validation(vec![DomainError::field(
            "nature",
            "Texte inconnu : « mmg » (convention d'utilisation) ou « charte ».",
        )])
    })
}

impl Api {
    /// The current version of `t`: the highest of the shipped files and of the store.
    fn convention_version_courante(
        &self,
        store: &Store,
        t: ConventionType,
    ) -> Result<u32, ApiError> {
        let stockee = store.convention_version_max(t.code())?;
        let livrees = self.conventions.versions_livrees(t);
        let livree = livrees.as_ref().ok().and_then(|v| v.last().copied());
        match (stockee, livree) {
            (0, None) => Err(texte_indisponible(
                t,
                &livrees.err().unwrap_or_else(|| {
                    format!(
                        "aucun fichier {}-vN.txt dans « {} »",
                        prefixe(t),
                        self.conventions.dossier.display()
                    )
                }),
            )),
            (s, l) => Ok(s.max(l.unwrap_or(0))),
        }
    }

    /// The text of one version: the store's, else the shipped file's.
    fn convention_texte(
        &self,
        store: &Store,
        t: ConventionType,
        version: u32,
    ) -> Result<String, ApiError> {
        if let Some(texte) = store.convention_texte(t.code(), version)? {
            return Ok(texte);
        }
        let fichier = self.conventions.fichier(t, version);
        match std::fs::read_to_string(&fichier) {
            Ok(texte) if !texte.trim().is_empty() => Ok(texte.trim().to_owned()),
            Ok(_) => Err(texte_indisponible(
                t,
                &format!("le fichier « {} » est vide", fichier.display()),
            )),
            Err(e) => Err(texte_indisponible(
                t,
                &format!("fichier « {} » : {e}", fichier.display()),
            )),
        }
    }

    fn session_pour_conventions(&self) -> Result<SessionCourante, ApiError> {
        self.session_courante().ok_or_else(|| {
            ApiError::new(
                ErrorCode::Unauthenticated,
                "Connectez-vous pour accéder aux dossiers des patients.",
            )
        })
    }

    /// The versions this session is held to (fixed at its first check).
    fn conventions_exigees(&self, s: &SessionCourante) -> Result<Exigees, ApiError> {
        let epinglees = |c: &Conventions| {
            *c.epinglees
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some((numero, exigees)) = epinglees(&self.conventions)
            && numero == s.numero
        {
            return Ok(exigees);
        }
        let exigees = {
            let store = self.store();
            Exigees {
                mmg: self.convention_version_courante(&store, ConventionType::Mmg)?,
                charte: self.convention_version_courante(&store, ConventionType::Charte)?,
            }
        };
        *self
            .conventions
            .epinglees
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((s.numero, exigees));
        Ok(exigees)
    }

    fn conventions_situation(&self, s: &SessionCourante) -> Result<Situation, ApiError> {
        let exigees = self.conventions_exigees(s)?;
        let store = self.store();
        let mmg = ConventionType::Mmg.code();
        let charte = ConventionType::Charte.code();
        let charte_decision =
            store.convention_decision(charte, exigees.charte, Some(s.utilisateur_id))?;
        Ok(Situation {
            exigees,
            mmg_acceptee: store.convention_acceptee_par_quiconque(mmg, exigees.mmg)?,
            mmg_refusee: store.convention_decision(mmg, exigees.mmg, Some(s.utilisateur_id))?
                == Some(false),
            charte_acceptee: charte_decision == Some(true),
            charte_refusee: charte_decision == Some(false),
        })
    }

    /// The gate of [`Api::invoke`]: `Ok` once the logged-in user may reach patient data as far as
    /// the conventions go.
    pub(crate) fn conventions_verifier(&self) -> Result<(), ApiError> {
        let s = self.session_pour_conventions()?;
        match self.conventions_situation(&s)?.motif(&s) {
            None => Ok(()),
            Some(motif) => Err(ApiError::new(ErrorCode::ConventionNonAcceptee, motif)),
        }
    }

    /// `conventions_etat`: the texts to accept and why patient data is closed, for the screen
    /// shown after the login.
    pub fn conventions_etat(&self) -> Result<ConventionsEtat, ApiError> {
        let s = self.session_pour_conventions()?;
        let situation = self.conventions_situation(&s)?;
        let motif = situation.motif(&s);
        let store = self.store();
        let mut conventions = Vec::new();
        for t in ConventionType::ALL {
            let version = situation.exigees.de(t);
            let (acceptee, refusee, peut_decider) = match t {
                ConventionType::Mmg => (situation.mmg_acceptee, situation.mmg_refusee, s.est_admin),
                ConventionType::Charte => {
                    (situation.charte_acceptee, situation.charte_refusee, true)
                }
            };
            let texte = if peut_decider {
                Some(self.convention_texte(&store, t, version)?)
            } else {
                None
            };
            conventions.push(ConventionDto {
                nature: t.code().to_owned(),
                titre: titre(t).to_owned(),
                version,
                texte,
                acceptee,
                refusee: refusee && !acceptee,
                peut_decider,
            });
        }
        Ok(ConventionsEtat {
            a_jour: motif.is_none(),
            motif,
            conventions,
        })
    }

    /// `convention_accepter`: the logged-in user accepts the version shown (the MMG's
    /// convention: an admin only).
    pub fn convention_accepter(&self, d: ConventionDecision) -> Result<ConventionsEtat, ApiError> {
        self.convention_decider(d, true)
    }

    /// `convention_refuser`: the same, refused; patient data stays closed, the refusal is
    /// journaled.
    pub fn convention_refuser(&self, d: ConventionDecision) -> Result<ConventionsEtat, ApiError> {
        self.convention_decider(d, false)
    }

    fn convention_decider(
        &self,
        d: ConventionDecision,
        acceptee: bool,
    ) -> Result<ConventionsEtat, ApiError> {
        let t = nature(&d.nature)?;
        let acteur = self.acteur(match t {
            ConventionType::Mmg => Besoin::Admin,
            ConventionType::Charte => Besoin::Connecte,
        })?;
        let s = self.session_pour_conventions()?;
        let attendue = self.conventions_exigees(&s)?.de(t);
        if d.version != attendue {
            return Err(ApiError::validation(vec![DomainError::field(
                "version",
                format!(
                    "La version {} n'est pas celle à lire ({attendue}) : rouvrez l'écran.",
                    d.version
                ),
            )]));
        }
        self.noter_decision(t, attendue, acteur.id, acceptee, "")?;
        self.conventions_etat()
    }

    /// Records a decision on a version of `t`: its text kept in the store, the decision, its
    /// journal entry, in one transaction.
    fn noter_decision(
        &self,
        t: ConventionType,
        version: u32,
        utilisateur: i64,
        acceptee: bool,
        precision: &str,
    ) -> Result<(), ApiError> {
        let now = self.clock.now_utc_text();
        let mut store = self.store();
        let texte = self.convention_texte(&store, t, version)?;
        store.write(|tx| {
            store_convention::enregistrer_texte(
                tx,
                t.code(),
                version,
                &texte,
                Origine::Paquet,
                None,
                &now,
            )?;
            store_convention::noter_decision(tx, t.code(), version, utilisateur, acceptee, &now)?;
            appligarde_store::audit::append(
                tx,
                Some(utilisateur),
                if acceptee {
                    Action::Acceptation
                } else {
                    Action::Refus
                },
                match t {
                    ConventionType::Mmg => "convention_mmg",
                    ConventionType::Charte => "charte",
                },
                Some(i64::from(version)),
                &format!("{} version {version}{precision}", titre(t)),
                &now,
            )
            .map(|_| ())
        })?;
        tracing::info!(
            texte = t.code(),
            version,
            utilisateur,
            acceptee,
            "convention decision"
        );
        Ok(())
    }

    /// The demo MMG: its admin accepts the current MMG convention and every account the current
    /// charter (journaled as the demo's), so that the demo reaches patient data at once. Texts
    /// that cannot be found are left to the conventions screen, which says so.
    pub(crate) fn conventions_demo(&self) -> Result<(), ApiError> {
        let (versions, utilisateurs) = {
            let store = self.store();
            let versions = (
                self.convention_version_courante(&store, ConventionType::Mmg),
                self.convention_version_courante(&store, ConventionType::Charte),
            );
            (versions, store.utilisateurs()?)
        };
        let (Ok(mmg), Ok(charte)) = versions else {
            tracing::warn!("the demo's conventions are not accepted: texts not found");
            return Ok(());
        };
        let precision = " (jeu de démonstration)";
        for u in utilisateurs {
            let (deja_mmg, deja_charte) = {
                let store = self.store();
                (
                    store.convention_acceptee_par_quiconque(ConventionType::Mmg.code(), mmg)?,
                    store.convention_decision(ConventionType::Charte.code(), charte, Some(u.id))?
                        == Some(true),
                )
            };
            if u.est_admin && !deja_mmg {
                self.noter_decision(ConventionType::Mmg, mmg, u.id, true, precision)?;
            }
            if !deja_charte {
                self.noter_decision(ConventionType::Charte, charte, u.id, true, precision)?;
            }
        }
        Ok(())
    }

    /// Whether an admin accepted the current MMG convention (the first-start assistant's step 2);
    /// false when its text cannot be found.
    pub(crate) fn convention_mmg_acceptee(&self) -> Result<bool, ApiError> {
        let store = self.store();
        match self.convention_version_courante(&store, ConventionType::Mmg) {
            Ok(version) => {
                Ok(store.convention_acceptee_par_quiconque(ConventionType::Mmg.code(), version)?)
            }
            Err(_) => Ok(false),
        }
    }

    /// A convention publication received at sync: its text is kept; it is asked at the next
    /// login. A malformed one is refused (recorded as such by the caller).
    pub(crate) fn appliquer_convention(
        &self,
        p: &Publication,
        now: &str,
    ) -> Result<String, StoreError> {
        let texte: ConventionText = serde_json::from_str(&p.content).map_err(|e| {
            DomainError::general(format!(
                "le texte publié n'a pas la forme attendue (ligne {}, colonne {})",
                e.line(),
                e.column()
            ))
        })?;
        if texte.version == 0 || texte.text.trim().is_empty() {
            return Err(DomainError::general("le texte publié est vide ou sans version").into());
        }
        let nouveau = self.store().write(|tx| {
            store_convention::enregistrer_texte(
                tx,
                texte.convention.code(),
                texte.version,
                texte.text.trim(),
                Origine::Hub,
                Some(&p.published_at),
                now,
            )
        })?;
        let nom = titre(texte.convention).to_lowercase();
        Ok(if nouveau {
            format!(
                "{nom}, version {} reçue : elle sera demandée à la prochaine connexion",
                texte.version
            )
        } else {
            format!("{nom}, version {} déjà connue", texte.version)
        })
    }

    /// Every version accepted here and when it was first accepted, for the hub (no name).
    pub fn conventions_acceptees(&self) -> Result<Vec<ConventionAcceptance>, ApiError> {
        Ok(self
            .store()
            .conventions_acceptees()?
            .into_iter()
            .filter_map(|a| {
                Some(ConventionAcceptance {
                    convention: ConventionType::from_code(&a.type_)?,
                    version: a.version,
                    accepted_at: a.le,
                })
            })
            .collect())
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    vec![
        ConventionDto::decl(cfg),
        ConventionsEtat::decl(cfg),
        ConventionDecision::decl(cfg),
    ]
}
