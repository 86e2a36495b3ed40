-- compare: ordered
SELECT transcript_id, expression_fold_change
FROM cancer_transcript_base
WHERE expression_fold_change > 5
ORDER BY transcript_id
OFFSET 3;
