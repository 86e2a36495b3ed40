-- compare: ordered by 2
-- The second guide's query 1, as printed there.
SELECT
    gene_symbol,
    expression_fold_change
FROM cancer_transcript_base
WHERE expression_fold_change > 2.0
ORDER BY expression_fold_change DESC
LIMIT 20;
