-- compare: ordered
SELECT transcript_id, 'fc=' || CAST(expression_fold_change AS text) AS label
FROM cancer_transcript_base
WHERE expression_fold_change > 5
ORDER BY transcript_id;
