-- 0001_init: the organisations the hub serves.
--
-- The URML owns Appligarde; each ADOPS runs the MMGs of one département and reads their
-- aggregated activity. Users, devices and statistics come in later migrations and hang off
-- this table. Released migrations are never edited: add a new numbered file instead.

CREATE TABLE organisation (
    -- Random ids: they appear in the API and on desktops, and must not reveal how many
    -- organisations exist nor depend on the order they were created in.
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        TEXT NOT NULL CHECK (kind IN ('urml', 'adops', 'mmg')),
    name        TEXT NOT NULL CHECK (btrim(name) <> ''),
    -- INSEE département code: 01-95 (20 split into 2A/2B), 971-976 overseas. The URML is
    -- regional and has none; an ADOPS and an MMG always belong to one.
    departement TEXT CHECK (departement ~ '^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-6])$'),
    parent_id   UUID REFERENCES organisation (id) ON DELETE RESTRICT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT organisation_departement_by_kind
        CHECK ((kind = 'urml') = (departement IS NULL)),
    CONSTRAINT organisation_urml_is_root
        CHECK (kind <> 'urml' OR parent_id IS NULL),
    CONSTRAINT organisation_not_its_own_parent
        CHECK (parent_id IS DISTINCT FROM id)
);

-- Listing the MMGs of an ADOPS (and the ADOPS of the URML) follows parent_id.
CREATE INDEX organisation_parent_id_idx ON organisation (parent_id);
