-- The eight query views of the migration guide. PostgreSQL has them as materialized views
-- (schemas/postgres/views.pg.sql); SQLite gets tables filled once at the end of conversion.
-- Lists are JSON arrays, sorted; every table is ordered by its key so the file is deterministic.

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

CREATE TABLE drug_interaction_summary_view AS
WITH targets AS (
    SELECT drug_interaction_id, count(*) AS n, json_group_array(gene_symbol) AS symbols
    FROM (SELECT DISTINCT gdi.drug_interaction_id, gdi.gene_id, genes.gene_symbol
          FROM gene_drug_interactions gdi JOIN genes USING (gene_id)
          ORDER BY gdi.drug_interaction_id, genes.gene_symbol, gdi.gene_id)
    GROUP BY drug_interaction_id)
SELECT di.drug_interaction_id, di.drug_name, di.source_database,
       coalesce(targets.n, 0) AS target_gene_count, coalesce(targets.symbols, '[]') AS target_gene_symbols
FROM drug_interactions di LEFT JOIN targets USING (drug_interaction_id)
ORDER BY di.drug_interaction_id;

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

CREATE TABLE publication_summary_view AS
WITH
    g AS (SELECT pmid, count(*) AS n, json_group_array(gene_symbol) AS symbols
          FROM (SELECT DISTINCT pub.pmid, pub.gene_id, genes.gene_symbol
                FROM gene_publications pub JOIN genes USING (gene_id) ORDER BY pub.pmid, genes.gene_symbol, pub.gene_id)
          GROUP BY pmid),
    c AS (SELECT pmid, json_group_array(reference_category) AS categories
          FROM (SELECT DISTINCT pmid, reference_category FROM gene_publications ORDER BY pmid, reference_category)
          GROUP BY pmid)
SELECT g.pmid, g.n AS gene_count, g.symbols AS gene_symbols, c.categories AS reference_categories
FROM g JOIN c USING (pmid)
ORDER BY g.pmid;

-- One row per external id; its transcripts are looked up per id through the indexes rather
-- than by expanding every gene cross reference into all of the gene's transcripts.
CREATE TABLE cross_reference_lookup_view AS
WITH
    keys AS (
        SELECT external_db, external_id, min(gene_id) AS gene_id FROM (
            SELECT external_db, external_id, gene_id FROM gene_cross_references
            UNION ALL
            SELECT x.external_db, x.external_id, tr.gene_id
            FROM transcript_cross_references x JOIN transcripts tr USING (transcript_id))
        GROUP BY external_db, external_id)
SELECT keys.external_db, keys.external_id, keys.gene_id, genes.gene_symbol,
       (SELECT json_group_array(transcript_id) FROM (
            SELECT tr.transcript_id FROM gene_cross_references g JOIN transcripts tr USING (gene_id)
            WHERE g.external_db = keys.external_db AND g.external_id = keys.external_id
            UNION
            SELECT t.transcript_id FROM transcript_cross_references t
            WHERE t.external_db = keys.external_db AND t.external_id = keys.external_id
            ORDER BY 1)) AS transcript_ids
FROM keys LEFT JOIN genes USING (gene_id)
ORDER BY keys.external_db, keys.external_id;

CREATE TABLE patient_query_optimized_view AS
SELECT t.transcript_id, t.gene_id, s.gene_symbol,
       s.has_drugs, s.has_pathways, s.go_term_count > 0 AS has_go_terms, s.publication_count > 0 AS has_publications,
       s.drug_count, s.pathway_count,
       round(0.2 * ((s.drug_count > 0) + (s.pathway_count > 0) + (s.go_term_count > 0)
                    + (s.publication_count > 0) + (s.cross_reference_count > 0)), 1) AS annotation_completeness
FROM transcripts t JOIN gene_summary_view s USING (gene_id)
ORDER BY t.transcript_id;
