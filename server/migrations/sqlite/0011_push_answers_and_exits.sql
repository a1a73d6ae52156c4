-- A resend gets the answer the first attempt had. `devices.last_seq` is
-- the device's watermark: every mutation at or below it has been answered.
-- `push_answers` keeps every refusal (a resend of a refused mutation is
-- refused again with the same reasons) and the answers to mutations that
-- arrived ahead of the watermark (out of order), until it passes them.
-- `errors` is the refusal's reasons as JSON, NULL for accepted.
--
-- `devices.latest_*` is the latest stamp of the device's own in any change
-- the server took from it: a device whose clock ran ahead moves its stamps
-- back to after it, never before (the node is the device id).
ALTER TABLE devices ADD COLUMN latest_wall_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE devices ADD COLUMN latest_counter INTEGER NOT NULL DEFAULT 0;

--
-- `users.scope_version` counts the changes of a user's stations; pull
-- cursors carry it, so a device whose user's stations changed and changed
-- back still starts over and drops what it recorded for a station it had
-- only in between.
ALTER TABLE users ADD COLUMN scope_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE push_answers (
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    errors    TEXT,
    PRIMARY KEY (device_id, seq)
);

-- An activity moved from one station to another leaves the devices of
-- the first: each move is kept at the change-stream position of the write
-- that made it, so a pull of that station's scope can say the record left.
CREATE TABLE activity_exits (
    change_seq INTEGER NOT NULL,
    record_id  TEXT NOT NULL,
    station_id TEXT NOT NULL
);
CREATE INDEX activity_exits_by_position ON activity_exits (change_seq);
