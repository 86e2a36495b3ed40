-- compare: ordered
SELECT gene_symbol, MAX(expression_fold_change) AS max_fc
FROM cancer_transcript_base
GROUP BY gene_symbol
ORDER BY max_fc DESC, gene_symbol
LIMIT 10;
