-- The council's strategy (PostgreSQL): strategies, objectives with their owner and levers, measures
-- (computed by levers or official statistics), yearly targets, recorded official values, and the
-- objectives that community budget projects, co-production activities, appraisals and spend (a body,
-- or one spending category of a body) serve, by reference. Years are the starting calendar year of
-- a financial year (2024 = 2024/25); dates are ISO text; times are Unix seconds. Measures' values
-- are statistics (shares, counts, whole pounds), kept as DOUBLE PRECISION.

CREATE TABLE strategies (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL,
    summary     TEXT    NOT NULL DEFAULT '',
    first_year  BIGINT  NOT NULL,
    last_year   BIGINT  NOT NULL CHECK (last_year >= first_year),
    published   BIGINT  NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE strategy_objectives (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    strategy_id BIGINT  NOT NULL REFERENCES strategies (id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    -- The title trimmed, in lower case, with runs of white space as one space (levers_strategy::normalise_tag).
    title_key   TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    owner       TEXT    NOT NULL DEFAULT '',
    -- Lever keys separated by spaces: procurement, community_budgets, coproduction.
    levers      TEXT    NOT NULL DEFAULT '',
    position    BIGINT  NOT NULL DEFAULT 0,
    UNIQUE (strategy_id, code),
    UNIQUE (strategy_id, title_key)
);

CREATE TABLE strategy_measures (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    objective_id   BIGINT  NOT NULL REFERENCES strategy_objectives (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    unit           TEXT    NOT NULL,
    direction      TEXT    NOT NULL CHECK (direction IN ('higher', 'lower')),
    source         TEXT    NOT NULL CHECK (source IN ('computed', 'official')),
    metric         TEXT,
    indicator      TEXT,
    indicator_measure TEXT,
    area_code      TEXT,
    publisher      TEXT,
    next_release   TEXT,
    baseline_year  BIGINT,
    baseline_value DOUBLE PRECISION,
    position       BIGINT  NOT NULL DEFAULT 0,
    CHECK ((source = 'computed' AND metric IS NOT NULL) OR (source = 'official' AND indicator IS NOT NULL)),
    CHECK ((baseline_year IS NULL) = (baseline_value IS NULL))
);
CREATE INDEX strategy_measures_objective ON strategy_measures (objective_id);

CREATE TABLE strategy_targets (
    measure_id BIGINT NOT NULL REFERENCES strategy_measures (id) ON DELETE CASCADE,
    year       BIGINT NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (measure_id, year)
);

-- An official statistic's value for a year as an officer recorded it from the published figure.
CREATE TABLE strategy_values (
    measure_id   BIGINT NOT NULL REFERENCES strategy_measures (id) ON DELETE CASCADE,
    year         BIGINT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    period       TEXT   NOT NULL DEFAULT '',
    source       TEXT   NOT NULL DEFAULT '',
    published_on TEXT,
    next_release TEXT,
    recorded_at  BIGINT NOT NULL,
    recorded_by  TEXT   NOT NULL,
    PRIMARY KEY (measure_id, year)
);

CREATE TABLE strategy_links_pb_proposal (
    objective_id BIGINT NOT NULL REFERENCES strategy_objectives (id) ON DELETE CASCADE,
    proposal_id  BIGINT NOT NULL REFERENCES pb_proposals (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, proposal_id)
);
CREATE TABLE strategy_links_coproduction (
    objective_id BIGINT NOT NULL REFERENCES strategy_objectives (id) ON DELETE CASCADE,
    activity_id  BIGINT NOT NULL REFERENCES coproduction_activities (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, activity_id)
);
CREATE TABLE strategy_links_appraisal (
    objective_id BIGINT NOT NULL REFERENCES strategy_objectives (id) ON DELETE CASCADE,
    appraisal_id BIGINT NOT NULL REFERENCES appraisals (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, appraisal_id)
);
-- A body's spend, or one spending category of it ('' = all of the body's spend).
CREATE TABLE strategy_links_spend (
    objective_id BIGINT NOT NULL REFERENCES strategy_objectives (id) ON DELETE CASCADE,
    body_id      BIGINT NOT NULL REFERENCES spend_bodies (id) ON DELETE CASCADE,
    category     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (objective_id, body_id, category)
);

-- The co-production register's free-text objectives become real objectives: one per distinct tag
-- (trimmed, lower case, runs of white space as one space), in a strategy made for them, each
-- activity linked.
CREATE TEMPORARY TABLE strategy_tag_migration ON COMMIT DROP AS
SELECT a.id AS activity_id, btrim(t.tag) AS tag,
       lower(regexp_replace(btrim(t.tag), '\s+', ' ', 'g')) AS tag_key
FROM coproduction_activities a, regexp_split_to_table(a.objectives, ';') AS t (tag)
WHERE btrim(t.tag) <> '';

INSERT INTO strategies (name, summary, first_year, last_year, published, created_at, updated_at)
SELECT 'Strategy objectives from the co-production register',
       'Made when levers was upgraded, from the objectives typed on co-production activities: one objective per distinct tag, ignoring case and spacing. Rename it, give each objective an owner and add measures and targets.',
       EXTRACT(YEAR FROM now())::BIGINT - (CASE WHEN EXTRACT(MONTH FROM now()) < 4 THEN 1 ELSE 0 END),
       EXTRACT(YEAR FROM now())::BIGINT - (CASE WHEN EXTRACT(MONTH FROM now()) < 4 THEN 1 ELSE 0 END) + 3,
       0, EXTRACT(EPOCH FROM now())::BIGINT, EXTRACT(EPOCH FROM now())::BIGINT
WHERE EXISTS (SELECT 1 FROM strategy_tag_migration);

INSERT INTO strategy_objectives (strategy_id, code, title, title_key, position)
SELECT (SELECT MAX(id) FROM strategies), 'O' || ROW_NUMBER() OVER (ORDER BY tag_key), MIN(tag), tag_key,
       ROW_NUMBER() OVER (ORDER BY tag_key)
FROM strategy_tag_migration GROUP BY tag_key;

INSERT INTO strategy_links_coproduction (objective_id, activity_id)
SELECT DISTINCT o.id, m.activity_id
FROM strategy_tag_migration m JOIN strategy_objectives o ON o.title_key = m.tag_key
WHERE o.strategy_id = (SELECT MAX(id) FROM strategies);
