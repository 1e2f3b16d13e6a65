//! The MMG's own entries of the annuaire (`annuaire_local`): hospitals, pharmacies, specialists...,
//! their validation rule, and their entry in the search index (rowid: minus their id).

use appligarde_domain::{DomainError, luhn, mmg::is_departement};
use rusqlite::{OptionalExtension, Transaction, params};

use super::index::{INSERT_INDEX, IndexBuffers, IndexEntry, write_counts};
use super::texte::fold;
use crate::{Store, StoreError};

/// What a local entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeLocal {
    Hopital,
    Urgences,
    Pharmacie,
    Laboratoire,
    Specialiste,
    Autre,
}

impl TypeLocal {
    pub const ALL: [TypeLocal; 6] = [
        TypeLocal::Hopital,
        TypeLocal::Urgences,
        TypeLocal::Pharmacie,
        TypeLocal::Laboratoire,
        TypeLocal::Specialiste,
        TypeLocal::Autre,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TypeLocal::Hopital => "hopital",
            TypeLocal::Urgences => "urgences",
            TypeLocal::Pharmacie => "pharmacie",
            TypeLocal::Laboratoire => "laboratoire",
            TypeLocal::Specialiste => "specialiste",
            TypeLocal::Autre => "autre",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The French label, also indexed so that « pharmacie » finds pharmacies.
    pub fn libelle(self) -> &'static str {
        match self {
            TypeLocal::Hopital => "Hôpital",
            TypeLocal::Urgences => "Urgences",
            TypeLocal::Pharmacie => "Pharmacie",
            TypeLocal::Laboratoire => "Laboratoire",
            TypeLocal::Specialiste => "Spécialiste",
            TypeLocal::Autre => "Autre",
        }
    }
}

/// An entry the MMG adds itself. `id` is `None` for a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntreeLocale {
    pub id: Option<i64>,
    pub type_: TypeLocal,
    pub nom: String,
    pub prenom: String,
    pub rpps: Option<String>,
    pub specialite: String,
    pub adresse: String,
    pub code_postal: String,
    pub commune: String,
    pub departement: String,
    pub telephone: String,
    pub fax: String,
    pub email: String,
    pub mssante: String,
    pub notes: String,
    pub actif: bool,
}

impl EntreeLocale {
    /// Trims every field and upper-cases the département.
    pub fn normalized(&self) -> Self {
        let t = |s: &str| s.trim().to_owned();
        Self {
            id: self.id,
            type_: self.type_,
            nom: t(&self.nom),
            prenom: t(&self.prenom),
            rpps: self
                .rpps
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            specialite: t(&self.specialite),
            adresse: t(&self.adresse),
            code_postal: t(&self.code_postal),
            commune: t(&self.commune),
            departement: t(&self.departement).to_uppercase(),
            telephone: t(&self.telephone),
            fax: t(&self.fax),
            email: t(&self.email),
            mssante: t(&self.mssante).to_lowercase(),
            notes: t(&self.notes),
            actif: self.actif,
        }
    }

