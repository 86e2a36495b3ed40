-- compare: unordered
SELECT DISTINCT gene_symbol
FROM cancer_transcript_base c
WHERE EXISTS (SELECT 1 FROM opentargets_known_drugs o WHERE o.target_gene_id = c.gene_id);
