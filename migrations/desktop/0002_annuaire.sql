-- Appligarde desktop store, schema 2: the annuaire des correspondants.
-- Practitioners from the national RPPS extract with their sites, the MMG's own entries
-- (hospitals, emergency departments, pharmacies, laboratories, specialists not in the file), the
-- search index over both, and the history of RPPS imports.
-- Released migrations are never edited: add a new numbered file instead.

-- One RPPS import, successful or not: when, which file, with which filter, what it changed.
-- The ids of successful imports mark the rows they saw (`vu_import_id`...): AUTOINCREMENT so that
-- an id is never given twice.
CREATE TABLE import_rpps (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    debut                TEXT NOT NULL,
    fin                  TEXT,
    fichier              TEXT NOT NULL,
    -- Comma-separated codes; empty = no filter.
    filtre_professions   TEXT NOT NULL DEFAULT '',
    filtre_departements  TEXT NOT NULL DEFAULT '',
    statut               TEXT NOT NULL CHECK (statut IN ('en_cours', 'termine', 'echec')),
    erreur               TEXT,
    encodage             TEXT NOT NULL DEFAULT '',
    colonnes             INTEGER NOT NULL DEFAULT 0,
    lignes               INTEGER NOT NULL DEFAULT 0,
    retenues             INTEGER NOT NULL DEFAULT 0,
    hors_filtre          INTEGER NOT NULL DEFAULT 0,
    malformees           INTEGER NOT NULL DEFAULT 0,
    -- The first malformed lines, one "number: reason" per line.
    lignes_malformees    TEXT NOT NULL DEFAULT '',
    ajoutes              INTEGER NOT NULL DEFAULT 0,
    modifies             INTEGER NOT NULL DEFAULT 0,
    inchanges            INTEGER NOT NULL DEFAULT 0,
    desactives           INTEGER NOT NULL DEFAULT 0,
    reactives            INTEGER NOT NULL DEFAULT 0
) STRICT;

-- A practitioner of the RPPS: one person, whatever the number of their activities. Never deleted
-- (letters and consultations refer to them): one absent from a later import becomes inactive.
CREATE TABLE praticien (
    rpps               TEXT PRIMARY KEY CHECK (length(rpps) = 11),
    nom                TEXT NOT NULL,
    prenom             TEXT NOT NULL DEFAULT '',
    -- Libellé civilité d'exercice (Docteur), often blank for non-doctors.
    civilite           TEXT NOT NULL DEFAULT '',
    -- Codes only; their labels are in annuaire_vocabulaire (p<code>, s<code> in lower case).
    profession_code    TEXT NOT NULL DEFAULT '',
    -- The best savoir-faire of the activities: SM54 (médecine générale) first, then by code.
    specialite_code    TEXT NOT NULL DEFAULT '',
    actif              INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1)),
    -- Fingerprint of all the activities seen by the last import that saw the practitioner
    -- (order-independent sum of the parser's activity fingerprints, modulo 2^62).
    empreinte          INTEGER NOT NULL DEFAULT 0,
    -- The same sum, being accumulated by the import `vu_import_id`.
    empreinte_import   INTEGER NOT NULL DEFAULT 0,
    cree_import_id     INTEGER NOT NULL,
    modifie_import_id  INTEGER NOT NULL,
    vu_import_id       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A site (structure, address) of a practitioner, keyed by the parser's stable site key
-- (a 64-bit hash stored as a signed integer).
CREATE TABLE praticien_site (
    rpps               TEXT NOT NULL REFERENCES praticien (rpps),
    site_key           INTEGER NOT NULL,
    -- Codes only; labels in annuaire_vocabulaire (s<code>, m<code> in lower case).
    savoir_faire_code  TEXT NOT NULL DEFAULT '',
    mode_exercice_code TEXT NOT NULL DEFAULT '',
    raison_sociale     TEXT NOT NULL DEFAULT '',
    -- Street lines of the postal address (complements, number and street, distribution
    -- mention), separated by line breaks; the city line is code_postal + commune.
    adresse            TEXT NOT NULL DEFAULT '',
    code_postal        TEXT NOT NULL DEFAULT '',
    commune            TEXT NOT NULL DEFAULT '',
    code_insee         TEXT NOT NULL DEFAULT '',
    departement        TEXT NOT NULL DEFAULT '',
    telephone          TEXT NOT NULL DEFAULT '',
    telephone2         TEXT NOT NULL DEFAULT '',
    fax                TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    -- Not in the public activity extract; kept for a later source.
    mssante            TEXT NOT NULL DEFAULT '',
    actif              INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1)),
    vu_import_id       INTEGER NOT NULL,
    PRIMARY KEY (rpps, site_key)
) STRICT, WITHOUT ROWID;

