-- Community budget processes (PostgreSQL): processes, proposals, voting codes, ballots, results, delivery.
-- Money is integer pence. Times are Unix seconds.
--
-- Ballot secrecy: the two ballot tables have no column that refers to a code, a voter, a batch, a
-- ward, a channel or a time; their key is a random 128-bit id. PostgreSQL's system columns do
-- record order (ctid: position in the heap; xmin: the writing transaction, which is also the one
-- that marked the code used), so ballots wait in pb_ballots_cast only while voting is open: closing
-- the vote seals the box, copying every ballot into pb_ballots in random-id order in one
-- transaction (one xmin for all, heap order = random order), emptying pb_ballots_cast and
-- vacuuming it (see ARCHITECTURE.md, "Ballot secrecy").

CREATE TABLE pb_processes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    definition_json TEXT    NOT NULL,
    phase           TEXT    NOT NULL DEFAULT 'setup'
                    CHECK (phase IN ('setup', 'proposals', 'review', 'voting', 'closed', 'results')),
    -- The projects on the ballot, frozen when voting opens: [{id, name, category, cost_pence, …}].
    ballot_json     TEXT,
    created_at      BIGINT NOT NULL,
    created_by      TEXT    NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE pb_proposals (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_id       BIGINT NOT NULL REFERENCES pb_processes (id),
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL,
    rough_cost_pence BIGINT,
    location         TEXT    NOT NULL DEFAULT '',
    category         TEXT    NOT NULL DEFAULT '',
    -- Optional, never published: how officers can reach the person who suggested it.
    contact          TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'submitted'
                     CHECK (status IN ('submitted', 'accepted', 'rejected', 'merged')),
    final_cost_pence BIGINT CHECK (final_cost_pence IS NULL OR final_cost_pence > 0),
    -- Published with the decision (why rejected, what was changed).
    reason           TEXT    NOT NULL DEFAULT '',
    -- Internal feasibility note.
    feasibility      TEXT    NOT NULL DEFAULT '',
    merged_into      BIGINT REFERENCES pb_proposals (id),
    submitted_at     BIGINT NOT NULL,
    submitted_by     TEXT    NOT NULL,
    reviewed_at      BIGINT,
    reviewed_by      TEXT,
    CHECK (status <> 'accepted' OR final_cost_pence IS NOT NULL),
    CHECK (status <> 'merged' OR merged_into IS NOT NULL)
);
CREATE INDEX pb_proposals_process ON pb_proposals (process_id, status);

CREATE TABLE pb_code_batches (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    process_id  BIGINT NOT NULL REFERENCES pb_processes (id),
    label       TEXT    NOT NULL,
    -- The ward the codes go to, when known (for turnout by ward).
    ward_code   TEXT,
    ward_name   TEXT,
    codes       BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT    NOT NULL
);

-- Codes are kept only as hashes. The state says whether, and how, a code was used; not when.
CREATE TABLE pb_codes (
    process_id  BIGINT NOT NULL REFERENCES pb_processes (id),
    code_hash   TEXT    NOT NULL,
    batch_id    BIGINT NOT NULL REFERENCES pb_code_batches (id),
    state       TEXT    NOT NULL DEFAULT 'unused' CHECK (state IN ('unused', 'online', 'paper')),
    PRIMARY KEY (process_id, code_hash)
);
CREATE INDEX pb_codes_batch ON pb_codes (batch_id, state);

-- Ballots cast while voting is open. Nothing here refers to a code or a time.
CREATE TABLE pb_ballots_cast (
    process_id   BIGINT NOT NULL REFERENCES pb_processes (id),
    ballot_id    TEXT    NOT NULL,
    receipt_hash TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    PRIMARY KEY (process_id, ballot_id)
);
CREATE UNIQUE INDEX pb_ballots_cast_receipt ON pb_ballots_cast (process_id, receipt_hash);

-- The sealed ballot box, written once when voting closes, in random-id order.
CREATE TABLE pb_ballots (
    process_id   BIGINT NOT NULL REFERENCES pb_processes (id),
    ballot_id    TEXT    NOT NULL,
    receipt_hash TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    PRIMARY KEY (process_id, ballot_id)
);
CREATE UNIQUE INDEX pb_ballots_receipt ON pb_ballots (process_id, receipt_hash);

CREATE TABLE pb_results (
    process_id   BIGINT PRIMARY KEY REFERENCES pb_processes (id),
    ballots      BIGINT NOT NULL,
    result_json  TEXT    NOT NULL,
    pb_text      TEXT    NOT NULL,
    counted_at   BIGINT NOT NULL,
    counted_by   TEXT    NOT NULL,
    published_at BIGINT,
    published_by TEXT
);

CREATE TABLE pb_delivery (
    process_id  BIGINT NOT NULL REFERENCES pb_processes (id),
    proposal_id BIGINT NOT NULL REFERENCES pb_proposals (id),
    status      TEXT    NOT NULL CHECK (status IN ('not_started', 'in_progress', 'delivered', 'cancelled')),
    spent_pence BIGINT NOT NULL DEFAULT 0 CHECK (spent_pence >= 0),
    note        TEXT    NOT NULL DEFAULT '',
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT    NOT NULL,
    PRIMARY KEY (process_id, proposal_id)
);
