-- The eight query views of the migration guide. PostgreSQL has them as materialized views
-- (schemas/postgres/views.pg.sql); SQLite gets tables filled once at the end of conversion.
-- Lists are JSON arrays, sorted; every table is ordered by its key so the file is deterministic.
-- The tables declared without a query are filled by Sources/MediabaseKit/Output/ViewTableFiller.swift
-- from index scans already in key order (their SQL form needs a sort or a subquery per row); their
-- rows equal the queries of the PostgreSQL twin, which the end-to-end tests compare.

CREATE TABLE gene_summary_view AS
WITH
    t AS (SELECT gene_id, count(*) AS n FROM transcripts GROUP BY gene_id),
    d AS (SELECT gene_id, count(DISTINCT drug_interaction_id) AS n FROM gene_drug_interactions GROUP BY gene_id),
    p AS (SELECT gene_id, count(*) AS n FROM gene_pathways GROUP BY gene_id),
    go AS (SELECT tr.gene_id, count(DISTINCT g.go_id) AS n FROM transcript_go_terms g JOIN transcripts tr USING (transcript_id) GROUP BY tr.gene_id),
    pub AS (SELECT gene_id, count(DISTINCT pmid) AS n FROM gene_publications GROUP BY gene_id),
    x AS (SELECT gene_id, count(*) AS n FROM gene_cross_references GROUP BY gene_id)
SELECT genes.gene_id, genes.gene_symbol,
       coalesce(t.n, 0) AS transcript_count, coalesce(d.n, 0) AS drug_count,
       coalesce(p.n, 0) AS pathway_count, coalesce(go.n, 0) AS go_term_count,
       coalesce(pub.n, 0) AS publication_count, coalesce(x.n, 0) AS cross_reference_count,
       coalesce(d.n, 0) > 0 AS has_drugs, coalesce(p.n, 0) > 0 AS has_pathways
FROM genes
LEFT JOIN t USING (gene_id) LEFT JOIN d USING (gene_id) LEFT JOIN p USING (gene_id)
LEFT JOIN go USING (gene_id) LEFT JOIN pub USING (gene_id) LEFT JOIN x USING (gene_id)
ORDER BY genes.gene_id;

CREATE TABLE transcript_enrichment_view AS
WITH
    go AS (SELECT transcript_id, count(*) AS n FROM transcript_go_terms GROUP BY transcript_id),
    pr AS (SELECT transcript_id, json_group_array(product_type) AS list
           FROM (SELECT transcript_id, product_type FROM transcript_products ORDER BY transcript_id, product_type)
           GROUP BY transcript_id)
SELECT t.transcript_id, t.gene_id, genes.gene_symbol, coalesce(go.n, 0) AS go_term_count,
       coalesce(pr.list, '[]') AS product_types, t.expression_fold_change
FROM transcripts t JOIN genes USING (gene_id)
LEFT JOIN go USING (transcript_id) LEFT JOIN pr USING (transcript_id)
ORDER BY t.transcript_id;

-- Filled by ViewTableFiller from gene_drug_interactions_drug: per drug, its distinct genes and their
-- symbols ordered by symbol (NULL first), then gene id.
CREATE TABLE drug_interaction_summary_view(
  drug_interaction_id INT,
  drug_name TEXT,
  source_database TEXT,
  target_gene_count,
  target_gene_symbols
);

CREATE TABLE pathway_coverage_view AS
WITH
    g AS (SELECT pathway_id, count(*) AS n FROM gene_pathways GROUP BY pathway_id),
    t AS (SELECT gp.pathway_id, count(*) AS n FROM gene_pathways gp JOIN transcripts tr USING (gene_id) GROUP BY gp.pathway_id)
SELECT p.pathway_id, p.pathway_name, p.source_database, coalesce(g.n, 0) AS gene_count, coalesce(t.n, 0) AS transcript_count
FROM pathways p LEFT JOIN g USING (pathway_id) LEFT JOIN t USING (pathway_id)
ORDER BY p.pathway_id;

CREATE TABLE go_term_hierarchy_view AS
WITH
    transcript_counts AS (SELECT go_id, count(*) AS n FROM transcript_go_terms GROUP BY go_id),
    gene_counts AS (SELECT go_id, count(DISTINCT gene_id) AS n, min(go_term) AS go_term, min(go_category) AS go_category
                    FROM temp.gene_go_terms_work GROUP BY go_id),
    codes AS (SELECT go_id, json_group_object(code, n) AS counts
              FROM (SELECT go_id, coalesce(evidence_code, '') AS code, count(*) AS n
                    FROM transcript_go_terms GROUP BY go_id, code ORDER BY go_id, code)
              GROUP BY go_id)
SELECT t.go_id, g.go_term, g.go_category, coalesce(g.n, 0) AS gene_count, t.n AS transcript_count,
       codes.counts AS evidence_code_counts
FROM transcript_counts t LEFT JOIN gene_counts g USING (go_id) JOIN codes USING (go_id)
ORDER BY t.go_id;

-- Filled by ViewTableFiller from gene_publications_pmid: per pmid, its distinct genes (symbols ordered
-- by symbol, NULL first, then gene id) and its distinct reference categories, sorted.
CREATE TABLE publication_summary_view(
  pmid TEXT,
  gene_count,
  gene_symbols,
  reference_categories
);

-- Filled by ViewTableFiller from the two *_cross_references_external indexes merged: per external id,
-- the smallest gene id carrying it (directly or through a transcript), that gene's symbol, and the
-- sorted distinct transcripts it reaches (every transcript of a carrying gene, and each carrying
-- transcript).
CREATE TABLE cross_reference_lookup_view(
  external_db TEXT,
  external_id TEXT,
  gene_id,
  gene_symbol TEXT,
  transcript_ids
);

CREATE TABLE patient_query_optimized_view AS
SELECT t.transcript_id, t.gene_id, s.gene_symbol,
       s.has_drugs, s.has_pathways, s.go_term_count > 0 AS has_go_terms, s.publication_count > 0 AS has_publications,
       s.drug_count, s.pathway_count,
       round(0.2 * ((s.drug_count > 0) + (s.pathway_count > 0) + (s.go_term_count > 0)
                    + (s.publication_count > 0) + (s.cross_reference_count > 0)), 1) AS annotation_completeness
FROM transcripts t JOIN gene_summary_view s USING (gene_id)
ORDER BY t.transcript_id;
