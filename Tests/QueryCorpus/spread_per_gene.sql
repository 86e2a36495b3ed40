-- compare: ordered
SELECT gene_symbol, MIN(expression_fold_change) AS lo, MAX(expression_fold_change) AS hi,
       MAX(expression_fold_change) - MIN(expression_fold_change) AS spread
FROM cancer_transcript_base
GROUP BY gene_symbol
HAVING COUNT(*) >= 3
ORDER BY spread DESC, gene_symbol
LIMIT 10;
