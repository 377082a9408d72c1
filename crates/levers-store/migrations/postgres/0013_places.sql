-- Places (PostgreSQL): official indicators imported from their published files, area boundaries for
-- maps, and the place each lever's records are in (issue 15).

-- One imported indicator file and its reconciliation; re-importing the same file name replaces it.
CREATE TABLE place_indicator_files (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name       TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    rows_read       BIGINT NOT NULL,
    rows_imported   BIGINT NOT NULL,
    rows_rejected   BIGINT NOT NULL,
    rows_blank      BIGINT NOT NULL,
    value_count     BIGINT NOT NULL,
    rejections_json TEXT    NOT NULL DEFAULT '[]',
    imported_at     BIGINT NOT NULL,
    imported_by     TEXT    NOT NULL
);

-- One published figure: the tidy shape, whatever layout it came in.
CREATE TABLE place_indicator_values (
    file_id    BIGINT NOT NULL REFERENCES place_indicator_files (id) ON DELETE CASCADE,
    area_code  TEXT    NOT NULL,
    area_name  TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    indicator  TEXT    NOT NULL,
    measure    TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    value      DOUBLE PRECISION NOT NULL
);
CREATE INDEX place_indicator_values_area ON place_indicator_values (area_code);
CREATE INDEX place_indicator_values_file ON place_indicator_values (file_id);

-- One imported boundary file (GeoJSON, longitude/latitude).
CREATE TABLE place_boundary_files (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name       TEXT    NOT NULL UNIQUE,
    features        BIGINT NOT NULL,
    skipped         BIGINT NOT NULL,
    skipped_json    TEXT    NOT NULL DEFAULT '[]',
    imported_at     BIGINT NOT NULL,
    imported_by     TEXT    NOT NULL
);

-- One area's outline, simplified for drawing: JSON [[[lon, lat], …] ring, …] polygon list.
CREATE TABLE place_boundaries (
    file_id    BIGINT NOT NULL REFERENCES place_boundary_files (id) ON DELETE CASCADE,
    area_code  TEXT    NOT NULL,
    area_name  TEXT    NOT NULL,
    shape_json TEXT    NOT NULL,
    PRIMARY KEY (file_id, area_code)
);
CREATE INDEX place_boundaries_area ON place_boundaries (area_code);

-- Where each lever's records are: a ward or LSOA code from the loaded geography, or 'council'
-- for council-wide. NULL: not recorded yet (the free-text location stays beside it).
ALTER TABLE pb_proposals ADD COLUMN place_code TEXT
    CHECK (place_code IS NULL OR place_code = 'council' OR length(place_code) = 9);
ALTER TABLE coproduction_activities ADD COLUMN place_code TEXT
    CHECK (place_code IS NULL OR place_code = 'council' OR length(place_code) = 9);
-- Where a participant lives, at ward or LSOA level only (never an address).
ALTER TABLE coproduction_participants ADD COLUMN place_code TEXT
    CHECK (place_code IS NULL OR place_code = 'council' OR length(place_code) = 9);
