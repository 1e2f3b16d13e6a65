-- 0008_sauvegardes_hors_site: the off-site copies of the MMGs' backups (issue 27).
--
-- The bytes are files in the hub's backups directory (APPLIGARDE_HUB_SAUVEGARDES), one per row,
-- named <mmg_id>/<id>; this table says which exist, how far each upload went and which are
-- whole. The copies are encrypted by the desktop: the hub keeps sizes, hashes and dates only,
-- never a key nor a recovery code.

CREATE TABLE offsite_copy (
    id           UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    mmg_id       UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    -- The device that created the upload (a retired device's copies stay the MMG's).
    device_id    UUID NOT NULL REFERENCES device (id) ON DELETE RESTRICT,
    size         BIGINT NOT NULL CHECK (size > 0),
    sha256       BYTEA NOT NULL CHECK (octet_length(sha256) = 32),
    -- When the backup was made on the PC: the time the retention rule reads.
    taken_at     TIMESTAMPTZ NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set when the last byte arrived and the hash matched.
    completed_at TIMESTAMPTZ,
    -- One upload per file content and MMG: a create for the same hash finds it again.
    UNIQUE (mmg_id, sha256)
);
CREATE INDEX offsite_copy_mmg_idx ON offsite_copy (mmg_id, completed_at);
