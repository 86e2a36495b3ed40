-- compare: ordered
SELECT transcript_id, NULLIF(expression_fold_change, 1.0) AS changed
FROM cancer_transcript_base
ORDER BY 1
LIMIT 30;
