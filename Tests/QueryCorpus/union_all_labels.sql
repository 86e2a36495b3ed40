-- compare: ordered
SELECT 'high' AS label, transcript_id, expression_fold_change AS fc FROM cancer_transcript_base WHERE expression_fold_change > 8
UNION ALL
SELECT 'low', transcript_id, expression_fold_change FROM cancer_transcript_base WHERE expression_fold_change < 0.2
ORDER BY label, fc, transcript_id;
