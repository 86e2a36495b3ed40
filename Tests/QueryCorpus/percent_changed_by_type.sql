-- compare: ordered
SELECT gene_type,
       ROUND(100.0 * SUM(CASE WHEN expression_fold_change <> 1 THEN 1 ELSE 0 END) / COUNT(*), 1) AS pct
FROM cancer_transcript_base
GROUP BY gene_type
ORDER BY pct DESC, gene_type;
