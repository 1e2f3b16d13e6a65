-- Appligarde desktop store, schema 5: prescriptions, ordonnances types and printed documents (issue 5).
-- Released migrations are never edited: add a new numbered file instead.

-- The prescription of a consultation, one row per drug line, in the order printed. Saved again as a
-- whole while the doctor types (the lines are replaced in one transaction).
CREATE TABLE prescription_ligne (
    consultation_id           INTEGER NOT NULL REFERENCES consultation (id),
    rang                      INTEGER NOT NULL,
    -- Brand or product name as typed or chosen in the BDPM (may be the DCI alone).
    medicament                TEXT NOT NULL DEFAULT '',
    dci                       TEXT NOT NULL DEFAULT '',
    dosage                    TEXT NOT NULL DEFAULT '',
    forme                     TEXT NOT NULL DEFAULT '',
    posologie                 TEXT NOT NULL DEFAULT '',
    duree_ou_quantite         TEXT NOT NULL DEFAULT '',
    renouvellements           INTEGER NOT NULL DEFAULT 0 CHECK (renouvellements BETWEEN 0 AND 12),
    non_substituable          INTEGER NOT NULL DEFAULT 0 CHECK (non_substituable IN (0, 1)),
    -- The justification printed with "non substituable" (MTE, EFG, CIF), empty otherwise.
    mention_non_substituable  TEXT NOT NULL DEFAULT '',
    -- The BDPM code when the line was chosen from the database, NULL for free text.
    cis                       TEXT,
    PRIMARY KEY (consultation_id, rang)
) STRICT, WITHOUT ROWID;

-- The MMG's ordonnances types (prescription templates), seeded from the built-in ones of the
-- documents crate and then edited by the MMG. `lignes` is JSON (the API's wire shape, with the
-- weight-based dose rules). A removed template is kept inactive so that the seed never comes back.
CREATE TABLE ordonnance_type (
    id          INTEGER PRIMARY KEY,
    nom         TEXT NOT NULL,
    lignes      TEXT NOT NULL,
    actif       INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  INTEGER REFERENCES utilisateur (id)
) STRICT;

CREATE UNIQUE INDEX ordonnance_type_nom ON ordonnance_type (nom) WHERE actif = 1;

-- Every printed document: which consultation, what kind, when, by whom, the exact input rendered
-- (JSON: a reprint renders it again and gives the same bytes) and the SHA-256 of the PDF, with the
-- recipient chosen in the annuaire (its key `rpps:...`/`local:...` and the printed address block).
-- Append-only: a printed document is a fact.
CREATE TABLE document_imprime (
    id                INTEGER PRIMARY KEY,
    consultation_id   INTEGER NOT NULL REFERENCES consultation (id),
    nature            TEXT NOT NULL CHECK (nature IN ('ordonnance', 'medecin_traitant', 'urgences', 'certificat')),
    imprime_le        TEXT NOT NULL,
    auteur_id         INTEGER REFERENCES utilisateur (id),
    entree            TEXT NOT NULL,
    empreinte         TEXT NOT NULL CHECK (length(empreinte) = 64),
    destinataire_cle  TEXT,
    destinataire      TEXT NOT NULL DEFAULT '',
    -- The document this one reprints, NULL for a first print.
    reimpression_de   INTEGER REFERENCES document_imprime (id)
) STRICT;

CREATE INDEX document_imprime_consultation ON document_imprime (consultation_id, id);

CREATE TRIGGER document_imprime_sans_modification BEFORE UPDATE ON document_imprime
BEGIN SELECT RAISE(ABORT, 'document_imprime is append-only'); END;
CREATE TRIGGER document_imprime_sans_suppression BEFORE DELETE ON document_imprime
BEGIN SELECT RAISE(ABORT, 'document_imprime is append-only'); END;
