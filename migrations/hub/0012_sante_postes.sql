-- Fleet health (issue 22): each PC's update channel, and the latest health report it sent.
-- Released migrations are never edited: add a new numbered file instead.

-- The update channel the signed updates will follow: 'stable' unless the URML moves the PC to
-- 'pilote' (`appligarde-hub admin set-channel`).
ALTER TABLE device ADD COLUMN canal TEXT NOT NULL DEFAULT 'stable'
    CHECK (canal IN ('stable', 'pilote'));

-- The latest report of each PC (`POST /api/v1/sante`), replaced at each sync. Versions, dates
-- and a count: never patient data.
CREATE TABLE device_health (
    device_id          UUID PRIMARY KEY REFERENCES device (id) ON DELETE CASCADE,
    reported_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    app_version        TEXT NOT NULL CHECK (length(app_version) BETWEEN 1 AND 40),
    schema_version     INTEGER NOT NULL CHECK (schema_version >= 0),
    last_backup_at     TIMESTAMPTZ,
    last_integrity_at  TIMESTAMPTZ,
    integrity_ok       BOOLEAN,
    pending_days       INTEGER NOT NULL CHECK (pending_days >= 0),
    CHECK ((last_integrity_at IS NULL) = (integrity_ok IS NULL))
);
