//! CIM-10 search as the UI and the CLI see it: the embedded code set (`appligarde-cim10`), its hits
//! turned into wire types with highlight ranges in UTF-16 units (what JavaScript strings index).

use crate::{ApiError, ErrorCode};
use appligarde_cim10::{CodeSet, Hit, SearchContext};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Cim10Query {
    pub query: String,
    /// At most this many hits (1 to 100; 10 when absent).
    #[serde(default)]
    pub limit: Option<u32>,
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

fn utf16_offset(text: &str, byte: usize) -> u32 {
    let byte = byte.min(text.len());
    // Byte offsets from the search always fall on character boundaries; `get` guards anyway.
    text.get(..byte)
        .map(|s| s.encode_utf16().count() as u32)
        .unwrap_or(0)
}

impl From<Hit> for Cim10Hit {
    fn from(h: Hit) -> Self {
        let highlights = h
            .matches
            .iter()
            .map(|&(a, b)| [utf16_offset(&h.label, a), utf16_offset(&h.label, b)])
            .collect();
        let (chapter, chapter_label) = h.chapter.map(|c| (c.range, c.label)).unwrap_or_default();
        Self {
            code: h.code,
            raw_code: h.raw_code,
            label: h.label,
            chapter,
            chapter_label,
            highlights,
            synonym: h.synonym,
            valid_for_main_diagnosis: h.valid_for_main_diagnosis,
        }
    }
}

/// Searches the embedded code set, best first. `usage` carries this MMG's most used codes when known.
pub fn search(query: &Cim10Query, usage: &SearchContext) -> Result<Vec<Cim10Hit>, ApiError> {
    let limit = query.limit.unwrap_or(10).clamp(1, 100) as usize;
    Ok(code_set()?
        .search(&query.query, usage, limit)
        .into_iter()
        .map(Cim10Hit::from)
        .collect())
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
