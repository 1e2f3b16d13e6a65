-- Appligarde desktop store, schema 6: versions of the CIM-10 code set, the version each diagnosis
-- was coded with, the MMG's usage counts (search ranking) and the favourite codes.
-- Released migrations are never edited: add a new numbered file instead.

-- The code sets the MMG can code with: the one built into the program (source 'integree', no
-- data: the program has it) and the yearly ATIH files imported with `appligarde-cli cim10 import`
-- (their parsed codes in the compact form of appligarde-cim10, zlib-compressed). Exactly one is
-- active: the search proposes its codes and new diagnoses are checked against it. Never deleted:
-- the diagnoses name the version they were coded with.
CREATE TABLE cim10_version (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Free text, e.g. 'CIM-10 FR 2025'; recorded on every diagnosis coded with it.
    version       TEXT NOT NULL UNIQUE,
    source        TEXT NOT NULL CHECK (source IN ('integree', 'atih', 'csv')),
    fichier       TEXT NOT NULL DEFAULT '',
    -- SHA-256 of the imported file (hex), to recognise a file imported again.
    empreinte     TEXT NOT NULL DEFAULT '',
    nb_codes      INTEGER NOT NULL DEFAULT 0,
    nb_supprimes  INTEGER NOT NULL DEFAULT 0,
    donnees       BLOB,
    importe_le    TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    CHECK ((source = 'integree') = (donnees IS NULL))
) STRICT;

CREATE UNIQUE INDEX cim10_version_une_active ON cim10_version (active) WHERE active = 1;

-- The set built into this program. A program that ships another set renames this row in a new
-- migration (the diagnoses keep the name they were stamped with).
INSERT INTO cim10_version (version, source, active) VALUES ('CIM-10 FR 2021', 'integree', 1);

-- The version a diagnosis was coded with: stamped when the row is written (every save of a
-- consultation rewrites its diagnoses, checked against the active set at that moment).
ALTER TABLE consultation_diagnostic ADD COLUMN cim10_version TEXT;
UPDATE consultation_diagnostic SET cim10_version = 'CIM-10 FR 2021';

CREATE TRIGGER consultation_diagnostic_version AFTER INSERT ON consultation_diagnostic
WHEN NEW.cim10_version IS NULL
BEGIN
    UPDATE consultation_diagnostic
       SET cim10_version = (SELECT version FROM cim10_version WHERE active = 1)
     WHERE consultation_id = NEW.consultation_id AND rang = NEW.rang;
END;

-- How many diagnoses of this MMG carry each code (raw form, 'J069'): the search ranks the MMG's
-- most used codes first. Kept by the triggers below, so that reading it costs a few hundred rows
-- whatever the number of consultations.
CREATE TABLE cim10_usage (
    code  TEXT PRIMARY KEY,
    nb    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO cim10_usage (code, nb)
SELECT upper(replace(code, '.', '')), count(*) FROM consultation_diagnostic
 GROUP BY upper(replace(code, '.', ''));

CREATE TRIGGER cim10_usage_ajout AFTER INSERT ON consultation_diagnostic
BEGIN
    INSERT INTO cim10_usage (code, nb) VALUES (upper(replace(NEW.code, '.', '')), 1)
        ON CONFLICT (code) DO UPDATE SET nb = nb + 1;
END;

CREATE TRIGGER cim10_usage_retrait AFTER DELETE ON consultation_diagnostic
BEGIN
    UPDATE cim10_usage SET nb = max(nb - 1, 0) WHERE code = upper(replace(OLD.code, '.', ''));
END;

CREATE TRIGGER cim10_usage_changement AFTER UPDATE OF code ON consultation_diagnostic
BEGIN
    UPDATE cim10_usage SET nb = max(nb - 1, 0) WHERE code = upper(replace(OLD.code, '.', ''));
    INSERT INTO cim10_usage (code, nb) VALUES (upper(replace(NEW.code, '.', '')), 1)
        ON CONFLICT (code) DO UPDATE SET nb = nb + 1;
END;

-- Favourite codes, shown in the diagnosis picker before anything is typed: a doctor's own
-- (utilisateur_id) or the whole MMG's (utilisateur_id NULL). Codes in raw form ('J069').
CREATE TABLE cim10_favori (
    id              INTEGER PRIMARY KEY,
    utilisateur_id  INTEGER REFERENCES utilisateur (id),
    code            TEXT NOT NULL,
    cree_le         TEXT NOT NULL
) STRICT;

CREATE UNIQUE INDEX cim10_favori_unique ON cim10_favori (ifnull(utilisateur_id, 0), code);

-- Recent codes of a doctor: their consultations, latest first.
CREATE INDEX consultation_medecin_arrivee ON consultation (medecin_id, arrivee);
