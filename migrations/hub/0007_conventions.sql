-- Appligarde hub, schema 7: the URML's "conventions utilisateurs" (issue 21).
-- The MMG's convention of use and the users' charter are published as reference publications of
-- the new kind 'convention' (content: {"type", "version", "text"} as JSON); the desktops report,
-- at each sync, which versions their MMG accepted and when (never who).
-- Released migrations are never edited: add a new numbered file instead.
ALTER TABLE reference_publication DROP CONSTRAINT reference_publication_kind_check;
ALTER TABLE reference_publication ADD CONSTRAINT reference_publication_kind_check
    CHECK (kind IN ('rpps', 'annuaire', 'tarifs', 'cim10', 'convention'));

-- One version of one text accepted in an MMG: the earliest date any of its PCs reported.
CREATE TABLE convention_acceptance (
    mmg_id      UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    convention  TEXT NOT NULL CHECK (convention IN ('mmg', 'charte')),
    version     INTEGER NOT NULL CHECK (version > 0),
    accepted_at TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (mmg_id, convention, version)
);
