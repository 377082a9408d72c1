-- Spend (SQLite): bodies, imports of transparency files, their transactions, and staged uploads.
-- Money is integer pence. Dates are ISO text (NULL for "VARIOUS" and blank dates).

CREATE TABLE spend_bodies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE,
    mapping_json TEXT    NOT NULL DEFAULT '[]',
    created_at   INTEGER NOT NULL
);

CREATE TABLE spend_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id       INTEGER NOT NULL REFERENCES spend_bodies (id),
    file_name     TEXT    NOT NULL,
    file_sha256   TEXT    NOT NULL,
    file_bytes    INTEGER NOT NULL,
    rows_kept     INTEGER NOT NULL DEFAULT 0,
    rows_new      INTEGER NOT NULL DEFAULT 0,
    rows_already  INTEGER NOT NULL DEFAULT 0,
    total_pence   INTEGER NOT NULL DEFAULT 0,
    new_pence     INTEGER NOT NULL DEFAULT 0,
    report_json   TEXT    NOT NULL DEFAULT '{}',
    imported_at   INTEGER NOT NULL,
    imported_by   TEXT    NOT NULL,
    undone_at     INTEGER,
    undone_by     TEXT
);
CREATE INDEX spend_imports_body ON spend_imports (body_id, file_sha256);

CREATE TABLE spend_transactions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id            INTEGER NOT NULL REFERENCES spend_bodies (id),
    import_id          INTEGER NOT NULL REFERENCES spend_imports (id),
    identity           TEXT    NOT NULL,
    line               INTEGER NOT NULL,
    paid_on            TEXT,
    financial_year     TEXT,
    amount_pence       INTEGER NOT NULL,
    irrecoverable_vat_pence INTEGER,
    supplier_name      TEXT    NOT NULL,
    redacted           INTEGER NOT NULL DEFAULT 0,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token       TEXT    NOT NULL UNIQUE,
    file_name   TEXT    NOT NULL,
    body_name   TEXT    NOT NULL,
    data        BLOB    NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
