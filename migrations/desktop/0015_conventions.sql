-- Appligarde desktop store, schema 15: the URML's "conventions utilisateurs" (issue 21).
-- The MMG's convention of use (type 'mmg', accepted by the MMG's admin, for the whole MMG) and the
-- users' charter (type 'charte', accepted by each user). The first versions ship with the package
-- as text files; later ones come from the hub.
-- Released migrations are never edited: add a new numbered file instead.

-- A convention text is a reference publication like the others: the list of applied publications
-- admits its kind (SQLite cannot change a CHECK in place: the table is rebuilt, rows kept).
CREATE TABLE reference_appliquee_0015 (
    version      INTEGER PRIMARY KEY,
    nature       TEXT NOT NULL
        CHECK (nature IN ('rpps', 'annuaire', 'tarifs', 'cim10', 'convention')),
    publiee_le   TEXT NOT NULL,
    appliquee_le TEXT NOT NULL,
    resume       TEXT NOT NULL
) STRICT;
INSERT INTO reference_appliquee_0015 (version, nature, publiee_le, appliquee_le, resume)
SELECT version, nature, publiee_le, appliquee_le, resume FROM reference_appliquee;
DROP TABLE reference_appliquee;
ALTER TABLE reference_appliquee_0015 RENAME TO reference_appliquee;

-- The texts known here: received from the hub, or read from the package's files when a user
-- accepted or refused them (so that what was accepted is kept word for word).
CREATE TABLE convention_texte (
    type        TEXT NOT NULL CHECK (type IN ('mmg', 'charte')),
    version     INTEGER NOT NULL CHECK (version > 0),
    texte       TEXT NOT NULL CHECK (texte <> ''),
    origine     TEXT NOT NULL CHECK (origine IN ('paquet', 'hub')),
    -- When the URML published it (hub only), UTC.
    publiee_le  TEXT,
    recue_le    TEXT NOT NULL,
    PRIMARY KEY (type, version)
) STRICT;

-- Each acceptance or refusal, kept (the audit journal has the same, chained).
CREATE TABLE convention_decision (
    id              INTEGER PRIMARY KEY,
    type            TEXT NOT NULL CHECK (type IN ('mmg', 'charte')),
    version         INTEGER NOT NULL CHECK (version > 0),
    utilisateur_id  INTEGER NOT NULL REFERENCES utilisateur (id),
    decision        TEXT NOT NULL CHECK (decision IN ('acceptee', 'refusee')),
    le              TEXT NOT NULL,
    FOREIGN KEY (type, version) REFERENCES convention_texte (type, version)
) STRICT;
CREATE INDEX convention_decision_type_version ON convention_decision (type, version, utilisateur_id);
