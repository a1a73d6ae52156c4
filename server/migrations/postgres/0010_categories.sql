-- Categories become a list admins keep: the district report's nine to
-- start with (the codes of `Category::BUILT_IN`), then whatever the
-- district adds. A category is never deleted, only retired: records that
-- have it keep it and still count; the forms no longer offer it.
CREATE TABLE categories (
    code     TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    retired  BOOLEAN NOT NULL DEFAULT FALSE,
    -- The order of the lists: the report's order, then by when added.
    position BIGINT NOT NULL
);
INSERT INTO categories (code, name_zh, name_en, retired, position) VALUES
    ('health_clinic', '健康义诊', 'Health clinic', FALSE, 1),
    ('legal_consultation', '法律咨询', 'Legal consultation', FALSE, 2),
    ('counselling', '心理咨询', 'Counselling', FALSE, 3),
    ('rare_disease_aid', '罕见病救治', 'Rare-disease aid', FALSE, 4),
    ('traditional_culture', '传统文化', 'Traditional culture', FALSE, 5),
    ('elder_care', '敬老助老', 'Elder care', FALSE, 6),
    ('home_visit', '走访慰问', 'Home visit', FALSE, 7),
    ('field_survey', '调研', 'Field survey', FALSE, 8),
    ('consultation_meeting', '协商议事', 'Consultation meeting', FALSE, 9);
