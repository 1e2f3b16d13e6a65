-- Placeholder for migration 0017, given to another branch (issue 24 bullets of the rpu branch use
-- 0018): this file only keeps the numbering contiguous in the rpu branch. At merge, the other
-- branch's 0017 replaces it.
SELECT 1;
