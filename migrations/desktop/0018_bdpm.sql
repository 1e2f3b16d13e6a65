-- Appligarde desktop store, schema 18: versions of the public drug database (ANSM BDPM).
-- Released migrations are never edited: add a new numbered file instead.

-- The releases imported with `appligarde-cli bdpm import DIR` or received from the URML's hub
-- (their parsed files in the compact gzip form of appligarde-bdpm). At most one is active: the
-- drug search uses it; with none, the program's own extract (built in) is used. Never deleted.
CREATE TABLE bdpm_version (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'import' (a directory on this PC) or 'hub' (a publication of the URML).
    source              TEXT NOT NULL CHECK (source IN ('import', 'hub')),
    -- The directory, or the publication's number.
    origine             TEXT NOT NULL DEFAULT '',
    -- SHA-256 over the release's files (appligarde_bdpm::Base::empreinte): the same files
    -- imported again are recognised.
    empreinte           TEXT NOT NULL UNIQUE,
    nb_medicaments      INTEGER NOT NULL,
    nb_commercialises   INTEGER NOT NULL,
    nb_presentations    INTEGER NOT NULL,
    nb_substances       INTEGER NOT NULL,
    nb_groupes          INTEGER NOT NULL,
    -- Whether the release had CIS_CIP_bdpm.txt (prices and reimbursement rates).
    avec_presentations  INTEGER NOT NULL CHECK (avec_presentations IN (0, 1)),
    donnees             BLOB NOT NULL,
    importe_le          TEXT NOT NULL,
    active              INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1))
) STRICT;

CREATE UNIQUE INDEX bdpm_version_une_active ON bdpm_version (active) WHERE active = 1;

-- A release of the drug database received from the hub is a reference publication like the
-- others: the list of applied publications admits its kind (SQLite cannot change a CHECK in
-- place: the table is rebuilt, rows kept).
CREATE TABLE reference_appliquee_0017 (
    version      INTEGER PRIMARY KEY,
    nature       TEXT NOT NULL
        CHECK (nature IN ('rpps', 'annuaire', 'tarifs', 'cim10', 'convention', 'bdpm')),
    publiee_le   TEXT NOT NULL,
    appliquee_le TEXT NOT NULL,
    resume       TEXT NOT NULL
) STRICT;
INSERT INTO reference_appliquee_0017 (version, nature, publiee_le, appliquee_le, resume)
SELECT version, nature, publiee_le, appliquee_le, resume FROM reference_appliquee;
DROP TABLE reference_appliquee;
ALTER TABLE reference_appliquee_0017 RENAME TO reference_appliquee;
