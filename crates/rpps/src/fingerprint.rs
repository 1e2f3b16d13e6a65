//! Stable keys and fingerprints, so that a re-import can tell added, changed, unchanged and
//! removed practitioners without keeping the previous file.
//!
//! The hashes are FNV-1a 64 over the fields (each followed by a 0xFF byte, which never occurs in
//! UTF-8, so field boundaries are unambiguous), then mixed by the SplitMix64 finalizer. They are
//! computed here, by hand, because they are **stored** by the store: they must give the same value
//! on every platform and every Rust release (std's `Hasher`s promise neither). Changing any of them
//! (fields, order, algorithm) makes every practitioner look changed on the next import: bump
//! [`FINGERPRINT_VERSION`] when doing so, and let the store recompute.
//!
//! A `u64` does not fit SQLite's signed INTEGER: store it as `i64` with `as` (a bijection).

use std::collections::HashMap;
use std::hash::BuildHasher;

use crate::record::{ActiviteRpps, CodeLibelle, Site};

/// Version of the fingerprint and site-key definitions; the store keeps it beside the values.
pub const FINGERPRINT_VERSION: u32 = 1;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const FIELD_END: u8 = 0xFF;

/// FNV-1a over fields, each terminated by [`FIELD_END`].
#[derive(Debug, Clone, Copy)]
struct StableHasher(u64);

impl StableHasher {
    fn new(domain: &str) -> Self {
        let mut h = Self(FNV_OFFSET);
        h.field(domain);
        h
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn field(&mut self, s: impl AsRef<str>) -> &mut Self {
        self.bytes(s.as_ref().as_bytes());
        self.bytes(&[FIELD_END]);
        self
    }

    fn code_libelle<S: AsRef<str>>(&mut self, cl: &CodeLibelle<S>) -> &mut Self {
        self.field(&cl.code).field(&cl.libelle)
    }

    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// SplitMix64 finalizer: spreads FNV's weak low bits over the whole word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Deterministic key of a site, from the fields that identify the structure rather than describe
/// it, so that a change of phone or e-mail is a *changed* site, not a removed one plus a new one.
///
/// In order of preference: the `Identifiant technique de la structure`; else the SIRET; else the
/// FINESS; else the name, commune and street address. The store keys a site by `(rpps, site_key)`.
pub fn site_key<S: AsRef<str>>(site: &Site<S>) -> u64 {
    let mut h;
    if !site.identifiant_structure.as_ref().is_empty() {
        h = StableHasher::new("site:structure");
        h.field(&site.identifiant_structure);
    } else if !site.siret.as_ref().is_empty() {
        h = StableHasher::new("site:siret");
        h.field(&site.siret);
    } else if !site.finess.as_ref().is_empty() {
        h = StableHasher::new("site:finess");
        h.field(&site.finess);
    } else {
        h = StableHasher::new("site:adresse");
        let a = &site.adresse;
        h.field(&site.raison_sociale)
            .field(&a.code_commune)
            .field(&a.code_postal)
            .field(&a.numero_voie)
            .field(&a.indice_repetition)
            .field(&a.libelle_voie);
    }
    h.finish()
}

/// Fingerprint of everything a site says (identity, address, contact, savoir-faire, mode).
pub fn site_fingerprint<S: AsRef<str>>(site: &Site<S>) -> u64 {
    let a = &site.adresse;
    let mut h = StableHasher::new("site:v1");
    h.code_libelle(&site.savoir_faire)
        .code_libelle(&site.mode_exercice)
        .code_libelle(&site.fonction)
        .field(&site.identifiant_structure)
        .field(&site.siret)
        .field(&site.finess)
        .field(&site.raison_sociale)
        .field(&site.enseigne)
        .field(&a.numero_voie)
        .field(&a.indice_repetition)
        .code_libelle(&a.type_voie)
        .field(&a.libelle_voie)
        .field(&a.complement_destinataire)
        .field(&a.complement_point_geo)
        .field(&a.mention_distribution)
        .field(&a.bureau_cedex)
        .field(&a.code_postal)
        .field(&a.code_commune)
        .field(&a.libelle_commune)
        .field(&site.telephone)
        .field(&site.telephone2)
        .field(&site.telecopie)
        .field(&site.email)
        .code_libelle(&site.departement);
    h.finish()
}

/// Fingerprint of the person part of a line (identifiers, title, names, profession).
pub fn person_fingerprint<S: AsRef<str>>(a: &ActiviteRpps<S>) -> u64 {
    let mut h = StableHasher::new("person:v1");
    h.field(&a.type_identifiant)
        .field(&a.rpps)
        .field(&a.identification_nationale)
        .code_libelle(&a.civilite)
        .field(&a.nom)
        .field(&a.prenom)
        .code_libelle(&a.profession);
    h.finish()
}

/// Fingerprint of one whole line (person and site).
pub fn activity_fingerprint<S: AsRef<str>>(a: &ActiviteRpps<S>) -> u64 {
    let mut h = StableHasher::new("activity:v1");
    h.bytes(&person_fingerprint(a).to_le_bytes());
    h.bytes(&site_fingerprint(&a.site).to_le_bytes());
    h.finish()
}

/// Builds `rpps -> fingerprint` over a stream of activities, whatever their order.
///
/// A practitioner's fingerprint is the wrapping sum of the fingerprints of their lines: it does not
/// depend on the order of the lines nor on their adjacency, and it changes when any line of the
/// practitioner changes, appears or disappears. Memory: one entry per practitioner.
#[derive(Debug, Clone, Default)]
pub struct PractitionerFingerprints {
    map: HashMap<String, u64>,
}

impl PractitionerFingerprints {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one activity to its practitioner's fingerprint.
    pub fn add(&mut self, a: &ActiviteRpps) {
        let fp = activity_fingerprint(a);
        if let Some(v) = self.map.get_mut(a.rpps.as_str()) {
            *v = v.wrapping_add(fp);
        } else {
            self.map.insert(a.rpps.clone(), fp);
        }
    }

    /// Number of practitioners seen.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no activity was added.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The `rpps -> fingerprint` map, for [`diff`] or for the store to save.
    pub fn into_map(self) -> HashMap<String, u64> {
        self.map
    }

    /// Borrows the map.
    pub fn as_map(&self) -> &HashMap<String, u64> {
        &self.map
    }
}

/// What a re-import changes, counted per practitioner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffCounts {
    /// In the new file only.
    pub added: usize,
    /// In both, with a different fingerprint.
    pub changed: usize,
    /// In both, with the same fingerprint.
    pub unchanged: usize,
    /// In the previous import only. The store keeps them, marked inactive (a correspondent
    /// referenced by past letters must still resolve); it does not delete them.
    pub removed: usize,
}

/// The RPPS numbers behind [`DiffCounts`], each list sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffDetail {
    /// In the new file only.
    pub added: Vec<String>,
    /// In both, with a different fingerprint.
    pub changed: Vec<String>,
    /// In the previous import only: to mark inactive, not to delete.
    pub removed: Vec<String>,
}

