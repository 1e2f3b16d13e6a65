//! [`SearchContext`]: what the search knows about the MMG it runs for (how often each code was used
//! here), built by the caller from its favourites and recent codes.

use std::collections::HashMap;

use crate::source::normalize_code;

/// What the search knows about the MMG it runs for: how often each code was used here.
/// Built by the caller from its favourites/recent store.
#[derive(Debug, Clone, Default)]
pub struct SearchContext {
    pub(crate) usage: HashMap<String, u32>,
}

impl SearchContext {
    pub fn new() -> SearchContext {
        SearchContext::default()
    }

    /// A context from `(code, count)` pairs; codes in any form (`J06.9`, `j069`).
    pub fn with_usage<I, S>(usage: I) -> SearchContext
    where
        I: IntoIterator<Item = (S, u32)>,
        S: AsRef<str>,
    {
        let mut ctx = SearchContext::new();
        for (code, count) in usage {
            ctx.set_usage(code.as_ref(), count);
        }
        ctx
    }

    /// Sets how often `code` (any form) was used; 0 forgets it. Codes that are not codes are
    /// ignored.
    pub fn set_usage(&mut self, code: &str, count: u32) {
        if let Some(raw) = normalize_code(code) {
            if count == 0 {
                self.usage.remove(&raw);
            } else {
                self.usage.insert(raw, count);
            }
        }
    }

    /// How often `code` (any form) was used.
    pub fn usage(&self, code: &str) -> u32 {
        normalize_code(code)
            .and_then(|raw| self.usage.get(&raw).copied())
            .unwrap_or(0)
    }
}
