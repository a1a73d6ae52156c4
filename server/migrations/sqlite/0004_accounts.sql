-- Accounts. Passwords are argon2id hashes (PHC strings); failed logins are
-- counted per account so every server process behind a balancer slows the
-- same guesser down.
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('volunteer', 'organiser', 'admin')),
    password_hash   TEXT NOT NULL,
    disabled        INTEGER NOT NULL DEFAULT 0,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    -- ms since the Unix epoch; no login is tried before it.
    locked_until_ms BIGINT NOT NULL DEFAULT 0
);

-- The stations a volunteer records for.
CREATE TABLE user_stations (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    station_id TEXT NOT NULL REFERENCES stations(id),
    PRIMARY KEY (user_id, station_id)
);

-- Login sessions. Only the SHA-256 of a token is stored, so a copy of the
-- database does not log anyone in.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at_ms BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Volunteers pull their stations' changes in change-stream order.
CREATE INDEX activities_station_change ON activities (station_id, change_seq);
