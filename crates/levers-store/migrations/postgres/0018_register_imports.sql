-- Co-production register imports (issue 20): each import of a register file keeps its report (the
-- reconciliation, the rejected rows with line, column and reason, the activities held back and the
-- warnings) and what it changed, so the result can be shown after a background job has run it.
CREATE TABLE coproduction_register_imports (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name   TEXT    NOT NULL,
    report_json TEXT    NOT NULL,
    counts_json TEXT    NOT NULL,
    imported_at BIGINT  NOT NULL,
    imported_by TEXT    NOT NULL
);
