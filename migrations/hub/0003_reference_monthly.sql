-- 0003_reference_monthly: the reference data the URML publishes to every desktop, the region it
-- covers, and the monthly pre-aggregates the coordinators' dashboard reads.

-- The départements of the region (for the URML of Pays de la Loire: 44, 49, 53, 72, 85). An RPPS
-- publication keeps only the practitioners of these. Set with `appligarde-hub admin set-region`.
CREATE TABLE region_departement (
    departement TEXT PRIMARY KEY
        CHECK (departement ~ '^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-6])$')
);

-- One numbered publication of a reference file (the whole file, not a diff). Versions are
-- shared by all kinds, start at 1 and grow by one: `admin publish` takes an exclusive lock on
-- the table, so a desktop that has seen version N never misses a smaller one committed later.
CREATE TABLE reference_publication (
    version      BIGINT PRIMARY KEY CHECK (version > 0),
    kind         TEXT NOT NULL CHECK (kind IN ('rpps', 'annuaire', 'tarifs', 'cim10')),
    published_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The file's text, as the desktop receives it (UTF-8).
    content      TEXT NOT NULL,
    -- SHA-256 of `content`, for operators comparing a publication with their file.
    content_sha256 BYTEA NOT NULL CHECK (octet_length(content_sha256) = 32),
    -- Lines (rpps, tarifs, cim10, header excluded) or entries (annuaire) published.
    items        INTEGER NOT NULL CHECK (items >= 0)
);

-- The activity of one MMG in one calendar month: the sum over its PCs, days and slots of the
-- latest revision of each daily aggregate. Rebuilt for the touched months in the same
-- transaction as each upload, so that a year of a département reads 12 rows per MMG instead of
-- hundreds.
CREATE TABLE monthly_aggregate (
    mmg_id     UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    month      DATE NOT NULL CHECK (extract(day FROM month) = 1),
    -- Dates of the month that have at least one aggregate.
    days       INTEGER NOT NULL CHECK (days >= 0),
    -- JSON (checked on input, kept as written) rather than JSONB: these are only ever read
    -- whole and passed on to the dashboard, and JSONB's conversion back to text dominated the
    -- year view's time.
    -- Consultations per PDSA slot code ({"nuit": 12, ...}).
    by_slot    JSON NOT NULL,
    -- Consultations per weekday, Monday first (an array of 7).
    by_weekday JSON NOT NULL,
    -- The protocol's `DailyCounts`, summed.
    counts     JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (mmg_id, month)
);
-- The dashboard reads one département over a range of months.
CREATE INDEX monthly_aggregate_month_idx ON monthly_aggregate (month, mmg_id);
-- MMGs of a département, by name.
CREATE INDEX organisation_mmg_departement_idx ON organisation (departement, name)
    WHERE kind = 'mmg';

-- Daily aggregates stored before this migration have no monthly rows yet: the hub rebuilds
-- those months when it starts (see `aggregates::rebuild_missing_months`).
