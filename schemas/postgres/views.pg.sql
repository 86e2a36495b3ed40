-- The eight query views of the migration guide as materialized views, created (and so filled)
-- after the data, keys and indexes. Same grain, columns and values as the view tables of
-- schemas/sqlite/views.sqlite.sql: lists are text[] instead of JSON text, flags boolean instead
-- of 0/1, evidence_code_counts jsonb. Lists and minimums follow byte order (COLLATE "C" in the
-- ORDER BY clauses), as SQLite's do, whatever the database's collation.

CREATE MATERIALIZED VIEW public.gene_summary_view AS
WITH
    t AS (SELECT gene_id, count(*) AS n FROM public.transcripts GROUP BY gene_id),
    d AS (SELECT gene_id, count(DISTINCT drug_interaction_id) AS n FROM public.gene_drug_interactions GROUP BY gene_id),
    p AS (SELECT gene_id, count(*) AS n FROM public.gene_pathways GROUP BY gene_id),
    go AS (SELECT tr.gene_id, count(DISTINCT g.go_id) AS n
           FROM public.transcript_go_terms g JOIN public.transcripts tr USING (transcript_id) GROUP BY tr.gene_id),
    pub AS (SELECT gene_id, count(DISTINCT pmid) AS n FROM public.gene_publications GROUP BY gene_id),
    x AS (SELECT gene_id, count(*) AS n FROM public.gene_cross_references GROUP BY gene_id)
SELECT genes.gene_id, genes.gene_symbol,
       coalesce(t.n, 0) AS transcript_count, coalesce(d.n, 0) AS drug_count,
       coalesce(p.n, 0) AS pathway_count, coalesce(go.n, 0) AS go_term_count,
       coalesce(pub.n, 0) AS publication_count, coalesce(x.n, 0) AS cross_reference_count,
       coalesce(d.n, 0) > 0 AS has_drugs, coalesce(p.n, 0) > 0 AS has_pathways
FROM public.genes
LEFT JOIN t USING (gene_id) LEFT JOIN d USING (gene_id) LEFT JOIN p USING (gene_id)
LEFT JOIN go USING (gene_id) LEFT JOIN pub USING (gene_id) LEFT JOIN x USING (gene_id)
ORDER BY genes.gene_id COLLATE "C";

CREATE MATERIALIZED VIEW public.transcript_enrichment_view AS
WITH
    go AS (SELECT transcript_id, count(*) AS n FROM public.transcript_go_terms GROUP BY transcript_id),
    pr AS (SELECT transcript_id, array_agg(product_type ORDER BY product_type COLLATE "C") AS list
           FROM public.transcript_products GROUP BY transcript_id)
SELECT t.transcript_id, t.gene_id, genes.gene_symbol, coalesce(go.n, 0) AS go_term_count,
       coalesce(pr.list, '{}'::text[]) AS product_types, t.expression_fold_change
FROM public.transcripts t JOIN public.genes USING (gene_id)
LEFT JOIN go USING (transcript_id) LEFT JOIN pr USING (transcript_id)
ORDER BY t.transcript_id COLLATE "C";

CREATE MATERIALIZED VIEW public.drug_interaction_summary_view AS
WITH targets AS (
    SELECT drug_interaction_id, count(*) AS n,
           array_agg(gene_symbol ORDER BY gene_symbol COLLATE "C" NULLS FIRST, gene_id COLLATE "C") AS symbols
    FROM (SELECT DISTINCT gdi.drug_interaction_id, gdi.gene_id, genes.gene_symbol
          FROM public.gene_drug_interactions gdi JOIN public.genes USING (gene_id)) AS links
    GROUP BY drug_interaction_id)
SELECT di.drug_interaction_id, di.drug_name, di.source_database,
       coalesce(targets.n, 0) AS target_gene_count, coalesce(targets.symbols, '{}'::text[]) AS target_gene_symbols
FROM public.drug_interactions di LEFT JOIN targets USING (drug_interaction_id)
ORDER BY di.drug_interaction_id;

CREATE MATERIALIZED VIEW public.pathway_coverage_view AS
WITH
    g AS (SELECT pathway_id, count(*) AS n FROM public.gene_pathways GROUP BY pathway_id),
    -- Each gene's transcripts counted once, not once per pathway of the gene (N x N join rows
    -- for a gene of N transcripts in N pathways).
    c AS (SELECT gene_id, count(*) AS n FROM public.transcripts GROUP BY gene_id),
    t AS (SELECT gp.pathway_id, sum(c.n)::bigint AS n
          FROM public.gene_pathways gp JOIN c USING (gene_id) GROUP BY gp.pathway_id)
SELECT p.pathway_id, p.pathway_name, p.source_database, coalesce(g.n, 0) AS gene_count, coalesce(t.n, 0) AS transcript_count
FROM public.pathways p LEFT JOIN g USING (pathway_id) LEFT JOIN t USING (pathway_id)
ORDER BY p.pathway_id COLLATE "C";

