//! The annuaire des correspondants: practitioners imported from the national RPPS extract (tables
//! `praticien` and `praticien_site`), the MMG's own entries (`annuaire_local`), the search index
//! over both (`annuaire_recherche`, FTS5) and the history of imports (`import_rpps`).
//!
//! # Import
//! [`Store::import_rpps`](crate::Store::import_rpps) streams the file through [`appligarde_rpps::RppsReader`] and writes it in
//! ONE transaction: a failure at any point (unreadable header, read error in the middle) leaves the
//! annuaire as it was, and the failed attempt is recorded in `import_rpps`. Memory does not grow
//! with the file: nothing is kept per practitioner in memory; the diff is made in SQL. The file
//! is parsed on a second thread (with the fingerprints and address lines), handed over by lots of
//! `LOT` lines through a queue of four: the writing thread, the slower one, never waits for the
//! parser, and memory stays bounded. A lot keeps the fields the writer stores in one text, read
//! from the reader's buffer without a string per field ([`appligarde_rpps::RppsReader::next_borrowed`]), and goes
//! back to the parser to be filled again: no allocation per line on either thread.
//!
//! - Each line upserts its practitioner by `rpps` and its site by `(rpps, site_key)`, stamping them
//!   with the import id (`vu_import_id`). The practitioner accumulates, in `empreinte_import`, the
//!   order-independent sum of the parser's activity fingerprints; at the end it is compared with
//!   the sum of the previous import (`empreinte`): equal means unchanged, so the search index of
//!   that practitioner is left alone.
//! - Rows the import did not see, within the import's filter only (a file filtered on 44 says
//!   nothing about 72), are marked inactive, never deleted: a site by its département and the
//!   practitioner's profession; a practitioner when no active site is left.
//!
//! # Search
//! [`Store::annuaire_search`](crate::Store::annuaire_search) never asks FTS5 for a prefix: FTS5 gathers every entry of every key
//! a prefix matches before returning the first one, which costs tens of milliseconds for « ma »
//! in the whole country. Instead:
//! - the index holds typed keys (`n<name>`, `x<word>`, codes, and the same within each
//!   département: `d44nmartin`), see the migration `0002_annuaire.sql`;
//! - each word typed is looked up in `annuaire_mot` (a B-tree range) and becomes the few most
//!   frequent whole keys it starts, which FTS5 reads lazily and stops reading at the limit;
//! - up to six tiers run in order until enough entries are found: names starting with the first
//!   word in the MMG's département, any field in the département, every askable word in the
//!   département, then the same in the country;
//! - a word whose keys are too frequent to help (« le », one letter) is checked on the folded
//!   text of the entries the other words found, at most `TIER_SCAN_CAP` of them per tier;
//! - codes (specialties) are national keys: within the département they are ANDed with the
//!   département's key only when no other word of the tier already holds the entry to it (that
//!   key's list is long and slows the AND down tenfold);
//! - an entry has one name key per scope, so in the « name first » tiers the other words' names
//!   that are not the head's are left out: « julien roy » does not AND the names Julien and Roy
//!   (an empty AND that FTS5 finds only by walking both lists);
//! - the whole search runs in one read transaction (one lock, not one per statement) and its
//!   statements never bind a LIMIT or a LIKE pattern (either makes SQLite prepare them again).
//!
//! What a search costs is mostly the pages it reads for the first time: SQLCipher decrypts each
//! one, read from disk when the system has evicted it. So an import merges the index into one
//! segment at its end (FTS5 `optimize`, incremental merging off meanwhile): a key is one leaf of
//! the index to read, not one per segment.
//!
//! Text is folded by [`fold`] (lower case, no accents), when indexing and when searching, so
//! « Hélène » is found by « helene ». How to add a searchable field: add its words to the keys and
//! the text in `IndexEntry::build` (`index.rs`); they are counted in `annuaire_mot` there too.
//!
//! # Files
//! - `texte.rs`: the folding of the index and the queries (the program's one table, plus the
//!   compact form of keys);
//! - `sql.rs`: SQL helpers the others share (counts, labels of codes);
//! - `index.rs`: the keys and text of an entry of the search index, and the re-indexing of the
//!   practitioners an import changed;
//! - `import.rs`: the RPPS import (the parsing thread, the writing one, the diff, the history);
//! - `praticiens.rs`: practitioners as stored, and a doctor of the annuaire made a user;
//! - `locales.rs`: the MMG's own entries, their validation and their index entry;
//! - `recherche.rs`: the search planner (tiers of FTS5 queries) and the search itself.
//!
//! They depend on each other in that order only (`texte` and `sql` on none of the others).

mod import;
mod index;
mod locales;
mod praticiens;
mod recherche;
mod sql;
mod texte;

pub use import::{
    ImportHistorique, ImportOptions, ImportPhase, ImportProgress, ImportSummary, rpps_error,
};
pub use locales::{EntreeLocale, TypeLocal, save_entree_locale};
pub use praticiens::{Praticien, SitePraticien, utilisateur_depuis_rpps};
pub use recherche::{Correspondant, SEARCH_MAX, SourceCorrespondant};
pub use texte::{fold, fold_compact};
