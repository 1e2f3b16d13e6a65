-- Appligarde desktop store, schema 3: the garde consultation record (issue 3).
-- Users log in (argon2 hashes), garde shifts, full patient identity, the complete consultation with
-- its diagnoses, acts and amended versions, and the hash-chained audit log.
-- Released migrations are never edited: add a new numbered file instead.

-- Users: a password (argon2 PHC string, never the password), an admin flag (a doctor may also be the
-- MMG admin) and who created and changed the row.
ALTER TABLE utilisateur ADD COLUMN mot_de_passe TEXT;
ALTER TABLE utilisateur ADD COLUMN est_admin INTEGER NOT NULL DEFAULT 0 CHECK (est_admin IN (0, 1));
ALTER TABLE utilisateur ADD COLUMN updated_at TEXT;
ALTER TABLE utilisateur ADD COLUMN created_by INTEGER REFERENCES utilisateur (id);
ALTER TABLE utilisateur ADD COLUMN updated_by INTEGER REFERENCES utilisateur (id);
UPDATE utilisateur SET est_admin = 1 WHERE role = 'admin';
UPDATE utilisateur SET updated_at = created_at;

-- Patients: the rest of the minimal identity, the médecin traitant (free text, and the RPPS number of
-- the annuaire's practitioner when chosen from it: a soft reference, the annuaire is rebuilt by
-- imports), weight and height, allergies and useful history, and search keys (names upper-cased
-- without accents) filled by the program.
ALTER TABLE patient ADD COLUMN nom_naissance TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN code_insee TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN telephone TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN medecin_traitant TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN medecin_traitant_rpps TEXT;
ALTER TABLE patient ADD COLUMN poids_kg REAL;
ALTER TABLE patient ADD COLUMN taille_cm REAL;
ALTER TABLE patient ADD COLUMN allergies TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN antecedents TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN nom_recherche TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN nom_naissance_recherche TEXT NOT NULL DEFAULT '';
ALTER TABLE patient ADD COLUMN updated_at TEXT;
ALTER TABLE patient ADD COLUMN created_by INTEGER REFERENCES utilisateur (id);
ALTER TABLE patient ADD COLUMN updated_by INTEGER REFERENCES utilisateur (id);
UPDATE patient SET updated_at = created_at;

-- Finding a returning patient: by birth date (exact), then by name key (prefix).
CREATE INDEX patient_naissance ON patient (date_naissance);
CREATE INDEX patient_nom_recherche ON patient (nom_recherche, date_naissance);
CREATE INDEX patient_nom_naissance_recherche ON patient (nom_naissance_recherche)
    WHERE nom_naissance_recherche <> '';

-- The PDSA calendar of the MMG (which optional periods its département organises) and the idle time
-- after which the screen locks. No row means the defaults (every legal period, 10 minutes).
CREATE TABLE reglages_garde (
    id                        INTEGER PRIMARY KEY CHECK (id = 1),
    samedi_apres_midi         INTEGER NOT NULL CHECK (samedi_apres_midi IN (0, 1)),
    debut_samedi              INTEGER NOT NULL CHECK (debut_samedi IN (12, 14)),
    lundi_veille_ferie        INTEGER NOT NULL CHECK (lundi_veille_ferie IN (0, 1)),
    vendredi_lendemain_ferie  INTEGER NOT NULL CHECK (vendredi_lendemain_ferie IN (0, 1)),
    samedi_lendemain_ferie    INTEGER NOT NULL CHECK (samedi_lendemain_ferie IN (0, 1)),
    verrouillage_minutes      INTEGER NOT NULL CHECK (verrouillage_minutes BETWEEN 1 AND 240),
    -- 1 once the opening slots below were edited: until then the legal periods are the slots.
    creneaux_personnalises    INTEGER NOT NULL DEFAULT 0 CHECK (creneaux_personnalises IN (0, 1)),
    updated_at                TEXT NOT NULL,
    updated_by                INTEGER REFERENCES utilisateur (id)
) STRICT;

-- The MMG's opening slots per kind of day ('HH:MM'; a slot whose end is not after its start runs
-- past midnight, see appligarde_domain::calendrier::Plage).
CREATE TABLE creneau_ouverture (
    jour   TEXT NOT NULL CHECK (jour IN ('lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi',
                                         'dimanche', 'ferie', 'pont')),
    debut  TEXT NOT NULL,
    fin    TEXT NOT NULL,
    PRIMARY KEY (jour, debut)
) STRICT;

-- A garde shift: opened by the doctor(s) on duty, closed at the end. At most one is open at a time.
CREATE TABLE garde (
    id           INTEGER PRIMARY KEY,
    date_garde   TEXT NOT NULL,
    ouverte_le   TEXT NOT NULL,
    ouverte_par  INTEGER NOT NULL REFERENCES utilisateur (id),
    fermee_le    TEXT,
    fermee_par   INTEGER REFERENCES utilisateur (id)
) STRICT;

CREATE UNIQUE INDEX garde_une_seule_ouverte ON garde (fermee_le IS NULL) WHERE fermee_le IS NULL;
CREATE INDEX garde_date ON garde (date_garde);

