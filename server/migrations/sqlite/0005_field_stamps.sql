-- Field stamps move out of the whole-record JSON into a column of their own
-- (the format is `StoredStamps` in server/src/db/stamps.rs): the values are
-- already in the plain columns, and equal stamps are stored once. Existing
-- rows keep every stamp, one per field, in the format's field order.
ALTER TABLE activities ADD COLUMN stamps TEXT NOT NULL DEFAULT '';
UPDATE activities SET stamps = json_object(
    'stamps', json_array(
        json(json_extract(record, '$.category.stamp')),
        json(json_extract(record, '$.title.stamp')),
        json(json_extract(record, '$.station_id.stamp')),
        json(json_extract(record, '$.date.stamp')),
        json(json_extract(record, '$.volunteers.stamp')),
        json(json_extract(record, '$.people_served.stamp')),
        json(json_extract(record, '$.notes.stamp')),
        json(json_extract(record, '$.deleted.stamp'))),
    'fields', json_array(0, 1, 2, 3, 4, 5, 6, 7))
WHERE record <> '';
ALTER TABLE activities DROP COLUMN record;
