-- Appligarde desktop store, schema 1: the MMG, its users, patients and consultations (first cut).
-- Released migrations are never edited: add a new numbered file instead.

-- The MMG's identity, a single row (id = 1), edited in Paramètres.
CREATE TABLE mmg (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    nom          TEXT NOT NULL,
    adresse      TEXT NOT NULL DEFAULT '',
    code_postal  TEXT NOT NULL DEFAULT '',
    commune      TEXT NOT NULL DEFAULT '',
    telephone    TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL DEFAULT '',
    departement  TEXT NOT NULL,
    finess       TEXT,
    updated_at   TEXT NOT NULL
) STRICT;

-- People who use the program at the MMG: duty doctors, receptionists, the MMG admin.
CREATE TABLE utilisateur (
    id          INTEGER PRIMARY KEY,
    nom         TEXT NOT NULL,
    prenom      TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('medecin', 'accueil', 'admin')),
    rpps        TEXT UNIQUE,
    specialite  TEXT,
    actif       INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1)),
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE patient (
    id              INTEGER PRIMARY KEY,
    nom             TEXT NOT NULL,
    prenom          TEXT NOT NULL,
    sexe            TEXT NOT NULL CHECK (sexe IN ('F', 'M', 'I')),
    date_naissance  TEXT NOT NULL,
    code_postal     TEXT NOT NULL DEFAULT '',
    commune         TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
) STRICT;

CREATE INDEX patient_nom_naissance ON patient (nom, date_naissance);

-- One garde consultation. Times are local Europe/Paris wall-clock times, ISO 8601 without offset,
-- because the garde clock (PDSA periods, cotation) is defined in local time.
CREATE TABLE consultation (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL UNIQUE,
    patient_id    INTEGER NOT NULL REFERENCES patient (id),
    medecin_id    INTEGER REFERENCES utilisateur (id),
    arrivee       TEXT NOT NULL,
    debut         TEXT,
    fin           TEXT,
    mode_arrivee  TEXT NOT NULL CHECK (mode_arrivee IN (
                      'regule_centre15', 'regule_116117', 'regule_sas', 'spontane',
                      'adresse_medecin', 'adresse_pharmacien', 'autre')),
    lieu          TEXT NOT NULL DEFAULT 'mmg' CHECK (lieu IN ('mmg', 'domicile')),
    motif         TEXT NOT NULL DEFAULT '',
    statut        TEXT NOT NULL DEFAULT 'brouillon' CHECK (statut IN ('brouillon', 'cloturee')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

CREATE INDEX consultation_arrivee ON consultation (arrivee);
CREATE INDEX consultation_patient ON consultation (patient_id);