CREATE TABLE garde_medecin (
    garde_id        INTEGER NOT NULL REFERENCES garde (id),
    utilisateur_id  INTEGER NOT NULL REFERENCES utilisateur (id),
    PRIMARY KEY (garde_id, utilisateur_id)
) STRICT;

-- The consultation record: observations, vital signs, orientation, the shift, who created and changed
-- it, and its version (1, then +1 at each recorded amendment of a closed consultation).
ALTER TABLE consultation ADD COLUMN garde_id INTEGER REFERENCES garde (id);
ALTER TABLE consultation ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE consultation ADD COLUMN mode_arrivee_precision TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation ADD COLUMN anamnese TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation ADD COLUMN examen TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation ADD COLUMN conclusion TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation ADD COLUMN temperature REAL;
ALTER TABLE consultation ADD COLUMN ta_systolique INTEGER;
ALTER TABLE consultation ADD COLUMN ta_diastolique INTEGER;
ALTER TABLE consultation ADD COLUMN frequence_cardiaque INTEGER;
ALTER TABLE consultation ADD COLUMN spo2 INTEGER;
ALTER TABLE consultation ADD COLUMN frequence_respiratoire INTEGER;
ALTER TABLE consultation ADD COLUMN poids_kg REAL;
ALTER TABLE consultation ADD COLUMN glycemie REAL;
ALTER TABLE consultation ADD COLUMN orientation TEXT CHECK (orientation IN (
    'retour_domicile', 'medecin_traitant', 'urgences', 'hospitalisation', 'samu_smur', 'deces', 'autre'));
ALTER TABLE consultation ADD COLUMN orientation_precision TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation ADD COLUMN cloturee_le TEXT;
ALTER TABLE consultation ADD COLUMN created_by INTEGER REFERENCES utilisateur (id);
ALTER TABLE consultation ADD COLUMN updated_by INTEGER REFERENCES utilisateur (id);

CREATE INDEX consultation_garde ON consultation (garde_id);

-- Diagnoses (CIM-10 codes, checked against the code set when saved; the label is kept as it was).
CREATE TABLE consultation_diagnostic (
    consultation_id  INTEGER NOT NULL REFERENCES consultation (id),
    rang             INTEGER NOT NULL,
    code             TEXT NOT NULL,
    libelle          TEXT NOT NULL DEFAULT '',
    principal        INTEGER NOT NULL CHECK (principal IN (0, 1)),
    PRIMARY KEY (consultation_id, rang)
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX consultation_un_principal ON consultation_diagnostic (consultation_id) WHERE principal = 1;
CREATE INDEX consultation_diagnostic_code ON consultation_diagnostic (code);

-- Acts (NGAP or CCAM codes).
CREATE TABLE consultation_acte (
    consultation_id  INTEGER NOT NULL REFERENCES consultation (id),
    rang             INTEGER NOT NULL,
    code             TEXT NOT NULL,
    PRIMARY KEY (consultation_id, rang)
) STRICT, WITHOUT ROWID;

-- Amendments of a closed consultation: each keeps the content before the change (JSON), the list of
-- what changed, who, when and why. Never updated nor deleted.
CREATE TABLE consultation_version (
    consultation_id  INTEGER NOT NULL REFERENCES consultation (id),
    version          INTEGER NOT NULL,
    contenu          TEXT NOT NULL,
    changements      TEXT NOT NULL,
    motif            TEXT NOT NULL,
    modifiee_le      TEXT NOT NULL,
    modifiee_par     INTEGER NOT NULL REFERENCES utilisateur (id),
    PRIMARY KEY (consultation_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER consultation_version_sans_modification BEFORE UPDATE ON consultation_version
BEGIN SELECT RAISE(ABORT, 'consultation_version is append-only'); END;
CREATE TRIGGER consultation_version_sans_suppression BEFORE DELETE ON consultation_version
BEGIN SELECT RAISE(ABORT, 'consultation_version is append-only'); END;

-- The audit log: who did what to which record, when. Each entry carries the SHA-256 of the previous
-- one and its own (appligarde_domain::audit), so a removed or edited entry breaks the chain; the head
-- (last id and hash) is kept apart so that a cut tail is detected too. Append-only.
CREATE TABLE journal (
    id              INTEGER PRIMARY KEY,
    horodatage      TEXT NOT NULL,
    utilisateur_id  INTEGER,
    action          TEXT NOT NULL,
    objet           TEXT NOT NULL,
    objet_id        INTEGER,
    details         TEXT NOT NULL DEFAULT '',
    hash_precedent  TEXT NOT NULL,
    hash            TEXT NOT NULL
) STRICT;

CREATE INDEX journal_objet ON journal (objet, objet_id);

CREATE TABLE journal_tete (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    dernier   INTEGER NOT NULL,
    hash      TEXT NOT NULL
) STRICT;

CREATE TRIGGER journal_sans_modification BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
CREATE TRIGGER journal_sans_suppression BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END;
