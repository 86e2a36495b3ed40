-- compare: ordered
SELECT transcript_id, gene_symbol
FROM cancer_transcript_base ctb
WHERE NOT EXISTS (SELECT 1 FROM opentargets_known_drugs o WHERE o.target_gene_id = ctb.gene_id)
  AND expression_fold_change <> 1
ORDER BY 1
LIMIT 10;
