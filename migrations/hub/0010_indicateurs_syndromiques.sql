-- 0010_indicateurs_syndromiques: the syndromic indicators per MMG and day, for the ORU (issue 24).
--
-- Derived from daily_aggregate (aggregate schema 2: `with_diagnosis`, `by_syndrome`), summed over
-- the PCs and PDSA slots of an MMG, and rebuilt in the transaction of every upload (and of every
-- re-enrollment that deletes a PC's rows) for the days it touched, like monthly_aggregate. Counts
-- only: no identity.

-- One row per MMG and day that has daily rows.
CREATE TABLE oru_day (
    mmg_id          UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,
    day             DATE NOT NULL,
    -- Every consultation of the day (context for the ORU; the denominator is in oru_indicator).
    consultations   INTEGER NOT NULL CHECK (consultations >= 0),
    -- Daily rows with consultations but without the syndromic indicators (sent by a desktop older
    -- than schema 2, or by a newer desktop to a hub older than this migration, which kept only
    -- the counts it knew): when > 0 the day's syndromic counts are incomplete.
    older_aggregates INTEGER NOT NULL CHECK (older_aggregates >= 0),
    PRIMARY KEY (mmg_id, day)
);
CREATE INDEX oru_day_day_idx ON oru_day (day, mmg_id);

-- The indicators of an MMG and day, by Santé publique France's age classes: one row per
-- syndrome with at least one consultation, and the row `indicator = ''`, the consultations with
-- at least one diagnosis (the denominator).
CREATE TABLE oru_indicator (
    mmg_id      UUID NOT NULL,
    day         DATE NOT NULL,
    indicator   TEXT NOT NULL CHECK (indicator ~ '^[a-z0-9_]{0,32}$'),
    age_0_1     INTEGER NOT NULL CHECK (age_0_1 >= 0),
    age_2_14    INTEGER NOT NULL CHECK (age_2_14 >= 0),
    age_15_74   INTEGER NOT NULL CHECK (age_15_74 >= 0),
    age_75      INTEGER NOT NULL CHECK (age_75 >= 0),
    age_unknown INTEGER NOT NULL CHECK (age_unknown >= 0),
    PRIMARY KEY (mmg_id, day, indicator),
    FOREIGN KEY (mmg_id, day) REFERENCES oru_day (mmg_id, day) ON DELETE CASCADE
);

-- The days already received: a hub without this migration kept no syndromic indicator.
INSERT INTO oru_day (mmg_id, day, consultations, older_aggregates)
SELECT mmg_id, day,
       COALESCE(sum((counts->>'consultations')::integer), 0),
       count(*) FILTER (WHERE (schema < 2 OR NOT counts ? 'with_diagnosis')
                          AND COALESCE((counts->>'consultations')::integer, 0) > 0)
FROM daily_aggregate
GROUP BY mmg_id, day;
