-- 0009_identite_mmg: the MMG's identity as the URML records it (issue 21), so that a new
-- installation's first-start assistant fills it from the hub with its enrollment code.
--
-- The name and the département stay in `organisation`; this row holds the rest, each field
-- empty when the URML did not give it (the MMG's admin completes it on the PC). The values are
-- checked by the desktop's own rules (`appligarde_domain::MmgIdentity`) before they are written.

CREATE TABLE mmg_identite (
    mmg_id      UUID PRIMARY KEY REFERENCES organisation (id) ON DELETE CASCADE,
    adresse     TEXT NOT NULL DEFAULT '' CHECK (length(adresse) <= 200),
    code_postal TEXT NOT NULL DEFAULT '' CHECK (code_postal = '' OR code_postal ~ '^[0-9]{5}$'),
    commune     TEXT NOT NULL DEFAULT '' CHECK (length(commune) <= 120),
    telephone   TEXT NOT NULL DEFAULT '' CHECK (length(telephone) <= 20),
    email       TEXT NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    finess      TEXT NOT NULL DEFAULT '' CHECK (finess = '' OR finess ~ '^([0-9]{2}|2A|2B)[0-9]{7}$'),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
