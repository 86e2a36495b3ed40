-- compare: ordered
SELECT chromosome,
       SUM(CASE WHEN expression_fold_change > 1 THEN 1 ELSE 0 END) AS up,
       SUM(CASE WHEN expression_fold_change < 1 THEN 1 ELSE 0 END) AS down
FROM cancer_transcript_base
GROUP BY chromosome
ORDER BY chromosome;
