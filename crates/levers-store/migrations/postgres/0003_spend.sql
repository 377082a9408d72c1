-- Spend (PostgreSQL): bodies, imports of transparency files, their transactions, and staged uploads.
-- Money is integer pence. Dates are ISO text (NULL for "VARIOUS" and blank dates).

CREATE TABLE spend_bodies (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         TEXT    NOT NULL UNIQUE,
    mapping_json TEXT    NOT NULL DEFAULT '[]',
    created_at   BIGINT NOT NULL
);

CREATE TABLE spend_imports (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id       BIGINT NOT NULL REFERENCES spend_bodies (id),
    file_name     TEXT    NOT NULL,
    file_sha256   TEXT    NOT NULL,
    file_bytes    BIGINT NOT NULL,
    rows_kept     BIGINT NOT NULL DEFAULT 0,
    rows_new      BIGINT NOT NULL DEFAULT 0,
    rows_already  BIGINT NOT NULL DEFAULT 0,
    total_pence   BIGINT NOT NULL DEFAULT 0,
    new_pence     BIGINT NOT NULL DEFAULT 0,
    report_json   TEXT    NOT NULL DEFAULT '{}',
    imported_at   BIGINT NOT NULL,
    imported_by   TEXT    NOT NULL,
    undone_at     BIGINT,
    undone_by     TEXT
);
CREATE INDEX spend_imports_body ON spend_imports (body_id, file_sha256);

CREATE TABLE spend_transactions (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body_id            BIGINT NOT NULL REFERENCES spend_bodies (id),
    import_id          BIGINT NOT NULL REFERENCES spend_imports (id),
    identity           TEXT    NOT NULL,
    line               BIGINT NOT NULL,
    paid_on            TEXT,
    financial_year     TEXT,
    amount_pence       BIGINT NOT NULL,
    irrecoverable_vat_pence BIGINT,
    supplier_name      TEXT    NOT NULL,
    redacted           BOOLEAN NOT NULL DEFAULT FALSE,
    supplier_id        TEXT,
    transaction_number TEXT,
    invoice_number     TEXT,
    vat_number         TEXT,
    company_number     TEXT,
    charity_number     TEXT,
    expense_area       TEXT,
    expense_type       TEXT,
    expense_code       TEXT,
    creditor_type      TEXT,
    purpose            TEXT,
    merchant_category  TEXT,
    capital_revenue    TEXT,
    flags              TEXT    NOT NULL DEFAULT '',
    UNIQUE (body_id, identity)
);
CREATE INDEX spend_transactions_import ON spend_transactions (import_id);
CREATE INDEX spend_transactions_year ON spend_transactions (body_id, financial_year);

CREATE TABLE spend_uploads (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token       TEXT    NOT NULL UNIQUE,
    file_name   TEXT    NOT NULL,
    body_name   TEXT    NOT NULL,
    data        BYTEA    NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
