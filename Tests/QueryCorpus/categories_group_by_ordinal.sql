-- compare: ordered
SELECT CASE
         WHEN expression_fold_change >= 4 THEN 'strong up'
         WHEN expression_fold_change > 1 THEN 'up'
         WHEN expression_fold_change = 1 THEN 'baseline'
         ELSE 'down'
       END AS category,
       COUNT(*) AS transcripts,
       COUNT(DISTINCT gene_id) AS genes
FROM cancer_transcript_base
GROUP BY 1
ORDER BY 1;
