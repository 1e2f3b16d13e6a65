-- Appligarde desktop store, schema 9: automatic backups and the retention of records (issue 10).
-- Released migrations are never edited: add a new numbered file instead.

-- Backup and retention settings, a single row (id = 1). No row means the defaults: backups at the end
-- of every shift and daily, 14 daily and 12 monthly kept per folder, records kept 20 years after the
-- patient's last visit.
CREATE TABLE sauvegarde_reglages (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    fin_de_garde         INTEGER NOT NULL CHECK (fin_de_garde IN (0, 1)),
    quotidienne          INTEGER NOT NULL CHECK (quotidienne IN (0, 1)),
    garder_quotidiennes  INTEGER NOT NULL CHECK (garder_quotidiennes BETWEEN 1 AND 365),
    garder_mensuelles    INTEGER NOT NULL CHECK (garder_mensuelles BETWEEN 0 AND 240),
    conservation_annees  INTEGER NOT NULL CHECK (conservation_annees BETWEEN 1 AND 100),
    updated_at           TEXT NOT NULL,
    updated_by           INTEGER REFERENCES utilisateur (id)
) STRICT;

-- The folders the MMG chose (USB key, network share); every automatic backup goes to each of them.
CREATE TABLE sauvegarde_destination (
    id          INTEGER PRIMARY KEY,
    dossier     TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES utilisateur (id)
) STRICT;

-- Every backup attempt, with its outcome: 'ok', 'echec' (failed) or 'ignoree' (skipped), and the French
-- reason shown in Paramètres. `destination` is empty when no folder was configured.
CREATE TABLE sauvegarde_tentative (
    id           INTEGER PRIMARY KEY,
    horodatage   TEXT NOT NULL,
    declencheur  TEXT NOT NULL CHECK (declencheur IN ('fin_de_garde', 'quotidienne', 'manuelle')),
    destination  TEXT NOT NULL DEFAULT '',
    resultat     TEXT NOT NULL CHECK (resultat IN ('ok', 'echec', 'ignoree')),
    fichier      TEXT NOT NULL DEFAULT '',
    octets       INTEGER NOT NULL DEFAULT 0,
    supprimees   INTEGER NOT NULL DEFAULT 0,
    message      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sauvegarde_tentative_declencheur ON sauvegarde_tentative (declencheur, horodatage);
