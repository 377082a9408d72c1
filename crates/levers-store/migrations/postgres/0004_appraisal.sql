-- Appraisal (PostgreSQL): unit cost libraries and their costs, the deflator table, appraisals (each kept
-- as its documented TOML model), and pooled budgets with partners, contributions, lines and quarters.
-- Appraisal values are estimates (REAL); pooled-budget money is integer pence.

CREATE TABLE appraisal_libraries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    file_name   TEXT    NOT NULL,
    costs       BIGINT  NOT NULL,
    report_json TEXT    NOT NULL,
    imported_at BIGINT  NOT NULL,
    imported_by TEXT    NOT NULL
);

CREATE TABLE unit_costs (
    library_id     BIGINT  NOT NULL REFERENCES appraisal_libraries (id) ON DELETE CASCADE,
    seq            BIGINT  NOT NULL,
    code           TEXT    NOT NULL,
    theme          TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    detail         TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    unit           TEXT    NOT NULL,
    agency         TEXT    NOT NULL,
    agency_detail  TEXT    NOT NULL,
    fiscal_value   DOUBLE PRECISION,
    fiscal_year    TEXT,
    fiscal_2015    DOUBLE PRECISION,
    economic_value DOUBLE PRECISION,
    economic_year  TEXT,
    economic_2015  DOUBLE PRECISION,
    social_value   DOUBLE PRECISION,
    social_year    TEXT,
    social_2015    DOUBLE PRECISION,
    source         TEXT    NOT NULL,
    rag            TEXT    NOT NULL,
    comment        TEXT    NOT NULL,
    PRIMARY KEY (library_id, code)
);
CREATE INDEX unit_costs_code ON unit_costs (code);

CREATE TABLE appraisal_deflators (
    fin_year    TEXT    PRIMARY KEY,
    pct         DOUBLE PRECISION    NOT NULL,
    source      TEXT    NOT NULL,
    imported_at BIGINT  NOT NULL
);

CREATE TABLE appraisals (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    model_toml TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL,
    updated_by TEXT    NOT NULL
);

CREATE TABLE pools (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at BIGINT  NOT NULL,
    created_by TEXT    NOT NULL
);

CREATE TABLE pool_partners (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id  BIGINT  NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    agencies TEXT    NOT NULL DEFAULT '',
    UNIQUE (pool_id, name)
);

CREATE TABLE pool_contributions (
    partner_id   BIGINT  NOT NULL REFERENCES pool_partners (id) ON DELETE CASCADE,
    fin_year     TEXT    NOT NULL,
    amount_pence BIGINT  NOT NULL CHECK (amount_pence >= 0),
    PRIMARY KEY (partner_id, fin_year)
);

CREATE TABLE pool_lines (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pool_id      BIGINT  NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    funds        TEXT    NOT NULL CHECK (funds IN ('intervention', 'pb_process', 'other')),
    appraisal_id BIGINT  REFERENCES appraisals (id) ON DELETE SET NULL,
    UNIQUE (pool_id, name)
);

CREATE TABLE pool_quarters (
    line_id     BIGINT  NOT NULL REFERENCES pool_lines (id) ON DELETE CASCADE,
    fin_year    TEXT    NOT NULL,
    quarter     BIGINT  NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    plan_pence  BIGINT  NOT NULL DEFAULT 0 CHECK (plan_pence >= 0),
    spend_pence BIGINT  NOT NULL DEFAULT 0 CHECK (spend_pence >= 0),
    PRIMARY KEY (line_id, fin_year, quarter)
);
