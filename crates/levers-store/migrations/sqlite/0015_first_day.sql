-- Background jobs (issue 20): a long import runs on the server while the page that started it shows
-- its progress. One row per job; `kind` names what runs (spend, suppliers, …), `progress` and `total`
-- are counts of the job's own units (rows, bytes); `result_url` is the page to show when it is done.
-- A job still queued or running when a process starts was interrupted by a restart: it is marked
-- failed then (its import's transaction never committed, so nothing of it is stored).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    label       TEXT    NOT NULL,
    owner_id    INTEGER REFERENCES users (id),
    state       TEXT    NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    progress    INTEGER NOT NULL DEFAULT 0 CHECK (progress >= 0),
    total       INTEGER CHECK (total IS NULL OR total >= 0),
    unit        TEXT    NOT NULL DEFAULT 'rows',
    message     TEXT    NOT NULL DEFAULT '',
    result_url  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX jobs_state ON jobs (state);
