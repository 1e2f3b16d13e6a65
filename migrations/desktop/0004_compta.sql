-- Appligarde desktop store, schema 4: cotation and comptabilité of the garde (issue 6).
-- Tariff tables as versioned data, the cotation kept with each consultation (the program's proposal
-- and the doctor's choice), payments (append-only: a correction is a new entry), and the closing of a
-- shift's accounts. Released migrations are never edited: add a new numbered file instead.

-- Every tariff table the MMG has used: the default table shipped with the program (loaded on first
-- use), then each newer table imported from a file or pushed by the hub. The newest row is the table
-- in force; each of its tariffs carries its own validity dates, so an act is priced with the amount
-- valid on its own date. `csv` is the whole effective table (same format as the shipped file).
CREATE TABLE tarif_version (
    id            INTEGER PRIMARY KEY,
    origine       TEXT NOT NULL CHECK (origine IN ('defaut', 'fichier', 'hub')),
    mode          TEXT NOT NULL CHECK (mode IN ('initial', 'remplacement', 'complement')),
    empreinte     TEXT NOT NULL,
    nb_tarifs     INTEGER NOT NULL CHECK (nb_tarifs > 0),
    csv           TEXT NOT NULL,
    importee_le   TEXT NOT NULL,
    importee_par  INTEGER REFERENCES utilisateur (id)
) STRICT;

CREATE TRIGGER tarif_version_sans_modification BEFORE UPDATE ON tarif_version
BEGIN SELECT RAISE(ABORT, 'tarif_version is append-only'); END;
CREATE TRIGGER tarif_version_sans_suppression BEFORE DELETE ON tarif_version
BEGIN SELECT RAISE(ABORT, 'tarif_version is append-only'); END;

-- The cotation of a consultation: the program's proposal (JSON of the domain `Cotation`: codes,
-- amounts, total, French explanations), the tariff table it was priced with, and the acts the doctor
-- kept (cotation_acte). `modifiee` is 1 when the chosen acts differ from the proposal.
CREATE TABLE cotation (
    consultation_id    INTEGER PRIMARY KEY REFERENCES consultation (id),
    tarif_version_id   INTEGER NOT NULL REFERENCES tarif_version (id),
    proposition        TEXT NOT NULL,
    proposition_total  INTEGER NOT NULL CHECK (proposition_total >= 0),
    total_centimes     INTEGER NOT NULL CHECK (total_centimes >= 0),
    modifiee           INTEGER NOT NULL DEFAULT 0 CHECK (modifiee IN (0, 1)),
    motif              TEXT NOT NULL DEFAULT '',
    proposee_le        TEXT NOT NULL,
    proposee_par       INTEGER REFERENCES utilisateur (id),
    choisie_le         TEXT,
    choisie_par        INTEGER REFERENCES utilisateur (id)
) STRICT;

CREATE TABLE cotation_acte (
    consultation_id   INTEGER NOT NULL REFERENCES cotation (consultation_id),
    rang              INTEGER NOT NULL,
    code              TEXT NOT NULL,
    libelle           TEXT NOT NULL DEFAULT '',
    montant_centimes  INTEGER NOT NULL CHECK (montant_centimes >= 0),
    explication       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (consultation_id, rang)
) STRICT, WITHOUT ROWID;

-- Payments. Never updated nor deleted: a wrong entry is cancelled by a new entry that names it
-- (`annule_id`), a missing one is added. Amounts are integer cents and never negative; a cheque has
-- its number. `apres_cloture` marks the entries made after the shift's accounts were closed.
CREATE TABLE paiement (
    id                INTEGER PRIMARY KEY,
    consultation_id   INTEGER NOT NULL REFERENCES consultation (id),
    mode              TEXT NOT NULL CHECK (mode IN ('especes', 'cheque', 'carte', 'tiers_payant_amo',
                                                    'tiers_payant_amc', 'c2s_ame', 'non_regle')),
    montant_centimes  INTEGER NOT NULL CHECK (montant_centimes >= 0),
    cheque_numero     TEXT NOT NULL DEFAULT '',
    cheque_banque     TEXT NOT NULL DEFAULT '',
    cheque_emetteur   TEXT NOT NULL DEFAULT '',
    annule_id         INTEGER UNIQUE REFERENCES paiement (id),
    motif             TEXT NOT NULL DEFAULT '',
    apres_cloture     INTEGER NOT NULL DEFAULT 0 CHECK (apres_cloture IN (0, 1)),
    saisi_le          TEXT NOT NULL,
    saisi_par         INTEGER REFERENCES utilisateur (id),
    CHECK (mode <> 'cheque' OR annule_id IS NOT NULL OR trim(cheque_numero) <> '')
) STRICT;

CREATE INDEX paiement_consultation ON paiement (consultation_id);

CREATE TRIGGER paiement_sans_modification BEFORE UPDATE ON paiement
BEGIN SELECT RAISE(ABORT, 'paiement is append-only'); END;
CREATE TRIGGER paiement_sans_suppression BEFORE DELETE ON paiement
BEGIN SELECT RAISE(ABORT, 'paiement is append-only'); END;

-- The closing of a shift's accounts: once a row exists, the shift's cotations are read-only and
-- payments are only added as correction entries. `rapport` is the JSON snapshot of the totals at
-- closing time (what the printed report said).
CREATE TABLE cloture_compta (
    garde_id       INTEGER PRIMARY KEY REFERENCES garde (id),
    cloturee_le    TEXT NOT NULL,
    cloturee_par   INTEGER REFERENCES utilisateur (id),
    attendu        INTEGER NOT NULL,
    regle          INTEGER NOT NULL,
    rapport        TEXT NOT NULL
) STRICT;

CREATE TRIGGER cloture_compta_sans_modification BEFORE UPDATE ON cloture_compta
BEGIN SELECT RAISE(ABORT, 'cloture_compta is append-only'); END;
CREATE TRIGGER cloture_compta_sans_suppression BEFORE DELETE ON cloture_compta
BEGIN SELECT RAISE(ABORT, 'cloture_compta is append-only'); END;
