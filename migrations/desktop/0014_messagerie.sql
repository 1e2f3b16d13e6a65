-- Appligarde desktop store, schema 14: MSSanté secure messaging (issue 25).

-- The MMG's mailbox: its address, its operator's submission server, the client certificate
-- (PKCS#12 as delivered, with its password) and an extra certificate authority to trust (PEM).
-- The database is encrypted (SQLCipher): these secrets are never written anywhere in clear.
-- `oid_racine` is the MMG's own OID root (2.25.<uuid>), made once: the assigning authority of the
-- patient ids and the source id of the XDM packages it sends.
CREATE TABLE messagerie_reglages (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    adresse       TEXT NOT NULL,
    serveur       TEXT NOT NULL,
    port          INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    certificat    BLOB,
    mot_de_passe  TEXT,
    ca_pem        BLOB,
    oid_racine    TEXT NOT NULL,
    modifie_le    TEXT NOT NULL,
    modifie_par   INTEGER REFERENCES utilisateur (id)
) STRICT;

-- The outbox: one row per message, queued with its exact bytes (Message-ID included), so that
-- every try sends the same message. States: `en_attente` (to send at `prochain_essai`),
-- `en_cours` (claimed by a sender since `en_cours_depuis`; a claim older than the longest
-- exchange is a sender that died, and the message is tried again), `envoye` (the server took it,
-- 250 after DATA), `echec` (refused for good, `raison` says why in French).
CREATE TABLE messagerie_envoi (
    id               INTEGER PRIMARY KEY,
    document_id      INTEGER NOT NULL REFERENCES document_imprime (id),
    destinataire     TEXT NOT NULL,
    message_id       TEXT NOT NULL UNIQUE,
    message          BLOB NOT NULL,
    statut           TEXT NOT NULL DEFAULT 'en_attente'
                     CHECK (statut IN ('en_attente', 'en_cours', 'envoye', 'echec')),
    tentatives       INTEGER NOT NULL DEFAULT 0,
    prochain_essai   TEXT NOT NULL,
    en_cours_depuis  TEXT,
    raison           TEXT NOT NULL DEFAULT '',
    cree_le          TEXT NOT NULL,
    auteur_id        INTEGER REFERENCES utilisateur (id),
    envoye_le        TEXT
) STRICT;

CREATE INDEX messagerie_envoi_a_envoyer ON messagerie_envoi (statut, prochain_essai);
CREATE INDEX messagerie_envoi_document ON messagerie_envoi (document_id);
