-- The eight query views of the migration guide. PostgreSQL has them as materialized views
-- (schemas/postgres/views.pg.sql); SQLite gets tables filled once at the end of conversion.
-- Lists are JSON arrays, sorted; every table is ordered by its key so the file is deterministic.
-- The tables declared without a query are filled by Sources/MediabaseOutput/ViewTableFiller.swift
-- from index scans already in key order (their SQL form needs a sort or a subquery per row); their
-- rows equal the queries of the PostgreSQL twin, which the end-to-end tests compare.

-- One correlated count per gene and link table, each a range of an index that starts with the
-- gene (or transcript) id: no intermediate table per count, whose size would follow the input.
CREATE TABLE gene_summary_view AS
SELECT gene_id, gene_symbol, transcript_count, drug_count, pathway_count, go_term_count, publication_count,
       cross_reference_count, drug_count > 0 AS has_drugs, pathway_count > 0 AS has_pathways
FROM (SELECT g.gene_id, g.gene_symbol,
             (SELECT count(*) FROM transcripts t WHERE t.gene_id = g.gene_id) AS transcript_count,
             (SELECT count(DISTINCT d.drug_interaction_id) FROM gene_drug_interactions d WHERE d.gene_id = g.gene_id) AS drug_count,
             (SELECT count(*) FROM gene_pathways p WHERE p.gene_id = g.gene_id) AS pathway_count,
             (SELECT count(DISTINCT go.go_id) FROM transcripts t JOIN transcript_go_terms go USING (transcript_id)
              WHERE t.gene_id = g.gene_id) AS go_term_count,
             (SELECT count(DISTINCT pub.pmid) FROM gene_publications pub WHERE pub.gene_id = g.gene_id) AS publication_count,
             (SELECT count(*) FROM gene_cross_references x WHERE x.gene_id = g.gene_id) AS cross_reference_count
      FROM genes g)
ORDER BY gene_id;

-- Filled by ViewTableFiller with patient_query_optimized_view, in one walk of the transcripts in id
-- order beside the GO-term and product key indexes: per transcript whose gene is in genes, its gene's
-- symbol, its GO-term count and its product types (a JSON array, sorted).
CREATE TABLE transcript_enrichment_view(
  transcript_id TEXT,
  gene_id TEXT,
  gene_symbol TEXT,
  go_term_count,
  product_types,
  expression_fold_change REAL
);

-- Filled by ViewTableFiller from gene_drug_interactions_drug: per drug, its distinct genes and their
-- symbols ordered by symbol (NULL first), then gene id.
CREATE TABLE drug_interaction_summary_view(
  drug_interaction_id INT,
  drug_name TEXT,
  source_database TEXT,
  target_gene_count,
  target_gene_symbols
);

-- Each gene's transcripts are counted once (the gene's range of transcripts_gene_id), not once
-- per pathway of the gene: a gene of N transcripts in N pathways cost N x N index entries.
CREATE TABLE pathway_coverage_view AS
WITH transcript_counts AS MATERIALIZED (
    SELECT g.gene_id, (SELECT count(*) FROM transcripts tr WHERE tr.gene_id = g.gene_id) AS n
    FROM (SELECT DISTINCT gene_id FROM gene_pathways) g)
SELECT p.pathway_id, p.pathway_name, p.source_database,
       (SELECT count(*) FROM gene_pathways gp WHERE gp.pathway_id = p.pathway_id) AS gene_count,
       (SELECT coalesce(sum(tc.n), 0) FROM gene_pathways gp JOIN transcript_counts tc USING (gene_id)
        WHERE gp.pathway_id = p.pathway_id) AS transcript_count
FROM pathways p
ORDER BY p.pathway_id;

-- Filled by ViewTableFiller (GOTermHierarchyFill.swift), which holds its definition: per GO id of
-- transcript_go_terms, the genes carrying it (gene_go_terms_work: count, smallest term and category),
-- its rows, and their counts per evidence code (NULL as '') as a JSON object in code order. The
-- declaration is the one a table created as the result of the definition gets.
CREATE TABLE go_term_hierarchy_view(
  go_id TEXT,
  go_term,
  go_category,
  gene_count,
  transcript_count,
  evidence_code_counts
);

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

-- Filled by ViewTableFiller with transcript_enrichment_view: per transcript, its gene's row of
-- gene_summary_view; has_go_terms and has_publications are go_term_count > 0 and publication_count > 0,
-- annotation_completeness round(0.2 * (how many of drugs, pathways, GO terms, publications and cross
-- references the gene has), 1).
CREATE TABLE patient_query_optimized_view(
  transcript_id TEXT,
  gene_id TEXT,
  gene_symbol TEXT,
  has_drugs,
  has_pathways,
  has_go_terms,
  has_publications,
  drug_count,
  pathway_count,
  annotation_completeness
);
