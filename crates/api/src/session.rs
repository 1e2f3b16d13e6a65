//! Who is using the program: login with a password (argon2), the screen locked after an idle time,
//! a quick switch of user on the same PC, and the users of the MMG (managed by its admin).
//!
//! The session lives in the [`Api`]: one desktop, one user at a time. Every use case that touches
//! patient data asks [`Api::acteur`] first; it refuses when nobody is logged in, when the screen is
//! locked (explicitly, or because the idle time has passed), or when the role does not allow it.

use crate::{Api, ApiError, ErrorCode};
use appligarde_domain::{audit::Action, garde::Role};
use appligarde_store::utilisateur::{self, NewUtilisateur, Utilisateur};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use ts_rs::TS;

/// Shortest password accepted.
const MOT_DE_PASSE_MIN: usize = 8;
/// After this many wrong passwords in a row, a user must wait [`ATTENTE_APRES_ECHECS_S`].
const ECHECS_MAX: u32 = 5;
const ATTENTE_APRES_ECHECS_S: i64 = 60;

/// The state of the session, held by the [`Api`].
#[derive(Default)]
pub(crate) struct Session {
    connecte: Option<Connecte>,
    echecs: HashMap<i64, (u32, DateTime<Utc>)>,
    /// Counts the logins of this process: each one starts a new session.
    connexions: u64,
}

struct Connecte {
    utilisateur: Utilisateur,
    verrouillee: bool,
    derniere_activite: DateTime<Utc>,
    /// Which login of this process this session is ([`Session::connexions`]).
    numero: u64,
}

/// The session in progress, as the conventions' gate needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SessionCourante {
    /// Which login of this process (a new login, an unlock or a switch of user is a new one).
    pub numero: u64,
    pub utilisateur_id: i64,
    pub est_admin: bool,
}

/// What a use case needs from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Besoin {
    /// Any logged-in user (reception included): arrivals, the day list, finding a patient.
    Connecte,
    /// A doctor: clinical notes, closing, amending, opening and closing a shift.
    Medecin,
    /// The MMG admin: users, settings, the audit log.
    Admin,
}

/// The logged-in user a use case acts for.
#[derive(Debug, Clone)]
pub(crate) struct Acteur {
    pub id: i64,
    pub role: Role,
}

impl Acteur {
    /// Clinical notes are for doctors only (reception sees arrivals, not notes).
    pub fn voit_la_clinique(&self) -> bool {
        self.role == Role::Medecin
    }
}

/// A user as the UI shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CompteDto {
    pub id: i64,
    pub nom: String,
    pub prenom: String,
    pub role: String,
    pub role_libelle: String,
    pub rpps: Option<String>,
    pub specialite: Option<String>,
    pub est_admin: bool,
    pub actif: bool,
    pub peut_se_connecter: bool,
    /// When the account was created and last changed (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub cree_le: String,
    pub modifie_le: Option<String>,
    /// Who created and last changed the account (`None`: the installation itself, or not looked up:
    /// only the admin's list of accounts names them).
    pub cree_par: Option<String>,
    pub modifie_par: Option<String>,
}

impl From<Utilisateur> for CompteDto {
    fn from(u: Utilisateur) -> Self {
        Self {
            id: u.id,
            nom: u.nom,
            prenom: u.prenom,
            role: u.role.code().to_owned(),
            role_libelle: u.role.libelle().to_owned(),
            rpps: u.rpps,
            specialite: u.specialite,
            est_admin: u.est_admin,
            actif: u.actif,
            peut_se_connecter: u.peut_se_connecter,
            cree_le: u.created_at,
            modifie_le: u.updated_at,
            cree_par: None,
            modifie_par: None,
        }
    }
}

impl CompteDto {
    /// A user as the login screen's list shows it, to anyone at the PC before a login: the name
    /// and the role, not the RPPS number or the speciality.
    fn pour_le_choix(u: Utilisateur) -> Self {
        Self {
            rpps: None,
            specialite: None,
            ..Self::from(u)
        }
    }
}

