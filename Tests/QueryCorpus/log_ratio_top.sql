-- compare: ordered
SELECT transcript_id, round(abs(log(2, expression_fold_change::numeric)), 6) AS log2_abs
FROM cancer_transcript_base
WHERE expression_fold_change IS NOT NULL AND expression_fold_change != 1 AND expression_fold_change > 0
ORDER BY 2 DESC, 1
LIMIT 10;
