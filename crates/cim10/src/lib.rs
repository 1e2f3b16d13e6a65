//! appligarde-cim10: the CIM-10 FR code set and the diagnosis search of Appligarde.
//!
//! **What it is for.** A GP at the garde types `otite moy`, `GEA`, `rhinopharingite` or `j06.9`
//! and must see the right code in the first five, in well under a frame. This crate holds the
//! code set (the CIM-10 FR 2021 is embedded, compressed, in `data/`), reads the yearly ATIH file
//! `LIBCIM10MULTI.TXT` or its CSV form into a new [`CodeSet`], and searches it through an
//! in-memory index built at load ([`CodeSet::search`]).
//!
//! **What it must not depend on.** No IO at run time (the data is embedded; parsing takes bytes),
//! no database, no other Appligarde crate, no `tauri`. Usage counts of the MMG (favourites,
//! recent codes) live in the store crate and come in through [`SearchContext`].
//!
//! **How to add to it.**
//! * A GP word or acronym that the labels do not contain: add a line to `data/synonymes.tsv`
//!   (its header explains the format), then a line to `tests/queries.tsv` that proves it.
//! * A new yearly code set: `cargo run -p appligarde-cim10 --example convert -- <csv>` rewrites
//!   `data/cim10fr_2021.tsv.z` (see `data/README.md`); at run time a set can also be parsed from
//!   the ATIH file with [`parse_atih_multi`].
//! * A search behaviour: write the failing query in `tests/queries.tsv` first; ranking rules are
//!   described at the top of `src/search.rs`.
//!
//! ```
//! use appligarde_cim10::{CodeSet, SearchContext};
//! let set = CodeSet::embedded().expect("embedded CIM-10");
//! let hits = set.search("otite moy", &SearchContext::new(), 5);
//! assert!(hits.iter().any(|h| h.code == "H66.9"));
//! ```

mod context;
mod fuzzy;
mod index;
mod normalize;
mod scratch;
mod search;
mod set;
mod source;
mod synonyms;

pub use context::SearchContext;
pub use search::{Hit, Section};
pub use set::{Code, CodeSet, display_code, parse_atih_multi, parse_csv};
pub use source::{Block, Chapter};
pub use synonyms::{Expansion, Synonym, Synonyms};

/// Everything that can go wrong; every message is French and tells what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Cim10Error {
    /// A line of an imported file is malformed.
    #[error(
        "Fichier CIM-10, ligne {line} : {reason}. Vérifiez que le fichier est bien celui publié par l'ATIH."
    )]
    InvalidLine { line: usize, reason: String },
    /// The CSV header lacks a needed column.
    #[error("Fichier CIM-10 (CSV) : la colonne « {missing} » manque dans l'en-tête.")]
    CsvHeader { missing: String },
    /// The file holds no code.
    #[error(
        "Le fichier CIM-10 ne contient aucun code : vérifiez qu'il s'agit bien de LIBCIM10MULTI.TXT ou de sa forme CSV."
    )]
    Empty,
    /// The same code appears twice.
    #[error(
        "Le code {code} apparaît deux fois dans le fichier CIM-10 (lignes {first} et {second}) : le fichier est incohérent."
    )]
    DuplicateCode {
        code: String,
        first: usize,
        second: usize,
    },
    /// A line of the synonym table is malformed.
    #[error("Table des synonymes CIM-10, ligne {line} : {reason}.")]
    Synonym { line: usize, reason: String },
    /// The data built into the program cannot be read (a broken build).
    #[error(
        "Les données CIM-10 intégrées au programme sont illisibles ({0}) : réinstallez Appligarde."
    )]
    Embedded(String),
    /// The file is too large to be a CIM-10.
    #[error(
        "Le fichier CIM-10 est trop volumineux (plus de 4 Go) : ce n'est pas un fichier de l'ATIH."
    )]
    TooLarge,
}