-- The MMG's own entries: hospitals and their emergency departments, pharmacies, laboratories,
-- specialists not in the RPPS file...
CREATE TABLE annuaire_local (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    type          TEXT NOT NULL CHECK (type IN (
                      'hopital', 'urgences', 'pharmacie', 'laboratoire', 'specialiste', 'autre')),
    nom           TEXT NOT NULL,
    prenom        TEXT NOT NULL DEFAULT '',
    rpps          TEXT,
    specialite    TEXT NOT NULL DEFAULT '',
    adresse       TEXT NOT NULL DEFAULT '',
    code_postal   TEXT NOT NULL DEFAULT '',
    commune       TEXT NOT NULL DEFAULT '',
    departement   TEXT NOT NULL DEFAULT '',
    telephone     TEXT NOT NULL DEFAULT '',
    fax           TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    mssante       TEXT NOT NULL DEFAULT '',
    notes         TEXT NOT NULL DEFAULT '',
    actif         INTEGER NOT NULL DEFAULT 1 CHECK (actif IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- Search as you type over the active entries of both tables. rowid = the RPPS number as an integer
-- for a practitioner, minus the id for a local entry. All text is folded by the program (lower
-- case, no accents, only letters and digits). `cles` holds typed keys, whole terms only (the
-- search turns a word being typed into whole keys through annuaire_mot, never into an FTS5
-- prefix query):
--   n<nom> (name without spaces), x<word> (words of the first name, of the communes, of a name of
--   several words), s<savoir-faire code>, p<profession code>, t<local entry type>, and for each
--   département of the entry d<dep> alone, d<dep>n<nom> and d<dep>x<word> (words of the communes
--   of that département only): d44, d44nmartin, d44xnantes.
-- `texte` (stored, not indexed) is the folded text the program checks the other words against.
CREATE VIRTUAL TABLE annuaire_recherche USING fts5 (
    cles, texte UNINDEXED,
    content = '', contentless_delete = 1, contentless_unindexed = 1,
    detail = column, tokenize = 'ascii'
);

-- The `n` and `x` keys of the whole country with the number of entries that had them when
-- indexed: a word being typed is looked up here (a B-tree range, cheap) and becomes the few most
-- frequent whole keys it starts, so that the search never asks FTS5 for a prefix (which gathers
-- every entry of every matching key before returning the first).
CREATE TABLE annuaire_mot (
    mot  TEXT PRIMARY KEY,
    nb   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;

-- An import indexes up to 2 million entries in one transaction: a 32 MiB pending-terms buffer
-- (instead of 1 MiB) writes fewer, larger segments and merges them less often.
INSERT INTO annuaire_recherche (annuaire_recherche, rank) VALUES ('hashsize', 33554432);

-- Labels of the codes of the RPPS file, met by the imports: savoir-faire (s<code>), professions
-- (p<code>), modes d'exercice (m<code>), and the local entry types (t<type>); codes in lower case.
-- The s, p and t codes are also keys of `cles`, so that « cardio » or « urgences » find them
-- through `libelle_plie`, the folded label.
CREATE TABLE annuaire_vocabulaire (
    cle           TEXT PRIMARY KEY,
    libelle       TEXT NOT NULL,
    libelle_plie  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO annuaire_vocabulaire (cle, libelle, libelle_plie) VALUES
    ('thopital', 'Hôpital', 'hopital'),
    ('turgences', 'Urgences', 'urgences'),
    ('tpharmacie', 'Pharmacie', 'pharmacie'),
    ('tlaboratoire', 'Laboratoire', 'laboratoire'),
    ('tspecialiste', 'Spécialiste', 'specialiste'),
    ('tautre', 'Autre', 'autre');
