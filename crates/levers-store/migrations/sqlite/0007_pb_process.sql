-- Community budget processes (SQLite): processes, proposals, voting codes, ballots, results, delivery.
-- Money is integer pence. Times are Unix seconds.
--
-- Ballot secrecy: the two ballot tables have no column that refers to a code, a voter, a batch, a
-- ward, a channel or a time, and no rowid: they are WITHOUT ROWID tables keyed by a random 128-bit
-- id, so their storage order is the order of those random ids, not the order ballots were cast.
-- Ballots wait in pb_ballots_cast while voting is open; closing the vote seals the box: every
-- ballot is copied into pb_ballots in random-id order and the cast table is emptied (see
-- ARCHITECTURE.md, "Ballot secrecy").

CREATE TABLE pb_processes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    definition_json TEXT    NOT NULL,
    phase           TEXT    NOT NULL DEFAULT 'setup'
                    CHECK (phase IN ('setup', 'proposals', 'review', 'voting', 'closed', 'results')),
    -- The projects on the ballot, frozen when voting opens: [{id, name, category, cost_pence, …}].
    ballot_json     TEXT,
    created_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE pb_proposals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    process_id       INTEGER NOT NULL REFERENCES pb_processes (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    rough_cost_pence INTEGER,
    location         TEXT    NOT NULL DEFAULT '',
    category         TEXT    NOT NULL DEFAULT '',
    -- Optional, never published: how officers can reach the person who suggested it.
    contact          TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'submitted'
                     CHECK (status IN ('submitted', 'accepted', 'rejected', 'merged')),
    final_cost_pence INTEGER CHECK (final_cost_pence IS NULL OR final_cost_pence > 0),
    -- Published with the decision (why rejected, what was changed).
    reason           TEXT    NOT NULL DEFAULT '',
    -- Internal feasibility note.
    feasibility      TEXT    NOT NULL DEFAULT '',
    merged_into      INTEGER REFERENCES pb_proposals (id),
    submitted_at     INTEGER NOT NULL,
    submitted_by     TEXT    NOT NULL,
    reviewed_at      INTEGER,
    reviewed_by      TEXT,
    CHECK (status <> 'accepted' OR final_cost_pence IS NOT NULL),
    CHECK (status <> 'merged' OR merged_into IS NOT NULL)
);
CREATE INDEX pb_proposals_process ON pb_proposals (process_id, status);

CREATE TABLE pb_code_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    process_id  INTEGER NOT NULL REFERENCES pb_processes (id),
    label       TEXT    NOT NULL,
    -- The ward the codes go to, when known (for turnout by ward).
    ward_code   TEXT,
    ward_name   TEXT,
    codes       INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL
);

-- Codes are kept only as hashes. The state says whether, and how, a code was used; not when.
CREATE TABLE pb_codes (
    process_id  INTEGER NOT NULL REFERENCES pb_processes (id),
    code_hash   TEXT    NOT NULL,
    batch_id    INTEGER NOT NULL REFERENCES pb_code_batches (id),
    state       TEXT    NOT NULL DEFAULT 'unused' CHECK (state IN ('unused', 'online', 'paper')),
    PRIMARY KEY (process_id, code_hash)
) WITHOUT ROWID;
CREATE INDEX pb_codes_batch ON pb_codes (batch_id, state);

-- Ballots cast while voting is open. Nothing here refers to a code or a time.
CREATE TABLE pb_ballots_cast (
    process_id   INTEGER NOT NULL REFERENCES pb_processes (id),
    ballot_id    TEXT    NOT NULL,
    receipt_hash TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    PRIMARY KEY (process_id, ballot_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pb_ballots_cast_receipt ON pb_ballots_cast (process_id, receipt_hash);

-- The sealed ballot box, written once when voting closes, in random-id order.
CREATE TABLE pb_ballots (
    process_id   INTEGER NOT NULL REFERENCES pb_processes (id),
    ballot_id    TEXT    NOT NULL,
    receipt_hash TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    PRIMARY KEY (process_id, ballot_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pb_ballots_receipt ON pb_ballots (process_id, receipt_hash);

CREATE TABLE pb_results (
    process_id   INTEGER PRIMARY KEY REFERENCES pb_processes (id),
    ballots      INTEGER NOT NULL,
    result_json  TEXT    NOT NULL,
    pb_text      TEXT    NOT NULL,
    counted_at   INTEGER NOT NULL,
    counted_by   TEXT    NOT NULL,
    published_at INTEGER,
    published_by TEXT
);

CREATE TABLE pb_delivery (
    process_id  INTEGER NOT NULL REFERENCES pb_processes (id),
    proposal_id INTEGER NOT NULL REFERENCES pb_proposals (id),
    status      TEXT    NOT NULL CHECK (status IN ('not_started', 'in_progress', 'delivered', 'cancelled')),
    spent_pence INTEGER NOT NULL DEFAULT 0 CHECK (spent_pence >= 0),
    note        TEXT    NOT NULL DEFAULT '',
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT    NOT NULL,
    PRIMARY KEY (process_id, proposal_id)
);
