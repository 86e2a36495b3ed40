-- compare: ordered
SELECT transcript_id, POWER(expression_fold_change, 2) AS squared, SQRT(expression_fold_change) AS root,
       FLOOR(expression_fold_change) AS fl, CEIL(expression_fold_change) AS ce, 2 ^ expression_fold_change AS two_to
FROM cancer_transcript_base
WHERE expression_fold_change > 2
ORDER BY transcript_id;
