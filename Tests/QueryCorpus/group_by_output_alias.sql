-- compare: ordered
SELECT CASE WHEN expression_fold_change > 1 THEN 'up' ELSE 'not up' END AS direction, COUNT(*) AS n
FROM cancer_transcript_base
GROUP BY direction
ORDER BY direction;
