-- compare: ordered
SELECT transcript_id, expression_fold_change, ntile(4) OVER (ORDER BY expression_fold_change, transcript_id)
FROM cancer_transcript_base
WHERE expression_fold_change > (SELECT avg(expression_fold_change) FROM cancer_transcript_base)
ORDER BY 2 DESC, 1
LIMIT 10;