/// A new password for a user, set by the admin (forgotten password).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct MotDePasseReinitialisation {
    pub id: i64,
    pub mot_de_passe: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SessionDto {
    /// The logged-in user, also while the screen is locked (its name is shown on the lock screen).
    pub utilisateur: Option<CompteDto>,
    pub verrouillee: bool,
    /// Idle minutes before the screen locks.
    pub verrouillage_minutes: u32,
    /// No user can log in yet: the first admin must be created.
    pub premier_demarrage: bool,
    /// The users who can log in, for the login and switch-user screen (names and roles only: no
    /// RPPS number nor speciality, it is read before any login).
    pub comptes: Vec<CompteDto>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Connexion {
    pub utilisateur_id: i64,
    pub mot_de_passe: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Deverrouillage {
    pub mot_de_passe: String,
}

/// A user as typed by the admin (or by the first admin for itself).
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CompteSaisie {
    pub nom: String,
    pub prenom: String,
    /// `medecin`, `accueil` or `admin`.
    pub role: String,
    #[serde(default)]
    pub rpps: Option<String>,
    #[serde(default)]
    pub specialite: Option<String>,
    #[serde(default)]
    pub est_admin: bool,
    /// Required when creating; when changing a user, `null` keeps the password.
    #[serde(default)]
    pub mot_de_passe: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CompteModification {
    pub id: i64,
    pub compte: CompteSaisie,
    pub actif: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChangementMotDePasse {
    /// Required when users change their own password.
    #[serde(default)]
    pub ancien: Option<String>,
    pub nouveau: String,
}

fn erreur(code: ErrorCode, message: &str) -> ApiError {
    ApiError::new(code, message)
}

fn non_connecte() -> ApiError {
    erreur(
        ErrorCode::Unauthenticated,
        "Connectez-vous pour accéder aux dossiers des patients.",
    )
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub(crate) fn hacher(mot_de_passe: &str) -> Result<String, ApiError> {
    if mot_de_passe.chars().count() < MOT_DE_PASSE_MIN {
        return Err(ApiError::validation(vec![
            appligarde_domain::DomainError::field(
                "mot_de_passe",
                format!("Le mot de passe doit comporter au moins {MOT_DE_PASSE_MIN} caractères."),
            ),
        ]));
    }
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(ApiError::internal)?;
    Ok(Argon2::default()
        .hash_password(mot_de_passe.as_bytes(), &salt)
        .map_err(ApiError::internal)?
        .to_string())
}

fn verifier(mot_de_passe: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(mot_de_passe.as_bytes(), &h)
            .is_ok()
    })
}

fn role(code: &str) -> Result<Role, ApiError> {
    Role::from_code(code).ok_or_else(|| {
        ApiError::validation(vec![appligarde_domain::DomainError::field(
            "role",
            "Le rôle doit être médecin, accueil ou administrateur.",
        )])
    })
}

impl CompteSaisie {
    fn nouveau(&self) -> Result<NewUtilisateur<'_>, ApiError> {
        Ok(NewUtilisateur {
            nom: &self.nom,
            prenom: &self.prenom,
            role: role(&self.role)?,
            rpps: self
                .rpps
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty()),
            specialite: self.specialite.as_deref(),
        })
    }
}

impl Api {
    /// « Prénom NOM » of a user, for the « créé par » and « modifié par » of a record.
    pub(crate) fn nom_utilisateur(&self, id: Option<i64>) -> Result<Option<String>, ApiError> {
        let Some(id) = id else { return Ok(None) };
        Ok(self
            .store()
            .utilisateur(id)?
            .map(|u| format!("{} {}", u.prenom, u.nom)))
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The user a use case acts for, after checking login, lock, idle time and role. Counts as
    /// activity (it resets the idle time).
    pub(crate) fn acteur(&self, besoin: Besoin) -> Result<Acteur, ApiError> {
        self.acteur_si(besoin, true)
    }

    /// The user logged in (locked or not), and which login this is.
    pub(crate) fn session_courante(&self) -> Option<SessionCourante> {
        self.session().connecte.as_ref().map(|c| SessionCourante {
            numero: c.numero,
            utilisateur_id: c.utilisateur.id,
            est_admin: c.utilisateur.est_admin,
        })
    }

    /// A user is logged in and the screen is not locked (the gate of `Api::invoke`). Unlike
    /// [`Api::acteur`], it does not count as activity.
    pub(crate) fn session_ouverte(&self) -> Result<(), ApiError> {
        self.acteur_si(Besoin::Connecte, false).map(|_| ())
    }

    fn acteur_si(&self, besoin: Besoin, activite: bool) -> Result<Acteur, ApiError> {
        let delai = i64::from(self.store().reglages()?.verrouillage_minutes);
        let now = self.clock.now();
        let mut session = self.session();
        let connecte = session.connecte.as_mut().ok_or_else(non_connecte)?;
        if !connecte.verrouillee && now - connecte.derniere_activite > Duration::minutes(delai) {
            connecte.verrouillee = true;
            tracing::info!("screen locked after the idle time");
        }
        if connecte.verrouillee {
            return Err(erreur(
                ErrorCode::Locked,
                "L'écran est verrouillé : saisissez votre mot de passe pour continuer.",
            ));
        }
        let u = &connecte.utilisateur;
        let permis = match besoin {
            Besoin::Connecte => true,
            Besoin::Medecin => u.role == Role::Medecin,
            Besoin::Admin => u.est_admin,
        };
        if !permis {
            return Err(erreur(
                ErrorCode::Forbidden,
                match besoin {
                    Besoin::Medecin => {
                        "Seul un médecin peut consulter ou modifier le dossier médical."
                    }
                    _ => "Cette action est réservée à l'administrateur de la MMG.",
                },
            ));
        }
        if activite {
            connecte.derniere_activite = now;
        }
        Ok(Acteur {
            id: u.id,
            role: u.role,
        })
    }

    pub fn session_status(&self) -> Result<SessionDto, ApiError> {
        let store = self.store();
        let reglages = store.reglages()?;
        let premier_demarrage = !store.a_des_comptes()?;
        let comptes = store
            .utilisateurs()?
            .into_iter()
            .filter(|u| u.peut_se_connecter)
            .map(CompteDto::pour_le_choix)
            .collect();
        drop(store);
        let now = self.clock.now();
        let delai = Duration::minutes(i64::from(reglages.verrouillage_minutes));
        let mut session = self.session();
        let (utilisateur, verrouillee) = match session.connecte.as_mut() {
            Some(c) => {
                if now - c.derniere_activite > delai {
                    c.verrouillee = true;
                }
                (Some(CompteDto::from(c.utilisateur.clone())), c.verrouillee)
            }
            None => (None, false),
        };
        Ok(SessionDto {
            utilisateur,
            verrouillee,
            verrouillage_minutes: reglages.verrouillage_minutes,
            premier_demarrage,
            comptes,
        })
    }

    /// Logs a user in, replacing whoever was logged in (quick switch of user).
    pub fn session_login(&self, connexion: Connexion) -> Result<SessionDto, ApiError> {
        let id = connexion.utilisateur_id;
        let now = self.clock.now();
        {
            // Count, check and record in one step under the session's lock: the attempt is counted
            // as a failure before its password is checked (and forgiven below when it is right), so
            // attempts made in parallel see each other and at most ECHECS_MAX passwords are checked
            // (issue 28, item 3: 20 parallel attempts were all checked).
            let mut session = self.session();
            let (n, depuis) = session.echecs.entry(id).or_insert((0, now));
            if *n >= ECHECS_MAX && now - *depuis < Duration::seconds(ATTENTE_APRES_ECHECS_S) {
                return Err(erreur(
                    ErrorCode::Unauthenticated,
                    "Trop d'essais de mot de passe : attendez une minute avant de réessayer.",
                ));
            }
            *n += 1;
            *depuis = now;
        }
        let (utilisateur, hash) = {
            let store = self.store();
            (store.utilisateur(id)?, store.mot_de_passe(id)?)
        };
        let ok = match (&utilisateur, &hash) {
            (Some(u), Some(h)) if u.actif => verifier(&connexion.mot_de_passe, h),
            _ => false,
        };
        let stamp = self.clock.now_utc_text();
        if !ok {
            // The failure is already counted.
            if utilisateur.is_some() {
                self.store().write(|tx| {
                    appligarde_store::audit::append(
                        tx,
                        Some(id),
                        Action::EchecConnexion,
                        "utilisateur",
                        Some(id),
                        "",
                        &stamp,
                    )
                })?;
            }
            return Err(ApiError {
                field: Some("mot_de_passe".to_owned()),
                ..erreur(
                    ErrorCode::Unauthenticated,
                    "Mot de passe incorrect (ou compte inactif).",
                )
            });
        }
        let Some(utilisateur) = utilisateur else {
            return Err(non_connecte());
        };
        self.store().write(|tx| {
            appligarde_store::audit::append(
                tx,
                Some(id),
                Action::Connexion,
                "utilisateur",
                Some(id),
                "",
                &stamp,
            )
        })?;
        {
            let mut session = self.session();
            session.echecs.remove(&id);
            session.connexions += 1;
            let numero = session.connexions;
            session.connecte = Some(Connecte {
                utilisateur,
                verrouillee: false,
                derniere_activite: now,
                numero,
            });
        }
        tracing::info!(user = id, "user logged in");
        self.session_status()
    }

    /// Unlocks the screen with the password of the user who locked it. Another user switches with
    /// [`Api::session_login`].
    pub fn session_unlock(&self, d: Deverrouillage) -> Result<SessionDto, ApiError> {
        let id = self
            .session()
            .connecte
            .as_ref()
            .map(|c| c.utilisateur.id)
            .ok_or_else(non_connecte)?;
        self.session_login(Connexion {
            utilisateur_id: id,
            mot_de_passe: d.mot_de_passe,
        })
    }

    pub fn session_lock(&self) -> Result<SessionDto, ApiError> {
        if let Some(c) = self.session().connecte.as_mut() {
            c.verrouillee = true;
        }
        self.session_status()
    }

    pub fn session_logout(&self) -> Result<SessionDto, ApiError> {
        let parti = self.session().connecte.take();
        if let Some(c) = parti {
            let stamp = self.clock.now_utc_text();
            let id = c.utilisateur.id;
            self.store().write(|tx| {
                appligarde_store::audit::append(
                    tx,
                    Some(id),
                    Action::Deconnexion,
                    "utilisateur",
                    Some(id),
                    "",
                    &stamp,
                )
            })?;
        }
        self.session_status()
    }

    /// Creates the first admin of a new installation and logs it in. Refused once any user can log in.
    pub fn compte_initial(&self, saisie: CompteSaisie) -> Result<SessionDto, ApiError> {
        if self.store().a_des_comptes()? {
            return Err(erreur(
                ErrorCode::Forbidden,
                "Des comptes existent déjà : connectez-vous, l'administrateur crée les autres comptes.",
            ));
        }
        let hash = hacher(saisie.mot_de_passe.as_deref().unwrap_or(""))?;
        let nouveau = saisie.nouveau()?;
        let stamp = self.clock.now_utc_text();
        let id = self
            .store()
            .write(|tx| utilisateur::creer(tx, &nouveau, true, Some(&hash), None, &stamp))?;
        self.session_login(Connexion {
            utilisateur_id: id,
            mot_de_passe: saisie.mot_de_passe.unwrap_or_default(),
        })
    }

    /// Every user, inactive ones included, with who created and changed each (admin).
    pub fn comptes_list(&self) -> Result<Vec<CompteDto>, ApiError> {
        self.acteur(Besoin::Admin)?;
        let tous = self.store().tous_les_utilisateurs()?;
        let noms: HashMap<i64, String> = tous
            .iter()
            .map(|u| (u.id, format!("{} {}", u.prenom, u.nom)))
            .collect();
        let nom = |id: Option<i64>| id.and_then(|id| noms.get(&id).cloned());
        Ok(tous
            .into_iter()
            .map(|u| {
                let (cree_par, modifie_par) = (nom(u.created_by), nom(u.updated_by));
                CompteDto {
                    cree_par,
                    modifie_par,
                    ..CompteDto::from(u)
                }
            })
            .collect())
    }

    /// Sets a new password for a user who forgot theirs (admin); the user's failed attempts are
    /// forgotten so that they can log in at once.
    pub fn compte_mot_de_passe_reinitialiser(
        &self,
        r: MotDePasseReinitialisation,
    ) -> Result<CompteDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let hash = hacher(&r.mot_de_passe)?;
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let compte = store
            .utilisateur(r.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Utilisateur introuvable."))?;
        if !compte.actif {
            return Err(erreur(
                ErrorCode::Validation,
                "Ce compte est désactivé : réactivez-le avant de lui donner un mot de passe.",
            ));
        }
        store.write(|tx| {
            utilisateur::definir_mot_de_passe(tx, r.id, &hash, Some(acteur.id), &stamp)
        })?;
        let compte = store
            .utilisateur(r.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Utilisateur introuvable."))?;
        drop(store);
        self.session().echecs.remove(&r.id);
        tracing::info!(user = r.id, "password reset by the admin");
        Ok(compte.into())
    }

    pub fn compte_creer(&self, saisie: CompteSaisie) -> Result<CompteDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let hash = hacher(saisie.mot_de_passe.as_deref().unwrap_or(""))?;
        let nouveau = saisie.nouveau()?;
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        let id = store.write(|tx| {
            utilisateur::creer(
                tx,
                &nouveau,
                saisie.est_admin,
                Some(&hash),
                Some(acteur.id),
                &stamp,
            )
        })?;
        store
            .utilisateur(id)?
            .map(CompteDto::from)
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Utilisateur introuvable."))
    }

    pub fn compte_modifier(&self, m: CompteModification) -> Result<CompteDto, ApiError> {
        let acteur = self.acteur(Besoin::Admin)?;
        let hash = m.compte.mot_de_passe.as_deref().map(hacher).transpose()?;
        let nouveau = m.compte.nouveau()?;
        let stamp = self.clock.now_utc_text();
        let mut store = self.store();
        store.write(|tx| {
            if let Some(hash) = &hash {
                utilisateur::definir_mot_de_passe(tx, m.id, hash, Some(acteur.id), &stamp)?;
            }
            utilisateur::modifier(
                tx,
                m.id,
                &nouveau,
                m.compte.est_admin,
                m.actif,
                acteur.id,
                &stamp,
            )
        })?;
        let compte = store
            .utilisateur(m.id)?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "Utilisateur introuvable."))?;
        drop(store);
        // The logged-in user sees its own new name and rights at once.
        if let Some(c) = self.session().connecte.as_mut()
            && c.utilisateur.id == compte.id
        {
            c.utilisateur = compte.clone();
        }
        Ok(compte.into())
    }

    /// Changes the logged-in user's own password (the old one is asked).
    pub fn mot_de_passe_changer(&self, c: ChangementMotDePasse) -> Result<SessionDto, ApiError> {
        let acteur = self.acteur(Besoin::Connecte)?;
        let actuel = self.store().mot_de_passe(acteur.id)?.unwrap_or_default();
        if !verifier(c.ancien.as_deref().unwrap_or(""), &actuel) {
            return Err(ApiError {
                field: Some("ancien".to_owned()),
                ..erreur(
                    ErrorCode::Validation,
                    "L'ancien mot de passe est incorrect.",
                )
            });
        }
        let hash = hacher(&c.nouveau)?;
        let stamp = self.clock.now_utc_text();
        self.store().write(|tx| {
            utilisateur::definir_mot_de_passe(tx, acteur.id, &hash, Some(acteur.id), &stamp)
        })?;
        self.session_status()
    }
}

/// The wire types of this module, for the generated TypeScript file.
pub fn ts_decls(cfg: &ts_rs::Config) -> Vec<String> {
    use ts_rs::TS;
    vec![
        CompteDto::decl(cfg),
        SessionDto::decl(cfg),
        Connexion::decl(cfg),
        Deverrouillage::decl(cfg),
        CompteSaisie::decl(cfg),
        CompteModification::decl(cfg),
        ChangementMotDePasse::decl(cfg),
        MotDePasseReinitialisation::decl(cfg),
    ]
}
