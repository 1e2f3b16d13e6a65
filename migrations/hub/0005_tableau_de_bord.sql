-- 0005_tableau_de_bord: what the coordinators' dashboard needs beyond monthly totals, kept in
-- the monthly pre-aggregate so that a year of a département still reads 12 rows per MMG.
--
-- Both columns are rebuilt with the rest of the row in each upload's transaction
-- (`aggregates::rebuild_month`). Rows written before this migration have NULL here: the hub
-- rebuilds them when it starts (`aggregates::rebuild_missing_months`), and until then the
-- dashboard shows those months without a heat map.

-- Consultations by weekday (Monday first) and hour of arrival (0h to 23h): an array of 7
-- arrays of 24, from each date's weekday and its aggregates' `by_arrival_hour`.
ALTER TABLE monthly_aggregate ADD COLUMN by_weekday_hour JSON;
-- Shifts held per PDSA slot code: the (date, slot) pairs that have at least one aggregate
-- ({"nuit": 30, "dimanche_ferie": 4, ...}), to give consultations per shift.
ALTER TABLE monthly_aggregate ADD COLUMN shifts_by_slot JSON;
