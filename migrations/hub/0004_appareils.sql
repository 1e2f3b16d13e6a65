-- 0004_appareils: re-enrolling a PC replaces its previous device instead of adding one, and
-- operators see when each PC last called.
--
-- An installation is one desktop store. Its first device starts the installation (its own id);
-- a later enrollment that names the device it was before (the desktop keeps the device id of
-- its last enrollment in its store, which a backup and a restore carry along) continues the
-- same installation. The hub then retires every device of that installation in the MMG and
-- deletes their daily aggregates in the enrollment's transaction; the desktop sends every day
-- again under the new device, so the MMG's totals are exactly the store's, whatever revisions
-- the hub had (a restored older backup has lower ones).

ALTER TABLE device ADD COLUMN installation_id UUID;
UPDATE device SET installation_id = id;
ALTER TABLE device ALTER COLUMN installation_id SET NOT NULL;

-- A device inserted without an installation starts its own (the id is known in a BEFORE
-- trigger, which runs before the NOT NULL check).
CREATE FUNCTION device_installation_default() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.installation_id IS NULL THEN
        NEW.installation_id := NEW.id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER device_installation_default BEFORE INSERT ON device
    FOR EACH ROW EXECUTE FUNCTION device_installation_default();

-- Last authenticated request of the device (updated at most once a minute).
ALTER TABLE device ADD COLUMN last_seen_at TIMESTAMPTZ;
-- Why it was revoked: replaced by a re-enrollment of the same store, or retired by an operator.
ALTER TABLE device ADD COLUMN revoked_reason TEXT
    CHECK (revoked_reason IN ('reenrolled', 'retired'));
ALTER TABLE device ADD CONSTRAINT device_revoked_reason_with_date
    CHECK ((revoked_reason IS NULL) OR (revoked_at IS NOT NULL));

CREATE INDEX device_installation_idx ON device (mmg_id, installation_id);
