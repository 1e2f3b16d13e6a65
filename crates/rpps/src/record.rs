//! What one line of the extract says (an activity), and practitioners grouped from activities.

use std::collections::BTreeMap;

use crate::fingerprint::site_key;

/// A code and its label as the RPPS gives them (`SM54` / `Médecine générale`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CodeLibelle {
    /// The code (`10`, `SM54`, `DR`...); empty when the file leaves it blank.
    pub code: String,
    /// The label in French, as written in the file.
    pub libelle: String,
}

impl CodeLibelle {
    /// True when both the code and the label are blank.
    pub fn is_empty(&self) -> bool {
        self.code.is_empty() && self.libelle.is_empty()
    }
}

/// The postal address of a site, in the parts of the RPPS file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Adresse {
    /// `Numéro Voie`.
    pub numero_voie: String,
    /// `Indice répétition voie` (B for bis, T for ter...).
    pub indice_repetition: String,
    /// `Code type de voie` / `Libellé type de voie` (R / Rue, AV / Avenue...).
    pub type_voie: CodeLibelle,
    /// `Libellé Voie`.
    pub libelle_voie: String,
    /// `Complément destinataire`.
    pub complement_destinataire: String,
    /// `Complément point géographique`.
    pub complement_point_geo: String,
    /// `Mention distribution` (BP, lieu-dit...).
    pub mention_distribution: String,
    /// `Bureau cedex` (postcode and office, e.g. `44150 ANCENIS-SAINT-GEREON`).
    pub bureau_cedex: String,
    /// `Code postal`.
    pub code_postal: String,
    /// `Code commune`: the INSEE code of the commune.
    pub code_commune: String,
    /// `Libellé commune`.
    pub libelle_commune: String,
}

/// Where and how a practitioner works: the per-activity part of a line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Site {
    /// `Code savoir-faire` / `Libellé savoir-faire` (SM54 = médecine générale).
    pub savoir_faire: CodeLibelle,
    /// `Code mode exercice` / `Libellé mode exercice` (L libéral, S salarié, B bénévole).
    pub mode_exercice: CodeLibelle,
    /// `Code fonction` / `Libellé fonction` (newer 56-column layout only; empty otherwise).
    pub fonction: CodeLibelle,
    /// `Identifiant technique de la structure` (empty if the column is absent).
    pub identifiant_structure: String,
    /// `Numéro SIRET site` (empty if the column is absent).
    pub siret: String,
    /// `Numéro FINESS site`.
    pub finess: String,
    /// `Raison sociale site`.
    pub raison_sociale: String,
    /// `Enseigne commerciale site`.
    pub enseigne: String,
    /// The structure's postal address.
    pub adresse: Adresse,
    /// `Téléphone`.
    pub telephone: String,
    /// `Téléphone 2`.
    pub telephone2: String,
    /// `Télécopie`.
    pub telecopie: String,
    /// `Adresse e-mail`.
    pub email: String,
    /// `Code Département (structure)` / `Libellé Département (structure)`.
    pub departement: CodeLibelle,
}

/// One line of `PS_LibreAcces_Personne_activite`: one activity of one practitioner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActiviteRpps {
    /// Line number in the file (1 is the header), to point at the line in messages.
    pub ligne: u64,
    /// `Type d'identifiant PP` (8 = RPPS).
    pub type_identifiant: String,
    /// The RPPS number (`Identifiant PP`): 11 digits with a valid Luhn key, checked.
    pub rpps: String,
    /// `Identification nationale PP` (the type followed by the identifier, e.g. `8` + RPPS).
    pub identification_nationale: String,
    /// `Code civilité d'exercice` / `Libellé civilité d'exercice` (DR / Docteur; often blank).
    pub civilite: CodeLibelle,
    /// `Nom d'exercice`.
    pub nom: String,
    /// `Prénom d'exercice`.
    pub prenom: String,
    /// `Code profession` / `Libellé profession` (10 = Médecin).
    pub profession: CodeLibelle,
    /// The site of this activity.
    pub site: Site,
}

/// A practitioner with all the sites of their activities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Praticien {
    /// RPPS number.
    pub rpps: String,
    /// Family name used in practice.
    pub nom: String,
    /// First name used in practice.
    pub prenom: String,
    /// Title used in practice (DR / Docteur), often blank for non-doctors.
    pub civilite: CodeLibelle,
    /// Profession (10 = Médecin).
    pub profession: CodeLibelle,
    /// The practitioner's specialty, chosen among the savoir-faire of their activities (which the
    /// file gives per line): SM54 (médecine générale) when any activity has it, otherwise the
    /// smallest non-blank code, so that the choice does not depend on the order of the lines.
    pub specialite: Option<CodeLibelle>,
    /// The sites, one per distinct [`site_key`], sorted by that key.
    pub sites: Vec<Site>,
}

/// The savoir-faire code of general practice.
pub const SAVOIR_FAIRE_MEDECINE_GENERALE: &str = "SM54";

/// Groups activities into practitioners, in memory.
///
/// Lines of one practitioner need not be adjacent. Person fields come from the first line seen;
/// two activities with the same [`site_key`] are one site (the first line seen wins). The result
/// is sorted by RPPS number and does not depend on the order of the input.
///
/// This holds every practitioner in memory: fine for a département, not for the national file.
/// For that, the store upserts the person keyed by `rpps` and each site keyed by
/// `(rpps, site_key)` as the lines stream by, which gives the same grouping.
pub fn group_practitioners(activites: impl IntoIterator<Item = ActiviteRpps>) -> Vec<Praticien> {
    let mut by_rpps: BTreeMap<String, (Praticien, BTreeMap<u64, Site>)> = BTreeMap::new();
    for a in activites {
        let key = site_key(&a.site);
        let entry = by_rpps.entry(a.rpps.clone()).or_insert_with(|| {
            (
                Praticien {
                    rpps: a.rpps.clone(),
                    nom: a.nom.clone(),
                    prenom: a.prenom.clone(),
                    civilite: a.civilite.clone(),
                    profession: a.profession.clone(),
                    specialite: None,
                    sites: Vec::new(),
                },
                BTreeMap::new(),
            )
        });
        if !a.site.savoir_faire.code.is_empty() {
            let better = match &entry.0.specialite {
                None => true,
                Some(current) => specialty_rank(&a.site.savoir_faire) < specialty_rank(current),
            };
            if better {
                entry.0.specialite = Some(a.site.savoir_faire.clone());
            }
        }
        entry.1.entry(key).or_insert(a.site);
    }
    by_rpps
        .into_values()
        .map(|(mut p, sites)| {
            p.sites = sites.into_values().collect();
            p
        })
        .collect()
}

/// Orders savoir-faire for the choice of a specialty: SM54 first, then by code, then by label.
fn specialty_rank(sf: &CodeLibelle) -> (bool, &str, &str) {
    (
        sf.code != SAVOIR_FAIRE_MEDECINE_GENERALE,
        sf.code.as_str(),
        sf.libelle.as_str(),
    )
}
