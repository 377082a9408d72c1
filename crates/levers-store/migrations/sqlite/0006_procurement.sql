-- Procurement (SQLite): the council's supplier records per body and their imports, public register
-- entries (Companies House, Charity Commission) kept for the suppliers paid, officers' remembered
-- matching decisions, and the editable influenceable-spend exclusion rules.
-- Every postcode's source is explicit: proc_suppliers.postcode is the council's record,
-- branch_postcodes are branches on it, proc_register_entries.postcode is a registered office
-- (Companies House) or contact address (Charity Commission).

CREATE TABLE proc_supplier_imports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id      INTEGER NOT NULL REFERENCES spend_bodies (id),
    file_name    TEXT    NOT NULL,
    file_sha256  TEXT    NOT NULL,
    rows_kept    INTEGER NOT NULL,
    rows_added   INTEGER NOT NULL,
    rows_updated INTEGER NOT NULL,
    report_json  TEXT    NOT NULL,
    imported_at  INTEGER NOT NULL,
    imported_by  TEXT    NOT NULL
);

CREATE TABLE proc_suppliers (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id          INTEGER NOT NULL REFERENCES spend_bodies (id),
    -- 'id:' || the council's supplier ID, or 'name:' || the normalised name when there is none.
    supplier_key     TEXT    NOT NULL,
    supplier_ref     TEXT,
    name             TEXT    NOT NULL,
    name_norm        TEXT    NOT NULL,
    postcode         TEXT,
    branch_postcodes TEXT    NOT NULL DEFAULT '',
    company_number   TEXT,
    charity_number   TEXT,
    vat_number       TEXT,
    declared_type    TEXT,
    sector           TEXT,
    import_id        INTEGER NOT NULL REFERENCES proc_supplier_imports (id),
    line             INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (body_id, supplier_key)
);
CREATE INDEX proc_suppliers_company ON proc_suppliers (company_number);
CREATE INDEX proc_suppliers_charity ON proc_suppliers (charity_number);

CREATE TABLE proc_register_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    register    TEXT    NOT NULL CHECK (register IN ('companies_house', 'charity_commission')),
    file_name   TEXT    NOT NULL,
    rows_kept   INTEGER NOT NULL,
    report_json TEXT    NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT    NOT NULL
);

CREATE TABLE proc_register_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    register    TEXT    NOT NULL CHECK (register IN ('companies_house', 'charity_commission')),
    number      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    postcode    TEXT,
    record_json TEXT    NOT NULL,
    import_id   INTEGER NOT NULL REFERENCES proc_register_imports (id),
    UNIQUE (register, number)
);

CREATE TABLE proc_match_decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    body_id     INTEGER NOT NULL REFERENCES spend_bodies (id),
    name_norm   TEXT    NOT NULL,
    name_seen   TEXT    NOT NULL,
    -- NULL: the name matches none of the body's suppliers.
    supplier_id INTEGER REFERENCES proc_suppliers (id),
    decided_at  INTEGER NOT NULL,
    decided_by  TEXT    NOT NULL,
    UNIQUE (body_id, name_norm)
);

CREATE TABLE proc_exclusion_rules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    position       INTEGER NOT NULL,
    rule_key       TEXT    NOT NULL UNIQUE,
    label          TEXT    NOT NULL,
    enabled        INTEGER NOT NULL,
    fields         TEXT    NOT NULL,
    keywords       TEXT    NOT NULL,
    supplier_types TEXT    NOT NULL DEFAULT '',
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT    NOT NULL
);
