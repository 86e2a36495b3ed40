-- compare: ordered
SELECT transcript_id, ROUND((LN(expression_fold_change) / LN(2))::numeric, 4) AS log2fc
FROM cancer_transcript_base
WHERE expression_fold_change > 1.2 OR expression_fold_change < 0.8
ORDER BY log2fc DESC, transcript_id;
