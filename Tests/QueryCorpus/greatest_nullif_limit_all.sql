-- compare: ordered
SELECT transcript_id,
       GREATEST(expression_fold_change, 1.0 / NULLIF(expression_fold_change, 0)) AS magnitude
FROM cancer_transcript_base
ORDER BY 2 DESC, 1
LIMIT ALL;
