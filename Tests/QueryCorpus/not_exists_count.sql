-- compare: unordered
SELECT COUNT(*)
FROM cancer_transcript_base c
WHERE NOT EXISTS (SELECT 1 FROM opentargets_known_drugs o WHERE o.target_gene_id = c.gene_id);
