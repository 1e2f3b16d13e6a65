-- 0016_sauvegardes_hors_site: the queue of backup files to copy to the hub (issue 27).
-- A row per backup written while the PC is enrolled; `envoi_id` is the hub's upload once
-- created (a resume asks the hub its offset), `envoyee_le` when the hub confirmed the copy
-- whole and verified. The files stay where the backup wrote them.
CREATE TABLE sauvegarde_hors_site (
    id          INTEGER PRIMARY KEY,
    chemin      TEXT NOT NULL,
    octets      INTEGER NOT NULL CHECK (octets > 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    -- UTC, when the backup was made.
    prise_le    TEXT NOT NULL,
    envoi_id    TEXT,
    envoyee_le  TEXT,
    erreur      TEXT
);
CREATE INDEX sauvegarde_hors_site_attente ON sauvegarde_hors_site (envoyee_le, id);
