-- mediabase per-patient file, SQLite dialect: one file patient_<id>.sqlite per patient, the
-- twin of a PostgreSQL schema patient_<id> (docs/spec.md §5.1). Attach it next to the core to query:
--   ATTACH 'core.sqlite' AS public; ATTACH 'patient_p1.sqlite' AS patient_p1;
-- Sparse: a transcript without a row has the baseline fold change 1.0, so readers use
-- COALESCE(pe.expression_fold_change, 1.0). Rows are inserted sorted by transcript_id; the
-- CREATE INDEX statements run after the load.

CREATE TABLE expression_data (
    transcript_id          TEXT PRIMARY KEY,
    expression_fold_change REAL NOT NULL,
    created_at             TEXT,
    updated_at             TEXT,
    CONSTRAINT check_fold_change_not_default CHECK (expression_fold_change <> 1.0),
    CONSTRAINT check_fold_change_positive CHECK (expression_fold_change > 0)
) WITHOUT ROWID;

CREATE TABLE metadata (
    patient_id                 TEXT PRIMARY KEY,
    upload_date                TEXT NOT NULL,
    source_file                TEXT,
    file_format                TEXT,
    normalization_method       TEXT,
    total_transcripts_uploaded INTEGER NOT NULL,
    transcripts_matched        INTEGER NOT NULL,
    transcripts_unmatched      INTEGER NOT NULL,
    matching_success_rate      REAL CHECK (matching_success_rate BETWEEN 0 AND 1),
    clinical_notes             TEXT,
    cancer_type                TEXT,
    cancer_subtype             TEXT,
    tissue_type                TEXT,
    sample_type                TEXT,
    sequencing_platform        TEXT,
    read_depth_millions        REAL,
    metadata_json              TEXT
);

CREATE INDEX idx_expression_data_fold_change ON expression_data (expression_fold_change);
