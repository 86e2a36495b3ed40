-- compare: ordered
SELECT expression_fold_change > 1 AS up, COUNT(*)
FROM cancer_transcript_base
GROUP BY 1
ORDER BY 1;
