-- mediabase per-patient bundle part, PostgreSQL dialect (12 or newer): the schema of ONE
-- patient (docs/spec.md §5.1), the twin of schemas/sqlite/patient.sqlite.sql. The writer replaces the
-- schema placeholder with the double-quoted schema name "patient_<id>" of a validated patient
-- id (^[A-Za-z][A-Za-z0-9_]{0,62}$, lower-cased), and with nothing else.
-- The CREATE INDEX statements run after the COPY blocks, the rest before them.
-- Loaded after the core parts (the foreign key needs public.transcripts and its primary key).
-- Sparse: a transcript without a row has the baseline fold change 1.0, so readers use
-- COALESCE(pe.expression_fold_change, 1.0). The time columns are text holding the ISO 8601
-- upload date, as in the SQLite twin, so both targets hold the same values.

CREATE SCHEMA {{schema}};

CREATE TABLE {{schema}}.expression_data (
    transcript_id          text PRIMARY KEY REFERENCES public.transcripts (transcript_id),
    expression_fold_change double precision NOT NULL,
    created_at             text,
    updated_at             text,
    CONSTRAINT check_fold_change_not_default CHECK (expression_fold_change <> 1.0),
    CONSTRAINT check_fold_change_positive CHECK (expression_fold_change > 0)
);

CREATE TABLE {{schema}}.metadata (
    patient_id                 text PRIMARY KEY,
    upload_date                text NOT NULL,
    source_file                text,
    file_format                text,
    normalization_method       text,
    total_transcripts_uploaded bigint NOT NULL,
    transcripts_matched        bigint NOT NULL,
    transcripts_unmatched      bigint NOT NULL,
    matching_success_rate      double precision CHECK (matching_success_rate BETWEEN 0 AND 1),
    clinical_notes             text,
    cancer_type                text,
    cancer_subtype             text,
    tissue_type                text,
    sample_type                text,
    sequencing_platform        text,
    read_depth_millions        double precision,
    metadata_json              jsonb
);

CREATE INDEX idx_expression_data_fold_change ON {{schema}}.expression_data (expression_fold_change);