CREATE MATERIALIZED VIEW public.go_term_hierarchy_view AS
WITH
    terms AS (SELECT go_id, min(go_term COLLATE "C") COLLATE "default" AS go_term,
                     min(go_category COLLATE "C") COLLATE "default" AS go_category,
                     count(DISTINCT tr.gene_id) AS gene_count, count(DISTINCT g.transcript_id) AS transcript_count
              FROM public.transcript_go_terms g JOIN public.transcripts tr USING (transcript_id) GROUP BY go_id),
    codes AS (SELECT go_id, jsonb_object_agg(code, n) AS counts
              FROM (SELECT go_id, coalesce(evidence_code, '') AS code, count(*) AS n
                    FROM public.transcript_go_terms GROUP BY go_id, coalesce(evidence_code, '')) AS by_code
              GROUP BY go_id)
SELECT terms.go_id, terms.go_term, terms.go_category, terms.gene_count, terms.transcript_count,
       codes.counts AS evidence_code_counts
FROM terms JOIN codes USING (go_id)
ORDER BY terms.go_id COLLATE "C";

CREATE MATERIALIZED VIEW public.publication_summary_view AS
WITH
    g AS (SELECT pmid, count(*) AS n,
                 array_agg(gene_symbol ORDER BY gene_symbol COLLATE "C" NULLS FIRST, gene_id COLLATE "C") AS symbols
          FROM (SELECT DISTINCT pub.pmid, pub.gene_id, genes.gene_symbol
                FROM public.gene_publications pub JOIN public.genes USING (gene_id)) AS links
          GROUP BY pmid),
    c AS (SELECT pmid, array_agg(reference_category ORDER BY reference_category COLLATE "C") AS categories
          FROM (SELECT DISTINCT pmid, reference_category FROM public.gene_publications) AS categories
          GROUP BY pmid)
SELECT g.pmid, g.n AS gene_count, g.symbols AS gene_symbols, c.categories AS reference_categories
FROM g JOIN c USING (pmid)
ORDER BY g.pmid COLLATE "C";

CREATE MATERIALIZED VIEW public.cross_reference_lookup_view AS
WITH
    refs AS (
        SELECT x.external_db, x.external_id, x.gene_id, tr.transcript_id
        FROM public.gene_cross_references x LEFT JOIN public.transcripts tr USING (gene_id)
        UNION
        SELECT x.external_db, x.external_id, tr.gene_id, x.transcript_id
        FROM public.transcript_cross_references x JOIN public.transcripts tr USING (transcript_id)),
    keys AS (SELECT external_db, external_id, min(gene_id COLLATE "C") COLLATE "default" AS gene_id
             FROM refs GROUP BY external_db, external_id),
    lists AS (SELECT external_db, external_id, array_agg(transcript_id ORDER BY transcript_id COLLATE "C") AS transcript_ids
              FROM (SELECT DISTINCT external_db, external_id, transcript_id FROM refs WHERE transcript_id IS NOT NULL) AS listed
              GROUP BY external_db, external_id)
SELECT keys.external_db, keys.external_id, keys.gene_id, genes.gene_symbol,
       coalesce(lists.transcript_ids, '{}'::text[]) AS transcript_ids
FROM keys LEFT JOIN public.genes USING (gene_id) LEFT JOIN lists USING (external_db, external_id)
ORDER BY keys.external_db COLLATE "C", keys.external_id COLLATE "C";

CREATE MATERIALIZED VIEW public.patient_query_optimized_view AS
SELECT t.transcript_id, t.gene_id, s.gene_symbol,
       s.has_drugs, s.has_pathways, s.go_term_count > 0 AS has_go_terms, s.publication_count > 0 AS has_publications,
       s.drug_count, s.pathway_count,
       round(0.2 * ((s.drug_count > 0)::integer + (s.pathway_count > 0)::integer + (s.go_term_count > 0)::integer
                    + (s.publication_count > 0)::integer + (s.cross_reference_count > 0)::integer), 1) AS annotation_completeness
FROM public.transcripts t JOIN public.gene_summary_view s USING (gene_id)
ORDER BY t.transcript_id COLLATE "C";

-- One row per key (the grain above); also what REFRESH MATERIALIZED VIEW CONCURRENTLY needs.
CREATE UNIQUE INDEX gene_summary_view_key ON public.gene_summary_view (gene_id);
CREATE UNIQUE INDEX transcript_enrichment_view_key ON public.transcript_enrichment_view (transcript_id);
CREATE UNIQUE INDEX drug_interaction_summary_view_key ON public.drug_interaction_summary_view (drug_interaction_id);
CREATE UNIQUE INDEX pathway_coverage_view_key ON public.pathway_coverage_view (pathway_id);
CREATE UNIQUE INDEX go_term_hierarchy_view_key ON public.go_term_hierarchy_view (go_id);
CREATE UNIQUE INDEX publication_summary_view_key ON public.publication_summary_view (pmid);
CREATE UNIQUE INDEX cross_reference_lookup_view_key ON public.cross_reference_lookup_view (external_db, external_id);
CREATE UNIQUE INDEX patient_query_optimized_view_key ON public.patient_query_optimized_view (transcript_id);