    /// Every broken rule, by field (French messages).
    pub fn validate(&self) -> Result<(), Vec<DomainError>> {
        let mut errors = Vec::new();
        if self.nom.trim().is_empty() {
            errors.push(DomainError::field(
                "nom",
                "Le nom est obligatoire (nom du praticien ou de l'établissement).",
            ));
        }
        if let Some(rpps) = self
            .rpps
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            && !luhn::is_valid_rpps(rpps)
        {
            errors.push(DomainError::field(
                "rpps",
                "Le numéro RPPS doit comporter 11 chiffres et sa clé de contrôle doit être juste.",
            ));
        }
        let cp = self.code_postal.trim();
        let cp_ok = cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit());
        if !cp.is_empty() && !cp_ok {
            errors.push(DomainError::field(
                "code_postal",
                "Le code postal doit comporter 5 chiffres.",
            ));
        }
        let dep = self.departement.trim().to_uppercase();
        if !dep.is_empty() && !is_departement(&dep) {
            errors.push(DomainError::field(
                "departement",
                "Le département doit être un code de département français (44, 2A, 974...).",
            ));
        }
        for (field, value, what) in [
            ("telephone", &self.telephone, "Le numéro de téléphone"),
            ("fax", &self.fax, "Le numéro de fax"),
        ] {
            let digits = value.chars().filter(char::is_ascii_digit).count();
            let allowed = value
                .chars()
                .all(|c| c.is_ascii_digit() || " .-+()".contains(c));
            if !value.trim().is_empty() && (!allowed || !(10..=15).contains(&digits)) {
                errors.push(DomainError::field(
                    field,
                    format!("{what} doit comporter 10 chiffres (par exemple 02 40 00 00 00)."),
                ));
            }
        }
        let email = self.email.trim();
        if !email.is_empty() && !looks_like_email(email) {
            errors.push(DomainError::field(
                "email",
                "L'adresse e-mail n'est pas valide (exemple : accueil@clinique.fr).",
            ));
        }
        let mss = self.mssante.trim().to_lowercase();
        let mss_ok = looks_like_email(&mss) && mss.ends_with("mssante.fr");
        if !mss.is_empty() && !mss_ok {
            errors.push(DomainError::field(
                "mssante",
                "L'adresse MSSanté doit être une adresse de messagerie sécurisée de santé, se terminant par « mssante.fr » (exemple : prenom.nom@medecin.mssante.fr).",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

pub(super) const LOCAL_COLUMNS: &str =
    "id, type, nom, prenom, rpps, specialite, adresse, code_postal, commune,
    departement, telephone, fax, email, mssante, notes, actif";

pub(super) fn local_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntreeLocale> {
    let type_: String = r.get(1)?;
    Ok(EntreeLocale {
        id: r.get(0)?,
        type_: TypeLocal::from_code(&type_).unwrap_or(TypeLocal::Autre),
        nom: r.get(2)?,
        prenom: r.get(3)?,
        rpps: r.get(4)?,
        specialite: r.get(5)?,
        adresse: r.get(6)?,
        code_postal: r.get(7)?,
        commune: r.get(8)?,
        departement: r.get(9)?,
        telephone: r.get(10)?,
        fax: r.get(11)?,
        email: r.get(12)?,
        mssante: r.get(13)?,
        notes: r.get(14)?,
        actif: r.get(15)?,
    })
}

/// Creates or updates a local entry (validated) and its search index entry; returns it as saved.
pub fn save_entree_locale(
    tx: &Transaction<'_>,
    entree: &EntreeLocale,
    now: &str,
) -> Result<EntreeLocale, StoreError> {
    let e = entree.normalized();
    if let Err(mut errors) = e.validate() {
        return Err(errors.remove(0).into());
    }
    let values = params![
        e.type_.code(),
        e.nom,
        e.prenom,
        e.rpps,
        e.specialite,
        e.adresse,
        e.code_postal,
        e.commune,
        e.departement,
        e.telephone,
        e.fax,
        e.email,
        e.mssante,
        e.notes,
        e.actif,
        now,
    ];
    let id = match e.id {
        None => {
            tx.execute(
                "INSERT INTO annuaire_local (type, nom, prenom, rpps, specialite, adresse,
                     code_postal, commune, departement, telephone, fax, email, mssante, notes,
                     actif, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)",
                values,
            )?;
            tx.last_insert_rowid()
        }
        Some(id) => {
            let n = tx.execute(
                &format!(
                    "UPDATE annuaire_local SET type = ?1, nom = ?2, prenom = ?3, rpps = ?4,
                         specialite = ?5, adresse = ?6, code_postal = ?7, commune = ?8,
                         departement = ?9, telephone = ?10, fax = ?11, email = ?12,
                         mssante = ?13, notes = ?14, actif = ?15, updated_at = ?16
                     WHERE id = {id}"
                ),
                values,
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("entrée {id} de l'annuaire")));
            }
            tx.execute("DELETE FROM annuaire_recherche WHERE rowid = ?1", [-id])?;
            id
        }
    };
    if e.actif {
        let mut insert = tx.prepare(INSERT_INDEX)?;
        let mut buffers = IndexBuffers::default();
        IndexEntry {
            nom: e.nom.clone(),
            prenom: format!("{} {}", e.prenom, e.specialite),
            libelles: fold(e.type_.libelle()),
            codes: vec![format!("t{}", e.type_.code())],
            sites: vec![(e.commune.clone(), e.departement.clone())],
        }
        .insert(&mut insert, -id, &mut buffers)?;
        write_counts(tx, buffers.counts)?;
    }
    Ok(EntreeLocale { id: Some(id), ..e })
}

impl Store {
    /// A local entry by id.
    pub fn entree_locale(&self, id: i64) -> Result<Option<EntreeLocale>, StoreError> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {LOCAL_COLUMNS} FROM annuaire_local WHERE id = ?1"),
                [id],
                local_from_row,
            )
            .optional()?)
    }
}
