-- compare: ordered
SELECT gene_symbol,
       COUNT(*) FILTER (WHERE expression_fold_change > 2) AS up,
       COUNT(*) FILTER (WHERE expression_fold_change < 0.5) AS down
FROM cancer_transcript_base
GROUP BY gene_symbol
HAVING COUNT(*) FILTER (WHERE expression_fold_change <> 1) > 0
ORDER BY up DESC, down DESC, gene_symbol;
