-- Photos of activities. A photo's reference is a synced record on the
-- change stream like any other (plain columns beside the whole stamped
-- record as JSON); a device pulls the references of the activities it
-- pulls, by joining to them, so a photo follows its activity's station.
-- changed_at is the server's time of the last write, what the sweep of
-- unreferenced photos measures its grace period from.
CREATE TABLE activity_photos (
    id          TEXT PRIMARY KEY,
    activity_id TEXT NOT NULL,
    hash        TEXT NOT NULL,
    bytes       BIGINT NOT NULL,
    deleted     BOOLEAN NOT NULL,
    change_seq  BIGINT NOT NULL,
    changed_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    record      TEXT NOT NULL
);
CREATE UNIQUE INDEX activity_photos_change_seq ON activity_photos (change_seq);
CREATE INDEX activity_photos_activity ON activity_photos (activity_id);
CREATE INDEX activity_photos_hash ON activity_photos (hash);

-- The photos' bytes the server holds, whole and checked, by the SHA-256
-- of their bytes; the bytes themselves (and a thumbnail) are in the photo
-- store (the local folder or an S3 bucket), under the same name.
CREATE TABLE photo_blobs (
    hash      TEXT PRIMARY KEY,
    bytes     BIGINT NOT NULL,
    mime      TEXT NOT NULL,
    width     BIGINT NOT NULL,
    height    BIGINT NOT NULL,
    stored_at TEXT NOT NULL
);
