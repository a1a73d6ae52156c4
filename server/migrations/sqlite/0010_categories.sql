-- Categories become a list admins keep: the district report's nine to
-- start with (the codes of `Category::BUILT_IN`), then whatever the
-- district adds. A category is never deleted, only retired: records that
-- have it keep it and still count; the forms no longer offer it.
CREATE TABLE categories (
    code     TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    -- 0 or 1: sqlx's Any driver reads no column declared BOOLEAN.
    retired  INTEGER NOT NULL DEFAULT 0,
    -- The order of the lists: the report's order, then by when added.
    position INTEGER NOT NULL
);
INSERT INTO categories (code, name_zh, name_en, retired, position) VALUES
    ('health_clinic', '健康义诊', 'Health clinic', 0, 1),
    ('legal_consultation', '法律咨询', 'Legal consultation', 0, 2),
    ('counselling', '心理咨询', 'Counselling', 0, 3),
    ('rare_disease_aid', '罕见病救治', 'Rare-disease aid', 0, 4),
    ('traditional_culture', '传统文化', 'Traditional culture', 0, 5),
    ('elder_care', '敬老助老', 'Elder care', 0, 6),
    ('home_visit', '走访慰问', 'Home visit', 0, 7),
    ('field_survey', '调研', 'Field survey', 0, 8),
    ('consultation_meeting', '协商议事', 'Consultation meeting', 0, 9);
