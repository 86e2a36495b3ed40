-- compare: ordered
SELECT transcript_id,
       ROUND(expression_fold_change::numeric, 2) AS rounded,
       ABS(expression_fold_change - 1) AS distance,
       LN(expression_fold_change) AS ln_fc
FROM cancer_transcript_base
WHERE expression_fold_change <> 1
ORDER BY 1;