/// Counts added, changed, unchanged and removed practitioners between the fingerprints of the
/// previous import (`old`, as saved by the store) and of the new file (`new`). Pure.
pub fn diff<S1: BuildHasher, S2: BuildHasher>(
    old: &HashMap<String, u64, S1>,
    new: &HashMap<String, u64, S2>,
) -> DiffCounts {
    let mut counts = DiffCounts::default();
    for (rpps, fp) in new {
        match old.get(rpps) {
            None => counts.added += 1,
            Some(prev) if prev == fp => counts.unchanged += 1,
            Some(_) => counts.changed += 1,
        }
    }
    counts.removed = old.keys().filter(|k| !new.contains_key(*k)).count();
    counts
}

/// Like [`diff`], with the RPPS numbers of each kind (unchanged ones are not listed).
pub fn diff_detail<S1: BuildHasher, S2: BuildHasher>(
    old: &HashMap<String, u64, S1>,
    new: &HashMap<String, u64, S2>,
) -> DiffDetail {
    let mut d = DiffDetail::default();
    for (rpps, fp) in new {
        match old.get(rpps) {
            None => d.added.push(rpps.clone()),
            Some(prev) if prev == fp => {}
            Some(_) => d.changed.push(rpps.clone()),
        }
    }
    d.removed = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    d.added.sort_unstable();
    d.changed.sort_unstable();
    d.removed.sort_unstable();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Adresse;

    #[test]
    fn fnv1a_matches_the_published_test_vector() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (Fowler/Noll/Vo reference vectors): the stored
        // hashes rest on this exact algorithm.
        let mut h = StableHasher(FNV_OFFSET);
        h.bytes(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn field_boundaries_matter() {
        // "ab" + "c" and "a" + "bc" are different sites: the field terminator must separate them.
        let site = |name: &str, commune: &str| -> Site {
            Site {
                raison_sociale: name.into(),
                adresse: Adresse {
                    code_commune: commune.into(),
                    ..Adresse::default()
                },
                ..Site::default()
            }
        };
        let (s1, s2) = (site("ab", "c"), site("a", "bc"));
        assert_ne!(site_key(&s1), site_key(&s2));
        assert_ne!(site_fingerprint(&s1), site_fingerprint(&s2));
    }

    #[test]
    fn site_key_ignores_contact_changes_but_fingerprint_does_not() {
        let s: Site = Site {
            identifiant_structure: "R123".into(),
            telephone: "0240000000".into(),
            ..Site::default()
        };
        let t = Site {
            telephone: "0240000001".into(),
            ..s.clone()
        };
        assert_eq!(site_key(&s), site_key(&t), "same structure, same key");
        assert_ne!(
            site_fingerprint(&s),
            site_fingerprint(&t),
            "content changed"
        );
    }

    #[test]
    fn diff_counts_each_kind() {
        let old: HashMap<String, u64> = [("a", 1), ("b", 2), ("c", 3)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let new: HashMap<String, u64> = [("a", 1), ("b", 20), ("d", 4), ("e", 5)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let expected = DiffCounts {
            added: 2,
            changed: 1,
            unchanged: 1,
            removed: 1,
        };
        assert_eq!(diff(&old, &new), expected);
        let d = diff_detail(&old, &new);
        assert_eq!(d.added, ["d", "e"]);
        assert_eq!(d.changed, ["b"]);
        assert_eq!(d.removed, ["c"]);
    }
}
