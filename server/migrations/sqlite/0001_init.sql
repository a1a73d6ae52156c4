-- Reference data: the district's stations.
CREATE TABLE stations (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    street    TEXT NOT NULL,
    community TEXT NOT NULL
);

-- Activities as last written. `change_seq` is the position of the latest
-- change to the row in the change stream that devices pull from.
CREATE TABLE activities (
    id            TEXT PRIMARY KEY,
    category      TEXT NOT NULL,
    title         TEXT NOT NULL,
    station_id    TEXT NOT NULL REFERENCES stations(id),
    date          TEXT NOT NULL,
    volunteers    INTEGER NOT NULL,
    people_served INTEGER NOT NULL,
    notes         TEXT NOT NULL,
    change_seq    INTEGER NOT NULL,
    updated_by    TEXT NOT NULL
);
CREATE UNIQUE INDEX activities_change_seq ON activities (change_seq);

-- One row counter for the change stream. It is bumped inside each write
-- transaction; SQLite has a single writer, so commit order is number order.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

-- The highest mutation sequence applied per device: what makes push
-- idempotent. Updated in the same transaction as the changes themselves.
CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL,
    last_seq  INTEGER NOT NULL
);
