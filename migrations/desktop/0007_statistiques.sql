-- Appligarde desktop store, schema 7: statistics (issue 8).
-- The revision of each garde day's counts: the daily aggregate sent to the hub carries it, and the
-- hub keeps the highest, so a late edit of a past day replaces what the hub had for that day only.
-- Triggers bump it in the same transaction as the change, whoever writes.
-- Released migrations are never edited: add a new numbered file instead.

-- A garde day runs from 8h to 8h the next morning: an arrival at 02:00 belongs to the day before
-- (appligarde_domain::calendrier::date_de_garde). Times are 'YYYY-MM-DDTHH:MM:SS', local.
CREATE TABLE statistique_jour (
    date_garde  TEXT PRIMARY KEY,
    revision    INTEGER NOT NULL CHECK (revision >= 1)
) STRICT, WITHOUT ROWID;

-- The days that already have consultations start at revision 1.
INSERT INTO statistique_jour (date_garde, revision)
SELECT DISTINCT CASE WHEN substr(arrivee, 12, 2) < '08' THEN date(substr(arrivee, 1, 10), '-1 day')
                     ELSE substr(arrivee, 1, 10) END, 1
FROM consultation WHERE true
ON CONFLICT (date_garde) DO NOTHING;

-- A new consultation changes its day, and the "return within 72 h" of the same patient's
-- consultations of the next 72 hours.
CREATE TRIGGER statistique_consultation_ajout AFTER INSERT ON consultation
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT DISTINCT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                         ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c
    WHERE c.id = NEW.id
       OR (c.patient_id = NEW.patient_id AND c.arrivee > NEW.arrivee
           AND c.arrivee <= strftime('%Y-%m-%dT%H:%M:%S', NEW.arrivee, '+72 hours'))
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER statistique_consultation_suppression AFTER DELETE ON consultation
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT DISTINCT CASE WHEN substr(d.arrivee, 12, 2) < '08' THEN date(substr(d.arrivee, 1, 10), '-1 day')
                         ELSE substr(d.arrivee, 1, 10) END, 1
    FROM (SELECT OLD.arrivee AS arrivee
          UNION
          SELECT c.arrivee FROM consultation c
          WHERE c.patient_id = OLD.patient_id AND c.arrivee > OLD.arrivee
            AND c.arrivee <= strftime('%Y-%m-%dT%H:%M:%S', OLD.arrivee, '+72 hours')) d
    WHERE true
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- An edit of a counted field changes the day it was in and the day it is now in (the same day,
-- unless the arrival moved). Edits of notes and vital signs change no count, so no revision.
CREATE TRIGGER statistique_consultation_modification
AFTER UPDATE OF patient_id, medecin_id, arrivee, debut, fin, mode_arrivee, lieu, orientation ON consultation
WHEN OLD.patient_id IS NOT NEW.patient_id OR OLD.medecin_id IS NOT NEW.medecin_id
  OR OLD.arrivee IS NOT NEW.arrivee OR OLD.debut IS NOT NEW.debut OR OLD.fin IS NOT NEW.fin
  OR OLD.mode_arrivee IS NOT NEW.mode_arrivee OR OLD.lieu IS NOT NEW.lieu
  OR OLD.orientation IS NOT NEW.orientation
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT DISTINCT CASE WHEN substr(d.arrivee, 12, 2) < '08' THEN date(substr(d.arrivee, 1, 10), '-1 day')
                         ELSE substr(d.arrivee, 1, 10) END, 1
    FROM (SELECT OLD.arrivee AS arrivee
          UNION SELECT NEW.arrivee
          -- A moved arrival or another patient changes the returns of the next 72 hours.
          UNION
          SELECT c.arrivee FROM consultation c
          WHERE (OLD.arrivee IS NOT NEW.arrivee OR OLD.patient_id IS NOT NEW.patient_id)
            AND c.id <> NEW.id
            AND ((c.patient_id = OLD.patient_id AND c.arrivee > OLD.arrivee
                  AND c.arrivee <= strftime('%Y-%m-%dT%H:%M:%S', OLD.arrivee, '+72 hours'))
              OR (c.patient_id = NEW.patient_id AND c.arrivee > NEW.arrivee
                  AND c.arrivee <= strftime('%Y-%m-%dT%H:%M:%S', NEW.arrivee, '+72 hours')))) d
    WHERE true
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- The principal diagnosis is counted (CIM-10 chapter and category).
CREATE TRIGGER statistique_diagnostic_ajout AFTER INSERT ON consultation_diagnostic
WHEN NEW.principal = 1
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id = NEW.consultation_id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

CREATE TRIGGER statistique_diagnostic_suppression AFTER DELETE ON consultation_diagnostic
WHEN OLD.principal = 1
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id = OLD.consultation_id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- Sex, birth date (age band) and commune of a patient are counted on every day they came.
CREATE TRIGGER statistique_patient_modification
AFTER UPDATE OF sexe, date_naissance, code_insee ON patient
WHEN OLD.sexe IS NOT NEW.sexe OR OLD.date_naissance IS NOT NEW.date_naissance
  OR OLD.code_insee IS NOT NEW.code_insee
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT DISTINCT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                         ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.patient_id = NEW.id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;

-- A payment (append-only, migration 0004; a correction is a new entry) changes the amounts of its
-- consultation's day.
CREATE TRIGGER statistique_paiement_ajout AFTER INSERT ON paiement
BEGIN
    INSERT INTO statistique_jour (date_garde, revision)
    SELECT CASE WHEN substr(c.arrivee, 12, 2) < '08' THEN date(substr(c.arrivee, 1, 10), '-1 day')
                ELSE substr(c.arrivee, 1, 10) END, 1
    FROM consultation c WHERE c.id = NEW.consultation_id
    ON CONFLICT (date_garde) DO UPDATE SET revision = revision + 1;
END;
