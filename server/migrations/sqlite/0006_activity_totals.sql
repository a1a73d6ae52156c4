-- Running totals of live activities per day, station and category, kept in
-- the same transaction as every write to `activities` (see `update_totals`
-- in server/src/db.rs). The admin's figures read these few rows instead of
-- scanning every activity. WITHOUT ROWID: the key is the row, so each
-- upsert touches one B-tree, not a table and its key index.
CREATE TABLE activity_totals (
    date          TEXT NOT NULL,
    station_id    TEXT NOT NULL,
    category      TEXT NOT NULL,
    activities    INTEGER NOT NULL,
    people_served INTEGER NOT NULL,
    volunteers    INTEGER NOT NULL,
    PRIMARY KEY (date, station_id, category)
) WITHOUT ROWID;
INSERT INTO activity_totals
SELECT date, station_id, category, COUNT(*), SUM(people_served), SUM(volunteers)
FROM activities WHERE deleted = 0
GROUP BY date, station_id, category;

-- The admin's list and exports read the newest activities first.
CREATE INDEX activities_date ON activities (date);
