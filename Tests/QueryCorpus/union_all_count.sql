-- compare: unordered
SELECT COUNT(*)
FROM (
    SELECT transcript_id FROM cancer_transcript_base WHERE expression_fold_change > 1
    UNION ALL
    SELECT transcript_id FROM cancer_transcript_base WHERE expression_fold_change < 1
) x;
