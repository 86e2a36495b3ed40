-- compare: ordered
-- sqlite: refused
SELECT c.transcript_id, x.n
FROM cancer_transcript_base c,
     LATERAL (SELECT COUNT(*) AS n FROM opentargets_known_drugs o WHERE o.target_gene_id = c.gene_id) x
WHERE c.expression_fold_change > 2
ORDER BY 1;
