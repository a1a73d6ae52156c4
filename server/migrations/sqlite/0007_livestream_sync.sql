-- Livestream records sync like activities: organisers create them offline,
-- and each row keeps its position in the change stream (`change_seq`, from
-- the same counter as activities), its tombstone, and the whole stamped
-- record (`record`, the JSON of the shared `…Record` type) that devices pull
-- and pushes merge into. The plain columns are what the admin's queries
-- read. References between them are checked by the server on push, not by
-- foreign keys: a deleted product stays as a tombstone, so its sale lines
-- still point somewhere.
CREATE TABLE partner_regions (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    province   TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX partner_regions_change_seq ON partner_regions (change_seq);

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region_id  TEXT NOT NULL,
    unit       TEXT NOT NULL,
    price_fen  INTEGER NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX products_change_seq ON products (change_seq);

CREATE TABLE sale_lines (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    units      INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    orders     INTEGER NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX sale_lines_change_seq ON sale_lines (change_seq);
CREATE INDEX sale_lines_session ON sale_lines (session_id);
CREATE INDEX sale_lines_product ON sale_lines (product_id);

-- Sessions gain partners, sync columns, and lose the unique number: two
-- organisers offline may both plan 第八期, and neither save may be lost.
-- Existing sessions become records stamped at zero (any edit wins) and take
-- the next positions in the change stream.
CREATE TABLE livestream_sessions_synced (
    id         TEXT PRIMARY KEY,
    number     INTEGER NOT NULL,
    date       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    host       TEXT NOT NULL,
    partners   TEXT NOT NULL,
    viewers    INTEGER NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
INSERT INTO livestream_sessions_synced
SELECT id, number, date, platform, host, '', viewers, FALSE,
       (SELECT value FROM counters WHERE name = 'change_seq')
           + ROW_NUMBER() OVER (ORDER BY number, id),
       'migration',
       json_object(
           'id', id,
           'number', json_object('value', number, 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'date', json_object('value', date, 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'platform', json_object('value', platform, 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'host', json_object('value', host, 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'partners', json_object('value', '', 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'viewers', json_object('value', viewers, 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')),
           'deleted', json_object('value', json('false'), 'stamp', json('{"wall_ms":0,"counter":0,"node":"00000000-0000-0000-0000-000000000000"}')))
FROM livestream_sessions;
UPDATE counters SET value = value + (SELECT COUNT(*) FROM livestream_sessions)
WHERE name = 'change_seq';
DROP TABLE livestream_sessions;
ALTER TABLE livestream_sessions_synced RENAME TO livestream_sessions;
CREATE UNIQUE INDEX livestream_sessions_change_seq ON livestream_sessions (change_seq);
