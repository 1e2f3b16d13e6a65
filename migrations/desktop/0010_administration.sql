-- Appligarde desktop store, schema 10: administration of the MMG (issue 3).
-- The MMG's identity keeps who changed it last, like every other record (users, patients,
-- consultations, garde settings already do since schema 3). Only the MMG admin changes it.
-- Released migrations are never edited: add a new numbered file instead.
ALTER TABLE mmg ADD COLUMN updated_by INTEGER REFERENCES utilisateur (id);
