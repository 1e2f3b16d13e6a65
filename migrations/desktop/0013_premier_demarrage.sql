-- Appligarde desktop store, schema 13: the first-start assistant (issue 21).
-- Its progress is derived from what is stored (MMG identity, an admin, a verified backup, the hub
-- enrollment); this single row keeps only the choices that leave no other trace: the recovery code
-- confirmed by the admin, the enrollment put off, and the end of the assistant (so that it never
-- comes back, e.g. when a backup folder is removed later).
-- Released migrations are never edited: add a new numbered file instead.
CREATE TABLE premier_demarrage (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    code_confirme_le         TEXT,
    code_confirme_par        INTEGER REFERENCES utilisateur (id),
    inscription_reportee_le  TEXT,
    termine_le               TEXT
) STRICT;

-- A database that already has accounts was set up before the assistant existed: it is finished.
INSERT INTO premier_demarrage (id, termine_le)
SELECT 1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE EXISTS (SELECT 1 FROM utilisateur);
INSERT OR IGNORE INTO premier_demarrage (id) VALUES (1);
