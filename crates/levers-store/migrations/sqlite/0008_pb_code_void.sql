-- A voting code can be cancelled ('void'): a letter returned undelivered, a damaged card, a code
-- seen by someone else. SQLite cannot change a CHECK constraint, so the table is rebuilt.
CREATE TABLE pb_codes_new (
    process_id  INTEGER NOT NULL REFERENCES pb_processes (id),
    code_hash   TEXT    NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES pb_code_batches (id),
    state       TEXT    NOT NULL DEFAULT 'unused' CHECK (state IN ('unused', 'online', 'paper', 'void')),
    PRIMARY KEY (process_id, code_hash)
) WITHOUT ROWID;
INSERT INTO pb_codes_new (process_id, code_hash, batch_id, state) SELECT process_id, code_hash, batch_id, state FROM pb_codes;
DROP TABLE pb_codes;
ALTER TABLE pb_codes_new RENAME TO pb_codes;
CREATE INDEX pb_codes_batch ON pb_codes (batch_id, state);
