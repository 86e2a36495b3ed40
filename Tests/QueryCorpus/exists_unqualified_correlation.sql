-- compare: ordered
-- Unqualified names inside the subquery that only the outer legacy table has.
SELECT transcript_id
FROM cancer_transcript_base
WHERE EXISTS (SELECT 1 FROM opentargets_known_drugs WHERE target_gene_id = gene_id AND expression_fold_change > 1)
ORDER BY 1;
