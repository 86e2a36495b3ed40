-- compare: ordered
SELECT transcript_id, gene_symbol, gene_type, max(expression_fold_change)
FROM cancer_transcript_base
GROUP BY 1
HAVING max(expression_fold_change) > 1
ORDER BY 1;
