//! appligarde-rpps: reads the national RPPS extract the URML gives every MMG
//! (`PS_LibreAcces_Personne_activite`, about 2.2 million lines, one per activity) and says what a
//! re-import changes.
//!
//! - [`RppsReader`] streams the file one [`ActiviteRpps`] at a time, in flat memory, by header
//!   name (52- and 56-column layouts), UTF-8 or Latin-1 ([`TextEncoding`]), LF or CRLF, with a
//!   [`Filtre`] on profession and département. Malformed lines never stop the import: they are
//!   counted in the [`ImportReport`] with their line numbers. [`RppsReader::bytes_read`] drives a
//!   progress bar.
//! - [`group_practitioners`] turns activities into [`Praticien`]s with their [`Site`]s, in memory.
//!   For the national file the store does the same grouping by upserting the person by `rpps` and
//!   each site by `(rpps, site_key)`.
//! - [`site_key`], [`site_fingerprint`], [`person_fingerprint`] and [`PractitionerFingerprints`]
//!   are stable hashes (stored by the store); [`diff`] counts added / changed / unchanged / removed
//!   practitioners between two imports. Removed practitioners are kept by the store, marked
//!   inactive, never deleted.
//! - [`bench_support::generate_national_file`] writes a synthetic national file for benchmarks.
//!
//! ```
//! use std::collections::HashMap;
//! use appligarde_rpps::{Filtre, PractitionerFingerprints, RppsReader, diff};
//! use appligarde_rpps::bench_support::generate_national_file;
//!
//! let mut file = Vec::new(); // in the app: RppsReader::open(path, filtre)
//! generate_national_file(&mut file, 200, 7)?;
//! let filtre = Filtre { professions: Some(vec!["10".into()]), departements: None };
//! let mut reader = RppsReader::with_filter(file.as_slice(), filtre)?;
//! let mut fingerprints = PractitionerFingerprints::new();
//! for activite in reader.by_ref() {
//!     let activite = activite?; // Err only when reading fails
//!     assert_eq!(activite.profession.code, "10");
//!     fingerprints.add(&activite);
//! }
//! println!("{}", reader.report()); // French summary, malformed lines by number
//! let previous: HashMap<String, u64> = HashMap::new(); // saved by the store
//! let counts = diff(&previous, fingerprints.as_map());
//! assert_eq!(counts.added, fingerprints.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Must not depend on: the store, SQLite, the UI or any IO beyond `std::io` readers and writers.
//! Depends only on `appligarde-domain` (for the RPPS Luhn check) and `thiserror`.
//!
//! How to add to it: a new column is a variant of `columns::Column` (label, required or not), a
//! field in [`ActiviteRpps`] or [`Site`] filled in `reader.rs`, and, if it is content a re-import
//! should notice, a field in the matching fingerprint (then bump [`FINGERPRINT_VERSION`]). Every
//! message a user can read is French; the code never panics on the file's content.

pub mod bench_support;
mod columns;
mod encoding;
mod error;
mod fingerprint;
mod praticien;
mod reader;
mod record;

pub use encoding::TextEncoding;
pub use error::RppsError;
pub use fingerprint::{
    DiffCounts, DiffDetail, FINGERPRINT_VERSION, PractitionerFingerprints, activity_fingerprint,
    diff, diff_detail, person_fingerprint, site_fingerprint, site_key,
};
pub use praticien::{Praticien, SAVOIR_FAIRE_MEDECINE_GENERALE, group_practitioners};
pub use reader::{
    Filtre, ImportReport, Layout, MAX_LINE_BYTES, MAX_REPORTED_LINES, MalformedLine,
    MalformedReason, RppsReader,
};
pub use record::{ActiviteRpps, Adresse, CodeLibelle, Site};
