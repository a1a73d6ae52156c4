-- Each activity keeps the whole merged record, every field with its HLC
-- stamp, as JSON: pushes merge into it field by field. The plain columns
-- beside it stay the query surface for the admin's figures.
ALTER TABLE activities ADD COLUMN record TEXT NOT NULL DEFAULT '';
-- A deleted activity is a tombstone: kept so devices learn of the delete,
-- left out of every figure.
ALTER TABLE activities ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
