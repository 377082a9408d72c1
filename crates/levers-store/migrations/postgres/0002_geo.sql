-- Geography (PostgreSQL): each imported file is a dataset; its records are kept as compact blocks
-- (levers-geo's block encoding) from which every process builds its in-memory index.
CREATE TABLE geo_datasets (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT    NOT NULL,
    file_name       TEXT    NOT NULL,
    rows_read       BIGINT NOT NULL DEFAULT 0,
    rows_imported   BIGINT NOT NULL DEFAULT 0,
    rows_rejected   BIGINT NOT NULL DEFAULT 0,
    rows_blank      BIGINT NOT NULL DEFAULT 0,
    records         BIGINT NOT NULL DEFAULT 0,
    rejections_json TEXT    NOT NULL DEFAULT '[]',
    imported_at     BIGINT NOT NULL,
    imported_by     TEXT    NOT NULL,
    UNIQUE (kind, file_name)
);

CREATE TABLE geo_blocks (
    dataset_id BIGINT NOT NULL REFERENCES geo_datasets (id) ON DELETE CASCADE,
    block_no   BIGINT NOT NULL,
    records    BIGINT NOT NULL,
    data       BYTEA    NOT NULL,
    PRIMARY KEY (dataset_id, block_no)
);
