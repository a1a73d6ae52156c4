-- The schema SQLite reached at its migration 0009, for PostgreSQL. It is
-- numbered 0009 so both backends stand at the same version: every later
-- migration is written twice, once in each directory, with the same number.
--
-- Columns have the same names and the same meaning on both backends:
-- ids, dates (ISO 8601, so text order is date order) and times are text,
-- as the devices send them; counts and money are BIGINT (SQLite's INTEGER);
-- flags are BOOLEAN. The server binds only text, integers and booleans
-- (sqlx's Any driver), so one set of queries serves both.

CREATE TABLE stations (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    kind      TEXT NOT NULL,
    street    TEXT NOT NULL,
    community TEXT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE activities (
    id               TEXT PRIMARY KEY,
    category         TEXT NOT NULL,
    title            TEXT NOT NULL,
    station_id       TEXT NOT NULL REFERENCES stations(id),
    date             TEXT NOT NULL,
    volunteers       BIGINT NOT NULL,
    people_served    BIGINT NOT NULL,
    notes            TEXT NOT NULL,
    change_seq       BIGINT NOT NULL,
    updated_by       TEXT NOT NULL,
    deleted          BOOLEAN NOT NULL DEFAULT FALSE,
    stamps           TEXT NOT NULL DEFAULT '',
    time             TEXT,
    organising_group TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX activities_change_seq ON activities (change_seq);
CREATE INDEX activities_station_change ON activities (station_id, change_seq);
CREATE INDEX activities_date ON activities (date);

CREATE TABLE devices (
    device_id TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL,
    last_seq  BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('volunteer', 'organiser', 'admin')),
    password_hash   TEXT NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins   BIGINT NOT NULL DEFAULT 0,
    -- ms since the Unix epoch; no login is tried before it.
    locked_until_ms BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE user_stations (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    station_id TEXT NOT NULL REFERENCES stations(id),
    PRIMARY KEY (user_id, station_id)
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE activity_totals (
    date          TEXT NOT NULL,
    station_id    TEXT NOT NULL,
    category      TEXT NOT NULL,
    activities    BIGINT NOT NULL,
    people_served BIGINT NOT NULL,
    volunteers    BIGINT NOT NULL,
    PRIMARY KEY (date, station_id, category)
);

CREATE TABLE partner_regions (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    province   TEXT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX partner_regions_change_seq ON partner_regions (change_seq);

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region_id  TEXT NOT NULL,
    unit       TEXT NOT NULL,
    price_fen  BIGINT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX products_change_seq ON products (change_seq);

CREATE TABLE livestream_sessions (
    id         TEXT PRIMARY KEY,
    number     BIGINT NOT NULL,
    date       TEXT NOT NULL,
    platform   TEXT NOT NULL,
    host       TEXT NOT NULL,
    partners   TEXT NOT NULL,
    viewers    BIGINT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX livestream_sessions_change_seq ON livestream_sessions (change_seq);

CREATE TABLE sale_lines (
    id         TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    units      BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    orders     BIGINT NOT NULL,
    deleted    BOOLEAN NOT NULL,
    change_seq BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX sale_lines_change_seq ON sale_lines (change_seq);
CREATE INDEX sale_lines_session ON sale_lines (session_id);
CREATE INDEX sale_lines_product ON sale_lines (product_id);

CREATE TABLE sale_totals (
    session_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    lines      BIGINT NOT NULL,
    units      BIGINT NOT NULL,
    amount_fen BIGINT NOT NULL,
    orders     BIGINT NOT NULL,
    PRIMARY KEY (session_id, product_id)
);
