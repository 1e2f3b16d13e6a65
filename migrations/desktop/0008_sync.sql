-- Sync with the hub (issue 9): the enrollment of this PC, what was sent, what was applied.
--
-- The device token itself is never stored here: it lives in the OS keyring (or in a 0600 file
-- beside the key file when the store uses a key file), like the database key.

-- The hub this PC is enrolled with (at most one row).
CREATE TABLE hub_inscription (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    hub_url      TEXT NOT NULL,
    mmg_id       TEXT NOT NULL,
    mmg_nom      TEXT NOT NULL,
    departement  TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    inscrit_le   TEXT NOT NULL
) STRICT;

-- The highest revision of each day and PDSA slot the hub acknowledged (accepted or ignored). A
-- day whose aggregate has a higher revision than this is waiting to be sent: the queue is this
-- table compared with the aggregates, so it survives restarts by construction.
CREATE TABLE sync_envoi (
    jour       TEXT NOT NULL,
    creneau    TEXT NOT NULL,
    revision   INTEGER NOT NULL CHECK (revision >= 0),
    envoye_le  TEXT NOT NULL,
    PRIMARY KEY (jour, creneau)
) STRICT, WITHOUT ROWID;

-- The outcome of the attempts (one row): what the status in Paramètres shows.
CREATE TABLE sync_etat (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    derniere_tentative   TEXT,
    dernier_succes       TEXT,
    -- French, shown as is; NULL after a success.
    derniere_erreur      TEXT,
    echecs_consecutifs   INTEGER NOT NULL DEFAULT 0,
    -- The highest reference publication (hub version number) applied here.
    reference_version    INTEGER NOT NULL DEFAULT 0 CHECK (reference_version >= 0)
) STRICT;

INSERT INTO sync_etat (id) VALUES (1);

-- Every reference publication applied, with a short French summary.
CREATE TABLE reference_appliquee (
    version      INTEGER PRIMARY KEY,
    nature       TEXT NOT NULL CHECK (nature IN ('rpps', 'annuaire', 'tarifs', 'cim10')),
    publiee_le   TEXT NOT NULL,
    appliquee_le TEXT NOT NULL,
    resume       TEXT NOT NULL
) STRICT;

-- The entries of the annuaire published by the URML, by their key in the publication, so that a
-- new publication updates them and retires the ones it no longer has (the MMG's own entries
-- are never touched).
CREATE TABLE reference_annuaire (
    cle        TEXT PRIMARY KEY,
    entree_id  INTEGER NOT NULL REFERENCES annuaire_local (id)
) STRICT;
