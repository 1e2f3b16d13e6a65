-- Appligarde desktop store, schema 11: the statistics cache (issue 8).
-- The additive counts of each garde day (per PDSA slot), as computed at the day's revision
-- (`statistique_jour`, migration 0007): the dashboard and the daily aggregates read the cached days
-- of a period and recompute only the days whose revision moved, whose settings fingerprint
-- changed (PDSA calendar, département, format), or that were never computed.
-- Released migrations are never edited: add a new numbered file instead.

CREATE TABLE statistique_cache (
    date_garde  TEXT PRIMARY KEY,
    -- The `statistique_jour.revision` the counts were computed at; 0 for a day without a row.
    revision    INTEGER NOT NULL CHECK (revision >= 0),
    -- Fingerprint of what else the counts depend on (calendar, département, format version).
    contexte    TEXT NOT NULL,
    -- JSON: PDSA slot code -> appligarde_domain::indicateurs::Cumul. Counts only, no identity.
    comptes     TEXT NOT NULL
) STRICT;

-- Associated diagnoses are counted too ("tous diagnostics"): their changes move their day, like
-- the principal ones (migration 0007).
CREATE TRIGGER statistique_diagnostic_associe_ajout AFTER INSERT ON consultation_diagnostic
WHEN NEW.principal <> 1
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id = NEW.consultation_id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER statistique_diagnostic_associe_suppression AFTER DELETE ON consultation_diagnostic
WHEN OLD.principal <> 1
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id = OLD.consultation_id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- The program rewrites diagnoses (delete + insert), but an UPDATE must move the days as well.
CREATE TRIGGER statistique_diagnostic_modification
AFTER UPDATE OF consultation_id, code, principal ON consultation_diagnostic
WHEN OLD.consultation_id IS NOT NEW.consultation_id OR OLD.code IS NOT NEW.code
  OR OLD.principal IS NOT NEW.principal
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT DISTINCT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                         ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id IN (OLD.consultation_id, NEW.consultation_id)
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- The commune names shown beside the INSEE codes are read from the patients by code: one index
-- seek per code shown (appligarde_store::statistiques::noms_communes).
CREATE INDEX patient_code_insee_commune ON patient (code_insee, commune);
