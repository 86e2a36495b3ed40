-- compare: ordered
SELECT *
FROM cancer_transcript_base
GROUP BY transcript_id
HAVING max(expression_fold_change) <> 1
ORDER BY transcript_id
LIMIT 10;
