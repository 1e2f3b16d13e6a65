//! The per-search working memory ([`Scratch`], one slot per code) and the pool the code set keeps
//! it in between searches ([`ScratchPool`]), so that a search allocates almost nothing.

use std::sync::Mutex;

/// Per-search working memory, one slot per code, reused between searches (kept in a pool in the
/// code set) so that a search allocates almost nothing.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// Query words matched by each code (bit per word), plus `VIA_CODE_SYNONYM`.
    pub(crate) mask: Vec<u32>,
    /// Sum of the qualities of the matched words.
    pub(crate) qual: Vec<f32>,
    /// Usage count of each code in this MMG (from the context).
    pub(crate) usage: Vec<u32>,
    /// Codes with a non-zero mask, to score them and to reset them.
    pub(crate) touched: Vec<u32>,
    /// Codes with a non-zero usage, to reset them.
    pub(crate) used: Vec<u32>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Scratch {
        Scratch {
            mask: vec![0; n],
            qual: vec![0.0; n],
            usage: vec![0; n],
            touched: Vec::with_capacity(4096),
            used: Vec::new(),
        }
    }

    pub(crate) fn clear_matches(&mut self) {
        for &d in &self.touched {
            self.mask[d as usize] = 0;
            self.qual[d as usize] = 0.0;
        }
        self.touched.clear();
    }

    /// Forgets the usage counts loaded for the last search.
    pub(crate) fn clear_usage(&mut self) {
        for &d in &self.used {
            self.usage[d as usize] = 0;
        }
        self.used.clear();
    }

    #[inline]
    pub(crate) fn apply(&mut self, doc: u32, mask: u32, q: f32) {
        let d = doc as usize;
        let Some(m) = self.mask.get(d).copied() else {
            return;
        };
        if m == 0 {
            self.touched.push(doc);
        }
        let new = mask & !m;
        if new != 0 {
            self.mask[d] = m | new;
            self.qual[d] += q * new.count_ones() as f32;
        }
    }
}

/// The scratches of finished searches, kept by the code set for the next ones.
#[derive(Debug, Default)]
pub(crate) struct ScratchPool(Mutex<Vec<Scratch>>);

impl ScratchPool {
    /// A scratch for `codes` codes: a pooled one, or a new one when none is free.
    pub(crate) fn take(&self, codes: usize) -> Scratch {
        let pooled = match self.0.lock() {
            Ok(mut pool) => pool.pop(),
            Err(poisoned) => poisoned.into_inner().pop(),
        };
        pooled.unwrap_or_else(|| Scratch::new(codes))
    }

    /// Gives a scratch back for the next search.
    pub(crate) fn put(&self, scratch: Scratch) {
        match self.0.lock() {
            Ok(mut pool) => pool.push(scratch),
            Err(poisoned) => poisoned.into_inner().push(scratch),
        }
    }
}
