-- mediabase normalized core, PostgreSQL dialect (12 or newer): the tables of a bundle.
-- Single source of truth for the bundle writer; the SQLite twin is schemas/sqlite/core.sqlite.sql.
-- Column for column the same tables: lists are text[] (JSON text in SQLite), JSON is jsonb.
-- Keys, foreign keys and indexes come after the data (constraints.pg.sql); a bundle's parts run
-- with an empty search_path, so every name is schema-qualified.

CREATE TABLE public.schema_versions (
    version     text NOT NULL,
    applied_at  text NOT NULL,
    description text
);

CREATE TABLE public.genes (
    gene_id        text NOT NULL,
    gene_symbol    text,
    gene_name      text,
    gene_type      text,
    chromosome     text,
    start_position bigint,
    end_position   bigint,
    strand         smallint,
    description    text
);

CREATE TABLE public.transcripts (
    transcript_id            text NOT NULL,
    gene_id                  text NOT NULL,
    transcript_name          text,
    transcript_type          text,
    transcript_support_level integer,
    start_position           bigint,
    end_position             bigint,
    strand                   smallint,
    expression_fold_change   double precision NOT NULL DEFAULT 1.0
);

CREATE TABLE public.drug_interactions (
    drug_interaction_id bigint NOT NULL,
    drug_name           text,
    source_database     text NOT NULL,
    source_drug_id      text,
    mechanism_of_action text,
    action_type         text,
    target_type         text,
    indication          text,
    max_phase           double precision,
    attributes_json     jsonb
);

CREATE TABLE public.gene_drug_interactions (
    gene_id             text NOT NULL,
    drug_interaction_id bigint NOT NULL,
    interaction_type    text NOT NULL,
    evidence_type       text,
    evidence_score      double precision,
    drug_score          double precision,
    pathway_id          text,
    pmids               text[]
);

CREATE TABLE public.pathways (
    pathway_id      text NOT NULL,
    pathway_name    text,
    source_database text NOT NULL,
    pathway_type    text
);

CREATE TABLE public.gene_pathways (
    gene_id    text NOT NULL,
    pathway_id text NOT NULL,
    origin     text NOT NULL
);

CREATE TABLE public.transcript_go_terms (
    transcript_id text NOT NULL,
    go_id         text NOT NULL,
    go_term       text,
    go_category   text,
    evidence_code text
);

CREATE TABLE public.transcript_products (
    transcript_id text NOT NULL,
    product_type  text NOT NULL
);

CREATE TABLE public.gene_annotations (
    gene_id          text NOT NULL,
    annotation_type  text NOT NULL,
    annotation_value text NOT NULL
);

CREATE TABLE public.gene_cross_references (
    gene_id     text NOT NULL,
    external_db text NOT NULL,
    external_id text NOT NULL
);

CREATE TABLE public.transcript_cross_references (
    transcript_id text NOT NULL,
    external_db   text NOT NULL,
    external_id   text NOT NULL
);

CREATE TABLE public.gene_publications (
    gene_id            text NOT NULL,
    pmid               text NOT NULL,
    reference_category text NOT NULL,
    evidence_type      text,
    year               integer,
    citation_count     integer,
    source_db          text
);

CREATE TABLE public.gene_extras (
    gene_id    text NOT NULL,
    field      text NOT NULL,
    value_json jsonb NOT NULL
);

CREATE TABLE public.transcript_extras (
    transcript_id text NOT NULL,
    field         text NOT NULL,
    value_json    jsonb NOT NULL
);
