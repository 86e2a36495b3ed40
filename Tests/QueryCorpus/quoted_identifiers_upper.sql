-- compare: ordered
SELECT "gene_symbol", "expression_fold_change", Chromosome
FROM "cancer_transcript_base"
WHERE "expression_fold_change" BETWEEN 0.5 AND 2
ORDER BY "expression_fold_change" DESC NULLS LAST, "transcript_id"
LIMIT 12;
