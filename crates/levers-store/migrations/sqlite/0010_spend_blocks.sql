-- Spend blocks (SQLite): each import's new payments also kept column-wise, dictionary-encoded, in
-- blocks of up to 65,536 rows per financial year, so a year is read as a few blobs instead of a
-- million rows. spend_transactions stays the record (de-duplication, undo, drill-down, totals);
-- a block holds exactly the rows its import added, with their spend_transactions ids.
-- Imports made before this migration have blocks = 0 and get their blocks on first read.

ALTER TABLE spend_imports ADD COLUMN blocks INTEGER NOT NULL DEFAULT 0;

CREATE TABLE spend_blocks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id        INTEGER NOT NULL REFERENCES spend_bodies (id),
    import_id      INTEGER NOT NULL REFERENCES spend_imports (id),
    financial_year TEXT,
    rows           INTEGER NOT NULL,
    data           BLOB    NOT NULL
);
CREATE INDEX spend_blocks_year ON spend_blocks (body_id, financial_year, import_id);
CREATE INDEX spend_blocks_import ON spend_blocks (import_id);
