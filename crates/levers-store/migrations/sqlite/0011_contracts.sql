-- Contract pipeline (SQLite): imports of OCDS files and contract registers with their reconciliation,
-- one row per contract (an OCDS ocid or a register reference; the whole record as JSON beside the
-- columns the pipeline filters on), and officers' corrections of supplier matches.

CREATE TABLE contract_imports (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('ocds', 'register')),
    file_name       TEXT    NOT NULL,
    file_sha256     TEXT    NOT NULL,
    body            TEXT    NOT NULL DEFAULT '',
    records_read    INTEGER NOT NULL DEFAULT 0,
    contracts_new   INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    older           INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    report_json     TEXT    NOT NULL DEFAULT '{}',
    imported_at     INTEGER NOT NULL,
    imported_by     TEXT    NOT NULL
);

CREATE TABLE contracts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'ocds:' || ocid, or 'register:' || body || ':' || reference.
    contract_key TEXT    NOT NULL UNIQUE,
    source       TEXT    NOT NULL CHECK (source IN ('ocds', 'register')),
    title        TEXT    NOT NULL,
    buyer        TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    value_pence  INTEGER,
    end_date     TEXT,
    record_json  TEXT    NOT NULL,
    import_id    INTEGER NOT NULL REFERENCES contract_imports (id),
    updated_at   INTEGER NOT NULL
);
CREATE INDEX contracts_end_date ON contracts (end_date);

CREATE TABLE contract_match_corrections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_key  TEXT    NOT NULL,
    candidate_key TEXT    NOT NULL,
    include       INTEGER NOT NULL CHECK (include IN (0, 1)),
    note          TEXT    NOT NULL DEFAULT '',
    decided_at    INTEGER NOT NULL,
    decided_by    TEXT    NOT NULL,
    UNIQUE (contract_key, candidate_key)
);
