-- compare: ordered
SELECT transcript_id,
       CASE WHEN expression_fold_change > 2 THEN 'up'
            WHEN expression_fold_change < 0.5 THEN 'down'
            ELSE 'baseline' END AS status
FROM cancer_transcript_base
ORDER BY transcript_id;
