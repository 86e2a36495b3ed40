-- compare: ordered
SELECT s.transcript_id, s.fc
FROM (SELECT transcript_id, expression_fold_change AS fc FROM cancer_transcript_base) s
WHERE s.fc > 2
ORDER BY s.fc DESC, 1;
