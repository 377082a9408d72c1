-- Geography (SQLite): each imported file is a dataset; its records are kept as compact blocks
-- (levers-geo's block encoding) from which every process builds its in-memory index.
CREATE TABLE geo_datasets (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    file_name       TEXT    NOT NULL,
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_imported   INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    rows_blank      INTEGER NOT NULL DEFAULT 0,
    records         INTEGER NOT NULL DEFAULT 0,
    rejections_json TEXT    NOT NULL DEFAULT '[]',
    imported_at     INTEGER NOT NULL,
    imported_by     TEXT    NOT NULL,
    UNIQUE (kind, file_name)
);

CREATE TABLE geo_blocks (
    dataset_id INTEGER NOT NULL REFERENCES geo_datasets (id) ON DELETE CASCADE,
    block_no   INTEGER NOT NULL,
    records    INTEGER NOT NULL,
    data       BLOB    NOT NULL,
    PRIMARY KEY (dataset_id, block_no)
);
