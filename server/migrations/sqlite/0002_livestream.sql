-- Livestream sessions; products and sale lines come with the organisers' app.
CREATE TABLE livestream_sessions (
    id       TEXT PRIMARY KEY,
    number   INTEGER NOT NULL UNIQUE,
    date     TEXT NOT NULL,
    platform TEXT NOT NULL,
    host     TEXT NOT NULL,
    viewers  INTEGER NOT NULL
);
