-- Co-production (SQLite): the register of commissioning activities and involvements, principles
-- self-assessments, participants (minimum data) with equality monitoring kept apart, participation,
-- the time-credit ledger (append-only, double entry) and erasure requests.
-- Money is integer pence; credits are whole numbers; dates are ISO text; times are Unix seconds.

CREATE TABLE coproduction_activities (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    reference         TEXT    NOT NULL UNIQUE,
    service           TEXT    NOT NULL,
    directorate       TEXT    NOT NULL,
    annual_value_pence INTEGER NOT NULL CHECK (annual_value_pence >= 0),
    current_stage     TEXT    NOT NULL CHECK (current_stage IN ('analyse', 'plan', 'do', 'review')),
    procurement_ref   TEXT,
    objectives        TEXT    NOT NULL DEFAULT '',
    started_on        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE coproduction_involvements (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id      INTEGER NOT NULL REFERENCES coproduction_activities (id) ON DELETE CASCADE,
    stage            TEXT    NOT NULL CHECK (stage IN ('analyse', 'plan', 'do', 'review')),
    rung             TEXT    NOT NULL CHECK (rung IN ('coercion', 'educating', 'informing', 'consultation', 'engagement', 'co_design', 'co_production')),
    lead             TEXT    NOT NULL CHECK (lead IN ('council', 'provider')),
    held_on          TEXT    NOT NULL,
    methods          TEXT    NOT NULL DEFAULT '',
    participant_groups TEXT  NOT NULL DEFAULT '',
    lived_experience INTEGER NOT NULL DEFAULT 0 CHECK (lived_experience IN (0, 1)),
    headcount        INTEGER NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    hours            INTEGER NOT NULL DEFAULT 0 CHECK (hours >= 0),
    decisions        TEXT    NOT NULL DEFAULT '',
    you_said_we_did  TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL
);
CREATE INDEX coproduction_involvements_activity ON coproduction_involvements (activity_id, stage);

CREATE TABLE coproduction_assessments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    directorate  TEXT    NOT NULL,
    assessed_on  TEXT    NOT NULL,
    framework    TEXT    NOT NULL,
    scores_json  TEXT    NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL
);
CREATE INDEX coproduction_assessments_directorate ON coproduction_assessments (directorate, assessed_on);

-- The minimum about a person: a name they choose (or a pseudonym), contact details only with consent.
CREATE TABLE coproduction_participants (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    display_name    TEXT    NOT NULL,
    contact         TEXT,
    contact_consent INTEGER NOT NULL DEFAULT 0 CHECK (contact_consent IN (0, 1)),
    reward_form     TEXT    NOT NULL CHECK (reward_form IN ('none', 'expenses', 'payment', 'voucher', 'time_credits')),
    benefits_advice_offered INTEGER NOT NULL DEFAULT 0 CHECK (benefits_advice_offered IN (0, 1)),
    created_at      INTEGER NOT NULL,
    last_active_at  INTEGER NOT NULL,
    anonymised_at   INTEGER,
    CHECK (contact IS NULL OR contact_consent = 1)
);

-- Equality monitoring, apart from the person's record; deleted when they are anonymised.
CREATE TABLE coproduction_equality (
    participant_id   INTEGER PRIMARY KEY REFERENCES coproduction_participants (id) ON DELETE CASCADE,
    age_band         TEXT,
    gender           TEXT,
    ethnicity        TEXT,
    disability       TEXT,
    lived_experience TEXT,
    recorded_at      INTEGER NOT NULL
);

CREATE TABLE credit_accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('participant', 'issuer', 'venue', 'community_pot')),
    name            TEXT    NOT NULL,
    participant_id  INTEGER UNIQUE REFERENCES coproduction_participants (id),
    -- How far below zero the account may go; NULL = without limit (the issuer only).
    overdraft_limit INTEGER CHECK (overdraft_limit IS NULL OR overdraft_limit >= 0),
    closed_at       INTEGER,
    created_at      INTEGER NOT NULL,
    CHECK (overdraft_limit IS NOT NULL OR kind = 'issuer'),
    CHECK ((kind = 'participant') = (participant_id IS NOT NULL))
);

CREATE TABLE credit_transfers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('issue', 'spend', 'gift', 'grant', 'redeem', 'reversal', 'sweep')),
    from_account    INTEGER NOT NULL REFERENCES credit_accounts (id),
    to_account      INTEGER NOT NULL REFERENCES credit_accounts (id),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    memo            TEXT    NOT NULL DEFAULT '',
    -- A transfer is reversed at most once.
    reverses_id     INTEGER UNIQUE REFERENCES credit_transfers (id),
    created_at      INTEGER NOT NULL,
    created_by      TEXT    NOT NULL,
    CHECK (from_account <> to_account),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
);

CREATE TABLE credit_movements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    transfer_id INTEGER NOT NULL REFERENCES credit_transfers (id),
    account_id  INTEGER NOT NULL REFERENCES credit_accounts (id),
    amount      INTEGER NOT NULL CHECK (amount <> 0),
    UNIQUE (transfer_id, account_id)
);
CREATE INDEX credit_movements_account ON credit_movements (account_id);

CREATE TABLE coproduction_participations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id INTEGER NOT NULL REFERENCES coproduction_participants (id),
    involvement_id INTEGER REFERENCES coproduction_involvements (id) ON DELETE SET NULL,
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    credits        INTEGER NOT NULL CHECK (credits >= 0),
    transfer_id    INTEGER REFERENCES credit_transfers (id),
    created_at     INTEGER NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE INDEX coproduction_participations_participant ON coproduction_participations (participant_id);

CREATE TABLE coproduction_erasure_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id INTEGER NOT NULL REFERENCES coproduction_participants (id),
    received_at    INTEGER NOT NULL,
    received_by    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'refused')),
    decided_at     INTEGER,
    decided_by     TEXT,
    reason         TEXT    NOT NULL DEFAULT ''
);

-- The ledger is append-only: movements never change; of a transfer only the memo may be blanked
-- (on anonymisation).
CREATE TRIGGER credit_movements_no_update BEFORE UPDATE ON credit_movements
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
CREATE TRIGGER credit_movements_no_delete BEFORE DELETE ON credit_movements
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
CREATE TRIGGER credit_transfers_no_delete BEFORE DELETE ON credit_transfers
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;
CREATE TRIGGER credit_transfers_no_update BEFORE UPDATE OF id, idempotency_key, kind, from_account, to_account, amount, reverses_id, created_at, created_by ON credit_transfers
BEGIN SELECT RAISE(ABORT, 'the credit ledger is append-only'); END;

-- Every ledger has the council's issuer account and a community pot from the start.
INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ('issuer', 'The council (issuer)', NULL, 0);
INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ('community_pot', 'Community pot', 0, 0);
