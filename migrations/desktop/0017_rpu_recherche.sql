-- Appligarde desktop store, schema 17 (issue 24): what the RPU-shaped export to the ORU needs and the
-- MMG can record quickly, and the secret key of the research extract's pseudonyms.
-- Released migrations are never edited: add a new numbered file instead.

-- The reason for recourse as a CIM-10 code (the RPU's MOTIF; the free-text `motif` stays), the modified
-- CCMU (GRAVITE) and how the patient came (TRANSPORT); each optional (NULL = not recorded).
ALTER TABLE consultation ADD COLUMN motif_code TEXT;
ALTER TABLE consultation ADD COLUMN gravite TEXT CHECK (gravite IN (
    'ccmu1', 'ccmu_p', 'ccmu2', 'ccmu3', 'ccmu4', 'ccmu5', 'ccmu_d'));
ALTER TABLE consultation ADD COLUMN transport TEXT CHECK (transport IN (
    'perso', 'ambu', 'vsab', 'smur', 'heli', 'fo'));

-- The key of the research extract's pseudonyms (HMAC-SHA256 of the patient id): 32 random bytes made
-- once, at the first extract, that never leave this PC (they are inside the encrypted store and its
-- encrypted backups). The same patient gets the same pseudonym in every extract of this MMG.
CREATE TABLE recherche_cle (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    cle         BLOB NOT NULL CHECK (length(cle) = 32),
    created_at  TEXT NOT NULL
) STRICT;
