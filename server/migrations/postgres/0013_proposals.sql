-- Proposals (建言) and the steps of their life (受理, 举措, 反馈, 办结,
-- 不予采纳), both synced records on the change stream like activities:
-- plain columns for the admin's queries beside the whole stamped record
-- as JSON. A step keeps its proposal's proposer, which never changes, so
-- a member's pull reads their own proposals and steps by one column.
CREATE TABLE proposals (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    proposer   TEXT NOT NULL,
    group_code TEXT NOT NULL,
    topic      TEXT NOT NULL,
    street     TEXT NOT NULL,
    station_id TEXT,
    date       TEXT NOT NULL,
    -- Read from its steps (`Progress::of`) and written with every step,
    -- in the same transaction: what the admin's board filters and counts.
    -- satisfied is 'yes', 'no' or NULL (no feedback yet).
    state         TEXT NOT NULL DEFAULT 'submitted',
    responsible   TEXT,
    due           TEXT,
    first_measure TEXT,
    satisfied     TEXT,
    deleted    BOOLEAN NOT NULL,
    change_seq BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE UNIQUE INDEX proposals_change_seq ON proposals (change_seq);
CREATE INDEX proposals_proposer ON proposals (proposer, change_seq);
CREATE INDEX proposals_date ON proposals (date);
CREATE INDEX proposals_state ON proposals (state);

CREATE TABLE proposal_steps (
    id          TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL,
    proposer    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    author      TEXT NOT NULL,
    date        TEXT NOT NULL,
    deleted     BOOLEAN NOT NULL,
    change_seq  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    record      TEXT NOT NULL
);
CREATE UNIQUE INDEX proposal_steps_change_seq ON proposal_steps (change_seq);
CREATE INDEX proposal_steps_proposer ON proposal_steps (proposer, change_seq);
CREATE INDEX proposal_steps_proposal ON proposal_steps (proposal_id);

-- The groups proposals come from: a list admins keep, like the
-- categories; never deleted, only retired.
CREATE TABLE proposal_groups (
    code     TEXT PRIMARY KEY,
    name_zh  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    retired  BOOLEAN NOT NULL DEFAULT FALSE,
    position BIGINT NOT NULL
);
INSERT INTO proposal_groups (code, name_zh, name_en, retired, position) VALUES
    ('minge', '民革', 'RCCK', FALSE, 1),
    ('minmeng', '民盟', 'China Democratic League', FALSE, 2),
    ('minjian', '民建', 'CNDCA', FALSE, 3),
    ('minjin', '民进', 'CAPD', FALSE, 4),
    ('nonggong', '农工党', 'Peasants and Workers Party', FALSE, 5),
    ('zhigong', '致公党', 'Zhi Gong Party', FALSE, 6),
    ('jiusan', '九三学社', 'Jiusan Society', FALSE, 7),
    ('xinlianhui', '新联会', 'New Social Strata Assoc.', FALSE, 8),
    ('gongshanglian', '工商联', 'Federation of Commerce', FALSE, 9),
    ('wudangpai', '无党派人士', 'Non-party members', FALSE, 10);
