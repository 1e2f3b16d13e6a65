-- 0002_users_devices_aggregates: who may read the statistics, which PCs may send them, and
-- the daily aggregates themselves.
--
-- Secrets are never stored: passwords as argon2 PHC strings, session tokens, device tokens and
-- enrollment codes as the SHA-256 of their random value (high entropy, so a plain hash is
-- enough to look them up and useless to whoever reads the table).

-- One URML and one ADOPS per département: `admin create-mmg` creates them when missing, and two
-- operators doing so at once must not create two.
CREATE UNIQUE INDEX organisation_one_urml ON organisation (kind) WHERE kind = 'urml';
CREATE UNIQUE INDEX organisation_one_adops_per_departement
    ON organisation (departement) WHERE kind = 'adops';

CREATE TABLE hub_user (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    login         TEXT NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._@-]{3,64}$'),
    password_hash TEXT NOT NULL CHECK (password_hash LIKE '$argon2%'),
    -- urml-admin: every département; coordinator: those of user_departement only.
    role          TEXT NOT NULL CHECK (role IN ('urml-admin', 'coordinator')),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_departement (
    user_id     UUID NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
    departement TEXT NOT NULL
        CHECK (departement ~ '^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-6])$'),
    PRIMARY KEY (user_id, departement)
);

CREATE TABLE user_session (
    token_hash BYTEA PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id    UUID NOT NULL REFERENCES hub_user (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_session_user_id_idx ON user_session (user_id);

-- Failed logins, per login typed (known or not), for throttling. Old rows are deleted when
-- the same login fails again or succeeds.
CREATE TABLE login_failure (
    login     TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX login_failure_login_idx ON login_failure (login, failed_at);

-- A PC of an MMG. An MMG may have several; the statistics sum them.
CREATE TABLE device (
    id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    mmg_id      UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    token_hash  BYTEA NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX device_mmg_id_idx ON device (mmg_id);

-- One-time codes an administrator gives an MMG to enroll a PC.
CREATE TABLE enrollment_code (
    code_hash  BYTEA PRIMARY KEY CHECK (octet_length(code_hash) = 32),
    mmg_id     UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    device_id  UUID REFERENCES device (id) ON DELETE SET NULL
);

-- The latest revision each PC sent for one date and PDSA slot. `counts` is the protocol's
-- `DailyCounts` JSON, summed over PCs when read.
CREATE TABLE daily_aggregate (
    mmg_id      UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    device_id   UUID NOT NULL REFERENCES device (id) ON DELETE RESTRICT,
    day         DATE NOT NULL,
    slot        TEXT NOT NULL CHECK (slot IN ('nuit', 'milieu_de_nuit', 'dimanche_ferie',
                                               'samedi_apres_midi', 'pont', 'hors_pdsa')),
    revision    BIGINT NOT NULL CHECK (revision >= 0),
    schema      INTEGER NOT NULL CHECK (schema >= 0),
    counts      JSONB NOT NULL,
    received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (mmg_id, device_id, day, slot)
);
-- The statistics read a date range for the MMGs of one département.
CREATE INDEX daily_aggregate_day_idx ON daily_aggregate (day, mmg_id);
