-- mediabase normalized core, SQLite dialect.
-- Single source of truth for the SQLite writer; the PostgreSQL twin is schemas/postgres/.
-- Every table is written in one transaction; genes last, sorted by gene_id.
-- Lists are JSON text; booleans are 0/1. Link-table uniqueness is enforced by the unique
-- indexes in indexes.sqlite.sql, created after the bulk load.

CREATE TABLE schema_versions (
    version     TEXT PRIMARY KEY,
    applied_at  TEXT NOT NULL,
    description TEXT
);

CREATE TABLE genes (
    gene_id        TEXT PRIMARY KEY,
    gene_symbol    TEXT,
    gene_name      TEXT,
    gene_type      TEXT,
    chromosome     TEXT,
    start_position INTEGER,
    end_position   INTEGER,
    strand         INTEGER,
    description    TEXT
);

CREATE TABLE transcripts (
    transcript_id            TEXT PRIMARY KEY,
    gene_id                  TEXT NOT NULL REFERENCES genes (gene_id),
    transcript_name          TEXT,
    transcript_type          TEXT,
    transcript_support_level INTEGER,
    start_position           INTEGER,
    end_position             INTEGER,
    strand                   INTEGER,
    expression_fold_change   REAL NOT NULL DEFAULT 1.0
);

CREATE TABLE drug_interactions (
    drug_interaction_id INTEGER PRIMARY KEY,
    drug_name           TEXT,
    source_database     TEXT NOT NULL,
    source_drug_id      TEXT,
    mechanism_of_action TEXT,
    action_type         TEXT,
    target_type         TEXT,
    indication          TEXT,
    max_phase           REAL,
    attributes_json     TEXT
);

CREATE TABLE gene_drug_interactions (
    gene_id             TEXT NOT NULL REFERENCES genes (gene_id),
    drug_interaction_id INTEGER NOT NULL REFERENCES drug_interactions (drug_interaction_id),
    interaction_type    TEXT NOT NULL,
    evidence_type       TEXT,
    evidence_score      REAL,
    drug_score          REAL,
    pathway_id          TEXT,
    pmids               TEXT
);

CREATE TABLE pathways (
    pathway_id      TEXT PRIMARY KEY,
    pathway_name    TEXT,
    source_database TEXT NOT NULL,
    pathway_type    TEXT
);

CREATE TABLE gene_pathways (
    gene_id    TEXT NOT NULL REFERENCES genes (gene_id),
    pathway_id TEXT NOT NULL REFERENCES pathways (pathway_id),
    origin     TEXT NOT NULL
);

CREATE TABLE transcript_go_terms (
    transcript_id TEXT NOT NULL REFERENCES transcripts (transcript_id),
    go_id         TEXT NOT NULL,
    go_term       TEXT,
    go_category   TEXT,
    evidence_code TEXT
);

CREATE TABLE transcript_products (
    transcript_id TEXT NOT NULL REFERENCES transcripts (transcript_id),
    product_type  TEXT NOT NULL
);

CREATE TABLE gene_annotations (
    gene_id          TEXT NOT NULL REFERENCES genes (gene_id),
    annotation_type  TEXT NOT NULL,
    annotation_value TEXT NOT NULL
);

CREATE TABLE gene_cross_references (
    gene_id     TEXT NOT NULL REFERENCES genes (gene_id),
    external_db TEXT NOT NULL,
    external_id TEXT NOT NULL
);

CREATE TABLE transcript_cross_references (
    transcript_id TEXT NOT NULL REFERENCES transcripts (transcript_id),
    external_db   TEXT NOT NULL,
    external_id   TEXT NOT NULL
);

CREATE TABLE gene_publications (
    gene_id            TEXT NOT NULL REFERENCES genes (gene_id),
    pmid               TEXT NOT NULL,
    reference_category TEXT NOT NULL,
    evidence_type      TEXT,
    year               INTEGER,
    citation_count     INTEGER,
    source_db          TEXT
);

CREATE TABLE gene_extras (
    gene_id    TEXT NOT NULL REFERENCES genes (gene_id),
    field      TEXT NOT NULL,
    value_json TEXT NOT NULL
);

CREATE TABLE transcript_extras (
    transcript_id TEXT NOT NULL REFERENCES transcripts (transcript_id),
    field         TEXT NOT NULL,
    value_json    TEXT NOT NULL
);

-- Work table for the views, dropped with the connection: the (gene, GO term) pairs, written
-- once per gene rather than once per transcript, so go_term_hierarchy_view counts genes
-- without joining every transcript_go_terms row to its transcript. The core's writer moves it
-- to a scratch file of its own, which its other connections read.
CREATE TEMP TABLE gene_go_terms_work (
    gene_id     TEXT NOT NULL,
    go_id       TEXT NOT NULL,
    go_term     TEXT,
    go_category TEXT
);
