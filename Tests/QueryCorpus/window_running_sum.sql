-- compare: ordered
SELECT transcript_id, SUM(expression_fold_change) OVER (ORDER BY transcript_id) AS running
FROM cancer_transcript_base
ORDER BY transcript_id;
