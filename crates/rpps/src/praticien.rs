//! Practitioners grouped from activities, in memory: a [`Praticien`] with its [`Site`]s, one per
//! [`site_key`].

use std::collections::BTreeMap;

use crate::fingerprint::site_key;
use crate::record::{ActiviteRpps, CodeLibelle, Site};

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
