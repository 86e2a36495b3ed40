-- compare: ordered
SELECT gene_symbol
FROM cancer_transcript_base
WHERE expression_fold_change NOT BETWEEN 0.5 AND 2
  AND gene_symbol NOT IN (SELECT gene_symbol FROM cancer_transcript_base WHERE expression_fold_change < 0.2)
GROUP BY gene_symbol
ORDER BY 1;
