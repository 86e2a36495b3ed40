-- compare: ordered
SELECT transcript_id, expression_fold_change,
       expression_fold_change / (SELECT MAX(expression_fold_change) FROM cancer_transcript_base) AS relative
FROM cancer_transcript_base
WHERE expression_fold_change > 1
ORDER BY relative DESC, transcript_id
LIMIT 10;
