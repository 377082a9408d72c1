-- Co-production (PostgreSQL): the register of commissioning activities and involvements, principles
-- self-assessments, participants (minimum data) with equality monitoring kept apart, participation,
-- the time-credit ledger (append-only, double entry) and erasure requests.
-- Money is integer pence; credits are whole numbers; dates are ISO text; times are Unix seconds.

CREATE TABLE coproduction_activities (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference         TEXT    NOT NULL UNIQUE,
    service           TEXT    NOT NULL,
    directorate       TEXT    NOT NULL,
    annual_value_pence BIGINT NOT NULL CHECK (annual_value_pence >= 0),
    current_stage     TEXT    NOT NULL CHECK (current_stage IN ('analyse', 'plan', 'do', 'review')),
    procurement_ref   TEXT,
    objectives        TEXT    NOT NULL DEFAULT '',
    started_on        TEXT    NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE TABLE coproduction_involvements (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id      BIGINT NOT NULL REFERENCES coproduction_activities (id) ON DELETE CASCADE,
    stage            TEXT    NOT NULL CHECK (stage IN ('analyse', 'plan', 'do', 'review')),
    rung             TEXT    NOT NULL CHECK (rung IN ('coercion', 'educating', 'informing', 'consultation', 'engagement', 'co_design', 'co_production')),
    lead             TEXT    NOT NULL CHECK (lead IN ('council', 'provider')),
    held_on          TEXT    NOT NULL,
    methods          TEXT    NOT NULL DEFAULT '',
    participant_groups TEXT  NOT NULL DEFAULT '',
    lived_experience BOOLEAN NOT NULL DEFAULT FALSE,
    headcount        BIGINT NOT NULL DEFAULT 0 CHECK (headcount >= 0),
    hours            BIGINT NOT NULL DEFAULT 0 CHECK (hours >= 0),
    decisions        TEXT    NOT NULL DEFAULT '',
    you_said_we_did  TEXT    NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL
);
CREATE INDEX coproduction_involvements_activity ON coproduction_involvements (activity_id, stage);

CREATE TABLE coproduction_assessments (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    directorate  TEXT    NOT NULL,
    assessed_on  TEXT    NOT NULL,
    framework    TEXT    NOT NULL,
    scores_json  TEXT    NOT NULL,
    notes        TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    created_by   TEXT    NOT NULL
);
CREATE INDEX coproduction_assessments_directorate ON coproduction_assessments (directorate, assessed_on);

-- The minimum about a person: a name they choose (or a pseudonym), contact details only with consent.
CREATE TABLE coproduction_participants (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name    TEXT    NOT NULL,
    contact         TEXT,
    contact_consent BOOLEAN NOT NULL DEFAULT FALSE,
    reward_form     TEXT    NOT NULL CHECK (reward_form IN ('none', 'expenses', 'payment', 'voucher', 'time_credits')),
    benefits_advice_offered BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT NOT NULL,
    last_active_at  BIGINT NOT NULL,
    anonymised_at   BIGINT,
    CHECK (contact IS NULL OR contact_consent)
);

-- Equality monitoring, apart from the person's record; deleted when they are anonymised.
CREATE TABLE coproduction_equality (
    participant_id   BIGINT PRIMARY KEY REFERENCES coproduction_participants (id) ON DELETE CASCADE,
    age_band         TEXT,
    gender           TEXT,
    ethnicity        TEXT,
    disability       TEXT,
    lived_experience TEXT,
    recorded_at      BIGINT NOT NULL
);

CREATE TABLE credit_accounts (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('participant', 'issuer', 'venue', 'community_pot')),
    name            TEXT    NOT NULL,
    participant_id  BIGINT UNIQUE REFERENCES coproduction_participants (id),
    -- How far below zero the account may go; NULL = without limit (the issuer only).
    overdraft_limit BIGINT CHECK (overdraft_limit IS NULL OR overdraft_limit >= 0),
    closed_at       BIGINT,
    created_at      BIGINT NOT NULL,
    CHECK (overdraft_limit IS NOT NULL OR kind = 'issuer'),
    CHECK ((kind = 'participant') = (participant_id IS NOT NULL))
);

CREATE TABLE credit_transfers (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL CHECK (kind IN ('issue', 'spend', 'gift', 'grant', 'redeem', 'reversal', 'sweep')),
    from_account    BIGINT NOT NULL REFERENCES credit_accounts (id),
    to_account      BIGINT NOT NULL REFERENCES credit_accounts (id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    memo            TEXT    NOT NULL DEFAULT '',
    -- A transfer is reversed at most once.
    reverses_id     BIGINT UNIQUE REFERENCES credit_transfers (id),
    created_at      BIGINT NOT NULL,
    created_by      TEXT    NOT NULL,
    CHECK (from_account <> to_account),
    CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL))
);

CREATE TABLE credit_movements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id BIGINT NOT NULL REFERENCES credit_transfers (id),
    account_id  BIGINT NOT NULL REFERENCES credit_accounts (id),
    amount      BIGINT NOT NULL CHECK (amount <> 0),
    UNIQUE (transfer_id, account_id)
);
CREATE INDEX credit_movements_account ON credit_movements (account_id);

CREATE TABLE coproduction_participations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES coproduction_participants (id),
    involvement_id BIGINT REFERENCES coproduction_involvements (id) ON DELETE SET NULL,
    minutes        BIGINT NOT NULL CHECK (minutes > 0),
    credits        BIGINT NOT NULL CHECK (credits >= 0),
    transfer_id    BIGINT REFERENCES credit_transfers (id),
    created_at     BIGINT NOT NULL,
    created_by     TEXT    NOT NULL
);
CREATE INDEX coproduction_participations_participant ON coproduction_participations (participant_id);

CREATE TABLE coproduction_erasure_requests (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    participant_id BIGINT NOT NULL REFERENCES coproduction_participants (id),
    received_at    BIGINT NOT NULL,
    received_by    TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'refused')),
    decided_at     BIGINT,
    decided_by     TEXT,
    reason         TEXT    NOT NULL DEFAULT ''
);

-- The ledger is append-only: movements never change; of a transfer only the memo may be blanked
-- (on anonymisation).
CREATE FUNCTION credit_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'the credit ledger is append-only';
END;
$fn$;
CREATE FUNCTION credit_transfers_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.idempotency_key = OLD.idempotency_key AND NEW.kind = OLD.kind
       AND NEW.from_account = OLD.from_account AND NEW.to_account = OLD.to_account AND NEW.amount = OLD.amount
       AND NEW.reverses_id IS NOT DISTINCT FROM OLD.reverses_id AND NEW.created_at = OLD.created_at
       AND NEW.created_by = OLD.created_by THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the credit ledger is append-only';
END;
$fn$;
CREATE TRIGGER credit_movements_append_only BEFORE UPDATE OR DELETE ON credit_movements
    FOR EACH ROW EXECUTE FUNCTION credit_movements_append_only();
CREATE TRIGGER credit_transfers_append_only BEFORE UPDATE OR DELETE ON credit_transfers
    FOR EACH ROW EXECUTE FUNCTION credit_transfers_append_only();

-- Every ledger has the council's issuer account and a community pot from the start.
INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ('issuer', 'The council (issuer)', NULL, 0);
INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ('community_pot', 'Community pot', 0, 0);
