-- Activities gain the time they started (optional, "HH:MM:SS") and the
-- group that organised them. Existing rows have neither; their stamps
-- (`StoredStamps`) list eight fields, and the two new ones read as stamped
-- at zero, so any later edit of them wins.
ALTER TABLE activities ADD COLUMN time TEXT;
ALTER TABLE activities ADD COLUMN organising_group TEXT NOT NULL DEFAULT '';
